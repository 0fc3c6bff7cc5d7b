// src/plan/build.ts: the rules between fields (checkCombinations), the stages, the listener slot,
// and a label for every step, so that a failed step names its config field.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildPlan, encodePlan, planLabels, type PlanInput } from '../../src/plan/build.ts';
import { Op } from '../../src/plan/protocol.ts';
import type { Config } from '../../src/spec/config.ts';

const bundle = mkdtempSync(join(tmpdir(), 'ocirt-build-'));
afterAll(() => rmSync(bundle, { recursive: true, force: true }));
mkdirSync(join(bundle, 'rootfs'));
mkdirSync(join(bundle, 'data'));
writeFileSync(join(bundle, 'f'), '');

const config = (linux: Config['linux'], extra: Partial<Config> = {}): Config => ({ ociVersion: '1.3.0', root: { path: 'rootfs' }, linux, ...extra });
const plan = (c: Config, o: Partial<PlanInput> = {}) =>
  buildPlan({ config: c, edition: 'v1', rootfs: join(bundle, 'rootfs'), bundle, cgroupProcs: [], cgroup: { v1: [], pureV2: true }, noPivot: false, host: { selinux: false, resctrl: false }, ...o });
const mnt = [{ type: 'mount' }];

describe('a mount namespace is required (docs/design.md "No mount namespace")', () => {
  it('none is refused: pivot_root would move the host\'s root', () => {
    expect(() => plan(config({ namespaces: [{ type: 'pid' }] }))).toThrow(/^linux\.namespaces: a mount namespace is required/);
    expect(() => plan(config(undefined))).toThrow(/^linux\.namespaces: a mount namespace is required/);
  });
  it('a new or a joined one will do', () => {
    expect(() => plan(config({ namespaces: mnt }))).not.toThrow();
    expect(() => plan(config({ namespaces: [{ type: 'mount', path: '/proc/1/ns/mnt' }] }))).not.toThrow();
  });
});

describe('host facts', () => {
  it('linux.intelRdt without resctrl mounted is an error naming the field', () => {
    expect(() => plan(config({ namespaces: mnt, intelRdt: { closID: 'c' } }))).toThrow('linux.intelRdt: resctrl is not mounted on this host (config-linux.md "IntelRdt")');
  });
  it('linux.intelRdt with resctrl is not supported yet, and says so', () => {
    expect(() => plan(config({ namespaces: mnt, intelRdt: { closID: 'c' } }), { host: { selinux: false, resctrl: true } })).toThrow('linux.intelRdt: not supported by ocirt yet');
  });
  it('linux.mountLabel without SELinux is an error naming the field; an empty one asks for nothing', () => {
    expect(() => plan(config({ namespaces: mnt, mountLabel: 'system_u:object_r:container_file_t:s0' }))).toThrow('linux.mountLabel: SELinux is not enabled on this host');
    expect(() => plan(config({ namespaces: mnt, mountLabel: '' }))).not.toThrow();
    expect(() => plan(config({ namespaces: mnt, mountLabel: 'x' }), { host: { selinux: true, resctrl: false } })).not.toThrow();
  });
});

describe('user and time namespaces', () => {
  const map = [{ containerID: 0, hostID: 1000, size: 1 }];
  it('a new user namespace needs both maps; maps need a new user namespace', () => {
    expect(() => plan(config({ namespaces: [...mnt, { type: 'user' }], uidMappings: map }))).toThrow('linux.uidMappings: a new user namespace needs uidMappings and gidMappings');
    expect(() => plan(config({ namespaces: mnt, gidMappings: map }))).toThrow('linux.uidMappings: id mappings need a new user namespace in linux.namespaces');
    expect(() => plan(config({ namespaces: [...mnt, { type: 'user', path: '/proc/1/ns/user' }], uidMappings: map, gidMappings: map }))).toThrow(/need a new user namespace/);
  });
  it('time offsets need a new time namespace', () => {
    expect(() => plan(config({ namespaces: mnt, timeOffsets: { boottime: { secs: 1 } } }))).toThrow('linux.timeOffsets: needs a new time namespace in linux.namespaces');
  });
});

describe('the seccomp agent\'s socket', () => {
  it('takes a slot before the devices\' and is connected before pivot_root; the plan reports the slot', () => {
    const map = [{ containerID: 0, hostID: 1000, size: 1 }];
    const p = plan(config({ namespaces: [...mnt, { type: 'user' }], uidMappings: map, gidMappings: map, seccomp: { defaultAction: 'SCMP_ACT_ALLOW', listenerPath: '/run/agent.sock' } }));
    expect(p.listenerSlot).toBe(1); // after the rootfs's, slot 0
    const s = p.stages.find(([n]) => n === 2)![1];
    const at = s.findIndex((x) => x.op === 'LISTENER_CONNECT');
    expect(s[at]).toEqual({ op: 'LISTENER_CONNECT', args: [1, '/run/agent.sock'], label: 'linux.seccomp.listenerPath' });
    expect(at).toBeLessThan(s.findIndex((x) => x.op === 'PIVOT_ROOT'));
    expect(s.filter((x) => x.op === 'OPEN_TREE').map((x) => x.args[0])).toEqual([2, 3, 4, 5, 6, 7]);
  });
  it('without a listenerPath there is no slot', () => {
    expect(plan(config({ namespaces: mnt, seccomp: { defaultAction: 'SCMP_ACT_ALLOW' } })).listenerSlot).toBe(-1);
    expect(plan(config({ namespaces: mnt })).listenerSlot).toBe(-1);
  });
});

