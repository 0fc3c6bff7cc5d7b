// A container's cgroup: one directory per hierarchy (see cgroup-layout.ts for where they go).
// Directories are told apart by what the kernel puts in them: cgroup.controllers only in v2,
// cgroup.kill in v2 since Linux 5.14, freezer.state in a non-root v1 freezer cgroup.

import * as fs from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { OciError, cleanupAll, messageOf, specError, wrap } from '../errors.ts';
import { sleepSync, waitUntil } from '../wait-sync.ts';
import type { CgroupRecord } from './cgroup-layout.ts';
import { readOptional } from './read-optional.ts';

export { cgroupDirs, detectLayout } from './cgroup-layout.ts';
export type { CgroupKind, CgroupLayout, CgroupRecord, Hierarchy } from './cgroup-layout.ts';

export interface ContainerCgroup {
  readonly record: CgroupRecord;
  /** cgroup.procs files; the executor writes "0" into each to move itself before forking the init. */
  procsFiles(): string[];
  /** Every pid in the container's cgroups and their descendants, in every hierarchy. */
  pids(): number[];
  /** pause/resume: the v1 freezer where the host has one, else v2's cgroup.freeze (runc's choice on hybrid). */
  setFrozen(frozen: boolean): void;
  /** True when the freezer has every task frozen (runtime.md's `paused` is runc's FROZEN). */
  isFrozen(): boolean;
  /** The file that says whether the cgroup is frozen, and the value that means it is. */
  freezerFile(): { path: string; frozen: string } | undefined;
  /** Signals every process; SIGKILL loops until the cgroup is empty and throws after ~2 s. */
  signalAll(signal: NodeJS.Signals | number): void;
  /** True when create made every one of the container's directories: no other container shares them. */
  ownsLeaves(): boolean;
  /** How often a limit was hit: OOM kills (v1 memory.oom_control, v2 memory.events) and forks refused by pids.max. */
  limitHits(): { oomKills: number; pidsRefused: number };
  /**
   * Removes the directories createCgroup made, deepest first, with any child cgroups the container
   * made in them. A leaf that live processes still hold (another container given the same
   * cgroupsPath) is left in place: returned, for the caller to warn about.
   */
  remove(): string[];
}

const KILL_DEADLINE_MS = 2000;
const RMDIR_ATTEMPTS = 50; // × 20 ms
const CPUSET_FILES = ['cpuset.cpus', 'cpuset.mems'];

/** Makes every directory (recording which were new); on failure removes those and throws. */
export function createCgroup(record: CgroupRecord): ContainerCgroup {
  const created: string[] = [];
  try {
    for (const dir of record.dirs) {
      const made = mkdirs(dir);
      created.push(...made);
      if (made.length === 0) refuseOccupied(dir);
      fillCpuset(dir);
    }
  } catch (err) {
    const failures = cleanupAll([() => removeDirs(created, record.dirs)]);
    const cause = failures.length > 0 ? new AggregateError([err, ...failures], messageOf(err)) : err;
    // A refusal that names its config field stands as it is; a failed mkdir or write gets context.
    if (err instanceof OciError && err.code === 'spec') throw new OciError('spec', err.message, cause);
    throw new OciError('cgroup', `creating cgroup: ${messageOf(err)}`, cause);
  }
  return new Cgroup({ ...record, dirs: [...record.dirs], created: [...record.created, ...created] });
}

export function openCgroup(record: CgroupRecord): ContainerCgroup {
  return new Cgroup(record);
}

class Cgroup implements ContainerCgroup {
  constructor(readonly record: CgroupRecord) {}

  procsFiles(): string[] {
    return this.record.dirs.map((d) => join(d, 'cgroup.procs'));
  }

  pids(): number[] {
    // A process may have moved to a child cgroup in one hierarchy only: every tree is read.
    return [...new Set(this.record.dirs.flatMap((d) => treeOf(d).flatMap(readPids)))];
  }

  setFrozen(frozen: boolean): void {
    const v1 = this.freezerDir();
    if (v1 !== undefined) return freeze(v1, frozen ? 'FROZEN' : 'THAWED');
    const v2 = this.record.dirs.find((d) => fs.existsSync(join(d, 'cgroup.freeze')));
    if (v2 === undefined) throw new OciError('cgroup', 'this host has neither a v1 freezer nor cgroup v2 cgroup.freeze');
    writeFile(join(v2, 'cgroup.freeze'), frozen ? '1' : '0');
    // cgroup.events says "frozen 1" once every task has stopped (cgroup-v2.rst "Freezer").
    waitUntil(() => readOptional(join(v2, 'cgroup.events'))?.includes(`frozen ${frozen ? 1 : 0}`) ?? true, 1000);
  }

