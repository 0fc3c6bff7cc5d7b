// `ocirt exec` (runc's grammar; ENGINES.md "exec"): the process joins every namespace of the
// container's init and its cgroup, gets the process security of `process`, passes its exit status
// through in the foreground, and with --detach is left to the caller to reap; a failure leaves a
// one-line message, a non-zero exit and no pid file.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/spec/config.ts';
import { cgroupPids, eachTestSandbox, isAlive, isRoot, lines, NEEDS_ROOT, OCIRT, PROJECT, probeReport, Sandbox, waitFor, waitForStatus, waitForText } from './harness.ts';

const NS_TYPES = ['cgroup', 'ipc', 'mnt', 'net', 'pid', 'time', 'user', 'uts'];
const RUNC = '/usr/sbin/runc';

/** The inode of a namespace, as the probe reports it: readlink gives `net:[4026531840]`. */
const inode = (pid: number, type: string) => Number(/\[(\d+)\]/.exec(readlinkSync(`/proc/${pid}/ns/${type}`))![1]);

/**
 * The caller's part in a detached exec, as conmon or the containerd shim plays it: a subreaper (in a
 * process of its own, so that this test process keeps its usual parent) runs `ocirt exec --detach`,
 * then reads the process's parent and reaps it with waitpid(2), SIGKILLing it first when asked.
 */
const SUBREAPER = `
const koffi = require('koffi');
const { spawnSync } = require('node:child_process');
const { readdirSync, readFileSync } = require('node:fs');
const [ocirt, argv, pidFile, kill] = JSON.parse(process.argv[1]);
const libc = koffi.load('libc.so.6');
if (libc.func('int prctl(int, unsigned long, unsigned long, unsigned long, unsigned long)')(36, 1, 0, 0, 0) !== 0) throw new Error('PR_SET_CHILD_SUBREAPER');
const waitpid = libc.func('int waitpid(int, _Out_ int *, int)');
const code = spawnSync(ocirt, argv, { stdio: 'ignore', env: {}, timeout: 20000 }).status;
if (code !== 0) { console.log(JSON.stringify({ code })); process.exit(0); }
const pidText = readFileSync(pidFile, 'utf8');
const pid = Number(pidText);
const ppid = Number(readFileSync('/proc/' + pid + '/stat', 'utf8').split(') ')[1].split(' ')[1]);
const cgroup = kill ? readFileSync('/proc/' + pid + '/cgroup', 'utf8') : '';
const fds = kill ? readdirSync('/proc/' + pid + '/fd').sort() : [];
if (kill) process.kill(pid, 'SIGKILL');
const st = [0];
const reaped = waitpid(pid, st, 0);
const s = st[0];
console.log(JSON.stringify({ code, pidText, pid, ppid, cgroup, fds, self: process.pid, reaped, status: (s & 0x7f) === 0 ? (s >> 8) & 0xff : 128 + (s & 0x7f) }));
`;

interface Reaped {
  code: number;
  pidText: string;
  pid: number;
  /** /proc/<pid>/cgroup and its fds, read while it ran (when it was to be killed) */
  cgroup: string;
  fds: string[];
  ppid: number;
  self: number;
  reaped: number;
  status: number;
}

const commOf = (pid: number) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim();

