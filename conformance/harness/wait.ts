// Bounded waiting, and showing what was seen: a container does its work after the runtime has
// returned, so tests poll for its output instead of sleeping a guessed time.

const POLL_MS = 20;

/** Calls `f` until it returns something other than undefined, or `ms` have passed (then undefined). */
export async function poll<T>(ms: number, f: () => T | undefined | Promise<T | undefined>): Promise<T | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined || Date.now() >= deadline) return v;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** The last line of `text` that is a JSON object (the probe prints one object per line). */
export function lastJsonObject(text: string): Record<string, unknown> | undefined {
  for (const line of text.split('\n').reverse()) {
    if (!line.trimStart().startsWith('{')) continue;
    try {
      const v: unknown = JSON.parse(line);
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      // a line cut short: the probe is still writing
    }
  }
  return undefined;
}

const SHOW_MAX = 2000;

/** A value for a failure message: JSON (strings quoted), long ones cut. */
export function show(v: unknown): string {
  return cut(v === undefined ? 'undefined' : JSON.stringify(v) ?? String(v));
}

export const cut = (s: string) => (s.length > SHOW_MAX ? `${s.slice(0, SHOW_MAX)}… (${s.length} chars)` : s);
