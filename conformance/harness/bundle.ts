// A test's bundle: the sample config of its edition (bundles/v1-basic for v1, bundles/draft-basic
// for the draft) copied into the test's directory, with root.path pointing at the sample's built
// rootfs (absolute, shared read-only by every test: the probe writes only to the /tmp tmpfs) and a
// cgroupsPath of the harness's choosing. Both editions define linux.cgroupsPath (draft
// config-linux.md "Control groups"), so the harness can find, kill and remove every process and
// cgroup of the test whatever the runtime. One bundle per container: two containers made from one
// bundle would share its cgroup.
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { bundleIo } from './driver.ts';
import type { Bundle, Edition } from './types.ts';

export const SAMPLE_OF: Record<Edition, string> = { v1: 'v1-basic', draft: 'draft-basic' };

export interface BundleSource {
  /** The directory holding the sample bundles (bundles/ of the project by default). */
  samples: string;
  /** Replaces the v1 sample's ociVersion (crun 1.8 refuses 1.3.0: "unknown version specified"). */
  v1OciVersion?: string;
}

export interface BundleRequest {
  dir: string;
  edition: Edition;
  args: string[];
  cgroupsPath: string;
  edit?: (config: Bundle['config']) => void;
}

export function makeBundle(src: BundleSource, r: BundleRequest): Bundle {
  const config = sampleConfig(src, r.edition);
  config.process = { ...config.process, args: r.args } as NonNullable<Bundle['config']['process']>;
  config.linux = { ...(config.linux as object), cgroupsPath: r.cgroupsPath };
  r.edit?.(config);
  mkdirSync(r.dir, { recursive: true });
  if (createsUserNamespace(config)) config.root.path = reachableRootfs(config.root.path, r.dir);
  const io = bundleIo(r.dir);
  const b: Bundle = {
    dir: r.dir,
    config,
    save: () => writeFileSync(join(r.dir, 'config.json'), `${JSON.stringify(b.config, null, 2)}\n`),
    stdoutFile: io.stdout,
    stderrFile: io.stderr,
  };
  b.save();
  for (const f of [io.stdout, io.stderr]) writeFileSync(f, '');
  return b;
}

function createsUserNamespace(config: Bundle['config']): boolean {
  const ns = (config.linux as { namespaces?: Array<{ type?: string; path?: string }> } | undefined)?.namespaces;
  return Array.isArray(ns) && ns.some((n) => n.type === 'user' && n.path === undefined);
}

/**
 * In a new user namespace the container's root is an unprivileged host uid that must reach
 * root.path: the shared sample rootfs may sit under a 0700 directory (a clone made by mktemp -d).
 * So the bundle gets its own copy, in directories anyone may traverse.
 */
function reachableRootfs(rootfs: string, bundleDir: string): string {
  const copy = join(bundleDir, 'rootfs');
  cpSync(rootfs, copy, { recursive: true });
  for (const d of [dirname(bundleDir), bundleDir]) chmodSync(d, 0o711);
  return copy;
}

function sampleConfig(src: BundleSource, edition: Edition): Bundle['config'] {
  const sample = join(src.samples, SAMPLE_OF[edition]);
  const rootfs = join(sample, 'rootfs');
  if (!existsSync(join(rootfs, 'probe'))) throw new Error(`${rootfs}/probe is missing: build the sample bundles (npm run build:bundles)`);
  const config = JSON.parse(readFileSync(join(sample, 'config.json'), 'utf8')) as Bundle['config'];
  config.root = { ...config.root, path: rootfs };
  if (edition === 'v1' && src.v1OciVersion !== undefined) config.ociVersion = src.v1OciVersion;
  return config;
}
