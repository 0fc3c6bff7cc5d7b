// v1.3.0 config-linux.md "Cgroups path": an absolute linux.cgroupsPath is taken relative to each
// cgroup hierarchy's mount point, and the same value is the same place. (The harness gives every
// bundle one; delete.ts checks that delete removes the cgroups.) "Cgroup ownership": files that
// /sys/kernel/cgroup/delegate lists but the container's cgroup lacks do not make a runtime fail.
// "Unified": a key is written to its file of the container's cgroup2 directory, with its
// controller enabled there, and a key of a controller cgroup v2 does not offer is an error. (The
// resources of each controller: resources.ts; the device allowlist: device-allowlist.ts.) Also
// "IntelRdt": asking for it on a host without resctrl is an error.
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TestContext } from '../harness/types.ts';
import { cgroup2Controllers, cgroup2Root, expectFiles, hugePageSizes, needingRuntimeCgroups, readCgroup, refusedLeavingNothing, sizeBytes, v2PlaceOf, withResources } from './cgroup-files.ts';
import { absent, bundle, cfg, cgroupDirsOf, cgroupLines, created, errored, LONG, perEdition, probe, started, untilStopped } from './support.ts';

/**
 * A unified key for a controller cgroup v2 offers here, one a runtime need not know: a hugetlb
 * limit (two pages of the smallest size), else memory.oom.group, else pids.max.
 */
function knownToTheKernel(): { controller: string; key: string; value: string } | undefined {
  const offered = cgroup2Controllers();
  const [size] = hugePageSizes();
  if (offered.includes('hugetlb') && size !== undefined) return { controller: 'hugetlb', key: `hugetlb.${size}.max`, value: String(2 * sizeBytes(size)) };
  if (offered.includes('memory')) return { controller: 'memory', key: 'memory.oom.group', value: '1' };
  if (offered.includes('pids')) return { controller: 'pids', key: 'pids.max', value: '42' };
  return undefined;
}

/** Keys of controllers whose values need no device of the host, for one cgroup v2 does not offer. */
const NOT_OFFERED = [
  { controller: 'pids', key: 'pids.max', value: '42' },
  { controller: 'memory', key: 'memory.max', value: '104857600' },
  { controller: 'cpu', key: 'cpu.max', value: '50000 100000' },
  { controller: 'io', key: 'io.weight', value: 'default 100' },
];

const unifiedWith = (u: { key: string; value: string }) => withResources({ unified: { [u.key]: u.value } });

