// `list`: every container under the root, as runc prints it.
import type { Runtime } from './runtime.ts';
import { stateJson, type StateJson } from './query.ts';

export function listContainers(rt: Runtime): StateJson[] {
  const out: StateJson[] = [];
  for (const id of rt.store.list()) {
    try {
      out.push(stateJson(rt.store.read(id)));
    } catch {
      /* removed while listing */
    }
  }
  return out;
}
