// config.json → the executor's plan: stage 0 (host), stage 1 (cgroup, namespaces), stage 2 (init),
// stage 4 (host, once the init exists), stage 5 (host, the runtime-namespace hooks). Pure but for stat(2) of bind sources: every ordering rule
// lives here as data, checked by unit tests. The order of stage 2:
//
//   / a recursive slave → rootfs bind → rootfs opened (mount destinations resolve in it) → mounts
//   (in order) → seccomp agent's socket → host nodes to bind → the hook sync point (stage 0 runs
//   prestart and createRuntime) → createContainer hooks → personality, memory policy → pivot_root → propagation → devices and /dev symlinks → the terminal → hostname, domainname → sysctl
//   → read-only paths → masked paths → root.readonly
import { specError } from '../errors.ts';
import type { Config, IdMapping } from '../spec/config.ts';
import type { Edition } from '../spec/edition.ts';
import { consoleSteps, type Console } from './console.ts';
import { deviceSteps, type Device } from './devices.ts';
import { hookSteps, PID_OF_INIT, PID_OF_SELF, type Hooks, type HookState } from './hooks.ts';
import { Slots } from './slots.ts';
import { linuxPathSteps } from './linux-paths.ts';
import { mountSteps, type MountContext } from './mounts.ts';
import { namespaceSet, namespaceSteps, type NamespaceSet } from './namespaces.ts';
import { netDeviceSteps } from './net-devices.ts';
import { memoryPolicySteps, personalitySteps } from './personality.ts';
import { pivotSteps, rootfsPrepareSteps, rootReadonlySteps, type RootOptions } from './rootfs.ts';
import { sysctlSteps } from './sysctl.ts';
import { encodeMessage, type Step } from './wire.ts';

export const START_SOCKET = 'init.sock';

export interface PlanInput {
  config: Config;
  edition: Edition;
  rootfs: string; // absolute host path of root.path
  bundle: string; // absolute
  cgroupProcs: string[]; // cgroup.procs files the executor joins before forking
  cgroup: MountContext['cgroup'];
  noPivot: boolean;
  /** The init's own session keyring, as runc makes one (`_ses.<id>`); undefined with --no-new-keyring. */
  sessionKeyring?: string;
  /** process.terminal: where the pty master goes (console.ts consoleFor); undefined without one. */
  console?: Console;
  /** config.json's hooks (plan/hooks.ts) and the "creating" state they read, pid cut out. */
  hooks?: { hooks: Hooks; state: HookState };
  /** host facts the config's fields depend on */
  host: { selinux: boolean; resctrl: boolean };
}

export interface Plan {
  stages: Array<[number, Step[]]>;
  namespaces: NamespaceSet;
  /** the fd slot of the seccomp agent's connection, when linux.seccomp.listenerPath is set */
  listenerSlot: number;
}

/** Spec rules between fields that the steps themselves cannot see. */
function checkCombinations(c: Config, edition: Edition, ns: NamespaceSet, host: PlanInput['host']): void {
  const l = c.linux;
  if ((l?.uidMappings?.length || l?.gidMappings?.length) && !ns.created.has('user')) {
    throw specError('linux.uidMappings: id mappings need a new user namespace in linux.namespaces');
  }
  if (ns.created.has('user') && !(l?.uidMappings?.length && l?.gidMappings?.length)) {
    throw specError('linux.uidMappings: a new user namespace needs uidMappings and gidMappings');
  }
  if (l?.timeOffsets && Object.keys(l.timeOffsets).length && !ns.created.has('time')) {
    throw specError('linux.timeOffsets: needs a new time namespace in linux.namespaces');
  }
  // v1.3.0 config.md "Hostname": the container's UTS namespace, made or joined; the draft: "only if your bundle creates" one.
  const uts = ns.created.has('uts') || (edition === 'v1' && ns.joined.has('uts'));
  if (c.hostname && !uts) throw specError(`hostname: setting it needs ${edition === 'v1' ? 'a' : 'a new'} uts namespace`);
  if (c.domainname && !uts) throw specError(`domainname: setting it needs ${edition === 'v1' ? 'a' : 'a new'} uts namespace`);
  // config-linux.md "Namespaces": without a mount namespace the container would inherit the
  // runtime's, and pivot_root would move the host's root: refused (docs/design.md "No mount namespace").
  if (!ns.created.has('mount') && !ns.joined.has('mount')) {
    throw specError('linux.namespaces: a mount namespace is required: without one ocirt would set up root.path in the host\'s mount namespace');
  }
  if (l?.intelRdt && !host.resctrl) throw specError('linux.intelRdt: resctrl is not mounted on this host (config-linux.md "IntelRdt")');
  if (l?.intelRdt) throw specError('linux.intelRdt: not supported by ocirt yet');
  if (typeof l?.mountLabel === 'string' && l.mountLabel && !host.selinux) throw specError('linux.mountLabel: SELinux is not enabled on this host');
}

/** The host uid/gid of the container's root, who owns device nodes it makes. */
function rootOwner(c: Config): [number, number] {
  const host = (maps: IdMapping[] | undefined) => maps?.find((m) => m.containerID === 0)?.hostID ?? 0;
  return [host(c.linux?.uidMappings), host(c.linux?.gidMappings)];
}

