// A one-line progress indicator on stderr while the suite runs, only on a terminal: a log file or
// a CI console gets no carriage-return noise.
import type { TestResult } from '../harness/types.ts';
import { displayName } from './common.ts';

export function progress(stream: NodeJS.WriteStream): { onResult: (r: TestResult, done: number, total: number) => void; end: () => void } {
  if (!stream.isTTY) return { onResult: () => {}, end: () => {} };
  const seen = { pass: 0, fail: 0, unsupported: 0, skip: 0 };
  const width = () => (stream.columns ?? 80) - 1;
  return {
    onResult: (r, done, total) => {
      seen[r.outcome.status]++;
      const line = `[${done}/${total}] ${seen.pass} pass, ${seen.fail} fail, ${seen.unsupported} unsupported, ${seen.skip} skip  ${displayName(r)}`;
      stream.write(`\r\x1b[K${line.slice(0, width())}`);
    },
    end: () => stream.write('\r\x1b[K'),
  };
}
