// `ocirt exec` (runc's grammar; ENGINES.md "exec"): one more process in a container that exists.
// Pure: the process runc would build from the command line, and the plan the executor runs in exec
// mode (native/executor/exec.c), in the wire format of protocol.ts:
//
//   VERSION(1)  STAGE(0) step*  STAGE(1) step*  STAGE(3) step*  END
//
//   stage 0  the executor, in the host: joins the init's PID namespace, which only its children
//            enter (setns(2) CLONE_NEWPID), then forks the process
//   stage 1  the forked child, still in the host's mount namespace: the container's cgroup
//            (cgroup.procs of every hierarchy, before the cgroup namespace), its oom_score_adj,
//            then the init's other namespaces, the user namespace first and the mount namespace
//            last; exec.c opens every namespace file before it joins the first, since once in a
//            user namespace the init's /proc/<pid>/ns files may be closed to it; then, with a
//            terminal, the pty on the container's /dev/ptmx (plan/console.ts; not /dev/console)
//   stage 3  the same child: the process steps start sends an init (plan/process.ts), ending in EXEC
//
// Only the namespaces that differ from the runtime's own are joined: setns(2) into one's own user
// namespace is EINVAL, and any other is a no-op.
import { specError, usageError } from '../errors.ts';
import type { Process } from '../spec/config.ts';
import type { Edition } from '../spec/edition.ts';
import { consoleSteps, type Console } from './console.ts';
import { processSteps, type Host, type SeccompLoad } from './process.ts';
import { Slots } from './slots.ts';
import { Linux } from './protocol.ts';
import { encodeMessage, type Step } from './wire.ts';

/** The namespace types /proc/<pid>/ns names, in the order the child joins them (pid: stage 0). */
export const EXEC_NAMESPACES = ['user', 'ipc', 'uts', 'net', 'cgroup', 'time', 'mnt', 'pid'] as const;
export type NsName = (typeof EXEC_NAMESPACES)[number];

const FLAGS: Record<NsName, number> = {
  user: Linux.CLONE_NEWUSER, ipc: Linux.CLONE_NEWIPC, uts: Linux.CLONE_NEWUTS, net: Linux.CLONE_NEWNET,
  cgroup: Linux.CLONE_NEWCGROUP, time: Linux.CLONE_NEWTIME, mnt: Linux.CLONE_NEWNS, pid: Linux.CLONE_NEWPID,
};

export interface ExecPlanInput {
  /** The container's init, whose /proc/<pid>/ns files are joined. */
  initPid: number;
  /** The init's namespaces that differ from the runtime's own (nsfs names). */
  join: ReadonlySet<NsName>;
  /** cgroup.procs of the container's cgroup in every hierarchy (StoredState.cgroup.dirs). */
  cgroupProcs: string[];
  process: Process;
  edition: Edition;
  host: Host;
  /** linux.seccomp as create compiled it. */
  seccomp?: SeccompLoad;
  /** process.terminal: where the pty master goes (console.ts consoleFor). */
  console?: Console;
  warn(message: string): void;
}

export interface ExecPlan {
  stages: Array<[number, Step[]]>;
  /** Every step's label, by its index across the stages (the ERROR frame's step). */
  labels: string[];
}

function setns(pid: number, type: NsName): Step {
  const path = `/proc/${pid}/ns/${type}`;
  return { op: 'SETNS', args: [path, FLAGS[type]], label: `the container's ${type} namespace (${path})` };
}

export function execPlan(i: ExecPlanInput): ExecPlan {
  // Without its own mount namespace the process would run in the host's filesystem.
  if (!i.join.has('mnt')) throw specError("exec: the container's init shares this runtime's mount namespace");
  const terminal = consoleSteps(i.console, i.process, new Slots(), false);
  const host: Step[] = [...(i.join.has('pid') ? [setns(i.initPid, 'pid')] : []), ...terminal.host];
  const oomScoreAdj = i.process.oomScoreAdj;
  const child: Step[] = [
    ...i.cgroupProcs.map((file): Step => ({ op: 'WRITE_FILE', args: [file, '0'], label: `the container's cgroup (${file})` })),
    ...(typeof oomScoreAdj === 'number' ? [{ op: 'WRITE_FILE', args: ['/proc/self/oom_score_adj', String(oomScoreAdj)], label: 'process.oomScoreAdj' } as Step] : []),
    ...EXEC_NAMESPACES.filter((t) => t !== 'pid' && i.join.has(t)).map((t) => setns(i.initPid, t)),
    ...terminal.pty,
  ];
  const process = processSteps({ process: i.process, edition: i.edition, host: i.host, seccomp: i.seccomp, warn: i.warn });
  const stages: Array<[number, Step[]]> = [[0, host], [1, child], [3, process]];
  return { stages, labels: stages.flatMap(([, steps]) => steps.map((s) => s.label)) };
}

