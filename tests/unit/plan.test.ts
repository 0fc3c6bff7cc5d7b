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
  return buildPlan({ config: c, edition: 'v1', rootfs: join(bundle, 'rootfs'), bundle, cgroupProcs: [], cgroup: { v1: [], pureV2: true }, noPivot: false, host: { selinux: false, resctrl: false }, ...o });
}
const stage = (c: Config, n: number, o: Partial<PlanInput> = {}): Step[] => plan(c, o).stages.find(([s]) => s === n)![1];
const ops = (steps: Step[]) => steps.map((s) => s.op);

describe('stage 0 (host) and the cgroup', () => {
  it('stage 0 opens the start socket; stage 1 joins the cgroup in every hierarchy before its namespaces, so stage 0 (and the hooks it runs) stays out', () => {
    const o = { cgroupProcs: ['/cg/a/cgroup.procs', '/cg/b/cgroup.procs'] };
    expect(stage(config(), 0, o)).toEqual([{ op: 'LISTEN', args: ['init.sock'], label: 'start socket' }]);
    expect(stage(config(), 1, o).slice(0, 3)).toEqual([
      { op: 'WRITE_FILE', args: ['/cg/a/cgroup.procs', '0'], label: 'linux.cgroupsPath (/cg/a/cgroup.procs)' },
      { op: 'WRITE_FILE', args: ['/cg/b/cgroup.procs', '0'], label: 'linux.cgroupsPath (/cg/b/cgroup.procs)' },
      expect.objectContaining({ op: 'UNSHARE' }),
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
  it('refuses a hostname or domainname without a uts namespace', () => {
    expect(() => plan(config({ hostname: 'h', linux: { namespaces: [{ type: 'mount' }] } }))).toThrow('hostname: setting it needs a uts namespace');
    expect(() => plan(config({ domainname: 'd', linux: { namespaces: [{ type: 'mount' }] } }))).toThrow('domainname: setting it needs a uts namespace');
    expect(() => plan(config({ hostname: 'h', linux: { namespaces: [{ type: 'mount' }] } }), { edition: 'draft' })).toThrow('hostname: setting it needs a new uts namespace');
  });
  it('v1.3.0 config.md "Hostname": sets it in a joined uts namespace; the draft needs a new one', () => {
    const c = config({ hostname: 'h', domainname: 'd', linux: { namespaces: [{ type: 'mount' }, { type: 'uts', path: '/proc/1/ns/uts' }] } });
    const s = stage(c, 2);
    expect(s.filter((x) => x.op === 'SETHOSTNAME' || x.op === 'SETDOMAINNAME').map((x) => [x.op, ...x.args])).toEqual([['SETHOSTNAME', 'h'], ['SETDOMAINNAME', 'd']]);
    expect(stage(c, 1)).toContainEqual(expect.objectContaining({ op: 'SETNS', args: ['/proc/1/ns/uts', L.CLONE_NEWUTS] }));
    expect(() => plan(c, { edition: 'draft' })).toThrow('hostname: setting it needs a new uts namespace');
    expect(() => plan(config({ domainname: 'd', linux: c.linux }), { edition: 'draft' })).toThrow('domainname: setting it needs a new uts namespace');
  });
});

describe('stage 2 (init)', () => {
  const rootfs = join(bundle, 'rootfs');
  const S_IFCHR = 0o020000;
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
    expect(s[2]).toEqual({ op: 'OPEN_ROOT', args: [0, rootfs], label: 'root.path' });
    const mounts = s.filter((x) => x.op === 'MOUNT_IN');
    expect(mounts.map((m) => m.args)).toEqual([
      [0, '/proc', 'proc', 'proc', 0, ''],
      [0, '/tmp', 'tmpfs', 'tmpfs', MS.NOSUID, 'mode=1777'],
    ]);
    const order = ops(s);
    const pivot = order.indexOf('PIVOT_ROOT');
    // Issue 9: no step but root.path's takes a host path under the rootfs; destinations stay container paths.
    const hostPaths = s.filter((x) => x.args.some((a) => typeof a === 'string' && a.startsWith(rootfs)));
    expect(hostPaths.map((x) => x.label)).toEqual(['root.path', 'root.path', 'root.path']);
    expect(s.map((x) => x.label.startsWith('mounts[')).lastIndexOf(true)).toBeLessThan(pivot);
    // config-linux.md "Devices": made after pivot_root, so every path resolves inside the rootfs.
    expect(order.indexOf('MKNOD_AT')).toBeGreaterThan(pivot);
    expect(order.at(-1)).toBe('SETHOSTNAME');
  });
  it('orders stage 2 as build.ts says: mounts, listener, host nodes, personality, memory policy, pivot, propagation, devices, names, sysctl, read-only, masked, root.readonly', () => {
    const map = [{ containerID: 0, hostID: 100000, size: 65536 }];
    const c = config({
      root: { path: 'rootfs', readonly: true },
      hostname: 'h',
      domainname: 'd',
      mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }],
      linux: {
        namespaces: [{ type: 'mount' }, { type: 'user' }, { type: 'uts' }, { type: 'network' }],
        uidMappings: map,
        gidMappings: map,
        rootfsPropagation: 'slave',
        seccomp: { defaultAction: 'SCMP_ACT_ALLOW', listenerPath: '/run/agent.sock' },
        personality: { domain: 'LINUX' },
        memoryPolicy: { mode: 'MPOL_BIND', nodes: '0' },
        sysctl: { 'net.ipv4.ip_forward': '1' },
        readonlyPaths: ['/proc/sys'],
        maskedPaths: ['/proc/kcore'],
      },
    });
    const s = stage(c, 2);
    const kinds = s.map((x) => {
      if (x.label.startsWith('mounts[')) return 'mounts';
      if (x.op === 'OPEN_TREE' || x.op === 'ATTACH_TREE' || x.op === 'SYMLINK') return `devices:${x.op}`;
      return x.op === 'MOUNT' ? x.label : x.op;
    });
    const squeezed = kinds.filter((k, i) => k !== kinds[i - 1]);
    expect(squeezed).toEqual([
      'mount namespace (make / a recursive slave)', 'root.path', 'OPEN_ROOT', 'mounts', 'LISTENER_CONNECT', 'devices:OPEN_TREE',
      'PERSONALITY', 'SET_MEMPOLICY', 'PIVOT_ROOT', 'CLOSE_SLOT', 'linux.rootfsPropagation', 'devices:ATTACH_TREE', 'devices:SYMLINK',
      'SETHOSTNAME', 'SETDOMAINNAME', 'WRITE_AT', 'READONLY_PATH', 'MASK_PATH', 'root.readonly',
    ]);
    // The rootfs's fd goes right after pivot_root: a waiting init holds no fd of a host directory.
    expect(s.find((x) => x.op === 'CLOSE_SLOT')!.args).toEqual(s.find((x) => x.op === 'OPEN_ROOT')!.args.slice(0, 1));
    expect(s.find((x) => x.op === 'WRITE_AT')!.args).toEqual(['/proc/sys/net/ipv4/ip_forward', '1']);
    expect(s.find((x) => x.op === 'READONLY_PATH')!.args).toEqual(['/proc/sys']);
    expect(s.find((x) => x.op === 'MASK_PATH')!.args).toEqual(['/proc/kcore']);
  });
  it('makes the default devices and /dev symlinks after pivot_root, with container paths (config-linux.md "Default Devices")', () => {
    const s = stage(config(), 2);
    const pivot = ops(s).indexOf('PIVOT_ROOT');
    const nodes = s.filter((x) => x.op === 'MKNOD_AT');
    expect(nodes.map((x) => x.args)).toEqual([
      ['/dev/null', S_IFCHR | 0o666, 1, 3, 0, 0, 1],
      ['/dev/zero', S_IFCHR | 0o666, 1, 5, 0, 0, 1],
      ['/dev/full', S_IFCHR | 0o666, 1, 7, 0, 0, 1],
      ['/dev/random', S_IFCHR | 0o666, 1, 8, 0, 0, 1],
      ['/dev/urandom', S_IFCHR | 0o666, 1, 9, 0, 0, 1],
      ['/dev/tty', S_IFCHR | 0o666, 5, 0, 0, 0, 1],
    ]);
    expect(s.slice(0, pivot).some((x) => x.op === 'MKNOD_AT' || x.op === 'SYMLINK')).toBe(false);
    const links = s.filter((x) => x.op === 'SYMLINK').map((x) => [x.args[0], x.args[1]]);
    expect(links).toEqual([
      ['/proc/self/fd', '/dev/fd'], ['/proc/self/fd/0', '/dev/stdin'], ['/proc/self/fd/1', '/dev/stdout'], ['/proc/self/fd/2', '/dev/stderr'], ['pts/ptmx', '/dev/ptmx'],
    ]);
    expect(ops(s).indexOf('SYMLINK')).toBeGreaterThan(ops(s).lastIndexOf('MKNOD_AT'));
  });
  it('binds host device nodes instead of mknod in a new user namespace: OPEN_TREE before pivot_root, ATTACH_TREE after', () => {
    const map = [{ containerID: 0, hostID: 1000, size: 1 }];
    const s = stage(config({ linux: { namespaces: [{ type: 'mount' }, { type: 'user' }], uidMappings: map, gidMappings: map } }), 2);
    expect(s.some((x) => x.op === 'MKNOD_AT')).toBe(false);
    const pivot = ops(s).indexOf('PIVOT_ROOT');
    const open = s.map((x, i) => [x, i] as const).filter(([x]) => x.op === 'OPEN_TREE');
    const attach = s.map((x, i) => [x, i] as const).filter(([x]) => x.op === 'ATTACH_TREE');
    const paths = ['null', 'zero', 'full', 'random', 'urandom', 'tty'].map((d) => `/dev/${d}`);
    // slot 0 is the rootfs's (OPEN_ROOT)
    expect(open.map(([x]) => x.args)).toEqual(paths.map((p, i) => [i + 1, p]));
    expect(attach.map(([x]) => x.args)).toEqual(paths.map((p, i) => [p, i + 1]));
    expect(open.every(([, i]) => i < pivot)).toBe(true);
    expect(attach.every(([, i]) => i > pivot)).toBe(true);
  });
  it('binds a file onto a file and a directory onto a directory, relative to the bundle, remounting for extra flags', () => {
    const c = config({
      mounts: [
        { destination: '/etc/f', type: 'bind', source: 'file.txt', options: ['rbind', 'ro'] },
        { destination: '/data', source: join(bundle, 'data'), options: ['bind'] },
      ],
    });
    const m = stage(c, 2).filter((x) => x.label.startsWith('mounts['));
    expect(m.map((x) => [x.op, ...x.args])).toEqual([
      ['MKFILE_IN', 0, '/etc/f'],
      ['MOUNT_IN', 0, '/etc/f', join(bundle, 'file.txt'), '', MS.BIND | MS.REC, ''],
      ['MOUNT_IN', 0, '/etc/f', '', '', MS.BIND | MS.REMOUNT | MS.RDONLY, ''],
      ['MKDIR_IN', 0, '/data', 0o755],
      ['MOUNT_IN', 0, '/data', join(bundle, 'data'), '', MS.BIND, ''],
    ]);
  });
  it('applies propagation options and recursive attributes as separate steps', () => {
    const s = stage(config({ mounts: [{ destination: '/m', type: 'tmpfs', source: 't', options: ['rshared', 'rro', 'rnoexec'] }] }), 2);
    const m = s.filter((x) => x.label.startsWith('mounts['));
    expect(m.map((x) => x.op)).toEqual(['MKDIR_IN', 'MOUNT_IN', 'MOUNT_IN', 'MOUNT_SETATTR']);
    expect(m[2]!.args).toEqual([0, '/m', '', '', MS.SHARED | MS.REC, '']);
    expect(m[3]!.args).toEqual([0, '/m', 0x1 | 0x8, 0, 0, 0x8000]);
  });
  it('carries relative, dot-dot and doubled-slash destinations as clean container paths, for the executor to resolve inside the rootfs', () => {
    const target = (destination: string) => stage(config({ mounts: [{ destination, type: 'tmpfs', source: 't' }] }), 2).filter((x) => x.label.startsWith('mounts['));
    expect(target('x/../../../etc').map((x) => x.args.slice(0, 2))).toEqual([[0, '/etc'], [0, '/etc']]);
    expect(target('x/../../../etc')[0]!.label).toBe('mounts[0] (x/../../../etc)');
    expect(target('/a//b/').map((x) => x.args[1])).toEqual(['/a/b', '/a/b']);
    expect(target('/').map((x) => x.args[1])).toEqual(['/', '/']); // refused by the executor: it is the root itself
  });
  describe('type cgroup', () => {
    const target = '/sys/fs/cgroup';
    const c = (options: string[], cgroupNs: boolean) =>
      config({
        mounts: [{ destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options }],
        linux: { namespaces: [{ type: 'pid' }, { type: 'mount' }, ...(cgroupNs ? [{ type: 'cgroup' }] : [])] },
      });
    const mountArgs = (cfg: Config, o: Partial<PlanInput>) =>
      stage(cfg, 2, o).filter((x) => x.label.startsWith('mounts[')).map((x) => [x.op, ...x.args]);
    const fsFlags = MS.NOSUID | MS.NODEV | MS.NOEXEC;
    const pure = { v1: [], v2: { name: 'cgroup', options: '', dir: '/sys/fs/cgroup/system.slice/ctr' }, pureV2: true };
    const hybrid = {
      v1: [{ name: 'cpu,cpuacct', options: 'cpu,cpuacct', dir: '/sys/fs/cgroup/cpu,cpuacct/ctr' }, { name: 'pids', options: 'pids', dir: '/sys/fs/cgroup/pids/ctr' }],
      v2: { name: 'unified', options: '', dir: '/sys/fs/cgroup/unified/ctr' },
      pureV2: false,
    };
    it('mounts cgroup2 afresh on a pure v2 host in a new cgroup namespace', () => {
      expect(mountArgs(c(['ro'], true), { cgroup: pure })).toEqual([
        ['MKDIR_IN', 0, target, 0o755],
        ['MOUNT_IN', 0, target, 'cgroup', 'cgroup2', fsFlags | MS.RDONLY, ''],
      ]);
    });
    it('binds the container\'s own cgroup directory on a pure v2 host without a cgroup namespace, then remounts it with the flags', () => {
      expect(mountArgs(c(['ro'], false), { cgroup: pure })).toEqual([
        ['MKDIR_IN', 0, target, 0o755],
        ['MOUNT_IN', 0, target, '/sys/fs/cgroup/system.slice/ctr', '', MS.BIND, ''],
        ['MOUNT_IN', 0, target, '', '', MS.BIND | MS.REMOUNT | fsFlags | MS.RDONLY, ''],
      ]);
    });
    it('mounts a tmpfs holding each v1 hierarchy and cgroup2 on a hybrid host in a new cgroup namespace, read-only last', () => {
      expect(mountArgs(c(['ro'], true), { cgroup: hybrid })).toEqual([
        ['MKDIR_IN', 0, target, 0o755],
        ['MOUNT_IN', 0, target, 'tmpfs', 'tmpfs', fsFlags, 'mode=755'],
        ['MKDIR_IN', 0, `${target}/cpu,cpuacct`, 0o755],
        ['MOUNT_IN', 0, `${target}/cpu,cpuacct`, 'cgroup', 'cgroup', fsFlags | MS.RDONLY, 'cpu,cpuacct'],
        ['MKDIR_IN', 0, `${target}/pids`, 0o755],
        ['MOUNT_IN', 0, `${target}/pids`, 'cgroup', 'cgroup', fsFlags | MS.RDONLY, 'pids'],
        ['MKDIR_IN', 0, `${target}/unified`, 0o755],
        ['MOUNT_IN', 0, `${target}/unified`, 'cgroup', 'cgroup2', fsFlags | MS.RDONLY, ''],
        ['MOUNT_IN', 0, target, '', '', MS.REMOUNT | MS.RDONLY | fsFlags, 'mode=755'],
      ]);
    });
    it('binds the container\'s own directory of each hierarchy without a cgroup namespace (as runc does)', () => {
      const steps = mountArgs(c([], false), { cgroup: hybrid });
      expect(steps).toEqual([
        ['MKDIR_IN', 0, target, 0o755],
        ['MOUNT_IN', 0, target, 'tmpfs', 'tmpfs', fsFlags, 'mode=755'],
        ['MKDIR_IN', 0, `${target}/cpu,cpuacct`, 0o755],
        ['MOUNT_IN', 0, `${target}/cpu,cpuacct`, '/sys/fs/cgroup/cpu,cpuacct/ctr', '', MS.BIND, ''],
        ['MOUNT_IN', 0, `${target}/cpu,cpuacct`, '', '', MS.BIND | MS.REMOUNT | fsFlags, ''],
        ['MKDIR_IN', 0, `${target}/pids`, 0o755],
        ['MOUNT_IN', 0, `${target}/pids`, '/sys/fs/cgroup/pids/ctr', '', MS.BIND, ''],
        ['MOUNT_IN', 0, `${target}/pids`, '', '', MS.BIND | MS.REMOUNT | fsFlags, ''],
        ['MKDIR_IN', 0, `${target}/unified`, 0o755],
        ['MOUNT_IN', 0, `${target}/unified`, '/sys/fs/cgroup/unified/ctr', '', MS.BIND, ''],
        ['MOUNT_IN', 0, `${target}/unified`, '', '', MS.BIND | MS.REMOUNT | fsFlags, ''],
      ]);
    });
    it('mounts a hierarchy the container has no directory in afresh, even without a cgroup namespace', () => {
      const v1 = { v1: [{ name: 'pids', options: 'pids' }], pureV2: false };
      expect(mountArgs(c([], false), { cgroup: v1 }).slice(2)).toEqual([
        ['MKDIR_IN', 0, `${target}/pids`, 0o755],
        ['MOUNT_IN', 0, `${target}/pids`, 'cgroup', 'cgroup', fsFlags, 'pids'],
      ]);
    });
  });
  it('joins a new session keyring first in the init when asked (runc does unless --no-new-keyring)', () => {
    expect(stage(config(), 2, { sessionKeyring: '_ses.c1' })[0]).toMatchObject({ op: 'JOIN_SESSION_KEYRING', args: ['_ses.c1'] });
    expect(ops(stage(config(), 2))).not.toContain('JOIN_SESSION_KEYRING');
  });
  it('makes / read-only as the last step, after pivot_root, rootfsPropagation and the device nodes', () => {
    const s = stage(config({ root: { path: 'rootfs', readonly: true }, linux: { namespaces: [{ type: 'mount' }], rootfsPropagation: 'private' } }), 2);
    const after = s.slice(ops(s).indexOf('PIVOT_ROOT') + 2); // after the CLOSE_SLOT of the rootfs
    expect(after[0]).toEqual({ op: 'MOUNT', args: ['', '/', '', MS.PRIVATE, ''], label: 'linux.rootfsPropagation' });
    expect(after.at(-1)).toEqual({ op: 'MOUNT', args: ['', '/', '', MS.BIND | MS.REMOUNT | MS.RDONLY, ''], label: 'root.readonly' });
    expect(after.slice(1, -1).map((x) => x.op)).toEqual([...Array(6).fill('MKNOD_AT'), ...Array(5).fill('SYMLINK')]);
    expect(ops(stage(config(), 2))).not.toContain('MOUNT_SETATTR');
    expect(stage(config(), 2).some((x) => x.label === 'root.readonly')).toBe(false);
  });
  it('uses chroot instead of pivot_root with --no-pivot', () => {
    const s = ops(stage(config(), 2, { noPivot: true }));
    expect(s).toContain('CHROOT');
    expect(s).not.toContain('PIVOT_ROOT');
    expect(s.indexOf('MKNOD_AT')).toBeGreaterThan(s.indexOf('CHROOT'));
  });
  it('refuses idmap on a mount that is not a bind mount, and tmpcopyup on one that is not tmpfs, rather than passing them to the kernel', () => {
    expect(() => plan(config({ mounts: [{ destination: '/m', type: 'tmpfs', source: 't', options: ['idmap'] }] }))).toThrow(
      'mounts[0].options: "idmap" applies to bind mounts only',
    );
    expect(() => plan(config({ mounts: [{ destination: '/m', type: 'proc', source: 'proc', options: ['ridmap'] }] }))).toThrow(
      'mounts[0].options: "ridmap" applies to bind mounts only',
    );
    expect(() => plan(config({ mounts: [{ destination: '/m', type: 'proc', source: 'proc', options: ['tmpcopyup'] }] }))).toThrow(
      'mounts[0].options: "tmpcopyup" applies to tmpfs mounts only',
    );
    const tmp = stage(config({ mounts: [{ destination: '/m', type: 'tmpfs', source: 't', options: ['tmpcopyup', 'nosuid', 'size=1m'] }] }), 2);
    const m = tmp.filter((x) => x.label.startsWith('mounts['));
    expect(m.map((x) => [x.op, ...x.args])).toEqual([['MKDIR_IN', 0, '/m', 0o755], ['TMPFS_COPYUP', 0, '/m', 't', MS.NOSUID, 'size=1m']]);
    // never passed on as filesystem data
    expect(m.flatMap((x) => x.args).some((a) => typeof a === 'string' && /idmap|tmpcopyup/.test(a))).toBe(false);
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
