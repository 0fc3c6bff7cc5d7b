// linux.resources planned and applied against fake cgroup trees in a temporary directory (v1,
// pure v2, and the hybrid layout of this host): the exact files and values, their order, the v2
// conversions, controller enabling, and errors that name the field. The last block writes a real
// cgroup on this host and runs only as root.
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupAll } from '../../src/errors.ts';
import {
  type LinuxResources,
  type ResourceOptions,
  type ResourceTarget,
  type ResourceWrite,
  applyResources,
  controllerSites,
  resourceWrites,
  writeAll,
} from '../../src/linux/cgroup-resources.ts';
import { blkioWeightToIoWeight } from '../../src/linux/resources-convert.ts';
import { type CgroupLayout, type ContainerCgroup, cgroupDirs, createCgroup, detectLayout } from '../../src/linux/cgroups.ts';
import { thrown } from './thrown.ts';
import { HYBRID } from '../fixtures/mountinfo.ts';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(join(tmpdir(), 'ocirt-resources-'));
  for (const kb of [2048, 1048576]) fs.mkdirSync(join(tmp, 'hugepages', `hugepages-${kb}kB`), { recursive: true });
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Every v1 controller the resources use, co-mounted as systemd mounts them; no cgroup2. */
const V1 = `30 25 0:26 / @/sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct
31 25 0:27 / @/sys/fs/cgroup/cpuset rw - cgroup cgroup rw,cpuset
32 25 0:28 / @/sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
33 25 0:29 / @/sys/fs/cgroup/pids rw - cgroup cgroup rw,pids
34 25 0:30 / @/sys/fs/cgroup/blkio rw - cgroup cgroup rw,blkio
35 25 0:31 / @/sys/fs/cgroup/hugetlb rw - cgroup cgroup rw,hugetlb
36 25 0:32 / @/sys/fs/cgroup/net_cls,net_prio rw - cgroup cgroup rw,net_cls,net_prio
37 25 0:33 / @/sys/fs/cgroup/rdma rw - cgroup cgroup rw,rdma
`;

const V2 = `26 22 0:23 / @/sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate
`;
const V2_CONTROLLERS = 'cpuset cpu io memory hugetlb pids rdma misc';

const cg = (sub: string) => join(tmp, 'sys/fs/cgroup', sub);
const MIB = 1024 * 1024;

/** The layout with its mount points made and the v2 root's cgroup.controllers written. */
function host(mountinfo: string, v2Controllers = ''): CgroupLayout {
  const text = mountinfo.replaceAll('@', tmp);
  for (const h of detectLayout(text).hierarchies) {
    fs.mkdirSync(h.mountPoint, { recursive: true });
    if (h.version === 2) fs.writeFileSync(join(h.mountPoint, 'cgroup.controllers'), `${v2Controllers}\n`);
  }
  return detectLayout(text);
}

/** The container's directory in every hierarchy, made, at /pod/c1. */
function container(layout: CgroupLayout, path = '/pod/c1'): ResourceTarget {
  const { dirs } = cgroupDirs(layout, path, 'c1', { root: '/run/ocirt' });
  for (const d of dirs) fs.mkdirSync(d, { recursive: true });
  return { layout, dirs };
}

/** Files as the kernel would have them, relative to the fake /sys/fs/cgroup. */
function kernelFiles(files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    fs.mkdirSync(dirname(cg(path)), { recursive: true });
    fs.writeFileSync(cg(path), content);
  }
}

const read = (path: string) => fs.readFileSync(cg(path), 'utf8');
const plan = (r: LinuxResources, t: ResourceTarget, o: ResourceOptions = {}) => resourceWrites(r, t, { hugepagesDir: join(tmp, 'hugepages'), ...o });
/** [directory under /sys/fs/cgroup, file, value, field] per write. */
const rows = (writes: ResourceWrite[]) => writes.map((w) => [relative(cg(''), w.dir), w.file, w.value, w.field]);


const M = 'linux.resources.memory';
const C = 'linux.resources.cpu';
const B = 'linux.resources.blockIO';

describe('controllerSites', () => {
  it('hybrid: v1 hierarchies win, hugetlb is found in the v2 directory, net_cls nowhere', () => {
    const t = container(host(HYBRID, 'hugetlb'));
    const sites = controllerSites(t.layout, t.dirs);
    expect(sites.get('memory')).toEqual({ dir: cg('memory/pod/c1'), version: 1 });
    expect(sites.get('blkio')).toEqual({ dir: cg('blkio/pod/c1'), version: 1 });
    expect(sites.get('hugetlb')).toEqual({ dir: cg('unified/pod/c1'), version: 2 });
    expect(sites.has('net_cls')).toBe(false);
    expect(sites.has('rdma')).toBe(false);
  });

  it('v2: blkio is the io controller; net_cls and net_prio have no v2 counterpart', () => {
    const t = container(host(V2, V2_CONTROLLERS));
    const sites = controllerSites(t.layout, t.dirs);
    expect(sites.get('blkio')).toEqual({ dir: cg('pod/c1'), version: 2 });
    expect([...sites.keys()].sort()).toEqual(['blkio', 'cpu', 'cpuset', 'hugetlb', 'memory', 'pids', 'rdma']);
  });

  it('v1: a co-mounted hierarchy serves each of its controllers', () => {
    const t = container(host(V1));
    const sites = controllerSites(t.layout, t.dirs);
    expect(sites.get('cpu')?.dir).toBe(cg('cpu,cpuacct/pod/c1'));
    expect(sites.get('net_prio')?.dir).toBe(cg('net_cls,net_prio/pod/c1'));
  });
});

