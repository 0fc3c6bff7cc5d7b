// Hooks: v1.3.0 runtime.md "Lifecycle" steps 3-13 and config.md "POSIX-platform Hooks" (prestart,
// createRuntime, createContainer, startContainer, poststart, poststop), and the draft's config.md
// "Hooks". Each host-side hook is a /bin/sh script in the test's directory that appends one line
// to a log — its name, its mount and network namespaces, and the state it read on stdin — so the
// log shows which hooks ran, in which order, where, and with what. startContainer hooks run in the
// container, where there is no shell: that one is the probe, writing a file the user's process
// then lists.
import { chmodSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle, StateJson, TestContext } from '../harness/types.ts';
import { absent, alive, bundle, errored, output, perEdition, probe, probeList, succeeded, until, untilStopped, type Cfg, type Hook } from './support.ts';

const SCRIPT = `#!/bin/sh
# hook NAME LOG [CODE]: appends NAME, the mount and network namespaces and stdin (the state) to LOG
state=$(tr '\\n' ' ')
printf '%s\\t%s\\t%s\\t%s\\n' "$1" "$(readlink /proc/self/ns/mnt)" "$(readlink /proc/self/ns/net)" "$state" >> "$2"
exit "\${3:-0}"
`;

const PATH_ENV = ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'];
export const MARKER = 'startContainer-ran';

interface HookRun {
  name: string;
  mnt: number | undefined;
  net: number | undefined;
  state: StateJson | undefined;
  raw: string;
}

const inode = (link: string) => (/\[(\d+)\]/.exec(link) ? Number(/\[(\d+)\]/.exec(link)![1]) : undefined);

/** The hook script and its log, in the test's directory. */
export function hookKit(ctx: TestContext) {
  const script = join(ctx.tmp, 'hook.sh');
  const log = join(ctx.tmp, 'hooks.log');
  writeFileSync(script, SCRIPT);
  chmodSync(script, 0o755);
  writeFileSync(log, '');
  return {
    hook: (name: string, code = 0): Hook => ({ path: script, args: ['hook.sh', name, log, String(code)], env: PATH_ENV }),
    runs: (): HookRun[] =>
      readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [name = '', mnt = '', net = '', state = ''] = line.split('\t');
          let json: StateJson | undefined;
          try {
            json = JSON.parse(state) as StateJson;
          } catch {
            json = undefined;
          }
          return { name, mnt: inode(mnt), net: inode(net), state: json, raw: state };
        }),
    names: () => readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t')[0] ?? ''),
  };
}

/**
 * The startContainer hook: the probe, reading the state on its stdin first as every hook of the
 * suite does (a hook that exits unread makes the runtime's write of the state race EPIPE: crun
 * then fails the hook, "writing to pipe: Broken pipe", one run in a few), then marking or failing.
 */
export const startContainerHook = (code?: number): Hook => {
  const readState = ['read', '/proc/self/fd/0'];
  return { path: '/probe', args: ['probe', ...readState, ...(code === undefined ? ['write', `/tmp/${MARKER}`, 'yes'] : ['exit', String(code)])] };
};

interface Lifecycle {
  b: Bundle;
  id: string;
  pid: number;
  container: { mnt: number | undefined; net: number | undefined };
  afterCreate: string[];
  afterStart: string[];
  afterDelete: string[];
  listed: string[] | null;
  runs: HookRun[];
}

/** A whole v1 lifecycle with every kind of hook, recording which hooks had run after each step. */
async function hookedLifecycle(ctx: TestContext): Promise<Lifecycle> {
  const kit = hookKit(ctx);
  const b = bundle(ctx, probe('ls', '/tmp'), (c) => {
    c.hooks = {
      prestart: [kit.hook('prestart-1'), kit.hook('prestart-2')],
      createRuntime: [kit.hook('createRuntime')],
      createContainer: [kit.hook('createContainer')],
      startContainer: [startContainerHook()],
      poststart: [kit.hook('poststart')],
      poststop: [kit.hook('poststop-1'), kit.hook('poststop-2')],
    };
  });
  const id = ctx.id();
  succeeded(ctx, await ctx.driver.create(id, b.dir), 'create');
  const afterCreate = kit.names();
  const s = await ctx.driver.state(id);
  const pid = s.json?.pid ?? 0;
  ctx.expect(pid > 0, 'state to give the container pid', s.stdout);
  const container = { mnt: ctx.nsInode(pid, 'mnt'), net: ctx.nsInode(pid, 'net') };
  succeeded(ctx, await ctx.driver.start(id), 'start');
  const afterStart = kit.names();
  const listed = await probeList(ctx, b);
  await untilStopped(ctx, id);
  succeeded(ctx, await ctx.driver.delete(id), 'delete');
  return { b, id, pid, container, afterCreate, afterStart, afterDelete: kit.names(), listed, runs: kit.runs() };
}

