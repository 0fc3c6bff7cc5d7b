// Host programs the harness runs (nsenter, unshare, umount), by absolute path: the suite passes
// runtimes a minimal environment, and does not trust its own PATH either.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const hostTool = (name: string): string =>
  ['/usr/bin', '/bin', '/usr/sbin', '/sbin'].map((d) => join(d, name)).find((p) => existsSync(p)) ?? name;
