// runtime.md "Start": run the user-specified process in the container's PID namespace.
// draft: `process` as config.json has it now, every other field ignored; v1.3.0: as it was at create.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OciError, specError, stateError } from '../errors.ts';
import { describeStepError } from '../linux/executor.ts';
import { hostFacts } from '../linux/host-facts.ts';
import { semantics } from '../spec/edition.ts';
import { withLock } from '../state/lock.ts';
import type { StoredState } from '../state/store.ts';
import { readConfig } from './bundle.ts';
import { PROCESS_FILE, processMessage, savedSeccomp } from './process-message.ts';
import { setOomScoreAdj } from './oom-score.ts';
import { stateJson, statusOf } from './query.ts';
import type { Runtime } from './runtime.ts';
import { sendProcess } from './start-socket.ts';
import type { Process } from '../spec/config.ts';
import { hookSteps, isHookLabel, PID_OF_SELF } from '../plan/hooks.ts';
import { runHooks, savedHooks, stateForHooks } from './hooks.ts';
import { destroyContainer } from './destroy.ts';
import { stopLocked } from './stop.ts';
import { takeFrontEndReply } from './start-plan.ts';

/** v1.3.0: the process create saved; none when config.json had none at create. */
function savedProcess(rt: Runtime, s: StoredState): Process | undefined {
  const file = join(rt.store.dir(s.id), PROCESS_FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Process) : undefined;
}

/** config-linux.md "The Container Process State": what the seccomp agent receives with the fd. */
function listenerState(s: StoredState): string {
  const metadata = s.extra?.listenerMetadata as string | undefined;
  return JSON.stringify({ ociVersion: s.ociVersion, fds: ['seccompFd'], pid: s.pid, ...(metadata ? { metadata } : {}), state: stateJson(s) });
}

/** The process message start sends, its labels, and the process. */
function processAtStart(rt: Runtime, s: StoredState) {
  const p = semantics.startReadsProcessAtStart(s.edition) ? readConfig(s.bundle).process : savedProcess(rt, s);
  // v1.3.0 "Start": "This operation MUST generate an error if `process` was not set."
  if (!p) throw specError('process: not set in config.json, and start needs it');
  const seccomp = savedSeccomp(rt.store.dir(s.id), s.extra?.seccompFlags as number | undefined, (s.extra?.listenerSlot as number | undefined) ?? -1, () => listenerState(s));
  const mountDestinations = (s.extra?.mountDestinations as string[] | undefined) ?? [];
  // v1.3.0 create already warned about this process; the draft's is read anew.
  const warn = semantics.startReadsProcessAtStart(s.edition) ? rt.warn : () => {};
  // config.md "StartContainer Hooks": in the container, right before the user's process is exec'd, as it sees its pid.
  const beforeExec = hookSteps(savedHooks(rt.store.dir(s.id)), 'startContainer', stateForHooks(s, 'created'), PID_OF_SELF);
  return { process: p, ...processMessage({ process: p, edition: s.edition, rootfs: s.rootfs, mountDestinations, host: hostFacts(), seccomp, beforeExec, warn }) };
}

/**
 * v1.3.0 "Lifecycle" steps 7 and 9: a failed startContainer or poststart hook stops the container
 * and continues at step 12 (the container is destroyed) and 13 (the poststop hooks), then the error.
 */
async function hookFailed(rt: Runtime, s: StoredState, message: string): Promise<never> {
  await stopLocked(s);
  await destroyContainer(rt, s);
  throw new OciError('hook', message);
}

export async function start(rt: Runtime, id: string): Promise<void> {
  await withLock(rt.store, id, async () => {
    const s = rt.store.read(id);
    // The front end sent create's message and the init answered with an error: reported from here on.
    const sentByFrontEnd = takeFrontEndReply(rt.store.dir(id));
    const status = statusOf(s);
    // "Attempting to start an already started container MUST have no effect on the container and MUST generate an error."
    if (!sentByFrontEnd && status !== 'created') throw stateError(`cannot start a container that is ${status}`);
    const { process: p, bytes, labels } = processAtStart(rt, s);
    if (!sentByFrontEnd) setOomScoreAdj(s.pid, p.oomScoreAdj as number | undefined, 'process.oomScoreAdj');
    const hooks = savedHooks(rt.store.dir(id));
    const failed = sentByFrontEnd ?? (await sendProcess(rt.store.dir(id), bytes));
    s.phase = 'started';
    rt.store.write(s);
    if (failed && isHookLabel(labels[failed.step])) await hookFailed(rt, s, describeStepError(failed, labels));
    if (failed) throw new OciError('init-step', describeStepError(failed, labels));
    // config.md "Poststart": before start returns. v1.3.0: a failure is an error (step 9); the draft: logged.
    const strict = s.edition === 'v1';
    await runHooks(rt, hooks, 'poststart', stateForHooks(s, 'running'), s.pid, strict).catch((err: unknown) => hookFailed(rt, s, (err as Error).message));
  });
}
