// Runs the C executor on a plan and collects its frames (protocol.ts): the init's pid, then READY
// or an ERROR naming the failed step. The plan travels as a file in the state directory; the frames
// on a pipe at fd 3, which every stage closes, so EOF means no stage has anything more to say. The
// executor runs from a sealed memfd (spawn.ts), so the init is no file a container could rewrite.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OciError } from '../errors.ts';
import { decodeFrames, type Frame } from '../plan/wire.ts';
import { spawnExecutor, type Child } from './spawn.ts';

export type StepError = Extract<Frame, { type: 'error' }>;

export interface Launch {
  pid?: number;
  error?: StepError;
  /** Resolves with the executor's exit status (in run mode, the container's). */
  exited: Promise<number>;
  /** Signals the executor (in run mode it forwards the signal to the container's init). */
  kill(signal: NodeJS.Signals): void;
}

const PLAN_FILE = 'plan.bin';

/** `preserveFds`: this process's fds 3..3+N-1 reach the container's process at the same numbers (--preserve-fds). */
export async function launch(mode: 'create' | 'run' | 'exec' | 'exec-detach', stateDir: string, plan: Buffer, preserveFds = 0): Promise<Launch> {
  writeFileSync(join(stateDir, PLAN_FILE), plan, { mode: 0o600 });
  let child: Child;
  let bytes: Buffer;
  try {
    child = spawnExecutor((pipeFd) => [mode, String(pipeFd), PLAN_FILE], stateDir, preserveFds);
    bytes = await child.readPipe();
  } catch (err) {
    throw new OciError('syscall', `run the executor: ${(err as Error).message}`, err);
  }
  const frames = decodeFrames(bytes).frames;
  const result: Launch = { exited: child.exited, kill: child.kill };
  for (const f of frames) {
    if (f.type === 'pid') result.pid = f.pid;
    if (f.type === 'error' && !result.error) result.error = f;
  }
  // exec (exec.c): the process's pid, then EOF once it has exec'd; create and run: READY from the init.
  const done = mode === 'exec' || mode === 'exec-detach' ? result.pid !== undefined : frames.some((f) => f.type === 'ready');
  if (!result.error && !done) {
    result.error = { type: 'error', step: -1, errno: 0, context: `executor exited with status ${await child.exited} before the ${mode.startsWith('exec') ? 'process' : 'init'} was ready`, text: '' };
  }
  return result;
}

/** "mounts[3] (/proc): mount proc on /…/proc: permission denied" */
export function describeStepError(e: StepError, labels: string[]): string {
  const label = labels[e.step] ?? 'container init';
  const text = e.text ? `: ${e.text.charAt(0).toLowerCase()}${e.text.slice(1)}` : '';
  return `${label}: ${e.context}${text}`;
}

/**
 * `ocirt-executor hooks`: the HOOK steps of a stage-5 plan, in this process's namespaces, from a
 * directory of their own (poststop runs once the state directory is gone); the first failure, if any.
 */
export async function runHookPlan(plan: Buffer): Promise<StepError | undefined> {
  const dir = mkdtempSync(join(tmpdir(), 'ocirt-hooks-'));
  try {
    writeFileSync(join(dir, PLAN_FILE), plan, { mode: 0o600 });
    const child = spawnExecutor((pipeFd) => ['hooks', String(pipeFd), PLAN_FILE], dir);
    const frames = decodeFrames(await child.readPipe()).frames;
    const code = await child.exited;
    const error = frames.find((f): f is StepError => f.type === 'error');
    if (error || code === 0) return error;
    return { type: 'error', step: -1, errno: 0, context: `the hook runner exited with status ${code}`, text: '' };
  } catch (err) {
    throw new OciError('syscall', `run the executor: ${(err as Error).message}`, err);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
