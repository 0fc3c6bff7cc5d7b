import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveInRoot } from '../../src/linux/resolve-in-root.ts';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ocirt-inroot-'));
  mkdirSync(join(root, 'bin'));
  mkdirSync(join(root, 'etc'));
  writeFileSync(join(root, 'bin/sh'), '');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('resolveInRoot: RESOLVE_IN_ROOT from the host', () => {
  it('resolves plain paths, . and .. inside the root', () => {
    expect(resolveInRoot(root, '/bin/sh')).toBe(join(root, 'bin/sh'));
    expect(resolveInRoot(root, 'bin/./sh')).toBe(join(root, 'bin/sh'));
    expect(resolveInRoot(root, '/../../../bin/sh')).toBe(join(root, 'bin/sh'));
  });
  it('resolves absolute symlinks from the root, never from the host', () => {
    symlinkSync('/etc/passwd', join(root, 'evil'));
    expect(resolveInRoot(root, '/evil')).toBe(join(root, 'etc/passwd'));
    symlinkSync('/bin', join(root, 'usrbin'));
    expect(resolveInRoot(root, '/usrbin/sh')).toBe(join(root, 'bin/sh'));
  });
  it('clamps relative symlinks with many .. at the root', () => {
    symlinkSync('../../../../../etc/shadow', join(root, 'bin/up'));
    expect(resolveInRoot(root, '/bin/up')).toBe(join(root, 'etc/shadow'));
  });
  it('gives up on a symlink loop, and on a missing directory on the way', () => {
    symlinkSync('/b', join(root, 'a'));
    symlinkSync('/a', join(root, 'b'));
    expect(resolveInRoot(root, '/a/x')).toBeUndefined();
    expect(resolveInRoot(root, '/missing/sh')).toBeUndefined();
    expect(resolveInRoot(root, '/bin/missing')).toBe(join(root, 'bin/missing'));
  });
});
