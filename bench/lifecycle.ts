// npm run bench: create → start → poll state until stopped → delete, with a `true` process, for
// ocirt, runc and crun in the same run, with two configs: the bare sample bundle, and `runc spec`'s
// default (capabilities, rlimits, no_new_privs, masked and read-only paths, a device rule) plus a
// seccomp profile; medians of the lifecycle and of create alone, and ratios; and the resident
// memory of a created-but-not-started container's init. Writes nothing: paste the tables into
// docs/performance.md.
//
// crun refuses this host's hybrid cgroups (DESIGN.md "Host facts"), so it runs in a private mount
// namespace with cgroup2 on /sys/fs/cgroup and --cgroup-manager=disabled, entered with nsenter;
// nsenter's own cost is measured and subtracted.
import { spawnSync } from 'node:child_process';
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

function bundle(name: string, edit: (c: Config) => Config): string {
  const dir = join(work, name);
  mkdirSync(dir);
  let c = JSON.parse(readFileSync(join(PROJECT, 'bundles/v1-basic/config.json'), 'utf8'));
  c = edit(c);
  c.root.path = join(PROJECT, 'bundles/v1-basic/rootfs');
  c.process.args = ['/probe', 'exit', '0'];
  c.process.terminal = false;
  c.ociVersion = '1.0.2'; // crun 1.8.1 refuses newer versions ("unknown version specified")
  c.linux.namespaces = c.linux.namespaces.filter((n: { type: string }) => n.type !== 'cgroup');
  writeFileSync(join(dir, 'config.json'), JSON.stringify(c));
  return dir;
}

/** `runc spec`'s config.json, with the sample bundle's rootfs, and a seccomp profile. */
function runcDefault(): Config {
  const dir = join(work, 'runc-spec');
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

function lifecycle(rt: Runtime, b: string, id: string): { total: number; create: number } {
  const t0 = process.hrtime.bigint();
  must(rt.argv(['create', '--bundle', b, id]));
  const create = ms(t0);
  must(rt.argv(['start', id]));
  for (let i = 0; i < 10_000; i++) {
    const st = JSON.parse(must(rt.argv(['state', id]))) as { status: string };
    if (st.status === 'stopped') break;
  }
  must(rt.argv(['delete', id]));
  return { total: ms(t0), create };
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

function measure(runtimes: Runtime[], b: string, label: string, nsenterCost: number): void {
  const slug = label.replace(/[^A-Za-z0-9]+/g, '-');
  const rows = runtimes.map((rt) => {
    for (let i = 0; i < 3; i++) lifecycle(rt, b, `warm-${slug}-${rt.name}-${i}`);
    const runs = Array.from({ length: ITERATIONS }, (_, i) => lifecycle(rt, b, `b-${slug}-${rt.name}-${i}`));
    // crun's calls went through nsenter: create, start, delete and each state poll (at least one).
    const through = rt.name === 'crun' ? nsenterCost : 0;
    return { name: rt.name, lifecycle: median(runs.map((r) => r.total)) - 4 * through, create: median(runs.map((r) => r.create)) - through, rss: initRss(rt, b, `rss-${slug}-${rt.name}`) };
  });
  const ocirt = rows[0]!;
  console.log(`\n${label}: lifecycle (create → start → state until stopped → delete) and create alone, median of ${ITERATIONS}; nsenter ${nsenterCost.toFixed(1)} ms subtracted from crun per call`);
  console.log('| runtime | lifecycle ms | ocirt ÷ runtime | create ms | ocirt ÷ runtime | init RSS (KiB) created, not started |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.name} | ${r.lifecycle.toFixed(1)} | ${(ocirt.lifecycle / r.lifecycle).toFixed(2)}× | ${r.create.toFixed(1)} | ${(ocirt.create / r.create).toFixed(2)}× | ${r.rss} |`);
  }
}

function main(): void {
  const bare = bundle('bare', (c) => c);
  const secure = bundle('runc-default', () => runcDefault());
  const nsFile = crunNamespace();
  const enter = ['nsenter', `--mount=${nsFile}`];
  const runtimes: Runtime[] = [
    { name: 'ocirt', argv: (a) => [join(PROJECT, 'bin/ocirt'), '--root', join(work, 'ocirt'), ...a] },
    { name: 'runc', argv: (a) => ['runc', '--root', join(work, 'runc'), ...a] },
    { name: 'crun', argv: (a) => [...enter, 'crun', '--cgroup-manager=disabled', '--root', join(work, 'crun'), ...a] },
  ];
  const nsenterCost = median(Array.from({ length: ITERATIONS }, () => { const t0 = process.hrtime.bigint(); must([...enter, 'true']); return ms(t0); }));
  measure(runtimes, bare, 'bare config', nsenterCost);
  measure(runtimes, secure, "runc spec's default config with a seccomp profile", nsenterCost);
}

try {
  main();
} finally {
  spawnSync('umount', [join(work, 'crun-mnt')]);
  rmSync(work, { recursive: true, force: true });
}
