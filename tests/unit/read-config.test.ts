// bundle.md "Container Format": config.json that cannot be read as a JSON object is one finding
// about the whole document, with a clear message: never an exception, never a hang.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_CONFIG_DEPTH, nestingDepth, readConfigFile } from '../../src/spec/read-config.ts';

const work = mkdtempSync(join(tmpdir(), 'ocirt-read-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let n = 0;

function bundleWith(content: string | Buffer | undefined): string {
  const dir = join(work, `b${++n}`);
  mkdirSync(dir);
  if (content !== undefined) writeFileSync(join(dir, 'config.json'), content);
  return dir;
}

function problemOf(dir: string): string {
  const r = readConfigFile(dir);
  if (r.ok) throw new Error('expected a finding');
  expect(r.finding).toMatchObject({ pointer: '', severity: 'error', reference: { file: 'v1.3.0/bundle.md', section: 'Container Format' } });
  return r.finding.message;
}

describe('reading config.json (bundle.md "Container Format")', () => {
  it('reads a JSON object', () => {
    expect(readConfigFile(bundleWith('{"ociVersion":"1.3.0"}'))).toEqual({ ok: true, config: { ociVersion: '1.3.0' } });
  });
  it.each([
    ['missing', undefined, /^cannot read \/.*\/config\.json: ENOENT$/],
    ['empty', '', /^the file is empty$/],
    ['only white space', ' \n\t', /^the file is empty$/],
    ['not JSON', '{"ociVersion": ', /^not valid JSON: /],
    ['not UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), /^not UTF-8 text/],
    ['an array', '[1, 2]', /^must be a JSON object, not an array$/],
    ['a string', '"config"', /^must be a JSON object, not a string$/],
    ['null', 'null', /^must be a JSON object, not null$/],
    ['nested 10,000 levels deep', '{"a":' + '['.repeat(10_000) + ']'.repeat(10_000) + '}', /more than 128 levels deep/],
    ['an array nested 10,000 levels deep', '['.repeat(10_000) + ']'.repeat(10_000), /more than 128 levels deep/],
  ])('%s: one finding', (_what, content, message) => {
    expect(problemOf(bundleWith(content))).toMatch(message);
  });
  it('a directory named config.json, and a FIFO (which would block a read), are not regular files', () => {
    const dir = bundleWith(undefined);
    mkdirSync(join(dir, 'config.json'));
    expect(problemOf(dir)).toMatch(/is not a regular file$/);
    const fifo = bundleWith(undefined);
    execFileSync('mkfifo', [join(fifo, 'config.json')]);
    expect(problemOf(fifo)).toMatch(/is not a regular file$/);
  });
  it('a config.json of 100 MB is refused by its size, without reading it', () => {
    const dir = bundleWith('{}');
    truncateSync(join(dir, 'config.json'), 100 * 1024 * 1024); // sparse: no 100 MB on disk
    expect(problemOf(dir)).toBe('the file is 100.0 MiB, more than the 16.0 MiB ocirt reads');
  });
  it('counts nesting outside strings only', () => {
    expect(nestingDepth('{"a": "[[[[{{{{", "b": [[1]]}')).toBe(3);
    expect(nestingDepth('{"a\\"[[[": 1}')).toBe(1);
    expect(nestingDepth('['.repeat(MAX_CONFIG_DEPTH) + ']'.repeat(MAX_CONFIG_DEPTH))).toBe(MAX_CONFIG_DEPTH);
  });
});
