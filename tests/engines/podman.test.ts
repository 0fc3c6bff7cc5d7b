// podman 4.3 with conmon drives the runtime (`--runtime /abs/path`), on a busybox --rootfs, with
// podman's default network (a netavark bridge). Every scenario runs with runc, the reference, and
// with ocirt: the same test code, so a scenario that passes with runc and fails with ocirt is
// ocirt's. After each test the engine's own removal must leave nothing of its containers; after
// the file the host is as it was (engine-harness.ts restoreHost).
import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  engineDir,
  frozen,
  hostState,
  inodeOf,
  isRoot,
  memoryLimitOf,
  missingTools,
  NEEDS_ROOT,
  PROCESS_VIEW,
  pidsLimitOf,
  Podman,
  restoreHost,
  RUNTIMES,
  SERVER,
  show,
  versionOf,
  waitFor,
  type HostState,
} from './engine-harness.ts';

const TOOLS: Array<[string, string]> = [
  ['/usr/bin/podman', 'podman'],
  ['/usr/bin/conmon', 'conmon'],
  ['/usr/lib/podman/netavark', 'netavark'],
  ['/usr/sbin/iptables', 'iptables'],
  ['/usr/sbin/runc', 'runc'],
  ['/bin/busybox', 'busybox-static'],
];


