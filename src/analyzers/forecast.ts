import { mean, neweyWestStandardError, quantileOfSorted, sampleVariance, wilsonInterval } from '../math/statistics.js';
import {
  DEFAULT_FORECAST_THRESHOLDS,
  FORECAST_HORIZON_ORDER,
  FORECAST_LEVELS,
  HORIZON_HOURS,
  type CoverageCell,
  type ForecastAnalysis,
  type ForecastCandle,
  type ForecastEvaluation,
  type ForecastHorizon,
  type ForecastInput,
  type ForecastThresholds,
  type GarchFit,
  type HorizonEvaluation,
  type HorizonForecast,
} from './forecast.types.js';
import type { Factor } from './types.js';
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';

/**
 * Calibrated price forecasts for 1 h, 4 h and 1 d ahead from the closed 1 h candles, with an honest
 * out-of-sample evaluation kept inside the result (issue #13 §4; README "Forecast").
 *
 * Model, on the log returns r_t of the trailing contiguous run of closes:
 * - Volatility: GARCH(1,1), σ²_t = ω + α ε²_{t−1} + β σ²_{t−1}, ε_t = r_t − r̄, fitted by Gaussian quasi maximum
 *   likelihood with variance targeting (ω = σ̄²(1 − α − β), σ̄² the sample variance, so only α, β are searched)
 *   under α, β ≥ 0 and α + β < 1 (stationary). The search is a coarse grid over (α, β) refined four times
 *   around the best point with a halving step (a likelihood this flat in two parameters needs no gradient).
 *   Hand-written: no maintained npm package fits GARCH.
 * - The h-step variance is the sum of the GARCH variance forecasts,
 *   V_h = Σ_{k=1..h} [σ̄² + (α + β)^{k−1} (σ²_{t+1} − σ̄²)].
 * - Drift: the sample mean shrunk toward 0, James–Stein style (positive part): μ = r̄ · max(0, 1 − (SE/r̄)²)
 *   with SE = σ̄/√n, i.e. the mean is kept only in proportion to how far it stands out of its own noise
 *   (a mean one standard error from 0 is dropped entirely). The expected return over h bars is μ·h.
 * - Intervals by filtered historical simulation: the standardised residuals z_t = ε_t / σ_t of the fit are the
 *   empirical shock distribution. For h = 1 it is used as is; for h > 1 the distribution of the standardised h-step
 *   return is simulated once per fit: 2000 GARCH paths of h bars from the unconditional variance, each shock a
 *   residual drawn with replacement (fixed seed, pure-rand) and fed back into the variance, the path's sum divided
 *   by √(h σ̄²). The interval of level L is μh + √V_h · [q_{(1−L)/2}, q_{(1+L)/2}] (type-7 quantiles), V_h from the
 *   current state, and upProbability the share of the distribution with μh + √V_h·z > 0. Simplification: the
 *   shape is simulated from the unconditional state, the current state only scales it. (Summing i.i.d. residuals
 *   without the feedback was tried first: its 50 % intervals at H4/D1 held 57–58 % of outcomes on the recordings.)
 *
 * Evaluation (no look-ahead): from origin `evaluationStart` on, the model is refitted on the returns before the
 * origin every `refitEvery` bars (in between it only filters the new returns with the last fit), and each
 * origin's forecast is scored against the realised h-step return: interval coverage per level, the mean
 * Gaussian log score N(μh, V_h) against the random walk N(0, h·s²) (s² the training sample variance) with a
 * Newey–West standard error (h − 1 lags: overlapping outcomes), and the directional hit rate with a Wilson
 * interval on samples / h effective observations. `beatsBaseline` needs the log-score gain above 1.96 SE.
 *
 * @see T. Bollerslev, "Generalized autoregressive conditional heteroskedasticity", J. Econometrics 31 (1986).
 * @see R. F. Engle, J. Mezrich, "GARCH for groups" (1996): variance targeting.
 * @see G. Barone-Adesi, K. Giannopoulos, L. Vosper, "VaR without correlations for portfolios of derivative securities", J. Futures Markets 19 (1999): filtered historical simulation.
 * @see B. Efron, C. Morris, "Stein's estimation rule and its competitors", JASA 68 (1973).
 */
