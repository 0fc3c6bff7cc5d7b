// draft runtime.md "Run": create, then start. In the foreground the executor stays as the init's
// reaper; ocirt exits with the container's status and, like runc, deletes the container after.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OciError } from '../errors.ts';
import { withLock } from '../state/lock.ts';
import { create, type CreateOptions } from './create.ts';
import { deleteContainer } from './delete.ts';
import type { Runtime } from './runtime.ts';
import { start } from './start.ts';

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'] as const;

export async function run(rt: Runtime, o: Omit<CreateOptions, 'foreground'> & { detach: boolean }): Promise<number> {
  const created = await create(rt, { ...o, foreground: !o.detach });
  try {
    await start(rt, o.id);
  } catch (err) {
    await deleteContainer(rt, o.id, true).catch(() => {});
    throw err;
  }
  if (o.detach) return 0;
  const forward = (sig: NodeJS.Signals) => created.launch.kill(sig);
  for (const sig of FORWARDED) process.on(sig, forward);
  const code = await created.launch.exited;
  for (const sig of FORWARDED) process.off(sig, forward);
  await recordExit(rt, o.id, code);
  await deleteContainer(rt, o.id, true);
  return code;
}

/** Under the lock: an autoremove watcher may be deleting the container at the same moment. */
async function recordExit(rt: Runtime, id: string, fallback: number): Promise<void> {
  if (!rt.store.exists(id)) return;
  await withLock(rt.store, id, () => {
    const s = rt.store.read(id);
    try {
      s.exitStatus = Number(readFileSync(join(rt.store.dir(id), 'exit.status'), 'utf8'));
    } catch {
      s.exitStatus = fallback;
    }
    s.phase = 'stopped';
    rt.store.write(s);
  }).catch((err: unknown) => {
    if (!(err instanceof OciError && err.code === 'not-found')) throw err;
  });
}
