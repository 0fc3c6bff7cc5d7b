// v1.3.0 config-linux.md "Namespaces": a path joins that namespace, a type left out is inherited
// from the runtime, and a duplicated type, a path of the wrong type, a relative path or an unknown
// type is an error. (That every listed type is created is in create.ts.)
import { readFileSync } from 'node:fs';
import type { TestContext } from '../harness/types.ts';
import { absent, bundle, created, errored, LONG, namespacesOf, perEdition, probe, started, type Cfg } from './support.ts';

/** Create must fail and leave no container. */
async function refused(ctx: TestContext, edit: (c: Cfg) => void, expected: string): Promise<void> {
  const b = bundle(ctx, probe('report'), edit);
  const id = ctx.id();
  errored(ctx, await ctx.driver.create(id, b.dir), expected);
  await absent(ctx, id, 'no container made by the failed create');
}

const withNamespaces = (f: (ns: NonNullable<NonNullable<Cfg['linux']>['namespaces']>) => NonNullable<NonNullable<Cfg['linux']>['namespaces']>) => (c: Cfg) => {
  c.linux!.namespaces = f(c.linux!.namespaces ?? []);
};

export const namespaceTests = [
  ...perEdition(
    { v1: ['v1:config-linux:namespaces:5'] },
    'namespace types left out of linux.namespaces (network, ipc) are inherited from the runtime',
    async (ctx: TestContext) => {
      const { pid } = await created(ctx, probe('report'), withNamespaces((ns) => ns.filter((n) => n.type !== 'network' && n.type !== 'ipc')));
      const mine = namespacesOf(ctx, pid, ['network', 'ipc']);
      const runtime = namespacesOf(ctx, process.pid, ['network', 'ipc']);
      ctx.expect(JSON.stringify(mine) === JSON.stringify(runtime), "the container process in the runtime's network and ipc namespaces", { container: mine, runtime });
    },
  ),
  ...perEdition(
    { v1: ['v1:config-linux:namespaces:2'] },
    "a namespace with a path (another container's network and ipc namespaces) is joined, not created",
    async (ctx: TestContext) => {
      const holder = await started(ctx, LONG);
      await ctx.waitForOutput(holder.b, 'ready');
      const file: Record<string, string> = { network: 'net', ipc: 'ipc' };
      const guest = await created(ctx, probe('report'), withNamespaces((ns) => ns.map((n) => (file[n.type] ? { type: n.type, path: `/proc/${holder.pid}/ns/${file[n.type]}` } : n))));
      const theirs = namespacesOf(ctx, holder.pid, ['network', 'ipc']);
      const mine = namespacesOf(ctx, guest.pid, ['network', 'ipc']);
      ctx.expect(JSON.stringify(mine) === JSON.stringify(theirs), 'the container process placed in the namespaces associated with each path', { path: theirs, container: mine });
    },
  ),
  ...perEdition({ v1: ['v1:config-linux:namespaces:6'] }, 'linux.namespaces with the same type twice (ipc) is an error', async (ctx: TestContext) => {
    await refused(ctx, withNamespaces((ns) => [...ns, { type: 'ipc' }]), 'an error for two namespaces of type ipc');
  }),
  ...perEdition({ v1: ['v1:config-linux:namespaces:3'] }, 'a namespace path that is not a namespace of its type (network given an ipc namespace) is an error', async (ctx: TestContext) => {
    const path = `/proc/${process.pid}/ns/ipc`;
    await refused(ctx, withNamespaces((ns) => ns.map((n) => (n.type === 'network' ? { type: 'network', path } : n))), `an error for namespace type network with path ${path} (an ipc namespace)`);
  }),
  ...perEdition(
    { v1: ['v1:config-linux:namespaces:1', 'v1:config:valid-values:1'] },
    'a relative namespace path is an invalid value and an error',
    async (ctx: TestContext) => {
      const path = `proc/${process.pid}/ns/net`;
      await refused(ctx, withNamespaces((ns) => ns.map((n) => (n.type === 'network' ? { type: 'network', path } : n))), `an error for namespace path ${JSON.stringify(path)} (it MUST be absolute)`);
    },
  ),
  ...perEdition({ v1: ['v1:config:valid-values:1'] }, 'an unknown namespace type is an invalid value and an error', async (ctx: TestContext) => {
    await refused(ctx, withNamespaces((ns) => [...ns, { type: 'conformance' }]), 'an error for namespace type "conformance"');
  }),
  ...perEdition(
    { v1: ['v1:config-linux:namespaces:4'] },
    'a user namespace listed without a path is created, with the uidMappings and gidMappings given',
    async (ctx: TestContext) => {
      ctx.requires(ctx.nsInode('self', 'user') !== undefined, 'the host has no user namespaces');
      const { pid } = await created(ctx, probe('report'), (c) => {
        c.linux!.namespaces = [...(c.linux!.namespaces ?? []), { type: 'user' }];
        c.linux!.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
        c.linux!.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
        c.mounts = (c.mounts ?? []).filter((m) => m.destination !== '/sys');
      });
      const ino = ctx.nsInode(pid, 'user');
      ctx.expect(ino !== undefined && ino !== ctx.nsInode('self', 'user'), 'a new user namespace for the container process', { container: ino, runtime: ctx.nsInode('self', 'user') });
      const map = readFileSync(`/proc/${pid}/uid_map`, 'utf8').trim().split(/\s+/).map(Number);
      ctx.expect(JSON.stringify(map) === JSON.stringify([0, 100000, 65536]), 'its uid_map: 0 100000 65536 (linux.uidMappings)', map);
    },
  ),
];