describe('stages', () => {
  it('are 0, 1, 2, 4 and 5, in that order, whatever the config', () => {
    expect(plan(config({ namespaces: mnt })).stages.map(([n]) => n)).toEqual([0, 1, 2, 4, 5]);
  });
  it('personality and memory policy come before pivot_root', () => {
    const s = plan(config({ namespaces: mnt, personality: { domain: 'LINUX32' }, memoryPolicy: { mode: 'MPOL_LOCAL' } })).stages.find(([n]) => n === 2)![1];
    const i = (op: string) => s.findIndex((x) => x.op === op);
    expect(i('PERSONALITY')).toBeLessThan(i('SET_MEMPOLICY'));
    expect(i('SET_MEMPOLICY')).toBeLessThan(i('PIVOT_ROOT'));
  });
});

describe('labels', () => {
  const map = [{ containerID: 0, hostID: 100000, size: 65536 }];
  const full = config(
    {
      namespaces: [{ type: 'mount' }, { type: 'user' }, { type: 'network' }, { type: 'uts' }, { type: 'ipc' }, { type: 'time' }, { type: 'pid', path: '/proc/1/ns/pid' }],
      uidMappings: map,
      gidMappings: map,
      timeOffsets: { monotonic: { secs: 1 } },
      rootfsPropagation: 'rslave',
      devices: [{ path: '/dev/fuse', type: 'c', major: 10, minor: 229 }],
      sysctl: { 'net.ipv4.ip_forward': '1', 'kernel.shmmax': '1' },
      readonlyPaths: ['/proc/sys'],
      maskedPaths: ['/proc/kcore'],
      personality: { domain: 'LINUX' },
      memoryPolicy: { mode: 'MPOL_BIND', nodes: '0' },
      netDevices: { eth1: {} },
      seccomp: { defaultAction: 'SCMP_ACT_ALLOW', listenerPath: '/run/a.sock' },
    },
    {
      root: { path: 'rootfs', readonly: true },
      hostname: 'h',
      domainname: 'd',
      mounts: [
        { destination: '/proc', type: 'proc', source: 'proc' },
        { destination: '/data', source: join(bundle, 'data'), options: ['rbind', 'ridmap', 'ro'] },
        { destination: '/f', type: 'bind', source: 'f' },
        { destination: '/tmp', type: 'tmpfs', options: ['tmpcopyup'] },
        { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup' },
      ],
    },
  );
  it('one per step, in step order across stages, none empty', () => {
    const p = plan(full, { cgroupProcs: ['/cg/a/cgroup.procs', '/cg/b/cgroup.procs'] });
    const labels = planLabels(p);
    const all = p.stages.flatMap(([, s]) => s);
    expect(labels).toEqual(all.map((s) => s.label));
    expect(labels.every((l) => typeof l === 'string' && l.trim().length > 0)).toBe(true);
    expect(new Set(all.map((s) => s.op)).size).toBeGreaterThan(20);
  });
  it('name the config field of each step', () => {
    const p = plan(full);
    const byOp = (op: string) => p.stages.flatMap(([, s]) => s).filter((s) => s.op === op).map((s) => s.label);
    expect(byOp('OPEN_ROOT')).toEqual(['root.path']);
    expect(byOp('USERNS_FD')).toEqual(['mounts[1] (/data): id mapping']);
    expect(byOp('IDMAP_MOUNT')).toEqual(['mounts[1] (/data)']);
    expect(byOp('TMPFS_COPYUP')).toEqual(['mounts[3] (/tmp)']);
    expect(byOp('SETNS')).toEqual(['linux.namespaces[6].path (/proc/1/ns/pid)']);
    expect(byOp('WRITE_AT')).toEqual(['linux.sysctl["net.ipv4.ip_forward"]', 'linux.sysctl["kernel.shmmax"]']);
    expect(byOp('ATTACH_TREE').at(-1)).toBe('linux.devices[0] (/dev/fuse)');
    expect(byOp('NETDEV_MOVE')).toEqual(['linux.netDevices["eth1"]']);
    expect(byOp('PERSONALITY')).toEqual(['linux.personality (LINUX)']);
    expect(byOp('SET_MEMPOLICY')).toEqual(['linux.memoryPolicy (MPOL_BIND)']);
    expect(byOp('READONLY_PATH')).toEqual(['linux.readonlyPaths[0] (/proc/sys)']);
    expect(byOp('MASK_PATH')).toEqual(['linux.maskedPaths[0] (/proc/kcore)']);
    expect(planLabels(p).at(-1)).toBe('linux.netDevices["eth1"]');
  });
  it('the whole plan encodes: every step matches its op\'s signature', () => {
    const p = plan(full);
    expect(() => encodePlan(p)).not.toThrow();
    expect(p.stages.flatMap(([, s]) => s).every((s) => s.op in Op)).toBe(true);
  });
});
