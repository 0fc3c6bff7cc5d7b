// The suite's reporters on fixed results: TAP 13 that tap-parser reads back with the evidence
// intact, well-formed JUnit XML with awkward text escaped, JSON that round-trips, and a summary
// that shows every failure's evidence; for one runtime, and for several side by side.
import { Parser, type Result } from 'tap-parser';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { CommandRecord, TestResult } from '../../conformance/harness/types.ts';
import { counts, displayName, type ReferenceOf } from '../../conformance/report/common.ts';
import { formatJson, type JsonReport } from '../../conformance/report/json.ts';
import { formatJunit } from '../../conformance/report/junit.ts';
import { anchor } from '../../conformance/report/reference.ts';
import type { RuntimeRun, RunsReport } from '../../conformance/report/runs.ts';
import { formatSummary } from '../../conformance/report/summary.ts';
import { formatTap } from '../../conformance/report/tap.ts';

const cmd = (argv: string[], code: number | null, stderr: string, stdout = ''): CommandRecord => ({ argv, code, signal: code === null ? 'SIGKILL' : null, stdout, stderr, ms: 7, timedOut: code === null });

const STDERR = 'time="2026-01-01" level=error msg="container does not exist"\n  second line: <tag> & "quotes" # not a directive\n';

const RESULTS: TestResult[] = [
  { area: 'runtime/state', test: { ids: ['v1:runtime:state:1'], title: 'v1:runtime:state:1 state prints JSON' }, edition: 'v1', outcome: { status: 'pass' }, ms: 12 },
  {
    area: 'runtime/query-state',
    test: { ids: ['v1:runtime:query-state:2'], title: 'state of an unknown id MUST generate an error' },
    edition: 'draft',
    outcome: {
      status: 'fail',
      expected: 'a non-zero exit',
      actual: 'exit 0 with "no"',
      commands: [cmd(['/usr/sbin/runc', '--root', '/tmp/r', 'state', 'nope'], 0, STDERR, '{"id":"nope"}\n'), cmd(['/usr/sbin/runc', 'delete', 'x'], null, '')],
      probe: { pid: 1, note: 'yes' },
    },
    ms: 30,
  },
  { area: 'runtime/stop', test: { ids: ['draft:runtime:stop:1'], title: 'draft:runtime:stop:1 stop # stops' }, edition: 'draft', outcome: { status: 'unsupported', reason: "the draft operation `stop`: No help topic for 'stop'", commands: [] }, ms: 3 },
  { area: 'runtime/hooks', test: { ids: ['v1:config:hooks:1'], title: 'v1:config:hooks:1 hooks run' }, edition: 'v1', outcome: { status: 'skip', reason: 'needs\na user namespace' }, ms: 1 },
  { area: 'runtime-tools/create', test: { ids: [], title: 'create MUST fail', references: ['https://example.org/runtime.md#create'] }, edition: 'v1', outcome: { status: 'fail', expected: 'x', actual: "y\u0001z\ud800", commands: [] }, ms: 0 },
];

const referenceOf: ReferenceOf = (id) => (id.startsWith('v1:') ? `v1.3.0/runtime.md#${id.split(':')[2]}` : undefined);
const RUNC: RuntimeRun = { name: 'runc', runtime: '/usr/sbin/runc', version: 'runc version 1.1.5', notes: [], results: RESULTS };
const report = (...runs: RuntimeRun[]): RunsReport => ({ runs, catalogue: [], referenceOf, started: '2026-12-01T00:00:00.000Z', host: 'Linux 6.1.0' });
const INPUT = report(RUNC);
/** A report of one runtime without references: just its results. */
const only = (results: TestResult[]) => report({ ...RUNC, name: 'x', runtime: 'x', results });

function parseTap(tap: string): { asserts: Result[]; plan: { start: number | null; end: number | null }; ok: boolean; version?: number } {
  const asserts: Result[] = [];
  let final: { plan: { start: number | null; end: number | null }; ok: boolean } | undefined;
  let version: number | undefined;
  const p = new Parser({ strict: true });
  p.on('version', (v: number) => (version = v));
  p.on('assert', (r: Result) => asserts.push(r));
  p.on('complete', (f) => (final = f));
  p.end(tap);
  return { asserts, plan: final!.plan, ok: final!.ok, version };
}

