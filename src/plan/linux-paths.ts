// config-linux.md "Masked Paths" and "Readonly Paths": after pivot_root, so each path resolves
// inside the rootfs; the executor opens it once (a symlink there is refused) and mounts onto the fd.
import { specError } from '../errors.ts';
import type { Step } from './wire.ts';

function paths(list: unknown, field: string): string[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw specError(`${field}: must be an array of absolute paths`);
  return list.map((p, i) => {
    if (typeof p !== 'string' || !p.startsWith('/')) throw specError(`${field}[${i}]: must be an absolute path`);
    return p;
  });
}

/** Read-only first: masking /proc/kcore under a read-only /proc stays possible, as in runc. */
export function linuxPathSteps(readonly: unknown, masked: unknown): Step[] {
  const ro = paths(readonly, 'linux.readonlyPaths').map((p, i): Step => ({ op: 'READONLY_PATH', args: [p], label: `linux.readonlyPaths[${i}] (${p})` }));
  const mask = paths(masked, 'linux.maskedPaths').map((p, i): Step => ({ op: 'MASK_PATH', args: [p], label: `linux.maskedPaths[${i}] (${p})` }));
  return [...ro, ...mask];
}
