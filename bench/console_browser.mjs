// The console's pages timed in Debian's chromium (playwright-core) against a running master,
// from the address typed to the page drawn: the overview (live), a past moment, an object's
// history, a name search. Prints a table and one JSON line.
// Usage: node bench/console_browser.mjs BASE_URL TOKEN RC_NAME [CONSOLE_DIR]
import { createRequire } from 'node:module';

const [base, token, rc, consoleDir = new URL('../console', import.meta.url).pathname] = process.argv.slice(2);
const { chromium } = createRequire(`${consoleDir}/package.json`)('playwright-core');
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});
const rows = [];
try {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 } });
  await context.addInitScript((t) => sessionStorage.setItem('capstan.token', t), token);
  const page = await context.newPage();
  const timed = async (what, url, ready, budget) => {
    const started = Date.now();
    await page.goto(`${base}${url}`);
    await page.waitForFunction(ready, undefined, { timeout: 60000, polling: 20 });
    const seconds = (Date.now() - started) / 1000;
    const rowsDrawn = await page.evaluate(() => document.querySelectorAll('[role="row"]').length);
    rows.push({ what, seconds, budget, within: seconds <= budget, domRows: rowsDrawn });
  };
  await timed('overview (figures, nodes, RCs, services, first pods)', '/console/',
    () => document.querySelector('[data-testid="live-status"]')?.textContent.startsWith('live')
      && Number(document.querySelector('[data-testid="pods-count"]')?.textContent) > 0, 1.0);
  const end = await page.evaluate(async (t) => (await (await fetch('/capstan/v1/history?limit=1', { headers: { Authorization: `Bearer ${t}` } })).json()).metadata.journalEnd, token);
  await timed(`a past moment (record ${Math.floor(end / 2)})`, `/console/history?at=${Math.floor(end / 2)}`,
    () => !!document.querySelector('[data-testid="moment-status"]'), 2.0);
  await timed(`an RC's history (${rc})`, `/console/objects/replicationcontrollers/default/${rc}`,
    () => document.querySelectorAll('[data-testid="change"]').length > 0, 1.0);
  await timed(`who deleted "${rc}-"?`, `/console/search?name=${rc}-`,
    () => document.querySelectorAll('[data-testid="change"]').length > 0, 1.0);
} finally {
  await browser.close();
}
const width = Math.max(...rows.map((r) => r.what.length));
console.log(`${'page'.padEnd(width)}  seconds  budget  rows in the DOM`);
for (const r of rows) console.log(`${r.what.padEnd(width)}  ${r.seconds.toFixed(3).padStart(7)}  ${r.budget.toFixed(2).padStart(6)}  ${r.domRows}${r.within ? '' : '  OVER'}`);
console.log(JSON.stringify({ bench: 'console-browser', pages: rows }));
