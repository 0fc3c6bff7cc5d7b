// draft runtime.md "Stop": every process of the container stops; without autoremove the container
// stays (stopped) until delete; with autoremove, delete is invoked. v1.3.0 has no stop operation.
import { describe, expect, it } from 'vitest';
import { cgroupDirsOf, cgroupPids, eachTestSandbox, isAlive, isRoot, leftovers, lines, NEEDS_ROOT, Sandbox, waitFor, waitForText } from './harness.ts';

describe.skipIf(!isRoot)(`stop (${NEEDS_ROOT})`, () => {
  let s: Sandbox;
  eachTestSandbox((x) => (s = x));

  /** A running container of `sample` with the probe as pid 1 and three children. */
  async function runningWithChildren(sample: string): Promise<{ id: string; pids: number[] }> {
    const id = s.id();
    const r = s.create(s.bundle(sample, (c) => (c.process!.args = ['/probe', 'fork', '3', 'print', 'forked', 'sleep', '100'])), id);
    expect(r.code, r.stderr).toBe(0);
    expect(s.ocirt(['start', id]).code).toBe(0);
    await waitForText(r.out, 'forked');
    expect(await waitFor(() => cgroupPids(id).length === 4)).toBe(true);
    return { id, pids: cgroupPids(id) };
  }

  it('draft runtime.md "Stop": every process of the container stops; the container stays, stopped, and can then be deleted', async () => {
    const { id, pids } = await runningWithChildren('draft-basic');
    const r = s.ocirt(['stop', id]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(pids.filter(isAlive)).toEqual([]);
    expect(cgroupPids(id)).toEqual([]);
    // "MUST NOT delete any resources associated with the container, except for the PID namespace"
    expect(s.state(id).status).toBe('stopped');
    expect(cgroupDirsOf(id)).not.toEqual([]);
    expect(s.rootEntries()).toEqual([id]);
    expect(s.ocirt(['delete', id]).code).toBe(0);
    expect(s.rootEntries()).toEqual([]);
    expect(leftovers(id)).toEqual([]);
  });

  it('draft runtime.md "Stop": a created container can be stopped too', () => {
    const id = s.id();
    expect(s.create(s.bundle('draft-basic'), id).code).toBe(0);
    const pid = s.state(id).pid;
    expect(s.ocirt(['stop', id]).code).toBe(0);
    expect(isAlive(pid)).toBe(false);
    expect(s.state(id).status).toBe('stopped');
  });

  it('draft runtime.md "Stop": with root.autoremove true, stop MUST invoke delete', async () => {
    const { id, pids } = await runningWithChildren('draft-autoremove');
    const r = s.ocirt(['stop', id]);
    expect(r.code, r.stderr).toBe(0);
    expect(pids.filter(isAlive)).toEqual([]);
    expect(s.ocirt(['state', id]).stderr).toBe(`ocirt: container "${id}" does not exist\n`);
    expect(leftovers(id)).toEqual([]);
  });

  it('draft runtime.md "Stop": stopping a stopped container is an error and changes nothing', () => {
    const id = s.id();
    expect(s.create(s.bundle('draft-basic'), id).code).toBe(0);
    expect(s.ocirt(['stop', id]).code).toBe(0);
    const before = s.state(id);
    const r = s.ocirt(['stop', id]);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual(['ocirt: cannot stop a container that is stopped']);
    expect(s.state(id)).toEqual(before);
  });

  it('draft runtime.md "Stop": stop MUST generate an error when not given a container id', () => {
    const r = s.ocirt(['stop']);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual(['ocirt: stop: missing container id']);
  });

  it('runtime.md (v1.3.0) "Operations": stop is not an operation of v1.3.0: on a v1 bundle it is an error and the container runs on', async () => {
    const { id, pids } = await runningWithChildren('v1-basic');
    const r = s.ocirt(['stop', id]);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/^ocirt: stop is an operation of the draft edition only/);
    expect(s.state(id).status).toBe('running');
    expect(pids.filter(isAlive)).toEqual(pids);
  });
});
