// The one wire format between TypeScript and the C executor (STYLE.md "What ocirt takes").
// scripts/gen-protocol-header.ts turns these tables into native/build/protocol.h; the C parser
// rejects any record type it does not know. Change a number here and both sides follow.
//
// A message is a sequence of records, little-endian:
//
//   record  := u32 type | u32 length | payload[length]
//   payload := u32 argc | arg*argc
//   arg     := u8 kind | u32 length | bytes[length]   (kind 's': a string with its NUL; 'i': an 8-byte i64;
//                                                      'b': raw bytes, such as a BPF program)
//
// The plan (CLI → executor, a file in the state directory):
//
//   VERSION(1)  STAGE(0) step*  STAGE(1) step*  STAGE(2) step*  STAGE(4) step*  STAGE(5) step*  END
//
//   stage 0  the executor itself, in the host's namespaces and cgroup (open the start socket, make
//            the user namespaces of id-mapped mounts, connect the console socket)
//   stage 1  a forked child: join the cgroup, join namespaces by path, create new ones, get its id
//            maps written
//   stage 2  the init, forked by stage 1 into the new PID namespace: mounts, pivot_root, devices,
//            sysctl, read-only and masked paths, hostname…
//   stage 4  the executor again, once stage 1 has sent the init's pid: host work on the init's
//            namespaces (network devices moved into it)
//   stage 5  the executor again, when the init reaches HOOK_SYNC: prestart and createRuntime hooks,
//            in the runtime namespace; also the one stage of `ocirt-executor hooks` (poststart, poststop)
//
// The process (start → init over the start socket): VERSION(1) STAGE(3) step* END, the last step EXEC.
// Its order is runc's (libcontainer/standard_init_linux.go, finalizeNamespace): see plan/process.ts.
//
// Slots: a few steps keep a file descriptor for a later one (the rootfs that mount destinations
// resolve in, a user namespace for an id-mapped mount, the seccomp listener's connection, a detached
// mount); an 'i' argument names the slot.
//
// Frames (executor → CLI on the sync fd; init → start on the start connection) use the same records:
//
//   CLI ◀── PID(host pid of the init)      from stage 1, after it forks the init
//   CLI ◀── READY                          from the init, once stage 2 is done; it then waits in accept()
//   CLI ◀── ERROR(step, errno, message)    from whichever stage failed; that stage exits
//   start ◀── ERROR(step, errno, message)  from the init when a process step fails; success is EOF,
//                                          because the connection is close-on-exec

export const PROTOCOL_VERSION = 1;

export const Rec = {
  VERSION: 1,
  STAGE: 2,
  END: 3,
  PID: 4,
  READY: 5,
  ERROR: 6,
} as const;