describe('cgroup v1', () => {
  const ALL: LinuxResources = {
    memory: { limit: 100 * MIB, reservation: 50 * MIB, swap: 200 * MIB, kernelTCP: MIB, swappiness: 10, disableOOMKiller: true, useHierarchy: true },
    cpu: { shares: 512, quota: 50000, period: 100000, burst: 10000, realtimePeriod: 1000000, realtimeRuntime: 950000, cpus: '0-1', mems: '0', idle: 0 },
    pids: { limit: 64 },
    blockIO: {
      weight: 500,
      leafWeight: 300,
      weightDevice: [{ major: 8, minor: 0, weight: 600, leafWeight: 200 }],
      throttleReadBpsDevice: [{ major: 8, minor: 0, rate: MIB }],
      throttleWriteIOPSDevice: [{ major: 8, minor: 16, rate: 300 }],
    },
    hugepageLimits: [{ pageSize: '2MB', limit: 4 * MIB }],
    network: { classID: 1048577, priorities: [{ name: 'eth0', priority: 5 }] },
    rdma: { mlx5_1: { hcaHandles: 3, hcaObjects: 10000 } },
  };
  const UNLIMITED = '9223372036854771712';

  it('plans every field in the controller order, each write naming its field', () => {
    const t = container(host(V1));
    kernelFiles({ 'memory/pod/c1/memory.limit_in_bytes': UNLIMITED, 'memory/pod/c1/memory.memsw.limit_in_bytes': UNLIMITED, 'memory/pod/c1/memory.kmem.tcp.limit_in_bytes': '' });
    const p = plan(ALL, t);
    expect(rows(p.writes)).toEqual([
      ['cpuset/pod/c1', 'cpuset.cpus', '0-1', `${C}.cpus`],
      ['cpuset/pod/c1', 'cpuset.mems', '0', `${C}.mems`],
      ['memory/pod/c1', 'memory.limit_in_bytes', String(100 * MIB), `${M}.limit`],
      ['memory/pod/c1', 'memory.memsw.limit_in_bytes', String(200 * MIB), `${M}.swap`],
      ['memory/pod/c1', 'memory.kmem.tcp.limit_in_bytes', String(MIB), `${M}.kernelTCP`],
      ['memory/pod/c1', 'memory.soft_limit_in_bytes', String(50 * MIB), `${M}.reservation`],
      ['memory/pod/c1', 'memory.oom_control', '1', `${M}.disableOOMKiller`],
      ['memory/pod/c1', 'memory.swappiness', '10', `${M}.swappiness`],
      ['memory/pod/c1', 'memory.use_hierarchy', '1', `${M}.useHierarchy`],
      ['cpu,cpuacct/pod/c1', 'cpu.shares', '512', `${C}.shares`],
      ['cpu,cpuacct/pod/c1', 'cpu.cfs_period_us', '100000', `${C}.period`],
      ['cpu,cpuacct/pod/c1', 'cpu.cfs_quota_us', '50000', `${C}.quota`],
      ['cpu,cpuacct/pod/c1', 'cpu.cfs_burst_us', '10000', `${C}.burst`],
      ['cpu,cpuacct/pod/c1', 'cpu.rt_period_us', '1000000', `${C}.realtimePeriod`],
      ['cpu,cpuacct/pod/c1', 'cpu.rt_runtime_us', '950000', `${C}.realtimeRuntime`],
      ['cpu,cpuacct/pod/c1', 'cpu.idle', '0', `${C}.idle`],
      ['pids/pod/c1', 'pids.max', '64', 'linux.resources.pids.limit'],
      ['blkio/pod/c1', 'blkio.weight', '500', `${B}.weight`],
      ['blkio/pod/c1', 'blkio.leaf_weight', '300', `${B}.leafWeight`],
      ['blkio/pod/c1', 'blkio.weight_device', '8:0 600', `${B}.weightDevice[0].weight`],
      ['blkio/pod/c1', 'blkio.leaf_weight_device', '8:0 200', `${B}.weightDevice[0].leafWeight`],
      ['blkio/pod/c1', 'blkio.throttle.read_bps_device', `8:0 ${MIB}`, `${B}.throttleReadBpsDevice[0]`],
      ['blkio/pod/c1', 'blkio.throttle.write_iops_device', '8:16 300', `${B}.throttleWriteIOPSDevice[0]`],
      ['hugetlb/pod/c1', 'hugetlb.2MB.limit_in_bytes', String(4 * MIB), 'linux.resources.hugepageLimits[0].limit'],
      ['hugetlb/pod/c1', 'hugetlb.2MB.rsvd.limit_in_bytes', String(4 * MIB), 'linux.resources.hugepageLimits[0].limit'],
      ['net_cls,net_prio/pod/c1', 'net_cls.classid', '1048577', 'linux.resources.network.classID'],
      ['net_cls,net_prio/pod/c1', 'net_prio.ifpriomap', 'eth0 5', 'linux.resources.network.priorities[0]'],
      ['rdma/pod/c1', 'rdma.max', 'mlx5_1 hca_handle=3 hca_object=10000', 'linux.resources.rdma["mlx5_1"]'],
    ]);
    expect(p.warnings).toEqual([]);
    // runc's retries and fallbacks travel with the writes
    expect(p.writes.find((w) => w.file === 'cpu.cfs_period_us')?.retryAfter).toBe('cpu.cfs_quota_us');
    expect(p.writes.find((w) => w.file === 'blkio.weight')?.fallback).toEqual({ file: 'blkio.bfq.weight', value: '500' });
    expect(p.writes.find((w) => w.file.includes('rsvd'))?.optional).toBe(true);
  });

  it('applies them: BFQ takes the weight when CFQ\'s file is missing, and a missing reservation file is skipped', () => {
    const t = container(host(V1));
    const p = plan({ blockIO: { weight: 500 }, hugepageLimits: [{ pageSize: '2MB', limit: 4 * MIB }], pids: { limit: 0 } }, t);
    kernelFiles({ 'blkio/pod/c1/blkio.bfq.weight': '100', 'hugetlb/pod/c1/hugetlb.2MB.limit_in_bytes': '', 'pids/pod/c1/pids.max': 'max' });
    writeAll(p.writes);
    expect([read('blkio/pod/c1/blkio.bfq.weight'), read('hugetlb/pod/c1/hugetlb.2MB.limit_in_bytes'), read('pids/pod/c1/pids.max')]).toEqual(['500', String(4 * MIB), '0']);
    expect(fs.existsSync(cg('blkio/pod/c1/blkio.weight'))).toBe(false);
    expect(fs.existsSync(cg('hugetlb/pod/c1/hugetlb.2MB.rsvd.limit_in_bytes'))).toBe(false);
  });

  // runc: memsw first when it grows past the current limit or becomes unlimited, else the limit first.
  it.each([
    ['growing past the current limit', 200, 400, ['memory.memsw.limit_in_bytes', 'memory.limit_in_bytes']],
    ['shrinking', 50, 60, ['memory.limit_in_bytes', 'memory.memsw.limit_in_bytes']],
    ['with unlimited swap', 50, -1, ['memory.memsw.limit_in_bytes', 'memory.limit_in_bytes']],
  ])('orders memory and memsw %s', (_, limit, swap, order) => {
    const t = container(host(V1));
    kernelFiles({ 'memory/pod/c1/memory.limit_in_bytes': String(100 * MIB), 'memory/pod/c1/memory.memsw.limit_in_bytes': String(150 * MIB) });
    const mib = (n: number) => (n === -1 ? -1 : n * MIB);
    expect(plan({ memory: { limit: mib(limit), swap: mib(swap) } }, t).writes.map((w) => w.file)).toEqual(order);
  });

  it('an unlimited limit with swap unset also unlimits memsw, where swap accounting exists (runc)', () => {
    const t = container(host(V1));
    expect(rows(plan({ memory: { limit: -1 } }, t).writes)).toEqual([['memory/pod/c1', 'memory.limit_in_bytes', '-1', `${M}.limit`]]);
    kernelFiles({ 'memory/pod/c1/memory.memsw.limit_in_bytes': UNLIMITED });
    expect(rows(plan({ memory: { limit: -1 } }, t).writes)).toEqual([
      ['memory/pod/c1', 'memory.memsw.limit_in_bytes', '-1', `${M}.limit`],
      ['memory/pod/c1', 'memory.limit_in_bytes', '-1', `${M}.limit`],
    ]);
  });

  it('writes kernel memory only where the kernel has the file, and warns otherwise', () => {
    const t = container(host(V1));
    kernelFiles({ 'memory/pod/c1/memory.kmem.limit_in_bytes': '' });
    const p = plan({ memory: { kernel: 8 * MIB, kernelTCP: MIB } }, t);
    expect(rows(p.writes)).toEqual([['memory/pod/c1', 'memory.kmem.limit_in_bytes', String(8 * MIB), `${M}.kernel`]]);
    expect(p.warnings).toEqual([`${M}.kernelTCP: ignored: this kernel has no memory.kmem.tcp.limit_in_bytes (kernel memory limits are deprecated; runc ignores them)`]);
  });

  it('checkBeforeUpdate refuses, on update only, a limit not above the current usage', () => {
    const t = container(host(V1));
    kernelFiles({ 'memory/pod/c1/memory.usage_in_bytes': String(100 * MIB) });
    const memory = { limit: 100 * MIB, checkBeforeUpdate: true };
    const err = thrown(() => plan({ memory }, t, { update: true }));
    expect([err.code, err.message]).toEqual(['cgroup', `${M}.limit: ${100 * MIB} is not above the current usage of ${100 * MIB} bytes (checkBeforeUpdate)`]);
    expect(plan({ memory }, t).writes).toHaveLength(1);
    expect(plan({ memory: { limit: 101 * MIB, checkBeforeUpdate: true } }, t, { update: true }).writes).toHaveLength(1);
    expect(plan({ memory: { limit: 50 * MIB } }, t, { update: true }).writes).toHaveLength(1);
  });

  it('refuses unified, and the shares the kernel would clamp', () => {
    const t = container(host(V1));
    expect(thrown(() => plan({ unified: { 'memory.high': '1G' } }, t)).message).toBe(
      'linux.resources.unified: cgroup v2 files cannot be written on a cgroup v1 host (no cgroup2 file system is mounted)',
    );
    expect(thrown(() => plan({ cpu: { shares: 1 } }, t)).message).toBe(`${C}.shares: 1 is outside the kernel's 2..262144`);
  });
});

