// runtime.md "Delete": undo what create made. draft: a running container is stopped first;
// v1.3.0: deleting a container that is not stopped MUST be an error (`--force` kills it, as runc does).
import { OciError, stateError } from '../errors.ts';
import { semantics } from '../spec/edition.ts';
import { withLock } from '../state/lock.ts';
import { statusOf } from './query.ts';
import type { Runtime } from './runtime.ts';
import { stopLocked } from './stop.ts';
import { destroyContainer } from './destroy.ts';
import { removeHalfMade } from './remove.ts';

/** `ifInit` ("pid:start time"): the autoremove watcher deletes only the container it watched, not a new one with the same id. */
export async function deleteContainer(rt: Runtime, id: string, force: boolean, ifInit?: string): Promise<void> {
  // ENGINES.md: `delete --force` of an unknown id exits 0. A directory without a state.json is not
  // unknown: it is a create that died before writing one (docs/reliability.md).
  if (force && !rt.store.reserved(id)) return;
  try {
    await withLock(rt.store, id, async () => {
      // --force also takes an unreadable state.json: the journal says what to undo.
      const s = force ? rt.store.readIfWhole(id) : rt.store.read(id);
      if (s === undefined || s.phase === 'creating') {
        // Under the lock a 'creating' state is a create that died: undone whatever its status says.
        if (ifInit !== undefined && ifInit !== journaledInit(rt, id)) return;
        return removeHalfMade(rt, id, s);
      }
      if (ifInit !== undefined && ifInit !== `${s.pid}:${s.pidStartTime}`) return;
      const status = statusOf(s);
      if (status !== 'stopped') {
        if (!force && !semantics.deleteStopsRunning(s.edition)) {
          throw stateError(`cannot delete a container that is ${status}: it must be stopped first (or use --force)`);
        }
        await stopLocked(s);
      }
      await destroyContainer(rt, s);
    });
  } catch (err) {
    // The holder we waited for removed it (another delete, a create that failed): as unknown.
    if (force && err instanceof OciError && err.code === 'not-found') return;
    throw err;
  }
}

function journaledInit(rt: Runtime, id: string): string | undefined {
  const init = rt.store.readJournal(id).init;
  return init && `${init.pid}:${init.startTime}`;
}
