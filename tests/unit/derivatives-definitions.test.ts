import { describe, expect, it } from 'vitest';
import type { BasisAnalysis } from '../../src/analyzers/basis.types.js';
import type { LongShortAnalysis } from '../../src/analyzers/long-short.types.js';
import type { OpenInterestAnalysis } from '../../src/analyzers/open-interest.types.js';
import { ANALYSES, type AnalysisSettings } from '../../src/engine/analyses.js';
import { basisDefinition } from '../../src/engine/definitions/basis.js';
import { longShortDefinition } from '../../src/engine/definitions/long-short.js';
import { openInterestDefinition, pricePath } from '../../src/engine/definitions/open-interest.js';
import { createMarketStore } from '../../src/engine/market-store.js';
import { INTERVAL_MS, type Candle, type CandleInterval, type MarketEvent } from '../../src/domain/market.js';

const T = Date.UTC(2025, 0, 1, 12);
const MIN = 60_000;
const settings: AnalysisSettings = { fundingHistoryWindow: 90, fundingIntervalHours: () => 8 };

function candle(interval: CandleInterval, openTime: number, close: number, closed = true): MarketEvent {
  const c: Candle = {
    symbol: 'BTCUSDT',
    interval,
    openTime,
    closeTime: openTime + INTERVAL_MS[interval] - 1,
    open: close,
    high: close,
    low: close,
    close,
    volume: 1,
    quoteVolume: close,
    takerBuyVolume: 0.5,
    trades: 1,
    closed,
  };
  return { type: 'candle', candle: c };
}

function store(events: MarketEvent[]) {
  const s = createMarketStore(['BTCUSDT']);
  for (const e of events) s.apply(e);
  return s.get('BTCUSDT')!;
}

describe('derivatives analysis definitions', () => {
  it('are registered with the engine', () => {
    expect(ANALYSES.map((d) => d.kind), 'one definition per kind').toEqual(expect.arrayContaining(['OPEN_INTEREST', 'LONG_SHORT', 'BASIS']));
  });

  it('builds the price path from the finest candles available, then the last trade', () => {
    const m = store([
      // 5m closes at 11:40, 11:45, 11:50 (stamped at bar end); 1m from 11:46 on.
      candle('5m', T - 25 * MIN, 100),
      candle('5m', T - 20 * MIN, 101),
      candle('5m', T - 15 * MIN, 102),
      candle('1m', T - 14 * MIN, 103),
      candle('1m', T - 13 * MIN, 104),
      candle('1m', T - 12 * MIN, 999, false), // still forming: not a close
      { type: 'trade', trade: { symbol: 'BTCUSDT', id: 1, price: 105, qty: 1, time: T - 11 * MIN - 30_000, side: 'BUY' } },
    ]);
    expect(pricePath(m), '5m before the first 1m close, then 1m, then the trade').toEqual([
      { time: T - 20 * MIN, price: 100 },
      { time: T - 15 * MIN, price: 101 },
      { time: T - 13 * MIN, price: 103 },
      { time: T - 12 * MIN, price: 104 },
      { time: T - 11 * MIN - 30_000, price: 105 },
    ]);
  });

  it('computes open interest from the store, as of the latest observation', () => {
    const empty = store([]);
    expect(openInterestDefinition.compute(empty, T, settings), 'nothing to say without open interest').toBeNull();
    const m = store([
      { type: 'openInterest', openInterest: { symbol: 'BTCUSDT', openInterest: 1000, openInterestValue: 1e6, time: T - 60 * MIN } },
      { type: 'openInterest', openInterest: { symbol: 'BTCUSDT', openInterest: 1100, openInterestValue: 1.2e6, time: T } },
    ]);
    const out = openInterestDefinition.compute(m, T, settings)!;
    const result = out.result as OpenInterestAnalysis;
    expect(out.asOf, 'time of the latest observation').toBe(T);
    expect(result.changes.find((c) => c.horizon === 'H1')!.oiChangePct, '100 / 1000 × 100').toBeCloseTo(10, 12);
  });

  it('computes long/short from all three ratio kinds and the taker volume', () => {
    expect(longShortDefinition.compute(store([]), T, settings), 'nothing to say without ratios').toBeNull();
    const events: MarketEvent[] = [];
    for (let i = 0; i < 12; i++) {
      const time = T - (11 - i) * 5 * MIN;
      for (const kind of ['GLOBAL_ACCOUNTS', 'TOP_ACCOUNTS', 'TOP_POSITIONS'] as const)
        events.push({ type: 'longShortRatio', ratio: { symbol: 'BTCUSDT', kind, period: '5m', longShortRatio: 1 + i / 10, longShare: 0.5, shortShare: 0.5, time } });
      events.push({ type: 'takerVolume', volume: { symbol: 'BTCUSDT', period: '5m', buyVolume: 1, sellVolume: 1, buySellRatio: 1, time } });
    }
    const out = longShortDefinition.compute(store(events), T, settings)!;
    const result = out.result as LongShortAnalysis;
    expect(out.asOf).toBe(T);
    expect(result.globalAccounts!.ratio, 'the newest ratio').toBeCloseTo(2.1, 12);
    expect(result.globalAccounts!.percentile, 'above all 11 earlier readings').toBe(100);
    expect(result.takerBuySell!.percentile, 'all ties').toBe(50);
  });

  it('computes the basis with default or caller-chosen thresholds and rejects malformed parameters', () => {
    const m = store([
      { type: 'spotPrice', spot: { symbol: 'BTCUSDT', price: 1000, time: T } },
      { type: 'markPrice', mark: { symbol: 'BTCUSDT', markPrice: 1000.4, indexPrice: 1000.2, predictedFundingRate: null, nextFundingTime: T + 8 * 60 * MIN, time: T } },
    ]);
    const byDefault = basisDefinition.compute(m, T, settings)!.result as BasisAnalysis;
    expect(byDefault.basisPct, '0.4 / 1000 × 100').toBeCloseTo(0.04, 12);
    expect(byDefault.structure, '0.04 < 0.05').toBe('NORMAL');
    const custom = basisDefinition.computeWith!(m, T, settings, { contangoPct: 0.03, backwardationPct: -0.03 })!.result as BasisAnalysis;
    expect(custom.structure, '0.04 >= 0.03').toBe('CONTANGO');
    expect(() => basisDefinition.computeWith!(m, T, settings, { contangoPct: -1, backwardationPct: -0.05 }), 'validated again at the engine').toThrow();
    expect(basisDefinition.compute(store([]), T, settings), 'no price at all').toBeNull();
  });
});
