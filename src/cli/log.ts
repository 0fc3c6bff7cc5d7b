// --log and --log-format (ENGINES.md "Global flags"): errors always go to stderr as one plain line;
// the log file gets the error line (JSON: {"level","msg","time"}) and, with --debug, the cause chain.
// An invalid config's error carries every finding: --debug prints them all on stderr, and the log
// has them too (JSON: a "findings" array on the error entry; text: one line each).
// Every message is escaped to one line (escape.ts) on stderr and in the text log. The JSON log's
// "msg" is that same escaped line, so it is the stderr line without "ocirt: " for an engine that
// prints it; its "findings" stay the exact data (pointer, message) as `validate --format json` gives.
import { appendFileSync } from 'node:fs';
import { causeChain, messageOf } from '../errors.ts';
import type { Finding } from '../spec/findings.ts';
import { findingLine, findingsOf } from '../spec/report.ts';
import { escapeControls } from './escape.ts';
import { printErr } from './output.ts';

export interface LogOptions {
  log?: string;
  logFormat: 'text' | 'json';
  debug: boolean;
}

function logLine(o: LogOptions, level: string, message: string, findings?: Finding[]): string {
  const time = new Date().toISOString();
  const msg = escapeControls(message);
  if (o.logFormat === 'json') return JSON.stringify({ level, msg, time, ...(findings ? { findings } : {}) }) + '\n';
  return `${time} ${level} ${msg}\n` + (findings ?? []).map((f) => `${time} ${level}   ${escapeControls(findingLine(f))}\n`).join('');
}

export function reportError(o: LogOptions, err: unknown): void {
  const chain = causeChain(err);
  const findings = findingsOf(err);
  printErr(`ocirt: ${messageOf(err)}`);
  if (o.debug) for (const f of findings ?? []) printErr(`  ${findingLine(f)}`);
  if (o.debug) for (const line of chain.slice(1)) printErr(`  caused by ${line}`);
  if (!o.log) return;
  try {
    const lines = o.debug ? chain.slice(1).map((c) => logLine(o, 'debug', `caused by ${c}`)) : [];
    appendFileSync(o.log, lines.join('') + logLine(o, 'error', messageOf(err), findings));
  } catch {
    /* the log is best effort; the error is on stderr already */
  }
}

/** runtime.md "Warnings": to the log when there is one (as runc does: engines read stderr as errors), else stderr. */
export function reportWarning(o: LogOptions, message: string): void {
  report(o, 'warning', message);
}

/** Only with --debug, where a warning would go: conmon records a runtime's stderr as the container's. */
export function reportDebug(o: LogOptions, message: string): void {
  if (o.debug) report(o, 'debug', message);
}

function report(o: LogOptions, level: 'warning' | 'debug', message: string): void {
  if (!o.log) return printErr(`ocirt: ${level}: ${message}`);
  try {
    appendFileSync(o.log, logLine(o, level, message));
  } catch {
    /* best effort, as for errors */
  }
}
