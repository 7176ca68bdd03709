import { z } from 'zod';
import { DEFAULT_SENTIMENT_WEIGHTS, type SentimentAnalysis } from '../analyzers/sentiment.types.js';
import type { AnalysisRecord } from '../domain/analysis.js';
import { SENTIMENT_ALL, type SentimentParams } from '../engine/definitions/sentiment.js';
import type { GraphQLContext } from '../context.js';
import { badInput } from '../errors.js';
import { builder } from '../schema/builder.js';
import { AnalysisMetaRef } from '../schema/refs.js';
import {
  CrowdSentimentRef,
  PriceSentimentRef,
  SentimentAnalysisRef,
  SentimentClassificationEnum,
  SentimentFactorNameEnum,
  SentimentFactorRef,
  SentimentFearGreedReadingRef,
  SentimentFearGreedRef,
  SocialSentimentRef,
} from '../schema/refs-sentiment.js';
import { requireLatest, requireSymbol, withMeta, requireLatestWith, analysisUpdates } from './shared.js';

export const DEFAULT_SENTIMENT_HISTORY = 30;
/** The store keeps 400 daily readings (DEFAULT_STORE_LIMITS.fearGreedHistory). */
const MAX_SENTIMENT_HISTORY = 400;

const weightArg = z.number().min(0, 'weights must be >= 0').max(100, 'weights must be at most 100').nullish();
const historyArg = z
  .number()
  .int('historyLimit must be an integer')
  .min(1, 'historyLimit must be at least 1')
  .max(MAX_SENTIMENT_HISTORY, `historyLimit must be at most ${MAX_SENTIMENT_HISTORY}`)
  .nullish();

/** No symbol (or `ALL`) → the market-wide key; otherwise a configured symbol or BAD_USER_INPUT. */
function sentimentKey(ctx: GraphQLContext, symbol: string | null | undefined): string {
  if (symbol == null || symbol.trim().toUpperCase() === SENTIMENT_ALL) return SENTIMENT_ALL;
  return requireSymbol(ctx, symbol);
}

SentimentFearGreedReadingRef.implement({
  description: 'One Fear & Greed reading.',
  fields: (t) => ({
    value: t.exposeFloat('value', { description: '0..100' }),
    classification: t.exposeString('classification', { description: "The publisher's own label (alternative.me: Extreme Fear … Extreme Greed)." }),
    time: t.field({ description: 'Day of the reading (00:00 UTC for alternative.me).', type: 'DateTime', resolve: (r) => r.time }),
  }),
});

SentimentFearGreedRef.implement({
  description: 'The Crypto Fear & Greed Index (alternative.me; the simulated market publishes its own series).',
  fields: (t) => ({
    value: t.exposeFloat('value', { description: '0 (extreme fear) .. 100 (extreme greed).' }),
    classification: t.exposeString('classification', { description: "The publisher's own label, passed through unchanged." }),
    time: t.field({ type: 'DateTime', description: 'Day of the reading (00:00 UTC).', resolve: (f) => f.time }),
    change7d: t.exposeFloat('change7d', { nullable: true, description: 'Index points vs the reading 7 days earlier (±12 h); null when history does not reach back.' }),
    change30d: t.exposeFloat('change30d', { nullable: true, description: 'Index points vs the reading 30 days earlier (±12 h).' }),
    history: t.field({ type: [SentimentFearGreedReadingRef], description: 'Oldest first, ending with the current reading.', resolve: (f) => f.history }),
  }),
});

PriceSentimentRef.implement({
  description: 'Price-derived sentiment from hourly closes. Returns and distances are fractions (0.02 = 2 %); scores 0..100 with 50 = flat.',
  fields: (t) => ({
    symbol: t.exposeString('symbol', { description: 'The symbol measured (BTCUSDT for ALL).' }),
    price: t.exposeFloat('price', { description: 'Latest price (quote currency).' }),
    time: t.field({ description: 'Time of the latest price.', type: 'DateTime', resolve: (p) => p.time }),
    return1d: t.exposeFloat('return1d', { description: 'Return over 1 day, fraction (0.02 = 2 %); null when the price path does not reach back far enough.', nullable: true }),
    return7d: t.exposeFloat('return7d', { description: 'Return over 7 days, fraction (0.02 = 2 %); null when the price path does not reach back far enough.', nullable: true }),
    movingAverage: t.exposeFloat('movingAverage', { nullable: true, description: 'Mean price over the last 14 days.' }),
    maDistance: t.exposeFloat('maDistance', { nullable: true, description: 'price / movingAverage − 1.' }),
    return1dScore: t.exposeFloat('return1dScore', { nullable: true, description: '50 + 50·clamp(return1d / 5 %, −1, 1).' }),
    return7dScore: t.exposeFloat('return7dScore', { nullable: true, description: '50 + 50·clamp(return7d / 15 %, −1, 1).' }),
    maDistanceScore: t.exposeFloat('maDistanceScore', { nullable: true, description: '50 + 50·clamp(maDistance / 10 %, −1, 1).' }),
    score: t.exposeFloat('score', { nullable: true, description: 'Mean of the available scores.' }),
  }),
});

