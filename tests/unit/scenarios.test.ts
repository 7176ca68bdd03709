import { describe, expect, it } from 'vitest';
import { computeScenarios, safeLeverage, scenarioConfidence } from '../../src/analyzers/scenarios.js';
import type { Confirmation } from '../../src/analyzers/confirmation.types.js';
import type { KeyLevel, KeyLevels } from '../../src/analyzers/key-levels.types.js';
import type { LiquidationHeatmap, LiquidationZone } from '../../src/analyzers/liquidation-heatmap.types.js';
import type { ScenarioInputs, ScenarioSet } from '../../src/analyzers/scenarios.types.js';
import type { VolumeProfile } from '../../src/analyzers/volume-profile.types.js';
import type { BookWall, OrderBookAnalysis } from '../../src/analyzers/order-book.types.js';
import { BTCUSDT_BRACKETS, ETHUSDT_BRACKETS, GENERIC_BRACKETS } from '../../src/analyzers/liquidation-brackets.js';
import { liquidationPrice } from '../../src/analyzers/liquidation-heatmap.js';
import { rng } from '../support/fuzz.js';

function confirmation(score: number, over: Partial<Confirmation> = {}): Confirmation {
  const signal = score > 57.5 ? 'BULLISH' : score < 42.5 ? 'BEARISH' : 'NEUTRAL';
  return {
    symbol: 'BTCUSDT',
    interval: '1h',
    score,
    signal,
    quality: 'GOOD',
    strength: 'MEDIUM',
    coverage: 0.9,
    distribution: { bullish: 0, bearish: 0, neutral: 0, unavailable: 0 },
    recommendation: '',
    factors: [],
    layers: [],
    ...over,
  };
}

function level(price: number, ref: number, kind: KeyLevel['kind'] = 'SWING_CLUSTER'): KeyLevel {
  return { kind, price, distancePct: ((price - ref) / ref) * 100, side: price < ref ? 'SUPPORT' : 'RESISTANCE', strength: 50, touches: 2, lastTouchTime: 0, ratio: null, note: '', factors: [] };
}

function levels(prices: number[], ref: number): KeyLevels {
  const all = prices.map((p) => level(p, ref)).sort((a, b) => b.price - a.price);
  return {
    symbol: 'BTCUSDT',
    interval: '1h',
    tolerancePct: 0.3,
    warmingUp: false,
    time: 0,
    price: ref,
    bars: 500,
    levels: all,
    nearestSupport: all.find((l) => l.price < ref) ?? null,
    nearestResistance: [...all].reverse().find((l) => l.price >= ref) ?? null,
    leg: null,
    priorDay: null,
    priorWeek: null,
  };
}

function zone(side: 'LONG' | 'SHORT', low: number, high: number, ref: number): LiquidationZone {
  const price = (low + high) / 2;
  return { side, priceLow: low, priceHigh: high, price, notional: 1e6, distancePct: ((price - ref) / ref) * 100 };
}

function heatmap(zones: { above?: LiquidationZone; below?: LiquidationZone }): LiquidationHeatmap {
  return { warmingUp: false, nearestAbove: zones.above ?? null, largestAbove: null, nearestBelow: zones.below ?? null, largestBelow: null, whaleTargets: [] } as unknown as LiquidationHeatmap;
}


function wall(side: 'BID' | 'ASK', price: number, ageMs: number, sizeVsMedian = 12): BookWall {
  return { side, price, qty: 1000, notionalUsd: price * 1000, sizeVsMedian, distancePct: Math.abs(price - 100), ageMs, firstSeen: -ageMs };
}

function orderBook(standing: BookWall[], over: { pulledShare?: number | null; sellBps?: number | null; buyBps?: number } = {}): OrderBookAnalysis {
  const walk = (side: 'BUY' | 'SELL', bps: number | null) => ({ side, notionalUsd: 100_000, filled: bps !== null, averagePrice: null, slippageBps: bps, worstPrice: null, levels: 4, unavailableReason: null });
  return {
    available: true,
    unavailableReason: null,
    bookState: 'SYNCED',
    walls: { standing, gone: [], pulledBeforeTouch: 0, eaten: 0, pulledShare: over.pulledShare === undefined ? 0.1 : over.pulledShare },
    slippage: [walk('SELL', over.sellBps === undefined ? 2 : over.sellBps), walk('BUY', over.buyBps ?? 2)],
  } as unknown as OrderBookAnalysis;
}