describe('cgroup v2', () => {
  it('converts the v1-shaped fields, enables each controller down to the parent, and writes unified last', () => {
    const t = container(host(V2, V2_CONTROLLERS));
    const p = plan(
      {
        cpu: { shares: 1024, quota: 50000, period: 200000, burst: 10000, cpus: '0', mems: '0', idle: 0 },
        memory: { limit: 100 * MIB, reservation: 50 * MIB, swap: 200 * MIB },
        pids: { limit: -1 },
        blockIO: {
          weight: 500,
          weightDevice: [{ major: 8, minor: 0, weight: 1000 }],
          throttleReadBpsDevice: [{ major: 8, minor: 0, rate: MIB }],
          throttleWriteBpsDevice: [{ major: 8, minor: 0, rate: 2 * MIB }],
          throttleReadIOPSDevice: [{ major: 8, minor: 16, rate: 0 }],
          throttleWriteIOPSDevice: [{ major: 8, minor: 16, rate: 300 }],
        },
        hugepageLimits: [{ pageSize: '1GB', limit: 1024 * MIB }],
        rdma: { mlx5_1: { hcaObjects: 100 } },
        unified: { 'memory.high': '96M', 'io.max': '259:0 rbps=2097152\n253:0 wiops=120\n' },
      },
      t,
    );
    const enable = ['cpuset', 'memory', 'cpu', 'pids', 'io', 'hugetlb', 'rdma'];
    const HL = 'linux.resources.hugepageLimits[0].limit';
    const fieldOf: Record<string, string> = { cpuset: `${C}.cpus`, memory: `${M}.swap`, cpu: `${C}.idle`, pids: 'linux.resources.pids.limit', io: `${B}.weight`, hugetlb: HL, rdma: 'linux.resources.rdma["mlx5_1"]' };
    expect(rows(p.writes)).toEqual([
      ...['', 'pod'].flatMap((dir) => enable.map((ctl) => [dir, 'cgroup.subtree_control', `+${ctl}`, fieldOf[ctl]])),
      ['pod/c1', 'cpuset.cpus', '0', `${C}.cpus`],
      ['pod/c1', 'cpuset.mems', '0', `${C}.mems`],
      ['pod/c1', 'memory.swap.max', String(100 * MIB), `${M}.swap`], // memory+swap − memory, before memory.max (runc)
      ['pod/c1', 'memory.max', String(100 * MIB), `${M}.limit`],
      ['pod/c1', 'memory.low', String(50 * MIB), `${M}.reservation`],
      ['pod/c1', 'cpu.idle', '0', `${C}.idle`],
      ['pod/c1', 'cpu.weight', '100', `${C}.shares`],
      ['pod/c1', 'cpu.max', '50000 200000', `${C}.quota, ${C}.period`],
      ['pod/c1', 'cpu.max.burst', '10000', `${C}.burst`],
      ['pod/c1', 'pids.max', 'max', 'linux.resources.pids.limit'],
      ['pod/c1', 'io.bfq.weight', '500', `${B}.weight`],
      ['pod/c1', 'io.bfq.weight', '8:0 1000', `${B}.weightDevice[0].weight`],
      ['pod/c1', 'io.max', `8:0 rbps=${MIB} wbps=${2 * MIB}`, `${B}.throttleReadBpsDevice[0], ${B}.throttleWriteBpsDevice[0]`],
      ['pod/c1', 'io.max', '8:16 wiops=300', `${B}.throttleWriteIOPSDevice[0]`], // riops=0 skipped, as runc skips it
      ['pod/c1', 'hugetlb.1GB.max', String(1024 * MIB), HL],
      ['pod/c1', 'hugetlb.1GB.rsvd.max', String(1024 * MIB), HL],
      ['pod/c1', 'rdma.max', 'mlx5_1 hca_object=100', 'linux.resources.rdma["mlx5_1"]'],
      ['pod/c1', 'memory.high', '96M', 'linux.resources.unified["memory.high"]'],
      ['pod/c1', 'io.max', '259:0 rbps=2097152', 'linux.resources.unified["io.max"]'],
      ['pod/c1', 'io.max', '253:0 wiops=120', 'linux.resources.unified["io.max"]'],
    ]);
    expect(p.writes.filter((w) => w.file === 'io.bfq.weight').map((w) => w.fallback)).toEqual([
      { file: 'io.weight', value: '4950' },
      { file: 'io.weight', value: '8:0 10000' },
    ]);
  });

  it('enables only what is needed and not on yet, and never in the container directory itself', () => {
    const t = container(host(V2, V2_CONTROLLERS), '/a/b/c1');
    kernelFiles({ 'cgroup.subtree_control': 'cpu memory pids\n', 'a/cgroup.subtree_control': 'memory\n', 'a/b/cgroup.subtree_control': '' });
    expect(rows(plan({ memory: { limit: MIB }, pids: { limit: 10 } }, t).writes)).toEqual([
      ['a', 'cgroup.subtree_control', '+pids', 'linux.resources.pids.limit'],
      ['a/b', 'cgroup.subtree_control', '+memory', `${M}.limit`],
      ['a/b', 'cgroup.subtree_control', '+pids', 'linux.resources.pids.limit'],
      ['a/b/c1', 'memory.max', String(MIB), `${M}.limit`],
      ['a/b/c1', 'pids.max', '10', 'linux.resources.pids.limit'],
    ]);
    expect(plan({}, t).writes).toEqual([]);
  });

  it('applies: enabling first, io.weight converted when BFQ is absent, optional files skipped', () => {
    const t = container(host(V2, V2_CONTROLLERS));
    kernelFiles({ 'cgroup.subtree_control': '', 'pod/cgroup.subtree_control': '', 'pod/c1/io.weight': 'default 100', 'pod/c1/hugetlb.2MB.max': 'max', 'pod/c1/memory.max': 'max' });
    const warnings = applyResources({ blockIO: { weight: 500 }, hugepageLimits: [{ pageSize: '2MB', limit: 2 * MIB }], memory: { limit: -1 } }, t, { hugepagesDir: join(tmp, 'hugepages') });
    expect(warnings).toEqual([]);
    expect([read('cgroup.subtree_control'), read('pod/cgroup.subtree_control')]).toEqual(['+hugetlb', '+hugetlb']); // a fake keeps the last write
    expect([read('pod/c1/io.weight'), read('pod/c1/hugetlb.2MB.max'), read('pod/c1/memory.max')]).toEqual(['4950', String(2 * MIB), 'max']);
    // memory.swap.max "max" for the unlimited limit is skipped without swap accounting (runc 1.2)
    expect(fs.existsSync(cg('pod/c1/memory.swap.max'))).toBe(false);
  });

  it.each([
    ['swap equal to the limit is no swap', { limit: 100 * MIB, swap: 100 * MIB }, [['memory.swap.max', '0'], ['memory.max', String(100 * MIB)]]],
    ['unlimited swap', { limit: 100 * MIB, swap: -1 }, [['memory.swap.max', 'max'], ['memory.max', String(100 * MIB)]]],
    ['unlimited memory, swap unset', { limit: -1 }, [['memory.swap.max', 'max'], ['memory.max', 'max']]],
    ['reservation alone', { reservation: -1 }, [['memory.low', 'max']]],
  ])('memory: %s', (_, memory, expected) => {
    const t = container(host(V2, 'memory'));
    expect(plan({ memory }, t).writes.filter((w) => w.dir === t.dirs[0]).map((w) => [w.file, w.value])).toEqual(expected);
  });

  it('cpu.max keeps the half the config leaves out; idle 1 leaves cpu.weight alone, with a warning', () => {
    const t = container(host(V2, 'cpu'));
    const cpu = (p: ReturnType<typeof plan>) => p.writes.filter((w) => w.dir === t.dirs[0]).map((w) => [w.file, w.value]);
    expect(cpu(plan({ cpu: { quota: 50000 } }, t))).toEqual([['cpu.max', '50000 100000']]); // the kernel's default period
    kernelFiles({ 'pod/c1/cpu.max': '30000 250000\n' });
    expect(cpu(plan({ cpu: { quota: 50000 } }, t, { update: true }))).toEqual([['cpu.max', '50000 250000']]);
    expect(cpu(plan({ cpu: { period: 50000 } }, t, { update: true }))).toEqual([['cpu.max', '30000 50000']]);
    expect(cpu(plan({ cpu: { quota: -1 } }, t))).toEqual([['cpu.max', 'max 250000']]);
    const idle = plan({ cpu: { shares: 2048, idle: 1 } }, t);
    expect(cpu(idle)).toEqual([['cpu.idle', '1']]);
    expect(idle.warnings).toEqual([`${C}.shares: ignored: cpu.weight cannot be set while cpu.idle is 1, as runc ignores it`]);
  });

  it('ignores kernel memory with a warning, as runc does', () => {
    const t = container(host(V2, 'memory'));
    const p = plan({ memory: { kernel: MIB, kernelTCP: MIB } }, t);
    expect(p.writes).toEqual([]);
    expect(p.warnings).toHaveLength(2);
    expect(p.warnings[0]).toBe(`${M}.kernel: ignored: cgroup v2 has no separate kernel memory limit (memory.max counts it), as runc ignores it`);
  });

  it('checkBeforeUpdate reads memory.current', () => {
    const t = container(host(V2, 'memory'));
    kernelFiles({ 'pod/c1/memory.current': String(10 * MIB) });
    const err = thrown(() => plan({ memory: { limit: 200 * MIB, swap: 10 * MIB, checkBeforeUpdate: true } }, t, { update: true }));
    expect(err.message).toBe(`${M}.swap: ${10 * MIB} is not above the current usage of ${10 * MIB} bytes (checkBeforeUpdate)`);
  });

  it('writes unknown unified keys of an available controller, and refuses keys of absent controllers', () => {
    const t = container(host(V2, 'memory pids'));
    expect(rows(plan({ unified: { 'memory.zswap.writeback': '0', 'cgroup.max.depth': '4', 'memory.high': '' } }, t).writes)).toEqual([
      ['', 'cgroup.subtree_control', '+memory', 'linux.resources.unified["memory.zswap.writeback"]'],
      ['pod', 'cgroup.subtree_control', '+memory', 'linux.resources.unified["memory.zswap.writeback"]'],
      ['pod/c1', 'memory.zswap.writeback', '0', 'linux.resources.unified["memory.zswap.writeback"]'],
      ['pod/c1', 'cgroup.max.depth', '4', 'linux.resources.unified["cgroup.max.depth"]'],
    ]);
    expect(thrown(() => plan({ unified: { 'io.max': '8:0 rbps=1' } }, t)).message).toBe(
      `linux.resources.unified["io.max"]: cgroup v2 has no io controller here (${cg('cgroup.controllers')} lists memory pids)`,
    );
    expect(thrown(() => plan({ unified: { '../memory.max': '1' } }, t)).message).toBe('linux.resources.unified["../memory.max"]: must name a file in the cgroup directory');
    for (const key of ['cgroup.procs', 'cgroup.threads', 'cgroup.kill', 'cgroup.freeze', 'cgroup.type', 'cgroup.subtree_control']) {
      expect(thrown(() => plan({ unified: { [key]: '1' } }, t)).message).toMatch(new RegExp(`^linux\\.resources\\.unified\\["${key.replace('.', '\\.')}"\\]: ${key.replace('.', '\\.')} is not a resource limit`));
    }
  });

  it('refuses, naming the field, what v2 cannot express', () => {
    const t = container(host(V2, V2_CONTROLLERS));
    const message = (r: LinuxResources) => {
      const err = thrown(() => plan(r, t));
      expect(err.code).toBe('spec');
      return err.message;
    };
    expect(message({ memory: { swappiness: 60 } })).toBe(`${M}.swappiness: has no cgroup v2 equivalent (v2 has no per-cgroup swappiness)`);
    expect(message({ memory: { disableOOMKiller: true } })).toMatch(/^linux\.resources\.memory\.disableOOMKiller: has no cgroup v2 equivalent/);
    expect(message({ memory: { useHierarchy: false } })).toMatch(/^linux\.resources\.memory\.useHierarchy: has no cgroup v2 equivalent/);
    expect(message({ memory: { swap: 100 } })).toBe(`${M}.swap: a swap limit needs a memory limit on cgroup v2 (memory.swap.max is swap − limit)`);
    expect(message({ cpu: { realtimeRuntime: 950000 } })).toMatch(/^linux\.resources\.cpu\.realtimeRuntime: has no cgroup v2 equivalent/);
    expect(message({ blockIO: { leafWeight: 300 } })).toMatch(/^linux\.resources\.blockIO\.leafWeight: has no cgroup v2 equivalent/);
    expect(message({ blockIO: { weightDevice: [{ major: 8, minor: 0, weight: 100, leafWeight: 50 }] } })).toMatch(/^linux\.resources\.blockIO\.weightDevice\[0\]\.leafWeight: has no/);
    expect(message({ network: { classID: 1 } })).toBe('linux.resources.network.classID: this host mounts no net_cls hierarchy, and cgroup v2 has no net_cls controller');
    expect(plan({ memory: { useHierarchy: true, disableOOMKiller: false } }, t).writes).toEqual([]); // v2's own behaviour: nothing to write
  });
});

