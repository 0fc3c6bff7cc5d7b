// config.md "Root" and "Mounts" (draft and v1.3.0), with v1.3.0's "Linux mount options": mounts in
// the listed order, each option's effect as the container's /proc/self/mountinfo shows it, a
// read-only root, and a root path that does not exist.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from '../harness/types.ts';
import { absent, bundle, errored, mountAt, optionsOf, perEdition, probe, probeList, started, type Mount, type Report } from './support.ts';

type Entry = Report['mountinfo'][number] & { super_options?: string };

/** One tmpfs mount under /tmp per case, and what its mountinfo entry must show (a problem, or undefined). */
interface Case {
  options: string[];
  check: (m: Entry) => string | undefined;
}

const has = (o: string) => (m: Entry) => (optionsOf(m).includes(o) ? undefined : `options ${m.options} lack ${o}`);
const lacks = (...os: string[]) => (m: Entry) => {
  const found = os.filter((o) => optionsOf(m).includes(o));
  return found.length === 0 ? undefined : `options ${m.options} have ${found.join(', ')}`;
};
const superHas = (o: string) => (m: Entry) => ((m.super_options ?? '').split(',').includes(o) ? undefined : `super options ${m.super_options} lack ${o}`);
const superLacks = (o: string) => (m: Entry) => ((m.super_options ?? '').split(',').includes(o) ? `super options ${m.super_options} have ${o}` : undefined);
const mounted = () => undefined;
const all = (...checks: Array<(m: Entry) => string | undefined>) => (m: Entry) => checks.map((c) => c(m)).filter(Boolean).join('; ') || undefined;
const optional = (want: 'shared' | 'unbindable' | 'private' | 'not shared') => (m: Entry) => {
  const o = m.optional;
  const ok = want === 'shared' ? /\bshared:\d+/.test(o) : want === 'unbindable' ? /\bunbindable\b/.test(o) : want === 'private' ? o.trim() === '' : !/\bshared:\d+/.test(o);
  return ok ? undefined : `propagation fields ${JSON.stringify(o)}, not ${want}`;
};

/** Mounts every case at /tmp/<name>, runs the probe, and fails with every case whose mount is wrong. */
async function optionCases(ctx: TestContext, cases: Record<string, Case>, extra: Mount[] = []): Promise<void> {
  const { b } = await started(ctx, probe('report'), (c) => {
    const mine = Object.entries(cases).map(([name, k]) => ({ destination: `/tmp/${name}`, type: 'tmpfs', source: 'tmpfs', options: k.options }));
    c.mounts = [...(c.mounts ?? []), ...mine, ...extra];
  });
  const r = await ctx.probeReport(b);
  const problems = Object.entries(cases).flatMap(([name, k]) => {
    const m = mountAt(r, `/tmp/${name}`) as Entry | undefined;
    const problem = m === undefined ? 'not mounted' : k.check(m);
    return problem === undefined ? [] : [`/tmp/${name} ${JSON.stringify(k.options)}: ${problem}`];
  });
  ctx.expect(problems.length === 0, `each option to take effect as mount(8) says: ${Object.values(cases).map((k) => k.options.join(',')).join(' | ')}`, problems.join('\n'));
}

const ids = (...rows: number[]) => rows.map((n) => `v1:config:linux-mount-options:${n}`);

