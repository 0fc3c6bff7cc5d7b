// runtime.md "Delete" and the lifecycle's last steps (draft and v1.3.0): the draft's delete stops
// a running container first, v1.3.0's refuses anything not stopped; both remove what create made —
// the namespaces (no process left in them), the cgroups, the state — keep what the container only
// joined, and free the id.
import { existsSync } from 'node:fs';
import type { Bundle, TestContext } from '../harness/types.ts';
import { absent, alive, bundle, cgroupDirsOf, created, errored, LONG, namespacesOf, namespaceTypes, perEdition, probe, processesIn, started, stateOf, succeeded, survivors, until, untilStopped, type Made } from './support.ts';

/** A container joining `holder`'s network and ipc namespaces by path. */
const joining = (holder: Made) => (c: { linux?: { namespaces?: Array<{ type: string; path?: string }> } }) => {
  const joined: Record<string, string> = { network: 'net', ipc: 'ipc' };
  c.linux!.namespaces = (c.linux!.namespaces ?? []).map((n) => (joined[n.type] ? { type: n.type, path: `/proc/${holder.pid}/ns/${joined[n.type]}` } : n));
};

/** What create made that delete must remove: the processes in the container's namespaces, its cgroups. */
function footprint(ctx: TestContext, b: Bundle, pid: number) {
  const types = namespaceTypes(b.config);
  const procs = processesIn(ctx, namespacesOf(ctx, pid, types), namespacesOf(ctx, process.pid, types));
  return { cgroups: cgroupDirsOf(pid), procs };
}

