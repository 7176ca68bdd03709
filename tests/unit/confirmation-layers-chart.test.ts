import { describe, expect, it } from 'vitest';
import {
  averageTrueRange,
  fibHealth,
  fibonacciLayer,
  priceActionLayer,
  supportResistanceLayer,
  technicalLayer,
  volumeLayer,
  wyckoffLayer,
} from '../../src/analyzers/confirmation-layers-chart.js';
import type { ConfirmationInputs, LayerOutcome, LayerSource } from '../../src/analyzers/confirmation.types.js';
import type { FibLeg, KeyLevel, KeyLevelKind, KeyLevels } from '../../src/analyzers/key-levels.types.js';
import type { MarketStructure, StructureSwing } from '../../src/analyzers/market-structure.types.js';
import type { MarketPhase, RegimeAnalysis } from '../../src/analyzers/regime.types.js';
import type { VolumeProfile } from '../../src/analyzers/volume-profile.types.js';
import type { Candle } from '../../src/domain/market.js';
import { rng } from '../support/fuzz.js';
import { emptyInputs, none } from '../support/confirmation-inputs.js';
import { CHART_LAYERS, FUTURES_BTC_1H, inputsAt, loadFreqtradeJson, loadSpotCsv, recordingsPresent, replayLayers, SPOT_BTC_1H } from '../support/confirmation-replay.js';

// --- fixtures ---

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 1);

function candle(i: number, open: number, high: number, low: number, close: number, volume = 10, takerBuyVolume: number | null = 5): Candle {
  return { symbol: 'TESTUSDT', interval: '1h', openTime: T0 + i * HOUR, closeTime: T0 + (i + 1) * HOUR - 1, open, high, low, close, volume, quoteVolume: null, takerBuyVolume, trades: null, closed: true };
}

/**
 * close_i = start + i, open = previous close, high = close + 0.5, low = open − 0.5: every bar's range is 2
 * and its true range too (|high − prev close| = 1.5, |low − prev close| = 0.5), so ATR 14 = 2 exactly.
 */
function rising(n: number, start = 100, taker: (i: number) => number | null = () => 6, volume: (i: number) => number = () => 10): Candle[] {
  return Array.from({ length: n }, (_, i) => candle(i, start + i - 1, start + i + 0.5, start + i - 1.5, start + i, volume(i), taker(i)));
}
/** The mirror: close_i = start − i, open = previous close, high = open + 0.5, low = close − 0.5 (ATR 2). */
function falling(n: number, start = 200, taker: (i: number) => number | null = () => 4): Candle[] {
  return Array.from({ length: n }, (_, i) => candle(i, start - i + 1, start - i + 1.5, start - i - 0.5, start - i, 10, taker(i)));
}
/** open = close = level, high = level + 1, low = level − 1 (ATR 2, no move at all). */
function flat(n: number, level = 100, taker: (i: number) => number | null = () => 5): Candle[] {
  return Array.from({ length: n }, (_, i) => candle(i, level, level + 1, level - 1, level, 10, taker(i)));
}

const NOW = T0 + 1000 * HOUR;
const fresh = <T>(value: T): LayerSource<T> => ({ value, asOf: NOW, stale: false });
const stale = <T>(value: T): LayerSource<T> => ({ value, asOf: NOW - 10 * HOUR, stale: true });

function inputs(candles: Candle[], over: Partial<ConfirmationInputs> = {}): ConfirmationInputs {
  return emptyInputs({ symbol: 'TESTUSDT', now: NOW, candles, price: candles.at(-1)?.close ?? null }, over);
}

const factor = (o: LayerOutcome, name: string) => {
  const f = o.factors.find((x) => x.name === name);
  if (!f) throw new Error(`no factor ${name} in ${o.factors.map((x) => x.name).join(', ')}`);
  return f;
};

