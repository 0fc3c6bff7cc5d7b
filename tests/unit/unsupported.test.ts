import { describe, expect, it } from 'vitest';
import { unsupportedFindings } from '../../src/spec/unsupported.ts';
import type { Config } from '../../src/spec/config.ts';

const base = (): Config => ({ ociVersion: '1.3.0', root: { path: 'rootfs' }, process: { user: { uid: 0, gid: 0 }, args: ['/x'], cwd: '/' }, linux: {} });
const refused = (c: Config) => unsupportedFindings(c as unknown as Record<string, unknown>).map((f) => `${f.pointer}: ${f.message}`);

describe('config.md "Valid values" and "Extensibility"', () => {
  it('refuses a spec field ocirt does not implement, naming it', () => {
    const c = base();
    c.linux!.seccomp = { defaultAction: 'SCMP_ACT_ALLOW' };
    expect(refused(c)).toEqual(['/linux/seccomp: not supported by ocirt yet; remove it or leave it empty']);
    const p = base();
    p.process!.capabilities = { bounding: ['CAP_KILL'] };
    expect(refused(p)).toEqual([expect.stringMatching(/^\/process\/capabilities: /)]);
    const h = base();
    h.hooks = { prestart: [{ path: '/bin/true' }] };
    expect(refused(h)).toEqual([expect.stringMatching(/^\/hooks: /)]);
    expect(unsupportedFindings(h as unknown as Record<string, unknown>)[0]).toMatchObject({ severity: 'error', reference: { file: 'v1.3.0/config.md', section: 'POSIX-platform Hooks' } });
  });
  it('passes a spec field that asks for nothing (empty, false, null)', () => {
    const c = base();
    Object.assign(c.linux!, { maskedPaths: [], resources: {}, seccomp: null });
    c.process!.noNewPrivileges = false;
    expect(refused(c)).toEqual([]);
  });
  it('MUST ignore unknown properties, at every level', () => {
    const c = base() as Config & Record<string, unknown>;
    c['org.example.extension'] = { anything: true };
    c.process!['x-custom'] = 1;
    c.linux!['futureField'] = ['a'];
    expect(refused(c)).toEqual([]);
  });
  it('refuses a terminal, id-mapped mounts and the mount options it does not implement', () => {
    const t = base();
    t.process!.terminal = true;
    expect(refused(t)).toEqual(['/process/terminal: a terminal is not supported by ocirt yet']);
    const m = base();
    m.mounts = [{ destination: '/m', type: 'bind', source: '/x', options: ['bind', 'tmpcopyup'], uidMappings: [{ containerID: 0, hostID: 1, size: 1 }] } as never];
    expect(refused(m)).toEqual(['/mounts/0/uidMappings: id-mapped mounts are not supported by ocirt yet', '/mounts/0/options/1: mount option "tmpcopyup" is not supported by ocirt yet']);
  });
  it('never throws on a config of the wrong shape', () => {
    for (const odd of [{ process: 'x', linux: [1], mounts: [null, 3, { options: 'ro' }] }, { hooks: 0, mounts: {} }]) expect(() => unsupportedFindings(odd)).not.toThrow();
  });
});
