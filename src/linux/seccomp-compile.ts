// Compiling a config's linux.seccomp (config-linux.md "Seccomp" in v1.3.0, "seccomp" in the draft)
// into the classic BPF program seccomp(SECCOMP_SET_MODE_FILTER) takes, with libseccomp.so.2
// through FFI. libseccomp, not a BPF compiler of ours: the spec defines actions, architectures and
// operators as "the definitions in seccomp.h from libseccomp", and libseccomp is what runc and crun
// compile with — it knows every architecture's syscall table, multiplexed syscalls (socketcall,
// ipc on x86), x32's syscall bit, 64-bit argument comparisons split into 32-bit halves, and the
// arch check a filter must start with. ocirt only exports the program (seccomp_export_bpf); the
// executor hands it and `flags` to seccomp(2) in the container process, so nothing here loads a
// filter, and the SCMP_FLTATR_CTL_* attributes that only matter to seccomp_load are left alone.
//
// The rules are runc's (libcontainer/seccomp/seccomp_linux.go) and crun's (src/libcrun/seccomp.c):
// a syscall libseccomp cannot resolve is skipped with a warning; a rule whose action equals the
// default action is skipped (libseccomp refuses it); args naming one index twice become one rule
// per condition (an OR), otherwise one rule ANDing them; errnoRet defaults to EPERM for both
// SCMP_ACT_ERRNO and SCMP_ACT_TRACE, and an errno on any other action is an error (the spec's
// "MUST print and error and fail").
//
// Bound like seccomp-names.ts (ffi-bind.ts: bun:ffi under Bun, also in a `bun build --compile`
// binary; koffi under Node). Nothing is loaded until the first compile.
import { closeSync, fstatSync, mkdtempSync, openSync, readSync, rmdirSync, unlinkSync } from 'node:fs';
import { endianness, tmpdir } from 'node:os';
import { join } from 'node:path';
import { OciError, messageOf, specError } from '../errors.ts';
import { bindLibrary, type CFunction, type Signature } from './ffi-bind.ts';
import { memfdCreate, MFD_CLOEXEC } from './ffi.ts';

export interface CompiledSeccomp {
  /** struct sock_filter[] (8 bytes per instruction, host byte order), as seccomp(SECCOMP_SET_MODE_FILTER) takes it */
  bpf: Buffer;
  /** SECCOMP_FILTER_FLAG_* bits for seccomp(2): seccomp.flags, plus NEW_LISTENER when SCMP_ACT_NOTIFY is used */
  flags: number;
  /** the default action or some rule is SCMP_ACT_NOTIFY: seccomp(2) returns a listener fd */
  notify: boolean;
  /** one line each, naming the field: what changes the filter from what the profile says */
  warnings: string[];
  /** one line each, naming the field: what libseccomp settles as runc's does too, and engines' default
   * profiles are full of (unknown syscalls, overlapping rules); create logs them with --debug only */
  notes: string[];
}

// seccomp.h (libseccomp 2.5/2.6): the action values, which are the kernel's SECCOMP_RET_* values.
const ACT_KILL_THREAD = 0x00000000;
const ACT_KILL_PROCESS = 0x80000000;
const ACT_TRAP = 0x00030000;
const ACT_ERRNO = 0x00050000; // | errno
const ACT_TRACE = 0x7ff00000; // | msg
const ACT_LOG = 0x7ffc0000;
const ACT_ALLOW = 0x7fff0000;
const ACT_NOTIFY = 0x7fc00000;
const RET_DATA = 0x0000ffff;
const EPERM = 1;
const EEXIST = 17;
const EDOM = 33;

