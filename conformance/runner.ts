// Runs suite tests against one runtime: each selected test × edition in its own context (own
// --root, directory, ids, cgroups), up to `jobs` at once, each bounded by a test timeout, and maps
// what a test throws to an outcome with the driver's command log as the evidence. Cleanup runs
// after every test whatever happened.
import { cpus, tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SAMPLE_BUNDLES } from './harness/paths.ts';
import { removeCgroupParent } from './harness/cleanup.ts';
import { SuiteContext } from './harness/context.ts';
import { prepareRuntime, type RuntimeCommand } from './harness/runtime.ts';
import type { BundleSource } from './harness/bundle.ts';
import { outcomeOf, TestTimeout } from './outcome.ts';
import { pool } from './pool.ts';
import type { Edition, Outcome, SuiteTest, TestResult } from './harness/types.ts';

export interface RunOptions {
  /** The runtime binary. */
  runtime: string;
  /** How to call it, when the caller readied it already (prepareRuntime); else the runner does. */
  command?: RuntimeCommand;
  editions: Edition[];
  /** Keeps tests whose ids or title contain it (a string) or match it (a RegExp). */
  filter?: RegExp | string;
  jobs?: number;
  /** A whole test, cleanup excluded (default 60 s). */
  testTimeoutMs?: number;
  /** One runtime call (default 10 s). */
  callTimeoutMs?: number;
  bundles?: Partial<BundleSource>;
  /** Called as each result arrives (progress); results are returned in selection order. */
  onResult?: (r: TestResult, done: number, total: number) => void;
}

export const DEFAULT_TEST_TIMEOUT_MS = 60_000;

/** Contexts of tests still running, so that an interrupted run can still clean up after them. */
const live = new Set<SuiteContext>();

/** Ends every running test and removes what it made (on SIGINT: the run is abandoned, not its leftovers). */
export async function abandonRunning(): Promise<void> {
  await Promise.all([...live].map((ctx) => ctx.cleanup()));
}

/** One test × one edition to run. */
export interface Job {
  test: SuiteTest;
  edition: Edition;
}

export function selectJobs(tests: SuiteTest[], editions: Edition[], filter?: RegExp | string): Job[] {
  const keep = (t: SuiteTest) => filter === undefined || [...t.ids, t.title].some((s) => (typeof filter === 'string' ? s.includes(filter) : filter.test(s)));
  return tests.filter(keep).flatMap((test) => test.editions.filter((e) => editions.includes(e)).map((edition) => ({ test, edition })));
}

export async function runSuite(tests: SuiteTest[], o: RunOptions): Promise<TestResult[]> {
  if (o.command === undefined) return withRuntime(o.runtime, (command) => runSuite(tests, { ...o, command }));
  const jobs = selectJobs(tests, o.editions, o.filter);
  let done = 0;
  try {
    return await pool(jobs, o.jobs ?? cpus().length, async (job) => {
      const r = await runJob(job, o.command!, o);
      o.onResult?.(r, ++done, jobs.length);
      return r;
    });
  } finally {
    removeCgroupParent();
  }
}

/** Readies the runtime (runtime.ts) for the length of `f`, in a directory of the run's own. */
async function withRuntime<T>(path: string, f: (command: RuntimeCommand) => Promise<T>): Promise<T> {
  const work = mkdtempSync(join(tmpdir(), 'oci-conformance-run-'));
  try {
    const prepared = await prepareRuntime(path, work);
    try {
      return await f(prepared.cmd);
    } finally {
      await prepared.teardown();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The area a test is reported under: its own, else the file and section of its first catalogue id. */
export function areaOf(t: Pick<SuiteTest, 'ids' | 'area'>): string {
  if (t.area !== undefined) return t.area;
  const [, file, section] = t.ids[0]?.split(':') ?? [];
  return file === undefined ? 'misc' : section === undefined ? file : `${file}/${section}`;
}

async function runJob(job: Job, runtime: RuntimeCommand, o: RunOptions): Promise<TestResult> {
  const t0 = performance.now();
  const bundles = { samples: SAMPLE_BUNDLES, ...o.bundles };
  const ctx = new SuiteContext({ runtime, edition: job.edition, bundles, callTimeoutMs: o.callTimeoutMs });
  live.add(ctx);
  let outcome = await attempt(job.test, ctx, o.testTimeoutMs ?? DEFAULT_TEST_TIMEOUT_MS);
  outcome = withLeftovers(outcome, await ctx.cleanup());
  live.delete(ctx);
  const { ids, title } = job.test;
  return { area: areaOf(job.test), test: { ids, title }, edition: job.edition, outcome, ms: Math.round(performance.now() - t0) };
}

async function attempt(test: SuiteTest, ctx: SuiteContext, timeoutMs: number): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const running = test.run(ctx);
  running.catch(() => {}); // after a timeout it may still reject; nobody is listening then
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TestTimeout(timeoutMs)), timeoutMs);
  });
  try {
    await Promise.race([running, deadline]);
    return { status: 'pass' };
  } catch (e) {
    return outcomeOf(e, ctx.driver.log);
  } finally {
    clearTimeout(timer);
  }
}

/** What cleanup could not remove is the runtime's (or the harness's) fault, never silence. */
function withLeftovers(outcome: Outcome, problems: string[]): Outcome {
  if (problems.length === 0) return outcome;
  const left = `left behind after cleanup: ${problems.join('; ')}`;
  if (outcome.status === 'pass') return { status: 'fail', expected: 'nothing left behind by the test', actual: left, commands: [] };
  if (outcome.status === 'fail') return { ...outcome, actual: `${outcome.actual}; ${left}` };
  return outcome;
}
