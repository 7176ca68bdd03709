import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { eventSymbol, INTERVAL_MS, type MarketEvent } from '../../src/domain/market.js';
import { createSimulatedSource, SIMULATED_VENUE, type SimulatedSourceOptions } from '../../src/datasources/simulated/simulated-source.js';

/** 2025-03-10 11:59:30 UTC: thirty seconds before a full hour. */
const T0 = Date.UTC(2025, 2, 10, 11, 59, 30);
const SYMBOLS = ['BTCUSDT', 'ETHUSDT'];

function collect(): { events: MarketEvent[]; sink: (e: MarketEvent) => void } {
  const events: MarketEvent[] = [];
  return { events, sink: (e) => events.push(e) };
}

const symbolOf = (e: MarketEvent): string => eventSymbol(e) ?? '';

function countByType(events: readonly MarketEvent[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of events) counts[e.type] = (counts[e.type] ?? 0) + 1;
  return counts;
}

describe('simulated market source', () => {
  let clock = T0;
  const now = () => clock;
  /** Advance the fake wall clock and its timers together. */
  function advance(ms: number, stepMs = 250): void {
    for (let done = 0; done < ms; done += stepMs) {
      clock += stepMs;
      vi.advanceTimersByTime(stepMs);
    }
  }
  const options = (extra: Partial<SimulatedSourceOptions> = {}): SimulatedSourceOptions => ({
    seed: 42,
    tickMs: 250,
    now,
    candleHistoryCount: 100,
    fundingHistoryCount: 30,
    ...extra,
  });

  beforeEach(() => {
    clock = T0;
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('identifies as SIMULATED on the simulated venue and lists plausible perpetuals', async () => {
    const source = createSimulatedSource(options({ symbols: ['PEPEUSDT'] }));
    expect(source.origin).toBe('SIMULATED');
    expect(source.venue).toBe(SIMULATED_VENUE);
    expect(SIMULATED_VENUE).toBe('simulated');
    const listed = await source.listSymbols();
    expect(listed.map((s) => s.symbol)).toEqual(['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT', 'XRPUSDT', 'DOGEUSDT', 'PEPEUSDT']);
    const btc = listed.find((s) => s.symbol === 'BTCUSDT');
    expect(btc).toEqual({
      symbol: 'BTCUSDT',
      baseAsset: 'BTC',
      quoteAsset: 'USDT',
      contractType: 'PERPETUAL',
      status: 'TRADING',
      tickSize: 0.1,
      stepSize: 0.001,
      fundingIntervalHours: 8,
    });
    for (const s of listed) {
      expect(s.tickSize).toBeGreaterThan(0);
      expect(s.stepSize).toBeGreaterThan(0);
      expect(s.fundingIntervalHours).toBe(8);
    }
    expect(source.status()).toEqual({ state: 'STOPPED', lastError: null, lastEventAt: null });
  });

  it('pushes the backfill synchronously in start(), then live events on the timer', async () => {
    const source = createSimulatedSource(options());
    const { events, sink } = collect();
    const started = source.start(SYMBOLS, sink);
    // Everything below was delivered before start() returned.
    const backfill = [...events];
    await started;
    // Per symbol: 30 settlements, 100 closed bars × 7 intervals, the 7 bars forming at 11:59:30 (1m from the
    // minute's first 30 s of trades, 5m, 15m, 1h, 4h, 1d, 1w),
    // 30 five-minute points of open interest plus the last minute's (11:59), long/short (×3 kinds), taker volume and basis, recent
    // liquidations, then mark, 24 h ticker, spot, book ticker and order book. Market-wide: fear & greed
    // (with its history), the global market and the BTC and ETH options chains.
    const counts = countByType(backfill);
    expect(counts.liquidation).toBeGreaterThan(0);
    expect({ ...counts, liquidation: 0 }).toEqual({
      funding: 60,
      // 100 closed bars of 1m … 1d, the 24 weeks of weekly history (DAILY_HISTORY_WEEKS), 7 forming bars.
      candle: 2 * (6 * 100 + 24 + 7),
      openInterest: 2 * (30 + 1),
      longShortRatio: 180,
      takerVolume: 60,
      basis: 60,
      liquidation: 0,
      markPrice: 2,
      ticker24h: 2,
      spotPrice: 2,
      bookTicker: 2,
      orderBook: 2,
      fearGreed: 1,
      globalMarket: 1,
      optionsChain: 2,
    });
    const lastBoundary = Date.UTC(2025, 2, 10, 11, 55);
    for (const symbol of SYMBOLS) {
      const mine = backfill.filter((e) => symbolOf(e) === symbol);
      expect(mine.map((e) => e.type).indexOf('candle')).toBe(30);
      expect(mine.slice(-5).map((e) => e.type)).toEqual(['markPrice', 'ticker24h', 'spotPrice', 'bookTicker', 'orderBook']);
      const oi = mine.flatMap((e) => (e.type === 'openInterest' ? [e.openInterest.time] : []));
      // Five-minute history, then the last minute's value (the live stream publishes every minute: no gap at the start).
      expect(oi).toEqual([...Array.from({ length: 30 }, (_, i) => lastBoundary - (29 - i) * 300_000), Date.UTC(2025, 2, 10, 11, 59)]);
      const liquidations = mine.flatMap((e) => (e.type === 'liquidation' ? [e.liquidation] : []));
      expect(liquidations.map((l) => l.time)).toEqual([...liquidations.map((l) => l.time)].sort((a, b) => a - b));
      for (const e of mine) {
        if (e.type === 'funding') expect(e.funding.fundingTime).toBeLessThanOrEqual(T0);
        if (e.type === 'candle' && e.candle.closed) expect(e.candle.closeTime).toBeLessThan(T0);
        if (e.type === 'markPrice') expect(e.mark.time).toBe(T0);
        if (e.type === 'liquidation') expect(e.liquidation.time).toBeLessThan(T0);
        if (e.type === 'takerVolume' || e.type === 'longShortRatio' || e.type === 'basis') {
          const time = e.type === 'takerVolume' ? e.volume.time : e.type === 'basis' ? e.basis.time : e.ratio.time;
          expect(time).toBeLessThanOrEqual(lastBoundary);
        }
      }
    }
    const market = backfill.filter((e) => eventSymbol(e) === null);
    expect(market.map((e) => e.type)).toEqual(['fearGreed', 'globalMarket', 'optionsChain', 'optionsChain']);
    const fg = market[0];
    if (fg?.type === 'fearGreed') {
      expect(fg.fearGreed.time).toBe(Date.UTC(2025, 2, 10));
      expect(fg.history).toHaveLength(364);
      expect(fg.history?.at(-1)?.time).toBe(Date.UTC(2025, 2, 9));
    }
    expect(source.status().state).toBe('OK');
    expect(source.status().lastEventAt).toBe(T0);

    // No live events until wall-clock time passes.
    expect(events).toHaveLength(backfill.length);
    advance(5_000);
    const live = events.slice(backfill.length);
    const liveCounts = countByType(live);
    expect(liveCounts.trade).toBeGreaterThan(20);
    expect(liveCounts.markPrice).toBe(2 * 5);
    expect(liveCounts.bookTicker).toBe(2 * 5);
    expect(liveCounts.spotPrice).toBe(2 * 5);
    expect(liveCounts.orderBook).toBe(2);
    expect(liveCounts.candle).toBeGreaterThan(0);
    // 11:59:30 → 11:59:35: no minute boundary yet, and no options snapshot (next at 12:00:00).
    expect(liveCounts.openInterest).toBeUndefined();
    expect(liveCounts.optionsChain).toBeUndefined();
    for (const e of live) {
      if (e.type === 'trade') {
        expect(e.trade.time).toBeGreaterThanOrEqual(T0);
        expect(e.trade.time).toBeLessThan(T0 + 5_000);
      }
      if (e.type === 'markPrice') expect(e.mark.time).toBeGreaterThan(T0);
    }
    expect(source.status().lastEventAt).toBe(T0 + 5_000);
    await source.stop();
  });

  it('streams every derivatives, book, spot and market-wide kind live at its boundary', async () => {
    const source = createSimulatedSource(options({ tickMs: 1_000 }));
    const { events, sink } = collect();
    await source.start(['BTCUSDT'], sink);
    const backfilled = events.length;
    advance(35_000, 1_000); // 11:59:30 → 12:00:05
    const live = events.slice(backfilled);
    const noon = Date.UTC(2025, 2, 10, 12);
    const at = (type: string) => live.filter((e) => e.type === type);
    for (const type of ['openInterest', 'takerVolume', 'basis', 'ticker24h', 'globalMarket']) {
      expect(at(type), type).toHaveLength(1);
    }
    expect(at('longShortRatio')).toHaveLength(3);
    expect(at('optionsChain').map((e) => (e.type === 'optionsChain' ? `${e.chain.currency}@${e.chain.time}` : ''))).toEqual([
      `BTC@${noon}`,
      `ETH@${noon}`,
    ]);
    const oi = at('openInterest')[0];
    expect(oi?.type === 'openInterest' ? oi.openInterest.time : 0).toBe(noon);
    // The first live taker period continues the backfilled part of 11:55-12:00.
    const taker = at('takerVolume')[0];
    const candle = live.find((e) => e.type === 'candle' && e.candle.closed && e.candle.interval === '5m');
    if (taker?.type === 'takerVolume' && candle?.type === 'candle') {
      expect(taker.volume.time).toBe(candle.candle.closeTime + 1);
      expect(Math.round((taker.volume.buyVolume + taker.volume.sellVolume) * 1_000)).toBe(Math.round(candle.candle.volume * 1_000));
      expect(taker.volume.buyVolume).toBe(candle.candle.takerBuyVolume);
    } else {
      expect.unreachable('no taker volume or closed 5m candle');
    }
    await source.stop();
  });

  it('stops emitting after stop()', async () => {
    const source = createSimulatedSource(options());
    const { events, sink } = collect();
    await source.start(SYMBOLS, sink);
    advance(2_000);
    const before = events.length;
    expect(countByType(events.slice(-50)).trade).toBeGreaterThan(0);
    await source.stop();
    expect(source.status().state).toBe('STOPPED');
    advance(10_000);
    expect(events).toHaveLength(before);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('is deterministic for the same seed and clock', async () => {
    const runOnce = async (seed: number) => {
      clock = T0;
      const source = createSimulatedSource(options({ seed }));
      const { events, sink } = collect();
      await source.start(['ETHUSDT'], sink);
      advance(3_000);
      await source.stop();
      return JSON.stringify(events);
    };
    const a = await runOnce(7);
    expect(await runOnce(7)).toBe(a);
    expect(await runOnce(8)).not.toBe(a);
  });

  it('serves history plus live candles and funding from fetch*', async () => {
    const source = createSimulatedSource(options({ tickMs: 1_000 }));
    const { sink } = collect();
    await source.start(['BTCUSDT'], sink);
    const before = await source.fetchCandles('BTCUSDT', '1m');
    expect(before).toHaveLength(101);
    // 100 closed bars, then the 11:59 bar forming from the minute's trades before the start.
    expect(before.at(-2)).toMatchObject({ openTime: Date.UTC(2025, 2, 10, 11, 58), closed: true });
    expect(before.at(-1)).toMatchObject({ openTime: Date.UTC(2025, 2, 10, 11, 59), closed: false });
    advance(150_000, 1_000);

    const after = await source.fetchCandles('BTCUSDT', '1m');
    const closed = after.filter((c) => c.closed);
    expect(closed).toHaveLength(103);
    for (let i = 1; i < closed.length; i++) expect(closed[i]?.openTime).toBe((closed[i - 1]?.openTime ?? 0) + INTERVAL_MS['1m']);
    // Three bars closed live (11:59, 12:00, 12:01); the 12:02 bar is forming.
    expect(closed.at(-1)?.openTime).toBe(Date.UTC(2025, 2, 10, 12, 1));
    expect(after.at(-1)).toMatchObject({ openTime: Date.UTC(2025, 2, 10, 12, 2), closed: false });

    const hourly = await source.fetchCandles('BTCUSDT', '1h');
    expect(hourly.filter((c) => c.closed).at(-1)?.openTime).toBe(Date.UTC(2025, 2, 10, 11));
    const page = await source.fetchCandles('BTCUSDT', '1m', { startTime: Date.UTC(2025, 2, 10, 11, 0), limit: 5 });
    expect(page.map((c) => c.openTime)).toEqual([0, 1, 2, 3, 4].map((m) => Date.UTC(2025, 2, 10, 11, m)));
    const ranged = await source.fetchCandles('BTCUSDT', '1m', { endTime: Date.UTC(2025, 2, 10, 11, 30), limit: 3 });
    expect(ranged.map((c) => c.openTime)).toEqual([28, 29, 30].map((m) => Date.UTC(2025, 2, 10, 11, m)));
    const daily = await source.fetchCandles('BTCUSDT', '1d');
    expect(daily.filter((c) => c.closed).at(-1)?.openTime, 'daily bars are backfilled').toBe(Date.UTC(2025, 2, 9));
    expect(await source.fetchCandles('BTCUSDT', '3m')).toEqual([]);

    const funding = await source.fetchFundingHistory('BTCUSDT', 5);
    expect(funding.map((f) => f.fundingTime)).toEqual([4, 3, 2, 1, 0].map((k) => Date.UTC(2025, 2, 10, 8) - k * 8 * 3_600_000));
    await source.stop();
  });

  it('records live funding settlements at the 8-hour boundary', async () => {
    clock = Date.UTC(2025, 2, 10, 15, 59);
    const source = createSimulatedSource(options({ tickMs: 10_000, tradeRateScale: 0.05 }));
    const { events, sink } = collect();
    await source.start(['SOLUSDT'], sink);
    advance(120_000, 10_000);
    const live = events.filter((e) => e.type === 'funding' && e.funding.fundingTime > clock - 120_000);
    expect(live).toHaveLength(1);
    const settled = live[0]?.type === 'funding' ? live[0].funding : undefined;
    expect(settled?.fundingTime).toBe(Date.UTC(2025, 2, 10, 16));
    const history = await source.fetchFundingHistory('SOLUSDT', 2);
    expect(history.map((f) => f.fundingTime)).toEqual([Date.UTC(2025, 2, 10, 8), Date.UTC(2025, 2, 10, 16)]);
    expect(history.at(-1)).toEqual(settled);
    await source.stop();
  });

  it('never throws from the timer: errors are recorded and the stream goes on', async () => {
    const source = createSimulatedSource(options());
    let failing = true;
    let delivered = 0;
    await source.start(['BTCUSDT'], (e) => {
      if (e.type === 'markPrice' && failing) throw new Error('consumer exploded');
      delivered++;
    });
    expect(source.status().lastError).toBe('sink failed: consumer exploded');
    advance(3_000);
    failing = false;
    const mid = delivered;
    advance(3_000);
    expect(delivered).toBeGreaterThan(mid);
    expect(source.status().state).toBe('OK');

    // A broken clock makes the tick fail; the failure is recorded, not thrown.
    const breakAfter = clock + 1_000;
    const broken = createSimulatedSource(
      options({
        now: () => {
          if (clock > breakAfter) throw new Error('clock broke');
          return clock;
        },
      }),
    );
    await broken.start(['ETHUSDT'], () => {});
    expect(() => advance(2_000)).not.toThrow();
    expect(broken.status()).toMatchObject({ state: 'DEGRADED', lastError: 'clock broke' });
    await source.stop();
    await broken.stop();
  });

  it('catches up after a stall in bounded steps', async () => {
    const source = createSimulatedSource(options({ maxStepMs: 5_000, tickMs: 1_000 }));
    const { events, sink } = collect();
    await source.start(['ETHUSDT'], sink);
    clock += 60_000; // the wall clock jumps a minute without timers firing
    vi.advanceTimersByTime(1_000);
    clock += 1_000;
    const lastMark = () => events.filter((e) => e.type === 'markPrice').at(-1);
    const first = lastMark();
    expect(first?.type === 'markPrice' ? first.mark.time : 0).toBe(T0 + 5_000);
    vi.advanceTimersByTime(20_000);
    const later = lastMark();
    expect(later?.type === 'markPrice' ? later.mark.time : 0).toBe(T0 + 61_000);
    await source.stop();
  });
});