  isFrozen(): boolean {
    const f = this.freezerFile();
    return f !== undefined && readOptional(f.path)?.trim() === f.frozen;
  }

  freezerFile(): { path: string; frozen: string } | undefined {
    const v1 = this.freezerDir();
    if (v1 !== undefined) return { path: join(v1, 'freezer.state'), frozen: 'FROZEN' };
    const v2 = this.record.dirs.find((d) => fs.existsSync(join(d, 'cgroup.freeze')));
    return v2 === undefined ? undefined : { path: join(v2, 'cgroup.freeze'), frozen: '1' };
  }

  ownsLeaves(): boolean {
    return this.record.dirs.every((d) => this.record.created.includes(d));
  }

  limitHits(): { oomKills: number; pidsRefused: number } {
    const count = (files: string[], key: string) => {
      for (const f of this.record.dirs.flatMap((d) => files.map((name) => join(d, name)))) {
        const m = new RegExp(`^${key} (\\d+)$`, 'm').exec(readOptional(f) ?? '');
        if (m) return Number(m[1]);
      }
      return 0;
    };
    return { oomKills: count(['memory.oom_control', 'memory.events'], 'oom_kill'), pidsRefused: count(['pids.events'], 'max') };
  }

  private freezerDir(): string | undefined {
    return this.record.dirs.find((d) => fs.existsSync(join(d, 'freezer.state')));
  }

  signalAll(signal: NodeJS.Signals | number): void {
    if (signal !== 'SIGKILL' && signal !== 9) return signalEach(this.pids(), signal);
    const deadline = Date.now() + KILL_DEADLINE_MS;
    for (let round = 0; ; round++) {
      this.killRound(round);
      if (waitUntil(() => this.pids().length === 0, 100)) return;
      if (Date.now() > deadline) {
        throw new OciError('cgroup', `pids ${this.pids().join(', ')} survived SIGKILL for ${KILL_DEADLINE_MS} ms in ${this.record.dirs[0]}`);
      }
    }
  }

  /** cgroup.kill is atomic against forks; the freezer makes the pid list stable the same way on v1. */
  private killRound(round: number): void {
    const killFile = this.record.dirs.map((d) => join(d, 'cgroup.kill')).find((f) => fs.existsSync(f));
    if (killFile !== undefined) writeFile(killFile, '1');
    // A task frozen by the v1 freezer acts on SIGKILL only once thawed (a paused container).
    if (round === 0 && this.isFrozen()) this.setFrozen(false);
    // From the second round on, also reach processes that are in the v1 hierarchies only.
    if (killFile !== undefined && round === 0) return;
    const freezer = this.freezerDir();
    if (freezer === undefined) return signalEach(this.pids(), 'SIGKILL');
    freeze(freezer, 'FROZEN');
    try {
      signalEach(this.pids(), 'SIGKILL');
    } finally {
      freeze(freezer, 'THAWED'); // a frozen v1 task acts on SIGKILL only once thawed
    }
  }

  remove(): string[] {
    const leaves = this.record.dirs.filter((d) => this.record.created.includes(d));
    // Child cgroups a process of the container made (a nested runtime, systemd) go first, deepest first.
    const children = leaves.flatMap((d) => treeOf(d).slice(1));
    const held = removeDirs([...children, ...this.record.created], [...this.record.dirs, ...children]);
    cleanupAll((this.record.prunable ?? []).map((dir) => () => rmdir(dir, false))); // best effort: another container may be in it
    return held;
  }
}

/**
 * A cgroup that already holds processes belongs to someone else (another container, a service):
 * joining it would put them under this container's limits, freezer and kill. runc refuses it too.
 */
function refuseOccupied(dir: string): void {
  const pids = treeOf(dir).flatMap(readPids);
  if (pids.length > 0) throw specError(`linux.cgroupsPath: ${dir} already holds processes (${pids.slice(0, 5).join(', ')}${pids.length > 5 ? ', …' : ''}); a container needs a cgroup of its own`);
}

/** mkdir -p, returning the directories it made, shallowest first. */
function mkdirs(dir: string): string[] {
  const target = posix.resolve(dir);
  const first = fs.mkdirSync(target, { recursive: true });
  if (first === undefined) return [];
  const made = [first];
  for (const part of posix.relative(first, target).split('/').filter(Boolean)) made.push(posix.join(made.at(-1)!, part));
  return made;
}

