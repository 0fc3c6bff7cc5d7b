// The executor's side of the wire (native/executor/wire.c): it rejects what it does not know and
// reports a failed step with its index and errno. No root needed: these fail before any privilege.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeStepError, launch } from '../../src/linux/executor.ts';
import { Op, Rec } from '../../src/plan/protocol.ts';
import { encodeMessage, type Step } from '../../src/plan/wire.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'ocirt-wire-'));

type RawArg = ['s' | 'i', Buffer];
function rawRecord(type: number, args: RawArg[]): Buffer {
  const arg = ([kind, a]: RawArg) => [Buffer.from(kind), Buffer.from(Uint32Array.of(a.length).buffer), a];
  const body = Buffer.concat([Buffer.from(Uint32Array.of(args.length).buffer), ...args.flatMap(arg)]);
  return Buffer.concat([Buffer.from(Uint32Array.of(type, body.length).buffer), body]);
}
const i64 = (n: number): RawArg => {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(BigInt(n));
  return ['i', b];
};

async function rejected(plan: Buffer): Promise<string> {
  const l = await launch('create', dir(), plan);
  expect(await l.exited).toBe(1);
  expect(l.error).toBeDefined();
  return l.error!.context;
}

describe('executor wire format (src/plan/protocol.ts)', () => {
  it('rejects bytes that are not records', async () => {
    expect(await rejected(Buffer.from('not a plan at all'))).toMatch(/^malformed plan/);
  });
  it('rejects a plan of another protocol version', async () => {
    const plan = Buffer.concat([rawRecord(Rec.VERSION, [i64(99)]), rawRecord(Rec.END, [])]);
    expect(await rejected(plan)).toMatch(/unsupported VERSION/);
  });
  it('rejects an unknown record type', async () => {
    const plan = Buffer.concat([rawRecord(Rec.VERSION, [i64(1)]), rawRecord(Rec.STAGE, [i64(0)]), rawRecord(999, []), rawRecord(Rec.END, [])]);
    expect(await rejected(plan)).toMatch(/unknown or ill-formed record/);
  });
  it('rejects a step whose arguments do not match its signature', async () => {
    const plan = Buffer.concat([rawRecord(Rec.VERSION, [i64(1)]), rawRecord(Rec.STAGE, [i64(0)]), rawRecord(Op.CHDIR.code, [i64(5)]), rawRecord(Rec.END, [])]);
    expect(await rejected(plan)).toMatch(/unknown or ill-formed record/);
  });
  it('rejects a plan with no END', async () => {
    expect(await rejected(rawRecord(Rec.VERSION, [i64(1)]))).toMatch(/missing END/);
  });
  it('reports a failed step by index and errno, which the CLI turns into the config field', async () => {
    const steps: Step[] = [
      { op: 'LISTEN', args: ['init.sock'], label: 'start socket' },
      { op: 'WRITE_FILE', args: ['/nonexistent/cgroup.procs', '0'], label: 'linux.cgroupsPath (/nonexistent)' },
    ];
    const l = await launch('create', dir(), encodeMessage([[0, steps]]));
    expect(l.error).toMatchObject({ step: 1, errno: 2 });
    expect(describeStepError(l.error!, steps.map((s) => s.label))).toBe(
      'linux.cgroupsPath (/nonexistent): write_file /nonexistent/cgroup.procs: no such file or directory',
    );
  });
});

describe('encoder', () => {
  it('refuses a step whose arguments do not match the op signature before anything runs', () => {
    expect(() => encodeMessage([[0, [{ op: 'CHDIR', args: [1], label: 'x' }]]])).toThrow(/do not match signature "s"/);
    expect(() => encodeMessage([[0, [{ op: 'CHDIR', args: ['a\0b'], label: 'x' }]]])).toThrow(/NUL byte/);
  });
});
