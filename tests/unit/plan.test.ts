// The plan is data: its ordering rules are checked here without root (STYLE.md "The plan is data").
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPlan, planLabels, type PlanInput } from '../../src/plan/build.ts';
import { MS } from '../../src/plan/mount-options.ts';
import { Linux as L } from '../../src/plan/protocol.ts';
import type { Config } from '../../src/spec/config.ts';
import type { Step } from '../../src/plan/wire.ts';

const bundle = mkdtempSync(join(tmpdir(), 'ocirt-plan-'));
mkdirSync(join(bundle, 'rootfs'));
mkdirSync(join(bundle, 'data'));
writeFileSync(join(bundle, 'file.txt'), 'x');

function config(extra: Partial<Config> = {}): Config {
  return {
    ociVersion: '1.3.0',
    root: { path: 'rootfs' },
    process: { user: { uid: 0, gid: 0 }, args: ['/probe'], cwd: '/' },
    linux: { namespaces: [{ type: 'pid' }, { type: 'mount' }, { type: 'uts' }] },
    ...extra,
  };
}

function plan(c: Config, o: Partial<PlanInput> = {}) {
  return buildPlan({ config: c, edition: 'v1', rootfs: join(bundle, 'rootfs'), bundle, cgroupProcs: ['/cg/cgroup.procs'], cgroup: { v1: [], pureV2: true }, noPivot: false, host: { selinux: false, resctrl: false }, ...o });
}
const stage = (c: Config, n: number, o: Partial<PlanInput> = {}): Step[] => plan(c, o).stages.find(([s]) => s === n)![1];
const ops = (steps: Step[]) => steps.map((s) => s.op);

describe('stage 0 (host)', () => {
  it('joins the cgroup before anything forks, then opens the start socket', () => {
    expect(stage(config(), 0)).toEqual([
      { op: 'WRITE_FILE', args: ['/cg/cgroup.procs', '0'], label: 'linux.cgroupsPath (/cg/cgroup.procs)' },
      { op: 'LISTEN', args: ['init.sock'], label: 'start socket' },
    ]);
  });
});

describe('stage 1 (namespaces), config-linux.md "Namespaces"', () => {
  it('creates every namespace without a path in one unshare', () => {
    const s = stage(config(), 1);
    expect(s).toHaveLength(1);
    expect(s[0]!.op).toBe('UNSHARE');
    expect(s[0]!.args[0]).toBe(L.CLONE_NEWPID | L.CLONE_NEWNS | L.CLONE_NEWUTS);
  });
  it('joins namespaces given by path, user first and mount last, before creating the rest', () => {
    const c = config({ linux: { namespaces: [{ type: 'mount', path: '/proc/1/ns/mnt' }, { type: 'network', path: '/run/netns/x' }, { type: 'pid' }] } });
    expect(stage(c, 1).map((s) => [s.op, s.args[0]])).toEqual([
      ['SETNS', '/run/netns/x'],
      ['SETNS', '/proc/1/ns/mnt'],
      ['UNSHARE', L.CLONE_NEWPID],
    ]);
  });
  it('creates the user namespace first, with its id maps, then the others', () => {
    const map = [{ containerID: 0, hostID: 100000, size: 65536 }];
    const c = config({ linux: { namespaces: [{ type: 'pid' }, { type: 'user' }, { type: 'mount' }], uidMappings: map, gidMappings: map } });
    const s = stage(c, 1);
    expect(ops(s)).toEqual(['UNSHARE_USER', 'UNSHARE']);
    expect(s[0]!.args).toEqual(['0 100000 65536\n', '0 100000 65536\n', '']);
  });
  it('writes time offsets after creating the time namespace', () => {
    const c = config({ linux: { namespaces: [{ type: 'mount' }, { type: 'time' }], timeOffsets: { monotonic: { secs: 7, nanosecs: 1 } } } });
    const s = stage(c, 1);
    expect(ops(s)).toEqual(['UNSHARE', 'WRITE_FILE']);
    expect(s[1]!.args).toEqual(['/proc/self/timens_offsets', 'monotonic 7 1\n']);
  });
  it('MUST generate an error for a duplicated namespace type', () => {
    expect(() => plan(config({ linux: { namespaces: [{ type: 'pid' }, { type: 'mount' }, { type: 'pid', path: '/x' }] } }))).toThrow(
      'linux.namespaces[2].type: namespace "pid" is given twice',
    );
  });
  it('refuses a relative namespace path, an unknown type, and maps without a user namespace', () => {
    expect(() => plan(config({ linux: { namespaces: [{ type: 'mount', path: 'ns/mnt' }] } }))).toThrow('linux.namespaces[0].path: must be an absolute path');
    expect(() => plan(config({ linux: { namespaces: [{ type: 'mount' }, { type: 'foo' }] } }))).toThrow('linux.namespaces[1].type: unknown namespace type "foo"');
    expect(() => plan(config({ linux: { namespaces: [{ type: 'mount' }], uidMappings: [{ containerID: 0, hostID: 1, size: 1 }] } }))).toThrow(/need a new user namespace/);
  });
  it('refuses a hostname without a new uts namespace', () => {
    expect(() => plan(config({ hostname: 'h', linux: { namespaces: [{ type: 'mount' }] } }))).toThrow('hostname: setting it needs a new uts namespace');
  });
});

