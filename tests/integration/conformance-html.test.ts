// The HTML report in a real browser (Debian's Chromium, headless, through puppeteer-core): the page
// loads offline without errors, has one row per catalogue entry, each filter changes what is shown,
// and a failure's evidence opens with its markup shown as text, never run.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalogue } from '../../conformance/catalogue/index.ts';
import { formatHtml } from '../../conformance/report/html.ts';
import { anchor } from '../../conformance/report/reference.ts';
import { ENTRIES, MARKUP, fixtureReport } from './conformance-html-fixture.ts';

const CHROMIUM = '/usr/bin/chromium';
const catalogue = loadCatalogue();

let dir: string | undefined;
let browser: Browser | undefined;
let page: Page;
let url: string;
const requests: string[] = [];
const consoleErrors: string[] = [];
const alerts: string[] = [];

beforeAll(async () => {
  // Not a skip: scripts/setup.sh installs Chromium, and a missing browser must not pass.
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/setup.sh (apt-get install chromium)`);
  dir = mkdtempSync(join(tmpdir(), 'ocirt-html-'));
  const file = join(dir, 'report.html');
  writeFileSync(file, formatHtml(fixtureReport()));
  url = pathToFileURL(file).href;
  browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  page = await browser.newPage();
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  page.on('dialog', async (d) => {
    alerts.push(d.message());
    await d.dismiss();
  });
  await page.goto(url, { waitUntil: 'load' });
});

afterAll(async () => {
  await browser?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

/** The ids of the matrix rows the browser renders. */
const visibleIds = () =>
  page.$$eval('#matrix tbody tr', (rows) => rows.filter((r) => r.getClientRects().length > 0).map((r) => (r as HTMLElement).dataset.id ?? ''));
const visibleColumns = () =>
  page.$$eval('#matrix thead th[data-runtime]', (ths) => ths.filter((t) => t.getClientRects().length > 0).map((t) => (t as HTMLElement).dataset.runtime ?? ''));
const countText = () => page.$eval('#visible-count', (o) => o.textContent ?? '');
const setRuntime = async (name: string, checked: boolean) => {
  const box = `#filter-runtime input[data-runtime="${name}"]`;
  if ((await page.$eval(box, (i) => (i as HTMLInputElement).checked)) !== checked) await page.click(box);
};
async function resetFilters() {
  for (const id of ['filter-file', 'filter-edition', 'filter-outcome']) await page.select(`#${id}`, '');
  for (const name of ['runc', 'crun', 'ocirt']) await setRuntime(name, true);
}
const idsWhere = (f: (e: (typeof catalogue)[number]) => boolean) => catalogue.filter(f).map((e) => e.id);

describe('the HTML report in Chromium', () => {
  it('loads with no console error and no request but the file itself', () => {
    expect(consoleErrors).toEqual([]);
    expect(requests).toEqual([url]);
    expect(alerts).toEqual([]); // the markup in the results ran nowhere
  });

  it('has one row per catalogue entry, in order, and a column per runtime', async () => {
    expect(await visibleIds()).toEqual(catalogue.map((e) => e.id));
    expect(await visibleColumns()).toEqual(['runc', 'crun', 'ocirt']);
    expect(await countText()).toBe(`${catalogue.length} of ${catalogue.length} entries shown`);
  });

  it('links v1.3.0 entries to the upstream text and shows each sentence verbatim', async () => {
    const e = ENTRIES.runcFails;
    const row = await page.$eval(`#matrix tr[data-id="${e.id}"]`, (tr) => ({ text: (tr as HTMLElement).innerText, href: tr.querySelector('a')?.href }));
    expect(row.text).toContain(e.sentence);
    expect(row.href).toMatch(/^https:\/\/github\.com\/opencontainers\/runtime-spec\/blob\/v1\.3\.0\/config-linux\.md#[a-z0-9-]+$/);
    // The draft is at no upstream tag: linked only when told where spec/ is.
    const draft = `draft/runtime.md#${anchor(ENTRIES.unsupported.section)}`;
    expect(formatHtml(fixtureReport())).not.toContain(draft);
    expect(formatHtml(fixtureReport(), { specDir: '../spec/' })).toContain(`href="../spec/${draft}"`);
  });

  it('filters by spec file', async () => {
    await resetFilters();
    await page.select('#filter-file', 'v1.3.0/config-linux.md');
    const expected = idsWhere((e) => e.file === 'v1.3.0/config-linux.md');
    expect(await visibleIds()).toEqual(expected);
    expect(await countText()).toBe(`${expected.length} of ${catalogue.length} entries shown`);
  });

  it('filters by edition', async () => {
    await resetFilters();
    await page.select('#filter-edition', 'draft');
    expect(await visibleIds()).toEqual(idsWhere((e) => e.edition === 'draft'));
    await page.select('#filter-edition', 'v1');
    expect(await visibleIds()).toEqual(idsWhere((e) => e.edition === 'v1'));
  });

  it('filters by outcome', async () => {
    await resetFilters();
    const { runcFails, ocirtFails, unsupported, hostSkips } = ENTRIES;
    const named = new Set([runcFails, ocirtFails, unsupported, hostSkips].map((e) => e.id));
    const cases: Array<[string, string[]]> = [
      ['fail', idsWhere((e) => e === runcFails || e === ocirtFails)],
      ['pass', idsWhere((e) => named.has(e.id))], // each named entry passes on some runtime
      ['unsupported', [unsupported.id]],
      ['skip', [hostSkips.id]],
      ['untested', idsWhere((e) => e.testable && !named.has(e.id))],
      ['untestable', idsWhere((e) => !e.testable)],
    ];
    for (const [outcome, ids] of cases) {
      await page.select('#filter-outcome', outcome);
      expect(await visibleIds(), outcome).toEqual(ids);
    }
  });

  it('filters by runtime: the columns shown, and the outcome filter over them only', async () => {
    await resetFilters();
    await setRuntime('runc', false);
    expect(await visibleColumns()).toEqual(['crun', 'ocirt']);
    await page.select('#filter-outcome', 'fail');
    expect(await visibleIds()).toEqual([ENTRIES.ocirtFails.id]);
    await setRuntime('ocirt', false);
    await setRuntime('runc', true);
    expect(await visibleColumns()).toEqual(['runc', 'crun']);
    expect(await visibleIds()).toEqual([ENTRIES.runcFails.id]);
    await page.select('#filter-outcome', 'unsupported');
    await setRuntime('runc', false);
    expect(await visibleIds()).toEqual([ENTRIES.unsupported.id]); // crun lacks it too
    await setRuntime('crun', false);
    expect(await visibleIds()).toEqual([]);
  });

  it("opens a failure's evidence, its markup shown as text and never run", async () => {
    await resetFilters();
    const cell = `#matrix tr[data-id="${ENTRIES.runcFails.id}"] td[data-runtime="runc"]`;
    expect(await page.$eval(cell, (td) => (td as HTMLElement).dataset.outcome)).toBe('fail');
    expect(await page.$$eval('dialog[open]', (d) => d.length)).toBe(0);
    await page.click(`${cell} button`);
    const evidence = await page.$eval('dialog[open]', (d) => ({ text: (d as HTMLElement).innerText, scripts: d.querySelectorAll('script').length }));
    expect(evidence.text).toContain('the process to see /proc/sys read-only'); // expected
    expect(evidence.text).toContain(`a read-write mount; ${MARKUP}`); // actual, verbatim
    expect(evidence.text).toContain(`msg="${MARKUP}"`); // stderr, verbatim
    expect(evidence.text).toContain("$ runc create --bundle '/tmp/b 1' c1");
    expect(evidence.text).toContain('exit 1, 12 ms');
    expect(evidence.text).toContain('timed out, 10000 ms');
    expect(evidence.text).toContain('"mount_point": "/proc/sys"'); // the probe's view, pretty
    expect(evidence.scripts).toBe(0);
    expect(alerts).toEqual([]);
    await page.keyboard.press('Escape');
    expect(await page.$$eval('dialog[open]', (d) => d.length)).toBe(0);
  });

  it('lists failures that name no catalogue entry, with their evidence', async () => {
    await page.click('#outside button[data-evidence]');
    expect(await page.$eval('dialog[open]', (d) => (d as HTMLElement).innerText)).toContain('runtime-tools default ran to completion');
    await page.keyboard.press('Escape');
    expect(consoleErrors).toEqual([]);
    expect(requests).toEqual([url]);
  });
});
