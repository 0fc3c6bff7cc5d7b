// npm run bench: create → start → poll state until stopped → delete, with a `true` process, for
// ocirt, runc and crun in the same run, with two configs: the bare sample bundle, and `runc spec`'s
// default (capabilities, rlimits, no_new_privs, masked and read-only paths, a device rule) plus a
// seccomp profile; medians of the lifecycle and of each command (kill on a running container), and
// ratios; the resident memory of a created-but-not-started container's init; and the scaling
// figures (BENCH_SCALE lifecycles in a row, 20 at once, state among many). Writes nothing: paste
// the tables into docs/performance.md.
//
// crun refuses this host's hybrid cgroups (DESIGN.md "Host facts"), so it runs in a private mount
// namespace with cgroup2 on /sys/fs/cgroup and --cgroup-manager=disabled, entered with nsenter;
// nsenter's own cost is measured and subtracted.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const PROJECT = resolve(import.meta.dirname, '..');
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 30);
const work = mkdtempSync(join(tmpdir(), 'ocirt-bench-'));

interface Runtime {
  name: string;
  argv: (args: string[]) => string[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- config.json as JSON.parse gives it
type Config = Record<string, any>;

/** A seccomp profile of the usual shape: allow by default, refuse a few dozen syscalls with EPERM. */
const SECCOMP = {
  defaultAction: 'SCMP_ACT_ALLOW',
  syscalls: [{ names: ['acct', 'add_key', 'bpf', 'clock_adjtime', 'clock_settime', 'create_module', 'delete_module', 'finit_module', 'get_kernel_syms',
    'init_module', 'ioperm', 'iopl', 'kcmp', 'kexec_file_load', 'kexec_load', 'keyctl', 'lookup_dcookie', 'mount', 'move_pages', 'nfsservctl',
    'open_by_handle_at', 'perf_event_open', 'pivot_root', 'process_vm_readv', 'process_vm_writev', 'ptrace', 'query_module', 'quotactl',
    'reboot', 'request_key', 'setns', 'settimeofday', 'stime', 'swapoff', 'swapon', 'sysfs', 'umount', 'umount2', 'unshare', 'uselib',
    'userfaultfd', 'ustat', 'vm86', 'vm86old'], action: 'SCMP_ACT_ERRNO' }],
};

function bundle(name: string, edit: (c: Config) => Config, args = ['/probe', 'exit', '0']): string {
  const dir = join(work, name);
  mkdirSync(dir);
  let c = JSON.parse(readFileSync(join(PROJECT, 'bundles/v1-basic/config.json'), 'utf8'));
  c = edit(c);
  c.root.path = join(PROJECT, 'bundles/v1-basic/rootfs');
  c.process.args = args;
  c.process.terminal = false;
  c.ociVersion = '1.0.2'; // crun 1.8.1 refuses newer versions ("unknown version specified")
  c.linux.namespaces = c.linux.namespaces.filter((n: { type: string }) => n.type !== 'cgroup');
  writeFileSync(join(dir, 'config.json'), JSON.stringify(c));
  return dir;
}

/** `runc spec`'s config.json, with the sample bundle's rootfs, and a seccomp profile. */
function runcDefault(name = 'runc-spec'): Config {
  const dir = join(work, name);
  mkdirSync(dir);
  must(['runc', 'spec', '--bundle', dir]);
  const c = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  c.linux.seccomp = SECCOMP;
  return c;
}

/**
 * The container inherits the stdio of `create`, so a create whose stdout were a pipe would keep it
 * open and spawnSync would wait for EOF until the container exits: only `state` output is piped.
 */
function sh(argv: string[]): { status: number; stdout: string; stderr: string } {
  const piped = argv.includes('state');
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', stdio: ['ignore', piped ? 'pipe' : 'ignore', piped ? 'pipe' : 'ignore'] });
  return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function must(argv: string[]): string {
  const r = sh(argv);
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: exit ${r.status}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** A mount namespace with cgroup2 on /sys/fs/cgroup, kept by a bind mount of its ns file. */
function crunNamespace(): string {
  const nsFile = join(work, 'crun-mnt');
  writeFileSync(nsFile, '');
  must(['unshare', `--mount=${nsFile}`, '--propagation', 'private', 'true']);
  must(['nsenter', `--mount=${nsFile}`, 'sh', '-c', 'umount -R /sys/fs/cgroup; mount -t cgroup2 cgroup2 /sys/fs/cgroup']);
  return nsFile;
}

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Times {
  total: number;
  create: number;
  start: number;
  /** the first `state` once the container has stopped, i.e. of a stopped container */
  state: number;
  delete: number;
}

function timed(argv: string[]): { ms: number; out: string } {
  const t0 = process.hrtime.bigint();
  const out = must(argv);
  return { ms: ms(t0), out };
}

function lifecycle(rt: Runtime, b: string, id: string): Times {
  const t0 = process.hrtime.bigint();
  const create = timed(rt.argv(['create', '--bundle', b, id])).ms;
  const start = timed(rt.argv(['start', id])).ms;
  let state = 0;
  for (let i = 0; i < 10_000; i++) {
    const st = timed(rt.argv(['state', id]));
    state = st.ms;
    if ((JSON.parse(st.out) as { status: string }).status === 'stopped') break;
  }
  const del = timed(rt.argv(['delete', id])).ms;
  return { total: ms(t0), create, start, state, delete: del };
}

/** `kill` of a running container (SIGKILL, numeric as engines send it), then a forced delete. */
function killTime(rt: Runtime, b: string, id: string): number {
  must(rt.argv(['create', '--bundle', b, id]));
  must(rt.argv(['start', id]));
  const t = timed(rt.argv(['kill', id, '9'])).ms;
  must(rt.argv(['delete', '--force', id]));
  return t;
}

/** VmRSS of the init of a created container, in KiB. */
function initRss(rt: Runtime, b: string, id: string): number {
  const pidFile = join(work, `${id}.pid`);
  must(rt.argv(['create', '--bundle', b, '--pid-file', pidFile, id]));
  const pid = readFileSync(pidFile, 'utf8').trim();
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  must(rt.argv(['delete', '--force', id]));
  return rss;
}

/** `b` exits at once; `sleeper` is the same config with a process that waits, for kill. */
function measure(runtimes: Runtime[], b: string, sleeper: string, label: string, nsenterCost: number): void {
  const slug = label.replace(/[^A-Za-z0-9]+/g, '-');
  const rows = runtimes.map((rt) => {
    for (let i = 0; i < 3; i++) lifecycle(rt, b, `warm-${slug}-${rt.name}-${i}`);
    const runs = Array.from({ length: ITERATIONS }, (_, i) => lifecycle(rt, b, `b-${slug}-${rt.name}-${i}`));
    const kills = Array.from({ length: ITERATIONS }, (_, i) => killTime(rt, sleeper, `k-${slug}-${rt.name}-${i}`));
    // crun's calls went through nsenter: create, start, delete and each state poll (at least one).
    const through = rt.name === 'crun' ? nsenterCost : 0;
    const med = (k: keyof Times) => median(runs.map((r) => r[k])) - through;
    return {
      name: rt.name, lifecycle: median(runs.map((r) => r.total)) - 4 * through, create: med('create'), start: med('start'), state: med('state'), delete: med('delete'),
      kill: median(kills) - through, rss: initRss(rt, b, `rss-${slug}-${rt.name}`),
    };
  });
  const ocirt = rows[0]!;
  const cell = (r: (typeof rows)[number], k: 'lifecycle' | 'create' | 'start' | 'state' | 'kill' | 'delete') => `${r[k].toFixed(1)} (${(ocirt[k] / r[k]).toFixed(2)}×)`;
  console.log(`\n${label}: medians of ${ITERATIONS}, ms, and in brackets ocirt ÷ that runtime; lifecycle = create → start → state until stopped → delete; nsenter ${nsenterCost.toFixed(1)} ms subtracted from crun per call`);
  console.log('| runtime | lifecycle | create | start | state (stopped) | kill | delete | init RSS (KiB) created, not started |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.name} | ${cell(r, 'lifecycle')} | ${cell(r, 'create')} | ${cell(r, 'start')} | ${cell(r, 'state')} | ${cell(r, 'kill')} | ${cell(r, 'delete')} | ${r.rss} |`);
}

/**
 * Scaling: N containers created, started and deleted one after another, and N at once (each its own
 * lifecycle, all started together); then the median `state` of one container with 1 and with N
 * others under the same --root (state must not read every container's state).
 */
async function scaling(runtimes: Runtime[], b: string, nsenterCost: number): Promise<void> {
  const SEQUENTIAL = Number(process.env.BENCH_SCALE ?? 100);
  const AT_ONCE = 20;
  console.log(`\nscaling (bare config): ${SEQUENTIAL} lifecycles one after another, ${AT_ONCE} at once; state of one container among 1 and among ${SEQUENTIAL}`);
  console.log(`| runtime | ${SEQUENTIAL} in a row, s | ${AT_ONCE} at once, s | state among 1, ms | state among ${SEQUENTIAL}, ms |`);
  console.log('|---|---|---|---|---|');
  for (const rt of runtimes) {
    const through = rt.name === 'crun' ? nsenterCost : 0;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < SEQUENTIAL; i++) lifecycle(rt, b, `seq-${rt.name}-${i}`);
    const sequential = ms(t0) / 1000;
    const t1 = process.hrtime.bigint();
    await Promise.all(Array.from({ length: AT_ONCE }, (_, i) => lifecycleAsync(rt, b, `par-${rt.name}-${i}`)));
    const atOnce = ms(t1) / 1000;
    const stateAmong = (n: number) => {
      const ids = Array.from({ length: n }, (_, i) => `many-${rt.name}-${n}-${i}`);
      for (const id of ids) must(rt.argv(['create', '--bundle', b, id]));
      const t = median(Array.from({ length: 30 }, () => timed(rt.argv(['state', ids[0]!])).ms)) - through;
      for (const id of ids) must(rt.argv(['delete', '--force', id]));
      return t;
    };
    console.log(`| ${rt.name} | ${sequential.toFixed(2)} | ${atOnce.toFixed(2)} | ${stateAmong(1).toFixed(1)} | ${stateAmong(SEQUENTIAL).toFixed(1)} |`);
  }
}

/** One lifecycle as child processes that do not block the others (for the containers at once). */
async function lifecycleAsync(rt: Runtime, b: string, id: string): Promise<void> {
  const run = (args: string[]) =>
    new Promise<string>((resolve, reject) => {
      const argv = rt.argv(args);
      const c = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', args[0] === 'state' ? 'pipe' : 'ignore', 'ignore'] });
      let out = '';
      c.stdout?.on('data', (d: Buffer) => (out += d));
      c.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${argv.join(' ')}: exit ${code}`))));
    });
  await run(['create', '--bundle', b, id]);
  await run(['start', id]);
  while ((JSON.parse(await run(['state', id])) as { status: string }).status !== 'stopped');
  await run(['delete', id]);
}

async function main(): Promise<void> {
  const bare = bundle('bare', (c) => c);
  const secure = bundle('runc-default', () => runcDefault());
  const sleep = ['/probe', 'sleep', '100'];
  const bareSleeper = bundle('bare-sleeper', (c) => c, sleep);
  const secureSleeper = bundle('runc-default-sleeper', () => runcDefault('runc-spec-sleeper'), sleep);
  const nsFile = crunNamespace();
  const enter = ['nsenter', `--mount=${nsFile}`];
  const runtimes: Runtime[] = (made = [
    { name: 'ocirt', argv: (a) => [join(PROJECT, 'bin/ocirt'), '--root', join(work, 'ocirt'), ...a] },
    { name: 'runc', argv: (a) => ['runc', '--root', join(work, 'runc'), ...a] },
    { name: 'crun', argv: (a) => [...enter, 'crun', '--cgroup-manager=disabled', '--root', join(work, 'crun'), ...a] },
  ]);
  const nsenterCost = median(Array.from({ length: ITERATIONS }, () => { const t0 = process.hrtime.bigint(); must([...enter, 'true']); return ms(t0); }));
  measure(runtimes, bare, bareSleeper, 'bare config', nsenterCost);
  measure(runtimes, secure, secureSleeper, "runc spec's default config with a seccomp profile", nsenterCost);
  await scaling(runtimes, bare, nsenterCost);
}

/** The runtimes main() drives, so that a run that fails half way still deletes what it made. */
let made: Runtime[] = [];

/** Every container a runtime still has under its bench root, deleted (a run stopped by an error leaves some). */
function deleteLeftovers(rt: Runtime): void {
  const ids = sh(rt.argv(['list', '-q'])).stdout.split('\n').filter(Boolean);
  for (const id of ids) sh(rt.argv(['delete', '--force', id]));
}

try {
  await main();
} finally {
  made.forEach(deleteLeftovers);
  spawnSync('umount', [join(work, 'crun-mnt')]);
  rmSync(work, { recursive: true, force: true });
}
