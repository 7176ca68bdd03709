import { hasScope, requireScope, Scopes, type AuthContext } from '../auth/index.js';
import { SCOPE_EXTENSION } from '../auth/access.js';
import { candidates, walkForwardWindows, type OptimizeSettings, type ParamRange } from '../backtest/optimize.js';
import { createStrategy, DEFAULT_STRATEGY_PARAMS, type StrategyKind, type StrategyParams } from '../backtest/strategies.js';
import type { BacktestServices, GraphQLContext } from '../context.js';
import { INTERVAL_MS, type CandleInterval } from '../domain/market.js';
import { AppError, badInput, ErrorCodes } from '../errors.js';
import { BacktestDataError, BacktestInputError } from '../jobs/backtest-data.js';
import type { BacktestJobInput } from '../jobs/backtest-input.js';
import { BacktestQueueFullError, type BacktestProgressEvent } from '../jobs/backtest-jobs.js';
import { TERMINAL, type BacktestJobRecord, type JobStatus } from '../jobs/backtest-store.js';
import { builder } from '../schema/builder.js';
import { CandleIntervalEnum } from '../schema/enums.js';
import {
  BacktestDataSourceEnum,
  BacktestEquityPointRef,
  BacktestExitReasonEnum,
  BacktestInputRef,
  BacktestJobKindEnum,
  BacktestJobRef,
  BacktestJobStatusEnum,
  BacktestMetricsRef,
  BacktestProgressRef,
  BacktestResultRef,
  BacktestSideEnum,
  BacktestStrategyEnum,
  BacktestTradeRef,
  OptimizableParameterEnum,
  OptimizationInputRef,
  OptimizationMethodEnum,
  OptimizationObjectiveEnum,
  OptimizationResultRef,
  ParameterValueRef,
  RankedCandidateRef,
  WalkForwardWindowRef,
  type StoredOptimization,
} from '../schema/refs-backtests.js';
import type { StoredBacktestResult } from '../jobs/backtest-jobs.js';

function backtests(ctx: GraphQLContext): { services: BacktestServices; auth: AuthContext } {
  const auth = requireScope(ctx, Scopes.BACKTESTS);
  if (!ctx.services.backtests) throw new AppError(ErrorCodes.NOT_READY, 'Backtests are not available on this instance yet.');
  return { services: ctx.services.backtests, auth };
}

/** Jobs are private to the key that started them; an admin key sees every job. */
const visible = (auth: AuthContext, r: BacktestJobRecord | undefined) => (r && (r.keyId === auth.keyId || hasScope(auth, Scopes.ADMIN)) ? r : undefined);

const pct = (fraction: number) => Math.round(fraction * 10_000) / 100;

// --- Types ---

BacktestMetricsRef.implement({
  description: 'Performance statistics of a backtest (risk-free rate 0, 365-day years; formulas in README Backtests).',
  fields: (t) => ({
    initialEquity: t.exposeFloat('initialEquity', { description: 'Starting equity (quote currency).' }),
    finalEquity: t.exposeFloat('finalEquity', { description: 'Equity after the last bar (quote currency).' }),
    totalReturn: t.exposeFloat('totalReturn', { description: 'finalEquity / initialEquity - 1, a fraction.' }),
    cagr: t.exposeFloat('cagr', { nullable: true, description: 'Compound annual growth rate, a fraction; null for a run shorter than one bar.' }),
    sharpe: t.exposeFloat('sharpe', { nullable: true, description: 'Annualised Sharpe ratio of the bar returns; null with fewer than two bars or no variance.' }),
    sortino: t.exposeFloat('sortino', { nullable: true, description: 'Annualised Sortino ratio (downside deviation over all bars); null without a losing bar.' }),
    maxDrawdown: t.exposeFloat('maxDrawdown', { description: 'Largest peak to trough fall of the equity curve, a fraction of the peak.' }),
    calmar: t.exposeFloat('calmar', { nullable: true, description: 'CAGR over maxDrawdown; null without a drawdown.' }),
    trades: t.exposeInt('trades', { description: 'Closed trades.' }),
    winRate: t.exposeFloat('winRate', { nullable: true, description: 'Winning trades over trades, a fraction; null without trades.' }),
    profitFactor: t.exposeFloat('profitFactor', { nullable: true, description: 'Gross profit over gross loss; null without a losing trade.' }),
    expectancy: t.exposeFloat('expectancy', { nullable: true, description: 'Mean net profit per trade (quote currency); null without trades.' }),
    exposure: t.exposeFloat('exposure', { description: 'Bars with an open position over bars simulated, a fraction.' }),
    fees: t.exposeFloat('fees', { description: 'Fees paid (quote currency).' }),
    funding: t.exposeFloat('funding', { description: 'Funding received (positive) or paid (negative), quote currency.' }),
  }),
});

