import { existsSync } from 'node:fs';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MarketDataDocument, MarketFundingDocument, MarketWideDocument } from '../../generated/graphql/graphql.js';
import { gql, startTestApp, tempDir, testEnv, waitFor, type TestApp } from '../support/harness.js';
import { startFakeVenues, wire, type FakeVenues } from '../support/fake-venues.js';

const RECORDED_EXCHANGE_INFO = new URL('../../../shared/data/binance-futures/raw-recordings/cryptofeed-2021-07-22/BINANCE_FUTURES.0.txt', import.meta.url).pathname;

/**
 * MARKET_SOURCE=binance against fake venues that speak the real wire formats: every datasource runs for
 * real (REST, WebSocket, Deribit, alternative.me, CoinGecko) and everything reaches GraphQL flagged LIVE.
 */
describe('LIVE data through the real adapters', () => {
  let venues: FakeVenues;
  let app: TestApp;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const symbols = ['BTCUSDT', 'ETHUSDT'];

  beforeAll(async () => {
    venues = await startFakeVenues({ symbols, exchangeInfoFile: existsSync(RECORDED_EXCHANGE_INFO) ? RECORDED_EXCHANGE_INFO : undefined });
    dir = await tempDir();
    app = await startTestApp(
      testEnv({ ...venues.env, SYMBOLS: symbols.join(','), DATA_DIR: dir.path, DATABASE_URL: undefined, REDIS_URL: undefined, STALE_AFTER_MS: '1500' }),
    );
    await waitFor(async () => venues.ws.connections() > 0);
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
    await venues?.close();
    await dir?.remove();
  });

  it('serves funding, statistics, book and market-wide data as LIVE', async () => {
    const now = Date.now();
    const next = Math.ceil(now / 28_800_000) * 28_800_000;
    venues.ws.send('btcusdt@markPrice@1s', wire.markPrice('BTCUSDT', 60_123.4, 60_100.1, 0.000321, next, now));
    venues.ws.send('btcusdt@aggTrade', wire.aggTrade('BTCUSDT', 900_001, 60_120.5, 0.25, now, true));
    venues.ws.send('btcusdt@forceOrder', wire.forceOrder('BTCUSDT', 'SELL', 60_000, 0.5, now));
    venues.ws.send('btcusdt@bookTicker', wire.bookTicker('BTCUSDT', 60_120, 60_120.1, now));

    const funding = await waitFor(async () => {
      const r = await gql<{ market: { funding: { predictedRate: number; meta: { source: string; venue: string } } } }>(
        app.url,
        print(MarketFundingDocument),
        { symbol: 'BTCUSDT' },
      );
      return r.data?.market.funding.predictedRate === 0.000321 ? r.data.market.funding : undefined;
    });
    expect(funding.meta.source, 'real adapters are LIVE').toBe('LIVE');
    expect(funding.meta.venue).toBe('binance-usdm');

    const data = (await gql<{ market: { data: Record<string, unknown> & { trades: Array<{ id: number; side: string; price: number }>; liquidations: Array<{ liquidatedSide: string; notional: number; complete: boolean }>; bookTicker: { bidPrice: number } } } }>(
      app.url,
      print(MarketDataDocument),
      { symbol: 'BTCUSDT' },
    )).data!.market.data;
    const trade = data.trades.find((t) => t.id === 900_001)!;
    expect(trade.side, 'm=true: buyer is maker, so the taker sold').toBe('SELL');
    expect(trade.price).toBe(60_120.5);
    expect(data.liquidations.at(-1)!.liquidatedSide, 'a SELL liquidation order closes a long').toBe('LONG');
    expect(data.liquidations.at(-1)!.notional).toBe(30_000);
    expect(data.liquidations.at(-1)!.complete, 'Binance forceOrder is a 1 s snapshot').toBe(false);
    expect(data.bookTicker.bidPrice).toBe(60_120);
    for (const key of ['openInterest', 'longShortRatios', 'takerVolume', 'basis', 'fundingHistory', 'candles']) {
      expect((data[key] as unknown[]).length, `${key} backfilled over REST`).toBeGreaterThan(0);
    }
    expect(data.ticker24h, '24h ticker polled').not.toBeNull();
    expect(data.spotPrice, 'spot price from the spot venue').not.toBeNull();

    const wide = await waitFor(async () => {
      const r = await gql<{ optionsChain: { quotes: unknown[]; meta: { source: string; venue: string } } | null; fearGreed: { meta: { venue: string } } | null; globalMarket: { meta: { venue: string } } | null; health: { venues: Array<{ venue: string; state: string }> } }>(
        app.url,
        print(MarketWideDocument),
        { currency: 'BTC' },
      );
      return r.data?.optionsChain && r.data.fearGreed && r.data.globalMarket ? r.data : undefined;
    }, 20_000);
    expect(wide.optionsChain!.meta).toMatchObject({ source: 'LIVE', venue: 'deribit' });
    expect(wide.optionsChain!.quotes.length).toBeGreaterThan(0);
    expect(wide.fearGreed!.meta.venue).toBe('alternative.me');
    expect(wide.globalMarket!.meta.venue).toBe('coingecko');
    expect(wide.health.venues.map((v) => v.venue)).toEqual(['binance-usdm', 'binance-spot', 'deribit', 'alternative.me', 'coingecko']);

    // The surface's volatility index next to Deribit's own DVOL (the fake's newest 1-minute close), never in its place.
    type Vi = { optionsSurface: { volatilityIndex: { value: number | null; dvol: number | null; dvolTime: string | null; differenceFromDvol: number | null; dvolNote: string } } | null };
    const surface = await waitFor(async () => {
      const r = await gql<Vi>(app.url, '{ optionsSurface(currency: "BTC") { volatilityIndex { value dvol dvolTime differenceFromDvol dvolNote } } }');
      return r.data?.optionsSurface?.volatilityIndex.dvol != null ? r.data.optionsSurface.volatilityIndex : undefined;
    }, 30_000);
    expect(surface.dvol).toBe(venues.deribit.dvolAt('BTC', Date.parse(surface.dvolTime!)));
    expect(surface.value).not.toBeNull();
    expect(surface.differenceFromDvol).toBeCloseTo(surface.value! - surface.dvol!, 6);
    expect(surface.dvolNote).toMatch(/DVOL/);
  }, 60_000);

  it('keeps the last good value and flags it stale when the stream feeds garbage', async () => {
    const now = Date.now();
    venues.ws.send('ethusdt@markPrice@1s', wire.markPrice('ETHUSDT', 3_001, 3_000, 0.0002, Math.ceil(now / 28_800_000) * 28_800_000, now));
    await waitFor(async () => {
      const r = await gql<{ market: { funding: { predictedRate: number } } }>(app.url, print(MarketFundingDocument), { symbol: 'ETHUSDT' });
      return r.data?.market.funding.predictedRate === 0.0002;
    });
    // A malformed frame (mark price "abc") must be rejected, not turned into NaN.
    venues.ws.send('ethusdt@markPrice@1s', { ...wire.markPrice('ETHUSDT', 1, 1, 0.9, now, now + 1), p: 'abc' });
    // A mark-price stream is overdue after its 1 s heartbeat plus the STALE_AFTER_MS grace (1.5 s here).
    await new Promise((r) => setTimeout(r, 2_800));
    const r = await gql<{ market: { funding: { predictedRate: number; meta: { stale: boolean; source: string } } } }>(app.url, print(MarketFundingDocument), { symbol: 'ETHUSDT' });
    expect(r.data!.market.funding.predictedRate, 'the last good value is still served').toBe(0.0002);
    expect(r.data!.market.funding.meta.stale, 'older than STALE_AFTER_MS with nothing valid since').toBe(true);
    expect(r.data!.market.funding.meta.source).toBe('LIVE');
  }, 30_000);

  it('shows a 429 pause in venue health and sends nothing before Retry-After', async () => {
    venues.binance.setFault({ kind: '429', retryAfterSec: 2 });
    const before = venues.binance.requests.length;
    // Trigger a REST call through the API: the fallback premiumIndex poll runs while the stream is down.
    venues.ws.dropAll();
    const paused = await waitFor(async () => {
      const r = await gql<{ health: { venues: Array<{ venue: string; state: string; blockedUntil: string | null }> } }>(app.url, '{ health { venues { venue state blockedUntil } } }');
      const futures = r.data?.health.venues.find((v) => v.venue === 'binance-usdm');
      return futures?.blockedUntil ? { futures, seenAt: Date.now() } : undefined;
    }, 15_000);
    venues.binance.setFault(null);
    const blockedUntil = Date.parse(paused.futures.blockedUntil!);
    // The fake serves futures and spot on one port; spot is another venue with its own limits and pause.
    const futures = venues.binance.requests.slice(before).filter((q) => q.path.startsWith('/fapi/') || q.path.startsWith('/futures/'));
    const hit = futures.find((q) => q.status === 429)!;
    // Requests already in flight when the 429 was served (sent before the client could know) are fine;
    // anything sent once the answer was back is a violation.
    const early = futures.filter((q) => q.at > hit.at + 100 && q.at < blockedUntil);
    expect(early, `no request to the venue while it is paused: ${JSON.stringify({ hit, early, blockedUntil })}`).toHaveLength(0);
  }, 30_000);
});
