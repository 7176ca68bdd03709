import type { BacktestMetrics, BacktestTrade, EquityPoint } from '../backtest/backtest.types.js';
import type { OptimizableParam, OptimizationReport, WindowReport } from '../backtest/optimize.js';
import type { BacktestProgressEvent, StoredBacktestResult } from '../jobs/backtest-jobs.js';
import type { BacktestJobRecord } from '../jobs/backtest-store.js';
import { builder } from './builder.js';
import { CandleIntervalEnum } from './enums.js';
import { ConfirmationQualityEnum } from './refs-confirmation.js';
import { StructureEventKindEnum } from './refs-market-structure.js';

export const BacktestStrategyEnum = builder.enumType('BacktestStrategy', {
  description: 'A strategy built from the signals the API shows (README Backtests).',
  values: {
    CONFIRMATION: { value: 'CONFIRMATION', description: 'Long while the confirmation composite is BULLISH with quality at least minQuality, short while BEARISH, flat otherwise.' },
    SCENARIO: { value: 'SCENARIO', description: 'The most confident scenario (at least minConfidence, default 0.5): its entry order, stop and first target, over its horizon.' },
    FUNDING_EXTREME: { value: 'FUNDING_EXTREME', description: 'Fades an extreme settled funding rate (short when extreme positive), held holdBars bars at most.' },
    TRAP: { value: 'TRAP', description: 'Trades a freshly detected trap in its direction, stop beyond its extreme, target rewardRisk times the risk.' },
    STRUCTURE: { value: 'STRUCTURE', description: 'Trades a fresh break of structure and/or change of character in its direction; a break the other way reverses.' },
  } as const,
});

export const BacktestDataSourceEnum = builder.enumType('BacktestDataSource', {
  description: 'Where a backtest reads its bars.',
  values: {
    ARCHIVE: { value: 'ARCHIVE', description: 'Closed candles and funding settlements of the market-data archive of this deployment.' },
    REPLAY: { value: 'REPLAY', description: 'A recording under BACKTEST_REPLAY_ROOT, read with the replay datasource.' },
  } as const,
});

export const BacktestJobStatusEnum = builder.enumType('BacktestJobStatus', {
  description: 'State of a backtest job.',
  values: {
    QUEUED: { value: 'QUEUED', description: 'Waiting for a worker.' },
    RUNNING: { value: 'RUNNING', description: 'Running in a worker thread.' },
    SUCCEEDED: { value: 'SUCCEEDED', description: 'Finished; the result is set.' },
    FAILED: { value: 'FAILED', description: 'Stopped with an error (see error).' },
    CANCELLED: { value: 'CANCELLED', description: 'Cancelled with cancelBacktest.' },
  } as const,
});

export const BacktestJobKindEnum = builder.enumType('BacktestJobKind', {
  description: 'What a job computes.',
  values: {
    BACKTEST: { value: 'BACKTEST', description: 'One backtest (startBacktest).' },
    OPTIMIZATION: { value: 'OPTIMIZATION', description: 'A parameter search with walk-forward validation (startOptimization).' },
  } as const,
});

export const BacktestSideEnum = builder.enumType('BacktestSide', {
  description: 'Side of a backtest position.',
  values: { LONG: { value: 'LONG', description: 'Long.' }, SHORT: { value: 'SHORT', description: 'Short.' } } as const,
});

export const BacktestExitReasonEnum = builder.enumType('BacktestExitReason', {
  description: 'Why a backtest trade was closed.',
  values: {
    STOP: { value: 'STOP', description: 'The protective stop (a bar touching both stop and target closes at the stop).' },
    TARGET: { value: 'TARGET', description: 'The take-profit.' },
    SIGNAL: { value: 'SIGNAL', description: 'The strategy exited or reversed.' },
    TIME: { value: 'TIME', description: 'The holding limit of the strategy.' },
    END: { value: 'END', description: 'Still open after the last bar: closed at its close.' },
  } as const,
});

export const OptimizationMethodEnum = builder.enumType('OptimizationMethod', {
  description: 'How parameter sets are chosen.',
  values: {
    GRID: { value: 'GRID', description: 'Every combination of the range values.' },
    RANDOM: { value: 'RANDOM', description: 'samples seeded draws on the same lattice (duplicates dropped).' },
  } as const,
});