export const mountTests = [
  ...perEdition(
    { draft: ['draft:config:mounts:1'], v1: ['v1:config:mounts:1'] },
    'mounts are mounted in the listed order: mountinfo lists them in that order, and /tmp/a/b (after /tmp/a) is visible',
    async (ctx: TestContext) => {
      const { b } = await started(ctx, probe('report'), (c) => {
        c.mounts = [...(c.mounts ?? []), { destination: '/tmp/a', type: 'tmpfs', source: 'tmpfs' }, { destination: '/tmp/a/b', type: 'tmpfs', source: 'tmpfs' }];
      });
      const r = await ctx.probeReport(b);
      const listed = ((b.config.mounts as Mount[]) ?? []).map((m) => m.destination);
      const at = listed.map((d) => r.mountinfo.map((m) => m.mount_point).lastIndexOf(d));
      const inOrder = at.every((i, n) => i >= 0 && (n === 0 || i > at[n - 1]!));
      ctx.expect(inOrder, `the mounts in the listed order: ${listed.join(', ')}`, r.mountinfo.map((m) => m.mount_point).join(', '));
    },
  ),
  ...perEdition(
    { v1: ['v1:config:mounts:2'] },
    'a relative mount destination ("tmp/relative") is interpreted as relative to "/"',
    async (ctx: TestContext) => {
      const { b } = await started(ctx, probe('report'), (c) => (c.mounts = [...(c.mounts ?? []), { destination: 'tmp/relative', type: 'tmpfs', source: 'tmpfs' }]));
      const r = await ctx.probeReport(b);
      ctx.expect(mountAt(r, '/tmp/relative') !== undefined, 'a mount at /tmp/relative', r.mountinfo.map((m) => m.mount_point).join(', '));
    },
  ),
  ...perEdition(
    { v1: ids(26, 31, 21, 36, 14, 6, 16, 9, 25) },
    'mount options ro, rw, nosuid, suid, nodev, dev, noexec, exec and remount take effect (a later option overrides an earlier one)',
    async (ctx: TestContext) => {
      await optionCases(
        ctx,
        {
          'o-ro': { options: ['ro'], check: has('ro') },
          'o-rw': { options: ['ro', 'rw'], check: has('rw') },
          'o-nosuid': { options: ['nosuid'], check: has('nosuid') },
          'o-suid': { options: ['nosuid', 'suid'], check: lacks('nosuid') },
          'o-nodev': { options: ['nodev'], check: has('nodev') },
          'o-dev': { options: ['nodev', 'dev'], check: lacks('nodev') },
          'o-noexec': { options: ['noexec'], check: has('noexec') },
          'o-exec': { options: ['noexec', 'exec'], check: lacks('noexec') },
          'o-remount': { options: [], check: has('ro') },
        },
        [{ destination: '/tmp/o-remount', type: 'tmpfs', source: 'tmpfs', options: ['remount', 'ro'] }],
      );
    },
  ),
  ...perEdition({ v1: ids(5) }, 'mount option defaults is understood (not passed to the filesystem): the mount is rw, suid, dev and exec', async (ctx: TestContext) => {
    await optionCases(ctx, { 'o-defaults': { options: ['defaults'], check: all(has('rw'), lacks('nosuid', 'nodev', 'noexec')) } });
  }),
  ...perEdition(
    { v1: ids(13, 3, 24, 19, 35, 20, 15, 7) },
    'mount options noatime, atime, relatime, norelatime, strictatime, nostrictatime, nodiratime and diratime take effect',
    async (ctx: TestContext) => {
      await optionCases(ctx, {
        't-noatime': { options: ['noatime'], check: has('noatime') },
        't-atime': { options: ['noatime', 'atime'], check: lacks('noatime') },
        't-relatime': { options: ['relatime'], check: has('relatime') },
        't-norelatime': { options: ['norelatime'], check: mounted },
        't-strictatime': { options: ['strictatime'], check: lacks('relatime', 'noatime') },
        't-nostrictatime': { options: ['strictatime', 'nostrictatime'], check: has('relatime') },
        't-nodiratime': { options: ['nodiratime'], check: has('nodiratime') },
        't-diratime': { options: ['nodiratime', 'diratime'], check: lacks('nodiratime') },
      });
    },
  ),
  ...perEdition(
    { v1: ids(37, 2, 8, 11, 18, 10, 17, 12, 33) },
    'mount options sync, async, dirsync, lazytime and nolazytime take effect (superblock flags); iversion, noiversion, loud and silent are accepted',
    async (ctx: TestContext) => {
      await optionCases(ctx, {
        's-sync': { options: ['sync'], check: superHas('sync') },
        's-async': { options: ['sync', 'async'], check: superLacks('sync') },
        's-dirsync': { options: ['dirsync'], check: superHas('dirsync') },
        's-lazytime': { options: ['lazytime'], check: superHas('lazytime') },
        's-nolazytime': { options: ['lazytime', 'nolazytime'], check: superLacks('lazytime') },
        's-iversion': { options: ['iversion'], check: mounted },
        's-noiversion': { options: ['noiversion'], check: mounted },
        's-loud': { options: ['loud'], check: mounted },
        's-silent': { options: ['silent'], check: mounted },
      });
    },
  ),
  ...perEdition(
    { v1: ids(32, 28, 22, 27, 34, 29, 38, 30) },
    'mount propagation options shared, rshared, private, rprivate, slave, rslave, unbindable and runbindable take effect',
    async (ctx: TestContext) => {
      await optionCases(ctx, {
        'p-shared': { options: ['shared'], check: optional('shared') },
        'p-rshared': { options: ['rshared'], check: optional('shared') },
        'p-private': { options: ['private'], check: optional('private') },
        'p-rprivate': { options: ['rprivate'], check: optional('private') },
        'p-slave': { options: ['slave'], check: optional('not shared') },
        'p-rslave': { options: ['rslave'], check: optional('not shared') },
        'p-unbindable': { options: ['unbindable'], check: optional('unbindable') },
        'p-runbindable': { options: ['runbindable'], check: optional('unbindable') },
      });
    },
  ),
  ...perEdition(
    { v1: ids(4, 23) },
    "bind and rbind mount a host directory: its file is visible, and rbind with ro is read-only",
    async (ctx: TestContext) => {
      const source = join(ctx.tmp, 'bind-source');
      mkdirSync(source);
      writeFileSync(join(source, 'from-the-host'), 'x');
      const { b } = await started(ctx, probe('ls', '/tmp/b-bind', 'report'), (c) => {
        c.mounts = [
          ...(c.mounts ?? []),
          { destination: '/tmp/b-bind', type: 'bind', source, options: ['bind'] },
          { destination: '/tmp/b-rbind', type: 'bind', source, options: ['rbind', 'ro'] },
        ];
      });
      const listed = await probeList(ctx, b);
      ctx.expect(listed?.includes('from-the-host') === true, "the host directory's file in /tmp/b-bind (bind)", listed);
      const r = await ctx.probeReport(b);
      const rbind = mountAt(r, '/tmp/b-rbind');
      ctx.expect(rbind !== undefined && optionsOf(rbind).includes('ro'), 'a read-only mount at /tmp/b-rbind (rbind, ro)', rbind);
    },
  ),
  ...(['idmap', 'ridmap'] as const).flatMap((option) =>
    perEdition(
      { v1: ids(option === 'idmap' ? 42 : 46) },
      `a bind mount with option ${option}, no uidMappings or gidMappings and no user namespace is an error`,
      async (ctx: TestContext) => {
        const source = join(ctx.tmp, 'idmap-source');
        mkdirSync(source);
        const b = bundle(ctx, probe('report'), (c) => (c.mounts = [...(c.mounts ?? []), { destination: '/tmp/idmapped', type: 'bind', source, options: ['bind', option] }]));
        const id = ctx.id();
        errored(ctx, await ctx.driver.create(id, b.dir), `an error for option ${option} without mappings in a container without a user namespace`);
        await absent(ctx, id, 'no container made');
      },
    ),
  ),
  ...perEdition(
    { draft: ['draft:config:root-configuration:2'], v1: ['v1:config:root:4'] },
    'with root.readonly true the root filesystem is read-only inside the container',
    async (ctx: TestContext) => {
      const { b } = await started(ctx, probe('report'), (c) => (c.root.readonly = true));
      const r = await ctx.probeReport(b);
      const root = mountAt(r, '/');
      ctx.expect(root !== undefined && optionsOf(root).includes('ro'), 'the mount at / to be read-only (ro)', root);
    },
  ),
  ...perEdition(
    { draft: ['draft:config:root-configuration:1'], v1: ['v1:config:root:3', 'v1:config:valid-values:1'] },
    'a root.path where no directory exists is an error and makes no container',
    async (ctx: TestContext) => {
      const b = bundle(ctx, probe('report'), (c) => (c.root.path = join(ctx.tmp, 'no-such-rootfs')));
      const id = ctx.id();
      errored(ctx, await ctx.driver.create(id, b.dir), 'create with a root.path that does not exist to generate an error');
      await absent(ctx, id, 'no container made');
    },
  ),
];
