// The issue's command end to end: `oci-conformance --runtime runc --runtime ocirt --format html
// --output FILE` over a real run, opened in Debian's Chromium. The run is one test that runc fails
// and ocirt passes (conformance/expected/runc.json: runc fixes `process` at create, the draft
// re-reads it at start), so the page must show both columns, that row's two outcomes, and runc's
// evidence with the command runc was given.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRoot, NEEDS_ROOT, PROJECT } from './harness.ts';

const CHROMIUM = '/usr/bin/chromium';
const RUNC = '/usr/sbin/runc';
const FILTER = 'process.args changed between create and start';
const ENTRY = 'draft:runtime:start:3';

let dir: string | undefined;
let browser: Browser | undefined;
let page: Page;
let status: number | null;
const problems: string[] = [];

beforeAll(async () => {
  if (!isRoot) return;
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/setup.sh (apt-get install chromium)`);
  dir = mkdtempSync(join(tmpdir(), 'ocirt-html-run-'));
  const file = join(dir, 'report.html');
  const args = ['--runtime', RUNC, '--runtime', join(PROJECT, 'bin/ocirt'), '--filter', FILTER, '--format', 'html', '--output', file];
  status = spawnSync(join(PROJECT, 'bin/oci-conformance'), args, { stdio: 'ignore', timeout: 120_000 }).status;
  browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  page = await browser.newPage();
  page.on('pageerror', (e) => problems.push(String(e)));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

const outcome = (runtime: string) => page.$eval(`#matrix tr[data-id="${ENTRY}"] td[data-runtime="${runtime}"]`, (td) => (td as HTMLElement).dataset.outcome);

describe.skipIf(!isRoot || !existsSync(RUNC))(`oci-conformance --format html over a real run of runc and ocirt (${isRoot ? 'needs runc' : NEEDS_ROOT})`, () => {
  it('exits 1 (runc failed) and the page loads without an error', () => {
    expect(status).toBe(1);
    expect(problems).toEqual([]);
  });

  it('has a column per runtime, in the order given, and the run shows runc failing where ocirt passes', async () => {
    expect(await page.$$eval('#matrix thead th[data-runtime]', (ths) => ths.map((t) => (t as HTMLElement).dataset.runtime))).toEqual(['runc', 'ocirt']);
    expect(await outcome('runc')).toBe('fail');
    expect(await outcome('ocirt')).toBe('pass');
  });

  it("opens runc's evidence: the command it was given, its exit, what was expected", async () => {
    await page.click(`#matrix tr[data-id="${ENTRY}"] td[data-runtime="runc"] button`);
    const text = await page.$eval('dialog[open]', (d) => (d as HTMLElement).innerText);
    expect(text).toContain(`$ ${RUNC} --root `);
    expect(text).toMatch(/exit \d+, \d+ ms/);
    expect(text).toContain('expected');
  });

  it('the outcome filter with only runc shown keeps the row; with only ocirt, no failing row is left', async () => {
    await page.keyboard.press('Escape');
    await page.select('#filter-outcome', 'fail');
    const visible = () => page.$$eval('#matrix tbody tr', (rows) => rows.filter((r) => r.getClientRects().length > 0).map((r) => (r as HTMLElement).dataset.id));
    await page.click('#filter-runtime input[data-runtime="ocirt"]');
    expect(await visible()).toEqual([ENTRY]);
    await page.click('#filter-runtime input[data-runtime="ocirt"]');
    await page.click('#filter-runtime input[data-runtime="runc"]');
    expect(await visible()).toEqual([]);
  });
});
