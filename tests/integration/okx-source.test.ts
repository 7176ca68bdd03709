import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MarketEvent, SymbolEvent } from '../../src/domain/market.js';
import { BadResponseError, BadSymbolError, RateLimitError } from '../../src/datasources/errors.js';
import { createOkxSource } from '../../src/datasources/okx/okx-source.js';
import type { PerpVenueSource } from '../../src/datasources/perp-venue-source.js';
import { startFakeOkx, type FakeOkx } from '../support/fake-okx.js';

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

/** The OKX v5 source against the fake OKX speaking the wire formats (REST + public stream). */
describe('OKX v5 source against the fake venue', () => {
  let fake: FakeOkx;
  let source: PerpVenueSource | null = null;
  beforeAll(async () => {
    fake = await startFakeOkx({ symbols: ['BTCUSDT', 'ETHUSDT'] });
  });
  afterEach(async () => {
    fake.setFault(null);
    await source?.stop();
    source = null;
  });
  afterAll(async () => {
    await fake.close();
  });
  const make = () =>
    (source = createOkxSource({
      restUrl: fake.url,
      streamUrl: fake.wsUrl,
      retry: { maxRetries: 0 },
      candleIntervals: ['1m', '1h'],
      fundingBackfill: 20,
      statsBackfill: 12,
      streamOptions: { pingEveryMs: 200, backoff: { initialMs: 50, maxMs: 200 } },
    }));

  it('maps BTC-USDT-SWAP to BTCUSDT and converts contracts (ctVal 0.01) to BTC for OI, candles, trades and liquidations', async () => {
    const events: MarketEvent[] = [];
    const s = make();
    const t0 = Date.now();
    await s.start(['BTCUSDT'], (e) => events.push(e));
    const funding = of(events, 'funding').map((e) => e.funding);
    const last = Math.floor(t0 / 28_800_000) * 28_800_000;
    expect(funding).toHaveLength(20);
    expect(funding.at(-1)).toEqual({ symbol: 'BTCUSDT', rate: fake.fundingRateAt('BTCUSDT', last), fundingTime: last, markPrice: null });
    const step = 300_000;
    const lastStat = Math.floor(t0 / step) * step;
    const oiHist = of(events, 'openInterest').map((e) => e.openInterest).find((o) => o.time === lastStat)!;
    expect(oiHist.openInterest).toBeCloseTo(fake.contractsAt('BTCUSDT', lastStat) * 0.01, 6);
    const ratio = of(events, 'longShortRatio').at(-1)!.ratio;
    expect(ratio.longShare).toBeCloseTo(ratio.longShortRatio / (1 + ratio.longShortRatio), 12);
    expect(of(events, 'takerVolume')).toHaveLength(12);
    const hour = of(events, 'candle').find((e) => e.candle.interval === '1h')!.candle;
    const vol = 1000 + ((hour.openTime / 3_600_000) % 13) * 10;
    expect(hour.volume, 'volCcy: contracts × 0.01').toBeCloseTo(vol * 0.01, 9);
    const mark = of(events, 'markPrice')[0]!.mark;
    expect(mark.nextFundingTime, 'OKX fundingTime = the coming settlement').toBe(last + 28_800_000);

    await waitFor(() => s.streamHealth()?.connected);
    const trade = await waitFor(() => of(events, 'trade')[0]);
    const wire = fake.tradeAt('BTC-USDT-SWAP', trade.trade.id);
    expect(trade.trade).toEqual({ symbol: 'BTCUSDT', id: Number(wire.tradeId), price: Number(wire.px), qty: Number(wire.sz) * 0.01, time: Number(wire.ts), side: wire.side === 'buy' ? 'BUY' : 'SELL' });
    await waitFor(() => fake.ws.openClients()[0]?.topics.has(JSON.stringify({ channel: 'liquidation-orders', instType: 'SWAP' })));
    expect(fake.liquidate('BTC-USDT-SWAP', 'sell', 'long', 50, 60_000)).toBe(1);
    fake.liquidate('DOGE-USDT-SWAP', 'buy', 'short', 5, 0.1); // an untracked swap: dropped
    const liq = await waitFor(() => of(events, 'liquidation')[0]);
    expect(liq.liquidation).toEqual(expect.objectContaining({ symbol: 'BTCUSDT', side: 'SELL', liquidatedSide: 'LONG', qty: 0.5, notional: 30_000, complete: false }));
    expect(of(events, 'liquidation')).toHaveLength(1);
    await waitFor(() => (s.streamHealth()?.pongs ?? 0) >= 2);
    expect(fake.ws.openClients()[0]!.pings).toBeGreaterThanOrEqual(2);
    expect(s.venues()[0]).toMatchObject({ venue: 'okx-swap', state: 'OK', weightBudget: 50 });
  }, 30_000);

  it('a dropped socket reconnects, resubscribes and backfills the gap: every trade id once, none missing', async () => {
    const events: MarketEvent[] = [];
    const s = make();
    await s.start(['BTCUSDT'], (e) => events.push(e));
    await waitFor(() => of(events, 'trade').length > 4);
    const first = fake.ws.openClients()[0]!;
    const topics = [...first.topics].sort();
    fake.ws.rejectNext(3);
    const droppedAt = Date.now();
    fake.ws.dropAll();
    await waitFor(() => s.streamHealth()?.reconnects === 1, 15_000);
    const reopened = Date.now();
    const second = await waitFor(() => fake.ws.openClients().find((c) => c.id !== first.id && c.topics.size === topics.length));
    expect([...second.topics].sort()).toEqual(topics);
    await waitFor(() => of(events, 'trade').some((e) => e.trade.time > reopened + 500));
    const ids = of(events, 'trade').map((e) => e.trade.id);
    expect(new Set(ids).size).toBe(ids.length);
    const sorted = [...ids].sort((a, b) => a - b);
    const missing = [];
    for (let k = sorted[0]!; k <= sorted.at(-1)!; k++) if (!sorted.includes(k)) missing.push(k);
    expect(missing).toEqual([]);
    expect(sorted.some((k) => k * 250 > droppedAt + 100 && k * 250 < reopened - 100), 'trades from inside the gap').toBe(true);
  }, 30_000);

  it('50011 with HTTP 200 and with HTTP 429 pause the venue; 51001 is an unknown instrument; malformed is rejected', async () => {
    const s = make();
    await s.start(['BTCUSDT'], () => undefined);
    fake.setFault({ kind: 'code', code: '50011', times: 1 });
    await expect(s.fetchFundingHistory('BTCUSDT', 5)).rejects.toBeInstanceOf(RateLimitError);
    expect(s.venues()[0]!.blockedUntil).not.toBeNull();
    await expect(s.fetchFundingHistory('BTCUSDT', 5)).rejects.toBeInstanceOf(RateLimitError);
    await new Promise((r) => setTimeout(r, 2_100));
    fake.setFault({ kind: '429', times: 1 });
    await expect(s.fetchFundingHistory('BTCUSDT', 5)).rejects.toBeInstanceOf(RateLimitError);
    expect(s.venues()[0]!.upstream?.rateLimited).toBe(2);
    await new Promise((r) => setTimeout(r, 2_100));
    fake.setFault({ kind: 'malformed', path: '/api/v5/public/funding-rate-history', times: 1 });
    await expect(s.fetchFundingHistory('BTCUSDT', 5)).rejects.toBeInstanceOf(BadResponseError);
    await expect(s.fetchFundingHistory('BTCUSDT', 5)).resolves.toHaveLength(5);
    await expect(s.fetchCandles('NOPEUSDT', '1h', { limit: 2 })).rejects.toBeInstanceOf(BadSymbolError);
  }, 30_000);
});
