// config-linux.md "Devices" and "Default Devices": made after pivot_root, so every path resolves
// inside the rootfs. Without a new user namespace they are mknod'd; in one, mknod is not allowed,
// so the host's node is bound instead (what runc does): a detached bind of it is taken before
// pivot_root (OPEN_TREE) and attached at its path after (ATTACH_TREE).
import { specError } from '../errors.ts';
import type { Slots } from './slots.ts';
import type { Step } from './wire.ts';

const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;
const S_IFIFO = 0o010000;
const TYPES: Record<string, number> = { c: S_IFCHR, u: S_IFCHR, b: S_IFBLK, p: S_IFIFO };

export const DEFAULT_DEVICES = [
  { path: '/dev/null', major: 1, minor: 3 },
  { path: '/dev/zero', major: 1, minor: 5 },
  { path: '/dev/full', major: 1, minor: 7 },
  { path: '/dev/random', major: 1, minor: 8 },
  { path: '/dev/urandom', major: 1, minor: 9 },
  { path: '/dev/tty', major: 5, minor: 0 },
] as const;

export const DEV_SYMLINKS: Array<[target: string, link: string]> = [
  ['/proc/self/fd', '/dev/fd'],
  ['/proc/self/fd/0', '/dev/stdin'],
  ['/proc/self/fd/1', '/dev/stdout'],
  ['/proc/self/fd/2', '/dev/stderr'],
  ['pts/ptmx', '/dev/ptmx'],
];

export interface Device {
  path: string;
  type: string;
  major?: number;
  minor?: number;
  fileMode?: number;
  uid?: number;
  gid?: number;
}

export interface DeviceSteps {
  beforePivot: Step[];
  afterPivot: Step[];
}

export interface DeviceContext {
  inUserNs: boolean;
  owner: [uid: number, gid: number]; // the container's root as the host sees it
  slots: Slots;
}

function checkDevice(d: Device, field: string): number {
  if (typeof d.path !== 'string' || !d.path.startsWith('/')) throw specError(`${field}.path: must be an absolute path`);
  const type = TYPES[d.type];
  if (type === undefined) throw specError(`${field}.type: ${JSON.stringify(d.type)} is not c, b, u or p`);
  if (type !== S_IFIFO && (!Number.isInteger(d.major) || !Number.isInteger(d.minor))) throw specError(`${field}: major and minor are required for type ${d.type}`);
  return type;
}

function oneDevice(d: Device, field: string, ctx: DeviceContext, out: DeviceSteps, replace: boolean): void {
  const type = checkDevice(d, field);
  const label = `${field} (${d.path})`;
  if (ctx.inUserNs) {
    const slot = ctx.slots.take(field);
    out.beforePivot.push({ op: 'OPEN_TREE', args: [slot, d.path], label: `${label}: bind of the host's node` });
    out.afterPivot.push({ op: 'ATTACH_TREE', args: [d.path, slot], label });
    return;
  }
  const mode = type | ((d.fileMode ?? 0o666) & 0o7777);
  const args = [d.path, mode, d.major ?? 0, d.minor ?? 0, d.uid ?? ctx.owner[0], d.gid ?? ctx.owner[1], replace ? 1 : 0];
  out.afterPivot.push({ op: 'MKNOD_AT', args, label });
}

/** The default devices a config does not list itself, then the config's, then the /dev symlinks. */
export function deviceSteps(devices: Device[] | undefined, ctx: DeviceContext): DeviceSteps {
  const out: DeviceSteps = { beforePivot: [], afterPivot: [] };
  const listed = new Set((devices ?? []).map((d) => d.path));
  const label = 'default devices (config-linux.md "Default Devices")';
  for (const d of DEFAULT_DEVICES) if (!listed.has(d.path)) oneDevice({ ...d, type: 'c' }, label, ctx, out, true);
  (devices ?? []).forEach((d, i) => oneDevice(d, `linux.devices[${i}]`, ctx, out, false));
  for (const [target, link] of DEV_SYMLINKS) out.afterPivot.push({ op: 'SYMLINK', args: [target, link], label: `${link} symlink` });
  return out;
}
