import { mean, meanAndStdDev, olsSlope, olsSlopeOn, sampleVariance } from '../math/statistics.js';
import { ADX, OBV } from 'trading-signals';
import type { Factor } from './types.js';
import {
  DEFAULT_REGIME_THRESHOLDS,
  REGIME_TIMEFRAMES,
  type MarketPhase,
  type MarketRegime,
  type PhaseEvidence,
  type RegimeAnalysis,
  type RegimeCandle,
  type RegimeInput,
  RegimeShortfalls,
  type RegimeThresholds,
  type RegimeTimeframe,
  type ReturnTendency,
  type TimeframeRegime,
  type TimeframeSource,
  type VarianceRatioResult,
} from './regime.types.js';

export const REGIME_METHODOLOGY_VERSION = 'regime/1.2.0';

const DAY = 86_400_000;
const WEEK = 7 * DAY;
/** 1970-01-01 was a Thursday: weeks start on Monday 00:00 UTC, 4 days after the epoch. */
const WEEK_OFFSET = 4 * DAY;

/**
 * Aggregates candles into buckets of `bucketMs` (aligned to `offsetMs` from the epoch), keeping only
 * complete buckets: exactly `perBucket` source candles. Incomplete buckets (gaps, the forming day) are
 * dropped rather than guessed.
 */
export function aggregateCandles(candles: readonly RegimeCandle[], bucketMs: number, perBucket: number, offsetMs = 0): RegimeCandle[] {
  const out: RegimeCandle[] = [];
  let group: RegimeCandle[] = [];
  let start = Number.NaN;
  const flush = () => {
    if (group.length === perBucket) {
      out.push({
        openTime: start,
        closeTime: start + bucketMs - 1,
        open: group[0]!.open,
        high: Math.max(...group.map((c) => c.high)),
        low: Math.min(...group.map((c) => c.low)),
        close: group.at(-1)!.close,
        volume: group.reduce((s, c) => s + c.volume, 0),
        // Unknown in any part → unknown for the aggregate (a partial sum would read as selling).
        takerBuyVolume: group.some((c) => c.takerBuyVolume === null) ? null : group.reduce((s, c) => s + (c.takerBuyVolume ?? 0), 0),
      });
    }
    group = [];
  };
  for (const c of candles) {
    const b = Math.floor((c.openTime - offsetMs) / bucketMs) * bucketMs + offsetMs;
    if (b !== start) {
      flush();
      start = b;
    }
    group.push(c);
  }
  flush();
  return out;
}

/**
 * Lo–MacKinlay variance ratio VR(q) of a return series: the variance of overlapping q-period returns
 * over q × the one-period variance, with the unbiased estimators of the paper, and the homoskedastic z
 * statistic. VR ≈ 1 for a random walk, > 1 when returns continue (trend), < 1 when they revert.
 *
 * @see Lo, A. W. & MacKinlay, A. C. (1988), "Stock market prices do not follow random walks", Review of
 *   Financial Studies 1(1), eqs. (12)–(14).
 */
export function varianceRatio(returns: readonly number[], q: number): VarianceRatioResult | null {
  if (!Number.isInteger(q) || q < 2) throw new Error(`variance ratio period must be an integer ≥ 2, got ${q}`);
  const T = returns.length;
  if (T < 2 * q) return null;
  const mu = mean(returns);
  const varA = sampleVariance(returns);
  if (varA === 0) return null;
  const m = q * (T - q + 1) * (1 - q / T);
  let sum = 0;
  for (let t = q - 1; t < T; t++) {
    let agg = 0;
    for (let j = 0; j < q; j++) agg += returns[t - j]!;
    sum += (agg - q * mu) ** 2;
  }
  const ratio = sum / m / varA;
  const z = (ratio - 1) / Math.sqrt((2 * (2 * q - 1) * (q - 1)) / (3 * q * T));
  return { period: q, returns: T, ratio, z };
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 coefficients; ~15 significant digits). */
function lnGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * Expected R/S of n independent normal returns (Anis & Lloyd 1976 with Peters' (n − ½)/n small-sample
 * factor): E[R/S]_n = (n − ½)/n · Γ((n−1)/2) / (√π Γ(n/2)) · Σ_{i=1}^{n−1} √((n − i)/i).
 */
export function expectedRescaledRange(n: number): number {
  let sum = 0;
  for (let i = 1; i < n; i++) sum += Math.sqrt((n - i) / i);
  const gammaRatio = Math.exp(lnGamma((n - 1) / 2) - lnGamma(n / 2)) / Math.sqrt(Math.PI);
  return ((n - 0.5) / n) * gammaRatio * sum;
}

