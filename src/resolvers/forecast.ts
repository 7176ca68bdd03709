import { FORECAST_HORIZON_ORDER, type ForecastAnalysis, type ForecastHorizon } from '../analyzers/forecast.types.js';
import type { AnalysisRecord } from '../domain/analysis.js';
import { builder } from '../schema/builder.js';
import { CandleIntervalEnum } from '../schema/enums.js';
import { AnalysisMetaRef, FactorRef, MarketRef, type WithMeta } from '../schema/refs.js';
import {
  ForecastCoverageRef,
  ForecastEvaluationRef,
  ForecastHitRateRef,
  ForecastHorizonEnum,
  ForecastHorizonEvaluationRef,
  ForecastIntervalRef,
  ForecastLogScoreRef,
  ForecastRef,
  ForecastThresholdsRef,
  GarchModelRef,
  HorizonForecastRef,
} from '../schema/refs-forecast.js';
import { FORECAST_INTERVAL } from '../engine/definitions/forecast.js';
import { analysisUpdates, requireLatest, requireSymbol, withMeta } from './shared.js';

/** The result restricted to `horizons` (the default record holds all three); beatsBaseline re-judged over them. */
export function selectHorizons(a: WithMeta<ForecastAnalysis>, horizons: readonly ForecastHorizon[] | null | undefined): WithMeta<ForecastAnalysis> {
  if (!horizons || horizons.length === 0) return a;
  const keep = new Set(horizons);
  const evaluation = a.evaluation ? { ...a.evaluation, horizons: a.evaluation.horizons.filter((e) => keep.has(e.horizon)) } : null;
  const judged = evaluation?.horizons ?? [];
  const beatsBaseline = judged.length === 0 || judged.some((e) => e.beatsBaseline === null) ? null : judged.every((e) => e.beatsBaseline === true);
  return { ...a, horizons: a.horizons.filter((h) => keep.has(h.horizon)), evaluation, beatsBaseline };
}

// --- Object types ---

GarchModelRef.implement({
  description: 'The GARCH(1,1) fitted on the 1 h log returns (Gaussian quasi maximum likelihood, variance targeting), and the drift used.',
  fields: (t) => ({
    omega: t.exposeFloat('omega', { description: 'ω = unconditionalVariance × (1 − α − β): variance targeting fixes it from the sample variance.' }),
    alpha: t.exposeFloat('alpha', { description: 'α: weight of the last squared shock in the next variance.' }),
    beta: t.exposeFloat('beta', { description: 'β: weight of the last conditional variance in the next.' }),
    persistence: t.exposeFloat('persistence', { description: 'α + β, below 1 (stationary; the search keeps it at most 0.999).' }),
    halfLifeBars: t.exposeFloat('halfLifeBars', { nullable: true, description: 'Bars for a variance shock to halve, ln 0.5 / ln(α + β); null when α + β = 0.' }),
    unconditionalVariance: t.exposeFloat('unconditionalVariance', { description: 'Sample variance of the 1 h log returns about their mean (the targeted long-run variance).' }),
    logLikelihood: t.exposeFloat('logLikelihood', { description: 'Gaussian log-likelihood at the fitted parameters.' }),
    returns: t.exposeInt('returns', { description: 'Log returns fitted.' }),
    sampleMean: t.exposeFloat('sampleMean', { description: 'Sample mean 1 h log return (before shrinkage).' }),
    sampleMeanStandardError: t.exposeFloat('sampleMeanStandardError', { description: 'Standard error of the sample mean, σ / √n.' }),
    driftShrinkage: t.exposeFloat('driftShrinkage', { description: 'James–Stein style factor max(0, 1 − (standard error / mean)²), 0..1: 0 drops a mean that does not stand out of its noise.' }),
    drift: t.exposeFloat('drift', { description: 'Drift per 1 h bar used by the forecasts: sampleMean × driftShrinkage (log return).' }),
    nextVariance: t.exposeFloat('nextVariance', { description: 'Conditional variance of the next 1 h log return.' }),
  }),
});

ForecastIntervalRef.implement({
  description: 'A central prediction interval of the price at the horizon, by filtered historical simulation.',
  fields: (t) => ({
    level: t.exposeFloat('level', { description: 'Nominal coverage, fraction: 0.5, 0.8 or 0.95.' }),
    low: t.exposeFloat('low', { description: 'Lower price bound (quote currency, on the tick grid).' }),
    high: t.exposeFloat('high', { description: 'Upper price bound (quote currency, on the tick grid).' }),
    lowReturn: t.exposeFloat('lowReturn', { description: 'Lower bound as a log return from the last close.' }),
    highReturn: t.exposeFloat('highReturn', { description: 'Upper bound as a log return from the last close.' }),
  }),
});