/** Invariants every available outcome keeps. */
function expectWellFormed(o: LayerOutcome): void {
  expect(o.available).toBe(true);
  expect(o.missingInputs).toEqual([]);
  expect(o.score!).toBeGreaterThanOrEqual(-100);
  expect(o.score!).toBeLessThanOrEqual(100);
  expect(o.confidence!).toBeGreaterThanOrEqual(0);
  expect(o.confidence!).toBeLessThanOrEqual(1);
  expect(o.factors.reduce((s, f) => s + f.weight, 0), 'weights of a layer sum to 1').toBeCloseTo(1, 5);
  expect(o.score!, 'score = 100 × Σ contribution').toBeCloseTo(100 * o.factors.reduce((s, f) => s + f.contribution, 0), 1);
  for (const f of o.factors) expect(Math.abs(f.contribution)).toBeLessThanOrEqual(f.weight + 1e-9);
  expect(o.reading.length).toBeGreaterThan(10);
}

/** Independent EMA with trading-signals' seeding (the first price), for the MACD check. */
function emaSeries(values: readonly number[], period: number): number[] {
  const k = 2 / (period + 1);
  const out: number[] = [];
  values.forEach((v, i) => out.push(i === 0 ? v : v * k + out[i - 1]! * (1 - k)));
  return out;
}

describe('averageTrueRange', () => {
  it('is the constant true range of the synthetic series (2) and null without enough bars', () => {
    expect(averageTrueRange(rising(20))).toBeCloseTo(2, 12);
    expect(averageTrueRange(falling(20))).toBeCloseTo(2, 12);
    expect(averageTrueRange(flat(20))).toBeCloseTo(2, 12);
    expect(averageTrueRange(flat(13)), 'Wilder ATR 14 needs 14 true ranges').toBeNull();
  });
});

// --- 1 PRICE_ACTION ---

describe('priceActionLayer', () => {
  it('scores a steady rise by hand: slope 9.5 ATR saturates, ROC 10/(2√10), all higher highs and lows, bodies 0.5', () => {
    const o = priceActionLayer(inputs(rising(40)));
    expectWellFormed(o);
    expect(factor(o, 'trendSlope').value, 'slope 1 × 19 bars / ATR 2').toBeCloseTo(9.5, 6);
    expect(factor(o, 'trendSlope').contribution).toBeCloseTo(0.35, 6);
    const z = 10 / (2 * Math.sqrt(10));
    expect(factor(o, 'momentum').value, '10-bar change 10 / (ATR 2 × √10)').toBeCloseTo(z, 6);
    expect(factor(o, 'momentum').contribution).toBeCloseTo((0.25 * z) / 2, 6);
    expect(factor(o, 'swingStructure').value).toBe(1);
    expect(factor(o, 'candleBodies').value, 'body 1 / range 2').toBeCloseTo(0.5, 6);
    const expected = 100 * (0.35 + (0.25 * z) / 2 + 0.25 + 0.15 * 0.5);
    expect(o.score).toBeCloseTo(expected, 2); // 87.26
    expect(o.direction).toBe('BULLISH');
    expect(o.confidence, 'every factor agrees, 40 bars').toBe(1);
  });

  it('mirrors a steady fall and reads a flat series as neutral with full agreement', () => {
    const down = priceActionLayer(inputs(falling(40)));
    expectWellFormed(down);
    expect(down.score).toBeCloseTo(-87.26, 2);
    expect(down.direction).toBe('BEARISH');
    const still = priceActionLayer(inputs(flat(40)));
    expectWellFormed(still);
    expect(still.score).toBe(0);
    expect(still.direction).toBe('NEUTRAL');
    expect(still.confidence, 'all factors read ~0: they agree on neutral').toBe(1);
  });

  it('halves its confidence sample at 20 of 40 bars and is unavailable below 21 candles', () => {
    expect(priceActionLayer(inputs(rising(21))).confidence).toBeCloseTo(21 / 40, 6);
    const short = priceActionLayer(inputs(rising(20)));
    expect(short).toMatchObject({ available: false, missingInputs: ['candles'], score: null, direction: null, confidence: null, factors: [] });
  });

  it('reads only the closed candles, not the live price', () => {
    const a = priceActionLayer(inputs(rising(40)));
    const b = priceActionLayer(inputs(rising(40), { price: 1 }));
    expect(b).toEqual(a);
  });
});

