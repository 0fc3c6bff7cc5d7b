// Hooks (issue 11): v1.3.0 config.md "POSIX-platform Hooks" and runtime.md "Lifecycle" (steps 3-13)
// and "State", the draft's config.md "Hooks" and runtime.md "State" (bundlePath). Every hook but the
// failing ones is hook-script.ts's shell script, which logs its name, pid, namespaces, argv, environ
// and stdin: the log says which hooks ran, in which order, where, with what. startContainer hooks
// run in the container, where the kit's directory is bind-mounted under /tmp (a static busybox runs
// the script there). The user's process prints `user-code-ran` where a test must know whether it ran.
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/spec/config.ts';
import {
  eachTestSandbox,
  hostMountPoints,
  isAlive,
  isRoot,
  lines,
  madeFor,
  NEEDS_ROOT,
  nsOf,
  probeReport,
  processesIn,
  Sandbox,
  waitFor,
  waitForStatus,
  waitForText,
  type Result,
} from './harness.ts';
import { HookKit, IN_CONTAINER, NS_TYPES, type Hook, type HookKind, type Hooks } from './hook-script.ts';

const USER_CODE = ['/probe', 'print', 'user-code-ran', 'sleep', '600'];
/** The kinds in lifecycle order (runtime.md "Lifecycle" steps 3, 4, 5, 7, 9, 13). */
const ORDER: HookKind[] = ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'];
const IN_CONTAINER_NS: HookKind[] = ['createContainer', 'startContainer'];

type Namespaces = Record<string, string>;
const namespacesOf = (pid: number | 'self'): Namespaces => Object.fromEntries(NS_TYPES.map((t) => [t, nsOf(pid, t)]));
const kindOf = (name: string) => name.replace(/-.*$/, '') as HookKind;
const withArgs = (h: Hook, ...extra: string[]): Hook => ({ ...h, args: [...(h.args ?? []), ...extra] });
/** Neither a hook's stdout nor its stderr (hook-script.ts writes `hook-stdout NAME`, `hook-stderr NAME`). */
const HOOK_OUTPUT = /hook-std(out|err)/;

/** How a hook fails: a non-zero exit, its timeout, or a program that cannot be executed. */
type Failure = 'exits 3' | 'runs past its timeout' | 'cannot be executed';

