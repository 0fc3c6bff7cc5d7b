// config-linux.md "Control groups": linux.resources as cgroup file writes, on v1, v2 and hybrid
// hosts. `devices` is cgroup-devices.ts's. Planning (resourceWrites) reads the host — which
// hierarchy holds each controller, and the current values some write orders depend on — and
// never writes; applying (writeAll) writes each in order and turns a kernel refusal into an error
// naming the field. create calls applyResources once after createCgroup and before the init joins
// (cpu.rt_* must be set before an RT task arrives, as runc sets them); `ocirt update` calls it
// with { update: true } and only the fields given.
import * as fs from 'node:fs';
import { posix } from 'node:path';
import { OciError, specError } from '../errors.ts';
import type { CgroupLayout } from './cgroup-layout.ts';
import { readOptional } from './read-optional.ts';
import type { DeviceRule } from './cgroup-devices.ts';
import { blkioWrites } from './resources-blkio.ts';
import { cpuWrites, cpusetWrites } from './resources-cpu.ts';
import { enableWrites } from './resources-enable.ts';
import { hugetlbWrites } from './resources-hugetlb.ts';
import { memoryWrites } from './resources-memory.ts';
import { networkWrites } from './resources-network.ts';
import { pidsWrites } from './resources-pids.ts';
import { rdmaWrites } from './resources-rdma.ts';
import { unifiedWrites } from './resources-unified.ts';

// The spec's shapes (config-linux.md "Memory", "CPU", "Block IO", "Huge page limits", "Network",
// "PIDs", "RDMA", "Unified"). Values are checked again while planning: `ocirt update` builds them too.
export interface LinuxMemory {
  limit?: number;
  reservation?: number;
  swap?: number;
  kernel?: number;
  kernelTCP?: number;
  swappiness?: number;
  disableOOMKiller?: boolean;
  useHierarchy?: boolean;
  checkBeforeUpdate?: boolean;
}

export interface LinuxCpu {
  shares?: number;
  quota?: number;
  burst?: number;
  period?: number;
  realtimeRuntime?: number;
  realtimePeriod?: number;
  cpus?: string;
  mems?: string;
  idle?: number;
}

export interface BlockIODevice {
  major: number;
  minor: number;
}
export interface WeightDevice extends BlockIODevice {
  weight?: number;
  leafWeight?: number;
}
export interface ThrottleDevice extends BlockIODevice {
  rate: number;
}

export interface LinuxBlockIO {
  weight?: number;
  leafWeight?: number;
  weightDevice?: WeightDevice[];
  throttleReadBpsDevice?: ThrottleDevice[];
  throttleWriteBpsDevice?: ThrottleDevice[];
  throttleReadIOPSDevice?: ThrottleDevice[];
  throttleWriteIOPSDevice?: ThrottleDevice[];
}

export interface HugepageLimit {
  pageSize: string;
  limit: number;
}

export interface LinuxNetwork {
  classID?: number;
  priorities?: Array<{ name: string; priority: number }>;
}

export interface LinuxRdma {
  hcaHandles?: number;
  hcaObjects?: number;
}

export interface LinuxResources {
  devices?: DeviceRule[];
  memory?: LinuxMemory;
  cpu?: LinuxCpu;
  pids?: { limit?: number };
  blockIO?: LinuxBlockIO;
  hugepageLimits?: HugepageLimit[];
  network?: LinuxNetwork;
  rdma?: Record<string, LinuxRdma>;
  unified?: Record<string, string>;
}

// Where each controller lives for one container. config-linux.md speaks v1's names; v2 calls blkio
// "io", and has no net_cls or net_prio (it classifies traffic with BPF programs instead).
export type Controller = 'cpu' | 'cpuset' | 'memory' | 'pids' | 'blkio' | 'hugetlb' | 'net_cls' | 'net_prio' | 'rdma';

const V2_NAME: Record<Controller, string | undefined> = {
  cpu: 'cpu',
  cpuset: 'cpuset',
  memory: 'memory',
  pids: 'pids',
  blkio: 'io',
  hugetlb: 'hugetlb',
  net_cls: undefined,
  net_prio: undefined,
  rdma: 'rdma',
};

export interface Site {
  dir: string;
  version: 1 | 2;
}

/** The v2 hierarchy: its mount point, the container's directory in it, and what its root offers. */
export interface V2Root {
  mountPoint: string;
  dir: string;
  controllers: string[];
}

