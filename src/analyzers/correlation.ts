import { meanAndStdDev, pearson, pearsonOverlap } from '../math/statistics.js';
import type { Factor } from './types.js';
import {
  DEFAULT_CORRELATION_THRESHOLDS,
  type CorrelationAnalysis,
  type CorrelationBreak,
  type CorrelationBreakSeverity,
  type CorrelationInput,
  type CorrelationPair,
  type CorrelationThresholds,
  type CrossAssetRegimeResult,
  type LeadLag,
  type PairDivergence,
} from './correlation.types.js';

export const CORRELATION_METHODOLOGY_VERSION = 'correlation-1.0.0';

/** A pair of aligned samples where both values exist (NaN marks a missing bar). */
function collect(x: Float64Array, xs: number, y: Float64Array, ys: number, len: number): [number[], number[]] {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < len; i++) {
    const u = x[xs + i]!;
    const v = y[ys + i]!;
    if (Number.isFinite(u) && Number.isFinite(v)) {
      a.push(u);
      b.push(v);
    }
  }
  return [a, b];
}

function countAligned(x: Float64Array, xs: number, y: Float64Array, ys: number, len: number): number {
  let n = 0;
  for (let i = 0; i < len; i++) if (x[xs + i]! === x[xs + i]! && y[ys + i]! === y[ys + i]!) n++;
  return n;
}

// Pearson's r lives in the statistics module; re-exported as part of this analyzer's API.
export { pearson };

/** Ranks 1..n, ties get the average of their ranks. */
export function ranks(x: readonly number[]): number[] {
  const order = x.map((v, i) => [v, i] as const).sort((p, q) => p[0] - q[0]);
  const out = new Array<number>(x.length);
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) out[order[k]![1]] = rank;
    i = j + 1;
  }
  return out;
}

/** Spearman's ρ: Pearson's r of the ranks (average ranks for ties). */
export function spearman(x: readonly number[], y: readonly number[]): number | null {
  return pearson(ranks(x), ranks(y));
}

const round = (x: number, digits = 6) => Math.round(x * 10 ** digits) / 10 ** digits;

function severityOf(change: number, t: CorrelationThresholds): CorrelationBreakSeverity | null {
  const m = Math.abs(change);
  if (m >= t.breakHigh) return 'HIGH';
  if (m >= t.breakMedium) return 'MEDIUM';
  if (m >= t.breakLow) return 'LOW';
  return null;
}

/**
 * Cross-asset correlation engine: Pearson and Spearman matrices of log returns over a window, each pair's
 * correlation against a longer baseline (correlation breaks), lead/lag from the cross-correlation at lags
 * −L..L, return-spread divergences of highly correlated pairs, and a RISK_ON / RISK_OFF / ALTSEASON regime.
 *
 * How to read it: values are in [−1, 1]; `samples` says how many overlapping returns stand behind each
 * number (bars missing in either series are skipped, never filled). A break means the recent relationship
 * differs from the usual one; a meaningful lead/lag says one asset's returns tend to come k bars earlier.
 * The regime lists the factors it used and, in `missingInputs`, the ones it could not measure.
 *
 * Method: closes are placed on a grid of `intervalMs` steps ending at the newest bar of any series; the
 * return of a slot is ln(close/previous close) only when both bars exist. Cross-correlation at lag k is
 * corr(r_a[t], r_b[t+k]) over the window; k > 0 at the peak means a leads b by k bars.
 *
 * @see https://en.wikipedia.org/wiki/Pearson_correlation_coefficient
 * @see https://en.wikipedia.org/wiki/Spearman%27s_rank_correlation_coefficient
 * @see https://en.wikipedia.org/wiki/Cross-correlation (lead/lag), Box & Jenkins: significance ≈ 2/√n
 */