export const cgroupTests = [
  ...needingRuntimeCgroups(perEdition(
    { v1: ['v1:config-linux:unified:2'] },
    "linux.resources.unified: a key a runtime need not know (hugetlb.<size>.max, else memory.oom.group or pids.max) is written to that file of the container's cgroup2 directory",
    async (ctx: TestContext) => {
      const u = knownToTheKernel();
      ctx.requires(u !== undefined, 'cgroup v2 offers none of hugetlb (with huge pages), memory and pids here');
      const { pid } = await created(ctx, LONG, unifiedWith(u));
      expectFiles(ctx, v2PlaceOf(ctx, pid).dir, { [u.key]: u.value }, `linux.resources.unified ${JSON.stringify({ [u.key]: u.value })} written`);
    },
  )),
  ...needingRuntimeCgroups(perEdition(
    { v1: ['v1:config-linux:unified:1'] },
    "linux.resources.unified: the controller of the key (hugetlb, else memory or pids) is enabled for the container's cgroup: listed in its parent's cgroup.subtree_control",
    async (ctx: TestContext) => {
      const u = knownToTheKernel();
      ctx.requires(u !== undefined, 'cgroup v2 offers none of hugetlb (with huge pages), memory and pids here');
      const { pid } = await created(ctx, LONG, unifiedWith(u));
      const parent = dirname(v2PlaceOf(ctx, pid).dir);
      const enabled = (readCgroup(parent, 'cgroup.subtree_control') ?? '').split(/\s+/);
      ctx.expect(enabled.includes(u.controller), `${u.controller} in ${parent}/cgroup.subtree_control`, readCgroup(parent, 'cgroup.subtree_control') ?? 'unreadable');
    },
  )),
  ...needingRuntimeCgroups(perEdition(
    { v1: ['v1:config-linux:unified:3', 'v1:runtime:errors:1'] },
    'linux.resources.unified naming a controller cgroup v2 does not offer here (pids.max, else memory.max, cpu.max or io.weight) is an error at create that leaves nothing',
    async (ctx: TestContext) => {
      const offered = cgroup2Controllers();
      const u = NOT_OFFERED.find((k) => !offered.includes(k.controller));
      ctx.requires(u !== undefined, `cgroup v2 offers every one of ${NOT_OFFERED.map((k) => k.controller).join(', ')} here`);
      await refusedLeavingNothing(ctx, LONG, unifiedWith(u), `an error: ${u.key} needs the ${u.controller} controller, which cgroup v2 does not offer here (${cgroup2Root() === undefined ? 'no cgroup2 hierarchy' : `its cgroup.controllers: ${offered.join(' ') || 'none'}`})`);
    },
  )),
  ...perEdition(
    { v1: ['v1:config-linux:cgroup-ownership:1'] },
    "cgroup ownership: with a cgroup namespace, /sys/fs/cgroup mounted read-write and process.user uid 1000, files /sys/kernel/cgroup/delegate lists that the container's cgroup cannot have (their controller is not in cgroup v2 here) do not make create or start fail",
    async (ctx: TestContext) => {
      ctx.requires(cgroup2Root() !== undefined, 'no cgroup2 hierarchy here: cgroup ownership is about cgroup v2');
      let listed: string[] = [];
      try {
        listed = readFileSync('/sys/kernel/cgroup/delegate', 'utf8').split('\n').filter(Boolean);
      } catch {
        // cgroup-ownership:2's kernel
      }
      ctx.requires(listed.length > 0, 'no /sys/kernel/cgroup/delegate here');
      const offered = cgroup2Controllers();
      const lacking = listed.filter((f) => !f.startsWith('cgroup.') && !offered.includes(f.split('.')[0]!));
      ctx.requires(lacking.length > 0, `cgroup v2 offers the controller of every file /sys/kernel/cgroup/delegate lists (${listed.join(', ')}): the scenario does not arise`);
      const { b } = await started(ctx, probe('report'), (c) => {
        c.process!.user = { uid: 1000, gid: 1000 };
        if (!c.linux!.namespaces?.some((n) => n.type === 'cgroup')) c.linux!.namespaces = [...(c.linux!.namespaces ?? []), { type: 'cgroup' }];
        c.mounts = [...(c.mounts ?? []), { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'rw'] }];
      });
      const r = await ctx.probeReport(b);
      ctx.expect(r.uid === 1000, `the container's process running as uid 1000 (the cgroup lacks ${lacking.join(', ')})`, { uid: r.uid });
    },
  ),
  ...needingRuntimeCgroups(perEdition(
    { v1: ['v1:config-linux:cgroups-path:2'] },
    'with an absolute linux.cgroupsPath the container process is in that cgroup, relative to the cgroup mount points',
    async (ctx: TestContext) => {
      const { b, pid } = await created(ctx, probe('report'));
      const path = cfg(b.config).linux?.cgroupsPath ?? '';
      ctx.requires(path.startsWith('/'), 'the harness gave the bundle no absolute cgroupsPath');
      const lines = cgroupLines(pid);
      const inPath = lines.filter((l) => l.endsWith(`:${path}`));
      ctx.expect(inPath.length > 0, `the container process in cgroup ${path} (its /proc/<pid>/cgroup, read from the host)`, lines);
      const dirs = cgroupDirsOf(pid).filter((d) => d.endsWith(path));
      ctx.expect(dirs.length > 0, `a directory <cgroup mount point>${path} on the host`, cgroupDirsOf(pid));
    },
  )),
  ...needingRuntimeCgroups(perEdition(
    { v1: ['v1:config-linux:cgroups-path:3'] },
    'two containers given the same linux.cgroupsPath, one after the other, are attached to the same place in the cgroup hierarchy',
    async (ctx: TestContext) => {
      const first = await created(ctx, probe('report'));
      const path = cfg(first.b.config).linux?.cgroupsPath ?? '';
      ctx.requires(path.startsWith('/'), 'the harness gave the bundle no absolute cgroupsPath');
      const a = cgroupLines(first.pid);
      // The second comes once the first has stopped: a runtime may refuse a cgroup that still holds
      // another container's processes (runc 1.2 does, and ocirt), which the sentence does not forbid.
      await ctx.driver.kill(first.id, 'KILL');
      await untilStopped(ctx, first.id);
      const second = await created(ctx, probe('report'), (c) => (c.linux!.cgroupsPath = path));
      const b = cgroupLines(second.pid);
      ctx.expect(a.length > 0 && JSON.stringify(a) === JSON.stringify(b), `both container processes in the same cgroups (cgroupsPath ${path})`, { first: a, second: b });
    },
  )),
  ...perEdition({ v1: ['v1:config-linux:intelrdt:2'] }, 'linux.intelRdt on a host with no resctrl filesystem mounted is an error', async (ctx: TestContext) => {
    ctx.requires(!readFileSync('/proc/self/mountinfo', 'utf8').includes(' - resctrl '), 'this host has resctrl mounted');
    const b = bundle(ctx, probe('report'), (c) => (c.linux!.intelRdt = { closID: 'oci-conformance' }));
    const id = ctx.id();
    errored(ctx, await ctx.driver.create(id, b.dir), 'an error for linux.intelRdt without a mounted resctrl filesystem');
    await absent(ctx, id, 'no container made');
  }),
];
