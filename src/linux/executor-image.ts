// The executor as every ocirt process that runs it gets it: a fresh memfd holding its bytes, sealed
// against writing, shrinking, growing and further sealing (DESIGN.md "Process model" 5). The init is
// then no file on the host: /proc/<init>/exe names the memfd, and a descriptor of it reopened for
// writing, even after start has exec'd the user's process and nothing runs the memfd any more, has
// nothing to write to (CVE-2019-5736; runc's libcontainer/nsenter/cloned_binary.c seals the same
// set). The copy costs one write of the executor's ~1 MiB per launch.
import { closeSync, readFileSync, writeSync } from 'node:fs';
import { paths } from '../paths.ts';
import { F_ADD_SEALS, F_SEAL_GROW, F_SEAL_SEAL, F_SEAL_SHRINK, F_SEAL_WRITE, MFD_ALLOW_SEALING, MFD_CLOEXEC, MFD_EXEC, SyscallError, fcntl, isBun, memfdCreate } from './ffi.ts';

/** What `readlink /proc/<init>/exe` shows after "/memfd:", and the argv[0] the executor is given. */
export const EXECUTOR_NAME = 'ocirt-executor';

export const EXECUTOR_SEALS = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;

const EINVAL = 22;

let image: Buffer | undefined;

/**
 * The executor's bytes. Under Bun (the compiled CLI above all) from the file the bundler embeds; a
 * literal require keeps that module in the bundle, and out of Node, which cannot load it. Under Node
 * (vitest) from the build's file in the source tree.
 */
function executorBytes(): Buffer {
  if (image === undefined) {
    const file = isBun() ? (require('./executor-embedded.ts') as { default: string }).default : paths.executor;
    image = readFileSync(file);
  }
  return image;
}

/** MFD_EXEC where the kernel knows it (6.3); before it every memfd was executable, and the flag is EINVAL. */
function executableMemfd(): number {
  const flags = MFD_CLOEXEC | MFD_ALLOW_SEALING;
  try {
    return memfdCreate(EXECUTOR_NAME, flags | MFD_EXEC);
  } catch (err) {
    if (!(err instanceof SyscallError) || err.errno !== EINVAL) throw err;
    return memfdCreate(EXECUTOR_NAME, flags);
  }
}

/**
 * A new sealed memfd holding the executor (close-on-exec: a child gets it only as a stdio slot).
 * The caller closes it once the child has exec'd it.
 */
export function sealedExecutor(): number {
  const bytes = executorBytes();
  const fd = executableMemfd();
  try {
    for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
    fcntl('fcntl(F_ADD_SEALS) on the executor memfd', fd, F_ADD_SEALS, EXECUTOR_SEALS);
    return fd;
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}
