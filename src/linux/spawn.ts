// Starting the executor with a pipe at fd 3, one way under Bun and another under Node (DESIGN.md:
// no Bun-only or Node-only API without a fallback). Under Bun the native Bun.spawn costs ~1 ms where
// node:child_process costs ~6 ms of start-up, and every ocirt call pays it (docs/performance.md).
//
// The executor is never run from a file: each spawn gets a sealed memfd (executor-image.ts) as one of
// the child's stdio slots and execs /proc/self/fd/<slot>, which the kernel resolves before it closes
// anything. Every entry point of the executor closes the descriptors above its own (the slot among
// them), so neither the init nor the watcher keeps the memfd open; only the mapping holds it.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync } from 'node:fs';
import { constants } from 'node:os';
import { EXECUTOR_NAME, sealedExecutor } from './executor-image.ts';
import { isBun } from './ffi.ts';

export interface Child {
  /** Exit status; 128 + signal number when killed. */
  exited: Promise<number>;
  kill(signal: NodeJS.Signals): void;
  /** Everything written to the fd-3 pipe, until every holder has closed it. */
  readPipe(): Promise<Buffer>;
}

interface BunProcess {
  stdio: Array<number | undefined>;
  exited: Promise<number>;
  signalCode: string | null;
  kill(signal?: string): void;
}
declare const Bun: {
  spawn(argv: string[], o: { cwd: string; env: Record<string, string>; stdio: Array<string | number>; argv0: string }): BunProcess;
  file(fd: number): { stream(): AsyncIterable<Uint8Array> };
};

const signalStatus = (name: string | null) => 128 + (constants.signals[name as NodeJS.Signals] ?? 0);

/**
 * The child's fds: 0-2 inherited, then --preserve-fds N (this process's 3..3+N-1, at the same
 * numbers), the frame pipe at 3+N (pipeSlot), the memfd after it (imageSlot). The executor keeps
 * every fd below the pipe for the container's process and closes the rest.
 */
const pipeSlot = (preserve: number) => 3 + preserve;
const imageSlot = (preserve: number) => 4 + preserve;
const stdio = (image: number, preserve: number): Array<'inherit' | 'pipe' | number> => [
  'inherit', 'inherit', 'inherit', ...Array.from({ length: preserve }, (_, i) => 3 + i), 'pipe', image,
];
const execPath = (slot: number) => `/proc/self/fd/${slot}`;

/** The pipe Bun.spawn hands back is non-blocking: Bun's own file stream waits on it properly. */
async function readFdToEnd(fd: number): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const c of Bun.file(fd).stream()) chunks.push(c);
  return Buffer.concat(chunks);
}

function bunSpawn(args: string[], cwd: string, image: number, preserve: number): Child {
  const p = Bun.spawn([execPath(imageSlot(preserve)), ...args], { cwd, env: {}, stdio: stdio(image, preserve), argv0: EXECUTOR_NAME });
  const pipe = p.stdio[pipeSlot(preserve)];
  return {
    exited: p.exited.then((code) => (p.signalCode ? signalStatus(p.signalCode) : code)),
    kill: (signal) => p.kill(signal),
    readPipe: async () => (typeof pipe === 'number' ? readFdToEnd(pipe) : Buffer.alloc(0)),
  };
}

function nodeSpawn(args: string[], cwd: string, image: number, preserve: number): Child {
  const child = spawn(execPath(imageSlot(preserve)), args, { cwd, env: {}, stdio: stdio(image, preserve), argv0: EXECUTOR_NAME });
  const failed = new Promise<never>((_, reject) => child.once('error', reject));
  const exited = new Promise<number>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signalStatus(signal))));
  const readPipe = () =>
    Promise.race([
      failed,
      new Promise<Buffer>((resolve) => {
        const chunks: Buffer[] = [];
        const pipe = child.stdio[pipeSlot(preserve)] as NodeJS.ReadableStream | null | undefined;
        if (!pipe) return resolve(Buffer.alloc(0));
        pipe.on('data', (c: Buffer) => chunks.push(c));
        pipe.once('close', () => resolve(Buffer.concat(chunks)));
      }),
    ]);
  return { exited: Promise.race([exited, failed.catch(() => 255)]), kill: (s) => child.kill(s), readPipe };
}

/** `ocirt-executor ARGS` in `cwd`; `argsFor` gets the frame pipe's fd, which follows the `preserve` fds. */
export function spawnExecutor(argsFor: (pipeFd: number) => string[], cwd: string, preserve = 0): Child {
  const image = sealedExecutor();
  const args = argsFor(pipeSlot(preserve));
  try {
    // Both spawns have exec'd (or failed to) when they return: the parent's copy can go.
    return isBun() ? bunSpawn(args, cwd, image, preserve) : nodeSpawn(args, cwd, image, preserve);
  } finally {
    closeSync(image);
  }
}

/**
 * `ocirt-executor ARGS` with no stdio, waited for: the watcher, whose first process exits once it has
 * forked. The memfd is its fd 3, which it closes with the rest.
 */
export function runExecutorSync(args: string[]): { status: number | null; error?: Error } {
  const image = sealedExecutor();
  try {
    return spawnSync(execPath(3), args, { stdio: ['ignore', 'ignore', 'ignore', image], env: {}, argv0: EXECUTOR_NAME });
  } finally {
    closeSync(image);
  }
}
