import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MarketCascadesOnVenueDocument, MarketFundingOnVenueDocument, MarketVenuesDocument, type MarketVenuesQuery } from '../../generated/graphql/graphql.js';
import { venueShape, SIMULATED_VENUE_PROFILES } from '../../src/datasources/simulated/venue-variant.js';
import { startFakeBybit, type FakeBybit } from '../support/fake-bybit.js';
import { startFakeOkx, type FakeOkx } from '../support/fake-okx.js';
import { startFakeVenues, type FakeVenues } from '../support/fake-venues.js';
import { gql, startIsolatedTestApp, startTestApp, tempDir, testEnv, waitFor, type IsolatedTestApp, type TestApp } from '../support/harness.js';
import { run } from '../support/ws.js';

type M = MarketVenuesQuery['market'];
const complete = (m: M | undefined) => m?.venues && m.aggregatedOpenInterest && m.aggregatedFunding && m.fundingArbitrage && m.priceSpread && m.aggregatedCvd;

/** The checks every multi-venue answer must pass, recomputed from the response by hand. */
function checkAggregates(m: M): void {
  const oi = m.aggregatedOpenInterest!;
  expect(oi.totalUsd, 'total = Σ venue oiUsd').toBeCloseTo(oi.venues.reduce((s, v) => s + v.oiUsd, 0), 3);
  expect(oi.venues.reduce((s, v) => s + v.share, 0), 'shares sum to 1').toBeCloseTo(1, 12);
  const f = m.aggregatedFunding!;
  const byOi = f.venues.filter((v) => v.oiWeight !== null);
  expect(f.oiWeighted.rate8h!, 'Σ oiWeight × rate8h').toBeCloseTo(byOi.reduce((s, v) => s + v.oiWeight! * v.rate8h, 0), 15);
  for (const v of f.venues) expect(v.rate8h, `${v.venue}: rate × 8 / interval`).toBeCloseTo((v.rate * 8) / v.fundingIntervalHours, 15);
  const arb = m.fundingArbitrage!;
  const ann = arb.venues.map((v) => v.annualizedRate);
  expect(arb.best!.spreadAnnualized, 'max − min annualised').toBeCloseTo(Math.max(...ann) - Math.min(...ann), 12);
  const prices = m.priceSpread!.venues.map((v) => v.price);
  expect(m.priceSpread!.spread!, 'highest − lowest price').toBeCloseTo(Math.max(...prices) - Math.min(...prices), 6);
  const cvd = m.aggregatedCvd!;
  for (const b of cvd.bars) expect(b.venueDeltas.reduce((s, x) => s + x, 0), 'bar delta = Σ venue deltas').toBeCloseTo(b.delta, 9);
  // The first bar is the first one every venue's trades cover (up to a minute after the last venue's first trade).
  if (cvd.cvd === null) return;
  expect(cvd.cvd, 'cvd = Σ bar deltas').toBeCloseTo(cvd.bars.reduce((s, b) => s + b.delta, 0), 9);
  expect(cvd.cvd, 'cvd = Σ venue deltas').toBeCloseTo(cvd.venues.reduce((s, v) => s + v.delta, 0), 9);
}

