// config.md "POSIX process" `rlimits`: setrlimit(2) for each type, in the init before it drops
// privileges. Without CAP_SYS_RESOURCE a hard limit cannot be raised: that is refused at plan time
// with the rlimit's name, rather than as an EPERM from inside the container.
import { specError } from '../errors.ts';
import type { Step } from './wire.ts';

/** Linux resource numbers (asm-generic/resource.h; x86_64 and arm64 agree). */
export const RLIMIT_NUMBERS: Record<string, number> = {
  RLIMIT_CPU: 0, RLIMIT_FSIZE: 1, RLIMIT_DATA: 2, RLIMIT_STACK: 3, RLIMIT_CORE: 4, RLIMIT_RSS: 5, RLIMIT_NPROC: 6,
  RLIMIT_NOFILE: 7, RLIMIT_MEMLOCK: 8, RLIMIT_AS: 9, RLIMIT_LOCKS: 10, RLIMIT_SIGPENDING: 11, RLIMIT_MSGQUEUE: 12,
  RLIMIT_NICE: 13, RLIMIT_RTPRIO: 14, RLIMIT_RTTIME: 15,
};

export interface Rlimit {
  type: string;
  soft: number;
  hard: number;
}

/** The runtime's own hard limits, and whether it may raise them (CAP_SYS_RESOURCE). */
export interface HostLimits {
  hard(type: string): number | undefined; // undefined: unlimited
  canRaise: boolean;
}

const UNLIMITED = 2 ** 64 - 1; // RLIM_INFINITY as JSON writes it
// rlim_t is a u64 carried as an i64: the same 64 bits.
const asArg = (v: number) => (v >= UNLIMITED ? -1n : BigInt.asIntN(64, BigInt(v)));

export function rlimitSteps(rlimits: Rlimit[] | undefined, host: HostLimits): Step[] {
  return (rlimits ?? []).map((r, i) => {
    const field = `process.rlimits[${i}]`;
    const resource = RLIMIT_NUMBERS[r.type];
    // config.md "POSIX process": "the runtime MUST generate an error for any values which cannot be mapped".
    if (resource === undefined) throw specError(`${field}.type: ${JSON.stringify(r.type)} is not a Linux resource limit`);
    if (!Number.isInteger(r.soft) || !Number.isInteger(r.hard) || r.soft < 0 || r.hard < 0) throw specError(`${field}: soft and hard must be non-negative integers`);
    if (r.soft > r.hard) throw specError(`${field}.soft: ${r.soft} is above the hard limit ${r.hard}`);
    const ceiling = host.hard(r.type);
    if (!host.canRaise && ceiling !== undefined && r.hard > ceiling) {
      throw specError(`${field}.hard: ${r.type} ${r.hard} is above this host's hard limit ${ceiling}, and ocirt lacks CAP_SYS_RESOURCE to raise it`);
    }
    return { op: 'RLIMIT', args: [resource, asArg(r.soft), asArg(r.hard)], label: `${field} (${r.type})` };
  });
}
