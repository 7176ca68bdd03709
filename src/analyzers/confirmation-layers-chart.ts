import { OBV, ROC } from 'trading-signals';
import { emaStable, technicalReadings, wilderAtr } from '../math/indicators.js';
import { olsSlope } from '../math/statistics.js';
import type { Candle } from '../domain/market.js';
import {
  directionOf,
  unavailableLayer,
  type ConfirmationInputs,
  type ConfirmationLayer,
  type ConfirmationLayerName,
  type LayerOutcome,
  type LayerSource,
} from './confirmation.types.js';
import { KeyLevelKinds, LegDirections, type FibLeg, type KeyLevel, type KeyLevelKind } from './key-levels.types.js';
import { MarketPhases, type MarketPhase } from './regime.types.js';
import type { Factor } from './types.js';
import { volumeZScore } from './volume.js';

/**
 * Layers 1–6 of the confirmation score: the chart layers. Each is a pure function of the closed candles
 * of `inputs.interval` and the interval-dependent analyses the engine hands over (regime, structure, key
 * levels, volume profile). Method per layer in docs/confirmation.md ("Layers 1–6 (chart)").
 *
 * Shared conventions:
 * - Price is the close of the last closed candle (never `inputs.price`): the value at bar k depends only
 *   on bars ≤ k and on analyses computed from them, so it does not change while the next bar forms.
 * - score = 100 × Σ contribution, contribution = weight × clamp(normalised, −1, 1), weights of a layer sum
 *   to 1; direction = directionOf(score).
 * - confidence = agreement × sample, where agreement is the weight share of factors that point the way the
 *   score does (for a NEUTRAL score: the factors with |normalised| < 0.25) and sample (0..1) a per-layer
 *   measure of how much history or structure backs the reading.
 * - A source with `value: null`, `stale: true` or still warming up, or too few candles, makes the layer
 *   unavailable with that input in missingInputs: a raw input by its field (`candles`, `takerBuyVolume`),
 *   an analysis by its kind (`REGIME`, `MARKET_STRUCTURE`, `KEY_LEVELS`), as layers 7–12 do. Unknown is never read as 0.
 */

/** Version of the method below; bump it whenever a number these layers produce would change. */
export const CHART_LAYERS_METHODOLOGY_VERSION = 'confirmation-chart-layers/1.0.0';

/** One-line method per chart layer (for docs, meta and the composite's explanations). */
export const CHART_LAYERS_METHODOLOGY: Readonly<Partial<Record<ConfirmationLayerName, string>>> = {
  PRICE_ACTION:
    'OLS slope of the last 20 closes in ATR (0.35), 10-bar rate of change in ATR x sqrt(10) (0.25), higher-high/higher-low count of the last 10 bars (0.25), mean body/range of the last 5 bars (0.15).',
  VOLUME:
    'Taker delta imbalance of the last 20 bars (0.4), OBV slope per mean volume (0.3), volume spikes (z >= 2) of the last 5 bars signed by their delta (0.3); unavailable when a window bar has no taker-buy volume.',
  TECHNICAL: 'RSI 14 (0.25), MACD 12/26/9 histogram in ATR (0.25), EMA 20/50/200 stack with the close (0.3), stochastic %K 14/3/3 (0.2), via trading-signals.',
  WYCKOFF: 'Regime phase of the 4 h timeframe (0.45), market-structure score (0.35), effort: CVD slope, or OBV slope without taker volume (0.2).',
  SUPPORT_RESISTANCE:
    'Pull of the strongest support below and resistance above the close within 3 ATR (strength x proximity, 0.4 each), close within the value area (0.2).',
  FIBONACCI:
    'Retracement depth of the close in the last confirmed leg (0.6: beyond the leg end +1, 0.618 held +0.4, 0.786 lost, leg start lost -1) and the net Fibonacci levels crossed over the last 3 bars (0.4), signed by the leg direction.',
};

/** Periods and windows (documented defaults; exported for tests and docs). */
export const CHART_LAYER_PARAMS = {
  atrPeriod: 14,
  priceAction: { trendBars: 20, rocBars: 10, structureBars: 10, candleBars: 5, minBars: 21, fullBars: 40, trendSaturationAtr: 5, momentumSaturation: 2 },
  volume: { windowBars: 20, spikeLookback: 20, spikeBars: 5, spikeZ: 2, minBars: 25, fullBars: 40, deltaSaturation: 0.1, obvSaturation: 0.5 },
  technical: { rsi: 14, macd: [12, 26, 9] as const, stoch: { kPeriod: 14, kSlowingPeriod: 3, dPeriod: 3 }, emas: [20, 50, 200] as const, minBars: 50, historyBars: 600, macdSaturationAtr: 0.3 },
  wyckoff: { effortBars: 20, minBars: 21, cvdSaturation: 0.1, obvSaturation: 0.5 },
  supportResistance: { reachAtr: 3, minBars: 15 },
  fibonacci: { reactionBars: 3, reactionSaturation: 3, minBars: 15, fullLegAtr: 4 },
} as const;

