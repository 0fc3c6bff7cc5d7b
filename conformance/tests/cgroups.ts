// v1.3.0 config-linux.md "Cgroups path": an absolute linux.cgroupsPath is taken relative to each
// cgroup hierarchy's mount point, and the same value is the same place. (The harness gives every
// bundle one; delete.ts checks that delete removes the cgroups.) Also "IntelRdt": asking for it on a
// host without resctrl is an error.
import { readFileSync } from 'node:fs';
import type { TestContext } from '../harness/types.ts';
import { absent, bundle, cfg, cgroupDirsOf, cgroupLines, created, errored, perEdition, probe } from './support.ts';

export const cgroupTests = [
  ...perEdition(
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
  ),
  ...perEdition(
    { v1: ['v1:config-linux:cgroups-path:3'] },
    'two containers given the same linux.cgroupsPath are attached to the same place in the cgroup hierarchy',
    async (ctx: TestContext) => {
      const first = await created(ctx, probe('report'));
      const path = cfg(first.b.config).linux?.cgroupsPath ?? '';
      ctx.requires(path.startsWith('/'), 'the harness gave the bundle no absolute cgroupsPath');
      const second = await created(ctx, probe('report'), (c) => (c.linux!.cgroupsPath = path));
      const [a, b] = [cgroupLines(first.pid), cgroupLines(second.pid)];
      ctx.expect(a.length > 0 && JSON.stringify(a) === JSON.stringify(b), `both container processes in the same cgroups (cgroupsPath ${path})`, { first: a, second: b });
    },
  ),
  ...perEdition({ v1: ['v1:config-linux:intelrdt:2'] }, 'linux.intelRdt on a host with no resctrl filesystem mounted is an error', async (ctx: TestContext) => {
    ctx.requires(!readFileSync('/proc/self/mountinfo', 'utf8').includes(' - resctrl '), 'this host has resctrl mounted');
    const b = bundle(ctx, probe('report'), (c) => (c.linux!.intelRdt = { closID: 'oci-conformance' }));
    const id = ctx.id();
    errored(ctx, await ctx.driver.create(id, b.dir), 'an error for linux.intelRdt without a mounted resctrl filesystem');
    await absent(ctx, id, 'no container made');
  }),
];
