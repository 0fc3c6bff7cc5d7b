// containerd 1.6 with its runc shim (io.containerd.runc.v2, which calls the runtime through
// go-runc) drives the runtime given by `ctr run --runc-binary`, on a busybox --rootfs. The daemon
// is this file's own: root, state and socket under a temporary directory, started before the tests
// and stopped after them. Every scenario runs with runc, the reference, and with ocirt.
import { readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  Containerd,
  engineDir,
  frozen,
  hostState,
  isRoot,
  missingTools,
  NEEDS_ROOT,
  PROCESS_VIEW,
  restoreHost,
  RUNTIMES,
  SERVER,
  show,
  versionOf,
  waitFor,
  type HostState,
} from './engine-harness.ts';

const TOOLS: Array<[string, string]> = [
  ['/usr/bin/containerd', 'containerd'],
  ['/usr/bin/ctr', 'containerd'],
  ['/usr/bin/containerd-shim-runc-v2', 'containerd'],
  ['/usr/sbin/runc', 'runc'],
  ['/bin/busybox', 'busybox-static'],
];


describe.skipIf(!isRoot)(`containerd drives the runtime (${NEEDS_ROOT})`, () => {
  let before: HostState;
  let ctd: Containerd;

  beforeAll(async () => {
    const missing = missingTools(TOOLS);
    if (missing.length > 0) throw new Error(missing.join('\n'));
    before = hostState();
    console.log(`engines: ${versionOf('containerd')}; ${versionOf('ctr')}; ${versionOf('runc')}`);
    ctd = new Containerd(engineDir('containerd'));
    await ctd.start();
  }, 60_000);

  afterAll(async () => {
    const left = ctd ? await ctd.stop() : [];
    // containerd leaves by design its namespace's parent cgroup and /run/containerd/s (the shims'
    // sockets); they go here, and the host must then be as it was.
    if (before) left.push(...restoreHost(before));
    if (ctd && left.length === 0) ctd.destroy();
    expect(left).toEqual([]);
  }, 60_000);

  describe.each(RUNTIMES)('with $name', (runtime) => {
    const ids: string[] = [];
    let n = 0;
    /** A container id unique to this runtime's block. */
    const id = (name: string) => {
      const i = `${name}-${runtime.name}-${++n}`;
      ids.push(i);
      return i;
    };
    const runFlags = () => ['--env', 'PATH=/bin', ...ctd.runtimeFlags(runtime)];

    afterEach(async () => {
      if (ctd) expect(await ctd.cleanup(ids.splice(0))).toEqual([]);
    }, 60_000);

    /** `ctr run -d` with the container's output in a log file; waits for "ready". */
    async function detached(name: string): Promise<{ id: string; log: string; pid: number }> {
      const c = id(name);
      const log = join(ctd.dir, `${c}.log`);
      const r = ctd.ctr(['run', '--detach', '--log-uri', `file://${log}`, ...runFlags(), '--rootfs', ctd.rootfs, c, 'sh', '-c', SERVER]);
      expect(r.code, show(r)).toBe(0);
      const read = () => {
        try {
          return readFileSync(log, 'utf8');
        } catch {
          return '';
        }
      };
      expect(await waitFor(() => read().includes('ready')), `no "ready" in ${log}: ${read()}`).toBe(true);
      const task = ctd.tasks().get(c);
      expect(task?.status).toBe('RUNNING');
      return { id: c, log, pid: task!.pid };
    }

    /** Removes a stopped task and its container; returns the exit status ctr reports for it. */
    function remove(c: string): number {
      const rm = ctd.ctr(['task', 'delete', c]);
      expect(rm.code, show(rm)).toBe(0);
      expect(ctd.ctr(['container', 'delete', c]).code).toBe(0);
      // ctr warns "task <id> exit with non-zero exit code N"; nothing for 0.
      const m = /exit with non-zero exit code (\d+)/.exec(rm.stderr);
      return m ? Number(m[1]) : 0;
    }

    it('ctr run --rm: the output, the exit status passed through, nothing left in containerd', () => {
      const c = id('rm');
      const r = ctd.ctr(['run', '--rm', ...runFlags(), '--rootfs', ctd.rootfs, c, 'sh', '-c', 'echo hello from pid $$; exit 3']);
      expect(r.code, show(r)).toBe(3);
      expect(r.stdout).toBe('hello from pid 1\n');
      expect(ctd.tasks().size).toBe(0);
      expect(ctd.containers()).toEqual([]);
    });

    it('ctr run -d, then task ps lists the init, task exec runs in the container with its own status', async () => {
      const { id: c, pid } = await detached('exec');
      const ps = ctd.ctr(['task', 'ps', c]);
      expect(ps.code, show(ps)).toBe(0);
      expect(ps.stdout.split('\n').slice(1).map((l) => Number(l.trim().split(/\s+/)[0]))).toContain(pid);

      const exec = ctd.ctr(['task', 'exec', '--exec-id', 'e1', c, 'sh', '-c', 'echo in-exec; cat /proc/1/cmdline | tr "\\0" " "; exit 4']);
      expect(exec.code, show(exec)).toBe(4);
      expect(exec.stdout).toBe(`in-exec\nsh -c ${SERVER} `);
      // The exec'd process is in every namespace of the init and in its cgroup, with its ids and security.
      const joined = ctd.ctr(['task', 'exec', '--exec-id', 'e2', c, 'sh', '-c', `${PROCESS_VIEW} /proc/self; ${PROCESS_VIEW} /proc/1`]);
      expect(joined.code, show(joined)).toBe(0);
      const [self, init] = joined.stdout.split('--\n');
      expect(self).toBe(init);
      expect(self).toContain(readlinkSync(`/proc/${pid}/ns/pid`));
      expect(self).toContain(readlinkSync(`/proc/${pid}/ns/mnt`));

      expect(ctd.ctr(['task', 'kill', '--signal', 'SIGKILL', c]).code).toBe(0);
      expect(await waitFor(() => ctd.tasks().get(c)?.status === 'STOPPED')).toBe(true);
      expect(remove(c)).toBe(137);
    });

    it('task pause freezes the cgroup (PAUSED), task resume thaws it (RUNNING) and the task runs on', async () => {
      const { id: c, log, pid } = await detached('pause');
      const pause = ctd.ctr(['task', 'pause', c]);
      expect(pause.code, show(pause)).toBe(0);
      expect(ctd.tasks().get(c)?.status).toBe('PAUSED');
      expect(frozen(pid)).toBe(true);
      const resume = ctd.ctr(['task', 'resume', c]);
      expect(resume.code, show(resume)).toBe(0);
      expect(ctd.tasks().get(c)?.status).toBe('RUNNING');
      expect(frozen(pid)).toBe(false);
      expect(ctd.ctr(['task', 'kill', '--signal', 'SIGUSR1', c]).code).toBe(0);
      expect(await waitFor(() => readFileSync(log, 'utf8').includes('got-usr1'))).toBe(true);
    });

    it('task kill -s SIGUSR1 reaches the init\'s trap; task kill (TERM) ends it with the status its trap chose', async () => {
      const { id: c, log } = await detached('kill');
      const usr1 = ctd.ctr(['task', 'kill', '--signal', 'SIGUSR1', c]);
      expect(usr1.code, show(usr1)).toBe(0);
      expect(await waitFor(() => readFileSync(log, 'utf8').includes('got-usr1'))).toBe(true);
      expect(readFileSync(log, 'utf8')).toBe('ready\ngot-usr1\n');
      expect(ctd.tasks().get(c)?.status).toBe('RUNNING');
      const term = ctd.ctr(['task', 'kill', c]);
      expect(term.code, show(term)).toBe(0);
      expect(await waitFor(() => ctd.tasks().get(c)?.status === 'STOPPED')).toBe(true);
      expect(remove(c)).toBe(7);
      expect(ctd.containers()).toEqual([]);
    });
  });
});