HorizonForecastRef.implement({
  description: 'The forecast for one horizon: expected return, volatility, direction and price intervals.',
  fields: (t) => ({
    horizon: t.field({ type: ForecastHorizonEnum, description: 'H1, H4 or D1.', resolve: (h) => h.horizon }),
    steps: t.exposeInt('steps', { description: '1 h bars ahead (1, 4 or 24).' }),
    targetTime: t.field({ type: 'DateTime', description: 'Close time of the bar the forecast is about.', resolve: (h) => h.targetTime }),
    expectedReturn: t.exposeFloat('expectedReturn', { description: 'Expected log return from the last close to the target: drift × steps (usually 0: the drift is shrunk away unless it stands out).' }),
    expectedPrice: t.exposeFloat('expectedPrice', { description: 'close × exp(expectedReturn), quote currency (on the tick grid).' }),
    volatility: t.exposeFloat('volatility', { description: 'Standard deviation of the log return to the target, fraction (0.01 = 1 %): square root of the summed GARCH variance forecasts.' }),
    upProbability: t.exposeFloat('upProbability', { description: 'Probability, fraction 0..1, that the price at the target is above the last close (share of the simulated distribution).' }),
    intervals: t.field({ type: [ForecastIntervalRef], description: 'Levels 0.5, 0.8 and 0.95 in that order.', resolve: (h) => h.intervals }),
    factors: t.field({ type: [FactorRef], description: 'What moved the forecast: drift and residual asymmetry (their contributions sum to 2 × (upProbability − 0.5)), the volatility state and its persistence (weight 0: they set the interval width, not the direction).', resolve: (h) => h.factors }),
    beatsBaseline: t.exposeBoolean('beatsBaseline', { nullable: true, description: 'The evaluation found the model better than the random walk at this horizon (log score, 1.96 standard errors); null when not evaluated.' }),
    calibrated: t.exposeBoolean('calibrated', { nullable: true, description: 'The 80 % interval held 75 to 85 % of outcomes out of sample at this horizon; false means miscalibrated; null when not evaluated.' }),
  }),
});

ForecastCoverageRef.implement({
  description: 'Out-of-sample coverage of one interval level at one horizon.',
  fields: (t) => ({
    horizon: t.field({ type: ForecastHorizonEnum, description: 'Horizon of the intervals.', resolve: (c) => c.horizon }),
    level: t.exposeFloat('level', { description: 'Interval level, fraction (0.5, 0.8, 0.95).' }),
    expected: t.exposeFloat('expected', { description: 'Nominal coverage, fraction (equal to level).' }),
    observed: t.exposeFloat('observed', { description: 'Share of realised outcomes inside the interval, fraction.' }),
    samples: t.exposeInt('samples', { description: 'Out-of-sample forecasts judged (overlapping for H4 and D1).' }),
    calibrated: t.exposeBoolean('calibrated', { description: '|observed − expected| at most calibrationTolerance (default 0.05); false means miscalibrated.' }),
  }),
});

ForecastLogScoreRef.implement({
  description: 'Mean Gaussian log score of the realised outcomes, model against the random walk (zero drift, training sample variance).',
  fields: (t) => ({
    horizon: t.field({ type: ForecastHorizonEnum, description: 'Horizon scored.', resolve: (s) => s.horizon }),
    model: t.exposeFloat('model', { description: 'Mean log density of the outcomes under N(drift × steps, GARCH h-step variance).' }),
    baseline: t.exposeFloat('baseline', { description: 'Mean log density under the random walk N(0, steps × training sample variance).' }),
    difference: t.exposeFloat('difference', { description: 'model − baseline: positive when the model is better.' }),
    standardError: t.exposeFloat('standardError', { description: 'Newey–West standard error of the difference (steps − 1 lags: overlapping outcomes).' }),
    samples: t.exposeInt('samples', { description: 'Out-of-sample forecasts scored.' }),
    beatsBaseline: t.exposeBoolean('beatsBaseline', { description: 'difference > 1.96 × standardError.' }),
  }),
});

