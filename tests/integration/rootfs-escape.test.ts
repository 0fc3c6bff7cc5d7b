// Issue 9, "Paths stay inside the rootfs": a symlink in the image never makes ocirt create, mount
// over, replace or delete anything outside root.path (config.md "Mounts": destination is a "path
// inside container"; config-linux.md "Devices", "Masked Paths", "Readonly Paths"). Each case copies
// the sample rootfs into the sandbox (never planting symlinks in the shared bundles/ tree), plants a
// symlink to a host directory the test made, and checks that the host directory is as it was, that
// no mount appeared on the host, and that the container either ran with the mount inside its rootfs
// or create failed with one line naming the field and left nothing.
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Config, Mount } from '../../src/spec/config.ts';
import { eachTestSandbox, hostMountPoints, isRoot, madeFor, NEEDS_ROOT, PROJECT, probeReport, Sandbox, waitForStatus } from './harness.ts';

interface MountEntry {
  mount_point: string;
  fstype: string;
}

/** Every entry under dir (lstat: a symlink is not followed), with its type, size and content. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const path = join(dir, rel, name);
      const st = lstatSync(path);
      const kind = st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'link' : st.isFile() ? 'file' : 'other';
      out.push(`${join(rel, name)} ${kind} ${st.mode.toString(8)} ${kind === 'file' ? readFileSync(path, 'utf8') : st.rdev}`);
      if (kind === 'dir') walk(join(rel, name));
    }
  };
  walk('.');
  return out;
}

describe.skipIf(!isRoot)(`paths stay inside the rootfs (${NEEDS_ROOT})`, () => {
  let s: Sandbox;
  eachTestSandbox((x) => (s = x));

  /** A host directory with marker files (named as device nodes, which the issue saw deleted). */
  function hostDir(): string {
    const dir = s.file('host');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    for (const name of ['marker', 'null', 'tty', 'sub/inner']) writeFileSync(join(dir, name), `${name} of the host\n`);
    return dir;
  }

  /** A private copy of the sample rootfs; `inside` paths are also made in it as directories. */
  function rootfsCopy(inside: string[] = []): string {
    const rootfs = s.file('rootfs');
    cpSync(join(PROJECT, 'bundles/v1-basic/rootfs'), rootfs, { recursive: true });
    for (const p of inside) mkdirSync(join(rootfs, p), { recursive: true });
    return rootfs;
  }

  /** The sample's config without its /tmp tmpfs, which would cover the host paths (under /tmp) made inside the copy. */
  const bundle = (rootfs: string, edit: (c: Config) => void) =>
    s.bundle('v1-basic', (c) => {
      c.root.path = rootfs;
      c.mounts = c.mounts!.filter((m) => m.destination !== '/tmp');
      edit(c);
    });

  type Outcome = { ran: Record<string, unknown>; error?: undefined } | { ran?: undefined; error: string };

  /** create, then start and the probe's report; or the failed create's message, checked to be one line that left nothing. */
  async function attempt(b: string, guarded: string[]): Promise<Outcome> {
    const id = s.id();
    const before = hostMountPoints();
    const snaps = guarded.map(snapshot);
    const r = s.create(b, id);
    let out: Outcome;
    if (r.code === 0) {
      expect(s.ocirt(['start', id]).code).toBe(0);
      expect(await waitForStatus(s, id, 'stopped')).toBe('stopped');
      out = { ran: probeReport(readFileSync(r.out, 'utf8')) };
    } else {
      expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
      expect(s.rootEntries()).not.toContain(id);
      expect(madeFor(s, id, before)).toEqual([]);
      out = { error: r.stderr.trim() };
    }
    expect(guarded.map(snapshot)).toEqual(snaps);
    expect(hostMountPoints().filter((p) => !before.includes(p))).toEqual([]);
    return out;
  }

  const mounted = (o: Outcome, at: string) => {
    expect(o.error).toBeUndefined();
    return (o.ran!.mountinfo as MountEntry[]).filter((m) => m.mount_point === at).at(-1);
  };
  const tmpfs = (destination: string): Mount => ({ destination, type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'size=1m'] });
  const bind = (destination: string, source: string): Mount => ({ destination, type: 'bind', source, options: ['rbind'] });

  describe('(1) an absolute symlink to a host directory, a mount destination through it', () => {
    it('tmpfs and bind: the symlink resolves inside the rootfs, where its target is missing, so create fails naming the mount', async () => {
      const host = hostDir();
      const src = s.file('src');
      mkdirSync(src);
      for (const m of [tmpfs('/evil/x'), bind('/evil/x', src)]) {
        const rootfs = rootfsCopy();
        symlinkSync(host, join(rootfs, 'evil'));
        const o = await attempt(bundle(rootfs, (c) => c.mounts!.push(m)), [host]);
        expect(o.error).toMatch(/mounts\[6\] \(\/evil\/x\): .*\/evil/);
        expect(existsSync(join(host, 'x'))).toBe(false);
      }
    });
    it('tmpfs and bind: where the target exists inside the rootfs, the mount lands there', async () => {
      const host = hostDir();
      const src = s.file('src');
      mkdirSync(src);
      for (const m of [tmpfs('/evil/x'), bind('/evil/x', src)]) {
        const rootfs = rootfsCopy([host]);
        symlinkSync(host, join(rootfs, 'evil'));
        const o = await attempt(bundle(rootfs, (c) => c.mounts!.push(m)), [host]);
        expect(mounted(o, `${host}/x`)).toBeDefined();
        if (m.type === 'tmpfs') expect(mounted(o, `${host}/x`)!.fstype).toBe('tmpfs');
        expect(statSync(join(rootfs, host, 'x')).isDirectory()).toBe(true);
        expect(existsSync(join(host, 'x'))).toBe(false);
      }
    });
  });

  describe('(2) a relative symlink with many ..', () => {
    it('climbs no higher than the rootfs: create fails naming the mount, or the mount lands inside', async () => {
      const host = hostDir();
      const rel = '../'.repeat(16) + host.slice(1);
      const missing = rootfsCopy();
      symlinkSync(rel, join(missing, 'evil'));
      const failed = await attempt(bundle(missing, (c) => c.mounts!.push(tmpfs('/evil/x'))), [host]);
      expect(failed.error).toMatch(/mounts\[6\] \(\/evil\/x\): /);

      const present = rootfsCopy([host]);
      symlinkSync(rel, join(present, 'evil'));
      const ran = await attempt(bundle(present, (c) => c.mounts!.push(tmpfs('/evil/x'))), [host]);
      expect(mounted(ran, `${host}/x`)?.fstype).toBe('tmpfs');
      expect(existsSync(join(host, 'x'))).toBe(false);
    });
  });

  describe('(3) a file bind mount whose destination goes through a symlink', () => {
    it('makes no empty file on the host, through a directory symlink or as the symlink itself', async () => {
      const host = hostDir();
      const file = s.file('file');
      writeFileSync(file, 'bound\n');
      const through = rootfsCopy();
      symlinkSync(host, join(through, 'evil'));
      const a = await attempt(bundle(through, (c) => c.mounts!.push(bind('/evil/f', file))), [host]);
      expect(a.error).toMatch(/mounts\[6\] \(\/evil\/f\): /);
      expect(existsSync(join(host, 'f'))).toBe(false);

      const last = rootfsCopy();
      symlinkSync(join(host, 'marker'), join(last, 'etc/evil-file'));
      const b = await attempt(bundle(last, (c) => c.mounts!.push(bind('/etc/evil-file', file))), [host]);
      expect(b.error).toMatch(/mounts\[6\] \(\/etc\/evil-file\): /);

      const inside = rootfsCopy([host]);
      symlinkSync(host, join(inside, 'evil'));
      const c = await attempt(bundle(inside, (cfg) => (cfg.mounts!.push(bind('/evil/f', file)), (cfg.process!.args = ['/probe', 'read', '/evil/f', 'report']))), [host]);
      expect(mounted(c, `${host}/f`)).toBeDefined();
      expect(lstatSync(join(inside, host, 'f')).isFile()).toBe(true);
      expect(existsSync(join(host, 'f'))).toBe(false);
    });
  });

  describe('(4) rootfs/dev a symlink to a host directory, no /dev mount', () => {
    it('mounts under /dev (devpts, shm, mqueue) are not made in the host directory', async () => {
      const host = hostDir();
      const rootfs = rootfsCopy();
      rmSync(join(rootfs, 'dev'), { recursive: true });
      symlinkSync(host, join(rootfs, 'dev'));
      const o = await attempt(bundle(rootfs, (c) => (c.mounts = c.mounts!.filter((m) => m.destination !== '/dev'))), [host]);
      expect(o.error).toMatch(/mounts\[1\] \(\/dev\/pts\): /);
    });
    it('default devices and linux.devices neither replace the host\'s null and tty nor make nodes there', async () => {
      const host = hostDir();
      const rootfs = rootfsCopy([host]);
      rmSync(join(rootfs, 'dev'), { recursive: true });
      symlinkSync(host, join(rootfs, 'dev'));
      const o = await attempt(
        bundle(rootfs, (c) => {
          c.mounts = c.mounts!.filter((m) => !m.destination.startsWith('/dev'));
          c.linux!.devices = [{ path: '/dev/ocirt-null', type: 'c', major: 1, minor: 3 }, { path: '/dev/tty', type: 'c', major: 5, minor: 0 }];
        }),
        [host],
      );
      expect(o.error).toMatch(/default devices .*\(\/dev\/null\): /);
    });
  });

  describe('(5) masked and read-only paths', () => {
    it('a masked path or a read-only path that is a symlink is refused (CVE-2025-31133 class)', async () => {
      const host = hostDir();
      for (const [field, edit] of [
        ['linux.maskedPaths[0] (/evil)', (c: Config) => (c.linux!.maskedPaths = ['/evil'])],
        ['linux.readonlyPaths[0] (/evil)', (c: Config) => (c.linux!.readonlyPaths = ['/evil'])],
      ] as const) {
        const rootfs = rootfsCopy([host]);
        symlinkSync(host, join(rootfs, 'evil'));
        const o = await attempt(bundle(rootfs, edit), [host]);
        expect(o.error).toContain(field);
      }
    });
    it('paths through a symlink resolve inside the rootfs: what is there is masked or made read-only, the host is not', async () => {
      const host = hostDir();
      const rootfs = rootfsCopy([join(host, 'sub')]);
      writeFileSync(join(rootfs, host, 'marker'), 'marker of the rootfs\n');
      symlinkSync(host, join(rootfs, 'evil'));
      const o = await attempt(
        bundle(rootfs, (c) => {
          c.linux!.maskedPaths = ['/evil/marker', '/evil/null'];
          c.linux!.readonlyPaths = ['/evil/sub', '/evil/tty'];
          c.process!.args = ['/probe', 'read', '/evil/marker', 'attempt-write', '/evil/sub/new', 'x', 'report'];
        }),
        [host],
      );
      expect(mounted(o, `${host}/marker`)).toBeDefined();
      expect(mounted(o, `${host}/sub`)).toBeDefined();
    });
    it('a read-only path under a mount whose destination goes through a symlink', async () => {
      const host = hostDir();
      const rootfs = rootfsCopy();
      symlinkSync(host, join(rootfs, 'evil'));
      const o = await attempt(bundle(rootfs, (c) => (c.mounts!.push(tmpfs('/evil/ro')), (c.linux!.readonlyPaths = ['/evil/ro']))), [host]);
      expect(o.error).toMatch(/mounts\[6\] \(\/evil\/ro\): /);
    });
  });

  describe('(6) CVE-2021-30465 shape: a destination that is a symlink to / or to ../../..', () => {
    const topLevel = () => readdirSync('/').sort();
    it('is refused, naming the mount, and nothing lands on the host\'s /', async () => {
      for (const target of ['/', '../../..', '../'.repeat(16)]) {
        for (const m of [tmpfs('/link'), bind('/link', s.dir)]) {
          const rootfs = rootfsCopy();
          symlinkSync(target, join(rootfs, 'link'));
          const before = topLevel();
          const o = await attempt(bundle(rootfs, (c) => c.mounts!.push(m)), []);
          expect(o.error).toMatch(/mounts\[6\] \(\/link\): /);
          expect(topLevel()).toEqual(before);
        }
      }
    });
    it('a destination below such a symlink is made and mounted inside the rootfs, not in the host\'s /', async () => {
      const name = `ocirt-escape-${process.pid}-${Date.now()}`;
      try {
        for (const target of ['/', '../'.repeat(16)]) {
          const rootfs = rootfsCopy();
          symlinkSync(target, join(rootfs, 'link'));
          const o = await attempt(bundle(rootfs, (c) => c.mounts!.push(tmpfs(`/link/${name}`))), []);
          expect(existsSync(join('/', name))).toBe(false);
          expect(mounted(o, `/${name}`)?.fstype).toBe('tmpfs');
          expect(statSync(join(rootfs, name)).isDirectory()).toBe(true);
        }
      } finally {
        if (existsSync(join('/', name))) rmSync(join('/', name), { recursive: true }); // what the bug made
      }
    });
  });
  it("process.args[0] through an image symlink is looked up inside the rootfs, not on the host", () => {
    const rootfs = rootfsCopy();
    symlinkSync('/probe', join(rootfs, 'inside')); // absolute, inside: found
    symlinkSync('/usr/bin/env', join(rootfs, 'outside')); // exists on the host only
    const ok = s.id();
    const r = s.create(bundle(rootfs, (c) => (c.process!.args = ['/inside', 'report'])), ok);
    expect(r.code, r.stderr).toBe(0);
    const id = s.id();
    const refused = s.create(bundle(rootfs, (c) => (c.process!.args = ['/outside'])), id);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe('ocirt: process.args[0]: exec: "/outside": no such file or directory');
    expect(madeFor(s, id, [])).toEqual([]);
  });
});