describe.skipIf(!isRoot)(`podman drives the runtime (${NEEDS_ROOT})`, () => {
  let before: HostState;

  beforeAll(() => {
    const missing = missingTools(TOOLS);
    if (missing.length > 0) throw new Error(missing.join('\n'));
    before = hostState();
    console.log(`engines: ${versionOf('podman')}; ${versionOf('conmon')}; ${versionOf('/usr/lib/podman/netavark')}; ${versionOf('runc')}`);
  });

  afterAll(() => {
    if (!before) return;
    // podman leaves by design what it shares between containers (netavark's chains, the /run/netns
    // mount, libpod_parent); that goes here, and the host must then be as it was.
    expect(restoreHost(before)).toEqual([]);
  });

  describe.each(RUNTIMES)('with $name', (runtime) => {
    let p: Podman;
    let netnsBefore: string[] = [];

    beforeAll(() => {
      p = new Podman(engineDir(`podman-${runtime.name}`), runtime);
      netnsBefore = existsSync('/run/netns') ? readdirSync('/run/netns') : [];
    });
    afterEach(async () => {
      if (p) expect(await p.cleanup(netnsBefore)).toEqual([]);
    }, 60_000);
    afterAll(() => {
      if (p) expect(p.destroy()).toEqual([]);
    }, 60_000);

    it('run --rm: the output on stdout and stderr, the exit status passed through, the container gone', () => {
      const r = p.run(['--rm'], ['sh', '-c', 'echo out; echo err >&2; exit 3']);
      expect(r.code, show(r)).toBe(3);
      expect(r.stdout).toBe('out\n');
      expect(r.stderr).toBe('err\n');
      expect(r.id).toMatch(/^[0-9a-f]{64}$/);
      expect(p.podman(['ps', '--all', '--quiet']).stdout).toBe('');
    });

    it('run --rm of a command that is not there exits 127, of one that is not executable 126', () => {
      const missing = p.run(['--rm'], ['/bin/no-such-command']);
      expect(missing.code, show(missing)).toBe(127);
      const noexec = p.run(['--rm'], ['/bin/not-executable']);
      expect(noexec.code, show(noexec)).toBe(126);
    });

    it("the default network: the container is in podman's netns (/run/netns), on the bridge, and reaches the gateway", () => {
      const d = p.run(['-d', '--name', 'net'], ['sleep', '1000']);
      expect(d.code, show(d)).toBe(0);
      const pid = Number(p.inspect('net', '{{.State.Pid}}'));
      const sandbox = p.inspect('net', '{{.NetworkSettings.SandboxKey}}');
      expect(sandbox).toMatch(/^\/run\/netns\/netns-/);
      expect(inodeOf(`/proc/${pid}/ns/net`)).toBe(inodeOf(sandbox));
      expect(inodeOf(`/proc/${pid}/ns/net`)).not.toBe(inodeOf('/proc/self/ns/net'));
      const ip = p.inspect('net', '{{.NetworkSettings.IPAddress}}');
      const gateway = p.inspect('net', '{{.NetworkSettings.Gateway}}');
      expect(ip).toMatch(/^10\.88\./);
      const r = p.run(['--rm'], ['sh', '-c', `ip -o -4 addr show eth0; ping -c 1 -W 5 ${gateway} >/dev/null && echo reached`]);
      expect(r.code, show(r)).toBe(0);
      expect(r.stdout).toMatch(/eth0\s+inet 10\.88\./);
      expect(r.stdout).toContain('reached');
    });

    it('run -d, then ps, top, exec, stop (the TERM reaches the init, its status is recorded), rm', async () => {
      const d = p.run(['-d', '--name', 'srv'], ['sh', '-c', SERVER]);
      expect(d.code, show(d)).toBe(0);
      expect(d.stdout.trim()).toBe(d.id);
      expect((await p.waitForLog('srv', 'ready')).stdout).toBe('ready\n');
      const ps = p.podman(['ps', '--format', '{{.ID}} {{.Names}} {{.Status}}', '--no-trunc']);
      expect(ps.stdout.trim(), show(ps)).toMatch(new RegExp(`^${d.id} srv Up `));
      expect(p.inspect('srv', '{{.State.Status}}')).toBe('running');
      const top = p.podman(['top', 'srv', 'pid', 'args']);
      expect(top.stdout, show(top)).toMatch(/^\s*1\s+sh -c trap/m);

      const exec = p.podman(['exec', 'srv', 'sh', '-c', 'echo in-exec; cat /proc/1/cmdline | tr "\\0" " "; exit 5']);
      expect(exec.code, show(exec)).toBe(5);
      expect(exec.stdout).toBe(`in-exec\nsh -c ${SERVER} `);
      expect(exec.stderr).toBe('');
      // The exec'd process is in every namespace of the init and in its cgroup, with its ids and security.
      const pid = Number(p.inspect('srv', '{{.State.Pid}}'));
      const joined = p.podman(['exec', 'srv', 'sh', '-c', `${PROCESS_VIEW} /proc/self; ${PROCESS_VIEW} /proc/1`]);
      expect(joined.code, show(joined)).toBe(0);
      const [self, init] = joined.stdout.split('--\n');
      expect(self).toBe(init);
      expect(self).toContain(readlinkSync(`/proc/${pid}/ns/pid`));
      expect(self).toContain(readlinkSync(`/proc/${pid}/ns/mnt`));
      const as = p.podman(['exec', '--user', '1000:1000', '--env', 'BAR=baz', '--workdir', '/tmp', 'srv', 'sh', '-c', 'id -u; id -g; echo "$BAR"; pwd']);
      expect(as.stdout, show(as)).toBe('1000\n1000\nbaz\n/tmp\n');

      const stop = p.podman(['stop', '--time', '10', 'srv']);
      expect(stop.code, show(stop)).toBe(0);
      expect(p.inspect('srv', '{{.State.Status}} {{.State.ExitCode}}')).toBe('exited 7');
      const rm = p.podman(['rm', 'srv']);
      expect(rm.code, show(rm)).toBe(0);
      expect(p.podman(['ps', '--all', '--quiet']).stdout).toBe('');
    });

    it('podman logs holds exactly what the container wrote: the runtime adds nothing to its stdout or stderr', async () => {
      const d = p.run(['-d', '--name', 'quiet'], ['sh', '-c', 'echo one; echo two >&2; sleep 1000']);
      expect(d.code, show(d)).toBe(0);
      await waitFor(() => p.logs('quiet').stderr.includes('two'));
      const logs = p.logs('quiet');
      expect(logs.stdout).toBe('one\n');
      expect(logs.stderr).toBe('two\n');
    });

    it('run -t: the container has a terminal on 0, 1 and 2', () => {
      const r = p.run(['--rm', '-t'], ['sh', '-c', 'test -t 0 && test -t 1 && test -t 2 && tty']);
      expect(r.code, show(r)).toBe(0);
      // A pty's line discipline turns \n into \r\n.
      expect(r.stdout).toMatch(/^\/dev\/pts\/[0-9]+\r\n$/);
    });

    it('exec -t into a running container gets a terminal of its own', async () => {
      const d = p.run(['-d', '--name', 'exect'], ['sh', '-c', SERVER]);
      expect(d.code, show(d)).toBe(0);
      await p.waitForLog('exect', 'ready');
      const r = p.podman(['exec', '-t', 'exect', 'sh', '-c', 'test -t 0 && tty']);
      expect(r.code, show(r)).toBe(0);
      expect(r.stdout).toMatch(/^\/dev\/pts\/[0-9]+\r\n$/);
    });

    it('--cap-drop ALL leaves no capability; --cap-add NET_BIND_SERVICE after it leaves that one', () => {
      const none = p.run(['--rm', '--cap-drop', 'ALL'], ['grep', '^Cap', '/proc/self/status']);
      expect(none.code, show(none)).toBe(0);
      for (const set of ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb']) expect(none.stdout).toContain(`${set}:\t0000000000000000\n`);
      const one = p.run(['--rm', '--cap-drop', 'ALL', '--cap-add', 'NET_BIND_SERVICE'], ['grep', '^CapEff', '/proc/self/status']);
      expect(one.stdout, show(one)).toBe('CapEff:\t0000000000000400\n');
    });

    it('--read-only: / cannot be written, the tmpfs podman adds on /tmp can', () => {
      const r = p.run(['--rm', '--read-only'], ['sh', '-c', 'touch /x 2>&1; echo touch=$?; touch /tmp/y && echo tmp-ok; grep " / " /proc/mounts']);
      expect(r.code, show(r)).toBe(0);
      expect(r.stdout).toContain('Read-only file system');
      expect(r.stdout).toContain('touch=1\ntmp-ok\n');
      expect(r.stdout).toMatch(/ \/ \S+ ro[, ]/);
    });

    it("--memory and --pids-limit are the limits of the container's cgroup, seen from the host and inside", async () => {
      const script = 'cd /sys/fs/cgroup; cat memory/memory.limit_in_bytes pids/pids.max 2>/dev/null || cat memory.max pids.max; exec sleep 1000';
      const d = p.run(['-d', '--name', 'limits', '--memory', '64m', '--pids-limit', '42'], ['sh', '-c', script]);
      expect(d.code, show(d)).toBe(0);
      const pid = Number(p.inspect('limits', '{{.State.Pid}}'));
      await p.waitForLog('limits', '\n42');
      expect(memoryLimitOf(pid)).toBe(String(64 * 1024 * 1024));
      expect(pidsLimitOf(pid)).toBe('42');
      // What the container reads in its own cgroup view (v1 hierarchies, or a v2 cgroup namespace).
      const inside = p.logs('limits');
      expect(inside.stdout, show(inside)).toBe(`${64 * 1024 * 1024}\n42\n`);
    });

    it('--user 1000:1000, --hostname and -e reach the process', () => {
      const r = p.run(['--rm', '--user', '1000:1000', '--hostname', 'engine-box', '-e', 'FOO=bar'], ['sh', '-c', 'id -u; id -g; hostname; echo "FOO=$FOO"']);
      expect(r.code, show(r)).toBe(0);
      expect(r.stdout).toBe('1000\n1000\nengine-box\nFOO=bar\n');
    });

    it('pause freezes the cgroup and podman sees "paused"; unpause thaws it and the container runs on', async () => {
      const d = p.run(['-d', '--name', 'frz'], ['sh', '-c', SERVER]);
      expect(d.code, show(d)).toBe(0);
      await p.waitForLog('frz', 'ready');
      const pid = Number(p.inspect('frz', '{{.State.Pid}}'));
      const pause = p.podman(['pause', 'frz']);
      expect(pause.code, show(pause)).toBe(0);
      expect(p.inspect('frz', '{{.State.Status}}')).toBe('paused');
      expect(frozen(pid)).toBe(true);
      const unpause = p.podman(['unpause', 'frz']);
      expect(unpause.code, show(unpause)).toBe(0);
      expect(p.inspect('frz', '{{.State.Status}}')).toBe('running');
      expect(frozen(pid)).toBe(false);
      // Running on: it still answers a signal.
      expect(p.podman(['kill', '--signal', 'USR1', 'frz']).code).toBe(0);
      expect((await p.waitForLog('frz', 'got-usr1')).stdout).toBe('ready\ngot-usr1\n');
    });

    it('kill -s USR1 reaches the trap of the container init, which keeps running', async () => {
      const d = p.run(['-d', '--name', 'sig'], ['sh', '-c', SERVER]);
      expect(d.code, show(d)).toBe(0);
      await p.waitForLog('sig', 'ready');
      const kill = p.podman(['kill', '--signal', 'USR1', 'sig']);
      expect(kill.code, show(kill)).toBe(0);
      expect((await p.waitForLog('sig', 'got-usr1')).stdout).toBe('ready\ngot-usr1\n');
      expect(p.inspect('sig', '{{.State.Status}}')).toBe('running');
      const kill9 = p.podman(['kill', 'sig']);
      expect(kill9.code, show(kill9)).toBe(0);
      expect(await waitFor(() => p.inspect('sig', '{{.State.Status}}') === 'exited')).toBe(true);
      expect(p.inspect('sig', '{{.State.ExitCode}}')).toBe('137');
    });
  });
});
