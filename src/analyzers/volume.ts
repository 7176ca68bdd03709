import { meanAndStdDev, olsSlope } from '../math/statistics.js';
import { OBV, VWAP } from 'trading-signals';
import { detectSwings } from './swings.js';
import type { Factor } from './types.js';
import {
  DEFAULT_VOLUME_THRESHOLDS,
  VolumeFlows,
  VwapAnchorSources,
  type AnchoredVwap,
  type SessionVwap,
  type VolumeAnalysis,
  type VolumeBar,
  type VolumeCandle,
  type VolumeFlow,
  type VolumeInput,
  type VolumeSpike,
  type VolumeThresholds,
  type VwapBands,
} from './volume.types.js';

/** Version of the method below; bump it whenever a number this analyzer produces would change. */
export const VOLUME_METHODOLOGY_VERSION = 'volume/1.1.1';

/** Factor weights of the flow score; they sum to 1. */
const WEIGHTS = { deltaImbalance: 0.4, cvdSlope: 0.3, priceVsVwap: 0.3 } as const;
/** |imbalance| (and |normalised CVD slope|) that saturates its factor: a 60/40 taker split. */
const IMBALANCE_SCALE = 0.2;
/** |close − session VWAP| in σ that saturates the price factor. */
const VWAP_Z_SCALE = 2;
const DAY_MS = 86_400_000;
const MAX_EPOCH_MS = 8.64e15;
/** Relative tolerance for takerBuyVolume slightly above volume (decimal rounding of venue strings). */
const TAKER_EPSILON = 1e-9;

const fail = (message: string): never => {
  throw new Error(`computeVolumeAnalysis: ${message}`);
};
const quote = (value: unknown): string => (typeof value === 'number' ? String(value) : JSON.stringify(value));

/** Typical price (H + L + C) / 3, as trading-signals' VWAP uses. */
const typical = (c: Pick<VolumeCandle, 'high' | 'low' | 'close'>): number => (c.high + c.low + c.close) / 3;

/**
 * Running VWAP with volume-weighted standard deviation bands. The VWAP itself is trading-signals' VWAP
 * (Σ typical × volume / Σ volume); the variance Σ v (tp − vwap)² / Σ v is accumulated with West's
 * weighted incremental algorithm (no catastrophic cancellation at BTC prices). Zero-volume candles
 * change nothing.
 */
export function createVwapAccumulator() {
  const vwap = new VWAP();
  let weight = 0;
  let mean = 0;
  let s = 0;
  let bars = 0;
  return {
    add(c: Pick<VolumeCandle, 'high' | 'low' | 'close' | 'volume'>): void {
      bars += 1;
      if (c.volume <= 0) return;
      vwap.add({ high: c.high, low: c.low, close: c.close, volume: c.volume });
      const x = typical(c);
      weight += c.volume;
      const d = x - mean;
      mean += (c.volume / weight) * d;
      s += c.volume * d * (x - mean);
    },
    get bars(): number {
      return bars;
    },
    get volume(): number {
      return weight;
    },
    bands(): VwapBands | null {
      const v = vwap.getResult();
      if (v === null || weight <= 0) return null;
      const stdDev = Math.sqrt(Math.max(0, s / weight));
      return { vwap: v, stdDev, upper1: v + stdDev, lower1: v - stdDev, upper2: v + 2 * stdDev, lower2: v - 2 * stdDev };
    },
  };
}

/** Volume z-score of bar `i` against the `lookback` bars before it (mean, population σ); null when σ = 0 or history is short. */
export function volumeZScore(volumes: readonly number[], i: number, lookback: number): { z: number | null; mean: number; stdDev: number } | null {
  if (i < lookback) return null;
  const { mean, stdDev } = meanAndStdDev(volumes.slice(i - lookback, i), 'population');
  return { z: stdDev > 0 ? ((volumes[i] as number) - mean) / stdDev : null, mean, stdDev };
}

