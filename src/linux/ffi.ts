// Host syscalls that Node and Bun lack, through one table of C signatures (ffi-bind.ts binds it
// with bun:ffi under Bun and koffi under Node). Nothing is loaded until the first call: every ocirt
// invocation pays for start-up, and most never need a syscall from here.

import { OciError } from '../errors.ts';
import { bindLibrary, isBun, type BunFfi, type Koffi, type Signature } from './ffi-bind.ts';

export { isBun };

export const LOCK_SH = 1;
export const LOCK_EX = 2;
export const LOCK_NB = 4;
export const LOCK_UN = 8;

/** memfd_create(2) flags; MFD_EXEC (Linux 6.3) asks for an executable memfd where vm.memfd_noexec would refuse one. */
export const MFD_CLOEXEC = 0x1;
export const MFD_ALLOW_SEALING = 0x2;
export const MFD_EXEC = 0x10;
/** fcntl(2) file seals (F_ADD_SEALS takes a set, F_GET_SEALS returns it). */
export const F_ADD_SEALS = 1033;
export const F_GET_SEALS = 1034;
export const F_SEAL_SEAL = 0x1;
export const F_SEAL_SHRINK = 0x2;
export const F_SEAL_GROW = 0x4;
export const F_SEAL_WRITE = 0x8;

const SYS_PIDFD_SEND_SIGNAL = 424; // same number on every architecture (new syscall table)
const SYS_PIDFD_OPEN = 434;
const PR_SET_CHILD_SUBREAPER = 36;
/** bpf(2) is in the old per-architecture tables. */
const SYS_BPF: Partial<Record<string, number>> = { x64: 321, arm64: 280 };

/** Every binding, as its C prototype. Variadic functions are declared with fixed arguments. */
const SIGNATURES = {
  flock: { args: ['int', 'int'], returns: 'int' }, // int flock(int fd, int op)
  syscall: { args: ['long', 'long', 'long', 'long', 'long'], returns: 'long' }, // long syscall(long nr, ...)
  prctl: { args: ['int', 'ulong', 'ulong', 'ulong', 'ulong'], returns: 'int' }, // int prctl(int op, ...)
  __errno_location: { args: [], returns: 'ptr' }, // int *__errno_location(void)
  memfd_create: { args: ['cstring', 'uint'], returns: 'int' }, // int memfd_create(const char *name, unsigned int flags)
  fcntl: { args: ['int', 'int', 'int'], returns: 'int' }, // int fcntl(int fd, int cmd, ...): the int-argument commands
} as const satisfies Record<string, Signature>;

type Name = keyof typeof SIGNATURES;

interface Libc {
  readonly fn: Record<Name, (...args: unknown[]) => number | bigint>;
  /** errno as the last call on this thread left it. */
  errno(): number;
  /** The address of a Buffer's bytes. */
  address(buf: Buffer): number;
  /** A JS string as the backend passes a `const char *`. */
  cstring(s: string): unknown;
}

const LIBC = 'libc.so.6';

let libc: Libc | undefined;

function load(): Libc {
  if (libc === undefined) {
    try {
      const b = bindLibrary(LIBC, SIGNATURES);
      const fn = b.fn as Libc['fn'];
      // koffi.errno() reads the thread's errno like __errno_location, without decoding a pointer.
      const errno = b.kind === 'bun' ? () => b.ffi.read.i32(fn.__errno_location(), 0) : () => b.koffi.errno();
      // Where a Buffer's bytes are; neither engine moves them while the Buffer is referenced.
      const address =
        b.kind === 'bun' ? (buf: Buffer) => (b.ffi as BunFfi & { ptr(v: Buffer): number }).ptr(buf) : (buf: Buffer) => Number((b.koffi as Koffi & { address(v: Buffer): bigint }).address(buf));
      // bun:ffi passes a Buffer as a pointer to its bytes; koffi converts a JS string itself.
      const cstring = b.kind === 'bun' ? (s: string) => Buffer.from(`${s}\0`) : (s: string) => s;
      libc = { fn, errno, address, cstring };
    } catch (err) {
      throw new OciError('internal', `cannot load ${isBun() ? 'bun:ffi' : 'koffi'} for ${LIBC}`, err);
    }
  }
  return libc;
}

