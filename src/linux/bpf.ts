// Loading and attaching the cgroup v2 device program (config-linux.md "Allowed Device list";
// device-bpf.ts builds it) with bpf(2) through ffi.ts. The attachment lives with the cgroup: every
// fd here is closed before returning, and removing the cgroup releases the program.
//
// Programs are attached with BPF_F_ALLOW_MULTI, so others on the same cgroup (systemd's) keep
// working: the kernel allows an access only when every attached program does. `ocirt update`
// attaches the new program before detaching the old ones, so there is never a moment without one
// (only a moment where both apply, which is stricter). Only programs with ocirt's name are detached.
//
// bpf_attr and bpf_prog_info are written and read in little-endian order, as on x86_64 and aarch64,
// the architectures ffi.ts knows the syscall number of.
import { closeSync, constants, openSync } from 'node:fs';
import { OciError, messageOf } from '../errors.ts';
import { addressOf, bpf, describeErrno, SyscallError } from './ffi.ts';

const FIELD = 'linux.resources.devices';

// linux/bpf.h
const BPF_PROG_LOAD = 5;
const BPF_PROG_ATTACH = 8;
const BPF_PROG_DETACH = 9;
const BPF_PROG_GET_FD_BY_ID = 13;
const BPF_OBJ_GET_INFO_BY_FD = 15;
const BPF_PROG_QUERY = 16;
const BPF_PROG_TYPE_CGROUP_DEVICE = 15;
const BPF_CGROUP_DEVICE = 6; // enum bpf_attach_type
const BPF_F_ALLOW_MULTI = 2;
const BPF_CGROUP_MAX_PROGS = 64; // kernel/bpf/cgroup.c: the most programs one attach point takes
const ENOENT = 2;
/** Room for every command used here; the kernel requires the bytes it does not know to be zero. */
const ATTR_SIZE = 128;
/** offsetof(struct bpf_prog_info, name), and the name's size (BPF_OBJ_NAME_LEN) */
const INFO_NAME = 64;
const NAME_LEN = 16;
/** runc's license string; a device program calls no GPL-only helper. */
const LICENSE = Buffer.from('Apache\0');
/** What `bpftool prog` shows, and how replaceDeviceProgram tells ocirt's programs from others. */
export const DEVICE_PROGRAM_NAME = 'ocirt_devices';
const VERIFIER_LOG_SIZE = 1 << 20;

/** A syscall failure as a cgroup error: "linux.resources.devices: <doing>: <errno text>[: <detail>]". */
function failure(doing: string, err: unknown, detail = ''): OciError {
  const why = err instanceof SyscallError ? describeErrno(err.errno) : messageOf(err);
  return new OciError('cgroup', `${FIELD}: ${doing}: ${why}${detail ? `: ${detail}` : ''}`, err);
}

const isErrno = (err: unknown, errno: number) => err instanceof SyscallError && err.errno === errno;

/** A zeroed bpf_attr with u32 fields at the given byte offsets. */
function attr(u32s: Record<number, number>): Buffer {
  const a = Buffer.alloc(ATTR_SIZE);
  for (const [offset, v] of Object.entries(u32s)) a.writeUInt32LE(v, Number(offset));
  return a;
}

const pointer = (a: Buffer, offset: number, to: Buffer) => a.writeBigUInt64LE(BigInt(addressOf(to)), offset);

function progLoad(insns: Buffer, log: Buffer | undefined): number {
  // prog_type, insn_cnt, insns, license, log_level, log_size, log_buf, …, prog_name
  const a = attr({ 0: BPF_PROG_TYPE_CGROUP_DEVICE, 4: insns.length / 8, 24: log ? 1 : 0, 28: log?.length ?? 0 });
  pointer(a, 8, insns);
  pointer(a, 16, LICENSE);
  if (log) pointer(a, 32, log);
  a.write(DEVICE_PROGRAM_NAME, 48, NAME_LEN - 1, 'latin1');
  return bpf('bpf(BPF_PROG_LOAD)', BPF_PROG_LOAD, a);
}

/** The verifier's reason: the last line of its log before the "processed N insns" summary. */
function verifierReason(log: string): string {
  const lines = log.split('\0')[0]!.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('processed '));
  return lines.at(-1) ?? '';
}

/** Loads the program; returns its fd. As libbpf does, only a failed load is retried with the verifier's log (a log can itself fail a load: ENOSPC when full). */
function loadProgram(insns: Buffer): number {
  if (insns.length === 0 || insns.length % 8 !== 0) throw new OciError('internal', `${FIELD}: ${insns.length} bytes are not whole eBPF instructions`);
  try {
    return progLoad(insns, undefined);
  } catch {
    const log = Buffer.alloc(VERIFIER_LOG_SIZE);
    try {
      return progLoad(insns, log);
    } catch (err) {
      throw failure('loading the device program', err, verifierReason(log.toString('latin1')));
    }
  }
}

function openCgroup(dir: string): number {
  try {
    return openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  } catch (err) {
    throw new OciError('cgroup', `${FIELD}: opening the cgroup ${dir}: ${(err as NodeJS.ErrnoException).code ?? messageOf(err)}`, err);
  }
}