BacktestTradeRef.implement({
  description: 'One backtest trade, entry to exit.',
  fields: (t) => ({
    side: t.field({ type: BacktestSideEnum, description: 'Long or short.', resolve: (x) => x.side }),
    entryTime: t.field({ type: 'DateTime', description: 'When it was filled.', resolve: (x) => x.entryTime }),
    entryPrice: t.exposeFloat('entryPrice', { description: 'Entry fill price after slippage.' }),
    exitTime: t.field({ type: 'DateTime', description: 'When it was closed.', resolve: (x) => x.exitTime }),
    exitPrice: t.exposeFloat('exitPrice', { description: 'Exit fill price after slippage.' }),
    quantity: t.exposeFloat('quantity', { description: 'Quantity in base units.' }),
    exitReason: t.field({ type: BacktestExitReasonEnum, description: 'Why it was closed.', resolve: (x) => x.exitReason }),
    fees: t.exposeFloat('fees', { description: 'Fees of both fills (quote currency).' }),
    funding: t.exposeFloat('funding', { description: 'Funding received (positive) or paid (negative) while open.' }),
    pnl: t.exposeFloat('pnl', { description: 'Price profit minus fees plus funding (quote currency).' }),
    returnFraction: t.exposeFloat('returnFraction', { description: 'pnl over the entry notional, a fraction.' }),
    bars: t.exposeInt('bars', { description: 'Bars it was open.' }),
  }),
});

BacktestEquityPointRef.implement({
  description: 'Equity marked at the close of a bar.',
  fields: (t) => ({
    time: t.field({ type: 'DateTime', description: 'Close time of the bar.', resolve: (p) => p.time }),
    equity: t.exposeFloat('equity', { description: 'Equity (quote currency).' }),
  }),
});

BacktestResultRef.implement({
  description: 'The outcome of a backtest.',
  fields: (t) => ({
    metrics: t.field({ type: BacktestMetricsRef, description: 'Performance statistics.', resolve: (r) => r.metrics }),
    equityCurve: t.field({ type: [BacktestEquityPointRef], description: 'Equity at the close of every simulated bar.', resolve: (r) => r.equityCurve }),
    trades: t.field({ type: [BacktestTradeRef], description: 'Every trade, in order.', resolve: (r) => r.trades }),
    bars: t.exposeInt('bars', { description: 'Bars simulated (after the warm-up).' }),
    warmUpBars: t.exposeInt('warmUpBars', { description: 'Bars before from the strategy read first (fewer than asked when the data does not reach back).' }),
    from: t.field({ type: 'DateTime', description: 'Open time of the first simulated bar.', resolve: (r) => r.from }),
    to: t.field({ type: 'DateTime', description: 'Close time of the last simulated bar.', resolve: (r) => r.to }),
  }),
});

const paramList = (set: Partial<Record<string, number>>) =>
  Object.entries(set).map(([parameter, value]) => ({ parameter: parameter as never, value: value as number }));