export const ACTIONS: Record<string, number> = {
  SCMP_ACT_KILL: ACT_KILL_THREAD,
  SCMP_ACT_KILL_THREAD: ACT_KILL_THREAD,
  SCMP_ACT_KILL_PROCESS: ACT_KILL_PROCESS,
  SCMP_ACT_TRAP: ACT_TRAP,
  SCMP_ACT_ERRNO: ACT_ERRNO,
  SCMP_ACT_TRACE: ACT_TRACE,
  SCMP_ACT_ALLOW: ACT_ALLOW,
  SCMP_ACT_LOG: ACT_LOG,
  SCMP_ACT_NOTIFY: ACT_NOTIFY,
};
/** "Some actions like SCMP_ACT_ERRNO and SCMP_ACT_TRACE allow to specify the errno code to return." */
const TAKES_ERRNO = new Set(['SCMP_ACT_ERRNO', 'SCMP_ACT_TRACE']);

/** enum scmp_compare */
export const OPERATORS: Record<string, number> = {
  SCMP_CMP_NE: 1,
  SCMP_CMP_LT: 2,
  SCMP_CMP_LE: 3,
  SCMP_CMP_EQ: 4,
  SCMP_CMP_GE: 5,
  SCMP_CMP_GT: 6,
  SCMP_CMP_MASKED_EQ: 7,
};

/** linux/seccomp.h: flags of seccomp(SECCOMP_SET_MODE_FILTER). */
export const SECCOMP_FILTER_FLAG = {
  TSYNC: 1,
  LOG: 2,
  SPEC_ALLOW: 4,
  NEW_LISTENER: 8,
  TSYNC_ESRCH: 16,
  WAIT_KILLABLE_RECV: 32,
} as const;
export const FLAGS: Record<string, number> = Object.fromEntries(Object.entries(SECCOMP_FILTER_FLAG).map(([k, v]) => [`SECCOMP_FILTER_FLAG_${k}`, v]));

/** seccomp_data.args has six entries. */
const MAX_ARGS = 6;
/** __NR_SCMP_ERROR */
const NR_SCMP_ERROR = -1;
/** enum scmp_filter_attr: SCMP_FLTATR_CTL_OPTIMIZE (libseccomp >= 2.5.0); 2 is the binary tree of syscalls. */
const FLTATR_CTL_OPTIMIZE = 8;
/**
 * runc's threshold for the binary tree: libseccomp <= 2.5.4 misbehaves with it and no rules, and it
 * only pays off with many syscalls. Counted here in rules actually added.
 */
const OPTIMIZE_ABOVE_RULES = 32;
/** sizeof(struct scmp_arg_cmp): unsigned int arg; enum scmp_compare op; scmp_datum_t datum_a, datum_b */
const ARG_CMP_SIZE = 24;
const U64_MAX = (1n << 64n) - 1n;
const TWO_TO_64 = 2 ** 64;
/** linux/bpf_common.h: the most instructions a classic BPF program may have. */
const BPF_MAXINSNS = 4096;

const SIGNATURES = {
  seccomp_init: { args: ['uint'], returns: 'ptr' }, // scmp_filter_ctx (uint32_t def_action)
  seccomp_release: { args: ['ptr'], returns: 'void' }, // void (scmp_filter_ctx)
  seccomp_arch_resolve_name: { args: ['cstring'], returns: 'uint' }, // uint32_t (const char *)
  seccomp_arch_add: { args: ['ptr', 'uint'], returns: 'int' }, // int (ctx, uint32_t arch_token)
  seccomp_syscall_resolve_name: { args: ['cstring'], returns: 'int' }, // int (const char *)
  // int (ctx, uint32_t action, int syscall, unsigned int arg_cnt, const struct scmp_arg_cmp *arg_array)
  seccomp_rule_add_array: { args: ['ptr', 'uint', 'int', 'uint', 'ptr'], returns: 'int' },
  seccomp_attr_set: { args: ['ptr', 'int', 'uint'], returns: 'int' }, // int (ctx, enum scmp_filter_attr, uint32_t)
  seccomp_export_bpf: { args: ['ptr', 'int'], returns: 'int' }, // int (const ctx, int fd)
} as const satisfies Record<string, Signature>;

interface Lib {
  fn: Record<keyof typeof SIGNATURES, CFunction>;
  /** a JS string as the backend passes a `const char *` */
  cstring(s: string): unknown;
}

