// The suite runner with fake tests and a fake runtime (a shell script): what each thrown thing
// becomes, the test timeout, --filter, editions, and that parallel tests are isolated and cleaned up.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { test as suiteTest, Unsupported, type SuiteTest, type TestContext } from '../../conformance/harness/types.ts';
import { prepareRuntime, specVersionOf } from '../../conformance/harness/runtime.ts';
import { areaOf, runSuite, selectJobs } from '../../conformance/runner.ts';

const dir = mkdtempSync(join(tmpdir(), 'conformance-runner-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A "runtime" that has no `stop` (as runc answers), fails `state`, and succeeds otherwise. */
const FAKE = join(dir, 'fake-runtime');
writeFileSync(
  FAKE,
  `#!/bin/sh
for a in "$@"; do case "$a" in
  stop) echo "No help topic for 'stop'" >&2; exit 3;;
  state) echo "container does not exist" >&2; exit 1;;
esac; done
exit 0
`,
);
chmodSync(FAKE, 0o755);

const run = (tests: SuiteTest[], o: Partial<Parameters<typeof runSuite>[1]> = {}) => runSuite(tests, { runtime: FAKE, editions: ['draft', 'v1'], jobs: 4, ...o });
const one = (title: string, body: (ctx: TestContext) => Promise<void>, editions: ('draft' | 'v1')[] = ['v1']) => suiteTest([`v1:runtime:state:${title.length}`], title, editions, body);

describe('outcomes', () => {
  it('maps pass, expect, requires, Unsupported, other exceptions', async () => {
    const results = await run([
      one('passes', async () => {}),
      one('fails', async (ctx) => ctx.expect(false, 'exit 1', 'exit 0')),
      one('skips', async (ctx) => ctx.requires(false, 'no user namespaces here')),
      one('unsupported', async (ctx) => void (await ctx.driver.stop('x'))),
      one('throws', async () => {
        throw new TypeError('boom');
      }),
      one('throws unsupported itself', async () => {
        throw new Unsupported('no checkpoint');
      }),
    ]);
    expect(results.map((r) => r.outcome.status)).toEqual(['pass', 'fail', 'skip', 'unsupported', 'fail', 'unsupported']);
    expect(results[1]!.outcome).toMatchObject({ expected: 'exit 1', actual: 'exit 0' });
    expect(results[2]!.outcome).toEqual({ status: 'skip', reason: 'no user namespaces here' });
    expect(results[3]!.outcome).toMatchObject({ reason: "the draft operation `stop`: No help topic for 'stop'" });
    expect(results[4]!.outcome).toMatchObject({ expected: 'the test to run to its end', actual: 'TypeError: boom' });
  });

  it('attaches the driver log as evidence', async () => {
    const [r] = await run([
      one('state fails', async (ctx: TestContext) => {
        const s = await ctx.driver.state('nope');
        ctx.expect(s.code === 0, 'state to succeed', `exit ${s.code}`);
      }),
    ]);
    expect(r!.outcome.status).toBe('fail');
    const commands = r!.outcome.status === 'fail' ? r!.outcome.commands : [];
    expect(commands).toHaveLength(1);
    expect(commands[0]).toMatchObject({ code: 1, stderr: 'container does not exist\n', timedOut: false });
    expect(commands[0]!.argv.slice(-2)).toEqual(['state', 'nope']);
    expect(commands[0]!.argv).toContain('--root');
  });

  it('fails a test that outlives its timeout, and refuses its later runtime calls', async () => {
    let late: unknown;
    const [r] = await run(
      [
        one('hangs', async (ctx) => {
          await new Promise((res) => setTimeout(res, 400));
          late = await ctx.driver.start('x').catch((e: Error) => e.message);
        }),
      ],
      { testTimeoutMs: 100 },
    );
    expect(r!.outcome).toMatchObject({ status: 'fail', expected: 'the test to finish within 100 ms' });
    await new Promise((res) => setTimeout(res, 500));
    expect(late).toMatch(/the test is over/);
  });

  it('kills a runtime call that outlives the call timeout and records it', async () => {
    const slow = join(dir, 'slow-runtime');
    writeFileSync(slow, '#!/bin/sh\nexec sleep 5\n');
    chmodSync(slow, 0o755);
    const [r] = await run([one('slow', async (ctx) => ctx.expect((await ctx.driver.start('x')).timedOut === false, 'no timeout'))], { runtime: slow, callTimeoutMs: 100 });
    expect(r!.outcome.status === 'fail' && r!.outcome.commands[0]).toMatchObject({ timedOut: true, code: null, signal: 'SIGKILL' });
  });
});

describe('selection', () => {
  const tests = [
    suiteTest(['draft:runtime:state:1', 'v1:runtime:state:1'], 'state prints JSON', ['draft', 'v1'], async () => {}),
    suiteTest(['v1:runtime:create:2'], 'create twice fails', ['v1'], async () => {}),
    suiteTest(['draft:runtime:stop:1'], 'stop stops', ['draft'], async () => {}),
  ];

  it('runs each test once per selected edition', () => {
    expect(selectJobs(tests, ['draft', 'v1']).map((j) => `${j.test.title}/${j.edition}`)).toEqual(['state prints JSON/draft', 'state prints JSON/v1', 'create twice fails/v1', 'stop stops/draft']);
    expect(selectJobs(tests, ['v1']).map((j) => j.test.title)).toEqual(['state prints JSON', 'create twice fails']);
  });

  it('filters by id or title, as text or a RegExp', () => {
    expect(selectJobs(tests, ['v1'], 'create:2').map((j) => j.test.title)).toEqual(['create twice fails']);
    expect(selectJobs(tests, ['draft', 'v1'], 'stops').map((j) => j.test.title)).toEqual(['stop stops']);
    expect(selectJobs(tests, ['v1'], /^v1:runtime:state/).map((j) => j.test.title)).toEqual(['state prints JSON']);
    expect(selectJobs(tests, ['draft', 'v1'], /^nothing/)).toEqual([]);
  });

  it('reports areas from the test, else from the first id', () => {
    expect(areaOf(tests[0]!)).toBe('runtime/state');
    expect(areaOf({ ids: [], area: 'hooks' })).toBe('hooks');
    expect(areaOf({ ids: [] })).toBe('misc');
  });

  it('returns results in selection order', async () => {
    const results = await run(tests);
    expect(results.map((r) => `${r.test.title} [${r.edition}]`)).toEqual(['state prints JSON [draft]', 'state prints JSON [v1]', 'create twice fails [v1]', 'stop stops [draft]']);
  });
});

describe('isolation', () => {
  it('gives each test its own directory, root and ids, at most `jobs` at once, and removes the directories', async () => {
    const seen: Array<{ tmp: string; root: string; id: string }> = [];
    let now = 0;
    let peak = 0;
    const body = async (ctx: TestContext) => {
      peak = Math.max(peak, ++now);
      seen.push({ tmp: ctx.tmp, root: ctx.driver.root, id: ctx.id() });
      expect(existsSync(ctx.tmp)).toBe(true);
      await new Promise((res) => setTimeout(res, 50));
      now--;
    };
    const tests = Array.from({ length: 6 }, (_, i) => suiteTest([`v1:runtime:state:${i}`], `t${i}`, ['v1'], body));
    const results = await run(tests, { jobs: 2 });
    expect(results.every((r) => r.outcome.status === 'pass')).toBe(true);
    expect(peak).toBe(2);
    for (const k of ['tmp', 'root', 'id'] as const) expect(new Set(seen.map((s) => s[k])).size).toBe(6);
    expect(seen.every((s) => s.root.startsWith(`${s.tmp}/`))).toBe(true);
    expect(seen.some((s) => existsSync(s.tmp))).toBe(false);
  });
});

describe('runtime preparation', () => {
  /** A runtime that, like crun 1.8, refuses ociVersion 1.3.0 and says `spec: 1.0.0`; it logs its calls. */
  const picky = join(dir, 'picky-runtime');
  const calls = join(dir, 'picky-calls');
  writeFileSync(
    picky,
    `#!/bin/sh
echo "$*" >> ${calls}
case "$*" in --version) echo "picky version 1"; echo "spec: 1.0.0"; exit 0;; esac
b=$(echo "$*" | sed -n 's/.*--bundle \\([^ ]*\\).*/\\1/p')
if [ -n "$b" ] && grep -q '"ociVersion":"1.3.0"' "$b/config.json"; then echo "unknown version specified" >&2; exit 1; fi
exit 0
`,
  );
  chmodSync(picky, 0o755);

  it("finds the v1 ociVersion a runtime takes from its --version spec line, and deletes the preflight's container", async () => {
    const work = mkdtempSync(join(dir, 'work-'));
    const prepared = await prepareRuntime(picky, work);
    await prepared.teardown();
    expect(prepared.v1OciVersion).toBe('1.0.0');
    expect(prepared.notes).toEqual([expect.stringContaining('refused the sample')]);
    expect(readFileSync(calls, 'utf8')).toMatch(/delete --force oc-preflight-\d+\n$/);
    expect(existsSync(join(work, 'preflight'))).toBe(false);
  });

  it('reads the spec version of runc and crun', () => {
    expect(specVersionOf('runc version 1.1.5+ds1\ncommit: x\nspec: 1.0.2-dev\ngo: go1.19.8\n')).toBe('1.0.2-dev');
    expect(specVersionOf('crun version 1.8.1\nspec: 1.0.0\n+SYSTEMD')).toBe('1.0.0');
    expect(specVersionOf('ocirt 0.1.0')).toBeUndefined();
  });

  it('tells tests whether the runtime makes cgroups (default: it does)', async () => {
    const seen: boolean[] = [];
    const probe = one('cgroups', async (ctx) => void seen.push(ctx.runtimeManagesCgroups));
    await run([probe]);
    await run([probe], { command: { path: FAKE, prefix: [], globals: [], managesCgroups: false } });
    expect(seen).toEqual([true, false]);
  });
});
