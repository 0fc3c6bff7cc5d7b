// Operations on one container are serialised by flock(2) on `<root>/<id>/lock` (DESIGN.md "State").
// create holds it from the reservation until the container is whole, and only a holder removes the
// directory, so a delete that waited finds a whole container, a create that died (its journal says
// what to undo), or nothing (docs/reliability.md).
//
// flock blocks the whole thread, and JavaScript has one: a second withLock on the same container
// from the same process would open a second file description, block in flock and never see the
// first one finish. So callers in one process queue on a promise first, and only the head of the
// queue takes the flock; across processes the kernel does the queueing.

import * as fs from 'node:fs';
import { join } from 'node:path';
import { OciError, notFound, wrap } from '../errors.ts';
import { LOCK_EX, LOCK_UN, flock } from '../linux/ffi.ts';
import { LOCK_FILE, type Store } from './store.ts';

const queues = new Map<string, Promise<void>>();

/** Runs `fn` holding the container's lock; the lock is released and closed even when `fn` throws. */
export async function withLock<T>(store: Store, id: string, fn: () => Promise<T> | T): Promise<T> {
  const path = join(store.dir(id), LOCK_FILE);
  const before = queues.get(path) ?? Promise.resolve();
  let done!: () => void;
  const released = new Promise<void>((resolve) => (done = resolve));
  const mine = before.then(() => released);
  queues.set(path, mine);
  await before;
  try {
    const fd = lockContainer(path, id);
    try {
      return await fn();
    } finally {
      unlockFd(fd);
    }
  } finally {
    done();
    if (queues.get(path) === mine) queues.delete(path);
  }
}

function lockContainer(path: string, id: string): number {
  let fd: number;
  try {
    fd = lockFd(path);
  } catch (err) {
    if (err instanceof OciError) throw err;
    if (errCode(err) === 'ENOENT' || errCode(err) === 'ENOTDIR') throw notFound(id);
    throw wrap('syscall', `open ${path}`, err);
  }
  // The container may have been deleted by the holder we waited for.
  if (fs.fstatSync(fd).nlink === 0) {
    unlockFd(fd);
    throw notFound(id);
  }
  return fd;
}

/**
 * Opens `path` (created 0600 if missing; the directory must exist) and takes flock `op` on it,
 * blocking unless `op` includes LOCK_NB. Returns the fd; release it with unlockFd.
 */
export function lockFd(path: string, op: number = LOCK_EX): number {
  const fd = fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600);
  try {
    flock(fd, op);
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
  return fd;
}

/** Unlocks and closes an fd from lockFd. Closing alone would release it too; unlocking is explicit. */
export function unlockFd(fd: number): void {
  try {
    flock(fd, LOCK_UN);
  } catch {
    // closing releases the lock anyway
  }
  fs.closeSync(fd);
}

function errCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}