// --- shared helpers ---

const clamp = (x: number, lo = -1, hi = 1): number => Math.min(hi, Math.max(lo, x));
const round = (x: number, digits = 4): number => Number(x.toFixed(digits));

interface FactorDraft {
  name: string;
  value: number;
  weight: number;
  /** −1..1 before weighting (clamped here). */
  normalised: number;
  note: string;
}

/** The readable value of a source, or null when it is absent or stale (a stale source is never current). */
function readSource<T>(source: LayerSource<T>): T | null {
  if ('reason' in source || source.value === null) return null;
  return source.stale ? null : source.value;
}

function whyMissing<T>(name: string, source: LayerSource<T>): string {
  if ('reason' in source) return `${name}: ${source.reason}`;
  return `${name} is stale (as of ${new Date(source.asOf).toISOString()})`;
}

function tooFewCandles(candles: readonly Candle[], min: number): LayerOutcome | null {
  return candles.length < min ? unavailableLayer(['candles'], `needs at least ${min} closed candles, has ${candles.length}`) : null;
}

/** Wilder ATR (trading-signals) of the candles; null before it is stable or when it is 0. */
export function averageTrueRange(candles: readonly Candle[], period: number = CHART_LAYER_PARAMS.atrPeriod): number | null {
  // Bit-identical to trading-signals ATR(period) (src/math/indicators.ts), without its per-update cost.
  const value = wilderAtr(candles, period);
  return value !== null && value > 0 ? value : null;
}

/**
 * Finish a layer from its factors: contributions, score, direction and confidence = agreement × sample.
 * Weights are renormalised to sum to 1 (a layer may leave out a factor it cannot measure).
 */
function finish(drafts: readonly FactorDraft[], sample: number, reading: (score: number) => string): LayerOutcome {
  const totalWeight = drafts.reduce((s, d) => s + d.weight, 0);
  const factors: Factor[] = drafts.map((d) => {
    const weight = d.weight / totalWeight;
    const n = clamp(d.normalised);
    return { name: d.name, value: round(d.value, 6), weight: round(weight, 6), contribution: round(weight * n, 6), note: d.note };
  });
  const score = round(100 * drafts.reduce((s, d) => s + (d.weight / totalWeight) * clamp(d.normalised), 0), 2);
  const direction = directionOf(score);
  const sign = direction === 'BULLISH' ? 1 : direction === 'BEARISH' ? -1 : 0;
  const agreement = drafts.reduce((s, d) => {
    const n = clamp(d.normalised);
    const agrees = sign === 0 ? Math.abs(n) < 0.25 : Math.sign(n) === sign;
    return s + (agrees ? d.weight / totalWeight : 0);
  }, 0);
  const confidence = round(clamp(agreement, 0, 1) * clamp(sample, 0, 1), 4);
  return { available: true, missingInputs: [], score, direction, confidence, factors, reading: reading(score) };
}

const fmt = (x: number, digits = 2): string => x.toFixed(digits);
/** A price as a trader reads it (8 significant digits, no float noise). */
const px = (x: number): string => String(Number(x.toPrecision(8)));
const word = (score: number): string => (score > 15 ? 'bullish' : score < -15 ? 'bearish' : 'neutral');

// --- 1 PRICE_ACTION ---

/**
 * Layer 1, price action: where the closes are heading, how the bars are built and how fast they move.
 * - `trendSlope` (0.35): OLS slope of the last 20 closes × 19 / ATR 14 (the fitted move across the window
 *   in ATRs), saturating at ±5 ATR.
 * - `momentum` (0.25): ROC 10 (trading-signals) × close 10 bars ago / (ATR × √10), i.e. the 10-bar change
 *   in random-walk units, saturating at ±2.
 * - `swingStructure` (0.25): of the last 10 bars' 9 steps, (higher high and higher low) − (lower high and
 *   lower low), / 9.
 * - `candleBodies` (0.15): mean (close − open) / (high − low) of the last 5 bars (0 for a bar without range).
 * Confidence sample: min(1, bars / 40).
 */
