import type { CandleInterval } from '../domain/market.js';
import type { StrategyKind, StrategyParams } from '../backtest/strategies.js';
import type { OptimizeSettings } from '../backtest/optimize.js';

/** Where a backtest reads its bars. */
export const BacktestDataSources = {
  /** Closed candles (and funding settlements) of the market-data archive (`market_candle`, `market_record`). */
  ARCHIVE: 'ARCHIVE',
  /** A recording under BACKTEST_REPLAY_ROOT, read with the replay datasource's readers and mappers. */
  REPLAY: 'REPLAY',
} as const;
export type BacktestDataSource = (typeof BacktestDataSources)[keyof typeof BacktestDataSources];

/** A job's input as stored (JSON) and handed to the runner: every default filled in. */
export interface BacktestJobInput {
  strategy: StrategyKind;
  params: Partial<StrategyParams>;
  symbol: string;
  interval: CandleInterval;
  /** Simulated bars open in [from, to) (epoch ms). */
  from: number;
  to: number;
  data: { source: 'ARCHIVE'; venue: string } | { source: 'REPLAY'; recording: string };
  feeBps: number;
  slippageBps: number;
  /** Apply funding settlements to open positions. */
  funding: boolean;
  initialEquity: number;
  positionFraction: number;
  /** Bars before `from` the strategy may read first (fewer when the data does not reach back). */
  warmUpBars: number;
  /** Set for an optimisation. */
  optimize?: OptimizeSettings;
}

/** What `backtest:progress` carries (JSON-safe: it may cross Redis). */
export interface BacktestProgressEvent {
  id: string;
  status: 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  /** Fraction done, 0..1. */
  progress: number;
  /** Work units done and in all (bars for a backtest, backtests for an optimisation); null before the first report. */
  done: number | null;
  total: number | null;
  etaMs: number | null;
  error: string | null;
  /** Epoch ms of the report. */
  at: number;
}
