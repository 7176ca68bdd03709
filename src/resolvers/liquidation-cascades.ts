import type { LiquidationCascadeAnalysis } from '../analyzers/liquidation-cascades.types.js';
import type { AnalysisRecord } from '../domain/analysis.js';
import type { Liquidation } from '../domain/market.js';
import { DEFAULT_CASCADE_WINDOW_MS, type LiquidationCascadeParams } from '../engine/definitions/liquidation-cascades.js';
import { slidingWindow } from '../pubsub.js';
import { builder } from '../schema/builder.js';
import { AnalysisMetaRef, FactorRef, MarketRef } from '../schema/refs.js';
import { LiquidationRef } from '../schema/refs-market-data.js';
import {
  CascadeLevelEnum,
  LiquidationCascadeAnalysisRef,
  LiquidationDominanceEnum,
  LiquidationFeedEnum,
  LiquidationWindowEnum,
  LiquidationZoneRef,
  LIQUIDATION_WINDOWS_MS,
} from '../schema/refs-liquidation-cascades.js';
import { requireLatest, requireSymbol, withMeta, requireLatestWith, analysisUpdates } from './shared.js';
import { VenueEnum } from '../schema/refs-venues.js';
import { crossVenue, requirePerpVenue, requireVenueAnalysis } from './venues.js';
import { aggregatedLiquidationCascadesDefinition } from '../engine/definitions/aggregated-liquidation-cascades.js';
import { liquidationCascadesDefinition } from '../engine/definitions/liquidation-cascades.js';
import type { AnalysisDefinition } from '../engine/definition.js';

LiquidationZoneRef.implement({
  description: 'A price range where liquidations clustered: possible support (longs flushed below the price) or resistance (shorts squeezed above it).',
  fields: (t) => ({
    low: t.exposeFloat('low', { description: 'Lowest fill price in the zone.' }),
    high: t.exposeFloat('high', { description: 'Highest fill price in the zone.' }),
    vwap: t.exposeFloat('vwap', { description: 'Notional-weighted mean fill price.' }),
    notionalUsd: t.exposeFloat('notionalUsd', { description: 'Liquidated notional in the zone, USD(T).' }),
    count: t.exposeInt('count', { description: 'Liquidations in the zone.' }),
    longNotionalUsd: t.exposeFloat('longNotionalUsd', { description: 'Notional of liquidated longs (SELL orders).' }),
    shortNotionalUsd: t.exposeFloat('shortNotionalUsd', { description: 'Notional of liquidated shorts (BUY orders).' }),
    firstTime: t.field({ description: 'Time of the first liquidation in the zone.', type: 'DateTime', resolve: (z) => z.firstTime }),
    lastTime: t.field({ description: 'Time of the last liquidation in the zone.', type: 'DateTime', resolve: (z) => z.lastTime }),
  }),
});

LiquidationCascadeAnalysisRef.implement({
  description:
    'Liquidation cascades: liquidated notional per hour, how unusual it is (severity 1-5), which side is being flushed and where liquidations clustered. Amounts are in the quote currency (USD).',
  fields: (t) => ({
    symbol: t.exposeString('symbol', { description: 'Venue symbol, e.g. BTCUSDT.' }),
    warmingUp: t.exposeBoolean('warmingUp', { description: 'The window or the minimum 3 h baseline is not fully observed yet; unknown values are then null.' }),
    windowMs: t.exposeFloat('windowMs', { description: 'Velocity window, milliseconds.' }),
    shortWindowMs: t.exposeFloat('shortWindowMs', { description: 'Short velocity window, milliseconds (5 minutes).' }),
    observedSince: t.field({
      type: 'DateTime',
      description: 'Since when every liquidation the feed delivered is held (start of the feed, or the oldest one kept).',
      resolve: (a) => a.observedSince,
    }),
    velocityUsdPerHour: t.exposeFloat('velocityUsdPerHour', { nullable: true, description: 'Liquidated notional per hour over the window.' }),
    shortVelocityUsdPerHour: t.exposeFloat('shortVelocityUsdPerHour', { nullable: true, description: 'The same over the last 5 minutes.' }),
    baselineVelocityUsdPerHour: t.exposeFloat('baselineVelocityUsdPerHour', {
      nullable: true,
      description: 'The same over up to 24 h before the window (at least 3 h observed).',
    }),
    baselineRatio: t.exposeFloat('baselineRatio', { nullable: true, description: 'velocity / baseline velocity; null when the baseline is unknown or 0.' }),
    typicalHourlyVolumeUsd: t.exposeFloat('typicalHourlyVolumeUsd', { nullable: true, description: '24 h quote volume / 24 (or the mean of recent 1 h candles).' }),
    volumeShare: t.exposeFloat('volumeShare', { nullable: true, description: 'velocity / typical hourly volume, fraction (0.01 = 1 %).' }),
    severity: t.exposeInt('severity', {
      nullable: true,
      description:
        '1-5: the lower of the baselineRatio level (×2, ×4, ×8, ×16) and the volumeShare level (0.25 %, 0.5 %, 1 %, 2 %); one alone when the other is unknown; null when both are.',
    }),
    level: t.field({ description: 'Name of the severity (CALM … EXTREME); null when severity is.', type: CascadeLevelEnum, nullable: true, resolve: (a) => a.level }),
    notionalUsd: t.exposeFloat('notionalUsd', { description: 'Liquidations observed in the window.' }),
    longNotionalUsd: t.exposeFloat('longNotionalUsd', { description: 'Liquidated longs (SELL orders) in the window.' }),
    shortNotionalUsd: t.exposeFloat('shortNotionalUsd', { description: 'Liquidated shorts (BUY orders) in the window.' }),
    count: t.exposeInt('count', { description: 'Liquidations observed in the window.' }),
    longShare: t.exposeFloat('longShare', { nullable: true, description: 'longNotionalUsd / notionalUsd, fraction 0..1; null without liquidations.' }),
    dominance: t.field({ type: LiquidationDominanceEnum, description: 'One side dominates at 60 % of the notional.', resolve: (a) => a.dominance }),
    feed: t.field({ description: 'Whether the venue reports every liquidation or a sample.', type: LiquidationFeedEnum, resolve: (a) => a.feed }),
    zones: t.field({ type: [LiquidationZoneRef], description: 'Price zones of the last 24 h, largest notional first.', resolve: (a) => a.zones }),
    lastLiquidationTime: t.field({ description: 'Time of the newest liquidation held; null without any.', type: 'DateTime', nullable: true, resolve: (a) => a.lastLiquidationTime }),
    factors: t.field({ description: 'The weighted inputs behind the score, one Factor each.', type: [FactorRef], resolve: (a) => a.factors }),
    meta: t.field({ description: 'Provenance and freshness of this result (source, venue, asOf, age, staleness, methodology version).', type: AnalysisMetaRef, resolve: (a) => a.meta }),
  }),
});

