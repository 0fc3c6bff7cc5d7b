// Runs under Node, so these exercise the koffi backend; the bun:ffi backend is exercised by the
// lock and store tests' Bun children.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OciError } from '../../src/errors.ts';
import {
  LOCK_EX,
  LOCK_NB,
  LOCK_UN,
  SyscallError,
  flock,
  isBun,
  pidfdOpen,
  pidfdSendSignal,
  setChildSubreaper,
} from '../../src/linux/ffi.ts';
import { readStat } from '../../src/state/liveness.ts';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(join(tmpdir(), 'ocirt-ffi-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('ffi under node (koffi)', () => {
  it('runs the koffi backend here', () => {
    expect(isBun()).toBe(false);
  });

  it('flock: a second open file description cannot take a held lock until it is released', () => {
    const file = join(dir, 'lock');
    const a = fs.openSync(file, 'w');
    const b = fs.openSync(file, 'r');
    try {
      flock(a, LOCK_EX | LOCK_NB);
      const err = thrown(() => flock(b, LOCK_EX | LOCK_NB));
      expect(err).toBeInstanceOf(OciError);
      expect(err).toBeInstanceOf(SyscallError);
      expect((err as SyscallError).code).toBe('syscall');
      expect((err as SyscallError).errno).toBe(11);
      expect((err as SyscallError).message).toBe('flock: resource temporarily unavailable (EAGAIN)');
      flock(a, LOCK_UN);
      flock(b, LOCK_EX | LOCK_NB);
    } finally {
      fs.closeSync(a);
      fs.closeSync(b);
    }
  });

  it('flock on a bad fd reports EBADF', () => {
    const err = thrown(() => flock(1_000_000, LOCK_EX)) as SyscallError;
    expect(err.errno).toBe(9);
    expect(err.errnoName).toBe('EBADF');
    expect(err.message).toMatch(/^flock: bad file descriptor/);
  });

  it('pidfdOpen + pidfdSendSignal kill a child', async () => {
    const child = spawn('sleep', ['100'], { stdio: 'ignore' });
    const exited = once(child, 'exit');
    const pidfd = pidfdOpen(child.pid!);
    try {
      expect(pidfd).toBeGreaterThanOrEqual(0);
      pidfdSendSignal(pidfd, 0); // probe: the process exists
      pidfdSendSignal(pidfd, 9);
      const [code, signal] = await exited;
      expect(code).toBe(null);
      expect(signal).toBe('SIGKILL');
      // the pidfd still names the reaped process, never a reuse of its pid
      expect((thrown(() => pidfdSendSignal(pidfd, 0)) as SyscallError).errno).toBe(3);
    } finally {
      fs.closeSync(pidfd);
    }
  });

  it('pidfdOpen of a missing pid reports ESRCH', () => {
    const err = thrown(() => pidfdOpen(4_194_304 + 1)) as SyscallError; // above pid_max's ceiling
    expect(err.code).toBe('syscall');
    expect([3, 22]).toContain(err.errno);
  });

  it('setChildSubreaper makes orphaned grandchildren ours', () => {
    setChildSubreaper();
    // sh starts sleep in the background and exits: sleep is orphaned and reparented to us, not pid 1
    const out = execFileSync('sh', ['-c', 'sleep 100 </dev/null >/dev/null 2>&1 & echo $!'], { encoding: 'utf8' });
    const orphan = Number(out.trim());
    try {
      expect(readStat(orphan)?.ppid).toBe(process.pid);
    } finally {
      process.kill(orphan, 'SIGKILL');
    }
  });
});
