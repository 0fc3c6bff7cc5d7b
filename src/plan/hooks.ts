// config.md "POSIX-platform Hooks" (v1.3.0) and "Hooks" (the draft): each hook is a HOOK step
// (native/executor/hook.c) run by the stage the spec names. Where each kind runs, and the state it
// reads on stdin, are in this table; the lifecycle decides when (runtime.md "Lifecycle"):
//
//   prestart, createRuntime  stage 5 of create's plan: stage 0, in the runtime namespace, while the
//                            init waits at HOOK_SYNC after its mounts (status "creating", host pid)
//   createContainer          stage 2, the init before pivot_root: the container's namespaces, the
//                            host's paths (status "creating", the pid the container sees)
//   startContainer           the process message, just before EXEC: in the container, with the
//                            process's credentials and filter, as runc runs it (status "created")
//   poststart, poststop      `ocirt-executor hooks`, one hook a plan, in the runtime namespace
//                            ("running", "stopped"; the host pid)
import { specError } from '../errors.ts';
import { HOOKS } from '../spec/checks/hooks.ts';
import type { Edition } from '../spec/edition.ts';
import type { Step } from './wire.ts';

export interface Hook {
  path: string;
  args?: string[];
  env?: string[];
  timeout?: number;
}

export type HookKind = 'prestart' | 'createRuntime' | 'createContainer' | 'startContainer' | 'poststart' | 'poststop';
export type Hooks = Partial<Record<HookKind, Hook[]>>;

/** The state JSON around its pid, which the stage running the hook fills in as its namespace sees it. */
export interface HookState {
  head: string;
  tail: string;
}

/** pid of the HOOK step: the init's host pid (stage 0 knows it), or the running stage's own. */
export const PID_OF_INIT = 0;
export const PID_OF_SELF = -1;

const PID_MARK = '\u0000pid\u0000';

/** `state` with its pid cut out; pid comes before any string a user wrote (id has no NUL), so the first mark is it. */
export function hookState(state: Record<string, unknown>): HookState {
  const json = JSON.stringify({ ...state, pid: PID_MARK });
  const mark = JSON.stringify(PID_MARK);
  const at = json.indexOf(mark);
  return { head: json.slice(0, at), tail: json.slice(at + mark.length) };
}

function strings(v: unknown, at: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) throw specError(`${at}: must be an array of strings`);
  const bad = (v as string[]).findIndex((s) => s.includes('\u0000'));
  if (bad >= 0) throw specError(`${at}[${bad}]: a NUL byte cannot be passed to a program`);
  return v as string[];
}

const blob = (list: string[]) => Buffer.from(list.map((s) => `${s}\u0000`).join(''));

/** The HOOK step of hooks.<kind>[i]; argv is `args`, or the path alone when there are none (Go's exec.Cmd). */
export function hookStep(h: Hook, kind: HookKind, i: number, state: HookState, pid: number): Step {
  const at = `hooks.${kind}[${i}]`;
  if (typeof h?.path !== 'string' || !h.path.startsWith('/')) throw specError(`${at}.path: must be an absolute path`);
  if (h.timeout !== undefined && !(Number.isInteger(h.timeout) && h.timeout > 0)) throw specError(`${at}.timeout: must be an integer greater than zero`);
  const args = strings(h.args, `${at}.args`);
  const env = strings(h.env, `${at}.env`);
  return { op: 'HOOK', args: [h.path, blob(args.length ? args : [h.path]), blob(env), h.timeout ?? 0, state.head, pid, state.tail], label: `${at} (${h.path})` };
}

export function hookSteps(hooks: Hooks | undefined, kind: HookKind, state: HookState, pid: number): Step[] {
  return (hooks?.[kind] ?? []).map((h, i) => hookStep(h, kind, i, state, pid));
}

/**
 * config.json's hooks, of the kinds the edition has (the draft: prestart, poststart, poststop; any
 * other is an unknown property, ignored), each checked now so that a bad one fails create.
 */
export function hooksOf(c: object, edition: Edition): Hooks {
  const h = (c as { hooks?: unknown }).hooks;
  if (h === null || typeof h !== 'object' || Array.isArray(h)) return {};
  const out: Hooks = {};
  for (const kind of Object.keys(HOOKS[edition]) as HookKind[]) {
    const list = (h as Record<string, unknown>)[kind];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) throw specError(`hooks.${kind}: must be an array of hooks`);
    list.forEach((hook, i) => hookStep(hook as Hook, kind, i, { head: '', tail: '' }, 0));
    out[kind] = list as Hook[];
  }
  return out;
}

/** Whether a step's label names a hook (a failed create then owes the poststop hooks). */
export const isHookLabel = (label: string | undefined) => label?.startsWith('hooks.') === true;
