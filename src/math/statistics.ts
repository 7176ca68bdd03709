import { linearRegression, mean as ssMean, quantileSorted as ssQuantileSorted, sampleVariance as ssSampleVariance, variance as ssVariance } from 'simple-statistics';

/**
 * The project's one statistics module: every analyzer takes its mean, σ, OLS slope, correlation and
 * percentile rank from here, never re-deriving them (STYLE.md). The standard estimators come from
 * simple-statistics; what it lacks or defines differently is written here once, with the reason.
 *
 * Conventions: `sample*` divide by n − 1 (Bessel), `population*` by n — each caller names which one its
 * method uses. Empty input (or n < 2 for sample statistics) is a precondition violation and throws,
 * except where a function's doc says it returns null.
 *
 * @see https://simple-statistics.github.io/docs/
 */

/** Arithmetic mean (compensated summation); throws on an empty sample. */
export function mean(values: readonly number[]): number {
  return ssMean(values as number[]);
}

/** Arithmetic mean, null for an empty sample (for optional inputs). */
export function meanOrNull(values: readonly number[]): number | null {
  return values.length === 0 ? null : mean(values);
}

/** Population variance Σ(x − x̄)² / n; throws on an empty sample. */
export function populationVariance(values: readonly number[]): number {
  return ssVariance(values as number[]);
}

/** Sample variance Σ(x − x̄)² / (n − 1); throws below two values. */
export function sampleVariance(values: readonly number[]): number {
  return ssSampleVariance(values as number[]);
}

/** Population standard deviation √(Σ(x − x̄)² / n). */
export function populationStdDev(values: readonly number[]): number {
  return Math.sqrt(populationVariance(values));
}

/** Sample standard deviation √(Σ(x − x̄)² / (n − 1)). */
export function sampleStdDev(values: readonly number[]): number {
  return Math.sqrt(sampleVariance(values));
}

/**
 * Mean and standard deviation together. A constant series gets exactly its value and σ = 0 (a rounded
 * mean would leave ulp-sized deviations and so a tiny σ that turns any z-score into noise).
 */
export function meanAndStdDev(values: readonly number[], kind: 'sample' | 'population'): { mean: number; stdDev: number } {
  const first = values[0] as number;
  if (values.length > 0 && values.every((v) => v === first)) return { mean: first, stdDev: 0 };
  return { mean: mean(values), stdDev: kind === 'sample' ? sampleStdDev(values) : populationStdDev(values) };
}

/** Ordinary-least-squares slope of `ys` on `xs` (centred, two-pass); 0 when fewer than two points or the xs do not vary. */
export function olsSlopeOn(xs: readonly number[], ys: readonly number[]): number {
  if (xs.length !== ys.length) throw new Error(`OLS needs samples of equal length, got ${xs.length} and ${ys.length}`);
  if (xs.length < 2) return 0;
  const { m } = linearRegression(xs.map((x, i) => [x, ys[i]!]));
  return Number.isFinite(m) ? m : 0;
}

/** OLS slope of `ys` against their index 0, 1, …, n − 1 (units of y per step); 0 below two points. */
export function olsSlope(ys: readonly number[]): number {
  return olsSlopeOn(
    ys.map((_, i) => i),
    ys,
  );
}

/**
 * Pearson's r of x[xs + i] and y[ys + i], i < len, over the indices where both are numbers (NaN marks a
 * gap), without allocating — the lead/lag profile evaluates it 2L + 1 times per pair. Two passes for
 * numerical safety; clamped to [−1, 1]. Null below `minSamples` (and below 2) aligned pairs or when
 * either side has no variance.
 *
 * By hand rather than simple-statistics' `sampleCorrelation`: that one has no gap handling, allocates,
 * and divides three separately rounded sample moments (a perfect correlation can read 0.9999999999999998).
 */
