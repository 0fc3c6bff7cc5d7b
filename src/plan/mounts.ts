// config.md "Mounts": each entry becomes steps run by the init before pivot_root, in the listed
// order ("The runtime MUST mount entries in the listed order"). A destination is a "path inside
// container": the steps carry it as such, and the executor resolves it inside the rootfs it opened
// (OPEN_ROOT), so no symlink in the image leads a mount, or a directory or file made for one, out of
// the rootfs (CVE-2021-30465 and its kin); it is never joined to the host path of the rootfs.
import { statSync } from 'node:fs';
import { isAbsolute, posix, resolve } from 'node:path';
import { specError } from '../errors.ts';
import type { IdMapping, Mount } from '../spec/config.ts';
import type { Slots } from './slots.ts';
import { AT_RECURSIVE, MS, parseMountOptions, type ParsedOptions } from './mount-options.ts';
import { formatIdMap } from './namespaces.ts';
import type { Step } from './wire.ts';

/** A cgroup hierarchy as the container's "cgroup" mount shows it; `dir` is the container's own cgroup there. */
export interface CgroupView {
  name: string; // directory under the mount's destination ("cpu,cpuacct")
  options: string; // v1 mount data
  dir?: string; // host path of the container's cgroup in it
}

export interface MountContext {
  rootSlot: number; // the slot of the rootfs that OPEN_ROOT holds: every destination resolves in it
  bundle: string; // absolute; bind sources may be relative to it
  /** v1 hierarchies, and cgroup2 (pure v2: the whole mount; hybrid: a directory name) */
  cgroup: { v1: CgroupView[]; v2?: CgroupView; pureV2: boolean };
  /** a new cgroup namespace: a fresh cgroup mount shows the container's cgroup at its root */
  cgroupNs: boolean;
  /** the container's own user namespace maps, for "idmap" without the mount's own */
  userNsMaps?: { uid: IdMapping[]; gid: IdMapping[] };
  slots: Slots;
  /** stage-0 steps the mounts need (user namespaces of id-mapped mounts) */
  hostSteps: Step[];
}

/** A destination as a clean absolute path inside the container; relative ones are relative to "/". */
export function containerPath(destination: string): string {
  const normal = posix.normalize('/' + destination);
  return normal.length > 1 && normal.endsWith('/') ? normal.slice(0, -1) : normal;
}


/** mount(2) onto a path resolved in the rootfs slot. */
const mountIn = (ctx: MountContext, target: string, source: string, fstype: string, flags: number, data: string, label: string): Step => ({
  op: 'MOUNT_IN',
  args: [ctx.rootSlot, target, source, fstype, flags, data],
  label,
});
const dir = (ctx: MountContext, path: string, label: string): Step => ({ op: 'MKDIR_IN', args: [ctx.rootSlot, path, 0o755], label });

const isBind = (m: Mount) => m.type === 'bind' || (m.options ?? []).some((o) => o === 'bind' || o === 'rbind');

function bindSource(m: Mount, bundle: string, field: string): string {
  if (!m.source) throw specError(`${field}.source: a bind mount needs a source`);
  return isAbsolute(m.source) ? m.source : resolve(bundle, m.source);
}

/** A file bind-mounts onto a file; anything else onto a directory. */
function sourceIsDir(source: string, field: string): boolean {
  try {
    return statSync(source).isDirectory();
  } catch (err) {
    throw specError(`${field}.source: ${source}: no such file or directory`, err);
  }
}

function bindSteps(m: Mount, o: ParsedOptions, target: string, ctx: MountContext, label: string, field: string): Step[] {
  const source = bindSource(m, ctx.bundle, field);
  const make: Step = sourceIsDir(source, field) ? dir(ctx, target, label) : { op: 'MKFILE_IN', args: [ctx.rootSlot, target], label };
  const bind = o.idmap ? idmapStep(m, o, source, target, ctx, label, field) : mountIn(ctx, target, source, '', MS.BIND | (o.flags & MS.REC), '', label);
  const steps: Step[] = [make, bind];
  // A bind mount ignores other flags: they take a remount (mount(2) "MS_BIND | MS_REMOUNT").
  const extra = o.flags & ~(MS.BIND | MS.REC);
  if (extra) steps.push(mountIn(ctx, target, '', '', MS.BIND | MS.REMOUNT | extra, '', label));
  return steps;
}

/**
 * config.md "Linux mount options" idmap/ridmap, and the mount's uidMappings/gidMappings: a user
 * namespace with the mapping is made on the host (stage 0) and applied with mount_setattr.
 */
