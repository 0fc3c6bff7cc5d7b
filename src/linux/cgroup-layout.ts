// Which cgroup hierarchies this host mounts, and where a container's cgroup goes in each
// (config-linux.md "Cgroups path"). v1: one hierarchy per `cgroup` mount (co-mounted controllers
// such as cpu,cpuacct share one); v2: the `cgroup2` mount; hybrid: both, as systemd lays them out
// with cgroup2 at /sys/fs/cgroup/unified. Every path comes from the mountinfo text, so tests pass
// mount points under a temporary directory.

import { fileNameFor } from '../state/file-name.ts';
import * as fs from 'node:fs';
import { posix } from 'node:path';
import { OciError, specError, wrap } from '../errors.ts';
import { readOptional } from './read-optional.ts';
import { sha256Hex } from '../sha256.ts';

export type CgroupKind = 'v1' | 'v2' | 'hybrid';

export interface Hierarchy {
  mountPoint: string;
  /** The mount's root inside the hierarchy (mountinfo field 4); not `/` inside a cgroup namespace. */
  root: string;
  version: 1 | 2;
  /** v1: from the mount's super options, with `name=systemd` for named hierarchies; v2: cgroup.controllers. */
  controllers: string[];
}

export interface CgroupLayout {
  kind: CgroupKind;
  hierarchies: Hierarchy[];
}

/** What the state file stores so later commands find the cgroup again without re-detecting. */
export interface CgroupRecord {
  /** Absolute directories, one per hierarchy. */
  dirs: string[];
  /** The directories createCgroup made (leaves and new parents), which remove() deletes. */
  created: string[];
  /** ocirt's own parents (`ocirt/<key>`), which any of its containers' remove() deletes once empty. */
  prunable?: string[];
}

interface MountLine {
  dev: string;
  root: string;
  mountPoint: string;
  fstype: string;
  superOptions: string;
}

/** v1 super options that are not controllers (a `name=` option is kept: it names the hierarchy). */
const NOT_CONTROLLERS = new Set(['rw', 'ro', 'none', 'all', 'xattr', 'noprefix', 'clone_children', 'cpuset_v2_mode', 'favordynmods']);

export function detectLayout(mountinfo?: string): CgroupLayout {
  const text = mountinfo ?? readText('/proc/self/mountinfo');
  const seen = new Set<string>();
  const hierarchies: Hierarchy[] = [];
  for (const m of text.split('\n').map(parseMountLine)) {
    if (m === undefined || (m.fstype !== 'cgroup' && m.fstype !== 'cgroup2')) continue;
    // A hierarchy mounted twice (a bind mount) shares its device; there is only one cgroup2 hierarchy.
    const key = m.fstype === 'cgroup2' ? 'cgroup2' : m.dev;
    if (seen.has(key)) continue;
    seen.add(key);
    hierarchies.push(toHierarchy(m));
  }
  return { kind: kindOf(hierarchies), hierarchies };
}

function parseMountLine(line: string): MountLine | undefined {
  // Optional fields sit between the mount options and " - "; spaces inside fields are escaped as \040.
  const sep = line.indexOf(' - ');
  if (sep < 0) return undefined;
  const left = line.slice(0, sep).split(' ');
  const right = line.slice(sep + 3).split(' ');
  if (left.length < 6 || right.length < 3) return undefined;
  return { dev: left[2]!, root: unescape(left[3]!), mountPoint: unescape(left[4]!), fstype: right[0]!, superOptions: right[2]! };
}

const unescape = (s: string): string => s.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));

function toHierarchy(m: MountLine): Hierarchy {
  if (m.fstype === 'cgroup2') {
    // cgroup.controllers is missing on kernels before 4.15 and in test trees.
    const controllers = readOptional(posix.join(m.mountPoint, 'cgroup.controllers')) ?? '';
    return { mountPoint: m.mountPoint, root: m.root, version: 2, controllers: controllers.split(/\s+/).filter(Boolean) };
  }
  const options = m.superOptions.split(',');
  const controllers = options.filter((o) => !NOT_CONTROLLERS.has(o) && (!o.includes('=') || o.startsWith('name=')));
  return { mountPoint: m.mountPoint, root: m.root, version: 1, controllers };
}

