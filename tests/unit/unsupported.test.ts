import { describe, expect, it } from 'vitest';
import { unsupportedFindings } from '../../src/spec/unsupported.ts';
import type { Config } from '../../src/spec/config.ts';

const base = (): Config => ({ ociVersion: '1.3.0', root: { path: 'rootfs' }, process: { user: { uid: 0, gid: 0 }, args: ['/x'], cwd: '/' }, linux: {} });
const refused = (c: Config) => unsupportedFindings(c as unknown as Record<string, unknown>).map((f) => `${f.pointer}: ${f.message}`);

describe('config.md "Valid values" and "Extensibility"', () => {
  it('takes hooks of every kind (plan/hooks.ts)', () => {
    const h = base();
    h.hooks = { prestart: [{ path: '/bin/true' }], createRuntime: [{ path: '/bin/true' }], createContainer: [{ path: '/bin/true' }], startContainer: [{ path: '/bin/true' }], poststart: [{ path: '/bin/true' }], poststop: [{ path: '/bin/true' }] };
    expect(refused(h)).toEqual([]);
  });
  it('accepts every linux.resources field (config-linux.md "Control groups")', () => {
    const c = base();
    c.linux!.resources = {
      devices: [{ allow: false, access: 'rwm' }], memory: { limit: 1 << 20, swap: -1, disableOOMKiller: true }, cpu: { shares: 512, quota: 1000, cpus: '0' },
      pids: { limit: 10 }, blockIO: { weight: 100 }, hugepageLimits: [{ pageSize: '2MB', limit: 0 }], network: { classID: 1 }, rdma: {}, unified: { 'hugetlb.2MB.max': '0' },
    };
    expect(refused(c)).toEqual([]);
  });
  it('accepts every process and linux security field the plan now implements', () => {
    const c = base();
    Object.assign(c.process!, {
      capabilities: { bounding: ['CAP_KILL'], effective: ['CAP_KILL'], permitted: ['CAP_KILL'], ambient: ['CAP_KILL'], inheritable: ['CAP_KILL'] },
      rlimits: [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 1024 }],
      noNewPrivileges: true,
      apparmorProfile: 'p',
      selinuxLabel: 'system_u:system_r:container_t:s0',
      oomScoreAdj: 100,
      scheduler: { policy: 'SCHED_OTHER' },
      ioPriority: { class: 'IOPRIO_CLASS_BE', priority: 4 },
    });
    Object.assign(c.linux!, {
      seccomp: { defaultAction: 'SCMP_ACT_ALLOW' },
      devices: [{ path: '/dev/fuse', type: 'c', major: 10, minor: 229 }],
      netDevices: { eth1: { name: 'eth0' } },
      sysctl: { 'net.ipv4.ip_forward': '1' },
      maskedPaths: ['/proc/kcore'],
      readonlyPaths: ['/proc/sys'],
      mountLabel: 'system_u:object_r:container_file_t:s0',
      personality: { domain: 'LINUX' },
      memoryPolicy: { mode: 'MPOL_BIND', nodes: '0' },
      intelRdt: { closID: 'x' },
    });
    // intelRdt is refused by the plan (host facts), not here: see plan-build.test.ts.
    expect(refused(c)).toEqual([]);
  });
  it('passes a spec field that asks for nothing (empty, false, null)', () => {
    const c = base();
    Object.assign(c.linux!, { maskedPaths: [], resources: {}, seccomp: null });
    c.process!.noNewPrivileges = false;
    expect(refused(c)).toEqual([]);
  });
  it('MUST ignore unknown properties, at every level', () => {
    const c = base() as Config & Record<string, unknown>;
    c['org.example.extension'] = { anything: true };
    c.process!['x-custom'] = 1;
    c.linux!['futureField'] = ['a'];
    expect(refused(c)).toEqual([]);
  });
  it('takes a terminal: process.terminal is implemented (plan/console.ts)', () => {
    const t = base();
    t.process!.terminal = true;
    expect(refused(t)).toEqual([]);
  });
  it('accepts id-mapped mounts and tmpcopyup (the plan checks where they apply)', () => {
    const m = base();
    m.mounts = [
      { destination: '/m', type: 'bind', source: '/x', options: ['bind', 'idmap'], uidMappings: [{ containerID: 0, hostID: 1, size: 1 }], gidMappings: [{ containerID: 0, hostID: 1, size: 1 }] },
      { destination: '/r', type: 'bind', source: '/x', options: ['rbind', 'ridmap'] },
      { destination: '/t', type: 'tmpfs', source: 'tmpfs', options: ['tmpcopyup'] },
    ];
    expect(refused(m)).toEqual([]);
  });
  it('never throws on a config of the wrong shape', () => {
    for (const odd of [{ process: 'x', linux: [1], mounts: [null, 3, { options: 'ro' }] }, { hooks: 0, mounts: {} }]) expect(() => unsupportedFindings(odd)).not.toThrow();
  });
});
