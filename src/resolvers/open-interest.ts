import type { OpenInterestAnalysis } from '../analyzers/open-interest.types.js';
import type { AnalysisRecord } from '../domain/analysis.js';
import { builder } from '../schema/builder.js';
import { AnalysisMetaRef, FactorRef, MarketRef } from '../schema/refs.js';
import {
  OpenInterestAnalysisRef,
  OpenInterestChangeRef,
  OpenInterestDivergenceKindEnum,
  OpenInterestDivergenceRef,
  OpenInterestHorizonEnum,
  OpenInterestQuadrantEnum,
} from '../schema/refs-open-interest.js';
import { requireLatest, requireSymbol, withMeta, analysisUpdates } from './shared.js';
import { VenueEnum } from '../schema/refs-venues.js';
import { requirePerpVenue, requireVenueAnalysis } from './venues.js';
import { openInterestDefinition } from '../engine/definitions/open-interest.js';
import type { AnalysisDefinition } from '../engine/definition.js';

OpenInterestChangeRef.implement({
  description: 'Change of open interest and price over one horizon ending at the latest observation. Percentages are percent (1.5 = 1.5 %).',
  fields: (t) => ({
    horizon: t.field({ description: 'Look-back of this change.', type: OpenInterestHorizonEnum, resolve: (c) => c.horizon }),
    horizonMs: t.exposeFloat('horizonMs', { description: 'Look-back in milliseconds.' }),
    fromTime: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'The observation measured from (nearest to the latest − horizon, within ±10 % of the horizon); null when history does not reach back.',
      resolve: (c) => c.fromTime,
    }),
    oiChange: t.exposeFloat('oiChange', { nullable: true, description: 'Contracts (base asset).' }),
    oiChangePct: t.exposeFloat('oiChangePct', { description: 'oiChange / contracts then × 100, percent (1.5 = 1.5 %); null when history does not reach back.', nullable: true }),
    valueChange: t.exposeFloat('valueChange', { nullable: true, description: 'Quote currency (USD); null when the source does not report the value.' }),
    valueChangePct: t.exposeFloat('valueChangePct', { description: 'valueChange / value then × 100, percent; null when the value is unreported.', nullable: true }),
    priceChangePct: t.exposeFloat('priceChangePct', { nullable: true, description: 'Price change over the same span as the OI change, percent (1 = 1 %).' }),
    quadrant: t.field({ description: 'Price vs open interest over this horizon; null when either change is unknown.', type: OpenInterestQuadrantEnum, nullable: true, resolve: (c) => c.quadrant }),
    note: t.exposeString('note', { description: 'What was measured, or why a value is null.' }),
  }),
});

OpenInterestDivergenceRef.implement({
  description: 'A new price extreme over the window that open interest does not confirm.',
  fields: (t) => ({
    kind: t.field({ description: 'Which divergence.', type: OpenInterestDivergenceKindEnum, resolve: (d) => d.kind }),
    horizon: t.field({ description: 'Window over which the extreme is new.', type: OpenInterestHorizonEnum, resolve: (d) => d.horizon }),
    price: t.exposeFloat('price', { description: 'The price that made the new high/low (at T).' }),
    previousExtreme: t.exposeFloat('previousExtreme', { description: 'The window high (or low) the price went beyond.' }),
    oiChangePct: t.exposeFloat('oiChangePct', { description: 'Open-interest change over the window, percent (1 = 1 %).' }),
    note: t.exposeString('note', { description: 'Plain-language reading of the values, or why some are null.' }),
  }),
});

