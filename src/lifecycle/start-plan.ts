// What the C front end (native/frontend) needs to carry out `start` without starting Bun, written
// by create; and the init's reply when the front end sent the message and a step failed, which it
// leaves for this program to report. Policy stays here: the message is the one start would build,
// the state after it is this program's, and the front end uses them only while state.json is still
// byte for byte the one they were made from (any other write, or a config that needs more than a
// message — hooks around it, a seccomp agent, the draft's process read at start — and it asks the core).
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeFrames } from '../plan/wire.ts';
import type { StepError } from '../linux/executor.ts';
import type { Hooks } from '../plan/hooks.ts';
import type { StoredState } from '../state/store.ts';
import { stateAnswers } from './query.ts';

export const START_PLAN_FILE = 'start.plan';
export const START_REPLY_FILE = 'start.reply';

/** A block: "NAME LEN\n", LEN bytes, "\n". */
const block = (name: string, data: Buffer | string) => Buffer.concat([Buffer.from(`${name} ${Buffer.byteLength(data)}\n`), Buffer.from(data), Buffer.from('\n')]);

export interface StartPlanInput {
  state: StoredState; // as state.json now holds it, phase 'created'
  message: Buffer; // the process message, unprefixed
  oomScoreAdj: number | undefined;
  hooks: Hooks;
  listener: boolean;
}

/** Writes start.plan, or nothing for a start the front end must leave to this program. */
export function writeStartPlan(dir: string, i: StartPlanInput): void {
  const s = i.state;
  if (s.edition !== 'v1' || i.listener || i.hooks.startContainer?.length || i.hooks.poststart?.length) return;
  const started: StoredState = { ...s, phase: 'started' };
  const text = Buffer.concat([
    Buffer.from('ocirt-start 1\n'),
    block('oom', i.oomScoreAdj === undefined ? '-' : String(i.oomScoreAdj)),
    block('expect', JSON.stringify(s)),
    block('message', i.message),
    block('state', JSON.stringify(started)),
    block('answers', stateAnswers(started, dir) ?? ''),
  ]);
  const tmp = join(dir, `.${START_PLAN_FILE}.${process.pid}`);
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, join(dir, START_PLAN_FILE));
}

/** The init's reply to a message the front end sent (its ERROR frame), taken once; undefined if none. */
export function takeFrontEndReply(dir: string): StepError | undefined {
  const file = join(dir, START_REPLY_FILE);
  if (!existsSync(file)) return undefined;
  const reply = readFileSync(file);
  rmSync(file, { force: true });
  const error = decodeFrames(reply).frames.find((f) => f.type === 'error');
  return error?.type === 'error' ? error : { type: 'error', step: -1, errno: 0, context: 'the init answered the process message with no error frame', text: '' };
}
