// src/plan/devices.ts: config-linux.md "Devices" and "Default Devices", made after pivot_root with
// container paths: MKNOD_AT, or, in a user namespace (where mknod is not allowed), the host's node
// taken before pivot_root (OPEN_TREE into a slot) and attached after (ATTACH_TREE).
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../src/plan/build.ts';
import { DEFAULT_DEVICES, DEV_SYMLINKS, deviceSteps, type Device, type DeviceContext } from '../../src/plan/devices.ts';
import { Slots } from '../../src/plan/slots.ts';
import type { Config } from '../../src/spec/config.ts';

const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;
const S_IFIFO = 0o010000;
const ctx = (o: Partial<DeviceContext> = {}): DeviceContext => ({ inUserNs: false, owner: [0, 0], slots: new Slots(), ...o });
const nodes = (devices: Device[] | undefined, c = ctx()) => deviceSteps(devices, c).afterPivot.filter((s) => s.op === 'MKNOD_AT');
const DEFAULTS = ['/dev/null', '/dev/zero', '/dev/full', '/dev/random', '/dev/urandom', '/dev/tty'];

describe('default devices (config-linux.md "Default Devices")', () => {
  it('are the six the spec lists, char devices 0666 owned by the container\'s root, replacing what is there', () => {
    expect(DEFAULT_DEVICES.map((d) => d.path)).toEqual(DEFAULTS);
    const s = nodes(undefined, ctx({ owner: [100000, 100001] }));
    expect(s.map((x) => x.args)).toEqual(DEFAULT_DEVICES.map((d) => [d.path, S_IFCHR | 0o666, d.major, d.minor, 100000, 100001, 1]));
    expect(s.map((x) => x.label)).toEqual(DEFAULTS.map((p) => `default devices (config-linux.md "Default Devices") (${p})`));
  });
  it('are followed by the /dev symlinks', () => {
    const { afterPivot, beforePivot } = deviceSteps(undefined, ctx());
    expect(beforePivot).toEqual([]);
    expect(afterPivot.map((x) => x.op)).toEqual([...Array(6).fill('MKNOD_AT'), ...Array(5).fill('SYMLINK')]);
    expect(afterPivot.slice(6).map((x) => x.args)).toEqual(DEV_SYMLINKS);
    expect(afterPivot.slice(6).map((x) => x.label)).toEqual(['/dev/fd symlink', '/dev/stdin symlink', '/dev/stdout symlink', '/dev/stderr symlink', '/dev/ptmx symlink']);
  });
  it('a config device of the same path takes the default\'s place, after the defaults, and does not replace a different file', () => {
    const s = nodes([{ path: '/dev/tty', type: 'c', major: 5, minor: 0, fileMode: 0o620, gid: 5 }]);
    expect(s.map((x) => x.args[0])).toEqual(['/dev/null', '/dev/zero', '/dev/full', '/dev/random', '/dev/urandom', '/dev/tty']);
    expect(s.at(-1)).toEqual({ op: 'MKNOD_AT', args: ['/dev/tty', S_IFCHR | 0o620, 5, 0, 0, 5, 0], label: 'linux.devices[0] (/dev/tty)' });
    expect(s.filter((x) => x.args[0] === '/dev/tty')).toHaveLength(1);
  });
});

describe('linux.devices', () => {
  it('fileMode defaults to 0666; uid and gid to the container\'s root; type bits from the type', () => {
    const s = nodes(
      [
        { path: '/dev/fuse', type: 'c', major: 10, minor: 229 },
        { path: '/dev/sda', type: 'b', major: 8, minor: 0, fileMode: 0o660, uid: 0, gid: 6 },
        { path: '/dev/kmsg', type: 'u', major: 1, minor: 11, fileMode: 0o644 },
        { path: '/run/fifo', type: 'p', fileMode: 0o600, uid: 1000, gid: 1000 },
      ],
      ctx({ owner: [1, 2] }),
    ).slice(6);
    expect(s.map((x) => x.args)).toEqual([
      ['/dev/fuse', S_IFCHR | 0o666, 10, 229, 1, 2, 0],
      ['/dev/sda', S_IFBLK | 0o660, 8, 0, 0, 6, 0],
      ['/dev/kmsg', S_IFCHR | 0o644, 1, 11, 1, 2, 0], // u: an unbuffered char device
      ['/run/fifo', S_IFIFO | 0o600, 0, 0, 1000, 1000, 0], // p: no major or minor
    ]);
    expect(s.map((x) => x.label)).toEqual(['linux.devices[0] (/dev/fuse)', 'linux.devices[1] (/dev/sda)', 'linux.devices[2] (/dev/kmsg)', 'linux.devices[3] (/run/fifo)']);
  });
  it('keeps setuid/setgid/sticky bits of fileMode, drops bits above them', () => {
    const [s] = nodes([{ path: '/dev/x', type: 'c', major: 1, minor: 1, fileMode: 0o104755 }]).slice(6);
    expect(s!.args[1]).toBe(S_IFCHR | 0o4755);
  });
  it('refuses a relative path, an unknown type, and a c/b/u device without major and minor', () => {
    expect(() => nodes([{ path: 'dev/x', type: 'c', major: 1, minor: 1 }])).toThrow('linux.devices[0].path: must be an absolute path');
    expect(() => nodes([{ path: '/dev/x', type: 's', major: 1, minor: 1 }])).toThrow('linux.devices[0].type: "s" is not c, b, u or p');
    expect(() => nodes([{ path: '/dev/x', type: 'b', major: 8 }])).toThrow('linux.devices[0]: major and minor are required for type b');
    expect(() => nodes([{ path: '/dev/x', type: 'u' }])).toThrow('linux.devices[0]: major and minor are required for type u');
    expect(() => nodes([{ path: '/dev/x', type: 'c', major: 1.5, minor: 1 }])).toThrow('linux.devices[0]: major and minor are required for type c');
  });
});

