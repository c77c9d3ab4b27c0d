// The console in a real browser (Debian's chromium driven by playwright-core) against a master
// on simulated nodes: log in, see the guestbook's pods appear live, scale an RC and watch the
// count change, move the time-travel slider back before the scale and see the old count, find
// who deleted a pod. A screenshot of each step goes to SHOTS_DIR.
// Usage: node console_test.mjs CONSOLE_DIR BASE_URL ADMIN_TOKEN KUBECONFIG EXAMPLES_DIR SHOTS_DIR
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';

const [consoleDir, base, adminToken, kubeconfig, examples, shots] = process.argv.slice(2);
const { chromium } = createRequire(`${consoleDir}/package.json`)('playwright-core');
mkdirSync(shots, { recursive: true });

let failures = 0;
let checks = 0;
function check(what, ok, detail = '') {
  checks += 1;
  if (ok) console.log(`ok - ${what}`);
  else {
    failures += 1;
    console.log(`FAILED - ${what}${detail ? `: ${detail}` : ''}`);
  }
}
// A condition the page must reach within `ms`; the check says which, and what was seen.
async function reaches(what, page, fn, arg, ms = 15000) {
  try {
    await page.waitForFunction(fn, arg, { timeout: ms, polling: 100 });
    check(what, true);
  } catch (e) {
    check(what, false, e.message.split('\n')[0]);
  }
}
const kubectl = (...args) => execFileSync('kubectl', ['--kubeconfig', kubeconfig, '--request-timeout=20s', ...args], { encoding: 'utf8' });
const text = (page, testid) => page.locator(`[data-testid="${testid}"]`).first().textContent({ timeout: 5000 }).catch(() => null);
const shot = (page, name) => page.screenshot({ path: `${shots}/${name}.png`, fullPage: false });

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});
try {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text() + ' @ ' + m.location().url); });

  // 1. The login page: a token the master refuses is said to be refused; the admin's signs in.
  await page.goto(`${base}/console/`);
  await page.waitForURL('**/console/login', { timeout: 15000 });
  check('without a token the console shows its login page', await page.getByLabel('Bearer token').isVisible());
  await page.getByLabel('Bearer token').fill('not-a-token');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const refusal = await page.getByRole('alert').textContent({ timeout: 10000 }).catch(() => '');
  check('a wrong token is refused, in words', refusal.includes('does not accept'), refusal);
  await shot(page, '01-login');
  pageErrors.length = 0; // the refused token's 401 was meant
  await page.getByLabel('Bearer token').fill(adminToken);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => u.pathname === '/console/', { timeout: 15000 });
  await reaches('signed in, the cluster is shown live', page, () => document.querySelector('[data-testid="live-status"]')?.textContent.startsWith('live'));
  await reaches('the three simulated nodes are listed', page, () => document.querySelector('[data-testid="nodes-count"]')?.textContent === '3');

  // 2. The guestbook's pods appear without a reload.
  await page.evaluate(() => { window.stillTheSamePage = true; });
  kubectl('apply', '-f', `${examples}/guestbook/`);
  await reaches('the guestbook\'s six pods appear live', page, () => document.querySelector('[data-testid="pods-count"]')?.textContent === '6', undefined, 30000);
  await reaches('the RC redis-slave shows 2 current', page, () => document.querySelector('[data-testid="rc-current-redis-slave"]')?.textContent === '2', undefined, 30000);
  check('no reload happened', await page.evaluate(() => window.stillTheSamePage === true));
  await shot(page, '02-guestbook-live');

  // 3. Scaled from outside, the counts follow.
  kubectl('scale', 'rc', 'redis-slave', '--replicas=4');
  await reaches('desired 4 shows after the scale', page, () => document.querySelector('[data-testid="rc-desired-redis-slave"]')?.textContent === '4');
  await reaches('current reaches 4', page, () => document.querySelector('[data-testid="rc-current-redis-slave"]')?.textContent === '4', undefined, 30000);
  await shot(page, '03-scaled');

  // 4. Time travel to just before the scale: the old count.
  const history = await context.request.get(`${base}/capstan/v1/history?kind=rc&namespace=default&name=redis-slave`, { headers: { Authorization: `Bearer ${adminToken}` } });
  const scale = (await history.json()).items.find((r) => r.event === 'RcScaled');
  check('the journal has the scale', !!scale);
  await page.getByRole('link', { name: 'Time travel' }).click();
  const slider = page.getByLabel('Journal record');
  await slider.waitFor({ timeout: 15000 });
  await reaches('the timeline is drawn', page, () => document.querySelectorAll('.timeline g').length > 0);
  await reaches('the present shows desired 4', page, () => document.querySelector('[data-testid="rc-desired-redis-slave"]')?.textContent === '4');
  await slider.fill(String(scale.seq - 1));
  await reaches('the slider moved to the record before the scale', page, (seq) => document.querySelector('[data-testid="moment-status"]')?.textContent.includes(`record ${seq},`) || document.querySelector('[data-testid="moment-status"]')?.textContent.includes(`record ${seq} `), scale.seq - 1);
  await reaches('before the scale, desired was 2', page, () => document.querySelector('[data-testid="rc-desired-redis-slave"]')?.textContent === '2');
  await shot(page, '04-time-travel');

  // 5. Who deleted this pod? carol did.
  const victim = JSON.parse(kubectl('get', 'pods', '-l', 'name=frontend', '-o', 'json')).items[0].metadata.name;
  execFileSync('kubectl', ['--kubeconfig', kubeconfig, '--token', 'carol-token', 'delete', 'pod', victim, '--wait=true', '--timeout=30s']);
  await page.getByRole('link', { name: 'Who deleted this?' }).click();
  await page.getByLabel('Object name (or part of it)').fill(victim);
  await page.getByRole('button', { name: 'Search the journal' }).click();
  await reaches('the search finds the deletion carol asked for', page, (name) => [...document.querySelectorAll('[data-testid="change"]')].some((li) => li.textContent.includes(name) && li.textContent.includes('DeletionRequested') && li.textContent.includes('carol')), victim);
  await shot(page, '05-who-deleted');
  await page.locator('[data-testid="change"] a', { hasText: victim }).first().click();
  await reaches('the deleted pod\'s history names carol', page, () => document.querySelector('[data-testid="deleted-by"]')?.textContent.includes('Deleted by carol'));
  await reaches('and shows its creation by the replication manager', page, () => [...document.querySelectorAll('[data-testid="change"]')].some((li) => li.textContent.includes('PodCreated') && li.textContent.includes('system:replication-manager')));
  await shot(page, '06-pod-history');

  // 6. A user with no rights signs in but is shown nothing of the cluster.
  const other = await browser.newContext({ ignoreHTTPSErrors: true });
  const limited = await other.newPage();
  await limited.goto(`${base}/console/login`);
  await limited.getByLabel('Bearer token').fill('dave-token');
  await limited.getByRole('button', { name: 'Sign in' }).click();
  await limited.waitForURL((u) => u.pathname === '/console/', { timeout: 15000 });
  await reaches('dave is told he may not list pods', limited, () => [...document.querySelectorAll('[role="alert"]')].some((a) => a.textContent.includes('forbidden')));
  check('and sees no pod', (await text(limited, 'pods-count')) === '0');
  await other.close();

  check('the pages raised no script error', pageErrors.length === 0, pageErrors.join(' | '));
} finally {
  await browser.close();
}
console.log(`${checks - failures}/${checks} checks passed`);
process.exit(failures ? 1 : 0);