// --- 2 VOLUME ---

describe('volumeLayer', () => {
  it('scores taker buying on rising closes: imbalance 0.2 and OBV slope 1 saturate, no spike (constant volume)', () => {
    const o = volumeLayer(inputs(rising(40)));
    expectWellFormed(o);
    expect(factor(o, 'deltaImbalance').value, '(2 × 6 − 10) / 10').toBeCloseTo(0.2, 5);
    expect(factor(o, 'deltaImbalance').contribution).toBeCloseTo(0.4, 5);
    expect(factor(o, 'obvSlope').value, 'OBV +10 per bar / mean volume 10').toBeCloseTo(1, 5);
    expect(factor(o, 'deltaSpikes').value).toBe(0);
    expect(o.score).toBeCloseTo(70, 6);
    expect(o.direction).toBe('BULLISH');
  });

  it('mirrors taker selling on falling closes and is neutral on a flat, balanced series', () => {
    expect(volumeLayer(inputs(falling(40))).score).toBeCloseTo(-70, 6);
    const still = volumeLayer(inputs(flat(40)));
    expectWellFormed(still);
    expect(still.score).toBe(0);
    expect(still.direction).toBe('NEUTRAL');
  });

  it('signs a volume spike by its delta: z = (14 − 10) / 1 = 4 → min(1, 4/4) × sign(2 × 4 − 14) = −1', () => {
    // Volumes alternate 9, 11 (mean 10, population σ 1); the last bar trades 14 with 4 bought by takers.
    const candles = flat(40, 100).map((c, i) => ({ ...c, volume: i % 2 === 0 ? 9 : 11, takerBuyVolume: (i % 2 === 0 ? 9 : 11) / 2 }));
    candles[39] = { ...candles[39]!, volume: 14, takerBuyVolume: 4 };
    const o = volumeLayer(inputs(candles));
    expectWellFormed(o);
    expect(factor(o, 'deltaSpikes').value).toBe(-1);
    expect(factor(o, 'deltaSpikes').contribution).toBeCloseTo(-0.3, 5);
    const window = candles.slice(20);
    const imbalance = window.reduce((s, c) => s + 2 * c.takerBuyVolume! - c.volume, 0) / window.reduce((s, c) => s + c.volume, 0);
    expect(factor(o, 'deltaImbalance').value).toBeCloseTo(imbalance, 6); // −6 / 214
  });

  it('is unavailable (takerBuyVolume) when a bar of the 20-bar window has no taker volume, never reading it as 0', () => {
    const candles = rising(40, 100, (i) => (i === 30 ? null : 6));
    const o = volumeLayer(inputs(candles));
    expect(o).toMatchObject({ available: false, missingInputs: ['takerBuyVolume'], score: null, direction: null, confidence: null, factors: [] });
    expect(o.reading).toContain('1 of the last 20 bars');
    const older = volumeLayer(inputs(rising(40, 100, (i) => (i < 20 ? null : 6))));
    expect(older.available, 'bars before the window do not matter').toBe(true);
    expect(older.score).toBeCloseTo(70, 6);
    expect(volumeLayer(inputs(rising(40, 100, () => null))).missingInputs).toEqual(['takerBuyVolume']);
  });

  it('is unavailable below 25 candles', () => {
    expect(volumeLayer(inputs(rising(24))).missingInputs).toEqual(['candles']);
  });
});

// --- 3 TECHNICAL ---

