import { describe, expect, it } from 'vitest';
import { createMarketStore } from '../../src/engine/market-store.js';
import { createVenueMarkets, type VenueFeed } from '../../src/engine/venue-markets.js';
import { aggregatedFundingDefinition } from '../../src/engine/definitions/aggregated-funding.js';
import { aggregatedOpenInterestDefinition } from '../../src/engine/definitions/aggregated-open-interest.js';
import { fundingArbitrageDefinition } from '../../src/engine/definitions/funding-arbitrage.js';
import { priceSpreadDefinition } from '../../src/engine/definitions/venue-price-spread.js';
import { fundingDefinition } from '../../src/engine/definitions/funding.js';
import type { MarketEvent } from '../../src/domain/market.js';
import type { PerpVenue } from '../../src/domain/venue.js';

const T = Date.UTC(2026, 0, 1, 12);
const S = 'BTCUSDT';

function feed(venue: PerpVenue, events: MarketEvent[], extra: Partial<VenueFeed> = {}): VenueFeed {
  const store = createMarketStore([S]);
  for (const e of events) store.apply(e);
  return { venue, name: venue.toLowerCase(), origin: 'LIVE', primary: venue === 'BINANCE', store, down: () => null, fundingIntervalHours: () => 8, ...extra };
}

const mark = (price: number, rate: number, time: number): MarketEvent => ({ type: 'markPrice', mark: { symbol: S, markPrice: price, indexPrice: price - 10, predictedFundingRate: rate, nextFundingTime: T + 3_600_000, time } });
const oi = (contracts: number | null, usd: number | null, time: number): MarketEvent => ({ type: 'openInterest', openInterest: { symbol: S, openInterest: contracts, openInterestValue: usd, time } });
const trade = (price: number, time: number, id = time): MarketEvent => ({ type: 'trade', trade: { symbol: S, id, price, qty: 1, time, side: 'BUY' } });
const ticker = (quoteVolume: number, time: number): MarketEvent => ({ type: 'ticker24h', ticker: { symbol: S, lastPrice: 1, priceChangePercent: 0, highPrice: 1, lowPrice: 1, volume: 1, quoteVolume, time } });

describe('venue markets: per-venue judgement and aggregation from the stores', () => {
  // Binance fresh; Bybit fresh, OI in contracts only (× its last trade price), 4 h funding; OKX: mark 5 min old, its source down.
  const feeds = [
    feed('BINANCE', [trade(100_000, T - 500), mark(100_010, 0.0001, T - 500), oi(null, 6e9, T - 30_000), ticker(2e10, T - 20_000)]),
    feed('BYBIT', [trade(100_050, T - 400), mark(100_060, 0.00003, T - 400), oi(30_000, null, T - 30_000), ticker(1e10, T - 20_000)], { fundingIntervalHours: () => 4 }),
    feed('OKX', [trade(99_900, T - 300_000), mark(99_910, -0.0005, T - 300_000), oi(null, 1e9, T - 300_000)], { down: () => 'DOWN: connect ECONNREFUSED' }),
  ];
  const vm = createVenueMarkets({ feeds, now: () => T, staleAfterMs: 30_000, minIntervalMs: 1_000, fundingHistoryWindow: 90 });

  it('a venue whose inputs are overdue is STALE with the reason and its source error, and is in no sum', () => {
    const rec = vm.crossVenue(aggregatedOpenInterestDefinition, S)!;
    // Bybit: 30 000 contracts × 100 050 (its last trade) = 3.0015e9
    expect(rec.result.totalUsd, '6e9 + 30 000 × 100 050').toBe(6e9 + 3.0015e9);
    expect(rec.result.excluded).toEqual([{ venue: 'OKX', status: 'STALE', reason: 'open interest from okx last received 300 s ago (expected every 60 s) (DOWN: connect ECONNREFUSED)' }]);
    expect(rec.venue).toBe('aggregated');
    expect(rec.asOf).toBe(T - 30_000);
  });

  it('OI- and volume-weighted funding over the fresh venues, 8 h footing', () => {
    const f = vm.crossVenue(aggregatedFundingDefinition, S)!.result;
    const wB = 6e9 / (6e9 + 3.0015e9);
    // Bybit 0.00003 per 4 h = 0.00006 per 8 h
    expect(f.oiWeighted.rate8h).toBeCloseTo(wB * 0.0001 + (1 - wB) * 0.00006, 15);
    expect(f.volumeWeighted.rate8h, '2/3 × 0.0001 + 1/3 × 0.00006').toBeCloseTo(0.26 / 3000, 15);
    expect(f.excluded.map((e) => [e.venue, e.status])).toEqual([['OKX', 'STALE']]);
  });

  it('funding arbitrage and price spread leave the stale venue out', () => {
    const arb = vm.crossVenue(fundingArbitrageDefinition, S)!.result;
    expect([arb.best!.short.venue, arb.best!.long.venue]).toEqual(['BINANCE', 'BYBIT']);
    expect(arb.best!.spreadAnnualized, '0.1095 − 0.0657').toBeCloseTo(0.0438, 12);
    const spread = vm.crossVenue(priceSpreadDefinition, S)!.result;
    expect(spread.spread, '100 050 − 100 000').toBe(50);
    expect(spread.contributors).toEqual(['BINANCE', 'BYBIT']);
  });

  it('Market.venues lists the stale venue with its last values and a reason, never zeros', () => {
    const quotes = vm.quotes(S);
    expect(quotes.map((q) => [q.venue, q.status])).toEqual([['BINANCE', 'OK'], ['BYBIT', 'OK'], ['OKX', 'STALE']]);
    const okx = quotes[2]!;
    expect(okx.price).toBe(99_900);
    expect(okx.reason).toMatch(/trade from okx last received 300 s ago.*DOWN: connect ECONNREFUSED/);
    expect(okx.volume24hUsd, 'no ticker and no 1 h candles: unknown, not 0').toBeNull();
    expect(quotes[1]!.funding!.annualizedRate, '0.00003 × 8760 / 4').toBeCloseTo(0.0657, 12);
  });

  it('a venue that never delivered is MISSING', () => {
    const vm2 = createVenueMarkets({ feeds: [feeds[0]!, feed('OKX', [], { down: () => 'DOWN: 503' })], now: () => T, staleAfterMs: 30_000, minIntervalMs: 1_000, fundingHistoryWindow: 90 });
    expect(vm2.quotes(S)[1]).toMatchObject({ status: 'MISSING', price: null, funding: null, openInterest: null });
    expect(vm2.crossVenue(aggregatedOpenInterestDefinition, S)!.result.excluded).toEqual([{ venue: 'OKX', status: 'MISSING', reason: 'no open interest received from okx (DOWN: 503)' }]);
  });

  it('runs an existing per-symbol analysis on another venue store', () => {
    const withSettlement = feed('BYBIT', [{ type: 'funding', funding: { symbol: S, rate: 0.0002, fundingTime: T - 3_600_000, markPrice: null } }], { fundingIntervalHours: () => 4 });
    const vm3 = createVenueMarkets({ feeds: [feeds[0]!, withSettlement], now: () => T, staleAfterMs: 30_000, minIntervalMs: 1_000, fundingHistoryWindow: 90 });
    const rec = vm3.perVenue(fundingDefinition, S, 'BYBIT')!;
    expect(rec.venue).toBe('bybit');
    expect(rec.result.rate).toBe(0.0002);
    expect(rec.result.annualizedRate, '0.0002 × 2190 (4 h interval)').toBeCloseTo(0.438, 12);
  });
});
