// config.json → the executor's plan: stage 0 (host), stage 1 (namespaces), stage 2 (init).
// Pure but for stat(2) of bind sources: every ordering rule lives here as data, checked by unit tests.
import { specError } from '../errors.ts';
import type { Config } from '../spec/config.ts';
import { deviceSteps } from './devices.ts';
import { mountSteps, type MountContext } from './mounts.ts';
import { namespaceSet, namespaceSteps, type NamespaceSet } from './namespaces.ts';
import { rootfsFinishSteps, rootfsPrepareSteps } from './rootfs.ts';
import { encodeMessage, type Step } from './wire.ts';

export const START_SOCKET = 'init.sock';

export interface PlanInput {
  config: Config;
  rootfs: string; // absolute host path of root.path
  bundle: string; // absolute
  cgroupProcs: string[]; // cgroup.procs files the executor joins before forking
  cgroup: MountContext['cgroup'];
  noPivot: boolean;
}

export interface Plan {
  stages: Array<[number, Step[]]>;
  namespaces: NamespaceSet;
}

/** Spec rules between fields that the steps themselves cannot see. */
function checkCombinations(c: Config, ns: NamespaceSet): void {
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
  if (c.hostname && !ns.created.has('uts')) throw specError('hostname: setting it needs a new uts namespace');
  if (c.domainname && !ns.created.has('uts')) throw specError('domainname: setting it needs a new uts namespace');
  if (!ns.created.has('mount') && !ns.joined.has('mount')) {
    throw specError('linux.namespaces: ocirt needs a mount namespace to set up root.path');
  }
}

/** The host uid/gid of the container's root, who owns device nodes it makes. */
function rootOwner(c: Config): [number, number] {
  const host = (maps: Array<{ containerID: number; hostID: number }> | undefined) => maps?.find((m) => m.containerID === 0)?.hostID ?? 0;
  return [host(c.linux?.uidMappings), host(c.linux?.gidMappings)];
}

function initSteps(p: PlanInput, ns: NamespaceSet): Step[] {
  const c = p.config;
  const ctx: MountContext = { rootfs: p.rootfs, bundle: p.bundle, cgroup: p.cgroup };
  const steps = rootfsPrepareSteps(p.rootfs);
  (c.mounts ?? []).forEach((m, i) => steps.push(...mountSteps(m, i, ctx)));
  const [uid, gid] = rootOwner(c);
  steps.push(...deviceSteps(p.rootfs, ns.created.has('user'), uid, gid));
  steps.push(...rootfsFinishSteps({ rootfs: p.rootfs, readonly: c.root.readonly === true, propagation: c.linux?.rootfsPropagation, noPivot: p.noPivot }));
  if (c.hostname) steps.push({ op: 'SETHOSTNAME', args: [c.hostname], label: 'hostname' });
  if (c.domainname) steps.push({ op: 'SETDOMAINNAME', args: [c.domainname], label: 'domainname' });
  return steps;
}

export function buildPlan(p: PlanInput): Plan {
  const ns = namespaceSet(p.config.linux);
  checkCombinations(p.config, ns);
  const host: Step[] = p.cgroupProcs.map((f) => ({ op: 'WRITE_FILE', args: [f, '0'], label: `linux.cgroupsPath (${f})` }));
  host.push({ op: 'LISTEN', args: [START_SOCKET], label: 'start socket' });
  return { stages: [[0, host], [1, namespaceSteps(ns, p.config.linux)], [2, initSteps(p, ns)]], namespaces: ns };
}

/** Labels in step order, to name the config field of a failed step. */
export const planLabels = (plan: Plan) => plan.stages.flatMap(([, steps]) => steps.map((s) => s.label));
export const encodePlan = (plan: Plan) => encodeMessage(plan.stages);
