// --log and --log-format (ENGINES.md "Global flags"): errors always go to stderr as one plain line;
// the log file gets the error line (JSON: {"level","msg","time"}) and, with --debug, the cause chain.
import { appendFileSync } from 'node:fs';
import { causeChain, messageOf } from '../errors.ts';
import { printErr } from './output.ts';

export interface LogOptions {
  log?: string;
  logFormat: 'text' | 'json';
  debug: boolean;
}

function logLine(o: LogOptions, level: string, msg: string): string {
  const time = new Date().toISOString();
  return o.logFormat === 'json' ? JSON.stringify({ level, msg, time }) + '\n' : `${time} ${level} ${msg}\n`;
}

export function reportError(o: LogOptions, err: unknown): void {
  const chain = causeChain(err);
  printErr(`ocirt: ${messageOf(err)}`);
  if (o.debug) for (const line of chain.slice(1)) printErr(`  caused by ${line}`);
  if (!o.log) return;
  try {
    const lines = o.debug ? chain.slice(1).map((c) => logLine(o, 'debug', `caused by ${c}`)) : [];
    appendFileSync(o.log, lines.join('') + logLine(o, 'error', messageOf(err)));
  } catch {
    /* the log is best effort; the error is on stderr already */
  }
}