export interface Sites {
  /** Where `ctl` lives; a spec error naming `field` when the host has it nowhere. */
  site(ctl: Controller, field: string): Site;
  /** undefined on a v1 host. */
  v2: V2Root | undefined;
}

/**
 * A v1 hierarchy mounting the controller wins (on a hybrid host v1 holds what it mounts); else the
 * v2 directory when the v2 root's cgroup.controllers lists it.
 */
export function controllerSites(layout: CgroupLayout, dirs: string[]): Map<Controller, Site> {
  if (dirs.length !== layout.hierarchies.length) {
    throw new OciError('internal', `${dirs.length} cgroup directories for ${layout.hierarchies.length} hierarchies`);
  }
  const out = new Map<Controller, Site>();
  for (const ctl of Object.keys(V2_NAME) as Controller[]) {
    const v1 = layout.hierarchies.findIndex((h) => h.version === 1 && h.controllers.includes(ctl));
    const name = V2_NAME[ctl];
    const v2 = layout.hierarchies.findIndex((h) => h.version === 2 && name !== undefined && h.controllers.includes(name));
    if (v1 >= 0) out.set(ctl, { dir: dirs[v1]!, version: 1 });
    else if (v2 >= 0) out.set(ctl, { dir: dirs[v2]!, version: 2 });
  }
  return out;
}

function siteFinder(layout: CgroupLayout, dirs: string[]): Sites {
  const sites = controllerSites(layout, dirs);
  const i = layout.hierarchies.findIndex((h) => h.version === 2);
  const h = layout.hierarchies[i];
  const v2 = h === undefined ? undefined : { mountPoint: h.mountPoint, dir: dirs[i]!, controllers: h.controllers };
  const site = (ctl: Controller, field: string): Site => {
    const found = sites.get(ctl);
    if (found) return found;
    const name = V2_NAME[ctl];
    if (name === undefined) throw specError(`${field}: this host mounts no ${ctl} hierarchy, and cgroup v2 has no ${ctl} controller`);
    const inV2 = v2 === undefined ? '' : `, and ${posix.join(v2.mountPoint, 'cgroup.controllers')} does not list ${name}`;
    throw specError(`${field}: this host has no ${ctl} controller: no cgroup v1 hierarchy mounts it${inV2}`);
  };
  return { site, v2 };
}

/** One write of one line into one cgroup file. */
export interface ResourceWrite {
  dir: string;
  file: string;
  value: string;
  /** The config field it comes from, dotted: `linux.resources.memory.limit`. */
  field: string;
  /** Skipped when the kernel lacks the file: a feature some kernels lack, which runc skips too. */
  optional?: boolean;
  /** Written instead when `file` does not exist (runc: io.bfq.weight, else io.weight converted). */
  fallback?: { file: string; value: string };
  /** On EINVAL, written again right after this file of the same directory is (runc's cfs period retry). */
  retryAfter?: string;
}

export interface ResourcePlan {
  writes: ResourceWrite[];
  /** Fields ignored rather than refused, as runc ignores them: one line each. */
  warnings: string[];
}

/** A container's cgroup: the host's layout and the container's directory in each hierarchy (cgroupDirs). */
export interface ResourceTarget {
  layout: CgroupLayout;
  dirs: string[];
}

export interface ResourceOptions {
  /** `ocirt update`: enables memory.checkBeforeUpdate (config-linux.md "Memory"). */
  update?: boolean;
  /** Where the host lists its huge page sizes; tests pass a fake one. */
  hugepagesDir?: string;
}

/** What the planners see of the host: where a controller lives, and current file contents. */
export interface PlanContext extends Sites {
  update: boolean;
  /** A file's trimmed contents, or undefined when it cannot be read. */
  read(dir: string, file: string): string | undefined;
  exists(dir: string, file: string): boolean;
  /** The entries of a directory; [] when it cannot be read. */
  names(dir: string): string[];
  hugepagesDir: string;
  warn(message: string): void;
}

/**
 * The writes for every field given, in an order the kernel accepts: v2 controllers enabled first,
 * then runc's v1 subsystem order (cpuset, memory, cpu, pids, blkio, hugetlb, net_cls and net_prio,
 * rdma), unified last so that it overrides (runc and crun apply it last too).
 */