export const FORECAST_METHODOLOGY_VERSION = 'forecast/1.0.0';

const HOUR_MS = 3_600_000;
const LOG_2PI = Math.log(2 * Math.PI);
const round = (x: number, digits = 6) => Number(x.toPrecision(digits));

/** The trailing run of candles whose open times follow each other by exactly `intervalMs` (a gap ends the run). */
export function contiguousRun<C extends ForecastCandle>(candles: readonly C[], intervalMs: number): C[] {
  let start = candles.length - 1;
  while (start > 0 && candles[start]!.openTime - candles[start - 1]!.openTime === intervalMs) start -= 1;
  return candles.slice(Math.max(0, start));
}

export function logReturns(closes: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < closes.length; i++) {
    const a = closes[i - 1]!;
    const b = closes[i]!;
    if (!(a > 0 && b > 0)) throw new Error(`close must be positive, got ${a <= 0 ? a : b}`);
    out.push(Math.log(b / a));
  }
  return out;
}

/** Conditional variances σ²_0..σ²_n of the shocks (σ²_0 = initial; σ²_n is the next bar's). */
export function garchVariances(eps: ArrayLike<number>, omega: number, alpha: number, beta: number, initial: number): Float64Array {
  const out = new Float64Array(eps.length + 1);
  out[0] = initial;
  for (let t = 0; t < eps.length; t++) out[t + 1] = omega + alpha * eps[t]! * eps[t]! + beta * out[t]!;
  return out;
}

function logLikelihood(eps2: Float64Array, omega: number, alpha: number, beta: number, initial: number): number {
  let v = initial;
  let s = 0;
  for (let t = 0; t < eps2.length; t++) {
    s += Math.log(v) + eps2[t]! / v;
    v = omega + alpha * eps2[t]! + beta * v;
  }
  return -0.5 * (s + eps2.length * LOG_2PI);
}

/** Largest α + β searched: keeps the fit strictly stationary. */
export const MAX_PERSISTENCE = 0.999;

/** GARCH(1,1) by QMLE with variance targeting (method in the file comment). Throws below 10 returns or on zero variance. */
export function fitGarch(returns: readonly number[]): GarchFit {
  const n = returns.length;
  if (n < 10) throw new Error(`fitGarch needs at least 10 returns, got ${n}`);
  const m = mean(returns);
  const eps2 = new Float64Array(n);
  let s2 = 0;
  for (let t = 0; t < n; t++) {
    const e = returns[t]! - m;
    eps2[t] = e * e;
    s2 += e * e;
  }
  s2 /= n;
  if (!(s2 > 0)) throw new Error('fitGarch: the returns have zero variance');
  const ll = (a: number, b: number) => logLikelihood(eps2, s2 * (1 - a - b), a, b, s2);
  let best = { a: 0, b: 0, ll: ll(0, 0) };
  const consider = (a: number, b: number) => {
    if (a < 0 || b < 0 || a + b > MAX_PERSISTENCE) return;
    const v = ll(a, b);
    if (v > best.ll) best = { a, b, ll: v };
  };
  for (let a = 0; a <= 0.3 + 1e-9; a += 0.05) for (let b = 0; b <= 0.98 + 1e-9; b += 0.07) consider(a, b);
  let stepA = 0.025;
  let stepB = 0.035;
  for (let round = 0; round < 6; round++) {
    const { a: a0, b: b0 } = best;
    for (let i = -2; i <= 2; i++) for (let j = -2; j <= 2; j++) if (i !== 0 || j !== 0) consider(a0 + i * stepA, b0 + j * stepB);
    stepA /= 2;
    stepB /= 2;
  }
  const phi = best.a + best.b;
  const variances = garchVariances(
    returns.map((r) => r - m),
    s2 * (1 - phi),
    best.a,
    best.b,
    s2,
  );
  const se = Math.sqrt(s2 / n);
  const shrink = m === 0 ? 0 : Math.max(0, 1 - (se / m) ** 2);
  return {
    omega: s2 * (1 - phi),
    alpha: best.a,
    beta: best.b,
    persistence: phi,
    halfLifeBars: phi > 0 ? Math.log(0.5) / Math.log(phi) : null,
    unconditionalVariance: s2,
    logLikelihood: best.ll,
    returns: n,
    sampleMean: m,
    sampleMeanStandardError: se,
    driftShrinkage: shrink,
    drift: m * shrink,
    nextVariance: variances[n]!,
  };
}

