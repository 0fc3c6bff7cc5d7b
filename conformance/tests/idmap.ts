// config.md "Linux mount options" idmap and ridmap, with "POSIX-platform Mounts" uidMappings and
// gidMappings (v1.3.0): the owner of a file on a bind mount, as the container's stat sees it. The
// mappings have the format of user namespace mappings and make the mount's idmapping (what a user
// namespace with those mappings makes of it, mount_setattr(2) MOUNT_ATTR_IDMAP): a file owned on
// disk by containerID + k shows as owned by hostID + k, and an id outside the mappings as the
// overflow id 65534. The source is a directory of the test's own (0755, so a mapped root reaches it).
// (idmap and ridmap without mappings and without a user namespace, an error: mounts.ts.)
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostTool } from '../harness/host-tools.ts';
import type { TestContext } from '../harness/types.ts';
import { answers, refusedByStart, type StatAnswer } from './observe.ts';
import { bundle, perEdition, probe, succeeded, type Cfg, type Mount } from './support.ts';

const ids = (...rows: number[]) => rows.map((n) => `v1:config:linux-mount-options:${n}`);

/** On disk: uid 1000, gid 1001. */
const OWNER = { uid: 1000, gid: 1001 };
const UID_MAP = [{ containerID: 1000, hostID: 5000, size: 10 }];
const GID_MAP = [{ containerID: 1000, hostID: 6000, size: 10 }];
/** What the mappings make of OWNER. */
const MAPPED = { uid: 5000, gid: 6001 };
const AT = '/tmp/idmapped';

/** A source directory holding `owned` (OWNER's), and a `sub` directory for a submount. */
function source(ctx: TestContext, name: string): string {
  const dir = join(ctx.tmp, name);
  mkdirSync(join(dir, 'sub'), { recursive: true });
  writeFileSync(join(dir, 'owned'), 'x');
  chownSync(join(dir, 'owned'), OWNER.uid, OWNER.gid);
  for (const d of [dir, join(dir, 'sub')]) chmodSync(d, 0o755);
  return dir;
}

type IdMount = Mount & { uidMappings?: typeof UID_MAP; gidMappings?: typeof GID_MAP };

const bindMount = (src: string, options: string[], mappings: boolean): IdMount => ({
  destination: AT,
  type: 'none',
  source: src,
  options,
  ...(mappings ? { uidMappings: UID_MAP, gidMappings: GID_MAP } : {}),
});

/** Starts the probe stat-ing `paths` with `mount` added; returns the answers. */
async function statUnder(ctx: TestContext, mount: IdMount, paths: string[], edit?: (c: Cfg) => void): Promise<StatAnswer[]> {
  const b = bundle(ctx, probe(...paths.flatMap((p) => ['stat', p])), (c) => {
    edit?.(c);
    c.mounts = [...(c.mounts ?? []), mount];
  });
  const id = ctx.id();
  succeeded(ctx, await ctx.driver.create(id, b.dir), 'create');
  succeeded(ctx, await ctx.driver.start(id), 'start');
  return answers<StatAnswer>(ctx, b, paths.length, paths.map((p) => `stat ${p}`).join(', '));
}

function run(argv: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(argv[0]!, argv.slice(1), { timeout: 5000 }, (err, stdout, stderr) => resolve({ code: err ? 1 : 0, out: `${stdout}${stderr}`.trim() }));
  });
}

const owner = (s: StatAnswer | undefined) => ({ uid: s?.uid, gid: s?.gid, ...(s?.errno ? { errno: s.errno } : {}) });
const isOwner = (s: StatAnswer | undefined, o: { uid: number; gid: number }) => s?.uid === o.uid && s?.gid === o.gid;

/** The container has a user namespace mapping 0..65535 to 100000..165535 (and no /sys, which it may not mount). */
function inUserNamespace(c: Cfg): void {
  c.linux!.namespaces = [...(c.linux!.namespaces ?? []), { type: 'user' }];
  c.linux!.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
  c.linux!.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
  c.mounts = (c.mounts ?? []).filter((m) => m.destination !== '/sys');
}

