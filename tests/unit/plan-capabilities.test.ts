// src/plan/capabilities.ts: config.md "Linux Process" `capabilities` → the five bit masks of the
// CAP_* steps. A missing set is empty, never "leave as is"; v1.3.0 says a name the kernel does not
// know or the host cannot grant "MUST be logged as a warning" and skipped.
import { describe, expect, it } from 'vitest';
import { CAPABILITY_NAMES, capabilityMasks, namesOf, SETS, type HostCaps } from '../../src/plan/capabilities.ts';

const LAST = CAPABILITY_NAMES.length - 1; // CAP_CHECKPOINT_RESTORE = 40
const everything: HostCaps = { lastCap: LAST, grantable: (1n << BigInt(LAST + 1)) - 1n };
const bit = (name: string) => 1n << BigInt(CAPABILITY_NAMES.indexOf(name as (typeof CAPABILITY_NAMES)[number]));
const empty = { bounding: 0n, effective: 0n, inheritable: 0n, permitted: 0n, ambient: 0n };

function masks(caps: unknown, o: { edition?: 'v1' | 'draft'; host?: HostCaps } = {}) {
  const warnings: string[] = [];
  const m = capabilityMasks(caps, o.edition ?? 'v1', o.host ?? everything, (w) => warnings.push(w));
  return { m, warnings };
}

describe('capability numbers (capabilities(7))', () => {
  it('are the kernel\'s', () => {
    expect(bit('CAP_CHOWN')).toBe(1n);
    expect(bit('CAP_NET_BIND_SERVICE')).toBe(1n << 10n);
    expect(bit('CAP_SYS_ADMIN')).toBe(1n << 21n);
    expect(bit('CAP_SYS_RESOURCE')).toBe(1n << 24n);
    expect(bit('CAP_AUDIT_READ')).toBe(1n << 37n);
    expect(bit('CAP_CHECKPOINT_RESTORE')).toBe(1n << 40n);
    expect(namesOf(bit('CAP_KILL') | bit('CAP_BPF'))).toEqual(['CAP_KILL', 'CAP_BPF']);
  });
});

describe('v1.3.0 object of five sets', () => {
  it('a missing capabilities field, {} and a missing set are all empty sets', () => {
    expect(masks(undefined).m).toEqual(empty);
    expect(masks(null).m).toEqual(empty);
    expect(masks({}).m).toEqual(empty);
    expect(masks({ bounding: ['CAP_KILL'] }).m).toEqual({ ...empty, bounding: bit('CAP_KILL') });
    expect(masks({ bounding: [], effective: [] }).warnings).toEqual([]);
  });
  it('each set is its own mask', () => {
    const { m, warnings } = masks({
      bounding: ['CAP_KILL', 'CAP_CHOWN', 'CAP_NET_RAW'],
      effective: ['CAP_KILL'],
      inheritable: ['CAP_NET_RAW'],
      permitted: ['CAP_KILL', 'CAP_NET_RAW'],
      ambient: ['CAP_NET_RAW'],
    });
    expect(m).toEqual({
      bounding: bit('CAP_KILL') | bit('CAP_CHOWN') | bit('CAP_NET_RAW'),
      effective: bit('CAP_KILL'),
      inheritable: bit('CAP_NET_RAW'),
      permitted: bit('CAP_KILL') | bit('CAP_NET_RAW'),
      ambient: bit('CAP_NET_RAW'),
    });
    expect(warnings).toEqual([]);
  });
  it('all 41 capabilities fit a mask above 32 bits', () => {
    const { m } = masks({ bounding: [...CAPABILITY_NAMES] });
    expect(m.bounding).toBe(everything.grantable);
    expect(namesOf(m.bounding)).toEqual([...CAPABILITY_NAMES]);
  });
  it('refuses the draft\'s array form', () => {
    expect(() => masks(['CAP_KILL'])).toThrow('process.capabilities: must be an object of sets in v1.3.0 (an array is the draft\'s form)');
  });
  it('refuses a set that is not an array, a name that is not a string, and a capabilities that is not an object', () => {
    expect(() => masks({ effective: 'CAP_KILL' })).toThrow('process.capabilities.effective: must be an array of capability names');
    expect(() => masks({ permitted: ['CAP_KILL', 7] })).toThrow('process.capabilities.permitted[1]: must be a string');
    expect(() => masks('CAP_KILL')).toThrow('process.capabilities: must be an object');
  });
});

