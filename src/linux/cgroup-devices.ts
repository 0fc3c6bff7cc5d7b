// config-linux.md "Device allowlist" (linux.resources.devices) on the v1 devices controller: the
// config's rules in order, then what the container's own devices need. config-linux.md "Default
// Devices" MUST be available, so they are always allowed (and /dev/pts, /dev/ptmx, /dev/console,
// as runc allows them); so is each entry of linux.devices, as runc adds them. Where the host has no
// v1 devices controller (pure cgroup v2), the same rules become a BPF_PROG_TYPE_CGROUP_DEVICE
// program (device-bpf.ts) attached to the container's v2 cgroup (bpf.ts).
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OciError, specError } from '../errors.ts';
import { attachDeviceProgram, replaceDeviceProgram } from './bpf.ts';
import { deviceProgram } from './device-bpf.ts';
import { DEFAULT_DEVICES, type Device } from '../plan/devices.ts';
import type { Config } from '../spec/config.ts';

export interface DeviceRule {
  allow: boolean;
  type?: string;
  major?: number | null;
  minor?: number | null;
  access?: string;
}

const num = (n: number | null | undefined) => (n === undefined || n === null || n < 0 ? '*' : String(n));

/** The devices.allow / devices.deny lines of a rule: "c 1:3 rwm"; "a" only for every device with every access
 *  (the kernel reads any "a" line so), else one line per type. */
export function ruleLines(r: DeviceRule, field: string): string[] {
  const type = r.type ?? 'a';
  if (!['a', 'c', 'b'].includes(type)) throw specError(`${field}.type: ${JSON.stringify(type)} is not a, c or b`);
  const access = r.access ?? 'rwm';
  if (!/^[rwm]{1,3}$/.test(access)) throw specError(`${field}.access: ${JSON.stringify(access)} is not a combination of r, w and m`);
  const all = r.major == null && r.minor == null;
  if (type === 'a' && all && [...'rwm'].every((c) => access.includes(c))) return ['a'];
  return (type === 'a' ? ['c', 'b'] : [type]).map((t) => `${t} ${num(r.major)}:${num(r.minor)} ${access}`);
}

const ALWAYS: DeviceRule[] = [
  ...DEFAULT_DEVICES.map((d) => ({ allow: true, type: 'c', major: d.major, minor: d.minor, access: 'rwm' })),
  { allow: true, type: 'c', major: 5, minor: 1, access: 'rwm' }, // /dev/console
  { allow: true, type: 'c', major: 5, minor: 2, access: 'rwm' }, // /dev/ptmx
  { allow: true, type: 'c', major: 136, minor: -1, access: 'rwm' }, // /dev/pts/*
];

interface NamedRule {
  rule: DeviceRule;
  field: string;
}

/** The rules in force, in order, each with the field it came from; [] when the config asks for none. */
export function effectiveRules(c: Config): NamedRule[] {
  const given = ((c.linux?.resources as { devices?: DeviceRule[] } | undefined)?.devices ?? []).map((rule, i) => ({ rule, field: `linux.resources.devices[${i}]` }));
  if (given.length === 0) return [];
  const own = ((c.linux?.devices as Device[] | undefined) ?? []).map((d, i) => ({ d, field: `linux.devices[${i}]` })).filter(({ d }) => d.type !== 'p');
  return [
    ...given,
    ...ALWAYS.map((rule) => ({ rule, field: 'default devices' })),
    ...own.map(({ d, field }) => ({ rule: { allow: true, type: d.type === 'u' ? 'c' : d.type, major: d.major, minor: d.minor, access: 'rwm' }, field })),
  ];
}

/** The v1 lines to write, in order: [file, line]. */
export function deviceRuleWrites(c: Config): Array<['devices.allow' | 'devices.deny', string]> {
  return effectiveRules(c).flatMap(({ rule, field }) => ruleLines(rule, field).map((line) => [rule.allow ? 'devices.allow' : 'devices.deny', line] as ['devices.allow' | 'devices.deny', string]));
}

/** The rules into the v1 devices cgroup when the host has one, else as a program on the v2 cgroup. */
export function applyDeviceRules(dirs: string[], c: Config): void {
  const rules = effectiveRules(c);
  if (rules.length === 0) return;
  const v1 = v1Dir(dirs);
  if (v1 !== undefined) return writeLines(v1, deviceRuleWrites(c));
  attachDeviceProgram(v2Dir(dirs), programOf(rules));
}

/**
 * `update` with device rules: the same rules as in force (containerd sends them with every update)
 * change nothing. New rules replace the v2 program without a moment of no program; on v1 they are
 * refused, since rewriting the list starts with denying every device to a running container.
 */
export function updateDeviceRules(dirs: string[], before: Config, after: Config): void {
  const [old, now] = [effectiveRules(before), effectiveRules(after)];
  if (JSON.stringify(old.map((r) => r.rule)) === JSON.stringify(now.map((r) => r.rule))) return;
  if (v1Dir(dirs) !== undefined) throw specError('linux.resources.devices: update cannot change the device rules on the cgroup v1 devices controller (rewriting them would deny every device for a moment); recreate the container');
  replaceDeviceProgram(v2Dir(dirs), programOf(now.length > 0 ? now : [{ rule: { allow: true, access: 'rwm' }, field: 'linux.resources.devices' }]));
}

const v1Dir = (dirs: string[]) => dirs.find((d) => existsSync(join(d, 'devices.allow')));

function v2Dir(dirs: string[]): string {
  const v2 = dirs.find((d) => existsSync(join(d, 'cgroup.controllers')));
  if (v2 === undefined) throw specError('linux.resources.devices: this host has neither a cgroup v1 devices controller nor a cgroup v2 hierarchy');
  return v2;
}

const programOf = (rules: NamedRule[]) => deviceProgram(rules.map((r) => r.rule), rules.map((r) => r.field));

function writeLines(dir: string, writes: Array<['devices.allow' | 'devices.deny', string]>): void {
  for (const [file, line] of writes) {
    try {
      writeFileSync(join(dir, file), line);
    } catch (err) {
      throw new OciError('cgroup', `linux.resources.devices: write "${line}" to ${join(dir, file)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, err);
    }
  }
}
