// src/plan/process.ts: the stage-3 steps the init runs at start, in runc's order (written at the top
// of process.ts), and the checks on the process it makes before anything runs.
import { describe, expect, it } from 'vitest';
import { CAPABILITY_NAMES } from '../../src/plan/capabilities.ts';
import { processSteps, type Host, type ProcessInput, type SeccompLoad } from '../../src/plan/process.ts';
import type { Step } from '../../src/plan/wire.ts';
import type { Process } from '../../src/spec/config.ts';

const ALL = (1n << BigInt(CAPABILITY_NAMES.length)) - 1n;
const cap = (name: string) => 1n << BigInt(CAPABILITY_NAMES.indexOf(name as (typeof CAPABILITY_NAMES)[number]));

function host(o: Partial<Host> = {}): Host {
  return {
    caps: { lastCap: CAPABILITY_NAMES.length - 1, grantable: ALL },
    limits: { hard: () => undefined, canRaise: true },
    lsm: { apparmor: true, selinux: true },
    ...o,
  };
}

const proc = (extra: Record<string, unknown> = {}): Process => ({ user: { uid: 1000, gid: 1000 }, args: ['/bin/sh', '-c', 'true'], cwd: '/work', ...extra });

function steps(p: Process | undefined, o: Partial<ProcessInput> = {}): { steps: Step[]; warnings: string[] } {
  const warnings: string[] = [];
  const s = processSteps({ process: p, edition: 'v1', host: host(), warn: (m) => warnings.push(m), ...o });
  return { steps: s, warnings };
}
const ops = (s: Step[]) => s.map((x) => x.op);
const seccomp: SeccompLoad = { bpf: Uint8Array.of(6, 0, 0, 0, 0, 0, 0xff, 0x7f), flags: 0, listenerSlot: -1, state: '{}' };

describe('stage 3 order (runc standard_init_linux.go, finalizeNamespace)', () => {
  const everything = proc({
    user: { uid: 1000, gid: 100, umask: 0o077, additionalGids: [5, 6] },
    env: ['PATH=/bin', 'A=b'],
    rlimits: [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 4096 }, { type: 'RLIMIT_CORE', soft: 0, hard: 0 }],
    scheduler: { policy: 'SCHED_BATCH', nice: 5 },
    ioPriority: { class: 'IOPRIO_CLASS_BE', priority: 4 },
    apparmorProfile: 'ctr',
    selinuxLabel: 'system_u:system_r:container_t:s0',
    capabilities: { bounding: ['CAP_KILL', 'CAP_CHOWN'], effective: ['CAP_KILL'], permitted: ['CAP_KILL'], inheritable: ['CAP_KILL'], ambient: ['CAP_KILL'] },
  });
  it('without no_new_privs: seccomp is loaded before the capability drop (it then needs CAP_SYS_ADMIN)', () => {
    const { steps: s } = steps(everything, { seccomp });
    expect(ops(s)).toEqual([
      'RLIMIT', 'RLIMIT', 'SCHED_SETATTR', 'IOPRIO_SET', 'WRITE_AT', 'WRITE_AT', 'SECCOMP_LOAD', 'CAP_BOUNDING', 'KEEPCAPS', 'SETGROUPS',
      'SETRESGID', 'SETRESUID', 'KEEPCAPS', 'CAPSET', 'CAP_AMBIENT', 'UMASK', 'ENV', 'CHDIR', 'EXEC',
    ]);
    expect(s.filter((x) => x.op === 'KEEPCAPS').map((x) => x.args)).toEqual([[1], [0]]);
  });
  it('with no_new_privs: NO_NEW_PRIVS after the LSM labels, seccomp last before exec (as late as possible)', () => {
    const { steps: s } = steps({ ...everything, noNewPrivileges: true }, { seccomp });
    expect(ops(s)).toEqual([
      'RLIMIT', 'RLIMIT', 'SCHED_SETATTR', 'IOPRIO_SET', 'WRITE_AT', 'WRITE_AT', 'NO_NEW_PRIVS', 'CAP_BOUNDING', 'KEEPCAPS', 'SETGROUPS',
      'SETRESGID', 'SETRESUID', 'KEEPCAPS', 'CAPSET', 'CAP_AMBIENT', 'UMASK', 'ENV', 'CHDIR', 'SECCOMP_LOAD', 'EXEC',
    ]);
    expect(s.find((x) => x.op === 'NO_NEW_PRIVS')).toEqual({ op: 'NO_NEW_PRIVS', args: [], label: 'process.noNewPrivileges' });
  });
  it('the arguments of each step', () => {
    const { steps: s } = steps(everything, { seccomp: { ...seccomp, flags: 4, listenerSlot: 2, state: '{"x":1}' } });
    const by = (op: string) => s.filter((x) => x.op === op).map((x) => x.args);
    expect(by('RLIMIT')).toEqual([[7, 1024n, 4096n], [4, 0n, 0n]]);
    expect(by('SCHED_SETATTR')).toEqual([[3, 0, 5, 0, 0, 0, 0]]);
    expect(by('IOPRIO_SET')).toEqual([[2, 4]]);
    expect(by('WRITE_AT')).toEqual([
      ['/proc/thread-self/attr/apparmor/exec', 'exec ctr'],
      ['/proc/thread-self/attr/exec', 'system_u:system_r:container_t:s0'],
    ]);
    expect(by('SECCOMP_LOAD')).toEqual([[seccomp.bpf, 4, 2, '{"x":1}']]);
    expect(by('CAP_BOUNDING')).toEqual([[cap('CAP_KILL') | cap('CAP_CHOWN')]]);
    expect(by('SETGROUPS')).toEqual([[5, 6]]);
    expect(by('SETRESGID')).toEqual([[100]]);
    expect(by('SETRESUID')).toEqual([[1000]]);
    expect(by('CAPSET')).toEqual([[cap('CAP_KILL'), cap('CAP_KILL'), cap('CAP_KILL')]]);
    expect(by('CAP_AMBIENT')).toEqual([[cap('CAP_KILL')]]);
    expect(by('UMASK')).toEqual([[0o077]]);
    expect(by('ENV')).toEqual([['PATH=/bin', 'A=b']]);
    expect(by('CHDIR')).toEqual([['/work']]);
    expect(by('EXEC')).toEqual([['/bin/sh', '-c', 'true']]);
    expect(s.at(-1)!.op).toBe('EXEC');
  });
  it('a minimal process: no optional steps, empty capability sets, no groups, umask 0022, empty environment', () => {
    const { steps: s, warnings } = steps(proc());
    expect(s.map((x) => [x.op, ...x.args])).toEqual([
      ['CAP_BOUNDING', 0n], ['KEEPCAPS', 1], ['SETGROUPS'], ['SETRESGID', 1000], ['SETRESUID', 1000], ['KEEPCAPS', 0],
      ['CAPSET', 0n, 0n, 0n], ['CAP_AMBIENT', 0n], ['UMASK', 0o022], ['ENV'], ['CHDIR', '/work'], ['EXEC', '/bin/sh', '-c', 'true'],
    ]);
    expect(warnings).toEqual([]);
  });
  it('no seccomp step without a compiled program, whatever noNewPrivileges says', () => {
    expect(ops(steps(proc({ noNewPrivileges: true })).steps)).not.toContain('SECCOMP_LOAD');
    expect(ops(steps(proc({ noNewPrivileges: false })).steps)).not.toContain('SECCOMP_LOAD');
    expect(ops(steps(proc({ noNewPrivileges: false })).steps)).not.toContain('NO_NEW_PRIVS');
  });
  it('labels name the config field of each step', () => {
    const { steps: s } = steps({ ...everything, noNewPrivileges: true }, { seccomp });
    expect(s.map((x) => x.label)).toEqual([
      'process.rlimits[0] (RLIMIT_NOFILE)', 'process.rlimits[1] (RLIMIT_CORE)', 'process.scheduler (SCHED_BATCH)', 'process.ioPriority (IOPRIO_CLASS_BE 4)',
      'process.apparmorProfile', 'process.selinuxLabel', 'process.noNewPrivileges', 'process.capabilities.bounding', 'process.capabilities',
      'process.user.additionalGids', 'process.user.gid', 'process.user.uid', 'process.capabilities', 'process.capabilities', 'process.capabilities.ambient',
      'process.user.umask', 'process.env', 'process.cwd (/work)', 'linux.seccomp', 'process.args[0] (/bin/sh)',
    ]);
    expect(s.every((x) => x.label.length > 0)).toBe(true);
  });
});