describe('hybrid (this host\'s layout)', () => {
  it('writes v1 controllers in their hierarchies and enables hugetlb on the unified one', () => {
    const t = container(host(HYBRID, 'hugetlb'));
    kernelFiles({ 'unified/cgroup.subtree_control': '', 'memory/pod/c1/memory.limit_in_bytes': '9223372036854771712' });
    const p = plan({ memory: { limit: 64 * MIB }, cpu: { shares: 512 }, hugepageLimits: [{ pageSize: '2MB', limit: 8 * MIB }], unified: { 'hugetlb.1GB.max': '0' } }, t);
    const HL = 'linux.resources.hugepageLimits[0].limit';
    expect(rows(p.writes)).toEqual([
      ['unified', 'cgroup.subtree_control', '+hugetlb', HL],
      ['unified/pod', 'cgroup.subtree_control', '+hugetlb', HL],
      ['memory/pod/c1', 'memory.limit_in_bytes', String(64 * MIB), `${M}.limit`],
      ['cpu/pod/c1', 'cpu.shares', '512', `${C}.shares`],
      ['unified/pod/c1', 'hugetlb.2MB.max', String(8 * MIB), HL],
      ['unified/pod/c1', 'hugetlb.2MB.rsvd.max', String(8 * MIB), HL],
      ['unified/pod/c1', 'hugetlb.1GB.max', '0', 'linux.resources.unified["hugetlb.1GB.max"]'],
    ]);
  });

  it('refuses net_cls, net_prio and rdma (mounted nowhere) and unified keys of v1 controllers', () => {
    const t = container(host(HYBRID, 'hugetlb'));
    expect(thrown(() => plan({ network: { priorities: [{ name: 'eth0', priority: 1 }] } }, t)).message).toBe(
      'linux.resources.network.priorities[0]: this host mounts no net_prio hierarchy, and cgroup v2 has no net_prio controller',
    );
    expect(thrown(() => plan({ rdma: { mlx4_0: { hcaObjects: 1 } } }, t)).message).toBe(
      `linux.resources.rdma: this host has no rdma controller: no cgroup v1 hierarchy mounts it, and ${cg('unified/cgroup.controllers')} does not list rdma`,
    );
    expect(thrown(() => plan({ unified: { 'memory.max': '1G' } }, t)).message).toBe(
      `linux.resources.unified["memory.max"]: cgroup v2 has no memory controller here (${cg('unified/cgroup.controllers')} lists hugetlb)`,
    );
  });
});