CrowdSentimentRef.implement({
  description: 'Crowd positioning from funding and the all-accounts long/short ratio; high = the crowd is long and paying for it.',
  fields: (t) => ({
    symbols: t.exposeStringList('symbols', { description: 'Symbols averaged (every configured symbol for ALL).' }),
    fundingRate8h: t.exposeFloat('fundingRate8h', {
      nullable: true,
      description: 'Mean funding per 8 h (raw fraction): the predicted rate when published, else the last settled one.',
    }),
    longShare: t.exposeFloat('longShare', { nullable: true, description: 'Mean share of accounts net long, fraction 0..1 (0.6 = 60 %).' }),
    fundingScore: t.exposeFloat('fundingScore', { nullable: true, description: '50 + 50·clamp((fundingRate8h − 0.01 %) / 0.05 %, −1, 1).' }),
    longShortScore: t.exposeFloat('longShortScore', { nullable: true, description: '50 + 50·clamp((longShare − 0.5) / 0.25, −1, 1).' }),
    score: t.exposeFloat('score', { nullable: true, description: 'Mean of the available scores.' }),
  }),
});

SocialSentimentRef.implement({
  description: 'Social/news sentiment. No connector is configured yet, so it is reported unavailable rather than invented.',
  fields: (t) => ({
    available: t.exposeBoolean('available', { description: 'Whether a social connector delivered a score.' }),
    source: t.exposeString('source', { description: 'Connector name when available.', nullable: true }),
    score: t.exposeFloat('score', { nullable: true, description: '0..100 when available.' }),
    note: t.exposeString('note', { description: 'Plain-language reading of the values, or why some are null.' }),
  }),
});

SentimentFactorRef.implement({
  description: 'One input of the composite: its 0-100 sub-score, the weight used (re-normalised over available inputs) and its contribution in composite points.',
  fields: (t) => ({
    name: t.field({ description: 'Which input.', type: SentimentFactorNameEnum, resolve: (f) => f.name }),
    value: t.exposeFloat('value', { nullable: true, description: 'Sub-score 0..100; null when unavailable.' }),
    baseWeight: t.exposeFloat('baseWeight', { description: 'Configured weight before re-normalisation.' }),
    weight: t.exposeFloat('weight', { description: 'baseWeight / sum of the available inputs’ baseWeights; 0 when unavailable.' }),
    contribution: t.exposeFloat('contribution', { description: 'weight × value; contributions sum to the composite.' }),
    available: t.exposeBoolean('available', { description: 'Whether the input was available (unavailable inputs get weight 0).' }),
    note: t.exposeString('note', { description: 'Plain-language reading of the values, or why some are null.' }),
  }),
});

SentimentAnalysisRef.implement({
  description: 'Market sentiment 0 (extreme fear) .. 100 (extreme greed): Fear & Greed, price momentum and crowd positioning, with explained factors.',
  fields: (t) => ({
    key: t.exposeString('key', { description: '`ALL` (market-wide) or a symbol.' }),
    time: t.field({ type: 'DateTime', description: 'When it was computed.', resolve: (a) => a.time }),
    warmingUp: t.exposeBoolean('warmingUp', { description: 'No input available yet: composite and classification are null.' }),
    coverage: t.exposeFloat('coverage', {
      description: 'Share of the input weight present, 0..1 (1 = Fear & Greed, price and crowd all present): Σ base weight of the available inputs / Σ of all base weights.',
    }),
    minCoverage: t.exposeFloat('minCoverage', { description: 'Minimum coverage (0..1) for a composite and a label. Default 0.6: any two of the three inputs.' }),
    coverageNote: t.exposeString('coverageNote', { nullable: true, description: 'Why composite and classification are null (coverage below minCoverage, or no input); null when they are set.' }),
    composite: t.exposeFloat('composite', { nullable: true, description: 'Weighted mean of the available sub-scores, 0..100; null below minCoverage (see coverageNote).' }),
    classification: t.field({ description: 'Band of the composite; null while warming up or below minCoverage (see coverageNote).', type: SentimentClassificationEnum, nullable: true, resolve: (a) => a.classification }),
    fearGreed: t.field({ description: 'Fear & Greed input; null when not available.', type: SentimentFearGreedRef, nullable: true, resolve: (a) => a.fearGreed }),
    price: t.field({ description: 'Price momentum input; null when not available.', type: PriceSentimentRef, nullable: true, resolve: (a) => a.price }),
    crowd: t.field({ description: 'Crowd positioning (funding and long/short); null when not available.', type: CrowdSentimentRef, nullable: true, resolve: (a) => a.crowd }),
    social: t.field({ description: 'Social/news input (not connected yet: unavailable).', type: SocialSentimentRef, resolve: (a) => a.social }),
    factors: t.field({ type: [SentimentFactorRef], description: 'FEAR_GREED, PRICE, CROWD, each saying whether its input was available.', resolve: (a) => a.factors }),
    meta: t.field({ description: 'Provenance and freshness of this result (source, venue, asOf, age, staleness, methodology version).', type: AnalysisMetaRef, resolve: (a) => a.meta }),
  }),
});