ParameterValueRef.implement({
  description: 'One parameter of a candidate.',
  fields: (t) => ({
    parameter: t.field({ type: OptimizableParameterEnum, description: 'The parameter.', resolve: (p) => p.parameter }),
    value: t.exposeFloat('value', { description: 'Its value.' }),
  }),
});

RankedCandidateRef.implement({
  description: 'A candidate and its score over the whole range.',
  fields: (t) => ({
    parameters: t.field({ type: [ParameterValueRef], description: 'The varied parameters.', resolve: (c) => paramList(c.params) }),
    score: t.exposeFloat('score', { nullable: true, description: 'Objective over every simulated bar; null when the metric is undefined.' }),
  }),
});

WalkForwardWindowRef.implement({
  description: 'One walk-forward fold: the in-sample winner and how it did on the bars right after.',
  fields: (t) => ({
    index: t.exposeInt('index', { description: 'Fold number from 0.' }),
    inSampleFrom: t.field({ type: 'DateTime', description: 'Open time of the first in-sample bar.', resolve: (w) => w.inSampleFrom }),
    inSampleTo: t.field({ type: 'DateTime', description: 'Open time of the first bar after the in-sample range.', resolve: (w) => w.inSampleTo }),
    outOfSampleFrom: t.field({ type: 'DateTime', description: 'Open time of the first out-of-sample bar.', resolve: (w) => w.outOfSampleFrom }),
    outOfSampleTo: t.field({ type: 'DateTime', description: 'End of the out-of-sample range.', resolve: (w) => w.outOfSampleTo }),
    bestParameters: t.field({ type: [ParameterValueRef], description: 'The in-sample winner.', resolve: (w) => paramList(w.bestParams) }),
    inSampleScore: t.exposeFloat('inSampleScore', { nullable: true, description: 'Objective of the winner in sample.' }),
    outOfSampleScore: t.exposeFloat('outOfSampleScore', { nullable: true, description: 'Objective of the same parameters out of sample.' }),
    degradation: t.exposeFloat('degradation', { nullable: true, description: 'inSampleScore - outOfSampleScore: large values mean the winner fitted noise.' }),
    efficiency: t.exposeFloat('efficiency', { nullable: true, description: 'outOfSampleScore / inSampleScore; null when the in-sample score is not positive.' }),
    inSampleMetrics: t.field({ type: BacktestMetricsRef, nullable: true, description: 'Every metric of the winner in sample.', resolve: (w) => w.inSampleMetrics }),
    outOfSampleMetrics: t.field({ type: BacktestMetricsRef, nullable: true, description: 'Every metric of the winner out of sample.', resolve: (w) => w.outOfSampleMetrics }),
  }),
});

OptimizationResultRef.implement({
  description: 'The outcome of an optimisation: per fold and overall, in-sample and out-of-sample scores next to the best parameters.',
  fields: (t) => ({
    method: t.field({ type: OptimizationMethodEnum, description: 'How candidates were chosen.', resolve: (r) => r.method }),
    objective: t.field({ type: OptimizationObjectiveEnum, description: 'The metric maximised.', resolve: (r) => r.objective }),
    candidates: t.exposeInt('candidates', { description: 'Parameter sets tried.' }),
    windows: t.field({ type: [WalkForwardWindowRef], description: 'The walk-forward folds, in time order.', resolve: (r) => r.windows }),
    meanInSampleScore: t.exposeFloat('meanInSampleScore', { nullable: true, description: 'Mean in-sample score of the fold winners.' }),
    meanOutOfSampleScore: t.exposeFloat('meanOutOfSampleScore', { nullable: true, description: 'Mean out-of-sample score of the fold winners: what to expect.' }),
    degradation: t.exposeFloat('degradation', { nullable: true, description: 'meanInSampleScore - meanOutOfSampleScore.' }),
    efficiency: t.exposeFloat('efficiency', { nullable: true, description: 'meanOutOfSampleScore / meanInSampleScore (walk-forward efficiency); null when the in-sample mean is not positive.' }),
    bestParameters: t.field({ type: [ParameterValueRef], description: 'The winner over every simulated bar.', resolve: (r) => paramList(r.bestParams) }),
    bestScore: t.exposeFloat('bestScore', { nullable: true, description: 'Its score over every simulated bar (in sample by construction).' }),
    ranking: t.field({ type: [RankedCandidateRef], description: 'The 10 best candidates over every simulated bar.', resolve: (r) => r.ranking }),
  }),
});

