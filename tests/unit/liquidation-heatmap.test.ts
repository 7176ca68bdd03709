import { describe, expect, it } from 'vitest';
import { BTCUSDT_BRACKETS, bracketTableFor, ETHUSDT_BRACKETS, GENERIC_BRACKETS } from '../../src/analyzers/liquidation-brackets.js';
import {
  bracketFor,
  cascadeProbability,
  classifyPressure,
  classifyRisk,
  computeLiquidationHeatmap,
  LIQUIDATION_HEATMAP_METHODOLOGY_VERSION,
  liquidationPrice,
  representativeBracket,
} from '../../src/analyzers/liquidation-heatmap.js';
import {
  DEFAULT_LEVERAGE_TIERS,
  DEFAULT_LIQUIDATION_HEATMAP_THRESHOLDS,
  type BracketTable,
  type HeatmapCandle,
  type LiquidationHeatmap,
  type LiquidationHeatmapInput,
  type MaintenanceBracket,
} from '../../src/analyzers/liquidation-heatmap.types.js';
import { liquidationHeatmapDefinition } from '../../src/engine/definitions/liquidation-heatmap.js';
import { createMarketStore } from '../../src/engine/market-store.js';
import type { AnalysisSettings } from '../../src/engine/analyses.js';
import { mulberry32 } from '../../src/math/random.js';

const T0 = Date.UTC(2025, 0, 1);
const MIN = 60_000;
const HOUR = 3_600_000;

/** A one-minute candle `i` minutes after T0. */
function candle(i: number, c: { high: number; low: number; close: number; volume?: number; buy?: number; quoteVolume?: number }): HeatmapCandle {
  return {
    openTime: T0 + i * MIN,
    closeTime: T0 + (i + 1) * MIN - 1,
    high: c.high,
    low: c.low,
    close: c.close,
    volume: c.volume ?? 10,
    takerBuyVolume: c.buy ?? (c.volume ?? 10) / 2,
    quoteVolume: c.quoteVolume ?? 30,
  };
}

/** `n` hourly candles ending at T0 with a constant true range of high − low (close in the middle): ATR = high − low. */
function flatHourly(n: number, high = 105, low = 95, close = 100): HeatmapCandle[] {
  return Array.from({ length: n }, (_, k) => ({
    openTime: T0 - (n - k) * HOUR,
    closeTime: T0 - (n - k - 1) * HOUR - 1,
    high,
    low,
    close,
    volume: 1,
    quoteVolume: 100,
    takerBuyVolume: 0.5,
  }));
}

/** One 10x tier on the BTCUSDT table with a 10 000 USDT position: bracket 1, MMR 0.4 %, cum 0. */
const TEN_X = [{ leverage: 10, weight: 1 }];

/**
 * The reference case. Open interest 1000 → 1010 between T0 and T0 + 2 min, then flat. Candles:
 *   c0 H 101 L 99  C 100: typical (101 + 99 + 100) / 3 = 100, volume 30, taker buy 24
 *   c1 H 103 L 101 C 102: typical (103 + 101 + 102) / 3 = 102, volume 10, taker buy 0
 *   c2 H 101.5 L 100.5 C 101 (after the interval; only moves the path)
 * Allocation of ΔOI = 10 by volume: 30/40 → 7.5 at 100, 10/40 → 2.5 at 102.
 * Taker-buy share of the interval = (24 + 0) / (30 + 10) = 0.6.
 *   longs  0.6 × 7.5 = 4.5 @ 100 → 450;  0.6 × 2.5 = 1.5 @ 102 → 153
 *   shorts 0.4 × 7.5 = 3   @ 100 → 300;  0.4 × 2.5 = 1   @ 102 → 102
 * Allocated = 450 + 153 + 300 + 102 = 1005 (= 7.5 × 100 + 2.5 × 102).
 */
function reference(overrides: Partial<LiquidationHeatmapInput> = {}): LiquidationHeatmapInput {
  return {
    symbol: 'BTCUSDT',
    now: T0 + 3 * MIN,
    price: 101,
    openInterest: [
      { time: T0, openInterest: 1000 },
      { time: T0 + 2 * MIN, openInterest: 1010 },
      { time: T0 + 3 * MIN, openInterest: 1010 },
    ],
    candles: [
      candle(0, { high: 101, low: 99, close: 100, volume: 30, buy: 24 }),
      candle(1, { high: 103, low: 101, close: 102, volume: 10, buy: 0 }),
      candle(2, { high: 101.5, low: 100.5, close: 101, volume: 10, buy: 5 }),
    ],
    atrCandles: flatHourly(15),
    bracketTable: BTCUSDT_BRACKETS,
    leverageTiers: TEN_X,
    rangePct: 20,
    buckets: 100,
    ...overrides,
  };
}

// 10x on bracket 1 (MMR 0.004, cum 0): long LP = EP × 0.9 / 0.996, short LP = EP × 1.1 / 1.004.
const LONG_100 = 90.36144578313252; // 100 × 0.9 / 0.996
const LONG_102 = 92.16867469879517; // 102 × 0.9 / 0.996
const SHORT_100 = 109.56175298804781; // 100 × 1.1 / 1.004
const SHORT_102 = 111.75298804780877; // 102 × 1.1 / 1.004

const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);
const bucketWith = (h: LiquidationHeatmap, p: number) => h.buckets.find((b) => b.priceLow <= p && p < b.priceHigh);

/** Paths of every non-finite number (NaN, ±Infinity) anywhere in `value`. */
function nonFinite(value: unknown, path = 'heatmap', out: string[] = []): string[] {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) out.push(`${path} = ${value}`);
  } else if (Array.isArray(value)) value.forEach((v, i) => nonFinite(v, `${path}[${i}]`, out));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) nonFinite(v, `${path}.${k}`, out);
  return out;
}