export const deleteTests = [
  ...perEdition(
    { draft: ['draft:runtime:delete:3', 'draft:runtime:delete:5', 'draft:runtime:lifecycle:7', 'draft:runtime:lifecycle:8'] },
    'delete of a running container stops it first, then removes what create made: no process left in its namespaces, its cgroups and its state gone',
    async (ctx: TestContext) => {
      const { b, id, pid } = await started(ctx, probe('fork', '1', 'print', 'ready', 'sleep', '600'));
      await ctx.waitForOutput(b, 'ready');
      const { cgroups, procs } = footprint(ctx, b, pid);
      ctx.expect(procs.size >= 2, "the probe and its child in the container's namespaces before delete", [...procs.keys()]);
      succeeded(ctx, await ctx.driver.delete(id), 'delete of a running container');
      ctx.expect(await until(() => survivors(procs).length === 0), 'the container to be stopped and the namespaces create made to be deleted (no process left in them)', { stillRunning: survivors(procs) });
      const left = cgroups.filter((d) => existsSync(d));
      ctx.expect(left.length === 0, 'the resources create made to be deleted: its cgroups', left);
      await absent(ctx, id, 'the container to be gone: `state` is an error');
    },
  ),
  ...perEdition(
    { v1: ['v1:runtime:delete:2'] },
    'delete of a running container is an error and has no effect on it: still running, same pid',
    async (ctx: TestContext) => {
      const { b, id, pid } = await started(ctx, LONG);
      await ctx.waitForOutput(b, 'ready');
      errored(ctx, await ctx.driver.delete(id), 'delete of a container that is not stopped (running) to generate an error');
      const s = await stateOf(ctx, id);
      ctx.expect(s.status === 'running' && s.pid === pid && alive(pid), 'no effect on the container: still running with the same pid', s);
    },
  ),
  ...perEdition(
    { v1: ['v1:runtime:delete:2'] },
    'delete of a created (not yet started) container is an error and has no effect on it: still created, same pid',
    async (ctx: TestContext) => {
      const { id, pid } = await created(ctx, LONG);
      errored(ctx, await ctx.driver.delete(id), 'delete of a container that is not stopped (created) to generate an error');
      const s = await stateOf(ctx, id);
      ctx.expect(s.status === 'created' && s.pid === pid && alive(pid), 'no effect on the container: still created with the same pid', s);
    },
  ),
  ...perEdition(
    { v1: ['v1:runtime:delete:3', 'v1:runtime:lifecycle:16'] },
    'delete of a stopped container removes what create made: no process left in its namespaces, its cgroups and its state gone',
    async (ctx: TestContext) => {
      const { b, id, pid } = await started(ctx, probe('print', 'ready', 'wait-signal'));
      await ctx.waitForOutput(b, 'ready');
      const { cgroups, procs } = footprint(ctx, b, pid);
      succeeded(ctx, await ctx.driver.kill(id, 'TERM'), 'kill TERM');
      await untilStopped(ctx, id);
      succeeded(ctx, await ctx.driver.delete(id), 'delete of a stopped container');
      ctx.expect(survivors(procs).length === 0, 'the namespaces create made to be deleted (no process that was in them left)', { stillRunning: survivors(procs) });
      const left = cgroups.filter((d) => existsSync(d));
      ctx.expect(left.length === 0, 'the resources create made to be deleted: its cgroups', left);
      await absent(ctx, id, 'the container to be gone: `state` is an error');
    },
  ),
  ...perEdition(
    { draft: ['draft:runtime:delete:6'], v1: ['v1:runtime:delete:4'] },
    "delete of a container that joined another's network and ipc namespaces by path leaves those namespaces and their holder alone",
    async (ctx: TestContext) => {
      const holder = await started(ctx, LONG);
      await ctx.waitForOutput(holder.b, 'ready');
      const shared = ['network', 'ipc'];
      const before = namespacesOf(ctx, holder.pid, shared);
      const guest = await created(ctx, probe('exit', '0'), joining(holder));
      const joined = namespacesOf(ctx, guest.pid, shared);
      ctx.expect(JSON.stringify(joined) === JSON.stringify(before), "the container to be placed in the namespaces named by path (the holder's)", { holder: before, container: joined });
      if (ctx.edition === 'v1') {
        succeeded(ctx, await ctx.driver.start(guest.id), 'start');
        await untilStopped(ctx, guest.id);
      }
      succeeded(ctx, await ctx.driver.delete(guest.id), 'delete');
      const after = namespacesOf(ctx, holder.pid, shared);
      ctx.expect(alive(holder.pid) && JSON.stringify(after) === JSON.stringify(before), 'namespaces associated with the container but not created by it not to be deleted: their holder still runs in them', { before, after, holderAlive: alive(holder.pid) });
      const s = await stateOf(ctx, holder.id);
      ctx.expect(s.pid === holder.pid && (s.status === undefined || s.status === 'running'), 'the holder container unaffected', s);
    },
  ),
  ...perEdition(
    { draft: ['draft:runtime:delete:5'], v1: ['v1:runtime:delete:3'] },
    'after delete the id is free: a new container can be created with it',
    async (ctx: TestContext) => {
      const { id } = await created(ctx, probe('exit', '0'));
      if (ctx.edition === 'v1') {
        succeeded(ctx, await ctx.driver.start(id), 'start');
        await untilStopped(ctx, id);
      }
      succeeded(ctx, await ctx.driver.delete(id), 'delete');
      const again = bundle(ctx, probe('exit', '0'));
      succeeded(ctx, await ctx.driver.create(id, again.dir), `create with the deleted container's id ${id}`);
    },
  ),
  ...perEdition({ draft: ['draft:runtime:delete:2'] }, 'deleting a container that does not exist is an error', async (ctx: TestContext) => {
    errored(ctx, await ctx.driver.delete(ctx.id()), '`delete` of an id no container has to generate an error');
  }),
  ...perEdition(
    { draft: ['draft:runtime:delete:1'], v1: ['v1:runtime:delete:1'] },
    'delete without a container ID is an error',
    async (ctx: TestContext) => {
      errored(ctx, await ctx.driver.run(['delete']), '`delete` with no container ID to generate an error');
    },
  ),
];
