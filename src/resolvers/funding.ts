import type { FundingAnalysis } from '../analyzers/funding.types.js';
import { builder } from '../schema/builder.js';
import { FundingSignalEnum, FundingTrendEnum } from '../schema/enums.js';
import { AnalysisMetaRef, FactorRef, FundingAnalysisRef, MarketRef } from '../schema/refs.js';
import type { AnalysisRecord } from '../domain/analysis.js';
import {
  FundingBandEnum,
  FundingMeanReversionRef,
  FundingPersistenceRef,
  FundingReversalRef,
  FundingReversionSignalEnum,
  FundingSignEnum,
} from '../schema/refs-funding.js';
import { requireLatest, requireSymbol, withMeta, analysisUpdates } from './shared.js';
import { VenueEnum } from '../schema/refs-venues.js';
import { requirePerpVenue, requireVenueAnalysis } from './venues.js';
import { fundingDefinition } from '../engine/definitions/funding.js';
import type { AnalysisDefinition } from '../engine/definition.js';

FundingPersistenceRef.implement({
  description: 'How long the current reading has held, counted over the stored settlements (the current one included).',
  fields: (t) => ({
    sign: t.field({ description: 'Sign of the current rate.', type: FundingSignEnum, resolve: (p) => p.sign }),
    signStreak: t.exposeInt('signStreak', { description: 'Consecutive settlements, ending with the current one, with its sign.' }),
    signSince: t.field({ type: 'DateTime', description: 'First settlement of that run.', resolve: (p) => p.signSince }),
    signStreakTruncated: t.exposeBoolean('signStreakTruncated', {
      description: 'The run reaches the oldest stored settlement: the real run may be longer.',
    }),
    band: t.field({ description: 'Band of the current rate.', type: FundingBandEnum, resolve: (p) => p.band }),
    bandStreak: t.exposeInt('bandStreak', { description: 'Consecutive settlements, ending with the current one, in its band.' }),
    bandSince: t.field({ description: 'First settlement of the current band run.', type: 'DateTime', resolve: (p) => p.bandSince }),
    bandStreakTruncated: t.exposeBoolean('bandStreakTruncated', { description: 'The band run reaches the oldest stored settlement: the real run may be longer.' }),
  }),
});

FundingMeanReversionRef.implement({
  description: 'Whether the rate is stretched from its mean, and how fast deviations have decayed (AR(1) view of the history window).',
  fields: (t) => ({
    signal: t.field({ description: 'REVERT_DOWN when z ≥ reversionZ, REVERT_UP when z ≤ −reversionZ, else NONE (also while warming up).', type: FundingReversionSignalEnum, resolve: (r) => r.signal }),
    autocorrelation: t.exposeFloat('autocorrelation', { nullable: true, description: 'Lag-1 autocorrelation φ of the window (history + current).' }),
    halfLifeSettlements: t.exposeFloat('halfLifeSettlements', { nullable: true, description: 'ln ½ / ln φ: settlements for a deviation to halve (0 < φ < 1).' }),
    expectedNextRate: t.exposeFloat('expectedNextRate', { nullable: true, description: 'mean + φ × (rate − mean), fraction per interval.' }),
    note: t.exposeString('note', { description: 'Plain-language reading of the values, or why some are null.' }),
  }),
});

FundingReversalRef.implement({
  description:
    'How often earlier readings like the current one (same sign, within ±band) flipped sign within `horizon` settlements in the stored history. A frequency, not a forecast: overlapping samples are dependent.',
  fields: (t) => ({
    probability: t.exposeFloat('probability', { nullable: true, description: 'flips / sampleSize; null with fewer than 10 samples or a zero rate.' }),
    sampleSize: t.exposeInt('sampleSize', { description: 'Earlier readings in the window with the current sign, within ±band of the current rate, and `horizon` settlements observed after them.' }),
    flips: t.exposeInt('flips', { description: 'How many of them were followed by a settlement of the opposite sign within `horizon` settlements.' }),
    horizon: t.exposeInt('horizon', { description: 'Settlements looked ahead.' }),
    band: t.exposeFloat('band', { description: 'Half-width of the similarity band (rate units).' }),
    note: t.exposeString('note', { description: 'Plain-language reading of the values, or why some are null.' }),
  }),
});

