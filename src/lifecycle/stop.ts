// draft runtime.md "Stop": stop every process of the container; keep it unless `autoremove`.
// Also how `delete` stops a running container first, and `delete --force` kills a live one.
import { OciError, stateError } from '../errors.ts';
import { openCgroup } from '../linux/cgroups.ts';
import { isAlive } from '../state/liveness.ts';
import { withLock } from '../state/lock.ts';
import type { StoredState } from '../state/store.ts';
import { statusOf } from './query.ts';
import type { Runtime } from './runtime.ts';
import { destroyContainer } from './destroy.ts';
import { setTimeout as sleep } from 'node:timers/promises';


/** SIGKILL to the init and, through the cgroup, to processes outside its PID namespace; then waits. */
export async function killAll(s: Pick<StoredState, 'pid' | 'pidStartTime' | 'cgroup'>): Promise<void> {
  if (s.cgroup) openCgroup(s.cgroup).signalAll('SIGKILL');
  try {
    if (isAlive(s.pid, s.pidStartTime)) process.kill(s.pid, 'SIGKILL');
  } catch {
    /* gone already */
  }
  for (let i = 0; i < 500 && isAlive(s.pid, s.pidStartTime); i++) await sleep(10);
  if (isAlive(s.pid, s.pidStartTime)) throw new OciError('syscall', `the container's init (pid ${s.pid}) did not die after SIGKILL`);
}

/** Stops a created or running container; the caller holds the lock. */
export async function stopLocked(s: StoredState): Promise<void> {
  await killAll(s);
  s.phase = 'stopped';
}

export async function stop(rt: Runtime, id: string): Promise<void> {
  await withLock(rt.store, id, async () => {
    const s = rt.store.read(id);
    if (s.edition !== 'draft') throw stateError('stop is an operation of the draft edition only; runtime-spec 1.x bundles use kill');
    const status = statusOf(s);
    if (status === 'stopped') throw stateError('cannot stop a container that is stopped');
    await stopLocked(s);
    // draft "Stop": with autoremove the delete operation MUST be invoked; without, nothing but the PID namespace goes.
    if (s.autoremove) await destroyContainer(rt, s);
    else rt.store.write(s);
  });
}
