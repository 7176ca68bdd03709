import type { FundingAnalysis } from '../analyzers/funding.types.js';
import { builder } from '../schema/builder.js';
import { FundingSignalEnum, FundingTrendEnum } from '../schema/enums.js';
import { AnalysisMetaRef, FactorRef, FundingAnalysisRef, MarketRef } from '../schema/refs.js';
import { analysisKey, slidingWindow } from '../pubsub.js';
import type { AnalysisRecord } from '../domain/analysis.js';
import { requireLatest, requireSymbol, withMeta } from './shared.js';

FundingAnalysisRef.implement({
  description:
    'Funding-rate analysis. Rates are raw fractions per funding interval (0.0001 = 0.01 %); positive funding means longs pay shorts.',
  fields: (t) => ({
    symbol: t.exposeString('symbol'),
    warmingUp: t.exposeBoolean('warmingUp', { description: 'Too few settlements for statistics; they are then null.' }),
    rate: t.exposeFloat('rate', { description: 'Latest settled rate.' }),
    predictedRate: t.exposeFloat('predictedRate', { nullable: true, description: 'Live estimate for the next settlement.' }),
    annualizedRate: t.exposeFloat('annualizedRate', { description: 'rate × settlements per year (0.1095 = 10.95 % APR).' }),
    predictedAnnualizedRate: t.exposeFloat('predictedAnnualizedRate', { nullable: true }),
    fundingIntervalHours: t.exposeFloat('fundingIntervalHours'),
    nextFundingTime: t.field({ type: 'DateTime', nullable: true, resolve: (f) => f.nextFundingTime }),
    timeToNextFundingMs: t.float({
      nullable: true,
      description: 'Milliseconds from now to the next settlement.',
      resolve: (f, _args, ctx) => (f.nextFundingTime === null ? null : Math.max(0, f.nextFundingTime - ctx.services.now())),
    }),
    lastFundingTime: t.field({ type: 'DateTime', resolve: (f) => f.lastFundingTime }),
    mean: t.exposeFloat('mean', { nullable: true, description: 'Mean of the history window (excluding the current settlement).' }),
    stdDev: t.exposeFloat('stdDev', { nullable: true, description: 'Sample standard deviation of the history window.' }),
    zScore: t.exposeFloat('zScore', { nullable: true, description: '(rate − mean) / stdDev over the history window.' }),
    sampleSize: t.exposeInt('sampleSize'),
    trend: t.field({ type: FundingTrendEnum, resolve: (f) => f.trend }),
    trendSlope: t.exposeFloat('trendSlope', { description: 'OLS slope of recent settlements, rate per settlement.' }),
    isExtreme: t.exposeBoolean('isExtreme'),
    isAnomaly: t.exposeBoolean('isAnomaly'),
    signal: t.field({ type: FundingSignalEnum, resolve: (f) => f.signal }),
    score: t.exposeFloat('score', { description: 'Composite −100..100: positive = longs crowded, negative = shorts crowded.' }),
    factors: t.field({ type: [FactorRef], resolve: (f) => f.factors }),
    meta: t.field({ type: AnalysisMetaRef, resolve: (f) => f.meta }),
  }),
});

builder.objectField(MarketRef, 'funding', (t) =>
  t.field({
    type: FundingAnalysisRef,
    resolve: async (m, _args, ctx) => withMeta<FundingAnalysis>(ctx, await requireLatest(ctx, 'FUNDING', m.symbol)),
  }),
);

// --- Subscriptions ---

builder.subscriptionField('fundingUpdated', (t) =>
  t.field({
    type: FundingAnalysisRef,
    description: 'The funding analysis of one symbol each time it is recomputed.',
    args: { symbol: t.arg.string({ required: true }) },
    subscribe: (_root, args, ctx) =>
      slidingWindow(ctx.services.pubsub.subscribe('analysis:updated', analysisKey('FUNDING', requireSymbol(ctx, args.symbol)))),
    resolve: (record: AnalysisRecord, _args, ctx) => withMeta<FundingAnalysis>(ctx, record),
  }),
);
