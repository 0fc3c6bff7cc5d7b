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
// crun 1.8.1 refuses ociVersion 1.3.0 ("unknown version specified"): its v1 bundles say 1.0.2.
const RUNTIMES: Array<[string, string, string[]]> = [
  ['runc', '/usr/sbin/runc', []],
  ['crun', '/usr/bin/crun', ['--v1-oci-version', '1.0.2']],
  ['ocirt', join(PROJECT, 'bin/ocirt'), []],
];

function resultsOf(name: string, path: string, extra: string[]): RuntimeResults {
  const out = join(mkdtempSync(join(tmpdir(), 'oci-conformance-')), `${name}.json`);
  const r = spawnSync(join(PROJECT, 'bin/oci-conformance'), ['--runtime', path, ...extra, '--format', 'json', '--output', out], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0 && r.status !== 1) throw new Error(`oci-conformance --runtime ${path}: exit ${r.status}`);
  return { name, results: (JSON.parse(readFileSync(out, 'utf8')) as { results: TestResult[] }).results };
}

const runtimes = RUNTIMES.map(([name, path, extra]) => resultsOf(name, path, extra));
writeFileSync(join(PROJECT, 'docs/conformance.md'), conformanceMatrix(loadCatalogue(), runtimes, 'bun scripts/conformance-results.ts'));
console.log('wrote docs/conformance.md');