describe.skipIf(!isRoot)(`exec (${NEEDS_ROOT})`, () => {
  let s: Sandbox;
  eachTestSandbox((x) => (s = x));

  /** A started container whose init sleeps; `edit` changes its config. */
  function running(edit: (c: Config) => void = () => {}, sample = 'v1-basic', start = true): { id: string; init: number } {
    const id = s.id();
    const r = s.create(s.bundle(sample, (c) => { c.process!.args = ['/probe', 'sleep', '1000']; edit(c); }), id);
    expect(r.code, r.stderr).toBe(0);
    if (start) expect(s.ocirt(['start', id]).code).toBe(0);
    return { id, init: s.state(id).pid };
  }

  /** `ocirt exec ARGS` in the foreground; the process's report from its stdout. */
  function execReport(args: string[]): Record<string, unknown> {
    const r = s.ocirt(['exec', ...args]);
    expect(r.code, r.stderr).toBe(0);
    return probeReport(r.stdout);
  }

  /** A failed exec: exit 1, one line on stderr, and no pid file. */
  function execFails(args: string[]): string {
    const pidFile = s.file('pid');
    const r = s.ocirt(['exec', '--pid-file', pidFile, ...args]);
    expect(r.code, r.stdout).not.toBe(0);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(existsSync(pidFile)).toBe(false);
    return r.stderr.trim();
  }

  it('runs in every namespace of the init, in its root filesystem, with its hostname', () => {
    const { id, init } = running();
    const rep = execReport([id, '/probe', 'report']);
    const ns = rep.namespaces as Record<string, number>;
    for (const type of NS_TYPES) expect(ns[type], type).toBe(inode(init, type));
    expect(rep.hostname).toBe('ocirt-v1');
    expect(rep.ppid).toBe(0); // its parent is outside the container's PID namespace, as with runc
    expect(rep.pid).not.toBe(1);
    const root = (rep.mountinfo as Array<{ mount_point: string; root: string }>).find((m) => m.mount_point === '/');
    expect(root?.root).toMatch(/bundles\/v1-basic\/rootfs$/);
  });

  it('a created container takes exec too (runc allows it): its init already has its namespaces', () => {
    const { id, init } = running(() => {}, 'v1-basic', false);
    const rep = execReport([id, '/probe', 'report']);
    expect((rep.namespaces as Record<string, number>).mnt).toBe(inode(init, 'mnt'));
    expect(s.state(id).status).toBe('created');
  });

  it.each(['v1-userns'])('%s: the process joins the user namespace first, and is the container\'s root, created or running', (sample) => {
    const { id, init } = running(() => {}, sample, false);
    for (const when of ['created', 'running']) {
      if (when === 'running') expect(s.ocirt(['start', id]).code).toBe(0);
      const rep = execReport([id, '/probe', 'report']);
      const ns = rep.namespaces as Record<string, number>;
      for (const type of NS_TYPES) expect(ns[type], `${when} ${type}`).toBe(inode(init, type));
      expect(rep).toMatchObject({ uid: 0, gid: 0 });
    }
    const other = execReport(['--user', '1000:1000', id, '/probe', 'report']);
    expect(other).toMatchObject({ uid: 1000, gid: 1000 });
  });

  it('inline flags start from the container\'s process: its env, user, cwd, umask, capabilities, rlimits and no_new_privs', () => {
    const caps = ['CAP_CHOWN', 'CAP_KILL'];
    const { id } = running((c) => {
      c.process!.user = { uid: 0, gid: 0, umask: 0o027, additionalGids: [7] };
      c.process!.env = ['PATH=/bin', 'A=1'];
      c.process!.cwd = '/tmp';
      c.process!.noNewPrivileges = true;
      c.process!.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 512, hard: 1024 }];
      c.process!.capabilities = { bounding: caps, effective: caps, permitted: caps, inheritable: [], ambient: [] };
    });
    const rep = execReport([id, '/probe', 'report']);
    expect(rep).toMatchObject({ uid: 0, gid: 0, groups: [7], umask: 0o027, cwd: '/tmp', no_new_privs: 1, env: ['PATH=/bin', 'A=1'] });
    expect((rep.rlimits as Record<string, unknown>).RLIMIT_NOFILE).toEqual({ soft: 512, hard: 1024 });
    expect(rep.capabilities).toMatchObject({ bounding: '0000000000000021', effective: '0000000000000021', permitted: '0000000000000021', ambient: '0000000000000000' });
    const flagged = execReport(['--env', 'A=2', '-e', 'B=3', '--cwd', '/', '--user', '1000:1001', '-g', '5', '--cap', 'CAP_NET_RAW', id, '/probe', 'report']);
    expect(flagged).toMatchObject({ uid: 1000, gid: 1001, groups: [5, 7], cwd: '/', umask: 0o027, env: ['PATH=/bin', 'A=2', 'B=3'] });
    expect((flagged.capabilities as Record<string, string>).bounding).toBe('0000000000002021'); // CAP_NET_RAW (13) added
  });

  it('--no-new-privs sets no_new_privs over a process that has it off', () => {
    const { id } = running();
    expect(execReport([id, '/probe', 'report']).no_new_privs).toBe(0);
    expect(execReport(['--no-new-privs', id, '/probe', 'report']).no_new_privs).toBe(1);
  });

  it('the seccomp program create compiled applies: a denied mkdir fails with its errno', () => {
    const { id } = running((c) => {
      c.linux!.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 }] };
    });
    const r = s.ocirt(['exec', id, '/probe', 'report', 'syscall', 'mkdir', '/tmp/x', '0755']);
    expect(r.code, r.stderr).toBe(0);
    const [report, call] = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(report!.seccomp).toBe(2); // SECCOMP_MODE_FILTER
    expect(call).toMatchObject({ syscall: 'mkdir', ret: -1, errno: 13 });
  });

  /** `ocirt exec --detach --pid-file F ID ARGS` run by a subreaper (SUBREAPER), which reaps the process. */
  function detached(id: string, args: string[], kill: boolean): Reaped {
    const pidFile = s.file('pid');
    const argv = ['--root', s.root, 'exec', '--detach', '--pid-file', pidFile, id, ...args];
    const r = spawnSync(process.execPath, ['-e', SUBREAPER, JSON.stringify([OCIRT, argv, pidFile, kill])], { cwd: PROJECT, encoding: 'utf8', timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as Reaped;
  }

  it('--detach: exits 0 while the process runs, its host pid in --pid-file, left to the caller\'s subreaper, which reaps its status', () => {
    const { id, init } = running();
    const slept = detached(id, ['/probe', 'sleep', '30'], true);
    expect(slept.code).toBe(0);
    expect(slept.pidText).toMatch(/^[0-9]+$/); // decimal, no newline
    expect(slept.ppid).toBe(slept.self); // when ocirt returned, no ocirt process was the process's parent
    expect(slept.cgroup).toBe(readFileSync(`/proc/${init}/cgroup`, 'utf8')); // the container's cgroup, in every hierarchy
    expect(slept.fds).toEqual(['0', '1', '2']); // nothing of ocirt's or the caller's but stdio
    expect(slept).toMatchObject({ reaped: slept.pid, status: 128 + 9 });
    expect(detached(id, ['/probe', 'exit', '3'], false)).toMatchObject({ code: 0, status: 3 });
    expect(readdirSync(s.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]); // the pid file was renamed into place
  });

  it('the foreground exit status passes through: exit 7 is 7', () => {
    const { id } = running();
    expect(s.ocirt(['exec', id, '/probe', 'exit', '7']).code).toBe(7);
    expect(s.ocirt(['exec', id, '/probe', 'exit', '0']).code).toBe(0);
  });

  it('killed by a signal: 128 + its number; a signal sent to ocirt goes on to the process', async () => {
    const { id } = running();
    const pidFile = s.file('pid');
    const killed = s.ocirtAsync(['exec', '--pid-file', pidFile, id, '/probe', 'sleep', '30']);
    expect(await waitFor(() => existsSync(pidFile))).toBe(true);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(commOf(pid)).toBe('probe');
    process.kill(pid, 'SIGKILL');
    expect((await killed).code).toBe(128 + 9);

    const out = s.file('out');
    const o = openSync(out, 'w');
    const cli = spawn(OCIRT, ['--root', s.root, 'exec', id, '/probe', 'print', 'ready', 'wait-signal'], { stdio: ['ignore', o, 'ignore'], env: {} });
    closeSync(o);
    const exited = new Promise<number | null>((resolve) => cli.once('exit', (code) => resolve(code)));
    expect(await waitForText(out, 'ready')).toContain('ready');
    cli.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(await waitForText(out, 'signal')).toContain('{"signal":15}');
  });

  it('--preserve-fds 1: the caller\'s fd 3 is the process\'s fd 3, fd 4 is not there; without it fd 3 is not either', () => {
    const { id } = running();
    const file = s.file('shared');
    const fd = openSync(file, 'w');
    const out = s.file('out');
    const o = openSync(out, 'w');
    try {
      const run = (flags: string[], args: string[]) =>
        spawnSync(OCIRT, ['--root', s.root, 'exec', ...flags, id, '/probe', ...args], { stdio: ['ignore', o, 'ignore', fd, fd], env: {}, timeout: 20_000 }).status;
      expect(run(['--preserve-fds', '1'], ['write', '/proc/self/fd/3', 'through fd 3', 'stat', '/proc/self/fd/3', 'stat', '/proc/self/fd/4'])).toBe(0);
      expect(run([], ['stat', '/proc/self/fd/3'])).toBe(0);
    } finally {
      closeSync(fd);
      closeSync(o);
    }
    expect(readFileSync(file, 'utf8')).toBe('through fd 3');
    const [kept, absent, without] = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(kept).toMatchObject({ type: 'file' });
    expect(absent).toMatchObject({ errno: 2 });
    expect(without).toMatchObject({ errno: 2 });
  });

  it.each([3, 4, 5, 6, 7, 8])('--cwd /proc/self/fd/%i does not leave the container: exec fails, or the cwd is inside', (n) => {
    const { id } = running();
    const r = s.ocirt(['exec', '--cwd', `/proc/self/fd/${n}`, id, '/probe', 'report']);
    if (r.code !== 0) return expect(r.stderr).toMatch(/^ocirt: process\.cwd/);
    const cwd = probeReport(r.stdout).cwd as string;
    expect(cwd).not.toMatch(/unreachable/);
    expect(cwd.startsWith('/')).toBe(true);
  });

  it('--process FILE is the whole process: nothing comes from the container\'s', () => {
    const { id } = running((c) => (c.process!.env = ['PATH=/bin', 'FROM=config']));
    const file = s.file('process.json');
    writeFileSync(file, JSON.stringify({ args: ['/probe', 'report'], cwd: '/tmp', user: { uid: 5, gid: 6 }, env: ['ONLY=file'] }));
    expect(execReport(['--process', file, id])).toMatchObject({ uid: 5, gid: 6, cwd: '/tmp', env: ['ONLY=file'] });
  });

  it('a CLI killed at any step of the plan leaves no process behind: neither the executor nor a half-joined child', async () => {
    const { id, init } = running();
    const stateDir = join(s.root, id);
    const marker = join(stateDir, 'test-paused');
    const containerPidNs = readlinkSync(`/proc/${init}/ns/pid`);
    /** Live processes of this exec: in the container's PID namespace but the init, or still in the state directory. */
    const strays = () =>
      readdirSync('/proc').filter((p) => /^[0-9]+$/.test(p) && Number(p) !== init && isAlive(Number(p))).filter((p) => {
        try {
          return readlinkSync(`/proc/${p}/ns/pid_for_children`) === containerPidNs || readlinkSync(`/proc/${p}/cwd`) === stateDir;
        } catch {
          return false; // gone meanwhile
        }
      });
    const startOf = (p: string) => `${p}:${readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ')[19]}`;
    const killed: string[] = [];
    const stages = new Set<string>();
    let step = 0;
    for (; step < 60; step++) {
      const cli = spawn(OCIRT, ['--root', s.root, 'exec', id, '/probe', 'exit', '0'], { stdio: 'ignore', env: { OCIRT_TEST_PAUSE_AT_STEP: String(step) } });
      const exited = new Promise<number | null>((resolve) => cli.once('exit', (code) => resolve(code)));
      let done = false;
      void exited.then(() => (done = true));
      // The executor makes the marker when it starts, and writes "step N stage S" into it when it stops.
      const paused = () => (existsSync(marker) ? readFileSync(marker, 'utf8') : '');
      await waitFor(() => paused() !== '' || done);
      if (paused() === '') {
        expect(await exited).toBe(0); // past the last step: the exec ran
        break;
      }
      stages.add(paused().trim().split(' ').at(-1)!);
      rmSync(marker);
      killed.push(...strays().map(startOf));
      cli.kill('SIGKILL');
      await exited;
      expect(await waitFor(() => strays().length === 0), `step ${step}: ${strays().map((p) => commOf(Number(p))).join(', ')}`).toBe(true);
      expect(cgroupPids(id)).toEqual([init]);
    }
    expect(step).toBeGreaterThan(10);
    expect([...stages].sort()).toEqual(['0', '1', '3']);
    expect(s.ocirt(['exec', id, '/probe', 'exit', '0']).code).toBe(0); // and the hook was one exec's only
    // The killed ones were reparented to the host's pid 1: the container's init cannot finish dying
    // (at cleanup) until their zombies are reaped, which this host's pid 1 does in its own time.
    const reaped = (key: string) => { try { return startOf(key.split(':')[0]!) !== key; } catch { return true; } };
    await waitFor(() => killed.every(reaped), 30_000);
  });

  describe('failures: one line, a non-zero exit, no pid file', () => {
    it('an unknown container', () => {
      expect(execFails(['nosuch', '/probe'])).toBe('ocirt: container "nosuch" does not exist');
    });

    it('a stopped container', async () => {
      const id = s.id();
      expect(s.create(s.bundle('v1-basic', (c) => (c.process!.args = ['/probe', 'exit', '0'])), id).code).toBe(0);
      expect(s.ocirt(['start', id]).code).toBe(0);
      expect(await waitForStatus(s, id, 'stopped')).toBe('stopped');
      expect(execFails([id, '/probe'])).toBe('ocirt: cannot exec in a stopped container');
    });

    it('a paused container', () => {
      const { id } = running();
      expect(s.ocirt(['pause', id]).code).toBe(0);
      expect(execFails([id, '/probe'])).toBe('ocirt: cannot exec in a paused container');
      expect(s.ocirt(['resume', id]).code).toBe(0);
    });

    it('a missing program: the texts podman maps to 127 and 126', () => {
      const { id } = running();
      expect(execFails([id, 'nosuch'])).toBe('ocirt: process.args[0]: exec: "nosuch": executable file not found in $PATH');
      expect(execFails([id, '/nosuch'])).toBe('ocirt: process.args[0]: exec: "/nosuch": no such file or directory');
      expect(execFails([id, '/tmp'])).toBe('ocirt: process.args[0]: exec: "/tmp": permission denied');
    });

    it('a step of the process that fails names its field', () => {
      const { id } = running();
      expect(execFails(['--cwd', '/nosuch', id, '/probe'])).toBe('ocirt: process.cwd (/nosuch): chdir /nosuch: no such file or directory');
    });

    it('a bad --process file names what is wrong', () => {
      const { id } = running();
      const file = s.file('process.json');
      writeFileSync(file, '{"args": [');
      expect(execFails(['--process', file, id])).toMatch(new RegExp(`^ocirt: --process ${file}: not valid JSON: `));
      writeFileSync(file, JSON.stringify({ args: ['/probe'], cwd: '/', user: { uid: 'root', gid: 0 } }));
      expect(execFails(['--process', file, id])).toMatch(new RegExp(`^ocirt: --process ${file}: process\\.user\\.uid: `));
      writeFileSync(file, JSON.stringify({ args: ['/probe'], cwd: 'tmp', user: { uid: 0, gid: 0 } }));
      expect(execFails(['--process', file, id])).toMatch(new RegExp(`^ocirt: --process ${file}: process\\.cwd: `));
      rmSync(file);
      expect(execFails(['--process', file, id])).toBe(`ocirt: --process ${file}: cannot read it: ENOENT`);
    });

    it('a terminal with --detach needs --console-socket, and --console-socket needs a terminal (terminal.test.ts has the rest)', () => {
      const { id } = running();
      expect(execFails(['--tty', '--detach', '--pid-file', s.file('pid'), id, '/probe'])).toBe('ocirt: process.terminal: exec detaches, so it needs --console-socket to hand the terminal to');
      expect(execFails(['--console-socket', s.file('sock'), id, '/probe'])).toMatch(/^ocirt: exec: --console-socket: process\.terminal is not true/);
    });
  });

  describe.skipIf(!existsSync(RUNC))('against runc 1.1', () => {
    it('the same flags over the same container give the same process (runc also adds HOME)', () => {
      const caps = ['CAP_CHOWN', 'CAP_SETUID'];
      const edit = (c: Config) => {
        c.process!.args = ['/probe', 'sleep', '1000'];
        c.process!.noNewPrivileges = true;
        c.process!.capabilities = { bounding: caps, effective: ['CAP_CHOWN'], permitted: ['CAP_CHOWN'], inheritable: [], ambient: [] };
      };
      const { id } = running(edit);
      const bundle = s.bundle('v1-basic', edit);
      const runcRoot = join(s.dir, 'runc');
      const rid = s.id('runc');
      const runc = (args: string[]) => spawnSync(RUNC, ['--root', runcRoot, ...args], { cwd: bundle, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
      try {
        expect(spawnSync(RUNC, ['--root', runcRoot, 'create', rid], { cwd: bundle, stdio: 'ignore', timeout: 20_000 }).status).toBe(0);
        expect(runc(['start', rid]).status).toBe(0);
        const flags = ['--env', 'A=1', '--env', 'TERM=dumb', '--user', '1000:1000', '-g', '5', '--cwd', '/tmp', '--cap', 'CAP_KILL'];
        const keys = ['uid', 'gid', 'groups', 'cwd', 'env', 'capabilities', 'no_new_privs', 'umask', 'ppid', 'hostname'];
        const pick = (r: Record<string, unknown>) => Object.fromEntries(keys.map((k) => [k, k === 'env' ? (r.env as string[]).filter((e) => !e.startsWith('HOME=')) : r[k]]));
        for (const f of [[], flags]) {
          const theirs = runc(['exec', ...f, rid, '/probe', 'report']);
          expect(theirs.status, theirs.stderr).toBe(0);
          expect(pick(execReport([...f, id, '/probe', 'report']))).toEqual(pick(probeReport(theirs.stdout)));
        }
      } finally {
        runc(['delete', '--force', rid]);
      }
    });
  });
});
