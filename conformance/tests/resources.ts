// config-linux.md "Control groups" (v1.3.0): linux.resources of each controller — "Memory",
// "CPU", "Block IO", "Huge page limits", "Network", "PIDs", "RDMA" — read back from the host's
// files of the container's own cgroup (found from /proc/<pid>/cgroup and mountinfo) once create
// has returned. Those subsections list parameters, not MUST sentences: what a runtime owes is
// runtime.md "Create" (every property but process applied, create:4; one it cannot apply an error
// and no container, create:6) and "Lifecycle" step 2, so the tests carry those ids. On cgroup v1
// each value is the file of the same name; on cgroup v2 it is the value converted the way runc
// converts it (cpu.shares → cpu.weight, blkio weight → io.weight, quota and period → cpu.max). On a
// hybrid host a controller is where the kernel has it: a v1 hierarchy if one is mounted, else the
// cgroup2 hierarchy, where a v1 setting is config-linux.md "Unified"'s conversion: converted or an
// error (its last MUST, which extract.ts files under the section "Example").
//
// Not here: cpu.realtimeRuntime/realtimePeriod (a cgroup only takes a realtime budget its parent
// has, and the harness's parent cgroup has none, so any value is refused by the kernel); memory.kernel
// (memory.kmem.limit_in_bytes takes a write and ignores it in current kernels); memory.useHierarchy
// (always 1 in current kernels); blockIO.leafWeight and weightDevice (CFQ's, and BFQ's only on a
// device that uses BFQ); memory.checkBeforeUpdate (about updates; see the catalogue).
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { release } from 'node:os';
import type { TestContext } from '../harness/types.ts';
import {
  createdOrRefused,
  expectFiles,
  hostController,
  hugePageSizes,
  hybrid,
  needingRuntimeCgroups,
  placeOf,
  readCgroup,
  refusedLeavingNothing,
  sizeBytes,
  v1Root,
  withResources,
  type Want,
} from './cgroup-files.ts';
import { created, LONG, perEdition } from './support.ts';

const APPLIED = ['v1:runtime:create:4', 'v1:runtime:lifecycle:1'];
const REFUSED = ['v1:runtime:create:6', 'v1:runtime:lifecycle:2', 'v1:runtime:errors:1'];
/** config-linux.md "Unified": a v1 setting on a controller only cgroup v2 has is converted, or an error. */
const CONVERSION = 'v1:config-linux:example:1';

/** runc's cpu.shares → cpu.weight (libcontainer/cgroups ConvertCPUSharesToCgroupV2Value). */
export const sharesToWeight = (shares: number) => (shares === 0 ? 0 : 1 + Math.floor(((shares - 2) * 9999) / 262142));
/** runc's blkio weight → io.weight (ConvertBlkIOToIOWeightValue). */
export const blkioToIOWeight = (weight: number) => (weight === 0 ? 0 : 1 + Math.floor(((weight - 10) * 9999) / 990));

/** The kernel is at least major.minor. */
function kernelAtLeast(major: number, minor: number): boolean {
  const [a = 0, b = 0] = release().split(/[.-]/).map(Number);
  return a > major || (a === major && b >= minor);
}

/** The first number of a list such as "0-3,7" (this process's allowed CPUs or memory nodes). */
function firstAllowed(field: 'Cpus_allowed_list' | 'Mems_allowed_list'): string {
  const line = readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith(`${field}:`)) ?? '';
  return /(\d+)/.exec(line.slice(field.length + 1))?.[1] ?? '0';
}

/** A whole disk's major and minor: the one holding /, else the first of /sys/block that is not a loop or ram device. */
function aDisk(): { major: number; minor: number } | undefined {
  const parse = (s: string | undefined) => {
    const m = /^(\d+):(\d+)$/.exec(s?.trim() ?? '');
    return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
  };
  // glibc's major() and minor() of a dev_t.
  const dev = statSync('/', { bigint: true }).dev;
  const major = Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & 0xfffff000n));
  const minor = Number((dev & 0xffn) | ((dev >> 12n) & 0xffffff00n));
  const sys = `/sys/dev/block/${major}:${minor}`;
  try {
    if (existsSync(sys)) return existsSync(`${sys}/partition`) ? parse(readFileSync(`${realpathSync(sys)}/../dev`, 'utf8')) : { major, minor };
  } catch {
    // fall through to /sys/block
  }
  for (const name of readdirSync('/sys/block').filter((n) => !/^(loop|ram)/.test(n))) {
    try {
      const d = parse(readFileSync(`/sys/block/${name}/dev`, 'utf8'));
      if (d) return d;
    } catch {
      // next one
    }
  }
  return undefined;
}

