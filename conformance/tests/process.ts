// The process section of config.md (draft and v1.3.0), as runtime.md "Start" requires it run:
// args, env, cwd, user (uid, gid, additionalGids, umask), rlimits and oomScoreAdj as the probe
// sees them; invalid values are errors (v1.3.0 config.md "Valid values").
import { readFileSync } from 'node:fs';
import type { TestContext } from '../harness/types.ts';
import { bundle, errored, perEdition, probe, started, type Cfg } from './support.ts';

/** Create, and start when create succeeded: the spec wants an error by start at the latest. */
async function refused(ctx: TestContext, edit: (c: Cfg) => void, expected: string): Promise<void> {
  const b = bundle(ctx, probe('print', 'user-code-ran'), edit);
  const id = ctx.id();
  const create = await ctx.driver.create(id, b.dir);
  if (create.code !== 0 && !create.timedOut) return;
  errored(ctx, create.code === 0 ? await ctx.driver.start(id) : create, expected);
}

const ENV = 'CONFORMANCE_VAR=a value with spaces';

const GiB = 1024 ** 3;
/** Every resource getrlimit(2) names, each with a soft and a hard value of its own (none unlimited). */
const WANTED_RLIMITS: Array<{ type: string; soft: number; hard: number }> = [
  { type: 'RLIMIT_AS', soft: 64 * GiB, hard: 128 * GiB },
  { type: 'RLIMIT_CORE', soft: 1_000_000, hard: 2_000_000 },
  { type: 'RLIMIT_CPU', soft: 1000, hard: 2000 },
  { type: 'RLIMIT_DATA', soft: 8 * GiB, hard: 16 * GiB },
  { type: 'RLIMIT_FSIZE', soft: GiB, hard: 2 * GiB },
  { type: 'RLIMIT_LOCKS', soft: 1001, hard: 2001 },
  { type: 'RLIMIT_MEMLOCK', soft: 4 * 1024 * 1024, hard: 8 * 1024 * 1024 },
  { type: 'RLIMIT_MSGQUEUE', soft: 409_600, hard: 819_200 },
  { type: 'RLIMIT_NICE', soft: 10, hard: 20 },
  { type: 'RLIMIT_NOFILE', soft: 1024, hard: 4096 },
  { type: 'RLIMIT_NPROC', soft: 5000, hard: 6000 },
  { type: 'RLIMIT_RSS', soft: GiB, hard: 2 * GiB },
  { type: 'RLIMIT_RTPRIO', soft: 1, hard: 2 },
  { type: 'RLIMIT_RTTIME', soft: 1_000_000, hard: 2_000_000 },
  { type: 'RLIMIT_SIGPENDING', soft: 1002, hard: 2002 },
  { type: 'RLIMIT_STACK', soft: 8 * 1024 * 1024, hard: 16 * 1024 * 1024 },
];

/** /proc/self/limits names, by rlimit type. */
const LIMITS_NAME: Record<string, string> = {
  RLIMIT_AS: 'Max address space', RLIMIT_CORE: 'Max core file size', RLIMIT_CPU: 'Max cpu time', RLIMIT_DATA: 'Max data size',
  RLIMIT_FSIZE: 'Max file size', RLIMIT_LOCKS: 'Max file locks', RLIMIT_MEMLOCK: 'Max locked memory', RLIMIT_MSGQUEUE: 'Max msgqueue size',
  RLIMIT_NICE: 'Max nice priority', RLIMIT_NOFILE: 'Max open files', RLIMIT_NPROC: 'Max processes', RLIMIT_RSS: 'Max resident set',
  RLIMIT_RTPRIO: 'Max realtime priority', RLIMIT_RTTIME: 'Max realtime timeout', RLIMIT_SIGPENDING: 'Max pending signals', RLIMIT_STACK: 'Max stack size',
};

/**
 * WANTED_RLIMITS within the hard limits the runtime inherits from the suite: raising a hard limit
 * needs CAP_SYS_RESOURCE, which a host may withhold even from root (then the configuration is one
 * no runtime could apply). A hard limit of 0 leaves only 0/0.
 */