describe('liquidation price (Binance USDⓈ-M isolated margin)', () => {
  const b = (table: BracketTable, n: number) => table.brackets[n - 1] as MaintenanceBracket;

  it('exposes the methodology version', () => {
    expect(LIQUIDATION_HEATMAP_METHODOLOGY_VERSION, 'consumers pin results to this version').toBe('liquidation-heatmap/1.1.1');
  });

  it('computes long and short prices in bracket 1 (BTCUSDT 0.4 %, cum 0)', () => {
    // long  = 50 000 × (1 − 1/10) / (1 − 0.004) = 45 000 / 0.996 = 45 180.7229
    // short = 50 000 × (1 + 1/10) / (1 + 0.004) = 55 000 / 1.004 = 54 780.8765
    expect(liquidationPrice('LONG', 50_000, 10, b(BTCUSDT_BRACKETS, 1), 10_000), '10x long').toBeCloseTo(45_180.72289156626, 8);
    expect(liquidationPrice('SHORT', 50_000, 10, b(BTCUSDT_BRACKETS, 1), 10_000), '10x short').toBeCloseTo(54_780.87649402391, 8);
    // 125x: long = 50 000 × 0.992 / 0.996 = 49 799.1968; short = 50 000 × 1.008 / 1.004 = 50 199.2032
    expect(liquidationPrice('LONG', 50_000, 125, b(BTCUSDT_BRACKETS, 1), 10_000), '125x long, 0.4 % below').toBeCloseTo(49_799.1967871486, 8);
    expect(liquidationPrice('SHORT', 50_000, 125, b(BTCUSDT_BRACKETS, 1), 10_000), '125x short').toBeCloseTo(50_199.203187251, 8);
  });

  it('deducts the maintenance amount in higher brackets', () => {
    // Bracket 2 (0.5 %, cum 50), N = 100 000: cum/N = 0.0005
    //   long  = 50 000 × (1 − 0.1 − 0.0005) / 0.995 = 50 000 × 0.8995 / 0.995 = 45 201.0050
    //   short = 50 000 × (1 + 0.1 + 0.0005) / 1.005 = 50 000 × 1.1005 / 1.005 = 54 751.2438
    expect(liquidationPrice('LONG', 50_000, 10, b(BTCUSDT_BRACKETS, 2), 100_000), 'bracket 2 long').toBeCloseTo(45_201.005025125625, 8);
    expect(liquidationPrice('SHORT', 50_000, 10, b(BTCUSDT_BRACKETS, 2), 100_000), 'bracket 2 short').toBeCloseTo(54_751.243781094534, 8);
    // Bracket 3 (1 %, cum 1 300), N = 1 000 000, 20x: cum/N = 0.0013
    //   long  = 50 000 × (1 − 0.05 − 0.0013) / 0.99 = 50 000 × 0.9487 / 0.99 = 47 914.1414
    //   short = 50 000 × (1 + 0.05 + 0.0013) / 1.01 = 50 000 × 1.0513 / 1.01 = 52 044.5545
    expect(liquidationPrice('LONG', 50_000, 20, b(BTCUSDT_BRACKETS, 3), 1_000_000), 'bracket 3 long').toBeCloseTo(47_914.14141414141, 8);
    expect(liquidationPrice('SHORT', 50_000, 20, b(BTCUSDT_BRACKETS, 3), 1_000_000), 'bracket 3 short').toBeCloseTo(52_044.554455445534, 8);
  });

  it('puts margin balance equal to maintenance margin at the liquidation price', () => {
    // Definition behind the formula: WB + side × Q × (LP − EP) = Q × LP × MMR − cum, with WB = N / L.
    for (const [table, leverage, notional] of [
      [BTCUSDT_BRACKETS, 50, 400_000],
      [ETHUSDT_BRACKETS, 25, 2_000_000],
      [GENERIC_BRACKETS, 3, 300_000],
    ] as const) {
      const bracket = bracketFor(table, notional);
      const ep = 1234.5;
      const q = notional / ep;
      for (const side of ['LONG', 'SHORT'] as const) {
        const lp = liquidationPrice(side, ep, leverage, bracket, notional);
        const s = side === 'LONG' ? 1 : -1;
        const marginBalance = notional / leverage + s * q * (lp - ep);
        const maintenance = q * lp * bracket.maintenanceMarginRate - bracket.maintenanceAmount;
        expect(marginBalance, `${table.name} ${leverage}x ${side}`).toBeCloseTo(maintenance, 6);
      }
    }
  });

  it('picks brackets by notional with inclusive caps', () => {
    expect(bracketFor(BTCUSDT_BRACKETS, 0).bracket, 'zero notional').toBe(1);
    expect(bracketFor(BTCUSDT_BRACKETS, 50_000).bracket, '50 000 ≤ cap of bracket 1').toBe(1);
    expect(bracketFor(BTCUSDT_BRACKETS, 50_000.01).bracket, 'just above the cap').toBe(2);
    expect(bracketFor(BTCUSDT_BRACKETS, 1e12).bracket, 'beyond the table: last bracket').toBe(10);
  });

  it('caps the representative notional at what the leverage allows, and the leverage at the table maximum', () => {
    expect(representativeBracket(BTCUSDT_BRACKETS, 10, 10_000).bracket.bracket, '10 000 at 10x: bracket 1').toBe(1);
    // 10x is allowed up to 40 M (bracket 5), so 1 M stays 1 M: bracket 3 (250 k < 1 M ≤ 3 M)
    const tenX = representativeBracket(BTCUSDT_BRACKETS, 10, 1_000_000);
    expect([tenX.notional, tenX.bracket.bracket], '1 M at 10x').toEqual([1_000_000, 3]);
    // 125x only up to 50 000, 100x up to 250 000
    expect(representativeBracket(BTCUSDT_BRACKETS, 125, 1_000_000).notional, '125x capped at 50 000').toBe(50_000);
    expect(representativeBracket(BTCUSDT_BRACKETS, 100, 1_000_000).bracket.bracket, '100x capped at 250 000: bracket 2').toBe(2);
    // Generic table tops out at 50x (≤ 5 000): 125x is computed at 50x in bracket 1 (1.5 %)
    const generic = representativeBracket(GENERIC_BRACKETS, 125, 10_000);
    expect([generic.effectiveLeverage, generic.notional, generic.bracket.maintenanceMarginRate], 'generic 125x').toEqual([50, 5_000, 0.015]);
    // 20x allows up to 25 000, so 10 000 stays: bracket 2 (5 000 < 10 000 ≤ 10 000), 2 %, cum 25
    const g20 = representativeBracket(GENERIC_BRACKETS, 20, 10_000).bracket;
    expect([g20.bracket, g20.maintenanceMarginRate, g20.maintenanceAmount], 'generic 20x').toEqual([2, 0.02, 25]);
  });

  it('ships bracket tables whose maintenance amounts follow the cum recurrence', () => {
    for (const table of [BTCUSDT_BRACKETS, ETHUSDT_BRACKETS, GENERIC_BRACKETS]) {
      table.brackets.forEach((row, i) => {
        const prev = table.brackets[i - 1];
        // cum(n) = cum(n − 1) + floor(n) × (rate(n) − rate(n − 1)); cum(1) = 0
        const expected = prev ? prev.maintenanceAmount + row.notionalFloor * (row.maintenanceMarginRate - prev.maintenanceMarginRate) : 0;
        expect(row.maintenanceAmount, `${table.name} bracket ${row.bracket}`).toBeCloseTo(expected, 6);
        if (prev) expect(row.notionalFloor, `${table.name} bracket ${row.bracket} starts where the previous ends`).toBe(prev.notionalCap);
        expect(row.maintenanceMarginRate, `${table.name} bracket ${row.bracket}: not liquidated at entry`).toBeLessThan(1 / row.maxLeverage);
      });
    }
    expect(bracketTableFor('btcusdt'), 'case-insensitive').toBe(BTCUSDT_BRACKETS);
    expect(bracketTableFor('ETHUSDT')).toBe(ETHUSDT_BRACKETS);
    expect(bracketTableFor('SOLUSDT'), 'everything else').toBe(GENERIC_BRACKETS);
  });

  it('documents a default leverage mix whose weights sum to 1', () => {
    expect(DEFAULT_LEVERAGE_TIERS.map((x) => x.leverage), 'tiers').toEqual([2, 3, 5, 10, 20, 25, 50, 75, 100, 125]);
    expect(sum(DEFAULT_LEVERAGE_TIERS.map((x) => x.weight)), 'weights').toBeCloseTo(1, 12);
  });
});

