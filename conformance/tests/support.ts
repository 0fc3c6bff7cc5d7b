// What the suite's tests share: the config fields they edit, the lifecycle steps most tests begin
// with, and what the host's /proc says about a container's processes and namespaces. Everything
// here observes a runtime from outside — its command line, the probe's output and /proc — so the
// same tests judge runc, crun and ocirt.
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { Bundle, CommandRecord, Edition, ProbeReport, StateJson, SuiteTest, TestContext } from '../harness/types.ts';
import { test } from '../harness/types.ts';

/** The probe is the root filesystem of every bundle. */
export const PROBE = '/probe';
/** The probe's actions, as process.args. */
export const probe = (...actions: string[]) => [PROBE, ...actions];
/** A process that lives until the harness kills it, after printing `ready`. */
export const LONG = probe('print', 'ready', 'sleep', '600');

export interface Mount {
  destination: string;
  type?: string;
  source?: string;
  options?: string[];
}

export interface Hook {
  path: string;
  args?: string[];
  env?: string[];
  timeout?: number;
}

export interface Namespace {
  type: string;
  path?: string;
}

/** The parts of config.json the tests change (both editions); anything else passes through. */
export interface Cfg {
  ociVersion: string;
  process?: {
    args: string[];
    cwd?: string;
    env?: string[];
    user?: { uid: number; gid: number; umask?: number; additionalGids?: number[] };
    rlimits?: Array<{ type: string; soft: number; hard: number }>;
    oomScoreAdj?: number;
    [field: string]: unknown;
  };
  root: { path: string; readonly?: boolean; autoremove?: boolean };
  hostname?: string;
  domainname?: string;
  mounts?: Mount[];
  hooks?: Record<string, Hook[]>;
  annotations?: Record<string, unknown>;
  linux?: {
    namespaces?: Namespace[];
    devices?: unknown[];
    cgroupsPath?: string;
    uidMappings?: Array<{ containerID: number; hostID: number; size: number }>;
    gidMappings?: Array<{ containerID: number; hostID: number; size: number }>;
    [field: string]: unknown;
  };
  [field: string]: unknown;
}

export const cfg = (c: Bundle['config']): Cfg => c as unknown as Cfg;

/** A bundle of the test's edition running `args`, with config.json changed by `edit`. */
export function bundle(ctx: TestContext, args: string[], edit?: (c: Cfg) => void): Bundle {
  return ctx.bundle(args, edit && ((c) => edit(cfg(c))));
}

/** One test per edition, each with that edition's catalogue ids (a test's ids are the MUSTs it checks). */
export function perEdition(ids: Partial<Record<Edition, string[]>>, title: string, run: SuiteTest['run']): SuiteTest[] {
  return (Object.entries(ids) as Array<[Edition, string[]]>).map(([edition, list]) => test(list, title, [edition], run));
}

/** The runtime's subcommand and what it answered, in one line. */
export function said(r: CommandRecord): string {
  const words = r.argv.slice(r.argv.indexOf('--root') + 2).join(' ');
  if (r.timedOut) return `\`${words}\` did not return (timed out)`;
  const last = r.stderr.trim().split('\n').filter(Boolean).slice(-1)[0];
  return `\`${words}\` exited ${r.code ?? r.signal}${last ? `: ${last}` : ''}`;
}

/** A step the test needs (not the MUST under test) must succeed. */
export function succeeded(ctx: TestContext, r: CommandRecord, step: string): void {
  ctx.expect(r.code === 0, `${step} to succeed`, said(r));
}

/** A runtime call the spec says MUST generate an error: a non-zero exit, not a hang. */
export function errored(ctx: TestContext, r: CommandRecord, expected: string): void {
  ctx.expect(r.code !== 0 && !r.timedOut, expected, said(r));
}

export interface Made {
  b: Bundle;
  id: string;
  /** The container process as the host sees it, from `state`. */
  pid: number;
}

/** `state` of a container that must exist; returns its JSON. */
export async function stateOf(ctx: TestContext, id: string): Promise<StateJson> {
  const r = await ctx.driver.state(id);
  ctx.expect(r.code === 0 && r.json !== undefined, `\`state ${id}\` to print the container's state as a JSON object`, r.code === 0 ? `stdout: ${r.stdout}` : said(r));
  return r.json;
}

/** Creates a container of a new bundle; returns it with the pid `state` gives. */
export async function created(ctx: TestContext, args: string[], edit?: (c: Cfg) => void): Promise<Made> {
  const b = bundle(ctx, args, edit);
  const id = ctx.id();
  succeeded(ctx, await ctx.driver.create(id, b.dir), 'create');
  return { b, id, pid: await pidOf(ctx, id) };
}

