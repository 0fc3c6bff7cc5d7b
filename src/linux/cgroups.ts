// A cgroup per container (config-linux.md "Control groups", "Cgroups Path") on cgroup v1, v2 and
// the hybrid layout: made at create, the init placed in it, how `kill --all` and `delete` find
// every process, removed at delete.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { OciError, specError } from '../errors.ts';

export type CgroupKind = 'v1' | 'v2' | 'hybrid';
export interface Hierarchy {
  mountPoint: string;
  version: 1 | 2;
  controllers: string[]; // v1: from the mount's super options (name=systemd included); v2: none listed
}
export interface CgroupLayout {
  kind: CgroupKind;
  hierarchies: Hierarchy[];
}

/** What state.json keeps: the container's directories, and those create made (removed at delete). */
export interface CgroupRecord {
  dirs: string[];
  created: string[];
}

const V1_OPTIONS = /^(?:name=.+|cpu|cpuacct|cpuset|memory|devices|freezer|net_cls|net_prio|blkio|perf_event|hugetlb|pids|rdma|misc)$/;

/** Parses /proc/self/mountinfo: fields 5 (mount point), after " - ": fstype, source, super options. */
export function detectLayout(mountinfo = readFileSync('/proc/self/mountinfo', 'utf8')): CgroupLayout {
  const hierarchies: Hierarchy[] = [];
  for (const line of mountinfo.split('\n')) {
    const [pre, post] = line.split(' - ');
    if (!pre || !post) continue;
    const mountPoint = pre.split(' ')[4] ?? '';
    const [fstype, , superOptions = ''] = post.split(' ');
    if (fstype === 'cgroup2') hierarchies.push({ mountPoint, version: 2, controllers: [] });
    if (fstype === 'cgroup') hierarchies.push({ mountPoint, version: 1, controllers: superOptions.split(',').filter((o) => V1_OPTIONS.test(o)) });
  }
  const v1 = hierarchies.some((h) => h.version === 1);
  const v2 = hierarchies.some((h) => h.version === 2);
  if (!v1 && !v2) throw new OciError('cgroup', 'no cgroup filesystem is mounted');
  return { kind: v1 && v2 ? 'hybrid' : v2 ? 'v2' : 'v1', hierarchies };
}

function checkPath(path: string): void {
  if (path.split('/').includes('..')) throw specError(`linux.cgroupsPath: "${path}" must not contain ".."`);
}

/**
 * config-linux.md "Cgroups Path": absolute paths are relative to each hierarchy's mount point;
 * relative ones, like runc, to the runtime's own cgroup in that hierarchy. Default: ocirt/<id>.
 */
export function cgroupDirs(layout: CgroupLayout, cgroupsPath: string | undefined, id: string, ownCgroup?: string): CgroupRecord {
  if (cgroupsPath !== undefined) checkPath(cgroupsPath);
  const relative = cgroupsPath !== undefined && !cgroupsPath.startsWith('/');
  const own = relative ? parseOwnCgroup(ownCgroup ?? readFileSync('/proc/self/cgroup', 'utf8')) : new Map<string, string>();
  const dirs = layout.hierarchies.map((h) => {
    const base = relative ? (own.get(h.version === 2 ? '' : h.controllers.join(',')) ?? '/') : '/';
    const sub = cgroupsPath === undefined ? `ocirt/${id}` : cgroupsPath;
    return join(h.mountPoint, posix.normalize(posix.join(base, sub)));
  });
  return { dirs, created: [] };
}

/** /proc/self/cgroup: "hierarchy-id:controllers:path" → controllers → path ("" for cgroup2). */
function parseOwnCgroup(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line);
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

export interface ContainerCgroup {
  readonly record: CgroupRecord;
  procsFiles(): string[];
  pids(): number[];
  signalAll(signal: NodeJS.Signals | number): void;
  remove(): void;
}

class Cgroup implements ContainerCgroup {
  constructor(readonly record: CgroupRecord) {}

  procsFiles(): string[] {
    return this.record.dirs.map((d) => join(d, 'cgroup.procs'));
  }

  pids(): number[] {
    const seen = new Set<number>();
    for (const file of this.procsFiles()) {
      try {
        for (const p of readFileSync(file, 'utf8').split('\n')) if (p) seen.add(Number(p));
      } catch {
        /* a hierarchy that was removed */
      }
    }
    return [...seen];
  }

  /** With SIGKILL, repeats until the cgroup is empty: a process may fork while it is being killed. */
  signalAll(signal: NodeJS.Signals | number): void {
    const once = () => this.pids().forEach((pid) => tryKill(pid, signal));
    if (signal !== 'SIGKILL' && signal !== 9) return once();
    for (let i = 0; i < 200 && this.pids().length > 0; i++) {
      once();
      sleepSync(10);
    }
    if (this.pids().length > 0) throw new OciError('cgroup', `processes survived SIGKILL in ${this.record.dirs[0]}`);
  }

  /** rmdir deepest first; a just-killed process may keep a directory busy for a moment. */
  remove(): void {
    const dirs = [...new Set([...this.record.dirs, ...this.record.created])].sort((a, b) => b.length - a.length);
    // A parent such as ocirt/ that create made may hold other containers: it goes only when empty.
    for (const dir of dirs) removeDir(dir, !this.record.dirs.includes(dir));
  }
}

function tryKill(pid: number, signal: NodeJS.Signals | number): void {
  try {
    process.kill(pid, signal);
  } catch {
    /* exited meanwhile */
  }
}

function removeDir(dir: string, onlyIfEmpty: boolean): void {
  for (let attempt = 0; ; attempt++) {
    try {
      rmdirSync(dir);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || (onlyIfEmpty && (code === 'EBUSY' || code === 'ENOTEMPTY'))) return;
      if (code !== 'EBUSY' || attempt >= 50) throw new OciError('cgroup', `remove cgroup ${dir}: ${code}`, err);
      sleepSync(10);
    }
  }
}

/** A new v1 cpuset cgroup has no cpus or mems, and no process may join it until it gets its parent's. */
function inheritCpuset(dir: string): void {
  for (const f of ['cpuset.cpus', 'cpuset.mems']) {
    const file = join(dir, f);
    if (!existsSync(file)) continue;
    if (readFileSync(file, 'utf8').trim() === '') writeFileSync(file, readFileSync(join(dir, '..', f), 'utf8'));
  }
}

/** Makes every directory (remembering which it made) or, on failure, removes them again. */
export function createCgroup(record: CgroupRecord): ContainerCgroup {
  const created: string[] = [];
  try {
    for (const dir of record.dirs) {
      const missing: string[] = [];
      for (let d = dir; !existsSync(d); d = join(d, '..')) missing.unshift(d);
      for (const d of missing) {
        mkdirSync(d);
        created.push(d);
        inheritCpuset(d);
      }
    }
  } catch (err) {
    new Cgroup({ dirs: created, created }).remove();
    throw new OciError('cgroup', `create cgroup ${record.dirs[0]}: ${(err as Error).message}`, err);
  }
  return new Cgroup({ dirs: record.dirs, created });
}

export function openCgroup(record: CgroupRecord): ContainerCgroup {
  return new Cgroup(record);
}