function kindOf(hierarchies: Hierarchy[]): CgroupKind {
  const v1 = hierarchies.some((h) => h.version === 1);
  const v2 = hierarchies.some((h) => h.version === 2);
  if (v1 && v2) return 'hybrid';
  if (v1) return 'v1';
  if (v2) return 'v2';
  throw new OciError('cgroup', 'no cgroup or cgroup2 file system is mounted (see /proc/self/mountinfo)');
}

export interface CgroupPlace {
  /** The state root (--root): the default path is per root, so two roots' containers of one id never meet. */
  root: string;
  /** /proc/self/cgroup's text; tests give their own. */
  ownCgroup?: string;
}

/** `ocirt/<key>/<id>`: the key names the state root, a hash because --root may be any path. */
export function defaultCgroupPath(root: string, id: string): string {
  return `ocirt/${sha256Hex(posix.resolve(root)).slice(0, 12)}/${fileNameFor(id)}`;
}

/**
 * The container's directory in each hierarchy. Absolute `cgroupsPath`: under the mount point.
 * Relative: under this process's own cgroup in that hierarchy, as runc does. Unset: the
 * defaultCgroupPath under the mount point, so containers never land inside the caller's cgroup.
 */
export function cgroupDirs(layout: CgroupLayout, cgroupsPath: string | undefined, id: string, place: CgroupPlace): CgroupRecord {
  const given = cgroupsPath !== undefined && cgroupsPath !== '';
  const inner = given ? checkedPath(cgroupsPath) : defaultCgroupPath(place.root, id);
  const relative = given && !inner.startsWith('/');
  const own = relative ? parseOwnCgroup(place.ownCgroup ?? readText('/proc/self/cgroup')) : [];
  const dirs = layout.hierarchies.map((h) => posix.join(h.mountPoint, relative ? ownPath(h, own) : '/', inner));
  // Only the first container of a root makes ocirt/<key>; whichever is deleted last must remove it.
  return given ? { dirs, created: [] } : { dirs, created: [], prunable: dirs.map((d) => posix.dirname(d)) };
}

function checkedPath(cgroupsPath: string): string {
  if (cgroupsPath.split('/').includes('..')) {
    throw specError(`linux.cgroupsPath: "${cgroupsPath}" has a ".." component`);
  }
  // The root cgroup is shared by the whole host: a container there could never be removed.
  if (posix.normalize(`/${cgroupsPath}`) === '/') throw specError(`linux.cgroupsPath: "${cgroupsPath}" names the root cgroup`);
  return posix.normalize(cgroupsPath).replace(/\/+$/, ''); // state records one spelling of each directory
}

interface OwnEntry {
  controllers: string[];
  path: string;
}

/** /proc/self/cgroup: `hierarchy-id:controllers:path`; the v2 line is `0::path`. */
function parseOwnCgroup(text: string): OwnEntry[] {
  const out: OwnEntry[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (m) out.push({ controllers: m[2] === '' ? [] : m[2]!.split(','), path: m[3]! });
  }
  return out;
}

/** This process's cgroup in `h`, relative to the mount's root (so it also holds in a cgroup namespace). */
function ownPath(h: Hierarchy, own: OwnEntry[]): string {
  const entry = own.find((e) => (h.version === 2 ? e.controllers.length === 0 : e.controllers.some((c) => h.controllers.includes(c))));
  if (entry === undefined) {
    throw new OciError('cgroup', `/proc/self/cgroup has no line for the hierarchy at ${h.mountPoint}`);
  }
  const root = h.root.replace(/\/+$/, '');
  if (root !== '' && (entry.path === root || entry.path.startsWith(`${root}/`))) return entry.path.slice(root.length) || '/';
  return entry.path;
}

function readText(path: string): string {
  try {
    return fs.readFileSync(path, 'utf8');
  } catch (err) {
    throw wrap('cgroup', `reading ${path}`, err);
  }
}

