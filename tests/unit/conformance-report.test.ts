// The suite's reporters on fixed results: TAP 13 that tap-parser reads back with the evidence
// intact, well-formed JUnit XML with awkward text escaped, JSON that round-trips, and a summary
// that shows every failure's evidence.
import { Parser, type Result } from 'tap-parser';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { CommandRecord, TestResult } from '../../conformance/harness/types.ts';
import { counts, displayName, type ReportInput } from '../../conformance/report/common.ts';
import { formatJson } from '../../conformance/report/json.ts';
import { formatJunit } from '../../conformance/report/junit.ts';
import { anchor } from '../../conformance/report/reference.ts';
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

const INPUT: ReportInput = { runtime: '/usr/sbin/runc', results: RESULTS, referenceOf: (id) => (id.startsWith('v1:') ? `v1.3.0/runtime.md#${id.split(':')[2]}` : undefined) };

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

  it('carries skips and unsupported operations as SKIP with the reason', () => {
    expect(parsed.asserts[2]!.skip).toBe("unsupported: the draft operation `stop`: No help topic for 'stop'");
    expect(parsed.asserts[3]!.skip).toBe('needs a user namespace');
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
    const diag = parseTap(formatTap({ runtime: 'x', results: [r] })).asserts[0]!.diag;
    expect(diag.expected).toBe(awkward.join('|'));
    expect(diag.actual).toBe('yes');
    expect(diag.commands.map((c: { argv: string[] }) => c.argv[0])).toEqual([...awkward, long[0]]);
    expect(diag.commands.map((c: { stderr: string }) => c.stderr)).toEqual([...awkward.map((t) => t.trimEnd()), 'line 1\nline 2']);
    expect(diag.commands.at(-1).argv).toEqual(long);
  });

  it('gives an empty run a valid plan', () => {
    const empty = parseTap(formatTap({ runtime: 'x', results: [] }));
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
    expect(doc.testsuites.testsuite[2].testcase[0].skipped['@message']).toContain('unsupported: ');
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
    expect(text.split('\n')[0]).toBe('oci-conformance against /usr/sbin/runc: 1 pass, 2 fail, 1 unsupported, 1 skip (5 results)');
  });

  it('shows each failure with its evidence', () => {
    expect(text).toContain('FAIL v1:runtime:query-state:2 state of an unknown id MUST generate an error [draft]');
    expect(text).toContain('expected: a non-zero exit');
    expect(text).toContain('$ /usr/sbin/runc --root /tmp/r state nope    # exit 0, 7 ms');
    expect(text).toContain('stderr|   second line: <tag>');
    expect(text).toContain('$ /usr/sbin/runc delete x    # timed out, 7 ms');
    expect(text).toContain("UNSUPPORTED draft:runtime:stop:1 stop # stops [draft]: the draft operation `stop`: No help topic for 'stop'");
  });
});

describe('references', () => {
  it('are GitHub heading anchors', () => {
    expect(anchor('Query State')).toBe('query-state');
    expect(anchor('Linux Runtime: Namespaces (`linux`)')).toBe('linux-runtime-namespaces-linux');
  });
});