export const priceActionLayer: ConfirmationLayer = (inputs) => {
  const p = CHART_LAYER_PARAMS.priceAction;
  const candles = inputs.candles;
  const short = tooFewCandles(candles, p.minBars);
  if (short) return short;
  const atr = averageTrueRange(candles);
  if (atr === null) return unavailableLayer(['candles'], 'the candles have no range (ATR 0): price action cannot be scaled');
  const n = candles.length;
  const last = candles[n - 1]!;

  const closes = candles.slice(n - p.trendBars).map((c) => c.close);
  const slope = olsSlope(closes);
  const trendAtr = (slope * (p.trendBars - 1)) / atr;

  const roc = new ROC(p.rocBars);
  for (const c of candles.slice(n - p.rocBars - 1)) roc.add(c.close);
  const rocValue = roc.getResult() ?? 0;
  const base = candles[n - p.rocBars - 1]!.close;
  const momentumZ = (rocValue * base) / (atr * Math.sqrt(p.rocBars));

  let steps = 0;
  const recent = candles.slice(n - p.structureBars);
  for (let i = 1; i < recent.length; i++) {
    const a = recent[i - 1]!;
    const b = recent[i]!;
    if (b.high > a.high && b.low > a.low) steps += 1;
    else if (b.high < a.high && b.low < a.low) steps -= 1;
  }
  const structure = steps / (recent.length - 1);

  const bodies = candles.slice(n - p.candleBars).map((c) => (c.high > c.low ? (c.close - c.open) / (c.high - c.low) : 0));
  const body = bodies.reduce((s, x) => s + x, 0) / bodies.length;

  return finish(
    [
      { name: 'trendSlope', value: trendAtr, weight: 0.35, normalised: trendAtr / p.trendSaturationAtr, note: `OLS slope of the last ${p.trendBars} closes is ${fmt(slope, 4)} per bar: a fitted move of ${fmt(trendAtr)} ATR (ATR ${fmt(atr, 4)}); ±${p.trendSaturationAtr} ATR saturates` },
      { name: 'momentum', value: momentumZ, weight: 0.25, normalised: momentumZ / p.momentumSaturation, note: `${p.rocBars}-bar change ${fmt(rocValue * 100)} % is ${fmt(momentumZ)} × ATR√${p.rocBars}; ±${p.momentumSaturation} saturates` },
      { name: 'swingStructure', value: structure, weight: 0.25, normalised: structure, note: `net higher-high/higher-low steps over the last ${p.structureBars} bars: ${steps} of ${recent.length - 1}` },
      { name: 'candleBodies', value: body, weight: 0.15, normalised: body, note: `mean body / range of the last ${p.candleBars} bars: ${fmt(body)} (+1 all bull bodies without wicks)` },
    ],
    Math.min(1, n / p.fullBars),
    (score) => {
      const bars = structure > 0.3 ? 'higher highs and lows' : structure < -0.3 ? 'lower highs and lows' : 'mixed bars';
      return `Price action ${word(score)}: closes moved ${fmt(trendAtr, 1)} ATR over ${p.trendBars} bars, ${bars}, close ${px(last.close)}`;
    },
  );
};

// --- 2 VOLUME ---

/**
 * Layer 2, volume: who is aggressive and whether volume confirms the closes.
 * - `deltaImbalance` (0.4): Σ (2 × takerBuy − volume) / Σ volume over the last 20 bars, saturating at ±0.1
 *   (a 55/45 taker split; on the recordings the 20-bar imbalance is rarely beyond ±0.05).
 * - `obvSlope` (0.3): OLS slope of OBV (trading-signals) over the 20 bars / their mean volume, ±0.5 saturates.
 * - `deltaSpikes` (0.3): bars of the last 5 whose volume z-score (vs the 20 bars before, population σ) is
 *   ≥ 2, each counted sign(delta) × min(1, z / 4); the sum clamped to ±1.
 * The taker delta is the core of this layer (issue 12: null when taker volume is unknown): when any bar of
 * the 20-bar window lacks takerBuyVolume (freqtrade replays record none) the layer is unavailable with
 * missingInputs ['takerBuyVolume']; OBV and spikes alone are not passed off as the volume layer.
 * Confidence sample: min(1, bars / 40).
 */