BacktestJobRef.implement({
  description: 'A backtest or optimisation job and, once it succeeded, its result.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Stable identifier.' }),
    kind: t.field({ type: BacktestJobKindEnum, description: 'Backtest or optimisation.', resolve: (r) => r.kind }),
    status: t.field({ type: BacktestJobStatusEnum, description: 'Where it stands.', resolve: (r) => r.status }),
    progressPct: t.float({ description: 'Percent done, 0 to 100 (as of the last progress report).', resolve: (r) => pct(r.progress) }),
    etaMs: t.exposeFloat('etaMs', { nullable: true, description: 'Estimated milliseconds left while RUNNING; null otherwise.' }),
    error: t.exposeString('error', { nullable: true, description: 'Why it FAILED.' }),
    attempts: t.exposeInt('attempts', { description: 'Runs started (a run interrupted by a restart runs again).' }),
    strategy: t.field({ type: BacktestStrategyEnum, description: 'The strategy.', resolve: (r) => r.input.strategy }),
    symbol: t.string({ description: 'The symbol.', resolve: (r) => r.input.symbol }),
    interval: t.field({ type: CandleIntervalEnum, description: 'The bar interval.', resolve: (r) => r.input.interval }),
    from: t.field({ type: 'DateTime', description: 'Requested start.', resolve: (r) => r.input.from }),
    to: t.field({ type: 'DateTime', description: 'Requested end.', resolve: (r) => r.input.to }),
    dataSource: t.field({ type: BacktestDataSourceEnum, description: 'Where the bars come from.', resolve: (r) => r.input.data.source }),
    input: t.field({ type: 'JSON', description: 'The whole input as stored, every default filled in.', resolve: (r) => r.input }),
    createdAt: t.field({ type: 'DateTime', description: 'When it was started.', resolve: (r) => r.createdAt }),
    startedAt: t.field({ type: 'DateTime', nullable: true, description: 'When its last run began.', resolve: (r) => r.startedAt }),
    finishedAt: t.field({ type: 'DateTime', nullable: true, description: 'When it succeeded, failed or was cancelled.', resolve: (r) => r.finishedAt }),
    result: t.field({
      type: BacktestResultRef,
      nullable: true,
      description: 'The backtest result once SUCCEEDED (null for an optimisation, and in backtests listings: ask backtest(id)).',
      resolve: (r) => (r.kind === 'BACKTEST' && r.status === 'SUCCEEDED' && r.result ? (r.result as StoredBacktestResult) : null),
    }),
    optimization: t.field({
      type: OptimizationResultRef,
      nullable: true,
      description: 'The optimisation result once SUCCEEDED (null for a backtest, and in backtests listings).',
      resolve: (r) => (r.kind === 'OPTIMIZATION' && r.status === 'SUCCEEDED' && r.result ? (r.result as StoredOptimization) : null),
    }),
  }),
});

BacktestProgressRef.implement({
  description: 'A progress report of a job.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The job.' }),
    status: t.field({ type: BacktestJobStatusEnum, description: 'Its state.', resolve: (e) => e.status }),
    progressPct: t.float({ description: 'Percent done, 0 to 100.', resolve: (e) => pct(e.progress) }),
    done: t.exposeInt('done', { nullable: true, description: 'Work done: bars for a backtest, backtests for an optimisation; null when not reported.' }),
    total: t.exposeInt('total', { nullable: true, description: 'Work in all, in the same unit.' }),
    etaMs: t.exposeFloat('etaMs', { nullable: true, description: 'Estimated milliseconds left at the rate so far; null when unknown or finished.' }),
    error: t.exposeString('error', { nullable: true, description: 'Why it FAILED.' }),
    at: t.field({ type: 'DateTime', description: 'When this was reported.', resolve: (e) => e.at }),
  }),
});

