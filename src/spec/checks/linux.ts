// Checks of config-linux.md "Devices", "Sysctl", "Masked Paths" and "Readonly Paths".
import { addNamespace, entries, Findings, int, isAbsolutePath, namespaceOf, obj, objAt, q, str, type Check, type Section } from './util.ts';

const DEVICE_TYPES = ['c', 'b', 'u', 'p'];
/** Linux's dev_t as mknod(2) decodes it: a 12-bit major and a 20-bit minor. */
const MAX_NUMBER = { major: 4095, minor: 1048575 } as const;

/**
 * config-linux.md "Devices": type is c, b, u or p; major and minor are "REQUIRED unless type is p"
 * (and mean nothing for a FIFO); path is the "full path to device inside container"; fileMode is a
 * mode (permission, setuid, setgid and sticky bits: the file type comes from `type`).
 */
export const deviceEntries: Check = (c, ctx) => {
  const out = new Findings(ctx.edition);
  for (const [i, v] of entries(objAt(c, 'linux'), 'devices')) {
    const d = obj(v);
    if (!d) continue;
    const at = ['linux', 'devices', i];
    const path = str(d.path);
    if (path && !isAbsolutePath(path)) out.error([...at, 'path'], 'devices', 'must be the full path inside the container', `use "/${path}"`);
    const type = str(d.type);
    if (type !== undefined && !DEVICE_TYPES.includes(type)) {
      out.error([...at, 'type'], 'devices', `unknown device type ${q(type)}`, 'use "c" (character), "b" (block), "u" (unbuffered character) or "p" (FIFO)');
    }
    for (const key of ['major', 'minor'] as const) {
      if (type === 'p') {
        if (d[key] !== undefined) out.warning([...at, key], 'devices', 'ignored for a FIFO (type "p")', 'remove it');
        continue;
      }
      const n = int(d[key]);
      if (type !== undefined && DEVICE_TYPES.includes(type) && d[key] === undefined) {
        out.error(at, 'devices', `${key} is required for a device of type "${type}"`, `give its ${key} number, e.g. from ls -l /dev`);
      } else if (n !== undefined && n < 0) {
        out.error([...at, key], 'devices', `${n} is negative`);
      } else if (n !== undefined && n > MAX_NUMBER[key]) {
        out.error([...at, key], 'devices', `${n} is more than Linux's largest ${key} number, ${MAX_NUMBER[key]}`);
      }
    }
    const mode = int(d.fileMode);
    if (mode !== undefined && mode > 0o7777) {
      const perm = mode & 0o7777;
      out.warning([...at, 'fileMode'], 'devices', `${mode} has bits beyond the permission bits (07777); the file type comes from type`, `use ${perm} (0${perm.toString(8)} in octal)`);
    }
  }
  return out.list;
};

/**
 * config-linux.md "Devices": "The same type, major and minor SHOULD NOT be used for multiple devices"
 * (a warning); "If a file already exists at path that does not match the requested device, the
 * runtime MUST generate an error" — so does a second, different device at the same path.
 */
export const deviceDuplicates: Check = (c, ctx) => {
  const out = new Findings(ctx.edition);
  const byPath = new Map<string, [number, string]>();
  const byNumber = new Map<string, number>();
  for (const [i, v] of entries(objAt(c, 'linux'), 'devices')) {
    const d = obj(v);
    const [path, type, major, minor] = [str(d?.path), str(d?.type), int(d?.major), int(d?.minor)];
    if (type === undefined || !DEVICE_TYPES.includes(type)) continue;
    const id = type === 'p' ? 'p' : `${type} ${major} ${minor}`;
    if (type !== 'p' && major !== undefined && minor !== undefined) {
      const j = byNumber.get(id);
      if (j === undefined) byNumber.set(id, i);
      else out.warning(['linux', 'devices', i], 'devices', `the same type, major and minor as linux.devices[${j}]`, 'list each device once');
    }
    if (path === undefined) continue;
    const seen = byPath.get(path);
    if (seen === undefined) byPath.set(path, [i, id]);
    else if (seen[1] !== id) out.error(['linux', 'devices', i, 'path'], 'devices', `${path} is also the path of linux.devices[${seen[0]}], a different device`, 'give each device its own path');
  }
  return out.list;
};

/**
 * The namespace a sysctl belongs to, as runc's validator knows them (namespaces(7), sysctl docs);
 * undefined for a sysctl that is not namespaced, whose write would reach the host.
 */
export function sysctlNamespace(key: string): string | undefined {
  // sysctl(8): with a "/" in the name, "/" separates and "." is literal (net/ipv4/conf/eth0.100/...).
  const parts = key.includes('/') ? key.split('/') : key.split('.');
  const name = parts.join('.');
  if (parts[0] === 'net') return 'network';
  if (parts[0] === 'user') return 'user';
  if (parts[0] === 'fs' && parts[1] === 'mqueue') return 'ipc';
  if (IPC_SYSCTLS.has(name)) return 'ipc';
  if (name === 'kernel.hostname' || name === 'kernel.domainname') return 'uts';
  if (name === 'kernel.ns_last_pid') return 'pid';
  return undefined;
}

const IPC_SYSCTLS: ReadonlySet<string> = new Set([
  'kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.msg_next_id', 'kernel.sem', 'kernel.sem_next_id',
  'kernel.shmall', 'kernel.shmmax', 'kernel.shmmni', 'kernel.shm_next_id', 'kernel.shm_rmid_forced',
]);

/**
 * config-linux.md "Sysctl": kernel parameters "modified at runtime for the container". A parameter
 * of a namespace the container shares with the host, or of none, cannot be set for the container
 * alone: writing it would change the host's (config.md "Valid values": an error, as runc makes it).
 */
export const sysctlNamespaces: Check = (c, ctx) => {
  const out = new Findings(ctx.edition);
  const sysctl = obj(objAt(c, 'linux')?.sysctl);
  for (const key of Object.keys(sysctl ?? {})) {
    const need = sysctlNamespace(key);
    if (need === undefined) {
      out.error(['linux', 'sysctl', key], 'sysctl', 'not namespaced: writing it would change the host, not the container', 'set it on the host, or remove it');
    } else if (!namespaceOf(c, need)) {
      out.error(['linux', 'sysctl', key], 'sysctl', `needs a ${need} namespace: without one it would change the host's`, addNamespace(need));
    }
  }
  return out.list;
};

/** config-linux.md "Masked Paths" and "Readonly Paths" (v1.3.0): "The values MUST be absolute paths". */
export const maskedAndReadonlyPaths: Check = (c, ctx) => {
  const out = new Findings(ctx.edition);
  if (ctx.edition !== 'v1') return out.list; // the draft says nothing of their form
  for (const key of ['maskedPaths', 'readonlyPaths'] as const satisfies readonly Section[]) {
    for (const [i, v] of entries(objAt(c, 'linux'), key)) {
      const p = str(v);
      if (p !== undefined && !isAbsolutePath(p)) out.error(['linux', key, i], key, 'must be an absolute path', `use "/${p}"`);
    }
  }
  return out.list;
};
