import { z } from 'zod';
import { DEFAULT_REGIME_THRESHOLDS, type RegimeAnalysis } from '../analyzers/regime.types.js';
import type { AnalysisRecord } from '../domain/analysis.js';
import type { CandleInterval } from '../domain/market.js';
import type { RegimeParams } from '../engine/definitions/regime.js';
import { builder } from '../schema/builder.js';
import { CandleIntervalEnum } from '../schema/enums.js';
import { AnalysisMetaRef, FactorRef, MarketRef } from '../schema/refs.js';
import {
  MarketPhaseEnum,
  MarketRegimeEnum,
  PhaseEvidenceRef,
  RegimeAnalysisRef,
  RegimeShortfallEnum,
  RegimeThresholdsRef,
  ReturnTendencyEnum,
  TimeframeRegimeRef,
  TimeframeSourceEnum,
  VarianceRatioRef,
} from '../schema/refs-regime.js';
import { requireLatest, requireSymbol, withMeta, requireLatestWith, analysisUpdates } from './shared.js';

const D = DEFAULT_REGIME_THRESHOLDS;

// --- Object types ---

TimeframeRegimeRef.implement({
  description: 'Trend or range on one timeframe (efficiency ratio + slope over `lookback` bars).',
  fields: (t) => ({
    timeframe: t.field({ description: 'Timeframe (I1H, I4H, I1D or I1W).', type: CandleIntervalEnum, resolve: (f) => f.timeframe as CandleInterval }),
    source: t.field({ description: 'Where the candles came from (held, or derived from a smaller interval).', type: TimeframeSourceEnum, resolve: (f) => f.source }),
    bars: t.exposeInt('bars', { description: 'Closed candles available after derivation.' }),
    hasData: t.exposeBoolean('hasData', { description: 'False when fewer than lookback + 1 bars: nothing is classified, see `note`.' }),
    shortfall: t.field({
      description: 'Why there are too few bars: WARMING_UP (more will come) or SOURCE_HISTORY (the recordings are too short; a replay); null when hasData.',
      type: RegimeShortfallEnum,
      nullable: true,
      resolve: (f) => f.shortfall ?? null,
    }),
    regime: t.field({ description: 'TREND_UP, TREND_DOWN or RANGE; null without data.', type: MarketRegimeEnum, nullable: true, resolve: (f) => f.regime }),
    efficiencyRatio: t.exposeFloat('efficiencyRatio', { nullable: true, description: 'Net change / path length over the window, −1..1.' }),
    slopePctPerBar: t.exposeFloat('slopePctPerBar', { nullable: true, description: 'OLS slope of ln(close), % per bar.' }),
    adx: t.exposeFloat('adx', { nullable: true, description: 'ADX (evidence only, not in the rule); null with fewer than 2 × adxPeriod bars.' }),
    time: t.field({ type: 'DateTime', nullable: true, description: 'Close time of the latest bar.', resolve: (f) => f.time }),
    note: t.exposeString('note', { description: 'Plain-language reading of the values, or why some are null.' }),
  }),
});

VarianceRatioRef.implement({
  description: 'Lo–MacKinlay variance ratio of 1 h log returns: ≈ 1 random walk, > 1 trend continuation, < 1 mean reversion.',
  fields: (t) => ({
    period: t.exposeInt('period', { description: 'Aggregation period q.' }),
    returns: t.exposeInt('returns', { description: 'Returns used (T).' }),
    ratio: t.exposeFloat('ratio', { description: 'Lo–MacKinlay VR(q) with the overlapping, bias-corrected estimator.' }),
    z: t.exposeFloat('z', { description: 'Homoskedastic z statistic of VR − 1.' }),
  }),
});