// --- Input checking ---

interface BacktestArg {
  strategy: StrategyKind;
  params?: Record<string, unknown> | null;
  symbol: string;
  interval: CandleInterval;
  from: number;
  to: number;
  data?: { source: 'ARCHIVE' | 'REPLAY'; venue?: string | null; recording?: string | null } | null;
  feeBps?: number | null;
  slippageBps?: number | null;
  funding?: boolean | null;
  initialEquity?: number | null;
  positionFraction?: number | null;
  warmUpBars?: number | null;
}

interface OptimizationArg {
  method: 'GRID' | 'RANDOM';
  ranges: Array<{ parameter: ParamRange['name']; min: number; max: number; step: number }>;
  objective?: OptimizeSettings['objective'] | null;
  samples?: number | null;
  seed?: number | null;
  windows?: number | null;
  inSampleFraction?: number | null;
}

/** Strategy parameters as given: undefined keeps a default, null clears the nullable ones. */
function strategyParams(raw: Record<string, unknown> | null | undefined): Partial<StrategyParams> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw ?? {})) {
    if (v === undefined) continue;
    if (v === null && !['stopAtr', 'targetAtr', 'minConfidence'].includes(k)) continue;
    out[k] = v;
  }
  return out as Partial<StrategyParams>;
}

function checkInput(services: BacktestServices, ctx: GraphQLContext, a: BacktestArg): BacktestJobInput {
  const symbol = a.symbol.trim().toUpperCase();
  const iv = INTERVAL_MS[a.interval];
  if (!(a.from < a.to)) throw badInput(`from (${new Date(a.from).toISOString()}) must be before to (${new Date(a.to).toISOString()})`);
  if (a.to > services.now() + iv) throw badInput(`to (${new Date(a.to).toISOString()}) is in the future`);
  const bars = Math.ceil((a.to - a.from) / iv);
  if (bars > services.maxBars) throw badInput(`the range holds ${bars} ${a.interval} bars; at most ${services.maxBars} (BACKTEST_MAX_BARS)`);
  const source = a.data?.source ?? 'ARCHIVE';
  let data: BacktestJobInput['data'];
  if (source === 'ARCHIVE') {
    if (!ctx.services.hasSymbol(symbol)) throw badInput(`symbol ${symbol} is not configured (configured: ${ctx.services.symbols().map((s) => s.symbol).join(', ')})`);
    const venue = a.data?.venue ?? services.defaultVenue();
    if (!venue) throw badInput('data.venue is required on this instance (it runs no market source)');
    data = { source: 'ARCHIVE', venue };
  } else {
    if (!a.data?.recording) throw badInput('data.recording is required with source REPLAY');
    data = { source: 'REPLAY', recording: a.data.recording };
  }
  const num = (name: string, v: number | null | undefined, dflt: number, ok: (x: number) => boolean, rule: string) => {
    const x = v ?? dflt;
    if (!Number.isFinite(x) || !ok(x)) throw badInput(`${name} must be ${rule}, got ${x}`);
    return x;
  };
  const params = strategyParams(a.params);
  try {
    createStrategy(a.strategy, params);
  } catch (error) {
    throw badInput(`params: ${(error as Error).message}`);
  }
  return {
    strategy: a.strategy,
    params,
    symbol,
    interval: a.interval,
    from: a.from,
    to: a.to,
    data,
    feeBps: num('feeBps', a.feeBps, 4, (x) => x >= 0 && x <= 1_000, 'in 0..1000'),
    slippageBps: num('slippageBps', a.slippageBps, 2, (x) => x >= 0 && x <= 1_000, 'in 0..1000'),
    funding: a.funding ?? true,
    initialEquity: num('initialEquity', a.initialEquity, 10_000, (x) => x > 0, '> 0'),
    positionFraction: num('positionFraction', a.positionFraction, 1, (x) => x > 0 && x <= 10, 'in (0, 10]'),
    warmUpBars: num('warmUpBars', a.warmUpBars, 300, (x) => Number.isInteger(x) && x >= 0 && x <= 5_000, 'an integer in 0..5000'),
  };
}

