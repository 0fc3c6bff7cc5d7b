// Contention runs both ways between this process (Node: koffi's flock) and a Bun child (bun:ffi's
// flock). Ordering is asserted from the sequence of writes to a log; "the other side is waiting"
// is observed in /proc/locks (a `->` line is a blocked flock), never inferred from timing.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OciError } from '../../src/errors.ts';
import { LOCK_EX, LOCK_NB } from '../../src/linux/ffi.ts';
import { lockFd, unlockFd, withLock } from '../../src/state/lock.ts';
import { Store } from '../../src/state/store.ts';

const BUN = resolve('node_modules/.bin/bun');
const SRC = resolve('src/state');

let tmp: string;
let store: Store;
let log: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(join(tmpdir(), 'ocirt-lock-'));
  store = new Store(join(tmp, 'root'));
  store.reserve('c1');
  log = join(tmp, 'log');
  fs.writeFileSync(log, '');
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

const append = (line: string) => fs.appendFileSync(log, `${line}\n`);
const logged = () => fs.readFileSync(log, 'utf8').trim().split('\n');
const lockPath = () => join(store.dir('c1'), 'lock');

/** Pids blocked in flock on the file with inode `ino`, from /proc/locks. */
function waitersOn(ino: number): number[] {
  const out: number[] = [];
  for (const line of fs.readFileSync('/proc/locks', 'utf8').split('\n')) {
    const m = /->\s+FLOCK\s+\S+\s+\S+\s+(\d+)\s+[0-9a-f]+:[0-9a-f]+:(\d+)\s/.exec(line);
    if (m && Number(m[2]) === ino) out.push(Number(m[1]));
  }
  return out;
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 4000 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(cond()).toBe(true);
}

function bun(code: string): ChildProcess {
  const env = { ...process.env, ROOT: store.root, LOG: log };
  return spawn(BUN, ['-e', code], { env, stdio: ['ignore', 'pipe', 'inherit'] });
}

async function exitOf(child: ChildProcess): Promise<number | null> {
  const [code] = child.exitCode !== null ? [child.exitCode] : await once(child, 'exit');
  return code as number | null;
}

const IMPORTS = `
  import * as fs from 'node:fs';
  import { withLock } from ${JSON.stringify(join(SRC, 'lock.ts'))};
  import { Store } from ${JSON.stringify(join(SRC, 'store.ts'))};
  const store = new Store(process.env.ROOT);
  const append = (line) => fs.appendFileSync(process.env.LOG, line + '\\n');`;

describe('withLock', () => {
  it('returns what fn returns and releases the lock', async () => {
    expect(await withLock(store, 'c1', () => 42)).toBe(42);
    expect(await withLock(store, 'c1', async () => 'async')).toBe('async');
    unlockFd(lockFd(lockPath(), LOCK_EX | LOCK_NB)); // free
  });

  it('releases the lock when fn throws', async () => {
    await expect(
      withLock(store, 'c1', () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    unlockFd(lockFd(lockPath(), LOCK_EX | LOCK_NB)); // free
  });

  it('holds the flock while fn runs', async () => {
    await withLock(store, 'c1', () => {
      const err = (() => {
        try {
          lockFd(lockPath(), LOCK_EX | LOCK_NB);
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(OciError);
      expect((err as OciError).code).toBe('syscall');
    });
  });

  it('is not-found for a container without a directory, usage for a bad id', async () => {
    await expect(withLock(store, 'ghost', () => 1)).rejects.toMatchObject({
      code: 'not-found',
      message: 'container "ghost" does not exist',
    });
    await expect(withLock(store, '../x', () => 1)).rejects.toMatchObject({ code: 'usage' });
    expect(fs.existsSync(join(store.root, 'ghost'))).toBe(false);
  });

  it('serialises callers in one process instead of deadlocking', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = withLock(store, 'c1', async () => {
      append('first-start');
      await gate;
      append('first-end');
    });
    const second = withLock(store, 'c1', () => append('second'));
    const third = withLock(store, 'c1', () => append('third'));
    await new Promise((r) => setImmediate(r));
    append('released');
    release();
    await Promise.all([first, second, third]);
    expect(logged()).toEqual(['first-start', 'released', 'first-end', 'second', 'third']);
  });

  it('a Bun process waits while this process holds the lock', async () => {
    let child!: ChildProcess;
    await withLock(store, 'c1', async () => {
      const ino = fs.statSync(lockPath()).ino;
      append('node-start');
      child = bun(`${IMPORTS}
        await withLock(store, 'c1', () => append('bun-got'));`);
      await until(() => waitersOn(ino).includes(child.pid!));
      append('node-end');
    });
    expect(await exitOf(child)).toBe(0);
    expect(logged()).toEqual(['node-start', 'node-end', 'bun-got']);
  });

  it('this process waits while a Bun process holds the lock', async () => {
    const child = bun(`${IMPORTS}
      await withLock(store, 'c1', async () => {
        append('bun-start');
        console.log('held');
        const ino = fs.statSync(store.dir('c1') + '/lock').ino;
        while (!fs.readFileSync('/proc/locks', 'utf8').split('\\n')
                 .some((l) => l.includes('->') && l.includes(':' + ino + ' '))) {
          await new Promise((r) => setTimeout(r, 5));
        }
        append('bun-end');
      });`);
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    expect((await lines.next()).value).toBe('held');
    expect(waitersOn(fs.statSync(lockPath()).ino)).toEqual([]);
    await withLock(store, 'c1', () => append('node-got')); // blocks this thread in flock
    expect(await exitOf(child)).toBe(0);
    expect(logged()).toEqual(['bun-start', 'bun-end', 'node-got']);
  });

  it('a waiter whose container was deleted by the holder gets not-found', async () => {
    const child = bun(`${IMPORTS}
      await withLock(store, 'c1', async () => {
        console.log('held');
        const ino = fs.statSync(store.dir('c1') + '/lock').ino;
        while (!fs.readFileSync('/proc/locks', 'utf8').split('\\n')
                 .some((l) => l.includes('->') && l.includes(':' + ino + ' '))) {
          await new Promise((r) => setTimeout(r, 5));
        }
        store.remove('c1');
      });`);
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    expect((await lines.next()).value).toBe('held');
    await expect(withLock(store, 'c1', () => append('ran'))).rejects.toMatchObject({ code: 'not-found' });
    expect(await exitOf(child)).toBe(0);
    expect(fs.existsSync(store.dir('c1'))).toBe(false);
  });
});
