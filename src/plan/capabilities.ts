// config.md "Linux Process" `capabilities` (v1.3.0: five sets; the draft: one array, every set but
// ambient, which the draft does not know) → bit masks for the executor's CAP_* steps.
// A missing set or `{}` is an empty set, never "leave as is". v1.3.0: a name the kernel does not
// know, or one this host cannot grant, "MUST be logged as a warning" and is skipped.
import { specError } from '../errors.ts';
import { CAPABILITIES as CAPABILITY_NAMES, CAPABILITY_SETS as SETS } from '../spec/checks/process.ts';

export { CAPABILITY_NAMES, SETS };
import type { Edition } from '../spec/edition.ts';

export type CapSet = (typeof SETS)[number];
export type CapMasks = Record<CapSet, bigint>;

export interface HostCaps {
  lastCap: number; // /proc/sys/kernel/cap_last_cap
  grantable: bigint; // the bounding set of the runtime itself: what it can hand on
}

/** capabilities(7) in kernel order (the validation's table): the index is the capability's number. */
const capNumber = (name: string) => CAPABILITY_NAMES.indexOf(name);

/** The sets as the config gives them, each a list of names, with the field each came from. */
function setsOf(caps: unknown, edition: Edition): Array<[CapSet, unknown[], string]> {
  const field = 'process.capabilities';
  if (caps === undefined || caps === null) return SETS.map((s) => [s, [], `${field}.${s}`]);
  if (Array.isArray(caps)) {
    if (edition !== 'draft') throw specError(`${field}: must be an object of sets in v1.3.0 (an array is the draft's form)`);
    return SETS.map((s) => [s, s === 'ambient' ? [] : caps, field]);
  }
  if (typeof caps !== 'object') throw specError(`${field}: must be an object`);
  return SETS.map((s) => {
    const list = (caps as Record<string, unknown>)[s] ?? [];
    if (!Array.isArray(list)) throw specError(`${field}.${s}: must be an array of capability names`);
    return [s, list, `${field}.${s}`];
  });
}

/** One set's mask; names that cannot be granted go to `warn` (v1.3.0 MUST log a warning). */
function maskOf(names: unknown[], field: string, host: HostCaps, warn: (m: string) => void): bigint {
  let mask = 0n;
  names.forEach((name, i) => {
    if (typeof name !== 'string') throw specError(`${field}[${i}]: must be a string`);
    const n = capNumber(name);
    if (n < 0 || n > host.lastCap) return warn(`${field}[${i}]: ${JSON.stringify(name)} is not a capability this kernel knows; skipped`);
    if (!(host.grantable & (1n << BigInt(n)))) return warn(`${field}[${i}]: ${name} cannot be granted on this host; skipped`);
    mask |= 1n << BigInt(n);
  });
  return mask;
}

export function capabilityMasks(caps: unknown, edition: Edition, host: HostCaps, warn: (m: string) => void): CapMasks {
  const masks = { bounding: 0n, effective: 0n, inheritable: 0n, permitted: 0n, ambient: 0n };
  for (const [set, names, field] of setsOf(caps, edition)) masks[set] = maskOf(names, field, host, warn);
  // capabilities(7): an ambient capability must be permitted and inheritable, or the kernel refuses
  // to raise it; runc skips such entries too.
  const unraisable = masks.ambient & ~(masks.permitted & masks.inheritable);
  if (unraisable) {
    warn(`process.capabilities.ambient: ${namesOf(unraisable).join(', ')} not both permitted and inheritable; skipped`);
    masks.ambient &= ~unraisable;
  }
  return masks;
}

export function namesOf(mask: bigint): string[] {
  return CAPABILITY_NAMES.filter((_, i) => mask & (1n << BigInt(i)));
}