describe('computeLiquidationHeatmap', () => {
  describe('entries from open-interest increases', () => {
    it('allocates an increase across the interval candles by volume and splits it by taker flow', () => {
      const h = computeLiquidationHeatmap(reference());
      expect(h.warmingUp, '3 observations and 15 hourly candles').toBe(false);
      expect(h.totals.allocatedNotional, '7.5 × 100 + 2.5 × 102').toBeCloseTo(1005, 9);
      expect(h.totals.remainingNotional, 'nothing reduced or liquidated').toBeCloseTo(1005, 9);
      expect(h.totals.longNotional, 'longs 450 + 153 (60 % taker buy)').toBeCloseTo(603, 9);
      expect(h.totals.shortNotional, 'shorts 300 + 102').toBeCloseTo(402, 9);
      expect(bucketWith(h, LONG_100)?.longNotional, '4.5 long @ 100 liquidate at 100 × 0.9 / 0.996').toBeCloseTo(450, 9);
      expect(bucketWith(h, LONG_102)?.longNotional, '1.5 long @ 102 liquidate at 102 × 0.9 / 0.996').toBeCloseTo(153, 9);
      expect(bucketWith(h, SHORT_100)?.shortNotional, '3 short @ 100 liquidate at 100 × 1.1 / 1.004').toBeCloseTo(300, 9);
      expect(bucketWith(h, SHORT_102)?.shortNotional, '1 short @ 102 liquidate at 102 × 1.1 / 1.004').toBeCloseTo(102, 9);
      expect(h.buckets.filter((b) => b.totalNotional > 0), 'exactly four non-empty buckets').toHaveLength(4);
      expect(h.window, 'window bookkeeping').toMatchObject({ openInterestPoints: 3, increases: 1, decreases: 0, candles: 3, candleIntervalMs: MIN });
    });

    it('uses trades as price levels when no candle covers the interval', () => {
      // No candles before T0 + 2 min: the interval [T0, T0 + 2 min) takes its levels from trades.
      // Trades: BUY 3 @ 100, SELL 1 @ 104 → weights 3/4 and 1/4 of ΔOI 10, taker-buy share 3/4.
      //   longs 0.75 × 7.5 @ 100 = 562.5, 0.75 × 2.5 @ 104 = 195; shorts 0.25 × 7.5 @ 100 = 187.5, 0.25 × 2.5 @ 104 = 65
      const h = computeLiquidationHeatmap(
        reference({
          candles: [candle(2, { high: 101.5, low: 100.5, close: 101 })],
          trades: [
            { time: T0 + 10_000, price: 100, qty: 3, side: 'BUY' },
            { time: T0 + 70_000, price: 104, qty: 1, side: 'SELL' },
          ],
        }),
      );
      expect(h.totals.allocatedNotional, '7.5 × 100 + 2.5 × 104').toBeCloseTo(1010, 9);
      expect(h.totals.longNotional, '562.5 + 195').toBeCloseTo(757.5, 9);
      expect(h.totals.shortNotional, '187.5 + 65').toBeCloseTo(252.5, 9);
      expect(h.totals.unplacedOpenInterest, 'every increase placed').toBe(0);
    });

    it('counts an increase with neither candles nor trades as unplaced', () => {
      const h = computeLiquidationHeatmap(reference({ candles: [candle(2, { high: 101.5, low: 100.5, close: 101 })] }));
      expect(h.totals.unplacedOpenInterest, 'ΔOI 10 without price levels').toBe(10);
      expect(h.totals.allocatedNotional, 'nothing allocated').toBe(0);
      expect(h.assumptions.join(' '), 'assumptions say so').toContain('were not placed');
    });
  });

  describe('reductions', () => {
    it('shrinks every open entry by OI after / OI before and leaves later entries alone', () => {
      // 1010 → 909 at T0 + 3 min: factor 0.9, reduced 1005 × 0.1 = 100.5.
      // Then 909 → 919 over [T0 + 3 min, T0 + 4 min) with c3 (typical 101, taker buy 50 %):
      //   5 long + 5 short @ 101 = 1010 more, after the reduction, so unreduced.
      const h = computeLiquidationHeatmap(
        reference({
          now: T0 + 4 * MIN,
          openInterest: [
            { time: T0, openInterest: 1000 },
            { time: T0 + 2 * MIN, openInterest: 1010 },
            { time: T0 + 3 * MIN, openInterest: 909 },
            { time: T0 + 4 * MIN, openInterest: 919 },
          ],
          candles: [...reference().candles, candle(3, { high: 101.5, low: 100.5, close: 101, volume: 10, buy: 5 })],
        }),
      );
      expect(h.totals.allocatedNotional, '1005 + 1010').toBeCloseTo(2015, 9);
      expect(h.totals.reducedNotional, '1005 × (1 − 909 / 1010)').toBeCloseTo(100.5, 9);
      expect(h.totals.remainingNotional, '1005 × 0.9 + 1010').toBeCloseTo(1914.5, 9);
      expect(bucketWith(h, LONG_100)?.longNotional, '450 × 0.9').toBeCloseTo(405, 9);
      expect(bucketWith(h, 101 * (0.9 / 0.996))?.longNotional, '5 long @ 101 after the decrease: 505, unreduced').toBeCloseTo(505, 9);
      expect(h.window.decreases, 'one decrease').toBe(1);
    });

    it('clears everything when open interest drops to zero', () => {
      const h = computeLiquidationHeatmap(
        reference({
          openInterest: [
            { time: T0, openInterest: 1000 },
            { time: T0 + 2 * MIN, openInterest: 1010 },
            { time: T0 + 3 * MIN, openInterest: 0 },
          ],
        }),
      );
      expect(h.totals.reducedNotional, 'all of it').toBeCloseTo(1005, 9);
      expect(h.totals.remainingNotional, 'nothing left').toBe(0);
    });
  });

  describe('crossed positions', () => {
    it('drops longs a later candle low reached and shorts a later candle high reached', () => {
      // c2 low 92 reaches the long liquidation at 92.17 (from 102) but not the one at 90.36 (from 100);
      // its high 110 reaches the short liquidation at 109.56 but not 111.75.
      const h = computeLiquidationHeatmap(
        reference({ candles: [...reference().candles.slice(0, 2), candle(2, { high: 110, low: 92, close: 101 })] }),
      );
      expect(h.totals.liquidatedNotional, '153 long + 300 short').toBeCloseTo(453, 9);
      expect(h.totals.longNotional, 'the 450 long survives').toBeCloseTo(450, 9);
      expect(h.totals.shortNotional, 'the 102 short survives').toBeCloseTo(102, 9);
      expect(h.totals.allocatedNotional - h.totals.liquidatedNotional - h.totals.reducedNotional, 'bookkeeping').toBeCloseTo(h.totals.remainingNotional, 9);
    });

    it('does not check the candle a position was opened in (path order inside it is unknown)', () => {
      // One candle H 100 L 80 C 100 (typical 93.33): its 10x long liquidates at 93.33 × 0.9 / 0.996 = 84.34 > 80.
      const opening = candle(0, { high: 100, low: 80, close: 100, volume: 10, buy: 5 });
      const base = {
        openInterest: [
          { time: T0, openInterest: 1000 },
          { time: T0 + MIN, openInterest: 1010 },
          { time: T0 + 2 * MIN, openInterest: 1010 },
        ],
        price: 95,
        now: T0 + 2 * MIN,
      };
      const kept = computeLiquidationHeatmap(reference({ ...base, candles: [opening, candle(1, { high: 96, low: 94, close: 95 })] }));
      expect(kept.totals.liquidatedNotional, 'its own low does not liquidate it').toBe(0);
      const dropped = computeLiquidationHeatmap(reference({ ...base, candles: [opening, candle(1, { high: 96, low: 84, close: 95 })] }));
      expect(dropped.totals.liquidatedNotional, 'the next candle reaching 84.34 does: 5 × 93.33').toBeCloseTo((5 * 280) / 3, 9);
    });

    it('drops positions the current price has crossed', () => {
      // price 91 is below the long liquidation at 92.17 but above 90.36
      const h = computeLiquidationHeatmap(reference({ price: 91 }));
      expect(h.totals.liquidatedNotional, 'the 153 long from 102').toBeCloseTo(153, 9);
      for (const b of h.buckets) if (b.longNotional > 0) expect(b.priceLow, 'long liquidations stay below the price').toBeLessThan(91);
    });
  });

  describe('zones, whale targets and cascade on the reference case', () => {
    const h = computeLiquidationHeatmap(reference());

    it('finds the nearest and largest zones on each side', () => {
      // Range ±20 % of 101: [80.8, 121.2], width 0.404. Long 450 → bucket 23, long 153 → 28; short 300 → 71, short 102 → 76.
      expect(h.bucketSize, '40.4 / 100').toBeCloseTo(0.404, 12);
      expect(h.largestBelow?.notional, 'the 450 long bucket').toBeCloseTo(450, 9);
      expect(h.largestBelow?.priceLow, 'bucket 23').toBeCloseTo(80.8 + 23 * 0.404, 9);
      expect(h.nearestBelow?.notional, '153 ≥ 25 % of 450: the nearest significant long bucket').toBeCloseTo(153, 9);
      expect(h.nearestBelow?.priceLow, 'bucket 28').toBeCloseTo(80.8 + 28 * 0.404, 9);
      expect(h.largestAbove?.notional, 'the 300 short bucket').toBeCloseTo(300, 9);
      expect(h.nearestAbove?.notional, 'also the nearest').toBeCloseTo(300, 9);
      expect(h.nearestAbove?.distancePct, '(mid of bucket 71 − 101) / 101 × 100').toBeCloseTo(((80.8 + 71.5 * 0.404 - 101) / 101) * 100, 9);
      expect(h.nearestBelow?.side, 'long zone').toBe('LONG');
    });

    it('ranks whale targets by notional with risk from minutes of volume', () => {
      // Volume: 3 candles × 30 quote in the last hour → 30 per minute.
      // 450 / 30 = 15 min EXTREME; 300 / 30 = 10 EXTREME; 153 / 30 = 5.1 EXTREME; 102 / 30 = 3.4 HIGH
      expect(h.whaleTargets.map((w) => [w.side, Math.round(w.notional), w.buckets, w.risk])).toEqual([
        ['LONG', 450, 1, 'EXTREME'],
        ['SHORT', 300, 1, 'EXTREME'],
        ['LONG', 153, 1, 'EXTREME'],
        ['SHORT', 102, 1, 'HIGH'],
      ]);
      expect(h.whaleTargets[3]?.volumeMinutes, '102 / 30').toBeCloseTo(3.4, 12);
      expect(h.whaleTargets[0]?.price, 'single-bucket cluster: its mid price').toBeCloseTo(80.8 + 23.5 * 0.404, 9);
    });

    it('computes the cascade probability from ATR-weighted mass over traded volume', () => {
      // ATR = 10 (true range 105 − 95 on every hourly candle), reach R = 2 × 10 = 20, V = 30 per minute.
      // down = 450 × (1 − (101 − 90.3614) / 20) + 153 × (1 − (101 − 92.1687) / 20) = 210.6325 + 85.4404 = 296.0729
      // up   = 300 × (1 − (109.5618 − 101) / 20) + 102 × (1 − (111.7530 − 101) / 20) = 171.5737 + 47.1598 = 218.7335
      // pDown = 1 − exp(−296.0729 / 30 / 5) = 0.861075; pUp = 1 − exp(−218.7335 / 30 / 5) = 0.767351
      const c = h.cascade;
      expect(c.atr, 'constant true range').toBeCloseTo(10, 12);
      expect(c.reach, '2 × ATR').toBeCloseTo(20, 12);
      expect(c.volumePerMinute, '90 quote over 3 minutes').toBeCloseTo(30, 12);
      expect(c.downMass, 'distance-weighted long mass').toBeCloseTo(296.07289156626484, 9);
      expect(c.upMass, 'distance-weighted short mass').toBeCloseTo(218.73346613545803, 9);
      expect(c.downProbability, '1 − exp(−9.869 / 5)').toBeCloseTo(0.8610747523371093, 12);
      expect(c.upProbability, '1 − exp(−7.291 / 5)').toBeCloseTo(0.7673506995491709, 12);
      expect(c.direction, 'down exceeds up by 0.094 ≥ 0.05').toBe('DOWN');
      expect(cascadeProbability(0, 30, 5), 'no mass, no cascade').toBe(0);
    });

    it('explains the pressure score with three weighted factors', () => {
      // rangeImbalance = (603 − 402) / 1005 = 0.2; nearImbalance = (296.07 − 218.73) / 514.81 = 0.150230;
      // cascadeSkew = 0.861075 − 0.767351 = 0.093724
      // score = 100 × (0.5 × 0.2 + 0.25 × 0.150230 + 0.25 × 0.093724) = 16.10 → BALANCED
      expect(h.factors.map((f) => [f.name, f.weight])).toEqual([
        ['rangeImbalance', 0.5],
        ['nearImbalance', 0.25],
        ['cascadeSkew', 0.25],
      ]);
      expect(h.factors[0]?.value, '(603 − 402) / 1005').toBeCloseTo(0.2, 12);
      expect(h.factors[1]?.value, '(down − up) / (down + up)').toBeCloseTo(0.15023012881207856, 9);
      expect(h.factors[2]?.value, 'pDown − pUp').toBeCloseTo(0.09372405278793838, 9);
      expect(h.pressureScore, '100 × Σ contributions').toBe(16.1);
      expect(h.pressure, '16.1 < 20').toBe('BALANCED');
      expect(h.signal, 'plain language').toContain('balanced');
      expect(h.factors[0]?.note, 'shares in the note').toContain('60.0 % of the 1,005 liquidation notional');
    });

    it('builds a price × time matrix whose last slice is the current buckets', () => {
      expect(h.timeline.slices, 'default 24 slices').toHaveLength(24);
      expect(h.timeline.slices.every((s) => s.notional.length === 100), 'one cell per bucket').toBe(true);
      const last = h.timeline.slices[23]!;
      expect(last.time, 'ends now').toBe(T0 + 3 * MIN);
      expect(last.notional, 'current state').toEqual(h.buckets.map((b) => b.totalNotional));
      // The first slice (T0 + 7.5 s) only holds what c0 opened: 450 long + 300 short.
      expect(sum(h.timeline.slices[0]!.notional), 'entries of c0 only').toBeCloseTo(750, 9);
      expect(h.timeline.maxNotional, 'largest cell').toBeCloseTo(450, 9);
    });

    it('describes the model in its assumptions', () => {
      const text = h.assumptions.join('\n');
      expect(text, 'data window').toContain('3 open-interest observations from 2025-01-01T00:00:00.000Z');
      expect(text, 'leverage mix').toContain('Leverage mix: 10x 100.0 %');
      expect(text, 'bracket table').toContain('Maintenance brackets: Binance BTCUSDT');
      expect(text, 'formula').toContain('isolated-margin formula');
      expect(nonFinite(h), 'every number finite').toEqual([]);
    });
  });

  describe('classification boundaries', () => {
    it('maps pressure scores with inclusive cut-offs', () => {
      const table: [number, string][] = [
        [100, 'LONG_HEAVY'],
        [20, 'LONG_HEAVY'],
        [19.99, 'BALANCED'],
        [0, 'BALANCED'],
        [-19.99, 'BALANCED'],
        [-20, 'SHORT_HEAVY'],
        [-100, 'SHORT_HEAVY'],
      ];
      for (const [score, pressure] of table) expect(classifyPressure(score), `score ${score}`).toBe(pressure);
      expect(classifyPressure(30, 40), 'custom cut-off').toBe('BALANCED');
    });

    it('reaches LONG_HEAVY and SHORT_HEAVY end to end', () => {
      // All taker buys: only longs (603 + 402 moved to the long side = 1005 long); no ATR → near/skew count 0.
      // score = 100 × 0.5 × 1 = 50 → LONG_HEAVY
      const allBuy = reference({
        atrCandles: [],
        candles: reference().candles.map((c) => ({ ...c, takerBuyVolume: c.volume })),
      });
      const longHeavy = computeLiquidationHeatmap(allBuy);
      expect(longHeavy.pressureScore, '100 × 0.5 × (1005 − 0) / 1005').toBe(50);
      expect(longHeavy.pressure).toBe('LONG_HEAVY');
      expect(longHeavy.signal, 'says which way').toContain('Long liquidations dominate');
      const shortHeavy = computeLiquidationHeatmap({ ...allBuy, candles: allBuy.candles.map((c) => ({ ...c, takerBuyVolume: 0 })) });
      expect(shortHeavy.pressureScore, 'mirror image').toBe(-50);
      expect(shortHeavy.pressure).toBe('SHORT_HEAVY');
    });

    it('maps minutes of volume to risk levels with inclusive lower bounds', () => {
      const t = DEFAULT_LIQUIDATION_HEATMAP_THRESHOLDS;
      const table: [number | null, string][] = [
        [null, 'LOW'],
        [0.49, 'LOW'],
        [0.5, 'MEDIUM'],
        [1.99, 'MEDIUM'],
        [2, 'HIGH'],
        [4.99, 'HIGH'],
        [5, 'EXTREME'],
      ];
      for (const [minutes, risk] of table) expect(classifyRisk(minutes, t), `${minutes} minutes`).toBe(risk);
    });
  });

  describe('warming up and leverage options', () => {
    it('is warming up with too few observations or no ATR, and never invents the cascade', () => {
      const fewPoints = computeLiquidationHeatmap(reference({ openInterest: reference().openInterest.slice(0, 2) }));
      expect(fewPoints.warmingUp, '2 observations < 3').toBe(true);
      expect(fewPoints.totals.allocatedNotional, 'what there is still counts').toBeCloseTo(1005, 9);
      const noAtr = computeLiquidationHeatmap(reference({ atrCandles: flatHourly(13) }));
      expect(noAtr.warmingUp, '13 hourly candles: ATR(14) needs 14').toBe(true);
      expect([noAtr.cascade.atr, noAtr.cascade.upProbability, noAtr.cascade.downProbability], 'null, not 0').toEqual([null, null, null]);
      expect(noAtr.cascade.direction).toBe('NEUTRAL');
      expect(noAtr.factors[2]?.note, 'the factor says why it is 0').toContain('warming up');
      const empty = computeLiquidationHeatmap(reference({ openInterest: [], candles: [] }));
      expect(empty.buckets.every((b) => b.totalNotional === 0), 'empty buckets').toBe(true);
      expect(empty.signal).toContain('No leveraged positions');
      expect(empty.timeline.slices, 'no window, no slices').toHaveLength(0);
    });

    it('spreads entries over the tiers by weight and reports each tier', () => {
      // 25 % at 5x, 75 % at 50x: 5x long LP = EP × 0.8 / 0.996, 50x long LP = EP × 0.98 / 0.996,
      // 50x short LP = EP × 1.02 / 1.004: the 50x short opened at 100 liquidates at 101.59, which c1's high
      // 103 reaches, so 75 % × 300 = 225 is liquidated and 75 % × 102 = 76.5 of 50x shorts remain.
      const h = computeLiquidationHeatmap(reference({ leverageTiers: [{ leverage: 5, weight: 1 }, { leverage: 50, weight: 3 }] }));
      const [five, fifty] = h.leverageTiers;
      expect(five?.weight, 'normalised').toBeCloseTo(0.25, 12);
      expect(five?.longNotional, '25 % of 603').toBeCloseTo(150.75, 9);
      expect(fifty?.shortNotional, '75 % of 102').toBeCloseTo(76.5, 9);
      expect(h.totals.liquidatedNotional, '75 % of the 300 short from 100').toBeCloseTo(225, 9);
      expect(five?.longLiquidationOffsetPct, '(0.8 / 0.996 − 1) × 100').toBeCloseTo((0.8 / 0.996 - 1) * 100, 12);
      const bucket = bucketWith(h, (100 * 0.98) / 0.996)!;
      expect(bucket.longByTier, 'tier breakdown: only 50x here').toEqual([0, expect.closeTo(337.5, 9)]);
    });

    it('computes tiers above the table maximum at that maximum', () => {
      const h = computeLiquidationHeatmap(reference({ symbol: 'SOLUSDT', bracketTable: GENERIC_BRACKETS, leverageTiers: [{ leverage: 125, weight: 1 }] }));
      expect(h.leverageTiers[0]?.effectiveLeverage, 'generic table tops out at 50x').toBe(50);
      expect(h.assumptions.join(' '), 'assumptions say so').toContain("125x exceed the table's 50x maximum");
    });
  });

  describe('preconditions', () => {
    it('throws with the offending value quoted', () => {
      const cases: [Partial<LiquidationHeatmapInput>, string][] = [
        [{ price: 0 }, 'price must be a finite number > 0, got 0'],
        [{ price: Number.NaN }, 'price must be a finite number > 0, got NaN'],
        [{ rangePct: 0 }, 'rangePct must be a number with 0 < rangePct < 100, got 0'],
        [{ rangePct: 100 }, 'got 100'],
        [{ buckets: 0 }, 'buckets must be an integer within 1..10000, got 0'],
        [{ buckets: 2.5 }, 'got 2.5'],
        [{ now: Number.POSITIVE_INFINITY }, 'now must be a finite epoch ms'],
        [
          { openInterest: [{ time: 2, openInterest: 1 }, { time: 1, openInterest: 1 }] },
          'openInterest must be sorted strictly ascending by time, but openInterest[1].time 1 <= openInterest[0].time 2',
        ],
        [{ openInterest: [{ time: 1, openInterest: -5 }] }, 'openInterest[0].openInterest must be a finite number >= 0, got -5'],
        [{ candles: [candle(1, { high: 1, low: 1, close: 1 }), candle(0, { high: 1, low: 1, close: 1 })] }, 'candles must be sorted strictly ascending by openTime'],
        [{ candles: [candle(0, { high: 1, low: 2, close: 1 })] }, 'candles[0].high 1 is below its low 2'],
        [{ leverageTiers: [] }, 'leverageTiers must not be empty'],
        [{ leverageTiers: [{ leverage: 0.5, weight: 1 }] }, 'leverageTiers[0].leverage must be a finite number >= 1, got 0.5'],
        [{ leverageTiers: [{ leverage: 10, weight: 1 }, { leverage: 10, weight: 1 }] }, 'distinct leverages, but 10 appears twice'],
        [{ leverageTiers: [{ leverage: 10, weight: 0 }] }, 'leverageTiers[0].weight must be a finite number > 0, got 0'],
        [
          { bracketTable: { name: 'bad', asOf: 'test', brackets: [{ ...BTCUSDT_BRACKETS.brackets[0]!, maintenanceMarginRate: 0.01 }] } },
          'bracketTable.brackets[0].maintenanceMarginRate must be within [0, 1 / maxLeverage) so a position is not liquidated at entry, got 0.01',
        ],
        [{ thresholds: { atrPeriod: 0 } }, 'thresholds.atrPeriod must be an integer within 1..10000, got 0'],
        [{ thresholds: { cascadeScaleMinutes: -1 } }, 'thresholds.cascadeScaleMinutes must be a finite number > 0, got -1'],
      ];
      for (const [overrides, message] of cases) {
        expect(() => computeLiquidationHeatmap(reference(overrides)), message).toThrow(message);
      }
      expect(() => computeLiquidationHeatmap(reference({ price: -1 })), 'prefixed with the analyzer').toThrow('computeLiquidationHeatmap: price');
    });
  });
});

