// libseccomp's name tables (libseccomp.so.2), for the semantic checks of linux.seccomp: is a syscall
// name or an architecture one the host's libseccomp can turn into a number? One table of C
// signatures, bound by ffi-bind.ts as ffi.ts is (DESIGN.md "Process model" 1 and 3): `bun:ffi` under
// Bun, which works from a `bun build --compile` binary, and koffi under Node (vitest).
//
// ffi-bind.ts binds the table. Nothing is loaded until the first
// question, and a host without libseccomp gets `undefined`, never an exception: validation must
// not fail because a library is missing.

import { bindLibrary, type CFunction, type Signature } from './ffi-bind.ts';

const LIBSECCOMP = 'libseccomp.so.2';

/** __NR_SCMP_ERROR: seccomp_syscall_resolve_name's answer for a name it does not know. */
const NR_SCMP_ERROR = -1;

const SIGNATURES = {
  seccomp_syscall_resolve_name: { args: ['cstring'], returns: 'int' }, // int (const char *name)
  seccomp_arch_resolve_name: { args: ['cstring'], returns: 'uint' }, // uint32_t (const char *arch_name)
  seccomp_version: { args: [], returns: 'ptr' }, // const struct scmp_version *(void): 3 × unsigned int
} as const satisfies Record<string, Signature>;

type Name = keyof typeof SIGNATURES;

interface Backend {
  fn: Record<Name, CFunction>;
  /** a JS string as the backend passes a `const char *` */
  cstring(s: string): unknown;
  /** `len` unsigned ints at `ptr` */
  uints(ptr: unknown, len: number): number[];
}

function load(): Backend {
  const b = bindLibrary(LIBSECCOMP, SIGNATURES);
  if (b.kind === 'bun') {
    const { ffi } = b;
    // bun:ffi passes a Buffer as a pointer to its bytes
    return { fn: b.fn, cstring: (s) => Buffer.from(s + '\0'), uints: (ptr, len) => Array.from({ length: len }, (_, i) => ffi.read.u32(ptr, 4 * i)) };
  }
  const { koffi } = b;
  return { fn: b.fn, cstring: (s) => s, uints: (ptr, len) => Array.from(koffi.decode(ptr, 'unsigned int', len)) };
}

export interface SeccompNames {
  /** "2.5.4" */
  readonly version: string;
  /** libseccomp knows the syscall (on any architecture: a pseudo-number for one absent here counts). */
  syscallKnown(name: string): boolean;
  /** libseccomp knows the architecture, given as the spec writes it ("SCMP_ARCH_X86_64"). */
  archKnown(scmpArch: string): boolean;
}

let loaded: SeccompNames | null | undefined; // null: tried, and it cannot be loaded

/** The host's libseccomp, or undefined when libseccomp.so.2 (or the FFI backend) cannot be loaded. */
export function seccompNames(): SeccompNames | undefined {
  if (loaded === undefined) {
    try {
      loaded = wrap(load());
    } catch {
      loaded = null;
    }
  }
  return loaded ?? undefined;
}

/** A name with a NUL in it would be cut short by C; no syscall or architecture has one. */
const cSafe = (s: string) => s !== '' && !s.includes('\0');

function wrap(b: Backend): SeccompNames {
  const [major, minor, micro] = b.uints(b.fn.seccomp_version(), 3);
  const syscalls = new Map<string, boolean>();
  const arches = new Map<string, boolean>();
  return {
    version: `${major}.${minor}.${micro}`,
    syscallKnown(name) {
      let known = syscalls.get(name);
      if (known === undefined) {
        known = cSafe(name) && Number(b.fn.seccomp_syscall_resolve_name(b.cstring(name))) !== NR_SCMP_ERROR;
        syscalls.set(name, known);
      }
      return known;
    },
    archKnown(scmpArch) {
      let known = arches.get(scmpArch);
      if (known === undefined) {
        // libseccomp names architectures without the prefix, in lower case: SCMP_ARCH_X86_64 → "x86_64".
        const name = scmpArch.startsWith('SCMP_ARCH_') ? scmpArch.slice('SCMP_ARCH_'.length).toLowerCase() : '';
        known = cSafe(name) && Number(b.fn.seccomp_arch_resolve_name(b.cstring(name))) !== 0;
        arches.set(scmpArch, known);
      }
      return known;
    },
  };
}