/** Σ_{k=1..steps} of the GARCH variance forecasts from σ²_{t+1} = nextVariance (closed form of the recursion). */
export function multiStepVariance(fit: Pick<GarchFit, 'persistence' | 'unconditionalVariance'>, nextVariance: number, steps: number): number {
  const phi = fit.persistence;
  const geometric = phi === 0 ? 1 : (1 - phi ** steps) / (1 - phi);
  return steps * fit.unconditionalVariance + (nextVariance - fit.unconditionalVariance) * geometric;
}

/** Simulated paths of the standardised h-step return per fit (h > 1). */
export const BOOTSTRAP_DRAWS = 2000;

/** A fitted model with what a forecast of each step count needs: the sorted distribution of the standardised h-step return. */
interface FittedModel {
  fit: GarchFit;
  /** Sample variance of the training returns (the random-walk baseline's per-bar variance). */
  baselineVariance: number;
  z: Map<number, number[]>;
}

function fitModel(returns: readonly number[], stepsList: readonly number[]): FittedModel {
  const fit = fitGarch(returns);
  const eps = returns.map((r) => r - fit.sampleMean);
  const variances = garchVariances(eps, fit.omega, fit.alpha, fit.beta, fit.unconditionalVariance);
  const standardised = eps.map((e, t) => e / Math.sqrt(variances[t]!));
  const sorted = [...standardised].sort((a, b) => a - b);
  const z = new Map<number, number[]>();
  // One fixed seed per fit: the bootstrap is a deterministic function of the returns (same input, same result).
  const rng = xoroshiro128plusFromState([0x2545f491, 0x9e3779b9, 0x6a09e667, 0xbb67ae85]);
  for (const h of stepsList) {
    if (h === 1) {
      z.set(1, sorted);
      continue;
    }
    const sums = new Array<number>(BOOTSTRAP_DRAWS);
    const scale = 1 / Math.sqrt(h);
    // GARCH paths from the unconditional variance, shocks resampled from the residuals: the variance feeds back
    // along the path, as it does in the data (aggregated returns stay fatter-tailed and more peaked than normal).
    const { omega, alpha, beta, unconditionalVariance: s2 } = fit;
    // Index = 32-bit draw mod n: the modulo bias is below n / 2³² (≈ 2e-7 for 1000 residuals).
    const m = standardised.length;
    for (let b = 0; b < BOOTSTRAP_DRAWS; b++) {
      let sum = 0;
      let v = s2;
      for (let k = 0; k < h; k++) {
        const e = Math.sqrt(v) * standardised[(rng.next() >>> 0) % m]!;
        sum += e;
        v = omega + alpha * e * e + beta * v;
      }
      sums[b] = (sum * scale) / Math.sqrt(s2);
    }
    sums.sort((a, b) => a - b);
    z.set(h, sums);
  }
  return { fit, baselineVariance: sampleVariance(returns), z };
}

/** Share of the sorted sample strictly above x. */
function shareAbove(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return (sorted.length - lo) / sorted.length;
}

/** The predictive distribution of the log return over `steps` bars, from a model and the next bar's variance. */
interface Prediction {
  mean: number;
  variance: number;
  /** [low, high] log-return bounds per level, in FORECAST_LEVELS order. */
  bounds: [number, number][];
  upProbability: number;
  /** Share of z above 0 (the directional tilt of the residuals alone, without drift). */
  residualUpShare: number;
}

