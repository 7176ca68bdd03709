import { z } from 'zod';
import { MAX_STRUCTURE_CONFIRM_BARS } from '../analyzers/market-structure.js';
import type { MarketStructure } from '../analyzers/market-structure.types.js';
import type { AnalysisRecord } from '../domain/analysis.js';
import { DEFAULT_STRUCTURE_PARAMS, type MarketStructureParams } from '../engine/definitions/market-structure.js';
import { builder } from '../schema/builder.js';
import { CandleIntervalEnum } from '../schema/enums.js';
import { AnalysisMetaRef, FactorRef, MarketRef } from '../schema/refs.js';
import {
  MarketStructureRef,
  StructureDirectionEnum,
  StructureEventKindEnum,
  StructureEventRef,
  StructureSwingKindEnum,
  StructureSwingRef,
  StructureTrendEnum,
  SwingLabelEnum,
} from '../schema/refs-market-structure.js';
import { requireLatest, requireSymbol, withMeta, requireLatestWith, analysisUpdates } from './shared.js';

// --- Object types ---

StructureSwingRef.implement({
  description: 'A confirmed swing point: known only from `confirmedAt` on, and never changed afterwards.',
  fields: (t) => ({
    kind: t.field({ description: 'HIGH or LOW.', type: StructureSwingKindEnum, resolve: (s) => s.kind }),
    price: t.exposeFloat('price', { description: 'The high of a swing high, the low of a swing low.' }),
    time: t.field({ type: 'DateTime', description: 'Open time of the swing bar.', resolve: (s) => s.time }),
    confirmedAt: t.field({ type: 'DateTime', description: 'Close time of the bar that confirmed it (confirmBars bars later).', resolve: (s) => s.confirmedAt }),
    label: t.field({ type: SwingLabelEnum, nullable: true, description: 'Against the previous swing of the same kind; null for the first one.', resolve: (s) => s.label }),
  }),
});

StructureEventRef.implement({
  description: 'A close beyond a confirmed swing: BOS in the trend direction, CHOCH against it.',
  fields: (t) => ({
    kind: t.field({ description: 'BOS (with the trend) or CHOCH (against it).', type: StructureEventKindEnum, resolve: (e) => e.kind }),
    direction: t.field({ description: 'BULLISH (close above a swing high) or BEARISH.', type: StructureDirectionEnum, resolve: (e) => e.direction }),
    level: t.exposeFloat('level', { description: 'The swing price closed beyond.' }),
    swing: t.field({ type: StructureSwingRef, description: 'The swing that was broken.', resolve: (e) => e.swing }),
    time: t.field({ type: 'DateTime', description: 'Open time of the breaking bar.', resolve: (e) => e.time }),
    confirmedAt: t.field({ type: 'DateTime', description: 'Close time of the breaking bar.', resolve: (e) => e.confirmedAt }),
    close: t.exposeFloat('close', { description: 'Close of the breaking bar.' }),
    trendBefore: t.field({ description: 'Trend before the break.', type: StructureTrendEnum, resolve: (e) => e.trendBefore }),
    trendAfter: t.field({ description: 'Trend after the break.', type: StructureTrendEnum, resolve: (e) => e.trendAfter }),
  }),
});

