import { print, type DocumentNode } from 'graphql';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Liquidation, MarketEvent } from '../../src/domain/market.js';
import type { MarketDataSource } from '../../src/datasources/market-data-source.js';
import {
  CascadeDetectedDocument,
  LiquidationCascadesUpdatedDocument,
  LiquidationStreamDocument,
  MarketLiquidationCascadesDocument,
  MarketsBatchDocument,
  type CascadeDetectedSubscription,
  type LiquidationCascadesUpdatedSubscription,
  type LiquidationStreamSubscription,
  type MarketLiquidationCascadesQuery,
  type MarketsBatchQuery,
} from '../../generated/graphql/graphql.js';
import { gql, isolatedDatabase, startTestApp, tempDir, testEnv, uniqueName, waitFor, SHARED_REDIS_URL, type TestApp, startIsolatedTestApp, type IsolatedTestApp } from '../support/harness.js';
import { wsClient } from '../support/ws.js';
import { createScriptedSource } from '../support/scripted-source.js';

const H = 3_600_000;
const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'];
/** 24 h quote volume of every symbol: a typical hour trades 1 000 000. */
const QUOTE_VOLUME_24H = 24_000_000;

/**
 * A MarketDataSource test double: on start it delivers a trade, a 24 h ticker and a quiet liquidation
 * baseline (2 000 at 5, 4, 3 and 2 hours ago: about 2 000 per hour) per symbol; afterwards it delivers
 * exactly what the test pushes.
 */
function createFakeSource() {
  return createScriptedSource(SYMBOLS, (symbols, s) => {
    const t0 = Date.now();
    for (const symbol of symbols) {
      s({ type: 'trade', trade: { symbol, id: 1, price: 100_000, qty: 1, time: t0, side: 'BUY' } });
      s({
        type: 'ticker24h',
        ticker: { symbol, lastPrice: 100_000, priceChangePercent: 0, highPrice: 101_000, lowPrice: 99_000, volume: 240, quoteVolume: QUOTE_VOLUME_24H, time: t0 },
      });
      for (const hoursAgo of [5, 4, 3, 2]) s({ type: 'liquidation', liquidation: liquidation(symbol, 'SELL', 0.02, 100_000, t0 - hoursAgo * H) });
    }
  });
}

function liquidation(symbol: string, side: 'BUY' | 'SELL', qty: number, price: number, time: number): Liquidation {
  return {
    symbol,
    side,
    liquidatedSide: side === 'SELL' ? 'LONG' : 'SHORT',
    price: side === 'SELL' ? price + 10 : price - 10,
    averagePrice: price,
    qty,
    notional: price * qty,
    time,
    complete: true,
  };
}

const markPrice = (symbol: string): MarketEvent => ({
  type: 'markPrice',
  mark: { symbol, markPrice: 100_000, indexPrice: 100_000, predictedFundingRate: 0.0001, nextFundingTime: Date.now() + H, time: Date.now() },
});

type Typed<R, V> = DocumentNode & { __apiType?: (variables: V) => R };

