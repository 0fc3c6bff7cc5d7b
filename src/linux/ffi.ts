// Host syscalls that Node and Bun lack, through one table of C signatures loaded two ways
// (DESIGN.md "Process model" 1 and 3): `bun:ffi` under Bun — it works from a `bun build --compile`
// binary anywhere, where koffi's native module is missing — and koffi under Node (vitest).
//
// Neither library is loaded until the first call: every ocirt invocation pays for start-up, and
// most never need a syscall from here. Both are reached through `createRequire` with a specifier
// held in a variable, so Bun's bundler does not try to embed koffi and Node never sees `bun:ffi`.

import { createRequire } from 'node:module';
import { OciError } from '../errors.ts';

export const LOCK_SH = 1;
export const LOCK_EX = 2;
export const LOCK_NB = 4;
export const LOCK_UN = 8;

const SYS_PIDFD_SEND_SIGNAL = 424; // same number on every architecture (new syscall table)
const SYS_PIDFD_OPEN = 434;
const PR_SET_CHILD_SUBREAPER = 36;

/** The C types used in the table, named once and translated for each backend below. */
type CType = 'int' | 'long' | 'ulong' | 'ptr';

interface Signature {
  readonly args: readonly CType[];
  readonly returns: CType;
}

/** Every binding, as its C prototype. Variadic functions are declared with fixed arguments. */
const SIGNATURES = {
  flock: { args: ['int', 'int'], returns: 'int' }, // int flock(int fd, int op)
  syscall: { args: ['long', 'long', 'long', 'long', 'long'], returns: 'long' }, // long syscall(long nr, ...)
  prctl: { args: ['int', 'ulong', 'ulong', 'ulong', 'ulong'], returns: 'int' }, // int prctl(int op, ...)
  __errno_location: { args: [], returns: 'ptr' }, // int *__errno_location(void)
} as const satisfies Record<string, Signature>;

type Name = keyof typeof SIGNATURES;
type CFunction = (...args: number[]) => number | bigint;

interface Libc {
  readonly fn: Record<Name, CFunction>;
  /** errno as the last call on this thread left it. */
  errno(): number;
}

const LIBC = 'libc.so.6';

const BUN_TYPES: Record<CType, string> = { int: 'i32', long: 'i64', ulong: 'u64', ptr: 'ptr' };
const KOFFI_TYPES: Record<CType, string> = { int: 'int', long: 'long', ulong: 'unsigned long', ptr: 'int *' };

interface BunFfi {
  dlopen(path: string, defs: Record<string, { args: string[]; returns: string }>): { symbols: Record<string, CFunction> };
  read: { i32(ptr: number | bigint, offset?: number): number };
}

interface Koffi {
  load(path: string): { func(name: string, result: string, args: string[]): CFunction };
  errno(): number;
}

export const isBun = (): boolean => typeof process !== 'undefined' && typeof process.versions.bun === 'string';

function loadBun(): Libc {
  const specifier = 'bun:ffi';
  const ffi = createRequire(import.meta.url)(specifier) as BunFfi;
  const defs: Record<string, { args: string[]; returns: string }> = {};
  for (const [name, sig] of Object.entries(SIGNATURES) as [Name, Signature][]) {
    defs[name] = { args: sig.args.map((t) => BUN_TYPES[t]), returns: BUN_TYPES[sig.returns] };
  }
  const { symbols } = ffi.dlopen(LIBC, defs);
  const fn = symbols as Record<Name, CFunction>;
  return { fn, errno: () => ffi.read.i32(fn.__errno_location() as number, 0) };
}

function loadKoffi(): Libc {
  const specifier = 'koffi';
  const koffi = createRequire(import.meta.url)(specifier) as Koffi;
  const lib = koffi.load(LIBC);
  const fn = {} as Record<Name, CFunction>;
  for (const [name, sig] of Object.entries(SIGNATURES) as [Name, Signature][]) {
    fn[name] = lib.func(name, KOFFI_TYPES[sig.returns], sig.args.map((t) => KOFFI_TYPES[t]));
  }
  // koffi.errno() reads the thread's errno like __errno_location, without decoding a pointer.
  return { fn, errno: () => koffi.errno() };
}

let libc: Libc | undefined;

function load(): Libc {
  if (libc === undefined) {
    try {
      libc = isBun() ? loadBun() : loadKoffi();
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
