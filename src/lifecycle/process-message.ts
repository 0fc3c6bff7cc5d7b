// The process message the init execs at start (plan/process.ts), and a create-time check that
// args[0] exists, so that a missing program fails `create` (ENGINES.md: podman maps the message to 127).
import { accessSync, constants, statSync } from 'node:fs';
import { OciError } from '../errors.ts';
import { processSteps } from '../plan/process.ts';
import { encodeMessage } from '../plan/wire.ts';
import type { Config, Process } from '../spec/config.ts';
import { posix } from 'node:path';
import { inRootfs } from '../plan/mounts.ts';

/** v1.3.0: the process as config.json had it at create time, in the state directory. */
export const PROCESS_FILE = 'process.json';

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
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
  if (candidates.some((c) => underMount(c) || isExecutable(inRootfs(rootfs, c)))) return;
  const why = arg0.includes('/') ? 'no such file or directory' : 'executable file not found in $PATH';
  throw new OciError('spec', `process.args[0]: exec: "${arg0}": ${why}`);
}

export function processMessage(p: Process, rootfs: string, mountDestinations: string[] = []): Buffer {
  const steps = processSteps(p);
  checkProgram(p, rootfs, mountDestinations);
  return encodeMessage([[3, steps]]);
}

export function processLabels(p: Process): string[] {
  return processSteps(p).map((s) => s.label);
}

export function mountDestinations(c: Config): string[] {
  return (c.mounts ?? []).filter((m) => typeof m.destination === 'string').map((m) => posix.normalize('/' + m.destination));
}
