// Checks of config.md's `process`: cwd, env, consoleSize, rlimits, capabilities.
import { entries, Findings, int, isAbsolutePath, obj, objAt, q, str, type Check } from './util.ts';

/** config.md "Process": cwd "MUST be an absolute path" (both editions). */
export const processCwd: Check = (c, ctx) => {
  const out = new Findings(ctx.edition);
  const cwd = str(objAt(c, 'process')?.cwd);
  if (cwd && !isAbsolutePath(cwd)) out.error(['process', 'cwd'], 'process', 'must be an absolute path', `use "/${cwd}"`);
  return out.list;
};

/** config.md "Process": env has environ's semantics, entries "KEY=value" (the draft says so in words). */
export const processEnv: Check = (c, ctx) => {
  const out = new Findings(ctx.edition);
  for (const [i, e] of entries(objAt(c, 'process'), 'env')) {
    const s = str(e);
    if (s !== undefined && !(s.indexOf('=') > 0)) out.warning(['process', 'env', i], 'process', `${q(s)} is not of the form KEY=value`, 'write it as NAME=value');
  }
  return out.list;
};

/** config.md "Process" (v1.3.0): "Runtimes MUST ignore consoleSize if terminal is false or unset". */
export const consoleSize: Check = (c, ctx) => {
  const out = new Findings(ctx.edition);
  const p = objAt(c, 'process');
  if (ctx.edition === 'v1' && p && obj(p.consoleSize) && p.terminal !== true) {
    out.warning(['process', 'consoleSize'], 'process', 'ignored: process.terminal is not true', 'set process.terminal to true, or remove consoleSize');
  }
  return out.list;
};

/** getrlimit(2)'s resources on Linux. */
export const RLIMITS: ReadonlySet<string> = new Set([
  'RLIMIT_AS', 'RLIMIT_CORE', 'RLIMIT_CPU', 'RLIMIT_DATA', 'RLIMIT_FSIZE', 'RLIMIT_LOCKS', 'RLIMIT_MEMLOCK', 'RLIMIT_MSGQUEUE',
  'RLIMIT_NICE', 'RLIMIT_NOFILE', 'RLIMIT_NPROC', 'RLIMIT_RSS', 'RLIMIT_RTPRIO', 'RLIMIT_RTTIME', 'RLIMIT_SIGPENDING', 'RLIMIT_STACK',
]);

/** The spelling a near miss ("nofile", "rlimit_nofile") was meant to have, if it is one. */
function rlimitFix(type: string): string {
  const upper = type.toUpperCase();
  for (const guess of [upper, `RLIMIT_${upper}`]) if (RLIMITS.has(guess)) return `use "${guess}"`;
  return 'use a resource from getrlimit(2), e.g. "RLIMIT_NOFILE"';
}

/**
 * config.md "POSIX process": the runtime MUST generate an error for a type that cannot be mapped to
 * a kernel interface, and for duplicated types (v1.3.0; the draft has no such sentence, so a
 * duplicate is a warning there: the later entry wins).
 */
export const rlimitTypes: Check = (c, ctx) => {
  const out = new Findings(ctx.edition);
  const first = new Map<string, number>();
  for (const [i, r] of entries(objAt(c, 'process'), 'rlimits')) {
    const type = str(obj(r)?.type);
    if (type === undefined) continue;
    const path = ['process', 'rlimits', i, 'type'];
    if (!RLIMITS.has(type)) {
      out.error(path, 'posixProcess', `${q(type)} is not a Linux resource limit`, rlimitFix(type));
      continue;
    }
    const j = first.get(type);
    if (j === undefined) first.set(type, i);
    else out.add(ctx.edition === 'v1' ? 'error' : 'warning', path, 'posixProcess', `${q(type)} is given twice`, `keep one entry for it (the other is process.rlimits[${j}])`);
  }
  return out.list;
};

