// src/plan/mounts.ts: config.md "Linux mount options" idmap/ridmap (a user namespace with the
// mapping made on the host in stage 0, applied to a detached bind) and tmpcopyup (a tmpfs that
// copies up what it covers). Neither is ever passed to mount(2). Targets are container paths in the
// rootfs slot (0, OPEN_ROOT's), never host paths under the rootfs (issue 9).
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPlan, type PlanInput } from '../../src/plan/build.ts';
import { MS } from '../../src/plan/mount-options.ts';
import type { Config, IdMapping, Mount } from '../../src/spec/config.ts';
import type { Step } from '../../src/plan/wire.ts';

const bundle = mkdtempSync(join(tmpdir(), 'ocirt-mounts-'));
const rootfs = join(bundle, 'rootfs');
mkdirSync(rootfs);
mkdirSync(join(bundle, 'src'));

const own: IdMapping[] = [{ containerID: 0, hostID: 200000, size: 1000 }];
const nsMap: IdMapping[] = [{ containerID: 0, hostID: 100000, size: 65536 }];
const withUserNs = { namespaces: [{ type: 'mount' }, { type: 'user' }], uidMappings: nsMap, gidMappings: nsMap };

function plan(mounts: Mount[], linux: Config['linux'] = { namespaces: [{ type: 'mount' }] }, o: Partial<PlanInput> = {}) {
  return buildPlan({
    config: { ociVersion: '1.3.0', root: { path: 'rootfs' }, mounts, linux },
    edition: 'v1', rootfs, bundle, cgroupProcs: ['/cg/cgroup.procs'], cgroup: { v1: [], pureV2: true }, noPivot: false, host: { selinux: false, resctrl: false }, ...o,
  });
}
const stage = (p: ReturnType<typeof plan>, n: number): Step[] => p.stages.find(([s]) => s === n)![1];
const mountSteps = (p: ReturnType<typeof plan>) => stage(p, 2).filter((x) => x.label.startsWith('mounts['));
const src = join(bundle, 'src');

describe('idmap and ridmap', () => {
  it('with the mount\'s own maps: USERNS_FD in stage 0 (after the start socket), IDMAP_MOUNT in place of the bind', () => {
    const p = plan([{ destination: '/data', type: 'bind', source: src, options: ['bind', 'idmap'], uidMappings: own, gidMappings: own }]);
    expect(stage(p, 0)).toEqual([
      { op: 'LISTEN', args: ['init.sock'], label: 'start socket' },
      { op: 'USERNS_FD', args: [1, '0 200000 1000\n', '0 200000 1000\n'], label: 'mounts[0] (/data): id mapping' },
    ]);
    expect(mountSteps(p)).toEqual([
      { op: 'MKDIR_IN', args: [0, '/data', 0o755], label: 'mounts[0] (/data)' },
      { op: 'IDMAP_MOUNT', args: [0, '/data', src, 1, 0], label: 'mounts[0] (/data)' },
    ]);
    expect(stage(p, 2).some((x) => x.op === 'MOUNT' && x.args[0] === src)).toBe(false);
  });
  it('without the mount\'s own maps: the container\'s user namespace maps (the spec\'s MAY)', () => {
    const p = plan([{ destination: '/data', source: src, options: ['rbind', 'ridmap'] }], withUserNs);
    expect(stage(p, 0).filter((x) => x.op === 'USERNS_FD').map((x) => x.args)).toEqual([[1, '0 100000 65536\n', '0 100000 65536\n']]);
    expect(mountSteps(p).find((x) => x.op === 'IDMAP_MOUNT')!.args).toEqual([0, '/data', src, 1, 1]);
  });
  it('ridmap is recursive (1), idmap on a plain bind is not (0)', () => {
    const rec = (options: string[]) => mountSteps(plan([{ destination: '/d', source: src, options }], withUserNs)).find((x) => x.op === 'IDMAP_MOUNT')!.args[4];
    expect(rec(['bind', 'idmap'])).toBe(0);
    expect(rec(['bind', 'ridmap'])).toBe(1);
    expect(rec(['rbind', 'ridmap'])).toBe(1);
  });
  it('each id-mapped mount takes its own slot, and device binds come after them', () => {
    const p = plan(
      [
        { destination: '/a', source: src, options: ['bind', 'idmap'] },
        { destination: '/b', source: src, options: ['bind', 'idmap'], uidMappings: own, gidMappings: own },
      ],
      withUserNs,
    );
    expect(stage(p, 0).filter((x) => x.op === 'USERNS_FD').map((x) => [x.args[0], x.args[1]])).toEqual([[1, '0 100000 65536\n'], [2, '0 200000 1000\n']]);
    expect(mountSteps(p).filter((x) => x.op === 'IDMAP_MOUNT').map((x) => x.args[3])).toEqual([1, 2]);
    expect(stage(p, 2).filter((x) => x.op === 'OPEN_TREE').map((x) => x.args[0])).toEqual([3, 4, 5, 6, 7, 8]);
  });
  it('other flags are a remount after the id-mapped bind, as for any bind', () => {
    const m = mountSteps(plan([{ destination: '/d', source: src, options: ['bind', 'idmap', 'ro', 'nosuid'] }], withUserNs));
    expect(m.map((x) => [x.op, ...x.args])).toEqual([
      ['MKDIR_IN', 0, '/d', 0o755],
      ['IDMAP_MOUNT', 0, '/d', src, 1, 0],
      ['MOUNT_IN', 0, '/d', '', '', MS.BIND | MS.REMOUNT | MS.RDONLY | MS.NOSUID, ''],
    ]);
  });
  it('MUST error without maps on the mount and without a user namespace', () => {
    expect(() => plan([{ destination: '/d', source: src, options: ['bind', 'idmap'] }])).toThrow(
      'mounts[0].options: "idmap" needs uidMappings and gidMappings on the mount, or a user namespace',
    );
    expect(() => plan([{ destination: '/d', source: src, options: ['rbind', 'ridmap'] }])).toThrow(
      'mounts[0].options: "ridmap" needs uidMappings and gidMappings on the mount, or a user namespace',
    );
  });
  it('uidMappings MUST be given with gidMappings', () => {
    expect(() => plan([{ destination: '/d', source: src, options: ['bind', 'idmap'], uidMappings: own }], withUserNs)).toThrow(
      'mounts[0].uidMappings: uidMappings and gidMappings must be given together',
    );
    expect(() => plan([{ destination: '/d', source: src, options: ['bind', 'idmap'], gidMappings: own }], withUserNs)).toThrow(
      'mounts[0].uidMappings: uidMappings and gidMappings must be given together',
    );
  });
  it('is refused on a mount that is not a bind mount', () => {
    expect(() => plan([{ destination: '/t', type: 'tmpfs', source: 'tmpfs', options: ['idmap'] }], withUserNs)).toThrow('mounts[0].options: "idmap" applies to bind mounts only');
  });
  it('more than 64 slots is an error naming the mount', () => {
    const many = Array.from({ length: 65 }, (_, i): Mount => ({ destination: `/m${i}`, source: src, options: ['bind', 'idmap'] }));
    expect(() => plan(many, withUserNs)).toThrow('mounts[63]: more than 64 devices, id-mapped mounts and listeners'); // slot 0 is the rootfs's
    expect(() => plan(many.slice(0, 57), withUserNs)).not.toThrow(); // the rootfs + 57 mounts + 6 default devices
    expect(() => plan(many.slice(0, 58), withUserNs)).toThrow(/more than 64/);
  });
});

