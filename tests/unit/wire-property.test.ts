// Property: whatever steps the plan holds — any op of src/plan/protocol.ts with arguments of the kinds
// its signature says — what encodeMessage writes is what native/executor/wire.c parses. The executor's
// `print` mode shows each record as it parsed it (type, then " kind:hex" per argument); the expected
// lines are computed here from the steps, independently of wire.ts (strings: UTF-8 and a NUL; ints:
// 8 bytes little-endian two's complement; bytes as they are).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { launch, describeStepError } from '../../src/linux/executor.ts';
import { paths } from '../../src/paths.ts';
import { Op, PROTOCOL_VERSION, Rec, type OpName } from '../../src/plan/protocol.ts';
import { encodeMessage, type Arg, type Step } from '../../src/plan/wire.ts';

const work = mkdtempSync(join(tmpdir(), 'ocirt-wire-prop-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function print(message: Buffer): string[] {
  const file = join(work, 'plan.bin');
  writeFileSync(file, message);
  return execFileSync(paths.executor, ['print', file], { encoding: 'utf8', maxBuffer: 64 << 20 }).split('\n').filter((l) => l !== '');
}

// ---- the expectation, from the steps alone ----

const hex = (bytes: Iterable<number>) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');

/** UTF-8 by hand (code points of a well-formed string), then the NUL. */
function utf8z(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  out.push(0);
  return out;
}

/** 8 bytes, little-endian, two's complement. */
function le64(v: number | bigint): number[] {
  let u = BigInt(v);
  if (u < 0n) u += 1n << 64n;
  return Array.from({ length: 8 }, (_, i) => Number((u >> BigInt(8 * i)) & 0xffn));
}

function expectArg(a: Arg): string {
  if (typeof a === 'string') return ` s:${hex(utf8z(a))}`;
  if (a instanceof Uint8Array) return ` b:${hex(a)}`;
  return ` i:${hex(le64(a))}`;
}

function expectedLines(stages: Array<[number, Step[]]>): string[] {
  const lines = [`${Rec.VERSION} i:${hex(le64(PROTOCOL_VERSION))}`];
  for (const [stage, steps] of stages) {
    lines.push(`${Rec.STAGE} i:${hex(le64(stage))}`);
    for (const s of steps) lines.push(`${Op[s.op].code}${s.args.map(expectArg).join('')}`);
  }
  lines.push(`${Rec.END}`);
  return lines;
}

// ---- arbitraries, from the signatures ----

/** The first code points of s that fit n bytes of UTF-8, padded with "x" to exactly n. */
function fitBytes(s: string, n: number): string {
  let out = '';
  let len = 0;
  for (const ch of s) {
    const w = Buffer.byteLength(ch);
    if (len + w > n) break;
    out += ch;
    len += w;
  }
  return out + 'x'.repeat(n - len);
}

const byteLength = fc.oneof(fc.constantFrom(0, 1, 6, 7, 8, 9, 15, 16, 17, 255, 256, 299, 300), fc.integer({ min: 0, max: 300 }));
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }), // any code point: 1 to 4 bytes each
  fc.string({ unit: 'grapheme', maxLength: 100 }),
  fc.string({ unit: fc.constantFrom('é', '€', '😀', 'ß', '中', 'a', '/'), maxLength: 150 }),
);
const str = fc.tuple(text, byteLength).map(([s, n]) => fitBytes(s.replaceAll('\0', ''), n));

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const int: fc.Arbitrary<number | bigint> = fc.oneof(
  fc.constantFrom<number | bigint>(I64_MIN, -1n, 0n, I64_MAX, -1, 0, 1, 2 ** 31, -(2 ** 31), 2 ** 32, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER),
  fc.bigInt({ min: I64_MIN, max: I64_MAX }),
  fc.integer(),
  fc.maxSafeInteger(),
);
const bytes = fc.uint8Array({ maxLength: 300 });

const KIND: Record<string, fc.Arbitrary<Arg>> = { s: str, i: int, b: bytes };

/** Arguments for a signature such as "siiii", "i*i" or "*s": the fixed ones, then 0..5 of the tail's kind. */
function argsFor(sig: string): fc.Arbitrary<Arg[]> {
  const star = sig.indexOf('*');
  const fixed = [...(star < 0 ? sig : sig.slice(0, star))].map((k) => KIND[k]!);
  const tail = star < 0 ? fc.constant([] as Arg[]) : fc.array(KIND[sig[star + 1]!]!, { maxLength: 5 });
  return fc.tuple(fc.tuple(...fixed), tail).map(([f, t]) => [...f, ...t]);
}

