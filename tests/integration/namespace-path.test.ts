// config-linux.md "Namespaces": a namespace `path` that is a bind mount of a namespace file, as
// `ip netns add` and podman make under /run/netns, is a namespace file (nsfs), and is joined; given
// for another type it is the error naming the field (spec/checks/namespaces.ts, src/linux/nstype.ts).
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { eachTestSandbox, hostMountPoints, isRoot, lines, madeFor, NEEDS_ROOT, nsOf, probeReport, Sandbox } from './harness.ts';

/** /run/netns-ocirt-test-…: a file with a new network namespace bind-mounted on it, held by nothing else. */
function persistentNetns(): string {
  const file = `/run/netns-ocirt-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  writeFileSync(file, '');
  made.push(file);
  // `unshare --net` runs mount in a new network namespace, and mount bind-mounts it (its own
  // /proc/self/ns/net) onto the file in the host's mount namespace: what `ip netns add` does.
  const r = spawnSync('unshare', ['--net', 'mount', '--bind', '/proc/self/ns/net', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`unshare --net mount --bind /proc/self/ns/net ${file}: ${r.stderr || r.error}`);
  return file;
}

let made: string[] = [];

const mountedAt = (file: string) => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.split(' ')[4] === file);

describe.skipIf(!isRoot)(`a namespace path bind-mounted from nsfs (${NEEDS_ROOT})`, () => {
  let s: Sandbox;
  eachTestSandbox((x) => (s = x));
  afterEach(() => {
    // even when the test failed: unmount (which frees the namespace) and remove the file
    for (const file of made) {
      spawnSync('umount', [file]);
      rmSync(file, { force: true });
      expect(mountedAt(file)).toEqual([]);
    }
    made = [];
  });

  it('v1: a network namespace given as /run/netns-… is joined, and run succeeds', () => {
    const file = persistentNetns();
    expect(mountedAt(file)[0]).toMatch(/ net:\[\d+\] .* - nsfs nsfs /);
    const joined = `net:[${statSync(file).ino}]`;
    expect(joined).not.toBe(nsOf('self', 'net'));
    const bundle = s.bundle('v1-basic', (c) => {
      c.process!.args = ['/probe', 'report'];
      c.linux!.namespaces = c.linux!.namespaces!.map((ns) => (ns.type === 'network' ? { type: 'network', path: file } : ns));
    });
    const r = s.ocirt(['run', '--bundle', bundle, s.id()]);
    expect(r.code, r.stderr).toBe(0);
    expect(`net:[${(probeReport(r.stdout).namespaces as Record<string, number>).net}]`).toBe(joined);
  });

  it('v1: the same file given for "pid" is an error naming the field and the type, and nothing is made', () => {
    const file = persistentNetns();
    const ino = statSync(file).ino;
    const bundle = s.bundle('v1-basic', (c) => (c.linux!.namespaces = c.linux!.namespaces!.map((ns) => (ns.type === 'pid' ? { type: 'pid', path: file } : ns))));
    const id = s.id();
    const before = hostMountPoints();
    const r = s.create(bundle, id);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual([`ocirt: linux.namespaces[0].path: ${file} is a namespace of type network (net:[${ino}]), not pid`]);
    expect(madeFor(s, id, before)).toEqual([]);
  });
});
