// Nothing left behind, whatever the runtime did: after `delete --force` of every id (by the
// caller), this kills what is left by the two things the harness controls — the cgroupsPath it put
// in every bundle and the pids the runtime reported — then unmounts whatever is mounted under the
// test's directory and removes it. Each step runs even when an earlier one failed.
import { existsSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { execute } from './exec.ts';
import { hostTool } from './host-tools.ts';

/** Where the harness puts containers' cgroups, relative to each hierarchy's mount point. */
export const CGROUP_PARENT = 'oci-conformance';
/** Linux reports process start times in USER_HZ ticks, 100 on every architecture the suite runs on. */
const USER_HZ = 100;
const KILL_DEADLINE_MS = 3000;

export interface Leftovers {
  /** Cgroup directories named CGROUP_PARENT/<prefix>… in any hierarchy. */
  cgroupPrefix: string;
  /** Pids the runtime reported; killed only if they started after `since` (a reused pid is not ours). */
  pids: number[];
  since: number;
  tmp: string;
}

/** Runs every step, collecting what could not be done. */
export async function removeLeftovers(l: Leftovers): Promise<string[]> {
  const problems: string[] = [];
  const attempt = async (what: string, f: () => unknown) => {
    try {
      await f();
    } catch (e) {
      problems.push(`${what}: ${(e as Error).message}`);
    }
  };
  await attempt('pids', () => killPids(l.pids, l.since));
  await attempt('cgroups', () => removeCgroups(l.cgroupPrefix));
  await attempt('mounts', () => unmountUnder(l.tmp));
  await attempt('tmp', () => rmSync(l.tmp, { recursive: true, force: true }));
  return problems;
}

/** Now, in the units of /proc/<pid>/stat's start time. */
export function bootTicks(): number {
  return Math.floor(Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * USER_HZ);
}

function startTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  } catch {
    return undefined;
  }
}

/** SIGKILL to a container's init ends its whole PID namespace. */
function killPids(pids: number[], since: number): void {
  for (const pid of new Set(pids)) {
    const started = startTicks(pid);
    if (pid > 1 && started !== undefined && started >= since) signal(pid);
  }
}

function signal(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone already
  }
}

/** Every mount point of a cgroup or cgroup2 filesystem, from /proc/self/mountinfo. */
export function cgroupMounts(mountinfo = readFileSync('/proc/self/mountinfo', 'utf8')): string[] {
  const points = mountinfo.split('\n').flatMap((line) => {
    const [pre, post] = line.split(' - ');
    const fstype = post?.split(' ')[0];
    return fstype === 'cgroup' || fstype === 'cgroup2' ? [unescapeMount(pre!.split(' ')[4]!)] : [];
  });
  return [...new Set(points)];
}

async function removeCgroups(prefix: string): Promise<void> {
  const dirs = cgroupMounts().flatMap((m) => {
    const parent = join(m, CGROUP_PARENT);
    return entriesOf(parent).filter((e) => e.name.startsWith(prefix)).map((e) => join(parent, e.name));
  });
  if (dirs.length === 0) return;
  const trees = dirs.map(subtree);
  await killAll(trees.flat());
  for (const d of trees.flat().reverse()) rmdirRetry(d);
}

/** A directory and every cgroup below it, parents first. */
function subtree(dir: string): string[] {
  const children = entriesOf(dir).filter((e) => e.isDirectory());
  return [dir, ...children.flatMap((c) => subtree(join(dir, c.name)))];
}

/**
 * A directory's entries; none when it is gone. Another run's end (removeCgroupParent) may remove
 * an empty CGROUP_PARENT between looking and reading: runs at once share it.
 */
function entriesOf(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

/** The pids in each cgroup; a cgroup already removed holds none. */
const procsOf = (dirs: string[]) =>
  dirs.flatMap((d) => {
    try {
      return readFileSync(join(d, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
  });

/** Thaws (a frozen task does not die), kills, and waits until every cgroup is empty. */
async function killAll(dirs: string[]): Promise<void> {
  const deadline = Date.now() + KILL_DEADLINE_MS;
  for (;;) {
    const pids = procsOf(dirs);
    if (pids.length === 0) return;
    if (Date.now() > deadline) throw new Error(`pids ${pids.join(' ')} survived SIGKILL in ${dirs[0]}`);
    for (const d of dirs) {
      writeIfExists(join(d, 'freezer.state'), 'THAWED');
      writeIfExists(join(d, 'cgroup.freeze'), '0');
      writeIfExists(join(d, 'cgroup.kill'), '1');
    }
    pids.forEach(signal);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function writeIfExists(file: string, text: string): void {
  try {
    if (existsSync(file)) writeFileSync(file, text);
  } catch {
    // the root cgroup's files refuse writes; a racing removal is fine
  }
}

/** rmdir of a cgroup fails with EBUSY for a moment after its last task exits. */
function rmdirRetry(dir: string): void {
  for (let i = 0; ; i++) {
    try {
      return rmdirSync(dir);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (i >= 50 || code !== 'EBUSY') throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
}

/** Mount points under `dir` (deepest first), lazily unmounted: a runtime may have left a bind mount there. */
async function unmountUnder(dir: string): Promise<void> {
  const text = readFileSync('/proc/self/mountinfo', 'utf8');
  const points = text.split('\n').map((l) => l.split(' ')[4]).filter((p): p is string => p !== undefined).map(unescapeMount);
  const under = points.filter((p) => p.startsWith(`${dir}/`)).sort((a, b) => b.length - a.length);
  for (const p of under) await execute([hostTool('umount'), '--lazy', p], { stdout: '/dev/null', stderr: '/dev/null' });
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
const unescapeMount = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

/** Removes CGROUP_PARENT itself where it is empty: the end of a run. */
export function removeCgroupParent(): void {
  for (const m of cgroupMounts()) {
    try {
      rmdirSync(join(m, CGROUP_PARENT));
    } catch {
      // absent, or another run's cgroups are still there
    }
  }
}
