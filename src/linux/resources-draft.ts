// The draft's linux.resources (spec/draft/config-linux.md "Control groups") in v1.3.0's shape, so
// one planner serves both editions: `disableOOMKiller` sits beside `memory` there, and the block IO
// fields carry a `blkio` prefix (`blkioWeight`, `blkioThrottleReadBpsDevice`, ...). The draft's
// `oomScoreAdj` (v1.3.0 moved it to process) is returned apart, for create to set on the init.
import type { LinuxResources } from './cgroup-resources.ts';

const BLKIO_NAMES: Record<string, string> = {
  blkioWeight: 'weight',
  blkioLeafWeight: 'leafWeight',
  blkioWeightDevice: 'weightDevice',
  blkioThrottleReadBpsDevice: 'throttleReadBpsDevice',
  blkioThrottleWriteBpsDevice: 'throttleWriteBpsDevice',
  blkioThrottleReadIOPSDevice: 'throttleReadIOPSDevice',
  blkioThrottleWriteIOPSDevice: 'throttleWriteIOPSDevice',
};

export interface DraftResources {
  resources: LinuxResources;
  oomScoreAdj?: number;
}

export function fromDraft(draft: Record<string, unknown>): DraftResources {
  const { disableOOMKiller, oomScoreAdj, blockIO, memory, ...same } = draft;
  const out: Record<string, unknown> = { ...same };
  if (memory !== undefined || disableOOMKiller !== undefined) out.memory = { ...(memory as object | undefined), ...(disableOOMKiller === undefined ? {} : { disableOOMKiller }) };
  if (blockIO !== undefined && blockIO !== null) {
    out.blockIO = Object.fromEntries(Object.entries(blockIO as Record<string, unknown>).map(([k, v]) => [BLKIO_NAMES[k] ?? k, v]));
  }
  return { resources: out as LinuxResources, ...(typeof oomScoreAdj === 'number' ? { oomScoreAdj } : {}) };
}
