// runc's `exec` (ENGINES.md "exec"): one more process in a created or running container. It joins
// every namespace of the container's init and its cgroup, and gets the same process security as
// `process` (plan/process.ts, with the seccomp program create compiled). In the foreground ocirt
// exits with the process's status, as the executor reaps it; --detach writes the host pid to
// --pid-file and returns 0, and no ocirt process stays the process's parent: the executor that
// forked it exits, and it is reparented to the caller's subreaper (conmon, the containerd shim).
// On failure: one line naming the cause, a non-zero exit, and no pid file.
import { readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupAll, messageOf, OciError, specError, stateError, usageError } from '../errors.ts';
import { describeStepError, launch, type Launch } from '../linux/executor.ts';
import { hostFacts } from '../linux/host-facts.ts';
import { consoleFor } from '../plan/console.ts';
import { encodeExecPlan, EXEC_NAMESPACES, execPlan, processFromFlags, type ExecFlags, type NsName } from '../plan/exec-plan.ts';
import type { Process } from '../spec/config.ts';
import { errorsIn } from '../spec/findings.ts';
import { InvalidConfig, oneLine } from '../spec/report.ts';
import { validateConfig } from '../spec/validate.ts';
import { withLock } from '../state/lock.ts';
import type { StoredState } from '../state/store.ts';
import { readConfig } from './bundle.ts';
import { writePidFile } from './pid-file.ts';
import { checkProgram, PROCESS_FILE, savedSeccomp } from './process-message.ts';
import { statusOf } from './query.ts';
import type { Runtime } from './runtime.ts';

export interface ExecOptions extends ExecFlags {
  id: string;
  /** --process FILE: the whole process, JSON of config.md "Process"; the other process flags are then ignored, as runc does. */
  process?: string;
  consoleSocket?: string;
  detach: boolean;
  pidFile?: string;
  /** --preserve-fds N: this process's fds 3..3+N-1 are the exec'd process's too. */
  preserveFds: number;
}

/** Signals the foreground exec passes on to the executor, which passes them to the process (stage.c reap). */
const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'] as const;

/** runc refuses exec only into a stopped or paused container: a created one's init has its namespaces. */
function checkStatus(s: StoredState): void {
  const status = statusOf(s);
  if (status === 'paused') throw stateError('cannot exec in a paused container');
  if (status === 'stopped') throw stateError('cannot exec in a stopped container');
  if (status !== 'created' && status !== 'running') throw stateError(`cannot exec in a container that is ${status}`);
}

/**
 * The process the inline flags start from, as runc reads it: v1.3.0, the one create saved (what
 * start ran: "updates to config.json after create MUST NOT affect" it); the draft, config.json's as
 * it is now, which is what start sent the init.
 */
function baseProcess(rt: Runtime, s: StoredState): Process | undefined {
  const saved = join(rt.store.dir(s.id), PROCESS_FILE);
  if (s.edition === 'v1') {
    try {
      return JSON.parse(readFileSync(saved, 'utf8')) as Process;
    } catch {
      return undefined; // config.json had no process at create
    }
  }
  return readConfig(s.bundle).process;
}

/** --process FILE, read as JSON. */
function readProcessFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw usageError(`--process ${file}: cannot read it: ${(err as NodeJS.ErrnoException).code ?? messageOf(err)}`, err);
  }
  let p: unknown;
  try {
    p = JSON.parse(text);
  } catch (err) {
    throw specError(`--process ${file}: not valid JSON: ${messageOf(err)}`, err);
  }
  if (typeof p !== 'object' || p === null || Array.isArray(p)) throw specError(`--process ${file}: must be a JSON object (config.md "Process")`);
  return p;
}

/**
 * The process checked as create checks config.json's (the edition's schema and the semantic checks),
 * only its own findings: "process.user.uid: …". `where` prefixes the message ("--process FILE: ").
 */
function checkProcess(rt: Runtime, p: unknown, s: StoredState, where: string): Process {
  const { findings } = validateConfig({ ociVersion: s.ociVersion, root: { path: s.rootfs }, process: p }, s.bundle, 'create');
  const own = findings.filter((f) => f.pointer === '/process' || f.pointer.startsWith('/process/'));
  const errors = errorsIn(own);
  if (errors.length > 0) throw specError(`${where}${oneLine(errors[0]!)}`, new InvalidConfig(own));
  own.filter((f) => f.severity === 'warning').forEach((f) => rt.warn(`${where}${oneLine(f)}`));
  return p as Process;
}