const v1 = (...ids: string[]) => ids.map((i) => `v1:${i}`);

/** A lifecycle where the hook `failing` (of kind `kind`) exits 1; returns the log and what happened. */
async function failingHook(ctx: TestContext, kind: string, step: 'create' | 'start') {
  const kit = hookKit(ctx);
  const b = bundle(ctx, probe('print', 'user-code-ran', 'sleep', '600'), (c) => {
    const hooks: Record<string, Hook[]> = { poststop: [kit.hook('poststop')] };
    hooks[kind] = [kind === 'startContainer' ? startContainerHook(1) : kit.hook(kind, 1)];
    c.hooks = hooks;
  });
  const id = ctx.id();
  if (step === 'create') {
    errored(ctx, await ctx.driver.create(id, b.dir), `create to generate an error when a ${kind} hook fails`);
    await absent(ctx, id, `the container to be destroyed after the failed ${kind} hook (lifecycle continues at step 12)`);
  } else {
    // A runtime that runs the hook too early (during create) still owes the error, the stop and the
    // poststop hooks; the hook order test reports the timing.
    const create = await ctx.driver.create(id, b.dir);
    if (create.code === 0) {
      const pid = (await ctx.driver.state(id)).json?.pid ?? 0;
      errored(ctx, await ctx.driver.start(id), `start to generate an error when a ${kind} hook fails`);
      ctx.expect(await until(() => pid <= 0 || !alive(pid)), `the container to be stopped after the failed ${kind} hook`, `pid ${pid} still runs`);
    } else {
      errored(ctx, create, `an error when a ${kind} hook fails`);
    }
  }
  if (kind !== 'startContainer') ctx.expect(kit.names().includes(kind), `the ${kind} hook (which exits 1) to be invoked`, `hooks run: ${JSON.stringify(kit.names())}`);
  if (kind !== 'poststart') ctx.expect(!output(b).includes('user-code-ran'), `the user-specified program not to run after the failed ${kind} hook`, output(b));
  // Steps 12 and 13 belong to the operation that failed: the poststop hooks have run when it returns.
  ctx.expect(kit.names().includes('poststop'), 'the lifecycle to continue at steps 12 and 13: the poststop hooks invoked', `hooks run: ${JSON.stringify(kit.names())}`);
}

