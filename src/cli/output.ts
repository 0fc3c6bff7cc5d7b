// Plain writes to fds 1 and 2. Bun sets up its Node-style stdout stream lazily, and that costs
// about 12 ms: more than everything else `ocirt state` does (docs/performance.md).
// Messages (everything on stderr, and the line-a-message output of printLines) are escaped to one
// line each (escape.ts); printOut is for documents (JSON, usage) whose newlines are their own.
import { writeSync } from 'node:fs';
import { escapeControls } from './escape.ts';
import { sleepSync } from '../wait-sync.ts';

function writeAll(fd: number, text: string): void {
  let buf = Buffer.from(text);
  while (buf.length > 0) {
    try {
      buf = buf.subarray(writeSync(fd, buf));
    } catch (err) {
      // A non-blocking pipe that is full: wait for the reader, without a busy loop's cost mattering here.
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      sleepSync(1);
    }
  }
}

/** A document on stdout, as it is (a final newline added if missing). */
export const printOut = (text: string) => writeAll(1, text.endsWith('\n') ? text : text + '\n');

/** Messages on stdout, each escaped to one line (`ocirt validate`'s findings, `list`'s rows). */
export const printLines = (messages: string[]) => writeAll(1, messages.map((m) => escapeControls(m) + '\n').join(''));

/** One message on stderr, escaped to one line: a newline inside it is written as `\n`. */
export const printErr = (message: string) => writeAll(2, escapeControls(message) + '\n');