function idmapStep(m: Mount, o: ParsedOptions, source: string, target: string, ctx: MountContext, label: string, field: string): Step {
  const own = m.uidMappings as IdMapping[] | undefined;
  const ownGid = m.gidMappings as IdMapping[] | undefined;
  if (!!own?.length !== !!ownGid?.length) throw specError(`${field}.uidMappings: uidMappings and gidMappings must be given together`);
  const maps = own?.length ? { uid: own, gid: ownGid! } : ctx.userNsMaps;
  if (!maps) throw specError(`${field}.options: "${o.idmap}" needs uidMappings and gidMappings on the mount, or a user namespace`);
  const slot = ctx.slots.take(field);
  ctx.hostSteps.push({ op: 'USERNS_FD', args: [slot, formatIdMap(maps.uid), formatIdMap(maps.gid)], label: `${label}: id mapping` });
  return { op: 'IDMAP_MOUNT', args: [ctx.rootSlot, target, source, slot, o.idmap === 'ridmap' || o.flags & MS.REC ? 1 : 0], label };
}

/**
 * "cgroup": cgroup2 on a pure v2 host; else a tmpfs holding each v1 hierarchy (and cgroup2 on a
 * hybrid). The container sees its own cgroup at the root of each: in a new cgroup namespace a fresh
 * mount shows that; without one, its own directories are bound, as runc does.
 */
function cgroupSteps(o: ParsedOptions, target: string, ctx: MountContext, label: string): Step[] {
  const flags = MS.NOSUID | MS.NODEV | MS.NOEXEC | (o.flags & MS.RDONLY);
  const one = (h: CgroupView, at: string, fstype: string): Step[] => {
    if (ctx.cgroupNs || !h.dir) return [dir(ctx, at, label), mountIn(ctx, at, 'cgroup', fstype, flags, fstype === 'cgroup' ? h.options : '', label)];
    return [dir(ctx, at, label), mountIn(ctx, at, h.dir, '', MS.BIND, '', label), mountIn(ctx, at, '', '', MS.BIND | MS.REMOUNT | flags, '', label)];
  };
  if (ctx.cgroup.pureV2) return ctx.cgroup.v2 ? one(ctx.cgroup.v2, target, 'cgroup2') : [];
  const steps: Step[] = [dir(ctx, target, label), mountIn(ctx, target, 'tmpfs', 'tmpfs', MS.NOSUID | MS.NODEV | MS.NOEXEC, 'mode=755', label)];
  for (const h of ctx.cgroup.v1) steps.push(...one(h, posix.join(target, h.name), 'cgroup'));
  if (ctx.cgroup.v2) steps.push(...one(ctx.cgroup.v2, posix.join(target, ctx.cgroup.v2.name), 'cgroup2'));
  if (o.flags & MS.RDONLY) steps.push(mountIn(ctx, target, '', '', MS.REMOUNT | MS.RDONLY | MS.NOSUID | MS.NODEV | MS.NOEXEC, 'mode=755', label));
  return steps;
}

export function mountSteps(m: Mount, index: number, ctx: MountContext): Step[] {
  const field = `mounts[${index}]`;
  if (typeof m.destination !== 'string' || m.destination === '') throw specError(`${field}.destination: required`);
  const label = `${field} (${m.destination})`;
  const target = containerPath(m.destination);
  const o = parseMountOptions(m.options ?? []);
  let steps: Step[];
  if (o.idmap && !isBind(m)) throw specError(`${field}.options: "${o.idmap}" applies to bind mounts only`);
  if (o.tmpcopyup && (isBind(m) || m.type !== 'tmpfs')) throw specError(`${field}.options: "tmpcopyup" applies to tmpfs mounts only`);
  if (isBind(m)) steps = bindSteps(m, o, target, ctx, label, field);
  else if (m.type === 'cgroup') steps = cgroupSteps(o, target, ctx, label);
  else {
    if (!m.type) throw specError(`${field}.type: required for a mount that is not a bind mount`);
    const data = o.data.join(',');
    const mount: Step = o.tmpcopyup
      ? { op: 'TMPFS_COPYUP', args: [ctx.rootSlot, target, m.source ?? 'tmpfs', o.flags, data], label }
      : mountIn(ctx, target, m.source ?? m.type, m.type, o.flags, data, label);
    steps = [dir(ctx, target, label), mount];
  }
  for (const p of o.propagation) steps.push(mountIn(ctx, target, '', '', p, '', label));
  if (o.recursiveSet || o.recursiveClear) {
    steps.push({ op: 'MOUNT_SETATTR', args: [ctx.rootSlot, target, o.recursiveSet, o.recursiveClear, 0, AT_RECURSIVE], label });
  }
  return steps;
}
