// compileSeccomp under Node (koffi's libseccomp), and the same profiles under Bun (bun:ffi, the
// compiled CLI's backend) through tests/fixtures/seccomp-compile-bun.ts, which must give the same
// bytes. Assertions read the program back as sock_filter instructions; no root, nothing loaded.
import { spawnSync } from 'node:child_process';
import { arch, endianness } from 'node:os';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isBun } from '../../src/linux/ffi-bind.ts';
import { compileSeccomp, SECCOMP_FILTER_FLAG } from '../../src/linux/seccomp-compile.ts';
import { thrown } from './thrown.ts';

const BUN = resolve('node_modules/.bin/bun');
const FIXTURE = resolve('tests/fixtures/seccomp-compile-bun.ts');

// linux/filter.h and linux/bpf_common.h
const BPF_LD_W_ABS = 0x20;
const BPF_JMP_JEQ_K = 0x15;
const BPF_ALU_AND_K = 0x54;
const BPF_RET_K = 0x06;
// seccomp return values (linux/seccomp.h)
const RET = { KILL_THREAD: 0, KILL_PROCESS: 0x80000000, TRAP: 0x00030000, ERRNO: 0x00050000, USER_NOTIF: 0x7fc00000, TRACE: 0x7ff00000, LOG: 0x7ffc0000, ALLOW: 0x7fff0000 };
// linux/audit.h
const AUDIT_ARCH: Record<string, number> = { x64: 0xc000003e, arm64: 0xc00000b7, i386: 0x40000003, arm: 0x40000028 };
/** offsetof(struct seccomp_data, arch) */
const DATA_ARCH = 4;

interface Insn {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

/** struct sock_filter { __u16 code; __u8 jt; __u8 jf; __u32 k; } in host (little-endian) order. */
function decode(bpf: Buffer): Insn[] {
  expect(bpf.length % 8).toBe(0);
  return Array.from({ length: bpf.length / 8 }, (_, i) => ({
    code: bpf.readUInt16LE(8 * i),
    jt: bpf[8 * i + 2]!,
    jf: bpf[8 * i + 3]!,
    k: bpf.readUInt32LE(8 * i + 4),
  }));
}

const returns = (bpf: Buffer) => decode(bpf).filter((i) => i.code === BPF_RET_K).map((i) => i.k >>> 0);
const ks = (bpf: Buffer, code: number) => decode(bpf).filter((i) => i.code === code).map((i) => i.k >>> 0);


/** The message of a spec error: one line, starting with the field. */
function specMessage(fn: () => unknown): string {
  const err = thrown(fn);
  expect(err.code).toBe('spec');
  expect(err.message).not.toContain('\n');
  return err.message;
}

// The shape of runc's integration-test profiles (tests/integration/testdata/seccomp_syscall_test*.json):
// several architectures, a long allow list, conditions on one and on two arguments, a repeated
// index, an errnoRet, MASKED_EQ on clone and socket.
const RUNC_ALLOW = `accept accept4 access adjtimex alarm arch_prctl bind brk capget capset chdir chmod chown chown32
  clock_getres clock_gettime clock_nanosleep close connect copy_file_range creat dup dup2 epoll_create epoll_create1
  epoll_ctl epoll_pwait epoll_wait eventfd eventfd2 execve execveat exit exit_group faccessat faccessat2 fadvise64
  fallocate fchdir fchmod fchmodat fchown fchownat fcntl fcntl64 fdatasync fgetxattr flistxattr flock fork fsetxattr
  fstat fstat64 fstatfs fsync ftruncate futex getcwd getdents getdents64 getegid geteuid getgid getgroups getpgrp getpid
  getppid getrandom getrlimit get_robust_list getsockname getsockopt gettid gettimeofday getuid ioctl kill lseek lstat
  madvise mkdir mkdirat mmap mmap2 mprotect munmap nanosleep newfstatat open openat pipe pipe2 poll prctl pread64
  prlimit64 read readlink readlinkat rename rt_sigaction rt_sigprocmask rt_sigreturn sched_yield select sendto
  set_robust_list set_tid_address setgid setgroups setuid socketcall stat stat64 statx sysinfo tgkill umask uname unlink
  unlinkat wait4 write writev`.split(/\s+/);

const RUNC_PROFILE = {
  defaultAction: 'SCMP_ACT_ERRNO',
  architectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32', 'SCMP_ARCH_X86_64', 'SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM'],
  syscalls: [
    { action: 'SCMP_ACT_ALLOW', names: RUNC_ALLOW },
    { action: 'SCMP_ACT_ALLOW', names: ['dup3'], args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }] },
    { action: 'SCMP_ACT_ALLOW', names: ['dup3'], args: [{ index: 0, value: 2, op: 'SCMP_CMP_GT' }] },
    { action: 'SCMP_ACT_ALLOW', names: ['kcmp'], args: [{ index: 0, value: 0, op: 'SCMP_CMP_EQ' }, { index: 1, value: 1337, op: 'SCMP_CMP_EQ' }] },
    { action: 'SCMP_ACT_ALLOW', names: ['process_vm_readv'], args: [{ index: 0, value: 100, op: 'SCMP_CMP_EQ' }, { index: 0, value: 9001, op: 'SCMP_CMP_EQ' }] },
    { action: 'SCMP_ACT_ERRNO', errnoRet: 55, names: ['process_vm_writev'], args: [{ index: 0, value: 1337, op: 'SCMP_CMP_EQ' }, { index: 0, value: 2020, op: 'SCMP_CMP_EQ' }] },
    { action: 'SCMP_ACT_ALLOW', names: ['clone'], args: [{ index: 0, value: 2114060288, op: 'SCMP_CMP_MASKED_EQ' }] },
    { action: 'SCMP_ACT_ALLOW', names: ['socket'], args: [{ index: 2, value: 3840, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }] },
  ],
};