/** Keeps every event of one subscription until disposed. */
function stream<T>(client: Client, document: DocumentNode, variables: Record<string, unknown>) {
  const events: T[] = [];
  const errors: unknown[] = [];
  const dispose = client.subscribe<T>(
    { query: print(document), variables },
    {
      next: (result) => (result.errors ? errors.push(result.errors) : events.push(result.data as T)),
      error: (error) => errors.push(error),
      complete: () => {},
    },
  );
  return { events, errors, dispose };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('liquidations: raw stream, cascade analysis and alerts, batch markets (test-double source)', () => {
  let app: TestApp;
  let source: ReturnType<typeof createFakeSource>;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let db: Awaited<ReturnType<typeof isolatedDatabase>>;

  async function run<R, V>(doc: Typed<R, V>, variables: V) {
    return gql<R>(app.url, print(doc), variables as Record<string, unknown>);
  }

  beforeAll(async () => {
    dir = await tempDir();
    db = await isolatedDatabase();
    source = createFakeSource();
    const env = testEnv({
      DATA_DIR: dir.path,
      DATABASE_URL: db.url,
      REDIS_URL: SHARED_REDIS_URL,
      REDIS_PREFIX: `${uniqueName('t')}:`,
      SYMBOLS: SYMBOLS.join(','),
    });
    app = await startTestApp(env, source);
  });
  afterAll(async () => {
    await app?.stop();
    await db?.drop();
    await dir?.remove();
  });

  it('starts calm: quiet baseline, empty window, complete feed', async () => {
    const res = await waitFor(async () => {
      source.push(markPrice('BTCUSDT'));
      const r = await run(MarketLiquidationCascadesDocument, { symbol: 'BTCUSDT' });
      return r.data ? r : undefined;
    });
    const c = res.data!.market.liquidationCascades!;
    expect(c.warmingUp, '5 h of backfilled liquidations cover window and 3 h baseline').toBe(false);
    expect(c.velocityUsdPerHour).toBe(0);
    expect(c.baselineVelocityUsdPerHour!, '8 000 over just over 4 h').toBeCloseTo(2_000, -1);
    expect(c.typicalHourlyVolumeUsd, '24 h quote volume / 24').toBe(1_000_000);
    expect(c.severity).toBe(1);
    expect(c.level).toBe('CALM');
    expect(c.dominance).toBe('NONE');
    expect(c.feed).toBe('COMPLETE');
    expect(c.meta.source).toBe('SIMULATED');
    expect(c.meta.venue).toBe('test-double');
    expect(c.meta.methodologyVersion).toBe('liquidation-cascades/1.0.0');
  });

  it('streams the exact liquidations pushed and announces each severity change once', async () => {
    const client = wsClient(app);
    const raw = stream<LiquidationStreamSubscription>(client, LiquidationStreamDocument, { symbol: 'btcusdt' });
    const detected = stream<CascadeDetectedSubscription>(client, CascadeDetectedDocument, { symbol: 'BTCUSDT' });
    const updates = stream<LiquidationCascadesUpdatedSubscription>(client, LiquidationCascadesUpdatedDocument, { symbol: 'BTCUSDT' });
    try {
      // Recomputations (mark price updates) until the last subscription delivers: all three are then live.
      await waitFor(async () => {
        source.push(markPrice('BTCUSDT'));
        return updates.events.length > 0;
      });
      await sleep(300);

      // 1) 6 000 of longs now: velocity 6 000/h = ~3× the baseline (level 2) and 0.6 % of volume (level 3) → 2.
      const long = liquidation('BTCUSDT', 'SELL', 0.06, 100_000, Date.now());
      source.push({ type: 'liquidation', liquidation: long });
      source.push({ type: 'liquidation', liquidation: liquidation('ETHUSDT', 'SELL', 1, 100_000, Date.now()) });
      await waitFor(async () => detected.events.length >= 1);
      expect(detected.events[0]!.cascadeDetected.severity).toBe(2);
      expect(detected.events[0]!.cascadeDetected.level).toBe('ELEVATED');
      expect(detected.events[0]!.cascadeDetected.dominance).toBe('LONGS_LIQUIDATED');

      // Recomputations with the severity unchanged are updates, not alerts.
      const before = updates.events.length;
      for (let i = 0; i < 4; i += 1) {
        source.push(markPrice('BTCUSDT'));
        await sleep(260);
      }
      await waitFor(async () => updates.events.length >= before + 3);
      expect(updates.events.slice(before).map((e) => e.liquidationCascadesUpdated.severity)).toEqual(
        updates.events.slice(before).map(() => 2),
      );
      expect(detected.events, 'no alert while the severity stays 2').toHaveLength(1);

      // 2) 15 000 of shorts: velocity 21 000/h = ~10.5× the baseline (level 4), 2.1 % of volume (level 5) → 4.
      const short = liquidation('BTCUSDT', 'BUY', 0.15, 100_000, Date.now());
      source.push({ type: 'liquidation', liquidation: short });
      await waitFor(async () => detected.events.length >= 2);
      const second = detected.events[1]!.cascadeDetected;
      expect(second.severity).toBe(4);
      expect(second.level).toBe('SEVERE');
      expect(second.velocityUsdPerHour).toBe(21_000);
      expect(second.volumeShare).toBeCloseTo(0.021, 12);
      expect(second.dominance, '15 000 of 21 000 were shorts').toBe('SHORTS_LIQUIDATED');
      for (let i = 0; i < 3; i += 1) {
        source.push(markPrice('BTCUSDT'));
        await sleep(260);
      }
      expect(detected.events.map((e) => e.cascadeDetected.severity), 'exactly one alert per change').toEqual([2, 4]);

      const shape = (l: Liquidation) => ({
        side: l.side,
        liquidatedSide: l.liquidatedSide,
        price: l.price,
        averagePrice: l.averagePrice,
        qty: l.qty,
        notional: l.notional,
        time: new Date(l.time).toISOString(),
        complete: l.complete,
        meta: { source: 'SIMULATED', venue: 'test-double', asOf: new Date(l.time).toISOString() },
      });
      expect(raw.events.map((e) => e.liquidation), 'the BTCUSDT events pushed, in order, and nothing else').toEqual([shape(long), shape(short)]);
      expect(raw.errors.concat(detected.errors, updates.errors)).toEqual([]);
    } finally {
      raw.dispose();
      detected.dispose();
      updates.dispose();
      await client.dispose();
    }
  });

  it('computes a caller-chosen window on demand', async () => {
    const res = await run(MarketLiquidationCascadesDocument, { symbol: 'BTCUSDT', window: 'M15' });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const c = res.data!.market.liquidationCascades!;
    expect(c.windowMs).toBe(900_000);
    expect(c.velocityUsdPerHour, '21 000 in the last 15 min').toBe(84_000);
  });

  it('returns up to 20 markets in the order asked, duplicates included', async () => {
    const res = await run(MarketsBatchDocument, { symbols: ['solusdt', ' BTCUSDT ', 'ethusdt', 'btcusdt'] });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    expect(res.data!.markets.map((m) => m.symbol)).toEqual(['SOLUSDT', 'BTCUSDT', 'ETHUSDT', 'BTCUSDT']);
    expect(res.data!.markets[1]!.liquidationCascades!.severity).toBe(res.data!.markets[3]!.liquidationCascades!.severity);

    const twenty = await run(MarketsBatchDocument, { symbols: Array.from({ length: 20 }, (_, i) => SYMBOLS[i % 3]!) });
    expect(twenty.errors).toBeUndefined();
    expect(twenty.data!.markets).toHaveLength(20);
  });

  it('rejects 21 symbols and unknown symbols with BAD_USER_INPUT', async () => {
    const tooMany = await run(MarketsBatchDocument, { symbols: Array.from({ length: 21 }, () => 'BTCUSDT') });
    expect(tooMany.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(tooMany.errors![0]!.message).toContain('at most 20 symbols per request, got 21');
    expect(tooMany.data ?? null).toBeNull();

    const unknown = await run(MarketsBatchDocument, { symbols: ['BTCUSDT', 'NOPEUSDT'] });
    expect(unknown.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(unknown.errors![0]!.message).toContain('Unknown symbol "NOPEUSDT"');
  });
});

describe('liquidation cascades on the simulated market (offline)', () => {
  let app: IsolatedTestApp;

  beforeAll(async () => {
    app = await startIsolatedTestApp({ REDIS_URL: SHARED_REDIS_URL, REDIS_PREFIX: `${uniqueName('t')}:` });
  });
  afterAll(() => app?.teardown());

  it('analyses the backfilled liquidations of every symbol from a complete feed', async () => {
    const res = await waitFor(async () => {
      const r = await gql<MarketsBatchQuery>(app.url, print(MarketsBatchDocument), { symbols: SYMBOLS });
      return r.data ? r : undefined;
    });
    for (const m of res.data!.markets) {
      const c = m.liquidationCascades!;
      // The backfill reaches 6 h back, but observation is only known from its oldest liquidation on.
      if (c.severity === null) expect(c.velocityUsdPerHour, `${m.symbol}: no severity only while the window is not observed`).toBeNull();
      else expect([1, 2, 3, 4, 5]).toContain(c.severity);
      expect(c.meta.stale).toBe(false);
    }
    const detail = await gql<MarketLiquidationCascadesQuery>(app.url, print(MarketLiquidationCascadesDocument), { symbol: 'SOLUSDT' });
    const c = detail.data!.market.liquidationCascades!;
    expect(c.feed, 'the simulated venue reports every liquidation').toBe('COMPLETE');
    expect(c.meta.source).toBe('SIMULATED');
  });
});
