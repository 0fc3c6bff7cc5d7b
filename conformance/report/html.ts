// The HTML report (--format html): one self-contained page with the MUST × runtime matrix, filters
// by spec file, edition, outcome and runtime, and each failure's evidence in a dialog. It loads
// nothing (a Content-Security-Policy forbids it): the style and script are inline, every string
// from a result is escaped, and each entry's sentence is shown verbatim beside its link.
import type { CatalogueEntry } from '../catalogue/index.ts';
import type { CommandRecord, TestResult } from '../harness/types.ts';
import { statusFor } from '../results/matrix.ts';
import { LABEL, commandLine, countsLine, displayName, exitOf, referencesOf } from './common.ts';
import { SCRIPT } from './html-script.ts';
import { STYLE } from './html-style.ts';
import { anchor } from './reference.ts';
import type { RunsReport, RuntimeRun } from './runs.ts';

export interface HtmlOptions {
  /** Where spec/ is from the page ("../spec/" for docs/), to link draft entries, which no upstream tag holds. */
  specDir?: string;
}

/** A cell's outcome: a result status, or no test naming the entry, or an entry no test can check. */
export type CellOutcome = 'pass' | 'fail' | 'unsupported' | 'skip' | 'untested' | 'untestable';

/** The outcome filter's labels, in its order: the statuses' (common.ts), then the two no result gives. */
const OUTCOME_LABEL: Record<CellOutcome, string> = { ...LABEL, untested: 'not tested', untestable: 'untestable' };
const CELL_TEXT: Record<CellOutcome, string> = { pass: 'pass', fail: 'FAIL', unsupported: 'unsupported', skip: 'skipped', untested: '–', untestable: 'untestable' };

const SPEC_TAG = 'v1.3.0';
const UPSTREAM = `https://github.com/opencontainers/runtime-spec/blob/${SPEC_TAG}/`;
const CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'";

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** By docs/conformance.md's rule (matrix.ts), so that both reports sum an entry's results alike. */
const outcomeOf = (e: CatalogueEntry, results: TestResult[]): CellOutcome => statusFor(e.id, results) ?? (e.testable ? 'untested' : 'untestable');

export function formatHtml(r: RunsReport, o: HtmlOptions = {}): string {
  const dialogs: string[] = [];
  const rows = r.catalogue.map((e, i) => entryRow(e, i, r, o, dialogs));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>OCI conformance report</title>
<style>${STYLE}</style>
</head>
<body>
${header(r)}
${filters(r)}
<table id="matrix">
<thead><tr><th>entry</th><th>sentence</th>${r.runs.map((run) => `<th data-runtime="${escapeHtml(run.name)}">${escapeHtml(run.name)}</th>`).join('')}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
${outsideCatalogue(r, dialogs)}
${dialogs.join('\n')}
<script>${SCRIPT}</script>
</body>
</html>
`;
}

function header(r: RunsReport): string {
  const outcomes = Object.keys(OUTCOME_LABEL) as CellOutcome[];
  const runRow = (run: RuntimeRun) => {
    const cells = r.catalogue.map((e) => outcomeOf(e, run.results));
    const entryTotals = outcomes.map((k) => `${cells.filter((c) => c === k).length} ${OUTCOME_LABEL[k]}`).join(', ');
    return `<tr data-run="${escapeHtml(run.name)}"><th>${escapeHtml(run.name)}</th><td>${escapeHtml(run.runtime)}</td><td>${escapeHtml(run.version)}</td><td>${run.notes.map(escapeHtml).join('<br>')}</td><td class="totals">entries: ${entryTotals}<br>results: ${escapeHtml(countsLine(run.results))}</td></tr>`;
  };
  return `<header>
<h1>OCI conformance report</h1>
<p>Started <time>${escapeHtml(r.started)}</time> on <span id="host">${escapeHtml(r.host)}</span>. One row per MUST sentence of the catalogue, one column per runtime: FAIL when any test naming the entry failed, pass when one passed.</p>
<table id="runs"><thead><tr><th>runtime</th><th>binary</th><th>version</th><th>notes</th><th>totals</th></tr></thead>
<tbody>${r.runs.map(runRow).join('\n')}</tbody></table>
</header>`;
}

function filters(r: RunsReport): string {
  const option = (value: string, label: string) => `<option value="${escapeHtml(value)}">${escapeHtml(label)}</option>`;
  const files = [...new Set(r.catalogue.map((e) => e.file))];
  const editions = [...new Set(r.catalogue.map((e) => e.edition))];
  return `<form id="filters">
<label>spec file <select id="filter-file">${option('', 'all')}${files.map((f) => option(f, f)).join('')}</select></label>
<label>edition <select id="filter-edition">${option('', 'all')}${editions.map((e) => option(e, e)).join('')}</select></label>
<label>outcome <select id="filter-outcome">${option('', 'any')}${Object.entries(OUTCOME_LABEL).map(([k, l]) => option(k, l)).join('')}</select></label>
<fieldset id="filter-runtime" aria-label="runtimes">${r.runs.map((run) => `<label><input type="checkbox" data-runtime="${escapeHtml(run.name)}" checked> ${escapeHtml(run.name)}</label>`).join('')}</fieldset>
<output id="visible-count">${r.catalogue.length} of ${r.catalogue.length} entries shown</output>
</form>`;
}

function entryRow(e: CatalogueEntry, i: number, r: RunsReport, o: HtmlOptions, dialogs: string[]): string {
  const cells = r.runs.map((run, j) => {
    const outcome = outcomeOf(e, run.results);
    const named = run.results.filter((x) => x.test.ids.includes(e.id));
    const attrs = `class="cell" data-runtime="${escapeHtml(run.name)}" data-outcome="${outcome}"`;
    if (outcome === 'fail') {
      const id = `ev-${i}-${j}`;
      dialogs.push(evidenceDialog(id, `${run.name}: ${e.id}`, named.filter((x) => x.outcome.status === 'fail'), r));
      return `<td ${attrs}><button type="button" data-evidence="${id}">FAIL</button></td>`;
    }
    const why = outcome === 'untestable' ? (e.why ?? '') : named.map(reasonOf).filter((s) => s !== '').join('; ');
    return `<td ${attrs}${why === '' ? '' : ` title="${escapeHtml(why)}"`}>${CELL_TEXT[outcome]}</td>`;
  });
  const href = specHref(e, o);
  const where = `${escapeHtml(e.file)} § ${escapeHtml(e.section)}`;
  return `<tr data-id="${escapeHtml(e.id)}" data-file="${escapeHtml(e.file)}" data-edition="${escapeHtml(e.edition)}">
<td class="entry"><code>${escapeHtml(e.id)}</code></td>
<td class="sentence"><q>${escapeHtml(e.sentence)}</q><br><span class="where">${href === undefined ? where : `<a href="${escapeHtml(href)}">${where}</a>`}</span>${e.testable ? '' : `<br><span class="why">untestable: ${escapeHtml(e.why ?? '')}</span>`}</td>
${cells.join('')}</tr>`;
}

/** The upstream text at the tag for v1.3.0 entries; spec/ beside the page for the draft's, when told where. */
function specHref(e: CatalogueEntry, o: HtmlOptions): string | undefined {
  const fragment = anchor(e.section);
  if (e.file.startsWith(`${SPEC_TAG}/`)) return `${UPSTREAM}${e.file.slice(SPEC_TAG.length + 1)}#${fragment}`;
  return o.specDir === undefined ? undefined : `${o.specDir}${e.file}#${fragment}`;
}