/** A new v1 cpuset cgroup has empty cpus and mems, and joining it fails with ENOSPC: copy the parent's. */
function fillCpuset(dir: string): void {
  if (isV2(dir)) return; // in v2 empty means "inherit"
  for (const name of CPUSET_FILES) {
    const file = join(dir, name);
    if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8').trim() !== '') continue;
    fillCpuset(dirname(dir));
    writeFile(file, fs.readFileSync(join(dirname(dir), name), 'utf8').trim());
  }
}

/**
 * rmdir deepest first. A leaf can stay busy for a moment after its last process is killed, so it is
 * retried; a parent we made may hold other containers by now, so a busy parent is left alone.
 */
function removeDirs(created: string[], leaves: string[]): string[] {
  const byDepth = [...created].sort((a, b) => b.split('/').length - a.split('/').length);
  const held: string[] = [];
  const failures = cleanupAll(byDepth.map((dir) => () => rmdir(dir, leaves.includes(dir)) === 'held' && held.push(dir)));
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) {
    throw new OciError('cgroup', `${messageOf(failures[0])} (and ${failures.length - 1} more)`, new AggregateError(failures));
  }
  return held;
}

/**
 * remove()'s order as data, for the C front end's delete (query.ts stateAnswers): every directory
 * create made, deepest first, a leaf (which must go) or a parent (kept while other cgroups use it),
 * then ocirt's own parents, removed if empty. The front end hands remove() anything that resists.
 */
export function removalOrder(record: CgroupRecord): Array<['leaf' | 'parent' | 'prune', string]> {
  const byDepth = [...record.created].sort((a, b) => b.split('/').length - a.split('/').length);
  return [...byDepth.map((d): ['leaf' | 'parent', string] => [record.dirs.includes(d) ? 'leaf' : 'parent', d]), ...(record.prunable ?? []).map((d): ['prune', string] => ['prune', d])];
}

/** 'held' when live processes keep a leaf (they are not ours to kill, and it stays); 'kept' for a parent other cgroups still use. */
function rmdir(dir: string, isLeaf: boolean): 'removed' | 'kept' | 'held' {
  for (let attempt = 1; ; attempt++) {
    try {
      fs.rmdirSync(dir);
      return 'removed';
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return 'removed';
      const busy = code === 'EBUSY' || code === 'ENOTEMPTY';
      if (busy && !isLeaf) return 'kept';
      // Killed processes may take a moment to leave; only those still there after every attempt hold it.
      if (busy && attempt >= RMDIR_ATTEMPTS && treeOf(dir).some((d) => readPids(d).length > 0)) return 'held';
      if (!busy || attempt >= RMDIR_ATTEMPTS) throw wrap('cgroup', `removing ${dir}`, err);
      sleepSync(20);
    }
  }
}

/** `dir` and every cgroup below it, parents before children; [] when `dir` is gone. */
function treeOf(dir: string): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw wrap('cgroup', `reading ${dir}`, err);
  }
  return [dir, ...entries.filter((e) => e.isDirectory()).flatMap((e) => treeOf(join(dir, e.name)))];
}

function isV2(dir: string): boolean {
  return fs.existsSync(join(dir, 'cgroup.controllers'));
}

function readPids(dir: string): number[] {
  let text: string;
  try {
    text = fs.readFileSync(join(dir, 'cgroup.procs'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []; // the cgroup is gone: no processes
    throw wrap('cgroup', `reading ${join(dir, 'cgroup.procs')}`, err);
  }
  return text.split('\n').filter((l) => l.trim() !== '').map(Number).filter((n) => Number.isInteger(n) && n > 0);
}

function signalEach(pids: number[], signal: NodeJS.Signals | number): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw wrap('cgroup', `sending ${signal} to pid ${pid}`, err);
    }
  }
}

/** Writes a v1 freezer state and waits briefly for it: a task in vfork or D state can hold FREEZING. */
function freeze(dir: string, state: 'FROZEN' | 'THAWED'): void {
  const file = join(dir, 'freezer.state');
  writeFile(file, state);
  waitUntil(() => fs.readFileSync(file, 'utf8').trim() === state, 200);
}

function writeFile(file: string, data: string): void {
  try {
    fs.writeFileSync(file, data);
  } catch (err) {
    throw wrap('cgroup', `writing "${data}" to ${file}`, err);
  }
}

