// Runs the C executor on a plan and collects its frames (protocol.ts): the init's pid, then READY
// or an ERROR naming the failed step. The plan travels as a file in the state directory; the frames
// on a pipe at fd 3, which every stage closes, so EOF means no stage has anything more to say.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OciError } from '../errors.ts';
import { decodeFrames, type Frame } from '../plan/wire.ts';
import { paths } from '../paths.ts';

export type StepError = Extract<Frame, { type: 'error' }>;

export interface Launch {
  pid?: number;
  error?: StepError;
  /** Resolves with the executor's exit status (in run mode, the container's). */
  exited: Promise<number>;
  child: ChildProcess;
}

const PLAN_FILE = 'plan.bin';

function exitOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once('exit', (code, signal) => resolve(code ?? 128 + (signal ? 9 : 0)));
    child.once('error', () => resolve(255));
  });
}

/** Reads frames from the sync pipe until EOF. */
function readFrames(child: ChildProcess): Promise<Frame[]> {
  return new Promise((resolve) => {
    const frames: Frame[] = [];
    let buf: Buffer = Buffer.alloc(0);
    const pipe = child.stdio[3];
    if (!pipe) return resolve(frames);
    pipe.on('data', (chunk: Buffer) => {
      const out = decodeFrames(Buffer.concat([buf, chunk]));
      frames.push(...out.frames);
      buf = out.rest;
    });
    pipe.once('close', () => resolve(frames));
    pipe.once('error', () => resolve(frames));
  });
}

export async function launch(mode: 'create' | 'run', stateDir: string, plan: Buffer): Promise<Launch> {
  writeFileSync(join(stateDir, PLAN_FILE), plan, { mode: 0o600 });
  const child = spawn(paths.executor, [mode, '3', PLAN_FILE], {
    cwd: stateDir,
    env: {},
    stdio: ['inherit', 'inherit', 'inherit', 'pipe'],
  });
  const exited = exitOf(child);
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const frames = await Promise.race([readFrames(child), spawnError]);
  if (frames instanceof Error) throw new OciError('syscall', `run executor ${paths.executor}: ${frames.message}`, frames);
  const result: Launch = { exited, child };
  for (const f of frames) {
    if (f.type === 'pid') result.pid = f.pid;
    if (f.type === 'error' && !result.error) result.error = f;
  }
  if (!result.error && !frames.some((f) => f.type === 'ready')) {
    result.error = { type: 'error', step: -1, errno: 0, context: `executor exited with status ${await exited} before the init was ready`, text: '' };
  }
  return result;
}

/** "mounts[3] (/proc): mount proc on /…/proc: permission denied" */
export function describeStepError(e: StepError, labels: string[]): string {
  const label = labels[e.step] ?? 'container init';
  const text = e.text ? `: ${e.text.charAt(0).toLowerCase()}${e.text.slice(1)}` : '';
  return `${label}: ${e.context}${text}`;
}
