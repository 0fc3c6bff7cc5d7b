// src/linux/seccomp-cache.ts: a profile compiled once is read back from the root; another profile,
// or another libseccomp, is another key; a root that cannot hold the cache costs only the compilation.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CACHE_DIR, compileSeccompCached } from '../../src/linux/seccomp-cache.ts';
import { compileSeccomp } from '../../src/linux/seccomp-compile.ts';

const root = mkdtempSync(join(tmpdir(), 'ocirt-seccomp-cache-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const profile = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'ocirt_not_a_syscall'], action: 'SCMP_ACT_ERRNO' }] };

describe('compileSeccompCached', () => {
  it('compiles as compileSeccomp does, and keeps the result under the root in a directory no id can name', () => {
    const c = compileSeccompCached(profile, root);
    const direct = compileSeccomp(profile);
    expect({ ...c, bpf: [...c.bpf] }).toEqual({ ...direct, bpf: [...direct.bpf] });
    expect(readdirSync(join(root, CACHE_DIR))).toHaveLength(1);
    expect(CACHE_DIR).not.toMatch(/^[A-Za-z0-9_+.-]+$/);
  });
  it('reads the cached entry back instead of compiling', () => {
    const [name] = readdirSync(join(root, CACHE_DIR));
    const file = join(root, CACHE_DIR, name!);
    const entry = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...entry, notes: ['from the cache'] }));
    expect(compileSeccompCached(profile, root).notes).toEqual(['from the cache']);
  });
  it('another profile is another entry', () => {
    compileSeccompCached({ ...profile, defaultAction: 'SCMP_ACT_LOG' }, root);
    expect(readdirSync(join(root, CACHE_DIR))).toHaveLength(2);
  });
  it('a root that cannot hold the cache (here a file, not a directory) only costs the compilation', () => {
    const file = join(root, 'not-a-directory');
    writeFileSync(file, '');
    expect(compileSeccompCached(profile, file).bpf.length).toBeGreaterThan(0);
  });
});
