// config-linux.md "Device allowlist" (linux.resources.devices) on the v1 devices controller: the
// config's rules in order, then what the container's own devices need. config-linux.md "Default
// Devices" MUST be available, so they are always allowed (and /dev/pts, /dev/ptmx, /dev/console,
// as runc allows them); so is each entry of linux.devices, as runc adds them.
// cgroup v2 needs a BPF_PROG_TYPE_CGROUP_DEVICE program: the resources issue's work.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OciError, specError } from '../errors.ts';
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

/** The lines to write, in order: [file, line]. */
export function deviceRuleWrites(c: Config): Array<['devices.allow' | 'devices.deny', string]> {
  const rules = ((c.linux?.resources as { devices?: DeviceRule[] } | undefined)?.devices ?? []).map((r, i) => [r, `linux.resources.devices[${i}]`] as const);
  if (rules.length === 0) return [];
  const own = ((c.linux?.devices as Device[] | undefined) ?? []).map((d, i) => [d, `linux.devices[${i}]`] as const).filter(([d]) => d.type !== 'p');
  const all = [
    ...rules,
    ...ALWAYS.map((r) => [r, 'default devices'] as const),
    ...own.map(([d, field]) => [{ allow: true, type: d.type === 'u' ? 'c' : d.type, major: d.major, minor: d.minor, access: 'rwm' }, field] as const),
  ];
  return all.flatMap(([r, field]) => ruleLines(r, field).map((line) => [r.allow ? 'devices.allow' : 'devices.deny', line] as ['devices.allow' | 'devices.deny', string]));
}

/** Writes the rules into the container's v1 devices cgroup; an error when there is none to write to. */
export function applyDeviceRules(dirs: string[], c: Config): void {
  const writes = deviceRuleWrites(c);
  if (writes.length === 0) return;
  const dir = dirs.find((d) => existsSync(join(d, 'devices.allow')));
  if (!dir) throw specError('linux.resources.devices: this host has no cgroup v1 devices controller (cgroup v2 device programs are not supported by ocirt yet)');
  for (const [file, line] of writes) {
    try {
      writeFileSync(join(dir, file), line);
    } catch (err) {
      throw new OciError('cgroup', `linux.resources.devices: write "${line}" to ${join(dir, file)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, err);
    }
  }
}
