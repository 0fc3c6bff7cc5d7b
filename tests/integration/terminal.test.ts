// config.md "Process" terminal, and runc's --console-socket (ENGINES.md "Console socket"): the pty
// master reaches the caller's socket in one SCM_RIGHTS message before create returns; in the
// container the slave is fds 0-2, the controlling terminal and /dev/console (config-linux.md
// "Default Devices"). `run` in the foreground relays the terminal itself, as `runc run -t` does.
// recvtty (native/recvtty) is the receiving end, as runc's contrib/cmd/recvtty is.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/spec/config.ts';
import { busyboxRootfs } from './busybox-rootfs.ts';
import { eachTestSandbox, hostMountPoints, isRoot, lines, madeFor, NEEDS_ROOT, OCIRT, PROJECT, Sandbox, waitFor, writeConfig } from './harness.ts';

const RECVTTY = join(PROJECT, 'native/build/recvtty');
const APPLETS = ['sh', 'tty', 'stty', 'ls', 'readlink', 'echo', 'cat', 'sleep', 'id'];

/** v1-basic's namespaces and mounts (/dev/pts among them) over a busybox rootfs running `script`. */
function ttyBundle(s: Sandbox, script: string, edit: (c: Config) => void = () => {}, sample = 'v1-basic'): string {
  let config: Config | undefined;
  const dir = s.bundle(sample, (c) => {
    c.root.path = join(s.dir, 'busybox');
    c.process!.terminal = true;
    c.process!.args = ['sh', '-c', script];
    edit(c);
    config = c;
  });
  // Sandbox.bundle gives a user-namespace bundle its sample's rootfs, reachable by the mapped root: the busybox one instead.
  const rootfs = join(s.dir, 'busybox');
  // Mount points made here: in a user namespace the container's root may not write a host root's directory.
  if (!existsSync(rootfs)) {
    busyboxRootfs(rootfs, APPLETS);
    for (const d of ['proc', 'dev', 'sys', 'tmp']) mkdirSync(join(rootfs, d));
  }
  if (config!.root.path.includes('rootfs-')) writeConfig(dir, { ...config!, root: { ...config!.root, path: rootfs } });
  return dir;
}

interface Receiver {
  socket: string;
  /** recvtty's stdout (the terminal's output) and stderr (the pty's name), once it exits. */
  done: Promise<{ out: string; err: string }>;
  child: ChildProcess;
}

/** recvtty listening on a socket in the sandbox; it exits once every slave of the pty is closed. */
async function receiver(s: Sandbox): Promise<Receiver> {
  const socket = s.file('console.sock');
  const out = s.file('tty-out');
  const err = s.file('tty-err');
  const fds = [openSync(out, 'w'), openSync(err, 'w')];
  const child = spawn(RECVTTY, [socket], { stdio: ['ignore', fds[0]!, fds[1]!] });
  fds.forEach(closeSync);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const read = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8') : ''); // a killed receiver's sandbox may be gone
  const done = exited.then(() => (clearTimeout(timer), { out: read(out), err: read(err) }));
  expect(await waitFor(() => existsSync(socket)), 'recvtty listens').toBe(true);
  return { socket, done, child };
}