// --- Properties over random markets ---

/** mulberry32: a small deterministic PRNG, so failures reproduce. */
const rng = mulberry32;

function randomMarket(seed: number): LiquidationHeatmapInput {
  const r = rng(seed);
  const minutes = 60 + Math.floor(r() * 300);
  let price = 50 + r() * 50_000;
  const candles: HeatmapCandle[] = [];
  for (let i = 0; i < minutes; i++) {
    const open = price;
    price = Math.max(1e-6, price * (1 + (r() - 0.5) * 0.02 * (r() < 0.05 ? 5 : 1)));
    const high = Math.max(open, price) * (1 + r() * 0.004);
    const low = Math.min(open, price) * (1 - r() * 0.004);
    const volume = r() < 0.05 ? 0 : r() * 100;
    candles.push(candle(i, { high, low, close: price, volume, buy: volume * r(), quoteVolume: volume * price }));
  }
  const step = [1, 3, 5][Math.floor(r() * 3)] as number;
  const openInterest = [];
  let oi = 1_000 + r() * 10_000;
  for (let m = Math.floor(r() * 5); m <= minutes; m += step) {
    openInterest.push({ time: T0 + m * MIN, openInterest: oi });
    oi = Math.max(0, oi + (r() - 0.45) * 200 * (r() < 0.02 ? 50 : 1));
  }
  const leverages = [...new Set(Array.from({ length: 1 + Math.floor(r() * 6) }, () => 1 + Math.floor(r() * 125)))];
  const tables = [BTCUSDT_BRACKETS, ETHUSDT_BRACKETS, GENERIC_BRACKETS];
  return {
    symbol: 'RANDOM',
    now: T0 + minutes * MIN,
    price: price * (1 + (r() - 0.5) * 0.01),
    openInterest,
    candles,
    atrCandles: flatHourly(20, price * 1.01, price * 0.99, price),
    bracketTable: tables[Math.floor(r() * 3)] as BracketTable,
    leverageTiers: r() < 0.3 ? undefined : leverages.map((leverage) => ({ leverage, weight: 0.1 + r() })),
    rangePct: 0.5 + r() * 49.5,
    buckets: 10 + Math.floor(r() * 391),
    thresholds: { positionNotional: 10 ** (2 + r() * 6) },
  };
}

