// What every reporter shares: a result's display name, the counts, and the spec reference of each id.
import type { CommandRecord, Outcome, TestResult } from '../harness/types.ts';

export type Status = Outcome['status'];
export const STATUSES: Status[] = ['pass', 'fail', 'unsupported', 'skip'];

/** Where a catalogue id's sentence is: "v1.3.0/runtime.md#state" (undefined for an unknown id). */
export type ReferenceOf = (id: string) => string | undefined;

export interface ReportInput {
  runtime: string;
  results: TestResult[];
  /** From the catalogue (entryById); without one, ids are reported without references. */
  referenceOf?: ReferenceOf;
}

/** "<ids> <title> [edition]", ids left out when the title already begins with them (the suite's convention). */
export function displayName(r: TestResult): string {
  const ids = r.test.ids.join(' ');
  const title = ids === '' || r.test.title.startsWith(r.test.ids[0]!) ? r.test.title : `${ids} ${r.test.title}`;
  return `${title} [${r.edition}]`;
}

export function counts(results: TestResult[]): Record<Status, number> {
  const c = { pass: 0, fail: 0, unsupported: 0, skip: 0 };
  for (const r of results) c[r.outcome.status]++;
  return c;
}

/** The result's spec references: its own (runtime-tools gives URLs), else the catalogue's for each id. */
export function referencesOf(r: TestResult, referenceOf?: ReferenceOf): string[] {
  if (r.test.references !== undefined) return r.test.references;
  return [...new Set(r.test.ids.map((id) => referenceOf?.(id) ?? id))];
}

export const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' ').trim();

/** A command as a shell-like line, for humans. */
export const commandLine = (c: CommandRecord) => c.argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`)).join(' ');

export const exitOf = (c: CommandRecord) => (c.timedOut ? 'timed out' : c.code !== null ? `exit ${c.code}` : `killed by ${c.signal}`);