/** Creates and starts a container. */
export async function started(ctx: TestContext, args: string[], edit?: (c: Cfg) => void): Promise<Made> {
  const m = await created(ctx, args, edit);
  succeeded(ctx, await ctx.driver.start(m.id), 'start');
  return m;
}

export async function pidOf(ctx: TestContext, id: string): Promise<number> {
  const s = await stateOf(ctx, id);
  ctx.expect(Number.isInteger(s.pid) && (s.pid as number) > 0, `the state of container ${id} to give the pid of its process`, s);
  return s.pid as number;
}

/** `state` of a container that must not exist (deleted, or never made). */
export async function absent(ctx: TestContext, id: string, expected: string): Promise<void> {
  const r = await ctx.driver.state(id);
  ctx.expect(r.code !== 0 && !r.timedOut, expected, r.code === 0 ? `\`state ${id}\` still answers: ${r.stdout.trim()}` : said(r));
}

/** Polls (bounded) until `f` holds; says whether it did. */
export async function until(f: () => boolean | Promise<boolean>, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await f()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Polls (bounded) until `state` of `id` is an error: the container has been deleted. */
export async function untilGone(ctx: TestContext, id: string): Promise<boolean> {
  const from = ctx.driver.log.length;
  const gone = await until(async () => (await ctx.driver.state(id)).code !== 0);
  ctx.driver.log.splice(from, Math.max(0, ctx.driver.log.length - from - 1)); // keep only the last poll as evidence
  return gone;
}

/** Waits for a v1 container to be `stopped` (its process exited). */
export async function untilStopped(ctx: TestContext, id: string): Promise<void> {
  const status = await ctx.waitForStatus(id, 'stopped');
  ctx.expect(status === 'stopped', `container ${id} to become stopped once its process exits`, status);
}

/** /proc/<pid>/stat's state letter, or undefined when there is no such process. */
function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

/** A process that exists and is not a zombie (an exited init waits for a reaper that is not the runtime). */
export function alive(pid: number): boolean {
  const s = procState(pid);
  return s !== undefined && s !== 'Z' && s !== 'X';
}

export function cmdline(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
  } catch {
    return undefined;
  }
}

const hostPids = () => readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number);

/** /proc/<pid>/stat's start time: with the pid, it names one process even if the pid is reused. */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/**
 * The processes in any of a container's own namespaces (`inodes`, by spec type; those equal to the
 * runtime's, `host`, are joined or inherited and left out), as pid → start time. Taken while the
 * container runs: once its namespaces are gone their inode numbers are reused by the next ones a
 * parallel test makes, so "who is in namespace N" cannot be asked afterwards — "are these
 * processes gone" can.
 */
export function processesIn(ctx: TestContext, inodes: Record<string, number | undefined>, host: Record<string, number | undefined>): Map<number, string> {
  const own = Object.entries(inodes).filter(([t, ino]) => ino !== undefined && ino !== host[t]);
  const found = new Map<number, string>();
  for (const pid of hostPids()) {
    if (!alive(pid) || !own.some(([t, ino]) => ctx.nsInode(pid, NS_FILE[t] ?? t) === ino)) continue;
    const t = startTime(pid);
    if (t !== undefined) found.set(pid, t);
  }
  return found;
}

/** Those of `procs` still running (same pid, same start time, not a zombie). */
export const survivors = (procs: Map<number, string>) => [...procs].filter(([pid, t]) => alive(pid) && startTime(pid) === t).map(([pid]) => pid);

/** The spec's namespace types, as the tests name them for ctx.nsInode and the probe's report. */
export const NS_FILE: Record<string, string> = { pid: 'pid', network: 'net', mount: 'mnt', ipc: 'ipc', uts: 'uts', user: 'user', cgroup: 'cgroup', time: 'time' };

/** The namespace inodes of a host process, by spec type, for the types given. */
export function namespacesOf(ctx: TestContext, pid: number, types: string[]): Record<string, number | undefined> {
  return Object.fromEntries(types.map((t) => [t, ctx.nsInode(pid, NS_FILE[t] ?? t)]));
}

/** Every namespace a config asks for, by type. */
export const namespaceTypes = (c: Bundle['config']) => (cfg(c).linux?.namespaces ?? []).map((n) => n.type);

/** The text the container printed so far (runtime messages of `create` land there too). */
export function output(b: Bundle): string {
  try {
    return readFileSync(b.stdoutFile, 'utf8');
  } catch {
    return '';
  }
}

/** Lines of the container's stdout that are exactly `line`. */
export const linesEqual = (b: Bundle, line: string) => output(b).split('\n').filter((l) => l === line).length;