describe('config.md "Linux Process": LSM exec labels', () => {
  it('refuses an AppArmor profile on a host without AppArmor, naming the field', () => {
    expect(() => steps(proc({ apparmorProfile: 'ctr' }), { host: host({ lsm: { apparmor: false, selinux: true } }) })).toThrow(
      'process.apparmorProfile: AppArmor is not enabled on this host',
    );
  });
  it('refuses an SELinux label on a host without SELinux, naming the field', () => {
    expect(() => steps(proc({ selinuxLabel: 'x' }), { host: host({ lsm: { apparmor: true, selinux: false } }) })).toThrow(
      'process.selinuxLabel: SELinux is not enabled on this host',
    );
  });
  it('an empty profile or label asks for nothing, on any host', () => {
    const none = host({ lsm: { apparmor: false, selinux: false } });
    expect(ops(steps(proc({ apparmorProfile: '', selinuxLabel: '' }), { host: none }).steps)).not.toContain('WRITE_AT');
  });
});

describe('checks on the process', () => {
  it('requires a process with args, an absolute cwd and a user', () => {
    expect(() => steps(undefined)).toThrow('process: required to start a container');
    expect(() => steps(proc({ args: [] }))).toThrow('process.args: must name at least the program to run');
    expect(() => steps(proc({ cwd: 'work' }))).toThrow('process.cwd: must be an absolute path');
    expect(() => steps(proc({ user: { uid: -1, gid: 0 } }))).toThrow('process.user.uid: must be an integer from 0 to 4294967295');
    expect(() => steps(proc({ user: { uid: 0, gid: 2 ** 32 } }))).toThrow('process.user.gid: must be an integer from 0 to 4294967295');
    expect(() => steps(proc({ user: { uid: 0, gid: 0, additionalGids: [1, 1.5] } }))).toThrow('process.user.additionalGids[1]: must be an integer');
    expect(() => steps(proc({ env: ['A=1', 'NOEQUALS'] }))).toThrow('process.env[1]: must be "KEY=value"');
  });
  it('accepts the largest ids', () => {
    const { steps: s } = steps(proc({ user: { uid: 4294967295, gid: 4294967295, additionalGids: [4294967295] } }));
    expect(s.find((x) => x.op === 'SETRESUID')!.args).toEqual([4294967295]);
  });
});
