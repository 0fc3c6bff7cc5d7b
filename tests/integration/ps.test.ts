// `ps` (runc's command): json is the array of the container's pids, every process of its cgroups
// (containerd reads it so); the table is ps(1)'s header and the container's rows only.
import { describe, expect, it } from 'vitest';
import { cgroupPids, eachTestSandbox, isRoot, lines, NEEDS_ROOT, Sandbox, waitFor } from './harness.ts';

describe.skipIf(!isRoot)(`ps (${NEEDS_ROOT})`, () => {
  let s: Sandbox;
  eachTestSandbox((x) => (s = x));

  async function forked(n: number): Promise<{ id: string; pid: number }> {
    const id = s.id();
    expect(s.create(s.bundle('v1-basic', (c) => (c.process!.args = ['/probe', 'fork', String(n), 'sleep', '30'])), id).code).toBe(0);
    expect(s.ocirt(['start', id]).code).toBe(0);
    expect(await waitFor(() => cgroupPids(id).length === n + 1)).toBe(true);
    return { id, pid: s.state(id).pid };
  }

  it('--format json prints the pids of every process in the container', async () => {
    const { id, pid } = await forked(3);
    const r = s.ocirt(['ps', '--format', 'json', id]);
    expect(r.code, r.stderr).toBe(0);
    const pids = JSON.parse(r.stdout) as number[];
    expect(pids).toEqual([...cgroupPids(id)].sort((a, b) => a - b));
    expect(pids).toContain(pid);
    expect(pids).toHaveLength(4);
  });

  it("the table is ps -ef's header and one row per container process; ps options are passed on", async () => {
    const { id, pid } = await forked(2);
    const table = lines(s.ocirt(['ps', id]).stdout);
    expect(table[0]).toMatch(/^UID\s+PID\s+PPID/);
    expect(table).toHaveLength(4);
    expect(table.slice(1).map((row) => Number(row.trim().split(/\s+/)[1])).sort()).toEqual(cgroupPids(id).sort());
    const custom = lines(s.ocirt(['ps', id, '-o', 'pid,comm']).stdout);
    expect(custom[0]!.trim()).toBe('PID COMMAND');
    expect(custom.slice(1).map((row) => row.trim())).toContain(`${pid} probe`);
  });

  it('a created container lists its init; an unknown id is an error', async () => {
    const id = s.id();
    expect(s.create(s.bundle('v1-basic'), id).code).toBe(0);
    expect(JSON.parse(s.ocirt(['ps', '-f', 'json', id]).stdout)).toEqual([s.state(id).pid]);
    const r = s.ocirt(['ps', 'no-such']);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual(['ocirt: container "no-such" does not exist']);
  });
});