export const encodeExecPlan = (p: ExecPlan): Buffer => encodeMessage(p.stages);

/** What the command line says about the process (runc's exec flags), when it is not --process FILE. */
export interface ExecFlags {
  args: string[];
  cwd?: string;
  /** --env K=V, in order: each replaces the base's value of K, or is added. */
  env: string[];
  /** --user UID[:GID] */
  user?: string;
  additionalGids: number[];
  /** --cap CAP, added to the bounding, effective and permitted sets. */
  caps: string[];
  /** --no-new-privs; undefined: the base's. */
  noNewPrivs?: boolean;
  apparmor?: string;
  processLabel?: string;
  tty: boolean;
}

const isSet = (s: string | undefined): s is string => s !== undefined && s !== '';

/** "1000" or "1000:100": runc's --user takes numbers only. */
function parseUser(user: string): { uid: number; gid?: number } {
  const m = /^([0-9]{1,10})(?::([0-9]{1,10}))?$/.exec(user);
  const ok = (n: string | undefined) => n === undefined || Number(n) <= 0xffffffff;
  if (!m || !ok(m[1]) || !ok(m[2])) throw usageError(`exec: --user: must be UID[:GID] in numbers, got ${JSON.stringify(user)}`);
  return { uid: Number(m[1]), ...(m[2] === undefined ? {} : { gid: Number(m[2]) }) };
}

function mergeEnv(base: string[], extra: string[]): string[] {
  const out = [...base];
  for (const e of extra) {
    const key = e.slice(0, e.indexOf('=') + 1);
    const at = out.findIndex((x) => x.startsWith(key));
    if (at >= 0) out[at] = e;
    else out.push(e);
  }
  return out;
}

/** --cap: runc 1.1 adds each to the bounding, effective, permitted and ambient sets; ambient also
 * needs inheritable (which runc stopped adding in 1.1.2, CVE-2022-29162), so it is never raised
 * there and is left out here. The draft's single list gets it once. */
function addCaps(caps: unknown, add: string[], edition: Edition): unknown {
  if (add.length === 0) return caps;
  if (Array.isArray(caps) || (edition === 'draft' && (caps === undefined || caps === null))) return [...new Set([...((caps as unknown[]) ?? []), ...add])];
  const sets = { ...((caps ?? {}) as Record<string, unknown>) };
  for (const set of ['bounding', 'effective', 'permitted']) {
    const list = Array.isArray(sets[set]) ? (sets[set] as unknown[]) : [];
    sets[set] = [...new Set([...list, ...add])];
  }
  return sets;
}

/**
 * runc's exec without --process: the container's own process is the base (its env, user, cwd,
 * capabilities, rlimits, noNewPrivileges, apparmorProfile…), and the flags change it: args from the
 * command line, --cwd, --env added, --user, --additional-gids added, --cap added, --no-new-privs,
 * --apparmor, --process-label, and terminal is --tty (false without it).
 */
export function processFromFlags(base: Process | undefined, f: ExecFlags, edition: Edition): Process {
  const b: Process = base ?? { user: { uid: 0, gid: 0 }, args: [], cwd: '/' };
  const p: Process = { ...b, args: f.args, terminal: f.tty, user: { ...b.user } };
  if (isSet(f.cwd)) p.cwd = f.cwd;
  if (f.env.length > 0) p.env = mergeEnv(b.env ?? [], f.env);
  if (isSet(f.user)) Object.assign(p.user, parseUser(f.user));
  if (f.additionalGids.length > 0) p.user.additionalGids = [...(b.user?.additionalGids ?? []), ...f.additionalGids];
  if (f.caps.length > 0) p.capabilities = addCaps(b.capabilities, f.caps, edition);
  if (f.noNewPrivs !== undefined) p.noNewPrivileges = f.noNewPrivs;
  if (isSet(f.apparmor)) p.apparmorProfile = f.apparmor;
  if (isSet(f.processLabel)) p.selinuxLabel = f.processLabel;
  return p;
}
