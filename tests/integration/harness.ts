// Integration tests drive the real bin/ocirt as an engine would: a fresh --root and unique ids per
// test, sample bundles copied with their config changed, and a check that nothing is left behind.
//
// ocirt's stdout and stderr go to files, never pipes: `create` and `run --detach` hand the caller's
// stdio to the container (ENGINES.md), so a pipe would stay open until the container exits. Give
// `stdout: FILE` to read what the container prints after ocirt has returned.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, closeSync, cpSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, expect } from 'vitest';
import type { Config } from '../../src/spec/config.ts';
import { CACHE_DIR as SECCOMP_CACHE_DIR } from '../../src/linux/seccomp-cache.ts';

export const PROJECT = resolve(import.meta.dirname, '../..');
export const OCIRT = join(PROJECT, 'bin/ocirt');
export const isRoot = process.getuid?.() === 0;
export const NEEDS_ROOT = 'needs root: these tests make real namespaces, mounts and cgroups';

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string;
  timeout?: number;
  /** A file for ocirt's stdout (and so the container's, for create/run); read back into `stdout`. */
  stdout?: string;
  cwd?: string;
  /** Run ocirt under this command, e.g. nsenter into a mount namespace with another cgroup layout. */
  prefix?: string[];
}

export function sampleConfig(name: string): Config {
  return JSON.parse(readFileSync(join(PROJECT, 'bundles', name, 'config.json'), 'utf8')) as Config;
}

export class Sandbox {
  readonly dir = mkdtempSync(join(tmpdir(), 'ocirt-it-'));
  readonly root = join(this.dir, 'root');
  private readonly ids = new Set<string>();
  private readonly helpers: ChildProcess[] = [];
  private n = 0;

  id(prefix = 'c'): string {
    const id = `${prefix}-${process.pid}-${++this.n}-${Math.random().toString(36).slice(2, 8)}`;
    this.ids.add(id);
    return id;
  }

  /** A bundle whose root.path is the sample's built rootfs (absolute), with the config changed by `edit`. */
  bundle(sample: string, edit: (c: Config) => void = () => {}): string {
    const dir = join(this.dir, `bundle-${++this.n}`);
    mkdirSync(dir);
    const c = sampleConfig(sample);
    c.root.path = join(PROJECT, 'bundles', sample, 'rootfs');
    edit(c);
    if (c.linux?.namespaces?.some((n) => n.type === 'user' && !n.path)) c.root.path = this.reachableRootfs(sample);
    writeConfig(dir, c);
    return dir;
  }

  /**
   * In a new user namespace the container's root is an unprivileged host uid, and it must be able to
   * reach root.path: a clone in a 0700 directory (mktemp -d) would refuse it. So such bundles get a
   * copy of the rootfs in this sandbox, whose directory is made traversable.
   */
  private reachableRootfs(sample: string): string {
    const copy = join(this.dir, `rootfs-${sample}`);
    if (!existsSync(copy)) {
      chmodSync(this.dir, 0o755);
      cpSync(join(PROJECT, 'bundles', sample, 'rootfs'), copy, { recursive: true });
    }
    return copy;
  }

  /** A path for a file inside the sandbox (not created). */
  file(name: string): string {
    return join(this.dir, `${++this.n}-${name}`);
  }

  ocirt(args: string[], opts: RunOptions = {}): Result {
    return ocirt(['--root', this.root, ...args], opts);
  }

  ocirtAsync(args: string[], opts: RunOptions = {}): Promise<Result> {
    return ocirtAsync(['--root', this.root, ...args], opts);
  }

  /** `create --bundle B ID` with the container's stdout in a file; returns the result and the file. */
  create(bundle: string, id: string, extra: string[] = []): Result & { out: string } {
    const out = this.file('out');
    return { ...this.ocirt(['create', ...extra, '--bundle', bundle, id], { stdout: out }), out };
  }

  /** The container's state JSON; throws when `state` fails. */
  state(id: string): StateJson {
    const r = this.ocirt(['state', id]);
    if (r.code !== 0) throw new Error(`state ${id}: exit ${r.code}: ${r.stderr.trim()}`);
    return JSON.parse(r.stdout) as StateJson;
  }

  /** Entries of --root (an absent root has none), but ocirt's seccomp cache, which is no container (seccomp-cache.ts). */
  rootEntries(): string[] {
    return existsSync(this.root) ? readdirSync(this.root).filter((e) => e !== SECCOMP_CACHE_DIR) : [];
  }