describe('technicalLayer', () => {
  it('reads a steady rise: RSI 100, %K 14.5/15, close > EMA 20 > EMA 50, MACD histogram as an independent EMA gives', () => {
    const candles = rising(60);
    const o = technicalLayer(inputs(candles));
    expectWellFormed(o);
    expect(factor(o, 'rsi').value, 'no loss at all').toBe(100);
    expect(factor(o, 'rsi').contribution).toBeCloseTo(0.25, 5);
    expect(factor(o, 'stochastic').value, '(close − lowest low) / (highest − lowest) = 14.5 / 15').toBeCloseTo((100 * 14.5) / 15, 6);
    expect(factor(o, 'stochastic').contribution).toBeCloseTo((0.2 * (100 * (14.5 / 15) - 50)) / 50, 6);
    expect(factor(o, 'emaStack').value, 'EMA 200 needs 200 bars: two pairs, both bullish').toBe(1);
    const closes = candles.map((c) => c.close);
    const e12 = emaSeries(closes, 12);
    const e26 = emaSeries(closes, 26);
    const macd = closes.map((_, i) => e12[i]! - e26[i]!).slice(25);
    const signal = emaSeries(macd, 9);
    const hist = macd.at(-1)! - signal.at(-1)!;
    expect(factor(o, 'macdHistogram').value, 'histogram / ATR 2').toBeCloseTo(hist / 2, 6);
    expect(hist).toBeGreaterThan(0);
    expect(o.direction).toBe('BULLISH');
    expect(o.confidence, 'all agree; sample 0.75 without EMA 200').toBeCloseTo(0.75, 9);
  });

  it('mirrors a steady fall and reads a flat series as 0 (RSI of no change is 50, not trading-signals 100)', () => {
    const down = technicalLayer(inputs(falling(60)));
    expectWellFormed(down);
    expect(factor(down, 'rsi').value).toBe(0);
    expect(factor(down, 'stochastic').value).toBeCloseTo((100 * 0.5) / 15, 6);
    expect(factor(down, 'emaStack').value).toBe(-1);
    expect(down.score).toBeCloseTo(-technicalLayer(inputs(rising(60))).score!, 6);
    const still = technicalLayer(inputs(flat(60)));
    expectWellFormed(still);
    expect(factor(still, 'rsi').value).toBe(50);
    expect(factor(still, 'stochastic').value, 'close in the middle of the 14-bar range').toBeCloseTo(50, 5);
    expect(still.score).toBe(0);
    expect(still.direction).toBe('NEUTRAL');
  });

  it('adds EMA 50 vs EMA 200 from 200 bars on (full sample) and is unavailable below 50 candles', () => {
    const long = technicalLayer(inputs(rising(220)));
    expect(factor(long, 'emaStack').note).toContain('3 of 3');
    expect(long.confidence).toBe(1);
    expect(technicalLayer(inputs(rising(49))).missingInputs).toEqual(['candles']);
  });
});

// --- 4 WYCKOFF ---

const regimeWith = (phase: MarketPhase | null, confidence = 100): RegimeAnalysis => ({ warmingUp: false, phase, confidence }) as unknown as RegimeAnalysis;
const structureWith = (score: number, trend: MarketStructure['trend'] = 'UPTREND', warmingUp = false): MarketStructure =>
  ({ warmingUp, score, trend, lastEvent: null, lastSwingHigh: null, lastSwingLow: null }) as unknown as MarketStructure;

