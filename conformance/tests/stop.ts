// draft runtime.md "Stop": every process of the container stops and its PID namespace goes, while
// the container itself stays (without autoremove) until delete. A runtime without `stop` (runc) is
// reported unsupported by the driver. Stop with autoremove is in autoremove.ts.
import type { TestContext } from '../harness/types.ts';
import { errored, perEdition, probe, processesIn, started, stateOf, succeeded, survivors, until } from './support.ts';

export const stopTests = [
  ...perEdition(
    { draft: ['draft:runtime:stop:2', 'draft:runtime:stop:3'] },
    'stop ends every process of the container (its init and two children), its PID namespace is gone, and the container stays until delete (autoremove false)',
    async (ctx: TestContext) => {
      const { b, id, pid } = await started(ctx, probe('fork', '2', 'print', 'forked', 'sleep', '600'));
      await ctx.waitForOutput(b, 'forked');
      const ns = ctx.nsInode(pid, 'pid');
      ctx.expect(ns !== undefined, 'the container process to have a PID namespace', `pid ${pid}`);
      const before = processesIn(ctx, { pid: ns }, { pid: ctx.nsInode('self', 'pid') });
      ctx.expect(before.size === 3, "three processes in the container's PID namespace before stop (the probe and its two children)", [...before.keys()]);
      succeeded(ctx, await ctx.driver.stop(id), 'stop');
      const gone = await until(() => survivors(before).length === 0);
      ctx.expect(gone, 'every process running within the container to be stopped, and with them its PID namespace', { stillRunning: survivors(before) });
      const s = await stateOf(ctx, id);
      ctx.expect(s.id === id && (s.status === undefined || s.status === 'stopped'), 'the container not to be deleted by stop (autoremove is false): `state` still answers', s);
    },
  ),
  ...perEdition({ draft: ['draft:runtime:stop:1'] }, 'stop without a container ID is an error', async (ctx: TestContext) => {
    await ctx.driver.stop(ctx.id()); // the driver reports a runtime without `stop` as unsupported
    errored(ctx, await ctx.driver.run(['stop']), '`stop` with no container ID to generate an error');
  }),
];
