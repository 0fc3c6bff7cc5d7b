// src/plan/console.ts and its place in the plan (build.ts): where the pty master goes for each
// command line, as runc decides it, and the steps: the console socket connected in the host
// (stage 0), the pty opened after pivot_root and the devices, before hostname and read-only paths.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPlan, type PlanInput } from '../../src/plan/build.ts';
import { consoleFor, consoleSteps } from '../../src/plan/console.ts';
import { Slots } from '../../src/plan/slots.ts';
import type { Config, Process } from '../../src/spec/config.ts';

const tty: Process = { terminal: true, args: ['sh'], cwd: '/', user: { uid: 0, gid: 0 }, consoleSize: { height: 24, width: 80 } };
const plain: Process = { ...tty, terminal: false };

describe('consoleFor: where the master goes', () => {
  it('a detached command sends it to --console-socket', () => {
    expect(consoleFor(tty, { command: 'create', consoleSocket: '/run/s.sock', detach: true })).toEqual({ socket: '/run/s.sock' });
  });
  it('the foreground relays it itself, unless a socket is given', () => {
    expect(consoleFor(tty, { command: 'run', detach: false })).toBe('relay');
    expect(consoleFor(tty, { command: 'run', consoleSocket: '/s', detach: false })).toEqual({ socket: '/s' });
  });
  it('a detached terminal with nowhere to go is an error naming the field', () => {
    expect(() => consoleFor(tty, { command: 'create', detach: true })).toThrow('process.terminal: create detaches, so it needs --console-socket to hand the terminal to');
  });
  it('no terminal: nothing, and a console socket is an error', () => {
    expect(consoleFor(plain, { command: 'run', detach: false })).toBeUndefined();
    expect(consoleFor(undefined, { command: 'create', detach: true })).toBeUndefined();
    expect(() => consoleFor(plain, { command: 'create', consoleSocket: '/s', detach: true })).toThrow('create: --console-socket: process.terminal is not true');
  });
});

describe('consoleSteps', () => {
  it('a socket is connected in the host; the pty takes consoleSize and binds /dev/console for an init', () => {
    expect(consoleSteps({ socket: '/s' }, tty, new Slots(), true)).toEqual({
      host: [{ op: 'CONSOLE_CONNECT', args: [0, '/s'], label: '--console-socket (/s)' }],
      pty: [{ op: 'PTY_OPEN', args: [0, 24, 80, 1], label: 'process.terminal' }],
    });
  });
  it('relay makes a socketpair; no consoleSize leaves the size alone; exec does not bind /dev/console', () => {
    const steps = consoleSteps('relay', { ...tty, consoleSize: undefined }, new Slots(), false);
    expect(steps.host).toEqual([{ op: 'CONSOLE_PAIR', args: [0], label: 'process.terminal' }]);
    expect(steps.pty[0]!.args).toEqual([0, 0, 0, 0]);
  });
  it('no console, no steps', () => {
    expect(consoleSteps(undefined, tty, new Slots(), true)).toEqual({ host: [], pty: [] });
  });
});

describe('in the plan', () => {
  const bundle = mkdtempSync(join(tmpdir(), 'ocirt-console-'));
  mkdirSync(join(bundle, 'rootfs'));
  const config: Config = { ociVersion: '1.3.0', root: { path: 'rootfs', readonly: true }, process: tty, hostname: 'h', linux: { namespaces: [{ type: 'mount' }, { type: 'uts' }], readonlyPaths: ['/proc/sys'] } };
  const input: PlanInput = { config, edition: 'v1', rootfs: join(bundle, 'rootfs'), bundle, cgroupProcs: [], cgroup: { v1: [], pureV2: true }, noPivot: false, console: { socket: '/s' }, host: { selinux: false, resctrl: false } };
  const ops = (stage: number) => buildPlan(input).stages.find(([n]) => n === stage)![1].map((s) => s.op);

  it('stage 0 connects the socket', () => {
    expect(ops(0)).toContain('CONSOLE_CONNECT');
  });
  it('stage 2 opens the pty after pivot_root and the /dev symlinks, before hostname, read-only paths and root.readonly', () => {
    const init = ops(2);
    const at = init.indexOf('PTY_OPEN');
    expect(at).toBeGreaterThan(init.indexOf('PIVOT_ROOT'));
    expect(at).toBeGreaterThan(init.lastIndexOf('SYMLINK'));
    expect(at).toBeLessThan(init.indexOf('SETHOSTNAME'));
    expect(at).toBeLessThan(init.indexOf('READONLY_PATH'));
  });
  it('no console, no terminal steps', () => {
    const none = buildPlan({ ...input, console: undefined }).stages.flatMap(([, s]) => s.map((x) => x.op));
    expect(none.filter((o) => o.startsWith('CONSOLE') || o === 'PTY_OPEN')).toEqual([]);
  });
});
