// `pause` and `resume` (runc's commands; runtime.md leaves them to the runtime): freeze and thaw
// every process of the container through its cgroup's freezer. `state` then says `paused`.
import { stateError } from '../errors.ts';
import { openCgroup } from '../linux/cgroups.ts';
import { withLock } from '../state/lock.ts';
import { statusOf } from './query.ts';
import type { Runtime } from './runtime.ts';

export async function pause(rt: Runtime, id: string): Promise<void> {
  await setFrozen(rt, id, true);
}

export async function resume(rt: Runtime, id: string): Promise<void> {
  await setFrozen(rt, id, false);
}

async function setFrozen(rt: Runtime, id: string, frozen: boolean): Promise<void> {
  await withLock(rt.store, id, () => {
    const s = rt.store.read(id);
    const status = statusOf(s);
    if (frozen && status !== 'created' && status !== 'running') throw stateError(`cannot pause a container that is ${status}`);
    if (!frozen && status !== 'paused') throw stateError(`cannot resume a container that is ${status}: it is not paused`);
    if (!s.cgroup) throw stateError(`container "${id}" has no cgroup to freeze`);
    openCgroup(s.cgroup).setFrozen(frozen);
  });
}
