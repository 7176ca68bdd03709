import { describe, expect, it } from 'vitest';
import type { AnalysisRecord } from '../../src/domain/analysis.js';
import { INTERVAL_MS, type Candle, type CandleInterval } from '../../src/domain/market.js';
import { DERIVED_ANALYSES, type AnalysisSettings } from '../../src/engine/analyses.js';
import type { DependencyView } from '../../src/engine/definition.js';
import { confirmationDefinition, confirmationInputs, optionCurrencyOf } from '../../src/engine/definitions/confirmation.js';
import { createMarketStore } from '../../src/engine/market-store.js';

const settings: AnalysisSettings = { fundingHistoryWindow: 90, fundingIntervalHours: () => 8 };
const T = Date.UTC(2026, 0, 10);

function market(symbol: string, interval: CandleInterval, bars: number) {
  const store = createMarketStore([symbol]);
  for (let i = 0; i < bars; i += 1) {
    const openTime = T - (bars - i) * INTERVAL_MS[interval];
    const close = 100 + i;
    const candle: Candle = { symbol, interval, openTime, closeTime: openTime + INTERVAL_MS[interval] - 1, open: close - 0.5, high: close + 1, low: close - 1, close, volume: 10, quoteVolume: 10 * close, takerBuyVolume: 6, trades: 5, closed: true };
    store.apply({ type: 'candle', candle });
  }
  return store.get(symbol)!;
}

/** A dependency view over hand-made records: `stale` names the kinds whose inputs are overdue. */
function view(records: Record<string, unknown>, stale: string[] = [], optionKeys: string[] = []): DependencyView {
  return {
    latest<R>(kind: string, key: string) {
      const result = records[`${kind}:${key}`];
      if (result === undefined) return undefined;
      const record = { kind, symbol: key, result, asOf: T - 1, computedAt: T, methodologyVersion: 'x', source: 'SIMULATED', venue: 'simulated' } as AnalysisRecord<R>;
      return { record, stale: stale.includes(kind) };
    },
    keys: (kind) => (kind === 'OPTIONS_FLOW' ? optionKeys : []),
    overdue: () => false,
    overdueInputs: () => [],
  };
}

describe('confirmation definition', () => {
  it('is the registered derived analysis of sixteen kinds (FORECAST and ORDER_BOOK the last), on the main thread, every 5 s at most', () => {
    // Scenarios come after the confirmation they read (a derived analysis of a derived analysis); EMERGENCY reads none.
    expect(DERIVED_ANALYSES.map((d) => d.kind)).toEqual(['CONFIRMATION', 'SCENARIOS', 'EMERGENCY']);
    expect(confirmationDefinition.dependsOn).toHaveLength(16);
    expect(confirmationDefinition.dependsOn.slice(-2), 'layer 12 reads the forecast, layer 7 the book').toEqual(['FORECAST', 'ORDER_BOOK']);
    expect(confirmationDefinition.minIntervalMs).toBe(5_000);
    expect(confirmationDefinition.inputsWith?.({ interval: '4h' })).toEqual([{ type: 'candle', interval: '4h' }]);
    expect(optionCurrencyOf('ETHUSDT')).toBe('ETH');
  });

  it('assembles sources: records by kind and key, staleness carried, sentiment falling back to ALL, the reason a symbol has no options', () => {
    const m = market('SOLUSDT', '1h', 30);
    const inputs = confirmationInputs(m, '1h', T, settings, view({ 'FUNDING:SOLUSDT': { score: 10 }, 'KEY_LEVELS:SOLUSDT': { levels: [] }, 'SENTIMENT:ALL': { key: 'ALL' } }, ['FUNDING'], ['BTC', 'ETH']));
    expect(inputs.candles).toHaveLength(30);
    expect(inputs.funding).toEqual({ value: { score: 10 }, asOf: T - 1, stale: true });
    expect(inputs.levels, 'KEY_LEVELS defaults to 1 h: its record').toMatchObject({ value: { levels: [] }, stale: false });
    expect(inputs.sentiment).toMatchObject({ value: { key: 'ALL' } });
    expect(inputs.openInterest).toEqual({ value: null, reason: 'no OPEN_INTEREST result for SOLUSDT yet' });
    expect(inputs.orderBook, 'layer 7 reads the book record of the symbol').toEqual({ value: null, reason: 'no ORDER_BOOK result for SOLUSDT yet' });
    expect(inputs.optionsFlow).toEqual({ value: null, reason: 'no options market for SOL (options flow covers BTC, ETH)' });
    // MARKET_STRUCTURE defaults to 15 m: for 1 h it is computed from the 1 h bars held.
    expect(inputs.structure).toMatchObject({ stale: false });
    expect((inputs.structure as { value: { interval: string } }).value.interval).toBe('1h');
  });

  it('layer 7 reads the ORDER_BOOK record of the symbol next to volume and open interest; a stale book is left out', () => {
    const m = market('BTCUSDT', '1h', 5);
    const records = {
      'OPEN_INTEREST:BTCUSDT': { quadrant: 'NEW_LONGS', quadrantHorizon: 'H1', changes: [] },
      'ORDER_BOOK:BTCUSDT': { available: true, unavailableReason: null, bookState: 'SYNCED', imbalance: { pct: 1, value: -0.3, zScore: -3, samples: 100, zScoreUnavailableReason: null }, walls: { pulledShare: 0 } },
    };
    const flow = (r: Record<string, unknown>, stale: string[] = []) => confirmationDefinition.compute(m, T, settings, view(r, stale))!.result.layers.find((l) => l.name === 'ORDER_FLOW')!;
    // Five 1 h bars leave the volume warming up (no taker factor); NEW_LONGS 1; book z -3 → -1:
    // 0.32 − 0.2 = 0.12 over 0.52 → 23.08; without the book the quadrant alone → 100.
    const withBook = flow(records);
    expect([withBook.score, withBook.factors.map((f) => f.name)]).toEqual([23.08, ['oiQuadrant', 'bookImbalance']]);
    const staleBook = flow(records, ['ORDER_BOOK']);
    expect(staleBook.score).toBe(100);
    expect(staleBook.reading).toMatch(/^Order flow bullish: open interest new longs \(without .*ORDER_BOOK stale\)$/);
  });

  it('a stale dependency is an unavailable layer, not a current one; no available layer gives no result', () => {
    const m = market('BTCUSDT', '1h', 5);
    const stale = confirmationDefinition.compute(m, T, settings, view({ 'WHALES:BTCUSDT': { warmingUp: false, score: 80, pattern: 'MARKUP', buyCount: 20, sellCount: 0, netFlow: 1e6, window: 'H1', minNotional: 1e5 } }, ['WHALES']));
    expect(stale, 'five bars feed no chart layer and the only flow source is stale').toBeNull();
    const fresh = confirmationDefinition.compute(m, T, settings, view({ 'WHALES:BTCUSDT': { warmingUp: false, score: 80, pattern: 'MARKUP', buyCount: 20, sellCount: 0, netFlow: 1e6, window: 'H1', minNotional: 1e5 } }))!;
    const whales = fresh.result.layers.find((l) => l.name === 'WHALES')!;
    // 0.7 × 0.8 + 0.3 × 1 = 0.86 → 86; the only available layer: score 50 + 43 = 93, coverage 0.07.
    expect([whales.available, whales.score, whales.weight]).toEqual([true, 86, 1]);
    expect([fresh.result.score, fresh.result.coverage, fresh.result.quality]).toEqual([93, 0.07, 'POOR']);
    expect(fresh.asOf, 'newest of the candles and the fresh sources').toBe(T - 1);
  });
});
