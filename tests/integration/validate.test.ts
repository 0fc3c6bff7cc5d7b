// `ocirt validate` and `ocirt spec` through the compiled CLI, and create/run refusing an invalid
// bundle with validate's findings before making anything (runtime.md "Errors": "as if the operation
// were never attempted").
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fieldOf, type Finding } from '../../src/spec/findings.ts';
import { eachTestSandbox, hostMountPoints, isRoot, lines, madeFor, NEEDS_ROOT, PROJECT, Sandbox } from './harness.ts';

const CORPUS = join(PROJECT, 'tests/fixtures/invalid-bundles');
const corpus = (suffix: string) => join(CORPUS, readdirSync(CORPUS).find((b) => b.slice(4) === suffix)!);

interface Report {
  valid: boolean;
  edition: string | null;
  findings: Finding[];
}

function validateJson(s: Sandbox, dir: string): Report {
  const r = s.ocirt(['validate', '--format', 'json', dir]);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as Report;
}

/** A busybox rootfs with sh, for the configs `ocirt spec` writes (args ["sh"]). */
function busyboxRootfs(bundle: string): void {
  const bin = join(bundle, 'rootfs/bin');
  mkdirSync(bin, { recursive: true });
  copyFileSync('/bin/busybox', join(bin, 'busybox'));
  chmodSync(join(bin, 'busybox'), 0o755);
  symlinkSync('busybox', join(bin, 'sh'));
}

const EDITIONS = [
  ['v1', false],
  ['v1', true],
  ['draft', false],
  ['draft', true],
] as const;

describe('ocirt spec, then ocirt validate', () => {
  let s: Sandbox;
  eachTestSandbox((x) => (s = x));

  it.each(EDITIONS)('--edition %s (rootless %s): writes a config.json that validates clean', (edition, rootless) => {
    const dir = s.file('bundle');
    mkdirSync(join(dir, 'rootfs'), { recursive: true });
    const r = s.ocirt(['spec', '--bundle', dir, '--edition', edition, ...(rootless ? ['--rootless'] : [])]);
    expect(r.code, r.stderr).toBe(0);
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(config.ociVersion).toBe(edition === 'v1' ? '1.3.0' : '0.6.0-dev');
    if (edition === 'draft') expect(config).toMatchObject({ platform: { os: 'linux' }, root: { autoremove: false } });
    const types = config.linux.namespaces.map((n: { type: string }) => n.type);
    expect(types.includes('user')).toBe(rootless);
    expect(types.includes('network')).toBe(!rootless);
    expect(validateJson(s, dir)).toEqual({ valid: true, edition, findings: [] });
    const text = s.ocirt(['validate', dir]);
    expect(text.code).toBe(0);
    expect(lines(text.stdout)).toEqual([`${dir}: valid for ${edition === 'v1' ? 'v1.3.0' : 'the create/start draft'} (0 errors, 0 warnings)`]);
  });

  it('refuses to overwrite an existing config.json (exit 1), and leaves it as it was', () => {
    const dir = s.file('bundle');
    mkdirSync(dir);
    writeFileSync(join(dir, 'config.json'), '{"mine": true}');
    const r = s.ocirt(['spec', '--bundle', dir]);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual([`ocirt: ${join(dir, 'config.json')} already exists; remove it first (ocirt spec does not overwrite)`]);
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe('{"mine": true}');
  });

  it('writes into the current directory without --bundle; usage errors exit 2', () => {
    const dir = s.file('cwd');
    mkdirSync(dir);
    expect(s.ocirt(['spec'], { cwd: dir }).code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).ociVersion).toBe('1.3.0');
    expect(s.ocirt(['spec', '--edition', 'v2'], { cwd: dir }).code).toBe(2);
    expect(s.ocirt(['validate', '--bundle', dir, dir]).code).toBe(2);
  });

  it('validate: hooks, which ocirt now runs, are valid with no finding', () => {
    const dir = s.bundle('v1-basic', (c) => (c.hooks = { poststop: [{ path: '/bin/true' }] }));
    const r = s.ocirt(['validate', dir]);
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toEqual([`${dir}: valid for v1.3.0 (0 errors, 0 warnings)`]);
  });
});

describe.skipIf(!isRoot)(`spec then run, and create refusing an invalid bundle (${NEEDS_ROOT})`, () => {
  let s: Sandbox;
  eachTestSandbox((x) => (s = x));

  it.each(EDITIONS)('ocirt spec --edition %s (rootless %s), then ocirt run on a rootfs with sh, works and leaves nothing', (edition, rootless) => {
    const dir = s.file('bundle');
    busyboxRootfs(dir);
    chmodSync(s.dir, 0o755); // rootless maps the caller's ids only, but root may still need to traverse
    expect(s.ocirt(['spec', '--bundle', dir, '--edition', edition, ...(rootless ? ['--rootless'] : [])]).code).toBe(0);
    const id = s.id();
    const before = hostMountPoints();
    const r = s.ocirt(['run', '--bundle', dir, id]); // sh reads EOF from /dev/null and exits 0
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(madeFor(s, id, before)).toEqual([]);
  });

  const INVALID = ['namespace-type-unknown-v1', 'process-user-uid-negative-draft', 'root-path-missing-v1', 'mount-destination-missing-draft', 'not-json-truncated', 'ociversion-major-2'];

  it.each(INVALID)('create of %s prints validate\'s first error as one line, exits 1 and makes nothing', (name) => {
    const dir = corpus(name);
    const report = validateJson(s, dir);
    const first = report.findings.find((f) => f.severity === 'error')!;
    for (const command of ['create', 'run']) {
      const id = s.id();
      const before = hostMountPoints();
      const r = s.ocirt([command, '--bundle', dir, id]);
      expect(r.code).toBe(1);
      expect(lines(r.stderr)).toEqual([`ocirt: ${fieldOf(first.pointer)}: ${first.message}`]);
      expect(madeFor(s, id, before)).toEqual([]);
      expect(s.ocirt(['state', id]).stderr).toMatch(/does not exist/);
    }
  });

  it('create with --debug prints every finding, and the JSON log carries them all', () => {
    const dir = s.bundle('v1-basic', (c) => {
      c.linux!.namespaces!.push({ type: 'bogus' });
      c.process!.cwd = 7 as never;
    });
    const report = validateJson(s, dir);
    expect(report.findings.length).toBeGreaterThanOrEqual(2);
    const id = s.id();
    const log = s.file('log.json');
    const before = hostMountPoints();
    const r = s.ocirt(['--debug', '--log', log, '--log-format', 'json', 'create', '--bundle', dir, id]);
    expect(r.code).toBe(1);
    const out = lines(r.stderr);
    expect(out[0]).toMatch(/^ocirt: /);
    for (const f of report.findings) expect(out.some((l) => l.includes(`${f.severity}: ${f.pointer}: ${f.message}`)), f.message).toBe(true);
    const entry = JSON.parse(lines(readFileSync(log, 'utf8')).at(-1)!);
    expect(entry).toMatchObject({ level: 'error', msg: out[0]!.slice('ocirt: '.length), findings: report.findings });
    expect(madeFor(s, id, before)).toEqual([]);
  });
});