describe('TAP reporter', () => {
  const tap = formatTap(INPUT);
  const parsed = parseTap(tap);

  it('is TAP 13 with a plan and one test point per result', () => {
    expect(parsed.version).toBe(13);
    expect(parsed.plan).toMatchObject({ start: 1, end: RESULTS.length });
    expect(parsed.asserts.map((a) => a.ok)).toEqual([true, false, true, true, false]);
  });

  it('names each point with its ids, title and edition, escaping #', () => {
    expect(parsed.asserts[0]!.name).toBe('v1:runtime:state:1 state prints JSON [v1]');
    expect(parsed.asserts[1]!.name).toBe('v1:runtime:query-state:2 state of an unknown id MUST generate an error [draft]');
    expect(parsed.asserts[2]!.name).toBe('draft:runtime:stop:1 stop # stops [draft]');
  });

  it('carries what the runtime or the host lacks as SKIP, saying which, with the reason', () => {
    expect(parsed.asserts[2]!.skip).toBe("unsupported by runtime: the draft operation `stop`: No help topic for 'stop'");
    expect(parsed.asserts[3]!.skip).toBe('unsupported by host: needs a user namespace');
  });

  it('puts reference, expected, actual and the commands in the YAML diagnostics, verbatim', () => {
    const diag = parsed.asserts[1]!.diag;
    expect(diag.reference).toBe('v1.3.0/runtime.md#query-state');
    expect(diag.expected).toBe('a non-zero exit');
    expect(diag.actual).toBe('exit 0 with "no"');
    expect(diag.commands[0]).toMatchObject({ argv: ['/usr/sbin/runc', '--root', '/tmp/r', 'state', 'nope'], exit: 0, stderr: STDERR.trimEnd(), stdout: '{"id":"nope"}' });
    expect(diag.commands[1]).toMatchObject({ exit: null, timedOut: true, signal: 'SIGKILL' });
    expect(diag.observed).toEqual({ pid: 1, note: 'yes' });
    expect(parsed.asserts[4]!.diag.reference).toBe('https://example.org/runtime.md#create');
  });

  it('round-trips awkward text through the YAML: YAML keywords, numbers, blank lines, long argv', () => {
    const awkward = ['no', '1.0', 'a: b', '  leading', 'trailing\n\n', 'x\n\ny', '- dash', '#hash', '"q"', 'tab\there', '\u0007bell', 'ünï'];
    const long = Array.from({ length: 30 }, (_, i) => `--arg-${i}=value`);
    const commands = awkward.map((t) => cmd([t], 1, t, t)).concat(cmd(long, 0, 'line 1\nline 2'));
    const r: TestResult = { area: 'a', test: { ids: [], title: 't' }, edition: 'v1', outcome: { status: 'fail', expected: awkward.join('|'), actual: 'yes', commands }, ms: 1 };
    const diag = parseTap(formatTap(only([r]))).asserts[0]!.diag;
    expect(diag.expected).toBe(awkward.join('|'));
    expect(diag.actual).toBe('yes');
    expect(diag.commands.map((c: { argv: string[] }) => c.argv[0])).toEqual([...awkward, long[0]]);
    expect(diag.commands.map((c: { stderr: string }) => c.stderr)).toEqual([...awkward.map((t) => t.trimEnd()), 'line 1\nline 2']);
    expect(diag.commands.at(-1).argv).toEqual(long);
  });

  it('gives an empty run a valid plan', () => {
    const empty = parseTap(formatTap(only([])));
    expect(empty.asserts).toEqual([]);
    expect(empty.plan).toMatchObject({ start: 1, end: 0 });
  });
});

