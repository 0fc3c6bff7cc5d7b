// Engine tests: podman (with conmon) and containerd (with ctr and its runc shim) drive a runtime —
// ocirt, or runc for reference — as they would in production, on this host (ENGINES.md "On this
// machine": cgroupfs, a containers.conf with default_ulimits = [], no journald).
//
// Everything an engine keeps is under a temporary directory: podman's --root, --runroot, --tmpdir
// and its network config dir; containerd's root, state, socket, runc root and fifos. What the
// engines put on the host itself (netavark's iptables chains, the /run/netns bind mount, the podman0
// bridge, libpod_parent and the containerd namespace's cgroups, /run/containers/networks,
// /run/containerd/s, conmon's console sockets in /tmp) is removed by restoreHost() against a
// snapshot taken before the file ran.
//
// Commands write to files, never pipes: conmon and the containerd shim outlive the command that
// started them, and a pipe they inherited would stay open.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, rmdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cgroupDirsMatching } from '../integration/harness.ts';

export const PROJECT = resolve(import.meta.dirname, '../..');
export const OCIRT = join(PROJECT, 'bin/ocirt');
export const RUNC = '/usr/sbin/runc';
export const isRoot = process.getuid?.() === 0;
export const NEEDS_ROOT = 'needs root: podman and containerd run real containers';

export interface Runtime {
  name: string;
  path: string;
}
/** runc is the reference: a scenario that fails with runc is a fault of the test or the host, not of ocirt. */
export const RUNTIMES: Runtime[] = [
  { name: 'runc', path: RUNC },
  { name: 'ocirt', path: OCIRT },
];

const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface Result {
  command: string;
  code: number;
  stdout: string;
  stderr: string;
}

