// runc's session keyring: the container's init joins a new session keyring of its own, so no key
// of the caller's session is reachable from the container; --no-new-keyring keeps the caller's.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { eachTestSandbox, isRoot, NEEDS_ROOT, Sandbox } from './harness.ts';

/** /proc/keys lines naming `_ses.<id>` (root on the host views keyrings its uid owns). */
const keyringsOf = (id: string) => readFileSync('/proc/keys', 'utf8').split('\n').filter((l) => l.endsWith(` _ses.${id}: empty`));

describe.skipIf(!isRoot)(`session keyring (${NEEDS_ROOT})`, () => {
  let s: Sandbox;
  eachTestSandbox((x) => (s = x));

  it('create joins the init to a new session keyring, searchable by its owner; --no-new-keyring makes none', () => {
    const id = s.id();
    expect(s.create(s.bundle('v1-basic'), id).code).toBe(0);
    const [line] = keyringsOf(id);
    expect(line).toBeDefined();
    const perm = parseInt(line!.split(/\s+/)[4]!, 16);
    expect(perm & 0x00080000).toBe(0x00080000); // KEY_USR_SEARCH, as runc sets it
    const kept = s.id();
    expect(s.create(s.bundle('v1-basic'), kept, ['--no-new-keyring']).code).toBe(0);
    expect(keyringsOf(kept)).toEqual([]);
  });
});
