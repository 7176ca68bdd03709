import { describe, expect, it } from 'vitest';
import { INTERVAL_MS, type Candle, type CandleInterval, type MarketEvent } from '../../src/domain/market.js';
import { ANALYSES, type AnalysisSettings } from '../../src/engine/analyses.js';
import { keyLevelsDefinition } from '../../src/engine/definitions/key-levels.js';
import { marketStructureDefinition } from '../../src/engine/definitions/market-structure.js';
import { createMarketStore } from '../../src/engine/market-store.js';

const MONDAY = Date.UTC(2025, 0, 6);
const settings: AnalysisSettings = { fundingHistoryWindow: 90, fundingIntervalHours: () => 8 };
/** The hand-built zig-zag of tests/unit/market-structure.test.ts (swings with confirmBars 1 known by hand). */
const ZIGZAG = [10, 12, 11, 13, 12, 14, 11, 9, 10, 8, 9, 11];

function candle(interval: CandleInterval, openTime: number, close: number, closed = true): MarketEvent {
  const c: Candle = {
    symbol: 'BTCUSDT',
    interval,
    openTime,
    closeTime: openTime + INTERVAL_MS[interval] - 1,
    open: close,
    high: close + 0.5,
    low: close - 0.5,
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

describe('market structure and key levels definitions', () => {
  it('are registered with the engine, triggered by candles (and trades for the level distances)', () => {
    expect(ANALYSES.map((d) => d.kind)).toEqual(expect.arrayContaining(['MARKET_STRUCTURE', 'KEY_LEVELS']));
    expect([...marketStructureDefinition.triggers]).toEqual(['candle']);
    expect([...keyLevelsDefinition.triggers].sort()).toEqual(['candle', 'trade']);
  });

  it('analyses closed candles only: the forming bar cannot repaint the structure', () => {
    const closed = ZIGZAG.map((c, i) => candle('15m', MONDAY + i * INTERVAL_MS['15m'], c));
    // A forming bar closing far above every swing would be a bullish break if it were counted.
    const m = store([...closed, candle('15m', MONDAY + ZIGZAG.length * INTERVAL_MS['15m'], 50, false)]);
    const out = marketStructureDefinition.computeWith!(m, 0, settings, { interval: '15m', confirmBars: 1 })!;
    expect(out.result.bars, '12 closed bars, the forming one left out').toBe(12);
    expect(out.result.events.map((e) => e.level), 'the five hand-derived breaks, none from the forming bar').toEqual([12.5, 13.5, 11.5, 8.5, 10.5]);
    expect(out.result.confirmBars).toBe(1);
    expect(marketStructureDefinition.compute(m, 0, settings)!.result.confirmBars, 'default confirmBars').toBe(2);
    expect(marketStructureDefinition.computeWith!(m, 0, settings, { interval: '4h', confirmBars: 2 }), 'no 4h candles held: nothing to say').toBeNull();
  });

  it('measures key levels from the last traded price and the caller-chosen interval', () => {
    const m = store([
      ...ZIGZAG.map((c, i) => candle('15m', MONDAY + i * INTERVAL_MS['15m'], c)),
      { type: 'trade', trade: { symbol: 'BTCUSDT', id: 1, price: 9.5, qty: 1, time: MONDAY + 3 * 3_600_000 + 1, side: 'BUY' } },
    ]);
    const out = keyLevelsDefinition.computeWith!(m, 0, settings, { interval: '15m', tolerancePct: 0.15 })!;
    expect(out.result.price, 'the last trade').toBe(9.5);
    expect(out.result.interval).toBe('15m');
    expect(out.result.leg, 'confirmBars 2 on the engine path').not.toBeNull();
    expect(out.asOf, 'the newest input: the trade').toBe(MONDAY + 3 * 3_600_000 + 1);
    expect(keyLevelsDefinition.compute(m, 0, settings), 'no 1h candles for the default interval').toBeNull();
  });
});
