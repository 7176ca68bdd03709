import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createSimulatedSource } from '../../src/datasources/simulated/index.js';
import type { MarketDataSource } from '../../src/datasources/market-data-source.js';
import { inputsOf } from '../../src/engine/analyses.js';
import { createLogger } from '../../src/logger.js';
import { gql, isolatedDatabase, tempDir, testEnv } from '../support/harness.js';

/**
 * Ten simulated minutes of a healthy simulated market, through source → store → engine → GraphQL, on a
 * simulated clock running SPEED × faster than the wall clock (the app and the source share it, so ages,
 * bar closes and cadences are all simulated time). Sampled every 5 simulated seconds. A blocked event loop
 * counts SPEED times over in simulated time (at 20× the embedded database's 2 s pauses read as 40 s of
 * silence), so SPEED stays at 10: a 3 s stall is still within the 30 s grace.
 *
 * The clock runs at real speed until the app is ready and SPEED× from then on. The start is one deliberate
 * stall: the source generates its backfill in this thread (no worker here) up to the anchor it fixed when it
 * began, then opens the database; at SPEED× those seconds (1–3 s, more on a loaded machine) would leave the
 * feed 10–30+ simulated seconds behind at ready, a lag a real-time start never has (it starts a few real
 * seconds behind and catches up at once). What is measured here is the healthy run after the start.
 */
const SPEED = 10;
const SAMPLE_EVERY_SIM_MS = 5_000;

/** GraphQL field → analysis kind, all 19 analyses. */
const MARKET_FIELDS = {
  funding: 'FUNDING',
  openInterest: 'OPEN_INTEREST',
  longShort: 'LONG_SHORT',
  basis: 'BASIS',
  liquidationHeatmap: 'LIQUIDATION_HEATMAP',
  liquidationCascades: 'LIQUIDATION_CASCADES',
  whales: 'WHALES',
  volume: 'VOLUME',
  volumeProfile: 'VOLUME_PROFILE',
  structure: 'MARKET_STRUCTURE',
  keyLevels: 'KEY_LEVELS',
  traps: 'TRAPS',
  sessions: 'SESSIONS',
  volatility: 'VOLATILITY',
  regime: 'REGIME',
  forecast: 'FORECAST',
} as const;
const WIDE_FIELDS = { correlations: 'CORRELATION', sentiment: 'SENTIMENT', optionsFlow: 'OPTIONS_FLOW' } as const;
const META = 'meta { stale inputs { type interval lastAt overdue } }';
const QUERY = `query {
  market(symbol: "BTCUSDT") { ${Object.keys(MARKET_FIELDS).map((f) => `${f} { ${META} }`).join(' ')} }
  ${Object.keys(WIDE_FIELDS).map((f) => `${f} { ${META} }`).join(' ')}
}`;

interface Meta {
  stale: boolean;
  inputs: { type: string; interval: string | null; lastAt: string | null; overdue: boolean }[];
}

/** Analysis kind → meta, for every analysis that answered. */
function metasByKind(data: Record<string, unknown>): Map<string, Meta> {
  const out = new Map<string, Meta>();
  const market = (data.market ?? {}) as Record<string, { meta: Meta } | null>;
  for (const [field, kind] of Object.entries(MARKET_FIELDS)) if (market[field]) out.set(kind, market[field]!.meta);
  for (const [field, kind] of Object.entries(WIDE_FIELDS)) {
    const value = data[field] as { meta: Meta } | null | undefined;
    if (value) out.set(kind, value.meta);
  }
  return out;
}