describe('tmpcopyup', () => {
  it('a tmpfs with tmpcopyup is one TMPFS_COPYUP step (root slot, target, source, flags, data), not a MOUNT_IN', () => {
    const m = mountSteps(plan([{ destination: '/etc', type: 'tmpfs', source: 'tmpfs', options: ['tmpcopyup', 'ro', 'nodev', 'mode=755', 'size=64k'] }]));
    expect(m).toEqual([
      { op: 'MKDIR_IN', args: [0, '/etc', 0o755], label: 'mounts[0] (/etc)' },
      { op: 'TMPFS_COPYUP', args: [0, '/etc', 'tmpfs', MS.RDONLY | MS.NODEV, 'mode=755,size=64k'], label: 'mounts[0] (/etc)' },
    ]);
  });
  it('source defaults to "tmpfs"; propagation and recursive attributes follow as for any mount', () => {
    const m = mountSteps(plan([{ destination: '/x', type: 'tmpfs', options: ['tmpcopyup', 'rprivate', 'rnosuid'] }]));
    expect(m.map((x) => x.op)).toEqual(['MKDIR_IN', 'TMPFS_COPYUP', 'MOUNT_IN', 'MOUNT_SETATTR']);
    expect(m[1]!.args).toEqual([0, '/x', 'tmpfs', 0, '']);
  });
  it('a tmpfs without it is a plain MOUNT_IN', () => {
    expect(mountSteps(plan([{ destination: '/x', type: 'tmpfs', source: 'tmpfs' }])).map((x) => x.op)).toEqual(['MKDIR_IN', 'MOUNT_IN']);
  });
  it('is refused on a filesystem that is not tmpfs', () => {
    expect(() => plan([{ destination: '/p', type: 'proc', source: 'proc', options: ['tmpcopyup'] }])).toThrow('mounts[0].options: "tmpcopyup" applies to tmpfs mounts only');
    expect(() => plan([{ destination: '/p', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'tmpcopyup'] }])).toThrow('mounts[0].options: "tmpcopyup" applies to tmpfs mounts only');
  });
  // mounts.ts checks idmap and tmpcopyup only in its last branch (neither bind nor cgroup): a bind
  // mount with tmpcopyup, and a cgroup mount with tmpcopyup or idmap, drop the option silently,
  // where a proc or tmpfs mount with the same option is refused.
  it('is refused, as idmap is, on a bind or cgroup mount as well', () => {
    expect(() => plan([{ destination: '/d', type: 'bind', source: src, options: ['bind', 'tmpcopyup'] }])).toThrow('mounts[0].options: "tmpcopyup" applies to tmpfs mounts only');
    expect(() => plan([{ destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['tmpcopyup'] }])).toThrow('mounts[0].options: "tmpcopyup" applies to tmpfs mounts only');
    expect(() => plan([{ destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['idmap'] }], withUserNs)).toThrow('mounts[0].options: "idmap" applies to bind mounts only');
  });
});