/**
 * Hurst exponent by rescaled-range analysis with the Anis–Lloyd–Peters correction: for chunk sizes
 * n = 8, 16, 32, … ≤ T/2 the mean R/S of the non-overlapping chunks; H = 0.5 + slope of
 * ln(R/S) − ln E[R/S] on ln n. Classic R/S reads well above 0.5 on short samples of independent returns;
 * subtracting the expected R/S of independent returns removes that bias, so H ≈ 0.5 for a random walk,
 * > 0.5 persistent (trending), < 0.5 anti-persistent (mean-reverting). Null for fewer than 3 chunk sizes
 * (T < 64).
 *
 * @see Hurst (1951); Anis & Lloyd (1976), Biometrika 63(1); Peters (1994) "Fractal Market Analysis";
 *   https://en.wikipedia.org/wiki/Hurst_exponent#Rescaled_range_(R/S)_analysis
 */
export function hurstExponent(returns: readonly number[]): number | null {
  const T = returns.length;
  const xs: number[] = [];
  const ys: number[] = [];
  for (let n = 8; n <= T / 2; n *= 2) {
    const chunks = Math.floor(T / n);
    let total = 0;
    let used = 0;
    for (let c = 0; c < chunks; c++) {
      const part = returns.slice(c * n, (c + 1) * n);
      const { mean: m, stdDev: s } = meanAndStdDev(part, 'population');
      let cum = 0;
      let max = -Infinity;
      let min = Infinity;
      for (const x of part) {
        cum += x - m;
        max = Math.max(max, cum);
        min = Math.min(min, cum);
      }
      if (s > 0) {
        total += (max - min) / s;
        used += 1;
      }
    }
    if (used > 0) {
      xs.push(Math.log(n));
      ys.push(Math.log(total / used) - Math.log(expectedRescaledRange(n)));
    }
  }
  if (xs.length < 3) return null;
  return 0.5 + olsSlopeOn(xs, ys);
}

const TIMEFRAME_MS: Readonly<Record<RegimeTimeframe, { ms: number; offset: number; unit: string }>> = {
  '1h': { ms: 3_600_000, offset: 0, unit: 'hour' },
  '4h': { ms: 4 * 3_600_000, offset: 0, unit: '4-hour bar' },
  '1d': { ms: DAY, offset: 0, unit: 'day' },
  '1w': { ms: WEEK, offset: WEEK_OFFSET, unit: 'week' },
};

const isoDay = (t: number): string => new Date(t).toISOString().slice(0, 10);

/**
 * Complete `timeframe` buckets (UTC-aligned; Monday weeks) within the stretch of recorded history that
 * holds `at` (the newest candle of any timeframe; else the last stretch), with that stretch. Null without
 * recorded spans.
 */
export function recordedBars(
  timeframe: RegimeTimeframe,
  spans: readonly { from: number; to: number }[] | null | undefined,
  at: number | null,
): { bars: number; from: number; to: number } | null {
  if (!spans || spans.length === 0) return null;
  const { ms, offset } = TIMEFRAME_MS[timeframe];
  const span = (at === null ? undefined : spans.find((s) => at >= s.from && at <= s.to + ms)) ?? spans.at(-1)!;
  const bars = Math.max(0, Math.floor((span.to + 1 - offset) / ms) - Math.ceil((span.from - offset) / ms));
  return { bars, from: span.from, to: span.to };
}

/**
 * Trend/range of one series by the efficiency ratio + slope rule (see computeRegimeAnalysis). With too few
 * bars it says why: `SOURCE_HISTORY` when the source's recordings (`recordedHistory`, a replay) hold fewer
 * complete bars of the timeframe than needed, else `WARMING_UP`.
 */
