import { ATR, BollingerBands as BollingerBandsIndicator } from 'trading-signals';
import { percentileRank, sampleStdDev } from '../math/statistics.js';
import type { MacroEvent } from '../domain/macro.js';
import { nearHighImportanceEvent, type ProximityWindow } from './macro-events.js';
import type { Factor } from './types.js';
import {
  DEFAULT_VOLATILITY_THRESHOLDS,
  VOLATILITY_REGIME_ORDER,
  type BollingerBands,
  type TransitionCell,
  type VolatilityAnalysis,
  type VolatilityInput,
  type VolatilityPersistence,
  type VolatilityRegime,
  type VolatilityThresholds,
  type VolatilityTransition,
} from './volatility.types.js';

export const VOLATILITY_METHODOLOGY_VERSION = 'volatility/1.1.0';

const YEAR_MS = 365 * 86_400_000;
const MAX_TRANSITIONS = 50;

/** The regime of one ATR% percentile rank (inclusive lower bounds). */
export function classifyVolatility(percentile: number, t: Pick<VolatilityThresholds, 'highVolPercentile' | 'explosivePercentile' | 'extremePercentile'>): VolatilityRegime {
  if (percentile >= t.extremePercentile) return 'EXTREME';
  if (percentile >= t.explosivePercentile) return 'EXPLOSIVE';
  if (percentile >= t.highVolPercentile) return 'HIGH_VOL';
  return 'STABLE';
}

/**
 * First-order Markov chain over a regime sequence: transition counts between consecutive states, the
 * row-normalised matrix, and for `current` the probability of staying N bars in a row (p_ii^N) and of
 * being in it again after N bars ((P^N)_ii). Rows never observed have null probabilities.
 *
 * @see https://en.wikipedia.org/wiki/Markov_chain#Estimation — maximum-likelihood p_ij = n_ij / n_i.
 */
export function markovPersistence(sequence: readonly VolatilityRegime[], current: VolatilityRegime, bars: number): VolatilityPersistence {
  if (!Number.isInteger(bars) || bars < 1) throw new Error(`persistence bars must be a positive integer, got ${bars}`);
  const index = new Map(VOLATILITY_REGIME_ORDER.map((r, i) => [r, i]));
  const k = VOLATILITY_REGIME_ORDER.length;
  const counts = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 1; i < sequence.length; i++) counts[index.get(sequence[i - 1]!)!]![index.get(sequence[i]!)!]! += 1;
  const rowTotals = counts.map((row) => row.reduce((s, c) => s + c, 0));
  const matrix: TransitionCell[] = [];
  const p: number[][] = counts.map((row, i) => row.map((c) => (rowTotals[i]! > 0 ? c / rowTotals[i]! : 0)));
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      matrix.push({ from: VOLATILITY_REGIME_ORDER[i]!, to: VOLATILITY_REGIME_ORDER[j]!, count: counts[i]![j]!, probability: rowTotals[i]! > 0 ? p[i]![j]! : null });
    }
  }
  const c = index.get(current)!;
  const sampleSize = rowTotals[c]!;
  let stays: number | null = null;
  let inRegime: number | null = null;
  if (sampleSize > 0) {
    stays = p[c]![c]! ** bars;
    // Distribution after N steps from state c; rows never observed are treated as absorbing (no evidence
    // of where they lead), which only matters when the chain can reach them.
    let dist = new Array<number>(k).fill(0);
    dist[c] = 1;
    for (let step = 0; step < bars; step++) {
      const next = new Array<number>(k).fill(0);
      for (let i = 0; i < k; i++) {
        if (dist[i] === 0) continue;
        if (rowTotals[i] === 0) next[i]! += dist[i]!;
        else for (let j = 0; j < k; j++) next[j]! += dist[i]! * p[i]![j]!;
      }
      dist = next;
    }
    inRegime = dist[c]!;
  }
  return { bars, staysProbability: stays, inRegimeProbability: inRegime, sampleSize, totalTransitions: Math.max(0, sequence.length - 1), matrix };
}

/** Annualized sample standard deviation of log returns (24/7 market: `periodsPerYear` bars a year). */
export function realizedVolatility(closes: readonly number[], periodsPerYear: number): number | null {
  if (closes.length < 3) return null;
  const r: number[] = [];
  for (let i = 1; i < closes.length; i++) r.push(Math.log(closes[i]! / closes[i - 1]!));
  return sampleStdDev(r) * Math.sqrt(periodsPerYear);
}