describe('wyckoffLayer', () => {
  it('markup, structure 100 and rising CVD (slope 2 / mean volume 10 = 0.2) score 100', () => {
    const o = wyckoffLayer(inputs(rising(40), { regime: fresh(regimeWith('MARKUP')), structure: fresh(structureWith(100)) }));
    expectWellFormed(o);
    expect(factor(o, 'cvdSlope').value).toBeCloseTo(0.2, 5);
    expect(o.score).toBe(100);
    expect(o.confidence, 'all agree; regime confidence 100').toBe(1);
  });

  it('markdown, structure −100 and falling CVD score −100; regime confidence 40 gives sample 0.7', () => {
    const o = wyckoffLayer(inputs(falling(40), { regime: fresh(regimeWith('MARKDOWN', 40)), structure: fresh(structureWith(-100, 'DOWNTREND')) }));
    expect(o.score).toBe(-100);
    expect(o.confidence).toBeCloseTo(0.7, 9);
  });

  it('accumulation (+0.6) against structure −50 on a flat series without taker volume: OBV instead, 100 × (0.27 − 0.175) = 9.5', () => {
    const o = wyckoffLayer(inputs(flat(40, 100, () => null), { regime: fresh(regimeWith('ACCUMULATION')), structure: fresh(structureWith(-50, 'DOWNTREND')) }));
    expectWellFormed(o);
    expect(o.factors.map((f) => f.name)).toEqual(['phase', 'structure', 'obvSlope']);
    expect(factor(o, 'obvSlope').value).toBe(0);
    expect(o.score).toBeCloseTo(9.5, 9);
    expect(o.direction).toBe('NEUTRAL');
  });

  it('is unavailable with the missing or stale sources named', () => {
    const c = rising(40);
    expect(wyckoffLayer(inputs(c)).missingInputs).toEqual(['REGIME', 'MARKET_STRUCTURE']);
    const s = wyckoffLayer(inputs(c, { regime: fresh(regimeWith('MARKUP')), structure: stale(structureWith(100)) }));
    expect(s).toMatchObject({ available: false, missingInputs: ['MARKET_STRUCTURE'], score: null });
    expect(s.reading).toContain('stale');
    expect(wyckoffLayer(inputs(c, { regime: fresh(regimeWith(null)), structure: fresh(structureWith(100)) })).missingInputs).toEqual(['REGIME']);
    expect(wyckoffLayer(inputs(c, { regime: fresh(regimeWith('MARKUP')), structure: fresh(structureWith(0, null, true)) })).missingInputs).toEqual(['MARKET_STRUCTURE']);
    expect(wyckoffLayer(inputs(rising(20), { regime: fresh(regimeWith('MARKUP')), structure: fresh(structureWith(100)) })).missingInputs).toEqual(['candles']);
  });
});

// --- 5 SUPPORT_RESISTANCE ---

function level(kind: KeyLevelKind, price: number, strength: number | null): KeyLevel {
  return { kind, price, distancePct: 0, side: price < 100 ? 'SUPPORT' : 'RESISTANCE', strength, touches: null, lastTouchTime: null, ratio: null, note: '', factors: [] };
}
function keyLevels(levels: KeyLevel[], leg: FibLeg | null = null): KeyLevels {
  return { symbol: 'TESTUSDT', interval: '1h', tolerancePct: 0.15, warmingUp: false, time: NOW, price: 100, bars: 40, levels, nearestSupport: null, nearestResistance: null, leg, priorDay: null, priorWeek: null };
}
const profileWith = (val: number, vah: number, poc: number): VolumeProfile => ({ warmingUp: false, valueAreaLow: val, valueAreaHigh: vah, poc: { price: poc } }) as unknown as VolumeProfile;