export function classifyTimeframe(
  timeframe: RegimeTimeframe,
  candles: readonly RegimeCandle[],
  source: TimeframeSource,
  t: Pick<RegimeThresholds, 'lookback' | 'trendEfficiency' | 'adxPeriod'>,
  recordedHistory: { spans: readonly { from: number; to: number }[]; at: number | null } | null = null,
): TimeframeRegime {
  const L = t.lookback;
  const base = { timeframe, source, bars: candles.length, time: candles.at(-1)?.closeTime ?? null };
  if (candles.length < L + 1) {
    const recorded = recordedBars(timeframe, recordedHistory?.spans, recordedHistory?.at ?? null);
    const short = recorded !== null && recorded.bars < L + 1;
    const { unit } = TIMEFRAME_MS[timeframe];
    const note = short
      ? `not enough history in the source: its recordings hold only ${recorded.bars} complete ${unit}${recorded.bars === 1 ? '' : 's'} ` +
        `(${isoDay(recorded.from)} → ${isoDay(recorded.to)}), ${L + 1} closed ${timeframe} bars are needed (has ${candles.length}); more will not come`
      : source === 'NONE'
        ? `warming up: no ${timeframe} candles held or derivable yet`
        : `warming up: needs ${L + 1} closed ${timeframe} bars, has ${candles.length}`;
    return {
      ...base,
      hasData: false,
      shortfall: short ? RegimeShortfalls.SOURCE_HISTORY : RegimeShortfalls.WARMING_UP,
      regime: null,
      efficiencyRatio: null,
      slopePctPerBar: null,
      adx: null,
      note,
    };
  }
  const closes = candles.slice(-(L + 1)).map((c) => c.close);
  let path = 0;
  for (let i = 1; i < closes.length; i++) path += Math.abs(closes[i]! - closes[i - 1]!);
  const net = closes.at(-1)! - closes[0]!;
  const er = path > 0 ? net / path : 0;
  const slope = olsSlope(closes.map((c) => Math.log(c))) * 100;
  const adx = new ADX(t.adxPeriod);
  let adxValue: number | null = null;
  for (const c of candles) adxValue = adx.add({ high: c.high, low: c.low, close: c.close }) ?? adxValue;
  let regime: MarketRegime = 'RANGE';
  if (er >= t.trendEfficiency && slope > 0) regime = 'TREND_UP';
  else if (er <= -t.trendEfficiency && slope < 0) regime = 'TREND_DOWN';
  return {
    ...base,
    hasData: true,
    shortfall: null,
    regime,
    efficiencyRatio: er,
    slopePctPerBar: slope,
    adx: adxValue,
    note: `efficiency ratio ${er.toFixed(2)} over ${L} bars (trend at |ER| ≥ ${t.trendEfficiency} with a same-sign slope), slope ${slope.toFixed(3)} %/bar${adxValue === null ? '' : `, ADX ${adxValue.toFixed(1)}`}`,
  };
}

type Series = { candles: RegimeCandle[]; source: TimeframeSource };

/** The longest of the candidate series (held candles first, so they win ties). */
function longest(candidates: readonly Series[]): Series {
  const best = candidates.reduce((a, b) => (b.candles.length > a.candles.length ? b : a));
  return best.candles.length > 0 ? best : { candles: [], source: 'NONE' };
}

/**
 * Candles of one timeframe: those held when there are enough, else the longest of the held ones and
 * those aggregated from complete buckets of shorter candles (4 h from 1 h; 1 d from 4 h or 1 h; 1 w from
 * the 1 d series).
 */
function seriesFor(input: RegimeInput, tf: RegimeTimeframe, derived: Partial<Record<RegimeTimeframe, Series>>, need: number): Series {
  const held: Series = { candles: [...(input.candles[tf] ?? [])], source: 'STORE' };
  if (held.candles.length >= need || tf === '1h') return longest([held]);
  const h1 = input.candles['1h'] ?? [];
  if (tf === '4h') return longest([held, { candles: aggregateCandles(h1, 4 * 3_600_000, 4), source: 'DERIVED_FROM_1H' }]);
  if (tf === '1d') {
    return longest([
      held,
      { candles: aggregateCandles(input.candles['4h'] ?? [], DAY, 6), source: 'DERIVED_FROM_4H' },
      { candles: aggregateCandles(h1, DAY, 24), source: 'DERIVED_FROM_1H' },
    ]);
  }
  return longest([held, { candles: aggregateCandles(derived['1d']?.candles ?? [], WEEK, 7, WEEK_OFFSET), source: 'DERIVED_FROM_1D' }]);
}