function predict(model: FittedModel, nextVariance: number, steps: number): Prediction {
  const z = model.z.get(steps)!;
  const mu = model.fit.drift * steps;
  const variance = multiStepVariance(model.fit, nextVariance, steps);
  const sd = Math.sqrt(variance);
  const bounds = FORECAST_LEVELS.map((level) => [mu + sd * quantileOfSorted(z, (1 - level) / 2), mu + sd * quantileOfSorted(z, (1 + level) / 2)] as [number, number]);
  return { mean: mu, variance, bounds, upProbability: shareAbove(z, -mu / sd), residualUpShare: shareAbove(z, 0) };
}

const gaussianLogDensity = (x: number, mu: number, variance: number) => -0.5 * (LOG_2PI + Math.log(variance) + ((x - mu) * (x - mu)) / variance);

/** One out-of-sample forecast and its outcome. */
export interface OriginRecord {
  /** Index of the first return forecast (the model saw returns[0..origin)). */
  origin: number;
  steps: number;
  mean: number;
  variance: number;
  bounds: [number, number][];
  upProbability: number;
  baselineVariance: number;
  /** Realised log return over returns[origin..origin + steps). */
  realised: number;
}

/**
 * Rolling out-of-sample forecasts (no look-ahead): at each origin i ≥ evaluationStart the predictive fields use
 * returns[0..i) only — the model is refitted on them at i = evaluationStart + k·refitEvery and filtered forward in
 * between; `realised` is the only field that reads returns[i..].
 */
export function rollingForecasts(returns: readonly number[], stepsList: readonly number[], thresholds: Pick<ForecastThresholds, 'evaluationStart' | 'refitEvery'>): OriginRecord[] {
  const { evaluationStart: start, refitEvery } = thresholds;
  const out: OriginRecord[] = [];
  let model: FittedModel | null = null;
  let variance = 0;
  for (let i = start; i + Math.min(...stepsList) <= returns.length; i++) {
    if ((i - start) % refitEvery === 0 || model === null) {
      model = fitModel(returns.slice(0, i), stepsList);
      variance = model.fit.nextVariance;
    } else {
      const e = returns[i - 1]! - model.fit.sampleMean;
      variance = model.fit.omega + model.fit.alpha * e * e + model.fit.beta * variance;
    }
    for (const h of stepsList) {
      if (i + h > returns.length) continue;
      const p = predict(model, variance, h);
      let realised = 0;
      for (let k = 0; k < h; k++) realised += returns[i + k]!;
      out.push({ origin: i, steps: h, mean: p.mean, variance: p.variance, bounds: p.bounds, upProbability: p.upProbability, baselineVariance: model.baselineVariance, realised });
    }
  }
  return out;
}

/** Coverage, log score and hit rate of one horizon's out-of-sample records. */
export function summariseHorizon(horizon: ForecastHorizon, steps: number, records: readonly OriginRecord[], thresholds: Pick<ForecastThresholds, 'minEvaluationSamples' | 'calibrationTolerance' | 'beatZ'>): HorizonEvaluation {
  const samples = records.length;
  if (samples < thresholds.minEvaluationSamples) {
    return {
      horizon,
      steps,
      samples,
      coverage: [],
      logScore: null,
      hitRate: null,
      beatsBaseline: null,
      reason: `${samples} out-of-sample ${horizon} forecasts, fewer than the ${thresholds.minEvaluationSamples} needed to judge them`,
    };
  }
  const coverage: CoverageCell[] = FORECAST_LEVELS.map((level, li) => {
    const inside = records.filter((r) => r.realised >= r.bounds[li]![0] && r.realised <= r.bounds[li]![1]).length;
    const observed = inside / samples;
    return { horizon, level, expected: level, observed: round(observed), samples, calibrated: Math.abs(observed - level) <= thresholds.calibrationTolerance };
  });
  const model = records.map((r) => gaussianLogDensity(r.realised, r.mean, r.variance));
  const baseline = records.map((r) => gaussianLogDensity(r.realised, 0, r.steps * r.baselineVariance));
  const diff = model.map((x, i) => x - baseline[i]!);
  const difference = mean(diff);
  const standardError = neweyWestStandardError(diff, steps - 1);
  let calls = 0;
  let hits = 0;
  for (const r of records) {
    if (r.upProbability === 0.5 || r.realised === 0) continue;
    calls += 1;
    if (r.upProbability > 0.5 === r.realised > 0) hits += 1;
  }
  const effective = calls / steps;
  const interval = calls > 0 ? wilsonInterval(hits / calls, effective) : null;
  return {
    horizon,
    steps,
    samples,
    coverage,
    logScore: { model: round(mean(model)), baseline: round(mean(baseline)), difference: round(difference), standardError: round(standardError), samples },
    hitRate: interval ? { rate: round(hits / calls), low: round(interval.low), high: round(interval.high), samples: calls, effectiveSamples: round(effective, 4) } : null,
    beatsBaseline: difference > thresholds.beatZ * standardError,
    reason: null,
  };
}

