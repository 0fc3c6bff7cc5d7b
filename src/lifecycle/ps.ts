// `ps` (runc's command): the container's processes. json: the pids of every process in its cgroups,
// as an array (containerd reads it so); table: ps(1)'s output (`-ef` unless other options are
// given) cut to the container's rows, found by the PID column of ps's header, as runc does.
import { spawnSync } from 'node:child_process';
import { OciError, stateError } from '../errors.ts';
import { openCgroup } from '../linux/cgroups.ts';
import type { Runtime } from './runtime.ts';
import { statusOf } from './query.ts';

export function containerPids(rt: Runtime, id: string): number[] {
  const s = rt.store.read(id);
  if (statusOf(s) === 'stopped' || !s.cgroup) return [];
  return openCgroup(s.cgroup).pids().sort((a, b) => a - b);
}

export function psTable(rt: Runtime, id: string, psArgs: string[]): string[] {
  const pids = new Set(containerPids(rt, id));
  const r = spawnSync('ps', psArgs.length > 0 ? psArgs : ['-ef'], { encoding: 'utf8' });
  if (r.error) throw new OciError('syscall', `ps: running ps(1): ${r.error.message}`, r.error);
  if (r.status !== 0) throw stateError(`ps: ps(1) failed: ${r.stderr.trim().split('\n')[0] ?? `exit ${r.status}`}`);
  const [header = '', ...rows] = r.stdout.split('\n').filter((l) => l.trim() !== '');
  const column = header.trim().split(/\s+/).indexOf('PID');
  if (column < 0) throw stateError('ps: the ps options give no PID column');
  return [header, ...rows.filter((row) => pids.has(Number(row.trim().split(/\s+/)[column])))];
}
