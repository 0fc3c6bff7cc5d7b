// oci-conformance: runs the suite (and optionally runtime-tools' validation programs) against a
// runtime binary and prints a report. Glue only: options (cli-args.ts), the run (runner.ts,
// runtime-tools/run.ts), the report (report/*). Exit 0 when nothing failed, 1 when something did,
// 2 on a usage error.
import { writeFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { coverage, formatCoverage, loadCatalogue } from './catalogue/index.ts';
import { parseCli, USAGE, UsageError, type CliOptions, type Format } from './cli-args.ts';
import { SAMPLE_BUNDLES } from './harness/paths.ts';
import { prepareRuntime } from './harness/runtime.ts';
import type { TestResult } from './harness/types.ts';
import type { ReportInput } from './report/common.ts';
import { formatJson } from './report/json.ts';
import { formatJunit } from './report/junit.ts';
import { progress } from './report/progress.ts';
import { catalogueReference } from './report/reference.ts';
import { formatSummary } from './report/summary.ts';
import { formatTap } from './report/tap.ts';
import { abandonRunning, runSuite } from './runner.ts';
import { runRuntimeTools } from './runtime-tools/run.ts';
import { allTests } from './tests/index.ts';

const FORMATTERS: Record<Format, (i: ReportInput) => string> = { summary: formatSummary, tap: formatTap, json: formatJson, junit: formatJunit };

async function main(argv: string[]): Promise<number> {
  const o = parseCli(argv);
  if (o.help) return print(`${USAGE}\n`, 0);
  if (o.coverage) return print(formatCoverage(coverage(loadCatalogue(), allTests.map((t) => t.ids))), 0);
  const results = await runAll(o);
  const report = FORMATTERS[o.format]({ runtime: resolve(o.runtime!), results, referenceOf: catalogueReference });
  if (o.output !== undefined) writeFileSync(o.output, report);
  else process.stdout.write(report);
  return results.some((r) => r.outcome.status === 'fail') ? 1 : 0;
}

/** The suite, then runtime-tools' programs, with the runtime readied once for both (runtime.ts). */
async function runAll(o: CliOptions): Promise<TestResult[]> {
  const work = mkdtempSync(join(tmpdir(), 'oci-conformance-run-'));
  const bar = progress(process.stderr);
  const prepared = await prepareRuntime(o.runtime!, work);
  const interrupted = async () => {
    bar.end();
    await abandonRunning();
    await prepared.teardown();
    rmSync(work, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
  try {
    const bundles = { samples: o.bundles === undefined ? SAMPLE_BUNDLES : resolve(o.bundles), v1OciVersion: o.v1OciVersion };
    const suite = await runSuite(allTests, { runtime: o.runtime!, command: prepared.cmd, editions: o.editions, filter: o.filter, jobs: o.jobs, bundles, onResult: bar.onResult });
    if (o.runtimeTools === undefined) return suite;
    const onResult = (rs: TestResult[], done: number, total: number) => rs.forEach((r) => bar.onResult(r, done, total));
    const tools = await runRuntimeTools({ dir: resolve(o.runtimeTools), runtime: prepared.wrapper, jobs: o.jobs, onResult });
    return [...suite, ...tools];
  } finally {
    bar.end();
    await prepared.teardown();
    rmSync(work, { recursive: true, force: true });
  }
}

function print(text: string, code: number): number {
  process.stdout.write(text);
  return code;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    const usage = e instanceof UsageError;
    process.stderr.write(`oci-conformance: ${e instanceof Error ? e.message : String(e)}${usage ? '\n\n' + USAGE : ''}\n`);
    process.exitCode = usage ? 2 : 3;
  },
);