/** The evaluation of the requested horizons over `returns`, or the reason there is none. */
export function evaluateForecasts(
  returns: readonly number[],
  horizons: readonly ForecastHorizon[],
  hoursPerBar: number,
  thresholds: ForecastThresholds,
  times?: readonly number[],
): { evaluation: ForecastEvaluation | null; reason: string | null } {
  const needed = thresholds.evaluationStart + thresholds.minEvaluationSamples;
  if (returns.length < needed) {
    return { evaluation: null, reason: `${returns.length} returns, the evaluation needs ${needed} (${thresholds.evaluationStart} to train before the first out-of-sample forecast, then ${thresholds.minEvaluationSamples} forecasts)` };
  }
  const stepsOf = (h: ForecastHorizon) => Math.round(HORIZON_HOURS[h] / hoursPerBar);
  const records = rollingForecasts(returns, horizons.map(stepsOf), thresholds);
  const origins = records.map((r) => r.origin);
  const first = Math.min(...origins);
  const last = Math.max(...origins);
  return {
    evaluation: {
      from: times?.[first] ?? first,
      to: times?.[last] ?? last,
      refitEvery: thresholds.refitEvery,
      evaluationStart: thresholds.evaluationStart,
      horizons: horizons.map((h) => summariseHorizon(h, stepsOf(h), records.filter((r) => r.steps === stepsOf(h)), thresholds)),
    },
    reason: null,
  };
}

function horizonFactors(fit: GarchFit, p: Prediction, steps: number): Factor[] {
  const driftPart = 2 * (p.upProbability - p.residualUpShare);
  const skewPart = 2 * (p.residualUpShare - 0.5);
  const volRatio = Math.sqrt(p.variance / (steps * fit.unconditionalVariance));
  return [
    {
      name: 'drift',
      value: round(fit.drift),
      weight: 0.5,
      contribution: round(driftPart),
      note: `shrunk mean log return ${(fit.drift * 1e4).toFixed(2)} bp per bar (sample mean ${(fit.sampleMean * 1e4).toFixed(2)} bp × shrinkage ${fit.driftShrinkage.toFixed(2)}): moves the centre and upProbability; contribution = 2 × its part of upProbability − 0.5`,
    },
    {
      name: 'residualSkew',
      value: round(p.residualUpShare),
      weight: 0.5,
      contribution: round(skewPart),
      note: 'share of past standardised outcomes above 0 (asymmetry of the residuals): contribution = 2 × (share − 0.5), the rest of the directional tilt',
    },
    {
      name: 'volatilityState',
      value: round(volRatio),
      weight: 0,
      contribution: 0,
      note: `horizon volatility / its unconditional level = ${volRatio.toFixed(2)}: above 1 the GARCH state widens the intervals, below 1 narrows them (not directional)`,
    },
    {
      name: 'persistence',
      value: round(fit.persistence),
      weight: 0,
      contribution: 0,
      note: `GARCH α + β = ${fit.persistence.toFixed(3)}${fit.halfLifeBars !== null ? ` (a variance shock halves in ${fit.halfLifeBars.toFixed(1)} bars)` : ''}: how long the current volatility state lasts`,
    },
  ];
}