export const volumeLayer: ConfirmationLayer = (inputs) => {
  const p = CHART_LAYER_PARAMS.volume;
  const candles = inputs.candles;
  const short = tooFewCandles(candles, p.minBars);
  if (short) return short;
  const n = candles.length;
  const window = candles.slice(n - p.windowBars);
  const unknown = window.filter((c) => c.takerBuyVolume === null).length;
  if (unknown > 0) {
    return unavailableLayer(['takerBuyVolume'], `${unknown} of the last ${p.windowBars} bars have no taker-buy volume (the source does not record it): the delta is unknown, not 0`);
  }
  const deltas = window.map((c) => 2 * (c.takerBuyVolume as number) - c.volume);
  const volumeSum = window.reduce((s, c) => s + c.volume, 0);
  const deltaSum = deltas.reduce((s, d) => s + d, 0);
  const imbalance = volumeSum > 0 ? deltaSum / volumeSum : 0;

  const obv = new OBV(2);
  const obvSeries: number[] = [];
  for (const c of candles.slice(n - p.windowBars - 1)) {
    const v = obv.add({ open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume });
    if (v !== null) obvSeries.push(v);
  }
  const meanVolume = volumeSum / window.length;
  const obvSlope = meanVolume > 0 ? olsSlope(obvSeries) / meanVolume : 0;

  const volumes = candles.map((c) => c.volume);
  let spikeSum = 0;
  let spikes = 0;
  for (let i = n - p.spikeBars; i < n; i++) {
    const z = volumeZScore(volumes, i, p.spikeLookback)?.z ?? null;
    if (z === null || z < p.spikeZ) continue;
    const c = candles[i]!;
    spikes += 1;
    spikeSum += Math.sign(2 * (c.takerBuyVolume as number) - c.volume) * Math.min(1, z / 4);
  }

  return finish(
    [
      { name: 'deltaImbalance', value: imbalance, weight: 0.4, normalised: imbalance / p.deltaSaturation, note: `taker delta / volume over ${p.windowBars} bars: ${fmt(imbalance * 100)} % (±${p.deltaSaturation * 100} % saturates)` },
      { name: 'obvSlope', value: obvSlope, weight: 0.3, normalised: obvSlope / p.obvSaturation, note: `OBV slope ${fmt(obvSlope, 3)} mean volumes per bar over ${p.windowBars} bars (±${p.obvSaturation} saturates)` },
      { name: 'deltaSpikes', value: spikeSum, weight: 0.3, normalised: spikeSum, note: spikes === 0 ? `no volume spike (z ≥ ${p.spikeZ}) in the last ${p.spikeBars} bars` : `${spikes} volume spike(s) in the last ${p.spikeBars} bars, signed by their delta: ${fmt(spikeSum)}` },
    ],
    Math.min(1, n / p.fullBars),
    (score) => `Volume ${word(score)}: takers net ${imbalance >= 0 ? 'bought' : 'sold'} ${fmt(Math.abs(imbalance) * 100, 1)} % of ${p.windowBars}-bar volume, OBV ${obvSlope >= 0 ? 'rising' : 'falling'}${spikes > 0 ? `, ${spikes} spike(s)` : ''}`,
  );
};

// --- 3 TECHNICAL ---

/**
 * Layer 3, technical indicators (trading-signals definitions, computed bit-identically by src/math/indicators.ts;
 * fed the last ≤ 600 closed bars):
 * - `rsi` (0.25): RSI 14 (Wilder), normalised (RSI − 50) / 30 (RSI 80 → +1, 20 → −1: momentum, not a
 *   contrarian overbought read); 50 when no close ever changed (0 / 0, which trading-signals reports as 100).
 * - `macdHistogram` (0.25): MACD(EMA 12, EMA 26, signal EMA 9) histogram / ATR 14, ±0.3 ATR saturates.
 * - `emaStack` (0.3): mean sign of close − EMA 20, EMA 20 − EMA 50 and, with ≥ 200 bars, EMA 50 − EMA 200.
 * - `stochastic` (0.2): slow %K (14, 3, 3), normalised (%K − 50) / 50.
 * At least 50 bars; confidence sample 1 with EMA 200, 0.75 without.
 */
export const technicalLayer: ConfirmationLayer = (inputs) => {
  const p = CHART_LAYER_PARAMS.technical;
  const short = tooFewCandles(inputs.candles, p.minBars);
  if (short) return short;
  const candles = inputs.candles.slice(-p.historyBars);
  const atr = averageTrueRange(candles);
  if (atr === null) return unavailableLayer(['candles'], 'the candles have no range (ATR 0): the MACD cannot be scaled');
  // RSI, MACD, stochastic and EMAs as trading-signals computes them, bit for bit, in one pass (src/math/indicators.ts).
  const readings = technicalReadings(candles, p);
  const close = candles[candles.length - 1]!.close;
  // trading-signals reports RSI 100 when the average loss is 0, also when nothing ever moved (0 / 0):
  // a series without a single price change has no RSI, read as the neutral 50.
  const moved = candles.some((c) => c.close !== candles[0]!.close);
  const rsiValue = moved ? readings.rsi : 50;
  const macdValue = readings.macdHistogram === null ? null : { histogram: readings.macdHistogram };
  const stochValue = readings.stoch;
  if (rsiValue === null || macdValue === null || stochValue === null) {
    return unavailableLayer(['candles'], 'RSI, MACD or stochastic not yet defined on these candles');
  }
  const stable = readings.emas.filter(emaStable).map((e) => e.result);
  const chain = [close, ...stable];
  const pairs = chain.slice(1).map((e, i) => Math.sign((chain[i] as number) - e));
  const stack = pairs.reduce((s, x) => s + x, 0) / pairs.length;
  const withLong = stable.length === p.emas.length;
  const histAtr = macdValue.histogram / atr;

  return finish(
    [
      { name: 'rsi', value: rsiValue, weight: 0.25, normalised: (rsiValue - 50) / 30, note: `RSI ${p.rsi} = ${fmt(rsiValue, 1)} ((RSI − 50) / 30)` },
      { name: 'macdHistogram', value: histAtr, weight: 0.25, normalised: histAtr / p.macdSaturationAtr, note: `MACD ${p.macd.join('/')} histogram ${fmt(macdValue.histogram, 4)} = ${fmt(histAtr, 3)} ATR (±${p.macdSaturationAtr} saturates)` },
      { name: 'emaStack', value: stack, weight: 0.3, normalised: stack, note: `close ${close} vs EMA ${p.emas.slice(0, stable.length).join('/')} = ${stable.map((e) => fmt(e, 2)).join(' / ')}: ${pairs.filter((x) => x > 0).length} of ${pairs.length} pairs stacked bullishly${withLong ? '' : ' (EMA 200 needs 200 bars)'}` },
      { name: 'stochastic', value: stochValue.stochK, weight: 0.2, normalised: (stochValue.stochK - 50) / 50, note: `slow stochastic %K ${fmt(stochValue.stochK, 1)}, %D ${fmt(stochValue.stochD, 1)}` },
    ],
    withLong ? 1 : 0.75,
    (score) => `Technicals ${word(score)}: RSI ${fmt(rsiValue, 0)}, MACD histogram ${macdValue.histogram >= 0 ? 'positive' : 'negative'}, close ${close >= (stable[0] ?? close) ? 'above' : 'below'} EMA 20${withLong ? `, EMA 50 ${stable[1]! >= stable[2]! ? 'above' : 'below'} EMA 200` : ''}`,
  );
};

