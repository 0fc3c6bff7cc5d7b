// runtime.md "Create" and lifecycle step 2 (draft and v1.3.0): the namespaces config.json asks for
// exist once create returns, the user's process has not run, and a duplicate or invalid id or a
// missing argument is an error that makes no container.
import type { TestContext } from '../harness/types.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { absent, bundle, cmdline, created, errored, namespacesOf, namespaceTypes, NS_FILE, output, perEdition, probe, stateOf } from './support.ts';

const MARK = 'user-code-ran';

export const createTests = [
  ...perEdition(
    {
      draft: ['draft:runtime:lifecycle:2', 'draft:runtime:lifecycle:3', 'draft:runtime:create:4'],
      v1: ['v1:runtime:lifecycle:3', 'v1:runtime:create:5'],
    },
    'create makes the new PID namespace but does not run the user-specified process',
    async (ctx: TestContext) => {
      const { b, id, pid } = await created(ctx, probe('print', MARK));
      const ns = ctx.nsInode(pid, 'pid');
      ctx.expect(ns !== undefined && ns !== ctx.nsInode('self', 'pid'), "the container process to be in a new PID namespace once create returns (its /proc/<pid>/ns/pid differs from the runtime's)", `pid ${pid}: ${ns} (host: ${ctx.nsInode('self', 'pid')})`);
      const argv = cmdline(pid) ?? [];
      ctx.expect(!output(b).includes(MARK) && argv.join(' ') !== probe('print', MARK).join(' '), 'the user-specified process (process.args) not to be run at create time', `stdout: ${JSON.stringify(output(b))}; /proc/${pid}/cmdline: ${JSON.stringify(argv)}`);
      if (ctx.edition === 'v1') {
        const s = await stateOf(ctx, id);
        ctx.expect(s.status === 'created', 'state.status "created": the container process has not executed the user-specified program', s);
      }
    },
  ),
  ...perEdition(
    {
      draft: ['draft:runtime:lifecycle:1', 'draft:runtime:create:3'],
      v1: ['v1:runtime:lifecycle:1', 'v1:runtime:create:3', 'v1:runtime:create:4', 'v1:config-linux:namespaces:4'],
    },
    "create makes a new namespace of every type config.json lists (the container process's /proc/<pid>/ns inodes differ from the runtime's)",
    async (ctx: TestContext) => {
      const { b, pid } = await created(ctx, probe('report'));
      const types = namespaceTypes(b.config);
      const mine = namespacesOf(ctx, pid, types);
      const host = namespacesOf(ctx, process.pid, types);
      const same = types.filter((t) => mine[t] === undefined || mine[t] === host[t]);
      ctx.expect(same.length === 0, `a new namespace of each listed type (${types.join(', ')}) for the container process`, `not new: ${same.map((t) => `${t} (${NS_FILE[t]} ${mine[t]}; runtime's ${host[t]})`).join(', ')}`);
    },
  ),
  ...perEdition(
    {
      draft: ['draft:runtime:create:2', 'draft:runtime:state:2'],
      v1: ['v1:runtime:create:2', 'v1:runtime:state:1'],
    },
    'creating a container with the id of an existing container is an error, and the existing container is unchanged',
    async (ctx: TestContext) => {
      const first = await created(ctx, probe('print', 'first'));
      const before = await stateOf(ctx, first.id);
      const second = bundle(ctx, probe('print', 'second'));
      errored(ctx, await ctx.driver.create(first.id, second.dir), 'create with an id already in use to generate an error');
      const after = await stateOf(ctx, first.id);
      ctx.expect(after.pid === before.pid && (after.bundle ?? after.bundlePath) === (before.bundle ?? before.bundlePath), 'a new container not to be created: the existing one keeps its pid and bundle', { before, after });
      ctx.expect(after.status === before.status, 'the existing container keeps its status', { before, after });
    },
  ),
  ...perEdition(
    { draft: ['draft:runtime:create:2'], v1: ['v1:runtime:create:2'] },
    'creating a container with an invalid id ("../" + id) is an error and makes nothing, neither in --root nor beside it',
    async (ctx: TestContext) => {
      const b = bundle(ctx, probe('report'));
      const name = ctx.id();
      const bad = `../${name}`;
      errored(ctx, await ctx.driver.create(bad, b.dir), `create with the invalid id ${JSON.stringify(bad)} to generate an error`);
      const escaped = join(ctx.driver.root, '..', name);
      ctx.expect(!existsSync(escaped), 'a new container not to be created (nothing at the path the id names)', `${escaped} exists`);
      await absent(ctx, bad, 'no container with the invalid id');
    },
  ),
  ...perEdition(
    { draft: ['draft:runtime:create:1'], v1: ['v1:runtime:create:1'] },
    'create without a container ID, or without a bundle path, is an error and makes no container',
    async (ctx: TestContext) => {
      errored(ctx, await ctx.driver.run(['create']), '`create` with neither ID nor bundle to generate an error');
      const id = ctx.id();
      // The runtime's working directory is the test's scratch directory, which holds no config.json.
      errored(ctx, await ctx.driver.run(['create', id]), `\`create ${id}\` with no bundle path (and no bundle in the working directory) to generate an error`);
      await absent(ctx, id, 'no container made by the failed create');
    },
  ),
];
