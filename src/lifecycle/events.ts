// `events` (runc's command): the container's resource statistics as runc's JSON objects, read from
// its cgroups. `--stats`: one `stats` object. Otherwise one every interval, and an `oom` object
// when the OOM killer ends a process of the container, until the container stops or is deleted.
import { OciError, stateError } from '../errors.ts';
import { eventJson, readStats, statsEvent, type Stats } from '../linux/cgroup-stats.ts';
import { openCgroup, type ContainerCgroup } from '../linux/cgroups.ts';
import type { StoredState } from '../state/store.ts';
import { statusOf } from './query.ts';
import type { Runtime } from './runtime.ts';
import { setTimeout as sleep } from 'node:timers/promises';

export interface EventsOptions {
  stats: boolean;
  intervalMs: number;
}


export async function events(rt: Runtime, id: string, o: EventsOptions, print: (line: string) => void): Promise<void> {
  const cg = cgroupOf(rt.store.read(id));
  const dirs = cg.record.dirs;
  if (o.stats) return print(eventJson(statsEvent(id, readStats(dirs))));
  let ooms = cg.limitHits().oomKills;
  while (lives(rt, id)) {
    const now = cg.limitHits().oomKills;
    if (now > ooms) print(eventJson({ type: 'oom', id }));
    ooms = now;
    const stats = statsWhileLive(rt, id, dirs);
    if (stats === undefined) return;
    print(eventJson(statsEvent(id, stats)));
    await sleep(o.intervalMs);
  }
}

function cgroupOf(s: StoredState): ContainerCgroup {
  if (statusOf(s) === 'stopped') throw stateError(`container "${s.id}" is stopped: it has no statistics`);
  if (!s.cgroup) throw new OciError('cgroup', `container "${s.id}" has no cgroup`);
  return openCgroup(s.cgroup);
}

/** The stats, or undefined when the container went away while they were read. */
function statsWhileLive(rt: Runtime, id: string, dirs: string[]): Stats | undefined {
  try {
    return readStats(dirs);
  } catch (err) {
    if (!lives(rt, id)) return undefined;
    throw err;
  }
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
