// runtime.md "State" and "Query State": the state JSON, with the status derived from liveness.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openCgroup, removalOrder } from '../linux/cgroups.ts';
import { isAlive } from '../state/liveness.ts';
import { deriveStatus, HOOKS_FILE, type Status, type StoredState } from '../state/store.ts';
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
  return stateJsonAs(s, statusOf(s));
}

function stateJsonAs(s: StoredState, status: Status): StateJson {
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

/** What `ocirt state` prints: the document and its newline. */
export const stateDocument = (st: StateJson) => `${JSON.stringify(st, null, 2)}\n`;

/**
 * `state`'s answers for the C front end (native/frontend, ANSWERS_FILE): the document for each status
 * liveness can give, so that it only checks the init's pid, start time and freezer and prints one.
 * None while the container is being created: the front end then leaves `state` to this program.
 */
export function stateAnswers(s: StoredState, dir: string): string | undefined {
  if (s.phase === 'creating') return undefined;
  const live = s.phase === 'started' ? 'running' : 'created';
  const freezer = s.phase !== 'stopped' && s.cgroup ? openCgroup(s.cgroup).freezerFile() : undefined;
  const block = (name: string, text: string) => `${name} ${Buffer.byteLength(text)}\n${text}`;
  const docs = s.phase === 'stopped' || s.pid <= 0 ? [] : [block('live', stateDocument(stateJsonAs(s, live))), block('paused', stateDocument(stateJsonAs(s, 'paused')))];
  return [
    'ocirt-answers 1\n',
    `pid ${s.phase === 'stopped' ? 0 : s.pid}\n`,
    `start ${s.pidStartTime ?? '-'}\n`,
    `freezer ${freezer ? `${freezer.frozen} ${freezer.path}` : '-'}\n`,
    ...docs,
    block('dead', stateDocument(stateJsonAs(s, 'stopped'))),
    ...deleteBlock(s, dir),
  ].join('');
}

/**
 * delete's answer for a dead init: the cgroup directories in remove()'s order. None when delete owes
 * more than that (poststop hooks, or any hook: hooks.json) or a path cannot be a line.
 */
function deleteBlock(s: StoredState, dir: string): string[] {
  if (existsSync(join(dir, HOOKS_FILE))) return [];
  const order = s.cgroup ? removalOrder(s.cgroup) : [];
  if (order.some(([, d]) => d.includes('\n'))) return [];
  const text = order.map(([kind, d]) => `${kind} ${d}\n`).join('');
  return [`delete ${Buffer.byteLength(text)}\n${text}`];
}
