// src/linux/cgroup-devices.ts: config-linux.md "Device allowlist" on the v1 devices controller: the
// config's rules in order, then what the container's own devices need (the default devices, which
// MUST be available, /dev/console, /dev/ptmx, /dev/pts/*, and each of linux.devices).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyDeviceRules, updateDeviceRules, deviceRuleWrites, ruleLines } from '../../src/linux/cgroup-devices.ts';

/** The lines of one rule, joined for short expectations. */
const ruleLine = (r: Parameters<typeof ruleLines>[0], field: string) => ruleLines(r, field).join(' | ');
import type { Config } from '../../src/spec/config.ts';

const config = (devices: unknown, own?: unknown): Config => ({ ociVersion: '1.3.0', root: { path: 'rootfs' }, linux: { resources: { devices }, devices: own } });
const ALWAYS: Array<['devices.allow', string]> = [
  'c 1:3 rwm', 'c 1:5 rwm', 'c 1:7 rwm', 'c 1:8 rwm', 'c 1:9 rwm', 'c 5:0 rwm', // the default devices
  'c 5:1 rwm', 'c 5:2 rwm', 'c 136:* rwm', // /dev/console, /dev/ptmx, /dev/pts/*
].map((l) => ['devices.allow', l]);

describe('ruleLines: the devices.allow / devices.deny lines of a rule', () => {
  it('"a" for every device with every access (deny-all, allow-all)', () => {
    expect(ruleLine({ allow: false, access: 'rwm' }, 'f')).toBe('a');
    expect(ruleLine({ allow: false }, 'f')).toBe('a');
    expect(ruleLine({ allow: true, type: 'a' }, 'f')).toBe('a');
  });
  it('type major:minor access, with "*" for a missing, null or negative number', () => {
    expect(ruleLine({ allow: true, type: 'c', major: 1, minor: 3, access: 'rw' }, 'f')).toBe('c 1:3 rw');
    expect(ruleLine({ allow: true, type: 'b', major: 8, access: 'r' }, 'f')).toBe('b 8:* r');
    expect(ruleLine({ allow: true, type: 'c', major: null, minor: -1, access: 'm' }, 'f')).toBe('c *:* m');
    expect(ruleLine({ allow: true, type: 'c', major: 136 }, 'f')).toBe('c 136:* rwm');
    expect(ruleLine({ allow: true, type: 'a', major: 1, access: 'rwm' }, 'f')).toBe('c 1:* rwm | b 1:* rwm'); // never an "a" line: the kernel reads it as every device
  });
  it('refuses a type other than a, c or b, and an access that is not of r, w and m, naming the field', () => {
    expect(() => ruleLine({ allow: true, type: 'u', major: 1, minor: 1 }, 'linux.resources.devices[2]')).toThrow('linux.resources.devices[2].type: "u" is not a, c or b');
    for (const access of ['', 'x', 'rwx', 'rwmr', 'RW']) {
      expect(() => ruleLine({ allow: true, type: 'c', major: 1, minor: 1, access }, 'linux.resources.devices[0]')).toThrow(
        `linux.resources.devices[0].access: ${JSON.stringify(access)} is not a combination of r, w and m`,
      );
    }
  });
  // security/device_cgroup.c (devcgroup_update_access) reads any line starting with "a" as "every
  // device, every access": to devices.allow it allows everything, to devices.deny it denies everything.
  // ruleLine returns "a" for type a without numbers whatever the access, so {allow: true, type: 'a',
  // access: 'r'} grants rwm on every device. It must be refused, or written per type ("c *:* r",
  // "b *:* r"), never widened.
  it('never widens an all-devices allow narrower than rwm into "a" (every access)', () => {
    const c = config([{ allow: false, access: 'rwm' }, { allow: true, type: 'a', access: 'r' }]);
    let writes: ReturnType<typeof deviceRuleWrites>;
    try {
      writes = deviceRuleWrites(c);
    } catch (err) {
      expect((err as Error).message).toMatch(/^linux\.resources\.devices\[1\]/);
      return;
    }
    expect(writes.slice(1)).not.toContainEqual(['devices.allow', 'a']);
  });
});