const OPS = Object.keys(Op) as OpName[];
const step: fc.Arbitrary<Step> = fc.constantFrom(...OPS).chain((op) => argsFor(Op[op].args).map((args) => ({ op, args, label: op })));
const stages = fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.array(step, { maxLength: 8 })), { minLength: 1, maxLength: 4 });

describe('the wire format, TypeScript encoder against the C parser', () => {
  it('the executor is built', () => {
    expect(existsSync(paths.executor), `${paths.executor}: run npm run build:native`).toBe(true);
  });

  it('the expectation itself: a few records by hand', () => {
    expect(utf8z('é€😀')).toEqual([0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80, 0]);
    expect(hex(le64(-1n))).toBe('ffffffffffffffff');
    expect(hex(le64(I64_MIN))).toBe('0000000000000080');
    expect(hex(le64(258))).toBe('0201000000000000');
    expect(expectedLines([[0, [{ op: 'NO_NEW_PRIVS', args: [], label: '' }]]])).toEqual(['1 i:0100000000000000', '2 i:0000000000000000', '54', '3']);
  });

  it('every op, every kind of argument: the C parser reads back exactly the records the steps describe', () => {
    fc.assert(
      fc.property(stages, (st) => {
        expect(print(encodeMessage(st))).toEqual(expectedLines(st));
      }),
      { numRuns: 200 },
    );
  });

  it('covers every op of the table and the edges of each kind', () => {
    // the arbitraries above reach each op and the extremes; shown once, deterministically
    const one: Step[] = OPS.map((op) => {
      const sig: string = Op[op].args;
      const sample: Record<string, Arg> = { s: 'abcdefg', i: I64_MIN, b: Uint8Array.of(0, 255, 0) };
      const args = [...sig.replace(/\*./, '')].map((k) => sample[k]!);
      if (sig.includes('*')) args.push(sample[sig[sig.indexOf('*') + 1]!]!, sample[sig[sig.indexOf('*') + 1]!]!);
      return { op, args, label: op };
    });
    const edges: Step[] = [
      { op: 'ENV', args: ['', 'x'.repeat(300), '1234567', '12345678', 'é€😀'], label: 'strings' },
      { op: 'SETGROUPS', args: [I64_MIN, -1n, 0n, I64_MAX, -1, 0, Number.MAX_SAFE_INTEGER], label: 'ints' },
      { op: 'SETGROUPS', args: [], label: 'empty tail' },
      { op: 'SECCOMP_LOAD', args: [new Uint8Array(0), 0, -1, ''], label: 'empty bytes' },
      { op: 'SECCOMP_LOAD', args: [new Uint8Array(300).fill(0), 1, 63, '{}'], label: 'NUL bytes' },
    ];
    const msg: Array<[number, Step[]]> = [[0, one], [3, edges], [4, []]];
    expect(print(encodeMessage(msg))).toEqual(expectedLines(msg));
  });
});

describe('a 7-byte first string (8 bytes with its NUL, the size of an i64)', () => {
  it('round-trips: SETHOSTNAME "barhost"', () => {
    const msg: Array<[number, Step[]]> = [[2, [{ op: 'SETHOSTNAME', args: ['barhost'], label: 'hostname' }]]];
    expect(print(encodeMessage(msg))).toEqual(['1 i:0100000000000000', '2 i:0200000000000000', `${Op.SETHOSTNAME.code} s:626172686f737400`, '3']);
  });
  it('names the path in a failed step\'s description (run_step takes the first string by kind, not length)', async () => {
    const dir = mkdtempSync(join(work, 'state-'));
    const steps: Step[] = [{ op: 'CHDIR', args: ['/nopath'], label: 'process.cwd (/nopath)' }];
    const l = await launch('create', dir, encodeMessage([[0, steps]]));
    expect(await l.exited).toBe(1);
    expect(l.error).toMatchObject({ step: 0, errno: 2 });
    expect(l.error!.context).toContain('/nopath');
    expect(l.error!.context).toBe('chdir /nopath');
    expect(describeStepError(l.error!, steps.map((s) => s.label))).toBe('process.cwd (/nopath): chdir /nopath: no such file or directory');
  });
});
