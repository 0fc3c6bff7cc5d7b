// Helpers of the crash-safety suite (docs/reliability.md): `ocirt create` run as a child that can
// be SIGKILLed, stopped at a named point or plan step by the test-only hooks (create.ts, main.c), and
// the census of what a container could leave behind once `delete --force` has run.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readlinkSync, rmdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cgroupDirsOf, hostMountPoints, leftovers, OCIRT, type Sandbox, sleep } from '../integration/harness.ts';

/** create.ts's TEST_PAUSE_POINTS (OCIRT_TEST_PAUSE_AT), in the order create reaches them. */
export const PAUSE_POINTS = ['reserved', 'locked', 'state-written', 'cgroup-created', 'launched', 'created'] as const;

export interface Creating {
  pid: number;
  exited: Promise<number>;
  /** Resolves 'paused' once a hook has written `test-paused`, else with create's exit status. */
  paused(limitMs?: number): Promise<'paused' | number>;
  /** What the hook wrote: the point's name, or "step N stage S". */
  marker(): string;
  /** What create wrote to the `stderr` file. */
  stderr(): string;
  kill(): Promise<void>;
}

/** `ocirt create` as a child, its stdio on /dev/null or `stderr` (a pipe would stay open in the container). */
export function spawnCreate(s: Sandbox, bundle: string, id: string, env: Record<string, string> = {}, stderr?: string): Creating {
  const nul = openSync('/dev/null', 'r+');
  const err = stderr === undefined ? nul : openSync(stderr, 'a');
  const child = spawn(OCIRT, ['--root', s.root, 'create', '--bundle', bundle, id], { stdio: [nul, nul, err], env });
  closeSync(nul);
  if (err !== nul) closeSync(err);
  let status: number | undefined;
  const exited = new Promise<number>((resolve) => child.once('exit', (code, signal) => resolve((status = code ?? 128 + (signal ? constants.signals[signal] : 0)))));
  const marker = join(s.root, id, 'test-paused');
  return {
    pid: child.pid!,
    exited,
    async paused(limitMs = 10_000) {
      for (const start = Date.now(); Date.now() - start < limitMs; await sleep(2)) {
        if (existsSync(marker) && readFileSync(marker, 'utf8').endsWith('\n')) return 'paused';
        if (status !== undefined) return status;
      }
      throw new Error(`create ${id} neither paused nor exited in ${limitMs} ms`);
    },
    marker: () => read(marker).trim(),
    stderr: () => (stderr === undefined ? '' : read(stderr)),
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

const procPids = () => readdirSync('/proc').filter((p) => /^[0-9]+$/.test(p));

function read(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function link(file: string): string {
  try {
    return readlinkSync(file);
  } catch {
    return '';
  }
}

/** A live (not zombie) process whose cgroup names the container, or whose cwd is its state directory (an executor not yet in its cgroup). */
export function processesOf(stateDir: string, id: string): number[] {
  return procPids()
    .filter((pid) => {
      const stat = read(`/proc/${pid}/stat`);
      if (stat === '' || /^\S+ \(.*\) [ZX]/s.test(stat)) return false;
      const inCgroup = read(`/proc/${pid}/cgroup`).split('\n').some((l) => l.endsWith(`/${id}`) || l.includes(`/${id}/`));
      return inCgroup || link(`/proc/${pid}/cwd`).startsWith(stateDir);
    })
    .map(Number);
}

export interface Census {
  processes: number[];
  cgroups: string[];
  mounts: string[];
  stateDir: boolean;
}

/** Per-root cgroup parents (`ocirt/<key of the root>` in each hierarchy), learnt from a container that exists now. */
export function rootCgroupParents(id: string): string[] {
  return cgroupDirsOf(id).map(dirname);
}

/**
 * Everything of `id` that is still there: processes, cgroup directories (the container's, and the
 * root's parents in `parents` once no container of the root is left), mounts naming the sandbox or
 * the id, host mount points new since `mountsBefore`, the state directory.
 */
export function census(s: Sandbox, id: string, mountsBefore: string[], parents: string[] = []): Census {
  const stateDir = join(s.root, id);
  const mountLines = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(s.dir));
  const fresh = hostMountPoints().filter((p) => !mountsBefore.includes(p)).map((p) => `mount ${p}`);
  const named = leftovers(id);
  const cgroups = [...new Set([...cgroupDirsOf(id), ...named.filter((l) => l.startsWith('/sys/fs/cgroup/')), ...parents.filter((p) => existsSync(p))])];
  return {
    processes: processesOf(stateDir, id),
    cgroups,
    mounts: [...new Set([...mountLines, ...named.filter((l) => !l.startsWith('/sys/fs/cgroup/')), ...fresh])],
    stateDir: existsSync(stateDir),
  };
}

export const leakCount = (c: Census) => c.processes.length + c.cgroups.length + c.mounts.length + (c.stateDir ? 1 : 0);

export function describeCensus(c: Census): string {
  const parts = [
    c.processes.length ? `${c.processes.length} processes (${c.processes.map((p) => `${p}:${read(`/proc/${p}/comm`).trim()}`).join(', ')})` : '',
    c.cgroups.length ? `${c.cgroups.length} cgroup dirs` : '',
    c.mounts.length ? `${c.mounts.length} mounts` : '',
    c.stateDir ? 'the state dir' : '',
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : 'nothing';
}

/**
 * After a census has counted them, kills leaked processes and removes leaked cgroups, so that one
 * case's leak is not counted again by the next, and the host is left as it was.
 */
export async function sweep(c: Census): Promise<void> {
  for (const pid of c.processes) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  for (let i = 0; i < 100 && c.processes.some((p) => read(`/proc/${p}/stat`) !== '' && !/^\S+ \(.*\) [ZX]/s.test(read(`/proc/${p}/stat`))); i++) await sleep(10);
  const deepestFirst = [...c.cgroups].sort((a, b) => b.split('/').length - a.split('/').length);
  for (const dir of deepestFirst) {
    for (const child of subdirs(dir).reverse()) tryRmdir(child);
    tryRmdir(dir);
  }
}

function subdirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).flatMap((e) => [join(dir, e.name), ...subdirs(join(dir, e.name))]);
  } catch {
    return [];
  }
}

function tryRmdir(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    /* busy, or gone */
  }
}

/** A PRNG with a printed seed, so that a failing run can be repeated (OCIRT_TEST_SEED). */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), (x >>> 0) / 2 ** 32);
}