// Like podman's default (containers/common pkg/seccomp/seccomp.json, after podman resolves its
// caps/arches conditions): ENOSYS by default, EPERM for the dangerous ones, ~300 syscalls allowed,
// personality and socket conditions.
const PODMAN_ALLOW = `_llseek _newselect accept accept4 access adjtimex alarm bind brk cachestat capget capset chdir chmod
  chown chown32 clock_adjtime clock_adjtime64 clock_getres clock_getres_time64 clock_gettime clock_gettime64
  clock_nanosleep clock_nanosleep_time64 clone clone3 close close_range connect copy_file_range creat dup dup2 dup3
  epoll_create epoll_create1 epoll_ctl epoll_ctl_old epoll_pwait epoll_pwait2 epoll_wait epoll_wait_old eventfd
  eventfd2 execve execveat exit exit_group faccessat faccessat2 fadvise64 fadvise64_64 fallocate fanotify_mark fchdir
  fchmod fchmodat fchmodat2 fchown fchown32 fchownat fcntl fcntl64 fdatasync fgetxattr flistxattr flock fork
  fremovexattr fsconfig fsetxattr fsmount fsopen fspick fstat fstat64 fstatat64 fstatfs fstatfs64 fsync ftruncate
  ftruncate64 futex futex_requeue futex_time64 futex_wait futex_waitv futex_wake futimesat get_mempolicy
  get_robust_list get_thread_area getcpu getcwd getdents getdents64 getegid getegid32 geteuid geteuid32 getgid
  getgid32 getgroups getgroups32 getitimer getpeername getpgid getpgrp getpid getppid getpriority getrandom getresgid
  getresgid32 getresuid getresuid32 getrlimit getrusage getsid getsockname getsockopt gettid gettimeofday getuid
  getuid32 getxattr inotify_add_watch inotify_init inotify_init1 inotify_rm_watch io_cancel io_destroy io_getevents
  io_setup io_submit ioctl ioprio_get ioprio_set ipc keyctl kill landlock_add_rule landlock_create_ruleset
  landlock_restrict_self lchown lchown32 lgetxattr link linkat listen listxattr llistxattr lremovexattr lseek
  lsetxattr lstat lstat64 madvise map_shadow_stack mbind membarrier memfd_create memfd_secret mincore mkdir mkdirat
  mknod mknodat mlock mlock2 mlockall mmap mmap2 mount mount_setattr move_mount mprotect mq_getsetattr mq_notify
  mq_open mq_timedreceive mq_timedreceive_time64 mq_timedsend mq_timedsend_time64 mq_unlink mremap msgctl msgget
  msgrcv msgsnd msync munlock munlockall munmap name_to_handle_at nanosleep newfstatat open open_tree openat openat2
  pause pidfd_getfd pidfd_open pidfd_send_signal pipe pipe2 pivot_root pkey_alloc pkey_free pkey_mprotect poll ppoll
  ppoll_time64 prctl pread64 preadv preadv2 prlimit64 process_mrelease pselect6 pselect6_time64 pwrite64 pwritev
  pwritev2 read readahead readdir readlink readlinkat readv reboot recv recvfrom recvmmsg recvmmsg_time64 recvmsg
  remap_file_pages removexattr rename renameat renameat2 restart_syscall rmdir rseq rt_sigaction rt_sigpending
  rt_sigprocmask rt_sigqueueinfo rt_sigreturn rt_sigsuspend rt_sigtimedwait rt_sigtimedwait_time64
  rt_tgsigqueueinfo sched_get_priority_max sched_get_priority_min sched_getaffinity sched_getattr sched_getparam
  sched_getscheduler sched_rr_get_interval sched_rr_get_interval_time64 sched_setaffinity sched_setattr
  sched_setparam sched_setscheduler sched_yield seccomp select semctl semget semop semtimedop semtimedop_time64 send
  sendfile sendfile64 sendmmsg sendmsg sendto set_mempolicy set_robust_list set_thread_area set_tid_address setfsgid
  setfsgid32 setfsuid setfsuid32 setgid setgid32 setgroups setgroups32 setitimer setns setpgid setpriority setregid
  setregid32 setresgid setresgid32 setresuid setresuid32 setreuid setreuid32 setrlimit setsid setsockopt setuid
  setuid32 setxattr shmat shmctl shmdt shmget shutdown sigaltstack signalfd signalfd4 sigreturn socketcall
  socketpair splice stat stat64 statfs statfs64 statx symlink symlinkat sync sync_file_range syncfs sysinfo syslog tee
  tgkill time timer_create timer_delete timer_getoverrun timer_gettime timer_gettime64 timer_settime
  timer_settime64 timerfd_create timerfd_gettime timerfd_gettime64 timerfd_settime timerfd_settime64 times tkill
  truncate truncate64 ugetrlimit umask umount umount2 uname unlink unlinkat unshare utime utimensat
  utimensat_time64 utimes vfork wait4 waitid waitpid write writev`.split(/\s+/);