function phaseOf(h4: readonly RegimeCandle[], tf4h: TimeframeRegime, t: RegimeThresholds): { phase: MarketPhase | null; evidence: PhaseEvidence | null } {
  const L = t.lookback;
  if (!tf4h.hasData || h4.length < 2 * L + 1) return { phase: null, evidence: null };
  const window = h4.slice(-L);
  const priorStart = h4[h4.length - 1 - 2 * L]!.close;
  const priorEnd = h4[h4.length - 1 - L]!.close;
  const obv = new OBV(2);
  const obvs: number[] = [];
  let cvd = 0;
  const cvds: number[] = [];
  const bars = h4.slice(-(L + 1));
  const missingTaker = bars.filter((c) => c.takerBuyVolume === null).length;
  for (const c of bars) {
    const v = obv.add({ open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume });
    cvd += 2 * Math.min(c.takerBuyVolume ?? 0, c.volume) - c.volume;
    if (v !== null) {
      obvs.push(v);
      cvds.push(cvd);
    }
  }
  const meanVolume = window.reduce((s, c) => s + c.volume, 0) / window.length;
  const lowest = Math.min(...window.map((c) => c.low));
  const evidence: PhaseEvidence = {
    priorChangePct: (priorEnd / priorStart - 1) * 100,
    rangeWidthPct: ((Math.max(...window.map((c) => c.high)) - lowest) / lowest) * 100,
    obvSlope: meanVolume > 0 ? olsSlope(obvs) / meanVolume : 0,
    cvdSlope: missingTaker > 0 ? null : meanVolume > 0 ? olsSlope(cvds) / meanVolume : 0,
    cvdNote: missingTaker > 0 ? `taker-buy volume unknown for ${missingTaker} of the ${bars.length} 4 h bars (the source does not record it): CVD not measured, phase read from OBV alone` : null,
  };
  const cvdUp = evidence.cvdSlope !== null && evidence.cvdSlope > 0;
  const cvdDown = evidence.cvdSlope !== null && evidence.cvdSlope < 0;
  let phase: MarketPhase = 'UNDETERMINED';
  if (tf4h.regime === 'TREND_UP') phase = 'MARKUP';
  else if (tf4h.regime === 'TREND_DOWN') phase = 'MARKDOWN';
  else if (evidence.priorChangePct <= -t.priorMovePct && (evidence.obvSlope > 0 || cvdUp)) phase = 'ACCUMULATION';
  else if (evidence.priorChangePct >= t.priorMovePct && (evidence.obvSlope < 0 || cvdDown)) phase = 'DISTRIBUTION';
  return { phase, evidence };
}

/**
 * Multi-timeframe regime: trend or range on 1 h, 4 h, 1 d and 1 w, a weighted primary regime with its
 * agreement and confidence, the return tendency (variance ratio, Hurst) and a Wyckoff-like phase.
 *
 * Rule per timeframe, on its last `lookback` bars: Kaufman's efficiency ratio ER = net change / path
 * length (−1..1); TREND_UP when ER ≥ trendEfficiency and the OLS slope of ln(close) is positive,
 * TREND_DOWN when ER ≤ −trendEfficiency and the slope is negative, RANGE otherwise. ADX is reported as
 * evidence. Daily candles not held are aggregated from complete UTC days of 4 h (or 1 h) candles, weekly
 * from complete Monday-based weeks of daily candles; a timeframe with fewer than lookback + 1 bars says
 * so (`hasData: false`) and does not vote, and `shortfall` says why: SOURCE_HISTORY when the source's
 * recordings (`recordedHistory`, a replay) hold fewer complete bars of it than needed, WARMING_UP otherwise.
 *
 * Primary regime: the regime with the largest summed weight among timeframes with data (a tie → RANGE).
 * Confidence: 100 × weight of agreeing timeframes / weight of all four.
 *
 * Tendency: Lo–MacKinlay VR(q) on 1 h log returns; |z| ≥ zCritical rejects the random walk in the
 * direction of VR − 1. The Hurst exponent (R/S) is reported alongside.
 *
 * Phase (4 h): MARKUP / MARKDOWN when 4 h trends; in a 4 h range, ACCUMULATION when the `lookback` bars
 * before the window fell by ≥ priorMovePct % and OBV or CVD rose through the range, DISTRIBUTION when
 * they rose by ≥ priorMovePct % and OBV or CVD fell; UNDETERMINED otherwise.
 *
 * How to read it: trade with the primary regime when confidence is high; in RANGE with MEAN_REVERSION
 * fade the edges; TREND with TREND_CONTINUATION favours breakouts.
 *
 * @see Kaufman, "Trading Systems and Methods" (efficiency ratio); Lo & MacKinlay (1988); Hurst (1951);
 *   Wyckoff method — https://school.stockcharts.com/doku.php?id=market_analysis:the_wyckoff_method
 */
