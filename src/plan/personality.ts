// config-linux.md "Personality" and "Memory policy": set in the init and kept across execve.
import { specError } from '../errors.ts';
import type { Step } from './wire.ts';

const DOMAINS: Record<string, number> = { LINUX: 0x0000, LINUX32: 0x0008 }; // PER_LINUX, PER_LINUX32

export function personalitySteps(p: unknown): Step[] {
  if (p === undefined || p === null) return [];
  const { domain, flags } = p as { domain?: unknown; flags?: unknown[] };
  const persona = typeof domain === 'string' ? DOMAINS[domain] : undefined;
  if (persona === undefined) throw specError(`linux.personality.domain: ${JSON.stringify(domain)} is not LINUX or LINUX32`);
  // "Currently no flag values are supported."
  if (Array.isArray(flags) && flags.length) throw specError(`linux.personality.flags: ${JSON.stringify(flags[0])} is not a supported flag`);
  return [{ op: 'PERSONALITY', args: [persona], label: `linux.personality (${domain})` }];
}

export const MODES: Record<string, number> = {
  MPOL_DEFAULT: 0, MPOL_PREFERRED: 1, MPOL_BIND: 2, MPOL_INTERLEAVE: 3, MPOL_LOCAL: 4, MPOL_PREFERRED_MANY: 5, MPOL_WEIGHTED_INTERLEAVE: 6,
};
export const MODE_FLAGS: Record<string, number> = { MPOL_F_STATIC_NODES: 1 << 15, MPOL_F_RELATIVE_NODES: 1 << 14, MPOL_F_NUMA_BALANCING: 1 << 13 };

/** "0-3,7" → 64-bit words of a node mask. */
export function nodeMask(list: string, field: string): bigint[] {
  const words: bigint[] = [];
  for (const part of list.split(',').filter((s) => s.trim() !== '')) {
    const m = /^\s*(\d+)(?:-(\d+))?\s*$/.exec(part);
    const [lo, hi] = m ? [Number(m[1]), Number(m[2] ?? m[1])] : [NaN, NaN];
    if (!m || hi < lo || hi > 4095) throw specError(`${field}: ${JSON.stringify(part)} is not a node or a range of nodes`);
    for (let n = lo; n <= hi; n++) {
      while (words.length <= n >> 6) words.push(0n);
      words[n >> 6]! |= 1n << BigInt(n & 63);
    }
  }
  return words;
}

export function memoryPolicySteps(mp: unknown): Step[] {
  if (mp === undefined || mp === null) return [];
  const { mode, nodes, flags } = mp as { mode?: unknown; nodes?: unknown; flags?: unknown[] };
  const f = 'linux.memoryPolicy';
  let value = typeof mode === 'string' ? MODES[mode] : undefined;
  if (value === undefined) throw specError(`${f}.mode: ${JSON.stringify(mode)} is not one of ${Object.keys(MODES).join(', ')}`);
  (flags ?? []).forEach((flag, i) => {
    const bit = typeof flag === 'string' ? MODE_FLAGS[flag] : undefined;
    if (bit === undefined) throw specError(`${f}.flags[${i}]: ${JSON.stringify(flag)} is not one of ${Object.keys(MODE_FLAGS).join(', ')}`);
    value! |= bit;
  });
  const mask = typeof nodes === 'string' ? nodeMask(nodes, `${f}.nodes`) : [];
  // Words are signed i64 on the wire; a node 63 sets the sign bit, which C reads back as the same bits.
  return [{ op: 'SET_MEMPOLICY', args: [value, ...mask.map((w) => BigInt.asIntN(64, w))], label: `${f} (${mode})` }];
}
