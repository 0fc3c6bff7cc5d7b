// The start side of the init's start socket: send the process message, then read until EOF.
// The connection is close-on-exec in the init, so EOF with no ERROR frame means execve succeeded.
// The message is length-prefixed, so this side never closes first: closing (Bun's end() shuts both
// halves) would drop the ERROR frame of a step that fails (a bad cwd, an exec error).
// Under Bun, Bun.connect (~1 ms of start-up) rather than node:net (~5 ms): every `start` pays it.
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { OciError } from '../errors.ts';
import { isBun } from '../linux/ffi.ts';
import type { StepError } from '../linux/executor.ts';
import { START_SOCKET } from '../plan/build.ts';
import { decodeFrames, prefixed } from '../plan/wire.ts';

const SUN_PATH_MAX = 107;

interface BunSocket {
  write(data: Uint8Array): number;
}
interface BunHandlers {
  open(s: BunSocket): void;
  drain(s: BunSocket): void;
  data(s: BunSocket, d: Uint8Array): void;
  close(): void;
  error(s: BunSocket, e: Error): void;
}
declare const Bun: { connect(o: { unix: string; socket: BunHandlers }): Promise<unknown> };

/** A socket path short enough for sun_path: through /proc/self/fd when the state directory is deep. */
function socketPath(stateDir: string): { path: string; close: () => void } {
  const direct = join(stateDir, START_SOCKET);
  if (Buffer.byteLength(direct) <= SUN_PATH_MAX) return { path: direct, close: () => {} };
  const fd = openSync(stateDir, 'r');
  return { path: `/proc/self/fd/${fd}/${START_SOCKET}`, close: () => closeSync(fd) };
}

/** Sends `message`, returns every byte the peer wrote before closing. */
function exchangeBun(path: string, message: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let unsent = message;
    // write() may take part of a large message (a seccomp program); drain() sends the rest.
    const send = (s: BunSocket) => void (unsent = unsent.subarray(Math.max(0, s.write(unsent))));
    Bun.connect({
      unix: path,
      socket: {
        open: send,
        drain: send,
        data: (_s, d) => void chunks.push(Buffer.from(d)),
        close: () => resolve(Buffer.concat(chunks)),
        error: (_s, e) => reject(e),
      },
    }).catch(reject);
  });
}

async function exchangeNode(path: string, message: Buffer): Promise<Buffer> {
  const { createConnection } = await import('node:net');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const sock = createConnection({ path });
    sock.on('connect', () => sock.write(message));
    sock.on('data', (c: Buffer) => chunks.push(c));
    sock.on('error', reject);
    sock.on('close', () => resolve(Buffer.concat(chunks)));
  });
}

export async function sendProcess(stateDir: string, message: Buffer): Promise<StepError | undefined> {
  const where = socketPath(stateDir);
  try {
    const reply = await (isBun() ? exchangeBun : exchangeNode)(where.path, prefixed(message));
    const error = decodeFrames(reply).frames.find((f) => f.type === 'error');
    return error?.type === 'error' ? error : undefined;
  } catch (err) {
    throw new OciError('syscall', `connect to the container's init: ${(err as Error).message}`, err);
  } finally {
    where.close();
  }
}
