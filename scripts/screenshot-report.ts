// The picture in docs/conformance-report.md: an HTML report (oci-conformance --format html) in
// headless Chromium, the first failure's evidence open.
// The matrix is filtered to its failing rows, so that the header, the filters and the failures show
// behind the dialog.
//   node_modules/.bin/bun scripts/screenshot-report.ts REPORT.html [OUT.png]   (default docs/conformance-report.png)
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer-core';

const [input, output = 'docs/conformance-report.png'] = process.argv.slice(2);
if (input === undefined) {
  console.error('usage: screenshot-report.ts REPORT.html [OUT.png]');
  process.exit(2);
}

const browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 1000 });
  await page.goto(pathToFileURL(resolve(input)).href, { waitUntil: 'load' });
  const failure = await page.$('#matrix button[data-evidence]');
  if (failure !== null) {
    await page.select('#filter-outcome', 'fail');
    await failure.click();
  }
  await page.screenshot({ path: resolve(output) as `${string}.png` });
  console.log(`${output}: ${failure === null ? 'no failure in the report; the matrix' : 'the first failure open'}`);
} finally {
  await browser.close();
}
