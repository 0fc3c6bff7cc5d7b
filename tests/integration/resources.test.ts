// config-linux.md "Control groups": every linux.resources field this host's hierarchies have is
// written into the container's cgroup (read back here from the host's files), and the limits are
// felt from inside: a pids limit stops forks, a memory limit ends an allocation, a denied device
// cannot be opened. The container sees its own limits in its cgroup mount. A value the kernel
// refuses is an error naming the field, and create leaves nothing.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/spec/config.ts';
import { cgroupDirsOf, eachTestSandbox, isRoot, lines, madeFor, NEEDS_ROOT, Sandbox, waitFor, waitForStatus } from './harness.ts';

const MiB = 1024 * 1024;
const read = (file: string) => readFileSync(file, 'utf8').trim();
const resources = (c: Config, r: Record<string, unknown>) => ((c.linux as Record<string, unknown>).resources = r);

/** The container's directory in the hierarchy mounted at /sys/fs/cgroup/<name>. */
function dirIn(id: string, name: string): string {
  const dir = cgroupDirsOf(id).find((d) => d.startsWith(`/sys/fs/cgroup/${name}/`));
  if (dir === undefined) throw new Error(`no ${name} cgroup for ${id}`);
  return dir;
}

const hasFile = (name: string, file: string) => existsSync(join('/sys/fs/cgroup', name, file));
const v2Has = (controller: string) => existsSync('/sys/fs/cgroup/unified/cgroup.controllers') && read('/sys/fs/cgroup/unified/cgroup.controllers').split(' ').includes(controller);

