// What the tests of the process's security settings, seccomp, devices, sysctl, paths, personality,
// network devices, time offsets and idmapped mounts share: the probe's one-line JSON answers read
// back in order, a private root filesystem for a test that needs files of its own in it, the
// probe binary on the host (it is also the seccomp agent), and "an error by start at the latest".
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle, CommandRecord, TestContext } from '../harness/types.ts';
import { bundle, errored, output, said, until, type Cfg } from './support.ts';

/** Every line of the container's stdout that is a JSON object or array, in order. */
export function jsonLines(b: Bundle): unknown[] {
  return output(b)
    .split('\n')
    .flatMap((line) => {
      if (!/^[[{]/.test(line) && line !== 'null') return [];
      try {
        return [JSON.parse(line) as unknown];
      } catch {
        return []; // cut short: the probe is still writing
      }
    });
}

/** Waits (bounded) until the probe has printed `n` JSON lines; fails with what it printed otherwise. */
export async function answers<T = Record<string, unknown>>(ctx: TestContext, b: Bundle, n: number, what: string): Promise<T[]> {
  await until(() => jsonLines(b).length >= n);
  const got = jsonLines(b);
  ctx.expect(got.length >= n, `${n} JSON line${n === 1 ? '' : 's'} from the probe (${what})`, `stdout: ${output(b)}`);
  return got.slice(0, n) as T[];
}

/** The probe's answers to `syscall`/`syscall32`, `stat`, `read`, `attempt-write`. */
export interface SyscallAnswer {
  syscall: string;
  ret: number;
  errno: number;
}
export interface StatAnswer {
  path: string;
  errno?: number;
  type?: string;
  mode?: number;
  uid?: number;
  gid?: number;
  major?: number;
  minor?: number;
}
export interface ReadAnswer {
  path: string;
  errno?: number;
  bytes?: number;
  text?: string;
}

let rootfsCopies = 0;

/**
 * A root filesystem of the test's own: a copy of the sample rootfs in the test's directory, with
 * `files` added (path → contents; a path ending in / is a directory), set as root.path. For tests
 * that need files the shared sample lacks, which no test may change.
 */
export function ownRootfs(ctx: TestContext, c: Cfg, files: Record<string, string>): string {
  const dir = join(ctx.tmp, `rootfs-${++rootfsCopies}`);
  cpSync(c.root.path, dir, { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    const to = join(dir, path);
    if (path.endsWith('/')) mkdirSync(to, { recursive: true });
    else {
      mkdirSync(join(to, '..'), { recursive: true });
      writeFileSync(to, text);
    }
  }
  c.root.path = dir;
  return dir;
}

/** The probe binary on the host (the sample rootfs's /probe): static, so it runs there too. */
export const hostProbe = (b: Bundle) => join(b.config.root.path, 'probe');

/**
 * Creates and, when create succeeded, starts: the spec wants an error by start at the latest for
 * a process setting it cannot apply. Returns the call that failed, as the evidence of the error.
 */
export async function refusedByStart(ctx: TestContext, args: string[], edit: (c: Cfg) => void, expected: string): Promise<CommandRecord> {
  const b = bundle(ctx, args, edit);
  const id = ctx.id();
  const create = await ctx.driver.create(id, b.dir);
  if (create.code !== 0 && !create.timedOut) return create;
  const last = create.code === 0 ? await ctx.driver.start(id) : create;
  errored(ctx, last, `${expected}${create.code === 0 ? ` (create succeeded; then start: ${said(last)})` : ''}`);
  return last;
}

/** Create must fail (settings outside process are applied by create: runtime.md "Create"). */
export async function refusedByCreate(ctx: TestContext, args: string[], edit: (c: Cfg) => void, expected: string): Promise<CommandRecord> {
  const b = bundle(ctx, args, edit);
  const r = await ctx.driver.create(ctx.id(), b.dir);
  errored(ctx, r, expected);
  return r;
}

/** The host is x86_64 (personality LINUX32's i686, the i386 system call entry). */
export const onX86_64 = process.arch === 'x64';
