// Runs the public runtime-tools validation programs (`DIR/validation/*/*.t`, built by runtime-tools'
// `make runtimetest validation-executables`) against the runtime under test and folds their TAP
// into suite results. Each runs from DIR (they find `runtimetest` there), with RUNTIME set to the
// runtime as the suite calls it (for crun: the wrapper that enters its cgroup2 mount namespace),
// and with a timeout.
import { accessSync, constants, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { execute } from '../harness/exec.ts';
import type { TestResult } from '../harness/types.ts';
import { pool } from '../pool.ts';
import { foldTap } from './fold.ts';

export const PROGRAM_TIMEOUT_MS = 120_000;

export interface ToolsOptions {
  /** runtime-tools' checkout. */
  dir: string;
  /** What RUNTIME is set to. */
  runtime: string;
  jobs: number;
  timeoutMs?: number;
  onResult?: (r: TestResult[], done: number, total: number) => void;
}

/** Executable files matching DIR/validation/*\/*.t, sorted. */
export function findPrograms(dir: string): string[] {
  const validation = join(dir, 'validation');
  const subdirs = readdirSync(validation, { withFileTypes: true }).filter((e) => e.isDirectory() || e.isSymbolicLink());
  const files = subdirs.flatMap((d) => readdirSync(join(validation, d.name)).filter((f) => f.endsWith('.t')).map((f) => join(validation, d.name, f)));
  return files.filter(isExecutableFile).sort();
}

/** The area name of a program: its directory (validation/create/create.t → create), or dir/file when they differ. */
export function programName(path: string): string {
  const dir = basename(dirname(path));
  const base = basename(path, '.t');
  return dir === base ? dir : `${dir}/${base}`;
}

export async function runRuntimeTools(o: ToolsOptions): Promise<TestResult[]> {
  const programs = findPrograms(o.dir);
  let done = 0;
  const folded = await pool(programs, o.jobs, async (path) => {
    const rs = await runProgram(path, o);
    o.onResult?.(rs, ++done, programs.length);
    return rs;
  });
  return folded.flat();
}

async function runProgram(path: string, o: ToolsOptions): Promise<TestResult[]> {
  const out = mkdtempSync(join(tmpdir(), 'oci-conformance-rt-'));
  try {
    const env = { RUNTIME: o.runtime, PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', TMPDIR: tmpdir() };
    const r = await execute([path], { stdout: join(out, 'tap'), stderr: join(out, 'stderr'), env, cwd: o.dir, timeoutMs: o.timeoutMs ?? PROGRAM_TIMEOUT_MS });
    return foldTap(programName(path), readFileSync(join(out, 'tap'), 'utf8'), r);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function isExecutableFile(f: string): boolean {
  try {
    accessSync(f, constants.X_OK);
    return statSync(f).isFile();
  } catch {
    return false;
  }
}