/** Failures that name no catalogue entry (runtime-tools' assertions): listed so that none is hidden. */
function outsideCatalogue(r: RunsReport, dialogs: string[]): string {
  const known = new Set(r.catalogue.map((e) => e.id));
  const items = r.runs.flatMap((run, j) =>
    run.results
      .filter((x) => x.outcome.status === 'fail' && !x.test.ids.some((id) => known.has(id)))
      .map((x, k) => {
        const id = `ev-other-${j}-${k}`;
        dialogs.push(evidenceDialog(id, `${run.name}: ${displayName(x)}`, [x], r));
        return `<li data-runtime="${escapeHtml(run.name)}">${escapeHtml(run.name)}: <button type="button" data-evidence="${id}">FAIL</button> ${escapeHtml(displayName(x))}</li>`;
      }),
  );
  return items.length === 0 ? '' : `<section id="outside"><h2>Failures outside the catalogue</h2><ul>${items.join('\n')}</ul></section>`;
}

function evidenceDialog(id: string, title: string, failed: TestResult[], r: RunsReport): string {
  return `<dialog class="evidence" id="${id}">
<form method="dialog" class="close"><button>close</button></form>
<h2>${escapeHtml(title)}</h2>
${failed.map((x) => failureEvidence(x, r)).join('\n')}
</dialog>`;
}

function failureEvidence(x: TestResult, r: RunsReport): string {
  if (x.outcome.status !== 'fail') return '';
  const { expected, actual, probe, commands } = x.outcome;
  const probeView = probe === undefined ? '' : `<dt>what the probe saw</dt><dd><pre class="probe">${escapeHtml(JSON.stringify(probe, null, 2))}</pre></dd>`;
  return `<section class="failure">
<h3>${escapeHtml(displayName(x))}</h3>
<dl>
<dt>edition</dt><dd>${escapeHtml(x.edition)}</dd>
<dt>references</dt><dd>${referencesOf(x, r.referenceOf).map(escapeHtml).join(', ')}</dd>
<dt>expected</dt><dd class="expected">${escapeHtml(expected)}</dd>
<dt>actual</dt><dd class="actual">${escapeHtml(actual)}</dd>
${probeView}
</dl>
${commands.map(commandEvidence).join('\n')}
</section>`;
}

function commandEvidence(c: CommandRecord): string {
  const stream = (name: string, text: string) => (text === '' ? '' : `<pre class="${name}" title="${name}">${escapeHtml(text)}</pre>`);
  return `<div class="command"><pre class="argv">$ ${escapeHtml(commandLine(c))}</pre><span class="exit">${escapeHtml(exitOf(c))}, ${c.ms} ms</span>${stream('stdout', c.stdout)}${stream('stderr', c.stderr)}</div>`;
}

const reasonOf = (x: TestResult) => (x.outcome.status === 'skip' || x.outcome.status === 'unsupported' ? x.outcome.reason : '');
