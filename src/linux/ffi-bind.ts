// One table of C signatures bound two ways (DESIGN.md "Process model" 1 and 3): `bun:ffi` under
// Bun — it works from a `bun build --compile` binary anywhere, where koffi's native module is
// missing — and koffi under Node (vitest). Both are reached through `createRequire` with a specifier
// held in a variable, so Bun's bundler does not embed koffi and Node never sees `bun:ffi`.
import { createRequire } from 'node:module';

/** The C types a table may use; each backend names them its own way. `void` is for returns only. */
export type CType = 'int' | 'uint' | 'long' | 'ulong' | 'ptr' | 'cstring' | 'void';

export interface Signature {
  readonly args: readonly CType[];
  readonly returns: CType;
}

export type CFunction = (...args: unknown[]) => unknown;

const BUN_TYPES: Record<CType, string> = { int: 'i32', uint: 'u32', long: 'i64', ulong: 'u64', ptr: 'ptr', cstring: 'ptr', void: 'void' };
const KOFFI_TYPES: Record<CType, string> = {
  int: 'int', uint: 'uint32_t', long: 'long', ulong: 'unsigned long', ptr: 'const void *', cstring: 'const char *', void: 'void',
};

export interface BunFfi {
  dlopen(path: string, defs: Record<string, { args: string[]; returns: string }>): { symbols: Record<string, CFunction> };
  read: { i32(ptr: unknown, offset?: number): number; u32(ptr: unknown, offset?: number): number };
}

export interface Koffi {
  load(path: string): { func(name: string, result: string, args: string[]): CFunction };
  errno(): number;
  decode(ptr: unknown, type: string, len: number): ArrayLike<number>;
}

export const isBun = (): boolean => typeof process !== 'undefined' && typeof process.versions.bun === 'string';

/** A bound library: its functions, and the backend that bound them (for reading memory, errno…). */
export type Bound<N extends string> = { fn: Record<N, CFunction> } & ({ kind: 'bun'; ffi: BunFfi } | { kind: 'koffi'; koffi: Koffi });

export function bindLibrary<N extends string>(path: string, signatures: Record<N, Signature>): Bound<N> {
  const entries = Object.entries(signatures) as Array<[N, Signature]>;
  const require = createRequire(import.meta.url);
  if (isBun()) {
    const specifier = 'bun:ffi';
    const ffi = require(specifier) as BunFfi;
    const defs = Object.fromEntries(entries.map(([name, s]) => [name, { args: s.args.map((t) => BUN_TYPES[t]), returns: BUN_TYPES[s.returns] }]));
    return { kind: 'bun', ffi, fn: ffi.dlopen(path, defs).symbols as Record<N, CFunction> };
  }
  const specifier = 'koffi';
  const koffi = require(specifier) as Koffi;
  const lib = koffi.load(path);
  const fn = Object.fromEntries(entries.map(([name, s]) => [name, lib.func(name, KOFFI_TYPES[s.returns], s.args.map((t) => KOFFI_TYPES[t]))]));
  return { kind: 'koffi', koffi, fn: fn as Record<N, CFunction> };
}
