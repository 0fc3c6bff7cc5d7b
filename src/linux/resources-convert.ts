// The v1-shaped values of linux.resources converted for cgroup v2, as config-linux.md "Unified"
// allows ("the runtime MAY attempt a conversion"). Each formula is runc's (opencontainers/cgroups
// utils.go), which crun shares, so a container gets the same cpu.weight or io.weight from any of
// the three; a conversion that is not possible is an error (the same section's MUST).

const SHARES_MIN = 2; // kernel MIN_SHARES
const SHARES_MAX = 262144; // kernel MAX_SHARES (1 << 18)
const WEIGHT_MIN = 1;
const WEIGHT_MAX = 10000;

/**
 * cpu.shares [2, 262144] → cpu.weight [1, 10000]: runc ConvertCPUSharesToCgroupV2Value since 1.3.2
 * (crun since 1.23), a quadratic in log2(shares) through min → min, 1024 → 100 (both defaults) and
 * max → max. Out-of-range shares are clamped, as runc does. 0 means unset.
 */
export function cpuSharesToWeight(shares: number): number {
  if (shares === 0) return 0;
  if (shares <= SHARES_MIN) return WEIGHT_MIN;
  if (shares >= SHARES_MAX) return WEIGHT_MAX;
  const l = Math.log2(shares);
  return Math.ceil(10 ** ((l * l + 125 * l) / 612 - 7 / 34));
}

/** blkio.weight [10, 1000] → io.weight [1, 10000], linearly: runc ConvertBlkIOToIOWeightValue, crun's formula. */
export function blkioWeightToIoWeight(weight: number): number {
  if (weight === 0) return 0;
  return 1 + Math.floor(((weight - 10) * 9999) / 990);
}

/**
 * OCI `swap` is memory+swap (v1's memsw); v2's memory.swap.max is swap alone. runc
 * ConvertMemorySwapToCgroupV2Value: 0 is unset and -1 unlimited, both kept; unlimited memory with
 * swap unset also unlimits swap (what v1 does); otherwise swap − limit, which needs a limit to
 * subtract. Returns the v2 value (-1 unlimited, 0 unset) or throws the reason it cannot convert.
 */
export function memorySwapToV2(swap: number, limit: number): number {
  if (limit === -1 && swap === 0) return -1;
  if (swap === -1 || swap === 0) return swap;
  if (limit === -1) return swap;
  if (limit === 0) throw new Error('a swap limit needs a memory limit on cgroup v2 (memory.swap.max is swap − limit)');
  if (swap < limit) throw new Error(`memory+swap ${swap} is below the memory limit ${limit}`);
  return swap - limit;
}

/** v2's .max/.low files spell unlimited "max" where v1 took -1 (runc numToStr; crun cg_itoa). */
export const v2Limit = (n: number): string => (n === -1 ? 'max' : String(n));