/** For assertion messages: the command and what it printed. */
export const show = (r: Result) => `${r.command}\nexit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;

export interface RunOptions {
  env?: Record<string, string>;
  timeout?: number;
}

/** Runs a command to completion with stdout and stderr in files (see the top of this file); stdin is /dev/null. */
export function run(command: string, args: string[], opts: RunOptions = {}): Result {
  const tmp = mkdtempSync(join(tmpdir(), 'ocirt-engine-io-'));
  const outPath = join(tmp, 'stdout');
  const errPath = join(tmp, 'stderr');
  const out = openSync(outPath, 'w');
  const err = openSync(errPath, 'w');
  try {
    const r = spawnSync(command, args, { stdio: ['ignore', out, err], env: opts.env ?? { PATH }, timeout: opts.timeout ?? 30_000, killSignal: 'SIGKILL' });
    const stderr = readFileSync(errPath, 'utf8') + (r.error ? `\n[${r.error.message}]` : '');
    return { command: [command, ...args].join(' '), code: r.status ?? -1, stdout: readFileSync(outPath, 'utf8'), stderr };
  } finally {
    closeSync(out);
    closeSync(err);
    rmSync(tmp, { recursive: true, force: true });
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits (bounded) until `cond` holds; returns whether it did. */
export async function waitFor(cond: () => boolean, limitMs = 10_000): Promise<boolean> {
  for (const start = Date.now(); Date.now() - start < limitMs; await sleep(50)) if (cond()) return true;
  return cond();
}

/** The tools a file needs, each with the package scripts/setup.sh installs it from; [] when all are there. */
export function missingTools(tools: Array<[path: string, pkg: string]>): string[] {
  return tools.filter(([path]) => !existsSync(path)).map(([path, pkg]) => `${path} is missing: install ${pkg} (scripts/setup.sh)`);
}

/** The version line of a tool (for the record in docs/engines.md and in test titles' output). */
export function versionOf(command: string, args = ['--version']): string {
  const r = run(command, args);
  return (r.stdout || r.stderr).split('\n')[0]!.trim();
}

// ---------------------------------------------------------------------------------------------
// A busybox root filesystem

/**
 * `dir` with /bin/busybox (Debian's busybox-static) and every applet as a relative symlink, the
 * mount points an engine expects, and /bin/not-executable (mode 0644) for the 126 case.
 */
export function busyboxRootfs(dir: string): string {
  const busybox = '/bin/busybox';
  if (!existsSync(busybox)) throw new Error(`${busybox} is missing: install busybox-static (scripts/setup.sh)`);
  for (const d of ['bin', 'proc', 'sys', 'dev', 'etc', 'tmp', 'run', 'var/tmp']) mkdirSync(join(dir, d), { recursive: true });
  chmodSync(join(dir, 'tmp'), 0o1777);
  copyFileSync(busybox, join(dir, 'bin/busybox'));
  chmodSync(join(dir, 'bin/busybox'), 0o755);
  const applets = run(busybox, ['--list']).stdout.split('\n').filter((a) => a && a !== 'busybox');
  for (const applet of applets) symlinkSync('busybox', join(dir, 'bin', applet));
  writeFileSync(join(dir, 'bin/not-executable'), '#!/bin/sh\necho should not run\n', { mode: 0o644 });
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Containers' cgroups, read from the host

/** The cgroup directory of `pid` for a v1 controller (e.g. `memory`), or its v2 directory on a v2-only host. */
export function cgroupDirOf(pid: number, controller: string): string {
  const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n').filter(Boolean);
  if (existsSync('/sys/fs/cgroup/cgroup.controllers')) return join('/sys/fs/cgroup', lines.find((l) => l.startsWith('0::'))!.slice(3));
  const line = lines.find((l) => l.split(':')[1]!.split(',').includes(controller));
  if (!line) throw new Error(`pid ${pid} has no ${controller} cgroup: ${lines.join('; ')}`);
  return join('/sys/fs/cgroup', controller, line.split(':').slice(2).join(':'));
}

const v2 = () => existsSync('/sys/fs/cgroup/cgroup.controllers');
const readTrim = (f: string) => readFileSync(f, 'utf8').trim();

/** The memory limit of `pid`'s cgroup in bytes, as the kernel has it. */
export const memoryLimitOf = (pid: number) => readTrim(join(cgroupDirOf(pid, 'memory'), v2() ? 'memory.max' : 'memory.limit_in_bytes'));
/** The pids limit of `pid`'s cgroup. */
export const pidsLimitOf = (pid: number) => readTrim(join(cgroupDirOf(pid, 'pids'), 'pids.max'));
/** Whether `pid`'s cgroup is frozen (v1 freezer.state FROZEN, v2 cgroup.freeze 1). */
export function frozen(pid: number): boolean {
  const dir = cgroupDirOf(pid, 'freezer');
  return v2() ? readTrim(join(dir, 'cgroup.freeze')) === '1' : readTrim(join(dir, 'freezer.state')) === 'FROZEN';
}

// ---------------------------------------------------------------------------------------------
// Processes

/** Live processes whose command line contains `text`, as `pid: cmdline`. */
export function processesMentioning(text: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^[0-9]+$/.test(p))) {
    if (Number(pid) === process.pid) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      if (/^\S+ \(.*\) [ZX]/s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))) continue;
    } catch {
      continue;
    }
    if (cmdline.includes(text)) out.push(`${pid}: ${cmdline}`);
  }
  return out;
}

/** Mount points (field 5 of mountinfo) that contain `text`. */
export const mountsMentioning = (text: string) => mountPoints().filter((m) => m.includes(text));
const mountPoints = () =>
  readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ')[4]!);

// ---------------------------------------------------------------------------------------------
// The host around the engines: snapshot, and undo of what the engines put there

const FIREWALLS = ['iptables', 'ip6tables'].filter((c) => existsSync(`/usr/sbin/${c}`));
const TABLES = ['filter', 'nat', 'mangle', 'raw'];
/** Host paths engines create on first use (podman's netavark run dir, containerd's shim sockets). */
const ENGINE_PATHS = ['/run/containers', '/run/containerd', '/etc/containers/networks', '/run/netns'];

export interface HostState {
  rules: Record<string, string[]>;
  nftTables: string[];
  netns: string[];
  mounts: string[];
  links: string[];
  paths: Record<string, boolean>;
  /** Top-level cgroup directories, as `hierarchy/name`. */
  cgroups: string[];
  ipForward: string;
  /** conmon's console sockets (/tmp/conmon-term.*): conmon leaves one when the runtime fails with a terminal. */
  consoleSockets: string[];
}

const rulesOf = (fw: string, table: string) => run(fw, ['-w', '-t', table, '-S']).stdout.split('\n').filter(Boolean);
const nftTables = () => (existsSync('/usr/sbin/nft') ? run('nft', ['list', 'tables']).stdout.split('\n').filter(Boolean) : []);
const links = () => run('ip', ['-o', 'link', 'show']).stdout.split('\n').filter(Boolean).map((l) => l.split(':')[1]!.trim().split('@')[0]!);
// conmon makes them in g_get_tmp_dir(), and podman passes conmon no TMPDIR: always /tmp.
const consoleSockets = () => readdirSync('/tmp').filter((f) => f.startsWith('conmon-term.')).map((f) => join('/tmp', f));
const topCgroups = () =>
  readdirSync('/sys/fs/cgroup', { withFileTypes: true })
    .filter((h) => h.isDirectory())
    .flatMap((h) => readdirSync(join('/sys/fs/cgroup', h.name), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => `${h.name}/${e.name}`));

export function hostState(): HostState {
  const rules: Record<string, string[]> = {};
  for (const fw of FIREWALLS) for (const t of TABLES) rules[`${fw} ${t}`] = rulesOf(fw, t);
  return {
    rules,
    nftTables: nftTables(),
    netns: existsSync('/run/netns') ? readdirSync('/run/netns') : [],
    mounts: mountPoints(),
    links: links(),
    paths: Object.fromEntries(ENGINE_PATHS.map((p) => [p, existsSync(p)])),
    cgroups: topCgroups(),
    ipForward: readTrim('/proc/sys/net/ipv4/ip_forward'),
    consoleSockets: consoleSockets(),
  };
}

/** What differs between two snapshots, one line each ([] when the host is as it was). */
export function hostDiff(before: HostState, after: HostState): string[] {
  const added = (a: string[], b: string[]) => b.filter((x) => !a.includes(x));
  const out: string[] = [];
  for (const key of Object.keys(after.rules)) for (const r of added(before.rules[key] ?? [], after.rules[key]!)) out.push(`${key}: ${r}`);
  for (const t of added(before.nftTables, after.nftTables)) out.push(`nft: ${t}`);
  for (const n of added(before.netns, after.netns)) out.push(`/run/netns/${n}`);
  for (const m of added(before.mounts, after.mounts)) out.push(`mount ${m}`);
  for (const l of added(before.links, after.links)) out.push(`link ${l}`);
  for (const [p, was] of Object.entries(after.paths)) if (was && !before.paths[p]) out.push(`path ${p}`);
  for (const c of added(before.cgroups, after.cgroups)) out.push(`cgroup /sys/fs/cgroup/${c}`);
  for (const s of added(before.consoleSockets, after.consoleSockets)) out.push(`conmon socket ${s}`);
  if (before.ipForward !== after.ipForward) out.push(`net.ipv4.ip_forward ${before.ipForward} → ${after.ipForward}`);
  return out;
}

/** Splits an `iptables -S` line into arguments (double quotes group, as iptables prints comments). */
function splitRule(line: string): string[] {
  return [...line.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => (m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!));
}

/** Removes a cgroup directory and the ones below it (empty ones: a process still inside is a finding). */
function rmdirTree(dir: string, problems: string[]): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) if (e.isDirectory()) rmdirTree(join(dir, e.name), problems);
  try {
    rmdirSync(dir);
  } catch (e) {
    problems.push(`rmdir ${dir}: ${(e as Error).message}`);
  }
}

/**
 * Undoes what engines left on the host since `before`: new iptables rules and chains (netavark's),
 * nft tables iptables-nft made for them, netns files and the /run/netns mount, the podman bridge,
 * new top-level cgroups (libpod_parent, a containerd namespace), engine run dirs, ip_forward.
 * Returns what it could not undo.
 */
export function restoreHost(before: HostState): string[] {
  const problems: string[] = [];
  const now = hostState();
  for (const fw of FIREWALLS) {
    for (const t of TABLES) {
      const key = `${fw} ${t}`;
      const fresh = now.rules[key]!.filter((r) => !before.rules[key]!.includes(r));
      const newChains = fresh.filter((r) => r.startsWith('-N ')).map((r) => r.slice(3));
      // Rules in chains that stay (built-in or older) go one by one; new chains are flushed, then deleted.
      for (const r of fresh.filter((r) => r.startsWith('-A ') && !newChains.includes(r.split(' ')[1]!))) {
        const d = run(fw, ['-w', '-t', t, '-D', ...splitRule(r.slice(3))]);
        if (d.code !== 0) problems.push(`${fw} -t ${t} -D ${r.slice(3)}: ${d.stderr.trim()}`);
      }
      for (const c of newChains) run(fw, ['-w', '-t', t, '-F', c]);
      for (const c of newChains) {
        const d = run(fw, ['-w', '-t', t, '-X', c]);
        if (d.code !== 0) problems.push(`${fw} -t ${t} -X ${c}: ${d.stderr.trim()}`);
      }
    }
  }
  for (const table of nftTables().filter((t) => !before.nftTables.includes(t))) {
    const d = run('nft', ['delete', ...table.split(' ')]);
    if (d.code !== 0) problems.push(`nft delete ${table}: ${d.stderr.trim()}`);
  }
  for (const n of now.netns.filter((n) => !before.netns.includes(n))) {
    run('umount', [join('/run/netns', n)]);
    rmSync(join('/run/netns', n), { force: true });
  }
  if (!before.mounts.includes('/run/netns') && mountPoints().includes('/run/netns')) run('umount', ['/run/netns']);
  for (const l of now.links.filter((l) => !before.links.includes(l) && /^(podman|cni-podman|veth)/.test(l))) run('ip', ['link', 'delete', l]);
  for (const c of now.cgroups.filter((c) => !before.cgroups.includes(c))) rmdirTree(join('/sys/fs/cgroup', c), problems);
  for (const p of ENGINE_PATHS) {
    if (before.paths[p] || !existsSync(p)) continue;
    try {
      if (p === '/run/netns') rmdirSync(p);
      else rmSync(p, { recursive: true, force: true });
    } catch (e) {
      problems.push(`remove ${p}: ${(e as Error).message}`);
    }
  }
  for (const s of now.consoleSockets.filter((s) => !before.consoleSockets.includes(s))) rmSync(s, { force: true });
  if (readTrim('/proc/sys/net/ipv4/ip_forward') !== before.ipForward) writeFileSync('/proc/sys/net/ipv4/ip_forward', before.ipForward);
  return [...problems, ...hostDiff(before, hostState())];
}

// ---------------------------------------------------------------------------------------------
// podman

export interface ContainerRun extends Result {
  /** The container's full id, from --cidfile ('' when podman made none). */
  id: string;
}

/** A podman whose state is all in `dir`, driving `runtime`. */
export class Podman {
  readonly conf: string;
  readonly env: Record<string, string>;
  readonly rootfs: string;
  /** Every container id this podman ran, for the checks after each test. */
  readonly ids = new Set<string>();
  private n = 0;

  constructor(readonly dir: string, readonly runtime: Runtime) {
    for (const d of ['root', 'runroot', 'tmp', 'networks', 'home', 'cid']) mkdirSync(join(dir, d), { recursive: true });
    this.conf = join(dir, 'containers.conf');
    writeFileSync(
      this.conf,
      [
        '[containers]',
        'default_ulimits = []',
        'log_driver = "k8s-file"',
        '[engine]',
        'cgroup_manager = "cgroupfs"',
        'events_logger = "file"',
        '[network]',
        `network_config_dir = "${join(dir, 'networks')}"`,
        '',
      ].join('\n'),
    );
    // HOME keeps root's own podman configs out.
    this.env = { PATH, CONTAINERS_CONF: this.conf, HOME: join(dir, 'home') };
    this.rootfs = busyboxRootfs(join(dir, 'rootfs'));
  }

  get globals(): string[] {
    const d = this.dir;
    return ['--root', join(d, 'root'), '--runroot', join(d, 'runroot'), '--tmpdir', join(d, 'tmp'), '--cgroup-manager=cgroupfs', '--runtime', this.runtime.path];
  }

  podman(args: string[], timeout = 30_000): Result {
    return run('/usr/bin/podman', [...this.globals, ...args], { env: this.env, timeout });
  }

  /** `podman run [options] --rootfs ROOTFS cmd...` with a cidfile; records the id. */
  run(options: string[], cmd: string[], timeout = 30_000): ContainerRun {
    const cidfile = join(this.dir, 'cid', String(++this.n));
    const r = this.podman(['run', '--cidfile', cidfile, ...options, '--rootfs', this.rootfs, ...cmd], timeout);
    const id = existsSync(cidfile) ? readTrim(cidfile) : '';
    if (id) this.ids.add(id);
    return { ...r, id };
  }

  /** `podman inspect --format F name`, trimmed; throws when inspect fails. */
  inspect(name: string, format: string): string {
    const r = this.podman(['inspect', '--format', format, name]);
    if (r.code !== 0) throw new Error(show(r));
    return r.stdout.trim();
  }

  /** The container's log as `podman logs` prints it: stdout and stderr apart. */
  logs(name: string): Result {
    return this.podman(['logs', name]);
  }

  /** Waits (bounded) until `podman logs` shows `text` on stdout; returns the last logs. */
  async waitForLog(name: string, text: string, limitMs = 10_000): Promise<Result> {
    let last = this.logs(name);
    await waitFor(() => (last = this.logs(name)).stdout.includes(text), limitMs);
    return last;
  }

  /**
   * After a test: removes whatever containers remain (a failed test leaves them), then lists what
   * remains on the host of every container this podman ran: cgroups named libpod-<id>, mounts
   * naming the id, conmon processes, the runtime's state directory, netns files not in `netnsBefore`.
   */
  async cleanup(netnsBefore: string[]): Promise<string[]> {
    const left: string[] = [];
    const rm = this.podman(['rm', '--all', '--force', '--time', '0'], 60_000);
    if (rm.code !== 0) left.push(`podman rm -af: ${show(rm)}`);
    const ps = this.podman(['ps', '--all', '--quiet']);
    if (ps.stdout.trim() !== '') left.push(`podman ps -a after rm -af: ${ps.stdout.trim()}`);
    for (const id of this.ids) {
      // conmon exits a moment after the container is removed.
      await waitFor(() => processesMentioning(id).length === 0, 10_000);
      left.push(...processesMentioning(id).map((p) => `process ${p}`));
      left.push(...cgroupDirsMatching((n) => n === `libpod-${id}`).map((c) => `cgroup ${c}`));
      left.push(...mountsMentioning(id).map((m) => `mount ${m}`));
      for (const state of ['/run/ocirt', '/run/runc']) if (existsSync(join(state, id))) left.push(`runtime state ${join(state, id)}`);
    }
    left.push(...mountsMentioning(this.dir).map((m) => `mount ${m}`));
    const netns = existsSync('/run/netns') ? readdirSync('/run/netns') : [];
    left.push(...netns.filter((n) => !netnsBefore.includes(n)).map((n) => `/run/netns/${n}`));
    this.ids.clear();
    return left;
  }

  /** At the end: the containers' storage goes with `podman system reset`, then the directory. */
  destroy(): string[] {
    const reset = this.podman(['system', 'reset', '--force'], 60_000);
    const left = reset.code === 0 ? [] : [`podman system reset: ${show(reset)}`];
    left.push(...mountsMentioning(this.dir).map((m) => `mount ${m}`));
    if (left.length === 0) rmSync(this.dir, { recursive: true, force: true });
    return left;
  }
}

// ---------------------------------------------------------------------------------------------
// containerd

/** A containerd of its own (root, state, sockets under `dir`), and ctr in one namespace. */
export class Containerd {
  readonly sock: string;
  readonly ns = `ocirt-engines-${process.pid}`;
  readonly rootfs: string;
  private daemon?: ChildProcess;
  private exited?: Promise<void>;

  constructor(readonly dir: string) {
    this.sock = join(dir, 'containerd.sock');
    this.rootfs = busyboxRootfs(join(dir, 'rootfs'));
  }

  get logFile(): string {
    return join(this.dir, 'containerd.log');
  }

  /** Starts the daemon and waits (bounded) until ctr reaches it; throws with its log otherwise. */
  async start(): Promise<void> {
    const config = join(this.dir, 'config.toml');
    writeFileSync(
      config,
      [
        'version = 2',
        `root = "${join(this.dir, 'root')}"`,
        `state = "${join(this.dir, 'state')}"`,
        'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
        '[grpc]',
        `  address = "${this.sock}"`,
        '[ttrpc]',
        `  address = "${this.sock}.ttrpc"`,
        '[debug]',
        '  address = ""',
        '[metrics]',
        '  address = ""',
        '',
      ].join('\n'),
    );
    const log = openSync(this.logFile, 'a');
    const daemon = spawn('/usr/bin/containerd', ['--config', config], { stdio: ['ignore', log, log], env: { PATH } });
    closeSync(log);
    this.daemon = daemon;
    this.exited = new Promise((r) => daemon.once('exit', () => r()));
    const up = await waitFor(() => existsSync(this.sock) && this.ctr(['version']).code === 0, 20_000);
    if (!up) throw new Error(`containerd did not come up on ${this.sock}:\n${existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8').slice(-3000) : ''}`);
  }

  ctr(args: string[], timeout = 30_000): Result {
    return run('/usr/bin/ctr', ['--address', this.sock, '--namespace', this.ns, ...args], { timeout });
  }

  /** ctr flags that make the shim use `runtime` with its state and fifos under this directory. */
  runtimeFlags(runtime: Runtime): string[] {
    return ['--runc-binary', runtime.path, '--runc-root', join(this.dir, 'runc-root'), '--fifo-dir', join(this.dir, 'fifo')];
  }

  /** Task ids and statuses, from `ctr task ls`. */
  tasks(): Map<string, { pid: number; status: string }> {
    const m = new Map<string, { pid: number; status: string }>();
    for (const line of this.ctr(['task', 'ls']).stdout.split('\n').slice(1)) {
      const [id, pid, status] = line.trim().split(/\s+/);
      if (id && pid && status) m.set(id, { pid: Number(pid), status });
    }
    return m;
  }

  containers(): string[] {
    return this.ctr(['container', 'ls', '--quiet']).stdout.split('\n').filter(Boolean);
  }

  /** Kills and deletes every task and container left, then lists what remains of `ids` on the host. */
  async cleanup(ids: string[]): Promise<string[]> {
    const left: string[] = [];
    for (const [id, t] of this.tasks()) {
      if (t.status !== 'STOPPED') this.ctr(['task', 'kill', '--signal', 'SIGKILL', id]);
      await waitFor(() => this.tasks().get(id)?.status === 'STOPPED', 10_000);
      this.ctr(['task', 'delete', '--force', id]);
    }
    for (const c of this.containers()) this.ctr(['container', 'delete', c]);
    if (this.tasks().size > 0) left.push(`ctr task ls: ${[...this.tasks().keys()].join(' ')}`);
    if (this.containers().length > 0) left.push(`ctr container ls: ${this.containers().join(' ')}`);
    for (const id of ids) {
      // The shim exits a moment after its last task is deleted.
      await waitFor(() => processesMentioning(`-id ${id} `).length === 0, 10_000);
      left.push(...processesMentioning(`-id ${id} `).map((p) => `process ${p}`));
      left.push(...cgroupDirsMatching((n) => n === id).map((c) => `cgroup ${c}`));
      left.push(...mountsMentioning(id).map((m) => `mount ${m}`));
      for (const p of [join(this.dir, 'runc-root', this.ns, id), join(this.dir, 'state/io.containerd.runtime.v2.task', this.ns, id)]) if (existsSync(p)) left.push(`state ${p}`);
    }
    return left;
  }

  /** Stops the daemon (TERM, then KILL), kills shims still serving this socket; returns what was left. */
  async stop(): Promise<string[]> {
    const left: string[] = [];
    if (this.daemon && this.daemon.exitCode === null && this.daemon.signalCode === null) {
      this.daemon.kill('SIGTERM');
      const done = await Promise.race([this.exited!.then(() => true), sleep(10_000).then(() => false)]);
      if (!done) {
        left.push('containerd ignored SIGTERM for 10 s');
        this.daemon.kill('SIGKILL');
        await this.exited;
      }
    }
    for (const p of processesMentioning(this.sock)) {
      left.push(`process ${p}`);
      process.kill(Number(p.split(':')[0]), 'SIGKILL');
    }
    left.push(...mountsMentioning(this.dir).map((m) => `mount ${m}`));
    return left;
  }

  destroy(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A fresh directory for an engine's state. */
export const engineDir = (name: string) => mkdtempSync(join(tmpdir(), `ocirt-engine-${name}-`));

/**
 * A shell snippet for `sh -c`: `${PROCESS_VIEW} /proc/self` prints that process's namespace links,
 * cgroups, ids, capabilities, no_new_privs and seccomp mode, then "--" (to compare an exec'd
 * process with the init, /proc/1).
 */
export const PROCESS_VIEW =
  'f() { for n in pid net mnt uts ipc; do readlink $1/ns/$n; done; cat $1/cgroup; grep -E "^(Uid|Gid|Cap|NoNewPrivs|Seccomp):" $1/status; echo --; }; f';

/** The inode of a namespace file or link (/run/netns/x, /proc/<pid>/ns/net). */
export const inodeOf = (path: string) => statSync(path).ino;

/** A long-running container's script: USR1 prints, TERM exits 7; "ready" once the traps are set. */
export const SERVER = 'trap "echo got-usr1" USR1; trap "exit 7" TERM; echo ready; while true; do sleep 0.1; done';