const LN2 = Math.log(2);
type RangeBar = Pick<VolatilityInput['candles'][number], 'open' | 'high' | 'low' | 'close'>;

function checkRangeBar(c: RangeBar): void {
  if (!(c.low > 0 && c.high >= c.low && c.open >= c.low && c.open <= c.high && c.close >= c.low && c.close <= c.high)) {
    throw new Error(`candle must satisfy 0 < low ≤ open, close ≤ high, got open ${c.open} high ${c.high} low ${c.low} close ${c.close}`);
  }
}

/** Parkinson variance of one bar: ln(H/L)² / (4 ln 2). */
export function parkinsonVariance(c: RangeBar): number {
  checkRangeBar(c);
  return Math.log(c.high / c.low) ** 2 / (4 * LN2);
}

/** Garman–Klass variance of one bar: ½ ln(H/L)² − (2 ln 2 − 1) ln(C/O)² (never negative: |ln C/O| ≤ ln H/L). */
export function garmanKlassVariance(c: RangeBar): number {
  checkRangeBar(c);
  return 0.5 * Math.log(c.high / c.low) ** 2 - (2 * LN2 - 1) * Math.log(c.close / c.open) ** 2;
}

/**
 * Annualized range-based volatility of a window of bars: √(mean per-bar variance × periodsPerYear), with the
 * Parkinson (high/low only) or Garman–Klass (open/high/low/close) per-bar estimator. Null for an empty window.
 * Open and close of a 24/7 perpetual bar are adjacent to the neighbours' close and open, so the overnight-gap
 * term of Yang–Zhang adds nothing here.
 *
 * @see Parkinson (1980) "The Extreme Value Method for Estimating the Variance of the Rate of Return";
 *   Garman & Klass (1980) "On the Estimation of Security Price Volatilities from Historical Data".
 */
export function rangeVolatility(bars: readonly RangeBar[], periodsPerYear: number, estimator: 'parkinson' | 'garmanKlass'): number | null {
  if (bars.length === 0) return null;
  const f = estimator === 'parkinson' ? parkinsonVariance : garmanKlassVariance;
  let sum = 0;
  for (const b of bars) sum += f(b);
  return Math.sqrt((sum / bars.length) * periodsPerYear);
}

function validate(t: VolatilityThresholds, intervalMs: number): void {
  for (const key of ['atrPeriod', 'bbPeriod', 'realizedVolWindow', 'percentileLookback', 'minHistory', 'persistenceBars'] as const) {
    if (!Number.isInteger(t[key]) || t[key] < 1) throw new Error(`${key} must be a positive integer, got ${t[key]}`);
  }
  if (t.realizedVolWindow < 2) throw new Error(`realizedVolWindow must be at least 2, got ${t.realizedVolWindow}`);
  if (!(t.bbStdDev > 0)) throw new Error(`bbStdDev must be > 0, got ${t.bbStdDev}`);
  if (!(t.highVolPercentile > 0 && t.highVolPercentile < t.explosivePercentile && t.explosivePercentile < t.extremePercentile && t.extremePercentile <= 100)) {
    throw new Error(
      `percentile thresholds must satisfy 0 < highVol < explosive < extreme ≤ 100, got ${t.highVolPercentile}, ${t.explosivePercentile}, ${t.extremePercentile}`,
    );
  }
  if (!(t.targetVolatility > 0)) throw new Error(`targetVolatility must be > 0, got ${t.targetVolatility}`);
  if (!(t.minRiskMultiplier > 0 && t.minRiskMultiplier <= t.extremeMaxRiskMultiplier && t.extremeMaxRiskMultiplier <= t.elevatedMaxRiskMultiplier && t.elevatedMaxRiskMultiplier <= 1 && t.elevatedMaxRiskMultiplier <= t.maxRiskMultiplier)) {
    throw new Error(
      `risk multiplier clamps must satisfy 0 < min ≤ extremeMax ≤ elevatedMax ≤ min(1, max), got ${t.minRiskMultiplier}, ${t.extremeMaxRiskMultiplier}, ${t.elevatedMaxRiskMultiplier}, ${t.maxRiskMultiplier}`,
    );
  }
  if (!(intervalMs > 0)) throw new Error(`intervalMs must be > 0, got ${intervalMs}`);
}