/** The block IO controller: blkio in a v1 hierarchy, else io in cgroup v2. */
const blockController = (): 'blkio' | 'io' | undefined => (hostController('blkio') === 'v1' ? 'blkio' : hostController('io') === 'v2' ? 'io' : undefined);

/** A file that holds `line` among its lines. */
const hasLine = (line: string): Want => ({ test: (got) => got.split('\n').some((l) => l.trim() === line), says: `with the line ${JSON.stringify(line)}` });
const matches = (re: RegExp, says: string): Want => ({ test: (got) => re.test(got), says });

const MEMORY = { limit: 104857600, reservation: 52428800, swap: 209715200, swappiness: 10, disableOOMKiller: true };
const CPU = { shares: 512, quota: 50000, period: 100000 };
const THROTTLE = { read_bps: 1048576, write_bps: 2097152, read_iops: 300, write_iops: 400 };
const RDMA_LIMITS = { hcaHandles: 3, hcaObjects: 100 };

export const resourceTests = needingRuntimeCgroups([
  ...perEdition(
    { v1: APPLIED },
    "linux.resources.memory is applied to the container's memory cgroup: limit, reservation, swap, swappiness and disableOOMKiller (v1 memory.limit_in_bytes, soft_limit_in_bytes, memsw.limit_in_bytes, swappiness, oom_control; v2 memory.max and memory.low)",
    async (ctx: TestContext) => {
      const where = hostController('memory');
      ctx.requires(where !== undefined, 'this host has no memory controller');
      const swapAccounting = where === 'v1' && existsSync(`${v1Root('memory')}/memory.memsw.limit_in_bytes`);
      const memory = where === 'v1' ? { ...MEMORY, ...(swapAccounting ? {} : { swap: undefined }) } : { limit: MEMORY.limit, reservation: MEMORY.reservation };
      const { pid } = await created(ctx, LONG, withResources({ memory }));
      const { dir, v2 } = placeOf(ctx, pid, 'memory');
      const wants: Record<string, Want> = v2
        ? { 'memory.max': String(MEMORY.limit), 'memory.low': String(MEMORY.reservation) }
        : {
            'memory.limit_in_bytes': String(MEMORY.limit),
            'memory.soft_limit_in_bytes': String(MEMORY.reservation),
            ...(swapAccounting ? { 'memory.memsw.limit_in_bytes': String(MEMORY.swap) } : {}),
            'memory.swappiness': String(MEMORY.swappiness),
            'memory.oom_control': hasLine('oom_kill_disable 1'),
          };
      expectFiles(ctx, dir, wants, `linux.resources.memory ${JSON.stringify(memory)} applied`);
    },
  ),
  ...perEdition({ v1: APPLIED }, 'linux.resources.memory.kernelTCP is applied: memory.kmem.tcp.limit_in_bytes of the container\'s v1 memory cgroup', async (ctx: TestContext) => {
    ctx.requires(hostController('memory') === 'v1' && existsSync(`${v1Root('memory')}/memory.kmem.tcp.limit_in_bytes`), 'no cgroup v1 memory hierarchy with memory.kmem.tcp.limit_in_bytes here (cgroup v2 has no such limit)');
    const { pid } = await created(ctx, LONG, withResources({ memory: { kernelTCP: 16777216 } }));
    expectFiles(ctx, placeOf(ctx, pid, 'memory').dir, { 'memory.kmem.tcp.limit_in_bytes': '16777216' }, 'linux.resources.memory.kernelTCP 16777216 applied');
  }),
  ...perEdition(
    { v1: APPLIED },
    "linux.resources.cpu is applied to the container's cpu and cpuset cgroups: shares, quota, period, cpus and mems (v1 cpu.shares, cpu.cfs_quota_us, cpu.cfs_period_us; v2 cpu.weight converted from shares, cpu.max; cpuset.cpus and cpuset.mems)",
    async (ctx: TestContext) => {
      ctx.requires(hostController('cpu') !== undefined, 'this host has no cpu controller');
      const cpuset = hostController('cpuset') !== undefined;
      const [cpus, mems] = [firstAllowed('Cpus_allowed_list'), firstAllowed('Mems_allowed_list')];
      const cpu = { ...CPU, ...(cpuset ? { cpus, mems } : {}) };
      const { pid } = await created(ctx, LONG, withResources({ cpu }));
      const place = placeOf(ctx, pid, 'cpu');
      const wants: Record<string, Want> = place.v2
        ? { 'cpu.weight': String(sharesToWeight(CPU.shares)), 'cpu.max': `${CPU.quota} ${CPU.period}` }
        : { 'cpu.shares': String(CPU.shares), 'cpu.cfs_quota_us': String(CPU.quota), 'cpu.cfs_period_us': String(CPU.period) };
      expectFiles(ctx, place.dir, wants, `linux.resources.cpu ${JSON.stringify(CPU)} applied`);
      if (cpuset) expectFiles(ctx, placeOf(ctx, pid, 'cpuset').dir, { 'cpuset.cpus': cpus, 'cpuset.mems': mems }, `linux.resources.cpu cpus ${cpus} and mems ${mems} applied`);
    },
  ),
  ...perEdition(
    { v1: [...APPLIED, 'v1:runtime:create:6'] },
    'linux.resources.cpu.burst is applied: cpu.cfs_burst_us (v1) or cpu.max.burst (v2) of the container\'s cpu cgroup, with quota 50000 and period 100000 (before Linux 5.14, which has no burst, an error)',
    async (ctx: TestContext) => {
      ctx.requires(hostController('cpu') !== undefined, 'this host has no cpu controller');
      const kernelHas = kernelAtLeast(5, 14);
      const pid = await createdOrRefused(ctx, LONG, withResources({ cpu: { ...CPU, burst: 20000 } }), kernelHas ? undefined : 'this kernel has no CPU burst (Linux 5.14)');
      if (pid === undefined) return;
      const { dir, v2 } = placeOf(ctx, pid, 'cpu');
      expectFiles(ctx, dir, { [v2 ? 'cpu.max.burst' : 'cpu.cfs_burst_us']: '20000' }, 'linux.resources.cpu.burst 20000 applied');
    },
  ),
  ...perEdition(
    { v1: [...APPLIED, 'v1:runtime:create:6'] },
    "linux.resources.cpu.idle 1 is applied: cpu.idle of the container's cpu cgroup (before Linux 5.15, which has no cpu.idle, an error)",
    async (ctx: TestContext) => {
      ctx.requires(hostController('cpu') !== undefined, 'this host has no cpu controller');
      const pid = await createdOrRefused(ctx, LONG, withResources({ cpu: { idle: 1 } }), kernelAtLeast(5, 15) ? undefined : 'this kernel has no cpu.idle (Linux 5.15)');
      if (pid === undefined) return;
      expectFiles(ctx, placeOf(ctx, pid, 'cpu').dir, { 'cpu.idle': '1' }, 'linux.resources.cpu.idle 1 applied');
    },
  ),
  ...perEdition(
    { v1: APPLIED },
    "linux.resources.blockIO throttles (read and write, bytes and IO per second, on a disk of the host) are applied: blkio.throttle.*_device (v1) or io.max (v2) of the container's cgroup",
    async (ctx: TestContext) => {
      const controller = blockController();
      ctx.requires(controller !== undefined, 'this host has no blkio (v1) or io (v2) controller');
      const disk = aDisk();
      ctx.requires(disk !== undefined, 'no block device found in /sys/block');
      const dev = `${disk.major}:${disk.minor}`;
      const entry = (rate: number) => [{ ...disk, rate }];
      const blockIO = {
        throttleReadBpsDevice: entry(THROTTLE.read_bps),
        throttleWriteBpsDevice: entry(THROTTLE.write_bps),
        throttleReadIOPSDevice: entry(THROTTLE.read_iops),
        throttleWriteIOPSDevice: entry(THROTTLE.write_iops),
      };
      const { pid } = await created(ctx, LONG, withResources({ blockIO }));
      const place = placeOf(ctx, pid, controller);
      const wants: Record<string, Want> = place.v2
        ? {
            'io.max': matches(
              new RegExp(`^${dev} rbps=${THROTTLE.read_bps} wbps=${THROTTLE.write_bps} riops=${THROTTLE.read_iops} wiops=${THROTTLE.write_iops}$`, 'm'),
              `with the line "${dev} rbps=${THROTTLE.read_bps} wbps=${THROTTLE.write_bps} riops=${THROTTLE.read_iops} wiops=${THROTTLE.write_iops}"`,
            ),
          }
        : Object.fromEntries(Object.entries(THROTTLE).map(([k, rate]) => [`blkio.throttle.${k}_device`, hasLine(`${dev} ${rate}`)]));
      expectFiles(ctx, place.dir, wants, `linux.resources.blockIO ${JSON.stringify(blockIO)} applied`);
    },
  ),
  ...perEdition(
    { v1: APPLIED },
    "linux.resources.blockIO.weight 300 is applied: blkio.weight or blkio.bfq.weight (v1), io.bfq.weight or io.weight converted (v2) of the container's cgroup",
    async (ctx: TestContext) => {
      const controller = blockController();
      ctx.requires(controller !== undefined, 'this host has no blkio (v1) or io (v2) controller');
      const schedulers = readdirSync('/sys/block').map((d) => readCgroup(`/sys/block/${d}/queue`, 'scheduler') ?? '');
      ctx.requires(schedulers.some((s) => /\b(bfq|cfq)\b/.test(s)), 'no block device here offers BFQ or CFQ, the schedulers with a weight');
      const { pid } = await created(ctx, LONG, withResources({ blockIO: { weight: 300 } }));
      const place = placeOf(ctx, pid, controller);
      const [bfq, plain] = place.v2 ? ['io.bfq.weight', 'io.weight'] : ['blkio.bfq.weight', 'blkio.weight'];
      const got = { [bfq]: readCgroup(place.dir, bfq), [plain]: readCgroup(place.dir, plain) };
      const ok = /^(default )?300$/.test(got[bfq] ?? '') || (place.v2 ? got[plain] === `default ${blkioToIOWeight(300)}` : got[plain] === '300');
      ctx.expect(ok, `in ${place.dir}, ${bfq} 300, or ${plain} ${place.v2 ? `"default ${blkioToIOWeight(300)}"` : '300'}`, got);
    },
  ),
  ...perEdition(
    { v1: [...APPLIED, 'v1:runtime:create:6', CONVERSION] },
    "linux.resources.hugepageLimits (the host's smallest huge page size, two pages) is applied to the container's hugetlb cgroup (its rsvd limit where the kernel has reservation accounting); where hugetlb is only in cgroup v2 of a hybrid host, converted or an error; with no hugetlb or no huge pages, an error that leaves nothing",
    async (ctx: TestContext) => {
      const [size] = hugePageSizes();
      const where = hostController('hugetlb');
      const limit = size === undefined ? 4194304 : 2 * sizeBytes(size);
      const edit = withResources({ hugepageLimits: [{ pageSize: size ?? '2MB', limit }] });
      if (size === undefined || where === undefined) {
        await refusedLeavingNothing(ctx, LONG, edit, `an error: this host has ${size === undefined ? 'no huge pages' : 'no hugetlb controller'}`);
        return;
      }
      const mayRefuse = where === 'v2' && hybrid() ? 'hugetlb is only in cgroup v2 on this hybrid host, where hugepageLimits needs a conversion' : undefined;
      const pid = await createdOrRefused(ctx, LONG, edit, mayRefuse);
      if (pid === undefined) return;
      const { dir, v2 } = placeOf(ctx, pid, 'hugetlb');
      const [rsvd, plain] = v2 ? [`hugetlb.${size}.rsvd.max`, `hugetlb.${size}.max`] : [`hugetlb.${size}.rsvd.limit_in_bytes`, `hugetlb.${size}.limit_in_bytes`];
      expectFiles(ctx, dir, { [existsSync(`${dir}/${rsvd}`) ? rsvd : plain]: String(limit) }, `linux.resources.hugepageLimits ${size} ${limit} applied`);
    },
  ),
  ...perEdition(
    { v1: [...APPLIED, ...REFUSED] },
    'linux.resources.network.classID is applied to net_cls.classid of the container\'s net_cls cgroup; on a host without net_cls (cgroup v2 has none) create is an error that leaves nothing',
    async (ctx: TestContext) => {
      const edit = withResources({ network: { classID: 1048577 } });
      if (hostController('net_cls') === undefined) {
        await refusedLeavingNothing(ctx, LONG, edit, 'an error: this host has no net_cls controller to apply linux.resources.network.classID to');
        return;
      }
      const { pid } = await created(ctx, LONG, edit);
      expectFiles(ctx, placeOf(ctx, pid, 'net_cls').dir, { 'net_cls.classid': '1048577' }, 'linux.resources.network.classID 1048577 applied');
    },
  ),
  ...perEdition(
    { v1: [...APPLIED, ...REFUSED] },
    "linux.resources.network.priorities (lo 5) is applied to net_prio.ifpriomap of the container's net_prio cgroup; on a host without net_prio (cgroup v2 has none) create is an error that leaves nothing",
    async (ctx: TestContext) => {
      const edit = withResources({ network: { priorities: [{ name: 'lo', priority: 5 }] } });
      if (hostController('net_prio') === undefined) {
        await refusedLeavingNothing(ctx, LONG, edit, 'an error: this host has no net_prio controller to apply linux.resources.network.priorities to');
        return;
      }
      const { pid } = await created(ctx, LONG, edit);
      expectFiles(ctx, placeOf(ctx, pid, 'net_prio').dir, { 'net_prio.ifpriomap': hasLine('lo 5') }, 'linux.resources.network.priorities lo 5 applied');
    },
  ),
  ...perEdition({ v1: APPLIED }, "linux.resources.pids.limit 42 is applied: pids.max of the container's pids cgroup", async (ctx: TestContext) => {
    ctx.requires(hostController('pids') !== undefined, 'this host has no pids controller');
    const { pid } = await created(ctx, LONG, withResources({ pids: { limit: 42 } }));
    expectFiles(ctx, placeOf(ctx, pid, 'pids').dir, { 'pids.max': '42' }, 'linux.resources.pids.limit 42 applied');
  }),
  ...perEdition(
    { v1: [...APPLIED, ...REFUSED] },
    "linux.resources.rdma (hcaHandles 3, hcaObjects 100) is applied to rdma.max of the container's rdma cgroup for an RDMA device of the host; without the rdma controller or an RDMA device, create is an error that leaves nothing",
    async (ctx: TestContext) => {
      let devices: string[] = [];
      try {
        devices = readdirSync('/sys/class/infiniband');
      } catch {
        // no RDMA device
      }
      const [device] = devices;
      const edit = withResources({ rdma: { [device ?? 'oci-conformance0']: RDMA_LIMITS } });
      if (device === undefined || hostController('rdma') === undefined) {
        await refusedLeavingNothing(ctx, LONG, edit, `an error: this host has ${device === undefined ? 'no RDMA device (oci-conformance0 is none)' : 'no rdma controller'}`);
        return;
      }
      const { pid } = await created(ctx, LONG, edit);
      expectFiles(ctx, placeOf(ctx, pid, 'rdma').dir, { 'rdma.max': hasLine(`${device} hca_handle=${RDMA_LIMITS.hcaHandles} hca_object=${RDMA_LIMITS.hcaObjects}`) }, `linux.resources.rdma ${device} applied`);
    },
  ),
]);
