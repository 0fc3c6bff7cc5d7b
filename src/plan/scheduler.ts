// config.md "Linux Process" `scheduler` (sched_setattr(2)) and `ioPriority` (ioprio_set(2)).
import { specError } from '../errors.ts';
import type { Step } from './wire.ts';

const POLICIES: Record<string, number> = {
  SCHED_OTHER: 0, SCHED_FIFO: 1, SCHED_RR: 2, SCHED_BATCH: 3, SCHED_ISO: 4, SCHED_IDLE: 5, SCHED_DEADLINE: 6,
};
const FLAGS: Record<string, number> = {
  SCHED_FLAG_RESET_ON_FORK: 0x01, SCHED_FLAG_RECLAIM: 0x02, SCHED_FLAG_DL_OVERRUN: 0x04, SCHED_FLAG_KEEP_POLICY: 0x08,
  SCHED_FLAG_KEEP_PARAMS: 0x10, SCHED_FLAG_UTIL_CLAMP_MIN: 0x20, SCHED_FLAG_UTIL_CLAMP_MAX: 0x40,
};
const IOPRIO_CLASSES: Record<string, number> = { IOPRIO_CLASS_RT: 1, IOPRIO_CLASS_BE: 2, IOPRIO_CLASS_IDLE: 3 };

export interface Scheduler {
  policy: string;
  nice?: number;
  priority?: number;
  flags?: string[];
  runtime?: number;
  deadline?: number;
  period?: number;
}

const lookup = (table: Record<string, number>, value: unknown, field: string): number => {
  const n = typeof value === 'string' ? table[value] : undefined;
  if (n === undefined) throw specError(`${field}: ${JSON.stringify(value)} is not one of ${Object.keys(table).join(', ')}`);
  return n;
};

export function schedulerSteps(s: Scheduler | undefined): Step[] {
  if (!s) return [];
  const f = 'process.scheduler';
  const policy = lookup(POLICIES, s.policy, `${f}.policy`);
  const flags = (s.flags ?? []).reduce((acc, name, i) => acc | lookup(FLAGS, name, `${f}.flags[${i}]`), 0);
  // "If not set, the runtime must use the value 0."
  const args = [policy, flags, s.nice ?? 0, s.priority ?? 0, s.runtime ?? 0, s.deadline ?? 0, s.period ?? 0];
  return [{ op: 'SCHED_SETATTR', args, label: `${f} (${s.policy})` }];
}

export function ioPrioritySteps(p: { class: string; priority: number } | undefined): Step[] {
  if (!p) return [];
  const f = 'process.ioPriority';
  const cls = lookup(IOPRIO_CLASSES, p.class, `${f}.class`);
  if (!Number.isInteger(p.priority) || p.priority < 0 || p.priority > 7) throw specError(`${f}.priority: must be an integer from 0 to 7`);
  return [{ op: 'IOPRIO_SET', args: [cls, p.priority], label: `${f} (${p.class} ${p.priority})` }];
}