/**
 * Volatility of one candle interval: ATR and ATR% (Wilder ATR, trading-signals), Bollinger bands
 * (population σ, trading-signals) with bandwidth, realized volatility, and a four-state regime.
 *
 * Regime: each bar's ATR% is ranked (percentile, ties half) against the `percentileLookback` ATR%
 * readings before it; ≥ extremePercentile → EXTREME, ≥ explosive → EXPLOSIVE, ≥ highVol → HIGH_VOL, else
 * STABLE. Because it is relative to the symbol's own history, the same thresholds fit BTC and a small cap.
 * The regime series gives the regime's age, its transitions, and a Markov transition matrix from which
 * the persistence ("volatility clustering") probability of the current regime over the next N bars is
 * read. The regime ranks the higher of ATR% and the Garman–Klass range volatility (each against its own
 * history). The risk multiplier is volatility targeting, clamp(targetVolatility / max(close-to-close,
 * Garman–Klass)), capped at 1 in HIGH_VOL/EXPLOSIVE and 0.5 in EXTREME so it never upsizes into turbulence.
 *
 * Realized volatility is the sample σ of the last `realizedVolWindow` log returns × √(periods per year)
 * with 365 × 24 h a year (crypto perps trade around the clock, unlike the 252-day equity convention).
 *
 * How to read it: STABLE → normal sizing; HIGH_VOL/EXPLOSIVE → widen stops, cut size (riskMultiplier);
 * EXTREME → the tail of the distribution, usually short-lived (low persistence) but dangerous.
 *
 * @see https://www.investopedia.com/terms/a/atr.asp (Wilder ATR), https://www.bollingerbands.com/bollinger-band-width,
 *   Engle (1982) ARCH / volatility clustering, Moreira & Muir (2017) "Volatility-Managed Portfolios" (vol targeting).
 */