ForecastHitRateRef.implement({
  description: 'Directional hit rate out of sample: calls (upProbability not 0.5) whose side matched the realised return.',
  fields: (t) => ({
    horizon: t.field({ type: ForecastHorizonEnum, description: 'Horizon judged.', resolve: (s) => s.horizon }),
    rate: t.exposeFloat('rate', { description: 'Hits / calls, fraction 0..1 (0.5 is a coin).' }),
    low: t.exposeFloat('low', { description: 'Lower bound of the Wilson 95 % interval of the rate, fraction.' }),
    high: t.exposeFloat('high', { description: 'Upper bound of the Wilson 95 % interval of the rate, fraction.' }),
    samples: t.exposeInt('samples', { description: 'Directional calls judged.' }),
    effectiveSamples: t.exposeFloat('effectiveSamples', { description: 'samples / steps, the sample size of the Wilson interval (overlapping outcomes count once per horizon).' }),
  }),
});

ForecastHorizonEvaluationRef.implement({
  description: 'Whether one horizon could be evaluated, and its verdict.',
  fields: (t) => ({
    horizon: t.field({ type: ForecastHorizonEnum, description: 'Horizon evaluated.', resolve: (e) => e.horizon }),
    steps: t.exposeInt('steps', { description: '1 h bars ahead.' }),
    samples: t.exposeInt('samples', { description: 'Out-of-sample forecasts available.' }),
    beatsBaseline: t.exposeBoolean('beatsBaseline', { nullable: true, description: 'Log score better than the random walk by more than 1.96 standard errors; null when not evaluated.' }),
    reason: t.exposeString('reason', { nullable: true, description: 'Why there is no verdict (too few out-of-sample forecasts); null when there is one.' }),
  }),
});

ForecastEvaluationRef.implement({
  description:
    'Rolling out-of-sample evaluation over the held history (no look-ahead): the model refitted every refitEvery bars on the returns before each forecast origin, each forecast judged against what happened.',
  fields: (t) => ({
    from: t.field({ type: 'DateTime', description: 'Close time of the bar of the first evaluated forecast origin.', resolve: (e) => e.from }),
    to: t.field({ type: 'DateTime', description: 'Close time of the bar of the last evaluated forecast origin.', resolve: (e) => e.to }),
    refitEvery: t.exposeInt('refitEvery', { description: 'Bars between two refits (in between the model only filters new returns).' }),
    evaluationStart: t.exposeInt('evaluationStart', { description: 'Returns in the first training window.' }),
    horizons: t.field({ type: [ForecastHorizonEvaluationRef], description: 'One per requested horizon, with the reason when it could not be judged.', resolve: (e) => e.horizons }),
    coverage: t.field({ type: [ForecastCoverageRef], description: 'Coverage per evaluated horizon and level (0.5, 0.8, 0.95).', resolve: (e) => e.horizons.flatMap((h) => h.coverage) }),
    logScoreVsBaseline: t.field({
      type: [ForecastLogScoreRef],
      description: 'Log score against the random-walk baseline per evaluated horizon.',
      resolve: (e) => e.horizons.flatMap((h) => (h.logScore ? [{ ...h.logScore, horizon: h.horizon, beatsBaseline: h.beatsBaseline === true }] : [])),
    }),
    directionalHitRate: t.field({
      type: [ForecastHitRateRef],
      description: 'Directional hit rate (fraction) with its Wilson interval per evaluated horizon with directional calls.',
      resolve: (e) => e.horizons.flatMap((h) => (h.hitRate ? [{ ...h.hitRate, horizon: h.horizon }] : [])),
    }),
    beatsBaseline: t.boolean({
      nullable: true,
      description: 'True when every listed horizon beats the random walk out of sample; false when one does not; null when one could not be judged.',
      resolve: (e) => (e.horizons.some((h) => h.beatsBaseline === null) || e.horizons.length === 0 ? null : e.horizons.every((h) => h.beatsBaseline === true)),
    }),
    calibrated: t.boolean({
      nullable: true,
      description: 'True when every judged interval (each horizon and level) is within tolerance of its level; false means miscalibrated somewhere (see coverage); null when nothing was judged.',
      resolve: (e) => {
        const cells = e.horizons.flatMap((h) => h.coverage);
        return cells.length === 0 ? null : cells.every((c) => c.calibrated);
      },
    }),
  }),
});

ForecastThresholdsRef.implement({
  description: 'The settings the forecast and its evaluation used.',
  fields: (t) => ({
    minFitReturns: t.exposeInt('minFitReturns', { description: 'Fewest contiguous 1 h returns the model is fitted on (else warming up). Default 200.' }),
    evaluationStart: t.exposeInt('evaluationStart', { description: 'Returns in the first training window of the evaluation. Default 300.' }),
    refitEvery: t.exposeInt('refitEvery', { description: 'Bars between refits in the evaluation. Default 24.' }),
    minEvaluationSamples: t.exposeInt('minEvaluationSamples', { description: 'Fewest out-of-sample forecasts before a horizon is judged. Default 100.' }),
    calibrationTolerance: t.exposeFloat('calibrationTolerance', { description: 'Largest |observed − nominal coverage|, fraction, still called calibrated. Default 0.05.' }),
    beatZ: t.exposeFloat('beatZ', { description: 'Standard errors the log-score gain must exceed to beat the baseline. Default 1.96.' }),
  }),
});