let lib: Lib | undefined;

/** Loads libseccomp now (seccomp-cache.ts reads which file it is); a failure is compileSeccomp's to report. */
export function loadLibseccomp(): void {
  try {
    load('linux.seccomp');
  } catch {
    /* reported by the compilation that needs it */
  }
}

function load(field: string): Lib {
  if (lib === undefined) {
    let b;
    try {
      b = bindLibrary('libseccomp.so.2', SIGNATURES);
    } catch (err) {
      throw specError(`${field}: compiling a seccomp filter needs libseccomp.so.2, which cannot be loaded: ${messageOf(err)}`, err);
    }
    // bun:ffi passes a Buffer as a pointer to its bytes; koffi converts a JS string itself.
    const cstring = b.kind === 'bun' ? (s: string) => Buffer.from(s + '\0') : (s: string) => s;
    lib = { fn: b.fn, cstring };
  }
  return lib;
}

// The errnos libseccomp returns (negated), with strerror's wording.
const ERRNO: Record<number, string> = {
  1: 'operation not permitted (EPERM)',
  9: 'bad file descriptor (EBADF)',
  12: 'cannot allocate memory (ENOMEM)',
  13: 'permission denied (EACCES)',
  14: 'bad address (EFAULT)',
  17: 'file exists (EEXIST)',
  22: 'invalid argument (EINVAL)',
  33: 'numerical argument out of domain (EDOM)',
  38: 'function not implemented (ENOSYS)',
  95: 'operation not supported (EOPNOTSUPP)',
  125: 'operation canceled (ECANCELED)',
};
const describe = (rc: number) => ERRNO[-rc] ?? `error ${rc}`;

const q = (s: string) => JSON.stringify(s);
const shown = (v: unknown) => (typeof v === 'bigint' ? v.toString() : JSON.stringify(v) ?? String(v));
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const absent = (v: unknown) => v === undefined || v === null;

function list(v: unknown, at: string): unknown[] {
  if (absent(v)) return [];
  if (!Array.isArray(v)) throw specError(`${at}: must be an array, not ${shown(v)}`);
  return v;
}

function cName(v: unknown, at: string, what: string): string {
  if (typeof v !== 'string') throw specError(`${at}: a ${what} must be a string, not ${shown(v)}`);
  if (v === '' || v.includes('\0')) throw specError(`${at}: ${q(v)} is not a ${what}`);
  return v;
}

/** An unsigned integer of at most `max` (errnoRet, defaultErrnoRet, index). */
function uint(v: unknown, at: string, max: number, why: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw specError(`${at}: ${shown(v)} is not an unsigned integer`);
  if (v > max) throw specError(`${at}: ${v} is more than ${max}: ${why}`);
  return v;
}

/**
 * A uint64 (args' value, valueTwo). JSON.parse gives doubles, exact only up to 2^53: a larger number
 * is compiled as the double it was parsed to, with a warning; the double 2^64 is what
 * 18446744073709551615 (and anything within 1024 below it) parses to, so it is 2^64-1. A bigint
 * (from a lossless parser) is taken as is.
 */
function u64(v: unknown, at: string, warnings: string[]): bigint {
  if (typeof v === 'bigint') {
    if (v < 0n || v > U64_MAX) throw specError(`${at}: ${v} is not an unsigned 64-bit integer`);
    return v;
  }
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > TWO_TO_64) {
    throw specError(`${at}: ${shown(v)} is not an unsigned 64-bit integer`);
  }
  if (v <= Number.MAX_SAFE_INTEGER) return BigInt(v);
  const datum = v === TWO_TO_64 ? U64_MAX : BigInt(v);
  warnings.push(`${at}: ${shown(v)} is above 2^53, where JSON numbers lose precision; compiled as ${datum}`);
  return datum;
}

