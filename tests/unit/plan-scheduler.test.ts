// src/plan/scheduler.ts: config.md "Linux Process" `scheduler` (sched_setattr(2)) and `ioPriority`
// (ioprio_set(2)), each one step.
import { describe, expect, it } from 'vitest';
import { ioPrioritySteps, schedulerSteps, type Scheduler } from '../../src/plan/scheduler.ts';

describe('scheduler', () => {
  it('none, no step', () => {
    expect(schedulerSteps(undefined)).toEqual([]);
  });
  it('policy numbers are the kernel\'s; unset fields are 0 ("the runtime must use the value 0")', () => {
    const policies = ['SCHED_OTHER', 'SCHED_FIFO', 'SCHED_RR', 'SCHED_BATCH', 'SCHED_ISO', 'SCHED_IDLE', 'SCHED_DEADLINE'];
    expect(policies.map((policy) => schedulerSteps({ policy })[0]!.args)).toEqual(policies.map((_, i) => [i, 0, 0, 0, 0, 0, 0]));
    expect(schedulerSteps({ policy: 'SCHED_OTHER' })).toEqual([{ op: 'SCHED_SETATTR', args: [0, 0, 0, 0, 0, 0, 0], label: 'process.scheduler (SCHED_OTHER)' }]);
  });
  it('arguments in the order policy, flags, nice, priority, runtime, deadline, period', () => {
    const s: Scheduler = { policy: 'SCHED_DEADLINE', nice: -5, priority: 0, flags: ['SCHED_FLAG_RESET_ON_FORK', 'SCHED_FLAG_DL_OVERRUN'], runtime: 10_000_000, deadline: 30_000_000, period: 30_000_000 };
    expect(schedulerSteps(s)[0]!.args).toEqual([6, 0x01 | 0x04, -5, 0, 10_000_000, 30_000_000, 30_000_000]);
    expect(schedulerSteps({ policy: 'SCHED_FIFO', priority: 50 })[0]!.args).toEqual([1, 0, 0, 50, 0, 0, 0]);
  });
  it('flag bits are sched_setattr(2)\'s', () => {
    const flags = ['SCHED_FLAG_RESET_ON_FORK', 'SCHED_FLAG_RECLAIM', 'SCHED_FLAG_DL_OVERRUN', 'SCHED_FLAG_KEEP_POLICY', 'SCHED_FLAG_KEEP_PARAMS', 'SCHED_FLAG_UTIL_CLAMP_MIN', 'SCHED_FLAG_UTIL_CLAMP_MAX'];
    expect(flags.map((f) => schedulerSteps({ policy: 'SCHED_OTHER', flags: [f] })[0]!.args[1])).toEqual([1, 2, 4, 8, 16, 32, 64]);
    expect(schedulerSteps({ policy: 'SCHED_OTHER', flags })[0]!.args[1]).toBe(0x7f);
  });
  it('refuses an unknown policy or flag, naming the field', () => {
    expect(() => schedulerSteps({ policy: 'SCHED_FAST' })).toThrow(/^process\.scheduler\.policy: "SCHED_FAST" is not one of SCHED_OTHER, /);
    expect(() => schedulerSteps({ policy: 'SCHED_OTHER', flags: ['SCHED_FLAG_RECLAIM', 'SCHED_FLAG_X'] })).toThrow(/^process\.scheduler\.flags\[1\]: "SCHED_FLAG_X" is not one of /);
  });
});

describe('ioPriority', () => {
  it('none, no step', () => {
    expect(ioPrioritySteps(undefined)).toEqual([]);
  });
  it('class numbers are ioprio_set(2)\'s, the level as given', () => {
    expect(ioPrioritySteps({ class: 'IOPRIO_CLASS_RT', priority: 0 })).toEqual([{ op: 'IOPRIO_SET', args: [1, 0], label: 'process.ioPriority (IOPRIO_CLASS_RT 0)' }]);
    expect(ioPrioritySteps({ class: 'IOPRIO_CLASS_BE', priority: 7 })[0]!.args).toEqual([2, 7]);
    expect(ioPrioritySteps({ class: 'IOPRIO_CLASS_IDLE', priority: 3 })[0]!.args).toEqual([3, 3]);
  });
  it('refuses an unknown class and a level outside 0..7', () => {
    expect(() => ioPrioritySteps({ class: 'IOPRIO_CLASS_NONE', priority: 0 })).toThrow(/^process\.ioPriority\.class: "IOPRIO_CLASS_NONE" is not one of IOPRIO_CLASS_RT, IOPRIO_CLASS_BE, IOPRIO_CLASS_IDLE/);
    expect(() => ioPrioritySteps({ class: 'IOPRIO_CLASS_BE', priority: 8 })).toThrow('process.ioPriority.priority: must be an integer from 0 to 7');
    expect(() => ioPrioritySteps({ class: 'IOPRIO_CLASS_BE', priority: -1 })).toThrow('process.ioPriority.priority: must be an integer from 0 to 7');
    expect(() => ioPrioritySteps({ class: 'IOPRIO_CLASS_BE', priority: 1.5 })).toThrow('process.ioPriority.priority: must be an integer from 0 to 7');
  });
});
