// readStats against fake cgroup directories in a temporary directory. The v1 files and the hybrid
// host's cgroup2 files are copied from this host's /sys/fs/cgroup/*/ocirt (Linux 6.18, hybrid); the
// pure v2 files follow the kernel's cgroup-v2.rst formats. Expected objects are what runc's
// events --stats would print (types/events.go), field for field.
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OciError } from '../../src/errors.ts';
import { eventJson, readStats, statsEvent } from '../../src/linux/cgroup-stats.ts';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(join(tmpdir(), 'ocirt-cgroup-stats-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A cgroup directory with these files (name → content). */
function dir(name: string, files: Record<string, string>): string {
  const d = join(tmp, name);
  fs.mkdirSync(d, { recursive: true });
  for (const [f, text] of Object.entries(files)) fs.writeFileSync(join(d, f), text);
  return d;
}

const V1_LIMIT = 9223372036854771712n; // PAGE_COUNTER_MAX pages: v1's "no limit"
const MAX = 18446744073709551615n; // "max" as runc reads it

const CPU_V1 = { 'cgroup.procs': '', 'cpu.shares': '1024\n', 'cpu.cfs_period_us': '100000\n', 'cpu.stat': 'nr_periods 12\nnr_throttled 3\nthrottled_time 4500000\nnr_bursts 0\nburst_time 0\n' };
const CPUACCT_V1 = {
  'cgroup.procs': '',
  'cpuacct.stat': 'user 60\nsystem 115\n',
  'cpuacct.usage': '1765364369\n',
  'cpuacct.usage_percpu': '942613487 822750882 \n',
  'cpuacct.usage_all': 'cpu user system\n0 140000000 264000000\n1 123985462 239982937\n',
};
const CPUSET_V1 = {
  'cgroup.procs': '', 'cpuset.cpus': '0-1\n', 'cpuset.mems': '0\n', 'cpuset.cpu_exclusive': '0\n', 'cpuset.mem_exclusive': '0\n',
  'cpuset.mem_hardwall': '0\n', 'cpuset.memory_migrate': '0\n', 'cpuset.memory_pressure': '0\n', 'cpuset.memory_spread_page': '0\n',
  'cpuset.memory_spread_slab': '0\n', 'cpuset.sched_load_balance': '1\n', 'cpuset.sched_relax_domain_level': '-1\n', 'cpuset.effective_cpus': '0-1\n',
};
const MEMORY_STAT_V1 = `cache 24576
rss 118784
rss_huge 0
shmem 0
mapped_file 0
dirty 0
writeback 0
swap 0
pgpgin 22895
pgpgout 22892
pgfault 49165
pgmajfault 0
inactive_anon 0
active_anon 118784
inactive_file 0
active_file 24576
unevictable 0
hierarchical_memory_limit 9223372036854771712
hierarchical_memsw_limit 9223372036854771712
total_cache 24576
total_rss 118784
`;
const entry = (prefix: string, usage: string, max: string) => ({
  [`${prefix}.usage_in_bytes`]: `${usage}\n`, [`${prefix}.max_usage_in_bytes`]: `${max}\n`, [`${prefix}.limit_in_bytes`]: `${V1_LIMIT}\n`, [`${prefix}.failcnt`]: '0\n',
});
const MEMORY_V1 = {
  'cgroup.procs': '', 'memory.stat': MEMORY_STAT_V1, 'memory.use_hierarchy': '1\n',
  ...entry('memory', '143360', '2498560'), ...entry('memory.memsw', '143360', '2498560'),
  ...entry('memory.kmem', '94208', '1298432'), ...entry('memory.kmem.tcp', '0', '0'),
};
const BLKIO_V1 = {
  'cgroup.procs': '',
  // BFQ is attached but has seen no I/O: runc moves on to the throttling layer's counters.
  'blkio.bfq.io_service_bytes_recursive': 'Total 0\n',
  'blkio.bfq.io_serviced_recursive': 'Total 0\n',
  'blkio.throttle.io_service_bytes_recursive': '254:0 Read 1282048\n254:0 Write 2195456\n254:0 Sync 2195456\n254:0 Async 1282048\n254:0 Discard 0\n254:0 Total 3477504\nTotal 3477504\n',
  'blkio.throttle.io_serviced_recursive': '254:0 Read 124\n254:0 Write 104\n254:0 Sync 104\n254:0 Async 124\n254:0 Discard 0\n254:0 Total 228\nTotal 228\n',
};
const PIDS_V1 = { 'cgroup.procs': '4242\n', 'pids.current': '1\n', 'pids.max': 'max\n', 'pids.events': 'max 0\n' };
const HUGETLB_V1 = {
  'cgroup.procs': '',
  'hugetlb.2MB.usage_in_bytes': '4194304\n', 'hugetlb.2MB.max_usage_in_bytes': '6291456\n', 'hugetlb.2MB.failcnt': '2\n', 'hugetlb.2MB.limit_in_bytes': `${V1_LIMIT}\n`,
  'hugetlb.2MB.rsvd.usage_in_bytes': '0\n',
  'hugetlb.1GB.usage_in_bytes': '0\n', 'hugetlb.1GB.max_usage_in_bytes': '0\n', 'hugetlb.1GB.failcnt': '0\n', 'hugetlb.1GB.limit_in_bytes': `${V1_LIMIT}\n`,
};
/** The hybrid host's cgroup2 directory: no controllers, but cpu.stat and PSI. */
const UNIFIED_HYBRID = {
  'cgroup.controllers': '\n', 'cgroup.procs': '4242\n',
  'cpu.stat': 'usage_usec 1760553\nuser_usec 618058\nsystem_usec 1142494\nnice_usec 0\n',
  'cpu.pressure': 'some avg10=0.14 avg60=0.21 avg300=2.78 total=436614945\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n',
  'memory.pressure': 'some avg10=0.00 avg60=0.00 avg300=0.00 total=0\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n',
  'io.pressure': 'some avg10=0.05 avg60=0.10 avg300=0.12 total=18759670\nfull avg10=0.05 avg60=0.09 avg300=0.07 total=10999530\n',
};

const ZERO_PSI = { avg10: 0, avg60: 0, avg300: 0, total: 0n };
const HYBRID_BLKIO_PSI = { some: { avg10: 0.05, avg60: 0.1, avg300: 0.12, total: 18759670n }, full: { avg10: 0.05, avg60: 0.09, avg300: 0.07, total: 10999530n } };

const HYBRID_CPU = {
  usage: {
    total: 1765364369n, percpu: [942613487n, 822750882n], percpu_kernel: [264000000n, 239982937n], percpu_user: [140000000n, 123985462n],
    kernel: 1150000000n, user: 600000000n, // 115 and 60 ticks of 10 ms
  },
  throttling: { periods: 12n, throttledPeriods: 3n, throttledTime: 4500000n },
  psi: { some: { avg10: 0.14, avg60: 0.21, avg300: 2.78, total: 436614945n }, full: ZERO_PSI },
};

describe('readStats: cgroup v1 (runc libcontainer/cgroups/fs GetStats)', () => {
  const v1Dirs = () => [
    dir('cpu/c1', CPU_V1), dir('cpuacct/c1', CPUACCT_V1), dir('cpuset/c1', CPUSET_V1), dir('memory/c1', MEMORY_V1),
    dir('blkio/c1', BLKIO_V1), dir('pids/c1', PIDS_V1), dir('hugetlb/c1', HUGETLB_V1),
  ];

  it('reads every controller of a hybrid host, and only PSI from its cgroup2 directory', () => {
    const stats = readStats([...v1Dirs(), dir('unified/c1', UNIFIED_HYBRID)]);
    expect(stats).toStrictEqual({
      cpu: HYBRID_CPU,
      cpuset: {
        cpus: [0, 1], cpu_exclusive: 0n, mems: [0], mem_hardwall: 0n, mem_exclusive: 0n, memory_migrate: 0n, memory_spread_page: 0n,
        memory_spread_slab: 0n, memory_pressure: 0n, sched_load_balance: 1n, sched_relax_domain_level: -1n,
      },
      memory: {
        cache: 24576n,
        usage: { limit: V1_LIMIT, usage: 143360n, max: 2498560n, failcnt: 0n },
        swap: { limit: V1_LIMIT, usage: 143360n, max: 2498560n, failcnt: 0n },
        kernel: { limit: V1_LIMIT, usage: 94208n, max: 1298432n, failcnt: 0n },
        kernelTCP: { limit: V1_LIMIT, failcnt: 0n }, // usage and max are 0: omitempty in runc's types
        raw: {
          cache: 24576n, rss: 118784n, rss_huge: 0n, shmem: 0n, mapped_file: 0n, dirty: 0n, writeback: 0n, swap: 0n, pgpgin: 22895n,
          pgpgout: 22892n, pgfault: 49165n, pgmajfault: 0n, inactive_anon: 0n, active_anon: 118784n, inactive_file: 0n, active_file: 24576n,
          unevictable: 0n, hierarchical_memory_limit: V1_LIMIT, hierarchical_memsw_limit: V1_LIMIT, total_cache: 24576n, total_rss: 118784n,
        },
        psi: { some: ZERO_PSI, full: ZERO_PSI },
      },
      pids: { current: 1n }, // "max" is a limit of 0, which runc leaves out
      blkio: {
        ioServiceBytesRecursive: [
          { major: 254n, op: 'Read', value: 1282048n }, { major: 254n, op: 'Write', value: 2195456n }, { major: 254n, op: 'Sync', value: 2195456n },
          { major: 254n, op: 'Async', value: 1282048n }, { major: 254n, op: 'Discard' }, { major: 254n, op: 'Total', value: 3477504n },
        ],
        ioServicedRecursive: [
          { major: 254n, op: 'Read', value: 124n }, { major: 254n, op: 'Write', value: 104n }, { major: 254n, op: 'Sync', value: 104n },
          { major: 254n, op: 'Async', value: 124n }, { major: 254n, op: 'Discard' }, { major: 254n, op: 'Total', value: 228n },
        ],
        psi: HYBRID_BLKIO_PSI,
      },
      hugetlb: { '2MB': { usage: 4194304n, max: 6291456n, failcnt: 2n }, '1GB': { failcnt: 0n } },
    });
  });

  it('leaves out what a controller that is not there would give: no zero objects', () => {
    const stats = readStats([dir('cpuacct/c2', CPUACCT_V1), dir('pids/c2', { ...PIDS_V1, 'pids.max': '512\n', 'pids.current': '3\n' })]);
    expect(stats).toStrictEqual({ cpu: { usage: HYBRID_CPU.usage }, pids: { current: 3n, limit: 512n } });
  });

  it('reads co-mounted controllers from one directory (cpu,cpuacct)', () => {
    const stats = readStats([dir('cpu,cpuacct/c3', { ...CPU_V1, ...CPUACCT_V1 })]);
    expect(stats).toStrictEqual({ cpu: { usage: HYBRID_CPU.usage, throttling: HYBRID_CPU.throttling } });
  });

  it('reads v1 memory without swap or kernel accounting (memsw and kmem absent)', () => {
    const stats = readStats([dir('memory/c4', { 'memory.stat': 'cache 0\nrss 4096\n', ...entry('memory', '4096', '8192') })]);
    expect(stats).toStrictEqual({ memory: { usage: { limit: V1_LIMIT, usage: 4096n, max: 8192n, failcnt: 0n }, raw: { cache: 0n, rss: 4096n } } });
  });

  it('takes CFQ blkio counters before the throttling layer, as runc orders them', () => {
    const stats = readStats([dir('blkio/c5', {
      'blkio.sectors_recursive': '8:0 6792\nTotal 6792\n',
      'blkio.io_service_time_recursive': '8:0 Read 100\nTotal 100\n',
      'blkio.io_wait_time_recursive': '8:0 Read 7\nTotal 7\n',
      'blkio.io_merged_recursive': '8:0 Read 1\nTotal 1\n',
      'blkio.io_queued_recursive': '8:0 Read 0\nTotal 0\n',
      'blkio.time_recursive': '8:0 42\n',
      'blkio.io_serviced_recursive': '8:0 Read 3\nTotal 3\n',
      'blkio.io_service_bytes_recursive': '8:0 Read 12288\nTotal 12288\n',
      'blkio.throttle.io_serviced_recursive': '8:0 Read 999\n',
      'blkio.throttle.io_service_bytes_recursive': '8:0 Read 999\n',
    })]);
    expect(stats.blkio).toStrictEqual({
      sectorsRecursive: [{ major: 8n, value: 6792n }],
      ioServiceTimeRecursive: [{ major: 8n, op: 'Read', value: 100n }],
      ioWaitTimeRecursive: [{ major: 8n, op: 'Read', value: 7n }],
      ioMergedRecursive: [{ major: 8n, op: 'Read', value: 1n }],
      ioQueueRecursive: [{ major: 8n, op: 'Read' }],
      ioTimeRecursive: [{ major: 8n, value: 42n }],
      ioServicedRecursive: [{ major: 8n, op: 'Read', value: 3n }],
      ioServiceBytesRecursive: [{ major: 8n, op: 'Read', value: 12288n }],
    });
  });

  it('gives an empty blkio object when the controller has seen no I/O, as runc does', () => {
    expect(readStats([dir('blkio/c6', { 'blkio.throttle.io_serviced_recursive': 'Total 0\n', 'blkio.throttle.io_service_bytes_recursive': 'Total 0\n' })])).toStrictEqual({ blkio: {} });
  });
});

describe('readStats: cgroup v2 (runc libcontainer/cgroups/fs2 statCpu, statMemory, statPids, statIo, statHugeTlb)', () => {
  const V2 = {
    'cgroup.controllers': 'cpuset cpu io memory hugetlb pids rdma misc\n', 'cgroup.procs': '4242\n4250\n',
    'cpu.stat': 'usage_usec 1760553\nuser_usec 618058\nsystem_usec 1142494\nnice_usec 0\ncore_sched.force_idle_usec 0\nnr_periods 40\nnr_throttled 5\nthrottled_usec 12345\nnr_bursts 0\nburst_usec 0\n',
    'cpu.pressure': UNIFIED_HYBRID['cpu.pressure'],
    'memory.current': '5357568\n', 'memory.max': '104857600\n', 'memory.peak': '9043968\n',
    'memory.swap.current': '4096\n', 'memory.swap.max': 'max\n',
    'memory.stat': 'anon 1134592\nfile 3923968\nkernel 299008\nkernel_stack 32768\npagetables 61440\nsock 0\nshmem 0\nfile_mapped 1236992\nfile_dirty 0\nfile_writeback 0\npgfault 2231\npgmajfault 9\n',
    'memory.pressure': UNIFIED_HYBRID['memory.pressure'],
    'pids.current': '2\n', 'pids.max': '100\n',
    'io.stat': '254:0 rbytes=1459200 wbytes=314773504 rios=192 wios=353 dbytes=0 dios=0\n7:0 rbytes=4096 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n',
    'io.pressure': UNIFIED_HYBRID['io.pressure'],
    'hugetlb.2MB.current': '2097152\n', 'hugetlb.2MB.max': 'max\n', 'hugetlb.2MB.events': 'max 1\n', 'hugetlb.2MB.rsvd.current': '0\n',
    'hugetlb.1GB.current': '0\n', 'hugetlb.1GB.max': 'max\n', 'hugetlb.1GB.events': 'max 0\n',
  };

  it('reads cpu.stat, memory.*, pids.*, io.stat, hugetlb.* and PSI', () => {
    expect(readStats([dir('c1', V2)])).toStrictEqual({
      cpu: {
        usage: { total: 1760553000n, kernel: 1142494000n, user: 618058000n },
        throttling: { periods: 40n, throttledPeriods: 5n, throttledTime: 12345000n },
        psi: HYBRID_CPU.psi,
      },
      memory: {
        cache: 3923968n, // memory.stat "file"
        usage: { limit: 104857600n, usage: 5357568n, max: 9043968n, failcnt: 0n },
        swap: { limit: MAX, usage: 5361664n, failcnt: 0n }, // memory plus swap, as v1's memsw
        raw: {
          anon: 1134592n, file: 3923968n, kernel: 299008n, kernel_stack: 32768n, pagetables: 61440n, sock: 0n, shmem: 0n,
          file_mapped: 1236992n, file_dirty: 0n, file_writeback: 0n, pgfault: 2231n, pgmajfault: 9n,
        },
        psi: { some: ZERO_PSI, full: ZERO_PSI },
      },
      pids: { current: 2n, limit: 100n },
      blkio: {
        ioServiceBytesRecursive: [{ major: 254n, op: 'Read', value: 1459200n }, { major: 254n, op: 'Write', value: 314773504n }, { major: 7n, op: 'Read', value: 4096n }, { major: 7n, op: 'Write' }],
        ioServicedRecursive: [{ major: 254n, op: 'Read', value: 192n }, { major: 254n, op: 'Write', value: 353n }, { major: 7n, op: 'Read', value: 1n }, { major: 7n, op: 'Write' }],
        psi: HYBRID_BLKIO_PSI,
      },
      hugetlb: { '2MB': { usage: 2097152n, failcnt: 1n }, '1GB': { failcnt: 0n } },
    });
  });

  it('adds the swap limit to the memory limit when both are numbers, and reads "max" as 2^64-1', () => {
    const stats = readStats([dir('c2', { ...V2, 'memory.max': 'max\n', 'memory.swap.max': '0\n', 'memory.swap.current': '0\n' })]);
    expect(stats.memory?.usage).toStrictEqual({ limit: MAX, usage: 5357568n, max: 9043968n, failcnt: 0n });
    expect(stats.memory?.swap).toStrictEqual({ limit: MAX, usage: 5357568n, failcnt: 0n });
    const limited = readStats([dir('c3', { ...V2, 'memory.swap.max': '1048576\n' })]);
    expect(limited.memory?.swap).toStrictEqual({ limit: 105906176n, usage: 5361664n, failcnt: 0n });
  });

  it('counts cgroup.procs when the pids controller is not enabled, as runc does', () => {
    const bare = { 'cgroup.controllers': '\n', 'cgroup.procs': '4242\n4250\n4251\n', 'cpu.stat': 'usage_usec 10\nuser_usec 4\nsystem_usec 6\n' };
    expect(readStats([dir('c4', bare)])).toStrictEqual({ cpu: { usage: { total: 10000n, kernel: 6000n, user: 4000n } }, pids: { current: 3n } });
  });
});

describe('readStats: errors', () => {
  it('refuses a cgroup directory that does not exist (the stats of a removed cgroup are not zeros)', () => {
    const missing = join(tmp, 'gone');
    expect(() => readStats([missing])).toThrow(OciError);
    expect(() => readStats([missing])).toThrow(`cgroup directory ${missing}: ENOENT`);
  });

  it('names the file and the value it cannot parse', () => {
    const d = dir('bad', { 'pids.current': 'lots\n', 'pids.max': 'max\n' });
    expect(() => readStats([d])).toThrow(`${join(d, 'pids.current')}: "lots" is not an unsigned integer`);
    const e = (() => {
      try {
        readStats([d]);
      } catch (err) {
        return err;
      }
    })();
    expect((e as OciError).code).toBe('cgroup');
  });
});

describe('statsEvent and eventJson', () => {
  it("wraps the data in runc's event and writes uint64 counters exactly", () => {
    const event = statsEvent('c1', { memory: { usage: { limit: V1_LIMIT, usage: 4096n, failcnt: 0n } }, cpu: { psi: { some: { avg10: 0.14, avg60: 0, avg300: 2.78, total: MAX } } } });
    expect(event).toStrictEqual({ type: 'stats', id: 'c1', data: event.data });
    expect(eventJson(event)).toBe(
      '{"type":"stats","id":"c1","data":{"memory":{"usage":{"limit":9223372036854771712,"usage":4096,"failcnt":0}},' +
        '"cpu":{"psi":{"some":{"avg10":0.14,"avg60":0,"avg300":2.78,"total":18446744073709551615}}}}}',
    );
    expect(JSON.parse(eventJson(event)).data.memory.usage.usage).toBe(4096);
  });

  it('escapes strings as JSON does', () => {
    expect(eventJson({ id: 'a"b\n', list: [1n, 'x'], skipped: undefined })).toBe('{"id":"a\\"b\\n","list":[1,"x"]}');
  });
});
