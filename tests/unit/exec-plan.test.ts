// src/plan/exec-plan.ts: the plan `ocirt exec` hands the executor (stages drawn at its top), and the
// process runc builds from exec's flags over the container's own.
import { describe, expect, it } from 'vitest';
import { CAPABILITY_NAMES } from '../../src/plan/capabilities.ts';
import { EXEC_NAMESPACES, execPlan, processFromFlags, type ExecFlags, type ExecPlanInput, type NsName } from '../../src/plan/exec-plan.ts';
import { processSteps, type Host, type SeccompLoad } from '../../src/plan/process.ts';
import { Linux } from '../../src/plan/protocol.ts';
import { encodeMessage, type Step } from '../../src/plan/wire.ts';
import type { Process } from '../../src/spec/config.ts';

const ALL = (1n << BigInt(CAPABILITY_NAMES.length)) - 1n;
const host: Host = { caps: { lastCap: CAPABILITY_NAMES.length - 1, grantable: ALL }, limits: { hard: () => undefined, canRaise: true }, lsm: { apparmor: false, selinux: false } };
const proc = (extra: Partial<Process> = {}): Process => ({ user: { uid: 1000, gid: 100 }, args: ['/bin/sh', '-c', 'true'], cwd: '/work', env: ['PATH=/bin'], ...extra });
const seccomp: SeccompLoad = { bpf: Uint8Array.of(6, 0, 0, 0, 0, 0, 0xff, 0x7f), flags: 0, listenerSlot: -1, state: '' };
const every = new Set<NsName>(EXEC_NAMESPACES);
const CGROUP = ['/sys/fs/cgroup/pids/ocirt/k/c/cgroup.procs', '/sys/fs/cgroup/unified/ocirt/k/c/cgroup.procs'];

function plan(o: Partial<ExecPlanInput> = {}) {
  return execPlan({ initPid: 42, join: every, cgroupProcs: CGROUP, process: proc(), edition: 'v1', host, warn: () => {}, ...o });
}
const stage = (p: ReturnType<typeof plan>, n: number): Step[] => p.stages.find(([s]) => s === n)![1];
const opArgs = (steps: Step[]) => steps.map((s) => [s.op, ...s.args]);

describe('exec plan: stages 0 (the executor), 1 (the child joins), 3 (the process)', () => {
  it('stage 0 joins the init\'s PID namespace only (its children enter it); stage 1 the cgroup, then user first and mount last', () => {
    const p = plan();
    expect(p.stages.map(([s]) => s)).toEqual([0, 1, 3]);
    expect(opArgs(stage(p, 0))).toEqual([['SETNS', '/proc/42/ns/pid', Linux.CLONE_NEWPID]]);
    expect(opArgs(stage(p, 1))).toEqual([
      ['WRITE_FILE', CGROUP[0], '0'],
      ['WRITE_FILE', CGROUP[1], '0'],
      ['SETNS', '/proc/42/ns/user', Linux.CLONE_NEWUSER],
      ['SETNS', '/proc/42/ns/ipc', Linux.CLONE_NEWIPC],
      ['SETNS', '/proc/42/ns/uts', Linux.CLONE_NEWUTS],
      ['SETNS', '/proc/42/ns/net', Linux.CLONE_NEWNET],
      ['SETNS', '/proc/42/ns/cgroup', Linux.CLONE_NEWCGROUP],
      ['SETNS', '/proc/42/ns/time', Linux.CLONE_NEWTIME],
      ['SETNS', '/proc/42/ns/mnt', Linux.CLONE_NEWNS],
    ]);
  });

  it('stage 3 is the process steps start would send an init, seccomp program included', () => {
    const p = plan({ seccomp });
    expect(stage(p, 3)).toEqual(processSteps({ process: proc(), edition: 'v1', host, seccomp, warn: () => {} }));
    expect(stage(p, 3).at(-1)).toMatchObject({ op: 'EXEC', args: ['/bin/sh', '-c', 'true'] });
    expect(stage(p, 3).map((s) => s.op)).toContain('SECCOMP_LOAD');
  });

  it('only the namespaces that differ from the runtime\'s are joined: none of user, pid or time when they are the host\'s', () => {
    const p = plan({ join: new Set<NsName>(['mnt', 'uts', 'net', 'ipc', 'cgroup']) });
    expect(stage(p, 0)).toEqual([]);
    expect(stage(p, 1).filter((s) => s.op === 'SETNS').map((s) => s.args[0])).toEqual(['/proc/42/ns/ipc', '/proc/42/ns/uts', '/proc/42/ns/net', '/proc/42/ns/cgroup', '/proc/42/ns/mnt']);
  });

  it('refuses a container that shares the runtime\'s mount namespace: the process would see the host\'s files', () => {
    expect(() => plan({ join: new Set<NsName>(['pid', 'net']) })).toThrow("exec: the container's init shares this runtime's mount namespace");
  });

  it('process.oomScoreAdj is written for the child before it leaves the host\'s namespaces', () => {
    const s = stage(plan({ process: proc({ oomScoreAdj: 500 }) }), 1);
    expect(opArgs(s).slice(0, 3)).toEqual([['WRITE_FILE', CGROUP[0], '0'], ['WRITE_FILE', CGROUP[1], '0'], ['WRITE_FILE', '/proc/self/oom_score_adj', '500']]);
  });

  it('labels: one per step, in order across the stages, naming what failed', () => {
    const p = plan();
    const steps = p.stages.flatMap(([, s]) => s);
    expect(p.labels).toEqual(steps.map((s) => s.label));
    expect(p.labels[0]).toBe("the container's pid namespace (/proc/42/ns/pid)");
    expect(p.labels[1]).toBe(`the container's cgroup (${CGROUP[0]})`);
    expect(p.labels.at(-1)).toBe('process.args[0] (/bin/sh)');
  });

  it('a terminal: the socket is connected in the host, the pty opened once in the mount namespace, not bound onto /dev/console', () => {
    const p = plan({ process: proc({ terminal: true }), console: { socket: '/run/c.sock' } });
    expect(opArgs(stage(p, 0)).at(-1)).toEqual(['CONSOLE_CONNECT', 0, '/run/c.sock']);
    expect(opArgs(stage(p, 1)).slice(-2)).toEqual([['SETNS', '/proc/42/ns/mnt', Linux.CLONE_NEWNS], ['PTY_OPEN', 0, 0, 0, 0]]);
    expect(opArgs(stage(plan({ process: proc({ terminal: true }), console: 'relay' }), 0)).at(-1)).toEqual(['CONSOLE_PAIR', 0]);
    expect(plan().stages.flatMap(([, st]) => st).filter((x) => x.op === 'PTY_OPEN')).toEqual([]);
  });

  it('encodes: every step matches its op\'s signature', () => {
    expect(() => encodeMessage(plan({ seccomp, process: proc({ oomScoreAdj: -5 }) }).stages)).not.toThrow();
  });

  it('a bad process is refused by the process checks, naming the field', () => {
    expect(() => plan({ process: proc({ cwd: 'relative' }) })).toThrow('process.cwd: must be an absolute path');
    expect(() => plan({ process: proc({ args: [] }) })).toThrow('process.args');
  });
});