/** `fn(fd)`, then `fd` closed. */
function withFd<T>(fd: number, fn: (fd: number) => T): T {
  try {
    return fn(fd);
  } finally {
    closeSync(fd);
  }
}

/** `fn()`, closing `fd` only if it throws. */
function withFdOnError<T>(fd: number, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

function attach(dirFd: number, progFd: number, dir: string): void {
  try {
    bpf('bpf(BPF_PROG_ATTACH)', BPF_PROG_ATTACH, attr({ 0: dirFd, 4: progFd, 8: BPF_CGROUP_DEVICE, 12: BPF_F_ALLOW_MULTI }));
  } catch (err) {
    throw failure(`attaching the device program to ${dir}`, err);
  }
}

/** The ids of the device programs attached to this cgroup itself (not those inherited from its parents). */
function queryIds(dirFd: number, dir: string): number[] {
  const ids = Buffer.alloc(4 * BPF_CGROUP_MAX_PROGS);
  // target_fd, attach_type, query_flags, attach_flags, prog_ids, prog_cnt
  const a = attr({ 0: dirFd, 4: BPF_CGROUP_DEVICE, 24: BPF_CGROUP_MAX_PROGS });
  pointer(a, 16, ids);
  try {
    bpf('bpf(BPF_PROG_QUERY)', BPF_PROG_QUERY, a);
  } catch (err) {
    throw failure(`listing the device programs of ${dir}`, err);
  }
  return Array.from({ length: a.readUInt32LE(24) }, (_, i) => ids.readUInt32LE(4 * i));
}

/** An fd for program `id`, or undefined when it has gone since it was listed. */
function progFdById(id: number): number | undefined {
  try {
    return bpf('bpf(BPF_PROG_GET_FD_BY_ID)', BPF_PROG_GET_FD_BY_ID, attr({ 0: id }));
  } catch (err) {
    if (isErrno(err, ENOENT)) return undefined;
    throw failure(`opening device program ${id}`, err);
  }
}

function progName(progFd: number, id: number): string {
  const info = Buffer.alloc(INFO_NAME + NAME_LEN);
  const a = attr({ 0: progFd, 4: info.length }); // bpf_fd, info_len, info
  pointer(a, 8, info);
  try {
    bpf('bpf(BPF_OBJ_GET_INFO_BY_FD)', BPF_OBJ_GET_INFO_BY_FD, a);
  } catch (err) {
    throw failure(`reading device program ${id}`, err);
  }
  return info.toString('latin1', INFO_NAME, INFO_NAME + NAME_LEN).split('\0')[0]!;
}

interface Held {
  id: number;
  fd: number;
  name: string;
}

/** The programs attached to the cgroup itself, with fds the caller closes: held, an id cannot be reused before a detach. */
function holdPrograms(dirFd: number, dir: string): Held[] {
  const held: Held[] = [];
  try {
    for (const id of queryIds(dirFd, dir)) {
      const fd = progFdById(id);
      if (fd === undefined) continue;
      held.push({ id, fd, name: withFdOnError(fd, () => progName(fd, id)) });
    }
    return held;
  } catch (err) {
    for (const { fd } of held) closeSync(fd);
    throw err;
  }
}

/** The device programs attached to `cgroupDir` itself (not its parents'), with their names. */
export function attachedDevicePrograms(cgroupDir: string): Array<{ id: number; name: string }> {
  return withFd(openCgroup(cgroupDir), (dirFd) => {
    const held = holdPrograms(dirFd, cgroupDir);
    for (const { fd } of held) closeSync(fd);
    return held.map(({ id, name }) => ({ id, name }));
  });
}

/** Loads `insns` (device-bpf.ts deviceProgram) and attaches it to the cgroup directory `cgroupDir`. */
export function attachDeviceProgram(cgroupDir: string, insns: Buffer): void {
  withFd(openCgroup(cgroupDir), (dirFd) => withFd(loadProgram(insns), (progFd) => attach(dirFd, progFd, cgroupDir)));
}

/** Attaches `insns` to `cgroupDir`, then detaches ocirt's programs that were there before (`ocirt update`). */
export function replaceDeviceProgram(cgroupDir: string, insns: Buffer): void {
  withFd(openCgroup(cgroupDir), (dirFd) => {
    const held = holdPrograms(dirFd, cgroupDir);
    try {
      withFd(loadProgram(insns), (progFd) => attach(dirFd, progFd, cgroupDir));
      for (const p of held) if (p.name === DEVICE_PROGRAM_NAME) detach(dirFd, p, cgroupDir);
    } finally {
      for (const { fd } of held) closeSync(fd);
    }
  });
}

function detach(dirFd: number, { id, fd }: Held, dir: string): void {
  try {
    bpf('bpf(BPF_PROG_DETACH)', BPF_PROG_DETACH, attr({ 0: dirFd, 4: fd, 8: BPF_CGROUP_DEVICE }));
  } catch (err) {
    if (!isErrno(err, ENOENT)) throw failure(`detaching the previous device program ${id} from ${dir} (the new one is attached)`, err);
  }
}
