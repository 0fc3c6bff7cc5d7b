// config-linux.md "Unified": each key is a file in the container's cgroup v2 directory and its
// value is written as given: "Configuration unknown to the runtime MUST still be written". The
// key's controller must be one the v2 hierarchy offers (resources-enable.ts enables it, or refuses
// the key). Planned last, so a key overrides the same file converted from a v1-shaped field, as
// in runc and crun.
import { specError } from '../errors.ts';
import type { PlanContext, ResourceWrite } from './cgroup-resources.ts';
import { given, object, str } from './resources-values.ts';

const F = 'linux.resources.unified';

/**
 * cgroup v2 core files that are not limits: they move processes in (a host pid written to
 * cgroup.procs would join the container, and die with it at delete), kill, freeze or reshape the
 * cgroup under ocirt. A bundle may not drive them; cgroup.max.depth and .max.descendants, which are
 * limits, stay writable.
 */
const NOT_LIMITS = new Set(['cgroup.procs', 'cgroup.threads', 'cgroup.kill', 'cgroup.freeze', 'cgroup.type', 'cgroup.subtree_control']);

export function unifiedWrites(spec: Record<string, string> | undefined, ctx: PlanContext): ResourceWrite[] {
  if (!given(spec)) return [];
  const entries = Object.entries(object(spec, F));
  if (entries.length === 0) return [];
  const v2 = ctx.v2;
  if (v2 === undefined) throw specError(`${F}: cgroup v2 files cannot be written on a cgroup v1 host (no cgroup2 file system is mounted)`);
  return entries.flatMap(([key, value]) => {
    const field = `${F}[${JSON.stringify(key)}]`;
    if (key === '' || key === '.' || key === '..' || key.includes('/')) throw specError(`${field}: must name a file in the cgroup directory`);
    if (NOT_LIMITS.has(key)) throw specError(`${field}: ${key} is not a resource limit: it moves, kills, freezes or reshapes the cgroup, which only the runtime does`);
    // The kernel takes one record per write (io.max, rdma.max lines), so each line is its own
    // write, as crun writes them; an empty value asks for nothing (crun skips it too).
    return str(value, field)
      .split('\n')
      .filter((line) => line !== '')
      .map((line): ResourceWrite => ({ dir: v2.dir, file: key, value: line, field }));
  });
}