export function computeCorrelationAnalysis(input: Readonly<CorrelationInput>): CorrelationAnalysis {
  const t: CorrelationThresholds = { ...DEFAULT_CORRELATION_THRESHOLDS, ...input.thresholds };
  const { series, intervalMs, window } = input;
  if (series.length < 2) throw new Error(`correlation needs at least 2 series, got ${series.length}`);
  const symbols = series.map((s) => s.symbol);
  const dup = symbols.find((s, i) => symbols.indexOf(s) !== i);
  if (dup !== undefined) throw new Error(`correlation series must be distinct, "${dup}" appears twice`);
  if (!(intervalMs > 0)) throw new Error(`intervalMs must be > 0, got ${intervalMs}`);
  if (!Number.isInteger(window) || window < 2) throw new Error(`window must be an integer ≥ 2, got ${window}`);
  if (!Number.isInteger(t.maxLag) || t.maxLag < 0 || t.maxLag >= window) throw new Error(`maxLag must be an integer in 0..window−1, got ${t.maxLag}`);
  if (!(t.baselineMultiple >= 1)) throw new Error(`baselineMultiple must be ≥ 1, got ${t.baselineMultiple}`);
  if (!(t.breakLow > 0 && t.breakLow <= t.breakMedium && t.breakMedium <= t.breakHigh)) {
    throw new Error(`break thresholds must satisfy 0 < low ≤ medium ≤ high, got ${t.breakLow}/${t.breakMedium}/${t.breakHigh}`);
  }
  if (!Number.isInteger(t.minSamples) || t.minSamples < 3) throw new Error(`minSamples must be an integer ≥ 3, got ${t.minSamples}`);
  if (!Number.isInteger(t.divergenceBars) || t.divergenceBars < 1) throw new Error(`divergenceBars must be an integer ≥ 1, got ${t.divergenceBars}`);

  const baselineWindow = Math.round(window * t.baselineMultiple);
  const G = Math.max(baselineWindow, window + t.maxLag);
  const n = symbols.length;
  const notes: string[] = [];

  // --- Alignment grid ---
  let T = -Infinity;
  for (const s of series) {
    const last = s.bars.at(-1);
    if (last && last.openTime > T) T = last.openTime;
  }
  const returns: Float64Array[] = [];
  for (const s of series) {
    const closes = new Float64Array(G + 1).fill(Number.NaN);
    for (const bar of s.bars) {
      const back = (T - bar.openTime) / intervalMs;
      if (!Number.isInteger(back) || back < 0 || back > G) continue;
      if (!(bar.close > 0)) throw new Error(`close of ${s.symbol} at ${bar.openTime} must be > 0, got ${bar.close}`);
      closes[G - back] = bar.close;
    }
    const r = new Float64Array(G);
    for (let j = 1; j <= G; j++) r[j - 1] = Math.log(closes[j]! / closes[j - 1]!); // NaN propagates missing bars
    returns.push(r);
  }

  const empty = (): (number | null)[][] => symbols.map(() => symbols.map(() => null));
  const pearsonM = empty();
  const spearmanM = empty();
  const samplesM = symbols.map(() => symbols.map(() => 0));
  const pairs: CorrelationPair[] = [];
  const breaks: CorrelationBreak[] = [];
  const divergences: PairDivergence[] = [];
  const w0 = G - window;
  const b0 = G - baselineWindow;

  const fullRanks = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const ri = returns[i]!;
    const own = collect(ri, w0, ri, w0, window)[0].length;
    samplesM[i]![i] = own;
    pearsonM[i]![i] = own >= t.minSamples ? 1 : null;
    spearmanM[i]![i] = own >= t.minSamples ? 1 : null;
    if (own < t.minSamples) notes.push(`${symbols[i]}: ${own} returns in the window, fewer than minSamples ${t.minSamples}`);
    // Complete windows (the usual case) are ranked once per symbol rather than once per pair.
    if (own === window) fullRanks.set(i, ranks(Array.from(ri.subarray(w0, G))));
  }

  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const a = symbols[i]!;
      const b = symbols[j]!;
      const ra = returns[i]!;
      const rb = returns[j]!;
      const [xa, xb] = collect(ra, w0, rb, w0, window);
      const enough = xa.length >= t.minSamples;
      const p = enough ? pearson(xa, xb) : null;
      const fi = fullRanks.get(i);
      const fj = fullRanks.get(j);
      const s = !enough ? null : fi && fj ? pearson(fi, fj) : spearman(xa, xb);
      // A baseline only means something when it reaches clearly beyond the window.
      const baselineSamples = countAligned(ra, b0, rb, b0, baselineWindow);
      const bp = baselineSamples >= xa.length + t.minSamples ? pearsonOverlap(ra, b0, rb, b0, baselineWindow, t.minSamples) : null;
      pearsonM[i]![j] = pearsonM[j]![i] = p === null ? null : round(p);
      spearmanM[i]![j] = spearmanM[j]![i] = s === null ? null : round(s);
      samplesM[i]![j] = samplesM[j]![i] = xa.length;
      const change = p !== null && bp !== null ? p - bp : null;

      // Lead/lag profile.
      let leadLag: LeadLag | null = null;
      if (p !== null) {
        const profile: (number | null)[] = [];
        for (let k = -t.maxLag; k <= t.maxLag; k++) {
          profile.push(k >= 0 ? pearsonOverlap(ra, w0 - k, rb, w0, window, t.minSamples) : pearsonOverlap(ra, w0, rb, w0 + k, window, t.minSamples));
        }
        const c0 = profile[t.maxLag] ?? null;
        let best = t.maxLag;
        for (let idx = 0; idx < profile.length; idx++) {
          const v = profile[idx];
          const cur = profile[best];
          if (v === null || v === undefined) continue;
          const better =
            cur === null || cur === undefined || Math.abs(v) > Math.abs(cur) + 1e-12 ||
            (Math.abs(Math.abs(v) - Math.abs(cur)) <= 1e-12 && Math.abs(idx - t.maxLag) < Math.abs(best - t.maxLag));
          if (better) best = idx;
        }
        const k = best - t.maxLag;
        const peak = profile[best] ?? null;
        if (peak !== null && c0 !== null) {
          const meaningful = k !== 0 && Math.abs(peak) - Math.abs(c0) >= t.leadMargin && Math.abs(peak) >= 2 / Math.sqrt(xa.length);
          leadLag = {
            leader: k > 0 ? a : k < 0 ? b : null,
            follower: k > 0 ? b : k < 0 ? a : null,
            lagBars: Math.abs(k),
            peakCorrelation: round(peak),
            lag0Correlation: round(c0),
            meaningful,
            profile: profile.map((v) => (v === null ? null : round(v))),
          };
        }
      }

      pairs.push({
        a,
        b,
        pearson: p === null ? null : round(p),
        spearman: s === null ? null : round(s),
        samples: xa.length,
        baselinePearson: bp === null ? null : round(bp),
        baselineSamples,
        change: change === null ? null : round(change),
        leadLag,
      });

      if (change !== null && p !== null && bp !== null) {
        const severity = severityOf(change, t);
        if (severity) {
          const direction = change < 0 ? 'WEAKENING' : 'STRENGTHENING';
          breaks.push({
            a,
            b,
            pearson: round(p),
            baselinePearson: round(bp),
            change: round(change),
            direction,
            severity,
            note: `${a}/${b} correlation ${p.toFixed(2)} over ${window} bars vs ${bp.toFixed(2)} over ${baselineWindow}: ${direction.toLowerCase()} by ${Math.abs(change).toFixed(2)}`,
          });
        }
      }

      // Divergence of highly correlated pairs: recent return spread vs the spread's own history in the window.
      const ref = bp ?? p;
      const m = t.divergenceBars;
      if (ref !== null && ref >= t.divergenceMinCorrelation && xa.length >= t.minSamples + m) {
        const d = xa.map((v, idx) => v - xb[idx]!);
        const hist = d.slice(0, d.length - m);
        const recent = d.slice(d.length - m);
        const { mean, stdDev: sd } = meanAndStdDev(hist, 'sample');
        const spread = recent.reduce((acc, v) => acc + v, 0);
        if (sd > 0) {
          const z = (spread - m * mean) / (sd * Math.sqrt(m));
          if (Math.abs(z) >= t.divergenceZ) {
            const outperformer = spread >= 0 ? a : b;
            divergences.push({
              a,
              b,
              baselinePearson: round(ref),
              spread: round(spread),
              zScore: round(z, 4),
              outperformer,
              note: `${outperformer} outperformed its usually correlated partner by ${(Math.abs(spread) * 100).toFixed(2)} % (log) over the last ${m} bars, z = ${z.toFixed(2)}`,
            });
          }
        }
      }
    }
  }

  const off = pairs.map((p) => p.pearson).filter((v): v is number => v !== null);
  const averageCorrelation = off.length ? round(off.reduce((acc, v) => acc + v, 0) / off.length) : null;
  const warmingUp = off.length === 0;
  if (warmingUp) notes.push(`no pair has ${t.minSamples} overlapping returns in the ${window}-bar window yet`);
  const order: Record<CorrelationBreakSeverity, number> = { HIGH: 0, MEDIUM: 1, LOW: 2 };
  breaks.sort((x, y) => order[x.severity] - order[y.severity] || Math.abs(y.change) - Math.abs(x.change));
  divergences.sort((x, y) => Math.abs(y.zScore) - Math.abs(x.zScore));

  const regime = warmingUp ? null : computeRegime(input, t, symbols, returns, w0, window, pairs, notes);

  return {
    key: input.key,
    warmingUp,
    symbols,
    intervalMs,
    window,
    baselineWindow,
    maxLag: t.maxLag,
    time: Number.isFinite(T) ? T : null,
    pearson: pearsonM,
    spearman: spearmanM,
    samples: samplesM,
    pairs,
    averageCorrelation,
    breaks,
    divergences,
    regime,
    notes,
    thresholds: t,
  };
}