describe.skipIf(!isRoot)(`linux.resources (${NEEDS_ROOT})`, () => {
  let s: Sandbox;
  eachTestSandbox((x) => (s = x));

  function created(edit: (c: Config) => void, args = ['/probe', 'sleep', '30']): { id: string; out: string } {
    const id = s.id();
    const r = s.create(s.bundle('v1-basic', (c) => ((c.process!.args = args), edit(c))), id);
    expect(r.code, r.stderr).toBe(0);
    return { id, out: r.out };
  }

  it('writes memory, cpu, cpuset and pids values into the container cgroup of each v1 controller', () => {
    const { id } = created((c) =>
      resources(c, {
        memory: { limit: 64 * MiB, reservation: 32 * MiB, swap: 96 * MiB, swappiness: 10, disableOOMKiller: false },
        cpu: { shares: 512, quota: 50_000, period: 100_000, cpus: '0', mems: '0' },
        pids: { limit: 20 },
      }),
    );
    const memory = dirIn(id, 'memory');
    expect(read(`${memory}/memory.limit_in_bytes`)).toBe(String(64 * MiB));
    expect(read(`${memory}/memory.soft_limit_in_bytes`)).toBe(String(32 * MiB));
    if (hasFile('memory', 'memory.memsw.limit_in_bytes')) expect(read(`${memory}/memory.memsw.limit_in_bytes`)).toBe(String(96 * MiB));
    expect(read(`${memory}/memory.swappiness`)).toBe('10');
    expect(read(`${memory}/memory.oom_control`)).toMatch(/^oom_kill_disable 0$/m);
    const cpu = dirIn(id, 'cpu');
    expect([read(`${cpu}/cpu.shares`), read(`${cpu}/cpu.cfs_quota_us`), read(`${cpu}/cpu.cfs_period_us`)]).toEqual(['512', '50000', '100000']);
    const cpuset = dirIn(id, 'cpuset');
    expect([read(`${cpuset}/cpuset.cpus`), read(`${cpuset}/cpuset.mems`)]).toEqual(['0', '0']);
    expect(read(`${dirIn(id, 'pids')}/pids.max`)).toBe('20');
  });

  it.skipIf(!hasFile('cpu', 'cpu.cfs_burst_us') || !hasFile('cpu', 'cpu.idle'))('writes cpu burst and idle where the kernel has them', () => {
    const { id } = created((c) => resources(c, { cpu: { quota: 50_000, period: 100_000, burst: 10_000, idle: 1 } }));
    const cpu = dirIn(id, 'cpu');
    expect([read(`${cpu}/cpu.cfs_burst_us`), read(`${cpu}/cpu.idle`)]).toEqual(['10000', '1']);
  });

  it('writes the blkio throttle lists for a real block device', () => {
    const [major, minor] = read('/sys/class/block/' + readFileSync('/proc/partitions', 'utf8').split('\n').slice(2).find((l) => l.trim() !== '')!.trim().split(/\s+/)[3] + '/dev').split(':').map(Number);
    const { id } = created((c) =>
      resources(c, { blockIO: { throttleReadBpsDevice: [{ major, minor, rate: 1_048_576 }], throttleWriteIOPSDevice: [{ major, minor, rate: 100 }] } }),
    );
    const blkio = dirIn(id, 'blkio');
    expect(read(`${blkio}/blkio.throttle.read_bps_device`)).toBe(`${major}:${minor} 1048576`);
    expect(read(`${blkio}/blkio.throttle.write_iops_device`)).toBe(`${major}:${minor} 100`);
  });

  it.skipIf(!v2Has('hugetlb'))('hugepageLimits go to the unified hierarchy on this hybrid host, with the controller enabled above it', () => {
    const { id } = created((c) => resources(c, { hugepageLimits: [{ pageSize: '2MB', limit: 4 * 2 * MiB }] }));
    const dir = dirIn(id, 'unified');
    expect(read(`${dir}/hugetlb.2MB.max`)).toBe(String(8 * MiB));
    expect(read('/sys/fs/cgroup/unified/ocirt/cgroup.subtree_control').split(' ')).toContain('hugetlb');
  });

  it('a pids limit stops a fork bomb inside the container', async () => {
    const { id, out } = created((c) => resources(c, { pids: { limit: 5 } }), ['/probe', 'fork', '50', 'print', 'all forked']);
    expect(s.ocirt(['start', id]).code).toBe(0);
    expect(await waitForStatus(s, id, 'stopped')).toBe('stopped');
    expect(readFileSync(out, 'utf8')).not.toContain('all forked');
    expect(read(`${dirIn(id, 'pids')}/pids.events`)).toMatch(/^max [1-9]/);
  });

  it('a memory limit ends an allocation larger than it (the OOM killer)', async () => {
    const { id, out } = created((c) => resources(c, { memory: { limit: 32 * MiB, swap: 32 * MiB } }), ['/probe', 'alloc', '256']);
    expect(s.ocirt(['start', id]).code).toBe(0);
    expect(await waitForStatus(s, id, 'stopped')).toBe('stopped');
    expect(readFileSync(out, 'utf8')).not.toContain('allocated');
    expect(read(`${dirIn(id, 'memory')}/memory.oom_control`)).toMatch(/^oom_kill [1-9]/m);
  });

  it.skipIf(!existsSync('/dev/net/tun'))('a device the allowlist denies cannot be opened; one it allows can', async () => {
    const bind = (c: Config) => c.mounts!.push({ destination: '/tun', type: 'bind', source: '/dev/net/tun', options: ['bind'] });
    const denied = created((c) => (bind(c), resources(c, { devices: [{ allow: false, access: 'rwm' }] })), ['/probe', 'read', '/tun', 'read', '/dev/null']);
    const allowed = created((c) => (bind(c), resources(c, { devices: [{ allow: false, access: 'rwm' }, { allow: true, type: 'c', major: 10, minor: 200, access: 'rw' }] })), ['/probe', 'read', '/tun']);
    for (const { id } of [denied, allowed]) {
      expect(s.ocirt(['start', id]).code).toBe(0);
      expect(await waitForStatus(s, id, 'stopped')).toBe('stopped');
    }
    const [tun, devNull] = readFileSync(denied.out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { errno?: number; bytes?: number });
    expect(tun).toMatchObject({ errno: 1 }); // EPERM from the devices controller
    expect(devNull).toMatchObject({ bytes: 0 }); // config-linux.md "Default Devices" stay usable
    expect(JSON.parse(readFileSync(allowed.out, 'utf8').trim()).errno).not.toBe(1);
  });

  it('the container reads its own limits in its cgroup mount (v1 controllers and the unified hierarchy)', async () => {
    const id = s.id();
    const out = s.file('out');
    const r = s.ocirt(
      ['run', '--bundle', s.bundle('v1-basic', (c) => {
        c.mounts!.push({ destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['ro'] });
        resources(c, { pids: { limit: 7 }, memory: { limit: 48 * MiB } });
        c.process!.args = ['/probe', 'read', '/sys/fs/cgroup/pids/pids.max', 'read', '/sys/fs/cgroup/memory/memory.limit_in_bytes', 'ls', '/sys/fs/cgroup/unified'];
      }), id],
      { stdout: out },
    );
    expect(r.code, r.stderr).toBe(0);
    const [pids, memory, unified] = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { text?: string } | string[]);
    expect((pids as { text: string }).text).toBe('7\n');
    expect((memory as { text: string }).text).toBe(`${48 * MiB}\n`);
    expect(unified).toContain('cgroup.procs');
  });

  it.each([
    ['cpu.cpus', { cpu: { cpus: '4095' } }, /^ocirt: linux\.resources\.cpu\.cpus: /],
    ['unified, a controller the v2 hierarchy lacks', { unified: { 'memory.max': '1000000' } }, /^ocirt: linux\.resources\.unified(\["memory\.max"\]|\.memory\.max)?: /],
    ['network on a host without net_cls', { network: { classID: 1 } }, /^ocirt: linux\.resources\.network/],
    ['a memory limit too low for the init', { memory: { limit: 4096 } }, /^ocirt: linux\.resources\.memory\.limit: the OOM killer ended the container init before it was ready/],
    ['a pids limit of 0', { pids: { limit: 0 } }, /^ocirt: linux\.resources\.pids\.limit: the container init could not fork within the limit/],
  ])('a value this host refuses (%s) fails create with the field named, and nothing is left', (_what, r, message) => {
    const id = s.id();
    const result = s.create(s.bundle('v1-basic', (c) => resources(c, r)), id);
    expect(result.code).toBe(1);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toMatch(message);
    expect(madeFor(s, id, [])).toEqual([]);
  });

  it('delete removes the cgroups even when a process moved into a child cgroup of its own', async () => {
    const { id } = created(() => {}, ['/probe', 'fork', '1', 'sleep', '30']);
    expect(s.ocirt(['start', id]).code).toBe(0);
    const pids = dirIn(id, 'pids');
    expect(await waitFor(() => read(`${pids}/cgroup.procs`).split('\n').length === 2)).toBe(true);
    const child = join(pids, 'nested');
    mkdirSync(child);
    writeFileSync(join(child, 'cgroup.procs'), read(`${pids}/cgroup.procs`).split('\n')[1]!);
    expect(read(`${child}/cgroup.procs`)).not.toBe('');
    const k = s.ocirt(['kill', '--all', id, 'KILL']);
    expect(k.code, k.stderr).toBe(0);
    expect(await waitFor(() => !existsSync(`${child}/cgroup.procs`) || read(`${child}/cgroup.procs`) === '')).toBe(true);
    expect(await waitForStatus(s, id, 'stopped')).toBe('stopped');
    const d = s.ocirt(['delete', id]);
    expect(d.code, d.stderr).toBe(0);
    expect(cgroupDirsOf(id)).toEqual([]);
  });

  it('delete of a stopped container kills what its init left behind (no PID namespace), in child cgroups too', async () => {
    const { id } = created((c) => (c.linux!.namespaces = c.linux!.namespaces!.filter((n) => n.type !== 'pid')), ['/probe', 'fork', '2', 'sleep', '0.5']);
    expect(s.ocirt(['start', id]).code).toBe(0);
    const pids = dirIn(id, 'pids');
    expect(await waitFor(() => read(`${pids}/cgroup.procs`).split('\n').length === 3)).toBe(true);
    const child = join(pids, 'nested');
    mkdirSync(child);
    const orphans = read(`${pids}/cgroup.procs`).split('\n').map(Number).filter((p) => p !== s.state(id).pid);
    writeFileSync(join(child, 'cgroup.procs'), String(orphans[0]));
    expect(await waitForStatus(s, id, 'stopped')).toBe('stopped');
    const d = s.ocirt(['delete', id]);
    expect(d.code, d.stderr).toBe(0);
    expect(orphans.filter((p) => existsSync(`/proc/${p}`) && !/^\S+ \(.*\) [ZX]/s.test(readFileSync(`/proc/${p}/stat`, 'utf8')))).toEqual([]);
    expect(cgroupDirsOf(id)).toEqual([]);
  });

  it("a cgroupsPath holding processes is refused; once empty it may be reused, and deleting the first container spares the second's processes", async () => {
    const path = `/ocirt-shared-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const noPidNs = (c: Config) => ((c.linux!.namespaces = c.linux!.namespaces!.filter((n) => n.type !== 'pid')), (c.linux!.cgroupsPath = path));
    try {
      const first = created(noPidNs, ['/probe', 'exit', '0']);
      // While the first container's init is in the cgroup, a second create there is refused.
      const refused = s.create(s.bundle('v1-basic', noPidNs), s.id());
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/^ocirt: linux\.cgroupsPath: .* already holds processes/);
      expect(s.ocirt(['start', first.id]).code).toBe(0);
      expect(await waitForStatus(s, first.id, 'stopped')).toBe('stopped');
      const second = created(noPidNs, ['/probe', 'fork', '2', 'sleep', '30']);
      expect(s.ocirt(['start', second.id]).code).toBe(0);
      const leaf = `/sys/fs/cgroup/pids${path}`;
      expect(await waitFor(() => read(`${leaf}/cgroup.procs`).split('\n').length === 3)).toBe(true);
      const d = s.ocirt(['delete', first.id]);
      expect(d.code, d.stderr).toBe(0);
      expect(d.stderr).toContain(`${leaf} is left in place: processes that are not this container's are in it`);
      expect(read(`${leaf}/cgroup.procs`).split('\n')).toHaveLength(3);
      expect(s.state(second.id).status).toBe('running');
    } finally {
      s.cleanup();
      for (const h of readdirSync('/sys/fs/cgroup')) if (existsSync(`/sys/fs/cgroup/${h}${path}`)) rmdirSync(`/sys/fs/cgroup/${h}${path}`);
    }
  });

  it("the draft's shape: disableOOMKiller beside memory, blkio-prefixed block IO, and oomScoreAdj set on the init", () => {
    const id = s.id();
    const r = s.create(s.bundle('draft-basic', (c) => {
      c.process!.args = ['/probe', 'sleep', '30'];
      resources(c, { disableOOMKiller: true, oomScoreAdj: 123, memory: { limit: 64 * MiB }, blockIO: { blkioWeight: 300 } });
    }), id);
    expect(r.code, r.stderr).toBe(0);
    expect(read(`${dirIn(id, 'memory')}/memory.oom_control`)).toMatch(/^oom_kill_disable 1$/m);
    expect(read(`${dirIn(id, 'memory')}/memory.limit_in_bytes`)).toBe(String(64 * MiB));
    const blkio = dirIn(id, 'blkio');
    expect(read(existsSync(`${blkio}/blkio.weight`) ? `${blkio}/blkio.weight` : `${blkio}/blkio.bfq.weight`)).toMatch(/^(default )?300$/m);
    expect(read(`/proc/${s.state(id).pid}/oom_score_adj`)).toBe('123');
  });

  it("podman's usual resources (deny-all devices, pids, memory, unlimited quota) create and are written", () => {
    const { id } = created((c) =>
      resources(c, {
        devices: [{ allow: false, access: 'rwm' }, { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' }],
        pids: { limit: 2048 },
        memory: { limit: 512 * MiB, swap: 1024 * MiB, swappiness: 60 },
        cpu: { shares: 1024, period: 100000, quota: -1 },
      }),
    );
    expect(s.state(id).status).toBe('created');
    expect(read(`${dirIn(id, 'cpu')}/cpu.cfs_quota_us`)).toBe('-1');
    expect(read(`${dirIn(id, 'devices')}/devices.list`).split('\n')).toContain('c 1:3 rwm');
    expect(read(`${dirIn(id, 'pids')}/pids.max`)).toBe('2048');
  });
});
