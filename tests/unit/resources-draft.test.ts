import { describe, expect, it } from 'vitest';
import { fromDraft } from '../../src/linux/resources-draft.ts';

describe('spec/draft/config-linux.md "Control groups" in v1.3.0\'s shape', () => {
  it('moves disableOOMKiller into memory and renames the blkio-prefixed fields', () => {
    const dev = { major: 8, minor: 0, rate: 100 };
    expect(fromDraft({
      disableOOMKiller: true,
      memory: { limit: 1024 },
      blockIO: { blkioWeight: 10, blkioLeafWeight: 20, blkioWeightDevice: [{ major: 8, minor: 0, weight: 500 }], blkioThrottleReadBpsDevice: [dev], blkioThrottleWriteIOPSDevice: [dev] },
      pids: { limit: 3 },
    })).toEqual({
      resources: {
        memory: { limit: 1024, disableOOMKiller: true },
        blockIO: { weight: 10, leafWeight: 20, weightDevice: [{ major: 8, minor: 0, weight: 500 }], throttleReadBpsDevice: [dev], throttleWriteIOPSDevice: [dev] },
        pids: { limit: 3 },
      },
    });
  });
  it('returns oomScoreAdj apart, and adds no memory object that was not asked for', () => {
    expect(fromDraft({ oomScoreAdj: -100, cpu: { shares: 2 } })).toEqual({ resources: { cpu: { shares: 2 } }, oomScoreAdj: -100 });
    expect(fromDraft({ disableOOMKiller: false })).toEqual({ resources: { memory: { disableOOMKiller: false } } });
  });
});
