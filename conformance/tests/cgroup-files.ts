// What the tests of config-linux.md "Control groups" share: where the host has each controller
// (a cgroup v1 hierarchy of its own, or the cgroup2 hierarchy's cgroup.controllers: v1, v2 and
// hybrid hosts), the container's own cgroup directory for a controller (from /proc/<pid>/cgroup
// and mountinfo, read from the host), its files read back, and "an error that leaves nothing"
// for a setting that cannot be applied (runtime.md "Create": no container, no cgroup made).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { SuiteTest, TestContext } from '../harness/types.ts';
import { absent, bundle, cfg, cgroupMounts, cgroupPlacesOf, errored, pidOf, said, succeeded, type Cfg, type CgroupPlace } from './support.ts';

export type Version = 'v1' | 'v2';

function text(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** A cgroup file's content, trimmed; undefined when it cannot be read. */
export const readCgroup = (dir: string, file: string): string | undefined => text(`${dir}/${file}`)?.trim();

/** The mount point of the cgroup2 hierarchy (/sys/fs/cgroup, or /sys/fs/cgroup/unified on a hybrid host). */
export const cgroup2Root = (): string | undefined => cgroupMounts().find((m) => m.v2)?.point;

/** The mount point of the v1 hierarchy holding `controller`. */
export const v1Root = (controller: string): string | undefined => cgroupMounts().find((m) => !m.v2 && m.controllers.includes(controller))?.point;

/** The kernel's cgroup v1 controllers (cgroups(7)). */
const V1_CONTROLLERS = ['cpu', 'cpuacct', 'cpuset', 'memory', 'devices', 'freezer', 'net_cls', 'net_prio', 'blkio', 'perf_event', 'hugetlb', 'pids', 'rdma', 'misc'];

/** A hybrid host: a cgroup2 hierarchy beside v1 hierarchies that hold controllers. */
export const hybrid = (): boolean => {
  const mounts = cgroupMounts();
  return mounts.some((m) => m.v2) && mounts.some((m) => !m.v2 && m.controllers.some((c) => V1_CONTROLLERS.includes(c)));
};

/** The controllers the cgroup2 root offers (its cgroup.controllers); a controller bound to a v1 hierarchy is not among them. */
export function cgroup2Controllers(): string[] {
  const root = cgroup2Root();
  return root === undefined ? [] : (text(`${root}/cgroup.controllers`) ?? '').split(/\s+/).filter(Boolean);
}

/** Where the host has `controller`: a v1 hierarchy (preferred: the kernel binds it there), the cgroup2 hierarchy, or nowhere. */
export function hostController(controller: string): Version | undefined {
  if (v1Root(controller) !== undefined) return 'v1';
  return cgroup2Controllers().includes(controller) ? 'v2' : undefined;
}

/** The container's own cgroup for `controller`: the v1 hierarchy's directory, else the cgroup2 one that offers it. */
export function controllerPlace(pid: number, controller: string): CgroupPlace | undefined {
  const places = cgroupPlacesOf(pid);
  return places.find((p) => !p.v2 && p.controllers.includes(controller)) ?? places.find((p) => p.v2 && p.controllers.includes(controller));
}

/** The container's cgroup for `controller`, which must exist. */
export function placeOf(ctx: TestContext, pid: number, controller: string): CgroupPlace {
  const place = controllerPlace(pid, controller);
  ctx.expect(place !== undefined, `the container process in a ${controller} cgroup of its own (its /proc/<pid>/cgroup, read from the host)`, {
    cgroup: text(`/proc/${pid}/cgroup`)?.trim().split('\n'),
    places: cgroupPlacesOf(pid),
  });
  return place;
}

/** The container's cgroup2 directory, which must exist. */
export function v2PlaceOf(ctx: TestContext, pid: number): CgroupPlace {
  const place = cgroupPlacesOf(pid).find((p) => p.v2);
  ctx.expect(place !== undefined, 'the container process in a cgroup2 cgroup of its own (its /proc/<pid>/cgroup "0::" line, read from the host)', text(`/proc/${pid}/cgroup`)?.trim().split('\n'));
  return place;
}

/** What each file must hold: its exact trimmed text, or a test of it with what it should say. */
export type Want = string | { test: (got: string) => boolean; says: string };

/** Every file of `wants` in `dir` holds what it should; one failure lists all that do not. */
export function expectFiles(ctx: TestContext, dir: string, wants: Record<string, Want>, what: string): void {
  const says = (w: Want) => (typeof w === 'string' ? JSON.stringify(w) : w.says);
  const ok = (w: Want, got: string | undefined) => got !== undefined && (typeof w === 'string' ? got === w : w.test(got));
  const wrong = Object.entries(wants).filter(([file, w]) => !ok(w, readCgroup(dir, file)));
  ctx.expect(
    wrong.length === 0,
    `${what}: in ${dir}, ${Object.entries(wants).map(([file, w]) => `${file} ${says(w)}`).join(', ')}`,
    Object.fromEntries(wrong.map(([file]) => [file, readCgroup(dir, file) ?? (existsSync(`${dir}/${file}`) ? 'unreadable' : 'no such file')])),
  );
}

/** Every hierarchy's directory at `path` that exists (what a failed create may have left). */
export const cgroupsAt = (path: string): string[] => cgroupMounts().map((m) => `${m.point}${path}`).filter((d) => existsSync(d));

/** linux.resources of a config, merged with `resources`. */
/**
 * Tests of what a runtime does to its container's cgroup, made to require that the runtime makes
 * one: crun on this hybrid host runs with --cgroup-manager=disabled (harness/runtime.ts), so a
 * missing cgroup there is the host's doing, not the runtime's.
 */
export function needingRuntimeCgroups(tests: SuiteTest[]): SuiteTest[] {
  return tests.map((t) => ({
    ...t,
    run: async (ctx: TestContext) => {
      const name = basename(ctx.driver.path);
      ctx.requires(ctx.runtimeManagesCgroups, `this host is hybrid: ${name} runs with --cgroup-manager=disabled (it refuses hybrid cgroups), so it makes no cgroup to check`);
      await t.run(ctx);
    },
  }));
}

export const withResources = (resources: Record<string, unknown>) => (c: Cfg) => {
  c.linux!.resources = { ...((c.linux!.resources as object | undefined) ?? {}), ...resources };
};

/**
 * A create that must be an error which leaves nothing: the container does not exist and no cgroup
 * is left at its cgroupsPath in any hierarchy (runtime.md "Errors").
 */
export async function refusedLeavingNothing(ctx: TestContext, args: string[], edit: (c: Cfg) => void, expected: string): Promise<void> {
  const b = bundle(ctx, args, edit);
  const id = ctx.id();
  errored(ctx, await ctx.driver.create(id, b.dir), expected);
  await absent(ctx, id, 'no container after the failed create');
  leftNoCgroup(ctx, cfg(b.config).linux?.cgroupsPath);
}

function leftNoCgroup(ctx: TestContext, path: string | undefined): void {
  if (path === undefined || !path.startsWith('/')) return;
  const left = cgroupsAt(path);
  ctx.expect(left.length === 0, `no cgroup left at the cgroupsPath ${path} after the failed create`, left);
}

/**
 * Creates a container with `edit`. It must succeed unless `mayRefuse` says why the host may not
 * let the runtime apply the setting; then an error that leaves nothing is right too. Returns the
 * container's pid, or undefined when it was (rightly) refused.
 */
export async function createdOrRefused(ctx: TestContext, args: string[], edit: (c: Cfg) => void, mayRefuse?: string): Promise<number | undefined> {
  const b = bundle(ctx, args, edit);
  const id = ctx.id();
  const r = await ctx.driver.create(id, b.dir);
  if (r.code === 0) return pidOf(ctx, id);
  if (mayRefuse === undefined) succeeded(ctx, r, 'create');
  ctx.expect(!r.timedOut, `create to succeed, or to be an error: ${mayRefuse}`, said(r));
  await absent(ctx, id, `no container after the failed create (${mayRefuse})`);
  leftNoCgroup(ctx, cfg(b.config).linux?.cgroupsPath);
  return undefined;
}

/** The host's huge page sizes as hugetlb names them ("2MB", "1GB"), smallest first. */
export function hugePageSizes(): string[] {
  let names: string[];
  try {
    names = readdirSync('/sys/kernel/mm/hugepages');
  } catch {
    return [];
  }
  const kb = names.map((n) => /^hugepages-(\d+)kB$/.exec(n)?.[1]).filter((n): n is string => n !== undefined).map(Number).sort((a, b) => a - b);
  return kb.map((k) => (k >= 1 << 20 && k % (1 << 20) === 0 ? `${k >> 20}GB` : k >= 1024 && k % 1024 === 0 ? `${k >> 10}MB` : `${k}KB`));
}

/** Bytes of a hugetlb size name ("2MB": 2 MiB; the spec parses the prefix in base 1024). */
export function sizeBytes(name: string): number {
  const m = /^(\d+)([KMG])B$/.exec(name);
  return m === null ? NaN : Number(m[1]) * { K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2] as 'K' | 'M' | 'G'];
}