describe('venues on the simulated market (MARKET_VENUES=binance,bybit,okx)', () => {
  let app: IsolatedTestApp;
  beforeAll(async () => {
    app = await startIsolatedTestApp({ MARKET_VENUES: 'binance,bybit,okx', SYMBOLS: 'BTCUSDT,ETHUSDT' });
  }, 60_000);
  afterAll(() => app?.teardown());

  it('lists three simulated venues, correlated but distinct, and aggregates them', async () => {
    const r = await waitFor(async () => {
      const res = await run(app, MarketVenuesDocument, { symbol: 'BTCUSDT' });
      return complete(res.data?.market) && res.data!.market.venues!.every((v) => v.status === 'OK') ? res : undefined;
    }, 30_000);
    expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
    const m = r.data!.market;
    expect(m.venues!.map((v) => [v.venue, v.name, v.primary])).toEqual([
      ['BINANCE', 'simulated', true],
      ['BYBIT', 'simulated-bybit', false],
      ['OKX', 'simulated-okx', false],
    ]);
    for (const v of m.venues!) {
      expect(v.meta.source, 'simulated venues are never LIVE').toBe('SIMULATED');
      expect(v.price! / m.venues![0]!.price!, `${v.venue} within 0.2 % of the simulated Binance`).toBeCloseTo(1, 2);
      expect(v.funding && v.openInterest && v.volume24h, 'every value present').toBeTruthy();
    }
    expect(new Set(m.venues!.map((v) => v.price)).size, 'distinct prices').toBe(3);
    const [binance, bybit, okx] = m.aggregatedOpenInterest!.venues;
    // OI × share(t): 0.55 and 0.40 of Binance, ±4 % waves, value also × the price premium (a few bp).
    expect(bybit!.oiUsd / binance!.oiUsd).toBeGreaterThan(SIMULATED_VENUE_PROFILES.BYBIT.oiShare * 0.95);
    expect(bybit!.oiUsd / binance!.oiUsd).toBeLessThan(SIMULATED_VENUE_PROFILES.BYBIT.oiShare * 1.05);
    expect(okx!.oiUsd / binance!.oiUsd).toBeGreaterThan(SIMULATED_VENUE_PROFILES.OKX.oiShare * 0.95);
    expect(okx!.oiUsd / binance!.oiUsd).toBeLessThan(SIMULATED_VENUE_PROFILES.OKX.oiShare * 1.05);
    expect(m.aggregatedOpenInterest!.meta).toMatchObject({ source: 'SIMULATED', venue: 'aggregated', stale: false });
    expect(m.aggregatedOpenInterest!.excluded).toEqual([]);
    expect(m.aggregatedFunding!.oiWeighted.contributors).toEqual(['BINANCE', 'BYBIT', 'OKX']);
    checkAggregates(m);
  }, 60_000);

  it('funding(venue: BYBIT) is the simulated funding plus the venue offset, deterministic from (seed, venue, symbol, time)', async () => {
    const [primary, bybit] = await Promise.all(
      (['BINANCE', 'BYBIT'] as const).map(async (venue) => {
        const r = await waitFor(async () => (await run(app, MarketFundingOnVenueDocument, { symbol: 'BTCUSDT', venue })).data?.market.funding ?? undefined, 30_000);
        return r;
      }),
    );
    expect(primary!.meta.venue).toBe('simulated');
    expect(bybit!.meta).toMatchObject({ venue: 'simulated-bybit', source: 'SIMULATED' });
    expect(bybit!.lastFundingTime).toBe(primary!.lastFundingTime);
    const ls = await waitFor(async () => (await run(app, MarketFundingOnVenueDocument, { symbol: 'BTCUSDT', venue: 'OKX' })).data?.market.longShort ?? undefined, 30_000);
    expect(ls.meta.venue, 'longShort(venue: OKX) reads the OKX store').toBe('simulated-okx');
    const offset = venueShape(app.config.SIM_SEED, 'BYBIT', 'BTCUSDT').fundingOffset(Date.parse(primary!.lastFundingTime));
    expect(bybit!.rate - primary!.rate, 'settled rate + the venue offset at the settlement').toBeCloseTo(offset, 15);
  }, 60_000);

  it('liquidationCascades(venue: AGGREGATED) merges the liquidations of the three simulated venues', async () => {
    const c = await waitFor(async () => {
      const r = await run(app, MarketCascadesOnVenueDocument, { symbol: 'BTCUSDT', venue: 'AGGREGATED' });
      return r.data?.market.liquidationCascades?.contributors?.length === 3 ? r.data.market.liquidationCascades : undefined;
    }, 30_000);
    expect(c.meta).toMatchObject({ venue: 'aggregated', source: 'SIMULATED' });
    expect(c.notionalUsd, 'the merged window notional is the sum of the venues').toBeCloseTo(c.venues!.reduce((s, v) => s + v.notionalUsd, 0), 3);
    expect(c.count).toBe(c.venues!.reduce((s, v) => s + v.count, 0));
    const one = await run(app, MarketCascadesOnVenueDocument, { symbol: 'BTCUSDT', venue: 'OKX' });
    expect(one.data?.market.liquidationCascades?.meta.venue).toBe('simulated-okx');
    expect(one.data?.market.liquidationCascades?.contributors, 'one venue: no merge lists').toBeNull();
  }, 60_000);

  it('aggregatedCvd sums the three venues trade deltas per 1-minute bar once every venue covers a bar', async () => {
    // The first bar is the one after the last venue's first trade: up to a minute after the start.
    const m = await waitFor(async () => {
      const r = await run(app, MarketVenuesDocument, { symbol: 'BTCUSDT' });
      return (r.data?.market.aggregatedCvd?.bars.length ?? 0) > 0 ? r.data!.market : undefined;
    }, 90_000, 500);
    const cvd = m.aggregatedCvd!;
    expect(cvd.contributors).toEqual(['BINANCE', 'BYBIT', 'OKX']);
    expect(cvd.meta).toMatchObject({ venue: 'aggregated', source: 'SIMULATED' });
    expect(cvd.bars[0]!.time).toBe(cvd.coveredFrom);
    const [binance, bybit, okx] = cvd.venues;
    // Simulated venues trade the same flow × their volume share (0.45, 0.35 of Binance).
    expect(bybit!.delta).toBeCloseTo(binance!.delta * SIMULATED_VENUE_PROFILES.BYBIT.volumeShare, 6);
    expect(okx!.delta).toBeCloseTo(binance!.delta * SIMULATED_VENUE_PROFILES.OKX.volumeShare, 6);
    checkAggregates(m);
  }, 120_000);

  it('refuses AGGREGATED and DERIBIT on per-venue fields with BAD_USER_INPUT naming the supported venues', async () => {
    for (const venue of ['AGGREGATED', 'DERIBIT'] as const) {
      const r = await run(app, MarketFundingOnVenueDocument, { symbol: 'BTCUSDT', venue });
      const errors = r.errors ?? [];
      expect(errors.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT', 'BAD_USER_INPUT']);
      expect(errors[0]!.message).toContain('supported venues: BINANCE, BYBIT, OKX');
      if (venue === 'AGGREGATED') expect(errors.map((e) => e.message).join()).toMatch(/Market\.aggregatedFunding.*|Market\.aggregatedOpenInterest/);
    }
  }, 30_000);
});

describe('venues live: Bybit primary and OKX (fake venues, real wire formats), OKX going down', () => {
  let bybit: FakeBybit;
  let okx: FakeOkx;
  let venues: FakeVenues;
  let app: TestApp;
  let dir: Awaited<ReturnType<typeof tempDir>>;

  beforeAll(async () => {
    [bybit, okx, venues] = await Promise.all([startFakeBybit({ symbols: ['BTCUSDT'] }), startFakeOkx({ symbols: ['BTCUSDT'] }), startFakeVenues({ symbols: ['BTCUSDT'] })]);
    dir = await tempDir();
    app = await startTestApp(
      testEnv({
        ...venues.env,
        MARKET_SOURCE: 'bybit',
        MARKET_VENUES: 'okx',
        BYBIT_REST_URL: bybit.url,
        BYBIT_STREAM_URL: bybit.wsUrl,
        OKX_REST_URL: okx.url,
        OKX_STREAM_URL: okx.wsUrl,
        SYMBOLS: 'BTCUSDT',
        STALE_AFTER_MS: '3000',
        DATA_DIR: dir.path,
        DATABASE_URL: undefined,
        REDIS_URL: undefined,
      }),
    );
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
    await Promise.allSettled([bybit?.close(), okx?.close(), venues?.close()]);
    await dir?.remove();
  });

  it('aggregates both live venues with their own funding, then lists OKX STALE with the reason once it stops', async () => {
    const r = await waitFor(async () => {
      const res = await run(app, MarketVenuesDocument, { symbol: 'BTCUSDT' });
      const m = res.data?.market;
      return complete(m) && m!.venues!.every((v) => v.status === 'OK') && m!.aggregatedFunding!.contributors.length === 2 ? m : undefined;
    }, 30_000);
    expect(r.venues!.map((v) => [v.venue, v.name, v.primary, v.meta.source])).toEqual([
      ['BYBIT', 'bybit-linear', true, 'LIVE'],
      ['OKX', 'okx-swap', false, 'LIVE'],
    ]);
    const next = Math.floor(Date.now() / 28_800_000) * 28_800_000 + 28_800_000;
    const rates = Object.fromEntries(r.aggregatedFunding!.venues.map((v) => [v.venue, v.rate]));
    expect(rates.OKX, 'OKX predicted rate as the fake publishes it').toBe(okx.fundingRateAt('BTCUSDT', next));
    expect(rates.BYBIT, 'Bybit predicted rate as the fake publishes it').toBe(bybit.fundingRateAt('BTCUSDT', next));
    checkAggregates(r);
    const onOkx = await run(app, MarketFundingOnVenueDocument, { symbol: 'BTCUSDT', venue: 'OKX' });
    expect(onOkx.data?.market.funding?.meta.venue).toBe('okx-swap');
    const health = await gql<{ health: { venues: Array<{ venue: string; state: string }> } }>(app.url, '{ health { venues { venue state } } }');
    expect(health.data!.health.venues.map((v) => v.venue), 'the other venue reports its health after the primary and the market-wide venues').toEqual(['bybit-linear', 'deribit', 'alternative.me', 'coingecko', 'okx-swap']);
    const binance = await run(app, MarketFundingOnVenueDocument, { symbol: 'BTCUSDT', venue: 'BINANCE' });
    expect(binance.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(binance.errors?.[0]?.message).toContain('supported venues: BYBIT, OKX');

    // The OKX stream subscribes after its REST backfill: let its trades flow before taking the venue down.
    await waitFor(async () => okx.ws.openClients().some((c) => [...c.topics].some((t) => t.includes('"trades"'))) || undefined, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await okx.close();
    let lastSeen: M | undefined;
    const after = await waitFor(async () => {
      const m = (await run(app, MarketVenuesDocument, { symbol: 'BTCUSDT' })).data?.market;
      // Each value judges its own inputs (mark price, trades, open interest): wait until all of them are overdue.
      lastSeen = m;
      return m?.venues?.[1]?.status === 'STALE' && m.aggregatedFunding?.excluded.length === 1 && m.priceSpread?.excluded.length === 1 ? m : undefined;
    }, 20_000).catch((error: unknown) => {
      throw new Error(`${String(error)}; last: ${JSON.stringify(lastSeen)}`);
    });
    const okxView = after.venues![1]!;
    expect(okxView.reason, 'says what is overdue').toMatch(/from okx-swap last received \d+ s ago/);
    expect(okxView.price, 'the last value, flagged stale, not a zero').toBeGreaterThan(0);
    expect(okxView.meta.stale).toBe(true);
    expect(after.aggregatedFunding!.contributors).toEqual(['BYBIT']);
    expect(after.aggregatedFunding!.excluded[0]).toMatchObject({ venue: 'OKX', status: 'STALE' });
    expect(after.priceSpread!.spread, 'one venue left: no spread').toBeNull();
    expect(after.fundingArbitrage!.best).toBeNull();
    // Open interest is polled once a minute: judged on its own cadence (2.5 periods), the last OKX value still counts for now.
    expect(after.aggregatedOpenInterest!.contributors).toEqual(['BYBIT', 'OKX']);
    expect(after.aggregatedFunding!.oiWeighted.rate8h, 'Bybit alone').toBeCloseTo(after.aggregatedFunding!.venues[0]!.rate8h, 15);
  }, 90_000);
});
