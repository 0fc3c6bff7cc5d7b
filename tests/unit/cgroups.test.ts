// Layout detection and cgroup paths run against sample mountinfo texts whose mount points lie in a
// temporary directory, so no root is needed; the last block makes real cgroups and runs only as root.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CgroupLayout, cgroupDirs, createCgroup, detectLayout, openCgroup } from '../../src/linux/cgroups.ts';
import { defaultCgroupPath } from '../../src/linux/cgroup-layout.ts';
import { thrown } from './thrown.ts';
import { HYBRID } from '../fixtures/mountinfo.ts';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(join(tmpdir(), 'ocirt-cgroups-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** systemd on v1 (Debian 10): co-mounted controllers, optional fields, non-controller super options. */
const V1 = `25 30 0:23 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
28 25 0:24 / @/sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
29 28 0:25 / @/sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup rw,xattr,release_agent=/lib/systemd/systemd-cgroups-agent,name=systemd
32 28 0:28 / @/sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,cpu,cpuacct
33 28 0:29 / @/sys/fs/cgroup/net_cls,net_prio rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,net_cls,net_prio
34 28 0:30 / @/sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,memory
35 28 0:31 / @/sys/fs/cgroup/cpuset rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup rw,cpuset,clone_children
36 28 0:32 / @/sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:17 - cgroup cgroup rw,pids
37 99 0:28 / @/run/ctr/rootfs/sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime master:13 - cgroup cgroup rw,cpu,cpuacct
`;

/** systemd 252 on v2; the second line is a bind mount of the same hierarchy. */
const V2 = `26 22 0:23 / @/sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
90 88 0:23 /system.slice @/mnt/cg\\040copy rw,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
`;

const ROOT = '/run/ocirt';
/** The state root's key in the default cgroup path (ocirt/<key>/<id>). */
const KEY = defaultCgroupPath(ROOT, 'x').split('/')[1]!;

const HOST_OWN = `9:name=systemd:/
8:pids:/
4:memory:/process_api/2680c1ad
1:cpu:/
2:cpuacct:/
3:cpuset:/
5:devices:/
6:freezer:/
7:blkio:/
0::/
`;

const fake = (sample: string) => sample.replaceAll('@', tmp);
const cg = (sub: string) => join(tmp, 'sys/fs/cgroup', sub);
const mountPoints = (l: CgroupLayout) => l.hierarchies.map((h) => h.mountPoint);

/** The hybrid sample with its mount points made, and the unified root listing hugetlb as on this host. */
function hybridTree(): CgroupLayout {
  const layout = detectLayout(fake(HYBRID));
  for (const h of layout.hierarchies) fs.mkdirSync(h.mountPoint, { recursive: true });
  fs.writeFileSync(cg('unified/cgroup.controllers'), 'hugetlb\n');
  return detectLayout(fake(HYBRID));
}


describe('detectLayout', () => {
  it('finds a hybrid layout: each v1 controller and the named systemd hierarchy, cgroup2 at unified', () => {
    const layout = hybridTree();
    expect(layout.kind).toBe('hybrid');
    expect(layout.hierarchies.map((h) => [h.mountPoint, h.version, h.controllers])).toEqual([
      ...['cpu', 'cpuacct', 'cpuset', 'memory', 'devices', 'freezer', 'blkio', 'pids'].map((c) => [cg(c), 1, [c]]),
      [cg('systemd'), 1, ['name=systemd']],
      [cg('unified'), 2, ['hugetlb']],
    ]);
  });

  it('finds v1: co-mounted cpu,cpuacct is one hierarchy, and a second mount of it is ignored', () => {
    const layout = detectLayout(fake(V1));
    expect(layout.kind).toBe('v1');
    expect(layout.hierarchies.map((h) => h.controllers)).toEqual([['name=systemd'], ['cpu', 'cpuacct'], ['net_cls', 'net_prio'], ['memory'], ['cpuset'], ['pids']]);
    expect(mountPoints(layout)).toContain(cg('cpu,cpuacct'));
    expect(mountPoints(layout).some((m) => m.includes('/run/ctr/'))).toBe(false);
  });

  it('finds v2 with its controllers from cgroup.controllers, and one hierarchy despite a bind mount', () => {
    fs.mkdirSync(cg(''), { recursive: true });
    fs.writeFileSync(cg('cgroup.controllers'), 'cpuset cpu io memory hugetlb pids rdma misc\n');
    const layout = detectLayout(fake(V2));
    expect(layout).toEqual({
      kind: 'v2',
      hierarchies: [{ mountPoint: join(tmp, 'sys/fs/cgroup'), root: '/', version: 2, controllers: ['cpuset', 'cpu', 'io', 'memory', 'hugetlb', 'pids', 'rdma', 'misc'] }],
    });
  });

  it('decodes octal escapes in mount points', () => {
    const layout = detectLayout(fake(V2.split('\n')[1]!));
    expect(layout.hierarchies[0]).toMatchObject({ mountPoint: `${tmp}/mnt/cg copy`, root: '/system.slice', controllers: [] });
  });

  it('throws a cgroup error when nothing is mounted', () => {
    expect(thrown(() => detectLayout('22 27 0:21 / /proc rw,relatime - proc proc rw\n')).code).toBe('cgroup');
  });

  it('reads the real /proc/self/mountinfo by default', () => {
    expect(['v1', 'v2', 'hybrid']).toContain(fs.existsSync('/sys/fs/cgroup') ? detectLayout().kind : 'v2');
  });
});

describe('cgroupDirs', () => {
  it('defaults to ocirt/<key of the state root>/<id> under the root of every hierarchy', () => {
    const layout = hybridTree();
    const record = cgroupDirs(layout, undefined, 'c1', { root: ROOT, ownCgroup: HOST_OWN });
    expect(KEY).toMatch(/^[0-9a-f]{12}$/);
    expect(record).toEqual({ dirs: mountPoints(layout).map((m) => `${m}/ocirt/${KEY}/c1`), created: [], prunable: mountPoints(layout).map((m) => `${m}/ocirt/${KEY}`) });
    expect(cgroupDirs(layout, '', 'c1', { root: ROOT, ownCgroup: HOST_OWN })).toEqual(record);
    expect(cgroupDirs(layout, undefined, 'c1', { root: '/run/ocirt/', ownCgroup: HOST_OWN })).toEqual(record);
  });

  it('gives two state roots different default cgroups for the same id', () => {
    const layout = hybridTree();
    const [a, b] = ['/run/ocirt', '/tmp/other-root'].map((root) => cgroupDirs(layout, undefined, 'c1', { root }).dirs);
    expect(a!.filter((d) => b!.includes(d))).toEqual([]);
  });

  it('takes an absolute path relative to each mount point, whatever our own cgroup is', () => {
    const layout = hybridTree();
    expect(cgroupDirs(layout, '/my//runtime/c1/', 'ignored', { root: ROOT, ownCgroup: HOST_OWN }).dirs).toEqual(mountPoints(layout).map((m) => `${m}/my/runtime/c1`));
  });

  it("takes a relative path under the runtime's own cgroup in each hierarchy", () => {
    const dirs = cgroupDirs(hybridTree(), 'pods/c1', 'ignored', { root: ROOT, ownCgroup: HOST_OWN }).dirs;
    expect(dirs).toContain(cg('memory/process_api/2680c1ad/pods/c1'));
    expect(dirs).toContain(cg('cpu/pods/c1'));
    expect(dirs).toContain(cg('systemd/pods/c1'));
    expect(dirs).toContain(cg('unified/pods/c1'));
  });

  it('matches a co-mounted hierarchy by any of its controllers and strips the mount root', () => {
    const sample = `32 28 0:28 /lxc/box @/sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n`;
    const own = '2:cpuacct,cpu:/lxc/box/runner\n';
    expect(cgroupDirs(detectLayout(fake(sample)), 'c1', 'x', { root: ROOT, ownCgroup: own }).dirs).toEqual([cg('cpu,cpuacct/runner/c1')]);
  });

  it('throws when /proc/self/cgroup has no line for a hierarchy', () => {
    expect(thrown(() => cgroupDirs(hybridTree(), 'c1', 'x', { root: ROOT, ownCgroup: '0::/\n' })).code).toBe('cgroup');
  });

  it.each(['../escape', '/a/../../b', 'a/..', '/', '//'])('rejects %j with a spec error naming the field', (path) => {
    const err = thrown(() => cgroupDirs(hybridTree(), path, 'c1', { root: ROOT, ownCgroup: HOST_OWN }));
    expect(err.code).toBe('spec');
    expect(err.message).toMatch(/^linux\.cgroupsPath: /);
  });
});

describe('createCgroup and remove', () => {
  const allDirs = (root: string) => (fs.readdirSync(root, { recursive: true }) as string[]).sort();

  it('makes every directory, records the new ones, and remove() deletes exactly those', () => {
    const layout = hybridTree();
    fs.mkdirSync(cg('memory/ocirt')); // already there: neither recorded nor removed
    const before = allDirs(tmp);
    const cgroup = createCgroup(cgroupDirs(layout, undefined, 'c1', { root: ROOT, ownCgroup: HOST_OWN }));
    for (const dir of cgroup.record.dirs) expect(fs.statSync(dir).isDirectory()).toBe(true);
    expect(cgroup.record.created).toContain(cg('cpu/ocirt'));
    expect(cgroup.record.created).toContain(cg(`cpu/ocirt/${KEY}/c1`));
    expect(cgroup.record.created).toContain(cg(`memory/ocirt/${KEY}/c1`));
    expect(cgroup.record.created).not.toContain(cg('memory/ocirt'));
    expect(cgroup.record.created).toHaveLength(3 * layout.hierarchies.length - 1);
    expect(cgroup.procsFiles()).toEqual(cgroup.record.dirs.map((d) => `${d}/cgroup.procs`));
    openCgroup(cgroup.record).remove();
    expect(allDirs(tmp)).toEqual(before);
    cgroup.remove(); // a second remove finds nothing and is fine
  });

  it("leaves a parent it made when another container's cgroup is in it by now", () => {
    const layout = hybridTree();
    const first = createCgroup(cgroupDirs(layout, undefined, 'c1', { root: ROOT, ownCgroup: HOST_OWN }));
    const second = createCgroup(cgroupDirs(layout, undefined, 'c2', { root: ROOT, ownCgroup: HOST_OWN }));
    first.remove();
    expect(fs.existsSync(cg(`pids/ocirt/${KEY}/c1`))).toBe(false);
    expect(fs.existsSync(cg(`pids/ocirt/${KEY}/c2`))).toBe(true);
    second.remove();
    // ocirt/<key> was made by the first, and goes with the last of the root's containers.
    expect(fs.existsSync(cg(`pids/ocirt/${KEY}`))).toBe(false);
    expect(fs.readdirSync(cg('pids'))).toEqual(['ocirt']); // nobody recorded it: left, harmlessly
  });

  it('refuses a cgroup that already holds processes, in it or below it, and makes nothing', () => {
    hybridTree();
    fs.mkdirSync(cg('pids/busy/child'), { recursive: true });
    fs.writeFileSync(cg('pids/busy/cgroup.procs'), '');
    fs.writeFileSync(cg('pids/busy/child/cgroup.procs'), '4242\n');
    const err = thrown(() => createCgroup({ dirs: [cg('cpu/busy'), cg('pids/busy')], created: [] }));
    expect(err.message).toMatch(/linux\.cgroupsPath: .*pids\/busy already holds processes \(4242\)/);
    expect(fs.existsSync(cg('cpu/busy'))).toBe(false);
  });

  it('throws when a leaf cannot be removed', () => {
    const cgroup = createCgroup({ dirs: [cg('pids/c1')], created: [] });
    fs.writeFileSync(cg('pids/c1/stray'), '');
    expect(thrown(() => cgroup.remove()).message).toContain(cg('pids/c1'));
  });

  it('removes what it made and throws when one directory cannot be made', () => {
    hybridTree();
    fs.writeFileSync(cg('pids/ocirt'), 'a file where a directory should be');
    const dirs = [cg('cpu/ocirt/c1'), cg('memory/ocirt/c1'), cg('pids/ocirt/c1')];
    expect(thrown(() => createCgroup({ dirs, created: [] })).code).toBe('cgroup');
    expect(fs.readdirSync(cg('cpu'))).toEqual([]);
    expect(fs.readdirSync(cg('memory'))).toEqual([]);
  });

  it('copies cpuset.cpus and cpuset.mems down into an empty v1 cpuset cgroup', () => {
    const layout = hybridTree();
    fs.writeFileSync(cg('cpuset/cpuset.cpus'), '0-1\n');
    fs.writeFileSync(cg('cpuset/cpuset.mems'), '0\n');
    for (const dir of ['ocirt', `ocirt/${KEY}`, `ocirt/${KEY}/c1`]) {
      fs.mkdirSync(cg(`cpuset/${dir}`)); // the kernel makes these files, empty, in a new cgroup
      fs.writeFileSync(cg(`cpuset/${dir}/cpuset.cpus`), '\n');
      fs.writeFileSync(cg(`cpuset/${dir}/cpuset.mems`), '\n');
    }
    createCgroup(cgroupDirs(layout, undefined, 'c1', { root: ROOT, ownCgroup: HOST_OWN }));
    expect(fs.readFileSync(cg(`cpuset/ocirt/${KEY}/c1/cpuset.cpus`), 'utf8')).toBe('0-1');
    expect(fs.readFileSync(cg('cpuset/ocirt/cpuset.mems'), 'utf8')).toBe('0');
  });
});

describe('pids and signalAll', () => {
  function tree(procs: Record<string, string>, v2: string[] = []) {
    for (const [sub, text] of Object.entries(procs)) {
      fs.mkdirSync(cg(sub), { recursive: true });
      fs.writeFileSync(cg(`${sub}/cgroup.procs`), text);
    }
    for (const sub of v2) fs.writeFileSync(cg(`${sub}/cgroup.controllers`), '');
    return openCgroup({ dirs: Object.keys(procs).map(cg), created: [] });
  }

  it('parses cgroup.procs of every hierarchy, each pid once', () => {
    expect(tree({ 'cpu/c1': '12\n345\n\n6789\n', 'pids/c1': '1\n12\n' }).pids()).toEqual([12, 345, 6789, 1]);
  });

  it('reads v1 and v2 directories alike: a process may have left one hierarchy only', () => {
    expect(tree({ 'cpu/c1': '1\n2\n', 'unified/c1': '7\n' }, ['unified/c1']).pids()).toEqual([1, 2, 7]);
    expect(tree({ 'cpu/c2': '1\n2\n', 'unified/c2': '' }, ['unified/c2']).pids()).toEqual([1, 2]);
  });

  it('includes the processes of child cgroups the container made', () => {
    const c = tree({ 'pids/c3': '1\n' });
    fs.mkdirSync(cg('pids/c3/nested/deeper'), { recursive: true });
    fs.writeFileSync(cg('pids/c3/nested/cgroup.procs'), '5\n');
    fs.writeFileSync(cg('pids/c3/nested/deeper/cgroup.procs'), '9\n');
    expect(c.pids()).toEqual([1, 5, 9]);
  });

  it('finds no pids once the directories are gone', () => {
    expect(openCgroup({ dirs: [cg('cpu/gone')], created: [] }).pids()).toEqual([]);
  });

  it('sends a signal to every listed pid, skipping ones that have exited', () => {
    expect(() => tree({ 'cpu/c1': `${process.pid}\n999999999\n` }).signalAll(0)).not.toThrow();
  });

  it('kills with SIGKILL and gives up with an error when the cgroup never empties', async () => {
    const child = spawn('sleep', ['60'], { stdio: 'ignore' });
    const exited = once(child, 'exit');
    const started = Date.now();
    // A fake cgroup.procs never empties, so the loop must end at its bound.
    expect(thrown(() => tree({ 'pids/c1': `${child.pid}\n` }).signalAll('SIGKILL')).code).toBe('cgroup');
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    expect(await exited).toEqual([null, 'SIGKILL']);
  });
});

const canUseRealCgroups = process.getuid?.() === 0 && fs.existsSync('/sys/fs/cgroup');
const needsRoot = canUseRealCgroups ? '' : ' (skipped: needs root and /sys/fs/cgroup)';

describe('real cgroups', () => {
  const unique = () => `/ocirt-unit-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  it.skipIf(!canUseRealCgroups)(`creates a cgroup in every hierarchy and removes it without a trace${needsRoot}`, () => {
    const record = cgroupDirs(detectLayout(), unique(), 'unused', { root: ROOT });
    const cgroup = createCgroup(record);
    for (const file of cgroup.procsFiles()) expect(fs.existsSync(file)).toBe(true);
    expect(cgroup.pids()).toEqual([]);
    cgroup.remove();
    for (const dir of record.dirs) expect(fs.existsSync(dir)).toBe(false);
  });

  // cgroup.kill on the hybrid host; the v1 freezer when the record holds only v1 directories.
  it.skipIf(!canUseRealCgroups).each([['every hierarchy', false], ['v1 hierarchies only', true]])(
    `kills a process moved into it (%s) and leaves nothing behind${needsRoot}`,
    async (_, v1Only) => {
      const layout = detectLayout();
      if (v1Only) layout.hierarchies = layout.hierarchies.filter((h) => h.version === 1);
      const cgroup = createCgroup(cgroupDirs(layout, unique(), 'unused', { root: ROOT }));
      const child = spawn('sleep', ['60'], { stdio: 'ignore' });
      const exited = once(child, 'exit');
      try {
        for (const file of cgroup.procsFiles()) fs.writeFileSync(file, String(child.pid));
        expect(cgroup.pids()).toEqual([child.pid]);
        cgroup.signalAll('SIGKILL');
        expect(cgroup.pids()).toEqual([]);
      } finally {
        child.kill('SIGKILL');
        await exited;
        cgroup.remove();
      }
      for (const dir of cgroup.record.dirs) expect(fs.existsSync(dir)).toBe(false);
    },
  );
});