PhaseEvidenceRef.implement({
  description: 'Evidence behind the 4 h phase.',
  fields: (t) => ({
    priorChangePct: t.exposeFloat('priorChangePct', { description: 'Net change of the `lookback` 4 h bars before the current window, percent (5 = 5 %).' }),
    rangeWidthPct: t.exposeFloat('rangeWidthPct', { description: 'High–low span of the current window, percent of its low.' }),
    obvSlope: t.exposeFloat('obvSlope', { description: 'OLS slope of OBV over the window per bar / mean bar volume.' }),
    cvdSlope: t.exposeFloat('cvdSlope', {
      nullable: true,
      description: 'OLS slope of CVD (taker buy − sell) over the window per bar / mean bar volume; null when a bar of the window has no taker-buy volume (the phase then rests on OBV alone, see cvdNote).',
    }),
    cvdNote: t.exposeString('cvdNote', { nullable: true, description: 'Why cvdSlope is null (plain words); null when it was measured.' }),
  }),
});

RegimeThresholdsRef.implement({
  description: 'The parameters used (defaults unless given as arguments).',
  fields: (t) => ({
    lookback: t.exposeInt('lookback', { description: 'Bars of the efficiency ratio and slope window per timeframe. Default 20.' }),
    trendEfficiency: t.exposeFloat('trendEfficiency', { description: '|efficiency ratio| at or above which a timeframe trends. Default 0.3.' }),
    adxPeriod: t.exposeInt('adxPeriod', { description: 'ADX period (trading-signals `ADX`; reported as evidence, not in the rule). Default 14.' }),
    varianceRatioPeriod: t.exposeInt('varianceRatioPeriod', { description: 'Aggregation period q of the variance ratio (1 h returns). Default 4.' }),
    zCritical: t.exposeFloat('zCritical', { description: '|z| of the variance ratio test at which the random walk is rejected. Default 1.96 (5 %, two-sided).' }),
    priorMovePct: t.exposeFloat('priorMovePct', { description: 'Net move of the window before the 4 h range that counts as a prior decline / advance, percent (5 = 5 %). Default 5.' }),
    weight1h: t.float({ description: 'Weight of the 1 h timeframe in the vote and confidence. Default 1.', resolve: (x) => x.weights['1h'] }),
    weight4h: t.float({ description: 'Weight of the 4 h timeframe in the vote and confidence. Default 2.', resolve: (x) => x.weights['4h'] }),
    weight1d: t.float({ description: 'Weight of the 1 d timeframe in the vote and confidence. Default 3.', resolve: (x) => x.weights['1d'] }),
    weight1w: t.float({ description: 'Weight of the 1 w timeframe in the vote and confidence. Default 3.', resolve: (x) => x.weights['1w'] }),
  }),
});

RegimeAnalysisRef.implement({
  description:
    'Multi-timeframe regime: trend or range on 1h/4h/1d/1w, the weighted primary regime with agreement and confidence, the return tendency (variance ratio, Hurst) and a Wyckoff-like phase.',
  fields: (t) => ({
    symbol: t.exposeString('symbol', { description: 'Venue symbol, e.g. BTCUSDT.' }),
    warmingUp: t.exposeBoolean('warmingUp', { description: 'No timeframe has lookback + 1 bars yet.' }),
    time: t.field({ type: 'DateTime', nullable: true, description: 'Close time of the latest 1 h bar (else 4 h).', resolve: (a) => a.time }),
    timeframes: t.field({ type: [TimeframeRegimeRef], description: '1h, 4h, 1d, 1w in that order, including those lacking data.', resolve: (a) => a.timeframes }),
    primaryRegime: t.field({ type: MarketRegimeEnum, nullable: true, description: 'Largest summed weight among timeframes with data; a tie → RANGE.', resolve: (a) => a.primaryRegime }),
    agreement: t.exposeInt('agreement', { description: 'Timeframes with data that share the primary regime.' }),
    timeframesWithData: t.exposeInt('timeframesWithData', { description: 'Timeframes with data.' }),
    confidence: t.exposeInt('confidence', { description: '0..100: weight of agreeing timeframes / weight of all four (missing timeframes lower it).' }),
    varianceRatio: t.field({ description: 'Lo–MacKinlay variance ratio test of 1 h returns; null with too few returns.', type: VarianceRatioRef, nullable: true, resolve: (a) => a.varianceRatio }),
    hurst: t.exposeFloat('hurst', { nullable: true, description: 'Hurst exponent (R/S) of 1 h log returns; null under 64 returns.' }),
    tendency: t.field({ description: 'Trend continuation, mean reversion or random walk from the variance ratio; null without it.', type: ReturnTendencyEnum, nullable: true, resolve: (a) => a.tendency }),
    phase: t.field({ type: MarketPhaseEnum, nullable: true, description: 'Null with fewer than 2 × lookback + 1 4 h bars.', resolve: (a) => a.phase }),
    phaseEvidence: t.field({ description: 'What the phase was read from; null with the phase.', type: PhaseEvidenceRef, nullable: true, resolve: (a) => a.phaseEvidence }),
    factors: t.field({ type: [FactorRef], description: 'One per timeframe with data (contributions sum to confidence / 100), plus varianceRatio and hurst.', resolve: (a) => a.factors }),
    thresholds: t.field({ description: 'The parameters used.', type: RegimeThresholdsRef, resolve: (a) => a.thresholds }),
    meta: t.field({ description: 'Provenance and freshness of this result (source, venue, asOf, age, staleness, methodology version).', type: AnalysisMetaRef, resolve: (a) => a.meta }),
  }),
});

