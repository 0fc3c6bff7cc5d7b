// config.md "Process", "Linux Process" and "User": the steps the init runs once start releases
// it, ending in exec. The order is runc's (libcontainer/standard_init_linux.go and
// finalizeNamespace), crun's is the same in substance:
//
//   rlimits → scheduler → I/O priority → LSM exec labels → no_new_privs
//   → seccomp, when no_new_privs is off (loading it then needs CAP_SYS_ADMIN, so before the drop)
//   → drop the bounding set → keep caps across the uid change → groups, gid, uid → capset → ambient
//   → umask, env, cwd → seccomp, when no_new_privs is on (as late as possible) → exec
import { specError } from '../errors.ts';
import type { Process } from '../spec/config.ts';
import type { Edition } from '../spec/edition.ts';
import { capabilityMasks, type HostCaps } from './capabilities.ts';
import { rlimitSteps, type HostLimits, type Rlimit } from './rlimits.ts';
import { ioPrioritySteps, schedulerSteps, type Scheduler } from './scheduler.ts';
import type { Step } from './wire.ts';

const isId = (n: unknown) => Number.isInteger(n) && (n as number) >= 0 && (n as number) <= 0xffffffff;

function checkProcess(p: Process | undefined): asserts p is Process {
  if (p === undefined || p === null || typeof p !== 'object') throw specError('process: required to start a container');
  if (!Array.isArray(p.args) || p.args.length === 0) throw specError('process.args: must name at least the program to run');
  if (typeof p.cwd !== 'string' || !p.cwd.startsWith('/')) throw specError('process.cwd: must be an absolute path');
  if (!p.user || !isId(p.user.uid)) throw specError('process.user.uid: must be an integer from 0 to 4294967295');
  if (!isId(p.user.gid)) throw specError('process.user.gid: must be an integer from 0 to 4294967295');
  (p.user.additionalGids ?? []).forEach((g, i) => {
    if (!isId(g)) throw specError(`process.user.additionalGids[${i}]: must be an integer from 0 to 4294967295`);
  });
  (p.env ?? []).forEach((e, i) => {
    if (typeof e !== 'string' || !e.includes('=')) throw specError(`process.env[${i}]: must be "KEY=value"`);
  });
}

/** The seccomp program as create compiled it (linux.seccomp), and where its notify fd goes. */
export interface SeccompLoad {
  bpf: Uint8Array;
  flags: number;
  listenerSlot: number; // -1: no listenerPath
  state: string; // config-linux.md "The Container Process State", sent with the fd
}

export interface Host {
  caps: HostCaps;
  limits: HostLimits;
  /** LSMs this host enforces: an exec label for one it lacks is refused at create. */
  lsm: { apparmor: boolean; selinux: boolean };
}

export interface ProcessInput {
  process: Process | undefined;
  edition: Edition;
  host: Host;
  seccomp?: SeccompLoad;
  warn(message: string): void;
}

/** config.md "Linux Process": apparmorProfile and selinuxLabel, set for the next exec (/proc/thread-self/attr). */
function lsmSteps(p: Process, host: Host): Step[] {
  const steps: Step[] = [];
  if (typeof p.apparmorProfile === 'string' && p.apparmorProfile) {
    if (!host.lsm.apparmor) throw specError('process.apparmorProfile: AppArmor is not enabled on this host');
    steps.push({ op: 'WRITE_AT', args: ['/proc/thread-self/attr/apparmor/exec', `exec ${p.apparmorProfile}`], label: 'process.apparmorProfile' });
  }
  if (typeof p.selinuxLabel === 'string' && p.selinuxLabel) {
    if (!host.lsm.selinux) throw specError('process.selinuxLabel: SELinux is not enabled on this host');
    steps.push({ op: 'WRITE_AT', args: ['/proc/thread-self/attr/exec', p.selinuxLabel], label: 'process.selinuxLabel' });
  }
  return steps;
}

function seccompStep(s: SeccompLoad): Step {
  return { op: 'SECCOMP_LOAD', args: [s.bpf, s.flags, s.listenerSlot, s.state], label: 'linux.seccomp' };
}

export function processSteps(i: ProcessInput): Step[] {
  const p = i.process;
  checkProcess(p);
  const u = p.user;
  const nnp = p.noNewPrivileges === true;
  const caps = capabilityMasks(p.capabilities, i.edition, i.host.caps, i.warn);
  const label = 'process.capabilities';
  return [
    ...rlimitSteps(p.rlimits as Rlimit[] | undefined, i.host.limits),
    ...schedulerSteps(p.scheduler as Scheduler | undefined),
    ...ioPrioritySteps(p.ioPriority as { class: string; priority: number } | undefined),
    ...lsmSteps(p, i.host),
    ...(nnp ? [{ op: 'NO_NEW_PRIVS', args: [], label: 'process.noNewPrivileges' } as Step] : []),
    ...(i.seccomp && !nnp ? [seccompStep(i.seccomp)] : []),
    { op: 'CAP_BOUNDING', args: [caps.bounding], label: `${label}.bounding` },
    { op: 'KEEPCAPS', args: [1], label },
    { op: 'SETGROUPS', args: u.additionalGids ?? [], label: 'process.user.additionalGids' },
    { op: 'SETRESGID', args: [u.gid], label: 'process.user.gid' },
    { op: 'SETRESUID', args: [u.uid], label: 'process.user.uid' },
    { op: 'KEEPCAPS', args: [0], label },
    { op: 'CAPSET', args: [caps.effective, caps.permitted, caps.inheritable], label },
    { op: 'CAP_AMBIENT', args: [caps.ambient], label: `${label}.ambient` },
    // 0022 when unspecified, as runc does (config.md "POSIX-platform User" says only "should not be changed").
    { op: 'UMASK', args: [u.umask ?? 0o022], label: 'process.user.umask' },
    { op: 'ENV', args: p.env ?? [], label: 'process.env' },
    { op: 'CHDIR', args: [p.cwd], label: `process.cwd (${p.cwd})` },
    ...(i.seccomp && nnp ? [seccompStep(i.seccomp)] : []),
    { op: 'EXEC', args: p.args, label: `process.args[0] (${p.args[0]})` },
  ];
}
