import type { BacktestMetrics } from './backtest.types.js';
import type { StrategyParams } from './strategies.js';
import { mulberry32 } from '../math/random.js';

/**
 * Parameter search with walk-forward validation (issue 13 §3). Pure: the caller supplies `evaluate`, which
 * backtests one parameter set over one bar range and returns its metrics; this module only chooses the
 * candidates, the windows and the winners, so it can be checked by hand with a crafted evaluator.
 *
 * Walk-forward (rolling): the simulated bars are cut into `windows` folds. Fold i optimises on an in-sample
 * range of `a` bars and then evaluates the in-sample winner, untouched, on the `b` bars right after it (its
 * out-of-sample range); the next fold starts `b` bars later, so the out-of-sample ranges tile the end of the
 * run without overlap: a + windows × b = bars, a / (a + b) = inSampleFraction. The degradation of a fold is
 * in-sample score − out-of-sample score of its winner, its efficiency out-of-sample / in-sample: a winner that
 * only fits noise scores well in sample and badly after it, and the gap shows it.
 * @see R. Pardo, The Evaluation and Optimization of Trading Strategies (2008), ch. 11 (walk-forward analysis)
 */

/** Numeric strategy parameters a search may vary. */
export const OptimizableParams = ['historyBars', 'minConfidence', 'stopAtr', 'targetAtr', 'rewardRisk', 'holdBars', 'fundingWindow'] as const;
export type OptimizableParam = (typeof OptimizableParams)[number];
const INTEGER_PARAMS: ReadonlySet<OptimizableParam> = new Set(['historyBars', 'holdBars', 'fundingWindow']);

export const SearchMethods = { GRID: 'GRID', RANDOM: 'RANDOM' } as const;
export type SearchMethod = (typeof SearchMethods)[keyof typeof SearchMethods];

/** Metrics a search may maximise (MAX_DRAWDOWN is minimised: its score is −maxDrawdown). */
export const Objectives = {
  SHARPE: 'SHARPE',
  SORTINO: 'SORTINO',
  TOTAL_RETURN: 'TOTAL_RETURN',
  CALMAR: 'CALMAR',
  PROFIT_FACTOR: 'PROFIT_FACTOR',
  EXPECTANCY: 'EXPECTANCY',
  MAX_DRAWDOWN: 'MAX_DRAWDOWN',
} as const;
export type Objective = (typeof Objectives)[keyof typeof Objectives];

export interface ParamRange {
  name: OptimizableParam;
  min: number;
  max: number;
  /** Grid spacing; RANDOM draws are rounded to it too. Integer parameters need an integer step. */
  step: number;
}

export interface OptimizeSettings {
  method: SearchMethod;
  ranges: readonly ParamRange[];
  objective: Objective;
  /** RANDOM: parameter sets drawn (distinct ones kept). */
  samples?: number;
  /** RANDOM: seed of the generator (same seed, same draws). Default 1. */
  seed?: number;
  /** Walk-forward folds. Default 4. */
  windows?: number;
  /** In-sample share of a fold (0 < f < 1). Default 0.7. */
  inSampleFraction?: number;
}

export type ParamSet = Partial<Record<OptimizableParam, number>>;

/** A bar range [start, end) of the simulated bars (indexes after the warm-up). */
export interface BarRange {
  start: number;
  end: number;
}

export interface WindowReport {
  index: number;
  inSample: BarRange;
  outOfSample: BarRange;
  /** The in-sample winner. */
  bestParams: ParamSet;
  inSampleScore: number | null;
  outOfSampleScore: number | null;
  /** inSampleScore − outOfSampleScore; null when either is null. */
  degradation: number | null;
  /** outOfSampleScore / inSampleScore; null when either is null or the in-sample score is ≤ 0. */
  efficiency: number | null;
  inSampleMetrics: BacktestMetrics | null;
  outOfSampleMetrics: BacktestMetrics | null;
}