OpenInterestAnalysisRef.implement({
  description:
    'Open interest: how many contracts are open, how that changed over 5 m / 1 h / 4 h / 24 h, and whether price moves are carried by positions opening or closing.',
  fields: (t) => ({
    symbol: t.exposeString('symbol', { description: 'Venue symbol, e.g. BTCUSDT.' }),
    warmingUp: t.exposeBoolean('warmingUp', { description: 'The quadrant horizon cannot be measured yet: quadrant is null and the score 0.' }),
    time: t.field({ type: 'DateTime', description: 'Time of the latest open-interest observation.', resolve: (a) => a.time }),
    openInterest: t.exposeFloat('openInterest', {
      nullable: true,
      description: 'Contracts (base asset); null when the source reports only the USD value (a replay of Binance daily openInterestHist).',
    }),
    openInterestValue: t.exposeFloat('openInterestValue', { nullable: true, description: 'Quote currency (USD), as reported by the source.' }),
    price: t.exposeFloat('price', { nullable: true, description: 'Price at the time of the latest observation (price path point within 2.5 min).' }),
    changes: t.field({ type: [OpenInterestChangeRef], description: 'One entry per horizon: M5, H1, H4, H24.', resolve: (a) => a.changes }),
    change: t.field({
      type: OpenInterestChangeRef,
      description: 'The change over one horizon.',
      args: { horizon: t.arg({ description: 'Look-back of the change.', type: OpenInterestHorizonEnum, required: true }) },
      resolve: (a, args) => a.changes.find((c) => c.horizon === args.horizon)!,
    }),
    quadrantHorizon: t.field({ description: 'Horizon the quadrant and score are read over (H1).', type: OpenInterestHorizonEnum, resolve: (a) => a.quadrantHorizon }),
    quadrant: t.field({
      type: OpenInterestQuadrantEnum,
      nullable: true,
      description: 'Quadrant over quadrantHorizon (1 h); flat bands ±0.1 % price and ±0.25 % OI.',
      resolve: (a) => a.quadrant,
    }),
    divergences: t.field({ description: 'New price extremes that open interest does not confirm.', type: [OpenInterestDivergenceRef], resolve: (a) => a.divergences }),
    score: t.exposeFloat('score', {
      description: 'Directional conviction −100..100: positive = new longs driving price up, negative = new shorts driving it down, near 0 for moves made by closing positions.',
    }),
    factors: t.field({ description: 'The weighted inputs behind the score, one Factor each.', type: [FactorRef], resolve: (a) => a.factors }),
    meta: t.field({ description: 'Provenance and freshness of this result (source, venue, asOf, age, staleness, methodology version).', type: AnalysisMetaRef, resolve: (a) => a.meta }),
  }),
});

builder.objectField(MarketRef, 'openInterest', (t) =>
  t.field({
    description: 'Open-interest analysis, on the primary venue unless `venue` names another ingested one.',
    type: OpenInterestAnalysisRef,
    nullable: true,
    args: { venue: t.arg({ type: VenueEnum, required: false, description: 'Venue to compute it on: omitted or the primary venue, the cached result of the primary; BYBIT, OKX or BINANCE when ingested (MARKET_VENUES), computed on demand from that venue store. AGGREGATED and DERIBIT are refused (BAD_USER_INPUT naming the supported venues; across venues use Market.aggregatedOpenInterest).' }) },
    resolve: async (m, args, ctx) => {
      const venue = requirePerpVenue(ctx, args.venue, 'openInterest', 'aggregatedOpenInterest');
      if (venue) return requireVenueAnalysis<OpenInterestAnalysis>(ctx, openInterestDefinition as AnalysisDefinition, m.symbol, venue);
      return withMeta<OpenInterestAnalysis>(ctx, await requireLatest(ctx, 'OPEN_INTEREST', m.symbol));
    },
  }),
);

// --- Subscriptions ---

builder.subscriptionField('openInterestUpdated', (t) =>
  t.field({
    type: OpenInterestAnalysisRef,
    description: 'The open-interest analysis of one symbol: the latest result at once on subscribe, then each time it is recomputed to a different result.',
    args: { symbol: t.arg.string({ description: 'Symbol of a configured market, e.g. BTCUSDT (case-insensitive).', required: true }) },
    subscribe: (_root, args, ctx) =>
      analysisUpdates(ctx, 'OPEN_INTEREST', requireSymbol(ctx, args.symbol)),
    resolve: (record: AnalysisRecord, _args, ctx) => withMeta<OpenInterestAnalysis>(ctx, record),
  }),
);
