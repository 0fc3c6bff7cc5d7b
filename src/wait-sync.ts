// Blocking waits for the synchronous paths (cgroup freeze and kill, delete, stdout on a full pipe):
// Atomics.wait on a private buffer sleeps the thread without a busy loop.

export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Polls `cond` every `stepMs` for up to `ms`; true once it holds. */
export function waitUntil(cond: () => boolean, ms: number, stepMs = 5): boolean {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() >= until) return false;
    sleepSync(stepMs);
  }
  return true;
}
