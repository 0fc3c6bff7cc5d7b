// src/plan/linux-paths.ts: config-linux.md "Readonly Paths" and "Masked Paths", after pivot_root with
// container paths; read-only first, so that masking under a read-only /proc stays possible (runc).
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../src/plan/build.ts';
import { linuxPathSteps } from '../../src/plan/linux-paths.ts';

describe('readonlyPaths and maskedPaths', () => {
  it('READONLY_PATH for each read-only path, then MASK_PATH for each masked one, in the listed order', () => {
    expect(linuxPathSteps(['/proc/sys', '/proc/bus'], ['/proc/kcore', '/sys/firmware'])).toEqual([
      { op: 'READONLY_PATH', args: ['/proc/sys'], label: 'linux.readonlyPaths[0] (/proc/sys)' },
      { op: 'READONLY_PATH', args: ['/proc/bus'], label: 'linux.readonlyPaths[1] (/proc/bus)' },
      { op: 'MASK_PATH', args: ['/proc/kcore'], label: 'linux.maskedPaths[0] (/proc/kcore)' },
      { op: 'MASK_PATH', args: ['/sys/firmware'], label: 'linux.maskedPaths[1] (/sys/firmware)' },
    ]);
  });
  it('paths are the container\'s, never the host path under the rootfs', () => {
    const bundle = mkdtempSync(join(tmpdir(), 'ocirt-paths-'));
    mkdirSync(join(bundle, 'rootfs'));
    const plan = buildPlan({
      config: { ociVersion: '1.3.0', root: { path: 'rootfs' }, linux: { namespaces: [{ type: 'mount' }], readonlyPaths: ['/proc/sys'], maskedPaths: ['/proc/kcore'] } },
      edition: 'v1', rootfs: join(bundle, 'rootfs'), bundle, cgroupProcs: [], cgroup: { v1: [], pureV2: true }, noPivot: false, host: { selinux: false, resctrl: false },
    });
    const s = plan.stages.find(([n]) => n === 2)![1];
    const i = (op: string) => s.findIndex((x) => x.op === op);
    expect(s[i('READONLY_PATH')]!.args).toEqual(['/proc/sys']);
    expect(s[i('MASK_PATH')]!.args).toEqual(['/proc/kcore']);
    expect(i('PIVOT_ROOT')).toBeLessThan(i('READONLY_PATH'));
    expect(i('READONLY_PATH')).toBeLessThan(i('MASK_PATH'));
  });
  it('absent, null or empty, no steps', () => {
    expect(linuxPathSteps(undefined, undefined)).toEqual([]);
    expect(linuxPathSteps(null, null)).toEqual([]);
    expect(linuxPathSteps([], [])).toEqual([]);
  });
  it('refuses a relative path or a non-string, naming the entry, and a list that is not an array', () => {
    expect(() => linuxPathSteps(['/ok', 'proc/sys'], [])).toThrow('linux.readonlyPaths[1]: must be an absolute path');
    expect(() => linuxPathSteps([], ['proc/kcore'])).toThrow('linux.maskedPaths[0]: must be an absolute path');
    expect(() => linuxPathSteps([], [''])).toThrow('linux.maskedPaths[0]: must be an absolute path');
    expect(() => linuxPathSteps([7], [])).toThrow('linux.readonlyPaths[0]: must be an absolute path');
    expect(() => linuxPathSteps('/proc/sys', [])).toThrow('linux.readonlyPaths: must be an array of absolute paths');
    expect(() => linuxPathSteps([], { a: '/x' })).toThrow('linux.maskedPaths: must be an array of absolute paths');
  });
});
