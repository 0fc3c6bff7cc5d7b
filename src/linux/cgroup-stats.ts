// `events --stats`: a container's cgroup files → the data object of runc's stats event, with the
// JSON names of runc's types/events.go. runc's Go encoder leaves out a zero `omitempty` field
// (cache, usage.max, a blkio entry's minor…) and writes the others even when zero (limit,
// failcnt, kernel, user); both are kept here, so the JSON reads as runc's does. Where runc would
// write a whole zero object because a controller is missing (kernel memory, throttling without
// the cpu controller, an empty cpuset), nothing is written: no file, no field.
//
// The directories are the container's, one per hierarchy (cgroup-layout.ts): a v2 one has
// cgroup.controllers. A v1 controller is recognised by its files, so co-mounted hierarchies
// (cpu,cpuacct) need nothing special. A controller is in one hierarchy only, but cgroup2 gives
// cpu.stat usage, PSI and cgroup.procs even without controllers: on a hybrid host the v1
// controllers win, and the v2 directory adds only what v1 lacks (PSI, as runc's types carry it).
//
// Counters are uint64 and limits near 2^63 ("max" in v1 is 9223372036854771712), beyond a JSON
// number's 2^53: they are bigints, and eventJson writes them as exact integers.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OciError } from '../errors.ts';

export type U64 = bigint;

export interface CpuUsage {
  total?: U64;
  percpu?: U64[];
  percpu_kernel?: U64[];
  percpu_user?: U64[];
  kernel: U64;
  user: U64;
}
export interface Throttling {
  periods?: U64;
  throttledPeriods?: U64;
  throttledTime?: U64;
}
export interface PsiData {
  avg10: number;
  avg60: number;
  avg300: number;
  total: U64;
}
export interface Psi {
  some?: PsiData;
  full?: PsiData;
}
export interface Cpu {
  usage?: CpuUsage;
  throttling?: Throttling;
  psi?: Psi;
}
export interface CpuSet {
  cpus?: number[];
  cpu_exclusive?: U64;
  mems?: number[];
  mem_hardwall?: U64;
  mem_exclusive?: U64;
  memory_migrate?: U64;
  memory_spread_page?: U64;
  memory_spread_slab?: U64;
  memory_pressure?: U64;
  sched_load_balance?: U64;
  sched_relax_domain_level?: bigint; // int64: -1 is "the system default"
}
export interface MemoryEntry {
  limit: U64;
  usage?: U64;
  max?: U64;
  failcnt: U64;
}
export interface Memory {
  cache?: U64;
  usage?: MemoryEntry;
  swap?: MemoryEntry;
  kernel?: MemoryEntry;
  kernelTCP?: MemoryEntry;
  raw?: Record<string, U64>;
  psi?: Psi;
}
export interface Pids {
  current?: U64;
  limit?: U64;
}
export interface BlkioEntry {
  major?: U64;
  minor?: U64;
  op?: string;
  value?: U64;
}
export interface Blkio {
  ioServiceBytesRecursive?: BlkioEntry[];
  ioServicedRecursive?: BlkioEntry[];
  ioQueueRecursive?: BlkioEntry[];
  ioServiceTimeRecursive?: BlkioEntry[];
  ioWaitTimeRecursive?: BlkioEntry[];
  ioMergedRecursive?: BlkioEntry[];
  ioTimeRecursive?: BlkioEntry[];
  sectorsRecursive?: BlkioEntry[];
  psi?: Psi;
}
export interface Hugetlb {
  usage?: U64;
  max?: U64;
  failcnt: U64;
}
export interface Stats {
  cpu?: Cpu;
  cpuset?: CpuSet;
  memory?: Memory;
  pids?: Pids;
  blkio?: Blkio;
  /** by page size as the files name it: "2MB", "1GB" */
  hugetlb?: Record<string, Hugetlb>;
}
export interface StatsEvent {
  type: 'stats';
  id: string;
  data: Stats;
}

