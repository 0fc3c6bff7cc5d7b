// The start side of the init's start socket: send the process message, then read until EOF.
// The connection is close-on-exec in the init, so EOF with no ERROR frame means execve succeeded.
import { closeSync, openSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { OciError } from '../errors.ts';
import { START_SOCKET } from '../plan/build.ts';
import { decodeFrames, prefixed } from '../plan/wire.ts';
import type { StepError } from '../linux/executor.ts';

const SUN_PATH_MAX = 107;

/** A socket path short enough for sun_path: through /proc/self/fd when the state directory is deep. */
function socketPath(stateDir: string): { path: string; close: () => void } {
  const direct = join(stateDir, START_SOCKET);
  if (Buffer.byteLength(direct) <= SUN_PATH_MAX) return { path: direct, close: () => {} };
  const fd = openSync(stateDir, 'r');
  return { path: `/proc/self/fd/${fd}/${START_SOCKET}`, close: () => closeSync(fd) };
}

export function sendProcess(stateDir: string, message: Buffer): Promise<StepError | undefined> {
  const where = socketPath(stateDir);
  return new Promise((resolve, reject) => {
    let buf: Buffer = Buffer.alloc(0);
    const sock = createConnection({ path: where.path });
    sock.on('connect', () => sock.end(prefixed(message)));
    sock.on('data', (chunk: Buffer) => (buf = Buffer.concat([buf, chunk])));
    sock.on('error', (err) => reject(new OciError('syscall', `connect to the container's init: ${err.message}`, err)));
    sock.on('close', () => {
      where.close();
      const error = decodeFrames(buf).frames.find((f) => f.type === 'error');
      resolve(error?.type === 'error' ? error : undefined);
    });
  });
}
