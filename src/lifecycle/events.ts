// `events` (runc's command): the container's resource statistics as runc's JSON objects, read from
// its cgroups. `--stats`: one `stats` object. Otherwise one every interval, and an `oom` object
// when the OOM killer ends a process of the container, until the container stops or is deleted.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OciError, stateError } from '../errors.ts';
import { eventJson, readStats, statsEvent } from '../linux/cgroup-stats.ts';
import type { StoredState } from '../state/store.ts';
import { statusOf } from './query.ts';
import type { Runtime } from './runtime.ts';

export interface EventsOptions {
  stats: boolean;
  intervalMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function events(rt: Runtime, id: string, o: EventsOptions, print: (line: string) => void): Promise<void> {
  const dirs = cgroupOf(rt.store.read(id));
  if (o.stats) return print(eventJson(statsEvent(id, readStats(dirs))));
  let ooms = oomKills(dirs);
  while (lives(rt, id)) {
    const now = oomKills(dirs);
    if (now > ooms) print(eventJson({ type: 'oom', id }));
    ooms = now;
    print(eventJson(statsEvent(id, readStats(dirs))));
    await sleep(o.intervalMs);
  }
}

function cgroupOf(s: StoredState): string[] {
  if (statusOf(s) === 'stopped') throw stateError(`container "${s.id}" is stopped: it has no statistics`);
  if (!s.cgroup) throw new OciError('cgroup', `container "${s.id}" has no cgroup`);
  return s.cgroup.dirs;
}

/** False once the container stopped or was deleted. */
function lives(rt: Runtime, id: string): boolean {
  try {
    return statusOf(rt.store.read(id)) !== 'stopped';
  } catch (err) {
    if (err instanceof OciError && err.code === 'not-found') return false;
    throw err;
  }
}

/** OOM kills so far: `oom_kill` of v1 memory.oom_control or v2 memory.events, whichever the memory controller has. */
function oomKills(dirs: string[]): number {
  for (const file of dirs.flatMap((d) => [join(d, 'memory.oom_control'), join(d, 'memory.events')])) {
    try {
      const m = /^oom_kill (\d+)$/m.exec(readFileSync(file, 'utf8'));
      if (m) return Number(m[1]);
    } catch {
      /* not this hierarchy's file */
    }
  }
  return 0;
}