/**
 * Volume and order-flow analysis of one candle series: who is aggressive, how unusual the volume is and
 * where the volume-weighted average prices sit.
 *
 * What it measures (per closed candle, oldest to newest):
 * - `delta` = taker buy − taker sell volume = 2 × takerBuyVolume − volume, and `cvd`, its running sum from
 *   the first candle held (read its slope, not its level: the level depends on where the history starts).
 * - `volumeZ` = (volume − mean) / σ over the `lookback` (20) bars before it (population σ; null when σ = 0);
 *   `spike` when volumeZ ≥ `spikeZ` (2.5, inclusive).
 * - `obv`: on-balance volume, trading-signals' OBV (±volume by close vs previous close, from the 2nd bar).
 * - Session VWAP of the UTC day with ±1σ/±2σ bands (volume-weighted σ of the typical price); null for a
 *   day whose first candle is not held (a partial day is never passed off as the session).
 * - Anchored VWAP (with σ) from `anchor` (the candle containing it onward); default anchor: the bar of the
 *   latest confirmed swing (detectSwings, `anchorSwingBars` = 5 bars each side), so the line tracks the
 *   average cost of everyone who traded since the last turning point. Null with a note when the candles
 *   held do not reach back to the anchor.
 *
 * How to read the flow (last `flowBars` = 20 bars): score −100..100 = 100 × Σ weight × clamp(normalised)
 * over `deltaImbalance` (0.4, Σ delta / Σ volume, saturates at ±0.2, a 60/40 taker split), `cvdSlope`
 * (0.3, OLS slope of CVD per bar / mean volume, saturates at ±0.2) and `priceVsVwap` (0.3, (close − session
 * VWAP) / σ, saturates at ±2σ). score ≥ flowThreshold (25) BUYERS_IN_CONTROL, ≤ −25 SELLERS_IN_CONTROL,
 * else BALANCED.
 *
 * Unknown taker-buy volume (a source without it, e.g. freqtrade files) stays unknown: that bar's delta and
 * CVD are null, CVD restarts after such a bar, and unless every bar of the flow window has it the
 * imbalance, CVD slope, flow and score are null, with `takerCoverage` (share of the window's bars that
 * have it) and a reason in `unavailable`. Partial coverage is not extrapolated.
 *
 * Pure: no I/O, no clock. Precondition violations throw quoting the value (unordered or invalid candles,
 * takerBuyVolume outside [0, volume], bad thresholds). Too little history gives `warmingUp: true` and nulls.
 *
 * @see https://www.investopedia.com/terms/v/vwap.asp — VWAP = Σ typical price × volume / Σ volume, reset each session.
 * @see https://www.investopedia.com/terms/o/onbalancevolume.asp — On-balance volume (Granville).
 * @see https://developers.binance.com/docs/derivatives/usds-margined-futures/market-data/rest-api/Kline-Candlestick-Data — taker buy base asset volume.
 * @see https://en.wikipedia.org/wiki/Weighted_arithmetic_mean#Weighted_sample_variance — weighted variance (West 1979).
 */
