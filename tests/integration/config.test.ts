// What each config field ocirt implements looks like from inside the container, with the probe's
// report as the evidence (config.md "Process", "User", "Root", "Mounts", "Hostname", "Domainname";
// config-linux.md "Default Devices", "Rootfs Mount Propagation", "Offset for Time Namespace").
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/spec/config.ts';
import { eachTestSandbox, isRoot, NEEDS_ROOT, probeReport, Sandbox } from './harness.ts';

interface MountEntry {
  mount_point: string;
  options: string;
  optional: string;
  fstype: string;
}

describe.skipIf(!isRoot)(`config fields seen from inside (${NEEDS_ROOT})`, () => {
  let s: Sandbox;
  eachTestSandbox((x) => (s = x));

  /** Runs the probe in the foreground and returns its report. */
  function report(edit: (c: Config) => void, args = ['/probe', 'report']): Record<string, unknown> {
    const r = s.ocirt(['run', '--bundle', s.bundle('v1-basic', (c) => { c.process!.args = args; edit(c); }), s.id()]);
    expect(r.code, r.stderr).toBe(0);
    return probeReport(r.stdout);
  }
  const mount = (rep: Record<string, unknown>, at: string) => (rep.mountinfo as MountEntry[]).filter((m) => m.mount_point === at).at(-1);

  it('config.md "Process" and "User": args, env, cwd, uid, gid, additionalGids and umask', () => {
    const rep = report((c) => {
      c.process!.user = { uid: 1000, gid: 1001, additionalGids: [5, 6], umask: 0o027 };
      c.process!.env = ['PATH=/bin', 'FOO=bar baz'];
      c.process!.cwd = '/tmp';
    }, ['probe', 'report']);
    expect(rep).toMatchObject({ uid: 1000, euid: 1000, gid: 1001, egid: 1001, groups: [5, 6], umask: 0o027, cwd: '/tmp' });
    expect(rep.env).toEqual(['PATH=/bin', 'FOO=bar baz']);
    expect(rep.argv).toEqual(['probe', 'report']); // argv[0] found through the container's PATH
  });

  it('config.md "Root": readonly makes the root filesystem read-only inside the container', () => {
    const r = s.ocirt(['run', '--bundle', s.bundle('v1-basic', (c) => { c.root.readonly = true; c.process!.args = ['/probe', 'report', 'write', '/probe-was-here', 'x']; }), s.id()]);
    expect(r.code).toBe(1); // the write fails
    expect(mount(probeReport(r.stdout), '/')!.options.split(',')).toContain('ro');
  });

  it('config.md "Hostname" and "Domainname" are set in the new uts namespace', () => {
    const rep = report((c) => { c.hostname = 'box'; c.domainname = 'example.org'; });
    expect(rep).toMatchObject({ hostname: 'box', domainname: 'example.org' });
  });

  it('config.md "Linux mount options": ro, nosuid, nodev, noexec and filesystem data reach the mount', () => {
    const rep = report((c) => c.mounts!.push({ destination: '/m', type: 'tmpfs', source: 'tmpfs', options: ['ro', 'nosuid', 'nodev', 'noexec', 'size=1m'] }));
    const m = mount(rep, '/m')!;
    expect(m.options.split(',')).toEqual(expect.arrayContaining(['ro', 'nosuid', 'nodev', 'noexec']));
    expect(m.fstype).toBe('tmpfs');
  });

  it('config.md "Mounts": a bind mount is relative to the bundle, and rro makes it read-only recursively', () => {
    const host = join(s.dir, 'share');
    mkdirSync(join(host, 'sub'), { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', 'tmpfs', join(host, 'sub')]);
    try {
      const rep = report((c) => c.mounts!.push({ destination: '/share', type: 'bind', source: host, options: ['rbind', 'rro'] }));
      expect(mount(rep, '/share')!.options.split(',')).toContain('ro');
      expect(mount(rep, '/share/sub')!.options.split(',')).toContain('ro');
    } finally {
      execFileSync('umount', [join(host, 'sub')]);
    }
  });

  it('config.md "Linux mount options": propagation flags apply to the mount (shared gets a peer group)', () => {
    const rep = report((c) => c.mounts!.push({ destination: '/p', type: 'tmpfs', source: 'tmpfs', options: ['shared'] }));
    expect(mount(rep, '/p')!.optional).toMatch(/shared:\d+/);
  });

  it('config-linux.md "Rootfs Mount Propagation": shared gives the rootfs a peer group', () => {
    const rep = report((c) => (c.linux!.rootfsPropagation = 'shared'));
    expect(mount(rep, '/')!.optional).toMatch(/shared:\d+/);
  });

  it('config-linux.md "Default Devices": the devices and /dev symlinks are supplied', () => {
    const r = s.ocirt(['run', '--bundle', s.bundle('v1-basic', (c) => (c.process!.args = ['/probe', 'ls', '/dev'])), s.id()]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toEqual(expect.arrayContaining(['null', 'zero', 'full', 'random', 'urandom', 'tty', 'ptmx', 'fd', 'stdin', 'stdout', 'stderr', 'pts', 'shm', 'mqueue']));
  });

  it('a mount of type cgroup shows the cgroup hierarchies inside the container', () => {
    const r = s.ocirt(['run', '--bundle', s.bundle('v1-basic', (c) => { c.mounts!.push({ destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['ro'] }); c.process!.args = ['/probe', 'report']; }), s.id()]);
    expect(r.code, r.stderr).toBe(0);
    const cgroupMounts = (probeReport(r.stdout).mountinfo as MountEntry[]).filter((m) => m.mount_point.startsWith('/sys/fs/cgroup/'));
    expect(cgroupMounts.length).toBeGreaterThan(0);
    expect(cgroupMounts.every((m) => m.options.split(',').includes('ro'))).toBe(true);
  });

  it('config-linux.md "Offset for Time Namespace": the offsets are written for the new time namespace', () => {
    const id = s.id();
    const c = s.create(s.bundle('v1-basic', (cfg) => {
      cfg.linux!.namespaces!.push({ type: 'time' });
      cfg.linux!.timeOffsets = { monotonic: { secs: 86400, nanosecs: 0 } };
    }), id);
    expect(c.code, c.stderr).toBe(0);
    const offsets = readFileSync(`/proc/${s.state(id).pid}/timens_offsets`, 'utf8');
    expect(offsets).toMatch(/^monotonic\s+86400\s+0$/m);
  });
});
