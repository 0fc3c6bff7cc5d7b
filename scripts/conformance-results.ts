// Runs the suite against runc, crun and ocirt and writes docs/conformance.md.
// usage: bun scripts/conformance-results.ts   (as root, after npm run build)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadCatalogue } from '../conformance/catalogue/index.ts';
import type { TestResult } from '../conformance/harness/types.ts';
import { conformanceMatrix, type RuntimeResults } from '../conformance/results/matrix.ts';

const PROJECT = resolve(import.meta.dirname, '..');
const RUNTIMES: Array<[string, string]> = [['runc', '/usr/sbin/runc'], ['crun', '/usr/bin/crun'], ['ocirt', join(PROJECT, 'bin/ocirt')]];

function resultsOf(name: string, path: string): RuntimeResults {
  const out = join(mkdtempSync(join(tmpdir(), 'oci-conformance-')), `${name}.json`);
  const r = spawnSync(join(PROJECT, 'bin/oci-conformance'), ['--runtime', path, '--format', 'json', '--output', out], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0 && r.status !== 1) throw new Error(`oci-conformance --runtime ${path}: exit ${r.status}`);
  return { name, results: (JSON.parse(readFileSync(out, 'utf8')) as { results: TestResult[] }).results };
}

const runtimes = RUNTIMES.map(([name, path]) => resultsOf(name, path));
writeFileSync(join(PROJECT, 'docs/conformance.md'), conformanceMatrix(loadCatalogue(), runtimes, 'bun scripts/conformance-results.ts'));
console.log('wrote docs/conformance.md');
