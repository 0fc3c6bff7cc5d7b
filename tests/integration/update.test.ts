// `update` (runc's command): a live container's cgroup limits change to what is given, and only
// that; --resources takes a LinuxResources file or stdin, checked like config.json; the config's
// memory.checkBeforeUpdate refuses a limit below the usage (config-linux.md "Memory").
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/spec/config.ts';
import { cgroupDirsOf, eachTestSandbox, isRoot, lines, NEEDS_ROOT, Sandbox, waitFor, waitForStatus } from './harness.ts';

const MiB = 1024 * 1024;
const read = (file: string) => readFileSync(file, 'utf8').trim();

describe.skipIf(!isRoot)(`update (${NEEDS_ROOT})`, () => {
  let s: Sandbox;
  eachTestSandbox((x) => (s = x));

  function created(args: string[], resources: Record<string, unknown> = {}): { id: string; dir: (name: string) => string; out: string } {
    const id = s.id();
    const r = s.create(s.bundle('v1-basic', (c: Config) => ((c.process!.args = args), ((c.linux as Record<string, unknown>).resources = resources))), id);
    expect(r.code, r.stderr).toBe(0);
    const dir = (name: string) => cgroupDirsOf(id).find((d) => d.startsWith(`/sys/fs/cgroup/${name}/`))!;
    return { id, dir, out: r.out };
  }

  it("runc's flags set their files and leave every other value as it was", () => {
    const { id, dir } = created(['/probe', 'sleep', '30'], { memory: { limit: 64 * MiB, swappiness: 10 }, pids: { limit: 40 } });
    const r = s.ocirt(['update', '--memory', '128m', '--memory-swap', '256m', '--cpu-shares', '256', '--cpu-quota', '20000', '--cpu-period', '100000', '--cpuset-cpus', '0', id]);
    expect(r.code, r.stderr).toBe(0);
    expect(read(`${dir('memory')}/memory.limit_in_bytes`)).toBe(String(128 * MiB));
    expect(read(`${dir('memory')}/memory.memsw.limit_in_bytes`)).toBe(String(256 * MiB));
    expect([read(`${dir('cpu')}/cpu.shares`), read(`${dir('cpu')}/cpu.cfs_quota_us`), read(`${dir('cpu')}/cpu.cfs_period_us`)]).toEqual(['256', '20000', '100000']);
    expect(read(`${dir('cpuset')}/cpuset.cpus`)).toBe('0');
    expect(read(`${dir('memory')}/memory.swappiness`)).toBe('10');
    expect(read(`${dir('pids')}/pids.max`)).toBe('40');
  });

  it('--resources - reads LinuxResources from stdin; a lowered pids limit is felt by the next fork', async () => {
    const { id, dir, out } = created(['/probe', 'sleep', '0.5', 'fork', '10', 'print', 'forked']);
    const r = s.ocirt(['update', '--resources', '-', id], { input: JSON.stringify({ pids: { limit: 3 }, memory: { reservation: 16 * MiB } }) });
    expect(r.code, r.stderr).toBe(0);
    expect(read(`${dir('pids')}/pids.max`)).toBe('3');
    expect(read(`${dir('memory')}/memory.soft_limit_in_bytes`)).toBe(String(16 * MiB));
    expect(s.ocirt(['start', id]).code).toBe(0);
    expect(await waitForStatus(s, id, 'stopped')).toBe('stopped');
    expect(readFileSync(out, 'utf8')).not.toContain('forked');
  });

  it("with the config's checkBeforeUpdate, a limit below the usage is refused and the old one stays", async () => {
    const { id, dir, out } = created(['/probe', 'alloc', '32', 'sleep', '30'], { memory: { limit: 128 * MiB, checkBeforeUpdate: true } });
    expect(s.ocirt(['start', id]).code).toBe(0);
    expect(await waitFor(() => readFileSync(out, 'utf8').includes('allocated'))).toBe(true);
    const r = s.ocirt(['update', '--memory', '8m', id]);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/^ocirt: linux\.resources\.memory\.limit: 8388608 is not above the current usage of \d+ bytes \(checkBeforeUpdate\)/);
    expect(read(`${dir('memory')}/memory.limit_in_bytes`)).toBe(String(128 * MiB));
    expect(s.state(id).status).toBe('running');
  });

  it.each([
    ['a file that is not JSON', ['--resources', '-'], '{', /^ocirt: update: --resources: stdin: /],
    ['a value of the wrong type', ['--resources', '-'], '{"memory":{"limit":"lots"}}', /^ocirt: linux\.resources\.memory\.limit: /],
    ['a value the kernel refuses', ['--cpuset-cpus', '4095'], undefined, /^ocirt: linux\.resources\.cpu\.cpus: /],
  ])('%s is a one-line error', (_what, flags, input, message) => {
    const { id } = created(['/probe', 'sleep', '30']);
    const r = s.ocirt(['update', ...flags, id], { input });
    expect(r.code).not.toBe(0);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it('device rules: the ones in force again are accepted (containerd sends them); new ones on v1 are refused', () => {
    const devices = [{ allow: false, access: 'rwm' }, { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' }];
    const { id, dir } = created(['/probe', 'sleep', '30'], { devices });
    const same = s.ocirt(['update', '-r', '-', id], { input: JSON.stringify({ devices, pids: { limit: 9 } }) });
    expect(same.code, same.stderr).toBe(0);
    expect(read(`${dir('pids')}/pids.max`)).toBe('9');
    const before = read(`${dir('devices')}/devices.list`);
    const changed = s.ocirt(['update', '-r', '-', id], { input: JSON.stringify({ devices: [{ allow: true, access: 'rwm' }] }) });
    expect(changed.code).toBe(1);
    expect(lines(changed.stderr)).toEqual([expect.stringMatching(/^ocirt: linux\.resources\.devices: update cannot change the device rules on the cgroup v1 devices controller/)]);
    expect(read(`${dir('devices')}/devices.list`)).toBe(before);
  });

  it('updating a stopped container is an error', async () => {
    const { id } = created(['/probe', 'exit', '0']);
    expect(s.ocirt(['start', id]).code).toBe(0);
    expect(await waitForStatus(s, id, 'stopped')).toBe('stopped');
    expect(lines(s.ocirt(['update', '--pids-limit', '5', id]).stderr)).toEqual(['ocirt: cannot update a container that is stopped']);
  });
});
