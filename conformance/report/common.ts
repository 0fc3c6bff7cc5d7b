// What every reporter shares: a result's display name, the outcome labels, the counts, and the spec
// reference of each id.
import type { CommandRecord, Outcome, TestResult } from '../harness/types.ts';
import type { RuntimeRun } from './runs.ts';

export type Status = Outcome['status'];
export const STATUSES: Status[] = ['pass', 'fail', 'unsupported', 'skip'];

/**
 * How humans read a status. `skip` and `unsupported` are machine values (JSON, expected files);
 * they differ in who lacks something: the host (a user namespace, a cgroup controller), or the
 * runtime (an operation it has no command for, as runc has no draft `stop`).
 */
export const LABEL: Record<Status, string> = { pass: 'pass', fail: 'fail', unsupported: 'unsupported by runtime', skip: 'unsupported by host' };

/** Where a catalogue id's sentence is: "v1.3.0/runtime.md#state" (undefined for an unknown id). */
export type ReferenceOf = (id: string) => string | undefined;

/** "<ids> <title>", ids left out when the title already begins with them (the suite's convention). */
function titleOf(r: TestResult): string {
  const ids = r.test.ids.join(' ');
  return ids === '' || r.test.title.startsWith(r.test.ids[0]!) ? r.test.title : `${ids} ${r.test.title}`;
}

/** "<ids> <title> [edition]": a result's name in one runtime's report. */
export const displayName = (r: TestResult) => `${titleOf(r)} [${r.edition}]`;

/** "[edition] <ids> <title>": what lines up one test × edition across runtimes. */
export const resultKey = (r: TestResult) => `[${r.edition}] ${titleOf(r)}`;

export function counts(results: TestResult[]): Record<Status, number> {
  const c = { pass: 0, fail: 0, unsupported: 0, skip: 0 };
  for (const r of results) c[r.outcome.status]++;
  return c;
}

/** "3 pass, 1 fail, 0 unsupported by runtime, 2 unsupported by host (6 results)" */
export function countsLine(results: TestResult[]): string {
  const c = counts(results);
  return `${STATUSES.map((s) => `${c[s]} ${LABEL[s]}`).join(', ')} (${results.length} results)`;
}

export const anyFailed = (runs: RuntimeRun[]) => runs.some((run) => run.results.some((r) => r.outcome.status === 'fail'));

/** The result's spec references: its own (runtime-tools gives URLs), else the catalogue's for each id. */
export function referencesOf(r: TestResult, referenceOf?: ReferenceOf): string[] {
  if (r.test.references !== undefined) return r.test.references;
  return [...new Set(r.test.ids.map((id) => referenceOf?.(id) ?? id))];
}

export const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' ').trim();

/** A command as a shell-like line, for humans. */
export const commandLine = (c: CommandRecord) => c.argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`)).join(' ');

export const exitOf = (c: CommandRecord) => (c.timedOut ? 'timed out' : c.code !== null ? `exit ${c.code}` : `killed by ${c.signal}`);
