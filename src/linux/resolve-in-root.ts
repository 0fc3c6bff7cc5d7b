// A path inside a root directory, resolved from the host as openat2's RESOLVE_IN_ROOT resolves it
// (Node has no openat2): each component is looked up with lstat, a symlink's target is resolved
// again from the root (absolute) or from where it stands (relative), and `..` never climbs above
// the root. For host-side reads only (create's check of process.args[0]); nothing is written
// through it, and every write into a rootfs goes through the executor's openat2.
import { lstatSync, readlinkSync } from 'node:fs';
import { posix } from 'node:path';

const MAX_LINKS = 40; // the kernel's limit (ELOOP)

/** The host path `path` names inside `root`, or undefined when it loops or names nothing. */
export function resolveInRoot(root: string, path: string): string | undefined {
  const todo = path.split('/').filter(Boolean);
  const done: string[] = [];
  for (let links = 0; todo.length > 0; ) {
    const part = todo.shift()!;
    if (part === '.') continue;
    if (part === '..') {
      done.pop(); // at the root, .. stays there
      continue;
    }
    const host = posix.join(root, ...done, part);
    let isLink: boolean;
    try {
      isLink = lstatSync(host).isSymbolicLink();
    } catch {
      return todo.length === 0 ? host : undefined; // a missing last component is for the caller to find missing
    }
    if (!isLink) {
      done.push(part);
      continue;
    }
    if (++links > MAX_LINKS) return undefined;
    const target = readlinkSync(host);
    if (target.startsWith('/')) done.length = 0;
    todo.unshift(...target.split('/').filter(Boolean));
  }
  return posix.join(root, ...done);
}