FundingAnalysisRef.implement({
  description:
    'Funding-rate analysis. Rates are raw fractions per funding interval (0.0001 = 0.01 %); positive funding means longs pay shorts.',
  fields: (t) => ({
    symbol: t.exposeString('symbol', { description: 'Venue symbol, e.g. BTCUSDT.' }),
    warmingUp: t.exposeBoolean('warmingUp', { description: 'Too few settlements for statistics; they are then null.' }),
    rate: t.exposeFloat('rate', { description: 'Latest settled rate.' }),
    predictedRate: t.exposeFloat('predictedRate', { nullable: true, description: 'Live estimate for the next settlement, fraction per interval; null when the source publishes none.' }),
    annualizedRate: t.exposeFloat('annualizedRate', { description: 'rate × settlements per year, fraction (0.1095 = 10.95 % APR).' }),
    predictedAnnualizedRate: t.exposeFloat('predictedAnnualizedRate', { description: 'predictedRate × settlements per year, fraction (0.1095 = 10.95 % APR); null without a prediction.', nullable: true }),
    fundingIntervalHours: t.exposeFloat('fundingIntervalHours', { description: 'Hours between settlements (8 on most Binance perpetuals).' }),
    nextFundingTime: t.field({ description: 'Next settlement time; null when neither the venue nor the schedule gives one.', type: 'DateTime', nullable: true, resolve: (f) => f.nextFundingTime }),
    timeToNextFundingMs: t.float({
      nullable: true,
      description: 'Milliseconds from now to the next settlement.',
      resolve: (f, _args, ctx) => (f.nextFundingTime === null ? null : Math.max(0, f.nextFundingTime - ctx.services.now())),
    }),
    lastFundingTime: t.field({ description: 'Time of the latest settlement.', type: 'DateTime', resolve: (f) => f.lastFundingTime }),
    mean: t.exposeFloat('mean', { nullable: true, description: 'Mean of the history window (excluding the current settlement).' }),
    stdDev: t.exposeFloat('stdDev', { nullable: true, description: 'Sample standard deviation of the history window.' }),
    zScore: t.exposeFloat('zScore', { nullable: true, description: '(rate − mean) / stdDev over the history window.' }),
    sampleSize: t.exposeInt('sampleSize', { description: 'Number of settlements the statistics used.' }),
    trend: t.field({ description: 'RISING, FLAT or FALLING from the OLS slope of recent settlements.', type: FundingTrendEnum, resolve: (f) => f.trend }),
    trendSlope: t.exposeFloat('trendSlope', { description: 'OLS slope of recent settlements, rate per settlement.' }),
    isExtreme: t.exposeBoolean('isExtreme', { description: '|zScore| ≥ extremeZ (default 2.5) when z is known, or |rate| ≥ extremeRate (default 0.001 = 0.1 % per interval).' }),
    isAnomaly: t.exposeBoolean('isAnomaly', { description: '|zScore| ≥ anomalyZ (default 3.5) against the history window; false while warming up.' }),
    signal: t.field({ description: 'Crowding signal from the score.', type: FundingSignalEnum, resolve: (f) => f.signal }),
    score: t.exposeFloat('score', { description: 'Composite −100..100: positive = longs crowded, negative = shorts crowded.' }),
    factors: t.field({ description: 'The weighted inputs behind the score, one Factor each.', type: [FactorRef], resolve: (f) => f.factors }),
    percentile: t.exposeFloat('percentile', {
      nullable: true,
      description: 'Percentile rank 0..100 (ties count half) of the rate among the history window; null while warming up.',
    }),
    persistence: t.field({ description: 'How long the current sign and band have held.', type: FundingPersistenceRef, resolve: (f) => f.persistence }),
    meanReversion: t.field({ description: 'Whether the rate is stretched from its mean and how fast deviations decay.', type: FundingMeanReversionRef, resolve: (f) => f.meanReversion }),
    reversal: t.field({ description: 'How often similar readings flipped sign in the stored history.', type: FundingReversalRef, resolve: (f) => f.reversal }),
    meta: t.field({ description: 'Provenance and freshness of this result (source, venue, asOf, age, staleness, methodology version).', type: AnalysisMetaRef, resolve: (f) => f.meta }),
  }),
});

builder.objectField(MarketRef, 'funding', (t) =>
  t.field({
    description: 'Funding-rate analysis, on the primary venue unless `venue` names another ingested one.',
    type: FundingAnalysisRef,
    nullable: true,
    args: { venue: t.arg({ type: VenueEnum, required: false, description: 'Venue to compute it on: omitted or the primary venue, the cached result of the primary; BYBIT, OKX or BINANCE when ingested (MARKET_VENUES), computed on demand from that venue store. AGGREGATED and DERIBIT are refused (BAD_USER_INPUT naming the supported venues; across venues use Market.aggregatedFunding).' }) },
    resolve: async (m, args, ctx) => {
      const venue = requirePerpVenue(ctx, args.venue, 'funding', 'aggregatedFunding');
      if (venue) return requireVenueAnalysis<FundingAnalysis>(ctx, fundingDefinition as AnalysisDefinition, m.symbol, venue);
      return withMeta<FundingAnalysis>(ctx, await requireLatest(ctx, 'FUNDING', m.symbol));
    },
  }),
);

// --- Subscriptions ---

builder.subscriptionField('fundingUpdated', (t) =>
  t.field({
    type: FundingAnalysisRef,
    description: 'The funding analysis of one symbol: the latest result at once on subscribe, then each time it is recomputed to a different result.',
    args: { symbol: t.arg.string({ description: 'Symbol of a configured market, e.g. BTCUSDT (case-insensitive).', required: true }) },
    subscribe: (_root, args, ctx) =>
      analysisUpdates(ctx, 'FUNDING', requireSymbol(ctx, args.symbol)),
    resolve: (record: AnalysisRecord, _args, ctx) => withMeta<FundingAnalysis>(ctx, record),
  }),
);