describe('deviceRuleWrites', () => {
  it('no rules, nothing written (no device allowlist asked for)', () => {
    expect(deviceRuleWrites(config(undefined))).toEqual([]);
    expect(deviceRuleWrites(config([]))).toEqual([]);
    expect(deviceRuleWrites({ ociVersion: '1.3.0', root: { path: 'r' } })).toEqual([]);
  });
  it('the config\'s rules in order, then the default devices, console, ptmx and pts always allowed', () => {
    const writes = deviceRuleWrites(config([{ allow: false, access: 'rwm' }, { allow: true, type: 'c', major: 10, minor: 200, access: 'rwm' }, { allow: false, type: 'c', major: 1, minor: 3, access: 'rwm' }]));
    expect(writes).toEqual([['devices.deny', 'a'], ['devices.allow', 'c 10:200 rwm'], ['devices.deny', 'c 1:3 rwm'], ...ALWAYS]);
  });
  it('each of linux.devices is allowed after those, u as c, a fifo (p) left out', () => {
    const own = [
      { path: '/dev/fuse', type: 'c', major: 10, minor: 229 },
      { path: '/dev/sda', type: 'b', major: 8, minor: 0 },
      { path: '/dev/kmsg', type: 'u', major: 1, minor: 11 },
      { path: '/run/fifo', type: 'p' },
    ];
    expect(deviceRuleWrites(config([{ allow: false, access: 'rwm' }], own))).toEqual([
      ['devices.deny', 'a'],
      ...ALWAYS,
      ['devices.allow', 'c 10:229 rwm'],
      ['devices.allow', 'b 8:0 rwm'],
      ['devices.allow', 'c 1:11 rwm'],
    ]);
  });
  it('refuses a bad rule before anything is written, naming it', () => {
    expect(() => deviceRuleWrites(config([{ allow: false, access: 'rwm' }, { allow: true, type: 'c', access: 'rx' }]))).toThrow(
      'linux.resources.devices[1].access: "rx" is not a combination of r, w and m',
    );
    expect(() => deviceRuleWrites(config([{ allow: true, type: 'p' }]))).toThrow('linux.resources.devices[0].type: "p" is not a, c or b');
  });
});

describe('applyDeviceRules', () => {
  it('does nothing without rules, even with no devices controller', () => {
    expect(() => applyDeviceRules([], config(undefined))).not.toThrow();
  });
  it('is an error when no directory is a v1 devices cgroup or a v2 cgroup', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ocirt-cgdev-'));
    expect(() => applyDeviceRules([dir], config([{ allow: false, access: 'rwm' }]))).toThrow(/^linux\.resources\.devices: this host has neither a cgroup v1 devices controller nor a cgroup v2 hierarchy/);
  });
  it.skipIf(process.getuid?.() !== 0)('takes the v2 path (a device program) when only a cgroup2 directory is given (needs root: it loads a BPF program)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ocirt-cgdev-'));
    writeFileSync(join(dir, 'cgroup.controllers'), '');
    // A temporary directory is no cgroup: the kernel refuses the attach, which shows the program was built and loaded.
    expect(() => applyDeviceRules([dir], config([{ allow: false, access: 'rwm' }]))).toThrow(/^linux\.resources\.devices: attaching/);
  });
  it('writes into the directory that has devices.allow, one line a write', () => {
    const other = mkdtempSync(join(tmpdir(), 'ocirt-cgdev-'));
    const dir = mkdtempSync(join(tmpdir(), 'ocirt-cgdev-'));
    writeFileSync(join(dir, 'devices.allow'), '');
    writeFileSync(join(dir, 'devices.deny'), '');
    applyDeviceRules([other, dir], config([{ allow: false, access: 'rwm' }]));
    // a plain file keeps the last write of each: the deny-all, and the last always-allowed rule
    expect(readFileSync(join(dir, 'devices.deny'), 'utf8')).toBe('a');
    expect(readFileSync(join(dir, 'devices.allow'), 'utf8')).toBe('c 136:* rwm');
  });
});

describe('updateDeviceRules', () => {
  const deny = [{ allow: false, access: 'rwm' }];
  it('the rules in force again (containerd sends them with every update) change nothing, on any host', () => {
    expect(() => updateDeviceRules([], config(deny), config(deny))).not.toThrow();
  });
  it('new rules on the v1 controller are refused, naming the field, with nothing written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ocirt-cgdev-'));
    writeFileSync(join(dir, 'devices.allow'), '');
    writeFileSync(join(dir, 'devices.deny'), '');
    expect(() => updateDeviceRules([dir], config(deny), config([...deny, { allow: true, type: 'c', major: 10, minor: 200, access: 'rw' }]))).toThrow(
      /^linux\.resources\.devices: update cannot change the device rules on the cgroup v1 devices controller/,
    );
    expect(readFileSync(join(dir, 'devices.allow'), 'utf8')).toBe('');
  });
});
