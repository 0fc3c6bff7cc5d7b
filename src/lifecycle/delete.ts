// runtime.md "Delete": undo what create made. draft: a running container is stopped first;
// v1.3.0: deleting a container that is not stopped MUST be an error (`--force` kills it, as runc does).
import { stateError } from '../errors.ts';
import { semantics } from '../spec/edition.ts';
import { withLock } from '../state/lock.ts';
import type { StoredState } from '../state/store.ts';
import { statusOf } from './query.ts';
import type { Runtime } from './runtime.ts';
import { stopLocked } from './stop.ts';
import { removeContainer } from './remove.ts';

/** `ifInit` ("pid:start time"): the autoremove watcher deletes only the container it watched, not a new one with the same id. */
export async function deleteContainer(rt: Runtime, id: string, force: boolean, ifInit?: string): Promise<void> {
  // ENGINES.md: `delete --force` of an unknown id exits 0.
  if (force && !rt.store.exists(id)) return;
  await withLock(rt.store, id, async () => {
    const s = rt.store.read(id);
    if (ifInit !== undefined && ifInit !== `${s.pid}:${s.pidStartTime}`) return;
    const status = statusOf(s);
    if (status !== 'stopped') {
      if (!force && !semantics.deleteStopsRunning(s.edition)) {
        throw stateError(`cannot delete a container that is ${status}: it must be stopped first (or use --force)`);
      }
      await stopLocked(s);
    }
    removeContainer(rt, s);
  });
}
