// namespaceFile (spec/checks/namespaces.ts) and src/linux/nstype.ts: a namespace file is one on nsfs
// (statfs NSFS_MAGIC), its type from ioctl(NS_GET_NSTYPE) or, without FFI, from the names nsfs gives.
// Runs under Node (koffi); the bind-mount cases need root and skip without it.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ioctlNamespaceType, mountedNamespaceType, parseNsfsName } from '../../src/linux/nstype.ts';
import { CHECKS } from '../../src/spec/checks/index.ts';
import { namespaceFile } from '../../src/spec/checks/namespaces.ts';

const isRoot = process.getuid?.() === 0;
const noIoctl = () => undefined;
const NS = ['net', 'ipc', 'uts', 'mnt', 'user', 'cgroup', 'pid', 'pid_for_children'] as const;
const typeName = (file: string) => file.replace(/_for_children$/, '');

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'ocirt-nsfile-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ioctlNamespaceType (NS_GET_NSTYPE through FFI)', () => {
  it.each(NS)('names the type of /proc/self/ns/%s', (file) => {
    const fd = openSync(`/proc/self/ns/${file}`, 'r');
    try {
      expect(ioctlNamespaceType(fd)).toBe(typeName(file));
    } finally {
      closeSync(fd);
    }
  });
  it('says nothing for a file that is not a namespace (ENOTTY)', () => {
    const fd = openSync('/proc/self/status', 'r');
    try {
      expect(ioctlNamespaceType(fd)).toBeUndefined();
    } finally {
      closeSync(fd);
    }
  });
});

describe('namespaceFile', () => {
  it.each(NS)('/proc/self/ns/%s (a magic link) is a namespace of its type, with and without the ioctl', (file) => {
    const path = `/proc/self/ns/${file}`;
    const want = { kind: 'namespace', nsfs: typeName(file), link: readlinkSync(path) };
    expect(namespaceFile(path)).toEqual(want);
    expect(namespaceFile(path, noIoctl)).toEqual(want);
  });

  it('a file on another filesystem is not one: a directory of /proc, a device, a regular file, a FIFO (never opened for reading)', () => {
    const file = join(dir, 'file');
    writeFileSync(file, 'net:[4026531840]\n');
    const fifo = join(dir, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    for (const p of ['/proc/self/ns', '/dev/null', file, fifo, '/proc/self/status']) expect(namespaceFile(p), p).toEqual({ kind: 'other' });
  });

  it('missing and unopenable paths', () => {
    expect(namespaceFile('/nonexistent/x')).toEqual({ kind: 'missing' });
    expect(namespaceFile('/etc/passwd/x')).toEqual({ kind: 'missing' });
    expect(namespaceFile('/bad\0path')).toMatchObject({ kind: 'error' });
  });
});

describe('mountedNamespaceType (the fallback for a bind mount without FFI)', () => {
  const MOUNTINFO = [
    '22 1 0:21 / /proc rw,nosuid - proc proc rw',
    '42 27 0:4 net:[4026532281] /run/netns/a rw shared:5 - nsfs nsfs rw',
    '43 27 0:4 uts:[4026532999] /run/netns/a rw shared:5 - nsfs nsfs rw', // stacked on top: another inode
    '44 27 0:4 net:[4026532300] /run/netns/with\\040space rw - nsfs nsfs rw',
    '45 27 0:50 net:[4026532301] /run/netns/not-nsfs rw - tmpfs tmpfs rw',
  ].join('\n');
  it('reads the root field of the nsfs mount at the path whose inode matches', () => {
    expect(mountedNamespaceType('/run/netns/a', 4026532281, MOUNTINFO)).toBe('net');
    expect(mountedNamespaceType('/run/netns/a', 4026532999, MOUNTINFO)).toBe('uts');
    expect(mountedNamespaceType('/run/netns/with space', 4026532300, MOUNTINFO)).toBe('net');
  });
  it('says nothing when no nsfs line matches', () => {
    expect(mountedNamespaceType('/run/netns/a', 1, MOUNTINFO)).toBeUndefined();
    expect(mountedNamespaceType('/run/netns/not-nsfs', 4026532301, MOUNTINFO)).toBeUndefined();
    expect(mountedNamespaceType('/run/netns/b', 4026532281, MOUNTINFO)).toBeUndefined();
  });
  it('parseNsfsName', () => {
    expect(parseNsfsName('net:[4026531840]')).toEqual(['net', 4026531840]);
    expect(parseNsfsName('/run/netns/a')).toBeUndefined();
  });
});

describe.skipIf(!isRoot)('a bind mount of a namespace file, as `ip netns add` makes (needs root)', () => {
  let target: string | undefined;
  const bindMount = (source: string): string => {
    target = `/run/netns-ocirt-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    writeFileSync(target, '');
    const r = spawnSync('mount', ['--bind', source, target], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`mount --bind ${source} ${target}: ${r.stderr}`);
    return target;
  };
  afterEach(() => {
    if (target === undefined) return;
    spawnSync('umount', [target]);
    rmSync(target, { force: true });
    target = undefined;
  });

  it('is a namespace file of its type, with the ioctl and with mountinfo alone', () => {
    const path = bindMount('/proc/self/ns/net');
    const want = { kind: 'namespace', nsfs: 'net', link: readlinkSync('/proc/self/ns/net') };
    const fd = openSync(path, 'r');
    expect(readlinkSync(`/proc/self/fd/${fd}`)).toBe(path); // why the fd link cannot name its type
    closeSync(fd);
    expect(namespaceFile(path)).toEqual(want);
    expect(namespaceFile(path, noIoctl)).toEqual(want);
    expect(statSync(path).ino).toBe(statSync('/proc/self/ns/net').ino);
  });

  it('passes namespacePaths for "network"; given for "pid" it is an error naming the field and the type', () => {
    const path = bindMount('/proc/self/ns/net');
    const link = readlinkSync('/proc/self/ns/net');
    const c = { ociVersion: '1.3.0', linux: { namespaces: [{ type: 'network', path }, { type: 'pid', path }] } };
    const findings = CHECKS.namespacePaths!(c, { edition: 'v1', bundleDir: dir });
    expect(findings.map((f) => `${f.severity} ${f.pointer}: ${f.message}`)).toEqual([`error /linux/namespaces/1/path: ${path} is a namespace of type network (${link}), not pid`]);
    expect(findings[0]!.fix).toBe('give the path of a pid namespace, e.g. /proc/<pid>/ns/pid');
  });
});
