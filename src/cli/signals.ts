// Signal names and numbers as `kill` accepts them: Linux x86_64 numbering, names with or without
// "SIG" in any case, decimal numbers 1..64, and the real-time forms SIGRTMIN+n / SIGRTMAX-n with
// glibc's SIGRTMIN (34; the kernel's 32 and 33 are kept by the C library and have no name).
import { OciError, usageError } from '../errors.ts';

export const SIGRTMIN = 34;
export const SIGRTMAX = 64;

/** Index = signal number; 32 and 33 have no standard name. */
const CLASSIC = [
  '', 'HUP', 'INT', 'QUIT', 'ILL', 'TRAP', 'ABRT', 'BUS', 'FPE', 'KILL', 'USR1', 'SEGV', 'USR2', 'PIPE',
  'ALRM', 'TERM', 'STKFLT', 'CHLD', 'CONT', 'STOP', 'TSTP', 'TTIN', 'TTOU', 'URG', 'XCPU', 'XFSZ',
  'VTALRM', 'PROF', 'WINCH', 'IO', 'PWR', 'SYS',
] as const;

const ALIASES: Readonly<Record<string, number>> = { IOT: 6, CLD: 17, POLL: 29 };

const BY_NAME: ReadonlyMap<string, number> = new Map([
  ...CLASSIC.map((name, n): [string, number] => [name, n]).slice(1),
  ...Object.entries(ALIASES),
  ['32', 32],
  ['33', 33],
]);

/** The signal number for a name or number; throws `unknown signal "<text>"`. */
export function parseSignal(text: string): number {
  const n = /^[0-9]+$/.test(text) ? Number(text) : byName(text.toUpperCase().replace(/^SIG/, ''));
  if (n === undefined || n < 1 || n > SIGRTMAX) throw usageError(`unknown signal ${JSON.stringify(text)}`);
  return n;
}

function byName(name: string): number | undefined {
  const rt = /^RT(MIN|MAX)(?:([+-])([0-9]{1,2}))?$/.exec(name);
  if (!rt) return BY_NAME.get(name);
  const [, base, sign, offset] = rt;
  if (sign === undefined) return base === 'MIN' ? SIGRTMIN : SIGRTMAX;
  if ((base === 'MIN') !== (sign === '+')) return undefined;
  const n = base === 'MIN' ? SIGRTMIN + Number(offset) : SIGRTMAX - Number(offset);
  return n >= SIGRTMIN && n <= SIGRTMAX ? n : undefined;
}

/**
 * The conventional name of a signal number, as `kill -l` prints it: SIGTERM, SIGRTMIN+3, SIGRTMAX-2.
 * 32 and 33 have no name and come back as "SIG32" and "SIG33"; `parseSignal` takes every result back.
 */
export function signalName(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > SIGRTMAX) throw new OciError('internal', `no signal ${n}`);
  if (n < CLASSIC.length) return `SIG${CLASSIC[n]}`;
  if (n < SIGRTMIN) return `SIG${n}`;
  if (n === SIGRTMIN) return 'SIGRTMIN';
  if (n === SIGRTMAX) return 'SIGRTMAX';
  const half = (SIGRTMIN + SIGRTMAX) / 2; // 49: bash's split between the + and - forms
  return n <= half ? `SIGRTMIN+${n - SIGRTMIN}` : `SIGRTMAX-${SIGRTMAX - n}`;
}
