// JUnit XML for CI dashboards: a testsuite per area (spec area, or runtime-tools/<program>), a
// testcase per test × edition; fail → <failure> with the evidence as text, a test the host or the
// runtime cannot run → <skipped> saying which. With several runtimes, one <testsuites> whose
// suites (and classnames) are prefixed with the runtime's name: "runc/runtime/state".
import type { TestResult } from '../harness/types.ts';
import { LABEL, counts, displayName, referencesOf, type ReferenceOf } from './common.ts';
import type { RunsReport } from './runs.ts';
import { evidence } from './summary.ts';

export function formatJunit(report: RunsReport): string {
  const prefixed = report.runs.length > 1;
  const suites = report.runs.flatMap((run) => [...groupBy(run.results, (r) => r.area)].map(([area, rs]) => testsuite(prefixed ? `${run.name}/${area}` : area, rs, report.referenceOf)));
  const all = report.runs.flatMap((run) => run.results);
  const c = counts(all);
  const head = `<testsuites name="oci-conformance" tests="${all.length}" failures="${c.fail}" skipped="${c.skip + c.unsupported}" time="${seconds(all)}">`;
  return ['<?xml version="1.0" encoding="UTF-8"?>', head, ...suites, '</testsuites>', ''].join('\n');
}

function testsuite(suite: string, rs: TestResult[], referenceOf?: ReferenceOf): string {
  const c = counts(rs);
  const cases = rs.map((r) => testcase(r, suite, referenceOf));
  return [`  <testsuite name="${xml(suite)}" tests="${rs.length}" failures="${c.fail}" skipped="${c.skip + c.unsupported}" time="${seconds(rs)}">`, ...cases, '  </testsuite>'].join('\n');
}

function testcase(r: TestResult, suite: string, referenceOf?: ReferenceOf): string {
  const open = `    <testcase classname="${xml(suite)}" name="${xml(displayName(r))}" time="${(r.ms / 1000).toFixed(3)}"`;
  const o = r.outcome;
  if (o.status === 'pass') return `${open}/>`;
  if (o.status === 'skip' || o.status === 'unsupported') return `${open}>\n      <skipped message="${xml(`${LABEL[o.status]}: ${o.reason}`)}"/>\n    </testcase>`;
  const refs = referencesOf(r, referenceOf).join(' ');
  const body = [`reference: ${refs}`, ...evidence(o)].join('\n');
  return `${open}>\n      <failure message="${xml(`expected ${o.expected}; got ${o.actual}`)}" type="${xml(refs)}">${xml(body)}</failure>\n    </testcase>`;
}

/** Escapes markup, and drops the characters XML 1.0 cannot carry at all (a runtime may print them). */
export const xml = (s: string) =>
  s
    .replace(/[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');

const seconds = (rs: TestResult[]) => (rs.reduce((t, r) => t + r.ms, 0) / 1000).toFixed(3);

function groupBy<T>(xs: T[], key: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of xs) m.set(key(x), [...(m.get(key(x)) ?? []), x]);
  return m;
}