/** A failed host syscall; `errno` is the C errno. */
export class SyscallError extends OciError {
  readonly syscall: string;
  readonly errno: number;
  readonly errnoName: string;
  constructor(syscall: string, errno: number) {
    super('syscall', `${syscall}: ${describeErrno(errno)}`);
    this.syscall = syscall;
    this.errno = errno;
    this.errnoName = ERRNO[errno]?.[0] ?? `errno ${errno}`;
  }
}

// The errnos these calls can return, with strerror's wording (lowercase, as the CLI prints).
const ERRNO: Record<number, [string, string]> = {
  1: ['EPERM', 'operation not permitted'],
  2: ['ENOENT', 'no such file or directory'],
  3: ['ESRCH', 'no such process'],
  4: ['EINTR', 'interrupted system call'],
  7: ['E2BIG', 'argument list too long'],
  9: ['EBADF', 'bad file descriptor'],
  11: ['EAGAIN', 'resource temporarily unavailable'],
  12: ['ENOMEM', 'cannot allocate memory'],
  13: ['EACCES', 'permission denied'],
  14: ['EFAULT', 'bad address'],
  22: ['EINVAL', 'invalid argument'],
  23: ['ENFILE', 'too many open files in system'],
  24: ['EMFILE', 'too many open files'],
  26: ['ETXTBSY', 'text file busy'],
  28: ['ENOSPC', 'no space left on device'],
  37: ['ENOLCK', 'no locks available'],
  38: ['ENOSYS', 'function not implemented'],
  95: ['EOPNOTSUPP', 'operation not supported'],
};

export function describeErrno(errno: number): string {
  const known = ERRNO[errno];
  return known ? `${known[1]} (${known[0]})` : `errno ${errno}`;
}

/** Calls a binding that returns -1 with errno on failure; retries EINTR. */
function call(label: string, name: Name, ...args: unknown[]): number {
  const lib = load();
  for (;;) {
    const ret = Number(lib.fn[name](...args));
    if (ret !== -1) return ret;
    const errno = lib.errno();
    if (errno !== 4) throw new SyscallError(label, errno);
  }
}

/** flock(2). With LOCK_NB a held lock fails with errno EAGAIN (EWOULDBLOCK). */
export function flock(fd: number, op: number): void {
  call('flock', 'flock', fd, op);
}

/** pidfd_open(2): a file descriptor (close-on-exec) referring to `pid`. The caller closes it. */
export function pidfdOpen(pid: number): number {
  return call('pidfd_open', 'syscall', SYS_PIDFD_OPEN, pid, 0, 0, 0);
}

/** pidfd_send_signal(2): signals the process `pidfd` refers to, never a reuse of its pid. */
export function pidfdSendSignal(pidfd: number, sig: number): void {
  call('pidfd_send_signal', 'syscall', SYS_PIDFD_SEND_SIGNAL, pidfd, sig, 0, 0);
}

/** prctl(PR_SET_CHILD_SUBREAPER, 1): orphaned descendants are reparented to this process. */
export function setChildSubreaper(): void {
  call('prctl(PR_SET_CHILD_SUBREAPER)', 'prctl', PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

/** memfd_create(2): an anonymous file; `name` is what /proc/<pid>/fd and /proc/<pid>/exe show after "/memfd:". */
export function memfdCreate(name: string, flags: number): number {
  const lib = load();
  return call(`memfd_create(${name})`, 'memfd_create', lib.cstring(name), flags);
}

/** fcntl(2) with an int argument (F_ADD_SEALS, F_GET_SEALS, …); returns what the command returns. */
export function fcntl(label: string, fd: number, cmd: number, arg: number): number {
  return call(label, 'fcntl', fd, cmd, arg);
}

/**
 * bpf(2): `cmd` with `attr` as its union bpf_attr (host byte order; zero what the command does not
 * use). Returns what the command returns: a new fd, or 0.
 */
export function bpf(label: string, cmd: number, attr: Buffer): number {
  const nr = SYS_BPF[process.arch];
  if (nr === undefined) throw new OciError('internal', `${label}: ocirt knows no bpf syscall number for ${process.arch}`);
  return call(label, 'syscall', nr, cmd, addressOf(attr), attr.length, 0);
}

/** Where a Buffer's bytes are, for a pointer inside a struct a syscall reads; valid while the Buffer is referenced. */
export function addressOf(buf: Buffer): number {
  if (buf.length === 0) throw new OciError('internal', 'addressOf: an empty Buffer has no bytes to point at');
  return load().address(buf);
}