export const idmapTests = [
  ...perEdition(
    { v1: ids(39, 40) },
    `an idmap bind mount uses its uidMappings and gidMappings: a file owned on disk by 1000:1001 shows as ${MAPPED.uid}:${MAPPED.gid}`,
    async (ctx: TestContext) => {
      const [s] = await statUnder(ctx, bindMount(source(ctx, 'idmap-src'), ['bind', 'idmap'], true), [`${AT}/owned`]);
      ctx.expect(isOwner(s, MAPPED), `${AT}/owned owned by ${MAPPED.uid}:${MAPPED.gid} (containerID 1000 → hostID 5000 / 6000)`, owner(s));
    },
  ),
  ...perEdition(
    { v1: ids(43, 44) },
    `an ridmap rbind mount uses its mappings recursively: the file and the one on a submount of the source both show as ${MAPPED.uid}:${MAPPED.gid}`,
    async (ctx: TestContext) => {
      const src = source(ctx, 'ridmap-src');
      const inner = source(ctx, 'ridmap-inner');
      const mount = await run([hostTool('mount'), '--bind', inner, join(src, 'sub')]);
      ctx.requires(mount.code === 0, `mount --bind for the submount: ${mount.out}`);
      try {
        const [top, sub] = await statUnder(ctx, bindMount(src, ['rbind', 'ridmap'], true), [`${AT}/owned`, `${AT}/sub/owned`]);
        ctx.expect(isOwner(top, MAPPED) && isOwner(sub, MAPPED), `both owned by ${MAPPED.uid}:${MAPPED.gid}`, { owned: owner(top), 'sub/owned': owner(sub) });
      } finally {
        await run([hostTool('umount'), join(src, 'sub')]);
      }
    },
  ),
  ...perEdition(
    { v1: ['v1:config:posix-platform-mounts:1', 'v1:config:valid-values:1'] },
    'a mount with uidMappings but no gidMappings is an invalid value: an error by start at the latest',
    async (ctx: TestContext) => {
      const mount = { ...bindMount(source(ctx, 'idmap-src'), ['bind', 'idmap'], true), gidMappings: undefined };
      await refusedByStart(ctx, probe('print', 'user-code-ran'), (c) => (c.mounts = [...(c.mounts ?? []), mount]), 'an error for uidMappings without gidMappings');
    },
  ),
  ...perEdition(
    { v1: ['v1:config:posix-platform-mounts:2', 'v1:config:valid-values:1'] },
    'a mount with gidMappings but no uidMappings is an invalid value: an error by start at the latest',
    async (ctx: TestContext) => {
      const mount = { ...bindMount(source(ctx, 'idmap-src'), ['bind', 'idmap'], true), uidMappings: undefined };
      await refusedByStart(ctx, probe('print', 'user-code-ran'), (c) => (c.mounts = [...(c.mounts ?? []), mount]), 'an error for gidMappings without uidMappings');
    },
  ),
  ...perEdition(
    { v1: ids(41) },
    "idmap without mappings in a container with a user namespace: the container's mapping is used (the file shows as 1000:1001 inside), or it is an error",
    async (ctx: TestContext) => {
      ctx.requires(ctx.nsInode('self', 'user') !== undefined, 'the host has no user namespaces');
      await idmapWithUserNamespace(ctx, ['bind', 'idmap']);
    },
  ),
  ...perEdition(
    { v1: ids(45) },
    "ridmap without mappings in a container with a user namespace: the container's mapping is used (the file shows as 1000:1001 inside), or it is an error",
    async (ctx: TestContext) => {
      ctx.requires(ctx.nsInode('self', 'user') !== undefined, 'the host has no user namespaces');
      await idmapWithUserNamespace(ctx, ['rbind', 'ridmap']);
    },
  ),
];

/**
 * With the container's mapping (0 → 100000) as the mount's, on-disk 1000:1001 becomes 101000:101001
 * on the host, which the container sees as 1000:1001; with no idmapping at all it would see the
 * overflow id. Either that or an error (by start at the latest) is what the sentence allows.
 */
async function idmapWithUserNamespace(ctx: TestContext, options: string[]): Promise<void> {
  const b = bundle(ctx, probe('stat', `${AT}/owned`), (c) => {
    inUserNamespace(c);
    c.mounts = [...(c.mounts ?? []), bindMount(source(ctx, 'idmap-src'), options, false)];
  });
  const id = ctx.id();
  const create = await ctx.driver.create(id, b.dir);
  if (create.code !== 0 && !create.timedOut) return;
  succeeded(ctx, create, 'create');
  const start = await ctx.driver.start(id);
  if (start.code !== 0 && !start.timedOut) return;
  const [s] = await answers<StatAnswer>(ctx, b, 1, `stat ${AT}/owned`);
  ctx.expect(isOwner(s, OWNER), `${AT}/owned owned by 1000:1001 inside (the container's mapping used for the mount), or an error`, owner(s));
}