const PODMAN_PROFILE = {
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: 38,
  architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
  syscalls: [
    {
      names: `bdflush kexec_file_load kexec_load migrate_pages move_pages nfsservctl nice oldfstat oldlstat oldolduname
        oldstat olduname pciconfig_iobase pciconfig_read pciconfig_write sgetmask ssetmask swapoff swapon sysfs uselib
        userfaultfd ustat vm86 vm86old vmsplice ocirt_not_a_syscall`.split(/\s+/),
      action: 'SCMP_ACT_ERRNO',
      errnoRet: 1,
    },
    { names: PODMAN_ALLOW, action: 'SCMP_ACT_ALLOW' },
    ...[0, 8, 131072, 131080, 4294967295].map((value) => ({ names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value, valueTwo: 0, op: 'SCMP_CMP_EQ' }] })),
    { names: ['arch_prctl', 'modify_ldt'], action: 'SCMP_ACT_ALLOW' },
    { names: ['socket'], action: 'SCMP_ACT_ERRNO', errnoRet: 22, args: [{ index: 0, value: 16, op: 'SCMP_CMP_EQ' }, { index: 2, value: 9, op: 'SCMP_CMP_EQ' }] },
    { names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 2, value: 9, op: 'SCMP_CMP_NE' }] },
    { names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 16, op: 'SCMP_CMP_NE' }] },
  ],
};