describe('seeding the open interest open at start', () => {
  // Two candles before the first observation (T0, OI 1000): typical 98 and 99, equal volume 20, half taker-buy.
  // Seed: 500 @ 98 and 500 @ 99, half long, half short; no seed entry is crossed by the path (lows ≥ 97 stay
  // above the 10x long liquidations ≈ 88.6/89.5, highs ≤ 103 below the shorts ≈ 107.4/108.5), so the
  // survivors already hold 1000 and the scale is 1: seeded notional = 500 × 98 + 500 × 99 = 98 500.
  const seeded = () =>
    computeLiquidationHeatmap(
      reference({
        candles: [candle(-2, { high: 99, low: 97, close: 98, volume: 20, buy: 10 }), candle(-1, { high: 100, low: 98, close: 99, volume: 20, buy: 10 }), ...reference().candles],
      }),
    );

  it('allocates the first observation over the history before it and reports coverage against open interest', () => {
    const unseeded = computeLiquidationHeatmap(reference());
    expect(unseeded.totals.remainingNotional, 'only the increase: 7.5 × 100 + 2.5 × 102').toBeCloseTo(1005, 9);
    expect(unseeded.totals.coverage, 'the defect: 1005 of 1010 × 101 modelled').toBeCloseTo(1005 / 102_010, 12);
    expect(unseeded.totals.seededOpenInterest, 'no history before the first observation').toBe(0);
    const h = seeded();
    expect(h.totals.seededOpenInterest).toBe(1000);
    expect(h.totals.allocatedNotional).toBeCloseTo(98_500 + 1005, 9);
    expect(h.totals.remainingNotional).toBeCloseTo(99_505, 9);
    expect(h.totals.openInterestNotional).toBe(1010 * 101);
    expect(h.totals.coverage, '99 505 / 102 010').toBeCloseTo(99_505 / 102_010, 12);
    const longAt98 = bucketWith(h, (98 * 0.9) / 0.996)!;
    expect(longAt98.longNotional, '250 long @ 98 at 10x').toBeCloseTo(250 * 98, 9);
    const shortAt99 = bucketWith(h, (99 * 1.1) / 1.004)!;
    expect(shortAt99.shortNotional, '250 short @ 99').toBeCloseTo(250 * 99, 9);
  });

  it('scales the survivors of the seed window to the observed open interest', () => {
    // A wick to 88 in the second seed candle liquidates the 10x longs entered at 98 (liq 88.55): 250 of the
    // 1000 seeded contracts die; the 750 survivors are scaled by 1000 / 750.
    const h = computeLiquidationHeatmap(
      reference({
        candles: [candle(-2, { high: 99, low: 97, close: 98, volume: 20, buy: 10 }), candle(-1, { high: 100, low: 88, close: 99, volume: 20, buy: 10 }), ...reference().candles],
      }),
    );
    // Candle -1 has typical (100 + 88 + 99) / 3 = 95.67: entries 500 @ 98 and 500 @ 95.67.
    const p2 = (100 + 88 + 99) / 3;
    const aliveQty = 1000 - 250; // longs @ 98 liquidated by the low 88 of candle −1
    const seedRemaining = (250 * 98 + 250 * p2 + 250 * p2) * (1000 / aliveQty);
    expect(h.totals.liquidatedNotional, '250 long @ 98').toBeCloseTo(250 * 98, 9);
    expect(h.totals.remainingNotional).toBeCloseTo(seedRemaining + 1005, 6);
    const mass = h.totals.allocatedNotional - h.totals.reducedNotional - h.totals.liquidatedNotional;
    expect(mass, 'conservation').toBeCloseTo(h.totals.remainingNotional, 6);
  });
});