interface Built {
  host: Step[];
  init: Step[];
  runtimeHooks: Step[];
  listenerSlot: number;
}

/** Stage 5 (prestart, then createRuntime: the draft has prestart only) and the init's part: the sync point, createContainer. */
function createHooks(p: PlanInput): { runtime: Step[]; init: Step[] } {
  if (!p.hooks) return { runtime: [], init: [] };
  const { hooks, state } = p.hooks;
  const v1 = p.edition === 'v1';
  const runtime = [...hookSteps(hooks, 'prestart', state, PID_OF_INIT), ...(v1 ? hookSteps(hooks, 'createRuntime', state, PID_OF_INIT) : [])];
  const sync: Step[] = runtime.length ? [{ op: 'HOOK_SYNC', args: [], label: 'hooks.prestart and hooks.createRuntime' }] : [];
  return { runtime, init: [...sync, ...(v1 ? hookSteps(hooks, 'createContainer', state, PID_OF_SELF) : [])] };
}

function initSteps(p: PlanInput, ns: NamespaceSet): Built {
  const c = p.config;
  const l = c.linux;
  const slots = new Slots();
  const rootSlot = slots.take('root.path');
  const userNsMaps = ns.created.has('user') ? { uid: l!.uidMappings!, gid: l!.gidMappings! } : undefined;
  const ctx: MountContext = { rootSlot, bundle: p.bundle, cgroup: p.cgroup, cgroupNs: ns.created.has('cgroup'), userNsMaps, slots, hostSteps: [] };
  const root: RootOptions = { rootfs: p.rootfs, rootSlot, readonly: c.root.readonly === true, propagation: l?.rootfsPropagation, noPivot: p.noPivot };
  // First, in every namespace: no key of the caller's session is reachable from the container.
  const keyring: Step[] = p.sessionKeyring === undefined ? [] : [{ op: 'JOIN_SESSION_KEYRING', args: [p.sessionKeyring], label: 'session keyring (--no-new-keyring keeps the caller\'s)' }];
  const steps = [...keyring, ...rootfsPrepareSteps(p.rootfs, rootSlot)];
  (c.mounts ?? []).forEach((m, i) => steps.push(...mountSteps(m, i, ctx)));
  const seccomp = l?.seccomp as { listenerPath?: string } | undefined;
  const listenerSlot = seccomp?.listenerPath ? slots.take('linux.seccomp.listenerPath') : -1;
  if (seccomp?.listenerPath) steps.push({ op: 'LISTENER_CONNECT', args: [listenerSlot, seccomp.listenerPath], label: 'linux.seccomp.listenerPath' });
  // In a user namespace, made or joined, mknod is refused: host nodes are bound instead.
  const inUserNs = ns.created.has('user') || ns.joined.has('user');
  const devices = deviceSteps(l?.devices as Device[] | undefined, { inUserNs, owner: rootOwner(c), slots });
  const hooks = createHooks(p);
  steps.push(...devices.beforePivot, ...hooks.init, ...personalitySteps(l?.personality), ...memoryPolicySteps(l?.memoryPolicy));
  const terminal = consoleSteps(p.console, c.process, slots, true);
  ctx.hostSteps.push(...terminal.host);
  steps.push(...pivotSteps(root), ...devices.afterPivot, ...terminal.pty);
  if (c.hostname) steps.push({ op: 'SETHOSTNAME', args: [c.hostname], label: 'hostname' });
  if (c.domainname) steps.push({ op: 'SETDOMAINNAME', args: [c.domainname], label: 'domainname' });
  steps.push(...sysctlSteps(l?.sysctl, ns), ...linuxPathSteps(l?.readonlyPaths, l?.maskedPaths), ...rootReadonlySteps(root));
  return { host: ctx.hostSteps, init: steps, runtimeHooks: hooks.runtime, listenerSlot };
}

export function buildPlan(p: PlanInput): Plan {
  const ns = namespaceSet(p.config.linux);
  checkCombinations(p.config, p.edition, ns, p.host);
  // Stage 1 joins the cgroup, before its namespaces, so the init inherits it and stage 0 stays out:
  // the hooks stage 0 runs are not held to the container's limits and device rules, as runc's are not.
  const cgroup: Step[] = p.cgroupProcs.map((f) => ({ op: 'WRITE_FILE', args: [f, '0'], label: `linux.cgroupsPath (${f})` }));
  const host: Step[] = [{ op: 'LISTEN', args: [START_SOCKET], label: 'start socket' }];
  const built = initSteps(p, ns);
  const stages: Plan['stages'] = [[0, [...host, ...built.host]], [1, [...cgroup, ...namespaceSteps(ns, p.config.linux)]], [2, built.init], [4, netDeviceSteps(p.config.linux?.netDevices, ns)], [5, built.runtimeHooks]];
  return { stages, namespaces: ns, listenerSlot: built.listenerSlot };
}

/** Labels in step order, to name the config field of a failed step. */
export const planLabels = (plan: Plan) => plan.stages.flatMap(([, steps]) => steps.map((s) => s.label));
export const encodePlan = (plan: Plan) => encodeMessage(plan.stages);
