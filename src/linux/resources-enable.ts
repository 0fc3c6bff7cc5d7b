// config-linux.md "Unified": "The OCI runtime MUST ensure that the needed cgroup controllers are
// enabled for the cgroup", and "MUST generate an error when the configuration refers to a cgroup
// controller that is not present or that cannot be enabled". A v2 controller's files appear in a
// directory once its parent's cgroup.subtree_control has +controller, and a parent offers only
// what its own parent enabled: so each controller the writes need is enabled from the mount
// point down to the container's parent, top first, where it is not on yet. The container's own
// directory is left alone: enabling there would forbid its processes ("no internal processes").
import { posix } from 'node:path';
import { OciError, specError } from '../errors.ts';
import type { PlanContext, ResourceWrite } from './cgroup-resources.ts';

export function enableWrites(writes: ResourceWrite[], ctx: PlanContext): ResourceWrite[] {
  const v2 = ctx.v2;
  if (v2 === undefined) return [];
  const needed = new Map<string, string>(); // controller → the first field that needs it
  for (const w of writes.filter((w) => w.dir === v2.dir)) {
    const ctl = controllerOf(w.file);
    if (ctl === undefined || needed.has(ctl)) continue;
    if (!v2.controllers.includes(ctl)) {
      const listed = v2.controllers.join(' ') || 'nothing';
      throw specError(`${w.field}: cgroup v2 has no ${ctl} controller here (${posix.join(v2.mountPoint, 'cgroup.controllers')} lists ${listed})`);
    }
    needed.set(ctl, w.field);
  }
  if (needed.size === 0) return [];
  return ancestors(v2.mountPoint, v2.dir).flatMap((dir) => {
    const on = (ctx.read(dir, 'cgroup.subtree_control') ?? '').split(/\s+/);
    return [...needed].filter(([ctl]) => !on.includes(ctl)).map(([ctl, field]) => ({ dir, file: 'cgroup.subtree_control', value: `+${ctl}`, field }));
  });
}

/** "hugetlb" of hugetlb.2MB.max; undefined for core files (cgroup.*, PSI's *.pressure) and dotless names. */
function controllerOf(file: string): string | undefined {
  const dot = file.indexOf('.');
  if (dot <= 0 || file.startsWith('cgroup.') || file.endsWith('.pressure')) return undefined;
  return file.slice(0, dot);
}

/** The mount point and each directory below it down to the parent of `dir`. */
function ancestors(mountPoint: string, dir: string): string[] {
  const rel = posix.relative(mountPoint, posix.dirname(dir));
  if (rel.startsWith('..') || posix.relative(mountPoint, dir) === '') throw new OciError('internal', `${dir} is not below ${mountPoint}`);
  const parts = rel === '' ? [] : rel.split('/');
  return [mountPoint, ...parts.map((_, i) => posix.join(mountPoint, ...parts.slice(0, i + 1)))];
}