function everyRlimit(): Array<{ type: string; soft: number; hard: number }> {
  const limits = readFileSync('/proc/self/limits', 'utf8');
  return WANTED_RLIMITS.map((w) => {
    const m = new RegExp(`^${LIMITS_NAME[w.type]}\\s+(\\S+)\\s+(\\S+)`, 'm').exec(limits);
    const ceiling = m === null || m[2] === 'unlimited' ? Infinity : Number(m[2]);
    const hard = Math.min(w.hard, ceiling);
    return { type: w.type, hard, soft: Math.min(w.soft, Math.floor(hard / 2)) };
  });
}
/** The rlimits the probe's report shows that differ from those configured. */
function rlimitsWrong(r: Record<string, unknown>, want: Array<{ type: string; soft: number; hard: number }>): Record<string, unknown> {
  const limits = (r.rlimits ?? {}) as Record<string, { soft: number; hard: number } | null>;
  return Object.fromEntries(
    want.filter((w) => limits[w.type]?.soft !== w.soft || limits[w.type]?.hard !== w.hard).map((w) => [w.type, { seen: limits[w.type], want: { soft: w.soft, hard: w.hard } }]),
  );
}

export const processTests = [
  ...perEdition(
    {
      draft: ['draft:runtime:lifecycle:5'],
      v1: ['v1:runtime:start:3', 'v1:runtime:lifecycle:13'],
    },
    'the process runs as process says: args, env, cwd, uid, gid and additionalGids',
    async (ctx: TestContext) => {
      const { b } = await started(ctx, probe('report'), (c) => {
        c.process!.cwd = '/tmp';
        c.process!.env = [...(c.process!.env ?? []), ENV];
        c.process!.user = { uid: 1000, gid: 1001, additionalGids: [1002, 1003] };
      });
      const r = await ctx.probeReport(b);
      const p = b.config.process as NonNullable<Cfg['process']>;
      ctx.expect(JSON.stringify(r.argv) === JSON.stringify(p.args), `argv ${JSON.stringify(p.args)} (process.args)`, r.argv);
      const missing = (p.env ?? []).filter((e) => !r.env.includes(e));
      ctx.expect(missing.length === 0, `every process.env entry in the environment (${JSON.stringify(p.env)})`, { missing, env: r.env });
      ctx.expect(r.cwd === '/tmp', 'the working directory process.cwd, /tmp', r.cwd);
      ctx.expect(r.uid === 1000 && r.gid === 1001, 'uid 1000 and gid 1001 (process.user)', { uid: r.uid, gid: r.gid });
      ctx.expect([1002, 1003].every((g) => r.groups.includes(g)), 'the additional groups 1002 and 1003 (process.user.additionalGids)', r.groups);
    },
  ),
  ...perEdition({ v1: ['v1:runtime:start:3'] }, 'the process runs with the umask of process.user.umask (0027)', async (ctx: TestContext) => {
    const { b } = await started(ctx, probe('report'), (c) => (c.process!.user = { uid: 0, gid: 0, umask: 0o027 }));
    const r = await ctx.probeReport(b);
    ctx.expect(r.umask === 0o027, 'umask 0027 (23)', r.umask);
  }),
  ...perEdition({ v1: ['v1:config:process:1'] }, 'process.consoleSize is ignored when terminal is false: the container runs', async (ctx: TestContext) => {
    const { b } = await started(ctx, probe('report'), (c) => {
      c.process!.terminal = false;
      c.process!.consoleSize = { height: 24, width: 80 };
    });
    const r = await ctx.probeReport(b);
    ctx.expect(r.pid === 1, 'the container to run as if consoleSize were absent', r.pid);
  }),
  ...perEdition(
    { v1: ['v1:config:process:2', 'v1:config:valid-values:1'] },
    'a relative process.cwd ("tmp") is an invalid value: an error by start at the latest',
    async (ctx: TestContext) => {
      await refused(ctx, (c) => (c.process!.cwd = 'tmp'), 'an error for process.cwd "tmp" (it MUST be an absolute path)');
    },
  ),
  ...perEdition(
    { v1: ['v1:config:posix-process:2', 'v1:config:posix-process:3', 'v1:config:posix-process:4'] },
    'process.rlimits are set: getrlimit gives the configured soft and hard values (RLIMIT_NOFILE 1000/2000, RLIMIT_NPROC 500/600)',
    async (ctx: TestContext) => {
      const { b } = await started(ctx, probe('report'), (c) => {
        c.process!.rlimits = [
          { type: 'RLIMIT_NOFILE', soft: 1000, hard: 2000 },
          { type: 'RLIMIT_NPROC', soft: 500, hard: 600 },
        ];
      });
      const r = await ctx.probeReport(b);
      const limits = r.rlimits as Record<string, { soft: number; hard: number } | null>;
      ctx.expect(limits.RLIMIT_NOFILE?.soft === 1000 && limits.RLIMIT_NOFILE?.hard === 2000, 'RLIMIT_NOFILE soft 1000, hard 2000', limits.RLIMIT_NOFILE);
      ctx.expect(limits.RLIMIT_NPROC?.soft === 500 && limits.RLIMIT_NPROC?.hard === 600, 'RLIMIT_NPROC soft 500, hard 600', limits.RLIMIT_NPROC);
    },
  ),
  ...perEdition(
    { v1: ['v1:config:posix-process:2', 'v1:config:posix-process:3', 'v1:config:posix-process:4'] },
    'every rlimit type of getrlimit(2) is applied: each of the 16 RLIMIT_* has the configured soft and hard value (within the hard limits the runtime has)',
    async (ctx: TestContext) => {
      const every = everyRlimit();
      const { b } = await started(ctx, probe('report'), (c) => (c.process!.rlimits = every));
      const wrong = rlimitsWrong(await ctx.probeReport(b), every);
      ctx.expect(Object.keys(wrong).length === 0, 'getrlimit of every type to give the configured soft and hard values', wrong);
    },
  ),
  ...perEdition(
    { draft: ['draft:runtime:lifecycle:5', 'draft:runtime:start:3'] },
    'process.rlimits are set: getrlimit gives the configured soft and hard values (RLIMIT_NOFILE, RLIMIT_CORE)',
    async (ctx: TestContext) => {
      const want = everyRlimit().filter((l) => l.type === 'RLIMIT_NOFILE' || l.type === 'RLIMIT_CORE');
      const { b } = await started(ctx, probe('report'), (c) => (c.process!.rlimits = want));
      const wrong = rlimitsWrong(await ctx.probeReport(b), want);
      ctx.expect(Object.keys(wrong).length === 0, 'getrlimit to give the configured soft and hard values', wrong);
    },
  ),
  ...perEdition(
    { v1: ['v1:config:valid-values:1', 'v1:runtime:lifecycle:2'] },
    'an rlimit whose soft value is above its hard value (RLIMIT_NOFILE 2000/1000) cannot be set: an error by start at the latest',
    async (ctx: TestContext) => {
      await refused(ctx, (c) => (c.process!.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 2000, hard: 1000 }]), 'an error for RLIMIT_NOFILE soft 2000 above hard 1000');
    },
  ),
  ...perEdition({ v1: ['v1:config:posix-process:5'] }, 'process.rlimits with the same type twice is an error', async (ctx: TestContext) => {
    await refused(
      ctx,
      (c) => {
        c.process!.rlimits = [
          { type: 'RLIMIT_NOFILE', soft: 1000, hard: 2000 },
          { type: 'RLIMIT_NOFILE', soft: 1500, hard: 2000 },
        ];
      },
      'an error for two rlimits of type RLIMIT_NOFILE',
    );
  }),
  ...perEdition({ v1: ['v1:config:posix-process:1'] }, 'an rlimit type that maps to no kernel resource (RLIMIT_CONFORMANCE) is an error', async (ctx: TestContext) => {
    await refused(ctx, (c) => (c.process!.rlimits = [{ type: 'RLIMIT_CONFORMANCE', soft: 1, hard: 1 }]), 'an error for rlimit type RLIMIT_CONFORMANCE');
  }),
  ...perEdition({ v1: ['v1:config:linux-process:2'] }, 'process.oomScoreAdj is set: the process has oom_score_adj 123', async (ctx: TestContext) => {
    const { b } = await started(ctx, probe('report'), (c) => (c.process!.oomScoreAdj = 123));
    const r = await ctx.probeReport(b);
    ctx.expect(r.oom_score_adj === 123, 'oom_score_adj 123 (process.oomScoreAdj)', r.oom_score_adj);
  }),
  ...perEdition(
    { v1: ['v1:config:valid-values:1', 'v1:config:linux-process:2'] },
    'process.oomScoreAdj 1001, outside the range of oom_score_adj (-1000..1000), cannot be set: an error by start at the latest',
    async (ctx: TestContext) => {
      await refused(ctx, (c) => (c.process!.oomScoreAdj = 1001), 'an error for oomScoreAdj 1001');
    },
  ),
  ...perEdition(
    { v1: ['v1:config:linux-process:3'] },
    "without process.oomScoreAdj the runtime does not change oom_score_adj: the process has the caller's",
    async (ctx: TestContext) => {
      const mine = Number(readFileSync('/proc/self/oom_score_adj', 'utf8'));
      const { b } = await started(ctx, probe('report'), (c) => delete c.process!.oomScoreAdj);
      const r = await ctx.probeReport(b);
      ctx.expect(r.oom_score_adj === mine, `oom_score_adj unchanged: ${mine}, as the runtime was called with`, r.oom_score_adj);
    },
  ),
];