/** Base weights of the regime score; missing inputs drop out and the rest are renormalised. */
export const REGIME_WEIGHTS = { btcReturn: 0.35, altVsBtc: 0.25, dominanceTrend: 0.15, fearGreed: 0.25 } as const;

function computeRegime(
  input: Readonly<CorrelationInput>,
  t: CorrelationThresholds,
  symbols: string[],
  returns: Float64Array[],
  w0: number,
  window: number,
  pairs: CorrelationPair[],
  notes: string[],
): CrossAssetRegimeResult | null {
  const benchmark = input.benchmark ?? symbols.find((s) => s.startsWith('BTC')) ?? null;
  const bi = benchmark === null ? -1 : symbols.indexOf(benchmark);
  if (benchmark === null || bi < 0) {
    notes.push('regime: no BTC benchmark among the symbols');
    return null;
  }
  const rb = returns[bi]!;
  const btcSample = collect(rb, w0, rb, w0, window)[0];
  if (btcSample.length < t.minSamples) {
    notes.push(`regime: ${benchmark} has too few returns in the window`);
    return null;
  }
  const btcReturn = btcSample.reduce((acc, v) => acc + v, 0);
  const rel: number[] = [];
  for (let i = 0; i < symbols.length; i++) {
    if (i === bi) continue;
    const [alt, btc] = collect(returns[i]!, w0, rb, w0, window);
    if (alt.length < t.minSamples) continue;
    rel.push(alt.reduce((acc, v, k) => acc + v - btc[k]!, 0));
  }
  if (rel.length === 0) {
    notes.push('regime: no alt with enough returns to compare with BTC');
    return null;
  }
  const altVsBtc = rel.reduce((acc, v) => acc + v, 0) / rel.length;
  const toBtc = pairs
    .filter((p) => (p.a === benchmark || p.b === benchmark) && p.pearson !== null)
    .map((p) => p.pearson!);
  const averageCorrelationToBtc = toBtc.length ? toBtc.reduce((acc, v) => acc + v, 0) / toBtc.length : null;

  const missingInputs: string[] = [];
  const dom = input.dominance ?? [];
  const lastDom = dom.at(-1) ?? null;
  const firstDom = dom[0] ?? null;
  if (!lastDom) missingInputs.push('btcDominance (no CoinGecko global market data)');
  const dominanceChange = lastDom && firstDom && lastDom.time > firstDom.time ? lastDom.btcDominance - firstDom.btcDominance : null;
  if (lastDom && dominanceChange === null) missingInputs.push('btcDominanceTrend (only one dominance observation, no history)');
  const fg = input.fearGreed ?? null;
  if (!fg) missingInputs.push('fearGreed (no Fear & Greed value)');

  const raw: { name: string; value: number; base: number; norm: number; note: string }[] = [
    {
      name: 'btcReturn',
      value: round(btcReturn),
      base: REGIME_WEIGHTS.btcReturn,
      norm: Math.tanh(btcReturn / t.returnScale),
      note: `${benchmark} log return over the window (${(btcReturn * 100).toFixed(2)} %); tanh(r / ${t.returnScale})`,
    },
    {
      name: 'altVsBtc',
      value: round(altVsBtc),
      base: REGIME_WEIGHTS.altVsBtc,
      norm: Math.tanh(altVsBtc / t.returnScale),
      note: `mean alt − ${benchmark} log return over the window across ${rel.length} alt(s); positive = alts outperform`,
    },
  ];
  if (dominanceChange !== null) {
    raw.push({
      name: 'dominanceTrend',
      value: round(dominanceChange, 4),
      base: REGIME_WEIGHTS.dominanceTrend,
      norm: -Math.tanh(dominanceChange / t.dominanceScale),
      note: 'change of BTC dominance (pp); rising dominance = risk off (sign inverted)',
    });
  }
  if (fg) {
    raw.push({ name: 'fearGreed', value: fg.value, base: REGIME_WEIGHTS.fearGreed, norm: (fg.value - 50) / 50, note: 'Crypto Fear & Greed 0..100, (value − 50)/50' });
  }
  const total = raw.reduce((acc, f) => acc + f.base, 0);
  const factors: Factor[] = raw.map((f) => {
    const weight = f.base / total;
    return { name: f.name, value: f.value, weight: round(weight, 4), contribution: round(weight * f.norm, 4), note: f.note };
  });
  if (averageCorrelationToBtc !== null) {
    factors.push({
      name: 'averageCorrelationToBtc',
      value: round(averageCorrelationToBtc, 4),
      weight: 0,
      contribution: 0,
      note: 'mean Pearson of the alts to BTC (informational: high = the market moves as one, alts follow BTC)',
    });
  }
  const score = round(factors.reduce((acc, f) => acc + f.contribution, 0), 4);
  const altseason = altVsBtc >= t.altseasonEdge && (dominanceChange === null || dominanceChange <= 0);
  return {
    regime: altseason ? 'ALTSEASON' : score >= 0 ? 'RISK_ON' : 'RISK_OFF',
    score,
    benchmark,
    btcReturn: round(btcReturn),
    altVsBtcReturn: round(altVsBtc),
    averageCorrelationToBtc: averageCorrelationToBtc === null ? null : round(averageCorrelationToBtc),
    btcDominance: lastDom?.btcDominance ?? null,
    dominanceChange: dominanceChange === null ? null : round(dominanceChange, 4),
    fearGreed: fg?.value ?? null,
    factors,
    missingInputs,
  };
}
