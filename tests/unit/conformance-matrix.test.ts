import { describe, expect, it } from 'vitest';
import type { CatalogueEntry } from '../../conformance/catalogue/index.ts';
import type { TestResult } from '../../conformance/harness/types.ts';
import { cellFor, conformanceMatrix } from '../../conformance/results/matrix.ts';

const result = (ids: string[], status: 'pass' | 'fail' | 'skip' | 'unsupported'): TestResult => ({
  area: 'a',
  test: { ids, title: ids.join(' ') },
  edition: 'v1',
  outcome: status === 'pass' ? { status } : status === 'fail' ? { status, expected: 'e', actual: 'a', commands: [] } : status === 'skip' ? { status, reason: 'r' } : { status, reason: 'r', commands: [] },
  ms: 1,
});

describe('docs/conformance.md matrix', () => {
  it('a failure of any test naming the entry wins over passes; unnamed entries show a dash', () => {
    const rs = [result(['x:1'], 'pass'), result(['x:1', 'x:2'], 'fail'), result(['x:3'], 'unsupported')];
    expect(cellFor('x:1', rs)).toBe('**FAIL**');
    expect(cellFor('x:2', rs)).toBe('**FAIL**');
    expect(cellFor('x:3', rs)).toBe('unsupported');
    expect(cellFor('x:4', rs)).toBe('–');
  });
  it('has one row per catalogue entry and one column per runtime, with totals', () => {
    const cat: CatalogueEntry[] = [
      { id: 'x:1', edition: 'v1', file: 'v1.3.0/runtime.md', section: 'S', sentence: 'It MUST | work.', level: 'MUST', testable: true },
      { id: 'x:2', edition: 'v1', file: 'v1.3.0/runtime.md', section: 'S', sentence: 'It MUST be JSON.', level: 'MUST', testable: false, why: 'format' },
    ];
    const md = conformanceMatrix(cat, [{ name: 'runc', results: [result(['x:1'], 'pass')] }, { name: 'ocirt', results: [result(['x:1'], 'fail')] }], 'test');
    expect(md).toContain('| id | sentence | testable | runc | ocirt |');
    expect(md).toContain('| `x:1` | It MUST \\| work. | yes | pass | **FAIL** |');
    expect(md).toContain('| `x:2` | It MUST be JSON. | no: format | – | – |');
    expect(md).toContain('- runc: 1 pass, 0 fail, 0 unsupported, 1 not tested');
  });
});