ForecastRef.implement({
  description:
    'Calibrated forecasts from a GARCH(1,1) on 1 h log returns: expected return, volatility, probability up and 50/80/95 % price intervals per horizon, with a rolling out-of-sample evaluation (coverage, log score against the random walk, hit rate) that says when the model has no edge. Analysis, not advice.',
  fields: (t) => ({
    symbol: t.exposeString('symbol', { description: 'Venue symbol, e.g. BTCUSDT.' }),
    interval: t.field({ type: CandleIntervalEnum, description: 'Candle interval modelled (I1H).', resolve: () => FORECAST_INTERVAL }),
    time: t.field({ type: 'DateTime', nullable: true, description: 'Close time of the latest closed 1 h candle.', resolve: (a) => a.time }),
    close: t.exposeFloat('close', { nullable: true, description: 'Close of the latest closed 1 h candle (quote currency).' }),
    returns: t.exposeInt('returns', { description: 'Log returns of the trailing contiguous run of 1 h candles (a gap in the candles ends the run).' }),
    warmingUp: t.exposeBoolean('warmingUp', { description: 'Too few returns to fit the model: horizons is empty, see reason.' }),
    reason: t.exposeString('reason', { nullable: true, description: 'Why there is no forecast; null when there is one.' }),
    model: t.field({ type: GarchModelRef, nullable: true, description: 'The fitted model; null without a forecast.', resolve: (a) => a.model }),
    horizons: t.field({ type: [HorizonForecastRef], description: 'One forecast per requested horizon (H1, H4, D1 order); empty while warming up.', resolve: (a) => a.horizons }),
    evaluation: t.field({ type: ForecastEvaluationRef, nullable: true, description: 'The out-of-sample evaluation; null with too little history (see evaluationReason), never zeros.', resolve: (a) => a.evaluation }),
    evaluationReason: t.exposeString('evaluationReason', { nullable: true, description: 'Why there is no evaluation; null when there is one.' }),
    beatsBaseline: t.exposeBoolean('beatsBaseline', {
      nullable: true,
      description: 'False when the model does not beat the random walk out of sample at some requested horizon (treat its direction as noise); true when it beats it at all; null without a verdict.',
    }),
    thresholds: t.field({ type: ForecastThresholdsRef, description: 'The settings used.', resolve: (a) => a.thresholds }),
    meta: t.field({ description: 'Provenance and freshness of this result (source, venue, asOf, age, staleness, methodology version).', type: AnalysisMetaRef, resolve: (a) => a.meta }),
  }),
});

// --- Queries ---

builder.objectField(MarketRef, 'forecast', (t) =>
  t.field({
    type: ForecastRef,
    nullable: true,
    description: 'GARCH(1,1) forecasts of the price 1 h, 4 h and 1 d ahead with their out-of-sample evaluation, recomputed when a 1 h candle closes.',
    args: {
      horizons: t.arg({
        type: [ForecastHorizonEnum],
        required: false,
        description: 'Horizons to return (default all: H1, H4, D1); the evaluation and beatsBaseline cover these only.',
      }),
    },
    resolve: async (m, args, ctx) => {
      const record = await requireLatest(ctx, 'FORECAST', m.symbol);
      const horizons = args.horizons ? FORECAST_HORIZON_ORDER.filter((h) => args.horizons!.includes(h)) : null;
      return selectHorizons(withMeta<ForecastAnalysis>(ctx, record), horizons);
    },
  }),
);

// --- Subscriptions ---

builder.subscriptionField('forecastUpdated', (t) =>
  t.field({
    type: ForecastRef,
    description: 'The forecast of one symbol: the latest result at once on subscribe, then each time it is recomputed to a different result (when a 1 h candle closes).',
    args: { symbol: t.arg.string({ description: 'Symbol of a configured market, e.g. BTCUSDT (case-insensitive).', required: true }) },
    subscribe: (_root, args, ctx) => analysisUpdates(ctx, 'FORECAST', requireSymbol(ctx, args.symbol)),
    resolve: (record: AnalysisRecord, _args, ctx) => withMeta<ForecastAnalysis>(ctx, record),
  }),
);
