// JUnit XML for CI dashboards: a testsuite per area (spec area, or runtime-tools/<program>), a
// testcase per test × edition; fail → <failure> with the evidence as text, skip and unsupported
// → <skipped>.
import type { TestResult } from '../harness/types.ts';
import { counts, displayName, referencesOf, type ReportInput } from './common.ts';
import { evidence } from './summary.ts';

export function formatJunit(input: ReportInput): string {
  const areas = groupBy(input.results, (r) => r.area);
  const c = counts(input.results);
  const head = `<testsuites name="oci-conformance" tests="${input.results.length}" failures="${c.fail}" skipped="${c.skip + c.unsupported}" time="${seconds(input.results)}">`;
  const suites = [...areas].map(([area, rs]) => testsuite(area, rs, input));
  return ['<?xml version="1.0" encoding="UTF-8"?>', head, ...suites, '</testsuites>', ''].join('\n');
}

function testsuite(area: string, rs: TestResult[], input: ReportInput): string {
  const c = counts(rs);
  const cases = rs.map((r) => testcase(r, input));
  return [`  <testsuite name="${xml(area)}" tests="${rs.length}" failures="${c.fail}" skipped="${c.skip + c.unsupported}" time="${seconds(rs)}">`, ...cases, '  </testsuite>'].join('\n');
}

function testcase(r: TestResult, input: ReportInput): string {
  const open = `    <testcase classname="${xml(r.area)}" name="${xml(displayName(r))}" time="${(r.ms / 1000).toFixed(3)}"`;
  const o = r.outcome;
  if (o.status === 'pass') return `${open}/>`;
  if (o.status === 'skip') return `${open}>\n      <skipped message="${xml(o.reason)}"/>\n    </testcase>`;
  if (o.status === 'unsupported') return `${open}>\n      <skipped message="${xml(`unsupported: ${o.reason}`)}"/>\n    </testcase>`;
  const refs = referencesOf(r, input.referenceOf).join(' ');
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