function checkOptimization(services: BacktestServices, input: BacktestJobInput, o: OptimizationArg): OptimizeSettings {
  if (o.ranges.length < 1 || o.ranges.length > 4) throw badInput(`optimization.ranges: 1 to 4 parameters, got ${o.ranges.length}`);
  const settings: OptimizeSettings = {
    method: o.method,
    ranges: o.ranges.map((r) => ({ name: r.parameter, min: r.min, max: r.max, step: r.step })),
    objective: o.objective ?? 'SHARPE',
    samples: o.samples ?? 20,
    seed: o.seed ?? 1,
    windows: o.windows ?? 4,
    inSampleFraction: o.inSampleFraction ?? 0.7,
  };
  if (!(settings.windows! >= 1 && settings.windows! <= 20)) throw badInput(`optimization.windows must be 1 to 20, got ${settings.windows}`);
  let sets;
  try {
    sets = candidates(settings);
    walkForwardWindows(Math.ceil((input.to - input.from) / INTERVAL_MS[input.interval]), settings.windows!, settings.inSampleFraction!);
  } catch (error) {
    throw badInput(`optimization: ${(error as Error).message}`);
  }
  const evaluations = sets.length * (settings.windows! + 1) + settings.windows!;
  if (evaluations > services.maxEvaluations)
    throw badInput(`optimization: ${sets.length} candidates × (${settings.windows} windows + 1) + ${settings.windows} = ${evaluations} backtests; at most ${services.maxEvaluations} (BACKTEST_MAX_EVALUATIONS)`);
  for (const set of sets) {
    try {
      createStrategy(input.strategy, { ...input.params, ...set });
    } catch (error) {
      throw badInput(`optimization.ranges: ${(error as Error).message}`);
    }
  }
  return settings;
}

async function submit(ctx: GraphQLContext, a: BacktestArg, o?: OptimizationArg) {
  const { services, auth } = backtests(ctx);
  const input = checkInput(services, ctx, a);
  if (o) input.optimize = checkOptimization(services, input, o);
  try {
    return await services.jobs.submit(input, auth.keyId);
  } catch (error) {
    if (error instanceof BacktestInputError) throw badInput(error.message);
    if (error instanceof BacktestDataError) throw new AppError(ErrorCodes.NOT_READY, error.message);
    if (error instanceof BacktestQueueFullError) throw new AppError(ErrorCodes.LIMIT_EXCEEDED, error.message, { limit: 'backtests' });
    throw error;
  }
}

// --- Mutations ---

builder.mutationField('startBacktest', (t) =>
  t.field({
    type: BacktestJobRef,
    description: 'Starts a backtest job (queued, run in a worker thread off the request path); follow it with backtest(id) or backtestProgress(id). Needs the BACKTESTS scope.',
    extensions: { [SCOPE_EXTENSION]: Scopes.BACKTESTS },
    args: { input: t.arg({ type: BacktestInputRef, required: true, description: 'What to backtest.' }) },
    resolve: (_root, args, ctx) => submit(ctx, args.input as unknown as BacktestArg),
  }),
);

builder.mutationField('startOptimization', (t) =>
  t.field({
    type: BacktestJobRef,
    description: 'Starts a parameter search with walk-forward validation over the backtest input; the result is in optimization. Needs the BACKTESTS scope.',
    extensions: { [SCOPE_EXTENSION]: Scopes.BACKTESTS },
    args: {
      input: t.arg({ type: BacktestInputRef, required: true, description: 'The backtest whose parameters are varied (params give the fixed ones).' }),
      optimization: t.arg({ type: OptimizationInputRef, required: true, description: 'How to search.' }),
    },
    resolve: (_root, args, ctx) => submit(ctx, args.input as unknown as BacktestArg, args.optimization as unknown as OptimizationArg),
  }),
);

