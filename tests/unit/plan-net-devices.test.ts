// src/plan/net-devices.ts: config-linux.md "Network Devices", moved by the executor on the host
// (stage 4) into the init's network namespace once the init exists.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../src/plan/build.ts';
import { namespaceSet } from '../../src/plan/namespaces.ts';
import { netDeviceSteps } from '../../src/plan/net-devices.ts';

const withNet = namespaceSet({ namespaces: [{ type: 'mount' }, { type: 'network' }] });

describe('netDevices', () => {
  it('each entry is a NETDEV_MOVE of the host name to its name in the container; the name defaults to the host\'s', () => {
    expect(netDeviceSteps({ eth1: { name: 'eth0' }, dummy0: {}, veth9: { name: 'net%d' } }, withNet)).toEqual([
      { op: 'NETDEV_MOVE', args: ['eth1', 'eth0'], label: 'linux.netDevices["eth1"]' },
      { op: 'NETDEV_MOVE', args: ['dummy0', 'dummy0'], label: 'linux.netDevices["dummy0"]' },
      { op: 'NETDEV_MOVE', args: ['veth9', 'net%d'], label: 'linux.netDevices["veth9"]' },
    ]);
  });
  it('are stage 4 of the plan, after stage 2', () => {
    const bundle = mkdtempSync(join(tmpdir(), 'ocirt-netdev-'));
    mkdirSync(join(bundle, 'rootfs'));
    const plan = buildPlan({
      config: { ociVersion: '1.3.0', root: { path: 'rootfs' }, linux: { namespaces: [{ type: 'mount' }, { type: 'network' }], netDevices: { eth1: {} } } },
      edition: 'v1', rootfs: join(bundle, 'rootfs'), bundle, cgroupProcs: [], cgroup: { v1: [], pureV2: true }, noPivot: false, host: { selinux: false, resctrl: false },
    });
    expect(plan.stages.map(([n]) => n)).toEqual([0, 1, 2, 4, 5]);
    expect(plan.stages.find(([n]) => n === 4)).toEqual([4, [{ op: 'NETDEV_MOVE', args: ['eth1', 'eth1'], label: 'linux.netDevices["eth1"]' }]]);
    expect(plan.stages.slice(0, 3).some(([, s]) => s.some((x) => x.op === 'NETDEV_MOVE'))).toBe(false);
  });
  it('a joined network namespace will do', () => {
    const joined = namespaceSet({ namespaces: [{ type: 'mount' }, { type: 'network', path: '/run/netns/x' }] });
    expect(netDeviceSteps({ eth1: {} }, joined)).toHaveLength(1);
  });
  it('needs a network namespace', () => {
    expect(() => netDeviceSteps({ eth1: {} }, namespaceSet({ namespaces: [{ type: 'mount' }] }))).toThrow(/^linux\.netDevices: needs a network namespace in linux\.namespaces/);
    expect(netDeviceSteps({}, namespaceSet({ namespaces: [{ type: 'mount' }] }))).toEqual([]);
    expect(netDeviceSteps(undefined, withNet)).toEqual([]);
  });
  it('refuses names that are not interface names (IFNAMSIZ 16 with the NUL, no "/", ":", space, "." or "..")', () => {
    expect(netDeviceSteps({ abcdefghijklmno: {} }, withNet)).toHaveLength(1); // 15 bytes
    for (const bad of ['abcdefghijklmnop', 'a/b', 'a:b', 'a b', '.', '..', '']) {
      expect(() => netDeviceSteps({ [bad]: {} }, withNet)).toThrow(`linux.netDevices[${JSON.stringify(bad)}]: not an interface name`);
      expect(() => netDeviceSteps({ eth1: { name: bad } }, withNet)).toThrow('linux.netDevices["eth1"].name: not an interface name');
    }
    expect(() => netDeviceSteps({ eth1: { name: 7 } }, withNet)).toThrow('linux.netDevices["eth1"].name: not an interface name');
    expect(() => netDeviceSteps(['eth1'], withNet)).toThrow('linux.netDevices: must be an object keyed by interface name');
  });
});
