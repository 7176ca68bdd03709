import { print } from 'graphql';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BasisUpdatedDocument,
  MarketBasisDocument,
  MarketDerivativesDocument,
  SnapshotsDocument,
  type BasisUpdatedSubscription,
  type MarketDerivativesQuery,
} from '../../generated/graphql/graphql.js';
import { uniqueName, waitFor, SHARED_REDIS_URL, startIsolatedTestApp, type IsolatedTestApp } from '../support/harness.js';
import { run, collectEvents, wsClient } from '../support/ws.js';

const collect = <T>(client: Client, query: string, variables: Record<string, unknown>, count: number, timeoutMs = 15_000) => collectEvents<T>(client, query, variables, count, timeoutMs);

const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);

describe('derivatives analyses end to end (simulated market)', () => {
  let app: IsolatedTestApp;
  let market: MarketDerivativesQuery['market'];

  beforeAll(async () => {
    app = await startIsolatedTestApp({ REDIS_URL: SHARED_REDIS_URL, REDIS_PREFIX: `${uniqueName('t')}:` });
    const res = await waitFor(async () => {
      const r = await run(app, MarketDerivativesDocument, { symbol: 'BTCUSDT' });
      return r.data ? r : undefined;
    });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    market = res.data!.market;
  });
  afterAll(() => app?.teardown());

  it('serves open interest with per-horizon changes, a quadrant and explained factors', () => {
    const oi = market.openInterest!;
    expect(oi.meta.source, 'simulated data is never LIVE').toBe('SIMULATED');
    expect(oi.meta.methodologyVersion).toBe('open-interest/1.0.0');
    expect(oi.openInterest).toBeGreaterThan(0);
    expect(oi.openInterestValue!, 'the simulated venue reports the USD value').toBeGreaterThan(0);
    expect(oi.changes.map((c) => c.horizon)).toEqual(['M5', 'H1', 'H4', 'H24']);

    const h1 = oi.changes.find((c) => c.horizon === 'H1')!;
    expect(h1.oiChangePct, '30 backfilled 5-minute points (2.5 h) reach back 1 h').not.toBeNull();
    const from = oi.openInterest! - h1.oiChange!;
    expect(h1.oiChangePct!, 'percent change = change / value then × 100').toBeCloseTo((h1.oiChange! / from) * 100, 9);
    expect(Math.abs(Date.parse(oi.time) - Date.parse(h1.fromTime!) - 3_600_000), 'span within ±10 % of 1 h').toBeLessThanOrEqual(360_000);
    expect(oi.warmingUp, 'the 1 h quadrant horizon is measurable').toBe(false);
    expect(oi.quadrant, 'top-level quadrant is the 1 h one').toBe(h1.quadrant);

    const h24 = oi.changes.find((c) => c.horizon === 'H24')!;
    expect(h24.oiChangePct, 'the backfill does not reach 24 h back: no invented number').toBeNull();
    expect(h24.fromTime).toBeNull();
    expect(h24.note).toContain('history reaches back');

    expect(sum(oi.factors.map((f) => f.weight)), 'weights sum to 1').toBeCloseTo(1, 12);
    expect(oi.score, 'score = 100 × Σ contributions').toBeCloseTo(100 * sum(oi.factors.map((f) => f.contribution)), 1);
  });

  it('serves long/short crowding with percentiles against the stored history', () => {
    const ls = market.longShort!;
    expect(ls.meta.source).toBe('SIMULATED');
    expect(ls.meta.methodologyVersion).toBe('long-short/1.0.0');
    expect(ls.warmingUp, '30 backfilled periods give 29 earlier readings (need 10)').toBe(false);
    for (const reading of [ls.globalAccounts!, ls.topAccounts!, ls.topPositions!]) {
      expect(reading.longShare, 'long share = ratio / (1 + ratio)').toBeCloseTo(reading.ratio / (1 + reading.ratio), 12);
      expect(reading.sampleSize).toBeGreaterThanOrEqual(29);
      expect(reading.percentile!).toBeGreaterThanOrEqual(0);
      expect(reading.percentile!).toBeLessThanOrEqual(100);
    }
    expect(ls.takerBuySell!.percentile).not.toBeNull();
    expect(ls.retailWhaleDivergence!, 'retail − whale long share').toBeCloseTo(ls.globalAccounts!.longShare - ls.topPositions!.longShare, 12);
    const expectedBias = ls.signal === 'CROWDED_LONGS' ? 'BEARISH' : ls.signal === 'CROWDED_SHORTS' ? 'BULLISH' : 'NEUTRAL';
    expect(ls.contrarianBias, 'contrarian bias follows the crowded side only').toBe(expectedBias);
    expect(ls.factors.map((f) => f.name)).toEqual(['retailLevel', 'retailPercentile', 'retailWhaleDivergence', 'takerPercentile']);
    expect(ls.score).toBeCloseTo(100 * sum(ls.factors.map((f) => f.contribution)), 1);
  });

  it('serves the basis against spot and index, annualized per funding period', () => {
    const b = market.basis!;
    expect(b.meta.source).toBe('SIMULATED');
    expect(b.meta.methodologyVersion).toBe('basis/1.1.0');
    expect(b.warmingUp, 'the simulated market publishes a spot price every second').toBe(false);
    expect(b.perpPriceSource, 'the mark price is preferred').toBe('MARK');
    expect(b.perpPrice).toBe(b.markPrice);
    expect(b.basisPct!, '(perp − spot) / spot × 100').toBeCloseTo(((b.perpPrice! - b.spotPrice!) / b.spotPrice!) * 100, 9);
    expect(b.periodsPerYear, '3 funding periods a day × 365').toBe(1095);
    expect(b.annualizedBasisPct!).toBeCloseTo(b.basisPct! * 1095, 9);
    expect(b.premiumPct!).toBeCloseTo(((b.markPrice! - b.indexPrice!) / b.indexPrice!) * 100, 9);
    expect([b.contangoPct, b.backwardationPct], 'default thresholds').toEqual([0.05, -0.05]);
    expect(b.structureReference).toBe('SPOT');
    const expected = b.basisPct! >= 0.05 ? 'CONTANGO' : b.basisPct! <= -0.05 ? 'BACKWARDATION' : 'NORMAL';
    expect(b.structure).toBe(expected);
  });

  it('serves the deeper funding analysis (methodology 1.1)', () => {
    const f = market.funding!;
    expect(f.meta.methodologyVersion).toBe('funding/1.2.0');
    expect(f.percentile!, '90 backfilled settlements').toBeGreaterThanOrEqual(0);
    expect(f.percentile!).toBeLessThanOrEqual(100);
    expect(f.persistence.signStreak).toBeGreaterThanOrEqual(1);
    expect(f.persistence.sign).toBe(f.rate > 0 ? 'POSITIVE' : f.rate < 0 ? 'NEGATIVE' : 'ZERO');
    expect(f.reversal.horizon).toBe(3);
    if (f.reversal.probability !== null) expect(f.reversal.probability).toBeCloseTo(f.reversal.flips / f.reversal.sampleSize, 12);
    else expect(f.reversal.note).toMatch(/need 10|no sign/);
  });

  it('classifies the basis with caller-chosen thresholds and rejects invalid ones', async () => {
    const custom = await run(app, MarketBasisDocument, { symbol: 'ETHUSDT', contangoPct: 5, backwardationPct: -5 });
    expect(custom.errors, JSON.stringify(custom.errors)).toBeUndefined();
    const b = custom.data!.market.basis!;
    expect([b.contangoPct, b.backwardationPct], 'the thresholds used are echoed').toEqual([5, -5]);
    expect(b.structure, 'a ±5 % band holds any simulated basis').toBe('NORMAL');

    const negative = await run(app, MarketBasisDocument, { symbol: 'ETHUSDT', contangoPct: -0.1 });
    expect(negative.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(negative.errors![0]!.message).toContain('contangoPct must be > 0');

    const positive = await run(app, MarketBasisDocument, { symbol: 'ETHUSDT', backwardationPct: 0.1 });
    expect(positive.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(positive.errors![0]!.message).toContain('backwardationPct must be < 0');
  });

  // basisUpdated is the one that streams fast offline: it follows the mark and spot prices (every second),
  // while the simulated market publishes open interest once a minute and ratios every 5 minutes.
  it('streams the typed basisUpdated subscription over graphql-ws', async () => {
    const client = wsClient(app);
    try {
      const events = await collect<BasisUpdatedSubscription>(client, print(BasisUpdatedDocument), { symbol: 'solusdt' }, 2);
      for (const { basisUpdated: b } of events) {
        expect(b.symbol, 'symbol normalised to upper case').toBe('SOLUSDT');
        expect(b.meta.source).toBe('SIMULATED');
        expect(b.meta.methodologyVersion).toBe('basis/1.1.0');
        expect(b.structure).toMatch(/^(CONTANGO|NORMAL|BACKWARDATION)$/);
        expect(b.annualizedBasisPct!).toBeCloseTo(b.basisPct! * 1095, 9);
      }
      const [first, second] = events.map((e) => Date.parse(e.basisUpdated.meta.asOf));
      expect(second! > first!, 'each update is based on newer prices').toBe(true);
    } finally {
      await client.dispose();
    }
  });

  it('snapshots the new kinds without further wiring', async () => {
    for (const kind of ['OPEN_INTEREST', 'LONG_SHORT', 'BASIS'] as const) {
      const rows = await waitFor(async () => {
        const r = await run(app, SnapshotsDocument, { kind, symbol: 'BTCUSDT', limit: 1 });
        return (r.data?.snapshots?.length ?? 0) > 0 ? r.data!.snapshots! : undefined;
      });
      expect(rows[0]!.kind).toBe(kind);
      expect((rows[0]!.payload as { symbol: string }).symbol).toBe('BTCUSDT');
    }
  });
});
