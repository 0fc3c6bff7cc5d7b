// npm run bench: create → start → poll state until stopped → delete, with a `true` process, for
// ocirt, runc and crun in the same run; medians and ratios; and the resident memory of a
// created-but-not-started container's init. Writes nothing: paste the table into docs/performance.md.
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

function bundle(): string {
  const dir = join(work, 'bundle');
  mkdirSync(dir);
  const c = JSON.parse(readFileSync(join(PROJECT, 'bundles/v1-basic/config.json'), 'utf8'));
  c.root.path = join(PROJECT, 'bundles/v1-basic/rootfs');
  c.process.args = ['/probe', 'exit', '0'];
  c.ociVersion = '1.0.2'; // crun 1.8.1 refuses newer versions ("unknown version specified")
  c.linux.namespaces = c.linux.namespaces.filter((n: { type: string }) => n.type !== 'cgroup');
  writeFileSync(join(dir, 'config.json'), JSON.stringify(c));
  return dir;
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

function lifecycle(rt: Runtime, b: string, id: string): number {
  const t0 = process.hrtime.bigint();
  must(rt.argv(['create', '--bundle', b, id]));
  must(rt.argv(['start', id]));
  for (let i = 0; i < 10_000; i++) {
    const st = JSON.parse(must(rt.argv(['state', id]))) as { status: string };
    if (st.status === 'stopped') break;
  }
  must(rt.argv(['delete', id]));
  return ms(t0);
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

function main(): void {
  const b = bundle();
  const nsFile = crunNamespace();
  const enter = ['nsenter', `--mount=${nsFile}`];
  const runtimes: Runtime[] = [
    { name: 'ocirt', argv: (a) => [join(PROJECT, 'bin/ocirt'), '--root', join(work, 'ocirt'), ...a] },
    { name: 'runc', argv: (a) => ['runc', '--root', join(work, 'runc'), ...a] },
    { name: 'crun', argv: (a) => [...enter, 'crun', '--cgroup-manager=disabled', '--root', join(work, 'crun'), ...a] },
  ];
  const nsenterCost = median(Array.from({ length: ITERATIONS }, () => { const t0 = process.hrtime.bigint(); must([...enter, 'true']); return ms(t0); }));
  const rows = runtimes.map((rt) => {
    for (let i = 0; i < 3; i++) lifecycle(rt, b, `warm-${rt.name}-${i}`);
    const times = Array.from({ length: ITERATIONS }, (_, i) => lifecycle(rt, b, `b-${rt.name}-${i}`));
    // crun's calls went through nsenter: create, start, delete and each state poll (at least one).
    const adjusted = rt.name === 'crun' ? median(times) - 4 * nsenterCost : median(times);
    return { name: rt.name, lifecycle: adjusted, rss: initRss(rt, b, `rss-${rt.name}`) };
  });
  const ocirt = rows[0]!;
  console.log(`lifecycle (create → start → state until stopped → delete, median of ${ITERATIONS}); nsenter ${nsenterCost.toFixed(1)} ms subtracted 4× from crun`);
  console.log('| runtime | lifecycle ms | ocirt ÷ runtime | init RSS (KiB) created, not started |');
  console.log('|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.name} | ${r.lifecycle.toFixed(1)} | ${(ocirt.lifecycle / r.lifecycle).toFixed(2)}× | ${r.rss} |`);
}

try {
  main();
} finally {
  spawnSync('umount', [join(work, 'crun-mnt')]);
  rmSync(work, { recursive: true, force: true });
}
