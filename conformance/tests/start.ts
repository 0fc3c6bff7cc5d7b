// runtime.md "Start" and lifecycle steps 2 and 4 (draft and v1.3.0): the user's process runs in
// the container's PID namespace; a second start is an error that changes nothing; the draft reads
// `process` from config.json at start time and ignores everything else there, while v1.3.0 ignores
// every change made to config.json after create.
import type { TestContext } from '../harness/types.ts';
import { alive, bundle, cfg, created, errored, LONG, linesEqual, mountAt, output, perEdition, probe, started, stateOf, succeeded, until, untilStopped } from './support.ts';

export const startTests = [
  ...perEdition(
    {
      draft: ['draft:runtime:lifecycle:5', 'draft:runtime:start:6'],
      v1: ['v1:runtime:lifecycle:13', 'v1:runtime:start:3'],
    },
    "start runs the user-specified process in the container's PID namespace: the probe is pid 1 of the namespace made at create",
    async (ctx: TestContext) => {
      const { b, id, pid } = await created(ctx, probe('report'));
      const ns = ctx.nsInode(pid, 'pid');
      succeeded(ctx, await ctx.driver.start(id), 'start');
      const r = await ctx.probeReport(b);
      ctx.expect(r.namespaces.pid === ns, `the process in the PID namespace made at create (pid:[${ns}])`, r.namespaces);
      ctx.expect(r.pid === 1, "the user-specified process to be the container's first process (pid 1 of its PID namespace)", { pid: r.pid });
      ctx.expect(JSON.stringify(r.argv) === JSON.stringify(b.config.process?.args), 'the process to run process.args', r.argv);
    },
  ),
  ...perEdition(
    { draft: ['draft:runtime:start:7'], v1: ['v1:runtime:start:2'] },
    'starting a running container is an error and has no effect on it: same pid, same status, the process not run again',
    async (ctx: TestContext) => {
      const { b, id, pid } = await created(ctx, LONG);
      succeeded(ctx, await ctx.driver.start(id), 'the first start');
      await ctx.waitForOutput(b, 'ready');
      const before = await stateOf(ctx, id);
      errored(ctx, await ctx.driver.start(id), 'a second start to generate an error');
      const after = await stateOf(ctx, id);
      ctx.expect(after.pid === pid && after.status === before.status && alive(pid), 'no effect on the container: its process still runs with the same pid and status', { before, after });
      ctx.expect(linesEqual(b, 'ready') === 1, 'the user-specified process not to be run a second time', output(b));
    },
  ),
  ...perEdition(
    { draft: ['draft:runtime:start:7'], v1: ['v1:runtime:start:2'] },
    'starting a container whose process has exited is an error and has no effect on it',
    async (ctx: TestContext) => {
      const { b, id, pid } = await created(ctx, probe('print', 'ran'));
      succeeded(ctx, await ctx.driver.start(id), 'the first start');
      await ctx.waitForOutput(b, 'ran');
      if (ctx.edition === 'v1') await untilStopped(ctx, id);
      else ctx.expect(await until(() => !alive(pid)), 'the container process to exit', `pid ${pid} still runs`);
      const before = await stateOf(ctx, id);
      errored(ctx, await ctx.driver.start(id), 'start of a container that is not created (its process exited) to generate an error');
      const after = await stateOf(ctx, id);
      ctx.expect(JSON.stringify(after) === JSON.stringify(before), 'no effect on the container: the same state', { before, after });
      ctx.expect(linesEqual(b, 'ran') === 1, 'the user-specified process not to be run again', output(b));
    },
  ),
  ...perEdition({ draft: ['draft:runtime:start:2'] }, 'starting a container that does not exist is an error', async (ctx: TestContext) => {
    errored(ctx, await ctx.driver.start(ctx.id()), '`start` of an id no container has to generate an error');
  }),
  ...perEdition(
    { draft: ['draft:runtime:start:1'], v1: ['v1:runtime:start:1'] },
    'start without a container ID is an error',
    async (ctx: TestContext) => {
      errored(ctx, await ctx.driver.run(['start']), '`start` with no container ID to generate an error');
    },
  ),
  ...perEdition(
    { draft: ['draft:runtime:start:3'] },
    'start runs process as config.json says at start time: process.args changed between create and start are the ones run',
    async (ctx: TestContext) => {
      const { b, id } = await created(ctx, probe('print', 'marker-at-create'));
      b.config.process!.args = probe('print', 'marker-at-start');
      b.save();
      succeeded(ctx, await ctx.driver.start(id), 'start');
      const text = await ctx.waitForOutput(b, 'marker-at-');
      ctx.expect(text.includes('marker-at-start') && !text.includes('marker-at-create'), "the process config.json holds at start time (args: print marker-at-start), not the one of create's time", text);
    },
  ),
  ...perEdition(
    { draft: ['draft:runtime:start:5', 'draft:runtime:lifecycle:4'] },
    'start ignores config.json outside process: a hostname and a mount added after create do not reach the container',
    async (ctx: TestContext) => {
      const { b, id } = await created(ctx, probe('report'));
      const hostname = cfg(b.config).hostname;
      const c = cfg(b.config);
      c.hostname = 'changed-after-create';
      c.mounts = [...(c.mounts ?? []), { destination: '/tmp/added-after-create', type: 'tmpfs', source: 'tmpfs' }];
      b.save();
      succeeded(ctx, await ctx.driver.start(id), 'start');
      const r = await ctx.probeReport(b);
      ctx.expect(r.hostname === hostname, `the hostname of create time, ${JSON.stringify(hostname)}`, r.hostname);
      ctx.expect(mountAt(r, '/tmp/added-after-create') === undefined, 'no mount at /tmp/added-after-create (added to config.json after create)', mountAt(r, '/tmp/added-after-create'));
    },
  ),
  ...perEdition(
    { draft: ['draft:runtime:lifecycle:6'] },
    'changes to process in config.json after start have no effect on the container: the same process runs on, and state is unchanged',
    async (ctx: TestContext) => {
      const { b, id, pid } = await started(ctx, LONG);
      await ctx.waitForOutput(b, 'ready');
      const before = await stateOf(ctx, id);
      b.config.process!.args = probe('print', 'changed-after-start');
      b.save();
      const after = await stateOf(ctx, id);
      ctx.expect(JSON.stringify(after) === JSON.stringify(before) && alive(pid), 'the same state, and the process started still running', { before, after, alive: alive(pid) });
      ctx.expect(!output(b).includes('changed-after-start'), 'the changed process.args never to run', output(b));
    },
  ),
  ...perEdition(
    { v1: ['v1:runtime:lifecycle:4'] },
    'changes to config.json after create do not affect the container: process.args, hostname and mounts stay as they were at create',
    async (ctx: TestContext) => {
      const { b, id } = await created(ctx, probe('report'));
      const args = b.config.process!.args;
      const c = cfg(b.config);
      const hostname = c.hostname;
      c.process!.args = probe('print', 'changed-after-create', 'report');
      c.hostname = 'changed-after-create';
      c.mounts = [...(c.mounts ?? []), { destination: '/tmp/added-after-create', type: 'tmpfs', source: 'tmpfs' }];
      b.save();
      succeeded(ctx, await ctx.driver.start(id), 'start');
      const r = await ctx.probeReport(b);
      ctx.expect(JSON.stringify(r.argv) === JSON.stringify(args) && !output(b).includes('changed-after-create'), `the process.args of create time, ${JSON.stringify(args)}`, r.argv);
      ctx.expect(r.hostname === hostname, `the hostname of create time, ${JSON.stringify(hostname)}`, r.hostname);
      ctx.expect(mountAt(r, '/tmp/added-after-create') === undefined, 'no mount at /tmp/added-after-create (added to config.json after create)', mountAt(r, '/tmp/added-after-create'));
    },
  ),
  ...perEdition({ v1: ['v1:runtime:start:4'] }, 'a config.json without process is an error by start at the latest, and nothing runs', async (ctx: TestContext) => {
    const b = bundle(ctx, probe('report'), (c) => delete c.process);
    const id = ctx.id();
    const create = await ctx.driver.create(id, b.dir);
    if (create.code !== 0) return; // an error at create is an error before start: nothing was run
    errored(ctx, await ctx.driver.start(id), 'start of a container whose config.json has no process to generate an error');
  }),
  ...perEdition({ draft: ['draft:runtime:start:4'] }, 'a process that cannot be run (process.args names no file) is an error by start at the latest', async (ctx: TestContext) => {
    const b = bundle(ctx, ['/no-such-program']);
    const id = ctx.id();
    const create = await ctx.driver.create(id, b.dir);
    if (create.code !== 0) return; // an error at create is an error before start
    errored(ctx, await ctx.driver.start(id), 'start of a process whose executable does not exist to generate an error');
  }),
];