describe('properties over 200 random markets', () => {
  const seeds = Array.from({ length: 200 }, (_, i) => i + 1);

  it('conserves mass: allocated = reduced + liquidated + remaining = reduced + liquidated + buckets + out of range', () => {
    for (const seed of seeds) {
      const h = computeLiquidationHeatmap(randomMarket(seed));
      const t = h.totals;
      const tol = 1e-9 * Math.max(1, t.allocatedNotional);
      expect(Math.abs(t.allocatedNotional - t.reducedNotional - t.liquidatedNotional - t.remainingNotional), `seed ${seed}: bookkeeping`).toBeLessThan(tol);
      const inBuckets = sum(h.buckets.map((b) => b.totalNotional));
      expect(Math.abs(inBuckets + t.outOfRangeLongNotional + t.outOfRangeShortNotional - t.remainingNotional), `seed ${seed}: buckets + outside`).toBeLessThan(tol);
      expect(Math.abs(sum(h.leverageTiers.map((x) => x.longNotional + x.shortNotional)) - t.remainingNotional), `seed ${seed}: tiers`).toBeLessThan(tol);
      const tierGap = Math.max(0, ...h.buckets.map((b) => Math.abs(sum(b.longByTier) - b.longNotional) + Math.abs(sum(b.shortByTier) - b.shortNotional)));
      expect(tierGap, `seed ${seed}: per-bucket tier breakdown sums to the bucket`).toBeLessThan(tol);
      expect(t.reducedNotional, `seed ${seed}: non-negative`).toBeGreaterThanOrEqual(0);
      expect(t.liquidatedNotional, `seed ${seed}: non-negative`).toBeGreaterThanOrEqual(0);
    }
  });

  it('never puts a liquidation on the wrong side of the price', () => {
    for (const seed of seeds) {
      const h = computeLiquidationHeatmap(randomMarket(seed));
      const wrongLong = h.buckets.filter((b) => b.longNotional > 0 && !(b.priceLow < h.price));
      const wrongShort = h.buckets.filter((b) => b.shortNotional > 0 && !(b.priceHigh > h.price));
      expect(wrongLong, `seed ${seed}: long liquidations only below ${h.price}`).toEqual([]);
      expect(wrongShort, `seed ${seed}: short liquidations only above ${h.price}`).toEqual([]);
      for (const w of h.whaleTargets) {
        if (w.side === 'LONG') expect(w.priceLow, `seed ${seed}: long cluster below`).toBeLessThan(h.price);
        else expect(w.priceHigh, `seed ${seed}: short cluster above`).toBeGreaterThan(h.price);
      }
      for (const z of [h.nearestBelow, h.largestBelow]) if (z) expect(z.priceLow, `seed ${seed}: zone below`).toBeLessThan(h.price);
      for (const z of [h.nearestAbove, h.largestAbove]) if (z) expect(z.priceHigh, `seed ${seed}: zone above`).toBeGreaterThan(h.price);
    }
  });

  it('keeps every number finite, probabilities in [0, 1] and the last slice equal to the buckets', () => {
    for (const seed of seeds.slice(0, 60)) {
      const h = computeLiquidationHeatmap(randomMarket(seed));
      expect(nonFinite(h, `seed ${seed}`), 'every number finite').toEqual([]);
      for (const p of [h.cascade.upProbability, h.cascade.downProbability]) {
        expect(p, `seed ${seed}: probability available with ATR and volume`).not.toBeNull();
        expect(p! >= 0 && p! <= 1, `seed ${seed}: ${p} in [0, 1]`).toBe(true);
      }
      const last = h.timeline.slices.at(-1)!;
      const worst = Math.max(0, ...last.notional.map((v, i) => Math.abs(v - h.buckets[i]!.totalNotional)));
      expect(worst, `seed ${seed}: last slice = buckets`).toBeLessThan(1e-9 * Math.max(1, h.totals.remainingNotional));
      expect(Math.abs(h.pressureScore), `seed ${seed}: score bounded`).toBeLessThanOrEqual(100);
    }
  });
});

