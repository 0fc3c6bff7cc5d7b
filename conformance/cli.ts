// oci-conformance: runs the suite (and optionally runtime-tools' validation programs) against one
// or more runtime binaries, one after the other, and prints one report of them all. Glue only:
// options (cli-args.ts), the run (runner.ts, runtime-tools/run.ts), the report (report/*). Exit 0
// when nothing failed, 1 when something did against any runtime, 2 on a usage error.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { release, tmpdir, type } from 'node:os';
import { join, resolve } from 'node:path';
import { coverage, formatCoverage, loadCatalogue } from './catalogue/index.ts';
import { parseCli, USAGE, UsageError, type CliOptions, type Format, type RuntimeArg } from './cli-args.ts';
import { execute } from './harness/exec.ts';
import { SAMPLE_BUNDLES } from './harness/paths.ts';
import { prepareRuntime, type PreparedRuntime } from './harness/runtime.ts';
import type { TestResult } from './harness/types.ts';
import { anyFailed } from './report/common.ts';
import { formatHtml } from './report/html.ts';
import { formatJson } from './report/json.ts';
import { formatJunit } from './report/junit.ts';
import { progress, type Progress } from './report/progress.ts';
import { catalogueReference } from './report/reference.ts';
import type { RuntimeRun, RunsReport } from './report/runs.ts';
import { formatSummary } from './report/summary.ts';
import { formatTap } from './report/tap.ts';
import { abandonRunning, runSuite } from './runner.ts';
import { runRuntimeTools } from './runtime-tools/run.ts';
import { allTests } from './tests/index.ts';

const FORMATTERS: Record<Format, (r: RunsReport) => string> = { summary: formatSummary, tap: formatTap, json: formatJson, junit: formatJunit, html: formatHtml };

async function main(argv: string[]): Promise<number> {
  const o = parseCli(argv);
  if (o.help) return print(`${USAGE}\n`, 0);
  if (o.coverage) return print(formatCoverage(coverage(loadCatalogue(), allTests.map((t) => t.ids))), 0);
  const report = await runAll(o);
  const text = FORMATTERS[o.format](report);
  if (o.output !== undefined) writeFileSync(o.output, text);
  else process.stdout.write(text);
  return anyFailed(report.runs) ? 1 : 0;
}

/** What an interrupt must undo: the runtime being run, readied, and its progress line. */
interface Live {
  prepared?: PreparedRuntime;
  bar?: Progress;
}

/** Each runtime in turn (they would compete for the CPUs, and --jobs is per run), in one report. */
async function runAll(o: CliOptions): Promise<RunsReport> {
  const started = new Date().toISOString();
  const work = mkdtempSync(join(tmpdir(), 'oci-conformance-run-'));
  const live: Live = {};
  const interrupted = async () => {
    live.bar?.end();
    await abandonRunning();
    await live.prepared?.teardown();
    rmSync(work, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
  try {
    const runs: RuntimeRun[] = [];
    for (const rt of o.runtimes) runs.push(await runOne(o, rt, join(work, rt.name), live));
    return { runs, catalogue: loadCatalogue(), referenceOf: catalogueReference, started, host: `${type()} ${release()}` };
  } finally {
    process.off('SIGINT', interrupted).off('SIGTERM', interrupted);
    rmSync(work, { recursive: true, force: true });
  }
}

/** The suite, then runtime-tools' programs, with the runtime readied once for both (runtime.ts). */
async function runOne(o: CliOptions, rt: RuntimeArg, work: string, live: Live): Promise<RuntimeRun> {
  mkdirSync(work);
  const version = await versionOf(rt.path, work);
  const samples = o.bundles === undefined ? SAMPLE_BUNDLES : resolve(o.bundles);
  const prepared = (live.prepared = await prepareRuntime(rt.path, work, samples));
  const bar = (live.bar = progress(process.stderr, o.runtimes.length > 1 ? rt.name : ''));
  try {
    // The flag wins over what prepareRuntime found the runtime to accept (crun 1.8: 1.0.2).
    const bundles = { samples, v1OciVersion: o.v1OciVersion ?? prepared.v1OciVersion };
    const suite = await runSuite(allTests, { runtime: rt.path, command: prepared.cmd, editions: o.editions, filter: o.filter, jobs: o.jobs, bundles, onResult: bar.onResult });
    const run = { name: rt.name, runtime: rt.path, version, notes: prepared.notes ?? [], results: suite };
    if (o.runtimeTools === undefined) return run;
    const onResult = (rs: TestResult[], done: number, total: number) => rs.forEach((r) => bar.onResult(r, done, total));
    const tools = await runRuntimeTools({ dir: resolve(o.runtimeTools), runtime: prepared.wrapper, jobs: o.jobs, onResult });
    return { ...run, results: [...suite, ...tools] };
  } finally {
    bar.end();
    await prepared.teardown();
    live.prepared = live.bar = undefined;
  }
}

/** The first line `<runtime> --version` prints, called directly; "" when it fails or says nothing. */
async function versionOf(path: string, work: string): Promise<string> {
  const r = await execute([path, '--version'], { stdout: join(work, 'version.out'), stderr: join(work, 'version.err'), timeoutMs: 5_000, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
  return r.code === 0 ? (r.stdout.split('\n')[0] ?? '').trim() : '';
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