export function computeVolatilityAnalysis(input: Readonly<VolatilityInput>): VolatilityAnalysis {
  const t: VolatilityThresholds = { ...DEFAULT_VOLATILITY_THRESHOLDS, ...input.thresholds };
  validate(t, input.intervalMs);
  const candles = input.candles;
  for (let i = 1; i < candles.length; i++) {
    if (candles[i]!.openTime <= candles[i - 1]!.openTime) throw new Error(`candles must be ascending by openTime, got ${candles[i]!.openTime} after ${candles[i - 1]!.openTime}`);
  }
  const periodsPerYear = YEAR_MS / input.intervalMs;

  const atr = new ATR(t.atrPeriod);
  const bb = new BollingerBandsIndicator(t.bbPeriod, t.bbStdDev);
  const atrPcts: (number | null)[] = [];
  // Garman–Klass volatility of the `realizedVolWindow` bars ending at each bar (null before the window fills).
  const gkVols: (number | null)[] = [];
  const gkVars: number[] = [];
  let band: { upper: number; middle: number; lower: number } | null = null;
  for (const c of candles) {
    const a = atr.add({ high: c.high, low: c.low, close: c.close });
    atrPcts.push(a === null || c.close <= 0 ? null : (a / c.close) * 100);
    band = bb.add(c.close) ?? null;
    gkVars.push(garmanKlassVariance(c));
    // Summed afresh (not a running sum) so equal windows give bit-equal readings and rank as ties.
    let gkSum = 0;
    if (gkVars.length >= t.realizedVolWindow) for (let j = gkVars.length - t.realizedVolWindow; j < gkVars.length; j++) gkSum += gkVars[j]!;
    gkVols.push(gkVars.length >= t.realizedVolWindow ? Math.sqrt((gkSum / t.realizedVolWindow) * periodsPerYear) : null);
  }

  // Regime of every bar with enough ATR% history before it: the higher of the ATR% rank and the
  // Garman–Klass rank (each against its own readings before the bar), so a wick the ATR smoothing
  // dilutes still lifts the regime. Before the range window fills, ATR% alone ranks.
  const regimes: { i: number; regime: VolatilityRegime; percentile: number; atrPercentile: number; rangePercentile: number | null }[] = [];
  const history: number[] = [];
  const gkHistory: number[] = [];
  for (let i = 0; i < candles.length; i++) {
    const v = atrPcts[i];
    const g = gkVols[i];
    if (v === null || v === undefined) {
      if (g !== null && g !== undefined) gkHistory.push(g);
      continue;
    }
    if (history.length >= t.minHistory) {
      const atrPercentile = percentileRank(history.slice(-t.percentileLookback), v)!;
      const rangePercentile = g !== null && g !== undefined && gkHistory.length >= t.minHistory ? percentileRank(gkHistory.slice(-t.percentileLookback), g) : null;
      const percentile = Math.max(atrPercentile, rangePercentile ?? 0);
      regimes.push({ i, regime: classifyVolatility(percentile, t), percentile, atrPercentile, rangePercentile });
    }
    history.push(v);
    if (g !== null && g !== undefined) gkHistory.push(g);
  }

  const n = candles.length;
  const last = candles.at(-1);
  const lastAtrPct = n > 0 ? (atrPcts[n - 1] ?? null) : null;
  const closes = candles.slice(-(t.realizedVolWindow + 1)).map((c) => c.close);
  const realizedVol = closes.length === t.realizedVolWindow + 1 ? realizedVolatility(closes, periodsPerYear) : null;
  const rangeWindow = candles.length >= t.realizedVolWindow ? candles.slice(-t.realizedVolWindow) : [];
  const parkinsonVol = rangeVolatility(rangeWindow, periodsPerYear, 'parkinson');
  const garmanKlassVol = n > 0 ? (gkVols[n - 1] ?? null) : null;
  const riskVol = realizedVol !== null ? Math.max(realizedVol, garmanKlassVol ?? 0) : null;
  const bollinger: BollingerBands | null =
    band && last
      ? {
          ...band,
          bandwidthPct: band.middle !== 0 ? ((band.upper - band.lower) / band.middle) * 100 : 0,
          percentB: band.upper > band.lower ? (last.close - band.lower) / (band.upper - band.lower) : null,
        }
      : null;

  const latest = regimes.at(-1);
  const current = latest && latest.i === n - 1 ? latest : undefined;
  const transitions: VolatilityTransition[] = [];
  for (let k = 1; k < regimes.length; k++) {
    const prev = regimes[k - 1]!;
    const cur = regimes[k]!;
    if (prev.regime !== cur.regime) {
      transitions.push({ time: candles[cur.i]!.closeTime, from: prev.regime, to: cur.regime, atrPct: atrPcts[cur.i]!, percentile: cur.percentile });
    }
  }
  let runStart = regimes.length - 1;
  while (current && runStart > 0 && regimes[runStart - 1]!.regime === current.regime) runStart -= 1;

  // Volatility targeting never upsizes outside STABLE: the cap falls with the regime.
  const cap = !current ? null : current.regime === 'EXTREME' ? t.extremeMaxRiskMultiplier : current.regime === 'STABLE' ? t.maxRiskMultiplier : t.elevatedMaxRiskMultiplier;
  const riskMultiplier =
    cap === null || riskVol === null ? null : riskVol > 0 ? Math.min(cap, Math.max(t.minRiskMultiplier, t.targetVolatility / riskVol)) : cap;

  const factors: Factor[] = [];
  if (current) {
    factors.push({
      name: 'atrPctPercentile',
      value: current.percentile,
      weight: 1,
      contribution: current.percentile / 100,
      note: `ATR% ${lastAtrPct!.toFixed(3)} ranks at the ${current.atrPercentile.toFixed(1)}th percentile of the previous ${Math.min(t.percentileLookback, history.length - 1)} readings → ${classifyVolatility(current.atrPercentile, t)} (thresholds ${t.highVolPercentile}/${t.explosivePercentile}/${t.extremePercentile})`,
    });
    if (current.rangePercentile !== null) {
      factors.push({
        name: 'rangeVolPercentile',
        value: current.rangePercentile,
        weight: 1,
        contribution: current.rangePercentile / 100,
        note: `Garman–Klass volatility ${(garmanKlassVol! * 100).toFixed(1)} %/yr ranks at the ${current.rangePercentile.toFixed(1)}th percentile of its previous readings; the regime takes the higher rank (${current.percentile.toFixed(1)}) → ${current.regime}`,
      });
    }
  }
  if (realizedVol !== null) {
    factors.push({
      name: 'realizedVol',
      value: realizedVol,
      weight: 0,
      contribution: 0,
      note: `annualized close-to-close volatility ${(realizedVol * 100).toFixed(1)} %, Garman–Klass ${garmanKlassVol === null ? 'n/a' : (garmanKlassVol * 100).toFixed(1) + ' %'} over ${t.realizedVolWindow} bars (×√${periodsPerYear.toFixed(0)}); risk multiplier = ${(t.targetVolatility * 100).toFixed(0)} % target / the larger, clamped to [${t.minRiskMultiplier}, ${cap ?? t.maxRiskMultiplier}]${current && current.regime !== 'STABLE' ? ` (no upsizing in ${current.regime})` : ''}`,
    });
  }
  if (bollinger) {
    factors.push({
      name: 'bollingerBandwidth',
      value: bollinger.bandwidthPct,
      weight: 0,
      contribution: 0,
      note: `Bollinger (${t.bbPeriod}, ${t.bbStdDev}σ) bands span ${bollinger.bandwidthPct.toFixed(2)} % of the middle band (context only, not in the regime rule)`,
    });
  }

  return {
    symbol: input.symbol,
    interval: input.interval,
    warmingUp: !current,
    time: last?.closeTime ?? null,
    bars: n,
    close: last?.close ?? null,
    atr: lastAtrPct !== null && last ? (lastAtrPct / 100) * last.close : null,
    atrPct: lastAtrPct,
    atrPctPercentile: current?.percentile ?? null,
    bollinger,
    realizedVol,
    parkinsonVol,
    garmanKlassVol,
    rangeVolPercentile: current?.rangePercentile ?? null,
    riskVol,
    periodsPerYear,
    regime: current?.regime ?? null,
    regimeSince: current ? candles[regimes[runStart]!.i]!.closeTime : null,
    regimeBars: current ? regimes.length - runStart : null,
    regimeSinceIsLowerBound: current ? runStart === 0 : false,
    transitions: transitions.slice(-MAX_TRANSITIONS),
    persistence: current ? markovPersistence(regimes.map((r) => r.regime), current.regime, t.persistenceBars) : null,
    riskMultiplier,
    factors,
    thresholds: t,
  };
}