/** Step operations. Each knows nothing of OCI: they are the syscalls the plan sequences. */
export const Op = {
  WRITE_FILE: { code: 16, args: 'ss' }, // path, data (the file must exist: cgroup.procs, timens_offsets)
  LISTEN: { code: 17, args: 's' }, // path relative to the executor's cwd, the state directory
  SETNS: { code: 18, args: 'si' }, // path, nstype
  UNSHARE_USER: { code: 19, args: 'sss' }, // uid_map, gid_map, setgroups ("" = leave alone); stage 0 writes them
  UNSHARE: { code: 20, args: 'i' }, // clone flags
  MOUNT: { code: 21, args: 'sssis' }, // source, target, fstype, flags, data ("" = NULL): host paths, or "/" after pivot_root
  MOUNT_SETATTR: { code: 22, args: 'isiiii' }, // root slot, target in it, attr_set, attr_clr, propagation, at_flags
  SYMLINK: { code: 26, args: 'ss' }, // after pivot_root: target, linkpath (no symlink among its parents is followed)
  PIVOT_ROOT: { code: 27, args: 's' }, // new root
  CHROOT: { code: 28, args: 's' }, // new root, moved onto / (no pivot_root)
  SETHOSTNAME: { code: 29, args: 's' },
  SETDOMAINNAME: { code: 30, args: 's' },
  CHDIR: { code: 31, args: 's' },
  SETGROUPS: { code: 32, args: '*i' }, // gid*
  SETRESGID: { code: 33, args: 'i' },
  SETRESUID: { code: 34, args: 'i' },
  UMASK: { code: 35, args: 'i' },
  ENV: { code: 36, args: '*s' }, // "K=V"*, replaces the environment
  EXEC: { code: 37, args: '*s' }, // argv; argv[0] without a slash is searched in the PATH of ENV
  // Paths of the steps below are used after pivot_root (so they resolve inside the rootfs) unless
  // noted; each is opened with openat2(RESOLVE_NO_MAGICLINKS) and worked on through its fd.
  MKNOD_AT: { code: 38, args: 'siiiiii' }, // path in the rootfs, mode (with type), major, minor, uid, gid, replace (else a
  //                                          different file there is EEXIST, a matching node is kept)
  ATTACH_TREE: { code: 39, args: 'si' }, // path in the rootfs (an empty file is made if need be), slot of an OPEN_TREE
  OPEN_TREE: { code: 40, args: 'is' }, // before pivot_root: slot, host path — a detached bind mount of it
  MASK_PATH: { code: 41, args: 's' }, // a file gets /dev/null bound over it, a directory a read-only tmpfs
  READONLY_PATH: { code: 42, args: 's' }, // bound onto itself, read-only, recursively
  WRITE_AT: { code: 43, args: 'ss' }, // path (a file that exists, e.g. under /proc/sys), data
  PERSONALITY: { code: 44, args: 'i' }, // persona
  SET_MEMPOLICY: { code: 45, args: 'i*i' }, // mode | flags, then the node mask in 64-bit words
  USERNS_FD: { code: 46, args: 'iss' }, // stage 0: slot, uid_map, gid_map — a user namespace held open
  IDMAP_MOUNT: { code: 47, args: 'issii' }, // root slot, target in it, source (a host path), userns slot, recursive
  TMPFS_COPYUP: { code: 48, args: 'issis' }, // root slot, target in it, source, flags, data: mount tmpfs, copy what was there up
  LISTENER_CONNECT: { code: 49, args: 'is' }, // slot, host path of the seccomp agent's socket (before pivot_root)
  NETDEV_MOVE: { code: 50, args: 'ss' }, // stage 4: host interface name, its name in the init's network namespace
  RLIMIT: { code: 51, args: 'iii' }, // resource, soft, hard (-1 = unlimited)
  SCHED_SETATTR: { code: 52, args: 'iiiiiii' }, // policy, flags, nice, priority, runtime, deadline, period
  IOPRIO_SET: { code: 53, args: 'ii' }, // class, level
  NO_NEW_PRIVS: { code: 54, args: '' },
  SECCOMP_LOAD: { code: 55, args: 'biis' }, // BPF program, filter flags, listener slot (-1 = none), state JSON sent with the fd
  CAP_BOUNDING: { code: 56, args: 'i' }, // capabilities to keep in the bounding set (bit mask); the rest are dropped
  KEEPCAPS: { code: 57, args: 'i' }, // PR_SET_KEEPCAPS
  CAPSET: { code: 58, args: 'iii' }, // effective, permitted, inheritable (bit masks)
  CAP_AMBIENT: { code: 59, args: 'i' }, // the ambient set (bit mask): cleared, then each raised
  // Before pivot_root, paths inside a directory held in a slot (OPEN_ROOT): each step resolves its
  // path there with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS), so no symlink or ".." leads
  // out of it, and works on the fd it got (mount(2) on /proc/self/fd/N, move_mount, mount_setattr).
  // A path that resolves to the directory itself is refused (EBUSY).
  OPEN_ROOT: { code: 60, args: 'is' }, // slot, host path of the directory
  MKDIR_IN: { code: 61, args: 'isi' }, // root slot, path: missing components made (0755, the last mode); not a directory is ENOTDIR
  MKFILE_IN: { code: 62, args: 'is' }, // root slot, path: an empty file unless a non-directory is there (a directory is EISDIR)
  MOUNT_IN: { code: 63, args: 'isssis' }, // root slot, target in it, source, fstype, flags, data ("" = NULL)
  JOIN_SESSION_KEYRING: { code: 65, args: 's' }, // name: a new session keyring, searchable by its owner (ENOSYS: none, as runc)
  CLOSE_SLOT: { code: 64, args: 'i' }, // slot: its fd closed, so the init holds no fd of a host directory once pivoted
  // config.md "Process" terminal: the pty is opened in the container (its /dev/ptmx) and its master
  // handed out over a socket; the executor connects that socket in the host beforehand.
  CONSOLE_CONNECT: { code: 66, args: 'is' }, // stage 0: slot, host path of the --console-socket
  CONSOLE_PAIR: { code: 67, args: 'i' }, // stage 0: slot, one end of a socketpair; the executor keeps the other to relay the terminal
  PTY_OPEN: { code: 68, args: 'iiii' }, // console slot, rows, cols (0: leave), bind the slave onto /dev/console: the master is sent
  //                                       over the slot (one SCM_RIGHTS message), the slave becomes fds 0-2 and the controlling terminal
  // config.md "POSIX-platform Hooks" (native/executor/hook.c): the program, argv and env as
  // NUL-terminated strings one after another, timeout in seconds (0: none), the state JSON on stdin
  // as head + pid + tail, the pid >0 as given, 0 the init's host pid (stage 0), -1 the caller's own
  HOOK: { code: 69, args: 'sbbisis' },
  HOOK_SYNC: { code: 70, args: '' }, // the init, after its mounts: stage 0 runs the plan's stage 5 (prestart, createRuntime), then it goes on
} as const;

export type OpName = keyof typeof Op;

/** Linux constants the plan computes with; named here so both sides agree. */
export const Linux = {
  CLONE_NEWNS: 0x00020000,
  CLONE_NEWCGROUP: 0x02000000,
  CLONE_NEWUTS: 0x04000000,
  CLONE_NEWIPC: 0x08000000,
  CLONE_NEWUSER: 0x10000000,
  CLONE_NEWPID: 0x20000000,
  CLONE_NEWNET: 0x40000000,
  CLONE_NEWTIME: 0x00000080,
} as const;
