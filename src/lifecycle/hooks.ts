// runtime.md "Lifecycle" steps 3-13 (v1.3.0) and the draft's config.md "Hooks": the hooks an
// operation runs outside create's plan (poststart, poststop), the state each reads, and what a
// failure does. create's and start's own hooks are steps of their plans (plan/hooks.ts).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OciError } from '../errors.ts';
import { describeStepError, runHookPlan } from '../linux/executor.ts';
import { hookState, hookStep, type HookKind, type Hooks, type HookState } from '../plan/hooks.ts';
import { encodeMessage } from '../plan/wire.ts';
import type { Edition } from '../spec/edition.ts';
import type { Runtime } from './runtime.ts';
import { HOOKS_FILE } from '../state/store.ts';

/** config.json's hooks as create saw them (HOOKS_FILE): later changes to config.json do not reach the container. */
export function saveHooks(stateDir: string, hooks: Hooks): void {
  if (Object.keys(hooks).length > 0) writeFileSync(join(stateDir, HOOKS_FILE), JSON.stringify(hooks), { mode: 0o600 });
}

export function savedHooks(stateDir: string): Hooks {
  const file = join(stateDir, HOOKS_FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Hooks) : {};
}

type Status = 'creating' | 'created' | 'running' | 'stopped';

/** runtime.md "State" as a hook reads it, pid cut out: v1.3.0's fields, and the draft's bundlePath. */
export function stateForHooks(s: { ociVersion: string; id: string; bundle: string; annotations: Record<string, string>; edition: Edition }, status: Status): HookState {
  const draft = s.edition === 'draft' ? { bundlePath: s.bundle } : {};
  return hookState({ ociVersion: s.ociVersion, id: s.id, status, pid: 0, bundle: s.bundle, ...draft, annotations: s.annotations });
}

/**
 * Runs hooks.<kind> one by one in the runtime namespace, the state's pid being `pid`. `strict`: the
 * first failure is thrown (v1.3.0 poststart); otherwise each is a warning and the next still runs
 * (poststop; the draft's poststart).
 */
export async function runHooks(rt: Runtime, hooks: Hooks, kind: HookKind, state: HookState, pid: number, strict: boolean): Promise<void> {
  for (const [i, h] of (hooks[kind] ?? []).entries()) {
    const step = hookStep(h, kind, i, state, pid);
    const failed = await runHookPlan(encodeMessage([[5, [step]]]));
    if (!failed) continue;
    const message = describeStepError(failed, [step.label]);
    if (strict) throw new OciError('hook', message);
    rt.warn(message);
  }
}
