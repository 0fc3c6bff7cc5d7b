// The last step of delete: the cgroup (with any process of the container still in it) and the
// state directory. The namespaces the container made died with its processes; those it joined are
// not touched (runtime.md "Delete"). Also the undoing of a create that died half way, from its
// journal (store.ts Journal; docs/reliability.md).
import { readlinkSync } from 'node:fs';
import { cleanupAll, OciError } from '../errors.ts';
import { openCgroup, type ContainerCgroup } from '../linux/cgroups.ts';
import { isAlive } from '../state/liveness.ts';
import type { StoredState } from '../state/store.ts';
import type { Runtime } from './runtime.ts';
import { waitUntil } from '../wait-sync.ts';
import { killAll } from './stop.ts';

/** What removal reads of a container: a whole state has it, and so does what a journal leaves of one. */
export type Removable = Pick<StoredState, 'id' | 'cgroup' | 'extra'>;

/**
 * Undoes a create that did not finish, or a container whose state.json is unreadable; the caller
 * holds the lock. Create holds it until the container is whole, so a holder that finds a 'creating'
 * state, or none, knows the creator died: the journal names what it made. Its pid in `s` is the
 * dead creator's and is left alone.
 */
export async function removeHalfMade(rt: Runtime, id: string, s?: StoredState): Promise<void> {
  const j = rt.store.readJournal(id);
  const cgroup = s?.cgroup ?? j.cgroup;
  // Processes are killed in the leaves create made only: one that was there may hold another's (cgroups.ts refuseOccupied).
  const own = cgroup && { dirs: cgroup.dirs.filter((d) => cgroup.created.includes(d)), created: cgroup.created };
  await killAll({ pid: j.init?.pid ?? 0, pidStartTime: j.init?.startTime, cgroup: own });
  const mntNs = (s?.extra?.mntNs as string | undefined) ?? j.mntNs;
  removeContainer(rt, { id, cgroup, extra: mntNs === undefined ? {} : { mntNs } });
}

/** SIGKILL to the init the executor journaled, if it still lives (a create failing after launch). */
export function killJournaledInit(rt: Runtime, id: string): void {
  const init = rt.store.readJournal(id).init;
  if (init && isAlive(init.pid, init.startTime)) process.kill(init.pid, 'SIGKILL');
}

export function removeContainer(rt: Runtime, s: Removable): void {
  const failures = cleanupAll([() => s.cgroup && removeCgroup(rt, s, openCgroup(s.cgroup)), () => rt.store.remove(s.id)]);
  if (failures.length) throw new OciError('cgroup', `delete ${s.id}: ${(failures[0] as Error).message}`, failures);
}

function removeCgroup(rt: Runtime, s: Removable, cg: ContainerCgroup): void {
  killLeftovers(rt, s, cg);
  for (const dir of cg.remove()) rt.warn(`delete ${s.id}: ${dir} is left in place: processes that are not this container's are in it (another container with the same linux.cgroupsPath?)`);
}

/**
 * Without a PID namespace the init's death leaves its children running, and delete kills them as
 * runc does. They are told by the mount namespace the container made, which create recorded. Once
 * that namespace is gone its inode number can be reused, by a later container that took over the
 * emptied cgroup: a namespace another container of this root recorded is that container's.
 */
function killLeftovers(rt: Runtime, s: Removable, cg: ContainerCgroup): void {
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
  waitUntil(() => !ours.some((pid) => mountNamespaceOf(pid) === mntNs), 2000, 10);
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