builder.mutationField('cancelBacktest', (t) =>
  t.field({
    type: BacktestJobRef,
    description: 'Cancels a QUEUED or RUNNING job (a finished one is returned unchanged); NOT_FOUND when there is no such job of this key. Needs the BACKTESTS scope.',
    extensions: { [SCOPE_EXTENSION]: Scopes.BACKTESTS },
    args: { id: t.arg.id({ required: true, description: 'The job.' }) },
    resolve: async (_root, args, ctx) => {
      const { services, auth } = backtests(ctx);
      const id = String(args.id);
      if (!visible(auth, await services.jobs.get(id))) throw new AppError(ErrorCodes.NOT_FOUND, `no backtest job ${id}`);
      return (await services.jobs.cancel(id))!;
    },
  }),
);

// --- Queries ---

builder.queryField('backtest', (t) =>
  t.field({
    type: BacktestJobRef,
    nullable: true,
    description: 'A job of this key (any job with an admin key) with its result; null when there is none. Needs the BACKTESTS scope.',
    extensions: { [SCOPE_EXTENSION]: Scopes.BACKTESTS },
    args: { id: t.arg.id({ required: true, description: 'The job.' }) },
    resolve: async (_root, args, ctx) => {
      const { services, auth } = backtests(ctx);
      return visible(auth, await services.jobs.get(String(args.id))) ?? null;
    },
  }),
);

builder.queryField('backtests', (t) =>
  t.field({
    type: [BacktestJobRef],
    description: 'Jobs of this key (every job with an admin key), newest first, without results. Needs the BACKTESTS scope.',
    extensions: { [SCOPE_EXTENSION]: Scopes.BACKTESTS },
    args: {
      first: t.arg.int({ description: 'How many (1 to 100, default 20).' }),
      status: t.arg({ type: BacktestJobStatusEnum, description: 'Only jobs in this state.' }),
    },
    resolve: async (_root, args, ctx) => {
      const { services, auth } = backtests(ctx);
      const first = args.first ?? 20;
      if (!(first >= 1 && first <= 100)) throw badInput(`first must be 1 to 100, got ${first}`);
      return services.jobs.list({ keyId: hasScope(auth, Scopes.ADMIN) ? null : auth.keyId, first, ...(args.status ? { status: args.status as JobStatus } : {}) });
    },
  }),
);

// --- Subscriptions ---

builder.subscriptionField('backtestProgress', (t) =>
  t.field({
    type: BacktestProgressRef,
    description: 'Progress of a job: its state now, then a report at most every BACKTEST_PROGRESS_EVERY_MS while it runs; ends after the report of its final state. Needs the BACKTESTS scope.',
    extensions: { [SCOPE_EXTENSION]: Scopes.BACKTESTS },
    args: { id: t.arg.id({ required: true, description: 'The job.' }) },
    subscribe: async (_root, args, ctx) => {
      const { services, auth } = backtests(ctx);
      const id = String(args.id);
      // Listening before reading the state: no report falls in between.
      const source = ctx.services.pubsub.subscribe('backtest:progress', id);
      const record = visible(auth, await services.jobs.get(id));
      if (!record) {
        void source.return?.(undefined);
        throw new AppError(ErrorCodes.NOT_FOUND, `no backtest job ${id}`);
      }
      return (async function* (): AsyncGenerator<BacktestProgressEvent> {
        try {
          yield services.jobs.snapshot(record);
          if (TERMINAL.has(record.status)) return;
          for await (const event of source) {
            yield event;
            if (TERMINAL.has(event.status)) return;
          }
        } finally {
          void source.return?.(undefined);
        }
      })();
    },
    resolve: (event) => event,
  }),
);