// --- Queries ---

builder.objectField(MarketRef, 'regime', (t) =>
  t.field({
    type: RegimeAnalysisRef,
    nullable: true,
    description: 'Multi-timeframe trend/range regime. Non-default arguments are computed on demand by instances that ingest data.',
    args: {
      lookback: t.arg.int({
        validate: z.number().int('lookback must be an integer').min(5, 'lookback must be at least 5').max(200, 'lookback must be at most 200').nullish(),
        description: `Bars of the efficiency-ratio window per timeframe, 5..200; default ${D.lookback}.`,
      }),
      trendEfficiency: t.arg.float({
        validate: z.number().gt(0, 'trendEfficiency must be greater than 0').lt(1, 'trendEfficiency must be less than 1').nullish(),
        description: `|efficiency ratio| at which a timeframe trends, (0, 1); default ${D.trendEfficiency}.`,
      }),
      varianceRatioPeriod: t.arg.int({
        validate: z.number().int('varianceRatioPeriod must be an integer').min(2, 'varianceRatioPeriod must be at least 2').max(64, 'varianceRatioPeriod must be at most 64').nullish(),
        description: `Aggregation period q of the variance ratio, 2..64; default ${D.varianceRatioPeriod}.`,
      }),
    },
    resolve: async (m, args, ctx) => {
      const params: RegimeParams = {};
      if (args.lookback != null && args.lookback !== D.lookback) params.lookback = args.lookback;
      if (args.trendEfficiency != null && args.trendEfficiency !== D.trendEfficiency) params.trendEfficiency = args.trendEfficiency;
      if (args.varianceRatioPeriod != null && args.varianceRatioPeriod !== D.varianceRatioPeriod) params.varianceRatioPeriod = args.varianceRatioPeriod;
      if (Object.keys(params).length === 0) return withMeta<RegimeAnalysis>(ctx, await requireLatest(ctx, 'REGIME', m.symbol));
      const record = await requireLatestWith(ctx, 'REGIME', m.symbol, { ...params }, `REGIME for ${m.symbol} with these arguments is not available: no closed candle received yet, or this instance does not ingest market data (ROLE=api serves the default arguments only)`);
      return withMeta<RegimeAnalysis>(ctx, record);
    },
  }),
);

// --- Subscriptions ---

builder.subscriptionField('regimeUpdated', (t) =>
  t.field({
    type: RegimeAnalysisRef,
    description: 'The multi-timeframe regime (default arguments) of one symbol: the latest result at once on subscribe, then each time it is recomputed to a different result (when a 1h/4h/1d/1w candle closes).',
    args: { symbol: t.arg.string({ description: 'Symbol of a configured market, e.g. BTCUSDT (case-insensitive).', required: true }) },
    subscribe: (_root, args, ctx) => analysisUpdates(ctx, 'REGIME', requireSymbol(ctx, args.symbol)),
    resolve: (record: AnalysisRecord, _args, ctx) => withMeta<RegimeAnalysis>(ctx, record),
  }),
);
