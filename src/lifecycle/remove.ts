// The last step of delete: the cgroup and the state directory. The namespaces the container
// made died with its processes; those it joined are not touched (runtime.md "Delete").
import { cleanupAll, OciError } from '../errors.ts';
import { openCgroup } from '../linux/cgroups.ts';
import type { StoredState } from '../state/store.ts';
import type { Runtime } from './runtime.ts';

export function removeContainer(rt: Runtime, s: StoredState): void {
  const failures = cleanupAll([() => s.cgroup && openCgroup(s.cgroup).remove(), () => rt.store.remove(s.id)]);
  if (failures.length) throw new OciError('cgroup', `delete ${s.id}: ${(failures[0] as Error).message}`, failures);
}

