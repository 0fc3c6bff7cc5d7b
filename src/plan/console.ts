// config.md "Process" terminal: where the pty master goes, as runc decides it
// (utils_linux.go): a detached container (create, run -d) hands it to the caller's
// --console-socket; `run` in the foreground keeps it and relays it (native/executor/relay.c).
// The pty is opened by the init after pivot_root, on the container's /dev/ptmx, and its slave
// is bound onto /dev/console (config-linux.md "Default Devices").
import { specError, usageError } from '../errors.ts';
import type { Process } from '../spec/config.ts';
import type { Slots } from './slots.ts';
import type { Step } from './wire.ts';

/** socket: the caller's --console-socket (absolute); relay: this ocirt relays the terminal itself. */
export type Console = { socket: string } | 'relay';

export interface ConsoleRequest {
  command: string; // for messages: create, run, exec
  consoleSocket?: string; // absolute
  detach: boolean;
}

/** The console a process asks for, or undefined without a terminal; contradictions are errors. */
export function consoleFor(p: Process | undefined, r: ConsoleRequest): Console | undefined {
  const terminal = p?.terminal === true;
  if (!terminal) {
    if (r.consoleSocket) throw usageError(`${r.command}: --console-socket: process.terminal is not true, so there is no terminal to send`);
    return undefined;
  }
  if (r.consoleSocket) return { socket: r.consoleSocket };
  if (r.detach) throw specError(`process.terminal: ${r.command} detaches, so it needs --console-socket to hand the terminal to`);
  return 'relay';
}

export interface ConsoleSteps {
  host: Step[]; // stage 0
  pty: Step[]; // in the container, after pivot_root
}

/** process.consoleSize as [rows, cols]; 0 leaves the kernel's default. */
function size(p: Process): [number, number] {
  const s = p.consoleSize as { height?: number; width?: number } | undefined;
  return [s?.height ?? 0, s?.width ?? 0];
}

/** `bindConsole`: an init's pty is also /dev/console; an exec'd process's is not (runc's mountConsole). */
export function consoleSteps(c: Console | undefined, p: Process | undefined, slots: Slots, bindConsole: boolean): ConsoleSteps {
  if (c === undefined || p === undefined) return { host: [], pty: [] };
  const slot = slots.take('process.terminal');
  const host: Step = c === 'relay' ? { op: 'CONSOLE_PAIR', args: [slot], label: 'process.terminal' } : { op: 'CONSOLE_CONNECT', args: [slot, c.socket], label: `--console-socket (${c.socket})` };
  const [rows, cols] = size(p);
  return { host: [host], pty: [{ op: 'PTY_OPEN', args: [slot, rows, cols, bindConsole ? 1 : 0], label: 'process.terminal' }] };
}
