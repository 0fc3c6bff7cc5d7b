// config.md "Mounts": each entry becomes steps run by the init before pivot_root, in the listed
// order ("The runtime MUST mount entries in the listed order").
import { statSync } from 'node:fs';
import { isAbsolute, posix, resolve } from 'node:path';
import { specError } from '../errors.ts';
import type { Mount } from '../spec/config.ts';
import { AT_RECURSIVE, MS, parseMountOptions, type ParsedOptions } from './mount-options.ts';
import type { Step } from './wire.ts';

export interface MountContext {
  rootfs: string; // absolute host path
  bundle: string; // absolute; bind sources may be relative to it
  /** v1 hierarchies (mount data such as "cpu,cpuacct" and a directory name) and whether cgroup2 is mounted */
  cgroup: { v1: Array<{ name: string; options: string }>; v2Mount?: string; pureV2: boolean };
}

/** The host path of a destination inside the rootfs; relative destinations are relative to "/". */
export function inRootfs(rootfs: string, destination: string): string {
  const normal = posix.normalize('/' + destination);
  return normal === '/' ? rootfs : rootfs + normal;
}

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
  const make: Step = sourceIsDir(source, field)
    ? { op: 'MKDIR_P', args: [target, 0o755], label }
    : { op: 'MKFILE_P', args: [target], label };
  const steps: Step[] = [make, { op: 'MOUNT', args: [source, target, '', MS.BIND | (o.flags & MS.REC), ''], label }];
  // A bind mount ignores other flags: they take a remount (mount(2) "MS_BIND | MS_REMOUNT").
  const extra = o.flags & ~(MS.BIND | MS.REC);
  if (extra) steps.push({ op: 'MOUNT', args: ['', target, '', MS.BIND | MS.REMOUNT | extra, ''], label });
  return steps;
}

/** "cgroup": cgroup2 on a pure v2 host; else a tmpfs holding each v1 hierarchy (and cgroup2 on a hybrid). */
function cgroupSteps(o: ParsedOptions, target: string, ctx: MountContext, label: string): Step[] {
  const flags = MS.NOSUID | MS.NODEV | MS.NOEXEC | (o.flags & MS.RDONLY);
  if (ctx.cgroup.pureV2) return [dir(target, label), { op: 'MOUNT', args: ['cgroup', target, 'cgroup2', flags, ''], label }];
  const steps: Step[] = [dir(target, label), { op: 'MOUNT', args: ['tmpfs', target, 'tmpfs', MS.NOSUID | MS.NODEV | MS.NOEXEC, 'mode=755'], label }];
  for (const h of ctx.cgroup.v1) {
    steps.push(dir(`${target}/${h.name}`, label), { op: 'MOUNT', args: ['cgroup', `${target}/${h.name}`, 'cgroup', flags, h.options], label });
  }
  if (ctx.cgroup.v2Mount) {
    const t = `${target}/${ctx.cgroup.v2Mount}`;
    steps.push(dir(t, label), { op: 'MOUNT', args: ['cgroup', t, 'cgroup2', flags, ''], label });
  }
  if (o.flags & MS.RDONLY) steps.push({ op: 'MOUNT', args: ['', target, '', MS.REMOUNT | MS.RDONLY | MS.NOSUID | MS.NODEV | MS.NOEXEC, 'mode=755'], label });
  return steps;
}

const dir = (path: string, label: string): Step => ({ op: 'MKDIR_P', args: [path, 0o755], label });

export function mountSteps(m: Mount, index: number, ctx: MountContext): Step[] {
  const field = `mounts[${index}]`;
  if (typeof m.destination !== 'string' || m.destination === '') throw specError(`${field}.destination: required`);
  const label = `${field} (${m.destination})`;
  const target = inRootfs(ctx.rootfs, m.destination);
  const o = parseMountOptions(m.options ?? [], field);
  let steps: Step[];
  if (isBind(m)) steps = bindSteps(m, o, target, ctx, label, field);
  else if (m.type === 'cgroup') steps = cgroupSteps(o, target, ctx, label);
  else {
    if (!m.type) throw specError(`${field}.type: required for a mount that is not a bind mount`);
    steps = [dir(target, label), { op: 'MOUNT', args: [m.source ?? m.type, target, m.type, o.flags, o.data.join(',')], label }];
  }
  for (const p of o.propagation) steps.push({ op: 'MOUNT', args: ['', target, '', p, ''], label });
  if (o.recursiveSet || o.recursiveClear) {
    steps.push({ op: 'MOUNT_SETATTR', args: [target, o.recursiveSet, o.recursiveClear, 0, AT_RECURSIVE], label });
  }
  return steps;
}
