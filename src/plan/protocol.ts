// The one wire format between TypeScript and the C executor (STYLE.md "What ocirt takes").
// scripts/gen-protocol-header.ts turns these tables into native/build/protocol.h; the C parser
// rejects any record type it does not know. Change a number here and both sides follow.
//
// A message is a sequence of records, little-endian:
//
//   record  := u32 type | u32 length | payload[length]
//   payload := u32 argc | arg*argc
//   arg     := u8 kind | u32 length | bytes[length]   (kind 's': a string with its NUL; 'i': an 8-byte i64)
//
// The plan (CLI → executor, a file in the state directory):
//
//   VERSION(1)  STAGE(0) step*  STAGE(1) step*  STAGE(2) step*  END
//
//   stage 0  the executor itself, in the host's namespaces (join the cgroup, open the start socket)
//   stage 1  a forked child: join namespaces by path, create new ones, get its id maps written
//   stage 2  the init, forked by stage 1 into the new PID namespace: mounts, pivot_root, hostname…
//
// The process (start → init over the start socket): VERSION(1) STAGE(3) step* END, the last step EXEC.
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
  MOUNT: { code: 21, args: 'sssis' }, // source, target, fstype, flags, data ("" = NULL)
  MOUNT_SETATTR: { code: 22, args: 'siiii' }, // target, attr_set, attr_clr, propagation, at_flags
  MKDIR_P: { code: 23, args: 'si' }, // path, mode
  MKFILE_P: { code: 24, args: 's' }, // path: an empty file unless something is there; parents 0755
  MKNOD: { code: 25, args: 'siiiii' }, // path, mode, major, minor, uid, gid
  SYMLINK: { code: 26, args: 'ss' }, // target, linkpath
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
