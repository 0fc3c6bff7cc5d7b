import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildRootfs, GROUP, PASSWD, ROOTFS_DIRS } from '../../src/bundles/rootfs.ts';

const mode = (path: string) => statSync(path).mode & 0o7777;

describe('buildRootfs', () => {
  let work: string;
  let probe: string;
  let rootfs: string;

  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'ocirt-rootfs-'));
    probe = join(work, 'fake-probe');
    writeFileSync(probe, 'not really a probe\n', { mode: 0o600 });
    rootfs = join(work, 'bundle', 'rootfs');
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  it('lays out the directories, the probe twice and /etc', () => {
    buildRootfs(rootfs, probe);
    expect(readdirSync(rootfs).sort()).toEqual(['bin', 'dev', 'etc', 'probe', 'proc', 'sys', 'tmp']);
    for (const dir of ROOTFS_DIRS) expect(statSync(join(rootfs, dir)).isDirectory()).toBe(true);
    expect(mode(join(rootfs, 'tmp'))).toBe(0o1777);
    expect(mode(join(rootfs, 'proc'))).toBe(0o755);
    for (const target of ['probe', 'bin/probe']) {
      expect(readFileSync(join(rootfs, target), 'utf8')).toBe('not really a probe\n');
      expect(mode(join(rootfs, target))).toBe(0o755);
    }
    expect(readdirSync(join(rootfs, 'bin'))).toEqual(['probe']);
    expect(readdirSync(join(rootfs, 'etc')).sort()).toEqual(['group', 'hostname', 'passwd']);
  });

  it('writes an empty hostname and passwd/group with root and nobody', () => {
    buildRootfs(rootfs, probe);
    expect(readFileSync(join(rootfs, 'etc/hostname'), 'utf8')).toBe('');
    const passwd = readFileSync(join(rootfs, 'etc/passwd'), 'utf8');
    expect(passwd).toBe(PASSWD);
    expect(passwd.split('\n')).toContain('nobody:x:65534:65534:nobody:/:/probe');
    expect(passwd.split('\n')[0]).toMatch(/^root:x:0:0:/);
    const group = readFileSync(join(rootfs, 'etc/group'), 'utf8');
    expect(group).toBe(GROUP);
    expect(group.split('\n')).toEqual(['root:x:0:', 'nobody:x:65534:', '']);
  });

  it('recreates the rootfs from scratch, dropping whatever was there', () => {
    buildRootfs(rootfs, probe);
    writeFileSync(join(rootfs, 'stale'), 'x');
    writeFileSync(join(rootfs, 'etc/hostname'), 'dirty');
    writeFileSync(probe, 'new probe\n');
    buildRootfs(rootfs, probe);
    expect(existsSync(join(rootfs, 'stale'))).toBe(false);
    expect(readFileSync(join(rootfs, 'etc/hostname'), 'utf8')).toBe('');
    expect(readFileSync(join(rootfs, 'bin/probe'), 'utf8')).toBe('new probe\n');
  });

  it('fails, touching nothing, when the probe is missing', () => {
    buildRootfs(rootfs, probe);
    expect(() => buildRootfs(rootfs, join(work, 'absent'))).toThrow(/probe not found at .*absent.*gcc -static/);
    expect(existsSync(join(rootfs, 'probe'))).toBe(true);
  });
});

// The sample bundles stay within what the runtime supports today (bundles/README.md).
describe('sample bundles', () => {
  const bundlesDir = fileURLToPath(new URL('../../bundles/', import.meta.url));
  const load = (name: string) => JSON.parse(readFileSync(join(bundlesDir, name, 'config.json'), 'utf8'));
  const names = ['v1-basic', 'v1-userns', 'draft-basic', 'draft-autoremove'];
  const unsupported = ['capabilities', 'rlimits', 'noNewPrivileges', 'apparmorProfile', 'selinuxLabel'];
  const unsupportedLinux = ['maskedPaths', 'readonlyPaths', 'seccomp', 'resources', 'devices', 'sysctl'];

  it.each(names)('%s runs the probe from rootfs and asks for nothing unsupported', (name) => {
    const config = load(name);
    expect(config.root.path).toBe('rootfs');
    expect(config.process.args[0]).toBe('/probe');
    expect(config.process.cwd).toBe('/');
    expect(config.hooks).toBeUndefined();
    for (const key of unsupported) expect(config.process[key], key).toBeUndefined();
    for (const key of unsupportedLinux) expect(config.linux[key], key).toBeUndefined();
    const types = config.linux.namespaces.map((ns: { type: string }) => ns.type);
    expect(types).toEqual(expect.arrayContaining(['pid', 'ipc', 'uts', 'mount', 'network']));
  });

  it('v1 bundles are 1.3.0; draft bundles are 0.6.0-dev with a platform and root.autoremove', () => {
    expect(load('v1-basic').ociVersion).toBe('1.3.0');
    expect(load('v1-userns').ociVersion).toBe('1.3.0');
    for (const [name, autoremove] of [['draft-basic', false], ['draft-autoremove', true]] as const) {
      const config = load(name);
      expect(config.ociVersion).toBe('0.6.0-dev');
      expect(config.platform).toEqual({ os: 'linux', arch: expect.any(String) });
      expect(config.root.autoremove).toBe(autoremove);
      // The draft knows no cgroup namespace.
      expect(config.linux.namespaces.map((ns: { type: string }) => ns.type)).not.toContain('cgroup');
    }
  });

  it('v1-userns maps 65536 ids at 100000 and leaves sysfs out', () => {
    const config = load('v1-userns');
    const mapping = [{ containerID: 0, hostID: 100000, size: 65536 }];
    expect(config.linux.uidMappings).toEqual(mapping);
    expect(config.linux.gidMappings).toEqual(mapping);
    expect(config.linux.namespaces.map((ns: { type: string }) => ns.type)).toContain('user');
    expect(config.mounts.map((m: { type: string }) => m.type)).not.toContain('sysfs');
  });
});