  /** A helper process (killed by cleanup), e.g. one that holds a namespace for a container to join. */
  helper(command: string, args: string[]): ChildProcess {
    const child = spawn(command, args, { stdio: 'ignore' });
    this.helpers.push(child);
    return child;
  }

  /** What leftovers() looks for: the sandbox directory and every id the test made. */
  markers(): string[] {
    return [this.dir, ...this.ids];
  }

  /** Deletes every container a test made, then the sandbox; returns what could not be cleaned. */
  cleanup(): string[] {
    for (const id of this.ids) this.ocirt(['delete', '--force', id]);
    for (const h of this.helpers) h.kill('SIGKILL');
    const left = this.rootEntries();
    rmSync(this.dir, { recursive: true, force: true });
    return left;
  }
}

export interface StateJson {
  ociVersion: string;
  id: string;
  status: string;
  pid: number;
  bundle: string;
  bundlePath: string;
  annotations?: Record<string, string>;
  [field: string]: unknown;
}

export function writeConfig(dir: string, c: Config): void {
  writeFileSync(join(dir, 'config.json'), JSON.stringify(c, null, 2));
}

/** Files for ocirt's stdout and stderr: `stdout` if given, else temporary ones. */
function ioFiles(stdout: string | undefined) {
  const tmp = mkdtempSync(join(tmpdir(), 'ocirt-io-'));
  const outPath = stdout ?? join(tmp, 'stdout');
  const errPath = join(tmp, 'stderr');
  const fds = [openSync(outPath, 'a'), openSync(errPath, 'a')] as const;
  return {
    fds,
    collect(code: number): Result {
      for (const fd of fds) closeSync(fd);
      const r = { code, stdout: readFileSync(outPath, 'utf8'), stderr: readFileSync(errPath, 'utf8') };
      rmSync(tmp, { recursive: true, force: true });
      return r;
    },
  };
}

export function ocirt(args: string[], opts: RunOptions = {}): Result {
  const io = ioFiles(opts.stdout);
  const stdin = opts.input === undefined ? 'ignore' : 'pipe';
  const [command, ...argv] = [...(opts.prefix ?? []), OCIRT, ...args];
  const r = spawnSync(command!, argv, { input: opts.input, stdio: [stdin, io.fds[0], io.fds[1]], timeout: opts.timeout ?? 20_000, env: {}, cwd: opts.cwd });
  return io.collect(r.status ?? -1);
}

/** ocirt as a child that runs while the test goes on (for races between callers). */
export function ocirtAsync(args: string[], opts: RunOptions = {}): Promise<Result> {
  const io = ioFiles(opts.stdout);
  const child = spawn(OCIRT, args, { stdio: ['ignore', io.fds[0], io.fds[1]], env: {}, cwd: opts.cwd });
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeout ?? 20_000);
  return new Promise((resolve) => {
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(io.collect(code ?? -1));
    });
  });
}

/** The probe's report: the last line of stdout that is a JSON object. */
export function probeReport(stdout: string): Record<string, unknown> {
  const line = stdout.trim().split('\n').reverse().find((l) => l.startsWith('{'));
  if (!line) throw new Error(`no probe report in: ${stdout}`);
  return JSON.parse(line) as Record<string, unknown>;
}

/** Mount points and cgroup directories that mention a sandbox or an id: what a test must not leave. */
export function leftovers(marker: string): string[] {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(marker));
  const cgroups = defaultCgroupDirs().filter((d) => d.includes(marker));
  return [...mounts, ...cgroups];
}

/** The host's mount points where a container's mounts would land if they leaked: the sample rootfs trees and sandboxes. */
export function hostMountPoints(): string[] {
  const places = [join(PROJECT, 'bundles'), join(tmpdir(), 'ocirt-it-')];
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((p) => places.some((place) => p.startsWith(place)));
}

/**
 * Cgroup directories under /sys/fs/cgroup whose name `matches`, to depth 5 (which holds a nested
 * hierarchy's `/<parent>/<id>` too); a match is listed, not walked into. For leftover checks.
 */
export function cgroupDirsMatching(matches: (name: string) => boolean): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    for (const sub of dirsIn(dir)) {
      if (matches(sub.slice(dir.length + 1))) found.push(sub);
      else if (depth < 4) walk(sub, depth + 1);
    }
  };
  walk('/sys/fs/cgroup', 0);
  return found;
}

/** Subdirectories; [] for a directory that is gone (another test's delete may remove it meanwhile). */
function dirsIn(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(dir, e.name));
  } catch {
    return [];
  }
}

