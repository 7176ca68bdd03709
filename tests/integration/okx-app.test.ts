import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MarketDataDocument, MarketFundingDocument } from '../../generated/graphql/graphql.js';
import { startFakeOkx, type FakeOkx } from '../support/fake-okx.js';
import { startFakeVenues, type FakeVenues } from '../support/fake-venues.js';
import { gql, startTestApp, tempDir, testEnv, waitFor, type TestApp } from '../support/harness.js';

/** MARKET_SOURCE=okx: the server runs on OKX v5 USDT swaps (fake, real wire formats) with the market-wide venues. */
describe('MARKET_SOURCE=okx through GraphQL', () => {
  let okx: FakeOkx;
  let venues: FakeVenues;
  let app: TestApp;
  let dir: Awaited<ReturnType<typeof tempDir>>;

  beforeAll(async () => {
    [okx, venues] = await Promise.all([startFakeOkx({ symbols: ['BTCUSDT'] }), startFakeVenues({ symbols: ['BTCUSDT'] })]);
    dir = await tempDir();
    app = await startTestApp(testEnv({ ...venues.env, MARKET_SOURCE: 'okx', OKX_REST_URL: okx.url, OKX_STREAM_URL: okx.wsUrl, SYMBOLS: 'BTCUSDT', DATA_DIR: dir.path, DATABASE_URL: undefined, REDIS_URL: undefined }));
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
    await Promise.allSettled([okx?.close(), venues?.close()]);
    await dir?.remove();
  });

  it('serves OKX funding, taker volume and liquidations in base units as LIVE with venue okx-swap', async () => {
    const funding = await waitFor(async () => {
      const r = await gql<{ market: { funding: { predictedRate: number | null; meta: { source: string; venue: string } } } }>(app.url, print(MarketFundingDocument), { symbol: 'BTCUSDT' });
      return r.data?.market.funding.predictedRate != null ? r.data.market.funding : undefined;
    }, 20_000);
    expect(funding.meta).toMatchObject({ source: 'LIVE', venue: 'okx-swap' });
    const next = Math.floor(Date.now() / 28_800_000) * 28_800_000 + 28_800_000;
    expect(funding.predictedRate).toBe(okx.fundingRateAt('BTCUSDT', next));
    await waitFor(async () => okx.ws.openClients().some((c) => c.topics.has(JSON.stringify({ channel: 'liquidation-orders', instType: 'SWAP' }))) || undefined, 20_000);
    expect(okx.liquidate('BTC-USDT-SWAP', 'buy', 'short', 200, 61_000)).toBe(1);
    const data = await waitFor(async () => {
      const r = await gql<{ market: { data: { trades: unknown[]; liquidations: Array<{ liquidatedSide: string; notional: number; complete: boolean }>; takerVolume: unknown[]; openInterest: unknown[] } } }>(app.url, print(MarketDataDocument), { symbol: 'BTCUSDT' });
      const d = r.data?.market.data;
      return d && d.trades.length > 0 && d.liquidations.length > 0 ? d : undefined;
    }, 20_000);
    // 200 contracts × 0.01 BTC × 61,000.
    expect(data.liquidations.at(-1)).toMatchObject({ liquidatedSide: 'SHORT', notional: 122_000, complete: false });
    expect(data.takerVolume.length).toBeGreaterThan(0);
    expect(data.openInterest.length).toBeGreaterThan(0);
    const health = await gql<{ health: { venues: Array<{ venue: string }> } }>(app.url, '{ health { venues { venue } } }');
    expect(health.data!.health.venues.map((v) => v.venue)).toEqual(['okx-swap', 'deribit', 'alternative.me', 'coingecko']);
  }, 60_000);
});
