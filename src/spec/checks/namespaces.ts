// Checks of config-linux.md "Namespaces", "User namespace mappings" and "Offset for Time Namespace".
import { closeSync, fstatSync, openSync, readlinkSync, statfsSync } from 'node:fs';
import { ioctlNamespaceType, mountedNamespaceType, NSFS_MAGIC, parseNsfsName } from '../../linux/nstype.ts';
import type { Edition } from '../edition.ts';
import {
  addNamespace, entries, Findings, int, isAbsolutePath, isJoined, namespaceEntries, namespaceOf, obj, objAt, q, str,
  type Check, type Doc,
} from './util.ts';

/** Each edition's namespace types, with the name nsfs gives them (`net:[4026531840]`). */
const NSFS_NAME: Record<string, string> = { pid: 'pid', network: 'net', mount: 'mnt', ipc: 'ipc', uts: 'uts', user: 'user', cgroup: 'cgroup', time: 'time' };
const TYPES: Record<Edition, readonly string[]> = {
  v1: ['pid', 'network', 'mount', 'ipc', 'uts', 'user', 'cgroup', 'time'],
  draft: ['pid', 'network', 'mount', 'ipc', 'uts', 'user'],
};
const OCI_NAME: Record<string, string> = Object.fromEntries(Object.entries(NSFS_NAME).map(([oci, nsfs]) => [nsfs, oci]));

/** config-linux.md "Namespaces": the types each edition lists. */
export const namespaceTypes: Check = (c, ctx) => {
  const out = new Findings(ctx.edition);
  for (const ns of namespaceEntries(c)) {
    if (!TYPES[ctx.edition].includes(ns.type)) {
      out.error(['linux', 'namespaces', ns.index, 'type'], 'namespaces', `unknown namespace type ${q(ns.type)}`, `use one of ${TYPES[ctx.edition].join(', ')}`);
    }
  }
  return out.list;
};

/**
 * v1.3.0 config-linux.md "Namespaces": "If a namespaces field contains duplicated namespaces with
 * same type, the runtime MUST generate an error." (The draft joins "that type of namespace" from one
 * file: two entries of a type contradict each other there too.)
 */
export const namespaceDuplicates: Check = (c, ctx) => {
  const out = new Findings(ctx.edition);
  const first = new Map<string, number>();
  for (const ns of namespaceEntries(c)) {
    const j = first.get(ns.type);
    if (j === undefined) first.set(ns.type, ns.index);
    else out.error(['linux', 'namespaces', ns.index, 'type'], 'namespaces', `namespace ${q(ns.type)} is given twice`, `keep one entry for it (the other is linux.namespaces[${j}])`);
  }
  return out.list;
};

/** O_PATH (x86-64, arm64, riscv64 and most others): open without reading, so a device or FIFO is not touched. */
const O_PATH = 0o10000000;

type NamespaceFile =
  | { kind: 'missing' }
  | { kind: 'error'; code: string }
  | { kind: 'other' }
  /** nsfs: the name nsfs gives its type ("net"), unless nothing could tell it; link as nsfs names it: `net:[4026531840]` */
  | { kind: 'namespace'; nsfs: string | undefined; link: string };

const errCode = (err: unknown) => (err as NodeJS.ErrnoException).code ?? String(err);

