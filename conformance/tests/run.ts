// draft runtime.md "Run": `run <container-id> <bundle>` is create then start (the draft grammar;
// a runtime without it is reported unsupported).
import type { TestContext } from '../harness/types.ts';
import { join } from 'node:path';
import { absent, bundle, errored, output, perEdition, probe, stateOf, succeeded } from './support.ts';

export const runTests = [
  ...perEdition(
    { draft: ['draft:runtime:run:3'] },
    "run (draft grammar `run ID BUNDLE`) creates the container and starts its process: the probe runs as pid 1 of a new PID namespace and the container exists",
    async (ctx: TestContext) => {
      const b = bundle(ctx, probe('report'));
      const id = ctx.id();
      succeeded(ctx, await ctx.driver.runContainer(id, b.dir, { grammar: 'draft' }), `run ${id} ${b.dir}`);
      const r = await ctx.probeReport(b);
      ctx.expect(r.pid === 1 && r.namespaces.pid !== ctx.nsInode('self', 'pid'), 'the user-specified process started in the new PID namespace create made (pid 1 there)', { pid: r.pid, namespaces: r.namespaces });
      const s = await stateOf(ctx, id);
      ctx.expect(s.id === id, 'the container created by run to be known to `state`', s);
    },
  ),
  ...perEdition({ draft: ['draft:runtime:run:1'] }, 'run without a container ID is an error', async (ctx: TestContext) => {
    errored(ctx, await ctx.driver.run(['run']), '`run` with no container ID to generate an error');
  }),
  ...perEdition(
    { draft: ['draft:runtime:run:2'] },
    'run of a container that cannot exist (its bundle directory does not) is an error and makes nothing',
    async (ctx: TestContext) => {
      const id = ctx.id();
      errored(ctx, await ctx.driver.runContainer(id, join(ctx.tmp, 'no-such-bundle'), { grammar: 'draft' }), '`run` of a bundle that does not exist to generate an error');
      await absent(ctx, id, 'no container made by the failed run');
    },
  ),
  ...perEdition(
    { draft: ['draft:runtime:run:3', 'draft:runtime:errors:1'] },
    'when create fails (a bind mount whose source does not exist), run is an error, does not start the process and leaves no container',
    async (ctx: TestContext) => {
      const b = bundle(ctx, probe('print', 'user-code-ran'), (c) => {
        c.mounts = [...(c.mounts ?? []), { destination: '/tmp/missing', type: 'bind', source: join(ctx.tmp, 'no-such-directory'), options: ['bind'] }];
      });
      const id = ctx.id();
      errored(ctx, await ctx.driver.runContainer(id, b.dir, { grammar: 'draft' }), '`run` whose create fails to generate an error');
      ctx.expect(!output(b).includes('user-code-ran'), 'start not to be invoked after create failed: the process never ran', output(b));
      await absent(ctx, id, 'no container left by the failed run');
    },
  ),
];
