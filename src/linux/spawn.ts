// Starting the executor with a pipe at fd 3, one way under Bun and another under Node (DESIGN.md:
// no Bun-only or Node-only API without a fallback). Under Bun the native Bun.spawn costs ~1 ms where
// node:child_process costs ~6 ms of start-up, and every ocirt call pays it (docs/performance.md).
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
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
  spawn(argv: string[], o: { cwd: string; env: Record<string, string>; stdio: string[] }): BunProcess;
  file(fd: number): { stream(): AsyncIterable<Uint8Array> };
};

const signalStatus = (name: string | null) => 128 + (constants.signals[name as NodeJS.Signals] ?? 0);

const STDIO = ['inherit', 'inherit', 'inherit', 'pipe'];

/** The pipe Bun.spawn hands back is non-blocking: Bun's own file stream waits on it properly. */
async function readFdToEnd(fd: number): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const c of Bun.file(fd).stream()) chunks.push(c);
  return Buffer.concat(chunks);
}

function bunSpawn(argv: string[], cwd: string): Child {
  const p = Bun.spawn(argv, { cwd, env: {}, stdio: STDIO });
  return {
    exited: p.exited.then((code) => (p.signalCode ? signalStatus(p.signalCode) : code)),
    kill: (signal) => p.kill(signal),
    readPipe: async () => (typeof p.stdio[3] === 'number' ? readFdToEnd(p.stdio[3]) : Buffer.alloc(0)),
  };
}

function nodeSpawn(argv: string[], cwd: string): Child {
  const child = spawn(argv[0]!, argv.slice(1), { cwd, env: {}, stdio: ['inherit', 'inherit', 'inherit', 'pipe'] });
  const failed = new Promise<never>((_, reject) => child.once('error', reject));
  const exited = new Promise<number>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signalStatus(signal))));
  const readPipe = () =>
    Promise.race([
      failed,
      new Promise<Buffer>((resolve) => {
        const chunks: Buffer[] = [];
        const pipe = child.stdio[3];
        if (!pipe) return resolve(Buffer.alloc(0));
        pipe.on('data', (c: Buffer) => chunks.push(c));
        pipe.once('close', () => resolve(Buffer.concat(chunks)));
      }),
    ]);
  return { exited: Promise.race([exited, failed.catch(() => 255)]), kill: (s) => child.kill(s), readPipe };
}

export function spawnWithPipe(argv: string[], cwd: string): Child {
  return isBun() ? bunSpawn(argv, cwd) : nodeSpawn(argv, cwd);
}
