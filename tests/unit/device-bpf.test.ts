// deviceProgram without root: a small interpreter for exactly the eBPF it emits runs the program
// over device accesses, and a plain model of the rules says what the answer should be — for every
// access bit asked for, the last rule that matches the device and names the bit decides; none is a
// deny (config-linux.md "Allowed Device list", read as the v1 devices controller).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DeviceRule } from '../../src/linux/cgroup-devices.ts';
import { deviceProgram, encodeInsns, insn, OP } from '../../src/linux/device-bpf.ts';

// struct bpf_cgroup_dev_ctx values
const BLOCK = 1;
const CHAR = 2;
const M = 1;
const R = 2;
const W = 4;

interface Access {
  type: number;
  major: number;
  minor: number;
  access: number;
}

const u32 = (v: number) => v >>> 0;

/** Runs the program on one access: its return value. Throws on anything outside the emitted subset. */
function run(prog: Buffer, ctx: Access): number {
  expect(prog.length % 8).toBe(0);
  const mem = [u32(ctx.type | (ctx.access << 16)), ctx.major, ctx.minor];
  const reg: Array<number | undefined> = [undefined, undefined, undefined, undefined, undefined, undefined];
  reg[1] = -1; // the ctx pointer: only loads through it are allowed
  const get = (r: number) => {
    const v = reg[r];
    if (v === undefined || r === 1) throw new Error(`read of r${r}, not written`);
    return v;
  };
  for (let pc = 0, steps = 0; steps < 100_000; steps++) {
    if (pc < 0 || 8 * pc >= prog.length) throw new Error(`pc ${pc} is outside the program`);
    const code = prog[8 * pc]!;
    const dst = prog[8 * pc + 1]! & 0xf;
    const src = prog[8 * pc + 1]! >> 4;
    const off = prog.readInt16LE(8 * pc + 2);
    const imm = prog.readInt32LE(8 * pc + 4);
    if (dst === 1 || dst > 5) throw new Error(`insn ${pc} writes r${dst}`);
    pc++;
    switch (code) {
      case OP.LDX_W:
        if (src !== 1 || off % 4 !== 0 || off < 0 || off > 8) throw new Error(`bad load at ${pc - 1}`);
        reg[dst] = mem[off / 4];
        break;
      case OP.MOV32_K:
        reg[dst] = u32(imm);
        break;
      case OP.MOV32_X:
        reg[dst] = get(src);
        break;
      case OP.AND32_K:
        reg[dst] = u32(get(dst) & imm);
        break;
      case OP.RSH32_K:
        reg[dst] = get(dst) >>> imm;
        break;
      case OP.JEQ32_K:
      case OP.JNE32_K:
        if (off < 0) throw new Error('backward jump'); // the verifier's rule for a program without loops
        if ((get(dst) === u32(imm)) === (code === OP.JEQ32_K)) pc += off;
        break;
      case OP.EXIT:
        return get(0);
      default:
        throw new Error(`opcode 0x${code.toString(16)} is not in the emitted subset`);
    }
  }
  throw new Error('no exit');
}

const wild = (n: number | null | undefined) => n === undefined || n === null || n < 0;

/** The reference: per access bit asked for, the last matching rule naming it; none is a deny. */
function model(rules: readonly DeviceRule[], ctx: Access): boolean {
  const matches = (r: DeviceRule) =>
    (r.type === undefined || r.type === 'a' || (r.type === 'c' ? CHAR : BLOCK) === ctx.type) &&
    (wild(r.major) || r.major === ctx.major) &&
    (wild(r.minor) || r.minor === ctx.minor);
  const bits = [M, R, W].filter((b) => ctx.access & b);
  const letter = { [M]: 'm', [R]: 'r', [W]: 'w' } as Record<number, string>;
  return bits.every((b) => rules.filter((r) => matches(r) && (r.access ?? 'rwm').includes(letter[b]!)).at(-1)?.allow === true);
}

const allowed = (rules: DeviceRule[], ctx: Access) => run(deviceProgram(rules), ctx) === 1;
const dev = (type: number, major: number, minor: number, access: number): Access => ({ type, major, minor, access });
const NULL = (access = R | W) => dev(CHAR, 1, 3, access);
const ZERO = (access = R | W) => dev(CHAR, 1, 5, access);