const MAX_U64 = (1n << 64n) - 1n;
/** USER_HZ: cpuacct.stat counts in ticks of 1/100 s on every Linux architecture. */
const NS_PER_TICK = 10_000_000n;

// --- reading ------------------------------------------------------------------------------------

/** A file's text; undefined when it does not exist (the controller or the kernel lacks it). */
function read(dir: string, name: string): string | undefined {
  const path = join(dir, name);
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new OciError('cgroup', `reading ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, err);
  }
}

const malformed = (dir: string, name: string, what: string) => new OciError('cgroup', `${join(dir, name)}: ${what}`);

/** runc's reading of a counter: "max" is 2^64-1 and a negative number (some kernels' -1) is 0. */
function u64(text: string, dir: string, name: string): U64 {
  const t = text.trim();
  if (t === 'max') return MAX_U64;
  if (/^-\d+$/.test(t)) return 0n;
  if (!/^\d+$/.test(t)) throw malformed(dir, name, `${JSON.stringify(t)} is not an unsigned integer`);
  const v = BigInt(t);
  return v > MAX_U64 ? MAX_U64 : v;
}

function readU64(dir: string, name: string): U64 | undefined {
  const text = read(dir, name);
  return text === undefined ? undefined : u64(text, dir, name);
}

/** "key value" lines (cpu.stat, memory.stat), in file order. */
function readKeyValues(dir: string, name: string): Map<string, U64> | undefined {
  const text = read(dir, name);
  if (text === undefined) return undefined;
  const out = new Map<string, U64>();
  for (const line of lines(text)) {
    const [key, value, extra] = line.split(/\s+/);
    if (value === undefined || extra !== undefined) throw malformed(dir, name, `${JSON.stringify(line)} is not "key value"`);
    out.set(key!, u64(value, dir, name));
  }
  return out;
}

const lines = (text: string) => text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
const words = (text: string) => text.split(/\s+/).filter((w) => w !== '');

// --- runc's omitempty ---------------------------------------------------------------------------

/** The object without its undefined fields, so it equals what JSON would carry. */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
/** An omitempty number: left out when zero. */
const nz = (v: U64 | undefined) => (v === 0n ? undefined : v);
/** An omitempty list: left out when empty. */
const some = <T>(a: T[] | undefined) => (a !== undefined && a.length > 0 ? a : undefined);

// --- v1 -----------------------------------------------------------------------------------------

/** cpuacct: usage in ns, user/system from cpuacct.stat ticks, per-cpu splits from usage_all. */
function v1CpuUsage(dir: string): CpuUsage | undefined {
  const total = readU64(dir, 'cpuacct.usage');
  if (total === undefined) return undefined;
  const stat = readKeyValues(dir, 'cpuacct.stat');
  const percpu = read(dir, 'cpuacct.usage_percpu');
  const all = read(dir, 'cpuacct.usage_all'); // "cpu user system" header, then one line per cpu
  const rows = all === undefined ? [] : lines(all).slice(1).map((l) => words(l)).filter((w) => w.length === 3);
  return defined({
    total: nz(total),
    percpu: some(percpu === undefined ? undefined : words(percpu).map((w) => u64(w, dir, 'cpuacct.usage_percpu'))),
    percpu_kernel: some(rows.map((r) => u64(r[2]!, dir, 'cpuacct.usage_all'))),
    percpu_user: some(rows.map((r) => u64(r[1]!, dir, 'cpuacct.usage_all'))),
    kernel: (stat?.get('system') ?? 0n) * NS_PER_TICK,
    user: (stat?.get('user') ?? 0n) * NS_PER_TICK,
  });
}

/** cpu.stat of the v1 cpu controller: the CFS throttling counters (throttled_time in ns). */
function v1Throttling(dir: string): Throttling | undefined {
  const stat = readKeyValues(dir, 'cpu.stat');
  if (stat === undefined) return undefined;
  return defined({ periods: nz(stat.get('nr_periods')), throttledPeriods: nz(stat.get('nr_throttled')), throttledTime: nz(stat.get('throttled_time')) });
}

/** memory.<name>.{usage_in_bytes,max_usage_in_bytes,failcnt,limit_in_bytes}; `prefix` "memory", "memory.memsw"… */
function v1MemoryEntry(dir: string, prefix: string): MemoryEntry | undefined {
  const usage = readU64(dir, `${prefix}.usage_in_bytes`);
  if (usage === undefined) return undefined; // memsw and kmem are optional in the kernel
  const need = (name: string) => readU64(dir, `${prefix}.${name}`) ?? 0n;
  return defined({ limit: need('limit_in_bytes'), usage: nz(usage), max: nz(need('max_usage_in_bytes')), failcnt: need('failcnt') });
}

function v1Memory(dir: string): Memory | undefined {
  const raw = readKeyValues(dir, 'memory.stat');
  if (raw === undefined || read(dir, 'memory.usage_in_bytes') === undefined) return undefined;
  return defined({
    cache: nz(raw.get('cache')),
    usage: v1MemoryEntry(dir, 'memory'),
    swap: v1MemoryEntry(dir, 'memory.memsw'),
    kernel: v1MemoryEntry(dir, 'memory.kmem'),
    kernelTCP: v1MemoryEntry(dir, 'memory.kmem.tcp'),
    raw: raw.size > 0 ? Object.fromEntries(raw) : undefined,
  });
}

/** pids.current and pids.max, where "max" (no limit) is a limit of 0, as runc reports it. */
function pidsOf(dir: string): Pids | undefined {
  const current = readU64(dir, 'pids.current');
  if (current === undefined) return undefined;
  const max = read(dir, 'pids.max')?.trim();
  const limit = max === undefined || max === 'max' ? 0n : u64(max, dir, 'pids.max');
  return defined({ current: nz(current), limit: nz(limit) });
}

type BlkioTable = Exclude<keyof Blkio, 'psi'>;

/**
 * runc's order of blkio file sets: the first set whose first file has entries is read (BFQ debug
 * files, BFQ, CFQ, then the throttling layer's recursive and flat counters).
 */
const BLKIO_SETS: ReadonlyArray<ReadonlyArray<[string, BlkioTable]>> = [
  [['blkio.bfq.sectors_recursive', 'sectorsRecursive'], ['blkio.bfq.io_service_time_recursive', 'ioServiceTimeRecursive'],
    ['blkio.bfq.io_wait_time_recursive', 'ioWaitTimeRecursive'], ['blkio.bfq.io_merged_recursive', 'ioMergedRecursive'],
    ['blkio.bfq.io_queued_recursive', 'ioQueueRecursive'], ['blkio.bfq.time_recursive', 'ioTimeRecursive'],
    ['blkio.bfq.io_serviced_recursive', 'ioServicedRecursive'], ['blkio.bfq.io_service_bytes_recursive', 'ioServiceBytesRecursive']],
  [['blkio.bfq.io_serviced_recursive', 'ioServicedRecursive'], ['blkio.bfq.io_service_bytes_recursive', 'ioServiceBytesRecursive']],
  [['blkio.sectors_recursive', 'sectorsRecursive'], ['blkio.io_service_time_recursive', 'ioServiceTimeRecursive'],
    ['blkio.io_wait_time_recursive', 'ioWaitTimeRecursive'], ['blkio.io_merged_recursive', 'ioMergedRecursive'],
    ['blkio.io_queued_recursive', 'ioQueueRecursive'], ['blkio.time_recursive', 'ioTimeRecursive'],
    ['blkio.io_serviced_recursive', 'ioServicedRecursive'], ['blkio.io_service_bytes_recursive', 'ioServiceBytesRecursive']],
  [['blkio.throttle.io_serviced_recursive', 'ioServicedRecursive'], ['blkio.throttle.io_service_bytes_recursive', 'ioServiceBytesRecursive']],
  [['blkio.throttle.io_serviced', 'ioServicedRecursive'], ['blkio.throttle.io_service_bytes', 'ioServiceBytesRecursive']],
];

/** "8:0 Read 1282048" (or "8:0 6792" for sectors) lines; the "Total N" line is skipped. */
function blkioEntries(dir: string, name: string): BlkioEntry[] | undefined {
  const text = read(dir, name);
  if (text === undefined) return undefined;
  return lines(text).flatMap((line): BlkioEntry[] => {
    const f = line.split(/[ :]+/);
    if (f.length === 2 && f[0] === 'Total') return [];
    if (f.length !== 3 && f.length !== 4) throw malformed(dir, name, `${JSON.stringify(line)} is not "major:minor [op] value"`);
    const op = f.length === 4 ? f[2] : '';
    return [defined({ major: nz(u64(f[0]!, dir, name)), minor: nz(u64(f[1]!, dir, name)), op: op || undefined, value: nz(u64(f.at(-1)!, dir, name)) })];
  });
}

function v1Blkio(dir: string): Blkio | undefined {
  if (!readdirSync(dir).some((f) => f.startsWith('blkio.'))) return undefined;
  for (const set of BLKIO_SETS) {
    const first = blkioEntries(dir, set[0]![0]);
    if (first === undefined || first.length === 0) continue;
    const out: Blkio = {};
    for (const [file, table] of set) {
      const entries = blkioEntries(dir, file);
      if (entries === undefined || entries.length === 0) break; // runc stops at the first missing file of a set
      out[table] = entries;
    }
    return out;
  }
  return {};
}

/** "0-3,7" → [0, 1, 2, 3, 7] */
function cpuList(dir: string, name: string): number[] | undefined {
  const text = read(dir, name)?.trim();
  if (!text) return undefined;
  return text.split(',').flatMap((part) => {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m || Number(m[2] ?? m[1]) < Number(m[1])) throw malformed(dir, name, `${JSON.stringify(part)} is not a number or a range`);
    return Array.from({ length: Number(m[2] ?? m[1]) - Number(m[1]) + 1 }, (_, i) => Number(m[1]) + i);
  });
}

function v1Cpuset(dir: string): CpuSet | undefined {
  if (read(dir, 'cpuset.cpus') === undefined) return undefined;
  const level = read(dir, 'cpuset.sched_relax_domain_level')?.trim();
  if (level !== undefined && !/^-?\d+$/.test(level)) throw malformed(dir, 'cpuset.sched_relax_domain_level', `${JSON.stringify(level)} is not an integer`);
  const flag = (name: string) => readU64(dir, `cpuset.${name}`);
  return defined({
    cpus: cpuList(dir, 'cpuset.cpus'), cpu_exclusive: flag('cpu_exclusive'), mems: cpuList(dir, 'cpuset.mems'),
    mem_hardwall: flag('mem_hardwall'), mem_exclusive: flag('mem_exclusive'), memory_migrate: flag('memory_migrate'),
    memory_spread_page: flag('memory_spread_page'), memory_spread_slab: flag('memory_spread_slab'),
    memory_pressure: flag('memory_pressure'), sched_load_balance: flag('sched_load_balance'),
    sched_relax_domain_level: level === undefined ? undefined : BigInt(level),
  });
}

/** hugetlb.<size>.<file>: the page sizes are the ones the directory has files for. */
function hugetlbOf(dir: string, usageFile: string, read1: (size: string) => Hugetlb): Record<string, Hugetlb> | undefined {
  const pattern = new RegExp(`^hugetlb\\.(\\d+[KMG]B)\\.${usageFile}$`);
  const sizes = readdirSync(dir).flatMap((f) => pattern.exec(f)?.[1] ?? []);
  return sizes.length === 0 ? undefined : Object.fromEntries(sizes.map((s) => [s, read1(s)]));
}

function v1Hugetlb(dir: string): Record<string, Hugetlb> | undefined {
  return hugetlbOf(dir, 'usage_in_bytes', (size) => {
    const f = (name: string) => readU64(dir, `hugetlb.${size}.${name}`) ?? 0n;
    return defined({ usage: nz(f('usage_in_bytes')), max: nz(f('max_usage_in_bytes')), failcnt: f('failcnt') });
  });
}

function v1Stats(dir: string): Stats {
  const usage = v1CpuUsage(dir);
  const throttling = v1Throttling(dir);
  return defined({
    cpu: usage || throttling ? defined({ usage, throttling }) : undefined,
    cpuset: v1Cpuset(dir),
    memory: v1Memory(dir),
    pids: pidsOf(dir),
    blkio: v1Blkio(dir),
    hugetlb: v1Hugetlb(dir),
  });
}

// --- v2 -----------------------------------------------------------------------------------------

/** "some avg10=0.14 avg60=0.21 avg300=2.78 total=436614945" and the "full" line. */
function psiOf(dir: string, name: string): Psi | undefined {
  const text = read(dir, name);
  if (text === undefined) return undefined;
  const out: Psi = {};
  for (const line of lines(text)) {
    const [kind, ...fields] = words(line);
    if (kind !== 'some' && kind !== 'full') continue;
    const kv = new Map(fields.map((f) => f.split('=') as [string, string]));
    const avg = (k: string) => {
      const v = Number(kv.get(k));
      if (!Number.isFinite(v)) throw malformed(dir, name, `${JSON.stringify(line)} has no number ${k}`);
      return v;
    };
    out[kind] = { avg10: avg('avg10'), avg60: avg('avg60'), avg300: avg('avg300'), total: u64(kv.get('total') ?? '', dir, name) };
  }
  return out;
}

/** cpu.stat, which cgroup2 has even without the cpu controller (then without the nr_* lines). */
function v2Cpu(dir: string): Cpu | undefined {
  const stat = readKeyValues(dir, 'cpu.stat');
  const psi = psiOf(dir, 'cpu.pressure');
  if (stat === undefined) return psi && { psi };
  const us = (k: string) => (stat.get(k) ?? 0n) * 1000n;
  const usage = defined({ total: nz(us('usage_usec')), kernel: us('system_usec'), user: us('user_usec') });
  const throttled = stat.has('nr_periods');
  const throttling = throttled ? defined({ periods: nz(stat.get('nr_periods')), throttledPeriods: nz(stat.get('nr_throttled')), throttledTime: nz(us('throttled_usec')) }) : undefined;
  return defined({ usage, throttling, psi });
}

/** memory.{current,max,peak}; swap as runc reports it: memory plus swap, as v1's memsw counts. */
function v2Memory(dir: string): Memory | undefined {
  const psi = psiOf(dir, 'memory.pressure');
  const raw = readKeyValues(dir, 'memory.stat');
  if (raw === undefined) return psi && { psi };
  const current = readU64(dir, 'memory.current');
  const limit = readU64(dir, 'memory.max') ?? MAX_U64;
  const usage = current === undefined ? undefined : defined({ limit, usage: nz(current), max: nz(readU64(dir, 'memory.peak')), failcnt: 0n });
  const swapCurrent = readU64(dir, 'memory.swap.current');
  const swapMax = readU64(dir, 'memory.swap.max') ?? MAX_U64;
  // runc adds the limits too (unless swap is unlimited), saturating here where uint64 would wrap.
  const swapLimit = swapMax === MAX_U64 || limit === MAX_U64 ? MAX_U64 : swapMax + limit;
  const swap = swapCurrent === undefined ? undefined : defined({ limit: swapLimit, usage: nz(swapCurrent + (current ?? 0n)), failcnt: 0n });
  return defined({ cache: nz(raw.get('file')), usage, swap, raw: raw.size > 0 ? Object.fromEntries(raw) : undefined, psi });
}

/** io.stat "8:0 rbytes=… wbytes=… rios=… wios=… dbytes=… dios=…", in v1's tables as runc maps it. */
function v2Blkio(dir: string): Blkio | undefined {
  const psi = psiOf(dir, 'io.pressure');
  const text = read(dir, 'io.stat');
  if (text === undefined) return psi && { psi };
  const bytes: BlkioEntry[] = [];
  const ios: BlkioEntry[] = [];
  const TABLE: Record<string, [BlkioEntry[], string]> = { rbytes: [bytes, 'Read'], wbytes: [bytes, 'Write'], rios: [ios, 'Read'], wios: [ios, 'Write'] };
  for (const line of lines(text)) {
    const [device, ...fields] = words(line);
    const m = /^(\d+):(\d+)$/.exec(device ?? '');
    if (!m) continue;
    for (const [key, value] of fields.map((f) => f.split('='))) {
      const target = TABLE[key!];
      if (target && value !== undefined) target[0].push(defined({ major: nz(BigInt(m[1]!)), minor: nz(BigInt(m[2]!)), op: target[1], value: nz(u64(value, dir, 'io.stat')) }));
    }
  }
  return defined({ ioServiceBytesRecursive: some(bytes), ioServicedRecursive: some(ios), psi });
}

function v2Hugetlb(dir: string): Record<string, Hugetlb> | undefined {
  return hugetlbOf(dir, 'current', (size) => {
    const events = readKeyValues(dir, `hugetlb.${size}.events`);
    return defined({ usage: nz(readU64(dir, `hugetlb.${size}.current`)), failcnt: events?.get('max') ?? 0n });
  });
}

function v2Stats(dir: string): Stats {
  return defined({ cpu: v2Cpu(dir), memory: v2Memory(dir), pids: pidsOf(dir), blkio: v2Blkio(dir), hugetlb: v2Hugetlb(dir) });
}

/** runc without the pids controller on v2: the processes listed in cgroup.procs. */
function pidsFromProcs(dir: string): Pids {
  const procs = read(dir, 'cgroup.procs') ?? '';
  return defined({ current: nz(BigInt(lines(procs).length)) });
}

// --- together -----------------------------------------------------------------------------------

const isV2 = (dir: string) => read(dir, 'cgroup.controllers') !== undefined;

function checkExists(dir: string): void {
  try {
    readdirSync(dir);
  } catch (err) {
    throw new OciError('cgroup', `cgroup directory ${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, err);
  }
}

