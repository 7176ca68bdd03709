import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MarketDataDocument, MarketFundingDocument } from '../../generated/graphql/graphql.js';
import { startFakeBybit, type FakeBybit } from '../support/fake-bybit.js';
import { startFakeVenues, type FakeVenues } from '../support/fake-venues.js';
import { gql, startTestApp, tempDir, testEnv, waitFor, type TestApp } from '../support/harness.js';

/** MARKET_SOURCE=bybit: the server runs on Bybit v5 (fake, real wire formats) with the market-wide venues. */
describe('MARKET_SOURCE=bybit through GraphQL', () => {
  let bybit: FakeBybit;
  let venues: FakeVenues;
  let app: TestApp;
  let dir: Awaited<ReturnType<typeof tempDir>>;

  beforeAll(async () => {
    [bybit, venues] = await Promise.all([startFakeBybit({ symbols: ['BTCUSDT'] }), startFakeVenues({ symbols: ['BTCUSDT'] })]);
    dir = await tempDir();
    app = await startTestApp(
      testEnv({ ...venues.env, MARKET_SOURCE: 'bybit', BYBIT_REST_URL: bybit.url, BYBIT_STREAM_URL: bybit.wsUrl, SYMBOLS: 'BTCUSDT', DATA_DIR: dir.path, DATABASE_URL: undefined, REDIS_URL: undefined }),
    );
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
    await Promise.allSettled([bybit?.close(), venues?.close()]);
    await dir?.remove();
  });

  it('serves Bybit funding, open interest, trades and liquidations as LIVE with venue bybit-linear', async () => {
    const funding = await waitFor(async () => {
      const r = await gql<{ market: { funding: { predictedRate: number | null; meta: { source: string; venue: string } } } }>(app.url, print(MarketFundingDocument), { symbol: 'BTCUSDT' });
      return r.data?.market.funding.predictedRate != null ? r.data.market.funding : undefined;
    }, 20_000);
    expect(funding.meta).toMatchObject({ source: 'LIVE', venue: 'bybit-linear' });
    const next = Math.floor(Date.now() / 28_800_000) * 28_800_000 + 28_800_000;
    expect(funding.predictedRate).toBe(bybit.fundingRateAt('BTCUSDT', next));

    await waitFor(async () => bybit.ws.openClients().some((c) => c.topics.has('allLiquidation.BTCUSDT')) || undefined, 20_000);
    expect(bybit.liquidate('BTCUSDT', 'Sell', 2, 61_000)).toBe(1);
    const data = await waitFor(async () => {
      const r = await gql<{ market: { data: { trades: unknown[]; liquidations: Array<{ liquidatedSide: string; notional: number; complete: boolean }>; openInterest: unknown[]; longShortRatios: unknown[]; candles: unknown[] } } }>(
        app.url,
        print(MarketDataDocument),
        { symbol: 'BTCUSDT' },
      );
      const d = r.data?.market.data;
      return d && d.trades.length > 0 && d.liquidations.length > 0 ? d : undefined;
    }, 20_000);
    expect(data.liquidations.at(-1)).toMatchObject({ liquidatedSide: 'SHORT', notional: 122_000, complete: true });
    for (const key of ['openInterest', 'longShortRatios', 'candles'] as const) expect(data[key].length, key).toBeGreaterThan(0);

    const health = await gql<{ health: { venues: Array<{ venue: string; state: string; weightBudget: number | null }> } }>(app.url, '{ health { venues { venue state weightBudget } } }');
    expect(health.data!.health.venues[0]).toMatchObject({ venue: 'bybit-linear', weightBudget: 150 });
    expect(health.data!.health.venues.map((v) => v.venue)).toEqual(['bybit-linear', 'deribit', 'alternative.me', 'coingecko']);
  }, 60_000);
});