export function computeVolumeAnalysis(input: Readonly<VolumeInput>): VolumeAnalysis {
  const t = resolveThresholds(input.thresholds);
  validateCandles(input.candles);
  const anchorArg = input.anchor ?? null;
  if (anchorArg !== null && (!Number.isFinite(anchorArg) || Math.abs(anchorArg) > MAX_EPOCH_MS)) fail(`anchor must be a finite epoch ms, got ${quote(anchorArg)}`);
  const { candles } = input;
  const n = candles.length;
  const volumes = candles.map((c) => c.volume);
  const deltas = candles.map((c) => (c.takerBuyVolume === null ? null : clampZero(2 * Math.min(c.takerBuyVolume, c.volume) - c.volume)));

  // CVD (restarting after a bar without taker-buy volume) and OBV over everything held.
  const cvd: (number | null)[] = [];
  const obvValues: (number | null)[] = [];
  const obv = new OBV(2);
  let running = 0;
  for (let i = 0; i < n; i += 1) {
    const c = candles[i] as VolumeCandle;
    const d = deltas[i] ?? null;
    running = d === null ? 0 : running + d;
    cvd.push(d === null ? null : running);
    obvValues.push(obv.add({ open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume }));
  }

  // Session VWAP (reset at 00:00 UTC), only for days whose first candle is held.
  const sessionBands: (VwapBands | null)[] = [];
  let session: SessionVwap | null = null;
  let acc = createVwapAccumulator();
  let day = Number.NaN;
  let dayCovered = false;
  for (let i = 0; i < n; i += 1) {
    const c = candles[i] as VolumeCandle;
    const d = Math.floor(c.openTime / DAY_MS) * DAY_MS;
    if (d !== day) {
      day = d;
      acc = createVwapAccumulator();
      dayCovered = c.openTime === d;
    }
    acc.add(c);
    const bands = dayCovered ? acc.bands() : null;
    sessionBands.push(bands);
    if (i === n - 1 && bands) {
      session = { ...bands, sessionStart: day, bars: acc.bars, volume: acc.volume, closeZ: bands.stdDev > 0 ? (c.close - bands.vwap) / bands.stdDev : null };
    }
  }

  const { anchored, anchoredSeries } = anchoredVwap(candles, anchorArg, t.anchorSwingBars);

  // Spikes.
  const zs: (number | null)[] = [];
  let baselineMean: number | null = null;
  let baselineStdDev: number | null = null;
  for (let i = 0; i < n; i += 1) {
    const z = volumeZScore(volumes, i, t.lookback);
    zs.push(z?.z ?? null);
    if (i === n - 1 && z) {
      baselineMean = z.mean;
      baselineStdDev = z.stdDev;
    }
  }
  const isSpike = (i: number) => zs[i] !== null && (zs[i] as number) >= t.spikeZ;

  const first = Math.max(0, n - t.seriesLength);
  const series: VolumeBar[] = [];
  const spikes: VolumeSpike[] = [];
  for (let i = first; i < n; i += 1) {
    const c = candles[i] as VolumeCandle;
    const b = sessionBands[i] ?? null;
    series.push({
      time: c.openTime,
      close: c.close,
      volume: c.volume,
      delta: deltas[i] ?? null,
      cvd: cvd[i] ?? null,
      obv: obvValues[i] ?? null,
      volumeZ: zs[i] ?? null,
      spike: isSpike(i),
      sessionVwap: b?.vwap ?? null,
      sessionUpper1: b?.upper1 ?? null,
      sessionLower1: b?.lower1 ?? null,
      sessionUpper2: b?.upper2 ?? null,
      sessionLower2: b?.lower2 ?? null,
      anchoredVwap: anchoredSeries[i] ?? null,
    });
    if (isSpike(i)) {
      const delta = deltas[i] ?? null;
      spikes.push({ time: c.openTime, volume: c.volume, volumeZ: zs[i] as number, delta, side: delta === null ? null : delta > 0 ? 'BUY' : delta < 0 ? 'SELL' : null });
    }
  }

  // Flow over the last flowBars bars.
  const warmingUp = n < Math.max(t.lookback + 1, t.flowBars);
  let deltaImbalance: number | null = null;
  let cvdSlope: number | null = null;
  const windowFrom = Math.max(0, n - t.flowBars);
  const windowDeltas = deltas.slice(windowFrom);
  const knownTaker = windowDeltas.filter((d) => d !== null).length;
  const takerCoverage = n > 0 ? knownTaker / windowDeltas.length : null;
  const takerComplete = n > 0 && knownTaker === windowDeltas.length;
  const unavailable: string[] = [];
  if (warmingUp) {
    unavailable.push(`warming up: ${n} of the ${Math.max(t.lookback + 1, t.flowBars)} closed bars the baseline and flow window need; flow and score are null`);
  }
  if (n > 0 && !takerComplete) {
    unavailable.push(
      `taker-buy volume unknown for ${windowDeltas.length - knownTaker} of the last ${windowDeltas.length} bars (the source does not record it): delta imbalance, CVD slope, flow and score are null`,
    );
  }
  if (n >= t.flowBars && takerComplete) {
    const from = n - t.flowBars;
    const vol = sum(volumes.slice(from));
    if (vol > 0) {
      deltaImbalance = sum(windowDeltas as number[]) / vol;
      // Complete coverage over the window: the CVD run covers it, so these are all numbers.
      cvdSlope = t.flowBars >= 2 ? olsSlope(cvd.slice(from) as number[]) / (vol / t.flowBars) : null;
    }
  }
  const takerNote = takerComplete ? null : `taker-buy volume unknown for ${windowDeltas.length - knownTaker} of ${windowDeltas.length} bars; not measured`;
  const last = candles[n - 1];
  const closeZ = session?.closeZ ?? null;
  const factors: Factor[] = [
    factor(
      'deltaImbalance',
      deltaImbalance ?? 0,
      WEIGHTS.deltaImbalance,
      (deltaImbalance ?? 0) / IMBALANCE_SCALE,
      takerNote !== null
        ? takerNote
        : deltaImbalance === null
        ? `needs ${t.flowBars} bars with volume (have ${n}); counted as 0`
        : `takers ${deltaImbalance >= 0 ? 'bought' : 'sold'} ${pct(Math.abs(deltaImbalance))} more than the other side over the last ${t.flowBars} bars (Σ delta / Σ volume; saturates at ±${IMBALANCE_SCALE})`,
    ),
    factor(
      'cvdSlope',
      cvdSlope ?? 0,
      WEIGHTS.cvdSlope,
      (cvdSlope ?? 0) / IMBALANCE_SCALE,
      takerNote !== null
        ? takerNote
        : cvdSlope === null
        ? `needs ${t.flowBars} bars with volume (have ${n}); counted as 0`
        : `CVD ${cvdSlope >= 0 ? 'rises' : 'falls'} ${fmt(Math.abs(cvdSlope))} × mean bar volume per bar (OLS over ${t.flowBars} bars; saturates at ±${IMBALANCE_SCALE})`,
    ),
    factor(
      'priceVsVwap',
      closeZ ?? 0,
      WEIGHTS.priceVsVwap,
      (closeZ ?? 0) / VWAP_Z_SCALE,
      closeZ === null
        ? 'no session VWAP band yet (day not fully held or σ = 0); counted as 0'
        : `close is ${fmt(Math.abs(closeZ))} σ ${closeZ >= 0 ? 'above' : 'below'} the session VWAP (saturates at ±${VWAP_Z_SCALE} σ)`,
    ),
  ];
  const score = round2(100 * factors.reduce((s, f) => s + f.contribution, 0));
  const flow: VolumeFlow | null = warmingUp || !takerComplete ? null : score >= t.flowThreshold ? VolumeFlows.BUYERS_IN_CONTROL : score <= -t.flowThreshold ? VolumeFlows.SELLERS_IN_CONTROL : VolumeFlows.BALANCED;

  return {
    symbol: input.symbol,
    interval: input.interval,
    warmingUp,
    time: last?.closeTime ?? null,
    bars: n,
    close: last?.close ?? null,
    volume: last?.volume ?? null,
    delta: n > 0 ? (deltas[n - 1] ?? null) : null,
    cvd: n > 0 ? (cvd[n - 1] ?? null) : null,
    obv: n > 0 ? (obvValues[n - 1] ?? null) : null,
    volumeZ: n > 0 ? (zs[n - 1] ?? null) : null,
    spike: n > 0 && isSpike(n - 1),
    baselineMean,
    baselineStdDev,
    session,
    anchored,
    deltaImbalance,
    cvdSlope,
    takerCoverage,
    unavailable,
    flow,
    score: warmingUp || !takerComplete ? null : score,
    factors,
    spikes,
    series,
    lookback: t.lookback,
    spikeZ: t.spikeZ,
  };
}

