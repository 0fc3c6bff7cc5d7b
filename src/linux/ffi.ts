// Host syscalls that Node and Bun lack, through one table of C signatures (ffi-bind.ts binds it
// with bun:ffi under Bun and koffi under Node). Nothing is loaded until the first call: every ocirt
// invocation pays for start-up, and most never need a syscall from here.

import { OciError } from '../errors.ts';
import { bindLibrary, isBun, type Signature } from './ffi-bind.ts';

export { isBun };

export const LOCK_SH = 1;
export const LOCK_EX = 2;
export const LOCK_NB = 4;
export const LOCK_UN = 8;

const SYS_PIDFD_SEND_SIGNAL = 424; // same number on every architecture (new syscall table)
const SYS_PIDFD_OPEN = 434;
const PR_SET_CHILD_SUBREAPER = 36;

/** Every binding, as its C prototype. Variadic functions are declared with fixed arguments. */
const SIGNATURES = {
  flock: { args: ['int', 'int'], returns: 'int' }, // int flock(int fd, int op)
  syscall: { args: ['long', 'long', 'long', 'long', 'long'], returns: 'long' }, // long syscall(long nr, ...)
  prctl: { args: ['int', 'ulong', 'ulong', 'ulong', 'ulong'], returns: 'int' }, // int prctl(int op, ...)
  __errno_location: { args: [], returns: 'ptr' }, // int *__errno_location(void)
} as const satisfies Record<string, Signature>;

type Name = keyof typeof SIGNATURES;

interface Libc {
  readonly fn: Record<Name, (...args: number[]) => number | bigint>;
  /** errno as the last call on this thread left it. */
  errno(): number;
}

const LIBC = 'libc.so.6';

let libc: Libc | undefined;

function load(): Libc {
  if (libc === undefined) {
    try {
      const b = bindLibrary(LIBC, SIGNATURES);
      const fn = b.fn as Libc['fn'];
      // koffi.errno() reads the thread's errno like __errno_location, without decoding a pointer.
      libc = { fn, errno: b.kind === 'bun' ? () => b.ffi.read.i32(fn.__errno_location(), 0) : () => b.koffi.errno() };
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
  3: ['ESRCH', 'no such process'],
  4: ['EINTR', 'interrupted system call'],
  9: ['EBADF', 'bad file descriptor'],
  11: ['EAGAIN', 'resource temporarily unavailable'],
  12: ['ENOMEM', 'cannot allocate memory'],
  14: ['EFAULT', 'bad address'],
  22: ['EINVAL', 'invalid argument'],
  23: ['ENFILE', 'too many open files in system'],
  24: ['EMFILE', 'too many open files'],
  37: ['ENOLCK', 'no locks available'],
  38: ['ENOSYS', 'function not implemented'],
};

export function describeErrno(errno: number): string {
  const known = ERRNO[errno];
  return known ? `${known[1]} (${known[0]})` : `errno ${errno}`;
}

/** Calls a binding that returns -1 with errno on failure; retries EINTR. */
function call(label: string, name: Name, ...args: number[]): number {
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
