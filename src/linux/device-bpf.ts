// config-linux.md "Allowed Device list" (linux.resources.devices) on cgroup v2: the rules become a
// BPF_PROG_TYPE_CGROUP_DEVICE program (bpf.ts loads and attaches it). Pure: rules in, eBPF out.
//
// Semantics are the v1 devices controller's, read as "the last matching rule wins", per access bit:
// a request (one or more of r, w, m at once: open(O_RDWR) asks for rw) is allowed when, for each bit
// it asks for, the last rule that matches the device and names that bit is an allow. No such rule
// means deny. So an allow-all followed by denies works, and "allow c 1:3 r" then "allow c 1:3 w"
// allows rw, as v1 merges the two. runc's filter instead needs one rule to cover every bit asked
// for, for denies too: after allow-all, "deny c 1:3 w" would not stop an rw open there.
//
// The program walks the rules from the last to the first. r3 holds the requested bits not yet
// decided: an allow that matches clears its bits and returns 1 once none are left; a deny that
// matches any of them returns 0. Falling off the first rule returns 0 (the kernel's EPERM).
import { specError } from '../errors.ts';
import type { DeviceRule } from './cgroup-devices.ts';

/** One eBPF instruction (linux/bpf.h struct bpf_insn). */
export interface Insn {
  code: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
}

// linux/bpf_common.h and linux/bpf.h: class | op | source.
export const OP = {
  LDX_W: 0x61, // dst = *(u32 *)(src + off)
  MOV32_K: 0xb4, // dst = imm (32-bit, zero-extended)
  MOV32_X: 0xbc, // dst = src (32-bit)
  AND32_K: 0x54, // dst &= imm
  RSH32_K: 0x74, // dst >>= imm
  JEQ32_K: 0x16, // JMP32 (kernel 5.1): compares the low 32 bits, so a u32 device number needs no sign games
  JNE32_K: 0x56,
  EXIT: 0x95, // return r0
} as const;

export const insn = (code: number, dst = 0, src = 0, off = 0, imm = 0): Insn => ({ code, dst, src, off, imm });

/** struct bpf_insn[]: code u8, dst_reg:4 | src_reg:4 u8, off s16, imm s32, little-endian (x86_64, aarch64). */
export function encodeInsns(insns: readonly Insn[]): Buffer {
  const buf = Buffer.alloc(8 * insns.length);
  insns.forEach((i, n) => {
    buf.writeUInt8(i.code, 8 * n);
    buf.writeUInt8((i.src << 4) | i.dst, 8 * n + 1);
    buf.writeInt16LE(i.off, 8 * n + 2);
    buf.writeInt32LE(i.imm | 0, 8 * n + 4);
  });
  return buf;
}

// struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; }: access_type is the device
// type (BPF_DEVCG_DEV_BLOCK 1, _CHAR 2) in its low 16 bits, the access (BPF_DEVCG_ACC_MKNOD 1,
// _READ 2, _WRITE 4) in its high 16.
const TYPE: Record<string, number> = { b: 1, c: 2 };
const ACCESS: Record<string, number> = { m: 1, r: 2, w: 4 };
const R0 = 0, R1 = 1, R2 = 2, R3 = 3, R4 = 4, R5 = 5;

const PROLOGUE: Insn[] = [
  insn(OP.LDX_W, R2, R1, 0), // r2 = type
  insn(OP.AND32_K, R2, 0, 0, 0xffff),
  insn(OP.LDX_W, R3, R1, 0), // r3 = access asked for
  insn(OP.RSH32_K, R3, 0, 0, 16),
  insn(OP.LDX_W, R4, R1, 4), // r4 = major
  insn(OP.LDX_W, R5, R1, 8), // r5 = minor
];
const DEFAULT_DENY: Insn[] = [insn(OP.MOV32_K, R0, 0, 0, 0), insn(OP.EXIT)];

interface Checked {
  allow: boolean;
  type: number | undefined;
  major: number | undefined;
  minor: number | undefined;
  access: number;
}

/** A device number, or undefined for every one (null, absent or negative, as the v1 "*"). */
function deviceNumber(v: number | null | undefined, field: string): number | undefined {
  if (v === undefined || v === null || v < 0) return undefined;
  if (!Number.isInteger(v) || v > 0xffffffff) throw specError(`${field}: ${v} is not a device number`);
  return v;
}

/** The rule checked as cgroup-devices.ts ruleLines checks it, with the same messages. */
function check(r: DeviceRule, field: string): Checked {
  const type = r.type ?? 'a';
  if (!['a', 'c', 'b'].includes(type)) throw specError(`${field}.type: ${JSON.stringify(type)} is not a, c or b`);
  const access = r.access ?? 'rwm';
  if (!/^[rwm]{1,3}$/.test(access)) throw specError(`${field}.access: ${JSON.stringify(access)} is not a combination of r, w and m`);
  const bits = [...access].reduce((m, c) => m | (ACCESS[c] ?? 0), 0);
  return { allow: r.allow, type: TYPE[type], major: deviceNumber(r.major, `${field}.major`), minor: deviceNumber(r.minor, `${field}.minor`), access: bits };
}

/** One rule's block; every jump in it goes to its end (the next rule down). */
function ruleBlock(r: Checked): Insn[] {
  const tests: Array<[number, number | undefined]> = [[R2, r.type], [R4, r.major], [R5, r.minor]];
  const body = tests.filter(([, v]) => v !== undefined).map(([reg, v]) => insn(OP.JNE32_K, reg, 0, 0, v));
  if (r.allow) {
    body.push(insn(OP.AND32_K, R3, 0, 0, ~r.access), insn(OP.JNE32_K, R3, 0, 0, 0), insn(OP.MOV32_K, R0, 0, 0, 1), insn(OP.EXIT));
  } else {
    body.push(insn(OP.MOV32_X, R0, R3), insn(OP.AND32_K, R0, 0, 0, r.access), insn(OP.JEQ32_K, R0, 0, 0, 0), insn(OP.MOV32_K, R0, 0, 0, 0), insn(OP.EXIT));
  }
  return body.map((i, n) => (i.code === OP.JNE32_K || i.code === OP.JEQ32_K ? { ...i, off: body.length - n - 1 } : i));
}

/**
 * The device program for `rules` in config order. `fields[i]` names rule i in errors (default
 * `linux.resources.devices[i]`); a bad type, access or device number is a spec error naming it.
 */
export function deviceProgram(rules: readonly DeviceRule[], fields: readonly string[] = []): Buffer {
  const checked = rules.map((r, i) => check(r, fields[i] ?? `linux.resources.devices[${i}]`));
  const blocks = checked.reverse().flatMap(ruleBlock);
  return encodeInsns([...PROLOGUE, ...blocks, ...DEFAULT_DENY]);
}