const base = (over: Partial<ScenarioInputs> = {}): ScenarioInputs => ({
  symbol: 'BTCUSDT',
  interval: '1h',
  now: 0,
  price: 100,
  atr: 2,
  confirmation: confirmation(70),
  levels: levels([104, 97, 94], 100),
  profile: null,
  heatmap: null,
  brackets: BTCUSDT_BRACKETS,
  ...over,
});

describe('computeScenarios (hand-computed)', () => {
  const set = computeScenarios(base());
  const byName = Object.fromEntries(set.scenarios.map((s) => [s.name, s]));

  it('builds the bullish trio: long breakout, long pull-back, short rejection', () => {
    expect(set.scenarios.map((s) => s.name)).toEqual(['Long breakout', 'Long pull-back', 'Short rejection at resistance']);
  });

  it('long breakout: stop entry through 104, stop 0.25 ATR under the 97 support, risk-multiple targets', () => {
    const s = byName['Long breakout']!;
    expect(s.entry).toEqual({ priceMin: 104, priceMax: 104.5, type: 'STOP' });
    // mid 104.25; anchors 1..4 ATR behind the mid: 97 (7.25 = 3.6 ATR); 94 is 5.1 ATR away.
    expect(s.stopLoss.price).toBe(96.5);
    expect(s.stopLoss.reason).toContain('SWING_CLUSTER 97');
    // Nothing above 104.5: 1R, 2R, 3R of the 7.75 risk.
    expect(s.targets.map((t) => [t.price, t.rr])).toEqual([
      [112, 1],
      [119.75, 2],
      [127.5, 3],
    ]);
    // LP(L) = 104.25 (1 − 1/L) / (1 − 0.004) must stay ≤ 96.5 − 0.5 × 7.75 = 92.625: L ≤ 8.69.
    expect(s.leverage.maxSafe).toBe(8);
    expect(s.leverage.recommended).toBe(4);
    expect(s.leverage.liquidationPrice).toBeCloseTo((104.25 * (1 - 1 / 8)) / 0.996, 6);
    // lean (70 − 50)/50 = 0.4; 0.5 + 0.45 × 0.4 × 0.8 (GOOD) × 0.9 = 0.6296; first target 1R keeps it.
    expect(s.confidence).toBeCloseTo(0.6296, 10);
  });

  it('long pull-back: limit at 97..97.5, stop under 94, target the 104 resistance at 1.8R', () => {
    const s = byName['Long pull-back']!;
    expect(s.entry).toEqual({ priceMin: 97, priceMax: 97.5, type: 'LIMIT' });
    expect(s.stopLoss.price).toBe(93.5);
    expect(s.targets.map((t) => [t.price, t.rr])).toEqual([[104, 1.8]]);
  });

  it('short rejection: limit 103.5..104, ATR stop (no level above), targets 97 and 94', () => {
    const s = byName['Short rejection at resistance']!;
    expect(s.entry).toEqual({ priceMin: 103.5, priceMax: 104, type: 'LIMIT' });
    expect(s.stopLoss.price).toBe(106.75);
    expect(s.stopLoss.reason).toContain('ATR from the entry');
    expect(s.targets.map((t) => [t.price, t.rr])).toEqual([
      [97, 2.25],
      [94, 3.25],
    ]);
    expect(s.confidence).toBeCloseTo(0.3704, 10);
    expect(s.why.risks[0]).toContain('Against the composite signal');
  });

  it('moves a stop beyond a liquidation cluster it would sit in', () => {
    const withCluster = computeScenarios(base({ heatmap: heatmap({ below: zone('LONG', 96, 96.8, 100) }) }));
    const s = withCluster.scenarios.find((x) => x.name === 'Long breakout')!;
    // 96.5 lies inside 96..96.8: 0.25 ATR under the cluster low.
    expect(s.stopLoss.price).toBe(95.5);
    expect(s.stopLoss.reason).toContain('liquidation cluster');
  });

  it('keeps a stop that a cluster would push more than 5 ATR out, and says the cluster sits there', () => {
    const far = computeScenarios(base({ heatmap: heatmap({ below: zone('LONG', 90, 96.8, 100) }) }));
    const s = far.scenarios.find((x) => x.name === 'Long breakout')!;
    // Beyond the cluster would be 89.5: 14.75 from the 104.25 mid = 7.4 ATR > 5.
    expect(s.stopLoss.price).toBe(96.5);
    expect(s.stopLoss.reason).toContain('may take the stop');
  });

  it('skips targets that pay less than half the risk', () => {
    const near = computeScenarios(base({ levels: levels([115, 106, 104, 97, 94], 100) }));
    const s = near.scenarios.find((x) => x.name === 'Long breakout')!;
    // 106 is 1.75 from the mid for a 7.75 risk (0.23R): skipped; 115 is 10.75 / 7.75.
    expect(s.targets.map((t) => [t.price, t.rr])).toEqual([[115, 1.3870968]]);
  });

  it('targets the opposite side liquidation cluster and the value-area edges', () => {
    const profile = { warmingUp: false, valueAreaHigh: 108, valueAreaLow: 95, poc: { price: 99 } } as unknown as VolumeProfile;
    const set2 = computeScenarios(base({ profile, heatmap: heatmap({ above: zone('SHORT', 110, 111, 100) }) }));
    const s = set2.scenarios.find((x) => x.name === 'Long breakout')!;
    expect(s.targets.map((t) => t.price)).toEqual([108, 110.5]);
  });

  it('a neutral composite gives the range fades at the value-area edges and the leaning breakout', () => {
    const profile = { warmingUp: false, valueAreaHigh: 102, valueAreaLow: 98, poc: { price: 100.2 } } as unknown as VolumeProfile;
    const set3 = computeScenarios(base({ confirmation: confirmation(48), profile }));
    expect(set3.scenarios.map((s) => s.kind).sort()).toEqual(['BREAKOUT', 'RANGE_FADE', 'RANGE_FADE']);
    const fadeLong = set3.scenarios.find((s) => s.kind === 'RANGE_FADE' && s.bias === 'LONG')!;
    expect(fadeLong.entry.priceMin).toBe(98);
    const breakout = set3.scenarios.find((s) => s.kind === 'BREAKOUT')!;
    expect(breakout.bias).toBe('SHORT');
  });

  it('says what stood in for missing levels, and respects maxScenarios', () => {
    const bare = computeScenarios(base({ levels: null, maxScenarios: 2 }));
    expect(bare.scenarios).toHaveLength(2);
    expect(bare.notes.join(' ')).toContain('Key levels unavailable');
    expect(bare.notes.join(' ')).toContain('one ATR (102) stands in');
  });

  it('puts a long stop behind a standing bid wall and targets ask walls ahead, bid walls for shorts (hand-computed)', () => {
    const book = orderBook([wall('BID', 95, 300_000), wall('ASK', 110, 120_000), wall('BID', 96, 30_000)]);
    const set4 = computeScenarios(base({ orderBook: book }));
    const pull = set4.scenarios.find((x) => x.name === 'Long pull-back')!;
    // mid 97.25: the bid wall at 95 is 2.25 (1.1 ATR) behind, nearer than the 94 level; the 96 wall is 30 s old.
    expect(pull.stopLoss.price).toBe(94.5);
    expect(pull.stopLoss.reason).toBe('0.25 ATR beyond bid wall 95 (12x the median level, standing 5 min)');
    // 104 is 6.75 ahead for a 2.75 risk; the ask wall at 110 is 12.75 / 2.75.
    expect(pull.targets.map((t) => [t.price, t.rr])).toEqual([
      [104, 2.4545455],
      [110, 4.6363636],
    ]);
    const breakout = set4.scenarios.find((x) => x.name === 'Long breakout')!;
    // The 95 wall is 9.25 (4.6 ATR) behind the 104.25 mid, beyond the 4 ATR reach: the 97 level keeps the stop.
    expect(breakout.stopLoss.price).toBe(96.5);
    expect(breakout.targets.map((t) => [t.price, t.rr])).toEqual([[110, 0.74193548]]);
    const short = set4.scenarios.find((x) => x.name === 'Short rejection at resistance')!;
    // The ask wall at 110 is 6.25 (3.1 ATR) above the 103.75 mid: the short's stop goes 0.25 ATR beyond it, 110.5
    // (not the 1.5 ATR stop at 106.75). Bid walls below are its targets: 97, the 95 wall, 94 for a 6.75 risk.
    expect(short.stopLoss).toEqual({ price: 110.5, reason: '0.25 ATR beyond ask wall 110 (12x the median level, standing 2 min)' });
    expect(short.targets.map((t) => [t.price, t.rr])).toEqual([
      [97, 1],
      [95, 1.2962963],
      [94, 1.4444444],
    ]);
    expect(short.targets[1]!.reason).toContain('bid wall 95');
    expect(set4.notes.join(' ')).not.toContain('Order book');
  });

  it('ignores walls when most were pulled before touch, and says so; without a book says what is not used', () => {
    const spoofy = computeScenarios(base({ orderBook: orderBook([wall('BID', 95, 300_000)], { pulledShare: 0.6 }) }));
    expect(spoofy.scenarios.find((x) => x.name === 'Long pull-back')!.stopLoss.price).toBe(93.5);
    expect(spoofy.notes).toContain('Order-book walls ignored: 60 % of those seen were pulled before the price touched them.');
    const none = computeScenarios(base());
    expect(none.notes).toContain('Order book unavailable: no resting wall is a stop anchor or a target, and exits are not checked for slippage.');
  });

  it('flags a thin book on the exit side: longs sell into the bids, shorts buy the asks', () => {
    const thin = computeScenarios(base({ orderBook: orderBook([], { sellBps: 14.2, buyBps: 3 }) }));
    const long = thin.scenarios.find((x) => x.name === 'Long breakout')!;
    expect(long.why.risks).toContain('Thin book: a 100,000 USD market exit would slip 14.2 bps (order book).');
    const short = thin.scenarios.find((x) => x.name === 'Short rejection at resistance')!;
    expect(short.why.risks.join(' ')).not.toContain('Thin book');
    const unfilled = computeScenarios(base({ orderBook: orderBook([], { sellBps: null }) }));
    expect(unfilled.scenarios.find((x) => x.name === 'Long breakout')!.why.risks).toContain('Thin book: the visible bids do not fill a 100,000 USD market exit.');
  });

  it('refuses to size without a positive ATR', () => {
    expect(computeScenarios(base({ atr: 0 })).scenarios).toEqual([]);
  });
});

