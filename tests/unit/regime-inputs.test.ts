import { describe, expect, it } from 'vitest';
import { INTERVAL_MS, type Candle, type CandleInterval } from '../../src/domain/market.js';
import { sampleSymbolInputs } from '../../src/engine/analysis-engine.js';
import { regimeDefinition } from '../../src/engine/definitions/regime.js';
import { judgeInput } from '../../src/engine/freshness.js';
import { createMarketStore } from '../../src/engine/market-store.js';

const WEEK = INTERVAL_MS['1w'];
/** A Monday 00:00 UTC (2026-01-05), where weekly bars open. */
const MONDAY = Date.UTC(2026, 0, 5);

function candle(interval: CandleInterval, openTime: number): Candle {
  const ms = INTERVAL_MS[interval];
  return { symbol: 'BTCUSDT', interval, openTime, closeTime: openTime + ms - 1, open: 1, high: 1, low: 1, close: 1, volume: 1, quoteVolume: 1, takerBuyVolume: 0.5, trades: 1, closed: true };
}

describe('regime inputs', () => {
  it('lists every timeframe it classifies, so a weekly feed that stopped makes the regime stale', () => {
    expect(regimeDefinition.inputs.map((i) => i.interval), 'the four classified timeframes').toEqual(['1h', '4h', '1d', '1w']);
    const store = createMarketStore(['BTCUSDT']);
    // The 1h bars are current; the last weekly bar closed two weeks before now: the one after it never came.
    const now = MONDAY + 3 * WEEK + 60_000;
    store.apply({ type: 'candle', candle: candle('1h', now - 60_000 - INTERVAL_MS['1h']) });
    store.apply({ type: 'candle', candle: candle('1w', MONDAY) });
    const judged = sampleSymbolInputs(store.get('BTCUSDT')!, regimeDefinition.inputs, 30_000).map((s) => judgeInput(s, now));
    const byInterval = new Map(judged.map((j) => [j.interval, j]));
    expect(byInterval.get('1h')?.overdue, '1h bar closed a minute ago').toBe(false);
    expect(byInterval.get('4h')?.lastAt, '4h not held (derived from 1h): no lastAt').toBeNull();
    expect(byInterval.get('4h')?.overdue, 'an input never received is not overdue').toBe(false);
    // lastAt = close of the week bar = MONDAY + WEEK − 1; age 2 weeks + 1 min > 1 week + 30 s.
    expect(byInterval.get('1w')?.overdue, 'the next weekly bar is two weeks late').toBe(true);
  });
});
