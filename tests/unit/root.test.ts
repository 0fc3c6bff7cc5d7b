import { describe, expect, it } from 'vitest';
import { defaultRoot, inUserNamespace } from '../../src/state/root.ts';

const identity = () => '         0          0 4294967295\n';
const mapped = () => '         0     100000      65536\n';
const noProc = (): string => {
  throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
};

describe('defaultRoot', () => {
  it('is /run/ocirt without XDG_RUNTIME_DIR', () => {
    expect(defaultRoot({}, 1000, identity)).toBe('/run/ocirt');
    expect(defaultRoot({}, 0, mapped)).toBe('/run/ocirt');
    expect(defaultRoot({ XDG_RUNTIME_DIR: '' }, 1000, identity)).toBe('/run/ocirt');
  });

  it('is $XDG_RUNTIME_DIR/ocirt for a non-root caller', () => {
    expect(defaultRoot({ XDG_RUNTIME_DIR: '/run/user/1000' }, 1000, identity)).toBe('/run/user/1000/ocirt');
  });

  it('is /run/ocirt for root in the initial user namespace', () => {
    expect(defaultRoot({ XDG_RUNTIME_DIR: '/run/user/0' }, 0, identity)).toBe('/run/ocirt');
  });

  it('is $XDG_RUNTIME_DIR/ocirt for root in a user namespace', () => {
    expect(defaultRoot({ XDG_RUNTIME_DIR: '/run/user/1000' }, 0, mapped)).toBe('/run/user/1000/ocirt');
  });

  it('treats an unreadable uid_map as the initial namespace', () => {
    expect(defaultRoot({ XDG_RUNTIME_DIR: '/x' }, 0, noProc)).toBe('/run/ocirt');
  });

  it('works with the real process defaults', () => {
    expect(['/run/ocirt', '/xdg/ocirt']).toContain(defaultRoot({ XDG_RUNTIME_DIR: '/xdg' }));
    expect(defaultRoot({})).toBe('/run/ocirt');
  });
});

describe('inUserNamespace', () => {
  it('recognises the identity map with any spacing', () => {
    expect(inUserNamespace(identity)).toBe(false);
    expect(inUserNamespace(() => '0 0 4294967295')).toBe(false);
  });

  it('sees any other map as a user namespace', () => {
    expect(inUserNamespace(mapped)).toBe(true);
    expect(inUserNamespace(() => '0 0 1000\n1000 1000 4294966295\n')).toBe(true);
    expect(inUserNamespace(() => '')).toBe(true);
  });
});