MarketStructureRef.implement({
  description:
    'Market structure of closed candles: causal swing points (HH/LH/HL/LL), the trend they form and its breaks (BOS, CHoCH). Non-repainting: newer bars never change a reported swing or event.',
  fields: (t) => ({
    symbol: t.exposeString('symbol', { description: 'Venue symbol, e.g. BTCUSDT.' }),
    interval: t.field({ description: 'Candle interval the result was computed from.', type: CandleIntervalEnum, resolve: (m) => m.interval }),
    confirmBars: t.exposeInt('confirmBars', { description: 'Bars on each side of a swing; a swing is confirmed confirmBars bars after it.' }),
    bars: t.exposeInt('bars', { description: 'Closed candles analysed.' }),
    warmingUp: t.exposeBoolean('warmingUp', { description: 'No confirmed swing high and swing low yet: trend is null.' }),
    time: t.field({ type: 'DateTime', nullable: true, description: 'Close time of the last closed bar.', resolve: (m) => m.time }),
    close: t.exposeFloat('close', { nullable: true, description: 'Close of the last closed bar.' }),
    trend: t.field({ description: 'Direction of the last BOS/CHoCH; RANGE before any break. Null while warming up.', type: StructureTrendEnum, nullable: true, resolve: (m) => m.trend }),
    trendSince: t.field({ type: 'DateTime', nullable: true, description: 'Close time of the break that set the trend; null in RANGE.', resolve: (m) => m.trendSince }),
    swings: t.field({
      type: [StructureSwingRef],
      description: 'Confirmed swings, oldest first (the last `limit` when given).',
      args: { limit: t.arg.int({ description: 'Only the last `limit` swings, 1..1000; default all.', validate: z.number().int().min(1, 'limit must be at least 1').max(1000, 'limit must be at most 1000').nullish() }) },
      resolve: (m, args) => (args.limit ? m.swings.slice(-args.limit) : m.swings),
    }),
    lastSwingHigh: t.field({ description: 'The newest confirmed swing high; null before the first.', type: StructureSwingRef, nullable: true, resolve: (m) => m.lastSwingHigh }),
    lastSwingLow: t.field({ description: 'The newest confirmed swing low; null before the first.', type: StructureSwingRef, nullable: true, resolve: (m) => m.lastSwingLow }),
    events: t.field({
      type: [StructureEventRef],
      description: 'BOS / CHoCH events, oldest first (the last `limit` when given).',
      args: { limit: t.arg.int({ description: 'Only the last `limit` events, 1..1000; default all.', validate: z.number().int().min(1, 'limit must be at least 1').max(1000, 'limit must be at most 1000').nullish() }) },
      resolve: (m, args) => (args.limit ? m.events.slice(-args.limit) : m.events),
    }),
    lastEvent: t.field({ description: 'The newest BOS / CHoCH; null before the first.', type: StructureEventRef, nullable: true, resolve: (m) => m.lastEvent }),
    score: t.exposeFloat('score', { description: 'Structure bias −100..100 = 100 × Σ factor contributions (last break 0.5, high label 0.25, low label 0.25).' }),
    factors: t.field({ description: 'The weighted inputs behind the score, one Factor each.', type: [FactorRef], resolve: (m) => m.factors }),
    meta: t.field({ description: 'Provenance and freshness of this result (source, venue, asOf, age, staleness, methodology version).', type: AnalysisMetaRef, resolve: (m) => m.meta }),
  }),
});

// --- Queries ---

builder.objectField(MarketRef, 'structure', (t) =>
  t.field({
    type: MarketStructureRef,
    nullable: true,
    description: 'Market structure (swings, trend, BOS/CHoCH) of one candle interval. Non-default arguments are computed on demand by instances that ingest data.',
    args: {
      interval: t.arg({ type: CandleIntervalEnum, required: true, defaultValue: DEFAULT_STRUCTURE_PARAMS.interval, description: 'Candle interval analysed (default I15M).' }),
      confirmBars: t.arg.int({
        required: true,
        defaultValue: DEFAULT_STRUCTURE_PARAMS.confirmBars,
        description: `Bars on each side that confirm a swing, 1..${MAX_STRUCTURE_CONFIRM_BARS} (default ${DEFAULT_STRUCTURE_PARAMS.confirmBars}).`,
        validate: z
          .number()
          .int('confirmBars must be an integer')
          .min(1, 'confirmBars must be at least 1')
          .max(MAX_STRUCTURE_CONFIRM_BARS, `confirmBars must be at most ${MAX_STRUCTURE_CONFIRM_BARS}`),
      }),
    },
    resolve: async (m, args, ctx) => {
      const params: MarketStructureParams = { interval: args.interval, confirmBars: args.confirmBars };
      if (params.interval === DEFAULT_STRUCTURE_PARAMS.interval && params.confirmBars === DEFAULT_STRUCTURE_PARAMS.confirmBars) {
        return withMeta<MarketStructure>(ctx, await requireLatest(ctx, 'MARKET_STRUCTURE', m.symbol));
      }
      const record = await requireLatestWith(ctx, 'MARKET_STRUCTURE', m.symbol, { ...params }, `MARKET_STRUCTURE for ${m.symbol} on ${params.interval} candles is not available: no closed ${params.interval} candle received, or this instance does not ingest market data (ROLE=api serves the default arguments only)`);
      return withMeta<MarketStructure>(ctx, record);
    },
  }),
);

// --- Subscriptions ---

builder.subscriptionField('marketStructureUpdated', (t) =>
  t.field({
    type: MarketStructureRef,
    description: 'The market structure (default arguments: 15 m candles, confirmBars 2) of one symbol: the latest result at once on subscribe, then each time it is recomputed to a different result.',
    args: { symbol: t.arg.string({ description: 'Symbol of a configured market, e.g. BTCUSDT (case-insensitive).', required: true }) },
    subscribe: (_root, args, ctx) =>
      analysisUpdates(ctx, 'MARKET_STRUCTURE', requireSymbol(ctx, args.symbol)),
    resolve: (record: AnalysisRecord, _args, ctx) => withMeta<MarketStructure>(ctx, record),
  }),
);