describe.skipIf(!isRoot)(`process.terminal (${NEEDS_ROOT})`, () => {
  let s: Sandbox;
  eachTestSandbox((x) => (s = x));

  /** create --console-socket, then start; what recvtty got once the container's terminal closed. */
  async function createdWithConsole(bundle: string): Promise<{ out: string[]; err: string }> {
    const r = await receiver(s);
    const id = s.id();
    try {
      const created = s.ocirt(['create', '--bundle', bundle, '--console-socket', r.socket, id]);
      expect(created.code, created.stderr).toBe(0);
      expect(s.ocirt(['start', id]).code).toBe(0);
      const { out, err } = await r.done;
      return { out: lines(out.replace(/\r/g, '')), err };
    } finally {
      r.child.kill('SIGKILL');
    }
  }

  it('create --console-socket: the master arrives once, the slave is stdio, controlling terminal and /dev/console, sized by consoleSize', async () => {
    const script = 'tty; stty size; for fd in 0 1 2; do readlink /proc/self/fd/$fd; done; echo ctty > /dev/tty && echo ctty-ok; ls -l /dev/console';
    const bundle = ttyBundle(s, script, (c) => (c.process!.consoleSize = { height: 33, width: 111 }));
    const { out: got, err } = await createdWithConsole(bundle);
    expect(err).toMatch(/^recvtty: \/dev\/pts\/\d+$/m); // the payload is the pty's name
    const pty = /\/dev\/pts\/\d+/.exec(err)![0];
    expect(got.slice(0, 6)).toEqual([pty, '33 111', pty, pty, pty, 'ctty']);
    expect(got).toContain('ctty-ok');
    // /dev/console is the slave bound there: the pty's character device (136, n).
    expect(got.find((l) => l.endsWith('/dev/console'))).toMatch(/^c[rw-]{9}\s.*\s136,\s+\d+\s/);
  });

  it('a user-namespace container gets its terminal from its own devpts', async () => {
    const bundle = ttyBundle(s, 'tty; id -u', () => {}, 'v1-userns');
    expect((await createdWithConsole(bundle)).out).toEqual([expect.stringMatching(/^\/dev\/pts\/\d+$/), '0']);
  });

  it('run in the foreground relays the terminal: input reaches the process, its exit code is ocirt\'s', () => {
    const bundle = ttyBundle(s, 'read x; echo "got:$x"; tty; exit 5');
    const r = s.ocirt(['run', '--bundle', bundle, s.id()], { input: 'hello\n' });
    expect(r.code, r.stderr).toBe(5);
    const got = lines(r.stdout.replace(/\r/g, ''));
    expect(got).toContain('got:hello');
    expect(got[got.length - 1]).toMatch(/^\/dev\/pts\/\d+$/);
  });

  it('run under a real terminal: the window size follows the caller\'s, whose settings are restored after', () => {
    const bundle = ttyBundle(s, 'stty size; exit 3');
    const before = s.file('stty-before');
    const after = s.file('stty-after');
    // script(1) gives ocirt a terminal of its own, as a user's shell would.
    const drive = [`stty rows 40 cols 100`, `stty -g > ${before}`, `${OCIRT} --root ${s.root} run --bundle ${bundle} ${s.id()}`, `echo "code=$?"`, `stty -g > ${after}`].join('\n');
    const driver = s.file('drive.sh');
    writeFileSync(driver, drive);
    const r = spawnSync('script', ['-qec', `sh ${driver}`, '/dev/null'], { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
    const got = lines(r.stdout.replace(/[\r\0]/g, ''));
    expect(got, r.stderr).toContainEqual(expect.stringMatching(/(^|\^@)40 100$/)); // script(1) echoes its stdin's EOF as ^@
    expect(got).toContain('code=3');
    expect(readFileSync(after, 'utf8')).toBe(readFileSync(before, 'utf8'));
  });

  describe('exec', () => {
    /** A started container whose init (no terminal) sleeps. */
    function sleeping(): string {
      const id = s.id();
      const bundle = ttyBundle(s, 'sleep 1000', (c) => (c.process!.terminal = false));
      expect(s.create(bundle, id).code).toBe(0);
      expect(s.ocirt(['start', id]).code).toBe(0);
      return id;
    }
    const processFile = (script: string) => {
      const file = s.file('process.json');
      writeFileSync(file, JSON.stringify({ terminal: true, args: ['sh', '-c', script], cwd: '/', user: { uid: 0, gid: 0 }, env: ['PATH=/bin'], consoleSize: { height: 20, width: 70 } }));
      return file;
    };

    it('--detach --console-socket: the exec\'d process gets a pty of its own as stdio and controlling terminal', async () => {
      const id = sleeping();
      const r = await receiver(s);
      const pidFile = s.file('pid');
      try {
        const e = s.ocirt(['exec', '--detach', '--pid-file', pidFile, '--console-socket', r.socket, '--process', processFile('tty; stty size; echo ctty > /dev/tty && echo ctty-ok'), id]);
        expect(e.code, e.stderr).toBe(0);
        expect(Number(readFileSync(pidFile, 'utf8'))).toBeGreaterThan(0);
        const { out, err } = await r.done;
        const pty = /\/dev\/pts\/\d+/.exec(err)![0];
        expect(lines(out.replace(/\r/g, ''))).toEqual([pty, '20 70', 'ctty', 'ctty-ok']);
      } finally {
        r.child.kill('SIGKILL');
      }
    });

    it('in the foreground, --tty relays the terminal and the exit status passes through', () => {
      const id = sleeping();
      const r = s.ocirt(['exec', '--tty', id, 'sh', '-c', 'read x; echo "got:$x"; tty; exit 6'], { input: 'there\n' });
      expect(r.code, r.stderr).toBe(6);
      const got = lines(r.stdout.replace(/\r/g, ''));
      expect(got).toContain('got:there');
      expect(got.at(-1)).toMatch(/^\/dev\/pts\/\d+$/);
    });
  });

  describe('refusals leave nothing behind', () => {
    const refused = (args: (id: string) => string[], message: RegExp) => {
      const id = s.id();
      const before = hostMountPoints();
      const r = s.ocirt(args(id));
      expect(r.code).not.toBe(0);
      expect(lines(r.stderr)).toEqual([expect.stringMatching(message)]);
      expect(madeFor(s, id, before)).toEqual([]);
    };

    it('a terminal with create but no --console-socket (nowhere to send it, as runc refuses)', () => {
      const bundle = ttyBundle(s, 'true');
      refused((id) => ['create', '--bundle', bundle, id], /process\.terminal: .*--console-socket/);
    });

    it('--console-socket without a terminal', () => {
      const bundle = s.bundle('v1-basic');
      refused((id) => ['create', '--bundle', bundle, '--console-socket', s.file('nobody.sock'), id], /--console-socket: process\.terminal is not true/);
    });

    it('a console socket nobody listens on is named', () => {
      const bundle = ttyBundle(s, 'true');
      refused((id) => ['create', '--bundle', bundle, '--console-socket', s.file('nobody.sock'), id], /--console-socket \(.*nobody\.sock\): .*no such file or directory/i);
    });

    it('a rootfs whose /dev/console is a symlink out of /dev: the slave is not bound through it', async () => {
      const target = join(s.dir, 'busybox-hostile', 'etc', 'target');
      const bundle = ttyBundle(s, 'true', (c) => {
        const rootfs = busyboxRootfs(join(s.dir, 'busybox-hostile'), APPLETS);
        mkdirSync(join(rootfs, 'etc'));
        writeFileSync(target, 'untouched');
        mkdirSync(join(rootfs, 'dev'));
        symlinkSync('/etc/target', join(rootfs, 'dev', 'console'));
        c.root.path = rootfs;
        c.mounts = c.mounts!.filter((m) => m.destination !== '/dev'); // /dev is the rootfs's own
      });
      const r = await receiver(s);
      try {
        refused((id) => ['create', '--bundle', bundle, '--console-socket', r.socket, id], /process\.terminal: .*(too many levels of symbolic links|symbolic link)/i);
      } finally {
        r.child.kill('SIGKILL');
      }
      expect(readFileSync(target, 'utf8')).toBe('untouched');
    });
  });
});
