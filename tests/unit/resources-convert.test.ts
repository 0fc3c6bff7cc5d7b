// The v1 → v2 conversions against the values runc's own tests and releases state.
import { describe, expect, it } from 'vitest';
import { blkioWeightToIoWeight, cpuSharesToWeight, memorySwapToV2, v2Limit } from '../../src/linux/resources-convert.ts';

describe('cpuSharesToWeight (runc >= 1.3.2, crun >= 1.23)', () => {
  it.each([
    [0, 0], // unset
    [1, 1], // below the kernel's minimum: clamped
    [2, 1], // min → min
    [1024, 100], // default → default, where the old linear formula gave 39
    [22000, 1204], // the value youki took from runc 1.3.2
    [262144, 10000], // max → max
    [1_000_000, 10000],
  ])('%i shares → cpu.weight %i', (shares, weight) => expect(cpuSharesToWeight(shares)).toBe(weight));

  it('never decreases and stays within 1..10000', () => {
    let last = 0;
    for (let s = 2; s <= 262144; s += 97) {
      const w = cpuSharesToWeight(s);
      expect(w).toBeGreaterThanOrEqual(Math.max(last, 1));
      expect(w).toBeLessThanOrEqual(10000);
      last = w;
    }
  });
});

describe('blkioWeightToIoWeight (runc ConvertBlkIOToIOWeightValue)', () => {
  it.each([
    [0, 0],
    [10, 1],
    [500, 4950],
    [1000, 10000],
  ])('blkio.weight %i → io.weight %i', (w, io) => expect(blkioWeightToIoWeight(w)).toBe(io));
});

describe('memorySwapToV2 (runc ConvertMemorySwapToCgroupV2Value)', () => {
  it.each([
    [0, -1, -1, 'unlimited memory with swap unset also unlimits swap'],
    [0, 100, 0, 'unset stays unset'],
    [-1, 100, -1, 'unlimited stays unlimited'],
    [300, -1, 300, 'unlimited memory: swap is taken as is'],
    [300, 100, 200, 'memory+swap less memory'],
    [100, 100, 0, 'equal: no swap'],
  ])('swap %i with limit %i → %i (%s)', (swap, limit, out) => expect(memorySwapToV2(swap, limit)).toBe(out));

  it('refuses a swap limit without a memory limit, and one below it', () => {
    expect(() => memorySwapToV2(300, 0)).toThrow(/needs a memory limit/);
    expect(() => memorySwapToV2(50, 100)).toThrow(/below the memory limit/);
  });

  it('spells -1 as "max"', () => {
    expect([v2Limit(-1), v2Limit(0), v2Limit(4096)]).toEqual(['max', '0', '4096']);
  });
});
