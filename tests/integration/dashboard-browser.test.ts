import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIsolatedTestApp, type IsolatedTestApp } from '../support/harness.js';
import { startWebhookReceiver, type FakeReceiver } from '../support/fake-alert-receivers.js';
import { generateApiKey } from '../../src/auth/keys.js';
// @ts-expect-error plain ESM build script without type declarations
import { buildWeb } from '../../scripts/start.mjs';

/**
 * The dashboard in a real browser, offline, on the simulated market: Debian's Chromium driven by
 * playwright-core (flags and CI behaviour as in graphiql-browser.test.ts). The dashboard is built from
 * web/ into a temp folder first (the current sources, not whatever dist/web holds). Every request to
 * another host is aborted and counted. Screenshots go to test-artifacts/dashboard/ (gitignored).
 */
const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const HAVE_BROWSER = existsSync(CHROMIUM_PATH);
const IN_CI = process.env.CI === 'true' || process.env.CI === '1';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'dashboard');

describe('a browser is available for the dashboard test', () => {
  it.runIf(IN_CI)(`finds Chromium at ${CHROMIUM_PATH} under CI`, () => {
    expect(HAVE_BROWSER, `no browser at ${CHROMIUM_PATH}: apt-get install -y chromium, or set CHROMIUM_PATH`).toBe(true);
  });
});

interface Watched {
  page: Page;
  foreign: string[];
  problems: string[];
}

/** Distinct colours (quantised to 4 bits a channel) and the share of pixels unlike the corner's, over the canvases under `selector`. */
async function canvasStats(page: Page, selector: string): Promise<{ canvases: number; colours: number; painted: number }> {
  return page.evaluate((sel) => {
    const canvases = [...document.querySelectorAll<HTMLCanvasElement>(`${sel} canvas`)].filter((c) => c.width > 20 && c.height > 20);
    const colours = new Set<number>();
    let painted = 0;
    let total = 0;
    for (const c of canvases) {
      const ctx = c.getContext('2d');
      if (!ctx) continue;
      const { data } = ctx.getImageData(0, 0, c.width, c.height);
      const bg = (data[0]! >> 4) | ((data[1]! >> 4) << 4) | ((data[2]! >> 4) << 8);
      for (let i = 0; i < data.length; i += 16) {
        if (data[i + 3] === 0) continue;
        const q = (data[i]! >> 4) | ((data[i + 1]! >> 4) << 4) | ((data[i + 2]! >> 4) << 8);
        colours.add(q);
        total += 1;
        if (q !== bg) painted += 1;
      }
    }
    return { canvases: canvases.length, colours: colours.size, painted: total ? painted / total : 0 };
  }, selector);
}