/** The libseccomp action value for an action name and its errno field. */
function actionValue(name: unknown, errno: unknown, at: string, errnoAt: string): number {
  if (typeof name !== 'string') throw specError(`${at}: ${absent(name) ? 'missing' : `must be a string, not ${shown(name)}`}`);
  const base = ACTIONS[name];
  if (base === undefined) throw specError(`${at}: unknown action ${q(name)} (use one of ${Object.keys(ACTIONS).join(', ')})`);
  if (!TAKES_ERRNO.has(name)) {
    if (!absent(errno)) throw specError(`${errnoAt}: ${name} takes no errno (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE do)`);
    return base;
  }
  // The kernel keeps 16 bits of return data (SECCOMP_RET_DATA); libseccomp would cut a larger one silently.
  const data = absent(errno) ? EPERM : uint(errno, errnoAt, RET_DATA, 'seccomp returns 16 bits of data');
  return (base | data) >>> 0;
}

interface Cond {
  index: number;
  op: number;
  a: bigint;
  b: bigint;
}

function conditions(v: unknown, at: string, warnings: string[]): Cond[] {
  return list(v, at).map((arg, k) => {
    const argAt = `${at}[${k}]`;
    if (!isObj(arg)) throw specError(`${argAt}: must be an object, not ${shown(arg)}`);
    const index = uint(arg.index, `${argAt}.index`, MAX_ARGS - 1, `a syscall has arguments 0 to ${MAX_ARGS - 1}`);
    const opName = arg.op;
    if (typeof opName !== 'string') throw specError(`${argAt}.op: ${absent(opName) ? 'missing' : `must be a string, not ${shown(opName)}`}`);
    const op = OPERATORS[opName];
    if (op === undefined) throw specError(`${argAt}.op: unknown operator ${q(opName)} (use one of ${Object.keys(OPERATORS).join(', ')})`);
    if (absent(arg.value)) throw specError(`${argAt}.value: missing`);
    const a = u64(arg.value, `${argAt}.value`, warnings);
    const b = absent(arg.valueTwo) ? 0n : u64(arg.valueTwo, `${argAt}.valueTwo`, warnings);
    return { index, op, a, b };
  });
}

const LE = endianness() === 'LE';

/** struct scmp_arg_cmp[] in host byte order. */
function argArray(conds: readonly Cond[]): Buffer {
  const buf = Buffer.alloc(ARG_CMP_SIZE * conds.length);
  conds.forEach((c, i) => {
    const o = i * ARG_CMP_SIZE;
    if (LE) {
      buf.writeUInt32LE(c.index, o);
      buf.writeUInt32LE(c.op, o + 4);
      buf.writeBigUInt64LE(c.a, o + 8);
      buf.writeBigUInt64LE(c.b, o + 16);
    } else {
      buf.writeUInt32BE(c.index, o);
      buf.writeUInt32BE(c.op, o + 4);
      buf.writeBigUInt64BE(c.a, o + 8);
      buf.writeBigUInt64BE(c.b, o + 16);
    }
  });
  return buf;
}

/** The rules of one syscalls[] entry as seccomp_rule_add_array calls: runc's and crun's split of repeated indices. */
function ruleArgs(conds: readonly Cond[]): Buffer[] {
  if (conds.length === 0) return [];
  const repeated = new Set(conds.map((c) => c.index)).size < conds.length;
  // Several conditions on one argument cannot all hold in one AND chain (EQ 1 and EQ 2), so runc and
  // crun give each its own rule: the entry matches when any condition does.
  return repeated ? conds.map((c) => argArray([c])) : [argArray(conds)];
}

/** The names of one syscalls[] entry: v1.3.0's `names`, the draft's `name`. */
function namesOf(entry: Record<string, unknown>, at: string): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  if (!absent(entry.names)) list(entry.names, `${at}.names`).forEach((n, j) => out.push([`${at}.names[${j}]`, n]));
  if (!absent(entry.name)) out.push([`${at}.name`, entry.name]);
  if (out.length === 0) throw specError(`${at}.names: ${absent(entry.names) ? 'missing' : 'empty'}: list the syscalls the rule is for`);
  return out;
}