// --- Queries ---

builder.queryField('sentiment', (t) =>
  t.field({
    type: SentimentAnalysisRef,
    nullable: true,
    description: 'Market sentiment: market-wide (no symbol, or `ALL`) or for one configured symbol. Non-default arguments are computed on demand by instances that ingest data.',
    args: {
      symbol: t.arg.string({ description: 'A configured symbol; omit (or `ALL`) for the whole market.' }),
      fearGreedWeight: t.arg.float({ validate: weightArg, description: `Weight of the Fear & Greed index; default ${DEFAULT_SENTIMENT_WEIGHTS.fearGreed}.` }),
      priceWeight: t.arg.float({ validate: weightArg, description: `Weight of price sentiment; default ${DEFAULT_SENTIMENT_WEIGHTS.price}.` }),
      crowdWeight: t.arg.float({ validate: weightArg, description: `Weight of crowd positioning; default ${DEFAULT_SENTIMENT_WEIGHTS.crowd}.` }),
      historyLimit: t.arg.int({ validate: historyArg, description: `Fear & Greed readings in fearGreed.history, 1..${MAX_SENTIMENT_HISTORY}; default ${DEFAULT_SENTIMENT_HISTORY}.` }),
    },
    resolve: async (_root, args, ctx) => {
      const key = sentimentKey(ctx, args.symbol);
      const params: SentimentParams = {};
      const weights: NonNullable<SentimentParams['weights']> = {};
      if (args.fearGreedWeight != null && args.fearGreedWeight !== DEFAULT_SENTIMENT_WEIGHTS.fearGreed) weights.fearGreed = args.fearGreedWeight;
      if (args.priceWeight != null && args.priceWeight !== DEFAULT_SENTIMENT_WEIGHTS.price) weights.price = args.priceWeight;
      if (args.crowdWeight != null && args.crowdWeight !== DEFAULT_SENTIMENT_WEIGHTS.crowd) weights.crowd = args.crowdWeight;
      const effective = { ...DEFAULT_SENTIMENT_WEIGHTS, ...weights };
      if (effective.fearGreed + effective.price + effective.crowd === 0) throw badInput('at least one sentiment weight must be > 0', { ...effective });
      if (Object.keys(weights).length > 0) params.weights = weights;
      if (args.historyLimit != null && args.historyLimit !== DEFAULT_SENTIMENT_HISTORY) params.historyLimit = args.historyLimit;
      if (Object.keys(params).length === 0) return withMeta<SentimentAnalysis>(ctx, await requireLatest(ctx, 'SENTIMENT', key));
      const record = await requireLatestWith(ctx, 'SENTIMENT', key, { ...params }, `SENTIMENT for ${key} with these arguments is not available: no input received yet, or this instance does not ingest market data (ROLE=api serves the default arguments only)`);
      return withMeta<SentimentAnalysis>(ctx, record);
    },
  }),
);

// --- Subscriptions ---

builder.subscriptionField('sentimentUpdated', (t) =>
  t.field({
    type: SentimentAnalysisRef,
    description: 'The sentiment analysis (default arguments): the latest result at once on subscribe, then each time it is recomputed to a different result: market-wide without symbol, else for that symbol.',
    args: { symbol: t.arg.string({ description: 'A configured symbol; omit (or `ALL`) for the whole market.' }) },
    subscribe: (_root, args, ctx) => analysisUpdates(ctx, 'SENTIMENT', sentimentKey(ctx, args.symbol)),
    resolve: (record: AnalysisRecord, _args, ctx) => withMeta<SentimentAnalysis>(ctx, record),
  }),
);
