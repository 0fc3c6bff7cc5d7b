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
