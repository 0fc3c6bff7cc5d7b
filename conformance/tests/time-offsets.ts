// config-linux.md "Offset for Time Namespace" (v1.3.0): in a new time namespace the container's
// CLOCK_MONOTONIC and CLOCK_BOOTTIME are the host's plus linux.timeOffsets. The host's clocks are
// read by the same probe on the host just before start and just after the container answered.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import type { TestContext } from '../harness/types.ts';
import { answers, hostProbe } from './observe.ts';
import { bundle, perEdition, probe, succeeded } from './support.ts';

interface Clocks {
  monotonic: number;
  boottime: number;
}

const OFFSETS = { monotonic: { secs: 1_000_000, nanosecs: 500_000_000 }, boottime: { secs: 2_000_000, nanosecs: 0 } };

function hostClocks(probePath: string): Clocks {
  return JSON.parse(spawnSync(probePath, ['clocks'], { encoding: 'utf8' }).stdout) as Clocks;
}

export const timeOffsetTests = [
  ...perEdition(
    { v1: ['v1:runtime:create:4', 'v1:runtime:lifecycle:1', 'v1:config-linux:namespaces:4'] },
    'linux.timeOffsets in a new time namespace: CLOCK_MONOTONIC is the host clock + 1000000.5 s, CLOCK_BOOTTIME + 2000000 s',
    async (ctx: TestContext) => {
      ctx.requires(existsSync('/proc/self/ns/time'), 'the host kernel has no time namespaces');
      const b = bundle(ctx, probe('clocks'), (c) => {
        c.linux!.namespaces = [...(c.linux!.namespaces ?? []), { type: 'time' }];
        c.linux!.timeOffsets = OFFSETS;
      });
      const id = ctx.id();
      succeeded(ctx, await ctx.driver.create(id, b.dir), 'create');
      const before = hostClocks(hostProbe(b));
      succeeded(ctx, await ctx.driver.start(id), 'start');
      const [inside] = await answers<Clocks>(ctx, b, 1, 'clocks');
      const after = hostClocks(hostProbe(b));
      const off = (k: keyof Clocks) => OFFSETS[k].secs + OFFSETS[k].nanosecs / 1e9;
      const wrong = (['monotonic', 'boottime'] as const).filter((k) => !(inside![k] - off(k) >= before[k] - 0.01 && inside![k] - off(k) <= after[k] + 0.01));
      ctx.expect(
        wrong.length === 0,
        `each clock inside minus its offset between the host's readings before and after (${(['monotonic', 'boottime'] as const).map((k) => `${k} + ${off(k)}`).join(', ')})`,
        Object.fromEntries(wrong.map((k) => [k, { inside: inside![k], minusOffset: inside![k] - off(k), hostBefore: before[k], hostAfter: after[k] }])),
      );
    },
  ),
];
