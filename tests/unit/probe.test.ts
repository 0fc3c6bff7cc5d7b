// Runs the static probe on the host, where its answers can be compared with what the test sees.
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { constants, hostname, machine, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBE_BUILD_COMMAND } from '../../src/bundles/rootfs.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const probe = join(repo, 'native/build/probe');

function run(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): SpawnSyncReturns<string> {
  return spawnSync(probe, args, { encoding: 'utf8', timeout: 10_000, ...options });
}

/** The one JSON line of a report, checked to be exactly one line. */
function report(result: SpawnSyncReturns<string>): Record<string, any> {
  expect(result.status, result.stderr).toBe(0);
  expect(result.stdout.endsWith('\n')).toBe(true);
  expect(result.stdout.trimEnd().split('\n')).toHaveLength(1);
  return JSON.parse(result.stdout);
}

const nsInode = (name: string) => Number(/\[(\d+)\]/.exec(readlinkSync(`/proc/self/ns/${name}`))![1]);
const statusField = (key: string) => new RegExp(`^${key}:\\s*(\\S+)`, 'm').exec(readFileSync('/proc/self/status', 'utf8'))![1];

beforeAll(() => {
  if (existsSync(probe)) return;
  mkdirSync(join(repo, 'native/build'), { recursive: true });
  const [cc, ...args] = PROBE_BUILD_COMMAND;
  const built = spawnSync(cc!, args, { cwd: repo, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`building the probe failed: ${built.stderr || built.error}`);
});

describe('probe report', () => {
  it('describes the process that printed it', () => {
    const result = run(['report']);
    const r = report(result);
    expect(r.pid).toBe(result.pid);
    expect(r.ppid).toBe(process.pid);
    expect(r.argv).toEqual([probe, 'report']);
    expect([r.uid, r.gid, r.euid, r.egid]).toEqual([process.getuid!(), process.getgid!(), process.geteuid!(), process.getegid!()]);
    // Node adds the effective gid to getgroups(); the kernel's list need not hold it.
    expect(new Set([...r.groups, r.egid])).toEqual(new Set(process.getgroups!()));
    expect(r.hostname).toBe(hostname());
    expect(typeof r.domainname).toBe('string');
  });

  it('is the default action', () => {
    const result = run([]);
    expect(report(result).pid).toBe(result.pid);
    expect(report(result).argv).toEqual([probe]);
  });

  it('escapes env strings and reports cwd', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'ocirt-probe-cwd-'));
    try {
      const tricky = 'quote" back\\ newline\n tab\t bell\x07 é';
      const r = report(run(['report'], { env: { TRICKY: tricky, PLAIN: '1' }, cwd }));
      expect(r.env).toEqual([`TRICKY=${tricky}`, 'PLAIN=1']);
      expect(r.cwd).toBe(realpathSync(cwd));
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('reports the namespaces, mounts and cgroups it shares with the test', () => {
    const r = report(run(['report']));
    for (const ns of ['cgroup', 'ipc', 'mnt', 'net', 'pid', 'user', 'uts']) expect(r.namespaces[ns], ns).toBe(nsInode(ns));
    expect(Object.keys(r.namespaces).sort()).toEqual(
      ['cgroup', 'ipc', 'mnt', 'net', 'pid', 'pid_for_children', 'time', 'time_for_children', 'user', 'uts'],
    );
    const proc = r.mountinfo.find((m: any) => m.mount_point === '/proc');
    expect(proc).toMatchObject({ fstype: 'proc', root: '/' });
    expect(r.mountinfo.some((m: any) => m.mount_point === '/')).toBe(true);
    for (const m of r.mountinfo) {
      expect(Object.keys(m)).toEqual(['mount_id', 'parent_id', 'root', 'mount_point', 'options', 'optional', 'fstype', 'source', 'super_options']);
    }
    expect(r.cgroup).toEqual(readFileSync('/proc/self/cgroup', 'utf8').trimEnd().split('\n'));
  });

  it('reports capabilities, rlimits, umask and the security fields', () => {
    const r = report(run(['report']));
    expect(r.capabilities.bounding).toBe(statusField('CapBnd'));
    for (const set of ['inheritable', 'permitted', 'effective', 'bounding', 'ambient']) {
      expect(r.capabilities[set]).toMatch(/^[0-9a-f]{16}$/);
    }
    const limits = readFileSync('/proc/self/limits', 'utf8');
    const [, soft, hard] = /^Max open files\s+(\S+)\s+(\S+)/m.exec(limits)!;
    expect(r.rlimits.RLIMIT_NOFILE).toEqual({ soft: Number(soft), hard: Number(hard) });
    expect(r.rlimits.RLIMIT_CPU).toEqual({ soft: -1, hard: -1 });
    expect(Object.keys(r.rlimits)).toContain('RLIMIT_STACK');
    expect(r.umask).toBe(process.umask());
    expect(r.no_new_privs).toBe(Number(statusField('NoNewPrivs')));
    expect(r.seccomp).toBe(Number(statusField('Seccomp')));
    expect(r.oom_score_adj).toBe(Number(readFileSync('/proc/self/oom_score_adj', 'utf8')));
  });
});

describe('probe actions', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'ocirt-probe-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('exit CODE exits at once with that code', () => {
    const result = run(['print', 'before', 'exit', '3', 'print', 'after']);
    expect(result.status).toBe(3);
    expect(result.stdout).toBe('before\n');
  });

  it('print and stderr write a line each, in order', () => {
    const result = run(['print', 'x', 'stderr', 'oops', 'print', 'y z']);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('x\ny z\n');
    expect(result.stderr).toBe('oops\n');
  });

  it('write PATH TEXT creates and truncates the file', () => {
    const file = join(work, 'written');
    writeFileSync(file, 'a much longer previous content');
    expect(run(['write', file, 'hello']).status).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe('hello');
  });

  it('ls PATH prints the sorted names, or null', () => {
    const dir = join(work, 'dir');
    mkdirSync(dir);
    for (const name of ['b', 'a', 'we"ird']) writeFileSync(join(dir, name), '');
    const result = run(['ls', dir, 'ls', join(work, 'absent')]);
    expect(result.status).toBe(0);
    expect(result.stdout.split('\n').map((line) => (line ? JSON.parse(line) : line))).toEqual([['a', 'b', 'we"ird'], null, '']);
  });

  it('sleep takes fractional seconds', () => {
    const result = run(['sleep', '0.05', 'print', 'awake']);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('awake\n');
  });

  it('rejects an unknown action before running anything', () => {
    const result = run(['print', 'x', 'bogus']);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('probe: unknown action bogus\n');
  });

  it.each([[['sleep']], [['sleep', 'soon']], [['exit', '256']], [['fork', '-1']], [['write', '/x']]])(
    'rejects bad arguments %j with exit 2',
    (args) => {
      const result = run(args);
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/^probe: /);
    },
  );

  it('wait-signal prints the signal that arrived and exits 0', async () => {
    const result = await untilExit(['print', 'ready', 'wait-signal'], (child) => child.kill('SIGUSR1'));
    expect(result).toEqual({ code: 0, stdout: `ready\n{"signal":${constants.signals.SIGUSR1}}\n` });
  });

  it('fork N leaves N paused children and goes on', async () => {
    let children: number[] = [];
    try {
      // The children share the parent's stdout, so the pipe closes only once they are killed too.
      // Killing them first also shows wait-signal catching SIGCHLD.
      const result = await untilExit(['fork', '2', 'print', 'ready', 'wait-signal'], (child) => {
        children = childrenOf(child.pid!);
        for (const pid of children) {
          expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0]).toBe(probe);
          // A child may still be on its way into pause(): wait (bounded) until it sleeps there.
          const asleep = () => /\) S /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
          for (let i = 0; i < 200 && !asleep(); i++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
          expect(readFileSync(`/proc/${pid}/stat`, 'utf8')).toMatch(/\) S /);
        }
        for (const pid of children) process.kill(pid, 'SIGKILL');
      });
      expect(children).toHaveLength(2);
      expect(result).toEqual({ code: 0, stdout: `ready\n{"signal":${constants.signals.SIGCHLD}}\n` });
    } finally {
      for (const pid of children) killQuietly(pid);
    }
  });
});