export interface OptimizationReport {
  method: SearchMethod;
  objective: Objective;
  candidates: number;
  windows: WindowReport[];
  /** Mean over the folds of the in-sample and out-of-sample scores (folds with a null score left out). */
  meanInSampleScore: number | null;
  meanOutOfSampleScore: number | null;
  /** meanInSampleScore − meanOutOfSampleScore. */
  degradation: number | null;
  /** meanOutOfSampleScore / meanInSampleScore (null when the in-sample mean is ≤ 0). */
  efficiency: number | null;
  /** The winner over every simulated bar (the set one would trade next), with its full-range score. */
  bestParams: ParamSet;
  bestScore: number | null;
  /** Candidates ranked on the full range, best first (at most 10). */
  ranking: Array<{ params: ParamSet; score: number | null }>;
}

/** The score of `objective` in `m` (null when the metric is undefined, e.g. a Sharpe ratio without variance). */
export function score(m: BacktestMetrics, objective: Objective): number | null {
  switch (objective) {
    case 'SHARPE':
      return m.sharpe;
    case 'SORTINO':
      return m.sortino;
    case 'TOTAL_RETURN':
      return m.totalReturn;
    case 'CALMAR':
      return m.calmar;
    case 'PROFIT_FACTOR':
      return m.profitFactor;
    case 'EXPECTANCY':
      return m.expectancy;
    case 'MAX_DRAWDOWN':
      return -m.maxDrawdown;
  }
}

/** Values of one range: min, min + step, … ≤ max (rounded to 1e-9 against float drift). */
export function rangeValues(r: Readonly<ParamRange>): number[] {
  if (!(r.step > 0)) throw new Error(`${r.name}: step must be > 0, got ${r.step}`);
  if (!(r.max >= r.min)) throw new Error(`${r.name}: max (${r.max}) must be ≥ min (${r.min})`);
  if (INTEGER_PARAMS.has(r.name) && (!Number.isInteger(r.min) || !Number.isInteger(r.step))) throw new Error(`${r.name} is an integer: min and step must be integers`);
  const out: number[] = [];
  for (let i = 0; ; i += 1) {
    const v = Math.round((r.min + i * r.step) * 1e9) / 1e9;
    if (v > r.max + 1e-9) break;
    out.push(v);
  }
  return out;
}


/**
 * The parameter sets to try. GRID: every combination of the ranges' values, the first range varying
 * slowest. RANDOM: `samples` draws, each value uniform over its range's grid points (so draws are on the
 * same lattice a grid would use), duplicates dropped, in draw order.
 */
export function candidates(settings: Readonly<OptimizeSettings>): ParamSet[] {
  const names = settings.ranges.map((r) => r.name);
  if (new Set(names).size !== names.length) throw new Error(`a parameter appears twice in ranges: ${names.join(', ')}`);
  const values = settings.ranges.map(rangeValues);
  if (settings.method === 'GRID') {
    let sets: ParamSet[] = [{}];
    settings.ranges.forEach((r, i) => {
      sets = sets.flatMap((s) => values[i]!.map((v) => ({ ...s, [r.name]: v })));
    });
    return sets;
  }
  const samples = settings.samples ?? 20;
  if (!Number.isInteger(samples) || samples < 1) throw new Error(`samples must be an integer ≥ 1, got ${samples}`);
  const random = mulberry32(settings.seed ?? 1);
  const seen = new Set<string>();
  const out: ParamSet[] = [];
  for (let i = 0; i < samples; i += 1) {
    const set: ParamSet = {};
    settings.ranges.forEach((r, j) => {
      const grid = values[j]!;
      set[r.name] = grid[Math.min(grid.length - 1, Math.floor(random() * grid.length))]!;
    });
    const key = JSON.stringify(set);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(set);
    }
  }
  return out;
}

/** The folds over `bars` simulated bars (see the module comment). Throws when a fold would be empty. */
export function walkForwardWindows(bars: number, windows: number, inSampleFraction: number): Array<{ inSample: BarRange; outOfSample: BarRange }> {
  if (!Number.isInteger(windows) || windows < 1) throw new Error(`windows must be an integer ≥ 1, got ${windows}`);
  if (!(inSampleFraction > 0 && inSampleFraction < 1)) throw new Error(`inSampleFraction must be in (0, 1), got ${inSampleFraction}`);
  const ratio = inSampleFraction / (1 - inSampleFraction);
  const b = Math.floor(bars / (windows + ratio));
  const a = bars - windows * b;
  if (b < 2 || a < 2) throw new Error(`${bars} bars are too few for ${windows} walk-forward windows at in-sample fraction ${inSampleFraction}`);
  return Array.from({ length: windows }, (_, i) => ({
    inSample: { start: i * b, end: i * b + a },
    outOfSample: { start: i * b + a, end: i * b + a + b },
  }));
}

