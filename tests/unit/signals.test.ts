import { describe, expect, it } from 'vitest';
import { OciError } from '../../src/errors.ts';
import { parseSignal, signalName, SIGRTMAX, SIGRTMIN } from '../../src/cli/signals.ts';

describe('parseSignal', () => {
  it.each([
    ['SIGTERM', 15],
    ['TERM', 15],
    ['term', 15],
    ['sigKill', 9],
    ['KILL', 9],
    ['HUP', 1],
    ['SIGSYS', 31],
    ['SIGCHLD', 17],
    ['SIGSTKFLT', 16],
    ['WINCH', 28],
    ['IOT', 6],
    ['CLD', 17],
    ['POLL', 29],
  ])('takes the name %s', (text, n) => {
    expect(parseSignal(text)).toBe(n);
  });

  it.each([
    ['1', 1],
    ['9', 9],
    ['09', 9],
    ['15', 15],
    ['32', 32],
    ['64', 64],
  ])('takes the number %s', (text, n) => {
    expect(parseSignal(text)).toBe(n);
  });

  it.each([
    ['SIGRTMIN', 34],
    ['RTMIN', 34],
    ['sigrtmin+0', 34],
    ['SIGRTMIN+3', 37],
    ['RTMIN+30', 64],
    ['SIGRTMAX', 64],
    ['SIGRTMAX-1', 63],
    ['rtmax-30', 34],
  ])('takes the real-time form %s', (text, n) => {
    expect(parseSignal(text)).toBe(n);
  });

  it.each(['SIGFOO', 'FOO', '', 'SIG', '0', '65', '100', '-9', '+9', ' 9', '9 ', '1.5', '0x9', 'SIG9', 'SIGRTMIN+31', 'SIGRTMAX-31', 'SIGRTMIN-1', 'SIGRTMAX+1', 'SIGRTMIN+', 'SIG TERM', 'SIGTERM\n'])(
    'rejects %j as a usage error naming the text',
    (text) => {
      let caught: unknown;
      try {
        parseSignal(text);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(OciError);
      expect((caught as OciError).code).toBe('usage');
      expect((caught as OciError).message).toBe(`unknown signal ${JSON.stringify(text)}`);
    },
  );
});

describe('signalName', () => {
  it.each([
    [1, 'SIGHUP'],
    [6, 'SIGABRT'],
    [9, 'SIGKILL'],
    [15, 'SIGTERM'],
    [17, 'SIGCHLD'],
    [29, 'SIGIO'],
    [31, 'SIGSYS'],
    [32, 'SIG32'],
    [33, 'SIG33'],
    [34, 'SIGRTMIN'],
    [35, 'SIGRTMIN+1'],
    [49, 'SIGRTMIN+15'],
    [50, 'SIGRTMAX-14'],
    [63, 'SIGRTMAX-1'],
    [64, 'SIGRTMAX'],
  ])('names %i %s', (n, name) => {
    expect(signalName(n)).toBe(name);
  });

  it('round-trips through parseSignal for every signal', () => {
    for (let n = 1; n <= SIGRTMAX; n++) expect(parseSignal(signalName(n))).toBe(n);
  });

  it('uses glibc real-time numbering', () => {
    expect([SIGRTMIN, SIGRTMAX]).toEqual([34, 64]);
  });

  it.each([0, 65, -1, 1.5, Number.NaN])('refuses %d', (n) => {
    expect(() => signalName(n)).toThrow(OciError);
  });
});