/** A file descriptor for seccomp_export_bpf to write to: a memfd, else an unlinked temporary file. */
function scratchFd(): number {
  try {
    return memfdCreate('ocirt-seccomp-bpf', MFD_CLOEXEC);
  } catch {
    // no memfd here: an unlinked temporary file instead
  }
  const dir = mkdtempSync(join(tmpdir(), 'ocirt-seccomp-'));
  const path = join(dir, 'bpf');
  try {
    return openSync(path, 'w+', 0o600);
  } finally {
    try {
      unlinkSync(path);
    } catch {
      // not created
    }
    rmdirSync(dir);
  }
}

function readAll(fd: number): Buffer {
  const size = fstatSync(fd).size;
  const buf = Buffer.alloc(size);
  let n = 0;
  for (let got = 1; got > 0 && n < size; n += got) got = readSync(fd, buf, n, size - n, n);
  return buf.subarray(0, n);
}

/**
 * Compiles a config's `linux.seccomp` (either edition) to BPF. Throws a spec error naming the field
 * for what cannot be compiled; `field` is where the object sits in the config.
 */
export function compileSeccomp(seccomp: unknown, field = 'linux.seccomp'): CompiledSeccomp {
  if (!isObj(seccomp)) throw specError(`${field}: must be an object, not ${shown(seccomp)}`);
  const warnings: string[] = [];
  const notes: string[] = [];

  const defaultAction = actionValue(seccomp.defaultAction, seccomp.defaultErrnoRet, `${field}.defaultAction`, `${field}.defaultErrnoRet`);
  let notify = seccomp.defaultAction === 'SCMP_ACT_NOTIFY';

  let flags = 0;
  list(seccomp.flags, `${field}.flags`).forEach((f, i) => {
    const bit = typeof f === 'string' ? FLAGS[f] : undefined;
    if (bit === undefined) throw specError(`${field}.flags[${i}]: unknown flag ${shown(f)} (use one of ${Object.keys(FLAGS).join(', ')})`);
    flags |= bit;
  });

  // Everything about the config that can be checked without libseccomp is checked before the
  // filter exists: each entry's action and conditions.
  const entries = list(seccomp.syscalls, `${field}.syscalls`).map((entry, i) => {
    const at = `${field}.syscalls[${i}]`;
    if (!isObj(entry)) throw specError(`${at}: must be an object, not ${shown(entry)}`);
    const action = actionValue(entry.action, entry.errnoRet, `${at}.action`, `${at}.errnoRet`);
    if (entry.action === 'SCMP_ACT_NOTIFY') notify = true;
    return { at, action, names: namesOf(entry, at), rules: ruleArgs(conditions(entry.args, `${at}.args`, warnings)) };
  });
  const arches = list(seccomp.architectures, `${field}.architectures`).map((a, i): [string, string] => {
    const at = `${field}.architectures[${i}]`;
    const name = cName(a, at, 'architecture');
    if (!name.startsWith('SCMP_ARCH_')) throw specError(`${at}: unknown architecture ${q(name)} (use an SCMP_ARCH_* constant, e.g. "SCMP_ARCH_X86_64")`);
    return [at, name];
  });

  const l = load(field);
  const ctx = l.fn.seccomp_init(defaultAction);
  if (ctx === null || ctx === 0 || ctx === undefined) {
    throw specError(`${field}.defaultAction: libseccomp cannot make a filter with ${String(seccomp.defaultAction)} (a kernel without it?)`);
  }
  try {
    for (const [at, name] of arches) {
      // libseccomp names architectures without the prefix, in lower case: SCMP_ARCH_X86_64 → "x86_64".
      const token = Number(l.fn.seccomp_arch_resolve_name(l.cstring(name.slice('SCMP_ARCH_'.length).toLowerCase())));
      if (token === 0) throw specError(`${at}: libseccomp does not know the architecture ${q(name)}`);
      const rc = Number(l.fn.seccomp_arch_add(ctx, token));
      if (rc === -EDOM) throw specError(`${at}: ${q(name)} cannot share a filter with this host's architecture: one seccomp filter has one byte order`);
      if (rc < 0 && rc !== -EEXIST) throw specError(`${at}: libseccomp cannot add ${q(name)}: ${describe(rc)}`); // EEXIST: there already (the native one)
    }

    let added = 0;
    // libseccomp settles overlaps silently: of two rules without args for one syscall the first
    // stays, and one without args replaces any with args. Said here, so a profile is not misread.
    const plain = new Map<number, { action: number; at: string }>();
    const withArgs = new Map<number, Array<{ action: number; at: string }>>();
    for (const { action, names, rules } of entries) {
      // libseccomp refuses a rule with the default action, and it would change nothing.
      if (action === defaultAction) continue;
      for (const [at, n] of names) {
        const name = cName(n, at, 'syscall name');
        const nr = Number(l.fn.seccomp_syscall_resolve_name(l.cstring(name)));
        if (nr === NR_SCMP_ERROR) {
          notes.push(`${at}: unknown syscall ${q(name)} skipped`);
          continue;
        }
        const first = plain.get(nr);
        if (first && first.action !== action) {
          notes.push(`${at}: ${q(name)} already has a rule without args with another action (${first.at}); libseccomp keeps that one`);
          continue;
        }
        if (rules.length === 0) {
          const replaced = withArgs.get(nr)?.find((r) => r.action !== action);
          if (replaced) notes.push(`${at}: this rule without args replaces the rules with args for ${q(name)} (${replaced.at})`);
          plain.set(nr, { action, at });
        } else {
          const earlier = withArgs.get(nr);
          if (earlier) earlier.push({ action, at });
          else withArgs.set(nr, [{ action, at }]);
        }
        // _array, not _exact: libseccomp may rewrite the rule for an architecture (socketcall…).
        const calls: Array<[number, Buffer | null]> = rules.length === 0 ? [[0, null]] : rules.map((r) => [r.length / ARG_CMP_SIZE, r]);
        for (const [count, array] of calls) {
          const rc = Number(l.fn.seccomp_rule_add_array(ctx, action, nr, count, array));
          if (rc < 0) throw specError(`${at}: libseccomp cannot add the rule for ${q(name)}: ${describe(rc)}`);
          added++;
        }
      }
    }
    // runc's choice: a binary tree of syscalls instead of a list when there are many. An older
    // libseccomp without the attribute keeps the list.
    if (added > OPTIMIZE_ABOVE_RULES) l.fn.seccomp_attr_set(ctx, FLTATR_CTL_OPTIMIZE, 2);

    const fd = scratchFd();
    let bpf: Buffer;
    try {
      const rc = Number(l.fn.seccomp_export_bpf(ctx, fd));
      if (rc < 0) throw new OciError('internal', `${field}: seccomp_export_bpf: ${describe(rc)}`);
      bpf = readAll(fd);
    } finally {
      closeSync(fd);
    }
    if (bpf.length === 0 || bpf.length % 8 !== 0) throw new OciError('internal', `${field}: libseccomp exported ${bpf.length} bytes, not whole BPF instructions`);
    // seccomp(2) refuses a longer program with EINVAL; said now, at create, rather than at start.
    if (bpf.length / 8 > BPF_MAXINSNS) {
      throw specError(`${field}: the filter compiles to ${bpf.length / 8} BPF instructions, more than the ${BPF_MAXINSNS} the kernel loads (fewer syscalls or architectures)`);
    }

    if (notify) {
      flags |= SECCOMP_FILTER_FLAG.NEW_LISTENER;
      // The kernel refuses TSYNC with NEW_LISTENER unless a thread that cannot be synced fails the
      // call with ESRCH instead of being reported by its tid (which would read as a listener fd).
      if (flags & SECCOMP_FILTER_FLAG.TSYNC) flags |= SECCOMP_FILTER_FLAG.TSYNC_ESRCH;
    }
    return { bpf, flags, notify, warnings, notes };
  } finally {
    l.fn.seccomp_release(ctx);
  }
}
