import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MarketEvent, SymbolEvent } from '../../src/domain/market.js';
import { createBybitSource } from '../../src/datasources/bybit/bybit-source.js';
import { tradeIdOf } from '../../src/datasources/bybit/bybit-mapper.js';
import { BannedError, BadResponseError, RateLimitError } from '../../src/datasources/errors.js';
import type { PerpVenueSource } from '../../src/datasources/perp-venue-source.js';
import { startFakeBybit, type FakeBybit } from '../support/fake-bybit.js';

const waitFor = async <T>(fn: () => T | undefined | false, timeoutMs = 10_000): Promise<T> => {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
};
const of = <K extends SymbolEvent['type']>(events: readonly MarketEvent[], type: K) => events.filter((e): e is Extract<SymbolEvent, { type: K }> => e.type === type);

/** The Bybit v5 source against the fake Bybit speaking the wire formats (REST + linear stream). */
describe('Bybit v5 source against the fake venue', () => {
  let fake: FakeBybit;
  let source: PerpVenueSource | null = null;
  beforeAll(async () => {
    fake = await startFakeBybit({ symbols: ['BTCUSDT', 'ETHUSDT'] });
  });
  afterEach(async () => {
    fake.setFault(null);
    await source?.stop();
    source = null;
  });
  afterAll(async () => {
    await fake.close();
  });

  const make = (extra: Partial<Parameters<typeof createBybitSource>[0]> = {}) =>
    (source = createBybitSource({
      restUrl: fake.url,
      streamUrl: fake.wsUrl,
      retry: { maxRetries: 0 },
      candleIntervals: ['1m', '1h'],
      fundingBackfill: 20,
      statsBackfill: 12,
      streamOptions: { pingEveryMs: 200, backoff: { initialMs: 50, maxMs: 200 } },
      ...extra,
    }));

  it('backfills settlements, candles, open interest and the account ratio, then streams trades, tickers and liquidations', async () => {
    const events: MarketEvent[] = [];
    const s = make();
    const t0 = Date.now();
    await s.start(['BTCUSDT'], (e) => events.push(e));
    const funding = of(events, 'funding').map((e) => e.funding);
    expect(funding).toHaveLength(20);
    const last = Math.floor(t0 / 28_800_000) * 28_800_000;
    expect(funding.at(-1)).toEqual({ symbol: 'BTCUSDT', rate: fake.fundingRateAt('BTCUSDT', last), fundingTime: last, markPrice: null });
    expect(funding.map((f) => f.fundingTime)).toEqual(Array.from({ length: 20 }, (_, i) => last - (19 - i) * 28_800_000));
    const hours = of(events, 'candle').filter((e) => e.candle.interval === '1h');
    expect(hours.length).toBe(200);
    expect(hours.every((e) => e.candle.closed)).toBe(true);
    const oiHist = of(events, 'openInterest').slice(0, 12).map((e) => e.openInterest);
    const step = 300_000;
    const lastStat = Math.floor(t0 / step) * step;
    expect(oiHist.at(-1)!.time).toBe(lastStat);
    expect(oiHist.at(-1)!.openInterest).toBe(fake.openInterestAt('BTCUSDT', lastStat));
    const ratio = of(events, 'longShortRatio').map((e) => e.ratio);
    expect(ratio).toHaveLength(12);
    expect(ratio.at(-1)!.longShare + ratio.at(-1)!.shortShare).toBeCloseTo(1, 9);
    expect(ratio.at(-1)!.kind).toBe('GLOBAL_ACCOUNTS');
    expect(of(events, 'ticker24h')).toHaveLength(1);
    expect(of(events, 'markPrice').length).toBeGreaterThan(0);

    await waitFor(() => s.streamHealth()?.connected);
    const trades = await waitFor(() => {
      const ts = of(events, 'trade');
      return ts.length >= 5 ? ts : undefined;
    });
    // Trade k is at k·250 ms with the fake's id; ids fold to the same integer on both paths.
    const k = trades[0]!.trade.time / 250;
    expect(trades[0]!.trade).toEqual({ symbol: 'BTCUSDT', id: tradeIdOf(fake.tradeAt('BTCUSDT', k).i), price: Number(fake.tradeAt('BTCUSDT', k).p), qty: Number(fake.tradeAt('BTCUSDT', k).v), time: k * 250, side: k % 3 === 0 ? 'SELL' : 'BUY' });
    expect(fake.liquidate('BTCUSDT', 'Buy', 0.5, 60_000)).toBe(1);
    const liq = await waitFor(() => of(events, 'liquidation')[0]);
    expect(liq.liquidation).toMatchObject({ symbol: 'BTCUSDT', side: 'SELL', liquidatedSide: 'LONG', qty: 0.5, notional: 30_000, complete: true });
    // JSON ping every 200 ms here, answered with the v5 pong.
    await waitFor(() => (s.streamHealth()?.pongs ?? 0) >= 2);
    expect(fake.ws.openClients()[0]!.pings).toBeGreaterThanOrEqual(2);
    expect(s.venues()[0]).toMatchObject({ venue: 'bybit-linear', state: 'OK', weightBudget: 150 });
  }, 30_000);

  it('rejects an unknown symbol at start with the venue named', async () => {
    const s = make();
    await expect(s.start(['NOPEUSDT'], () => undefined)).rejects.toThrow(/bybit-linear does not list symbol "NOPEUSDT"/);
  });

  it('a dropped socket reconnects, resubscribes the same topics and backfills the gap without duplicates', async () => {
    const events: MarketEvent[] = [];
    const s = make();
    await s.start(['BTCUSDT', 'ETHUSDT'], (e) => events.push(e));
    await waitFor(() => of(events, 'trade').length > 4);
    const first = fake.ws.openClients()[0]!;
    const topics = [...first.topics].sort();
    expect(topics).toContain('allLiquidation.BTCUSDT');
    fake.ws.rejectNext(3);
    const droppedAt = Date.now();
    fake.ws.dropAll();
    await waitFor(() => s.streamHealth()?.reconnects === 1, 15_000);
    const reopened = Date.now();
    const second = await waitFor(() => fake.ws.openClients().find((c) => c.id !== first.id && c.topics.size === topics.length));
    expect([...second.topics].sort()).toEqual(topics);
    // The gap fill asked for recent trades and 1m klines over REST.
    await waitFor(() => fake.http.requests.some((q) => q.path === '/v5/market/recent-trade' && q.at >= droppedAt));
    await waitFor(() => of(events, 'trade').some((e) => e.trade.symbol === 'BTCUSDT' && e.trade.time > reopened + 500));
    const btc = of(events, 'trade').filter((e) => e.trade.symbol === 'BTCUSDT').map((e) => e.trade);
    const ids = btc.map((t) => t.id);
    expect(new Set(ids).size, 'each trade pushed once').toBe(ids.length);
    // Every trade of the fake between the first pushed and the newest is there: the gap was filled.
    const ks = btc.map((t) => t.time / 250).sort((a, b) => a - b);
    const missing = [];
    for (let k = ks[0]!; k <= ks.at(-1)!; k++) if (!ks.includes(k)) missing.push(k);
    expect(missing, 'no trade lost across the drop').toEqual([]);
    expect(ks.some((k) => k * 250 > droppedAt + 100 && k * 250 < reopened - 100), 'trades from inside the gap').toBe(true);
    expect(s.venues()[0]!.reconnects).toBe(1);
  }, 30_000);

  it('HTTP 403 bans the venue for 10 minutes: BANNED, no request sent during the ban', async () => {
    const s = make({ pollMs: 100, tickerEveryMs: 100 });
    await s.start(['BTCUSDT'], () => undefined);
    fake.setFault({ kind: '403' });
    await expect(s.fetchFundingHistory('BTCUSDT', 5)).rejects.toBeInstanceOf(BannedError);
    const health = s.venues()[0]!;
    expect(health.state).toBe('BANNED');
    expect(health.blockedUntil! - Date.now()).toBeGreaterThan(590_000);
    expect(health.upstream?.breaker).toBe('isolated');
    fake.setFault(null);
    const before = fake.http.requests.length;
    await expect(s.fetchCandles('BTCUSDT', '1h', { limit: 5 })).rejects.toBeInstanceOf(BannedError);
    await new Promise((r) => setTimeout(r, 400));
    expect(fake.http.requests.length, 'nothing goes out while banned').toBe(before);
  });

  it('retCode 10006 (HTTP 200) pauses until X-Bapi-Limit-Reset-Timestamp, then requests resume', async () => {
    const s = make();
    await s.start(['BTCUSDT'], () => undefined);
    fake.setFault({ kind: 'retCode', retCode: 10006, resetInMs: 800, times: 1 });
    const err = await s.fetchFundingHistory('BTCUSDT', 5).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).retryAfterMs).toBeGreaterThan(600);
    expect((err as RateLimitError).retryAfterMs).toBeLessThanOrEqual(800);
    expect(s.venues()[0]!.state).toBe('DEGRADED');
    expect(s.venues()[0]!.blockedUntil).not.toBeNull();
    await expect(s.fetchFundingHistory('BTCUSDT', 5)).rejects.toBeInstanceOf(RateLimitError);
    await new Promise((r) => setTimeout(r, 900));
    await expect(s.fetchFundingHistory('BTCUSDT', 5)).resolves.toHaveLength(5);
  });

  it('429 pauses; a malformed payload is rejected by zod and the last good values stay', async () => {
    const events: MarketEvent[] = [];
    const s = make({ pollMs: 100, tickerEveryMs: 100 });
    await s.start(['BTCUSDT'], (e) => events.push(e));
    fake.setFault({ kind: 'malformed', path: '/v5/market/funding', times: 1 });
    await expect(s.fetchFundingHistory('BTCUSDT', 5)).rejects.toBeInstanceOf(BadResponseError);
    fake.setFault({ kind: '429', times: 1 });
    await expect(s.fetchFundingHistory('BTCUSDT', 5)).rejects.toBeInstanceOf(RateLimitError);
    expect(s.venues()[0]!.upstream?.rateLimited).toBe(1);
    expect(of(events, 'markPrice').every((e) => Number.isFinite(e.mark.markPrice))).toBe(true);
  });
});
