import { describe, expect, it } from 'vitest';
import { refuseUnsupported } from '../../src/spec/unsupported.ts';
import type { Config } from '../../src/spec/config.ts';

const base = (): Config => ({ ociVersion: '1.3.0', root: { path: 'rootfs' }, process: { user: { uid: 0, gid: 0 }, args: ['/x'], cwd: '/' }, linux: {} });

describe('config.md "Valid values" and "Extensibility"', () => {
  it('refuses a spec field ocirt does not implement, naming it', () => {
    const c = base();
    c.linux!.seccomp = { defaultAction: 'SCMP_ACT_ALLOW' };
    expect(() => refuseUnsupported(c)).toThrow('linux.seccomp: not supported by ocirt yet; remove it or leave it empty');
    const p = base();
    p.process!.capabilities = { bounding: ['CAP_KILL'] };
    expect(() => refuseUnsupported(p)).toThrow(/^process\.capabilities:/);
    const h = base();
    h.hooks = { prestart: [{ path: '/bin/true' }] };
    expect(() => refuseUnsupported(h)).toThrow(/^hooks:/);
  });
  it('passes a spec field that asks for nothing (empty, false, null)', () => {
    const c = base();
    Object.assign(c.linux!, { maskedPaths: [], resources: {}, seccomp: null });
    c.process!.noNewPrivileges = false;
    expect(() => refuseUnsupported(c)).not.toThrow();
  });
  it('MUST ignore unknown properties, at every level', () => {
    const c = base() as Config & Record<string, unknown>;
    c['org.example.extension'] = { anything: true };
    c.process!['x-custom'] = 1;
    c.linux!['futureField'] = ['a'];
    expect(() => refuseUnsupported(c)).not.toThrow();
  });
  it('refuses a terminal and id-mapped mounts', () => {
    const t = base();
    t.process!.terminal = true;
    expect(() => refuseUnsupported(t)).toThrow(/^process\.terminal:/);
    const m = base();
    m.mounts = [{ destination: '/m', type: 'bind', source: '/x', options: ['bind'], uidMappings: [{ containerID: 0, hostID: 1, size: 1 }] } as never];
    expect(() => refuseUnsupported(m)).toThrow(/^mounts\[0\]\.uidMappings:/);
  });
});

describe('config.md "Annotations"', async () => {
  const { checkAnnotations } = await import('../../src/spec/annotations.ts');
  it('accepts a map of strings, and an absent or empty one', () => {
    expect(() => checkAnnotations(undefined)).not.toThrow();
    expect(() => checkAnnotations({})).not.toThrow();
    expect(() => checkAnnotations({ 'com.example.key': 'v' })).not.toThrow();
  });
  it('refuses an empty key, a value that is not a string, and a map that is not an object', () => {
    expect(() => checkAnnotations({ '': 'v' })).toThrow(/a key MUST NOT be an empty string/);
    expect(() => checkAnnotations({ k: 42 })).toThrow('annotations.k: the value must be a string');
    expect(() => checkAnnotations(['a'])).toThrow(/must be a map/);
  });
});