describe('values of the wrong shape', () => {
  it.each([
    [{ blockIO: { weight: -5 } }, `${B}.weight: -5 is outside 10..1000`],
    [{ blockIO: { weightDevice: [{ major: 8, minor: 0 }] } }, `${B}.weightDevice[0]: needs weight or leafWeight (config-linux.md "Block IO": at least one MUST be given)`],
    [{ blockIO: { throttleReadBpsDevice: [{ major: -1, minor: 0, rate: 1 }] } }, `${B}.throttleReadBpsDevice[0].major: -1 is outside 0..4294967295`],
    [{ hugepageLimits: [{ pageSize: '3MB', limit: 1 }] }, 'linux.resources.hugepageLimits[0].pageSize: "3MB" is not a huge page size of this host (it has 2MB, 1GB)'],
    [{ pids: { limit: -2 } }, 'linux.resources.pids.limit: -2 is outside -1..2^63-1'],
    [{ cpu: { cpus: '0-a' } }, `${C}.cpus: "0-a" is not a list such as "0-3,7"`],
    [{ cpu: { quota: 1000, burst: 2000 } }, `${C}.burst: 2000 is larger than the quota 1000 (config-linux.md "CPU": it MUST be no larger)`],
    [{ cpu: { idle: 2 } }, `${C}.idle: 2 is outside 0..1`],
    [{ memory: { limit: '1G' } }, `${M}.limit: "1G" is not an integer`],
    [{ memory: { swappiness: 101 } }, `${M}.swappiness: 101 is outside 0..100`],
    [{ network: { priorities: [{ name: 'eth 0', priority: 1 }] } }, 'linux.resources.network.priorities[0].name: "eth 0" must be one word without spaces'],
    [{ rdma: { mlx5_1: {} } }, 'linux.resources.rdma["mlx5_1"]: needs hcaHandles or hcaObjects (config-linux.md "RDMA": at least one MUST be given)'],
  ])('%j', (r, message) => {
    const t = container(host(V1));
    const err = thrown(() => plan(r as LinuxResources, t));
    expect([err.code, err.message]).toEqual(['spec', message]);
  });

  it('asks nothing of the host for empty or zero (unset, as in runc) fields', () => {
    const t = container(host(V2, ''));
    expect(plan({ memory: {}, cpu: { shares: 0, quota: 0, cpus: '' }, blockIO: { weight: 0 }, hugepageLimits: [], rdma: {}, unified: {}, devices: [{ allow: false }] }, t).writes).toEqual([]);
  });
});