describe.skipIf(!HAVE_BROWSER)('the dashboard in Chromium, offline, on the simulated market', () => {
  let app: IsolatedTestApp;
  let browser: Browser;
  let webDir: string;
  let origin: string;
  let receiver: FakeReceiver;
  const admin = generateApiKey().plaintext;
  const pages: Watched[] = [];

  const open = async (viewport: { width: number; height: number }, hash = ''): Promise<Watched> => {
    const page = await browser.newPage({ viewport });
    const own = new URL(origin).host;
    const watched: Watched = { page, foreign: [], problems: [] };
    await page.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.host === own || url.protocol === 'data:' || url.protocol === 'blob:') return route.continue();
      watched.foreign.push(url.href);
      return route.abort();
    });
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') watched.problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => watched.problems.push(`pageerror: ${String(e)}`));
    pages.push(watched);
    await page.goto(`${origin}/${hash}`, { waitUntil: 'load' });
    return watched;
  };

  beforeAll(async () => {
    webDir = await mkdtemp(join(tmpdir(), 'perpgraph-web-'));
    expect(await buildWeb(webDir), 'vite built web/ into a temp folder').toBe(true);
    receiver = await startWebhookReceiver({ secret: () => undefined });
    app = await startIsolatedTestApp({ DASHBOARD_DIR: webDir, SYMBOLS: 'BTCUSDT,ETHUSDT,SOLUSDT', ADMIN_API_KEY: admin, ALERTS_ALLOW_PRIVATE_TARGETS: 'true', ALERTS_POLL_MS: '50' });
    origin = new URL(app.url).origin;
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: FLAGS });
    await mkdir(ARTIFACTS, { recursive: true });
  }, 120_000);
  afterAll(async () => {
    for (const w of pages) await w.page.close().catch(() => {});
    await browser?.close();
    await app?.teardown();
    await receiver?.close();
    if (webDir) await rm(webDir, { recursive: true, force: true });
  });

  it('loads from this server alone, draws the price chart and the heatmap, flags SIMULATED and has no console errors', async () => {
    const w = await open({ width: 1440, height: 900 });
    const { page } = w;
    await page.locator('#connection[data-state="connected"]').waitFor({ timeout: 20_000 });
    // Both charts drawn: many non-background pixels in several colours (candles, lines, heat scale).
    const drawn = async (selector: string) => {
      const deadline = Date.now() + 40_000;
      let stats = await canvasStats(page, selector);
      while ((stats.colours < 6 || stats.painted < 0.02) && Date.now() < deadline) {
        await page.waitForTimeout(500);
        stats = await canvasStats(page, selector);
      }
      return stats;
    };
    const chart = await drawn('[data-testid="price-chart"]');
    expect(chart.canvases, 'lightweight-charts canvases').toBeGreaterThan(0);
    expect(chart.colours, `price chart colours ${JSON.stringify(chart)}`).toBeGreaterThanOrEqual(6);
    expect(chart.painted, 'price chart is not blank').toBeGreaterThan(0.02);
    const heat = await drawn('[data-testid="heatmap"]');
    expect(heat.colours, `heatmap colours ${JSON.stringify(heat)}`).toBeGreaterThanOrEqual(6);
    expect(heat.painted, 'heatmap is not blank').toBeGreaterThan(0.05);

    // Provenance: the simulated market is flagged on the panels (and nothing says LIVE).
    await page.locator('#panel-price [data-badge="SIMULATED"]').waitFor({ timeout: 20_000 });
    await page.locator('#panel-heatmap [data-badge="SIMULATED"]').waitFor({ timeout: 20_000 });
    await page.locator('#panel-confirmation [data-badge="SIMULATED"]').waitFor({ timeout: 30_000 });
    await page.locator('#panel-funding [data-badge="SIMULATED"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-badge="LIVE"]').count(), 'nothing simulated is labelled live').toBe(0);
    expect(await page.locator('#panel-confirmation .layers li').count(), 'the 12 layers').toBe(12);
    expect(await page.locator('#panel-price .prov').innerText()).toContain('SIMULATED');
    // The emergency protocol: a level, flagged as simulated; the banner only when the level is not NORMAL.
    await page.locator('#panel-emergency [data-badge="SIMULATED"]').waitFor({ timeout: 30_000 });
    const level = (await page.locator('[data-testid="emergency-level"]').textContent()) ?? '';
    expect(level).toMatch(/^(normal|elevated|emergency)$/);
    expect(await page.locator('[data-testid="emergency-banner"]').isVisible(), `banner for level ${level}`).toBe(level !== 'normal');

    await page.screenshot({ path: join(ARTIFACTS, 'laptop-1440x900.png'), fullPage: true });
    expect(w.foreign, 'nothing fetched from another host (no CDN)').toEqual([]);
    expect(w.problems, 'no console errors or warnings').toEqual([]);
  }, 120_000);

  it('shows a live value that changes within a few seconds without reloading', async () => {
    const { page, problems } = pages[0]!;
    const price = page.locator('[data-testid="price"]');
    await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-testid="price"]')?.dataset.value, null, { timeout: 20_000 });
    const first = await price.getAttribute('data-value');
    const changed = await page
      .waitForFunction((was) => {
        const now = document.querySelector<HTMLElement>('[data-testid="price"]')?.dataset.value;
        return now && now !== was ? now : false;
      }, first, { timeout: 10_000 })
      .then((h) => h.jsonValue());
    expect(Number(changed), `price moved from ${first}`).not.toBe(Number(first));
    expect(Number(changed)).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  }, 60_000);

  it('switching symbols shows the other market', async () => {
    const { page, problems } = pages[0]!;
    const btc = Number(await page.locator('[data-testid="price"]').getAttribute('data-value'));
    await page.locator('#symbols button[data-symbol="ETHUSDT"]').click();
    await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-testid="price"]')?.textContent?.startsWith('ETHUSDT') && document.querySelector<HTMLElement>('[data-testid="price"]')?.dataset.value, null, { timeout: 20_000 });
    const eth = Number(await page.locator('[data-testid="price"]').getAttribute('data-value'));
    expect(eth, 'ETH trades far from BTC in the simulated market').not.toBeCloseTo(btc, -2);
    expect(page.url()).toMatch(/#ETHUSDT$/);
    expect(await page.locator('#symbols button[aria-pressed="true"]').innerText()).toBe('ETH');
    // The chart now shows ETH's candles: the price scale labels are near ETH's price, not BTC's.
    await page.locator('#panel-price [data-badge="SIMULATED"]').waitFor({ timeout: 20_000 });
    await page.waitForFunction((p) => (document.querySelector('#panel-heatmap .side')?.textContent ?? '').length > 0 && document.title.startsWith('ETHUSDT') && p > 0, eth, { timeout: 20_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'laptop-ethusdt.png') });
    expect(problems).toEqual([]);
  }, 60_000);

  it('shows alerts on the tape once an API key with the alerts scope is entered', async () => {
    const { page, problems } = pages[0]!;
    const symbol = (await page.locator('#symbols button[aria-pressed="true"]').getAttribute('data-symbol'))!;
    const state = page.locator('[data-testid="alert-key"] .state');
    expect(await state.innerText()).toBe('no key: alerts not shown');
    // A wrong key: the alerts stream is refused, every other panel keeps streaming.
    await page.locator('[data-testid="alert-key"] input').fill('pg_nope_nope');
    await page.locator('[data-testid="alert-key"] button').click();
    await page.waitForFunction(() => /alerts refused: .+/.test(document.querySelector('[data-testid="alert-key"] .state')?.textContent ?? ''), null, { timeout: 20_000 });
    await page.locator('[data-testid="alert-key"] input').fill(admin);
    await page.locator('[data-testid="alert-key"] button').click();
    await page.locator('#connection[data-state="connected"]').waitFor({ timeout: 20_000 });
    expect(await state.innerText()).toBe('key set');
    const gql = async (query: string, variables: Record<string, unknown>) => {
      const res = await fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` }, body: JSON.stringify({ query, variables }) });
      return (await res.json()) as { data?: Record<string, any>; errors?: unknown[] };
    };
    const created = await gql('mutation($input: AlertRuleInput!) { createAlertRule(input: $input) { rule { id } } }', {
      input: { name: 'dashboard tape', event: 'CASCADE_DETECTED', symbols: [symbol], conditions: { minSeverity: 5 }, cooldownMs: 60000, channels: [{ type: 'WEBHOOK', url: `${receiver.url}/hook` }] },
    });
    expect(created.errors).toBeUndefined();
    const ruleId = created.data!.createAlertRule.rule.id as string;
    // The tape resubscribed after the key's reconnect; give graphql-ws a moment to be subscribed again.
    await page.waitForTimeout(1_000);
    const tested = await gql('mutation($id: ID!) { testAlertRule(id: $id) { test } }', { id: ruleId });
    expect(tested.data?.testAlertRule).toEqual({ test: true });
    const line = page.locator('#panel-events .tape li.ev.alert').first();
    await line.waitFor({ timeout: 20_000 });
    expect(await line.innerText()).toContain('TEST · Test of rule dashboard tape (CASCADE_DETECTED)');
    expect(problems).toEqual([]);
  }, 90_000);

  it('fits a phone: no horizontal overflow, badges visible', async () => {
    const w = await open({ width: 390, height: 844 }, '#SOLUSDT');
    const { page } = w;
    await page.locator('#panel-price [data-badge="SIMULATED"]').waitFor({ timeout: 30_000 });
    await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-testid="price"]')?.textContent?.startsWith('SOLUSDT'), null, { timeout: 20_000 });
    await page.waitForTimeout(1_000);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, 'page wider than the phone').toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(ARTIFACTS, 'phone-390x844.png'), fullPage: true });
    expect(w.foreign).toEqual([]);
    expect(w.problems).toEqual([]);
  }, 60_000);
});
