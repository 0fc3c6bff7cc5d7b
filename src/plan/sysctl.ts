// config-linux.md "Sysctl": written under the container's /proc/sys after pivot_root. A key is
// refused unless its kernel namespace is the container's own (runc's rule): a sysctl of the
// host's namespace would change the host.
import { specError } from '../errors.ts';
import type { NamespaceSet } from './namespaces.ts';
import type { Step } from './wire.ts';

const IPC_KEYS = new Set(['kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem', 'kernel.shmall', 'kernel.shmmax', 'kernel.shmmni', 'kernel.shm_rmid_forced']);
const UTS_KEYS = new Set(['kernel.hostname', 'kernel.domainname']);

/** The namespace a key belongs to, or undefined for one that is the host's alone. */
function namespaceOf(key: string): string | undefined {
  if (IPC_KEYS.has(key) || key.startsWith('fs.mqueue.')) return 'ipc';
  if (key.startsWith('net.')) return 'network';
  if (UTS_KEYS.has(key)) return 'uts';
  return undefined;
}

export function sysctlSteps(sysctl: unknown, ns: NamespaceSet): Step[] {
  if (sysctl === undefined || sysctl === null) return [];
  if (typeof sysctl !== 'object' || Array.isArray(sysctl)) throw specError('linux.sysctl: must be an object of strings');
  return Object.entries(sysctl as Record<string, unknown>).map(([raw, value]) => {
    const field = `linux.sysctl[${JSON.stringify(raw)}]`;
    if (typeof value !== 'string') throw specError(`${field}: must be a string`);
    const key = raw.replaceAll('/', '.');
    if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_@:+-]+)+$/.test(key)) throw specError(`${field}: not a sysctl name`);
    const type = namespaceOf(key);
    if (!type) throw specError(`${field}: not namespaced: setting it would change the host`);
    if (!ns.created.has(type) && !ns.joined.has(type)) throw specError(`${field}: needs a ${type} namespace in linux.namespaces`);
    return { op: 'WRITE_AT', args: [`/proc/sys/${key.replaceAll('.', '/')}`, value], label: field };
  });
}
