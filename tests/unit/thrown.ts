// The OciError a call throws; fails the test when it returns or throws something else.
import { expect } from 'vitest';
import { OciError } from '../../src/errors.ts';

export function thrown(fn: () => unknown): OciError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(OciError);
    return err as OciError;
  }
  throw new Error('expected a throw');
}