const rank = (s: number | null) => (s === null || Number.isNaN(s) ? -Infinity : s);
const mean = (xs: readonly (number | null)[]) => {
  const v = xs.filter((x): x is number => x !== null && Number.isFinite(x));
  return v.length ? v.reduce((s, x) => s + x, 0) / v.length : null;
};
const ratioOf = (oos: number | null, is: number | null) => (oos === null || is === null || !(is > 0) ? null : oos / is);

/**
 * Grid or random search with walk-forward validation over `bars` simulated bars. `evaluate(params, range)`
 * backtests the strategy with `params` over the bar range (bars before `range.start` may serve as warm-up:
 * they are in the past of the range) and returns its metrics. Ties keep the earlier candidate.
 * `onProgress(done, total)` counts evaluations.
 */
export function optimizeWalkForward(
  settings: Readonly<OptimizeSettings>,
  bars: number,
  evaluate: (params: ParamSet, range: BarRange) => BacktestMetrics,
  onProgress?: (done: number, total: number) => void,
): OptimizationReport {
  const sets = candidates(settings);
  const folds = walkForwardWindows(bars, settings.windows ?? 4, settings.inSampleFraction ?? 0.7);
  const total = sets.length * (folds.length + 1) + folds.length;
  let done = 0;
  const run = (params: ParamSet, range: BarRange) => {
    const m = evaluate(params, range);
    done += 1;
    onProgress?.(done, total);
    return m;
  };
  const best = (range: BarRange) => {
    let top: { params: ParamSet; metrics: BacktestMetrics; score: number | null } | null = null;
    const all: Array<{ params: ParamSet; score: number | null }> = [];
    for (const params of sets) {
      const metrics = run(params, range);
      const s = score(metrics, settings.objective);
      all.push({ params, score: s });
      if (top === null || rank(s) > rank(top.score)) top = { params, metrics, score: s };
    }
    return { top: top!, all };
  };
  const windows: WindowReport[] = folds.map((fold, index) => {
    const { top } = best(fold.inSample);
    const oos = run(top.params, fold.outOfSample);
    const oosScore = score(oos, settings.objective);
    return {
      index,
      inSample: fold.inSample,
      outOfSample: fold.outOfSample,
      bestParams: top.params,
      inSampleScore: top.score,
      outOfSampleScore: oosScore,
      degradation: top.score === null || oosScore === null ? null : top.score - oosScore,
      efficiency: ratioOf(oosScore, top.score),
      inSampleMetrics: top.metrics,
      outOfSampleMetrics: oos,
    };
  });
  const full = best({ start: 0, end: bars });
  const meanIs = mean(windows.map((w) => w.inSampleScore));
  const meanOos = mean(windows.map((w) => w.outOfSampleScore));
  const ranking = full.all
    .map((c, i) => ({ ...c, i }))
    .sort((x, y) => rank(y.score) - rank(x.score) || x.i - y.i)
    .slice(0, 10)
    .map(({ params, score: s }) => ({ params, score: s }));
  return {
    method: settings.method,
    objective: settings.objective,
    candidates: sets.length,
    windows,
    meanInSampleScore: meanIs,
    meanOutOfSampleScore: meanOos,
    degradation: meanIs === null || meanOos === null ? null : meanIs - meanOos,
    efficiency: ratioOf(meanOos, meanIs),
    bestParams: full.top.params,
    bestScore: full.top.score,
    ranking,
  };
}

/** The strategy parameters of a candidate over the base ones. */
export function withParams(base: Partial<StrategyParams>, set: ParamSet): Partial<StrategyParams> {
  return { ...base, ...set };
}
