// The last step of delete: the cgroup (with any process still in it) and the state directory. The
// namespaces the container made died with its processes; those it joined are not touched
// (runtime.md "Delete").
import { cleanupAll, OciError } from '../errors.ts';
import { openCgroup, type ContainerCgroup } from '../linux/cgroups.ts';
import type { StoredState } from '../state/store.ts';
import type { Runtime } from './runtime.ts';

export function removeContainer(rt: Runtime, s: StoredState): void {
  const failures = cleanupAll([() => s.cgroup && removeCgroup(openCgroup(s.cgroup)), () => rt.store.remove(s.id)]);
  if (failures.length) throw new OciError('cgroup', `delete ${s.id}: ${(failures[0] as Error).message}`, failures);
}

/** Without a PID namespace the init's death leaves its children running: like runc, delete kills what is left. */
function removeCgroup(cg: ContainerCgroup): void {
  if (cg.pids().length > 0) cg.signalAll('SIGKILL');
  cg.remove();
}