const allow = (names: string[], extra: Record<string, unknown> = {}) => ({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names, action: 'SCMP_ACT_ERRNO', ...extra }] });

describe('compileSeccomp (koffi)', () => {
  it('runs the koffi backend here', () => {
    expect(isBun()).toBe(false);
  });

  it("compiles runc's test profile: every architecture is checked, the errnos are in the program", () => {
    const out = compileSeccomp(RUNC_PROFILE);
    expect(out.warnings).toEqual([]);
    expect(out.flags).toBe(0);
    expect(out.notify).toBe(false);
    const insns = decode(out.bpf);
    // The first instruction loads seccomp_data.arch; each architecture is compared with it.
    expect(insns[0]).toMatchObject({ code: BPF_LD_W_ABS, k: DATA_ARCH });
    const arches = ks(out.bpf, BPF_JMP_JEQ_K);
    for (const a of ['x64', 'i386', 'arm64', 'arm']) expect(arches).toContain(AUDIT_ARCH[a]);
    const rets = returns(out.bpf);
    expect(rets).toContain(RET.ALLOW);
    expect(rets).toContain(RET.ERRNO | 1); // the default: EPERM without defaultErrnoRet
    expect(rets).toContain(RET.ERRNO | 55); // process_vm_writev's errnoRet
    expect(ks(out.bpf, BPF_ALU_AND_K)).toContain(2114060288); // clone's MASKED_EQ mask
  });

  it('compiles a podman-like profile of ~300 syscalls, skipping the ones libseccomp does not know', () => {
    const out = compileSeccomp(PODMAN_PROFILE);
    expect(PODMAN_ALLOW.length).toBeGreaterThan(300);
    expect(out.notes).toContain('linux.seccomp.syscalls[0].names[26]: unknown syscall "ocirt_not_a_syscall" skipped');
    for (const w of out.notes) expect(w).toMatch(/^linux\.seccomp\.syscalls\[\d+\]\.names\[\d+\]: unknown syscall "\w+" skipped$/);
    const rets = returns(out.bpf);
    expect(rets).toContain(RET.ERRNO | 38); // defaultErrnoRet: ENOSYS
    expect(rets).toContain(RET.ERRNO | 1);
    expect(rets).toContain(RET.ERRNO | 22);
    expect(rets).toContain(RET.ALLOW);
  });

  it('an unknown syscall is a warning, and the rest of the entry still compiles', () => {
    const out = compileSeccomp(allow(['getcwd', 'ocirt_nope', 'chmod']));
    expect(out.notes).toEqual(['linux.seccomp.syscalls[0].names[1]: unknown syscall "ocirt_nope" skipped']);
    expect(out.bpf.equals(compileSeccomp(allow(['getcwd', 'chmod'])).bpf)).toBe(true);
  });

  it('reads the draft form (`name` per entry) as v1.3.0 reads `names`', () => {
    const draft = compileSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86'], syscalls: [{ name: 'getcwd', action: 'SCMP_ACT_ERRNO' }] });
    const v1 = compileSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86'], syscalls: [{ names: ['getcwd'], action: 'SCMP_ACT_ERRNO' }] });
    expect(draft.bpf.equals(v1.bpf)).toBe(true);
    const warned = compileSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ name: 'ocirt_nope', action: 'SCMP_ACT_ERRNO' }] });
    expect(warned.notes).toEqual(['linux.seccomp.syscalls[0].name: unknown syscall "ocirt_nope" skipped']);
  });

  const ACTION_RETURNS: Array<[string, number]> = [
    ['SCMP_ACT_KILL', RET.KILL_THREAD],
    ['SCMP_ACT_KILL_THREAD', RET.KILL_THREAD],
    ['SCMP_ACT_KILL_PROCESS', RET.KILL_PROCESS],
    ['SCMP_ACT_TRAP', RET.TRAP],
    ['SCMP_ACT_ERRNO', RET.ERRNO | 1],
    ['SCMP_ACT_TRACE', RET.TRACE | 1],
    ['SCMP_ACT_ALLOW', RET.ALLOW],
    ['SCMP_ACT_LOG', RET.LOG],
    ['SCMP_ACT_NOTIFY', RET.USER_NOTIF],
  ];

  it.each(ACTION_RETURNS)('%s compiles as a rule and as the default action', (action, ret) => {
    const other = action === 'SCMP_ACT_ALLOW' ? 'SCMP_ACT_KILL_PROCESS' : 'SCMP_ACT_ALLOW';
    const asRule = compileSeccomp({ defaultAction: other, syscalls: [{ names: ['getcwd'], action }] });
    expect(returns(asRule.bpf)).toContain(ret);
    const asDefault = compileSeccomp({ defaultAction: action, syscalls: [{ names: ['getcwd'], action: other }] });
    expect(returns(asDefault.bpf)).toContain(ret);
    expect(asRule.notify).toBe(action === 'SCMP_ACT_NOTIFY');
    expect(asDefault.notify).toBe(action === 'SCMP_ACT_NOTIFY');
  });

  it('every operator compiles, each to a different program; MASKED_EQ ANDs with value and compares with valueTwo', () => {
    const ops = ['SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ'];
    const hex = ops.map((op) => compileSeccomp(allow(['read'], { args: [{ index: 1, value: 0xf0f0, valueTwo: 0x0030, op }] })).bpf.toString('hex'));
    expect(new Set(hex).size).toBe(ops.length);
    const masked = Buffer.from(hex[6]!, 'hex');
    expect(ks(masked, BPF_ALU_AND_K)).toContain(0xf0f0);
    expect(ks(masked, BPF_JMP_JEQ_K)).toContain(0x0030);
  });

  it('a 64-bit value is compared in two 32-bit halves, up to 2^64-1', () => {
    const big = compileSeccomp(allow(['read'], { args: [{ index: 0, value: 0x1234567800000000n + 0x9abcdef0n, op: 'SCMP_CMP_EQ' }] }));
    expect(big.warnings).toEqual([]);
    expect(ks(big.bpf, BPF_JMP_JEQ_K)).toEqual(expect.arrayContaining([0x12345678, 0x9abcdef0]));
    // 18446744073709551615 in JSON parses to the double 2^64: compiled as 2^64-1, with a warning.
    const max = compileSeccomp(JSON.parse('{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":18446744073709551615,"op":"SCMP_CMP_EQ"}]}]}'));
    expect(max.warnings).toEqual(['linux.seccomp.syscalls[0].args[0].value: 18446744073709552000 is above 2^53, where JSON numbers lose precision; compiled as 18446744073709551615']);
    expect(ks(max.bpf, BPF_JMP_JEQ_K).filter((k) => k === 0xffffffff).length).toBeGreaterThanOrEqual(2);
    expect(max.bpf.equals(compileSeccomp(allow(['read'], { args: [{ index: 0, value: (1n << 64n) - 1n, op: 'SCMP_CMP_EQ' }] })).bpf)).toBe(true);
  });

  it("one index named twice: each condition is its own rule (runc's and crun's rule), otherwise one rule ANDs them", () => {
    const conds = [{ index: 0, value: 100, op: 'SCMP_CMP_EQ' }, { index: 0, value: 9001, op: 'SCMP_CMP_EQ' }];
    const together = compileSeccomp({ defaultAction: 'SCMP_ACT_KILL', syscalls: [{ names: ['kcmp'], action: 'SCMP_ACT_ALLOW', args: conds }] });
    const apart = compileSeccomp({ defaultAction: 'SCMP_ACT_KILL', syscalls: conds.map((c) => ({ names: ['kcmp'], action: 'SCMP_ACT_ALLOW', args: [c] })) });
    expect(together.bpf.equals(apart.bpf)).toBe(true);
    const and = [{ index: 0, value: 100, op: 'SCMP_CMP_EQ' }, { index: 1, value: 9001, op: 'SCMP_CMP_EQ' }];
    const anded = compileSeccomp({ defaultAction: 'SCMP_ACT_KILL', syscalls: [{ names: ['kcmp'], action: 'SCMP_ACT_ALLOW', args: and }] });
    const ored = compileSeccomp({ defaultAction: 'SCMP_ACT_KILL', syscalls: and.map((c) => ({ names: ['kcmp'], action: 'SCMP_ACT_ALLOW', args: [c] })) });
    expect(anded.bpf.equals(ored.bpf)).toBe(false);
  });

  it('the BPF is whole instructions and grows when a rule is added; a rule with the default action is skipped', () => {
    const one = compileSeccomp(allow(['getcwd']));
    const two = compileSeccomp(allow(['getcwd', 'chmod']));
    expect(one.bpf.length % 8).toBe(0);
    expect(two.bpf.length % 8).toBe(0);
    expect(two.bpf.length).toBeGreaterThan(one.bpf.length);
    const redundant = compileSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['getcwd'], action: 'SCMP_ACT_ERRNO' }, { names: ['chmod'], action: 'SCMP_ACT_ALLOW' }] });
    expect(redundant.bpf.equals(one.bpf)).toBe(true);
    // ERRNO(1) and ERRNO(38) are different actions: the second rule is not redundant.
    const errnoDefault = compileSeccomp({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['getcwd'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 }] });
    expect(returns(errnoDefault.bpf)).toEqual(expect.arrayContaining([RET.ERRNO | 1, RET.ERRNO | 38]));
  });

  it('errnoRet and defaultErrnoRet change the program: SECCOMP_RET_ERRNO|n is a k value', () => {
    const eperm = compileSeccomp(allow(['getcwd']));
    const enosys = compileSeccomp(allow(['getcwd'], { errnoRet: 38 }));
    expect(eperm.bpf.equals(enosys.bpf)).toBe(false);
    expect(returns(eperm.bpf)).toContain(RET.ERRNO | 1);
    expect(returns(enosys.bpf)).toContain(RET.ERRNO | 38);
    expect(returns(enosys.bpf)).not.toContain(RET.ERRNO | 1);
    const def = compileSeccomp({ defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 6, syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }] });
    expect(returns(def.bpf)).toContain(RET.ERRNO | 6);
    const trace = compileSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read'], action: 'SCMP_ACT_TRACE', errnoRet: 7 }] });
    expect(returns(trace.bpf)).toContain(RET.TRACE | 7);
  });

  it('architectures: the native one again is fine; each one listed is checked', () => {
    const native = { x64: 'SCMP_ARCH_X86_64', arm64: 'SCMP_ARCH_AARCH64' }[arch() as 'x64' | 'arm64'];
    if (native) expect(compileSeccomp({ ...allow(['getcwd']), architectures: [native] }).bpf.equals(compileSeccomp(allow(['getcwd'])).bpf)).toBe(true);
    const multi = compileSeccomp({ ...allow(['getcwd']), architectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_ARM'] });
    expect(ks(multi.bpf, BPF_JMP_JEQ_K)).toEqual(expect.arrayContaining([AUDIT_ARCH.i386, AUDIT_ARCH.arm]));
    // libseccomp keeps one byte order per filter (EDOM): s390x is big-endian.
    if (endianness() === 'LE') {
      expect(specMessage(() => compileSeccomp({ ...allow(['getcwd']), architectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_S390X'] }))).toBe(
        'linux.seccomp.architectures[1]: "SCMP_ARCH_S390X" cannot share a filter with this host\'s architecture: one seccomp filter has one byte order',
      );
    }
  });

  it('flags map to SECCOMP_FILTER_FLAG_* bits; SCMP_ACT_NOTIFY adds NEW_LISTENER (and TSYNC_ESRCH beside TSYNC)', () => {
    const all = ['SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW', 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'];
    expect(compileSeccomp({ ...allow(['getcwd']), flags: all }).flags).toBe(1 | 2 | 4 | 32);
    expect(compileSeccomp({ ...allow(['getcwd']), flags: ['SECCOMP_FILTER_FLAG_LOG'] }).flags).toBe(SECCOMP_FILTER_FLAG.LOG);
    expect(compileSeccomp({ ...allow(['getcwd']), flags: [] }).flags).toBe(0);
    const notify = compileSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', flags: ['SECCOMP_FILTER_FLAG_LOG'], syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_NOTIFY' }] });
    expect(notify.notify).toBe(true);
    expect(notify.flags).toBe(SECCOMP_FILTER_FLAG.LOG | SECCOMP_FILTER_FLAG.NEW_LISTENER);
    const tsync = compileSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', flags: ['SECCOMP_FILTER_FLAG_TSYNC'], syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_NOTIFY' }] });
    expect(tsync.flags).toBe(SECCOMP_FILTER_FLAG.TSYNC | SECCOMP_FILTER_FLAG.NEW_LISTENER | SECCOMP_FILTER_FLAG.TSYNC_ESRCH);
  });

  it('says when libseccomp would silently drop an overlapping rule', () => {
    const twice = compileSeccomp({ defaultAction: 'SCMP_ACT_KILL', syscalls: [{ names: ['setns'], action: 'SCMP_ACT_ALLOW' }, { names: ['setns'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }] });
    expect(twice.notes).toEqual(['linux.seccomp.syscalls[1].names[0]: "setns" already has a rule without args with another action (linux.seccomp.syscalls[0].names[0]); libseccomp keeps that one']);
    expect(returns(twice.bpf)).not.toContain(RET.ERRNO | 1);
    const replaced = compileSeccomp({
      defaultAction: 'SCMP_ACT_KILL',
      syscalls: [{ names: ['socket'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 16, op: 'SCMP_CMP_EQ' }] }, { names: ['socket'], action: 'SCMP_ACT_ALLOW' }],
    });
    expect(replaced.notes).toEqual(['linux.seccomp.syscalls[1].names[0]: this rule without args replaces the rules with args for "socket" (linux.seccomp.syscalls[0].names[0])']);
    expect(returns(replaced.bpf)).not.toContain(RET.ERRNO | 1);
    // The same syscall twice with one action is no overlap.
    expect(compileSeccomp({ defaultAction: 'SCMP_ACT_KILL', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }, { names: ['read'], action: 'SCMP_ACT_ALLOW' }] }).warnings).toEqual([]);
  });

  it('what cannot be compiled is a one-line spec error naming the field', () => {
    const cases: Array<[unknown, string | RegExp]> = [
      [{ ...allow(['read'], { args: [{ index: 0, value: 1, op: 'SCMP_CMP_BOGUS' }] }) }, 'linux.seccomp.syscalls[0].args[0].op: unknown operator "SCMP_CMP_BOGUS"'],
      [{ ...allow(['read'], { args: [{ index: 6, value: 1, op: 'SCMP_CMP_EQ' }] }) }, 'linux.seccomp.syscalls[0].args[0].index: 6 is more than 5'],
      [{ ...allow(['read'], { args: [{ index: 0, op: 'SCMP_CMP_EQ' }] }) }, 'linux.seccomp.syscalls[0].args[0].value: missing'],
      [{ ...allow(['read'], { args: [{ index: 0, value: -1, op: 'SCMP_CMP_EQ' }] }) }, 'linux.seccomp.syscalls[0].args[0].value: -1 is not an unsigned 64-bit integer'],
      [{ ...allow(['read'], { args: [{ index: 0, value: 1e30, op: 'SCMP_CMP_EQ' }] }) }, 'linux.seccomp.syscalls[0].args[0].value: 1e+30 is not an unsigned 64-bit integer'],
      [{ ...allow(['read']), flags: ['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_BOGUS'] }, 'linux.seccomp.flags[1]: unknown flag "SECCOMP_FILTER_FLAG_BOGUS"'],
      [{ defaultAction: 'SCMP_ACT_BOGUS' }, 'linux.seccomp.defaultAction: unknown action "SCMP_ACT_BOGUS"'],
      [{ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }, { names: ['read'], action: 'ALLOW' }] }, 'linux.seccomp.syscalls[1].action: unknown action "ALLOW"'],
      [{}, 'linux.seccomp.defaultAction: missing'],
      [{ defaultAction: 'SCMP_ACT_ALLOW', defaultErrnoRet: 1 }, 'linux.seccomp.defaultErrnoRet: SCMP_ACT_ALLOW takes no errno'],
      [{ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read'], action: 'SCMP_ACT_KILL', errnoRet: 1 }] }, 'linux.seccomp.syscalls[0].errnoRet: SCMP_ACT_KILL takes no errno'],
      [allow(['read'], { errnoRet: 65536 }), 'linux.seccomp.syscalls[0].errnoRet: 65536 is more than 65535'],
      [{ ...allow(['read']), architectures: ['SCMP_ARCH_VAX'] }, 'linux.seccomp.architectures[0]: libseccomp does not know the architecture "SCMP_ARCH_VAX"'],
      [{ ...allow(['read']), architectures: ['x86_64'] }, 'linux.seccomp.architectures[0]: unknown architecture "x86_64"'],
      [{ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ action: 'SCMP_ACT_ERRNO' }] }, 'linux.seccomp.syscalls[0].names: missing'],
      [{ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: [], action: 'SCMP_ACT_ERRNO' }] }, 'linux.seccomp.syscalls[0].names: empty'],
      [allow(['read', '']), 'linux.seccomp.syscalls[0].names[1]: "" is not a syscall name'],
      [allow(['read', 42 as unknown as string]), 'linux.seccomp.syscalls[0].names[1]: a syscall name must be a string, not 42'],
      ['SCMP_ACT_ALLOW', 'linux.seccomp: must be an object'],
      // 1,800 64-bit MASKED_EQ rules: more instructions than seccomp(2) takes.
      [
        { defaultAction: 'SCMP_ACT_ALLOW', syscalls: Array.from({ length: 1800 }, (_, i) => ({ names: ['ioctl'], action: 'SCMP_ACT_ERRNO', args: [{ index: 1, value: 2 ** 40 + i, valueTwo: 2 ** 33 + i, op: 'SCMP_CMP_MASKED_EQ' }] })) },
        /^linux\.seccomp: the filter compiles to \d+ BPF instructions, more than the 4096 the kernel loads/,
      ],
    ];
    for (const [seccomp, start] of cases) {
      const message = specMessage(() => compileSeccomp(seccomp));
      if (typeof start === 'string') expect(message.startsWith(start), message).toBe(true);
      else expect(message).toMatch(start);
    }
    expect(specMessage(() => compileSeccomp({ defaultAction: 'SCMP_ACT_BOGUS' }, 'process.seccomp'))).toMatch(/^process\.seccomp\.defaultAction: /);
  });
});

describe('compileSeccomp under Bun (bun:ffi)', () => {
  it('gives the same bytes, flags and warnings as koffi', () => {
    const profiles: unknown[] = [
      RUNC_PROFILE,
      PODMAN_PROFILE,
      { defaultAction: 'SCMP_ACT_ALLOW', flags: ['SECCOMP_FILTER_FLAG_TSYNC'], syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_NOTIFY' }] },
      { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ name: 'getcwd', action: 'SCMP_ACT_ERRNO', errnoRet: 38 }] },
      allow(['read'], { args: [{ index: 0, value: 1, op: 'SCMP_CMP_BOGUS' }] }),
    ];
    const run = spawnSync(BUN, [FIXTURE], { input: JSON.stringify(profiles), encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const out = JSON.parse(run.stdout) as { bun: boolean; results: Array<Record<string, unknown>> };
    expect(out.bun).toBe(true);
    const here = profiles.map((p) => {
      try {
        const { bpf, flags, notify, warnings } = compileSeccomp(p);
        return { hex: bpf.toString('hex'), flags, notify, warnings };
      } catch (err) {
        return { error: (err as Error).message };
      }
    });
    expect(out.results).toEqual(here);
    expect(out.results[4]).toHaveProperty('error');
  });
});
