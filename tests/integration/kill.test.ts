// runtime.md (v1.3.0) "Kill": the signal reaches the container process, named or numbered;
// a container that is not created or running is an error; `--all` reaches every process (ENGINES.md).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cgroupPids, eachTestSandbox, isAlive, isRoot, lines, NEEDS_ROOT, Sandbox, waitFor, waitForStatus, waitForText } from './harness.ts';

describe.skipIf(!isRoot)(`kill (${NEEDS_ROOT})`, () => {
  let s: Sandbox;
  eachTestSandbox((x) => (s = x));

  /** A running container whose probe prints "ready", then the first signal it gets, then exits. */
  async function waitingForSignal(sample: string): Promise<{ id: string; out: string }> {
    const id = s.id();
    const r = s.create(s.bundle(sample, (c) => (c.process!.args = ['/probe', 'print', 'ready', 'wait-signal'])), id);
    expect(r.code, r.stderr).toBe(0);
    expect(s.ocirt(['start', id]).code).toBe(0);
    expect(await waitForText(r.out, 'ready')).toBe('ready\n');
    return { id, out: r.out };
  }

  it.each([
    ['TERM', 'v1-basic', 15],
    ['SIGTERM', 'v1-basic', 15],
    ['15', 'v1-basic', 15],
    ['USR1', 'v1-basic', 10],
    ['10', 'draft-basic', 10],
    ['sighup', 'draft-basic', 1],
  ])('runtime.md "Kill": kill ID %s (%s) MUST send that signal to the container process', async (signal, sample, number) => {
    const { id, out } = await waitingForSignal(sample);
    const r = s.ocirt(['kill', id, signal]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(await waitForText(out, '}')).toBe(`ready\n{"signal":${number}}\n`);
    expect(await waitForStatus(s, id, 'stopped')).toBe('stopped');
  });

  it('runtime.md "Kill": without a signal, kill sends SIGTERM (as runc does)', async () => {
    const { id, out } = await waitingForSignal('v1-basic');
    expect(s.ocirt(['kill', id]).code).toBe(0);
    expect(await waitForText(out, '}')).toBe('ready\n{"signal":15}\n');
  });

  it.each(['KILL', '9'])('runtime.md "Kill": kill ID %s stops the container process, which cannot catch it', async (signal) => {
    const { id, out } = await waitingForSignal('v1-basic');
    const pid = s.state(id).pid;
    expect(s.ocirt(['kill', id, signal]).code).toBe(0);
    expect(await waitForStatus(s, id, 'stopped')).toBe('stopped');
    expect(isAlive(pid)).toBe(false);
    expect(readFileSync(out, 'utf8')).toBe('ready\n');
  });

  it('runtime.md "Kill": a signal to a created container reaches its init (SIGKILL stops it)', () => {
    const id = s.id();
    expect(s.create(s.bundle('v1-basic'), id).code).toBe(0);
    expect(s.ocirt(['kill', id, 'KILL']).code).toBe(0);
    return expect(waitForStatus(s, id, 'stopped')).resolves.toBe('stopped');
  });

  it.each(['v1-basic', 'draft-basic'])('runtime.md "Kill": kill of a stopped container MUST generate an error ("container not running") and change nothing (%s)', async (sample) => {
    const id = s.id();
    expect(s.create(s.bundle(sample, (c) => (c.process!.args = ['/probe', 'exit', '3'])), id).code).toBe(0);
    expect(s.ocirt(['start', id]).code).toBe(0);
    expect(await waitForStatus(s, id, 'stopped')).toBe('stopped');
    const before = s.state(id);
    const r = s.ocirt(['kill', id, 'KILL']);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual(['ocirt: container not running']);
    expect(s.state(id)).toEqual(before);
  });

  it('runtime.md "Kill": kill of a container that does not exist MUST generate an error', () => {
    const id = s.id();
    const r = s.ocirt(['kill', id, 'TERM']);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual([`ocirt: container "${id}" does not exist`]);
  });

  it('runtime.md "Kill": kill MUST generate an error when not given a container id; an unknown signal is a usage error', async () => {
    expect(s.ocirt(['kill']).code).toBe(2);
    const { id } = await waitingForSignal('v1-basic');
    const r = s.ocirt(['kill', id, 'SIGNOPE']);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual(['ocirt: kill: unknown signal "SIGNOPE"']);
    expect(s.state(id).status).toBe('running');
  });

  it.each(['KILL', 'TERM'])('ENGINES.md "Commands": kill --all ID %s reaches every process of a container without a PID namespace', async (signal) => {
    const id = s.id();
    const bundle = s.bundle('v1-basic', (c) => {
      c.process!.args = ['/probe', 'fork', '3', 'sleep', '100'];
      c.linux!.namespaces = c.linux!.namespaces!.filter((ns) => ns.type !== 'pid');
    });
    expect(s.create(bundle, id).code).toBe(0);
    expect(s.ocirt(['start', id]).code).toBe(0);
    expect(await waitFor(() => cgroupPids(id).length === 4)).toBe(true);
    const pids = cgroupPids(id);
    const r = s.ocirt(['kill', '--all', id, signal]);
    expect(r.code, r.stderr).toBe(0);
    expect(await waitFor(() => cgroupPids(id).length === 0)).toBe(true);
    expect(pids.filter(isAlive)).toEqual([]);
    expect(await waitForStatus(s, id, 'stopped')).toBe('stopped');
  });
});
