// SHA-256 as hex. Under Bun its native hasher: loading node:crypto costs a compiled ocirt 2.5–6 ms
// of start-up (docs/performance.md), paid by every create for the cgroup path and the seccomp cache.
// Node (the unit tests) takes node:crypto, loaded only when first asked for.
import { isBun } from './linux/ffi-bind.ts';

declare const Bun: { CryptoHasher: new (algorithm: 'sha256') => { update(data: string): { digest(encoding: 'hex'): string } } };

type CreateHash = (algorithm: 'sha256') => { update(data: string): { digest(encoding: 'hex'): string } };

export function sha256Hex(data: string): string {
  if (isBun()) return new Bun.CryptoHasher('sha256').update(data).digest('hex');
  const { createHash } = process.getBuiltinModule('node:crypto') as { createHash: CreateHash };
  return createHash('sha256').update(data).digest('hex');
}
