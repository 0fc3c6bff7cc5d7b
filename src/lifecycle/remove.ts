// The last step of delete: the cgroup (with any process of the container still in it) and the
// state directory. The namespaces the container made died with its processes; those it joined are
// not touched (runtime.md "Delete").
import { readlinkSync } from 'node:fs';
import { cleanupAll, OciError } from '../errors.ts';
import { openCgroup, type ContainerCgroup } from '../linux/cgroups.ts';
import type { StoredState } from '../state/store.ts';
import type { Runtime } from './runtime.ts';

export function removeContainer(rt: Runtime, s: StoredState): void {
  const failures = cleanupAll([() => s.cgroup && removeCgroup(rt, s, openCgroup(s.cgroup)), () => rt.store.remove(s.id)]);
  if (failures.length) throw new OciError('cgroup', `delete ${s.id}: ${(failures[0] as Error).message}`, failures);
}

function removeCgroup(rt: Runtime, s: StoredState, cg: ContainerCgroup): void {
  killLeftovers(rt, s, cg);
  for (const dir of cg.remove()) rt.warn(`delete ${s.id}: ${dir} is left in place: processes that are not this container's are in it (another container with the same linux.cgroupsPath?)`);
}

/**
 * Without a PID namespace the init's death leaves its children running, and delete kills them as
 * runc does. They are told by the mount namespace the container made, which create recorded. Once
 * that namespace is gone its inode number can be reused, by a later container that took over the
 * emptied cgroup: a namespace another container of this root recorded is that container's.
 */
function killLeftovers(rt: Runtime, s: StoredState, cg: ContainerCgroup): void {
  const mntNs = s.extra?.mntNs as string | undefined;
  if (mntNs === undefined) return;
  const ours = cg.pids().filter((pid) => mountNamespaceOf(pid) === mntNs);
  if (ours.length === 0 || recordedByAnother(rt, s.id, mntNs)) return;
  for (const pid of ours) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone already */
    }
  }
  for (let i = 0; i < 200 && ours.some((pid) => mountNamespaceOf(pid) === mntNs); i++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
}

function recordedByAnother(rt: Runtime, id: string, mntNs: string): boolean {
  return rt.store.list().some((other) => {
    if (other === id) return false;
    try {
      return rt.store.read(other).extra?.mntNs === mntNs;
    } catch {
      return false; // removed meanwhile, or unreadable: it claims nothing
    }
  });
}

function mountNamespaceOf(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/mnt`);
  } catch {
    return undefined; // exited (a zombie has no namespaces to read)
  }
}
