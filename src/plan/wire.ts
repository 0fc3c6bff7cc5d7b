// Encodes plans and decodes frames in the format drawn at the top of protocol.ts.
import { Op, PROTOCOL_VERSION, Rec, type OpName } from './protocol.ts';

/** 's' a string, 'i' an integer (i64), 'b' raw bytes. */
export type Arg = string | number | bigint | Uint8Array;

const kindOf = (a: Arg): 's' | 'i' | 'b' => (typeof a === 'string' ? 's' : a instanceof Uint8Array ? 'b' : 'i');

/** One step of a plan: an op, its arguments, and the config field it comes from (for errors). */
export interface Step {
  op: OpName;
  args: Arg[];
  label: string;
}

function encodeArg(a: Arg): Buffer {
  if (typeof a === 'string') return Buffer.from(a + '\0', 'utf8');
  if (a instanceof Uint8Array) return Buffer.from(a);
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(BigInt(a));
  return b;
}

function record(type: number, args: Arg[]): Buffer {
  const parts = args.map(encodeArg);
  const payload = Buffer.alloc(4 + parts.reduce((n, p) => n + 5 + p.length, 0));
  payload.writeUInt32LE(args.length, 0);
  let off = 4;
  parts.forEach((p, i) => {
    payload.write(kindOf(args[i]!), off, 'latin1');
    payload.writeUInt32LE(p.length, off + 1);
    p.copy(payload, off + 5);
    off += 5 + p.length;
  });
  const head = Buffer.alloc(8);
  head.writeUInt32LE(type, 0);
  head.writeUInt32LE(payload.length, 4);
  return Buffer.concat([head, payload]);
}

/** Checks a step's arguments against its op's signature, as the C parser will. */
export function checkStep(s: Step): void {
  const sig: string = Op[s.op].args;
  const star = sig.indexOf('*');
  const fixed = star < 0 ? sig : sig.slice(0, star);
  const kinds = star < 0 ? [...fixed] : [...fixed, ...s.args.slice(fixed.length).map(() => sig[star + 1])];
  const ok = kinds.length === s.args.length && s.args.every((a, i) => kinds[i] === kindOf(a));
  if (!ok) throw new Error(`plan step ${s.op} (${s.label}): arguments do not match signature "${sig}"`);
  if (s.args.some((a) => typeof a === 'string' && a.includes('\0'))) throw new Error(`${s.label}: a string holds a NUL byte`);
}

/** Encodes stages of steps; step indices are their order across all stages. */
export function encodeMessage(stages: Array<[number, Step[]]>): Buffer {
  const out = [record(Rec.VERSION, [PROTOCOL_VERSION])];
  for (const [stage, steps] of stages) {
    out.push(record(Rec.STAGE, [stage]));
    for (const s of steps) {
      checkStep(s);
      out.push(record(Op[s.op].code, s.args));
    }
  }
  out.push(record(Rec.END, []));
  return Buffer.concat(out);
}

export type Frame =
  | { type: 'pid'; pid: number }
  | { type: 'ready' }
  | { type: 'error'; step: number; errno: number; context: string; text: string };

function decodeArgs(p: Buffer): Buffer[] {
  const argc = p.readUInt32LE(0);
  const args: Buffer[] = [];
  let off = 4;
  for (let i = 0; i < argc; i++) {
    const len = p.readUInt32LE(off + 1);
    args.push(p.subarray(off + 5, off + 5 + len));
    off += 5 + len;
  }
  return args;
}

const str = (b: Buffer | undefined) => (b ? b.toString('utf8').replace(/\0$/, '') : '');
const int = (b: Buffer | undefined) => (b && b.length === 8 ? Number(b.readBigInt64LE(0)) : -1);

/** Decodes whole frames from a buffer; returns them and the bytes of a trailing partial frame. */
export function decodeFrames(buf: Buffer): { frames: Frame[]; rest: Buffer } {
  const frames: Frame[] = [];
  let off = 0;
  while (buf.length - off >= 8) {
    const type = buf.readUInt32LE(off);
    const len = buf.readUInt32LE(off + 4);
    if (buf.length - off - 8 < len) break;
    const a = decodeArgs(buf.subarray(off + 8, off + 8 + len));
    if (type === Rec.PID) frames.push({ type: 'pid', pid: int(a[0]) });
    else if (type === Rec.READY) frames.push({ type: 'ready' });
    else if (type === Rec.ERROR) frames.push({ type: 'error', step: int(a[0]), errno: int(a[1]), context: str(a[2]), text: str(a[3]) });
    off += 8 + len;
  }
  return { frames, rest: buf.subarray(off) };
}

/** A process message as start sends it: a u32 length, then the message. */
export function prefixed(message: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32LE(message.length);
  return Buffer.concat([head, message]);
}