// --- 4 WYCKOFF ---

const PHASE_VALUE: Readonly<Record<MarketPhase, number>> = {
  [MarketPhases.MARKUP]: 1,
  [MarketPhases.ACCUMULATION]: 0.6,
  [MarketPhases.UNDETERMINED]: 0,
  [MarketPhases.DISTRIBUTION]: -0.6,
  [MarketPhases.MARKDOWN]: -1,
};

/**
 * Layer 4, Wyckoff / SMC phase:
 * - `phase` (0.45): the regime's 4 h phase, MARKUP +1, ACCUMULATION +0.6 (a range after a decline with
 *   absorption), UNDETERMINED 0, DISTRIBUTION −0.6, MARKDOWN −1.
 * - `structure` (0.35): the market-structure score / 100 (last BOS/CHoCH, high and low sequences).
 * - `effort` (0.2): CVD slope per bar / mean volume over the last 20 candles when every one has taker-buy
 *   volume (±0.1 saturates), else the OBV slope per mean volume (±0.5 saturates), said in the factor name
 *   (`cvdSlope` / `obvSlope`); OBV is known from volume alone, so no delta is guessed.
 * Unavailable when the regime or structure is absent, stale or warming up (no phase / no swings).
 * Confidence sample: 0.5 + 0.5 × regime confidence / 100 (timeframe agreement of the regime).
 */
export const wyckoffLayer: ConfirmationLayer = (inputs) => {
  const p = CHART_LAYER_PARAMS.wyckoff;
  const regime = readSource(inputs.regime);
  const structure = readSource(inputs.structure);
  const missing: string[] = [];
  const reasons: string[] = [];
  if (regime === null) (missing.push('REGIME'), reasons.push(whyMissing('regime', inputs.regime)));
  else if (regime.phase === null) (missing.push('REGIME'), reasons.push('regime has no 4 h phase yet (warming up)'));
  if (structure === null) (missing.push('MARKET_STRUCTURE'), reasons.push(whyMissing('structure', inputs.structure)));
  else if (structure.warmingUp) (missing.push('MARKET_STRUCTURE'), reasons.push('structure is warming up (no confirmed swing high and low)'));
  if (missing.length > 0) return unavailableLayer(missing, reasons.join('; '));
  const short = tooFewCandles(inputs.candles, p.minBars);
  if (short) return short;
  const phase = regime!.phase as MarketPhase;
  const ms = structure!;

  const candles = inputs.candles;
  const n = candles.length;
  const window = candles.slice(n - p.effortBars);
  const meanVolume = window.reduce((s, c) => s + c.volume, 0) / window.length;
  const withTaker = window.every((c) => c.takerBuyVolume !== null);
  let effort: FactorDraft;
  if (withTaker) {
    let cvd = 0;
    const series = window.map((c) => (cvd += 2 * (c.takerBuyVolume as number) - c.volume));
    const slope = meanVolume > 0 ? olsSlope(series) / meanVolume : 0;
    effort = { name: 'cvdSlope', value: slope, weight: 0.2, normalised: slope / p.cvdSaturation, note: `CVD slope over ${p.effortBars} bars: ${fmt(slope, 3)} mean volumes per bar (±${p.cvdSaturation} saturates)` };
  } else {
    const obv = new OBV(2);
    const series: number[] = [];
    for (const c of candles.slice(n - p.effortBars - 1)) {
      const v = obv.add({ open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume });
      if (v !== null) series.push(v);
    }
    const slope = meanVolume > 0 ? olsSlope(series) / meanVolume : 0;
    effort = { name: 'obvSlope', value: slope, weight: 0.2, normalised: slope / p.obvSaturation, note: `no taker-buy volume on every bar: OBV slope over ${p.effortBars} bars instead, ${fmt(slope, 3)} mean volumes per bar (±${p.obvSaturation} saturates)` };
  }
  const lastEvent = ms.lastEvent ? `${ms.lastEvent.direction.toLowerCase()} ${ms.lastEvent.kind}` : 'no break yet';
  return finish(
    [
      { name: 'phase', value: PHASE_VALUE[phase], weight: 0.45, normalised: PHASE_VALUE[phase], note: `regime phase (4 h) ${phase}` },
      { name: 'structure', value: ms.score, weight: 0.35, normalised: ms.score / 100, note: `market structure ${ms.trend ?? 'RANGE'} (score ${fmt(ms.score, 0)}, ${lastEvent})` },
      effort,
    ],
    0.5 + (0.5 * regime!.confidence) / 100,
    (score) => `Wyckoff ${word(score)}: ${phase.toLowerCase()} phase, structure ${(ms.trend ?? 'RANGE').toLowerCase()} after ${lastEvent}, ${effort.name === 'cvdSlope' ? 'CVD' : 'OBV'} ${effort.value >= 0 ? 'rising' : 'falling'}`,
  );
};

