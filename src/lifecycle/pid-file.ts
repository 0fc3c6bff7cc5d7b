// --pid-file of create, run and exec: the host pid in decimal, no newline (ENGINES.md), written
// atomically (a temporary file beside it, then rename), so a reader never sees half a pid.
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { cleanupAll, messageOf, OciError } from '../errors.ts';

export function writePidFile(path: string, pid: number): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, String(pid));
    renameSync(tmp, path);
  } catch (err) {
    cleanupAll([() => rmSync(tmp, { force: true })]);
    throw new OciError('syscall', `--pid-file: cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? messageOf(err)}`, err);
  }
}
