// What this host lets the runtime hand on to a container, read from /proc and /sys at create and
// start: its own capability bounding set and hard rlimits, the LSMs it enforces, resctrl.
// The plan modules take these as data, so they stay pure and testable with any host.
import { existsSync } from 'node:fs';
import type { Host } from '../plan/process.ts';
import { readOptional as read } from './read-optional.ts';

/** A capability mask line of /proc/self/status (CapBnd, CapEff), as a bigint. */
export function statusMask(status: string, key: string): bigint {
  const m = new RegExp(`^${key}:\\s*([0-9a-f]+)$`, 'm').exec(status);
  return m ? BigInt(`0x${m[1]}`) : 0n;
}

/** /proc/self/limits names → RLIMIT_* */
const LIMIT_NAMES: Record<string, string> = {
  'Max cpu time': 'RLIMIT_CPU', 'Max file size': 'RLIMIT_FSIZE', 'Max data size': 'RLIMIT_DATA', 'Max stack size': 'RLIMIT_STACK',
  'Max core file size': 'RLIMIT_CORE', 'Max resident set': 'RLIMIT_RSS', 'Max processes': 'RLIMIT_NPROC', 'Max open files': 'RLIMIT_NOFILE',
  'Max locked memory': 'RLIMIT_MEMLOCK', 'Max address space': 'RLIMIT_AS', 'Max file locks': 'RLIMIT_LOCKS',
  'Max pending signals': 'RLIMIT_SIGPENDING', 'Max msgqueue size': 'RLIMIT_MSGQUEUE', 'Max nice priority': 'RLIMIT_NICE',
  'Max realtime priority': 'RLIMIT_RTPRIO', 'Max realtime timeout': 'RLIMIT_RTTIME',
};

/** Hard limits from /proc/self/limits; a missing entry or "unlimited" is undefined. */
export function parseHardLimits(limits: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of limits.split('\n').slice(1)) {
    const name = Object.keys(LIMIT_NAMES).find((n) => line.startsWith(n + ' '));
    const cols = name ? line.slice(name.length).trim().split(/\s+/) : [];
    if (name && cols[1] && cols[1] !== 'unlimited') out.set(LIMIT_NAMES[name]!, Number(cols[1]));
  }
  return out;
}

const CAP_SYS_RESOURCE = 24n;

export function hostFacts(): Host {
  const status = read('/proc/self/status') ?? '';
  const hard = parseHardLimits(read('/proc/self/limits') ?? '');
  return {
    caps: { lastCap: Number(read('/proc/sys/kernel/cap_last_cap') ?? 40), grantable: statusMask(status, 'CapBnd') & statusMask(status, 'CapPrm') },
    limits: { hard: (t) => hard.get(t), canRaise: (statusMask(status, 'CapEff') >> CAP_SYS_RESOURCE & 1n) === 1n },
    lsm: { apparmor: read('/sys/module/apparmor/parameters/enabled')?.trim() === 'Y', selinux: existsSync('/sys/fs/selinux/enforce') },
  };
}

/** config-linux.md "IntelRdt": resctrl mounted somewhere (runc looks it up in mountinfo too). */
export function resctrlMount(): string | undefined {
  const line = (read('/proc/self/mountinfo') ?? '').split('\n').find((l) => / - resctrl /.test(l));
  return line?.split(' ')[4];
}