export const OptimizationObjectiveEnum = builder.enumType('OptimizationObjective', {
  description: 'The metric an optimisation maximises.',
  values: {
    SHARPE: { value: 'SHARPE', description: 'Annualised Sharpe ratio.' },
    SORTINO: { value: 'SORTINO', description: 'Annualised Sortino ratio.' },
    TOTAL_RETURN: { value: 'TOTAL_RETURN', description: 'Total return (fraction).' },
    CALMAR: { value: 'CALMAR', description: 'CAGR over maximum drawdown.' },
    PROFIT_FACTOR: { value: 'PROFIT_FACTOR', description: 'Gross profit over gross loss.' },
    EXPECTANCY: { value: 'EXPECTANCY', description: 'Mean net profit per trade (quote currency).' },
    MAX_DRAWDOWN: { value: 'MAX_DRAWDOWN', description: 'The smallest maximum drawdown (scored as minus the drawdown).' },
  } as const,
});

export const PARAMETER_NAMES = {
  HISTORY_BARS: 'historyBars',
  MIN_CONFIDENCE: 'minConfidence',
  STOP_ATR: 'stopAtr',
  TARGET_ATR: 'targetAtr',
  REWARD_RISK: 'rewardRisk',
  HOLD_BARS: 'holdBars',
  FUNDING_WINDOW: 'fundingWindow',
} as const satisfies Record<string, OptimizableParam>;

export const OptimizableParameterEnum = builder.enumType('OptimizableParameter', {
  description: 'A numeric strategy parameter an optimisation may vary (see BacktestParamsInput).',
  values: {
    HISTORY_BARS: { value: 'historyBars', description: 'historyBars (integer).' },
    MIN_CONFIDENCE: { value: 'minConfidence', description: 'minConfidence (fraction).' },
    STOP_ATR: { value: 'stopAtr', description: 'stopAtr.' },
    TARGET_ATR: { value: 'targetAtr', description: 'targetAtr.' },
    REWARD_RISK: { value: 'rewardRisk', description: 'rewardRisk.' },
    HOLD_BARS: { value: 'holdBars', description: 'holdBars (integer).' },
    FUNDING_WINDOW: { value: 'fundingWindow', description: 'fundingWindow (integer).' },
  } as const,
});

export const BacktestJobRef = builder.objectRef<BacktestJobRecord>('BacktestJob');
export const BacktestResultRef = builder.objectRef<StoredBacktestResult>('BacktestResult');
export const BacktestMetricsRef = builder.objectRef<BacktestMetrics>('BacktestMetrics');
export const BacktestTradeRef = builder.objectRef<BacktestTrade>('BacktestTrade');
export const BacktestEquityPointRef = builder.objectRef<EquityPoint>('BacktestEquityPoint');
export const BacktestProgressRef = builder.objectRef<BacktestProgressEvent>('BacktestProgress');
/** A stored optimisation report: the pure report plus the times of its bar ranges. */
export type StoredWindow = WindowReport & { inSampleFrom: number; inSampleTo: number; outOfSampleFrom: number; outOfSampleTo: number };
export type StoredOptimization = Omit<OptimizationReport, 'windows'> & { windows: StoredWindow[] };
export const OptimizationResultRef = builder.objectRef<StoredOptimization>('OptimizationResult');
export const WalkForwardWindowRef = builder.objectRef<StoredWindow>('WalkForwardWindow');
export const ParameterValueRef = builder.objectRef<{ parameter: OptimizableParam; value: number }>('ParameterValue');
export const RankedCandidateRef = builder.objectRef<{ params: Partial<Record<OptimizableParam, number>>; score: number | null }>('RankedCandidate');

// --- Inputs ---

export const BacktestParamsInputRef = builder.inputType('BacktestParamsInput', {
  description: 'Strategy parameters; an omitted field keeps its default (README Backtests).',
  fields: (t) => ({
    historyBars: t.int({ description: 'Bars of the prefix the analyses are computed from at each bar (at least 50; default 500).' }),
    minQuality: t.field({ type: ConfirmationQualityEnum, description: 'CONFIRMATION: lowest quality traded (default GOOD).' }),
    minConfidence: t.float({ description: 'SCENARIO and TRAP: lowest confidence traded, a fraction (default 0.5 for SCENARIO, 0.4 for TRAP).' }),
    stopAtr: t.float({ description: 'Protective stop in ATRs from the signal close (CONFIRMATION, FUNDING_EXTREME, STRUCTURE; default 2; null for none).' }),
    targetAtr: t.float({ description: 'Target in ATRs (CONFIRMATION, FUNDING_EXTREME, STRUCTURE; default none).' }),
    rewardRisk: t.float({ description: 'TRAP: target at this multiple of the entry to stop distance (default 2).' }),
    holdBars: t.int({ description: 'FUNDING_EXTREME and TRAP: bars a trade is held at most (default 24).' }),
    structureKinds: t.field({ type: [StructureEventKindEnum], description: 'STRUCTURE: which breaks are traded (default both).' }),
    fundingWindow: t.int({ description: 'FUNDING_EXTREME: settlements in the statistics window (default 90).' }),
  }),
});

