// Everything, for machines: each runtime's name, binary, version, notes, counts and every result
// with its references. One runtime also keeps the single-run fields at the top (`runtime`,
// `counts`, `results`: what scripts and the expected-results test read); `runs` is always there.
import type { TestResult } from '../harness/types.ts';
import { counts, referencesOf, type ReferenceOf, type Status } from './common.ts';
import type { RuntimeRun, RunsReport } from './runs.ts';

export type JsonResult = TestResult & { references: string[] };

export interface JsonRun extends Omit<RuntimeRun, 'results'> {
  counts: Record<Status, number>;
  results: JsonResult[];
}

export interface JsonReport {
  runs: JsonRun[];
  started: string;
  host: string;
  /** Only with one runtime: its binary, counts and results, as before runs. */
  runtime?: string;
  counts?: Record<Status, number>;
  results?: JsonResult[];
}

export function formatJson(report: RunsReport): string {
  const runs = report.runs.map((run) => jsonRun(run, report.referenceOf));
  const single = runs.length === 1 ? { runtime: runs[0]!.runtime, counts: runs[0]!.counts, results: runs[0]!.results } : {};
  const out: JsonReport = { ...single, runs, started: report.started, host: report.host };
  return `${JSON.stringify(out, null, 2)}\n`;
}

function jsonRun(run: RuntimeRun, referenceOf?: ReferenceOf): JsonRun {
  const results = run.results.map((r) => ({ ...r, references: referencesOf(r, referenceOf) }));
  return { name: run.name, runtime: run.runtime, version: run.version, notes: run.notes, counts: counts(run.results), results };
}