describe('deviceProgram: named cases', () => {
  it('an empty list denies everything (default deny)', () => {
    for (const ctx of [NULL(), NULL(M), dev(BLOCK, 8, 0, R), dev(CHAR, 0, 0, W)]) expect(allowed([], ctx)).toBe(false);
  });
  it('deny all, then allow /dev/null', () => {
    const rules: DeviceRule[] = [{ allow: false, access: 'rwm' }, { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' }];
    expect(allowed(rules, NULL())).toBe(true);
    expect(allowed(rules, NULL(M))).toBe(true);
    expect(allowed(rules, ZERO())).toBe(false);
    expect(allowed(rules, dev(BLOCK, 1, 3, R))).toBe(false);
  });
  it('allow all, then deny one device: the later deny wins, the rest stays allowed', () => {
    const rules: DeviceRule[] = [{ allow: true }, { allow: false, type: 'c', major: 1, minor: 5 }];
    expect(allowed(rules, ZERO(R))).toBe(false);
    expect(allowed(rules, NULL())).toBe(true);
    expect(allowed(rules, dev(BLOCK, 1, 5, R))).toBe(true);
  });
  it('a deny of one access bit refuses any request that asks for it', () => {
    const rules: DeviceRule[] = [{ allow: true }, { allow: false, type: 'c', major: 1, minor: 3, access: 'w' }];
    expect(allowed(rules, NULL(R))).toBe(true);
    expect(allowed(rules, NULL(W))).toBe(false);
    expect(allowed(rules, NULL(R | W))).toBe(false);
    expect(allowed(rules, NULL(M))).toBe(true);
  });
  it('an earlier rule comes back into force when a later one does not match', () => {
    const rules: DeviceRule[] = [{ allow: true, type: 'c', major: 1 }, { allow: false, type: 'c', major: 1, minor: 3 }, { allow: true, type: 'c', major: 1, minor: 3, access: 'r' }];
    expect(allowed(rules, NULL(R))).toBe(true);
    expect(allowed(rules, NULL(W))).toBe(false);
    expect(allowed(rules, ZERO(W))).toBe(true);
  });
  it('wildcard majors and minors: null, absent and negative all mean every number', () => {
    const rules: DeviceRule[] = [{ allow: true, type: 'c', major: null, minor: 3 }, { allow: true, type: 'c', major: 136, minor: -1 }];
    expect(allowed(rules, dev(CHAR, 7, 3, R))).toBe(true);
    expect(allowed(rules, dev(CHAR, 136, 12345, R | W))).toBe(true);
    expect(allowed(rules, dev(CHAR, 7, 4, R))).toBe(false);
    expect(allowed([{ allow: true, type: 'b' }], dev(BLOCK, 8, 1, R))).toBe(true);
    expect(allowed([{ allow: true, type: 'b' }], dev(CHAR, 8, 1, R))).toBe(false);
  });
  it("type 'a' (or none) matches both char and block devices, with the numbers still checked", () => {
    for (const type of ['a', undefined]) {
      const rules: DeviceRule[] = [{ allow: true, type, major: 8, minor: 0 }];
      expect(allowed(rules, dev(CHAR, 8, 0, R))).toBe(true);
      expect(allowed(rules, dev(BLOCK, 8, 0, R))).toBe(true);
      expect(allowed(rules, dev(BLOCK, 8, 1, R))).toBe(false);
    }
  });
  it("access subsets: 'rw' allows reads and writes but not mknod", () => {
    const rules: DeviceRule[] = [{ allow: false }, { allow: true, type: 'c', major: 1, minor: 3, access: 'rw' }];
    expect(allowed(rules, NULL(R))).toBe(true);
    expect(allowed(rules, NULL(W))).toBe(true);
    expect(allowed(rules, NULL(R | W))).toBe(true);
    expect(allowed(rules, NULL(M))).toBe(false);
    expect(allowed(rules, NULL(R | W | M))).toBe(false);
    expect(allowed([{ allow: true, type: 'c', access: 'm' }], NULL(M))).toBe(true);
    expect(allowed([{ allow: true, type: 'c', access: 'm' }], NULL(R))).toBe(false);
  });
  it('two allows for one device add up, as v1 merges them: r then w allows rw', () => {
    const rules: DeviceRule[] = [{ allow: true, type: 'c', major: 1, minor: 3, access: 'r' }, { allow: true, type: 'c', major: 1, minor: 3, access: 'w' }];
    expect(allowed(rules, NULL(R | W))).toBe(true);
    expect(allowed(rules, NULL(R | W | M))).toBe(false);
  });
  it('device numbers of 2^31 and above compare as unsigned 32-bit numbers', () => {
    const rules: DeviceRule[] = [{ allow: true, type: 'c', major: 0xffffffff, minor: 2 ** 31 }];
    expect(allowed(rules, dev(CHAR, 0xffffffff, 2 ** 31, R))).toBe(true);
    expect(allowed(rules, dev(CHAR, 0x7fffffff, 2 ** 31, R))).toBe(false);
  });
});

describe('deviceProgram: shape and validation', () => {
  it('is the prologue, one block per rule (last rule first), and the default deny', () => {
    const prog = deviceProgram([{ allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' }]);
    // 6 loads and shifts, 3 device checks + 4 for the allow, mov r0 0 and exit
    expect(prog.length / 8).toBe(6 + 3 + 4 + 2);
    expect(deviceProgram([]).length / 8).toBe(8);
    expect(prog.subarray(-16)).toEqual(encodeInsns([insn(OP.MOV32_K, 0, 0, 0, 0), insn(OP.EXIT)]));
  });
  it('encodes instructions as struct bpf_insn, little-endian', () => {
    expect(encodeInsns([insn(OP.LDX_W, 2, 1, 4, 0), insn(OP.AND32_K, 3, 0, 0, -8)]).toString('hex')).toBe('6112040000000000' + '54030000f8ffffff');
  });
  it('refuses a bad type, access or device number, naming the field', () => {
    expect(() => deviceProgram([{ allow: true, type: 'p' }])).toThrow('linux.resources.devices[0].type: "p" is not a, c or b');
    expect(() => deviceProgram([{ allow: true }, { allow: true, access: 'rx' }])).toThrow('linux.resources.devices[1].access: "rx" is not a combination of r, w and m');
    expect(() => deviceProgram([{ allow: true, access: '' }])).toThrow('linux.resources.devices[0].access: "" is not a combination of r, w and m');
    expect(() => deviceProgram([{ allow: true, major: 1.5 }])).toThrow('linux.resources.devices[0].major: 1.5 is not a device number');
    expect(() => deviceProgram([{ allow: true, minor: 2 ** 32 }])).toThrow('linux.resources.devices[0].minor: 4294967296 is not a device number');
    expect(() => deviceProgram([{ allow: true }, { allow: true, type: 'x' }], ['default devices', 'linux.devices[3]'])).toThrow('linux.devices[3].type: "x" is not a, c or b');
  });
});

const NUMBERS = [0, 1, 3, 5, 136, 2 ** 31, 0xffffffff];
const rule: fc.Arbitrary<DeviceRule> = fc.record(
  {
    allow: fc.boolean(),
    type: fc.constantFrom('a', 'c', 'b'),
    major: fc.oneof(fc.constantFrom(...NUMBERS), fc.constantFrom(null, -1)),
    minor: fc.oneof(fc.constantFrom(...NUMBERS), fc.constantFrom(null, -1)),
    access: fc.subarray(['r', 'w', 'm'], { minLength: 1 }).chain((bits) => fc.shuffledSubarray(bits, { minLength: bits.length }).map((b) => b.join(''))),
  },
  { requiredKeys: ['allow'] },
);
const access: fc.Arbitrary<Access> = fc.record({
  type: fc.constantFrom(BLOCK, CHAR),
  major: fc.constantFrom(...NUMBERS),
  minor: fc.constantFrom(...NUMBERS),
  access: fc.integer({ min: 1, max: 7 }), // the kernel always asks for at least one
});

describe('deviceProgram: property', () => {
  it('agrees with the reference model on random rule lists and accesses', () => {
    fc.assert(
      fc.property(fc.array(rule, { maxLength: 10 }), fc.array(access, { minLength: 1, maxLength: 20 }), (rules, ctxs) => {
        const prog = deviceProgram(rules);
        for (const ctx of ctxs) expect(run(prog, ctx) === 1, JSON.stringify({ rules, ctx })).toBe(model(rules, ctx));
      }),
      { numRuns: 500 },
    );
  });
});