function anchoredVwap(
  candles: readonly VolumeCandle[],
  anchorArg: number | null,
  swingBars: number,
): { anchored: AnchoredVwap | null; anchoredSeries: (number | null)[] } {
  const series: (number | null)[] = candles.map(() => null);
  const firstCandle = candles[0];
  const lastCandle = candles[candles.length - 1];
  if (!firstCandle || !lastCandle) return { anchored: null, anchoredSeries: series };
  let source: AnchoredVwap['source'];
  let anchor: number;
  let anchorPrice: number | null = null;
  let start: number;
  if (anchorArg !== null) {
    source = VwapAnchorSources.ARGUMENT;
    anchor = anchorArg;
    start = candles.findIndex((c) => c.closeTime >= anchorArg);
  } else {
    const swing = detectSwings(candles, { confirmBars: swingBars }).at(-1);
    if (!swing) {
      return {
        anchored: {
          source: VwapAnchorSources.SWING_LOW,
          anchor: lastCandle.closeTime,
          startTime: null,
          anchorPrice: null,
          vwap: null,
          stdDev: null,
          bars: 0,
          volume: 0,
          distancePct: null,
          note: `no confirmed swing (${swingBars} bars each side) in the ${candles.length} candles held yet`,
        },
        anchoredSeries: series,
      };
    }
    source = swing.kind === 'HIGH' ? VwapAnchorSources.SWING_HIGH : VwapAnchorSources.SWING_LOW;
    anchor = swing.time;
    anchorPrice = swing.price;
    start = swing.index;
  }
  const empty = { source, anchor, anchorPrice, startTime: null, vwap: null, stdDev: null, bars: 0, volume: 0, distancePct: null };
  if (anchor < firstCandle.openTime) {
    return { anchored: { ...empty, note: `the candles held start at ${iso(firstCandle.openTime)}, after the anchor ${iso(anchor)}` }, anchoredSeries: series };
  }
  if (start < 0) {
    return { anchored: { ...empty, note: `the anchor ${iso(anchor)} is after the latest candle (closed ${iso(lastCandle.closeTime)})` }, anchoredSeries: series };
  }
  const acc = createVwapAccumulator();
  for (let i = start; i < candles.length; i += 1) {
    acc.add(candles[i] as VolumeCandle);
    series[i] = acc.bands()?.vwap ?? null;
  }
  const bands = acc.bands();
  const startTime = (candles[start] as VolumeCandle).openTime;
  const what = source === VwapAnchorSources.ARGUMENT ? 'the requested anchor' : `the latest confirmed swing ${source === 'SWING_HIGH' ? 'high' : 'low'} ${anchorPrice}`;
  return {
    anchored: {
      source,
      anchor,
      anchorPrice,
      startTime,
      vwap: bands?.vwap ?? null,
      stdDev: bands?.stdDev ?? null,
      bars: acc.bars,
      volume: acc.volume,
      distancePct: bands ? ((lastCandle.close - bands.vwap) / bands.vwap) * 100 : null,
      note: bands
        ? `VWAP of ${acc.bars} bars from ${what} (candle opening ${iso(startTime)})`
        : `no volume traded since ${what} (${iso(startTime)})`,
    },
    anchoredSeries: series,
  };
}

