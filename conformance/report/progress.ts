// A one-line progress indicator on stderr while the suite runs, only on a terminal: a log file or
// a CI console gets no carriage-return noise. One per runtime, its name first when there are several.
import type { TestResult } from '../harness/types.ts';
import { displayName } from './common.ts';

export interface Progress {
  onResult: (r: TestResult, done: number, total: number) => void;
  end: () => void;
}

export function progress(stream: NodeJS.WriteStream, label = ''): Progress {
  if (!stream.isTTY) return { onResult: () => {}, end: () => {} };
  const seen = { pass: 0, fail: 0, unsupported: 0, skip: 0 };
  const width = () => (stream.columns ?? 80) - 1;
  const prefix = label === '' ? '' : `${label} `;
  return {
    onResult: (r, done, total) => {
      seen[r.outcome.status]++;
      // The labels, shortened: the line must leave room for the test's name.
      const line = `${prefix}[${done}/${total}] ${seen.pass} pass, ${seen.fail} fail, unsupported: ${seen.unsupported} by runtime, ${seen.skip} by host  ${displayName(r)}`;
      stream.write(`\r\x1b[K${line.slice(0, width())}`);
    },
    end: () => stream.write('\r\x1b[K'),
  };
}
