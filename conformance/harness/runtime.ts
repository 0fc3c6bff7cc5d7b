// How to invoke the runtime under test. Most runtimes are called as they are. The one exception is
// crun on a host without a pure cgroup v2 hierarchy: crun 1.8 refuses hybrid cgroups (DESIGN.md
// "Host facts"), so it runs inside a private mount namespace that has cgroup2 on /sys/fs/cgroup,
// entered with nsenter, and with --cgroup-manager=disabled. The namespace is made once per run and
// kept alive by a bind mount of its nsfs file (as bench/lifecycle.ts does). Tests never see the
// difference: the driver prefixes every argv, and runtime-tools programs get a wrapper script.
//
// A preflight create (and delete) of the v1 sample finds the ociVersion the runtime accepts: crun
// 1.8 refuses 1.3.0 ("unknown version specified"), so its v1 bundles say the version of its
// `--version` "spec:" line instead.
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { CGROUP_PARENT } from './cleanup.ts';
import { execute } from './exec.ts';
import { hostTool } from './host-tools.ts';
import { SAMPLE_BUNDLES } from './paths.ts';

export interface RuntimeCommand {
  /** The runtime binary, absolute. */
  path: string;
  /** Before the binary: e.g. nsenter into crun's mount namespace. */
  prefix: string[];
  /** Global flags before the subcommand (and before --root). */
  globals: string[];
  /** False when the runtime is told to make no cgroups (crun's --cgroup-manager=disabled); default true. */
  managesCgroups?: boolean;
}

export interface PreparedRuntime {
  cmd: RuntimeCommand;
  /** An executable that behaves like the runtime as the suite calls it (for runtime-tools' $RUNTIME). */
  wrapper: string;
  /** The ociVersion v1 bundles must say for the runtime to take them, when not the sample's. */
  v1OciVersion?: string;
  /** How the runtime had to be called, for the report's reader. */
  notes?: string[];
  teardown(): Promise<void>;
}

const NSENTER = hostTool('nsenter');
const UNSHARE = hostTool('unshare');
const UMOUNT = hostTool('umount');

export const argvOf = (c: RuntimeCommand, root: string, args: string[]) => [...c.prefix, c.path, ...c.globals, '--root', root, ...args];

/** crun, unless this host's /sys/fs/cgroup is already a cgroup2 mount (then crun needs no help). */
export function needsCgroup2Namespace(path: string): boolean {
  return basename(path).startsWith('crun') && !existsSync('/sys/fs/cgroup/cgroup.controllers');
}

/** Readies the runtime at `path`; `work` is a directory for the run's own files (removed by the caller). */
export async function prepareRuntime(path: string, work: string, samples = SAMPLE_BUNDLES): Promise<PreparedRuntime> {
  const abs = resolve(path);
  const prepared = needsCgroup2Namespace(abs) ? await inCgroup2Namespace(abs, work) : { cmd: { path: abs, prefix: [], globals: [] }, wrapper: abs, notes: [], teardown: async () => {} };
  try {
    const version = await acceptedV1Version(prepared.cmd, work, samples);
    if (version.note !== undefined) prepared.notes.push(version.note);
    return { ...prepared, ...(version.version === undefined ? {} : { v1OciVersion: version.version }) };
  } catch (e) {
    await prepared.teardown();
    throw e;
  }
}

async function inCgroup2Namespace(abs: string, work: string): Promise<PreparedRuntime & { notes: string[] }> {
  const nsFile = await cgroup2Namespace(work);
  const cmd = { path: abs, prefix: [NSENTER, `--mount=${nsFile}`], globals: ['--cgroup-manager=disabled'], managesCgroups: false };
  const notes = [
    `${basename(abs)} refuses this hybrid host's cgroups: it runs in a private mount namespace with cgroup2 on /sys/fs/cgroup, with --cgroup-manager=disabled, so it makes no cgroup (tests that need one are unsupported by host)`,
  ];
  return { cmd, wrapper: writeWrapper(work, cmd), notes, teardown: () => run(work, [UMOUNT, nsFile]) };
}

