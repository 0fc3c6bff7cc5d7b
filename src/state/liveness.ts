// Liveness is a pid plus the process's start time from /proc/<pid>/stat, so that a reused pid is
// not mistaken for the container (DESIGN.md "State").

import { readFileSync } from 'node:fs';

export interface ProcStat {
  /** Field 3: R, S, D, T, t, Z, X, I, … */
  state: string;
  /** Field 4. */
  ppid: number;
  /** Field 22: clock ticks since boot, kept as a string (it is only ever compared). */
  startTime: string;
}

/**
 * Parses the text of /proc/<pid>/stat. `comm` (field 2) may hold spaces and parentheses, so the
 * fields after it are counted from the last ')'.
 */
export function parseStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = text.slice(close + 1).trim().split(/\s+/); // fields[0] is field 3
  const state = fields[0];
  const ppid = fields[1];
  const startTime = fields[22 - 3];
  if (state === undefined || ppid === undefined || startTime === undefined) return undefined;
  return { state, ppid: Number(ppid), startTime };
}

export function readStat(pid: number): ProcStat | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // gone (ENOENT / ESRCH)
  }
  return parseStat(text);
}

/** The start time of `pid`, or undefined when there is no such process. */
export function startTime(pid: number): string | undefined {
  return readStat(pid)?.startTime;
}

/** The state letter of `pid`, or undefined when there is no such process. */
export function processState(pid: number): string | undefined {
  return readStat(pid)?.state;
}

/**
 * True while `pid` exists, is not a zombie (Z) or dead (X), and — when `expectedStartTime` is
 * given — started at that time (otherwise the pid was reused by another process).
 */
export function isAlive(pid: number, expectedStartTime: string | undefined): boolean {
  const stat = readStat(pid);
  if (stat === undefined) return false;
  if (stat.state === 'Z' || stat.state === 'X') return false;
  return expectedStartTime === undefined || stat.startTime === expectedStartTime;
}
