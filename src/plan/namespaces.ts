// config-linux.md "Namespaces" and "User namespace mappings": stage-1 steps that join namespaces
// given by path and create the rest in one unshare, the user namespace first.
import { isAbsolute } from 'node:path';
import { specError } from '../errors.ts';
import type { IdMapping, Linux } from '../spec/config.ts';
import { Linux as L } from './protocol.ts';
import type { Step } from './wire.ts';

export const NAMESPACE_FLAGS: Record<string, number> = {
  pid: L.CLONE_NEWPID, network: L.CLONE_NEWNET, mount: L.CLONE_NEWNS, ipc: L.CLONE_NEWIPC,
  uts: L.CLONE_NEWUTS, user: L.CLONE_NEWUSER, cgroup: L.CLONE_NEWCGROUP, time: L.CLONE_NEWTIME,
};

/** Joined in this order: the user namespace first (it owns the others), mount last (it changes how paths resolve). */
const JOIN_ORDER = ['user', 'ipc', 'uts', 'network', 'pid', 'cgroup', 'time', 'mount'];

export interface NamespaceSet {
  created: Set<string>;
  joined: Map<string, string>; // type → path
  index: Map<string, number>; // type → its index in linux.namespaces, for error labels
}

/** Checks the list (MUST: error on a duplicated type; path absolute) and splits it. */
export function namespaceSet(linux: Linux | undefined): NamespaceSet {
  const set: NamespaceSet = { created: new Set(), joined: new Map(), index: new Map() };
  (linux?.namespaces ?? []).forEach((ns, i) => {
    const field = `linux.namespaces[${i}]`;
    if (!(ns.type in NAMESPACE_FLAGS)) throw specError(`${field}.type: unknown namespace type "${ns.type}"`);
    if (set.created.has(ns.type) || set.joined.has(ns.type)) throw specError(`${field}.type: namespace "${ns.type}" is given twice`);
    set.index.set(ns.type, i);
    if (ns.path === undefined) set.created.add(ns.type);
    else if (!isAbsolute(ns.path)) throw specError(`${field}.path: must be an absolute path`);
    else set.joined.set(ns.type, ns.path);
  });
  return set;
}

export function formatIdMap(maps: IdMapping[] | undefined): string {
  return (maps ?? []).map((m) => `${m.containerID} ${m.hostID} ${m.size}\n`).join('');
}

function timeOffsets(linux: Linux | undefined): string {
  const clocks = Object.entries(linux?.timeOffsets ?? {});
  return clocks.map(([clock, o]) => `${clock} ${o.secs ?? 0} ${o.nanosecs ?? 0}\n`).join('');
}

export function namespaceSteps(ns: NamespaceSet, linux: Linux | undefined): Step[] {
  const steps: Step[] = [];
  for (const type of JOIN_ORDER) {
    const path = ns.joined.get(type);
    if (path) steps.push({ op: 'SETNS', args: [path, NAMESPACE_FLAGS[type] ?? 0], label: `linux.namespaces[${ns.index.get(type)}].path (${path})` });
  }
  if (ns.created.has('user')) {
    // Root on the host may write any mapping; setgroups stays "allow" so additionalGids work.
    steps.push({ op: 'UNSHARE_USER', args: [formatIdMap(linux?.uidMappings), formatIdMap(linux?.gidMappings), ''], label: 'linux.uidMappings/gidMappings' });
  }
  let flags = 0;
  for (const type of ns.created) if (type !== 'user') flags |= NAMESPACE_FLAGS[type] ?? 0;
  if (flags) steps.push({ op: 'UNSHARE', args: [flags], label: `linux.namespaces (${[...ns.created].filter((t) => t !== 'user').join(', ')})` });
  const offsets = timeOffsets(linux);
  if (offsets) steps.push({ op: 'WRITE_FILE', args: ['/proc/self/timens_offsets', offsets], label: 'linux.timeOffsets' });
  return steps;
}