describe('the draft\'s array form', () => {
  it('applies to bounding, effective, inheritable and permitted; ambient stays empty (the draft has none)', () => {
    const { m, warnings } = masks(['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'], { edition: 'draft' });
    const want = bit('CAP_AUDIT_WRITE') | bit('CAP_KILL') | bit('CAP_NET_BIND_SERVICE');
    expect(m).toEqual({ bounding: want, effective: want, inheritable: want, permitted: want, ambient: 0n });
    expect(warnings).toEqual([]);
  });
  it('the draft accepts the object form too', () => {
    expect(masks({ bounding: ['CAP_KILL'] }, { edition: 'draft' }).m).toEqual({ ...empty, bounding: bit('CAP_KILL') });
  });
  it('an empty array is every set empty', () => {
    expect(masks([], { edition: 'draft' }).m).toEqual(empty);
  });
});

describe('v1.3.0: what cannot be granted is logged as a warning and skipped', () => {
  it('a name the kernel does not know', () => {
    const { m, warnings } = masks({ bounding: ['CAP_KILL', 'CAP_NOT_A_CAP'] });
    expect(m.bounding).toBe(bit('CAP_KILL'));
    expect(warnings).toEqual(['process.capabilities.bounding[1]: "CAP_NOT_A_CAP" is not a capability this kernel knows; skipped']);
  });
  it('a capability newer than this kernel (above cap_last_cap)', () => {
    const old: HostCaps = { lastCap: 37, grantable: (1n << 38n) - 1n };
    const { m, warnings } = masks({ effective: ['CAP_BPF', 'CAP_AUDIT_READ'] }, { host: old });
    expect(m.effective).toBe(bit('CAP_AUDIT_READ'));
    expect(warnings).toEqual(['process.capabilities.effective[0]: "CAP_BPF" is not a capability this kernel knows; skipped']);
  });
  it('a capability the runtime itself lacks (outside its own bounding set)', () => {
    const host: HostCaps = { lastCap: LAST, grantable: everything.grantable & ~bit('CAP_SYS_ADMIN') };
    const { m, warnings } = masks({ permitted: ['CAP_SYS_ADMIN', 'CAP_KILL'] }, { host });
    expect(m.permitted).toBe(bit('CAP_KILL'));
    expect(warnings).toEqual(['process.capabilities.permitted[0]: CAP_SYS_ADMIN cannot be granted on this host; skipped']);
  });
  it('the draft\'s array form names the field without a set', () => {
    const { warnings } = masks(['CAP_NOPE'], { edition: 'draft' });
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.every((w) => w === 'process.capabilities[0]: "CAP_NOPE" is not a capability this kernel knows; skipped')).toBe(true);
  });
  it('an ambient capability not both permitted and inheritable is dropped with a warning (the kernel would refuse it)', () => {
    const { m, warnings } = masks({
      permitted: ['CAP_KILL', 'CAP_CHOWN'],
      inheritable: ['CAP_KILL', 'CAP_NET_RAW'],
      ambient: ['CAP_KILL', 'CAP_CHOWN', 'CAP_NET_RAW'],
    });
    expect(m.ambient).toBe(bit('CAP_KILL'));
    expect(warnings).toEqual(['process.capabilities.ambient: CAP_CHOWN, CAP_NET_RAW not both permitted and inheritable; skipped']);
    expect(masks({ ambient: ['CAP_KILL'] }).m.ambient).toBe(0n);
  });
});

it('SETS are the five sets of v1.3.0', () => {
  expect([...SETS].sort()).toEqual(['ambient', 'bounding', 'effective', 'inheritable', 'permitted']);
});
