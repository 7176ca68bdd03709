/**
 * Dashboard first paint and first live update on the simulated market, against a baseline page served
 * by the same server in the same run (`npm run bench:dashboard`; under `flock /work/bench.lock` on the
 * shared machine). One perpgraph target (dist/main.js, rebuilt first when stale) serves web/ built by
 * Vite into a temp folder, plus assets/baseline.html there: a static page with one line of text and an
 * inline script that speaks graphql-transport-ws on a bare WebSocket and subscribes to the same
 * keyLevelsUpdated(price) the dashboard's price uses. For each of RUNS fresh pages (new browser context,
 * cold cache) in Chromium it records:
 *   - first-contentful-paint (performance 'paint' entry) of the dashboard and of the baseline;
 *   - time until the price chart's canvas holds drawn candles (dashboard only: a rAF poll of its pixels);
 *   - time until the live price changes for the first time (a subscription event after the first value),
 *     for the dashboard and for the bare-WebSocket baseline.
 * Printed: medians in ms and the ratios dashboard / baseline (FCP, first live update) and chart drawn /
 * baseline FCP. Env: RUNS (default 7), SYMBOLS (default BTCUSDT,ETHUSDT,SOLUSDT), CHROMIUM_PATH.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { startTarget } from './http-support.js';
// @ts-expect-error plain ESM build script without type declarations
import { buildWeb } from '../scripts/start.mjs';

const RUNS = Number(process.env.RUNS ?? 7);
const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const BASELINE = `<!doctype html><html><head><meta charset="utf-8"><title>baseline</title></head><body style="background:#0d1117;color:#ddd">
<p id="p">baseline: one line of text and a bare graphql-ws subscription</p>
<script>
const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/graphql', 'graphql-transport-ws');
let first;
ws.onopen = () => ws.send(JSON.stringify({ type: 'connection_init' }));
ws.onmessage = (m) => {
  const msg = JSON.parse(m.data);
  if (msg.type === 'connection_ack') ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription($s:String!){keyLevelsUpdated(symbol:$s){price}}', variables: { s: 'BTCUSDT' } } }));
  if (msg.type === 'next') {
    const price = msg.payload.data.keyLevelsUpdated.price;
    if (first === undefined) first = price;
    else if (price !== first && window.__liveAt === undefined) window.__liveAt = performance.now();
    document.getElementById('p').textContent = 'BTCUSDT ' + price;
  }
};
</script></body></html>`;

/**
 * Injected before the dashboard's scripts: the time of the first price change and of the first drawn
 * chart. A string, not a function: tsx's transform would add helpers the page does not have.
 */
const PROBE = `(() => {
  let first;
  const watch = () => {
    const el = document.querySelector('[data-testid="price"]');
    new MutationObserver(() => {
      const v = el.dataset.value;
      if (!v) return;
      if (first === undefined) first = v;
      else if (v !== first && window.__liveAt === undefined) window.__liveAt = performance.now();
    }).observe(el, { attributes: true, attributeFilter: ['data-value'] });
    const poll = () => {
      if (window.__chartAt !== undefined) return;
      for (const c of document.querySelectorAll('[data-testid="price-chart"] canvas')) {
        if (c.width < 50 || c.height < 50) continue;
        const ctx = c.getContext('2d');
        if (!ctx) continue;
        const { data } = ctx.getImageData(0, 0, c.width, c.height);
        const colours = new Set();
        for (let i = 0; i < data.length; i += 64) if (data[i + 3]) colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
        // Candles in both colours on the background and the grid: more than a handful of colours.
        if (colours.size >= 6) { window.__chartAt = performance.now(); return; }
      }
      requestAnimationFrame(poll);
    };
    requestAnimationFrame(poll);
  };
  document.addEventListener('DOMContentLoaded', watch);
})();`;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : Number.NaN;
};

async function measurePage(browser: Browser, url: string, dashboard: boolean) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  if (dashboard) await page.addInitScript({ content: PROBE });
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction((d) => {
    const w = window as unknown as { __liveAt?: number; __chartAt?: number };
    return w.__liveAt !== undefined && (!d || w.__chartAt !== undefined);
  }, dashboard, { timeout: 60_000, polling: 100 }).catch(async (e: unknown) => {
    console.error(url, await page.evaluate(() => JSON.stringify({ w: (window as unknown as Record<string, unknown>).__liveAt, c: (window as unknown as Record<string, unknown>).__chartAt, p: document.querySelector("[data-testid=price]")?.outerHTML })));
    throw e;
  });
  const r = await page.evaluate(() => {
    const w = window as unknown as { __liveAt?: number; __chartAt?: number };
    const fcp = performance.getEntriesByType('paint').find((e) => e.name === 'first-contentful-paint')?.startTime;
    return { fcp: fcp ?? Number.NaN, live: w.__liveAt!, chart: w.__chartAt ?? Number.NaN };
  });
  await context.close();
  return r;
}

const build = spawnSync(process.execPath, ['scripts/start.mjs', '--build-only'], { stdio: 'inherit' });
if (build.status !== 0) throw new Error('build failed');
const webDir = await mkdtemp(join(tmpdir(), 'perpgraph-bench-web-'));
await buildWeb(webDir);
await writeFile(join(webDir, 'assets', 'baseline.html'), BASELINE);
const target = await startTarget(['app'], { SYMBOLS: process.env.SYMBOLS ?? 'BTCUSDT,ETHUSDT,SOLUSDT', DASHBOARD_DIR: webDir });
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: FLAGS });
try {
  // The server warms up its analyses first (what a user opening the page of a running server sees).
  await new Promise((r) => setTimeout(r, 10_000));
  await measurePage(browser, `${target.origin}/assets/baseline.html`, false); // warm-up
  await measurePage(browser, `${target.origin}/#BTCUSDT`, true);
  const base: Array<{ fcp: number; live: number }> = [];
  const dash: Array<{ fcp: number; live: number; chart: number }> = [];
  for (let i = 0; i < RUNS; i += 1) {
    // Interleaved, so drift in the machine's load hits both alike.
    base.push(await measurePage(browser, `${target.origin}/assets/baseline.html`, false));
    dash.push(await measurePage(browser, `${target.origin}/#BTCUSDT`, true));
  }
  const m = {
    baseFcp: median(base.map((r) => r.fcp)),
    baseLive: median(base.map((r) => r.live)),
    dashFcp: median(dash.map((r) => r.fcp)),
    dashChart: median(dash.map((r) => r.chart)),
    dashLive: median(dash.map((r) => r.live)),
  };
  console.log(`runs ${RUNS} (medians, ms since navigation start)`);
  console.log(`baseline page: FCP ${m.baseFcp.toFixed(0)}, first live update ${m.baseLive.toFixed(0)}`);
  console.log(`dashboard:     FCP ${m.dashFcp.toFixed(0)}, price chart drawn ${m.dashChart.toFixed(0)}, first live update ${m.dashLive.toFixed(0)}`);
  console.log(`ratio FCP dashboard/baseline ${(m.dashFcp / m.baseFcp).toFixed(2)}x`);
  console.log(`ratio chart drawn / baseline FCP ${(m.dashChart / m.baseFcp).toFixed(2)}x`);
  console.log(`ratio first live update dashboard/baseline ${(m.dashLive / m.baseLive).toFixed(2)}x`);
} finally {
  await browser.close();
  await target.stop();
  await rm(webDir, { recursive: true, force: true });
}