export function pearsonOverlap(x: ArrayLike<number>, xs: number, y: ArrayLike<number>, ys: number, len: number, minSamples = 2): number | null {
  let n = 0;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < len; i++) {
    const u = x[xs + i]!;
    const v = y[ys + i]!;
    if (u === u && v === v) {
      n++;
      mx += u;
      my += v;
    }
  }
  if (n < minSamples || n < 2) return null;
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < len; i++) {
    const u = x[xs + i]!;
    const v = y[ys + i]!;
    if (u === u && v === v) {
      const dx = u - mx;
      const dy = v - my;
      sxy += dx * dy;
      sxx += dx * dx;
      syy += dy * dy;
    }
  }
  if (sxx === 0 || syy === 0) return null;
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

/** Pearson's r of two equally long samples; null when either has no variance or fewer than two values. */
export function pearson(x: readonly number[], y: readonly number[]): number | null {
  if (x.length !== y.length) throw new Error(`pearson needs samples of equal length, got ${x.length} and ${y.length}`);
  return pearsonOverlap(x, 0, y, 0, x.length);
}

/**
 * Percentile rank of `value` within `history` (the reference sample, which does not contain `value`
 * itself), in percent 0..100, with ties counted half: 100 × (below + ½ · equal) / n. Null for an empty
 * history. A value above every reading scores 100, below every reading 0, equal to the only reading 50.
 *
 * By hand: simple-statistics' `quantileRank` counts an exact match as fully below ((i + 1) / n, so the
 * only reading scores 100, not 50), and `trading-signals` has quartiles only.
 *
 * @see https://en.wikipedia.org/wiki/Percentile_rank — PR = (CF − ½ F) / N × 100 (the "mean" definition for ties).
 */
export function percentileRank(history: readonly number[], value: number): number | null {
  if (history.length === 0) return null;
  let below = 0;
  let equal = 0;
  for (const x of history) {
    if (x < value) below += 1;
    else if (x === value) equal += 1;
  }
  return (100 * (below + equal / 2)) / history.length;
}

/**
 * Quantile p (0..1) of an ascending sample, linear interpolation between order statistics (type 7, as numpy
 * and R by default); throws on an empty sample.
 */
export function quantileOfSorted(sorted: readonly number[], p: number): number {
  return ssQuantileSorted(sorted as number[], p);
}

/**
 * Wilson score interval of a binomial proportion (hits of n trials) at z (1.96: 95 %). `n` may be an
 * effective sample size below the trial count (dependent trials), hits scaled with it. Null for n ≤ 0.
 * By hand: simple-statistics has no binomial interval.
 *
 * @see E. B. Wilson, "Probable inference, the law of succession, and statistical inference", JASA 22 (1927).
 */
export function wilsonInterval(rate: number, n: number, z = 1.96): { low: number; high: number } | null {
  if (!(n > 0)) return null;
  const z2 = z * z;
  const centre = (rate + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((rate * (1 - rate)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * Newey–West (Bartlett kernel) standard error of the mean of a serially correlated series, with `lags`
 * autocovariances (lags 0: the ordinary σ/√n with population variance). For overlapping h-step forecast
 * errors use h − 1 lags. By hand: simple-statistics has no HAC estimator. Throws on an empty series.
 *
 * @see W. K. Newey, K. D. West, "A simple, positive semi-definite, heteroskedasticity and autocorrelation consistent covariance matrix", Econometrica 55 (1987).
 */
export function neweyWestStandardError(values: readonly number[], lags: number): number {
  const n = values.length;
  if (n === 0) throw new Error('neweyWestStandardError needs at least one value');
  const m = mean(values);
  const gamma = (k: number) => {
    let s = 0;
    for (let t = k; t < n; t++) s += (values[t]! - m) * (values[t - k]! - m);
    return s / n;
  };
  let longRun = gamma(0);
  const L = Math.min(Math.max(0, Math.floor(lags)), n - 1);
  for (let k = 1; k <= L; k++) longRun += 2 * (1 - k / (L + 1)) * gamma(k);
  return Math.sqrt(Math.max(0, longRun) / n);
}
