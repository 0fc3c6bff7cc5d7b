// The process message the init execs at start (plan/process.ts), and a create-time check that
// args[0] exists and is executable, so that a missing program fails `create` (docs/engines.md:
// podman maps "executable file not found" to 127 and "permission denied" to 126).
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { OciError } from '../errors.ts';
import { resolveInRoot } from '../linux/resolve-in-root.ts';
import { processSteps, type Host, type SeccompLoad } from '../plan/process.ts';
import { encodeMessage, type Step } from '../plan/wire.ts';
import type { Config, Process } from '../spec/config.ts';
import type { Edition } from '../spec/edition.ts';

/** v1.3.0: the process as config.json had it at create time, in the state directory. */
export const PROCESS_FILE = 'process.json';
/** linux.seccomp as create compiled it. */
export const SECCOMP_FILE = 'seccomp.bpf';

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** 'ok', 'missing', or 'not-executable' (a file that exists but cannot be exec'd: EACCES, as execve says). */
function programAt(path: string | undefined): 'ok' | 'missing' | 'not-executable' {
  if (path === undefined) return 'missing';
  try {
    if (!statSync(path).isFile()) return 'not-executable';
  } catch {
    return 'missing';
  }
  try {
    accessSync(path, constants.X_OK);
    return 'ok';
  } catch {
    return 'not-executable';
  }
}

/**
 * Looks args[0] up in the rootfs as the init will (PATH of process.env). Only a definite miss is an
 * error: a program under a mount destination cannot be seen from the host before the mounts exist.
 */
export function checkProgram(p: Process, rootfs: string, mountDestinations: string[]): void {
  const arg0 = p.args[0] ?? '';
  const pathVar = (p.env ?? []).find((e) => e.startsWith('PATH='))?.slice(5) ?? DEFAULT_PATH;
  const candidates = arg0.includes('/') ? [arg0] : pathVar.split(':').filter(Boolean).map((d) => `${d}/${arg0}`);
  const underMount = (c: string) => mountDestinations.some((d) => c === d || c.startsWith(d.endsWith('/') ? d : d + '/'));
  const found = candidates.map((c) => (underMount(c) ? 'ok' : programAt(resolveInRoot(rootfs, c))));
  if (found.includes('ok')) return;
  const why = found.includes('not-executable') ? 'permission denied' : arg0.includes('/') ? 'no such file or directory' : 'executable file not found in $PATH';
  throw new OciError('spec', `process.args[0]: exec: "${arg0}": ${why}`);
}

export interface ProcessMessageInput {
  process: Process;
  edition: Edition;
  rootfs: string;
  mountDestinations: string[];
  host: Host;
  seccomp?: SeccompLoad;
  /** Steps just before the exec: the startContainer hooks, which run as runc runs them, with the process's credentials and filter. */
  beforeExec?: Step[];
  warn(message: string): void;
}

export function processMessage(i: ProcessMessageInput): { bytes: Buffer; labels: string[] } {
  const own = processSteps({ process: i.process, edition: i.edition, host: i.host, seccomp: i.seccomp, warn: i.warn });
  const steps = [...own.slice(0, -1), ...(i.beforeExec ?? []), ...own.slice(-1)];
  checkProgram(i.process, i.rootfs, i.mountDestinations);
  return { bytes: encodeMessage([[3, steps]]), labels: steps.map((s) => s.label) };
}

/** The seccomp program create saved in the state directory, if the config had one; `state` is built only then. */
export function savedSeccomp(stateDir: string, flags: number | undefined, listenerSlot: number, state: () => string): SeccompLoad | undefined {
  const file = join(stateDir, SECCOMP_FILE);
  if (flags === undefined || !existsSync(file)) return undefined;
  return { bpf: readFileSync(file), flags, listenerSlot, state: listenerSlot < 0 ? '' : state() };
}

export function mountDestinations(c: Config): string[] {
  return (c.mounts ?? []).filter((m) => typeof m.destination === 'string').map((m) => posix.normalize('/' + m.destination));
}