const flags = (f: Partial<ExecFlags> = {}): ExecFlags => ({ args: ['/probe', 'report'], env: [], additionalGids: [], caps: [], tty: false, ...f });

describe('exec without --process: runc\'s flags over the container\'s process', () => {
  const base = proc({
    terminal: true, env: ['PATH=/bin', 'A=1'], rlimits: [{ type: 'RLIMIT_NOFILE', soft: 10, hard: 10 }], noNewPrivileges: true,
    user: { uid: 1000, gid: 100, umask: 0o077, additionalGids: [5] }, capabilities: { bounding: ['CAP_KILL'], effective: ['CAP_KILL'], permitted: ['CAP_KILL'] },
  });

  it('the base gives every default; args come from the command line and terminal from --tty', () => {
    const p = processFromFlags(base, flags(), 'v1');
    expect(p).toEqual({ ...base, args: ['/probe', 'report'], terminal: false });
    expect(processFromFlags(base, flags({ tty: true }), 'v1').terminal).toBe(true);
  });

  it('--cwd, --user, --no-new-privs, --apparmor and --process-label replace; --env and --additional-gids add', () => {
    const p = processFromFlags(base, flags({ cwd: '/tmp', user: '0:7', noNewPrivs: false, apparmor: 'prof', processLabel: 'lbl', env: ['A=2', 'B=3'], additionalGids: [9] }), 'v1');
    expect(p.cwd).toBe('/tmp');
    expect(p.user).toEqual({ uid: 0, gid: 7, umask: 0o077, additionalGids: [5, 9] });
    expect(p.noNewPrivileges).toBe(false);
    expect(p.apparmorProfile).toBe('prof');
    expect(p.selinuxLabel).toBe('lbl');
    expect(p.env).toEqual(['PATH=/bin', 'A=2', 'B=3']);
    expect(base.user).toEqual({ uid: 1000, gid: 100, umask: 0o077, additionalGids: [5] }); // the base is not changed
  });

  it('--user UID keeps the base\'s gid', () => {
    expect(processFromFlags(base, flags({ user: '0' }), 'v1').user).toMatchObject({ uid: 0, gid: 100 });
  });

  it('--cap adds to the bounding, effective and permitted sets (not inheritable: CVE-2022-29162)', () => {
    const caps = processFromFlags(base, flags({ caps: ['CAP_CHOWN', 'CAP_KILL'] }), 'v1').capabilities;
    expect(caps).toEqual({ bounding: ['CAP_KILL', 'CAP_CHOWN'], effective: ['CAP_KILL', 'CAP_CHOWN'], permitted: ['CAP_KILL', 'CAP_CHOWN'] });
    expect(processFromFlags(proc({ capabilities: ['CAP_KILL'] }), flags({ caps: ['CAP_CHOWN'] }), 'draft').capabilities).toEqual(['CAP_KILL', 'CAP_CHOWN']);
  });

  it('a bad --user is a usage error', () => {
    for (const u of ['root', '1:x', '-1', '1:2:3', '99999999999']) expect(() => processFromFlags(base, flags({ user: u }), 'v1')).toThrow('exec: --user: must be UID[:GID]');
  });

  it('without a base (config.json had no process): root, in /', () => {
    expect(processFromFlags(undefined, flags(), 'v1')).toEqual({ user: { uid: 0, gid: 0 }, args: ['/probe', 'report'], cwd: '/', terminal: false });
  });
});
