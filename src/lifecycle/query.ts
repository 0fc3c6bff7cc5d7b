// runtime.md "State" and "Query State": the state JSON, with the status derived from liveness.
import { openCgroup } from '../linux/cgroups.ts';
import { isAlive } from '../state/liveness.ts';
import { deriveStatus, type Status, type StoredState } from '../state/store.ts';
import type { Runtime } from './runtime.ts';

export interface StateJson {
  ociVersion: string;
  id: string;
  status: Status;
  pid: number;
  bundle: string;
  bundlePath: string;
  rootfs: string;
  created: string;
  owner: string;
  annotations: Record<string, string>;
  exitStatus?: number;
}

/** runtime.md "State": status from liveness; a live container whose freezer holds it is `paused`, as runc reports. */
export function statusOf(s: StoredState): Status {
  const status = deriveStatus(s, isAlive);
  if ((status === 'created' || status === 'running') && s.cgroup && openCgroup(s.cgroup).isFrozen()) return 'paused';
  return status;
}

/** Both editions' fields: `bundle` and `status` (v1.3.0), `bundlePath` (draft). pid is 0 once stopped, as runc does. */
export function stateJson(s: StoredState): StateJson {
  const status = statusOf(s);
  const out: StateJson = {
    ociVersion: s.ociVersion, id: s.id, status, pid: status === 'stopped' ? 0 : s.pid, bundle: s.bundle, bundlePath: s.bundle,
    rootfs: s.rootfs, created: s.created, owner: s.owner, annotations: s.annotations,
  };
  if (s.exitStatus !== undefined) out.exitStatus = s.exitStatus;
  return out;
}

export function queryState(rt: Runtime, id: string): StateJson {
  return stateJson(rt.store.read(id));
}