export const BacktestDataInputRef = builder.inputType('BacktestDataInput', {
  description: 'Where the bars come from.',
  fields: (t) => ({
    source: t.field({ type: BacktestDataSourceEnum, required: true, description: 'ARCHIVE or REPLAY.' }),
    venue: t.string({ description: 'ARCHIVE: the venue whose archive is read (default the market source of this instance, e.g. binance-usdm).' }),
    recording: t.string({ description: 'REPLAY: a file or directory relative to BACKTEST_REPLAY_ROOT, e.g. binance-futures/klines/multi-5m-15m-1h-2025-12-26_2026-01-29.' }),
  }),
});

export const BacktestInputRef = builder.inputType('BacktestInput', {
  description: 'A backtest: a strategy over the closed bars of one symbol and interval in [from, to), with costs.',
  fields: (t) => ({
    strategy: t.field({ type: BacktestStrategyEnum, required: true, description: 'The strategy.' }),
    params: t.field({ type: BacktestParamsInputRef, description: 'Its parameters (defaults when omitted).' }),
    symbol: t.string({ required: true, description: 'The symbol, e.g. BTCUSDT.' }),
    interval: t.field({ type: CandleIntervalEnum, required: true, description: 'The bar interval.' }),
    from: t.field({ type: 'DateTime', required: true, description: 'First bar opens at or after this time.' }),
    to: t.field({ type: 'DateTime', required: true, description: 'Last bar opens before this time (not in the future).' }),
    data: t.field({ type: BacktestDataInputRef, description: 'Where the bars come from (default the archive of this instance).' }),
    feeBps: t.float({ description: 'Fee per fill in basis points of the notional (default 4).' }),
    slippageBps: t.float({ description: 'Every fill moves against the trader by this many basis points (default 2).' }),
    funding: t.boolean({ description: 'Apply the funding settlements of the data to open positions (default true).' }),
    initialEquity: t.float({ description: 'Starting equity in quote currency (default 10000).' }),
    positionFraction: t.float({ description: 'Position notional at entry as a multiple of equity (1 = unlevered; default 1, at most 10).' }),
    warmUpBars: t.int({ description: 'Bars before from the strategy may read first, when the data has them (default 300, at most 5000).' }),
  }),
});

export const ParameterRangeInputRef = builder.inputType('ParameterRangeInput', {
  description: 'Values min, min + step, ... up to max of one parameter.',
  fields: (t) => ({
    parameter: t.field({ type: OptimizableParameterEnum, required: true, description: 'The parameter.' }),
    min: t.float({ required: true, description: 'Lowest value.' }),
    max: t.float({ required: true, description: 'Highest value.' }),
    step: t.float({ required: true, description: 'Spacing (an integer for integer parameters).' }),
  }),
});

export const OptimizationInputRef = builder.inputType('OptimizationInput', {
  description: 'A parameter search with rolling walk-forward validation (README Backtests).',
  fields: (t) => ({
    method: t.field({ type: OptimizationMethodEnum, required: true, description: 'GRID or RANDOM.' }),
    ranges: t.field({ type: [ParameterRangeInputRef], required: true, description: 'The parameters varied (1 to 4).' }),
    objective: t.field({ type: OptimizationObjectiveEnum, description: 'The metric maximised (default SHARPE).' }),
    samples: t.int({ description: 'RANDOM: draws (default 20).' }),
    seed: t.int({ description: 'RANDOM: seed of the generator (default 1).' }),
    windows: t.int({ description: 'Walk-forward folds (1 to 20, default 4).' }),
    inSampleFraction: t.float({ description: 'In-sample share of a fold, a fraction strictly between 0 and 1 (default 0.7).' }),
  }),
});