/** Share of the risk multiplier kept while a HIGH-importance macro event is near (see applyMacroEventProximity). */
export const MACRO_EVENT_RISK_SCALE = 0.5;

/**
 * Scheduled event risk as a documented factor of the volatility analysis: when a HIGH-importance macro
 * event (FOMC statement, CPI) is within 24 h ahead or 2 h behind `now` (DEFAULT_PROXIMITY_WINDOW), adds the
 * factor `macroEventProximity` (value: hours to the release, negative after it; weight 0: the regime reads
 * realized data only) and scales `riskMultiplier` by MACRO_EVENT_RISK_SCALE, because realized volatility
 * cannot see a jump that has not happened yet. With no such event the result is returned unchanged (the
 * same object).
 *
 * @see https://www.federalreserve.gov/monetarypolicy/fomccalendars.htm — scheduled FOMC statements
 * @see Lucca & Moench (2015), The Pre-FOMC Announcement Drift, Journal of Finance 70(1) — returns and volatility cluster around scheduled releases
 */
export function applyMacroEventProximity(result: VolatilityAnalysis, events: readonly MacroEvent[], now: number, window: Partial<ProximityWindow> = {}): VolatilityAnalysis {
  const near = nearHighImportanceEvent(events, now, window);
  if (!near) return result;
  const hours = near.inMs / 3_600_000;
  const when = near.inMs >= 0 ? `in ${hours.toFixed(1)} h` : `${(-hours).toFixed(1)} h ago`;
  const riskMultiplier = result.riskMultiplier === null ? null : Math.round(result.riskMultiplier * MACRO_EVENT_RISK_SCALE * 1e6) / 1e6;
  const factor: Factor = {
    name: 'macroEventProximity',
    value: Math.round(hours * 100) / 100,
    weight: 0,
    contribution: 0,
    note: `${near.title} (${near.kind}, ${near.importance}) ${when} at ${new Date(near.time).toISOString()}${near.confirmed ? '' : ' (date not confirmed against the publisher)'}: scheduled event risk the realized volatility cannot show; riskMultiplier × ${MACRO_EVENT_RISK_SCALE}${result.riskMultiplier === null ? ' (none yet)' : ` → ${riskMultiplier}`}`,
  };
  return { ...result, riskMultiplier, factors: [...result.factors, factor] };
}
