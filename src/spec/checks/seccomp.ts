// Checks of config-linux.md "Seccomp" (v1.3.0) and "seccomp" (the draft). "The actions,
// architectures, and operators are strings that match the definitions in seccomp.h from libseccomp"
// (v1.3.0 lists them as of libseccomp 2.6.0, the draft as of 2.2.3). Syscall names are whatever the
// host's libseccomp can resolve; one it cannot is a warning, since runc skips such rules and
// profiles (Docker's, podman's) name syscalls newer than many hosts' libseccomp.
import type { Edition } from '../edition.ts';
import { seccompNames } from '../../linux/seccomp-names.ts';
import { entries, Findings, int, obj, objAt, q, str, type Check, type Doc } from './util.ts';

export const ACTIONS: Record<Edition, readonly string[]> = {
  v1: ['SCMP_ACT_KILL', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_TRAP', 'SCMP_ACT_ERRNO', 'SCMP_ACT_TRACE', 'SCMP_ACT_ALLOW', 'SCMP_ACT_LOG', 'SCMP_ACT_NOTIFY'],
  draft: ['SCMP_ACT_KILL', 'SCMP_ACT_TRAP', 'SCMP_ACT_ERRNO', 'SCMP_ACT_TRACE', 'SCMP_ACT_ALLOW'],
};

const DRAFT_ARCHES = [
  'SCMP_ARCH_X86', 'SCMP_ARCH_X86_64', 'SCMP_ARCH_X32', 'SCMP_ARCH_ARM', 'SCMP_ARCH_AARCH64', 'SCMP_ARCH_MIPS', 'SCMP_ARCH_MIPS64',
  'SCMP_ARCH_MIPS64N32', 'SCMP_ARCH_MIPSEL', 'SCMP_ARCH_MIPSEL64', 'SCMP_ARCH_MIPSEL64N32',
];
export const ARCHES: Record<Edition, readonly string[]> = {
  draft: DRAFT_ARCHES,
  v1: [
    ...DRAFT_ARCHES, 'SCMP_ARCH_PPC', 'SCMP_ARCH_PPC64', 'SCMP_ARCH_PPC64LE', 'SCMP_ARCH_S390', 'SCMP_ARCH_S390X', 'SCMP_ARCH_PARISC',
    'SCMP_ARCH_PARISC64', 'SCMP_ARCH_RISCV64', 'SCMP_ARCH_LOONGARCH64', 'SCMP_ARCH_M68K', 'SCMP_ARCH_SH', 'SCMP_ARCH_SHEB',
  ],
};

export const OPERATORS = ['SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ'];
export const FLAGS = ['SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW', 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'];
/** The actions that take an errno: "Some actions like SCMP_ACT_ERRNO and SCMP_ACT_TRACE allow to specify the errno". */
const ERRNO_ACTIONS = ['SCMP_ACT_ERRNO', 'SCMP_ACT_TRACE'];
/** seccomp_data.args has six entries. */
const MAX_ARG_INDEX = 5;

const seccompOf = (c: Doc) => objAt(c, 'linux', 'seccomp');
const SECCOMP = ['linux', 'seccomp'];

/**
 * defaultAction and each syscalls[].action are one of the edition's actions; errnoRet and
 * defaultErrnoRet (v1.3.0): "When the action doesn't support an errno, the runtime MUST print and
 * error and fail."
 */
export const seccompActions: Check = (c, ctx) => {
  const out = new Findings(ctx.edition);
  const s = seccompOf(c);
  if (!s) return out.list;
  const known = ACTIONS[ctx.edition];
  const action = (path: Array<string | number>, v: unknown, errnoKey: string, errno: unknown) => {
    const a = str(v);
    if (a !== undefined && !known.includes(a)) out.error(path, 'seccomp', `unknown action ${q(a)}`, `use one of ${known.join(', ')}`);
    if (ctx.edition === 'v1' && a !== undefined && known.includes(a) && !ERRNO_ACTIONS.includes(a) && errno !== undefined) {
      out.error([...path.slice(0, -1), errnoKey], 'seccomp', `${q(a)} takes no errno`, `remove ${errnoKey}, or use SCMP_ACT_ERRNO`);
    }
  };
  action([...SECCOMP, 'defaultAction'], s.defaultAction, 'defaultErrnoRet', s.defaultErrnoRet);
  for (const [i, v] of entries(s, 'syscalls')) {
    const rule = obj(v);
    if (rule) action([...SECCOMP, 'syscalls', i, 'action'], rule.action, 'errnoRet', rule.errnoRet);
  }
  return out.list;
};

/** architectures: the edition's SCMP_ARCH_* constants; one the host's libseccomp lacks cannot be filtered here (a warning). */
export const seccompArchitectures: Check = (c, ctx) => {
  const out = new Findings(ctx.edition);
  const known = ARCHES[ctx.edition];
  for (const [i, v] of entries(seccompOf(c), 'architectures')) {
    const arch = str(v);
    if (arch === undefined) continue;
    const at = [...SECCOMP, 'architectures', i];
    if (!known.includes(arch)) {
      out.error(at, 'seccomp', `unknown architecture ${q(arch)}`, 'use an SCMP_ARCH_* constant, e.g. "SCMP_ARCH_X86_64"');
      continue;
    }
    const lib = seccompNames();
    if (lib && !lib.archKnown(arch)) out.warning(at, 'seccomp', `libseccomp ${lib.version} on this host does not know ${q(arch)}`, 'remove it, or install a libseccomp that knows it');
  }
  return out.list;
};

/** Syscall names the host's libseccomp knows (v1.3.0 `names`, the draft's `name`); args' index and op. */
export const seccompSyscalls: Check = (c, ctx) => {
  const out = new Findings(ctx.edition);
  const s = seccompOf(c);
  let lib: ReturnType<typeof seccompNames> | null = null; // null: not asked yet
  const names = (): Array<[Array<string | number>, string]> => {
    const list: Array<[Array<string | number>, string]> = [];
    for (const [i, v] of entries(s, 'syscalls')) {
      const rule = obj(v);
      if (ctx.edition === 'draft') {
        const name = str(rule?.name);
        if (name !== undefined) list.push([[...SECCOMP, 'syscalls', i, 'name'], name]);
      } else {
        for (const [j, n] of entries(rule, 'names')) if (typeof n === 'string') list.push([[...SECCOMP, 'syscalls', i, 'names', j], n]);
      }
    }
    return list;
  };
  for (const [at, name] of names()) {
    if (lib === null) {
      lib = seccompNames();
      if (!lib) {
        out.warning(SECCOMP, 'seccomp', 'cannot check syscall names: libseccomp.so.2 cannot be loaded');
        break;
      }
    }
    if (lib && !lib.syscallKnown(name)) {
      out.warning(at, 'seccomp', `${q(name)} is not a syscall libseccomp ${lib.version} on this host knows`, 'check the spelling: a syscall unknown to libseccomp cannot be filtered');
    }
  }
  for (const [i, v] of entries(s, 'syscalls')) {
    for (const [k, a] of entries(obj(v), 'args')) {
      const arg = obj(a);
      const at = [...SECCOMP, 'syscalls', i, 'args', k];
      const op = str(arg?.op);
      if (op !== undefined && !OPERATORS.includes(op)) out.error([...at, 'op'], 'seccomp', `unknown operator ${q(op)}`, `use one of ${OPERATORS.join(', ')}`);
      const index = int(arg?.index);
      if (index !== undefined && (index < 0 || index > MAX_ARG_INDEX)) out.error([...at, 'index'], 'seccomp', `${index} is not an argument index: a syscall has arguments 0 to ${MAX_ARG_INDEX}`);
    }
  }
  return out.list;
};

/**
 * v1.3.0: flags are the listed SECCOMP_FILTER_FLAG_* constants; listenerMetadata "MUST NOT be set if
 * listenerPath is not set"; listenerPath is where the runtime sends the notify fd when
 * SCMP_ACT_NOTIFY is used — without one, nothing answers the notifications (a warning).
 */
export const seccompSettings: Check = (c, ctx) => {
  const out = new Findings(ctx.edition);
  const s = seccompOf(c);
  if (ctx.edition !== 'v1' || !s) return out.list;
  for (const [i, v] of entries(s, 'flags')) {
    const flag = str(v);
    if (flag !== undefined && !FLAGS.includes(flag)) out.error([...SECCOMP, 'flags', i], 'seccomp', `unknown flag ${q(flag)}`, `use one of ${FLAGS.join(', ')}`);
  }
  const listener = str(s.listenerPath);
  if (s.listenerMetadata !== undefined && !listener) {
    out.error([...SECCOMP, 'listenerMetadata'], 'seccomp', 'set without listenerPath', 'set listenerPath, or remove listenerMetadata');
  }
  const uses: Array<[Array<string | number>, unknown]> = [[[...SECCOMP, 'defaultAction'], s.defaultAction]];
  for (const [i, v] of entries(s, 'syscalls')) uses.push([[...SECCOMP, 'syscalls', i, 'action'], obj(v)?.action]);
  const first = uses.find(([, a]) => a === 'SCMP_ACT_NOTIFY');
  if (first && !listener) out.warning(first[0], 'seccomp', 'uses SCMP_ACT_NOTIFY without listenerPath: nothing will answer the notifications', "set listenerPath to the seccomp agent's socket");
  return out.list;
};
