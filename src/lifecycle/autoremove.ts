// draft config.md "Root": with `autoremove`, the container is deleted once its PID namespace is gone.
// A watcher (the executor's `watch` mode) that is not the init's parent and holds none of the
// caller's fds waits on a pidfd, then runs `ocirt delete --force` (DESIGN.md "Exit and autoremove").
// Like the init, the watcher runs the executor from a sealed memfd, and `delete` with this very CLI.
import { OciError } from '../errors.ts';
import { runExecutorSync } from '../linux/spawn.ts';
import { paths } from '../paths.ts';
import type { StoredState } from '../state/store.ts';
import type { Runtime } from './runtime.ts';

export function armAutoremove(rt: Runtime, s: StoredState): void {
  const init = `${s.pid}:${s.pidStartTime}`;
  const args = ['watch', String(s.pid), s.pidStartTime ?? '', paths.ocirt, '--root', rt.root, 'delete', '--force', '--if-init', init, s.id];
  // The watcher forks and its first process exits at once, after its pidfd is open.
  const r = runExecutorSync(args);
  if (r.status !== 0) throw new OciError('syscall', `start the autoremove watcher: ${r.error?.message ?? `exit ${r.status}`}`);
}