// --- 5 SUPPORT_RESISTANCE ---

/** Strength given to levels the key-levels analysis leaves unrated (documented defaults). */
export const DEFAULT_LEVEL_STRENGTH: Readonly<Partial<Record<KeyLevelKind, number>>> = {
  PRIOR_WEEK_HIGH: 60,
  PRIOR_WEEK_LOW: 60,
  PRIOR_DAY_HIGH: 50,
  PRIOR_DAY_LOW: 50,
  PRIOR_WEEK_CLOSE: 30,
  PRIOR_DAY_CLOSE: 30,
};
/** Strength of the volume profile's point of control and value-area edges. */
export const PROFILE_LEVEL_STRENGTH = { poc: 70, valueAreaEdge: 60 } as const;

interface SrLevel {
  label: string;
  price: number;
  strength: number;
}

/** The level of one side with the largest pull = strength / 100 × max(0, 1 − distance / (reach × ATR)). */
function strongestPull(levels: readonly SrLevel[], close: number, atr: number, side: 'below' | 'above'): { level: SrLevel; distanceAtr: number; pull: number } | null {
  const reach = CHART_LAYER_PARAMS.supportResistance.reachAtr;
  let best: { level: SrLevel; distanceAtr: number; pull: number } | null = null;
  for (const level of levels) {
    const below = level.price < close;
    if ((side === 'below') !== below) continue;
    const distanceAtr = Math.abs(close - level.price) / atr;
    const pull = (level.strength / 100) * Math.max(0, 1 - distanceAtr / reach);
    if (best === null || pull > best.pull || (pull === best.pull && distanceAtr < best.distanceAtr)) best = { level, distanceAtr, pull };
  }
  return best;
}

/**
 * Layer 5, support / resistance:
 * - Levels: the key levels except the Fibonacci ones (layer 6 reads those), strength as rated
 *   (SWING_CLUSTER, VOLUME_NODE) or DEFAULT_LEVEL_STRENGTH (prior day/week), plus, when the volume profile
 *   is available, its POC (70) and value-area edges (60). Sides are taken against the last close.
 * - `support` (0.4): pull of the support below with the largest strength/100 × max(0, 1 − d / 3 ATR);
 *   `resistance` (0.4): the same above, negative. Near strong support → bullish, near strong resistance →
 *   bearish; both near (a tight range) cancel and lower the confidence.
 * - `valueArea` (0.2, only with a profile): −1 at VAL … +1 at VAH, saturating outside (acceptance above or
 *   below value), as the volume profile reads it.
 * Unavailable without key levels (absent, stale or with no level); the profile is optional (its absence
 * lowers the confidence sample to 0.85). Sample: 1 with a level on both sides, 0.7 with one.
 */
