// runc's --preserve-fds N: the caller's fds 3..3+N-1 are the container process's too, at the same
// numbers; without it, nothing but 0, 1 and 2 reaches the process (ENGINES.md "Commands").
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { eachTestSandbox, isRoot, NEEDS_ROOT, OCIRT, Sandbox } from './harness.ts';

describe.skipIf(!isRoot)(`--preserve-fds (${NEEDS_ROOT})`, () => {
  let s: Sandbox;
  eachTestSandbox((x) => (s = x));

  /** `run` with `extra` as the caller's fds 3, 4, …; returns the exit code and the probe's lines. */
  function runWith(preserve: number, extra: number[], args: string[]): { code: number | null; lines: Array<Record<string, unknown>>; stderr: string } {
    const id = s.id();
    const out = s.file('out');
    const err = s.file('err');
    const [o, e] = [openSync(out, 'w'), openSync(err, 'w')];
    try {
      const bundle = s.bundle('v1-basic', (c) => (c.process!.args = ['/probe', ...args]));
      const flags = preserve > 0 ? ['--preserve-fds', String(preserve)] : [];
      const r = spawnSync(OCIRT, ['--root', s.root, 'run', ...flags, '--bundle', bundle, id], { stdio: ['ignore', o, e, ...extra], env: {}, timeout: 20_000 });
      const lines = readFileSync(out, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
      return { code: r.status, lines, stderr: readFileSync(err, 'utf8') };
    } finally {
      closeSync(o);
      closeSync(e);
    }
  }

  it('--preserve-fds 1: the caller\'s fd 3 is the process\'s fd 3, and fd 4 is not there', () => {
    const file = s.file('shared');
    const fd = openSync(file, 'w');
    try {
      const r = runWith(1, [fd], ['write', '/proc/self/fd/3', 'through fd 3', 'stat', '/proc/self/fd/3', 'stat', '/proc/self/fd/4']);
      expect(r.code, r.stderr).toBe(0);
      expect(readFileSync(file, 'utf8')).toBe('through fd 3');
      expect(r.lines[0]).toMatchObject({ type: 'file' });
      expect(r.lines[1]).toMatchObject({ errno: 2 });
    } finally {
      closeSync(fd);
    }
  });

  it('without --preserve-fds a caller\'s fd 3 does not reach the process', () => {
    const fd = openSync(s.file('private'), 'w');
    try {
      const r = runWith(0, [fd], ['stat', '/proc/self/fd/3']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.lines[0]).toMatchObject({ errno: 2 });
    } finally {
      closeSync(fd);
    }
  });
});