/** Forecasts for the requested horizons plus their out-of-sample evaluation (method in the file comment). */
export function computeForecastAnalysis(input: Readonly<ForecastInput>): ForecastAnalysis {
  const thresholds: ForecastThresholds = { ...DEFAULT_FORECAST_THRESHOLDS, ...input.thresholds };
  if (!(input.intervalMs > 0) || HOUR_MS % input.intervalMs !== 0) throw new Error(`intervalMs must divide one hour, got ${input.intervalMs}`);
  if (thresholds.refitEvery < 1) throw new Error(`refitEvery must be at least 1, got ${thresholds.refitEvery}`);
  if (thresholds.evaluationStart < 10) throw new Error(`evaluationStart must be at least 10, got ${thresholds.evaluationStart}`);
  const horizons = FORECAST_HORIZON_ORDER.filter((h) => (input.horizons ?? FORECAST_HORIZON_ORDER).includes(h));
  const hoursPerBar = input.intervalMs / HOUR_MS;
  const run = contiguousRun(input.candles, input.intervalMs);
  const last = input.candles.at(-1) ?? null;
  const base = { symbol: input.symbol, intervalMs: input.intervalMs, time: last?.closeTime ?? null, close: last?.close ?? null, thresholds };
  const returns = logReturns(run.map((c) => c.close));
  const gapNote = run.length < input.candles.length ? ` (the run after the last gap in the candles: ${input.candles.length - run.length} earlier candles are not contiguous with it)` : '';
  const none = (reason: string, warmingUp: boolean): ForecastAnalysis => ({ ...base, returns: returns.length, warmingUp, reason, model: null, horizons: [], evaluation: null, evaluationReason: reason, beatsBaseline: null });
  if (!last) return none('no closed candle yet', true);
  if (returns.length < thresholds.minFitReturns) return none(`${returns.length} contiguous returns${gapNote}, the model needs ${thresholds.minFitReturns}`, true);
  if (!(sampleVariance(returns) > 0)) return none('the closes do not move (zero variance): no volatility to model', false);

  const stepsOf = (h: ForecastHorizon) => Math.round(HORIZON_HOURS[h] / hoursPerBar);
  const model = fitModel(returns, horizons.map(stepsOf));
  const times = run.map((c) => c.closeTime);
  const { evaluation, reason: evaluationReason } = evaluateForecasts(returns, horizons, hoursPerBar, thresholds, times);
  const out: HorizonForecast[] = horizons.map((horizon) => {
    const steps = stepsOf(horizon);
    const p = predict(model, model.fit.nextVariance, steps);
    const ev = evaluation?.horizons.find((e) => e.horizon === horizon);
    const c80 = ev?.coverage.find((c) => c.level === 0.8);
    return {
      horizon,
      steps,
      targetTime: last.closeTime + steps * input.intervalMs,
      expectedReturn: round(p.mean),
      expectedPrice: last.close * Math.exp(p.mean),
      volatility: round(Math.sqrt(p.variance)),
      upProbability: round(p.upProbability),
      intervals: FORECAST_LEVELS.map((level, i) => ({
        level,
        low: last.close * Math.exp(p.bounds[i]![0]),
        high: last.close * Math.exp(p.bounds[i]![1]),
        lowReturn: round(p.bounds[i]![0]),
        highReturn: round(p.bounds[i]![1]),
      })),
      factors: horizonFactors(model.fit, p, steps),
      beatsBaseline: ev?.beatsBaseline ?? null,
      calibrated: c80?.calibrated ?? null,
    };
  });
  const judged = evaluation?.horizons ?? [];
  const beatsBaseline = judged.length === 0 || judged.some((e) => e.beatsBaseline === null) ? null : judged.every((e) => e.beatsBaseline === true);
  return { ...base, returns: returns.length, warmingUp: false, reason: null, model: model.fit, horizons: out, evaluation, evaluationReason, beatsBaseline };
}