describe.skipIf(!isRoot)(`hooks (${NEEDS_ROOT})`, () => {
  let s: Sandbox;
  let kits: HookKit[] = [];
  eachTestSandbox((x) => (s = x));
  // Registered after eachTestSandbox, so it runs before its cleanup: a hook that outlived its
  // timeout (a runtime that does not kill it) is killed here, by pid, after checking it is ours.
  afterEach(() => {
    for (const k of kits) k.killStrays();
    kits = [];
  });

  const kit = () => {
    const k = new HookKit(s);
    kits.push(k);
    return k;
  };

  /** The hook that fails in `how`, named NAME-failing (a program that cannot be executed logs nothing). */
  function failing(k: HookKit, kind: HookKind, how: Failure): Hook {
    const name = `${kind}-failing`;
    const inside = kind === 'startContainer';
    if (how === 'exits 3') return inside ? k.inContainer(name, { code: 3 }) : k.hook(name, { code: 3 });
    if (how === 'runs past its timeout') return inside ? k.inContainer(name, { sleep: 30, timeout: 1 }) : k.hook(name, { sleep: 30, timeout: 1 });
    // startContainer's path resolves in the container: a path only the host has is missing there.
    return inside ? { path: k.script } : k.unexecutable(name);
  }

  /** One logging hook of every kind (NAME-1; two poststop), with `bad` then KIND-2 after KIND-1: bad is hooks.KIND[1]. */
  function everyKindWith(k: HookKit, kind: HookKind, bad: Hook): Hooks {
    const hooks: Hooks = {};
    for (const x of ORDER) hooks[x] = [x === 'startContainer' ? k.inContainer(`${x}-1`) : k.hook(`${x}-1`)];
    hooks.poststop!.push(k.hook('poststop-2'));
    hooks[kind] = [hooks[kind]![0]!, bad, kind === 'startContainer' ? k.inContainer(`${kind}-2`) : k.hook(`${kind}-2`)];
    return hooks;
  }

  /** The names a run up to a failing hooks.KIND[1] logs: KIND-1 and every earlier kind's, the failing one, then poststop-1, poststop-2. */
  function loggedUpTo(kind: HookKind, how: Failure): string[] {
    const before = ORDER.slice(0, ORDER.indexOf(kind) + 1).map((x) => `${x}-1`);
    return [...before, ...(how === 'cannot be executed' ? [] : [`${kind}-failing`]), 'poststop-1', 'poststop-2'];
  }

  function hooked(sample: string, k: HookKit, hooks: Hooks, args: string[], edit: (c: Config) => void = () => {}): string {
    return s.bundle(sample, (c) => {
      if (hooks.startContainer) k.mountInto(c);
      c.process!.args = args;
      c.hooks = hooks;
      edit(c);
    });
  }

  function created(bundle: string, id: string): Result & { out: string } {
    const r = s.create(bundle, id);
    expect(r.code, r.stderr).toBe(0);
    return r;
  }

  function ok(r: Result, what: string): Result {
    expect(r.code, `${what}: ${r.stderr}`).toBe(0);
    return r;
  }

  /** kill KILL, wait until stopped, delete (with `global` flags such as --log); returns delete's result. */
  async function stopAndDelete(id: string, global: string[] = []): Promise<Result> {
    if (s.state(id).status !== 'stopped') ok(s.ocirt(['kill', id, 'KILL']), 'kill');
    expect(await waitForStatus(s, id, 'stopped')).toBe('stopped');
    return s.ocirt([...global, 'delete', id]);
  }

  /** A failed operation's error: one line naming the hook. */
  function failedNaming(r: Result, at: string): void {
    expect(r.code, r.stderr).toBeGreaterThan(0);
    expect(lines(r.stderr), r.stderr).toHaveLength(1);
    expect(r.stderr).toContain(at);
  }

  /** The container is stopped: its init and every process of its PID namespace are gone. */
  async function allGone(pid: number, pidNs?: string): Promise<void> {
    expect(await waitFor(() => !isAlive(pid)), `the init ${pid} still runs`).toBe(true);
    if (pidNs) expect(await waitFor(() => processesIn('pid', pidNs).length === 0), `processes left in ${pidNs}`).toBe(true);
  }

  /** After a failed start: the container is gone, or left stopped for delete (step 12 has destroyed what it ran). */
  function stoppedOrGone(id: string): void {
    const st = s.ocirt(['state', id]);
    if (st.code === 0) expect((JSON.parse(st.stdout) as { status: string }).status).toBe('stopped');
  }

  /** A warning naming the hook: on stderr without --log, in the log with it. */
  function warnedAbout(r: Result, at: string, log?: string): void {
    const where = log ? readFileSync(log, 'utf8') : r.stderr;
    expect(lines(where).some((l) => /warning/.test(l) && l.includes(at)), `no warning naming ${at} in: ${where}`).toBe(true);
  }

  /** A whole v1.3.0 lifecycle with two hooks of every kind; what the log held after each operation. */
  async function v1Lifecycle() {
    const k = kit();
    const two = (kind: HookKind) => [1, 2].map((n) => (kind === 'startContainer' ? k.inContainer(`${kind}-${n}`) : k.hook(`${kind}-${n}`)));
    const hooks = Object.fromEntries(ORDER.map((kind) => [kind, two(kind)])) as Hooks;
    // The user's process reads the log: what had run before it.
    const bundle = hooked('v1-basic', k, hooks, ['/probe', 'read', `${IN_CONTAINER}/hooks.log`, 'sleep', '600'], (c) => (c.annotations = { 'org.example.hooks': 'yes' }));
    const id = s.id();
    const create = created(bundle, id);
    const afterCreate = k.names();
    const state = s.state(id);
    const init = { pid: state.pid, ns: namespacesOf(state.pid) };
    const start = ok(s.ocirt(['start', id]), 'start');
    const afterStart = k.names();
    const seen = probeReport(await waitForText(create.out, '}')).text as string;
    const seenByProcess = lines(seen).map((l) => l.split('\t')[0]);
    const del = ok(await stopAndDelete(id), 'delete');
    return { k, id, bundle, state, init, create, start, del, afterCreate, afterStart, seenByProcess, afterDelete: k.names(), runs: k.runs() };
  }

  describe('v1.3.0', () => {
    it('hooks run in the listed order at their lifecycle steps: prestart, createRuntime, createContainer at create; startContainer before the process; poststart before start returns; poststop at delete', async () => {
      const l = await v1Lifecycle();
      const names = (kind: HookKind) => [`${kind}-1`, `${kind}-2`];
      const atCreate = ['prestart', 'createRuntime', 'createContainer'].flatMap((x) => names(x as HookKind));
      expect(l.afterCreate).toEqual(atCreate);
      expect(l.seenByProcess.slice(0, 8)).toEqual([...atCreate, ...names('startContainer')]);
      expect(l.afterStart).toEqual([...atCreate, ...names('startContainer'), ...names('poststart')]);
      expect(l.afterDelete).toEqual([...l.afterStart, ...names('poststop')]);
    });

    it("poststop hooks run once the container is destroyed (step 12, then 13): the state's pid is no process by then; the init lives for the other runtime-namespace hooks", async () => {
      const l = await v1Lifecycle();
      const live = Object.fromEntries(l.runs.filter((r) => !IN_CONTAINER_NS.includes(kindOf(r.name))).map((r) => [r.name, r.stateLive]));
      const want = (name: string) => (kindOf(name) === 'poststop' ? (l.k.run(name).state?.pid === undefined ? undefined : false) : true);
      expect(live).toEqual(Object.fromEntries(Object.keys(live).map((name) => [name, want(name)])));
    });

    it('each hook reads the state on stdin: id, bundle, annotations; status creating, created, running, stopped; pid as its namespace sees it', async () => {
      const l = await v1Lifecycle();
      const base = { ociVersion: l.state.ociVersion, id: l.id, bundle: l.bundle, annotations: { 'org.example.hooks': 'yes' } };
      const want = (name: string) => {
        const kind = kindOf(name);
        const pid = IN_CONTAINER_NS.includes(kind) ? 1 : l.init.pid; // 1: the init in its new PID namespace
        if (kind === 'poststop') return { ...base, status: 'stopped' };
        const status = { startContainer: 'created', poststart: 'running' }[kind as string] ?? 'creating';
        return { ...base, status, pid };
      };
      expect(l.runs.map((r) => r.stdin).filter((x) => !x.startsWith('{'))).toEqual([]);
      expect(Object.fromEntries(l.runs.map((r) => [r.name, r.state]))).toMatchObject(Object.fromEntries(l.runs.map((r) => [r.name, want(r.name)])));
      expect(l.runs).toHaveLength(12);
    });

    it("prestart, createRuntime, poststart and poststop run in the runtime namespaces; createContainer and startContainer in the container's", async () => {
      const l = await v1Lifecycle();
      const runtime = namespacesOf('self');
      expect(l.init.ns.mnt).not.toBe(runtime.mnt);
      const where = (name: string) => (IN_CONTAINER_NS.includes(kindOf(name)) ? l.init.ns : runtime);
      expect(Object.fromEntries(l.runs.map((r) => [r.name, r.ns]))).toEqual(Object.fromEntries(l.runs.map((r) => [r.name, where(r.name)])));
    });

    it("a hook's stdout and stderr reach neither the container's stdout nor ocirt's", async () => {
      const l = await v1Lifecycle();
      expect(l.runs).toHaveLength(12);
      expect(readFileSync(l.create.out, 'utf8')).not.toMatch(HOOK_OUTPUT);
      expect(probeReport(readFileSync(l.create.out, 'utf8')).path).toBe(`${IN_CONTAINER}/hooks.log`); // the process's output is there
      for (const r of [l.create, l.start, l.del]) expect(r.stdout).not.toMatch(HOOK_OUTPUT);
    });

    it("createContainer's path resolves on the host (before pivot_root); startContainer's in the container (/probe, which the host lacks)", async () => {
      expect(existsSync('/probe')).toBe(false);
      const k = kit();
      const hooks: Hooks = {
        createContainer: [k.hook('createContainer')], // the kit's directory is not in the container
        startContainer: [{ path: '/probe', args: ['probe', 'write', '/tmp/written-by-startContainer', 'yes'] }],
      };
      const bundle = s.bundle('v1-basic', (c) => {
        c.process!.args = ['/probe', 'ls', '/tmp'];
        c.hooks = hooks;
      });
      const id = s.id();
      const r = created(bundle, id);
      expect(k.names()).toEqual(['createContainer']);
      ok(s.ocirt(['start', id]), 'start');
      const listed = JSON.parse(lines(await waitForText(r.out, ']')).at(-1)!) as string[];
      expect(listed).toContain('written-by-startContainer');
    });

    it("args (argv[0] too) and env are passed as given, and the env is exactly the hook's: nothing of ocirt's, empty without one", async () => {
      const k = kit();
      const env = (kind: string) => [`KIND=${kind}`, 'SPACED=a b', 'EMPTY='];
      const hooks: Hooks = {};
      for (const kind of ORDER) {
        hooks[kind] =
          kind === 'startContainer'
            ? [{ ...withArgs(k.inContainer(kind), 'an arg with spaces'), env: env(kind) }] // busybox needs argv[0] "sh"
            : [k.withArgv0(`argv0-of-${kind}`, kind, ['an arg with spaces'], env(kind))];
      }
      hooks.prestart!.push(k.hook('prestart-without-env'));
      const bundle = hooked('v1-basic', k, hooks, ['/probe', 'exit', '0']);
      const id = s.id();
      const leak = { prefix: ['/usr/bin/env', 'OCIRT_CALLER_ENV=leaked'] }; // ocirt's own environment
      ok(s.ocirt(['create', '--bundle', bundle, id], { ...leak, stdout: s.file('out') }), 'create');
      ok(s.ocirt(['start', id], leak), 'start');
      expect(await waitForStatus(s, id, 'stopped')).toBe('stopped');
      ok(s.ocirt(['delete', id], leak), 'delete');
      const runs = k.runs();
      const given = Object.fromEntries(ORDER.map((kind) => [kind, { argv: hooks[kind]![0]!.args, env: hooks[kind]![0]!.env }]));
      expect(Object.fromEntries(runs.filter((r) => r.name !== 'prestart-without-env').map((r) => [r.name, { argv: r.argv, env: r.env }]))).toEqual(given);
      expect(k.run('prestart-without-env').env).toEqual([]);
    });

    it('createContainer runs in the container\'s user namespace too (v1-userns), with pid 1; prestart in the runtime\'s', () => {
      const k = kit();
      const bundle = hooked('v1-userns', k, { prestart: [k.hook('prestart')], createContainer: [k.hook('createContainer')] }, ['/probe', 'exit', '0']);
      const id = s.id();
      created(bundle, id);
      const init = s.state(id).pid;
      expect(nsOf(init, 'user')).not.toBe(nsOf('self', 'user'));
      expect(k.run('createContainer').ns).toEqual(namespacesOf(init));
      expect(k.run('createContainer').state).toMatchObject({ id, status: 'creating', pid: 1 });
      expect(k.run('prestart').ns).toEqual(namespacesOf('self'));
      expect(k.run('prestart').state).toMatchObject({ id, status: 'creating', pid: init });
    });

    const CREATE_FAILURES: Array<[HookKind, Failure]> = (['prestart', 'createRuntime', 'createContainer'] as HookKind[]).flatMap((kind) =>
      (['exits 3', 'runs past its timeout', 'cannot be executed'] as Failure[]).map((how): [HookKind, Failure] => [kind, how]),
    );

    it.each(CREATE_FAILURES)('a %s hook that %s fails create, which destroys the container (nothing left) and runs the poststop hooks before it returns', async (kind, how) => {
      const k = kit();
      const bundle = hooked('v1-basic', k, everyKindWith(k, kind, failing(k, kind, how)), USER_CODE);
      const id = s.id();
      const before = hostMountPoints();
      const r = s.create(bundle, id);
      failedNaming(r, `hooks.${kind}[1]`);
      expect(k.names()).toEqual(loggedUpTo(kind, how));
      expect(madeFor(s, id, before)).toEqual([]);
      expect(k.runs().filter((x) => x.name.startsWith('poststop')).map((x) => x.stateLive), 'the init was alive when the poststop hooks ran').not.toContain(true);
      const init = k.run('prestart-1').state?.pid as number;
      expect(init).toBeGreaterThan(0);
      await allGone(init);
      if (how === 'runs past its timeout') expect(await waitFor(() => !isAlive(k.run(`${kind}-failing`).pid)), 'the timed-out hook still runs').toBe(true);
      expect(readFileSync(r.out, 'utf8')).not.toContain('user-code-ran');
    });

    it.each(['exits 3', 'runs past its timeout', 'cannot be executed'] as Failure[])(
      'a startContainer hook that %s fails start: the process never runs, the container is stopped and the poststop hooks run before start returns',
      async (how) => {
        const k = kit();
        const bundle = hooked('v1-basic', k, everyKindWith(k, 'startContainer', failing(k, 'startContainer', how)), USER_CODE);
        const id = s.id();
        const r = created(bundle, id);
        const init = s.state(id).pid;
        const pidNs = nsOf(init, 'pid');
        failedNaming(s.ocirt(['start', id]), 'hooks.startContainer[1]');
        expect(k.names()).toEqual(loggedUpTo('startContainer', how));
        await allGone(init, pidNs);
        expect(readFileSync(r.out, 'utf8')).not.toContain('user-code-ran');
        stoppedOrGone(id);
      },
    );

    it.each(['exits 3', 'runs past its timeout'] as Failure[])('a poststart hook that %s fails start, stops the container (its init killed) and runs the poststop hooks', async (how) => {
      const k = kit();
      const bundle = hooked('v1-basic', k, everyKindWith(k, 'poststart', failing(k, 'poststart', how)), USER_CODE);
      const id = s.id();
      const r = created(bundle, id);
      const init = s.state(id).pid;
      const pidNs = nsOf(init, 'pid');
      failedNaming(s.ocirt(['start', id]), 'hooks.poststart[1]');
      expect(k.names()).toEqual(loggedUpTo('poststart', how));
      expect(k.run('poststart-failing').state).toMatchObject({ status: 'running', pid: init });
      expect(await waitForText(r.out, 'user-code-ran')).toContain('user-code-ran');
      await allGone(init, pidNs);
      if (how === 'runs past its timeout') expect(await waitFor(() => !isAlive(k.run('poststart-failing').pid)), 'the timed-out hook still runs').toBe(true);
      stoppedOrGone(id);
    });

    it.each(['exits 3', 'runs past its timeout', 'cannot be executed'] as Failure[])(
      'a poststop hook that %s is a warning: the next poststop hook runs and delete succeeds',
      async (how) => {
        const k = kit();
        const bundle = hooked('v1-basic', k, { poststop: [k.hook('poststop-1'), failing(k, 'poststop', how), k.hook('poststop-2')] }, ['/probe', 'exit', '0']);
        const id = s.id();
        const before = hostMountPoints();
        created(bundle, id);
        ok(s.ocirt(['start', id]), 'start');
        const del = await stopAndDelete(id);
        expect(del.code, del.stderr).toBe(0);
        warnedAbout(del, 'hooks.poststop[1]');
        expect(k.names()).toEqual(['poststop-1', ...(how === 'cannot be executed' ? [] : ['poststop-failing']), 'poststop-2']);
        expect(madeFor(s, id, before)).toEqual([]);
        if (how === 'runs past its timeout') expect(await waitFor(() => !isAlive(k.run('poststop-failing').pid)), 'the timed-out hook still runs').toBe(true);
      },
    );

    it.each([
      ['a relative path', 'prestart', (h: Hook) => ({ ...h, path: 'bin/sh' }), 'hooks.prestart[0].path'],
      ['a relative startContainer path', 'startContainer', (h: Hook) => ({ ...h, path: 'probe' }), 'hooks.startContainer[0].path'],
      ['a path that does not exist', 'createRuntime', (h: Hook) => ({ ...h, path: '/nonexistent/hook' }), 'hooks.createRuntime[0].path'],
      ['timeout 0', 'createContainer', (h: Hook) => ({ ...h, timeout: 0 }), 'hooks.createContainer[0].timeout'],
      ['a negative timeout', 'poststart', (h: Hook) => ({ ...h, timeout: -1 }), 'hooks.poststart[0].timeout'],
    ] as Array<[string, HookKind, (h: Hook) => Hook, string]>)('a hook with %s is refused by create, naming the field; nothing is made and no hook runs', (_what, kind, bad, field) => {
      const k = kit();
      const bundle = hooked('v1-basic', k, { prestart: [], [kind]: [bad(k.hook(kind))], poststop: [k.hook('poststop')] }, USER_CODE);
      const id = s.id();
      const before = hostMountPoints();
      const r = s.create(bundle, id);
      failedNaming(r, field);
      expect(madeFor(s, id, before)).toEqual([]);
      expect(s.rootEntries()).toEqual([]);
      expect(k.names()).toEqual([]);
    });
  });

  describe('the draft (0.6.0-dev)', () => {
    it('prestart at create, poststart at start, poststop at delete, in the listed order, in the runtime namespaces, with the draft state (bundlePath) on stdin', async () => {
      const k = kit();
      const hooks = Object.fromEntries(['prestart', 'poststart', 'poststop'].map((x) => [x, [k.hook(`${x}-1`), k.hook(`${x}-2`)]])) as Hooks;
      const bundle = hooked('draft-basic', k, hooks, USER_CODE);
      const id = s.id();
      const create = created(bundle, id);
      expect(k.names()).toEqual(['prestart-1', 'prestart-2']);
      const state = s.state(id);
      const start = ok(s.ocirt(['start', id]), 'start');
      expect(k.names()).toEqual(['prestart-1', 'prestart-2', 'poststart-1', 'poststart-2']);
      expect(await waitForText(create.out, 'user-code-ran')).toBe('user-code-ran\n');
      const del = ok(await stopAndDelete(id), 'delete');
      const runs = k.runs();
      expect(runs.map((r) => r.name)).toEqual(['prestart-1', 'prestart-2', 'poststart-1', 'poststart-2', 'poststop-1', 'poststop-2']);
      const base = { ociVersion: '0.6.0-dev', id, bundlePath: bundle };
      const want = (name: string) => (name.startsWith('poststop') ? base : { ...base, pid: state.pid });
      expect(Object.fromEntries(runs.map((r) => [r.name, r.state]))).toMatchObject(Object.fromEntries(runs.map((r) => [r.name, want(r.name)])));
      const runtime = namespacesOf('self');
      expect(Object.fromEntries(runs.map((r) => [r.name, r.ns]))).toEqual(Object.fromEntries(runs.map((r) => [r.name, runtime])));
      expect(readFileSync(create.out, 'utf8')).toBe('user-code-ran\n');
      for (const r of [create, start, del]) expect(r.stdout).not.toMatch(HOOK_OUTPUT);
    });

    it("a failing prestart hook fails create with its exit code and stderr, and the container is torn down", async () => {
      const k = kit();
      const bundle = hooked('draft-basic', k, { prestart: [k.hook('prestart-1'), k.hook('prestart-failing', { code: 77 })] }, USER_CODE);
      const id = s.id();
      const before = hostMountPoints();
      const r = s.create(bundle, id);
      failedNaming(r, 'hooks.prestart[1]');
      expect(r.stderr).toMatch(/\b77\b/);
      expect(r.stderr).toContain('hook-stderr prestart-failing');
      expect(madeFor(s, id, before)).toEqual([]);
      await allGone(k.run('prestart-1').state?.pid as number);
      expect(readFileSync(r.out, 'utf8')).not.toContain('user-code-ran');
    });

    it('a failing poststart hook is only logged: start succeeds, the container runs, the remaining poststart hooks run', async () => {
      const k = kit();
      const bundle = hooked('draft-basic', k, { poststart: [k.hook('poststart-failing', { code: 3 }), k.hook('poststart-2')] }, USER_CODE);
      const id = s.id();
      const r = created(bundle, id);
      const log = s.file('log.json');
      const start = s.ocirt(['--log', log, '--log-format', 'json', 'start', id]);
      expect(start.code, start.stderr).toBe(0);
      warnedAbout(start, 'hooks.poststart[0]', log);
      expect(k.names()).toEqual(['poststart-failing', 'poststart-2']);
      expect(await waitForText(r.out, 'user-code-ran')).toContain('user-code-ran');
      expect(s.state(id).status).toBe('running');
    });

    it('a failing poststop hook is only logged: delete succeeds and the remaining poststop hooks run', async () => {
      const k = kit();
      const bundle = hooked('draft-basic', k, { poststop: [k.hook('poststop-failing', { code: 3 }), k.hook('poststop-2')] }, ['/probe', 'exit', '0']);
      const id = s.id();
      const before = hostMountPoints();
      created(bundle, id);
      ok(s.ocirt(['start', id]), 'start');
      const log = s.file('log.txt');
      const del = ok(await stopAndDelete(id, ['--log', log]), 'delete');
      warnedAbout(del, 'hooks.poststop[0]', log);
      expect(k.names()).toEqual(['poststop-failing', 'poststop-2']);
      expect(madeFor(s, id, before)).toEqual([]);
    });
  });
});
