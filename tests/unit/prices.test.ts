import { execute, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { AnalysisRecord } from '../../src/domain/analysis.js';
import type { SymbolInfo } from '../../src/domain/market.js';
import { roundToTick, tickDecimals } from '../../src/domain/price.js';
import type { GraphQLContext } from '../../src/context.js';
import { roundAnalysisPrices } from '../../src/resolvers/prices.js';
import { schema } from '../../src/schema/index.js';

describe('roundToTick', () => {
  it('rounds to the nearest tick and prints with the tick’s decimals', () => {
    expect(roundToTick(97123.456, 0.1), '971234.56 ticks → 971235 → 97123.5 (not 97123.50000000001)').toBe(97123.5);
    expect(roundToTick(97123.44, 0.1), '971234.4 ticks → 971234').toBe(97123.4);
    expect(roundToTick(3512.345678, 0.01), '351234.5678 ticks → 351235').toBe(3512.35);
    expect(roundToTick(100.26, 0.5), '200.52 half-ticks → 201 → 100.5').toBe(100.5);
    expect(roundToTick(100.24, 0.5), '200.48 half-ticks → 200 → 100').toBe(100);
    expect(roundToTick(97123.456, 10), '9712.3456 → 9712 → 97120').toBe(97120);
    expect(roundToTick(0.000012345678, 0.0000001), '123.45678 ticks → 123 → 0.0000123').toBe(0.0000123);
    expect(roundToTick(-12.3456, 0.01), 'negative values round symmetrically').toBe(-12.35);
  });

  it('leaves the value alone when the tick is unknown (0) or not finite', () => {
    expect(roundToTick(97123.456, 0)).toBe(97123.456);
    expect(roundToTick(97123.456, Number.NaN)).toBe(97123.456);
    expect(roundToTick(Number.POSITIVE_INFINITY, 0.1)).toBe(Number.POSITIVE_INFINITY);
  });

  it('reads decimals off the tick size', () => {
    expect([0.01, 0.5, 1e-7, 10, 1, 0.0001].map(tickDecimals)).toEqual([2, 1, 7, 0, 0, 4]);
  });
});

const keyLevelsResult = {
  symbol: 'BTCUSDT',
  price: 97123.4,
  levels: [
    { price: 98000.987, distancePct: 0.9035, kind: 'FIB_EXTENSION', side: 'RESISTANCE', strength: null, ratio: 1.272 },
    { price: 96500.04, distancePct: -0.6419, kind: 'SWING_CLUSTER', side: 'SUPPORT', strength: 55.55, ratio: null },
  ],
  leg: { fromPrice: 95000.123, toPrice: 98000.987, fromTime: 1, toTime: 2, confirmedAt: 3, direction: 'UP' },
};

describe('roundAnalysisPrices', () => {
  it('rounds the price fields of an analysis and nothing else', () => {
    const rounded = roundAnalysisPrices('KEY_LEVELS', keyLevelsResult, 0.1);
    expect(rounded.price, 'the current price is a trade price, on the grid already').toBe(97123.4);
    expect(rounded.levels.map((l) => l.price), '980009.87 → 980010 ticks; 965000.4 → 965000').toEqual([98001, 96500]);
    expect(rounded.levels[0]!.distancePct, 'distance re-derived from the served level: (98001 − 97123.4) / 97123.4 × 100').toBeCloseTo(0.903593, 6);
    expect(rounded.levels[1]!.distancePct, '(96500 − 97123.4) / 97123.4 × 100').toBeCloseTo(-0.641864, 6);
    expect(rounded.levels.map((l) => l.strength), 'scores are not prices').toEqual([null, 55.55]);
    expect(rounded.levels[0]!.ratio, 'a Fibonacci ratio is not a price').toBe(1.272);
    expect(rounded.leg, 'swing prices come from candles and are served as they are').toBe(keyLevelsResult.leg);
    expect(keyLevelsResult.levels[0]!.price, 'the analyzer output is not mutated').toBe(98000.987);
  });

  it('rounds VWAP lines but not their standard deviation; leaves kinds without prices and unknown ticks untouched', () => {
    const volume = { session: { vwap: 3512.345678, stdDev: 12.345678, upper1: 3524.691356 }, series: [{ sessionVwap: 3500.004, volume: 1.23456 }] };
    const r = roundAnalysisPrices('VOLUME', volume, 0.01);
    expect(r.session).toEqual({ vwap: 3512.35, stdDev: 12.345678, upper1: 3524.69 });
    expect(r.series).toEqual([{ sessionVwap: 3500, volume: 1.23456 }]);
    const funding = { rate: 0.000123456 };
    expect(roundAnalysisPrices('FUNDING', funding, 0.1), 'FUNDING has no price fields').toBe(funding);
    expect(roundAnalysisPrices('KEY_LEVELS', keyLevelsResult, 0), 'replay without exchangeInfo: tick 0').toBe(keyLevelsResult);
  });
});

describe('prices through the GraphQL boundary', () => {
  it('Market.keyLevels serves levels on the tick grid of the symbol (SymbolInfo.tickSize)', async () => {
    const now = 1_767_225_600_000;
    const info: SymbolInfo = { symbol: 'BTCUSDT', baseAsset: 'BTC', quoteAsset: 'USDT', contractType: 'PERPETUAL', status: 'TRADING', tickSize: 0.1, stepSize: 0.001, fundingIntervalHours: 8 };
    const record: AnalysisRecord = { kind: 'KEY_LEVELS', symbol: 'BTCUSDT', result: keyLevelsResult, asOf: now, computedAt: now, methodologyVersion: '1.0', source: 'SIMULATED', venue: 'simulated' };
    const services = {
      symbols: () => [info],
      hasSymbol: (s: string) => s === 'BTCUSDT',
      latest: async (kind: string, symbol: string) => (kind === 'KEY_LEVELS' && symbol === 'BTCUSDT' ? record : undefined),
      now: () => now,
      staleAfterMs: 60_000,
    };
    const result = await execute({
      schema,
      document: parse('{ market(symbol: "btcusdt") { keyLevels { price levels { price distancePct } leg { fromPrice toPrice } } } }'),
      contextValue: { services } as unknown as GraphQLContext,
    });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      market: {
        keyLevels: {
          price: 97123.4,
          levels: [
            { price: 98001, distancePct: ((98001 - 97123.4) / 97123.4) * 100 },
            { price: 96500, distancePct: ((96500 - 97123.4) / 97123.4) * 100 },
          ],
          leg: { fromPrice: 95000.123, toPrice: 98000.987 },
        },
      },
    });
  });
});
