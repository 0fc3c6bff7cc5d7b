// oci-conformance's command line: runtimes from --runtime (repeatable) and --runtimes, in the
// order given, with unique short names; duplicates and non-executables refused; the formats.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCli, uniqueNames, UsageError } from '../../conformance/cli-args.ts';

const DIR = mkdtempSync(join(tmpdir(), 'oci-conformance-cli-args-'));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

/** An executable file at DIR/sub/name. */
function exe(sub: string, name: string): string {
  mkdirSync(join(DIR, sub), { recursive: true });
  const path = join(DIR, sub, name);
  writeFileSync(path, '#!/bin/sh\n');
  chmodSync(path, 0o755);
  return path;
}

const RUNC = exe('a', 'runc');
const CRUN = exe('a', 'crun');
const OCIRT = exe('b', 'ocirt');
const OTHER_RUNC = exe('b', 'runc');

const usageError = (argv: string[]) => {
  try {
    parseCli(argv);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error(`parseCli(${argv.join(' ')}) did not throw`);
};

describe('oci-conformance runtimes', () => {
  it('takes one --runtime, named by its base name', () => {
    expect(parseCli(['--runtime', RUNC]).runtimes).toEqual([{ name: 'runc', path: RUNC }]);
  });

  it('takes --runtime more than once and --runtimes, in the order given', () => {
    const o = parseCli(['--runtime', OCIRT, '--runtimes', `${RUNC},${CRUN}`, '--filter', 'state']);
    expect(o.runtimes).toEqual([
      { name: 'ocirt', path: OCIRT },
      { name: 'runc', path: RUNC },
      { name: 'crun', path: CRUN },
    ]);
    expect(parseCli(['--runtimes', `${CRUN},`, '--runtime', RUNC]).runtimes.map((r) => r.name)).toEqual(['crun', 'runc']);
  });

  it('makes clashing base names unique', () => {
    expect(parseCli(['--runtime', RUNC, '--runtime', OTHER_RUNC]).runtimes).toEqual([
      { name: 'runc', path: RUNC },
      { name: 'runc-2', path: OTHER_RUNC },
    ]);
    expect(uniqueNames(['/a/runc', '/b/runc-2', '/c/runc', '/d/runc']).map((r) => r.name)).toEqual(['runc', 'runc-2', 'runc-3', 'runc-4']);
  });

  it('makes paths absolute', () => {
    expect(parseCli(['--runtime', relative(process.cwd(), RUNC), '--runtime', join(DIR, 'b', '.', 'ocirt')]).runtimes.map((r) => r.path)).toEqual([RUNC, OCIRT]);
  });

  it('refuses a runtime given twice, naming it', () => {
    expect(usageError(['--runtime', RUNC, '--runtime', CRUN, '--runtime', RUNC])).toBe(`--runtime: ${RUNC} is given more than once`);
    expect(usageError(['--runtime', RUNC, '--runtimes', `${CRUN},${join(DIR, 'a', '..', 'a', 'runc')}`])).toContain('is given more than once');
  });

  it('refuses no runtime, and a path that is not an executable file', () => {
    expect(usageError([])).toBe('--runtime PATH is required (or --coverage)');
    expect(usageError(['--runtimes', ''])).toBe('--runtime PATH is required (or --coverage)');
    expect(usageError(['--runtime', RUNC, '--runtime', DIR])).toBe(`--runtime: ${DIR} is not an executable file`);
    expect(usageError(['--runtimes', `${RUNC},${join(DIR, 'nope')}`])).toBe(`--runtime: ${join(DIR, 'nope')} is not an executable file`);
  });

  it('needs no runtime for --help or --coverage', () => {
    expect(parseCli(['--coverage']).runtimes).toEqual([]);
    expect(parseCli(['--help']).runtimes).toEqual([]);
  });
});

describe('oci-conformance formats', () => {
  it('defaults to summary and takes tap, json, junit and html', () => {
    expect(parseCli(['--runtime', RUNC]).format).toBe('summary');
    for (const f of ['summary', 'tap', 'json', 'junit', 'html']) expect(parseCli(['--runtime', RUNC, '--format', f]).format).toBe(f);
  });

  it('refuses any other, listing them', () => {
    expect(usageError(['--runtime', RUNC, '--format', 'xml'])).toBe('--format: "xml" is not summary, tap, json, junit or html');
  });
});
