// The human report: the counts, then every failure with its evidence (what was expected, what was
// seen, each command with its exit and stderr), then one line per test the host or the runtime
// could not run. With several runtimes: each one's counts, a matrix of the results that did not
// pass everywhere, then each runtime's failures and tests not run.
import type { CommandRecord, Outcome, TestResult } from '../harness/types.ts';
import { LABEL, commandLine, countsLine, displayName, exitOf, referencesOf, resultKey, type ReferenceOf, type Status } from './common.ts';
import type { RuntimeRun, RunsReport } from './runs.ts';

const INDENT = '    ';

export function formatSummary(report: RunsReport): string {
  const only = report.runs.length === 1 ? report.runs[0]! : undefined;
  if (only !== undefined) return text([`oci-conformance against ${only.runtime}: ${countsLine(only.results)}`, ...notes(only), ...details(only, undefined, report.referenceOf)]);
  const out = report.runs.flatMap((run) => [`${run.name} (${run.runtime}${run.version === '' ? '' : `, ${run.version}`}): ${countsLine(run.results)}`, ...notes(run)]);
  out.push(...matrix(report.runs));
  for (const run of report.runs) out.push(...details(run, run.name, report.referenceOf));
  return text(out);
}

const text = (lines: string[]) => `${lines.join('\n')}\n`;
const notes = (run: RuntimeRun) => run.notes.map((n) => `  note: ${n}`);

/** One line per test × edition that is not a pass in every runtime, with each runtime's outcome. */
function matrix(runs: RuntimeRun[]): string[] {
  const byKey = runs.map((run) => statusByKey(run.results));
  const keys = [...new Set(byKey.flatMap((m) => [...m.keys()]))];
  const lines = keys.flatMap((k) => {
    const cells = byKey.map((m) => m.get(k));
    if (cells.every((s) => s === 'pass')) return [];
    return [`  ${k}: ${runs.map((run, i) => `${run.name} ${cell(cells[i])}`).join(', ')}`];
  });
  return lines.length === 0 ? ['', 'Every result passed against every runtime.'] : ['', `Not a pass everywhere (${lines.length}):`, ...lines];
}

/** Each result's status by its key; a key seen again (runtime-tools may repeat a title) gets " (2)", " (3)"... */
function statusByKey(results: TestResult[]): Map<string, Status> {
  const m = new Map<string, Status>();
  for (const r of results) {
    let k = resultKey(r);
    for (let n = 2; m.has(k); n++) k = `${resultKey(r)} (${n})`;
    m.set(k, r.outcome.status);
  }
  return m;
}

/** A matrix cell: FAIL stands out; "–" when the runtime has no such result. */
const cell = (s: Status | undefined) => (s === undefined ? '–' : s === 'fail' ? 'FAIL' : LABEL[s]);

/** A runtime's failures with their evidence, then its tests not run with the reason. */
function details(run: RuntimeRun, name: string | undefined, referenceOf?: ReferenceOf): string[] {
  const [failures, notRun] = name === undefined ? ['Failures:', 'Not run:'] : [`${name} failures:`, `${name} not run:`];
  const out: string[] = [];
  const failed = run.results.filter((r) => r.outcome.status === 'fail');
  if (failed.length > 0) out.push('', failures);
  for (const r of failed) out.push('', `FAIL ${displayName(r)}`, `  reference: ${referencesOf(r, referenceOf).join(', ')}`, ...evidence(r.outcome).map((l) => `  ${l}`));
  const others = run.results.filter((r) => r.outcome.status === 'skip' || r.outcome.status === 'unsupported');
  if (others.length > 0) out.push('', notRun);
  for (const r of others) out.push(`  ${LABEL[r.outcome.status].toUpperCase()} ${displayName(r)}: ${reasonOf(r)}`);
  return out;
}

/** A failure's evidence as lines: expected, actual, the probe's view and the commands. */
export function evidence(o: Outcome): string[] {
  if (o.status !== 'fail') return [];
  const lines = [`expected: ${o.expected}`, `actual:   ${o.actual}`];
  if (o.probe !== undefined) lines.push(`observed: ${JSON.stringify(o.probe)}`); // the probe's report, or runtime-tools' diagnostics
  if (o.commands.length > 0) lines.push('commands:');
  for (const c of o.commands) lines.push(...commandEvidence(c));
  return lines;
}

function commandEvidence(c: CommandRecord): string[] {
  const lines = [`  $ ${commandLine(c)}    # ${exitOf(c)}, ${c.ms} ms`];
  const stderr = c.stderr.trimEnd();
  const stdout = c.stdout.trimEnd();
  if (stdout !== '') lines.push(...stdout.split('\n').map((l) => `${INDENT}stdout| ${l}`));
  if (stderr !== '') lines.push(...stderr.split('\n').map((l) => `${INDENT}stderr| ${l}`));
  return lines;
}

const reasonOf = (r: TestResult) => (r.outcome.status === 'skip' || r.outcome.status === 'unsupported' ? r.outcome.reason : '');