/** What runtime-spec release a runtime says it implements: the "spec:" line of `--version`. */
export function specVersionOf(versionText: string): string | undefined {
  return /^spec:\s*(\d+\.\d+\.\d+\S*)/m.exec(versionText)?.[1];
}

/**
 * The sample's ociVersion if the runtime creates a container from the v1 sample with it; else,
 * on a refusal that names the version, the first of the runtime's spec version and 1.0.2 it takes.
 */
async function acceptedV1Version(cmd: RuntimeCommand, work: string, samples: string): Promise<{ version?: string; note?: string }> {
  const config = JSON.parse(readFileSync(join(samples, 'v1-basic', 'config.json'), 'utf8')) as Record<string, unknown>;
  const sample = String(config.ociVersion);
  const first = await preflight(cmd, work, samples, config, sample);
  if (first === undefined || !/version/i.test(first)) return {};
  const spec = specVersionOf((await capture(work, [...cmd.prefix, cmd.path, '--version'])).stdout);
  for (const v of [...new Set([spec, '1.0.2'].filter((x): x is string => x !== undefined && x !== sample))]) {
    if ((await preflight(cmd, work, samples, config, v)) === undefined) return { version: v, note: `v1 bundles say ociVersion ${v}: the runtime refused the sample's ${sample} (${first.trim()})` };
  }
  return {};
}

/** Creates and deletes a container of the v1 sample with `version`; the runtime's refusal, or undefined. */
async function preflight(cmd: RuntimeCommand, work: string, samples: string, sample: Record<string, unknown>, version: string): Promise<string | undefined> {
  const dir = join(work, 'preflight');
  const root = join(dir, 'root');
  const id = `oc-preflight-${process.pid}`;
  mkdirSync(join(dir, 'bundle'), { recursive: true });
  const config = { ...sample, ociVersion: version, root: { path: join(samples, 'v1-basic', 'rootfs') }, linux: { ...(sample.linux as object), cgroupsPath: `/${CGROUP_PARENT}/${id}` } };
  writeFileSync(join(dir, 'bundle', 'config.json'), JSON.stringify(config));
  try {
    const r = await capture(work, argvOf(cmd, root, ['create', '--bundle', join(dir, 'bundle'), id]));
    return r.code === 0 ? undefined : r.stderr || `exit ${r.code}`;
  } finally {
    await capture(work, argvOf(cmd, root, ['delete', '--force', id]));
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A private mount namespace with cgroup2 mounted on /sys/fs/cgroup, kept by a bind mount of its ns file. */
async function cgroup2Namespace(work: string): Promise<string> {
  const nsFile = join(work, 'crun-mnt');
  writeFileSync(nsFile, '');
  await run(work, [UNSHARE, `--mount=${nsFile}`, '--propagation', 'private', hostTool('true')]);
  await run(work, [NSENTER, `--mount=${nsFile}`, hostTool('sh'), '-c', 'umount -R /sys/fs/cgroup; mount -t cgroup2 cgroup2 /sys/fs/cgroup']);
  return nsFile;
}

function writeWrapper(work: string, cmd: RuntimeCommand): string {
  const file = join(work, `${basename(cmd.path)}-wrapped`);
  const words = [...cmd.prefix, cmd.path, ...cmd.globals].map((w) => `'${w.replaceAll("'", `'\\''`)}'`);
  writeFileSync(file, `#!/bin/sh\nexec ${words.join(' ')} "$@"\n`);
  chmodSync(file, 0o755);
  return file;
}

async function run(work: string, argv: string[]): Promise<void> {
  const log = join(work, 'runtime-setup.log');
  const r = await execute(argv, { stdout: log, stderr: log, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
  if (r.code !== 0) throw new Error(`${argv.join(' ')}: exit ${r.code}: ${r.stderr.trim()}`);
}

/** A setup call whose output matters; its own files, so one call's output is not another's. */
let captures = 0;
function capture(work: string, argv: string[]) {
  const n = ++captures;
  return execute(argv, { stdout: join(work, `setup-${n}.out`), stderr: join(work, `setup-${n}.err`), env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
}
