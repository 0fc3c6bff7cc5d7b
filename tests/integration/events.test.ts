// `events` (runc's command): runc's JSON stats objects read from the container's cgroups, once with
// --stats or every --interval until the container stops; `features`: the v1.3.0 features.md object.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cgroupPids, eachTestSandbox, isRoot, lines, NEEDS_ROOT, Sandbox, waitFor } from './harness.ts';

const MiB = 1024 * 1024;

interface StatsJson {
  type: string;
  id: string;
  data: { pids?: { current: number; limit?: number }; memory?: { usage: { usage: number; limit: number } }; cpu?: { usage: { total: number } }; blkio?: unknown };
}

describe.skipIf(!isRoot)(`events and features (${NEEDS_ROOT})`, () => {
  let s: Sandbox;
  eachTestSandbox((x) => (s = x));

  async function running(args: string[]): Promise<string> {
    const id = s.id();
    const r = s.create(s.bundle('v1-basic', (c) => {
      c.process!.args = args;
      (c.linux as Record<string, unknown>).resources = { pids: { limit: 30 }, memory: { limit: 64 * MiB } };
    }), id);
    expect(r.code, r.stderr).toBe(0);
    expect(s.ocirt(['start', id]).code).toBe(0);
    return id;
  }

  it('events --stats prints one stats object with the pids, memory and cpu the cgroup files hold', async () => {
    const id = await running(['/probe', 'fork', '2', 'sleep', '30']);
    expect(await waitFor(() => cgroupPids(id).length === 3)).toBe(true);
    const r = s.ocirt(['events', '--stats', id]);
    expect(r.code, r.stderr).toBe(0);
    expect(lines(r.stdout)).toHaveLength(1);
    const e = JSON.parse(r.stdout) as StatsJson;
    expect(e).toMatchObject({ type: 'stats', id, data: { pids: { current: 3, limit: 30 }, memory: { usage: { limit: 64 * MiB } } } });
    expect(e.data.memory!.usage.usage).toBeGreaterThan(0);
    expect(e.data.cpu!.usage.total).toBeGreaterThan(0);
    expect(e.data.blkio).toBeDefined();
  });

  it('events without --stats prints an object every interval and ends when the container stops', async () => {
    const id = await running(['/probe', 'sleep', '0.6']);
    const out = s.file('events');
    const r = s.ocirt(['events', '--interval', '100ms', id], { stdout: out, timeout: 10_000 });
    expect(r.code, r.stderr).toBe(0);
    const objects = lines(readFileSync(out, 'utf8')).map((l) => JSON.parse(l) as StatsJson);
    expect(objects.length).toBeGreaterThanOrEqual(2);
    expect(objects.every((o) => o.type === 'stats' && o.id === id)).toBe(true);
  });

  it('events of a stopped container is an error', async () => {
    const id = await running(['/probe', 'exit', '0']);
    expect(await waitFor(() => s.state(id).status === 'stopped')).toBe(true);
    const r = s.ocirt(['events', '--stats', id]);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual([`ocirt: container "${id}" is stopped: it has no statistics`]);
  });

  it('features prints the features.md object: versions, and what this build supports', () => {
    const r = s.ocirt(['features']);
    expect(r.code, r.stderr).toBe(0);
    const f = JSON.parse(r.stdout) as { ociVersionMin: string; ociVersionMax: string; hooks: string[]; mountOptions: string[]; linux: { namespaces: string[]; cgroup: Record<string, boolean>; seccomp: { enabled: boolean; actions: string[] } } };
    expect(f.ociVersionMax).toBe('1.3.0');
    expect(f.mountOptions).toEqual(expect.arrayContaining(['ro', 'nosuid', 'rbind', 'idmap']));
    expect(f.linux.namespaces).toEqual(expect.arrayContaining(['pid', 'network', 'mount', 'user', 'cgroup', 'time']));
    expect(f.linux.cgroup).toMatchObject({ v1: true, v2: true });
    expect(f.linux.seccomp.enabled).toBe(true);
    expect(f.linux.seccomp.actions).toContain('SCMP_ACT_NOTIFY');
  });
});