describe('a healthy simulated market over 10 simulated minutes', () => {
  let app: App;
  let url: string;
  let dropMarkPrices = false;
  let readyAt = 0;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let db: Awaited<ReturnType<typeof isolatedDatabase>>;
  /** Real time at which the app was ready: the clock runs SPEED× from then on (see above). */
  let acceleratedAt: number | null = null;
  const clock = () => (acceleratedAt === null ? Date.now() : acceleratedAt + (Date.now() - acceleratedAt) * SPEED);
  const simSleep = (simMs: number) => new Promise((r) => setTimeout(r, simMs / SPEED));

  beforeAll(async () => {
    dir = await tempDir();
    db = await isolatedDatabase();
    const config = loadConfig(testEnv({ DATA_DIR: dir.path, DATABASE_URL: db.url, SYMBOLS: 'BTCUSDT,ETHUSDT,SOLUSDT' }));
    const inner = createSimulatedSource({ seed: 42, tickMs: 20, now: clock, symbols: config.SYMBOLS, tradeRateScale: 0.5 });
    // The same source, with a switch that stops its mark-price stream (a stream that died).
    const source: MarketDataSource = { ...inner, start: (symbols, sink) => inner.start(symbols, (e) => (dropMarkPrices && e.type === 'markPrice' ? undefined : sink(e))) };
    app = createApp({ config, logger: createLogger(config.LOG_LEVEL), source, now: clock });
    url = `http://127.0.0.1:${await app.start(0)}/graphql`;
    acceleratedAt = Date.now();
    readyAt = clock();
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
    await db?.drop();
    await dir?.remove();
  });

  it('shows 0 stale analyses at every sample, all 19 answering', async () => {
    const start = readyAt;
    const staleSeen: string[] = [];
    let samples = 0;
    const answeredKinds = new Set<string>();
    while (clock() - start < 10 * 60_000) {
      const res = await gql<Record<string, unknown>>(url, QUERY).catch(() => undefined);
      if (res?.data) {
        samples += 1;
        for (const [kind, meta] of metasByKind(res.data)) {
          answeredKinds.add(kind);
          if (meta.stale) staleSeen.push(`+${Math.round((clock() - start) / 1000)} s (app ready at +${Math.round((readyAt - start) / 1000)} s) ${kind}: ${JSON.stringify(meta.inputs.filter((i) => i.overdue))}`);
        }
      }
      await simSleep(SAMPLE_EVERY_SIM_MS);
    }
    expect(staleSeen, 'no stale analysis at any sample').toEqual([]);
    expect([...answeredKinds].sort(), 'all 19 analyses answered').toEqual([...Object.values(MARKET_FIELDS), ...Object.values(WIDE_FIELDS)].sort());
    // 600 simulated s / 5 s = 120 samples at most; a busy box answers fewer, but still through the whole run.
    expect(samples).toBeGreaterThanOrEqual(60);
  }, 120_000);

  it('when the mark-price stream stops, exactly the analyses built on it turn stale within heartbeat + grace', async () => {
    const dependent = [...Object.values(MARKET_FIELDS), ...Object.values(WIDE_FIELDS)].filter((k) => inputsOf(k)!.some((i) => i.type === 'markPrice')).sort();
    expect(dependent, 'funding, basis and cascades list the mark price').toEqual(['BASIS', 'FUNDING', 'LIQUIDATION_CASCADES']);
    dropMarkPrices = true;
    const stoppedAt = clock();
    // Mark price: heartbeat 1 s + grace 30 s (STALE_AFTER_MS); the last one arrived at most ~1 s before the stop.
    const dueBy = stoppedAt + 31_000;
    let earlyStale: string[] = [];
    let late: Map<string, Meta> | null = null;
    while (clock() < dueBy + 10_000) {
      const res = await gql<Record<string, unknown>>(url, QUERY).catch(() => undefined);
      const t = clock();
      if (res?.data) {
        const metas = metasByKind(res.data);
        const stale = [...metas].filter(([, m]) => m.stale).map(([k]) => k).sort();
        if (t < stoppedAt + 29_000) earlyStale = earlyStale.concat(stale.map((k) => `${k} at +${Math.round((t - stoppedAt) / 1000)} s`));
        if (t > dueBy + 2_000) late = metas;
      }
      await simSleep(2_000);
    }
    dropMarkPrices = false;
    expect(earlyStale, 'nothing stale before the grace ran out').toEqual([]);
    expect(late, 'sampled after the grace').not.toBeNull();
    const staleKinds = [...late!].filter(([, m]) => m.stale).map(([k]) => k).sort();
    expect(staleKinds, 'exactly the mark-price analyses').toEqual(dependent);
    for (const kind of dependent) {
      const overdue = late!.get(kind)!.inputs.filter((i) => i.overdue).map((i) => i.type);
      expect(overdue, `${kind}: the mark price is the overdue input`).toEqual(['markPrice']);
    }
  }, 120_000);
});