/** config.md "POSIX process": rlim_cur and rlim_max MUST match the values; setrlimit(2) refuses soft above hard. */
export const rlimitValues: Check = (c, ctx) => {
  const out = new Findings(ctx.edition);
  for (const [i, r] of entries(objAt(c, 'process'), 'rlimits')) {
    const soft = int(obj(r)?.soft);
    const hard = int(obj(r)?.hard);
    if (soft !== undefined && hard !== undefined && soft > hard) {
      out.error(['process', 'rlimits', i, 'soft'], 'posixProcess', `${soft} is above the hard limit ${hard}`, 'make soft at most hard');
    }
  }
  return out.list;
};

/** capabilities(7), numbers 0–40 (CAP_LAST_CAP of Linux 5.9 and later), in number order. */
export const CAPABILITIES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID', 'CAP_SETUID',
  'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW',
  'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD',
  'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG',
  'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];
const KNOWN_CAPS: ReadonlySet<string> = new Set(CAPABILITIES);

export const CAPABILITY_SETS = ['bounding', 'effective', 'inheritable', 'permitted', 'ambient'] as const;

function capabilityFix(name: string): string {
  const upper = name.toUpperCase();
  for (const guess of [upper, `CAP_${upper}`]) if (KNOWN_CAPS.has(guess)) return `use "${guess}"`;
  return 'use a name from capabilities(7), e.g. "CAP_CHOWN"';
}

/**
 * config.md "Linux Process": valid capability names are capabilities(7)'s. v1.3.0: a value that
 * cannot be mapped to a kernel interface MUST be logged as a warning and SHOULD NOT fail the
 * container (a warning). The draft (an array of names) has no such allowance: an error.
 */
export const capabilityNames: Check = (c, ctx) => {
  const out = new Findings(ctx.edition);
  const p = objAt(c, 'process');
  const lists: Array<[Array<string | number>, Array<[number, unknown]>]> =
    ctx.edition === 'v1' ? CAPABILITY_SETS.map((set) => [['process', 'capabilities', set], entries(obj(p?.capabilities), set)]) : [[['process', 'capabilities'], entries(p, 'capabilities')]];
  for (const [path, names] of lists) {
    for (const [i, v] of names) {
      const name = str(v);
      if (name !== undefined && !KNOWN_CAPS.has(name)) {
        out.add(ctx.edition === 'v1' ? 'warning' : 'error', [...path, i], 'linuxProcess', `${q(name)} is not a Linux capability`, capabilityFix(name));
      }
    }
  }
  return out.list;
};

/**
 * config.md "Linux Process" (v1.3.0): a capability that cannot be granted MUST be logged as a
 * warning. capset(2) cannot make a capability effective that is not permitted, and
 * PR_CAP_AMBIENT_RAISE needs it both permitted and inheritable.
 */
export const capabilitySets: Check = (c, ctx) => {
  const out = new Findings(ctx.edition);
  const caps = obj(objAt(c, 'process')?.capabilities);
  if (ctx.edition !== 'v1' || !caps) return out.list;
  const set = (name: string) => new Set(entries(caps, name).map(([, v]) => v));
  const [permitted, inheritable] = [set('permitted'), set('inheritable')];
  for (const [i, v] of entries(caps, 'effective')) {
    if (typeof v === 'string' && KNOWN_CAPS.has(v) && !permitted.has(v)) {
      out.warning(['process', 'capabilities', 'effective', i], 'linuxProcess', `${q(v)} is effective but not permitted: the kernel cannot grant it`, `add "${v}" to permitted`);
    }
  }
  for (const [i, v] of entries(caps, 'ambient')) {
    if (typeof v === 'string' && KNOWN_CAPS.has(v) && !(permitted.has(v) && inheritable.has(v))) {
      out.warning(['process', 'capabilities', 'ambient', i], 'linuxProcess', `${q(v)} is ambient but not both permitted and inheritable: the kernel cannot raise it`, `add "${v}" to permitted and inheritable`);
    }
  }
  return out.list;
};
