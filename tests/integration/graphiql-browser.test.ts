import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIsolatedTestApp, type IsolatedTestApp } from '../support/harness.js';

/**
 * GraphiQL in a real browser, offline: Debian's Chromium (README "Tests": `apt-get install -y chromium`)
 * driven by playwright-core, every request to a host other than this server aborted and counted. The
 * page must load, run the starter query and show its result. CHROMIUM_PATH picks another browser; with
 * none installed the suite is skipped on a workstation and fails under CI=true (.ci/run installs it).
 */
const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const HAVE_BROWSER = existsSync(CHROMIUM_PATH);
const IN_CI = process.env.CI === 'true' || process.env.CI === '1';

// Flags from PLATFORM.md: headless Chromium that does not reach for the network on its own.
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe('a browser is available for the GraphiQL test', () => {
  it.runIf(IN_CI)(`finds Chromium at ${CHROMIUM_PATH} under CI`, () => {
    expect(HAVE_BROWSER, `no browser at ${CHROMIUM_PATH}: apt-get install -y chromium, or set CHROMIUM_PATH`).toBe(true);
  });
});

describe.skipIf(!HAVE_BROWSER)('GraphiQL in Chromium, offline', () => {
  let app: IsolatedTestApp;
  let browser: Browser;
  beforeAll(async () => {
    app = await startIsolatedTestApp({ GRAPHIQL: 'true', SYMBOLS: 'BTCUSDT' });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: FLAGS });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await app?.teardown();
  });

  it('loads the page from this server alone, runs the starter query and shows its data', async () => {
    const page = await browser.newPage();
    const own = new URL(app.url).host;
    const foreign: string[] = [];
    await page.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.host === own || url.protocol === 'data:' || url.protocol === 'blob:') return route.continue();
      foreign.push(url.href);
      return route.abort();
    });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));

    await page.goto(app.url, { waitUntil: 'load' });
    // The editor holds the perpgraph starter query (not yoga's default, not "Loading __TITLE__...").
    await page.locator('.graphiql-query-editor').getByText('query Dashboard').first().waitFor({ timeout: 30_000 });
    await page.locator('.graphiql-execute-button').click();
    const result = page.locator('.result-window');
    await result.getByText('"BTCUSDT"').first().waitFor({ timeout: 30_000 });
    // CodeMirror renders spaces as non-breaking ones: compare with whitespace collapsed.
    const text = (await result.innerText()).replace(/\s+/g, ' ');
    expect(text, 'the answer of the starter query').toContain('"market"');
    expect(text).toContain('"symbol": "BTCUSDT"');
    expect(text, 'no error in the answer').not.toContain('"errors"');
    expect(text, 'a simulated market says so in meta').toContain('"SIMULATED"');
    expect(foreign, 'nothing fetched from another host (no CDN)').toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.close();
  }, 90_000);
});