/** The namespace type by ioctl(NS_GET_NSTYPE) on a readable fd, reopened from the O_PATH one (nsfs files open without side effects). */
function typeByIoctl(fdPath: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(fdPath, 'r');
    return ioctlNamespaceType(fd);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * What `path` is. Opened with O_PATH, so nothing but a namespace file is ever read; it is one when its
 * filesystem is nsfs (statfs f_type NSFS_MAGIC): /proc/<pid>/ns/* (magic links, followed) and a bind
 * mount of one (/run/netns/x) alike. The type is asked of the kernel (NS_GET_NSTYPE, src/linux/nstype.ts);
 * without FFI, the /proc/self/fd link names it for a /proc/<pid>/ns file (`net:[4026531840]`), and
 * /proc/self/mountinfo's root field for a bind mount (whose fd link is the mount point's path).
 * `typeOf` stands in for the ioctl in tests.
 */
export function namespaceFile(path: string, typeOf: (fdPath: string) => string | undefined = typeByIoctl): NamespaceFile {
  let fd: number;
  try {
    fd = openSync(path, O_PATH);
  } catch (err) {
    const code = errCode(err);
    return code === 'ENOENT' || code === 'ENOTDIR' ? { kind: 'missing' } : { kind: 'error', code };
  }
  try {
    const fdPath = `/proc/self/fd/${fd}`;
    if (statfsSync(fdPath).type !== NSFS_MAGIC) return { kind: 'other' };
    const inode = fstatSync(fd).ino;
    const link = readlinkSync(fdPath);
    const nsfs = typeOf(fdPath) ?? parseNsfsName(link)?.[0] ?? mountedNamespaceType(link, inode);
    return { kind: 'namespace', nsfs, link: `${nsfs ?? 'nsfs'}:[${inode}]` };
  } catch (err) {
    return { kind: 'error', code: errCode(err) };
  } finally {
    closeSync(fd);
  }
}

/**
 * config-linux.md "Namespaces". v1.3.0: path "MUST be an absolute path in the runtime mount
 * namespace"; "The runtime MUST generate an error if path is not associated with a namespace of type
 * type". The draft: the path's file "is used to join that type of namespace" (in the runtime mount
 * namespace; relative is not forbidden there, but depends on the runtime's working directory).
 */
export const namespacePaths: Check = (c, ctx) => {
  const out = new Findings(ctx.edition);
  for (const ns of namespaceEntries(c)) {
    const path = str(ns.path);
    if (path === undefined) continue;
    const at = ['linux', 'namespaces', ns.index, 'path'];
    if (!isAbsolutePath(path)) {
      if (ctx.edition === 'v1') out.error(at, 'namespaces', 'must be an absolute path', 'give the absolute path of the namespace file, e.g. /proc/<pid>/ns/net');
      else out.warning(at, 'namespaces', "should be an absolute path: a relative one depends on the runtime's working directory", 'give the absolute path of the namespace file');
      continue;
    }
    const wanted = NSFS_NAME[ns.type];
    if (wanted === undefined || !TYPES[ctx.edition].includes(ns.type)) continue; // namespaceTypes reports it
    const fix = `give the path of a ${ns.type} namespace, e.g. /proc/<pid>/ns/${wanted}`;
    const file = namespaceFile(path);
    if (file.kind === 'missing') out.error(at, 'namespaces', `${path} does not exist`, fix);
    else if (file.kind === 'error') out.error(at, 'namespaces', `cannot open ${path}: ${file.code}`);
    else if (file.kind === 'other') out.error(at, 'namespaces', `${path} is not a namespace file`, fix);
    else if (file.nsfs === undefined) out.warning(at, 'namespaces', `cannot tell which type of namespace ${path} (${file.link}) is: it is not checked to be ${ns.type}`);
    else if (file.nsfs !== wanted) {
      out.error(at, 'namespaces', `${path} is a namespace of type ${OCI_NAME[file.nsfs] ?? file.nsfs} (${file.link}), not ${ns.type}`, fix);
    }
  }
  return out.list;
};

const MAPPINGS = ['uidMappings', 'gidMappings'] as const;

const hasMappings = (c: Doc, key: string) => entries(objAt(c, 'linux'), key).length > 0;

/**
 * config-linux.md "User namespace mappings": the mappings describe a user namespace, so without one
 * they cannot be honoured (config.md "Valid values"; runc refuses them alike). A joined user
 * namespace keeps the mappings it was given: v1.3.0 cannot apply new ones (a warning); the draft
 * MUST "error out if the config specifies anything else related to that namespace" ("Namespaces").
 */
export const idMappingsNeedUserNamespace: Check = (c, ctx) => {
  const out = new Findings(ctx.edition);
  const user = namespaceOf(c, 'user');
  for (const key of MAPPINGS) {
    if (!hasMappings(c, key)) continue;
    if (!user) {
      out.error(['linux', key], 'idMappings', 'id mappings need a user namespace, and linux.namespaces has none', `${addNamespace('user')}, or remove the mappings`);
    } else if (isJoined(user) && ctx.edition === 'draft') {
      out.error(['linux', key], 'namespaces', 'the user namespace is joined by path: the config must say nothing else about it', 'remove the mappings, or the path to create a new user namespace');
    } else if (isJoined(user)) {
      out.warning(['linux', key], 'idMappings', 'not applied: a joined user namespace keeps the mappings it has', 'remove the mappings, or the path to create a new user namespace');
    }
  }
  return out.list;
};

/** config-linux.md "User namespace mappings": a new user namespace without mappings maps nobody (every id is the overflow id). */
export const userNamespaceMappings: Check = (c, ctx) => {
  const out = new Findings(ctx.edition);
  const user = namespaceOf(c, 'user');
  if (!user || isJoined(user)) return out.list;
  for (const key of MAPPINGS) {
    if (!hasMappings(c, key)) {
      const id = key === 'uidMappings' ? 'uid' : 'gid';
      out.warning(['linux', 'namespaces', user.index], 'idMappings', `a new user namespace without ${key}: every ${id} in it is the overflow ${id} 65534`, `add linux.${key}, e.g. [{"containerID": 0, "hostID": 100000, "size": 65536}]`);
    }
  }
  return out.list;
};

/** user_namespaces(7): at most 340 lines in uid_map (Linux 4.15 and later). */
const MAX_MAPPINGS = 340;
const MAX_ID = 4294967295; // (uid_t)-1, never a valid id: first + count must stay below it

interface Range {
  i: number;
  containerID: number;
  hostID: number;
  size: number;
}

/** The entries whose three fields are integers (the schema reports the others). */
function ranges(c: Doc, key: string): Range[] {
  const out: Range[] = [];
  for (const [i, v] of entries(objAt(c, 'linux'), key)) {
    const m = obj(v);
    const [containerID, hostID, size] = [int(m?.containerID), int(m?.hostID), int(m?.size)];
    if (containerID !== undefined && hostID !== undefined && size !== undefined) out.push({ i, containerID, hostID, size });
  }
  return out;
}

/**
 * config-linux.md "User namespace mappings": "the number of mapping entries MAY be limited by the
 * kernel". Linux also refuses (EINVAL) a range of size 0, one that passes the largest id, and ranges
 * that overlap on either side.
 */
export const idMappingRanges: Check = (c, ctx) => {
  const out = new Findings(ctx.edition);
  for (const key of MAPPINGS) {
    const count = entries(objAt(c, 'linux'), key).length;
    if (count > MAX_MAPPINGS) {
      out.error(['linux', key], 'idMappings', `${count} entries: Linux takes at most ${MAX_MAPPINGS}`, 'merge adjacent ranges');
      continue;
    }
    const list = ranges(c, key);
    for (const r of list) {
      if (r.size === 0) out.error(['linux', key, r.i, 'size'], 'idMappings', 'maps no ids: Linux refuses a mapping of size 0', 'give the number of ids to map, at least 1');
      for (const side of ['containerID', 'hostID'] as const) {
        if (r.size > 0 && r[side] + r.size > MAX_ID) {
          out.error(['linux', key, r.i, 'size'], 'idMappings', `${side} ${r[side]} plus size ${r.size} passes ${MAX_ID - 1}, the largest id`, 'make the range smaller');
        }
      }
    }
    const valid = list.filter((r) => r.size > 0);
    for (const side of ['containerID', 'hostID'] as const) {
      const sorted = [...valid].sort((a, b) => a[side] - b[side] || a.i - b.i);
      let reach: Range | undefined; // of the ranges so far, the one that ends last
      for (const cur of sorted) {
        const prev = reach;
        if (!prev || cur[side] + cur.size > prev[side] + prev.size) reach = cur;
        if (prev && cur[side] < prev[side] + prev.size) {
          const [a, b] = prev.i < cur.i ? [prev, cur] : [cur, prev];
          const where = side === 'containerID' ? 'container' : 'host';
          out.error(['linux', key, b.i], 'idMappings', `its ${where} ids overlap those of linux.${key}[${a.i}]`, 'make the ranges disjoint');
        }
      }
    }
  }
  return out.list;
};

/**
 * config.md "POSIX-platform User": uid and gid are ids "in the container namespace". In a new user
 * namespace an id outside every mapping does not exist, and setuid/setgid to it fail.
 */
export const processIdsMapped: Check = (c, ctx) => {
  const out = new Findings(ctx.edition);
  const userns = namespaceOf(c, 'user');
  if (!userns || isJoined(userns)) return out.list;
  const user = objAt(c, 'process', 'user');
  const mapped = (list: Range[], id: number) => list.some((r) => id >= r.containerID && id < r.containerID + r.size);
  const check = (key: 'uidMappings' | 'gidMappings', what: string, path: Array<string | number>, id: number | undefined) => {
    const list = ranges(c, key);
    if (id !== undefined && list.length > 0 && list.length === entries(objAt(c, 'linux'), key).length && !mapped(list, id)) {
      out.error(path, 'user', `${what} ${id} is not mapped in the user namespace`, `add a linux.${key} entry whose containerID range covers ${id}`);
    }
  };
  check('uidMappings', 'uid', ['process', 'user', 'uid'], int(user?.uid));
  check('gidMappings', 'gid', ['process', 'user', 'gid'], int(user?.gid));
  for (const [i, g] of entries(user, 'additionalGids')) check('gidMappings', 'gid', ['process', 'user', 'additionalGids', i], int(g));
  return out.list;
};

/** time_namespaces(7): the clocks a time namespace offsets. */
const CLOCKS = ['monotonic', 'boottime'];

/**
 * config-linux.md "Offset for Time Namespace" (v1.3.0): offsets are written to a new time
 * namespace's timens_offsets before any process enters it, so they need a new one; time_namespaces(7)
 * names two clocks and takes nanoseconds below one second.
 */
export const timeOffsets: Check = (c, ctx) => {
  const out = new Findings(ctx.edition);
  const offsets = obj(objAt(c, 'linux')?.timeOffsets);
  if (ctx.edition !== 'v1' || !offsets || Object.keys(offsets).length === 0) return out.list;
  const time = namespaceOf(c, 'time');
  if (!time || isJoined(time)) out.error(['linux', 'timeOffsets'], 'timeOffsets', 'needs a new time namespace', addNamespace('time'));
  for (const [clock, v] of Object.entries(offsets)) {
    if (!CLOCKS.includes(clock)) out.error(['linux', 'timeOffsets', clock], 'timeOffsets', `${q(clock)} is not a clock a time namespace offsets`, 'use "monotonic" or "boottime"');
    const ns = int(obj(v)?.nanosecs);
    if (ns !== undefined && ns >= 1e9) out.error(['linux', 'timeOffsets', clock, 'nanosecs'], 'timeOffsets', 'must be less than 1000000000 (one second)', 'carry whole seconds into secs');
  }
  return out.list;
};