describe('scenarioConfidence and safeLeverage', () => {
  it('a first target under 1R costs confidence', () => {
    // 0.6296 × (0.5 + 0.5 × 0.5)
    expect(scenarioConfidence({ score: 70, quality: 'GOOD', coverage: 0.9 }, 'LONG', 0.5)).toBeCloseTo(0.6296 * 0.75, 10);
  });
  it('short: the liquidation price at maxSafe lies above the stop by half the risk', () => {
    const lev = safeLeverage('SHORT', 100, 103, { brackets: BTCUSDT_BRACKETS }, { liquidationBufferRatio: 0.5, recommendedShare: 0.5, referenceNotional: 10_000 })!;
    // LP = 100 (1 + 1/L) / 1.004 ≥ 104.5 ⇔ 1/L ≥ 0.04918 ⇔ L ≤ 20.33
    expect(lev.maxSafe).toBe(20);
    expect(lev.liquidationPrice).toBeCloseTo((100 * 1.05) / 1.004, 4);
  });
});

function randomInputs(r: () => number): ScenarioInputs {
  const price = 10 ** (r() * 5 - 1); // 0.1 .. 10 000
  const atr = price * (0.001 + r() * 0.06);
  const n = Math.floor(r() * 14);
  const prices = Array.from({ length: n }, () => price + (r() - 0.5) * 20 * atr).filter((p) => p > 0);
  const zones: { above?: LiquidationZone; below?: LiquidationZone } = {};
  if (r() < 0.6) {
    const lo = price - r() * 8 * atr;
    zones.below = zone('LONG', Math.max(lo - r() * 2 * atr, price * 0.01), lo, price);
  }
  if (r() < 0.6) {
    const hi = price + r() * 8 * atr;
    zones.above = zone('SHORT', hi, hi + r() * 2 * atr, price);
  }
  const vah = price + r() * 5 * atr;
  const val = Math.max(price - r() * 5 * atr, price * 0.05);
  const profile = r() < 0.5 ? null : ({ warmingUp: false, valueAreaHigh: vah, valueAreaLow: val, poc: { price: val + (vah - val) * r() } } as unknown as VolumeProfile);
  const qualities = ['EXCELLENT', 'GOOD', 'MODERATE', 'POOR'] as const;
  const tables = [BTCUSDT_BRACKETS, ETHUSDT_BRACKETS, GENERIC_BRACKETS];
  return base({
    price,
    atr,
    levels: n === 0 && r() < 0.5 ? null : levels(prices, price),
    profile,
    heatmap: r() < 0.3 ? null : heatmap(zones),
    confirmation: confirmation(r() * 100, { quality: qualities[Math.floor(r() * 4)]!, coverage: r() }),
    brackets: tables[Math.floor(r() * 3)]!,
    orderBook:
      r() < 0.4
        ? null
        : orderBook(
            Array.from({ length: Math.floor(r() * 5) }, () => {
              const p = Math.max(price + (r() - 0.5) * 12 * atr, price * 0.01);
              return wall(p < price ? 'BID' : 'ASK', p, r() * 600_000);
            }),
            { pulledShare: r(), sellBps: r() < 0.1 ? null : r() * 30 },
          ),
  });
}

