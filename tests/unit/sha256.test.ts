// src/sha256.ts: Bun's native hasher and node:crypto give the same digest, so a cgroup path or a
// seccomp cache key is the same whichever runtime computed it (the compiled CLI runs under Bun,
// these tests under Node).
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/sha256.ts';

const BUN = resolve('node_modules/.bin/bun');
const INPUTS = ['', 'abc', '/run/ocirt', 'dé/中\0x'];

describe('sha256Hex', () => {
  it('matches the FIPS 180-2 test vector under Node', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
  it('gives the same digests under Bun as under Node, UTF-8 text included', () => {
    const code = `import { sha256Hex } from ${JSON.stringify(resolve('src/sha256.ts'))}; console.log(JSON.stringify(${JSON.stringify(INPUTS)}.map(sha256Hex)));`;
    const r = spawnSync(BUN, ['-e', code], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual(INPUTS.map(sha256Hex));
  });
});
