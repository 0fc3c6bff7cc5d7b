// Integration tests drive the real bin/ocirt as an engine would: a fresh --root and unique ids per
// test, sample bundles copied with their config changed, and a check that nothing is left behind.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Config } from '../../src/spec/config.ts';

export const PROJECT = resolve(import.meta.dirname, '../..');
export const OCIRT = join(PROJECT, 'bin/ocirt');
export const isRoot = process.getuid?.() === 0;
export const NEEDS_ROOT = 'needs root: these tests make real namespaces, mounts and cgroups';

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export function sampleConfig(name: string): Config {
  return JSON.parse(readFileSync(join(PROJECT, 'bundles', name, 'config.json'), 'utf8')) as Config;
}

export class Sandbox {
  readonly dir = mkdtempSync(join(tmpdir(), 'ocirt-it-'));
  readonly root = join(this.dir, 'root');
  private readonly ids = new Set<string>();
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
    writeConfig(dir, c);
    return dir;
  }

  ocirt(args: string[], opts: { input?: string; timeout?: number } = {}): Result {
    return ocirt(['--root', this.root, ...args], opts);
  }

  /** Deletes every container a test made, then the sandbox; returns what could not be cleaned. */
  cleanup(): string[] {
    for (const id of this.ids) this.ocirt(['delete', '--force', id]);
    const left = existsSync(this.root) ? readdirSync(this.root) : [];
    rmSync(this.dir, { recursive: true, force: true });
    return left;
  }
}

export function writeConfig(dir: string, c: Config): void {
  writeFileSync(join(dir, 'config.json'), JSON.stringify(c, null, 2));
}

export function ocirt(args: string[], opts: { input?: string; timeout?: number } = {}): Result {
  const r: SpawnSyncReturns<string> = spawnSync(OCIRT, args, { encoding: 'utf8', input: opts.input ?? '', timeout: opts.timeout ?? 20_000, env: {} });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
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
  const cgroups: string[] = [];
  for (const h of readdirSync('/sys/fs/cgroup')) {
    const dir = join('/sys/fs/cgroup', h, 'ocirt');
    if (existsSync(dir)) cgroups.push(...readdirSync(dir).filter((d) => d.includes(marker)).map((d) => join(dir, d)));
  }
  return [...mounts, ...cgroups];
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