function checkInvariants(inputs: ScenarioInputs, set: ScenarioSet): void {
  for (const s of set.scenarios) {
    const mid = (s.entry.priceMin + s.entry.priceMax) / 2;
    expect(s.entry.priceMin).toBeLessThanOrEqual(s.entry.priceMax);
    if (s.bias === 'LONG') {
      expect(s.stopLoss.price).toBeLessThan(s.entry.priceMin);
      for (const t of s.targets) expect(t.price).toBeGreaterThan(s.entry.priceMax);
    } else {
      expect(s.stopLoss.price).toBeGreaterThan(s.entry.priceMax);
      for (const t of s.targets) expect(t.price).toBeLessThan(s.entry.priceMin);
    }
    expect(s.targets.length).toBeGreaterThan(0);
    for (const t of s.targets) expect(t.rr).toBeGreaterThan(0);
    // The liquidation price at maxSafe, recomputed here, lies beyond the stop.
    const { maxSafe } = s.leverage;
    expect(maxSafe).toBeGreaterThanOrEqual(1);
    expect(s.leverage.recommended).toBeLessThanOrEqual(maxSafe);
    const table = inputs.brackets;
    let cap = table.brackets[0]!.notionalCap;
    for (const b of table.brackets) if (b.maxLeverage >= maxSafe) cap = b.notionalCap;
    const notional = Math.min(10_000, cap);
    const bracket = table.brackets.find((b) => notional <= b.notionalCap)!;
    const lp = liquidationPrice(s.bias, mid, maxSafe, bracket, notional);
    if (s.bias === 'LONG') expect(lp).toBeLessThan(s.stopLoss.price);
    else expect(lp).toBeGreaterThan(s.stopLoss.price);
    expect(s.confidence).toBeGreaterThanOrEqual(0.05);
    expect(s.confidence).toBeLessThanOrEqual(0.95);
  }
}

describe('scenario invariants over generated markets', () => {
  it('hold for 5 000 random markets', () => {
    const r = rng(20261204);
    let scenarios = 0;
    for (let i = 0; i < 5_000; i += 1) {
      const inputs = randomInputs(r);
      const set = computeScenarios(inputs);
      scenarios += set.scenarios.length;
      checkInvariants(inputs, set);
    }
    // Nearly every market yields the full set (only absurdly far stops are left out).
    expect(scenarios).toBeGreaterThan(5_000 * 2.9);
  });
});
