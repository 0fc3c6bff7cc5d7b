// src/plan/personality.ts: config-linux.md "Personality" and "Memory policy", both set in the init
// before pivot_root and kept across execve.
import { describe, expect, it } from 'vitest';
import { memoryPolicySteps, nodeMask, personalitySteps } from '../../src/plan/personality.ts';
import { encodeMessage } from '../../src/plan/wire.ts';

describe('personality', () => {
  it('LINUX is PER_LINUX (0), LINUX32 is PER_LINUX32 (8)', () => {
    expect(personalitySteps({ domain: 'LINUX' })).toEqual([{ op: 'PERSONALITY', args: [0], label: 'linux.personality (LINUX)' }]);
    expect(personalitySteps({ domain: 'LINUX32' })).toEqual([{ op: 'PERSONALITY', args: [8], label: 'linux.personality (LINUX32)' }]);
    expect(personalitySteps({ domain: 'LINUX32', flags: [] })[0]!.args).toEqual([8]);
  });
  it('none, no step', () => {
    expect(personalitySteps(undefined)).toEqual([]);
    expect(personalitySteps(null)).toEqual([]);
  });
  it('refuses another domain, and any flag ("Currently no flag values are supported")', () => {
    expect(() => personalitySteps({ domain: 'SVR4' })).toThrow('linux.personality.domain: "SVR4" is not LINUX or LINUX32');
    expect(() => personalitySteps({})).toThrow('linux.personality.domain: undefined is not LINUX or LINUX32');
    expect(() => personalitySteps({ domain: 'LINUX', flags: ['ADDR_NO_RANDOMIZE'] })).toThrow('linux.personality.flags: "ADDR_NO_RANDOMIZE" is not a supported flag');
  });
});

describe('node masks ("0-3,7")', () => {
  it('nodes and ranges set their bits in 64-bit words', () => {
    expect(nodeMask('0-3,7', 'f')).toEqual([0x8fn]);
    expect(nodeMask('0', 'f')).toEqual([1n]);
    expect(nodeMask('1,1,0-1', 'f')).toEqual([3n]);
    expect(nodeMask(' 2 , 4-5 ', 'f')).toEqual([0b110100n]);
    expect(nodeMask('', 'f')).toEqual([]);
  });
  it('node 63 is the top bit of the first word; node 64 starts a second', () => {
    expect(nodeMask('63', 'f')).toEqual([1n << 63n]);
    expect(nodeMask('64', 'f')).toEqual([0n, 1n]);
    expect(nodeMask('62-65', 'f')).toEqual([(1n << 62n) | (1n << 63n), 3n]);
    expect(nodeMask('0-127', 'f')).toEqual([(1n << 64n) - 1n, (1n << 64n) - 1n]);
    expect(nodeMask('4095', 'f')).toHaveLength(64);
  });
  it('refuses what is not a node or a range, naming the field', () => {
    for (const bad of ['a', '3-1', '-1', '1-', '1-2-3', '4096', '0-4096', '1.5']) {
      expect(() => nodeMask(bad, 'linux.memoryPolicy.nodes')).toThrow(`linux.memoryPolicy.nodes: ${JSON.stringify(bad)} is not a node or a range of nodes`);
    }
  });
});

describe('memory policy', () => {
  it('mode numbers are set_mempolicy(2)\'s', () => {
    const modes = ['MPOL_DEFAULT', 'MPOL_PREFERRED', 'MPOL_BIND', 'MPOL_INTERLEAVE', 'MPOL_LOCAL', 'MPOL_PREFERRED_MANY', 'MPOL_WEIGHTED_INTERLEAVE'];
    expect(modes.map((mode) => memoryPolicySteps({ mode })[0]!.args)).toEqual(modes.map((_, i) => [i]));
    expect(memoryPolicySteps({ mode: 'MPOL_LOCAL' })).toEqual([{ op: 'SET_MEMPOLICY', args: [4], label: 'linux.memoryPolicy (MPOL_LOCAL)' }]);
  });
  it('flags are or-ed into the mode: STATIC 1<<15, RELATIVE 1<<14, NUMA_BALANCING 1<<13', () => {
    expect(memoryPolicySteps({ mode: 'MPOL_BIND', flags: ['MPOL_F_STATIC_NODES'] })[0]!.args[0]).toBe(2 | 0x8000);
    expect(memoryPolicySteps({ mode: 'MPOL_INTERLEAVE', flags: ['MPOL_F_RELATIVE_NODES'] })[0]!.args[0]).toBe(3 | 0x4000);
    expect(memoryPolicySteps({ mode: 'MPOL_BIND', flags: ['MPOL_F_NUMA_BALANCING', 'MPOL_F_STATIC_NODES'] })[0]!.args[0]).toBe(2 | 0x2000 | 0x8000);
  });
  it('the node mask follows the mode, as i64 words (node 63 is the sign bit); the step encodes', () => {
    expect(memoryPolicySteps({ mode: 'MPOL_BIND', nodes: '0-3,7' })[0]!.args).toEqual([2, 0x8fn]);
    expect(memoryPolicySteps({ mode: 'MPOL_BIND', nodes: '63' })[0]!.args).toEqual([2, -(2n ** 63n)]);
    expect(memoryPolicySteps({ mode: 'MPOL_BIND', nodes: '0,64' })[0]!.args).toEqual([2, 1n, 1n]);
    const s = memoryPolicySteps({ mode: 'MPOL_BIND', nodes: '0-127' });
    expect(s[0]!.args).toEqual([2, -1n, -1n]);
    expect(() => encodeMessage([[2, s]])).not.toThrow();
  });
  it('none, no step', () => {
    expect(memoryPolicySteps(undefined)).toEqual([]);
  });
  it('refuses an unknown mode or flag, and bad nodes, naming the field', () => {
    expect(() => memoryPolicySteps({ mode: 'MPOL_X' })).toThrow(/^linux\.memoryPolicy\.mode: "MPOL_X" is not one of MPOL_DEFAULT, /);
    expect(() => memoryPolicySteps({ nodes: '0' })).toThrow(/^linux\.memoryPolicy\.mode: undefined is not one of /);
    expect(() => memoryPolicySteps({ mode: 'MPOL_BIND', flags: ['MPOL_F_STATIC_NODES', 'MPOL_F_X'] })).toThrow(/^linux\.memoryPolicy\.flags\[1\]: "MPOL_F_X" is not one of /);
    expect(() => memoryPolicySteps({ mode: 'MPOL_BIND', nodes: '2-1' })).toThrow('linux.memoryPolicy.nodes: "2-1" is not a node or a range of nodes');
  });
});
