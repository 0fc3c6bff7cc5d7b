// v1.3.0 runtime.md "Kill": the signal reaches the container process; a container that is neither
// created nor running cannot be signalled, and trying is an error that changes nothing.
import type { TestContext } from '../harness/types.ts';
import { errored, perEdition, probe, started, stateOf, succeeded, untilStopped } from './support.ts';

export const killTests = [
  ...perEdition({ v1: ['v1:runtime:kill:3'] }, 'kill sends the specified signal (SIGUSR1) to the container process', async (ctx: TestContext) => {
    const { b, id } = await started(ctx, probe('print', 'ready', 'wait-signal'));
    await ctx.waitForOutput(b, 'ready');
    succeeded(ctx, await ctx.driver.kill(id, 'USR1'), 'kill USR1');
    const text = await ctx.waitForOutput(b, '{"signal":');
    ctx.expect(text.includes('{"signal":10}'), 'the container process to receive SIGUSR1 (10)', text);
  }),
  ...perEdition(
    { v1: ['v1:runtime:kill:2'] },
    'kill of a stopped container is an error and has no effect on it',
    async (ctx: TestContext) => {
      const { id } = await started(ctx, probe('exit', '0'));
      await untilStopped(ctx, id);
      const before = await stateOf(ctx, id);
      errored(ctx, await ctx.driver.kill(id, 'TERM'), 'kill of a container that is neither created nor running to generate an error');
      const after = await stateOf(ctx, id);
      ctx.expect(JSON.stringify(after) === JSON.stringify(before), 'no effect on the container: the same state', { before, after });
    },
  ),
  ...perEdition({ v1: ['v1:runtime:kill:1'] }, 'kill without a container ID is an error', async (ctx: TestContext) => {
    errored(ctx, await ctx.driver.run(['kill']), '`kill` with no container ID to generate an error');
  }),
];