export const hookTests = [
  ...perEdition(
    {
      v1: [
        ...v1('runtime:lifecycle:5', 'runtime:lifecycle:7', 'runtime:lifecycle:9', 'runtime:lifecycle:11', 'runtime:lifecycle:14', 'runtime:lifecycle:17'),
        ...v1('config:prestart:1', 'config:prestart:2', 'config:createruntime-hooks:1', 'config:createcontainer-hooks:1', 'config:createcontainer-hooks:2'),
        ...v1('config:startcontainer-hooks:1', 'config:poststart:1', 'config:poststop:1', 'config:posix-platform-hooks:17'),
      ],
    },
    'hooks run in the listed order at their lifecycle steps: prestart, createRuntime, createContainer during create; startContainer before the process; poststart before start returns; poststop during delete',
    async (ctx: TestContext) => {
      const l = await hookedLifecycle(ctx);
      const create = ['prestart-1', 'prestart-2', 'createRuntime', 'createContainer'];
      ctx.expect(JSON.stringify(l.afterCreate) === JSON.stringify(create), `create to run ${create.join(', ')}, in that order`, l.afterCreate);
      ctx.expect(JSON.stringify(l.afterStart) === JSON.stringify([...create, 'poststart']), 'start to run the poststart hook before it returns', l.afterStart);
      ctx.expect(l.listed?.includes(MARKER) === true, `the startContainer hook to run before the user-specified process (which finds /tmp/${MARKER})`, l.listed);
      const all = [...create, 'poststart', 'poststop-1', 'poststop-2'];
      ctx.expect(JSON.stringify(l.afterDelete) === JSON.stringify(all), 'delete to run poststop-1 then poststop-2 before it returns', l.afterDelete);
    },
  ),
  ...perEdition(
    { v1: ['v1:config:posix-platform-hooks:18'] },
    "each hook reads the container's state on stdin: its id and bundle, and its pid as the hook's namespace sees it",
    async (ctx: TestContext) => {
      const l = await hookedLifecycle(ctx);
      const bundleDir = realpathSync(l.b.dir);
      const problems = l.runs.flatMap((r) => {
        const s = r.state;
        if (s === undefined) return [`${r.name}: stdin is not a JSON state: ${JSON.stringify(r.raw)}`];
        const p: string[] = [];
        if (s.id !== l.id) p.push(`id ${JSON.stringify(s.id)}`);
        const dir = s.bundle ?? s.bundlePath;
        if (typeof dir !== 'string' || (dir !== l.b.dir && dir !== bundleDir)) p.push(`bundle ${JSON.stringify(dir)}`);
        const pid = r.name === 'createContainer' ? 1 : l.pid;
        if (!r.name.startsWith('poststop') && s.pid !== pid) p.push(`pid ${s.pid}, not ${pid}`);
        return p.length ? [`${r.name}: ${p.join(', ')}`] : [];
      });
      ctx.expect(l.runs.length > 0 && problems.length === 0, `every hook's stdin to hold the state: id ${l.id}, bundle ${l.b.dir}, pid ${l.pid} (1 for createContainer, in the container namespace)`, problems.length ? problems : l.runs);
    },
  ),
  ...perEdition(
    {
      v1: v1(
        'config:posix-platform-hooks:3', 'config:posix-platform-hooks:4', 'config:posix-platform-hooks:7', 'config:posix-platform-hooks:8',
        'config:posix-platform-hooks:9', 'config:posix-platform-hooks:10', 'config:posix-platform-hooks:11', 'config:posix-platform-hooks:12',
        'config:posix-platform-hooks:13', 'config:posix-platform-hooks:14', 'config:posix-platform-hooks:15', 'config:posix-platform-hooks:16',
        'config:prestart:3', 'config:prestart:4', 'config:createruntime-hooks:2', 'config:createruntime-hooks:3', 'config:createcontainer-hooks:3',
        'config:createcontainer-hooks:4', 'config:startcontainer-hooks:2', 'config:startcontainer-hooks:3', 'config:poststart:2', 'config:poststart:3',
        'config:poststop:2', 'config:poststop:3',
      ),
    },
    'hooks run where the spec says: prestart, createRuntime, poststart and poststop in the runtime namespace; createContainer and startContainer in the container namespace',
    async (ctx: TestContext) => {
      const l = await hookedLifecycle(ctx);
      const runtimeNet = ctx.nsInode('self', 'net');
      const problems = l.runs.flatMap((r) => {
        if (r.name === 'createContainer') {
          return r.mnt === l.container.mnt && r.net === l.container.net ? [] : [`createContainer: mnt ${r.mnt}, net ${r.net}; the container's are ${l.container.mnt}, ${l.container.net}`];
        }
        return r.net === runtimeNet && r.mnt !== l.container.mnt ? [] : [`${r.name}: mnt ${r.mnt}, net ${r.net}; the runtime's net is ${runtimeNet}, the container's mnt ${l.container.mnt}`];
      });
      ctx.expect(problems.length === 0 && l.runs.length > 0, "hooks in the runtime namespace (the runtime's network namespace, not the container's mounts); createContainer in the container's", problems.length ? problems : l.runs);
      ctx.expect(l.listed?.includes(MARKER) === true, `the startContainer hook (/probe, a path only the container has) to run in the container and write /tmp/${MARKER}`, l.listed);
    },
  ),
  ...perEdition({ v1: ['v1:runtime:lifecycle:6'] }, 'a failing prestart hook makes create an error, destroys the container and runs the poststop hooks', async (ctx: TestContext) => {
    await failingHook(ctx, 'prestart', 'create');
  }),
  ...perEdition({ v1: ['v1:runtime:lifecycle:8'] }, 'a failing createRuntime hook makes create an error, destroys the container and runs the poststop hooks', async (ctx: TestContext) => {
    await failingHook(ctx, 'createRuntime', 'create');
  }),
  ...perEdition({ v1: ['v1:runtime:lifecycle:10'] }, 'a failing createContainer hook makes create an error, destroys the container and runs the poststop hooks', async (ctx: TestContext) => {
    await failingHook(ctx, 'createContainer', 'create');
  }),
  ...perEdition({ v1: ['v1:runtime:lifecycle:12'] }, 'a failing startContainer hook makes start an error, stops the container before its process runs and runs the poststop hooks', async (ctx: TestContext) => {
    await failingHook(ctx, 'startContainer', 'start');
  }),
  ...perEdition({ v1: ['v1:runtime:lifecycle:15'] }, 'a failing poststart hook makes start an error, stops the container and runs the poststop hooks', async (ctx: TestContext) => {
    await failingHook(ctx, 'poststart', 'start');
  }),
  ...perEdition(
    { v1: ['v1:runtime:lifecycle:18', 'v1:runtime:warnings:1'] },
    'a failing poststop hook is only a warning: the next poststop hook runs and delete succeeds',
    async (ctx: TestContext) => {
      const kit = hookKit(ctx);
      const b = bundle(ctx, probe('exit', '0'), (c) => (c.hooks = { poststop: [kit.hook('poststop-failing', 1), kit.hook('poststop-next')] }));
      const id = ctx.id();
      succeeded(ctx, await ctx.driver.create(id, b.dir), 'create');
      succeeded(ctx, await ctx.driver.start(id), 'start');
      await untilStopped(ctx, id);
      succeeded(ctx, await ctx.driver.delete(id), 'delete (a failing poststop hook is only a warning)');
      ctx.expect(JSON.stringify(kit.names()) === JSON.stringify(['poststop-failing', 'poststop-next']), 'the remaining poststop hooks to run as if the failing one had succeeded', kit.names());
      await absent(ctx, id, 'the container to be deleted');
    },
  ),
  ...perEdition(
    { v1: ['v1:config:posix-platform-hooks:2', 'v1:config:valid-values:1'] },
    'a hook timeout of 0 is an invalid value and an error',
    async (ctx: TestContext) => {
      const kit = hookKit(ctx);
      const b = bundle(ctx, probe('report'), (c) => (c.hooks = { prestart: [{ ...kit.hook('prestart'), timeout: 0 }] }));
      const id = ctx.id();
      const r = await ctx.driver.create(id, b.dir);
      errored(ctx, r, 'an error for a prestart hook with timeout 0 (it MUST be greater than zero)');
    },
  ),
  ...perEdition(
    { v1: ['v1:config:posix-platform-hooks:1', 'v1:config:valid-values:1'] },
    'a relative hook path is an invalid value and an error',
    async (ctx: TestContext) => {
      const kit = hookKit(ctx);
      const b = bundle(ctx, probe('report'), (c) => (c.hooks = { prestart: [{ ...kit.hook('prestart'), path: 'bin/sh' }] }));
      errored(ctx, await ctx.driver.create(ctx.id(), b.dir), 'an error for a prestart hook with path "bin/sh" (it MUST be absolute)');
    },
  ),
  ...perEdition(
    { draft: ['draft:config:hooks:1'] },
    'prestart, poststart and poststop hooks are called in the listed order',
    async (ctx: TestContext) => {
      const kit = hookKit(ctx);
      const b = bundle(ctx, probe('exit', '0'), (c: Cfg) => {
        c.hooks = {
          prestart: [kit.hook('prestart-1'), kit.hook('prestart-2')],
          poststart: [kit.hook('poststart-1'), kit.hook('poststart-2')],
          poststop: [kit.hook('poststop-1'), kit.hook('poststop-2')],
        };
      });
      const id = ctx.id();
      succeeded(ctx, await ctx.driver.create(id, b.dir), 'create');
      const pid = (await ctx.driver.state(id)).json?.pid ?? 0;
      succeeded(ctx, await ctx.driver.start(id), 'start');
      await until(() => pid <= 0 || !alive(pid));
      succeeded(ctx, await ctx.driver.delete(id), 'delete');
      const want = ['prestart-1', 'prestart-2', 'poststart-1', 'poststart-2', 'poststop-1', 'poststop-2'];
      ctx.expect(JSON.stringify(kit.names()) === JSON.stringify(want), `the hooks called in the listed order: ${want.join(', ')}`, kit.names());
    },
  ),
];
