import { describe, expect, it } from 'vitest';
import { OciError } from '../../src/errors.ts';
import { MAX_ID_BYTES, validateId } from '../../src/state/id.ts';

function error(id: string): OciError {
  try {
    validateId(id);
  } catch (err) {
    if (err instanceof OciError) return err;
    throw err;
  }
  throw new Error(`"${id}" was accepted`);
}

describe('validateId', () => {
  it.each(['a', 'abc-123', 'A_b+c.d-e', '...', '.a', 'a..b', '0', 'x'.repeat(MAX_ID_BYTES)])('accepts %s', (id) => {
    expect(() => validateId(id)).not.toThrow();
  });

  it.each(['', '.', '..', 'a/b', '../x', 'a b', 'a:b', 'é', 'a\nb', 'a\0b', '*'])('rejects %j', (id) => {
    const err = error(id);
    expect(err.code).toBe('usage');
    expect(err.message).toMatch(/^invalid container id ".*": /);
  });

  it('rejects an id over 1024 bytes and truncates it in the message', () => {
    const err = error('x'.repeat(MAX_ID_BYTES + 1));
    expect(err.message).toMatch(/longer than 1024 bytes/);
    expect(err.message.length).toBeLessThan(200);
    expect(err.message).toContain('…');
  });

  it('names the reason', () => {
    expect(error('').message).toBe('invalid container id "": it is empty');
    expect(error('..').message).toBe('invalid container id "..": it may not be "." or ".."');
    expect(error('a/b').message).toMatch(/^invalid container id "a\/b": it may contain only/);
  });

  it('escapes control characters in the message', () => {
    expect(error('a\nb').message).toContain('"a\\nb"');
  });
});