/** The first JSON array the probe printed (its `ls`), waiting (bounded) for it. */
export async function probeList(ctx: TestContext, b: Bundle): Promise<string[] | null> {
  await ctx.waitForOutput(b, ']');
  for (const line of output(b).split('\n')) {
    if (!line.startsWith('[') && line !== 'null') continue;
    try {
      return JSON.parse(line) as string[] | null;
    } catch {
      // not the probe's line
    }
  }
  ctx.expect(false, "the probe's `ls` output (a JSON array) on the container's stdout", output(b));
}

/** The probe's report, whose mountinfo lists the container's mounts. */
export type Report = ProbeReport;

/** The last mountinfo entry at `point` (a later mount hides an earlier one). */
export const mountAt = (r: Report, point: string) => [...r.mountinfo].reverse().find((m) => m.mount_point === point);

/** Per-mount options of a mountinfo entry, as a list. */
export const optionsOf = (m: { options: string }) => m.options.split(',');

/**
 * Processes that appeared since `before` and still refer to one of `markers` (the test's bundle,
 * directory, id or cgroupsPath) in their command line, cwd, root, environment or cgroup: what a
 * failed create could leave behind.
 */
export function leftoverProcesses(ctx: TestContext, before: Set<number>, markers: string[]): string[] {
  const found: string[] = [];
  for (const pid of hostPids()) {
    if (before.has(pid) || pid === process.pid || !alive(pid)) continue;
    const texts = [cmdline(pid)?.join(' ') ?? '', link(`/proc/${pid}/cwd`), link(`/proc/${pid}/root`), environ(pid), text(`/proc/${pid}/cgroup`)];
    if (texts.some((t) => markers.some((m) => t.includes(m)))) found.push(`${pid}: ${cmdline(pid)?.join(' ')}`);
  }
  return found;
}

export const livePids = () => new Set(hostPids());

function link(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '';
  }
}

const environ = (pid: number) => text(`/proc/${pid}/environ`);

function text(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** The host's cgroup hierarchies: mount point, and the controllers of a v1 hierarchy (none for cgroup2). */
export function cgroupMounts(): Array<{ point: string; v2: boolean; controllers: string[] }> {
  return text('/proc/self/mountinfo')
    .split('\n')
    .map((line) => {
      const [left, right] = line.split(' - ');
      const fields = left?.split(' ') ?? [];
      const [fstype, , superOptions] = right?.split(' ') ?? [];
      const point = fields[4]?.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
      return { point, fstype, superOptions: (superOptions ?? '').split(',') };
    })
    .filter((m): m is { point: string; fstype: string; superOptions: string[] } => m.point !== undefined && (m.fstype === 'cgroup' || m.fstype === 'cgroup2'))
    .map((m) => ({ point: m.point, v2: m.fstype === 'cgroup2', controllers: m.fstype === 'cgroup2' ? [] : m.superOptions }));
}

/** One of a process's own cgroups: its host directory, and whether it is in the cgroup2 hierarchy. */
export interface CgroupPlace {
  dir: string;
  v2: boolean;
  /** The controllers that can be set there: a v1 hierarchy's, or those the cgroup2 directory's cgroup.controllers lists. */
  controllers: string[];
}

/**
 * The cgroups a runtime put a process in, as host directories: its /proc/<pid>/cgroup, less the
 * root cgroups and those the suite itself is in (inherited, not made for the container).
 */
export function cgroupPlacesOf(pid: number): CgroupPlace[] {
  const mounts = cgroupMounts();
  const places = new Map<string, CgroupPlace>();
  const inherited = new Set(cgroupLines(process.pid));
  for (const line of cgroupLines(pid).filter((l) => !inherited.has(l))) {
    const fields = /^\d+:([^:]*):(.*)$/.exec(line);
    const [controllers = '', path = '/'] = fields?.slice(1) ?? [];
    if (path === '/') continue;
    const wanted = controllers.split(',').filter(Boolean);
    for (const m of mounts) {
      if (wanted.length === 0 ? !m.v2 : m.v2 || !wanted.every((c) => m.controllers.includes(c))) continue;
      const dir = `${m.point}${path}`;
      if (!existsSync(dir)) continue;
      const can = m.v2 ? text(`${dir}/cgroup.controllers`).split(/\s+/).filter(Boolean) : wanted;
      places.set(dir, { dir, v2: m.v2, controllers: can });
    }
  }
  return [...places.values()];
}

/** The host directories of the cgroups a runtime put a process in (cgroupPlacesOf). */
export const cgroupDirsOf = (pid: number): string[] => cgroupPlacesOf(pid).map((p) => p.dir);

/** The lines of /proc/<pid>/cgroup: "hierarchy-id:controllers:path". */
export const cgroupLines = (pid: number) => text(`/proc/${pid}/cgroup`).split('\n').filter(Boolean);
