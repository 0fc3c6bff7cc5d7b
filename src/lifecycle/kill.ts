// runtime.md (v1.3.0) "Kill": send a signal to the container's process; an error unless created or
// running. A paused container is running but frozen: like runc, it takes the signal, and SIGKILL
// thaws it, since a frozen task acts on nothing until thawed.
import { stateError } from '../errors.ts';
import { openCgroup } from '../linux/cgroups.ts';
import { withLock } from '../state/lock.ts';
import { statusOf } from './query.ts';
import type { Runtime } from './runtime.ts';

const SIGKILL = 9;

export async function kill(rt: Runtime, id: string, signal: number, all: boolean): Promise<void> {
  await withLock(rt.store, id, () => {
    const s = rt.store.read(id);
    const status = statusOf(s);
    if (status !== 'created' && status !== 'running' && status !== 'paused') throw stateError('container not running');
    const cg = s.cgroup && openCgroup(s.cgroup);
    // --all reaches processes outside the init's PID namespace through the cgroup (ENGINES.md).
    if (all && cg) cg.signalAll(signal);
    else process.kill(s.pid, signal);
    if (cg && signal === SIGKILL && status === 'paused') cg.setFrozen(false);
  });
}