describe('supportResistanceLayer', () => {
  const close100 = flat(40); // close 100, ATR 2
  const bullishLevels = keyLevels([
    level('PRIOR_DAY_HIGH', 110, null), // 5 ATR away: no pull
    level('SWING_CLUSTER', 104, 50), // 2 ATR above: 0.5 × (1 − 2/3)
    level('FIB_RETRACEMENT', 100.5, null), // left to the Fibonacci layer
    level('SWING_CLUSTER', 99, 80), // 0.5 ATR below: 0.8 × (1 − 0.5/3)
  ]);

  it('near strong support, far from weak resistance: 100 × (0.5 × 2/3 − 0.5 × 1/6) = 25', () => {
    const o = supportResistanceLayer(inputs(close100, { levels: fresh(bullishLevels) }));
    expectWellFormed(o);
    expect(factor(o, 'support').value, '1 / ATR 2').toBeCloseTo(0.5, 5);
    expect(factor(o, 'support').contribution).toBeCloseTo(0.5 * 0.8 * (5 / 6), 5);
    expect(factor(o, 'resistance').contribution).toBeCloseTo(-0.5 * 0.5 * (1 / 3), 5);
    expect(factor(o, 'resistance').note, 'the Fibonacci level at 100.5 is not a resistance here').toContain('104');
    expect(o.score).toBeCloseTo(25, 6);
    expect(o.direction).toBe('BULLISH');
    expect(o.confidence, 'half the weight agrees; both sides, no profile: 0.85').toBeCloseTo(0.5 * 0.85, 9);
  });

  it('near strong resistance reads bearish (−25)', () => {
    const o = supportResistanceLayer(inputs(close100, { levels: fresh(keyLevels([level('SWING_CLUSTER', 101, 80), level('SWING_CLUSTER', 96, 50)])) }));
    expect(o.score).toBeCloseTo(-25, 6);
    expect(o.direction).toBe('BEARISH');
  });

  it('with a profile adds POC and value-area edges and the value-area position: 100 × (0.4 × 2/3 − 0.4 × 0.4 + 0) = 10.67', () => {
    const o = supportResistanceLayer(inputs(close100, { levels: fresh(bullishLevels), profile: fresh(profileWith(98, 102, 99.5)) }));
    expectWellFormed(o);
    expect(factor(o, 'resistance').note, 'VAH 1 ATR above pulls 0.6 × 2/3 = 0.4, more than the swing at 104').toContain('VAH');
    expect(factor(o, 'valueArea').value).toBeCloseTo(0.5, 5);
    expect(o.score).toBeCloseTo(100 * (0.4 * (0.8 * 5) / 6 - 0.4 * 0.4), 1);
    expect(o.missingInputs).toEqual([]);
  });

  it('is unavailable without key levels, with stale ones, or with no level at all', () => {
    expect(supportResistanceLayer(inputs(close100)).missingInputs).toEqual(['KEY_LEVELS']);
    expect(supportResistanceLayer(inputs(close100, { levels: stale(bullishLevels) })).missingInputs).toEqual(['KEY_LEVELS']);
    expect(supportResistanceLayer(inputs(close100, { levels: fresh(keyLevels([level('FIB_RETRACEMENT', 99, null)])) })).available).toBe(false);
  });
});

// --- 6 FIBONACCI ---

const upLeg: FibLeg = { direction: 'UP', fromPrice: 90, fromTime: T0, toPrice: 110, toTime: T0 + HOUR, confirmedAt: T0 + 3 * HOUR };
const downLeg: FibLeg = { direction: 'DOWN', fromPrice: 110, fromTime: T0, toPrice: 90, toTime: T0 + HOUR, confirmedAt: T0 + 3 * HOUR };

describe('fibHealth', () => {
  it('interpolates the documented knots', () => {
    expect(fibHealth(-0.2)).toBe(1);
    expect(fibHealth(0.382)).toBeCloseTo(0.7, 12);
    expect(fibHealth(0.5)).toBeCloseTo(0.7 - (0.3 * 0.118) / 0.236, 12); // 0.55
    expect(fibHealth(0.618)).toBeCloseTo(0.4, 12);
    expect(fibHealth(0.786)).toBeCloseTo(-0.3, 12);
    expect(fibHealth(1.5)).toBe(-1);
  });
});

