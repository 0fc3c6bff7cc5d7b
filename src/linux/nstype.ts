// What kind of namespace an nsfs file is, for the checks of linux.namespaces[].path
// (spec/checks/namespaces.ts). A namespace file is one whose filesystem is nsfs (statfs f_type
// NSFS_MAGIC, which Node's and Bun's statfsSync give as `type`): /proc/<pid>/ns/<x>, and a bind
// mount of one, as `ip netns add` and podman make under /run/netns. Its type comes from
// ioctl(NS_GET_NSTYPE) (ioctl_ns(2), Linux 4.11), bound through ffi-bind.ts like ffi.ts; when FFI
// or the ioctl is not there, from the names nsfs gives: the /proc/self/fd link of a /proc/<pid>/ns
// file (`net:[4026531840]`), and the root field of a bind mount's /proc/self/mountinfo line.
// Nothing is loaded until the first question, and nothing here throws: validation must not fail
// because a library is missing.

import { readFileSync } from 'node:fs';
import { bindLibrary, type Signature } from './ffi-bind.ts';

/** statfs(2) f_type of nsfs (linux/magic.h). */
export const NSFS_MAGIC = 0x6e736673;

/** _IO(0xb7, 0x3): returns the CLONE_NEW* flag of the namespace the fd refers to. */
const NS_GET_NSTYPE = 0xb703;

/** CLONE_NEW* (linux/sched.h) → the name nsfs gives the type, as in `net:[4026531840]`. */
const CLONE_NAMES: Record<number, string> = {
  0x00020000: 'mnt',
  0x02000000: 'cgroup',
  0x04000000: 'uts',
  0x08000000: 'ipc',
  0x10000000: 'user',
  0x20000000: 'pid',
  0x40000000: 'net',
  0x00000080: 'time',
};

const SIGNATURES = {
  ioctl: { args: ['int', 'ulong'], returns: 'int' }, // int ioctl(int fd, unsigned long op, ...): NS_GET_NSTYPE takes no argument
} as const satisfies Record<string, Signature>;

let ioctl: ((fd: number, op: number) => number) | null | undefined; // null: tried, and FFI cannot be loaded

function loadIoctl(): ((fd: number, op: number) => number) | null {
  if (ioctl === undefined) {
    try {
      const b = bindLibrary('libc.so.6', SIGNATURES);
      const fn = b.fn.ioctl as (fd: number, op: number | bigint) => number;
      // bun:ffi takes a u64 as a number or a bigint; koffi takes a number for `unsigned long`
      ioctl = (fd, op) => Number(fn(fd, op));
    } catch {
      ioctl = null;
    }
  }
  return ioctl;
}

/**
 * The nsfs name ("net", "pid"…) of the namespace `fd` refers to, by ioctl(NS_GET_NSTYPE); `fd` must
 * be opened for reading (an O_PATH fd takes no ioctl). Undefined when FFI cannot be loaded, the
 * kernel lacks the ioctl (ENOTTY before 4.11) or the answer is a type this table does not know.
 */
export function ioctlNamespaceType(fd: number): string | undefined {
  const call = loadIoctl();
  if (!call) return undefined;
  const flag = call(fd, NS_GET_NSTYPE);
  return flag > 0 ? CLONE_NAMES[flag] : undefined;
}

/** `net:[4026531840]` → ["net", 4026531840]. */
export function parseNsfsName(text: string): [name: string, inode: number] | undefined {
  const m = /^([a-z_]+):\[(\d+)\]$/.exec(text);
  return m ? [m[1]!, Number(m[2])] : undefined;
}

/** mountinfo escapes space, tab, newline and backslash as \ooo (proc_pid_mountinfo(5)). */
const unescapeMountinfo = (field: string) => field.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

/**
 * The nsfs name of the bind mount of namespace `inode` at `mountPoint` (as /proc/self/fd links
 * print paths), read from the root field of its /proc/self/mountinfo line: `net:[4026532281]`.
 */
export function mountedNamespaceType(mountPoint: string, inode: number, mountinfo = readMountinfo()): string | undefined {
  for (const line of mountinfo.split('\n').reverse()) {
    const fields = line.split(' ');
    const dash = fields.indexOf('-');
    if (dash < 0 || fields[dash + 1] !== 'nsfs' || unescapeMountinfo(fields[4] ?? '') !== mountPoint) continue;
    const named = parseNsfsName(unescapeMountinfo(fields[3] ?? ''));
    if (named && named[1] === inode) return named[0];
  }
  return undefined;
}

function readMountinfo(): string {
  try {
    return readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return '';
  }
}
