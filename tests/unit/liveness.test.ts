import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isAlive, parseStat, processState, startTime } from '../../src/state/liveness.ts';

let dir: string;
const children: ChildProcess[] = [];
beforeAll(() => {
  dir = fs.mkdtempSync(join(tmpdir(), 'ocirt-liveness-'));
});
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function start(cmd: string, args: string[]): ChildProcess {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  children.push(child);
  return child;
}

async function firstLine(child: ChildProcess): Promise<string> {
  let buf = '';
  for await (const chunk of child.stdout!) {
    buf += String(chunk);
    const nl = buf.indexOf('\n');
    if (nl >= 0) return buf.slice(0, nl);
  }
  throw new Error('no output');
}

/** Polls (no timing assertion) until `cond` holds. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(cond()).toBe(true);
}

describe('parseStat', () => {
  it('counts fields after the last ")" so comm may hold spaces and parentheses', () => {
    const rest = Array.from({ length: 50 }, (_, i) => String(i + 3));
    rest[0] = 'S';
    rest[1] = '77';
    const stat = parseStat(`123 (a) b (c) ) ${rest.join(' ')}\n`);
    expect(stat).toEqual({ state: 'S', ppid: 77, startTime: '22' });
  });

  it('rejects truncated text', () => {
    expect(parseStat('123 (x) S 1')).toBeUndefined();
    expect(parseStat('garbage')).toBeUndefined();
  });
});

describe('liveness of real processes', () => {
  it('a running child is alive with its own start time and not with another', async () => {
    const child = start('sleep', ['100']);
    await once(child, 'spawn');
    const st = startTime(child.pid!);
    expect(st).toMatch(/^\d+$/);
    expect(processState(child.pid!)).toMatch(/^[RSD]$/);
    expect(isAlive(child.pid!, st)).toBe(true);
    expect(isAlive(child.pid!, undefined)).toBe(true);
    expect(isAlive(child.pid!, String(Number(st) + 1))).toBe(false); // a reused pid
  });

  it('reads the start time of a process whose comm holds spaces and parentheses', async () => {
    const odd = join(dir, 'a) b (c');
    fs.copyFileSync('/bin/sleep', odd);
    fs.chmodSync(odd, 0o755);
    const child = start(odd, ['100']);
    await once(child, 'spawn');
    await until(() => fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').includes('(a) b (c)'));
    const st = startTime(child.pid!);
    expect(st).toMatch(/^\d+$/);
    expect(processState(child.pid!)).toMatch(/^[RSD]$/);
    expect(isAlive(child.pid!, st)).toBe(true);
  });

  it('a killed but unreaped process (zombie) is not alive', async () => {
    // The grandchild's parent becomes `sleep 200`, which never reaps it.
    const parent = start('sh', ['-c', 'sleep 100 </dev/null >/dev/null & echo $!; exec sleep 200']);
    const pid = Number(await firstLine(parent));
    const st = startTime(pid);
    expect(isAlive(pid, st)).toBe(true);
    process.kill(pid, 'SIGKILL');
    await until(() => processState(pid) === 'Z');
    expect(startTime(pid)).toBe(st); // still in /proc, with the same start time
    expect(isAlive(pid, st)).toBe(false);
  });

  it('a killed and reaped process is not alive and has no start time', async () => {
    const child = start('sleep', ['100']);
    await once(child, 'spawn');
    const pid = child.pid!;
    const st = startTime(pid);
    child.kill('SIGKILL');
    await once(child, 'exit'); // node has reaped it
    expect(startTime(pid)).toBeUndefined();
    expect(processState(pid)).toBeUndefined();
    expect(isAlive(pid, st)).toBe(false);
  });

  it('nonsense pids are not alive', () => {
    expect(isAlive(0, undefined)).toBe(false);
    expect(isAlive(-1, undefined)).toBe(false);
    expect(isAlive(1.5, undefined)).toBe(false);
    expect(startTime(0)).toBeUndefined();
  });
});
