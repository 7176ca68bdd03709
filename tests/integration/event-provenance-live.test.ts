import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startFakeVenues, wire, type FakeVenues } from '../support/fake-venues.js';
import { gql, tempDir, testEnv, waitFor } from '../support/harness.js';

/**
 * cascadeDetected and liquidation over graphql-ws from the real Binance adapters (fake venue speaking the
 * `<symbol>@forceOrder` wire format, real server, real client). A cascade needs an hour of observed feed
 * for its window and 3 h more for its baseline, so the app's clock runs 1 800× faster than the wall clock
 * (8 s of real time are 4 simulated hours) and every wire event is stamped with that clock, as a venue
 * stamps its own. Script: a quiet baseline of small long liquidations in the first 2.5 h, nothing for 1.5 h,
 * then one large long liquidation worth about 0.75 % of the hourly traded volume.
 */
const SPEED = 1_800;
const H = 3_600_000;
type EventMeta = { source: string; venue: string; asOf: string };
type Cascade = {
  cascadeDetected: {
    symbol: string;
    severity: number;
    level: string;
    velocityUsdPerHour: number;
    volumeShare: number;
    typicalHourlyVolumeUsd: number;
    dominance: string;
    warmingUp: boolean;
    lastLiquidationTime: string;
    meta: EventMeta;
  };
};
type Liq = { liquidation: { notional: number; time: string; meta: EventMeta } };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('event meta from the live adapters: cascadeDetected after a scripted forceOrder burst', () => {
  let venues: FakeVenues;
  let app: App;
  let url: string;
  let client: Client;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let pump: ReturnType<typeof setInterval> | undefined;
  const real0 = Date.now();
  const clock = () => real0 + (Date.now() - real0) * SPEED;

  beforeAll(async () => {
    venues = await startFakeVenues({ symbols: ['BTCUSDT'] });
    dir = await tempDir();
    const config = loadConfig(testEnv({ ...venues.env, SYMBOLS: 'BTCUSDT', DATA_DIR: dir.path, DATABASE_URL: undefined, REDIS_URL: undefined }));
    app = createApp({ config, logger: createLogger(config.LOG_LEVEL), now: clock });
    const port = await app.start(0);
    url = `http://127.0.0.1:${port}/graphql`;
    client = createClient({ url: `ws://127.0.0.1:${port}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
    await waitFor(async () => venues.ws.connections() > 0, 20_000);
    // The mark-price stream keeps the analysis recomputing (velocities decay with time, not only on events).
    pump = setInterval(() => {
      const t = clock();
      venues.ws.send('btcusdt@markPrice@1s', wire.markPrice('BTCUSDT', 60_000, 59_990, 0.0001, Math.ceil(t / 28_800_000) * 28_800_000, t));
    }, 50);
  }, 60_000);
  afterAll(async () => {
    if (pump) clearInterval(pump);
    await client?.dispose();
    await app?.stop();
    await venues?.close();
    await dir?.remove();
  });

  it('announces the burst once, as LIVE binance-usdm with asOf on the venue clock, and streams each order', async () => {
    const t0 = clock();
    const cascades: Cascade[] = [];
    const liquidations: Liq[] = [];
    const errors: unknown[] = [];
    const sink = <T>(into: T[]) => ({ next: (r: { data?: unknown; errors?: unknown }) => (r.errors ? errors.push(r.errors) : into.push(r.data as T)), error: (e: unknown) => errors.push(e), complete: () => {} });
    const stopCascades = client.subscribe<Cascade>(
      {
        query: `subscription { cascadeDetected(symbol: "BTCUSDT") { symbol severity level velocityUsdPerHour volumeShare typicalHourlyVolumeUsd dominance warmingUp lastLiquidationTime meta { source venue asOf } } }`,
      },
      sink(cascades),
    );
    const stopLiquidations = client.subscribe<Liq>({ query: `subscription { liquidation(symbol: "BTCUSDT") { notional time meta { source venue asOf } } }` }, sink(liquidations));
    try {
      // Baseline: one 0.01 BTC long liquidation (600 USD at 60 000) every ~0.3 s of real time until 2.5 h.
      const baseline: number[] = [];
      while (clock() < t0 + 2.5 * H) {
        const t = clock();
        if (t > t0 + 0.2 * H) {
          venues.ws.send('btcusdt@forceOrder', wire.forceOrder('BTCUSDT', 'SELL', 60_000, 0.01, t));
          baseline.push(t);
        }
        await sleep(300);
      }
      expect(baseline.length, 'enough baseline events were sent').toBeGreaterThanOrEqual(5);
      // Quiet until 4.2 h: the baseline is then ≥ 3 h observed and the 1 h window holds no baseline event.
      while (clock() < t0 + 4.2 * H) await sleep(100);
      expect(cascades, 'a quiet feed is not a cascade').toEqual([]);

      const { data } = await gql<{ market: { data: { ticker24h: { quoteVolume: number } } } }>(url, '{ market(symbol: "BTCUSDT") { data { ticker24h { quoteVolume } } } }');
      const hourly = data!.market.data.ticker24h.quoteVolume / 24;
      // 0.75 % of an hour's volume in one order: the volumeShare level is 3 (0.5 %–1 %); against a baseline
      // of a few thousand USD per hour the ratio level is 5 (×16 or more), so the lower one decides.
      const qty = Math.round(((0.0075 * hourly) / 60_000) * 1000) / 1000;
      const burst = [clock()];
      venues.ws.send('btcusdt@forceOrder', wire.forceOrder('BTCUSDT', 'SELL', 60_000, qty, burst[0]!));
      const notional = qty * 60_000;
      await waitFor(async () => cascades.length > 0, 10_000);
      await sleep(300);

      const c = cascades[0]!.cascadeDetected;
      expect(c.meta.source, 'the real adapters are LIVE').toBe('LIVE');
      expect(c.meta.venue).toBe('binance-usdm');
      expect(Date.parse(c.meta.asOf), 'asOf on the venue clock, at or after the burst order').toBeGreaterThanOrEqual(burst[0]!);
      expect(Date.parse(c.meta.asOf), 'asOf is not in the wall clock past').toBeGreaterThan(real0 + 3 * H);
      expect(c.velocityUsdPerHour, 'only the burst lies in the 1 h window').toBeCloseTo(notional, 6);
      expect(c.volumeShare).toBeCloseTo(c.velocityUsdPerHour / c.typicalHourlyVolumeUsd, 12);
      expect(c.volumeShare).toBeGreaterThanOrEqual(0.005);
      expect(c.volumeShare).toBeLessThan(0.01);
      expect(c.severity).toBe(3);
      expect(c.level).toBe('CASCADE');
      expect(c.dominance).toBe('LONGS_LIQUIDATED');
      expect(c.warmingUp, 'window and baseline observed').toBe(false);
      expect(Date.parse(c.lastLiquidationTime)).toBe(burst[0]);
      expect(cascades, 'exactly one alert: CALM to CASCADE').toHaveLength(1);

      const sent = [...baseline, ...burst];
      await waitFor(async () => liquidations.length >= sent.length, 5_000);
      expect(liquidations.map((l) => Date.parse(l.liquidation.time)), 'every order streamed, in order').toEqual(sent);
      for (const l of liquidations) expect(l.liquidation.meta).toEqual({ source: 'LIVE', venue: 'binance-usdm', asOf: l.liquidation.time });
      expect(liquidations.at(-1)!.liquidation.notional).toBe(notional);
      expect(errors).toEqual([]);
    } finally {
      stopCascades();
      stopLiquidations();
    }
  }, 60_000);
});
