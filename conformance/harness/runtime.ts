// How to invoke the runtime under test. Most runtimes are called as they are. The one exception is
// crun on a host without a pure cgroup v2 hierarchy: crun 1.8 refuses hybrid cgroups (DESIGN.md
// "Host facts"), so it runs inside a private mount namespace that has cgroup2 on /sys/fs/cgroup,
// entered with nsenter, and with --cgroup-manager=disabled. The namespace is made once per run and
// kept alive by a bind mount of its nsfs file (as bench/lifecycle.ts does). Tests never see the
// difference: the driver prefixes every argv, and runtime-tools programs get a wrapper script.
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { execute } from './exec.ts';
import { hostTool } from './host-tools.ts';

export interface RuntimeCommand {
  /** The runtime binary, absolute. */
  path: string;
  /** Before the binary: e.g. nsenter into crun's mount namespace. */
  prefix: string[];
  /** Global flags before the subcommand (and before --root). */
  globals: string[];
}

export interface PreparedRuntime {
  cmd: RuntimeCommand;
  /** An executable that behaves like the runtime as the suite calls it (for runtime-tools' $RUNTIME). */
  wrapper: string;
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
export async function prepareRuntime(path: string, work: string): Promise<PreparedRuntime> {
  const abs = resolve(path);
  if (!needsCgroup2Namespace(abs)) {
    return { cmd: { path: abs, prefix: [], globals: [] }, wrapper: abs, teardown: async () => {} };
  }
  const nsFile = await cgroup2Namespace(work);
  const cmd = { path: abs, prefix: [NSENTER, `--mount=${nsFile}`], globals: ['--cgroup-manager=disabled'] };
  return { cmd, wrapper: writeWrapper(work, cmd), teardown: () => run(work, [UMOUNT, nsFile]) };
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
