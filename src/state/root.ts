// The default --root (ENGINES.md "Global flags"): podman calls `state` and its exit cleanup without
// --root, so the default alone must find the containers it created.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const SYSTEM_ROOT = '/run/ocirt';

/**
 * `$XDG_RUNTIME_DIR/ocirt` when XDG_RUNTIME_DIR is set and the caller is not root or is in a user
 * namespace, else `/run/ocirt`.
 */
export function defaultRoot(
  env: NodeJS.ProcessEnv = process.env,
  uid: number = process.geteuid?.() ?? 0,
  readUidMap: () => string = () => readFileSync('/proc/self/uid_map', 'utf8'),
): string {
  const xdg = env['XDG_RUNTIME_DIR'];
  if (xdg === undefined || xdg === '') return SYSTEM_ROOT;
  if (uid !== 0 || inUserNamespace(readUidMap)) return join(xdg, 'ocirt');
  return SYSTEM_ROOT;
}

/** True unless the uid map is the initial namespace's identity map `0 0 4294967295`. */
export function inUserNamespace(readUidMap: () => string): boolean {
  let map: string;
  try {
    map = readUidMap();
  } catch {
    return false; // no /proc, or no user namespaces in this kernel
  }
  const lines = map.trim().split('\n');
  return !(lines.length === 1 && lines[0]?.trim().split(/\s+/).join(' ') === '0 0 4294967295');
}