export function computeRegimeAnalysis(input: Readonly<RegimeInput>): RegimeAnalysis {
  const t: RegimeThresholds = { ...DEFAULT_REGIME_THRESHOLDS, ...input.thresholds, weights: input.thresholds?.weights ?? DEFAULT_REGIME_THRESHOLDS.weights };
  if (!Number.isInteger(t.lookback) || t.lookback < 2) throw new Error(`lookback must be an integer ≥ 2, got ${t.lookback}`);
  if (!(t.trendEfficiency > 0 && t.trendEfficiency < 1)) throw new Error(`trendEfficiency must be in (0, 1), got ${t.trendEfficiency}`);
  if (!Number.isInteger(t.adxPeriod) || t.adxPeriod < 1) throw new Error(`adxPeriod must be a positive integer, got ${t.adxPeriod}`);
  if (!(t.zCritical > 0)) throw new Error(`zCritical must be > 0, got ${t.zCritical}`);
  if (!(t.priorMovePct > 0)) throw new Error(`priorMovePct must be > 0, got ${t.priorMovePct}`);
  for (const tf of REGIME_TIMEFRAMES) if (!(t.weights[tf] >= 0)) throw new Error(`weight of ${tf} must be ≥ 0, got ${t.weights[tf]}`);

  const derived: Partial<Record<RegimeTimeframe, Series>> = {};
  const timeframes: TimeframeRegime[] = [];
  const newest = Math.max(...REGIME_TIMEFRAMES.map((tf) => input.candles[tf]?.at(-1)?.closeTime ?? -Infinity));
  const history = input.recordedHistory ? { spans: input.recordedHistory, at: Number.isFinite(newest) ? newest : null } : null;
  for (const tf of REGIME_TIMEFRAMES) {
    const s = seriesFor(input, tf, derived, t.lookback + 1);
    derived[tf] = s;
    timeframes.push(classifyTimeframe(tf, s.candles, s.source, t, history));
  }

  const withData = timeframes.filter((f) => f.hasData);
  const totalWeight = REGIME_TIMEFRAMES.reduce((s, tf) => s + t.weights[tf], 0);
  const votes = new Map<MarketRegime, number>();
  for (const f of withData) votes.set(f.regime!, (votes.get(f.regime!) ?? 0) + t.weights[f.timeframe]);
  let primary: MarketRegime | null = null;
  if (withData.length > 0) {
    const max = Math.max(...votes.values());
    const leaders = [...votes].filter(([, w]) => w === max).map(([r]) => r);
    primary = leaders.length === 1 ? leaders[0]! : 'RANGE';
  }
  const agreeing = withData.filter((f) => f.regime === primary);
  const agreeWeight = agreeing.reduce((s, f) => s + t.weights[f.timeframe], 0);
  const confidence = totalWeight > 0 ? Math.round((100 * agreeWeight) / totalWeight) : 0;

  const h1 = derived['1h']!.candles;
  const returns: number[] = [];
  for (let i = 1; i < h1.length; i++) if (h1[i - 1]!.close > 0 && h1[i]!.close > 0) returns.push(Math.log(h1[i]!.close / h1[i - 1]!.close));
  const vr = varianceRatio(returns, t.varianceRatioPeriod);
  const hurst = hurstExponent(returns);
  let tendency: ReturnTendency | null = null;
  if (vr) tendency = vr.z >= t.zCritical ? 'TREND_CONTINUATION' : vr.z <= -t.zCritical ? 'MEAN_REVERSION' : 'RANDOM_WALK';

  const { phase, evidence } = phaseOf(derived['4h']!.candles, timeframes[1]!, t);

  const factors: Factor[] = timeframes
    .filter((f) => f.hasData)
    .map((f) => {
      const weight = totalWeight > 0 ? t.weights[f.timeframe] / totalWeight : 0;
      return {
        name: `regime${f.timeframe}`,
        value: f.efficiencyRatio!,
        weight,
        contribution: f.regime === primary ? weight : 0,
        note: `${f.timeframe} ${f.regime} (${f.source}): ${f.note}; ${f.regime === primary ? 'agrees with' : 'differs from'} the primary regime`,
      };
    });
  if (vr) {
    factors.push({
      name: 'varianceRatio',
      value: vr.ratio,
      weight: 0,
      contribution: 0,
      note: `VR(${vr.period}) = ${vr.ratio.toFixed(3)} on ${vr.returns} 1 h returns, z = ${vr.z.toFixed(2)} (random walk rejected at |z| ≥ ${t.zCritical}) → ${tendency}`,
    });
  }
  if (hurst !== null) {
    factors.push({ name: 'hurst', value: hurst, weight: 0, contribution: 0, note: `Hurst (R/S) ${hurst.toFixed(3)}: > 0.5 persistent, < 0.5 anti-persistent` });
  }

  return {
    symbol: input.symbol,
    warmingUp: withData.length === 0,
    time: h1.at(-1)?.closeTime ?? derived['4h']!.candles.at(-1)?.closeTime ?? null,
    timeframes,
    primaryRegime: primary,
    agreement: agreeing.length,
    timeframesWithData: withData.length,
    confidence,
    varianceRatio: vr,
    hurst,
    tendency,
    phase,
    phaseEvidence: evidence,
    factors,
    thresholds: t,
  };
}
