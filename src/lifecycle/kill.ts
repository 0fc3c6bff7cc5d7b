// runtime.md (v1.3.0) "Kill": send a signal to the container's process; an error unless created or running.
import { stateError } from '../errors.ts';
import { openCgroup } from '../linux/cgroups.ts';
import { withLock } from '../state/lock.ts';
import { statusOf } from './query.ts';
import type { Runtime } from './runtime.ts';

export async function kill(rt: Runtime, id: string, signal: number, all: boolean): Promise<void> {
  await withLock(rt.store, id, () => {
    const s = rt.store.read(id);
    const status = statusOf(s);
    if (status !== 'created' && status !== 'running') throw stateError('container not running');
    // --all reaches processes outside the init's PID namespace through the cgroup (ENGINES.md).
    if (all && s.cgroup) openCgroup(s.cgroup).signalAll(signal);
    else process.kill(s.pid, signal);
  });
}
