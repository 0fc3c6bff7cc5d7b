// Plain writes to fds 1 and 2. Bun sets up its Node-style stdout stream lazily, and that costs
// about 12 ms: more than everything else `ocirt state` does (docs/performance.md).
import { writeSync } from 'node:fs';

function writeAll(fd: number, text: string): void {
  let buf = Buffer.from(text);
  while (buf.length > 0) {
    try {
      buf = buf.subarray(writeSync(fd, buf));
    } catch (err) {
      // A non-blocking pipe that is full: wait for the reader, without a busy loop's cost mattering here.
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}

export const printOut = (text: string) => writeAll(1, text.endsWith('\n') ? text : text + '\n');
export const printErr = (text: string) => writeAll(2, text.endsWith('\n') ? text : text + '\n');
