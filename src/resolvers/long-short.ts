import type { LongShortAnalysis } from '../analyzers/long-short.types.js';
import type { AnalysisRecord } from '../domain/analysis.js';
import { builder } from '../schema/builder.js';
import { AnalysisMetaRef, FactorRef, MarketRef } from '../schema/refs.js';
import {
  ContrarianBiasEnum,
  CrowdingSignalEnum,
  LongShortAnalysisRef,
  LongShortReadingRef,
  RetailWhaleStanceEnum,
  TakerFlowReadingRef,
} from '../schema/refs-long-short.js';
import { requireLatest, requireSymbol, withMeta, analysisUpdates } from './shared.js';
import { VenueEnum } from '../schema/refs-venues.js';
import { requirePerpVenue, requireVenueAnalysis } from './venues.js';
import { longShortDefinition } from '../engine/definitions/long-short.js';
import type { AnalysisDefinition } from '../engine/definition.js';

LongShortReadingRef.implement({
  description: 'The current value of one long/short ratio against its own stored history.',
  fields: (t) => ({
    ratio: t.exposeFloat('ratio', { description: 'Longs per short.' }),
    longShare: t.exposeFloat('longShare', { description: 'ratio / (1 + ratio): the long fraction 0..1.' }),
    time: t.field({ description: 'End of the statistics period of the current reading.', type: 'DateTime', resolve: (r) => r.time }),
    percentile: t.exposeFloat('percentile', {
      nullable: true,
      description: 'Percentile rank 0..100 (ties count half) among the sampleSize earlier readings; null with fewer than 10.',
    }),
    sampleSize: t.exposeInt('sampleSize', { description: 'Earlier readings the percentile is taken against.' }),
  }),
});

TakerFlowReadingRef.implement({
  description: 'Taker buy vs sell volume of the latest statistics period against its own stored history.',
  fields: (t) => ({
    ratio: t.exposeFloat('ratio', { description: 'Taker buy volume / taker sell volume.' }),
    buyVolume: t.exposeFloat('buyVolume', { description: 'Taker buy volume of the period (base asset).' }),
    sellVolume: t.exposeFloat('sellVolume', { description: 'Taker sell volume of the period (base asset).' }),
    time: t.field({ description: 'End of the statistics period.', type: 'DateTime', resolve: (r) => r.time }),
    percentile: t.exposeFloat('percentile', { nullable: true, description: 'Percentile rank 0..100 (ties count half) among the sampleSize earlier periods.' }),
    sampleSize: t.exposeInt('sampleSize', { description: 'Earlier periods the percentile is taken against.' }),
  }),
});

LongShortAnalysisRef.implement({
  description:
    'Long/short crowding: retail (all accounts), top traders by account and by position, and taker flow, each against its own history, with a contrarian reading.',
  fields: (t) => ({
    symbol: t.exposeString('symbol', { description: 'Venue symbol, e.g. BTCUSDT.' }),
    warmingUp: t.exposeBoolean('warmingUp', { description: 'A series is missing or has fewer than 10 earlier readings; its percentile is then null.' }),
    globalAccounts: t.field({ type: LongShortReadingRef, nullable: true, description: 'All accounts, by account (retail).', resolve: (a) => a.globalAccounts }),
    topAccounts: t.field({ type: LongShortReadingRef, nullable: true, description: 'Top 20 % of accounts by margin, by account.', resolve: (a) => a.topAccounts }),
    topPositions: t.field({
      type: LongShortReadingRef,
      nullable: true,
      description: 'Top 20 % of accounts by margin, weighted by position size (whales).',
      resolve: (a) => a.topPositions,
    }),
    takerBuySell: t.field({ description: 'Taker buy/sell volume of the latest period against its history; null until received.', type: TakerFlowReadingRef, nullable: true, resolve: (a) => a.takerBuySell }),
    retailWhaleDivergence: t.exposeFloat('retailWhaleDivergence', {
      nullable: true,
      description: 'Retail long share − top-trader position long share (0.1 = 10 points).',
    }),
    retailWhale: t.field({ description: 'Retail vs top traders\' positions; null when either is missing.', type: RetailWhaleStanceEnum, nullable: true, resolve: (a) => a.retailWhale }),
    signal: t.field({ description: 'Which side the score says is crowded.', type: CrowdingSignalEnum, resolve: (a) => a.signal }),
    contrarianBias: t.field({ description: 'The contrarian reading of the signal.', type: ContrarianBiasEnum, resolve: (a) => a.contrarianBias }),
    score: t.exposeFloat('score', { description: 'Composite −100..100: positive = longs crowded, negative = shorts crowded.' }),
    factors: t.field({ description: 'The weighted inputs behind the score, one Factor each.', type: [FactorRef], resolve: (a) => a.factors }),
    meta: t.field({ description: 'Provenance and freshness of this result (source, venue, asOf, age, staleness, methodology version).', type: AnalysisMetaRef, resolve: (a) => a.meta }),
  }),
});

builder.objectField(MarketRef, 'longShort', (t) =>
  t.field({
    description: 'Long/short crowding analysis, on the primary venue unless `venue` names another ingested one.',
    type: LongShortAnalysisRef,
    nullable: true,
    args: {
      venue: t.arg({
        type: VenueEnum,
        required: false,
        description:
          'Venue to compute it on: omitted or the primary venue, the cached result of the primary; another ingested perpetual venue (MARKET_VENUES), computed on demand from its store (Bybit and OKX publish global account ratios only). AGGREGATED and DERIBIT are refused (BAD_USER_INPUT naming the supported venues).',
      }),
    },
    resolve: async (m, args, ctx) => {
      const venue = requirePerpVenue(ctx, args.venue, 'longShort', null);
      if (venue) return requireVenueAnalysis<LongShortAnalysis>(ctx, longShortDefinition as AnalysisDefinition, m.symbol, venue);
      return withMeta<LongShortAnalysis>(ctx, await requireLatest(ctx, 'LONG_SHORT', m.symbol));
    },
  }),
);

// --- Subscriptions ---

builder.subscriptionField('longShortUpdated', (t) =>
  t.field({
    type: LongShortAnalysisRef,
    description: 'The long/short crowding analysis of one symbol: the latest result at once on subscribe, then each time it is recomputed to a different result.',
    args: { symbol: t.arg.string({ description: 'Symbol of a configured market, e.g. BTCUSDT (case-insensitive).', required: true }) },
    subscribe: (_root, args, ctx) =>
      analysisUpdates(ctx, 'LONG_SHORT', requireSymbol(ctx, args.symbol)),
    resolve: (record: AnalysisRecord, _args, ctx) => withMeta<LongShortAnalysis>(ctx, record),
  }),
);
