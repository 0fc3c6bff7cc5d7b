// runtime.md "Errors" with lifecycle step 2 and "Create" (draft and v1.3.0): a create that fails
// part-way — after namespaces and earlier mounts are made, at a bind mount whose source does not
// exist — is an error that leaves the environment as if it had never been attempted: no container
// (`state` fails), no process, the user's program never run, and the id free for the next create.
import type { TestContext } from '../harness/types.ts';
import { join } from 'node:path';
import { absent, bundle, cfg, errored, leftoverProcesses, livePids, output, perEdition, probe, succeeded } from './support.ts';

export const errorTests = [
  ...perEdition(
    {
      draft: ['draft:runtime:errors:1'],
      v1: ['v1:runtime:errors:1', 'v1:runtime:lifecycle:2', 'v1:runtime:create:6'],
    },
    'a create that fails (a bind mount whose source does not exist) is an error and leaves nothing: no container, no process, and the id free',
    async (ctx: TestContext) => {
      const missing = { destination: '/tmp/missing', type: 'bind', source: join(ctx.tmp, 'no-such-directory'), options: ['bind'] };
      const b = bundle(ctx, probe('print', 'user-code-ran'), (c) => (c.mounts = [...(c.mounts ?? []), missing]));
      const id = ctx.id();
      const before = livePids();
      errored(ctx, await ctx.driver.create(id, b.dir), 'create of a container whose environment cannot be made (a mount source that does not exist) to generate an error');
      await absent(ctx, id, 'no container left by the failed create: `state` is an error');
      const markers = [b.dir, ctx.tmp, id, cfg(b.config).linux?.cgroupsPath ?? id];
      const left = leftoverProcesses(ctx, before, markers);
      ctx.expect(left.length === 0, 'no process left by the failed create', left);
      ctx.expect(!output(b).includes('user-code-ran'), 'the user-specified program never to run', output(b));
      cfg(b.config).mounts = cfg(b.config).mounts!.filter((m) => m !== missing && m.destination !== missing.destination);
      b.save();
      succeeded(ctx, await ctx.driver.create(id, b.dir), `create with the same id ${id} once the mount is fixed (the failed create left it free)`);
    },
  ),
];