describe('engine definition', () => {
  const settings: AnalysisSettings = { fundingHistoryWindow: 90, fundingIntervalHours: () => 8 };

  /** A store with 20 hours of 1-minute candles (no hourly stream), open interest every 5 minutes and a price. */
  function market() {
    const store = createMarketStore(['SOLUSDT']);
    for (let i = 0; i < 1200; i++) {
      const close = 100 + Math.sin(i / 30);
      store.apply({
        type: 'candle',
        candle: { symbol: 'SOLUSDT', interval: '1m', open: close, ...candle(i, { high: close + 0.2, low: close - 0.2, close, volume: 10, buy: 6, quoteVolume: 1000 }), trades: 5, closed: true },
      });
      if (i % 5 === 0) store.apply({ type: 'openInterest', openInterest: { symbol: 'SOLUSDT', openInterest: 1000 + (i % 15), openInterestValue: null, time: T0 + i * MIN } });
    }
    return store.get('SOLUSDT')!;
  }

  it('returns nothing without a price or candles', () => {
    const store = createMarketStore(['SOLUSDT']);
    expect(liquidationHeatmapDefinition.compute(store.get('SOLUSDT')!, T0, settings), 'empty store').toBeNull();
  });

  it('aggregates hourly candles for the ATR when the source has none, and honours caller parameters', () => {
    const m = market();
    const now = T0 + 1200 * MIN;
    const out = liquidationHeatmapDefinition.compute(m, now, settings)!;
    expect(out.result.window.candles, 'the store keeps the newest 1000 one-minute candles').toBe(1000);
    expect(out.result.window.atrCandles, '1000 minutes span 17 (partly filled) hours').toBe(17);
    expect(out.result.cascade.atr, 'ATR from the aggregated hours').not.toBeNull();
    expect(out.result.warmingUp, 'enough of everything').toBe(false);
    expect(out.result.bracketTable, 'SOLUSDT uses the generic table').toBe('Binance generic 50x mid-cap');
    expect(out.asOf, 'newest input: the last closed candle, at T0 + 1200 min − 1 ms').toBe(T0 + 1200 * MIN - 1);
    const custom = liquidationHeatmapDefinition.computeWith!(m, now, settings, { leverages: [25, 5], rangePct: 3, buckets: 30 })!;
    expect(custom.result.leverageTiers.map((x) => [x.leverage, x.weight]), 'sorted, equal weights').toEqual([
      [5, 0.5],
      [25, 0.5],
    ]);
    expect([custom.result.rangePct, custom.result.buckets.length], 'range and buckets').toEqual([3, 30]);
  });
});
