// Runs the suite once against runc, crun and ocirt and writes, from that one run, docs/conformance.md
// (the MUST × runtime matrix) and docs/conformance-report.html (the same results, browsable).
// usage: bun scripts/conformance-results.ts   (as root, after npm run build)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadCatalogue } from '../conformance/catalogue/index.ts';
import { formatHtml } from '../conformance/report/html.ts';
import type { JsonReport } from '../conformance/report/json.ts';
import { catalogueReference } from '../conformance/report/reference.ts';
import type { RunsReport } from '../conformance/report/runs.ts';
import { conformanceMatrix } from '../conformance/results/matrix.ts';

const PROJECT = resolve(import.meta.dirname, '..');
// No --v1-oci-version: the suite finds the ociVersion each runtime accepts (crun 1.8.1: 1.0.2).
const RUNTIMES = ['/usr/sbin/runc', '/usr/bin/crun', join(PROJECT, 'bin/ocirt')];

function runAll(): RunsReport {
  const dir = mkdtempSync(join(tmpdir(), 'oci-conformance-'));
  const out = join(dir, 'report.json');
  const args = [...RUNTIMES.flatMap((r) => ['--runtime', r]), '--format', 'json', '--output', out];
  const r = spawnSync(join(PROJECT, 'bin/oci-conformance'), args, { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0 && r.status !== 1) throw new Error(`oci-conformance ${args.join(' ')}: exit ${r.status}`);
  const json = JSON.parse(readFileSync(out, 'utf8')) as JsonReport;
  rmSync(dir, { recursive: true, force: true });
  return { runs: json.runs, catalogue: loadCatalogue(), referenceOf: catalogueReference, started: json.started, host: json.host };
}

const report = runAll();
writeFileSync(join(PROJECT, 'docs/conformance.md'), conformanceMatrix(report, 'bun scripts/conformance-results.ts'));
writeFileSync(join(PROJECT, 'docs/conformance-report.html'), formatHtml(report, { specDir: '../spec/' })); // docs/ is beside spec/: draft rows link to the vendored text
console.log('wrote docs/conformance.md and docs/conformance-report.html');
