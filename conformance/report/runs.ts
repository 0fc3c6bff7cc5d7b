// A report of one run over several runtimes (--runtime given more than once): each runtime's
// results, side by side. The single-runtime reporters take one RuntimeRun at a time; the matrix
// reporters (summary, html, docs/conformance.md) take them all.
import type { CatalogueEntry } from '../catalogue/index.ts';
import type { TestResult } from '../harness/types.ts';
import type { ReferenceOf } from './common.ts';

export interface RuntimeRun {
  /** Short name shown in column heads: the binary's base name, made unique ("runc", "crun", "ocirt"). */
  name: string;
  /** The binary, absolute. */
  runtime: string;
  /** What `<runtime> --version` printed, first line (empty when it printed nothing). */
  version: string;
  /** How the suite had to call it on this host, when not as it is (crun: a cgroup2 mount namespace, no cgroup manager). */
  notes: string[];
  results: TestResult[];
}

export interface RunsReport {
  runs: RuntimeRun[];
  /** The whole catalogue, for the MUST × runtime matrix and each entry's sentence. */
  catalogue: CatalogueEntry[];
  referenceOf?: ReferenceOf;
  /** ISO time the run began, and the host it ran on (uname -sr). */
  started: string;
  host: string;
}
