import type { BacktestSpec } from './backtest-job.js';
import { runBacktestSpec } from './backtest-job.js';
import { optimizeWalkForward, withParams, type OptimizationReport, type OptimizeSettings } from './optimize.js';

/** An optimisation as data (crosses threads, is persisted): the backtest it varies and how to search. */
export interface OptimizationSpec {
  backtest: BacktestSpec;
  settings: OptimizeSettings;
}

/**
 * Runs a walk-forward search on this thread. A candidate over the simulated bar range [start, end) is
 * backtested on the candles from `start` (the same warm-up as the whole run, taken from the bars before
 * the range: they are its past) to `warmUp + end`.
 */
export function runOptimizationSpec(spec: Readonly<OptimizationSpec>, onProgress?: (done: number, total: number) => void): OptimizationReport {
  const { backtest } = spec;
  const warm = backtest.warmUpBars ?? 0;
  const bars = backtest.candles.length - warm;
  return optimizeWalkForward(
    spec.settings,
    bars,
    (params, range) =>
      runBacktestSpec({ ...backtest, params: withParams(backtest.params ?? {}, params), candles: backtest.candles.slice(range.start, warm + range.end), warmUpBars: warm }).metrics,
    onProgress,
  );
}
