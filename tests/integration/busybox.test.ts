// bundle.md and config.md, with a bundle "from anyone else": a root filesystem built from Debian's
// busybox-static (scripts/setup.sh installs it) and a hand-written minimal v1.3.0 config.json, not
// one of ocirt's sample bundles or its probe.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUSYBOX, busyboxRootfs } from './busybox-rootfs.ts';
import { hostMountPoints, isRoot, leftovers, madeFor, NEEDS_ROOT, Sandbox, waitForStatus } from './harness.ts';

const APPLETS = ['sh', 'echo', 'cat', 'hostname', 'ls', 'head'];

/** A bundle in the sandbox: rootfs/bin/busybox, its applets as relative symlinks, and config.json. */
function busyboxBundle(s: Sandbox, script: string): string {
  const bundle = join(s.dir, 'busybox-bundle');
  busyboxRootfs(join(bundle, 'rootfs'), APPLETS);
  const config = {
    ociVersion: '1.3.0',
    root: { path: 'rootfs' },
    process: { user: { uid: 0, gid: 0 }, args: ['sh', '-c', script], env: ['PATH=/bin'], cwd: '/' },
    hostname: 'busybox-box',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'mode=755'] },
    ],
    linux: { namespaces: [{ type: 'pid' }, { type: 'mount' }, { type: 'uts' }, { type: 'ipc' }, { type: 'network' }] },
  };
  writeFileSync(join(bundle, 'config.json'), JSON.stringify(config, null, 2));
  return bundle;
}

describe.skipIf(!isRoot)(`a busybox bundle (${NEEDS_ROOT})`, () => {
  let s: Sandbox;
  beforeEach(() => {
    s = new Sandbox();
    expect(existsSync(BUSYBOX), `${BUSYBOX} is missing: install busybox-static (scripts/setup.sh)`).toBe(true);
  });
  afterEach(() => {
    const markers = s.markers();
    expect(s.cleanup()).toEqual([]);
    expect(markers.flatMap(leftovers)).toEqual([]);
  });

  it('runtime.md "Lifecycle": `ocirt run` of a hand-written busybox bundle runs sh as pid 1 with the hostname and /proc it asked for', () => {
    const id = s.id();
    const before = hostMountPoints();
    const bundle = busyboxBundle(s, 'echo hello from $(hostname); ls /proc | head -1');
    const r = s.ocirt(['run', '--bundle', bundle, id]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // `ls /proc` sorts; in a new PID namespace whose pid 1 is sh, the first entry is "1".
    expect(r.stdout).toBe('hello from busybox-box\n1\n');
    expect(madeFor(s, id, before)).toEqual([]);
  });

  it('runtime.md "Lifecycle": a busybox container goes through create, start, state and delete', async () => {
    const id = s.id();
    const bundle = busyboxBundle(s, 'echo started; cat /proc/1/cmdline; echo');
    const out = s.file('out');
    const created = s.ocirt(['create', '--bundle', bundle, id], { stdout: out });
    expect(created.code, created.stderr).toBe(0);
    expect(s.state(id)).toMatchObject({ status: 'created', bundle, ociVersion: '1.3.0' });
    expect(s.ocirt(['start', id]).code).toBe(0);
    expect(await waitForStatus(s, id, 'stopped')).toBe('stopped');
    expect(readFileSync(out, 'utf8')).toBe('started\nsh\0-c\0echo started; cat /proc/1/cmdline; echo\0\n');
    expect(s.ocirt(['delete', id]).code).toBe(0);
    expect(s.rootEntries()).toEqual([]);
  });

  it('draft runtime.md "Run": a foreground run of the busybox bundle exits with the script\'s status', () => {
    const r = s.ocirt(['run', '--bundle', busyboxBundle(s, 'exit 3'), s.id()]);
    expect(r.code, r.stderr).toBe(3);
    expect(s.rootEntries()).toEqual([]);
  });
});