describe('writeAll', () => {
  it('turns a kernel refusal into a cgroup error naming the field, value and file', () => {
    const t = container(host(V1));
    const err = thrown(() => applyResources({ pids: { limit: 64 } }, t));
    expect([err.code, err.message]).toEqual(['cgroup', 'linux.resources.pids.limit: writing "64" to pids.max: ENOENT']);
    expect((err.cause as NodeJS.ErrnoException).path).toBe(cg('pids/pod/c1/pids.max'));
  });

  it('names the directory of a refused subtree_control write', () => {
    const t = container(host(V2, 'pids'));
    const err = thrown(() => applyResources({ pids: { limit: 64 } }, t));
    expect(err.message).toBe(`linux.resources.pids.limit: writing "+pids" to ${cg('cgroup.subtree_control')}: ENOENT`);
  });

  it('retries only after EINVAL: any other refusal stops at once', () => {
    const dir = join(tmp, 'd');
    fs.mkdirSync(dir);
    fs.mkdirSync(join(dir, 'cpu.cfs_period_us')); // writing a directory fails, though with EISDIR, not EINVAL
    const err = thrown(() => writeAll([{ dir, file: 'cpu.cfs_period_us', value: '1000', field: 'f', retryAfter: 'cpu.cfs_quota_us' }]));
    expect(err.message).toBe('f: writing "1000" to cpu.cfs_period_us: EISDIR');
  });
});