describe('in a new user namespace: the host\'s nodes bound', () => {
  it('OPEN_TREE of each host path into a slot before pivot_root, ATTACH_TREE at the same path after, no mknod', () => {
    const { beforePivot, afterPivot } = deviceSteps([{ path: '/dev/fuse', type: 'c', major: 10, minor: 229 }], ctx({ inUserNs: true }));
    const paths = [...DEFAULTS, '/dev/fuse'];
    expect(beforePivot).toEqual(
      paths.map((p, slot) => ({
        op: 'OPEN_TREE',
        args: [slot, p],
        label: `${slot < 6 ? 'default devices (config-linux.md "Default Devices")' : 'linux.devices[0]'} (${p}): bind of the host's node`,
      })),
    );
    expect(afterPivot.filter((x) => x.op === 'ATTACH_TREE').map((x) => x.args)).toEqual(paths.map((p, slot) => [p, slot]));
    expect(afterPivot.some((x) => x.op === 'MKNOD_AT')).toBe(false);
    expect(afterPivot.at(-1)!.op).toBe('SYMLINK');
  });
  it('slots go on from those already taken (id-mapped mounts, the seccomp listener)', () => {
    const slots = new Slots();
    slots.take('mounts[0]');
    slots.take('linux.seccomp.listenerPath');
    expect(deviceSteps(undefined, ctx({ inUserNs: true, slots })).beforePivot.map((x) => x.args[0])).toEqual([2, 3, 4, 5, 6, 7]);
  });
  it('more than 64 slots is an error naming the device that ran out', () => {
    const many = (n: number): Device[] => Array.from({ length: n }, (_, i) => ({ path: `/dev/d${i}`, type: 'c', major: 1, minor: i }));
    expect(deviceSteps(many(Slots.MAX - 6), ctx({ inUserNs: true })).beforePivot).toHaveLength(64);
    expect(() => deviceSteps(many(Slots.MAX - 5), ctx({ inUserNs: true }))).toThrow('linux.devices[58]: more than 64 devices, id-mapped mounts and listeners');
    expect(() => deviceSteps(many(100), ctx())).not.toThrow(); // mknod takes no slot
  });
});

describe('through buildPlan', () => {
  const bundle = mkdtempSync(join(tmpdir(), 'ocirt-devices-'));
  mkdirSync(join(bundle, 'rootfs'));
  const plan = (linux: Config['linux']) =>
    buildPlan({
      config: { ociVersion: '1.3.0', root: { path: 'rootfs' }, linux },
      edition: 'v1', rootfs: join(bundle, 'rootfs'), bundle, cgroupProcs: [], cgroup: { v1: [], pureV2: true }, noPivot: false, host: { selinux: false, resctrl: false },
    }).stages.find(([s]) => s === 2)![1];
  it('a new user namespace: the host\'s nodes are bound', () => {
    const map = [{ containerID: 0, hostID: 100000, size: 65536 }];
    const s = plan({ namespaces: [{ type: 'mount' }, { type: 'user' }], uidMappings: map, gidMappings: map });
    expect(s.filter((x) => x.op === 'OPEN_TREE')).toHaveLength(6);
    expect(s.some((x) => x.op === 'MKNOD_AT')).toBe(false);
  });
  // runc (rootfs_linux.go createDevices) binds whenever the config has a user namespace,
  // created or joined: mknod(2) in any user namespace but the initial one fails with EPERM. build.ts
  // passes inUserNs: ns.created.has('user') only, so a joined one gets MKNOD_AT steps that cannot succeed.
  it('a joined user namespace: the nodes are bound too (mknod is not allowed in it)', () => {
    const s = plan({ namespaces: [{ type: 'mount' }, { type: 'user', path: '/proc/1/ns/user' }] });
    expect(s.some((x) => x.op === 'MKNOD_AT')).toBe(false);
    expect(s.filter((x) => x.op === 'OPEN_TREE')).toHaveLength(6);
  });
});