export const supportResistanceLayer: ConfirmationLayer = (inputs) => {
  const p = CHART_LAYER_PARAMS.supportResistance;
  const levels = readSource(inputs.levels);
  if (levels === null) return unavailableLayer(['KEY_LEVELS'], whyMissing('levels', inputs.levels));
  const short = tooFewCandles(inputs.candles, p.minBars);
  if (short) return short;
  const atr = averageTrueRange(inputs.candles);
  if (atr === null) return unavailableLayer(['candles'], 'the candles have no range (ATR 0): distances cannot be scaled');
  const close = inputs.candles[inputs.candles.length - 1]!.close;

  const candidates: SrLevel[] = [];
  for (const l of levels.levels as readonly KeyLevel[]) {
    if (l.kind === KeyLevelKinds.FIB_RETRACEMENT || l.kind === KeyLevelKinds.FIB_EXTENSION) continue;
    const strength = l.strength ?? DEFAULT_LEVEL_STRENGTH[l.kind];
    if (strength === undefined) continue;
    candidates.push({ label: l.kind, price: l.price, strength });
  }
  const profile = readSource(inputs.profile);
  const va = profile !== null && !profile.warmingUp && profile.valueAreaHigh !== null && profile.valueAreaLow !== null && profile.poc !== null ? { vah: profile.valueAreaHigh, val: profile.valueAreaLow, poc: profile.poc.price } : null;
  if (va) {
    candidates.push({ label: 'POC', price: va.poc, strength: PROFILE_LEVEL_STRENGTH.poc });
    candidates.push({ label: 'VAH', price: va.vah, strength: PROFILE_LEVEL_STRENGTH.valueAreaEdge });
    candidates.push({ label: 'VAL', price: va.val, strength: PROFILE_LEVEL_STRENGTH.valueAreaEdge });
  }
  if (candidates.length === 0) return unavailableLayer(['KEY_LEVELS'], levels.warmingUp ? 'key levels are warming up: no level yet' : 'no support or resistance level');

  const support = strongestPull(candidates, close, atr, 'below');
  const resistance = strongestPull(candidates, close, atr, 'above');
  const describe = (x: typeof support, side: string): string =>
    x === null ? `no ${side} level` : `${side} ${x.level.label} ${px(x.level.price)} (strength ${fmt(x.level.strength, 0)}) ${fmt(x.distanceAtr)} ATR away: pull ${fmt(x.pull, 3)} (0 beyond ${p.reachAtr} ATR)`;
  const drafts: FactorDraft[] = [
    { name: 'support', value: support?.distanceAtr ?? 0, weight: 0.4, normalised: support?.pull ?? 0, note: describe(support, 'support') },
    { name: 'resistance', value: resistance?.distanceAtr ?? 0, weight: 0.4, normalised: -(resistance?.pull ?? 0), note: describe(resistance, 'resistance') },
  ];
  if (va) {
    const where = va.vah > va.val ? (close - va.val) / (va.vah - va.val) : 0.5;
    drafts.push({ name: 'valueArea', value: where, weight: 0.2, normalised: 2 * where - 1, note: `close at ${fmt(where * 100, 1)} % of the value area ${px(va.val)}–${px(va.vah)} (−1 at VAL … +1 at VAH)` });
  }
  const sides = (support ? 1 : 0) + (resistance ? 1 : 0);
  return finish(drafts, (sides === 2 ? 1 : 0.7) * (va ? 1 : 0.85), (score) => {
    const s = support ? `support ${px(support.level.price)} ${fmt(support.distanceAtr, 1)} ATR below` : 'no support below';
    const r = resistance ? `resistance ${px(resistance.level.price)} ${fmt(resistance.distanceAtr, 1)} ATR above` : 'no resistance above';
    return `Support/resistance ${word(score)}: ${s}, ${r}${va ? '' : ' (no volume profile)'}`;
  });
};

// --- 6 FIBONACCI ---

/** Retracement depth → leg-continuation health (piecewise linear between these knots, flat outside). */
export const FIB_HEALTH_KNOTS: readonly (readonly [number, number])[] = [
  [0, 1],
  [0.382, 0.7],
  [0.618, 0.4],
  [0.786, -0.3],
  [1, -1],
];
/** The grid whose crossings count as reactions (retracement ratios plus the leg's ends). */
export const FIB_GRID = [0, 0.236, 0.382, 0.5, 0.618, 0.786, 1] as const;

/** Piecewise-linear health of a retracement depth r (0 = at the leg end, 1 = back at its start). */
export function fibHealth(r: number): number {
  const knots = FIB_HEALTH_KNOTS;
  if (r <= knots[0]![0]) return knots[0]![1];
  for (let i = 1; i < knots.length; i++) {
    const [x1, y1] = knots[i]!;
    const [x0, y0] = knots[i - 1]!;
    if (r <= x1) return y0 + ((y1 - y0) * (r - x0)) / (x1 - x0);
  }
  return knots[knots.length - 1]![1];
}

/** Retracement depth of `price` in `leg`: 0 at the leg's end, 1 at its start, < 0 beyond the end. */
export function retracementDepth(leg: Pick<FibLeg, 'direction' | 'fromPrice' | 'toPrice'>, price: number): number {
  const span = leg.toPrice - leg.fromPrice;
  return span === 0 ? 0 : (leg.toPrice - price) / span;
}