builder.objectField(MarketRef, 'liquidationCascades', (t) =>
  t.field({
    description: 'Liquidation cascade analysis.',
    type: LiquidationCascadeAnalysisRef,
    nullable: true,
    args: {
      window: t.arg({
        type: LiquidationWindowEnum,
        required: true,
        defaultValue: LIQUIDATION_WINDOWS_MS.H1,
        description: 'Velocity window (default 1 h). Other windows are computed on demand by instances that ingest data.',
      }),
      venue: t.arg({
        type: VenueEnum,
        required: false,
        description:
          'Venue: omitted or the primary, its cached result; another ingested perpetual venue (MARKET_VENUES), computed from its store; AGGREGATED, the liquidations of every ingested venue merged (severity from the combined velocity; contributors and excluded say which). DERIBIT and venues not ingested are refused with BAD_USER_INPUT.',
      }),
    },
    resolve: async (m, args, ctx) => {
      if (args.venue === 'AGGREGATED') {
        return crossVenue<LiquidationCascadeAnalysis>(ctx, aggregatedLiquidationCascadesDefinition(args.window) as never, m.symbol);
      }
      const venue = requirePerpVenue(ctx, args.venue, 'liquidationCascades', null);
      if (venue) return requireVenueAnalysis<LiquidationCascadeAnalysis>(ctx, liquidationCascadesDefinition as AnalysisDefinition, m.symbol, venue, args.window === DEFAULT_CASCADE_WINDOW_MS ? undefined : { windowMs: args.window });
      if (args.window === DEFAULT_CASCADE_WINDOW_MS) return withMeta<LiquidationCascadeAnalysis>(ctx, await requireLatest(ctx, 'LIQUIDATION_CASCADES', m.symbol));
      const params: LiquidationCascadeParams = { windowMs: args.window };
      const record = await requireLatestWith(ctx, 'LIQUIDATION_CASCADES', m.symbol, { ...params }, `LIQUIDATION_CASCADES for ${m.symbol} over ${args.window / 60_000} min is not available: no liquidation received yet, or this instance does not ingest market data (ROLE=api serves the default window only)`);
      return withMeta<LiquidationCascadeAnalysis>(ctx, record);
    },
  }),
);

// --- Subscriptions ---

builder.subscriptionField('liquidationCascadesUpdated', (t) =>
  t.field({
    type: LiquidationCascadeAnalysisRef,
    description: 'The liquidation-cascade analysis (1 h window) of one symbol: the latest result at once on subscribe, then each time it is recomputed to a different result.',
    args: { symbol: t.arg.string({ description: 'Symbol of a configured market, e.g. BTCUSDT (case-insensitive).', required: true }) },
    subscribe: (_root, args, ctx) =>
      analysisUpdates(ctx, 'LIQUIDATION_CASCADES', requireSymbol(ctx, args.symbol)),
    resolve: (record: AnalysisRecord, _args, ctx) => withMeta<LiquidationCascadeAnalysis>(ctx, record),
  }),
);

builder.subscriptionField('cascadeDetected', (t) =>
  t.field({
    type: LiquidationCascadeAnalysisRef,
    description:
      'The liquidation-cascade analysis of one symbol only when its severity changes (up or down), not on every recomputation. A first severity above 1 counts as a change from CALM.',
    args: { symbol: t.arg.string({ description: 'Symbol of a configured market, e.g. BTCUSDT (case-insensitive).', required: true }) },
    subscribe: (_root, args, ctx) => slidingWindow(ctx.services.pubsub.subscribe('cascade:detected', requireSymbol(ctx, args.symbol))),
    resolve: (record: AnalysisRecord, _args, ctx) => withMeta<LiquidationCascadeAnalysis>(ctx, record),
  }),
);

builder.subscriptionField('liquidation', (t) =>
  t.field({
    type: LiquidationRef,
    description: 'Every liquidation of one symbol as the source delivers it (check `complete`: sampled feeds miss some).',
    args: { symbol: t.arg.string({ description: 'Symbol of a configured market, e.g. BTCUSDT (case-insensitive).', required: true }) },
    subscribe: (_root, args, ctx) => slidingWindow(ctx.services.pubsub.subscribe('liquidation:created', requireSymbol(ctx, args.symbol))),
    resolve: (liquidation: Liquidation) => liquidation,
  }),
);
