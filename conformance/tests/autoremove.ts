// draft config.md "Root Configuration" `autoremove` with runtime.md lifecycle step 6 and "Stop":
// with root.autoremove true the container is deleted once its PID namespace is gone — when its
// process exits, and when `stop` ends it.
import type { TestContext } from '../harness/types.ts';
import { perEdition, probe, processesIn, started, succeeded, survivors, untilGone } from './support.ts';

const autoremove = (c: { root: { autoremove?: boolean } }) => void (c.root.autoremove = true);

export const autoremoveTests = [
  ...perEdition(
    { draft: ['draft:runtime:lifecycle:7'] },
    'with root.autoremove true, the container is deleted once its process exits and its PID namespace is gone, with no delete call',
    async (ctx: TestContext) => {
      const { b, id } = await started(ctx, probe('print', 'exiting', 'exit', '0'), autoremove);
      await ctx.waitForOutput(b, 'exiting');
      ctx.expect(await untilGone(ctx, id), 'the delete operation to be invoked automatically: `state` of the container becomes an error', 'the container still exists');
    },
  ),
  ...perEdition(
    { draft: ['draft:runtime:stop:4'] },
    'stop of a container with root.autoremove true invokes delete: its processes end and the container is gone',
    async (ctx: TestContext) => {
      const { b, id, pid } = await started(ctx, probe('print', 'ready', 'sleep', '600'), autoremove);
      await ctx.waitForOutput(b, 'ready');
      const procs = processesIn(ctx, { pid: ctx.nsInode(pid, 'pid') }, { pid: ctx.nsInode('self', 'pid') });
      succeeded(ctx, await ctx.driver.stop(id), 'stop');
      ctx.expect(await untilGone(ctx, id), 'stop to invoke delete (autoremove true): `state` of the container becomes an error', 'the container still exists');
      ctx.expect(survivors(procs).length === 0, "no process left in the container's PID namespace", { stillRunning: survivors(procs) });
    },
  ),
];
