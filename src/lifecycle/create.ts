// runtime.md "Create": make the container's environment from config.json, start an init that
// waits for `start`, and record the state. Every failure undoes what was made ("Errors").
import { existsSync, readlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { cleanupAll, OciError, specError } from '../errors.ts';
import { cgroupDirs, createCgroup, detectLayout, type CgroupLayout, type CgroupRecord, type ContainerCgroup } from '../linux/cgroups.ts';
import { describeStepError, launch, type Launch } from '../linux/executor.ts';
import { hostFacts, resctrlMount } from '../linux/host-facts.ts';
import type { CompiledSeccomp } from '../linux/seccomp-compile.ts';
import { compileSeccompCached } from '../linux/seccomp-cache.ts';
import { applyDeviceRules } from '../linux/cgroup-devices.ts';
import { applyResources, type LinuxResources } from '../linux/cgroup-resources.ts';
import { fromDraft, type DraftResources } from '../linux/resources-draft.ts';
import { setOomScoreAdj } from './oom-score.ts';
import { buildPlan, encodePlan, planLabels, type Plan } from '../plan/build.ts';
import { consoleFor } from '../plan/console.ts';
import { hooksOf, isHookLabel, type Hooks } from '../plan/hooks.ts';
import { runHooks, saveHooks, stateForHooks } from './hooks.ts';
import { writeStartPlan } from './start-plan.ts';
import { mountDestinations, PROCESS_FILE, processMessage, SECCOMP_FILE } from './process-message.ts';
import { fileNameFor } from '../state/file-name.ts';
import { startTime } from '../state/liveness.ts';
import { withLock } from '../state/lock.ts';
import type { StoredState } from '../state/store.ts';
import { loadBundle, type Bundle } from './bundle.ts';
import { writePidFile } from './pid-file.ts';
import type { Runtime } from './runtime.ts';
import { armAutoremove } from './autoremove.ts';
import { sleepSync } from '../wait-sync.ts';
import { killJournaledInit } from './remove.ts';

export interface CreateOptions {
  id: string;
  bundle?: string;
  pidFile?: string;
  noPivot: boolean;
  /** --no-new-keyring: the init keeps the caller's session keyring instead of a new `_ses.<id>`. */
  noNewKeyring: boolean;
  /** --preserve-fds N: fds 3..3+N-1 of the caller are the process's too (runc's flag). */
  preserveFds: number;
  /** --console-socket (absolute): where the pty master goes when process.terminal is true. */
  consoleSocket?: string;
  /** run in the foreground: the executor stays as the init's reaper and exits as it exits. */
  foreground: boolean;
}

export interface Created {
  state: StoredState;
  launch: Launch;
}


/** Each hierarchy as the container's "cgroup" mount shows it, with the container's own directory in it. */
function mountContext(layout: CgroupLayout, dirs: string[]) {
  const v1 = layout.hierarchies.filter((h) => h.version === 1);
  const v2 = layout.hierarchies.find((h) => h.version === 2);
  const own = (mountPoint: string) => dirs.find((d) => d === mountPoint || d.startsWith(mountPoint + '/'));
  return {
    pureV2: layout.kind === 'v2',
    v1: v1.map((h) => ({ name: basename(h.mountPoint), options: h.controllers.some((c) => c.startsWith('name=')) ? `none,${h.controllers.join(',')}` : h.controllers.join(','), dir: own(h.mountPoint) })),
    v2: v2 && layout.kind !== 'v1' ? { name: basename(v2.mountPoint), options: '', dir: own(v2.mountPoint) } : undefined,
  };
}

/** What a hook's state says of the container before it has a state of its own. */
const hookIdentity = (id: string, b: Bundle) => ({ ociVersion: b.config.ociVersion, id, bundle: b.dir, annotations: b.config.annotations ?? {}, edition: b.edition });

function initialState(id: string, b: Bundle, plan: Plan): StoredState {
  return {
    ociVersion: b.config.ociVersion, id, pid: process.pid, pidStartTime: startTime(process.pid), bundle: b.dir,
    rootfs: b.rootfs, created: new Date().toISOString(), owner: '', annotations: b.config.annotations ?? {},
    phase: 'creating', edition: b.edition, autoremove: b.edition === 'draft' && b.config.root.autoremove === true,
    namespaces: [...plan.namespaces.created].map((type) => ({ type })).concat([...plan.namespaces.joined].map(([type, path]) => ({ type, path }))),
  };
}

async function startInit(dir: string, plan: Plan, foreground: boolean, preserveFds: number): Promise<Launch> {
  const l = await launch(foreground ? 'run' : 'create', dir, encodePlan(plan), preserveFds);
  if (l.error) {
    if (l.pid) cleanupAll([() => process.kill(l.pid!, 'SIGKILL')]);
    const labels = planLabels(plan);
    throw new OciError(isHookLabel(labels[l.error.step]) ? 'hook' : 'init-step', describeStepError(l.error, labels));
  }
  if (!l.pid) throw new OciError('internal', 'the executor did not report the init pid');
  return l;
}

/**
 * Tests only (tests/reliability, docs/reliability.md): OCIRT_TEST_PAUSE_AT=<point> makes create write
 * `test-paused` in the state directory and wait there until it is killed or the file is removed, so
 * that a test can SIGKILL it, or race it, at a known moment; OCIRT_TEST_PAUSE_AT_STEP=N is handed to
 * the executor (main.c), which stops before plan step N. Unset, each costs one lookup.
 */
const TEST_PAUSE_POINTS = ['reserved', 'locked', 'state-written', 'cgroup-created', 'launched', 'created'] as const;
function testPause(dir: string, point: (typeof TEST_PAUSE_POINTS)[number]): void {
  if (process.env.OCIRT_TEST_PAUSE_AT !== point) return;
  const marker = join(dir, 'test-paused');
  writeFileSync(marker, `${point}\n`);
  while (existsSync(marker)) sleepSync(5);
}
function testPauseAtStep(dir: string): void {
  const step = process.env.OCIRT_TEST_PAUSE_AT_STEP;
  if (step !== undefined && /^[0-9]+$/.test(step)) writeFileSync(join(dir, 'test-pause-at-step'), step);
}

/** The error to report when the container's own limits killed or starved its init before it was ready. */
function limitCause(cg: ContainerCgroup): OciError | undefined {
  const hits = cg.limitHits();
  if (hits.oomKills > 0) return specError('linux.resources.memory.limit: the OOM killer ended the container init before it was ready: the limit is too low');
  if (hits.pidsRefused > 0) return specError('linux.resources.pids.limit: the container init could not fork within the limit: it is too low');
  return undefined;
}

/**
 * The init sends the notify fd with sendmsg and closes it once the filter is loaded: a filter that
 * sends those calls (or everything) to the agent would wait for an agent that has no fd yet. runc
 * refuses the same shapes (NOTIFY as the default action, or on the call it writes with).
 */
function refuseNotifyDeadlock(s: { defaultAction?: unknown; syscalls?: Array<{ names?: unknown[]; name?: unknown; action?: unknown }> }): void {
  if (s.defaultAction === 'SCMP_ACT_NOTIFY') throw specError('linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action: the init could not hand the agent its fd');
  (s.syscalls ?? []).forEach((r, i) => {
    const names = [...(Array.isArray(r.names) ? r.names : []), r.name];
    const held = names.find((n) => n === 'sendmsg' || n === 'close');
    if (r.action === 'SCMP_ACT_NOTIFY' && held) throw specError(`linux.seccomp.syscalls[${i}]: SCMP_ACT_NOTIFY cannot apply to ${held}: the init needs it to hand the agent its fd`);
  });
}

/** linux.seccomp compiled now, so that a bad profile fails create; its warnings are logged, its notes with --debug. */
function seccompOf(b: Bundle, rt: Runtime): CompiledSeccomp | undefined {
  const s = b.config.linux?.seccomp;
  if (s === undefined || s === null) return undefined;
  refuseNotifyDeadlock(s as Parameters<typeof refuseNotifyDeadlock>[0]);
  const compiled = compileSeccompCached(s, rt.store.root);
  compiled.warnings.forEach(rt.warn);
  compiled.notes.forEach(rt.debug);
  return compiled;
}

/** linux.resources in v1.3.0's shape, whichever edition the bundle is. */
function resourcesOf(b: Bundle): DraftResources {
  const r = b.config.linux?.resources as Record<string, unknown> | undefined;
  if (r === undefined || r === null) return { resources: {} };
  return b.edition === 'draft' ? fromDraft(r) : { resources: r as LinuxResources };
}

export async function create(rt: Runtime, o: CreateOptions): Promise<Created> {
  rt.store.dir(o.id); // validates the id before anything is made
  const b = loadBundle(o.bundle);
  const layout = detectLayout();
  const record = cgroupDirs(layout, b.config.linux?.cgroupsPath, o.id, { root: rt.store.root });
  const cgroupProcs = record.dirs.map((d) => join(d, 'cgroup.procs'));
  const host = hostFacts();
  // mountinfo is read for resctrl only when the config asks for intelRdt.
  const planHost = { selinux: host.lsm.selinux, resctrl: b.config.linux?.intelRdt !== undefined && resctrlMount() !== undefined };
  const terminal = consoleFor(b.config.process, { command: o.foreground ? 'run' : 'create', consoleSocket: o.consoleSocket, detach: !o.foreground });
  const sessionKeyring = o.noNewKeyring ? undefined : `_ses.${fileNameFor(o.id)}`;
  const hooks = hooksOf(b.config, b.edition);
  const creating = stateForHooks(hookIdentity(o.id, b), 'creating');
  const plan = buildPlan({ config: b.config, edition: b.edition, rootfs: b.rootfs, bundle: b.dir, cgroupProcs, cgroup: mountContext(layout, record.dirs), noPivot: o.noPivot, sessionKeyring, console: terminal, hooks: { hooks, state: creating }, host: planHost });
  const seccomp = seccompOf(b, rt);
  // v1.3.0: the process is fixed at create time ("updates to config.json after create MUST NOT affect").
  const destinations = mountDestinations(b.config);
  // Fails early on a bad process. The message is start's (with the seccomp program) and goes into the
  // front end's start plan; with a seccomp agent start builds its own, whose state names the init's pid.
  const seccompLoad = seccomp && { bpf: seccomp.bpf, flags: seccomp.flags, listenerSlot: plan.listenerSlot, state: '' };
  const message = b.config.process && processMessage({ process: b.config.process, edition: b.edition, rootfs: b.rootfs, mountDestinations: destinations, host, seccomp: seccompLoad, warn: rt.warn }).bytes;
  // v1.3.0 config.md "Process": OPTIONAL, "REQUIRED when start is called"; start reports its absence.
  const { resources, oomScoreAdj } = resourcesOf(b);
  const dir = rt.store.reserve(o.id);
  testPause(dir, 'reserved');
  let locked = false;
  try {
    // docs/design.md "State": the lock is held from the reservation until the container is whole, so
    // that delete, kill or start of this id waits for it and finds a container or nothing.
    return await withLock(rt.store, o.id, () => {
      locked = true;
      testPause(dir, 'locked');
      return createLocked(rt, o, { b, layout, record, plan, seccomp, destinations, resources, oomScoreAdj, dir, hooks, message });
    });
  } catch (err) {
    // Only a lock holder removes a state directory: a delete --force took it first and found nothing made.
    if (!locked && err instanceof OciError && err.code === 'not-found') throw new OciError('state', `container "${o.id}" was deleted while it was being created`, err);
    throw err;
  }
}

interface Prepared {
  b: Bundle;
  layout: CgroupLayout;
  record: CgroupRecord;
  plan: Plan;
  seccomp: CompiledSeccomp | undefined;
  destinations: string[];
  resources: LinuxResources;
  oomScoreAdj: number | undefined;
  dir: string;
  hooks: Hooks;
  /** The process message start sends, when config.json has a process. */
  message: Buffer | undefined;
}

/**
 * The directories createCgroup will make: each one missing now, from the leaf up to the first that
 * exists. Journaled before it runs, so that a create killed inside it leaves nothing delete misses.
 */
function cgroupIntent(record: CgroupRecord): CgroupRecord {
  const missing = record.dirs.flatMap((leaf) => {
    const made: string[] = [];
    for (let d = leaf; d !== dirname(d) && !existsSync(d); d = dirname(d)) made.push(d);
    return made;
  });
  return { dirs: record.dirs, created: [...new Set([...record.created, ...missing])] };
}

/**
 * Everything create makes, in order, each journaled before it is made (store.ts Journal): a create
 * killed at any point leaves what `delete --force` needs to undo it (docs/reliability.md).
 */
async function createLocked(rt: Runtime, o: CreateOptions, p: Prepared): Promise<Created> {
  const { b, layout, record, plan, seccomp, resources, dir } = p;
  let cg: ContainerCgroup | undefined;
  let l: Launch | undefined;
  try {
    const state = initialState(o.id, b, plan);
    const listenerMetadata = (b.config.linux?.seccomp as { listenerMetadata?: string } | undefined)?.listenerMetadata;
    // update honours the config's memory.checkBeforeUpdate as runc keeps it with the container, and compares device rules with these.
    const checkBeforeUpdate = resources.memory?.checkBeforeUpdate;
    const devices = { devices: b.config.linux?.devices, resources: { devices: resources.devices } };
    state.extra = { mountDestinations: p.destinations, seccompFlags: seccomp?.flags, listenerSlot: plan.listenerSlot, listenerMetadata, checkBeforeUpdate, devices };
    rt.store.write(state);
    testPause(dir, 'state-written');
    if (seccomp) writeFileSync(join(dir, SECCOMP_FILE), seccomp.bpf, { mode: 0o600 });
    rt.store.journal(o.id, { cgroup: cgroupIntent(record) });
    cg = createCgroup(record);
    rt.store.journal(o.id, { cgroup: cg.record });
    testPause(dir, 'cgroup-created');
    applyDeviceRules(record.dirs, b.config);
    // config-linux.md "Control groups": the limits hold before the init is in the cgroup.
    applyResources(resources, { layout, dirs: record.dirs }).forEach(rt.warn);
    if (b.edition === 'v1' && b.config.process) writeFileSync(join(dir, PROCESS_FILE), JSON.stringify(b.config.process), { mode: 0o600 });
    saveHooks(dir, p.hooks);
    testPauseAtStep(dir);
    // The executor journals the init's pid itself, before the init may outlive this process (main.c).
    l = await startInit(dir, plan, o.foreground, o.preserveFds).catch((err: unknown) => {
      throw limitCause(cg!) ?? err;
    });
    testPause(dir, 'launched');
    setOomScoreAdj(l.pid!, p.oomScoreAdj, 'linux.resources.oomScoreAdj');
    // delete tells the container's leftover processes by the mount namespace it made (remove.ts).
    if (plan.namespaces.created.has('mount')) {
      state.extra.mntNs = readlinkSync(`/proc/${l.pid}/ns/mnt`);
      rt.store.journal(o.id, { mntNs: state.extra.mntNs as string });
    }
    Object.assign(state, { pid: l.pid, pidStartTime: startTime(l.pid!), phase: 'created', cgroup: cg.record });
    rt.store.write(state);
    // The front end's start (start-plan.ts).
    if (p.message) writeStartPlan(dir, { state, message: p.message, oomScoreAdj: b.config.process?.oomScoreAdj as number | undefined, hooks: p.hooks, listener: plan.listenerSlot >= 0 });
    testPause(dir, 'created');
    if (o.pidFile) writePidFile(o.pidFile, l.pid!);
    if (state.autoremove) armAutoremove(rt, state);
    return { state, launch: l };
  } catch (err) {
    const failures = cleanupAll([
      () => l?.pid && process.kill(l.pid, 'SIGKILL'),
      // An init the executor journaled and released before launch failed on this side.
      () => killJournaledInit(rt, o.id),
      () => cg?.signalAll('SIGKILL'),
      () => cg?.remove(),
      () => rt.store.remove(o.id),
    ]);
    // v1.3.0 "Lifecycle" steps 3-5: a failed create hook continues at step 12 (undone, above) and 13.
    if (err instanceof OciError && err.code === 'hook' && b.edition === 'v1') await runHooks(rt, p.hooks, 'poststop', stateForHooks(hookIdentity(o.id, b), 'stopped'), 0, false);
    if (failures.length) throw new OciError((err as OciError).code ?? 'internal', (err as Error).message, [err, ...failures]);
    throw err;
  }
}

