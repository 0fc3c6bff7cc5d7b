// The root filesystem of a sample bundle: the static probe and the few files a runtime or a
// resolver of user names may look at. Nothing is downloaded; `scripts/build-bundles.ts` and the
// tests build it from `native/build/probe`.
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';

/** Directories every sample rootfs has: mount points for the bundles' mounts, and /etc, /bin. */
export const ROOTFS_DIRS = ['proc', 'sys', 'dev', 'tmp', 'etc', 'bin'] as const;

export const PASSWD = 'root:x:0:0:root:/:/probe\nnobody:x:65534:65534:nobody:/:/probe\n';
export const GROUP = 'root:x:0:\nnobody:x:65534:\n';

/** How to build the probe from the repository root; the tests and error messages share it. */
export const PROBE_BUILD_COMMAND = ['gcc', '-static', '-O2', '-Wall', '-Wextra', '-o', 'native/build/probe', 'native/probe/probe.c'];

/** (Re)creates `rootfsDir` from scratch with the probe at /probe and /bin/probe. */
export function buildRootfs(rootfsDir: string, probePath: string): void {
  if (!existsSync(probePath)) {
    throw new Error(`probe not found at ${probePath}; build it with: ${PROBE_BUILD_COMMAND.join(' ')}`);
  }
  const root = resolve(rootfsDir);
  refuseIfMountedUnder(root);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  chmodSync(root, 0o755);
  for (const dir of ROOTFS_DIRS) {
    mkdirSync(join(root, dir));
    chmodSync(join(root, dir), dir === 'tmp' ? 0o1777 : 0o755); // chmod, as mkdir's mode obeys the umask
  }
  for (const target of ['probe', 'bin/probe']) {
    copyFileSync(probePath, join(root, target));
    chmodSync(join(root, target), 0o755);
  }
  writeFileSync(join(root, 'etc/hostname'), '');
  writeFileSync(join(root, 'etc/passwd'), PASSWD);
  writeFileSync(join(root, 'etc/group'), GROUP);
}

// A container that leaked a mount into the host's namespace (a crashed test) would make rmSync
// delete through it, into /proc or a bind-mounted host directory. Refuse instead.
function refuseIfMountedUnder(root: string): void {
  if (!existsSync(root)) return;
  const real = realpathSync(root);
  const inside = mountPoints().filter((point) => point === real || point.startsWith(real + sep));
  if (inside.length > 0) {
    throw new Error(`refusing to rebuild ${root}: something is mounted at ${inside.join(', ')}`);
  }
}

/** Mount points of the caller's mount namespace; empty when /proc is not there to say. */
export function mountPoints(): string[] {
  let text: string;
  try {
    text = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((point): point is string => point !== undefined)
    .map((point) => point.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))));
}
