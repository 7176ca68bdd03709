import { print } from 'graphql';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AnalysisUpdatedDocument,
  LiquidationHeatmapUpdatedDocument,
  MarketLiquidationHeatmapDocument,
  type AnalysisUpdatedSubscription,
  type LiquidationHeatmapUpdatedSubscription,
  type MarketLiquidationHeatmapQuery,
  type MarketLiquidationHeatmapQueryVariables,
} from '../../generated/graphql/graphql.js';
import { uniqueName, waitFor, SHARED_REDIS_URL, startIsolatedTestApp, type IsolatedTestApp } from '../support/harness.js';
import { run, collectEvents, wsClient } from '../support/ws.js';

type Heatmap = NonNullable<MarketLiquidationHeatmapQuery['market']['liquidationHeatmap']>;

const collect = <T>(client: Client, query: string, variables: Record<string, unknown>, count: number, timeoutMs = 15_000) => collectEvents<T>(client, query, variables, count, timeoutMs);

/** Invariants every heatmap keeps, whatever the market did. */
function expectConsistent(h: Heatmap, buckets: number, rangePct: number): void {
  expect(h.buckets, 'requested bucket count').toHaveLength(buckets);
  expect(h.rangePct).toBe(rangePct);
  expect(h.rangeLow, 'price × (1 − rangePct / 100)').toBeCloseTo(h.price * (1 - rangePct / 100), 6);
  expect(h.rangeHigh, 'price × (1 + rangePct / 100)').toBeCloseTo(h.price * (1 + rangePct / 100), 6);
  expect(h.buckets.filter((b) => b.longNotional > 0 && !(b.priceLow < h.price)), 'long liquidations only below the price').toEqual([]);
  expect(h.buckets.filter((b) => b.shortNotional > 0 && !(b.priceHigh > h.price)), 'short liquidations only above the price').toEqual([]);
  const t = h.totals;
  const tol = 1e-6 * Math.max(1, t.allocatedNotional);
  const inBuckets = h.buckets.reduce((s, b) => s + b.totalNotional, 0);
  expect(Math.abs(inBuckets + t.outOfRangeLongNotional + t.outOfRangeShortNotional - t.remainingNotional), 'buckets + outside = remaining').toBeLessThan(tol);
  expect(Math.abs(t.allocatedNotional - t.reducedNotional - t.liquidatedNotional - t.remainingNotional), 'allocated = reduced + liquidated + remaining').toBeLessThan(tol);
  expect(h.timeline.prices, 'y axis = bucket mids').toEqual(h.buckets.map((b) => b.price));
  expect(h.timeline.slices.every((s) => s.notional.length === buckets), 'matrix rows are as wide as the buckets').toBe(true);
  expect(h.factors.map((f) => f.name)).toEqual(['rangeImbalance', 'nearImbalance', 'cascadeSkew']);
  expect(h.pressureScore, 'score = 100 × Σ contributions').toBeCloseTo(100 * h.factors.reduce((s, f) => s + f.contribution, 0), 1);
  expect(h.meta.source, 'simulated market is never LIVE').toBe('SIMULATED');
  expect(h.meta.methodologyVersion).toBe('liquidation-heatmap/1.1.1');
}

