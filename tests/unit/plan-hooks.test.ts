// src/plan/hooks.ts and the hooks' place in create's plan (build.ts): the HOOK step's arguments, the
// state with its pid cut out, the checks that fail create early, and which stage runs which kind.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPlan, type PlanInput } from '../../src/plan/build.ts';
import { hookState, hookStep, hooksOf, PID_OF_INIT, type Hooks } from '../../src/plan/hooks.ts';
import type { Config } from '../../src/spec/config.ts';

const state = hookState({ ociVersion: '1.3.0', id: 'c1', status: 'creating', pid: 0, bundle: '/b', annotations: { a: '\u0000pid\u0000' } });

describe('hookState', () => {
  it('cuts the state at its pid, whatever an annotation holds', () => {
    expect(`${state.head}4242${state.tail}`).toBe(JSON.stringify({ ociVersion: '1.3.0', id: 'c1', status: 'creating', pid: 4242, bundle: '/b', annotations: { a: '\u0000pid\u0000' } }));
  });
});

describe('hookStep', () => {
  it('path, argv and env as NUL-terminated strings, timeout, the state around the pid', () => {
    const s = hookStep({ path: '/bin/h', args: ['h', 'x'], env: ['A=1'], timeout: 5 }, 'prestart', 0, state, PID_OF_INIT);
    expect(s).toEqual({ op: 'HOOK', args: ['/bin/h', Buffer.from('h\0x\0'), Buffer.from('A=1\0'), 5, state.head, 0, state.tail], label: 'hooks.prestart[0] (/bin/h)' });
  });
  it('no args: argv is the path alone; no env: none; no timeout: 0', () => {
    expect(hookStep({ path: '/bin/h' }, 'poststop', 2, state, 7).args.slice(1, 4)).toEqual([Buffer.from('/bin/h\0'), Buffer.from(''), 0]);
  });
  it('refuses what config.md forbids, naming the field', () => {
    expect(() => hookStep({ path: 'bin/h' }, 'prestart', 1, state, 0)).toThrow('hooks.prestart[1].path: must be an absolute path');
    expect(() => hookStep({ path: '/h', timeout: 0 }, 'poststart', 0, state, 0)).toThrow('hooks.poststart[0].timeout: must be an integer greater than zero');
    expect(() => hookStep({ path: '/h', args: ['a\u0000b'] }, 'poststart', 0, state, 0)).toThrow('hooks.poststart[0].args[0]: a NUL byte cannot be passed to a program');
  });
});

describe('hooksOf', () => {
  it("keeps the edition's kinds: the draft has prestart, poststart and poststop only", () => {
    const c = { hooks: { prestart: [{ path: '/a' }], createRuntime: [{ path: '/b' }], poststop: [{ path: '/c' }] } };
    expect(Object.keys(hooksOf(c, 'v1'))).toEqual(['prestart', 'createRuntime', 'poststop']);
    expect(Object.keys(hooksOf(c, 'draft'))).toEqual(['prestart', 'poststop']);
  });
  it('checks every hook at create, poststop included', () => {
    expect(() => hooksOf({ hooks: { poststop: [{ path: 'x' }] } }, 'v1')).toThrow('hooks.poststop[0].path');
  });
});

describe('in the plan', () => {
  const bundle = mkdtempSync(join(tmpdir(), 'ocirt-hooks-'));
  mkdirSync(join(bundle, 'rootfs'));
  const hooks: Hooks = { prestart: [{ path: '/p' }], createRuntime: [{ path: '/r' }], createContainer: [{ path: '/c' }] };
  const config: Config = { ociVersion: '1.3.0', root: { path: 'rootfs' }, linux: { namespaces: [{ type: 'mount' }] } };
  const input = (h: Hooks, edition: 'v1' | 'draft' = 'v1'): PlanInput => ({ config, edition, rootfs: join(bundle, 'rootfs'), bundle, cgroupProcs: [], cgroup: { v1: [], pureV2: true }, noPivot: false, hooks: { hooks: h, state }, host: { selinux: false, resctrl: false } });
  const stage = (p: PlanInput, n: number) => buildPlan(p).stages.find(([s]) => s === n)![1];

  it('stage 5 (stage 0 in the runtime namespace) runs prestart, then createRuntime, with the init\'s host pid', () => {
    expect(stage(input(hooks), 5).map((s) => [s.args[0], s.args[5]])).toEqual([['/p', 0], ['/r', 0]]);
  });
  it('the init waits at HOOK_SYNC, then runs createContainer as it sees its pid, before pivot_root', () => {
    const ops = stage(input(hooks), 2).map((s) => (s.op === 'HOOK' ? `HOOK ${s.args[0]} ${s.args[5]}` : s.op));
    expect(ops.indexOf('HOOK_SYNC')).toBeLessThan(ops.indexOf('HOOK /c -1'));
    expect(ops.indexOf('HOOK /c -1')).toBeLessThan(ops.indexOf('PIVOT_ROOT'));
  });
  it('no runtime-namespace hook, no sync point', () => {
    expect(stage(input({ createContainer: [{ path: '/c' }] }), 2).map((s) => s.op)).not.toContain('HOOK_SYNC');
    expect(stage(input({}), 5)).toEqual([]);
  });
  it('the draft runs its prestart at the same point; it has no createContainer', () => {
    expect(stage(input(hooks, 'draft'), 5).map((s) => s.args[0])).toEqual(['/p']);
    expect(stage(input(hooks, 'draft'), 2).filter((s) => s.op === 'HOOK')).toEqual([]);
  });
});