/** Every line of stdout as JSON, after checking that the probe succeeded. */
function lines(result: SpawnSyncReturns<string>): any[] {
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line));
}

describe('probe observation actions', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'ocirt-probe-obs-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('stat PATH gives type, permission bits, owner and device numbers, following symlinks', () => {
    const file = join(work, 'stat-file');
    writeFileSync(file, 'x');
    chmodSync(file, 0o640);
    const fifo = join(work, 'stat-fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    symlinkSync('/dev/null', join(work, 'stat-link'));
    const [f, d, n, p, l, missing] = lines(run(['stat', file, 'stat', work, 'stat', '/dev/null', 'stat', fifo, 'stat', join(work, 'stat-link'), 'stat', join(work, 'absent')]));
    expect(f).toEqual({ path: file, type: 'file', mode: 0o640, uid: process.getuid!(), gid: process.getgid!(), major: 0, minor: 0 });
    expect(d).toMatchObject({ type: 'dir', mode: 0o700 });
    expect(n).toMatchObject({ path: '/dev/null', type: 'char', major: 1, minor: 3 });
    expect(p).toMatchObject({ type: 'fifo' });
    expect(l).toMatchObject({ type: 'char', major: 1, minor: 3 });
    expect(missing).toEqual({ path: join(work, 'absent'), errno: constants.errno.ENOENT });
  });

  it('read PATH gives the bytes, escaping what is not printable ASCII, or the errno', () => {
    const file = join(work, 'read-file');
    writeFileSync(file, Buffer.from([0x00, 0x41, 0xff, 0x0a, 0x22]));
    const [r, missing, dir, proc] = lines(run(['read', file, 'read', join(work, 'absent'), 'read', work, 'read', '/proc/sys/kernel/ostype']));
    expect(r).toEqual({ path: file, bytes: 5, text: '\u0000A\u00ff\n"' });
    expect(missing).toEqual({ path: join(work, 'absent'), errno: constants.errno.ENOENT });
    expect(dir).toEqual({ path: work, errno: constants.errno.EISDIR });
    expect(proc).toMatchObject({ text: readFileSync('/proc/sys/kernel/ostype', 'utf8') });
  });

  it('attempt-write PATH TEXT writes like write, and reports the errno instead of failing', () => {
    const file = join(work, 'attempted');
    const result = run(['attempt-write', file, 'hello', 'attempt-write', join(work, 'absent/x'), 'hi', 'attempt-write', work, 'hi']);
    expect(lines(result)).toEqual([
      { path: file, errno: 0 },
      { path: join(work, 'absent/x'), errno: constants.errno.ENOENT },
      { path: work, errno: constants.errno.EISDIR },
    ]);
    expect(readFileSync(file, 'utf8')).toBe('hello');
  });

  it('syscall NAME ARGS makes the raw system call and gives its result and errno', () => {
    const dir = join(work, 'made-by-syscall');
    const result = run(
      ['syscall', 'umask', '027', 'syscall', 'umask', '0x12', 'syscall', 'getpid', 'syscall', 'getcwd', 'syscall', 'uname'].concat(
        ['syscall', 'personality', '0xffffffff', 'syscall', 'getpriority', '0', '0'],
        ['syscall', 'mkdir', dir, '0755', 'syscall', 'mkdir', dir, '0755', 'syscall', 'chmod', dir, '0700', 'syscall', 'chmod', join(work, 'absent'), '0700'],
      ),
      { cwd: work },
    );
    const [, umask, pid, cwd, uname, persona, priority, made, again, chmod, missing] = lines(result);
    expect(umask).toEqual({ syscall: 'umask', ret: 0o27, errno: 0 });
    expect(pid).toEqual({ syscall: 'getpid', ret: result.pid, errno: 0 });
    expect(cwd).toEqual({ syscall: 'getcwd', ret: realpathSync(work).length + 1, errno: 0 });
    expect(uname).toEqual({ syscall: 'uname', ret: 0, errno: 0 });
    expect(persona).toEqual({ syscall: 'personality', ret: 0, errno: 0 });
    expect(priority).toMatchObject({ syscall: 'getpriority', errno: 0 });
    expect([made, again]).toEqual([
      { syscall: 'mkdir', ret: 0, errno: 0 },
      { syscall: 'mkdir', ret: -1, errno: constants.errno.EEXIST },
    ]);
    expect(chmod).toEqual({ syscall: 'chmod', ret: 0, errno: 0 });
    expect(missing).toEqual({ syscall: 'chmod', ret: -1, errno: constants.errno.ENOENT });
  });

  it('syscall32 NAME ARGS makes the i386 system call (or reports ENOSYS without ia32 emulation)', () => {
    const result = run(['syscall32', 'getpid', 'syscall32', 'umask', '022', 'syscall32', 'umask', '022']);
    const [pid, , umask] = lines(result);
    if (pid.errno === constants.errno.ENOSYS) return;
    expect(pid).toEqual({ syscall: 'getpid', ret: result.pid, errno: 0 });
    expect(umask).toEqual({ syscall: 'umask', ret: 0o22, errno: 0 });
  });

  it.each([[['syscall', 'nope']], [['syscall']], [['syscall', 'umask']], [['syscall', 'umask', 'x']], [['syscall', 'umask', '-1']], [['syscall32', 'getcwd']], [['syscall', 'mkdir', '/x']], [['listen', '/x']], [['listen', '/x', '0']], [['listen', `/${'x'.repeat(120)}`, '1']]])(
    'rejects bad arguments %j with exit 2 and no output',
    (args) => {
      const result = run(['print', 'first', ...args]);
      expect(result.status).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^probe: /);
    },
  );

  it('personality gives the persona and the machine uname reports', () => {
    expect(lines(run(['personality']))).toEqual([{ persona: 0, machine: machine() }]);
  });

  it('clocks gives CLOCK_MONOTONIC, CLOCK_BOOTTIME and CLOCK_REALTIME in seconds', () => {
    const before = Number(process.hrtime.bigint()) / 1e9;
    const [c] = lines(run(['clocks']));
    const after = Number(process.hrtime.bigint()) / 1e9;
    expect(c.monotonic).toBeGreaterThanOrEqual(before - 0.001);
    expect(c.monotonic).toBeLessThanOrEqual(after + 0.001);
    expect(c.boottime).toBeGreaterThanOrEqual(c.monotonic - 0.001);
    expect(Math.abs(c.realtime - Date.now() / 1000)).toBeLessThan(5);
  });

  it('netdevs lists the interfaces, sorted, with flags, MTU, MAC and addresses', () => {
    const [devs] = lines(run(['netdevs']));
    const names = devs.map((d: any) => d.name);
    expect(names).toEqual([...names].sort());
    const lo = devs.find((d: any) => d.name === 'lo');
    expect(lo).toMatchObject({ index: 1, up: true, mtu: 65536, mac: '00:00:00:00:00:00' });
    expect(lo.addrs).toContainEqual({ family: 'inet', address: '127.0.0.1', prefix: 8 });
    for (const d of devs) expect(Object.keys(d)).toEqual(['name', 'index', 'flags', 'up', 'mtu', 'mac', 'addrs']);
  });

  it('listen PATH ERRNO reports each connection once the peer closes it: chunks, payload and fds', async () => {
    const socket = join(work, 'agent.sock');
    const child = spawn(probe, ['listen', socket, '51'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      let out = '';
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
      const lineCount = (n: number) => until(() => out.split('\n').length > n);
      await lineCount(1);
      expect(JSON.parse(out.split('\n')[0]!)).toEqual({ listening: socket });
      for (const payload of ['{"ociVersion":"1.3.0","fds":[]}', 'second']) {
        await new Promise<void>((resolve, reject) => {
          const c = createConnection(socket, () => c.end(payload));
          c.on('close', () => resolve()).on('error', reject);
        });
      }
      await lineCount(3);
      const [first, second] = out.split('\n').slice(1, 3).map((l) => JSON.parse(l));
      expect(first).toMatchObject({ connection: 1, closed: true, payload: '{"ociVersion":"1.3.0","fds":[]}', fds: [] });
      expect(first.chunks.reduce((n: number, c: any) => n + c.bytes, 0)).toBe(31);
      expect(first.chunks.every((c: any) => c.fds === 0)).toBe(true);
      expect(second).toMatchObject({ connection: 2, closed: true, payload: 'second' });
    } finally {
      child.kill('SIGKILL');
    }
  });
});

/** Polls (bounded, 5 s) until f holds. */
async function until(f: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!f()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Starts the probe, calls act once it has printed "ready", and resolves with how it ended. */
function untilExit(args: string[], act: (child: ReturnType<typeof spawn>) => void): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(probe, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    let acted = false;
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (acted || !stdout.includes('ready\n')) return;
      acted = true;
      try {
        act(child);
      } catch (err) {
        child.kill('SIGKILL');
        reject(err);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout }));
  });
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function childrenOf(parent: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        // The command name is in parentheses and may hold spaces: fields after the last ')' are fixed.
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent;
      } catch {
        return false;
      }
    })
    .map(Number);
}