/** The init's namespaces that are not this runtime's own (the executor is spawned in ours). */
function namespacesToJoin(pid: number): Set<NsName> {
  const join = new Set<NsName>();
  for (const type of EXEC_NAMESPACES) {
    let ours: string;
    try {
      ours = readlinkSync(`/proc/self/ns/${type}`);
    } catch {
      continue; // a namespace type this kernel does not have
    }
    let theirs: string;
    try {
      theirs = readlinkSync(`/proc/${pid}/ns/${type}`);
    } catch (err) {
      throw stateError(`cannot exec: the container's init (pid ${pid}) is gone`, err);
    }
    if (theirs !== ours) join.add(type);
  }
  return join;
}

/**
 * Tests only (exec.test.ts, as create's): OCIRT_TEST_PAUSE_AT_STEP=N makes the executor stop before
 * plan step N, writing `test-paused` in the state directory, until it is killed. exec.c removes the
 * file once read. Unset, it costs one lookup.
 */
function testPauseAtStep(dir: string): void {
  const step = process.env.OCIRT_TEST_PAUSE_AT_STEP;
  if (step !== undefined && /^[0-9]+$/.test(step)) writeFileSync(join(dir, 'test-pause-at-step'), step);
}

/** Under the container's lock, so that no delete, pause or second plan file comes between the check and the exec. */
async function launchLocked(rt: Runtime, o: ExecOptions): Promise<Launch> {
  return withLock(rt.store, o.id, async () => {
    const s = rt.store.read(o.id);
    checkStatus(s);
    const dir = rt.store.dir(o.id);
    const p = o.process !== undefined
      ? checkProcess(rt, readProcessFile(o.process), s, `--process ${o.process}: `)
      : checkProcess(rt, processFromFlags(baseProcess(rt, s), o, s.edition), s, '');
    const terminal = consoleFor(p, { command: 'exec', consoleSocket: o.consoleSocket, detach: o.detach });
    // The seccomp agent (linux.seccomp.listenerPath) is not reached from exec: its notify fd is closed, so SCMP_ACT_NOTIFY calls fail with ENOSYS.
    const seccomp = savedSeccomp(dir, s.extra?.seccompFlags as number | undefined, -1, () => '');
    const plan = execPlan({
      initPid: s.pid, join: namespacesToJoin(s.pid), cgroupProcs: (s.cgroup?.dirs ?? []).map((d) => join(d, 'cgroup.procs')),
      process: p, edition: s.edition, host: hostFacts(), seccomp, console: terminal, warn: rt.warn,
    });
    // args[0] as the process will find it: in the init's root, mounts and all.
    checkProgram(p, `/proc/${s.pid}/root`, []);
    testPauseAtStep(dir);
    const l = await launch(o.detach ? 'exec-detach' : 'exec', dir, encodeExecPlan(plan), o.preserveFds);
    if (l.error) {
      await l.exited; // the executor reaps the child that failed, then exits
      throw new OciError('init-step', describeStepError(l.error, plan.labels));
    }
    if (!l.pid) throw new OciError('internal', 'the executor did not report the process pid');
    return l;
  });
}

export async function exec(rt: Runtime, o: ExecOptions): Promise<number> {
  rt.store.dir(o.id); // validates the id
  // In the foreground, signals go on to the process, as runc forwards them; one that comes before it
  // exists is held until it does (the process can have printed before launch returns here).
  let l: Launch | undefined;
  const pending: NodeJS.Signals[] = [];
  const forward = (sig: NodeJS.Signals) => (l ? l.kill(sig) : pending.push(sig));
  if (!o.detach) for (const sig of FORWARDED) process.on(sig, forward);
  try {
    l = await launchLocked(rt, o);
    pending.splice(0).forEach((sig) => l!.kill(sig));
    await handOver(l, o);
    return o.detach ? 0 : await l.exited;
  } finally {
    for (const sig of FORWARDED) process.off(sig, forward);
  }
}

/** --pid-file, once the process runs; in detach mode, the executor's exit after it. */
async function handOver(l: Launch, o: ExecOptions): Promise<void> {
  try {
    if (o.pidFile) writePidFile(o.pidFile, l.pid!);
  } catch (err) {
    // runc terminates a process whose pid it could not hand over.
    const failures = cleanupAll([() => process.kill(l.pid!, 'SIGKILL')]);
    await l.exited;
    throw failures.length ? new OciError('syscall', messageOf(err), [err, ...failures]) : err;
  }
  // The executor exits once the process has exec'd; waiting for it means that when ocirt returns,
  // nothing of ocirt is the process's parent any more.
  if (o.detach) await l.exited;
}
