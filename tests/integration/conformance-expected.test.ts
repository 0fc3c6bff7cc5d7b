// The suite against runc, crun and ocirt, held to conformance/expected/<runtime>.json: every
// result not listed there passes, every listed one has the listed outcome. So a change to the suite
// that reports something new about runc (or a regression in ocirt) fails here.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TestResult } from '../../conformance/harness/types.ts';
import { isRoot, NEEDS_ROOT, PROJECT } from './harness.ts';

interface Expected {
  expected: Array<{ edition: string; title: string; status: string; why: string }>;
}

const RUNC = '/usr/sbin/runc';
/** crun runs in a mount namespace of its own on a hybrid host (conformance/harness/runtime.ts); crun.json is for that. */
const CRUN = '/usr/bin/crun';
const notInstalled = (path: string, name: string) => (existsSync(path) ? '' : ` — skipped: ${name} is not installed (${path})`);
const key = (edition: string, title: string) => `[${edition}] ${title}`;

function runSuite(runtime: string): TestResult[] {
  const dir = mkdtempSync(join(tmpdir(), 'oci-conformance-expected-'));
  try {
    const out = join(dir, 'report.json');
    const r = spawnSync(join(PROJECT, 'bin/oci-conformance'), ['--runtime', runtime, '--format', 'json', '--output', out], { stdio: 'ignore', timeout: 240_000 });
    expect([0, 1]).toContain(r.status);
    return (JSON.parse(readFileSync(out, 'utf8')) as { results: TestResult[] }).results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function compare(runtime: string, expectedFile: string): void {
  const expected = JSON.parse(readFileSync(join(PROJECT, 'conformance/expected', expectedFile), 'utf8')) as Expected;
  const want = new Map(expected.expected.map((e) => [key(e.edition, e.title), e.status]));
  const results = runSuite(runtime);
  const got = new Map(results.map((r) => [key(r.edition, r.test.title), r.outcome.status]));
  const differences = [...got].filter(([k, status]) => status !== (want.get(k) ?? 'pass')).map(([k, status]) => `${k}: ${status}, expected ${want.get(k) ?? 'pass'}`);
  const stale = [...want.keys()].filter((k) => !got.has(k)).map((k) => `${k}: listed but no such result`);
  expect([...differences, ...stale]).toEqual([]);
  expect(expected.expected.every((e) => e.why.length > 0)).toBe(true);
}

describe.skipIf(!isRoot)(`oci-conformance against known runtimes (${NEEDS_ROOT})`, () => {
  it.skipIf(!existsSync(RUNC))(`runc's results are the expected ones (conformance/expected/runc.json)${notInstalled(RUNC, 'runc')}`, () => {
    compare(RUNC, 'runc.json');
  }, 300_000);
  it.skipIf(!existsSync(CRUN))(`crun's results are the expected ones (conformance/expected/crun.json)${notInstalled(CRUN, 'crun')}`, () => {
    compare(CRUN, 'crun.json');
  }, 300_000);
  it("ocirt's results are the expected ones (conformance/expected/ocirt.json)", () => {
    compare(join(PROJECT, 'bin/ocirt'), 'ocirt.json');
  }, 300_000);
});