/** Every default container cgroup on the host: `ocirt/<root key>/<id>` in every hierarchy (and `ocirt/<x>` itself). */
function defaultCgroupDirs(): string[] {
  return readdirSync('/sys/fs/cgroup').flatMap((h) => dirsIn(join('/sys/fs/cgroup', h, 'ocirt')).flatMap((key) => [key, ...dirsIn(key)]));
}

/** The container's cgroup directories (default cgroupsPath: `ocirt/<root key>/<id>` in every hierarchy). */
export function cgroupDirsOf(id: string): string[] {
  return defaultCgroupDirs().filter((d) => d.endsWith(`/${id}`) && d.split('/').at(-3) === 'ocirt');
}

/** Pids in the container's cgroup, read from the pids controller's hierarchy. */
export function cgroupPids(id: string): number[] {
  const dir = cgroupDirsOf(id).find((d) => d.startsWith('/sys/fs/cgroup/pids/'));
  const file = dir && join(dir, 'cgroup.procs');
  if (!file || !existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number);
}

/** The namespace a process is in, as `net:[4026531840]`; `self` is this test process. */
export function nsOf(pid: number | 'self', type: string): string {
  return readlinkSync(`/proc/${pid}/ns/${type}`);
}

/** Live processes as `pid:starttime` (field 22 of /proc/<pid>/stat), which a reused pid does not repeat. */
function processKey(pid: string): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return `${pid}:${stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]}`;
  } catch {
    return undefined;
  }
}

const procPids = () => readdirSync('/proc').filter((p) => /^[0-9]+$/.test(p));

/** Every live process, as `pid:starttime`. */
export function liveProcesses(): Set<string> {
  return new Set(procPids().map(processKey).filter((k): k is string => k !== undefined));
}

/**
 * The live processes (`pid:starttime`) in the namespace `ns` (as nsOf prints it). A namespace's inode
 * number is reused once it is freed, so callers tell a namespace from a later one by its processes.
 */
export function processesIn(type: string, ns: string): string[] {
  const out: string[] = [];
  for (const pid of procPids()) {
    try {
      if (readlinkSync(`/proc/${pid}/ns/${type}`) !== ns) continue;
    } catch {
      continue; /* exited, or a zombie */
    }
    const key = processKey(pid);
    if (key) out.push(key);
  }
  return out;
}

/** True while a process with this pid exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\S+ \(.*\) [ZX]/s.test(stat);
  } catch {
    return false;
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits (bounded) until `cond` holds; returns whether it did. */
export async function waitFor(cond: () => boolean, limitMs = 10_000): Promise<boolean> {
  for (const start = Date.now(); Date.now() - start < limitMs; await sleep(20)) if (cond()) return true;
  return cond();
}

/** Waits (bounded) until the file holds `text`; returns its content. */
export async function waitForText(file: string, text: string, limitMs = 10_000): Promise<string> {
  const read = () => (existsSync(file) ? readFileSync(file, 'utf8') : '');
  await waitFor(() => read().includes(text), limitMs);
  return read();
}

/** Waits (bounded) until `state` reports `status`. */
export async function waitForStatus(s: Sandbox, id: string, status: string, limitMs = 10_000): Promise<string> {
  let last = '';
  for (const start = Date.now(); Date.now() - start < limitMs; await sleep(20)) {
    const r = s.ocirt(['state', id]);
    last = r.code === 0 ? (JSON.parse(r.stdout) as { status: string }).status : `exit ${r.code}: ${r.stderr.trim()}`;
    if (last === status) return last;
  }
  return last;
}

/** The lines of a command's stderr (an error is exactly one). */
export const lines = (text: string) => text.split('\n').filter((l) => l !== '');

/**
 * What a failed operation made for `id` (runtime.md "Errors": as if never attempted): a state
 * directory, cgroup directories or mounts naming it, and host mount points that were not there `before`.
 */
export function madeFor(s: Sandbox, id: string, before: string[]): string[] {
  const dirs = s.rootEntries().filter((e) => e === id || e.includes(id));
  const mounts = hostMountPoints().filter((p) => !before.includes(p));
  return [...dirs.map((d) => join(s.root, d)), ...leftovers(id), ...mounts.map((m) => `mount ${m}`)];
}

/** A fresh Sandbox for each test and, after it, the check that nothing is left: no container under
 * --root, no mount and no cgroup that names one of its ids. */
export function eachTestSandbox(set: (s: Sandbox) => void): void {
  let current: Sandbox;
  beforeEach(() => set((current = new Sandbox())));
  afterEach(() => {
    const markers = current.markers();
    expect(current.cleanup()).toEqual([]);
    expect(markers.flatMap(leftovers)).toEqual([]);
  });
}