/** Section by section; within one, v1's parts (a real controller's) over v2's (cgroup2's own files). */
function merge(v1: Stats, v2: Stats): Stats {
  const out: Record<string, unknown> = { ...v2 };
  for (const [key, value] of Object.entries(v1)) {
    const under = (v2 as Record<string, unknown>)[key];
    out[key] = key === 'hugetlb' || key === 'pids' || under === undefined ? value : { ...(under as object), ...(value as object) };
  }
  return out as Stats;
}

/** The stats of the container whose cgroup directories these are (one per hierarchy). */
export function readStats(dirs: string[]): Stats {
  dirs.forEach(checkExists);
  const v2Dir = dirs.find(isV2);
  const v1 = dirs.filter((d) => d !== v2Dir).map(v1Stats).reduce(merge, {});
  const stats = merge(v1, v2Dir === undefined ? {} : v2Stats(v2Dir));
  if (stats.pids === undefined && v2Dir !== undefined) stats.pids = pidsFromProcs(v2Dir);
  return stats;
}

/** runc's event envelope: `{"type":"stats","id":…,"data":…}`. */
export function statsEvent(id: string, stats: Stats): StatsEvent {
  return { type: 'stats', id, data: stats };
}

/** Compact JSON, as runc's encoder writes an event, with bigints as exact integers. */
export function eventJson(value: unknown): string {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return `[${value.map(eventJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const fields = Object.entries(value).filter(([, v]) => v !== undefined);
    return `{${fields.map(([k, v]) => `${JSON.stringify(k)}:${eventJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
