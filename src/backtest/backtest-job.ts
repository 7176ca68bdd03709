import type { FundingSettlement } from '../analyzers/funding.types.js';
import type { Candle } from '../domain/market.js';
import type { BacktestCosts, BacktestResult } from './backtest.types.js';
import { simulateBacktest } from './simulate.js';
import { createStrategy, type StrategyKind, type StrategyParams } from './strategies.js';

/** A backtest as data (crosses threads and is persisted): what to run, over which bars. */
export interface BacktestSpec {
  strategy: StrategyKind;
  params?: Partial<StrategyParams>;
  costs: BacktestCosts;
  initialEquity: number;
  positionFraction?: number;
  warmUpBars?: number;
  candles: readonly Candle[];
  funding?: readonly FundingSettlement[];
}

/** Runs a spec on this thread (the worker calls it; tests compare it with the worker's answer). */
export function runBacktestSpec(spec: Readonly<BacktestSpec>, onProgress?: (done: number, total: number) => void): BacktestResult {
  return simulateBacktest({
    candles: spec.candles,
    funding: spec.funding ?? [],
    strategy: createStrategy(spec.strategy, spec.params),
    costs: spec.costs,
    initialEquity: spec.initialEquity,
    positionFraction: spec.positionFraction,
    warmUpBars: spec.warmUpBars,
    onProgress,
    progressEvery: 100,
  });
}