describe('fibonacciLayer', () => {
  it('a flat close at the 0.5 of an up-leg holds: 100 × 0.6 × 0.55 = 33', () => {
    const o = fibonacciLayer(inputs(flat(40), { levels: fresh(keyLevels([], upLeg)) }));
    expectWellFormed(o);
    expect(factor(o, 'retracement').value).toBeCloseTo(0.5, 5);
    expect(factor(o, 'reaction').value).toBe(0);
    expect(o.score).toBeCloseTo(33, 6);
    expect(o.confidence, 'leg 20 = 10 ATR: full sample; reaction 0 disagrees').toBeCloseTo(0.6, 9);
  });

  it('rising from 0.45 to 0.3 of an up-leg reclaims the 0.382: 100 × (0.6 × (1 − 0.3 × 0.3/0.382) + 0.4 / 3)', () => {
    const o = fibonacciLayer(inputs(rising(20, 85), { levels: fresh(keyLevels([], upLeg)) })); // closes 85 … 101, 102, 103, 104
    expectWellFormed(o);
    expect(factor(o, 'retracement').value).toBeCloseTo(0.3, 5);
    expect(factor(o, 'reaction').value).toBe(1);
    expect(o.score).toBeCloseTo(100 * (0.6 * (1 - (0.3 * 0.3) / 0.382) + 0.4 / 3), 1); // 59.20
    expect(o.direction).toBe('BULLISH');
  });

  it('mirrors in a down-leg and reads losing the 0.786 of an up-leg as bearish', () => {
    const down = fibonacciLayer(inputs(falling(20, 115), { levels: fresh(keyLevels([], downLeg)) })); // closes … 99, 98, 97, 96
    expect(factor(down, 'retracement').value).toBeCloseTo(0.3, 5);
    expect(down.score).toBeCloseTo(-59.2, 1);
    const lost = fibonacciLayer(inputs(falling(20, 112), { levels: fresh(keyLevels([], upLeg)) })); // … 96, 95, 94, 93
    expect(factor(lost, 'retracement').value).toBeCloseTo(0.85, 5);
    expect(factor(lost, 'reaction').value, 'crossed the 0.786 toward the leg start').toBe(-1);
    expect(lost.score).toBeCloseTo(100 * (0.6 * fibHealth(0.85) - 0.4 / 3), 1); // −43.89
    expect(lost.direction).toBe('BEARISH');
  });

  it('falls back to the structure swings (low before high: an up-leg) when the key levels have no leg', () => {
    const swing = (kind: 'HIGH' | 'LOW', price: number, time: number): StructureSwing => ({ kind, price, time, confirmedAt: time + 3 * HOUR, label: null });
    const ms = { warmingUp: false, lastSwingLow: swing('LOW', 90, T0), lastSwingHigh: swing('HIGH', 110, T0 + HOUR) } as unknown as MarketStructure;
    const o = fibonacciLayer(inputs(flat(40), { levels: fresh(keyLevels([], null)), structure: fresh(ms) }));
    expect(o.score).toBeCloseTo(33, 6);
    expect(o.reading).toContain('structure swings');
  });

  it('is unavailable with the missing sources named, or without a leg', () => {
    expect(fibonacciLayer(inputs(flat(40))).missingInputs).toEqual(['KEY_LEVELS', 'MARKET_STRUCTURE']);
    expect(fibonacciLayer(inputs(flat(40), { levels: stale(keyLevels([], upLeg)) })).missingInputs).toEqual(['KEY_LEVELS', 'MARKET_STRUCTURE']);
    const noLeg = fibonacciLayer(inputs(flat(40), { levels: fresh(keyLevels([], null)), structure: fresh(structureWith(0, null, true)) }));
    expect(noLeg).toMatchObject({ available: false, missingInputs: ['KEY_LEVELS'] });
    expect(fibonacciLayer(inputs(flat(10), { levels: fresh(keyLevels([], upLeg)) })).missingInputs).toEqual(['candles']);
  });
});

// --- Real recordings (../shared/data; never copied into the repository) ---