const isRoot = process.getuid?.() === 0 && fs.existsSync('/sys/fs/cgroup');
if (!isRoot) console.log('cgroup-resources: the real-cgroup tests are skipped: they need root and /sys/fs/cgroup');

describe.skipIf(!isRoot)('a real cgroup on this host', () => {
  const base = `/ocirt-test-res-${process.pid}`;
  let layout: CgroupLayout;
  let cgroup: ContainerCgroup | undefined;
  let target: ResourceTarget;
  let undo: Array<() => void> = [];

  beforeEach(() => {
    layout = detectLayout();
    cgroup = createCgroup(cgroupDirs(layout, `${base}/c`, 'unused', { root: '/run/ocirt' }));
    target = { layout, dirs: cgroup.record.dirs };
  });
  afterEach(() => {
    const failures = cleanupAll([() => cgroup?.remove(), ...undo]);
    undo = [];
    cgroup = undefined;
    if (failures.length > 0) throw failures[0];
  });

  const sites = () => controllerSites(layout, target.dirs);
  const at = (dir: string | undefined, file: string) => fs.readFileSync(join(dir!, file), 'utf8').trim();

  /** Puts a v2 root's subtree_control back as it was once the test's cgroups are gone. */
  function restoreRootControllers(): void {
    const root = layout.hierarchies.find((h) => h.version === 2)?.mountPoint;
    if (root === undefined) return;
    const before = at(root, 'cgroup.subtree_control').split(/\s+/);
    undo.push(() => {
      for (const ctl of at(root, 'cgroup.subtree_control').split(/\s+/).filter((c) => c && !before.includes(c))) {
        try {
          fs.writeFileSync(join(root, 'cgroup.subtree_control'), `-${ctl}`);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EBUSY') throw err; // another cgroup uses it by now: leave it on
        }
      }
    });
  }

  it('writes memory, cpu, cpuset, pids, blkio and hugetlb, and reads every one back', () => {
    restoreRootControllers();
    const s = sites();
    const mem = s.get('memory');
    const memsw = mem?.version === 1 && fs.existsSync(join(mem.dir, 'memory.memsw.limit_in_bytes'));
    const blkio = s.get('blkio');
    const weighted = blkio !== undefined && ['blkio.weight', 'blkio.bfq.weight', 'io.bfq.weight', 'io.weight'].some((f) => fs.existsSync(join(blkio.dir, f)));
    const huge = s.has('hugetlb') && fs.existsSync('/sys/kernel/mm/hugepages/hugepages-2048kB');
    if (!weighted) console.log('cgroup-resources: this host has no blkio weight file; blockIO.weight is not tried');
    const resources: LinuxResources = {
      memory: { limit: 64 * MIB, ...(memsw ? { swap: 128 * MIB } : {}), ...(mem?.version === 1 ? { swappiness: 10 } : {}) },
      cpu: { shares: 512, quota: 50000, period: 100000, cpus: '0', mems: '0' },
      pids: { limit: 64 },
      ...(weighted ? { blockIO: { weight: 200 } } : {}),
      ...(huge ? { hugepageLimits: [{ pageSize: '2MB', limit: 4 * 2 * MIB }] } : {}),
    };
    expect(applyResources(resources, target)).toEqual([]);

    const v1 = (ctl: 'memory' | 'cpu') => s.get(ctl)?.version === 1;
    if (v1('memory')) {
      expect([at(mem?.dir, 'memory.limit_in_bytes'), at(mem?.dir, 'memory.swappiness')]).toEqual([String(64 * MIB), '10']);
      if (memsw) expect(at(mem?.dir, 'memory.memsw.limit_in_bytes')).toBe(String(128 * MIB));
    } else expect(at(mem?.dir, 'memory.max')).toBe(String(64 * MIB));
    const cpu = s.get('cpu')?.dir;
    if (v1('cpu')) expect([at(cpu, 'cpu.shares'), at(cpu, 'cpu.cfs_quota_us'), at(cpu, 'cpu.cfs_period_us')]).toEqual(['512', '50000', '100000']);
    else expect([at(cpu, 'cpu.weight'), at(cpu, 'cpu.max')]).toEqual(['59', '50000 100000']);
    expect([at(s.get('cpuset')?.dir, 'cpuset.cpus'), at(s.get('cpuset')?.dir, 'cpuset.mems')]).toEqual(['0', '0']);
    expect(at(s.get('pids')?.dir, 'pids.max')).toBe('64');
    if (weighted) {
      const file = ['blkio.weight', 'blkio.bfq.weight', 'io.bfq.weight'].find((f) => fs.existsSync(join(blkio.dir, f))) ?? 'io.weight';
      const value = file === 'io.weight' ? blkioWeightToIoWeight(200) : 200;
      expect(at(blkio.dir, file)).toMatch(new RegExp(`\\b${value}$`)); // v2 prints "default 200"
    }
    if (huge) {
      const h = s.get('hugetlb')!;
      const suffix = h.version === 1 ? 'limit_in_bytes' : 'max';
      expect(at(h.dir, `hugetlb.2MB.${suffix}`)).toBe(String(8 * MIB));
      if (fs.existsSync(join(h.dir, `hugetlb.2MB.rsvd.${suffix}`))) expect(at(h.dir, `hugetlb.2MB.rsvd.${suffix}`)).toBe(String(8 * MIB));
      if (h.version === 2) expect(at(layout.hierarchies.find((x) => x.version === 2)?.mountPoint, 'cgroup.subtree_control').split(' ')).toContain('hugetlb');
    }
  });

  it('retries a shorter cfs period after the quota when the kernel refuses it first (v1)', (ctx) => {
    const cpu = sites().get('cpu');
    if (cpu?.version !== 1) return ctx.skip();
    // The parent allows one CPU; the container has half of it.
    fs.writeFileSync(join(dirname(cpu.dir), 'cpu.cfs_quota_us'), '100000');
    applyResources({ cpu: { quota: 50000, period: 100000 } }, target);
    // 50000 over a 20000 period is 2.5 CPUs: the kernel refuses the period until the quota shrinks.
    expect(() => fs.writeFileSync(join(cpu.dir, 'cpu.cfs_period_us'), '20000')).toThrow(/EINVAL/);
    applyResources({ cpu: { quota: 10000, period: 20000 } }, target, { update: true });
    expect([at(cpu.dir, 'cpu.cfs_quota_us'), at(cpu.dir, 'cpu.cfs_period_us')]).toEqual(['10000', '20000']);
  });

  it('reports what the kernel refuses, naming the field', () => {
    const err = thrown(() => applyResources({ cpu: { cpus: '4095' } }, target));
    expect(err.code).toBe('cgroup');
    expect(err.message).toMatch(/^linux\.resources\.cpu\.cpus: writing "4095" to cpuset\.cpus: (EINVAL|ERANGE)$/); // kernels differ
  });
});
