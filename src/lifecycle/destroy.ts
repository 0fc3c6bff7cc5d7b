// runtime.md "Lifecycle" steps 12 and 13 (v1.3.0; the draft's "Poststop"): the container is
// destroyed, then its poststop hooks run, each failure a warning, before the operation returns.
import type { StoredState } from '../state/store.ts';
import { runHooks, savedHooks, stateForHooks } from './hooks.ts';
import { removeContainer } from './remove.ts';
import type { Runtime } from './runtime.ts';

export async function destroyContainer(rt: Runtime, s: StoredState): Promise<void> {
  const hooks = savedHooks(rt.store.dir(s.id)); // read before the state directory goes
  removeContainer(rt, s);
  await runHooks(rt, hooks, 'poststop', stateForHooks(s, 'stopped'), s.pid, false);
}