describe('JUnit reporter', () => {
  const junit = formatJunit(INPUT);
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name) => name === 'testsuite' || name === 'testcase' }).parse(junit);

  it('is well-formed XML', () => {
    expect(XMLValidator.validate(junit)).toBe(true);
  });

  it('has a testsuite per area and a testcase per result, with counts', () => {
    const suites = doc.testsuites.testsuite as Array<Record<string, unknown> & { testcase: unknown[] }>;
    expect(suites.map((s) => s['@name'])).toEqual(['runtime/state', 'runtime/query-state', 'runtime/stop', 'runtime/hooks', 'runtime-tools/create']);
    expect(doc.testsuites['@tests']).toBe('5');
    expect(doc.testsuites['@failures']).toBe('2');
    expect(doc.testsuites['@skipped']).toBe('2');
  });

  it('escapes markup and drops characters XML cannot carry', () => {
    const failing = doc.testsuites.testsuite[1].testcase[0];
    expect(failing['@name']).toBe(displayName(RESULTS[1]!));
    expect(junit).toContain('second line: &lt;tag&gt; &amp; &quot;quotes&quot;');
    expect(failing.failure['#text']).toContain('second line: <tag> & "quotes"');
    expect(junit).not.toMatch(/\u0001/);
    expect(doc.testsuites.testsuite[2].testcase[0].skipped['@message']).toBe("unsupported by runtime: the draft operation `stop`: No help topic for 'stop'");
    expect(doc.testsuites.testsuite[3].testcase[0].skipped['@message']).toBe('unsupported by host: needs\na user namespace');
  });
});

describe('JSON reporter', () => {
  it('round-trips every result, with counts and references', () => {
    const back = JSON.parse(formatJson(INPUT));
    expect(back.runtime).toBe('/usr/sbin/runc');
    expect(back.counts).toEqual(counts(RESULTS));
    expect(back.results.map(({ references: _, ...r }: { references: string[] }) => r)).toEqual(JSON.parse(JSON.stringify(RESULTS)));
    expect(back.results[1].references).toEqual(['v1.3.0/runtime.md#query-state']);
  });
});

describe('summary reporter', () => {
  const text = formatSummary(INPUT);

  it('counts each outcome', () => {
    expect(text.split('\n')[0]).toBe('oci-conformance against /usr/sbin/runc: 1 pass, 2 fail, 1 unsupported by runtime, 1 unsupported by host (5 results)');
  });

  it('shows each failure with its evidence', () => {
    expect(text).toContain('FAIL v1:runtime:query-state:2 state of an unknown id MUST generate an error [draft]');
    expect(text).toContain('expected: a non-zero exit');
    expect(text).toContain('$ /usr/sbin/runc --root /tmp/r state nope    # exit 0, 7 ms');
    expect(text).toContain('stderr|   second line: <tag>');
    expect(text).toContain('$ /usr/sbin/runc delete x    # timed out, 7 ms');
    expect(text).toContain("  UNSUPPORTED BY RUNTIME draft:runtime:stop:1 stop # stops [draft]: the draft operation `stop`: No help topic for 'stop'");
    expect(text).toContain('  UNSUPPORTED BY HOST v1:config:hooks:1 hooks run [v1]: needs');
  });

  it('has no matrix and no runtime-name headings with one runtime', () => {
    expect(text).toContain('\nFailures:\n');
    expect(text).toContain('\nNot run:\n');
    expect(text).not.toContain('Not a pass everywhere');
  });
});

describe('references', () => {
  it('are GitHub heading anchors', () => {
    expect(anchor('Query State')).toBe('query-state');
    expect(anchor('Linux Runtime: Namespaces (`linux`)')).toBe('linux-runtime-namespaces-linux');
  });
});

