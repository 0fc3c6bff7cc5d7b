// src/plan/rlimits.ts: config.md "POSIX process" `rlimits` → one RLIMIT step per entry, in order;
// what cannot be mapped, or raised without CAP_SYS_RESOURCE, is an error naming the entry.
import { describe, expect, it } from 'vitest';
import { RLIMIT_NUMBERS, rlimitSteps, type HostLimits, type Rlimit } from '../../src/plan/rlimits.ts';
import { encodeMessage } from '../../src/plan/wire.ts';

const free: HostLimits = { hard: () => undefined, canRaise: true };
const UNLIMITED = 2 ** 64 - 1; // JSON's 18446744073709551615, RLIM_INFINITY
const steps = (r: Rlimit[], host: HostLimits = free) => rlimitSteps(r, host);

describe('resource numbers (asm-generic/resource.h)', () => {
  it('every RLIMIT_* type maps to its number', () => {
    const want = ['CPU', 'FSIZE', 'DATA', 'STACK', 'CORE', 'RSS', 'NPROC', 'NOFILE', 'MEMLOCK', 'AS', 'LOCKS', 'SIGPENDING', 'MSGQUEUE', 'NICE', 'RTPRIO', 'RTTIME'];
    expect(Object.keys(RLIMIT_NUMBERS)).toEqual(want.map((t) => `RLIMIT_${t}`));
    const s = steps(want.map((t) => ({ type: `RLIMIT_${t}`, soft: 1, hard: 2 })));
    expect(s.map((x) => x.args[0])).toEqual(want.map((_, i) => i));
    expect(s.map((x) => x.label)).toEqual(want.map((t, i) => `process.rlimits[${i}] (RLIMIT_${t})`));
  });
});

describe('values', () => {
  it('soft and hard as i64; RLIM_INFINITY (2^64-1) as -1', () => {
    expect(steps([{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 4096 }])).toEqual([{ op: 'RLIMIT', args: [7, 1024n, 4096n], label: 'process.rlimits[0] (RLIMIT_NOFILE)' }]);
    expect(steps([{ type: 'RLIMIT_CORE', soft: UNLIMITED, hard: UNLIMITED }])[0]!.args).toEqual([4, -1n, -1n]);
    expect(steps([{ type: 'RLIMIT_CORE', soft: 0, hard: UNLIMITED }])[0]!.args).toEqual([4, 0n, -1n]);
    expect(JSON.parse('{"soft":18446744073709551615}').soft).toBe(UNLIMITED);
  });
  it('no rlimits, no steps', () => {
    expect(rlimitSteps(undefined, free)).toEqual([]);
    expect(steps([])).toEqual([]);
  });
  it('every step encodes on the wire', () => {
    const s = steps([{ type: 'RLIMIT_NOFILE', soft: 1024, hard: UNLIMITED }, { type: 'RLIMIT_AS', soft: 2 ** 53, hard: 2 ** 62 }]);
    expect(() => encodeMessage([[3, s]])).not.toThrow();
  });
  // config.md "POSIX process": soft and hard are uint64. 2^63 .. 2^64-2049 are values JSON can hold that
  // are neither RLIM_INFINITY nor an i64: BigInt(v) is out of range and encodeMessage throws a RangeError
  // (src/plan/rlimits.ts asArg), where a spec error naming the field, or the value as the same 64 bits
  // (BigInt.asIntN, as personality.ts does for node masks), is due.
  it('a uint64 limit of 2^63 or more becomes a step that encodes, or a spec error naming the field', () => {
    const r = [{ type: 'RLIMIT_NOFILE', soft: 2 ** 63, hard: 2 ** 63 }];
    let s;
    try {
      s = steps(r);
    } catch (err) {
      expect((err as Error).message).toMatch(/^process\.rlimits\[0\]/);
      return;
    }
    expect(() => encodeMessage([[3, s]])).not.toThrow();
  });
});

describe('errors, naming the entry', () => {
  it('MUST generate an error for a type that cannot be mapped', () => {
    expect(() => steps([{ type: 'RLIMIT_NOFILE', soft: 1, hard: 1 }, { type: 'RLIMIT_FOO', soft: 1, hard: 1 }])).toThrow(
      'process.rlimits[1].type: "RLIMIT_FOO" is not a Linux resource limit',
    );
  });
  it('refuses negative and fractional limits', () => {
    expect(() => steps([{ type: 'RLIMIT_NOFILE', soft: -1, hard: 1 }])).toThrow('process.rlimits[0]: soft and hard must be non-negative integers');
    expect(() => steps([{ type: 'RLIMIT_NOFILE', soft: 1, hard: 1.5 }])).toThrow('process.rlimits[0]: soft and hard must be non-negative integers');
  });
  it('refuses soft above hard', () => {
    expect(() => steps([{ type: 'RLIMIT_NOFILE', soft: 2048, hard: 1024 }])).toThrow('process.rlimits[0].soft: 2048 is above the hard limit 1024');
  });
  it('refuses a hard limit above the host\'s ceiling without CAP_SYS_RESOURCE', () => {
    const host: HostLimits = { hard: (t) => (t === 'RLIMIT_NOFILE' ? 4096 : undefined), canRaise: false };
    expect(() => steps([{ type: 'RLIMIT_CORE', soft: 1, hard: 1 }, { type: 'RLIMIT_NOFILE', soft: 1024, hard: 8192 }], host)).toThrow(
      'process.rlimits[1].hard: RLIMIT_NOFILE 8192 is above this host\'s hard limit 4096, and ocirt lacks CAP_SYS_RESOURCE to raise it',
    );
    expect(() => steps([{ type: 'RLIMIT_NOFILE', soft: 0, hard: UNLIMITED }], host)).toThrow(/^process\.rlimits\[0\]\.hard: /);
  });
  it('allows it at or below the ceiling, above an unlimited one, and anything with CAP_SYS_RESOURCE', () => {
    const ceiling = (canRaise: boolean): HostLimits => ({ hard: (t) => (t === 'RLIMIT_NOFILE' ? 4096 : undefined), canRaise });
    expect(steps([{ type: 'RLIMIT_NOFILE', soft: 4096, hard: 4096 }], ceiling(false))[0]!.args).toEqual([7, 4096n, 4096n]);
    expect(steps([{ type: 'RLIMIT_CORE', soft: 0, hard: UNLIMITED }], ceiling(false))[0]!.args).toEqual([4, 0n, -1n]);
    expect(steps([{ type: 'RLIMIT_NOFILE', soft: 1, hard: 1 << 20 }], ceiling(true))[0]!.args).toEqual([7, 1n, BigInt(1 << 20)]);
  });
});