describe.skipIf(!recordingsPresent())('chart layers replayed bar by bar on real BTCUSDT 1 h recordings', () => {
  it('Binance spot 2024-02-01 → 03-15 (with taker volume): every layer available, both directions, spread scores', () => {
    const candles = loadSpotCsv(SPOT_BTC_1H, 'BTCUSDT');
    const { outcomes, distribution } = replayLayers(candles, 200, 3);
    for (const [name, d] of Object.entries(distribution)) {
      expect(d.available, `${name} available on every bar`).toBe(d.bars);
      expect(d.bullish, `${name} reads bullish sometimes`).toBeGreaterThan(d.bars * 0.05);
      expect(d.bearish, `${name} reads bearish sometimes`).toBeGreaterThan(d.bars * 0.05);
      expect(d.stdDev, `${name} is not degenerate`).toBeGreaterThan(10);
    }
    for (const list of Object.values(outcomes)) for (const o of list) expectWellFormed(o);
  });

  it('Binance USD-M futures freqtrade recording (no taker volume): VOLUME unavailable on every bar, the others available', () => {
    const candles = loadFreqtradeJson(FUTURES_BTC_1H, 'BTCUSDT');
    const { outcomes, distribution } = replayLayers(candles, 200, 5);
    expect(distribution.VOLUME!.available).toBe(0);
    for (const o of outcomes.VOLUME!) expect(o.missingInputs).toEqual(['takerBuyVolume']);
    for (const name of ['PRICE_ACTION', 'TECHNICAL', 'WYCKOFF', 'SUPPORT_RESISTANCE', 'FIBONACCI']) {
      expect(distribution[name]!.available, name).toBe(distribution[name]!.bars);
      expect(distribution[name]!.stdDev, name).toBeGreaterThan(10);
    }
    expect(outcomes.WYCKOFF!.every((o) => o.factors.some((f) => f.name === 'obvSlope')), 'Wyckoff effort from OBV, not a guessed delta').toBe(true);
  });

  it('the layers read the last closed bar, not the live price (no intra-bar repaint)', () => {
    const candles = loadSpotCsv(SPOT_BTC_1H, 'BTCUSDT');
    const at = inputsAt(candles, 500);
    for (const [name, layer] of Object.entries(CHART_LAYERS)) expect(layer({ ...at, price: at.price! * 1.05 }), name).toEqual(layer(at));
  });
});

// --- Generated markets (seeded) ---

describe('chart layers on 300 generated markets', () => {
  it('never throw and keep their invariants: flat runs, zero volume, partial taker volume, short histories', () => {
    const next = rng(12);
    let available = 0;
    for (let m = 0; m < 300; m++) {
      const n = Math.floor(next() * 260);
      const vol = 0.002 + next() * 0.03;
      const takerMode = Math.floor(next() * 3); // 0 all known, 1 none, 2 some gaps
      const candles: Candle[] = [];
      let close = 50 + next() * 1000;
      for (let i = 0; i < n; i++) {
        const open = close;
        const still = next() < 0.1;
        close = still ? open : open * Math.exp((next() - 0.5) * 2 * vol);
        const high = Math.max(open, close) * (still ? 1 : 1 + next() * vol);
        const low = Math.min(open, close) * (still ? 1 : 1 - next() * vol);
        const volume = next() < 0.05 ? 0 : next() * 100;
        const taker = takerMode === 1 || (takerMode === 2 && next() < 0.1) ? null : volume * next();
        candles.push(candle(i, open, high, low, close, volume, taker));
      }
      const built = n > 0 ? inputsAt(candles, n - 1) : inputs([]);
      for (const [name, layer] of Object.entries(CHART_LAYERS)) {
        const o = layer(built);
        if (o.available) {
          available += 1;
          expectWellFormed(o);
        } else {
          expect(o.missingInputs.length, `${name} names what it misses`).toBeGreaterThan(0);
          expect(o).toMatchObject({ score: null, direction: null, confidence: null, factors: [] });
        }
        if (name === 'VOLUME' && o.available) expect(candles.slice(-20).every((c) => c.takerBuyVolume !== null)).toBe(true);
      }
    }
    expect(available, 'most generated markets are long enough to read').toBeGreaterThan(600);
  });
});