export function resourceWrites(resources: LinuxResources, target: ResourceTarget, options: ResourceOptions = {}): ResourcePlan {
  const warnings: string[] = [];
  const ctx: PlanContext = {
    ...siteFinder(target.layout, target.dirs),
    update: options.update === true,
    read: readTrimmed,
    exists: (dir, file) => fs.existsSync(posix.join(dir, file)),
    names,
    hugepagesDir: options.hugepagesDir ?? '/sys/kernel/mm/hugepages',
    warn: (m) => warnings.push(m),
  };
  const r = resources;
  const writes = [
    ...cpusetWrites(r.cpu, ctx),
    ...memoryWrites(r.memory, ctx),
    ...cpuWrites(r.cpu, ctx),
    ...pidsWrites(r.pids, ctx),
    ...blkioWrites(r.blockIO, ctx),
    ...hugetlbWrites(r.hugepageLimits, ctx),
    ...networkWrites(r.network, ctx),
    ...rdmaWrites(r.rdma, ctx),
    ...unifiedWrites(r.unified, ctx),
  ];
  return { writes: [...enableWrites(writes, ctx), ...writes], warnings };
}

/** Plans and writes; returns the warnings for the caller to log. */
export function applyResources(resources: LinuxResources | undefined, target: ResourceTarget, options: ResourceOptions = {}): string[] {
  const plan = resourceWrites(resources ?? {}, target, options);
  writeAll(plan.writes);
  return plan.warnings;
}

/**
 * Writes in order and stops at the first refusal. A write marked retryAfter that the kernel
 * refuses with EINVAL is tried once more right after that file is written, and fails then.
 */
export function writeAll(writes: ResourceWrite[]): void {
  const waiting: Array<{ w: ResourceWrite; err: unknown }> = [];
  for (const w of writes) {
    const err = tryWrite(w);
    if (err === undefined) retryWaiting(waiting, w);
    else if (w.retryAfter !== undefined && errnoOf(err) === 'EINVAL') waiting.push({ w, err });
    else throw refusal(w, err);
  }
  if (waiting[0] !== undefined) throw refusal(waiting[0].w, waiting[0].err);
}

function retryWaiting(waiting: Array<{ w: ResourceWrite; err: unknown }>, written: ResourceWrite): void {
  for (const due of waiting.filter((p) => p.w.dir === written.dir && p.w.retryAfter === written.file)) {
    waiting.splice(waiting.indexOf(due), 1);
    const err = tryWrite(due.w);
    if (err !== undefined) throw refusal(due.w, err);
  }
}

/** undefined when written (or skipped as optional), else the error. */
function tryWrite(w: ResourceWrite): unknown {
  try {
    writeLine(posix.join(w.dir, w.file), w.value);
    return undefined;
  } catch (err) {
    if (errnoOf(err) !== 'ENOENT' || !fs.existsSync(w.dir)) return err;
    if (w.fallback) return tryWrite({ ...w, ...w.fallback, fallback: undefined });
    return w.optional ? undefined : err;
  }
}

/**
 * Without O_CREAT: a missing cgroup file is the kernel's answer, not a file to make. O_TRUNC is
 * what a shell's `>` does (cgroupfs ignores it) and keeps a fake tree's file to the last value.
 */
function writeLine(path: string, value: string): void {
  const fd = fs.openSync(path, fs.constants.O_WRONLY | fs.constants.O_TRUNC);
  try {
    fs.writeSync(fd, value);
  } finally {
    fs.closeSync(fd);
  }
}

function refusal(w: ResourceWrite, err: unknown): OciError {
  const why = errnoOf(err) ?? (err instanceof Error ? err.message : String(err));
  const file = w.file === 'cgroup.subtree_control' ? posix.join(w.dir, w.file) : w.file; // which ancestor refused
  return new OciError('cgroup', `${w.field}: writing "${w.value}" to ${file}: ${why}${hint(w, err)}`, err);
}

/** v1 refuses a memory limit below the usage with EBUSY; say what the usage is, as runc does. */
function hint(w: ResourceWrite, err: unknown): string {
  if (w.file !== 'memory.limit_in_bytes' || errnoOf(err) !== 'EBUSY') return '';
  const usage = readTrimmed(w.dir, 'memory.usage_in_bytes');
  return usage === undefined ? '' : ` (the current usage is ${usage} bytes)`;
}

const errnoOf = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | undefined)?.code;

function names(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** Absent (an older kernel, a controller not enabled yet) or unreadable: undefined, for the planner to decide. */
const readTrimmed = (dir: string, file: string): string | undefined => readOptional(posix.join(dir, file))?.trim();
