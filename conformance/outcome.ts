// What a test threw, as an outcome: Failure → fail with its expected/actual, Skip → skip,
// Unsupported → unsupported, the runner's timeout → fail, anything else → fail with its message
// (a test that crashed proves nothing, so it does not pass). The driver's log is the evidence.
import { Failure, Skip, Unsupported, type CommandRecord, type Outcome } from './harness/types.ts';

export class TestTimeout extends Error {
  constructor(readonly ms: number) {
    super(`the test was still running after ${ms} ms`);
  }
}

export function outcomeOf(e: unknown, log: CommandRecord[]): Outcome {
  const commands = [...log];
  if (e instanceof Failure) return { status: 'fail', expected: e.expected, actual: e.actual, commands, ...(e.probe === undefined ? {} : { probe: e.probe }) };
  if (e instanceof Skip) return { status: 'skip', reason: e.message };
  if (e instanceof Unsupported) return { status: 'unsupported', reason: e.message, commands };
  if (e instanceof TestTimeout) return { status: 'fail', expected: `the test to finish within ${e.ms} ms`, actual: e.message, commands };
  const message = e instanceof Error ? `${e.name}: ${e.message}` : `thrown: ${String(e)}`;
  return { status: 'fail', expected: 'the test to run to its end', actual: message, commands };
}
