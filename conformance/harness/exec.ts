// One child process with a deadline, its stdout and stderr appended to files and read back.
// Never pipes: a runtime hands its stdio to the container it makes (runc's `create` and
// `run --detach` do), so a pipe would stay open until the container exits and a reader waiting for
// EOF would hang. Files are read back from the offset they had before the call.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { CommandRecord } from './types.ts';

export const DEFAULT_TIMEOUT_MS = 10_000;
/** Evidence is for reading: a runaway container printing megabytes should not bloat the report. */
const MAX_CAPTURE = 64 * 1024;

export interface ExecOptions {
  /** Files the child's fd 1 and fd 2 append to. */
  stdout: string;
  stderr: string;
  timeoutMs?: number;
  /** The whole environment: nothing of the caller's is passed unless given here. */
  env?: Record<string, string>;
  cwd?: string;
  /** Running children, so that a test's end can kill whatever is still in flight. */
  running?: Set<ChildProcess>;
}

export async function execute(argv: string[], o: ExecOptions): Promise<CommandRecord> {
  const out = openSync(o.stdout, 'a+');
  const err = openSync(o.stderr, 'a+');
  const from = [fstatSync(out).size, fstatSync(err).size] as const;
  const t0 = performance.now();
  try {
    const { code, signal, timedOut, spawnError } = await waitChild(argv, out, err, o);
    const stderr = readFrom(err, from[1]) + (spawnError === undefined ? '' : `spawn ${argv[0]}: ${spawnError}\n`);
    return { argv, code, signal, stdout: readFrom(out, from[0]), stderr, ms: Math.round(performance.now() - t0), timedOut };
  } finally {
    closeSync(out);
    closeSync(err);
  }
}

interface Exit {
  code: number | null;
  signal: string | null;
  timedOut: boolean;
  spawnError?: string;
}

function waitChild(argv: string[], out: number, err: number, o: ExecOptions): Promise<Exit> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', out, err], env: o.env ?? {}, cwd: o.cwd });
    o.running?.add(child);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, o.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const done = (e: Exit) => {
      clearTimeout(timer);
      o.running?.delete(child);
      resolve(e);
    };
    // A missing binary: a shell's 127, with the reason in stderr.
    child.once('error', (e) => done({ code: 127, signal: null, timedOut: false, spawnError: e.message }));
    child.once('exit', (code, signal) => done({ code: timedOut ? null : code, signal, timedOut }));
  });
}

function readFrom(fd: number, offset: number): string {
  const size = fstatSync(fd).size;
  const start = Math.max(offset, size - MAX_CAPTURE);
  const buf = Buffer.alloc(size - start);
  let n = 0;
  while (n < buf.length) {
    const got = readSync(fd, buf, n, buf.length - n, start + n);
    if (got === 0) break;
    n += got;
  }
  const text = buf.subarray(0, n).toString('utf8');
  return start > offset ? `[… ${start - offset} bytes cut]\n${text}` : text;
}
