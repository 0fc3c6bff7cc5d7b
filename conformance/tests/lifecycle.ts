// runtime.md "Scope of a Container" and "Operations" (draft and v1.3.0): the caller that created a
// container can use every operation of its edition on it, through a whole lifecycle.
import type { TestContext } from '../harness/types.ts';
import { absent, bundle, created, perEdition, probe, stateOf, succeeded, untilStopped } from './support.ts';

export const lifecycleTests = [
  ...perEdition(
    { v1: ['v1:runtime:scope-of-a-container:1', 'v1:runtime:operations:1'] },
    'the creator of a container can use every operation on it: create, state, start, kill, delete',
    async (ctx: TestContext) => {
      const { b, id } = await created(ctx, probe('print', 'ready', 'wait-signal'));
      ctx.expect((await stateOf(ctx, id)).status === 'created', 'state: created', await stateOf(ctx, id));
      succeeded(ctx, await ctx.driver.start(id), 'start');
      await ctx.waitForOutput(b, 'ready');
      ctx.expect((await stateOf(ctx, id)).status === 'running', 'state: running', await stateOf(ctx, id));
      succeeded(ctx, await ctx.driver.kill(id, 'TERM'), 'kill TERM');
      await untilStopped(ctx, id);
      succeeded(ctx, await ctx.driver.delete(id), 'delete');
      await absent(ctx, id, 'state after delete to be an error');
    },
  ),
  ...perEdition(
    { draft: ['draft:runtime:scope-of-a-container:1', 'draft:runtime:operations:1'] },
    'the creator of a container can use every operation on it: create, state, start, stop, delete, and run',
    async (ctx: TestContext) => {
      const { b, id } = await created(ctx, probe('print', 'ready', 'sleep', '600'));
      await stateOf(ctx, id);
      succeeded(ctx, await ctx.driver.start(id), 'start');
      await ctx.waitForOutput(b, 'ready');
      await stateOf(ctx, id);
      succeeded(ctx, await ctx.driver.stop(id), 'stop');
      await stateOf(ctx, id);
      succeeded(ctx, await ctx.driver.delete(id), 'delete');
      await absent(ctx, id, 'state after delete to be an error');
      const other = bundle(ctx, probe('print', 'ran'));
      const second = ctx.id();
      succeeded(ctx, await ctx.driver.runContainer(second, other.dir, { grammar: 'draft' }), `run ${second} ${other.dir}`);
      await ctx.waitForOutput(other, 'ran');
    },
  ),
];