function resolveThresholds(overrides: Partial<VolumeThresholds> | undefined): VolumeThresholds {
  const t: VolumeThresholds = { ...DEFAULT_VOLUME_THRESHOLDS };
  for (const key of Object.keys(t) as (keyof VolumeThresholds)[]) {
    const value = overrides?.[key];
    if (value !== undefined) t[key] = value;
  }
  for (const key of ['lookback', 'seriesLength', 'flowBars', 'anchorSwingBars'] as const) {
    if (!Number.isInteger(t[key]) || t[key] < 1) fail(`thresholds.${key} must be an integer >= 1, got ${quote(t[key])}`);
  }
  if (t.lookback < 2) fail(`thresholds.lookback must be an integer >= 2, got ${quote(t.lookback)}`);
  if (!Number.isFinite(t.spikeZ) || t.spikeZ <= 0) fail(`thresholds.spikeZ must be a finite number > 0, got ${quote(t.spikeZ)}`);
  if (!Number.isFinite(t.flowThreshold) || t.flowThreshold <= 0 || t.flowThreshold > 100)
    fail(`thresholds.flowThreshold must be in (0, 100], got ${quote(t.flowThreshold)}`);
  return t;
}

function validateCandles(candles: readonly VolumeCandle[]): void {
  if (!Array.isArray(candles)) fail(`candles must be an array, got ${quote(candles)}`);
  let previous = -Infinity;
  candles.forEach((c, i) => {
    if (!Number.isFinite(c.openTime) || Math.abs(c.openTime) > MAX_EPOCH_MS) fail(`candles[${i}].openTime must be a finite epoch ms, got ${quote(c.openTime)}`);
    if (c.openTime <= previous) fail(`candles must be strictly ascending by openTime, but candles[${i}].openTime ${quote(c.openTime)} <= ${quote(previous)}`);
    previous = c.openTime;
    if (!Number.isFinite(c.closeTime) || c.closeTime < c.openTime) fail(`candles[${i}].closeTime must be >= openTime, got ${quote(c.closeTime)}`);
    for (const key of ['open', 'high', 'low', 'close'] as const) {
      if (!Number.isFinite(c[key]) || c[key] <= 0) fail(`candles[${i}].${key} must be a finite number > 0, got ${quote(c[key])}`);
    }
    if (c.high < c.low) fail(`candles[${i}].high ${quote(c.high)} < low ${quote(c.low)}`);
    if (!Number.isFinite(c.volume) || c.volume < 0) fail(`candles[${i}].volume must be a finite number >= 0, got ${quote(c.volume)}`);
    if (c.takerBuyVolume !== null && (!Number.isFinite(c.takerBuyVolume) || c.takerBuyVolume < 0 || c.takerBuyVolume > c.volume * (1 + TAKER_EPSILON)))
      fail(`candles[${i}].takerBuyVolume must be null or in [0, volume ${quote(c.volume)}], got ${quote(c.takerBuyVolume)}`);
  });
}

function factor(name: string, value: number, weight: number, normalised: number, note: string): Factor {
  const contribution = weight * Math.min(1, Math.max(-1, normalised));
  return { name, value, weight, contribution: contribution === 0 ? 0 : contribution, note };
}

const sum = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0);
const clampZero = (x: number): number => (x === 0 ? 0 : x);
const pct = (fraction: number): string => `${(fraction * 100).toFixed(1)} %`;
const fmt = (x: number): string => x.toFixed(2);
const iso = (ms: number): string => (Math.abs(ms) <= MAX_EPOCH_MS ? new Date(ms).toISOString() : `${ms} ms`);

/** Rounds half away from zero to 2 decimals, never returning −0. */
function round2(x: number): number {
  const r = (Math.sign(x) * Math.round(Math.abs(x) * 100)) / 100;
  return r === 0 ? 0 : r;
}