describe('liquidation heatmap end to end (simulated market)', () => {
  let app: IsolatedTestApp;

  beforeAll(async () => {
    app = await startIsolatedTestApp({ REDIS_URL: SHARED_REDIS_URL, REDIS_PREFIX: `${uniqueName('t')}:`, SYMBOLS: 'BTCUSDT,ETHUSDT' });
  });
  afterAll(() => app?.teardown());

  it('serves the default heatmap: ±10 %, 100 buckets, the documented leverage mix on the BTCUSDT brackets', async () => {
    const res = await waitFor(async () => {
      const r = await run(app, MarketLiquidationHeatmapDocument, { symbol: 'btcusdt' });
      return r.data ? r : undefined;
    });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const h = res.data!.market.liquidationHeatmap!;
    expectConsistent(h, 100, 10);
    expect(h.warmingUp, 'the simulated market backfills 30 open-interest points and hourly candles').toBe(false);
    expect(h.totals.allocatedNotional, 'backfilled open-interest increases become entries').toBeGreaterThan(0);
    expect(h.totals.seededOpenInterest, 'the open interest at the first observation is seeded').toBeGreaterThan(0);
    expect(h.totals.coverage!, 'modelled notional accounts for most of the open interest (was ≈ 0.3 %)').toBeGreaterThan(0.5);
    expect(h.totals.coverage!).toBeLessThanOrEqual(1.5);
    expect(h.leverageTiers.map((x) => [x.leverage, x.weight])).toEqual([
      [2, 0.05],
      [3, 0.05],
      [5, 0.1],
      [10, 0.2],
      [20, 0.2],
      [25, 0.15],
      [50, 0.12],
      [75, 0.06],
      [100, 0.05],
      [125, 0.02],
    ]);
    expect(h.leverageTiers[0]!.maintenanceMarginRate, 'a 10 000 USDT position is in BTCUSDT bracket 1').toBe(0.004);
    expect(h.bracketTable).toBe('Binance BTCUSDT');
    expect(h.buckets[0]!.tiers.map((x) => x.leverage), 'tier breakdown per bucket').toHaveLength(10);
    expect(h.timeline.slices, 'default 24 time slices').toHaveLength(24);
    expect(h.cascade.atr, 'hourly ATR from the backfill').toBeGreaterThan(0);
    expect(h.cascade.upProbability! >= 0 && h.cascade.upProbability! <= 1, 'a probability').toBe(true);
    expect(['UP', 'DOWN', 'NEUTRAL']).toContain(h.cascade.direction);
    expect(['LONG_HEAVY', 'SHORT_HEAVY', 'BALANCED']).toContain(h.pressure);
    expect(h.signal.length, 'plain-language signal').toBeGreaterThan(20);
    expect(h.assumptions.join('\n'), 'model described').toContain('Leverage mix: 2x 5.0 %');
    expect(h.whaleTargets.length, 'clusters found').toBeGreaterThan(0);
    for (const w of h.whaleTargets) expect(['LOW', 'MEDIUM', 'HIGH', 'EXTREME']).toContain(w.risk);
  });

  it('computes custom leverages, range and bucket count on demand', async () => {
    const variables: MarketLiquidationHeatmapQueryVariables = { symbol: 'ETHUSDT', leverages: [100, 10, 25], rangePct: 5, buckets: 40 };
    const res = await run(app, MarketLiquidationHeatmapDocument, variables);
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const h = res.data!.market.liquidationHeatmap!;
    expectConsistent(h, 40, 5);
    expect(h.leverageTiers.map((x) => x.leverage), 'sorted ascending').toEqual([10, 25, 100]);
    for (const x of h.leverageTiers) expect(x.weight, 'equal weights').toBeCloseTo(1 / 3, 12);
    expect(h.bracketTable).toBe('Binance ETHUSDT');
    expect(h.buckets.every((b) => b.tiers.length === 3), 'breakdown over the chosen tiers').toBe(true);
    expect(h.assumptions.join('\n')).toContain('Leverage mix: 10x 33.3 %, 25x 33.3 %, 100x 33.3 %');
  });

  it('rejects invalid arguments with BAD_USER_INPUT errors that say what is wrong', async () => {
    const cases: [Partial<MarketLiquidationHeatmapQueryVariables>, string][] = [
      [{ leverages: [0] }, 'each leverage must be at least 1'],
      [{ leverages: [126] }, 'each leverage must be at most 125'],
      [{ leverages: [] }, 'leverages must have at least 1 item'],
      [{ leverages: Array.from({ length: 21 }, (_, i) => i + 1) }, 'leverages must have at most 20 items'],
      [{ leverages: [10, 10] }, 'leverages must be distinct'],
      [{ rangePct: 0 }, 'rangePct must be greater than 0'],
      [{ rangePct: 50.5 }, 'rangePct must be at most 50'],
      [{ buckets: 9 }, 'buckets must be at least 10'],
      [{ buckets: 401 }, 'buckets must be at most 400'],
    ];
    for (const [args, message] of cases) {
      const res = await run(app, MarketLiquidationHeatmapDocument, { symbol: 'BTCUSDT', ...args });
      expect(res.errors?.[0]?.extensions?.code, JSON.stringify(args)).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0]?.message, JSON.stringify(args)).toContain(message);
    }
    const unknown = await run(app, MarketLiquidationHeatmapDocument, { symbol: 'NOPEUSDT' });
    expect(unknown.errors?.[0]?.extensions?.code, 'unknown symbol').toBe('BAD_USER_INPUT');
  });

  it('streams liquidationHeatmapUpdated and analysisUpdated(kind: LIQUIDATION_HEATMAP) over graphql-ws', async () => {
    const client = wsClient(app);
    try {
      const [[typed], [untyped]] = await Promise.all([
        collect<LiquidationHeatmapUpdatedSubscription>(client, print(LiquidationHeatmapUpdatedDocument), { symbol: 'ethusdt' }, 1),
        collect<AnalysisUpdatedSubscription>(client, print(AnalysisUpdatedDocument), { kind: 'LIQUIDATION_HEATMAP', symbol: 'BTCUSDT' }, 1),
      ]);
      const update = typed!.liquidationHeatmapUpdated;
      expect(update.symbol).toBe('ETHUSDT');
      expect(update.meta.source).toBe('SIMULATED');
      expect(update.meta.methodologyVersion).toBe('liquidation-heatmap/1.1.1');
      expect(update.totals.remainingNotional).toBeGreaterThanOrEqual(0);
      expect(untyped!.analysisUpdated.kind).toBe('LIQUIDATION_HEATMAP');
      const payload = untyped!.analysisUpdated.payload as { symbol: string; buckets: unknown[] };
      expect(payload.symbol).toBe('BTCUSDT');
      expect(payload.buckets, 'the full result as JSON').toHaveLength(100);
    } finally {
      await client.dispose();
    }
  });
});