/**
 * Layer 6, Fibonacci: where the close sits in the retracement grid of the last confirmed leg (the key
 * levels' FibLeg; else the leg between the structure's last swing low and high, older to newer).
 * r = retracement depth (0 at the leg end, 1 at its start), legSign +1 for an up-leg, −1 for a down-leg.
 * - `retracement` (0.6): legSign × fibHealth(r): beyond the leg end +1, 0.382 → +0.7, holding 0.618 → +0.4,
 *   losing 0.786 → below −0.3, back at the leg start −1 (and beyond).
 * - `reaction` (0.4): net grid levels (0, 0.236, 0.382, 0.5, 0.618, 0.786, 1) the close crossed over the
 *   last 3 bars toward the leg end (reclaimed) minus those crossed toward the start (lost), × legSign / 3.
 * Confidence sample: min(1, leg size / 4 ATR) (a leg of a few ATR carries little information).
 */
export const fibonacciLayer: ConfirmationLayer = (inputs) => {
  const p = CHART_LAYER_PARAMS.fibonacci;
  const levels = readSource(inputs.levels);
  const structure = readSource(inputs.structure);
  let leg: Pick<FibLeg, 'direction' | 'fromPrice' | 'toPrice'> | null = null;
  let legSource = '';
  if (levels?.leg) {
    leg = levels.leg;
    legSource = 'key levels';
  } else if (structure && !structure.warmingUp && structure.lastSwingHigh && structure.lastSwingLow) {
    const hi = structure.lastSwingHigh;
    const lo = structure.lastSwingLow;
    leg = lo.time < hi.time ? { direction: LegDirections.UP, fromPrice: lo.price, toPrice: hi.price } : { direction: LegDirections.DOWN, fromPrice: hi.price, toPrice: lo.price };
    legSource = 'structure swings';
  }
  if (leg === null) {
    const missing: string[] = [];
    const reasons: string[] = [];
    if (levels === null) (missing.push('KEY_LEVELS'), reasons.push(whyMissing('levels', inputs.levels)));
    if (structure === null) (missing.push('MARKET_STRUCTURE'), reasons.push(whyMissing('structure', inputs.structure)));
    if (missing.length === 0) (missing.push('KEY_LEVELS'), reasons.push('no confirmed swing leg yet'));
    return unavailableLayer(missing, reasons.join('; '));
  }
  const short = tooFewCandles(inputs.candles, Math.max(p.minBars, p.reactionBars + 1));
  if (short) return short;
  const atr = averageTrueRange(inputs.candles);
  if (atr === null) return unavailableLayer(['candles'], 'the candles have no range (ATR 0): the leg cannot be scaled');
  const candles = inputs.candles;
  const close = candles[candles.length - 1]!.close;
  const before = candles[candles.length - 1 - p.reactionBars]!.close;
  const legSign = leg.direction === LegDirections.UP ? 1 : -1;
  const r = retracementDepth(leg, close);
  const r0 = retracementDepth(leg, before);
  const lo = Math.min(r, r0);
  const hi = Math.max(r, r0);
  const crossed = FIB_GRID.filter((g) => g > lo && g <= hi).length;
  const net = r < r0 ? crossed : -crossed;
  const health = fibHealth(r);
  const legAtr = Math.abs(leg.toPrice - leg.fromPrice) / atr;
  const nearest = FIB_GRID.reduce((best, g) => (Math.abs(g - r) < Math.abs(best - r) ? g : best), FIB_GRID[0] as number);

  return finish(
    [
      { name: 'retracement', value: r, weight: 0.6, normalised: legSign * health, note: `close ${close} is ${fmt(r, 3)} into the ${leg.direction} leg ${px(leg.fromPrice)} → ${px(leg.toPrice)} (0 = leg end, 1 = leg start); health ${fmt(health, 2)}` },
      { name: 'reaction', value: net, weight: 0.4, normalised: (legSign * net) / p.reactionSaturation, note: `over the last ${p.reactionBars} bars the close ${net > 0 ? `reclaimed ${net}` : net < 0 ? `lost ${-net}` : 'crossed no'} Fibonacci level(s) (from depth ${fmt(r0, 3)})` },
    ],
    Math.min(1, legAtr / p.fullLegAtr),
    (score) => `Fibonacci ${word(score)}: close at ${fmt(r, 2)} retracement of the ${leg.direction.toLowerCase()} leg (${legSource}), nearest level ${nearest}`,
  );
};

/** Layers 1–6 by name, in their documented order (the registry adds layers 7–12). */
export const CHART_LAYERS = {
  PRICE_ACTION: priceActionLayer,
  VOLUME: volumeLayer,
  TECHNICAL: technicalLayer,
  WYCKOFF: wyckoffLayer,
  SUPPORT_RESISTANCE: supportResistanceLayer,
  FIBONACCI: fibonacciLayer,
} as const satisfies Record<string, ConfirmationLayer>;
