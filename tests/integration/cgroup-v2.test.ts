// A pure cgroup v2 host, on this hybrid machine: ocirt runs in a private mount namespace where
// cgroup2 alone is mounted on /sys/fs/cgroup (as the suite runs crun). Its only controller here is
// hugetlb, so this is where the v2-only paths run for real: the device allowlist as a BPF program,
// pause through cgroup.freeze, hugetlb limits with the controller enabled above the container,
// events from v2 files, and a controller v2 lacks refused by name.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defaultCgroupPath } from '../../src/linux/cgroup-layout.ts';
import type { Config } from '../../src/spec/config.ts';
import { eachTestSandbox, isRoot, lines, madeFor, NEEDS_ROOT, Sandbox, sleep, waitFor, type Result } from './harness.ts';

const MiB = 1024 * 1024;
const sh = (script: string, ns?: string) => spawnSync('nsenter', [...(ns ? [`--mount=${ns}`] : []), 'sh', '-c', script], { encoding: 'utf8' });
/** The cgroup2 hierarchy as this (host) namespace sees it: the container's v2 cgroup is there too. */
const UNIFIED = '/sys/fs/cgroup/unified';

describe.skipIf(!isRoot || !existsSync(UNIFIED))(`a pure cgroup v2 host (${NEEDS_ROOT}; cgroup2 at ${UNIFIED})`, () => {
  let s: Sandbox;
  let ns: string;
  const made: string[] = [];
  eachTestSandbox((x) => (s = x));

  beforeAll(() => {
    // Outside any sandbox directory, so that the namespace's bind mount is not taken for a test's leftover.
    ns = join(mkdtempSync(join(tmpdir(), 'ocirt-v2ns-')), 'mnt');
    writeFileSync(ns, '');
    expect(spawnSync('unshare', [`--mount=${ns}`, '--propagation', 'private', 'true']).status).toBe(0);
    expect(sh('umount -R /sys/fs/cgroup && mount -t cgroup2 cgroup2 /sys/fs/cgroup', ns).status).toBe(0);
  });
  afterAll(() => {
    spawnSync('umount', [ns]);
    spawnSync('rm', ['-rf', join(ns, '..')]);
  });

  const v2 = (args: string[], opts: { input?: string; stdout?: string } = {}): Result => s.ocirt(args, { ...opts, prefix: ['nsenter', `--mount=${ns}`] });

  // Runs before eachTestSandbox's check (after-hooks run last-registered first): delete inside the namespace.
  afterEach(() => {
    for (const id of made.splice(0)) v2(['delete', '--force', id]);
  });

  function created(edit: (c: Config) => void, args: string[]): { id: string; out: string } {
    const id = s.id();
    made.push(id);
    const out = s.file('out');
    const r = v2(['create', '--bundle', s.bundle('v1-basic', (c) => ((c.process!.args = args), edit(c))), id], { stdout: out });
    expect(r.code, r.stderr).toBe(0);
    return { id, out };
  }

  const status = (id: string) => (JSON.parse(v2(['state', id]).stdout) as { status: string }).status;
  const resources = (c: Config, r: Record<string, unknown>) => ((c.linux as Record<string, unknown>).resources = r);
  const bindTun = (c: Config) => c.mounts!.push({ destination: '/tun', type: 'bind', source: '/dev/net/tun', options: ['bind'] });
  const dirOf = (id: string) => join(UNIFIED, defaultCgroupPath(s.root, id));

  it('the namespace is a pure v2 host: ocirt puts the container in the cgroup2 hierarchy only', () => {
    const { id } = created(() => {}, ['/probe', 'sleep', '30']);
    const pid = JSON.parse(v2(['state', id]).stdout).pid as number;
    expect(readFileSync(join(dirOf(id), 'cgroup.procs'), 'utf8')).toContain(String(pid));
    expect(readFileSync(`/proc/${pid}/cgroup`, 'utf8')).toMatch(new RegExp(`^0::/${defaultCgroupPath(s.root, id)}$`, 'm'));
  });

  it.skipIf(!existsSync('/dev/net/tun'))('the device allowlist is a BPF program: a denied device cannot be opened, the defaults can', async () => {
    const { id, out } = created((c) => (bindTun(c), resources(c, { devices: [{ allow: false, access: 'rwm' }] })), ['/probe', 'read', '/tun', 'read', '/dev/null']);
    expect(v2(['start', id]).code).toBe(0);
    expect(await waitFor(() => readFileSync(out, 'utf8').split('\n').length > 2)).toBe(true);
    const [tun, devNull] = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { errno?: number; bytes?: number });
    expect(tun).toMatchObject({ errno: 1 });
    expect(devNull).toMatchObject({ bytes: 0 });
  });

  it.skipIf(!existsSync('/dev/net/tun'))('update with new device rules replaces the program: the next open follows them', async () => {
    const deny = [{ allow: false, access: 'rwm' }];
    const { id, out } = created((c) => (bindTun(c), resources(c, { devices: deny })), ['/probe', 'read', '/tun', 'sleep', '1', 'read', '/tun']);
    expect(v2(['start', id]).code).toBe(0);
    expect(await waitFor(() => readFileSync(out, 'utf8').includes('errno'))).toBe(true);
    const r = v2(['update', '-r', '-', id], { input: JSON.stringify({ devices: [...deny, { allow: true, type: 'c', major: 10, minor: 200, access: 'rw' }] }) });
    expect(r.code, r.stderr).toBe(0);
    expect(await waitFor(() => status(id) === 'stopped')).toBe(true);
    const [before, after] = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { errno?: number });
    expect(before).toMatchObject({ errno: 1 });
    expect(after!.errno).not.toBe(1);
  });

  it('pause freezes through cgroup.freeze; state says paused; resume thaws', async () => {
    const ticker = ['/probe', ...Array.from({ length: 500 }, () => ['print', 't', 'sleep', '0.02']).flat()];
    const { id, out } = created(() => {}, ticker);
    expect(v2(['start', id]).code).toBe(0);
    const ticks = () => readFileSync(out, 'utf8').length;
    expect(await waitFor(() => ticks() > 0)).toBe(true);
    expect(v2(['pause', id]).code).toBe(0);
    expect(readFileSync(join(dirOf(id), 'cgroup.freeze'), 'utf8').trim()).toBe('1');
    expect(status(id)).toBe('paused');
    const at = ticks();
    await sleep(300);
    expect(ticks()).toBe(at);
    expect(v2(['resume', id]).code).toBe(0);
    expect(await waitFor(() => ticks() > at)).toBe(true);
  });

  it('hugepageLimits are written with hugetlb enabled in every parent; events reads v2 files', () => {
    const { id } = created((c) => resources(c, { hugepageLimits: [{ pageSize: '2MB', limit: 2 * MiB }] }), ['/probe', 'fork', '2', 'sleep', '30']);
    expect(readFileSync(join(dirOf(id), 'hugetlb.2MB.max'), 'utf8').trim()).toBe(String(2 * MiB));
    expect(readFileSync(join(UNIFIED, 'ocirt', 'cgroup.subtree_control'), 'utf8')).toContain('hugetlb');
    expect(v2(['start', id]).code).toBe(0);
    const e = JSON.parse(v2(['events', '--stats', id]).stdout) as { type: string; data: { hugetlb?: Record<string, { max?: number }>; pids?: { current: number } } };
    expect(e.type).toBe('stats');
    expect(e.data.hugetlb?.['2MB']).toBeDefined();
  });

  it('a controller this v2 hierarchy lacks is an error naming the field, and nothing is left', () => {
    const id = s.id();
    const r = v2(['create', '--bundle', s.bundle('v1-basic', (c) => resources(c, { memory: { limit: 64 * MiB } })), id]);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual([expect.stringMatching(/^ocirt: linux\.resources\.memory(\.limit)?: .*memory/)]);
    expect(existsSync(dirOf(id))).toBe(false);
    expect(madeFor(s, id, [])).toEqual([]);
  });
});
