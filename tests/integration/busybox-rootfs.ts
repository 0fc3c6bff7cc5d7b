// A root filesystem from Debian's busybox-static (scripts/setup.sh installs it): /bin/busybox and
// its applets as relative symlinks, for tests that need a shell rather than the probe.
import { chmodSync, copyFileSync, existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

export const BUSYBOX = '/bin/busybox';

/** Makes `dir`/bin with busybox and the applets named; returns `dir`. */
export function busyboxRootfs(dir: string, applets: string[]): string {
  if (!existsSync(BUSYBOX)) throw new Error(`${BUSYBOX} is missing: install busybox-static (scripts/setup.sh)`);
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  copyFileSync(BUSYBOX, join(bin, 'busybox'));
  chmodSync(join(bin, 'busybox'), 0o755);
  for (const applet of applets) symlinkSync('busybox', join(bin, applet));
  return dir;
}