describe('stage 2 (init)', () => {
  const rootfs = join(bundle, 'rootfs');
  it('cuts propagation to the host, binds the rootfs, mounts in the listed order, then pivots', () => {
    const c = config({
      hostname: 'box',
      mounts: [
        { destination: '/proc', type: 'proc', source: 'proc' },
        { destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'mode=1777'] },
      ],
    });
    const s = stage(c, 2);
    expect(s[0]).toMatchObject({ op: 'MOUNT', args: ['', '/', '', MS.SLAVE | MS.REC, ''] });
    expect(s[1]).toMatchObject({ op: 'MOUNT', args: [rootfs, rootfs, '', MS.BIND | MS.REC, ''] });
    const mounts = s.filter((x) => x.op === 'MOUNT' && x.label.startsWith('mounts['));
    expect(mounts.map((m) => m.args.slice(1, 5))).toEqual([
      [`${rootfs}/proc`, 'proc', 0, ''],
      [`${rootfs}/tmp`, 'tmpfs', MS.NOSUID, 'mode=1777'],
    ]);
    const order = ops(s);
    expect(order.indexOf('PIVOT_ROOT')).toBeGreaterThan(order.lastIndexOf('MKNOD'));
    expect(order.at(-1)).toBe('SETHOSTNAME');
  });
  it('makes the default devices and /dev symlinks (config-linux.md "Default Devices")', () => {
    const s = stage(config(), 2);
    const nodes = s.filter((x) => x.op === 'MKNOD').map((x) => x.args[0]);
    expect(nodes).toEqual(['null', 'zero', 'full', 'random', 'urandom', 'tty'].map((d) => `${rootfs}/dev/${d}`));
    const links = s.filter((x) => x.op === 'SYMLINK').map((x) => [x.args[0], x.args[1]]);
    expect(links).toContainEqual(['pts/ptmx', `${rootfs}/dev/ptmx`]);
    expect(links).toContainEqual(['/proc/self/fd', `${rootfs}/dev/fd`]);
  });
  it('bind-mounts host device nodes instead of mknod in a new user namespace', () => {
    const map = [{ containerID: 0, hostID: 1000, size: 1 }];
    const s = stage(config({ linux: { namespaces: [{ type: 'mount' }, { type: 'user' }], uidMappings: map, gidMappings: map } }), 2);
    expect(s.some((x) => x.op === 'MKNOD')).toBe(false);
    expect(s).toContainEqual(expect.objectContaining({ op: 'MOUNT', args: ['/dev/null', `${rootfs}/dev/null`, '', MS.BIND, ''] }));
  });
  it('binds a file onto a file and a directory onto a directory, relative to the bundle, remounting for extra flags', () => {
    const c = config({
      mounts: [
        { destination: '/etc/f', type: 'bind', source: 'file.txt', options: ['rbind', 'ro'] },
        { destination: '/data', source: join(bundle, 'data'), options: ['bind'] },
      ],
    });
    const m = stage(c, 2).filter((x) => x.label.startsWith('mounts['));
    expect(m.map((x) => [x.op, ...x.args.slice(0, 4)])).toEqual([
      ['MKFILE_P', `${rootfs}/etc/f`],
      ['MOUNT', join(bundle, 'file.txt'), `${rootfs}/etc/f`, '', MS.BIND | MS.REC],
      ['MOUNT', '', `${rootfs}/etc/f`, '', MS.BIND | MS.REMOUNT | MS.RDONLY],
      ['MKDIR_P', `${rootfs}/data`, 0o755],
      ['MOUNT', join(bundle, 'data'), `${rootfs}/data`, '', MS.BIND],
    ]);
  });
  it('applies propagation options and recursive attributes as separate steps', () => {
    const s = stage(config({ mounts: [{ destination: '/m', type: 'tmpfs', source: 't', options: ['rshared', 'rro', 'rnoexec'] }] }), 2);
    const m = s.filter((x) => x.label.startsWith('mounts['));
    expect(m.map((x) => x.op)).toEqual(['MKDIR_P', 'MOUNT', 'MOUNT', 'MOUNT_SETATTR']);
    expect(m[2]!.args[3]).toBe(MS.SHARED | MS.REC);
    expect(m[3]!.args.slice(1)).toEqual([0x1 | 0x8, 0, 0, 0x8000]);
  });
  it('resolves relative and dot-dot destinations inside the rootfs', () => {
    const s = stage(config({ mounts: [{ destination: 'x/../../../etc', type: 'tmpfs', source: 't' }] }), 2);
    expect(s.find((x) => x.label.startsWith('mounts[') && x.op === 'MOUNT')!.args[1]).toBe(`${rootfs}/etc`);
  });
  it('mounts each v1 hierarchy for type cgroup on a v1 or hybrid host, and cgroup2 on a v2 host', () => {
    const c = config({ mounts: [{ destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['ro'] }] });
    const v2 = stage(c, 2).filter((x) => x.op === 'MOUNT' && x.label.startsWith('mounts['));
    expect(v2.map((x) => x.args[2])).toEqual(['cgroup2']);
    const hybrid = { v1: [{ name: 'cpu,cpuacct', options: 'cpu,cpuacct' }, { name: 'pids', options: 'pids' }], v2Mount: 'unified', pureV2: false };
    const h = stage(c, 2, { cgroup: hybrid }).filter((x) => x.op === 'MOUNT' && x.label.startsWith('mounts['));
    expect(h.map((x) => [x.args[2], x.args[4]])).toEqual([
      ['tmpfs', 'mode=755'], ['cgroup', 'cpu,cpuacct'], ['cgroup', 'pids'], ['cgroup2', ''], ['', 'mode=755'],
    ]);
  });
  it('makes / read-only after pivot_root when root.readonly, and sets rootfsPropagation', () => {
    const s = stage(config({ root: { path: 'rootfs', readonly: true }, linux: { namespaces: [{ type: 'mount' }], rootfsPropagation: 'private' } }), 2);
    const after = s.slice(ops(s).indexOf('PIVOT_ROOT') + 1);
    expect(after.map((x) => x.args[3])).toEqual([MS.PRIVATE, MS.BIND | MS.REMOUNT | MS.RDONLY]);
  });
  it('uses chroot instead of pivot_root with --no-pivot', () => {
    expect(ops(stage(config(), 2, { noPivot: true }))).toContain('CHROOT');
  });
  it('refuses mount options it does not implement rather than passing them to the kernel', () => {
    expect(() => plan(config({ mounts: [{ destination: '/m', type: 'tmpfs', source: 't', options: ['idmap'] }] }))).toThrow(
      'mounts[0].options[0]: mount option "idmap" is not supported by ocirt',
    );
  });
  it('reports a missing bind source naming the field', () => {
    expect(() => plan(config({ mounts: [{ destination: '/m', type: 'bind', source: '/nonexistent/x' }] }))).toThrow('mounts[0].source: /nonexistent/x: no such file or directory');
  });
});

describe('labels', () => {
  it('name a config field for every step, in step order', () => {
    const p = plan(config({ mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }] }));
    const labels = planLabels(p);
    expect(labels.length).toBe(p.stages.reduce((n, [, s]) => n + s.length, 0));
    expect(labels).toContain('mounts[0] (/proc)');
  });
});