describe('several runtimes', () => {
  const failOf = (r: TestResult): TestResult => ({ ...r, outcome: { status: 'fail', expected: 'state to print JSON', actual: 'it printed nothing', commands: [] } });
  const pass = (r: TestResult): TestResult => ({ ...r, outcome: { status: 'pass' } });
  // ocirt: the first test fails, the runc failure and the unsupported stop pass, the same host skip, no runtime-tools result.
  const OCIRT: RuntimeRun = { name: 'ocirt', runtime: '/work/bin/ocirt', version: '', notes: ['called with --debug'], results: [failOf(RESULTS[0]!), pass(RESULTS[1]!), pass(RESULTS[2]!), RESULTS[3]!] };
  const BOTH = report(RUNC, OCIRT);

  describe('summary', () => {
    const text = formatSummary(BOTH);
    const lines = text.split('\n');

    it('counts each runtime on its own line, with its version and notes', () => {
      expect(lines.slice(0, 3)).toEqual([
        'runc (/usr/sbin/runc, runc version 1.1.5): 1 pass, 2 fail, 1 unsupported by runtime, 1 unsupported by host (5 results)',
        'ocirt (/work/bin/ocirt): 2 pass, 1 fail, 0 unsupported by runtime, 1 unsupported by host (4 results)',
        '  note: called with --debug',
      ]);
    });

    it('has one matrix line per result that is not a pass everywhere, with each runtime outcome', () => {
      const start = lines.indexOf('Not a pass everywhere (5):');
      expect(start).toBeGreaterThan(0);
      expect(lines.slice(start + 1, start + 6)).toEqual([
        '  [v1] v1:runtime:state:1 state prints JSON: runc pass, ocirt FAIL',
        '  [draft] v1:runtime:query-state:2 state of an unknown id MUST generate an error: runc FAIL, ocirt pass',
        '  [draft] draft:runtime:stop:1 stop # stops: runc unsupported by runtime, ocirt pass',
        '  [v1] v1:config:hooks:1 hooks run: runc unsupported by host, ocirt unsupported by host',
        '  [v1] create MUST fail: runc FAIL, ocirt –',
      ]);
    });

    it('keeps results of the same name apart (runtime-tools may repeat a title)', () => {
      const twice = (status: 'pass' | 'fail'): TestResult[] => [RESULTS[0]!, status === 'pass' ? RESULTS[0]! : failOf(RESULTS[0]!)];
      const text = formatSummary(report({ ...RUNC, results: twice('pass') }, { ...OCIRT, results: twice('fail') }));
      expect(text).toContain('\n  [v1] v1:runtime:state:1 state prints JSON (2): runc pass, ocirt FAIL\n');
      expect(text).not.toContain('\n  [v1] v1:runtime:state:1 state prints JSON: ');
    });

    it('leaves out results that passed everywhere', () => {
      const passing = formatSummary(report(RUNC, { ...OCIRT, results: [RESULTS[0]!, failOf(RESULTS[1]!)] }));
      expect(passing).not.toContain('[v1] v1:runtime:state:1 state prints JSON:');
      const clean = formatSummary(report({ ...RUNC, results: [RESULTS[0]!] }, { ...OCIRT, results: [RESULTS[0]!] }));
      expect(clean).toContain('Every result passed against every runtime.');
    });

    it('then shows each runtime failures with their evidence, under its name', () => {
      const runcAt = lines.indexOf('runc failures:');
      const ocirtAt = lines.indexOf('ocirt failures:');
      expect(runcAt).toBeGreaterThan(0);
      expect(ocirtAt).toBeGreaterThan(runcAt);
      expect(lines.slice(runcAt).join('\n')).toContain('$ /usr/sbin/runc --root /tmp/r state nope    # exit 0, 7 ms');
      expect(lines.slice(ocirtAt, ocirtAt + 5)).toEqual(['ocirt failures:', '', 'FAIL v1:runtime:state:1 state prints JSON [v1]', '  reference: v1.3.0/runtime.md#state', '  expected: state to print JSON']);
      expect(lines).toContain('ocirt not run:');
    });
  });

  describe('TAP', () => {
    const tap = formatTap(BOTH);
    const children: Array<{ asserts: Result[] }> = [];
    const top: Result[] = [];
    let final: { ok: boolean; plan: { end: number | null } } | undefined;
    const p = new Parser({ strict: true });
    p.on('child', (c: Parser) => {
      const child = { asserts: [] as Result[] };
      c.on('assert', (r: Result) => child.asserts.push(r));
      children.push(child);
    });
    p.on('assert', (r: Result) => top.push(r));
    p.on('complete', (f) => (final = f));
    p.end(tap);

    it('is one document with a subtest per runtime, failing where the runtime failed', () => {
      expect(tap.split('\n').filter((l) => l.startsWith('# Subtest: '))).toEqual(['# Subtest: runc', '# Subtest: ocirt']);
      expect(top.map((a) => [a.name, a.ok])).toEqual([['runc', false], ['ocirt', false]]);
      expect(final).toMatchObject({ ok: false, plan: { end: 2 } });
    });

    it('keeps each runtime points, directives and diagnostics, block scalars included', () => {
      expect(children.map((c) => c.asserts.map((a) => a.ok))).toEqual([[true, false, true, true, false], [false, true, true, true]]);
      expect(children[0]!.asserts[2]!.skip).toBe("unsupported by runtime: the draft operation `stop`: No help topic for 'stop'");
      expect(children[0]!.asserts[1]!.diag.commands[0].stderr).toBe(STDERR.trimEnd());
      expect(children[1]!.asserts[0]!.diag.expected).toBe('state to print JSON');
    });

    it('passes a runtime whose tests all passed or were not run', () => {
      const fine = formatTap(report({ ...RUNC, results: [RESULTS[0]!, RESULTS[2]!] }, { ...OCIRT, results: [RESULTS[3]!] }));
      expect(fine).toMatch(/^ok 1 - runc$/m);
      expect(fine).toMatch(/^ok 2 - ocirt$/m);
    });
  });

  describe('JUnit', () => {
    const junit = formatJunit(BOTH);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name) => name === 'testsuite' || name === 'testcase' }).parse(junit);

    it('is one testsuites whose suites are named after runtime and area', () => {
      expect(XMLValidator.validate(junit)).toBe(true);
      const suites = doc.testsuites.testsuite as Array<Record<string, string>>;
      expect(suites.map((s) => s['@name'])).toEqual([
        'runc/runtime/state', 'runc/runtime/query-state', 'runc/runtime/stop', 'runc/runtime/hooks', 'runc/runtime-tools/create',
        'ocirt/runtime/state', 'ocirt/runtime/query-state', 'ocirt/runtime/stop', 'ocirt/runtime/hooks',
      ]);
      expect(doc.testsuites.testsuite[5].testcase[0]['@classname']).toBe('ocirt/runtime/state');
      expect(doc.testsuites['@tests']).toBe('9');
      expect(doc.testsuites['@failures']).toBe('3');
    });

    it('keeps the area alone as the suite name with one runtime', () => {
      expect(formatJunit(INPUT)).toContain('<testsuite name="runtime/state"');
    });
  });

  describe('JSON', () => {
    it('has runs with name, binary, version, notes, counts and results, and no single-run fields', () => {
      const back = JSON.parse(formatJson(BOTH)) as JsonReport;
      expect(Object.keys(back).sort()).toEqual(['host', 'runs', 'started']);
      expect(back.runs.map((r) => [r.name, r.runtime, r.version, r.notes])).toEqual([
        ['runc', '/usr/sbin/runc', 'runc version 1.1.5', []],
        ['ocirt', '/work/bin/ocirt', '', ['called with --debug']],
      ]);
      expect(back.runs[1]!.counts).toEqual({ pass: 2, fail: 1, unsupported: 0, skip: 1 });
      expect(back.runs[1]!.results[0]!.outcome.status).toBe('fail');
      expect(back.runs[1]!.results[0]!.references).toEqual(['v1.3.0/runtime.md#state']);
      expect([back.started, back.host]).toEqual(['2026-12-01T00:00:00.000Z', 'Linux 6.1.0']);
    });

    it('keeps the machine status values skip and unsupported', () => {
      const back = JSON.parse(formatJson(BOTH)) as JsonReport;
      expect(back.runs[0]!.results.map((r) => r.outcome.status)).toEqual(['pass', 'fail', 'unsupported', 'skip', 'fail']);
    });

    it('with one runtime, has both the single-run fields and runs', () => {
      const back = JSON.parse(formatJson(INPUT)) as JsonReport;
      expect(back.runs).toHaveLength(1);
      expect(back.runs[0]!.results).toEqual(back.results);
      expect(back.runs[0]!.counts).toEqual(back.counts);
      expect(back.runs[0]!.runtime).toBe(back.runtime);
    });
  });
});
