import { z } from 'zod';
import { MAX_KEY_LEVEL_TOLERANCE_PCT } from '../analyzers/key-levels.js';
import type { KeyLevels } from '../analyzers/key-levels.types.js';
import type { AnalysisRecord } from '../domain/analysis.js';
import { DEFAULT_KEY_LEVELS_PARAMS, type KeyLevelsParams } from '../engine/definitions/key-levels.js';
import { builder } from '../schema/builder.js';
import { CandleIntervalEnum } from '../schema/enums.js';
import { AnalysisMetaRef, FactorRef, MarketRef } from '../schema/refs.js';
import {
  KeyLevelKindEnum,
  KeyLevelLegDirectionEnum,
  KeyLevelLegRef,
  KeyLevelPeriodRef,
  KeyLevelRef,
  KeyLevelSideEnum,
  KeyLevelsRef,
} from '../schema/refs-key-levels.js';
import { requireLatest, requireSymbol, withMeta, requireLatestWith, analysisUpdates } from './shared.js';

// --- Object types ---

KeyLevelRef.implement({
  description: 'One support/resistance level with where it comes from and how far it is.',
  fields: (t) => ({
    kind: t.field({ description: 'Where the level comes from.', type: KeyLevelKindEnum, resolve: (l) => l.kind }),
    price: t.exposeFloat('price', { description: 'Level price, rounded to the tick size (quote currency).' }),
    distancePct: t.exposeFloat('distancePct', { description: '(level − price) / price × 100, percent; negative below the current price.' }),
    side: t.field({ description: 'SUPPORT below the current price, RESISTANCE at or above it.', type: KeyLevelSideEnum, resolve: (l) => l.side }),
    strength: t.exposeFloat('strength', {
      nullable: true,
      description: '0..100: SWING_CLUSTER 100 × (0.6 × min(touches, 4)/4 + 0.4 × recency); VOLUME_NODE 100 × volume / largest bin; null for the other kinds.',
    }),
    touches: t.exposeInt('touches', { nullable: true, description: 'Confirmed swings in the cluster (SWING_CLUSTER only).' }),
    lastTouchTime: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'SWING_CLUSTER: open time of the newest swing bar; PRIOR_*: start of the period.',
      resolve: (l) => l.lastTouchTime,
    }),
    ratio: t.exposeFloat('ratio', { nullable: true, description: 'Fibonacci ratio (FIB_* only).' }),
    note: t.exposeString('note', { description: 'Plain-language reading of the values, or why some are null.' }),
    factors: t.field({ type: [FactorRef], description: 'Why the strength is what it is (SWING_CLUSTER, VOLUME_NODE).', resolve: (l) => l.factors }),
  }),
});

KeyLevelLegRef.implement({
  description: 'The last confirmed swing-to-swing leg (the Fibonacci levels are measured on it).',
  fields: (t) => ({
    direction: t.field({ description: 'UP (swing low to swing high) or DOWN.', type: KeyLevelLegDirectionEnum, resolve: (l) => l.direction }),
    fromPrice: t.exposeFloat('fromPrice', { description: 'Price of the swing the leg starts at (quote currency).' }),
    fromTime: t.field({ description: 'Open time of that swing bar.', type: 'DateTime', resolve: (l) => l.fromTime }),
    toPrice: t.exposeFloat('toPrice', { description: 'Price of the swing the leg ends at (quote currency).' }),
    toTime: t.field({ description: 'Open time of that swing bar.', type: 'DateTime', resolve: (l) => l.toTime }),
    confirmedAt: t.field({ type: 'DateTime', description: 'When the end swing was confirmed.', resolve: (l) => l.confirmedAt }),
  }),
});

KeyLevelPeriodRef.implement({
  description: 'High, low and close of one UTC day or week (week from Monday 00:00 UTC).',
  fields: (t) => ({
    start: t.field({ description: 'UTC start of the period.', type: 'DateTime', resolve: (p) => p.start }),
    high: t.exposeFloat('high', { description: 'High of the period (quote currency).' }),
    low: t.exposeFloat('low', { description: 'Low of the period (quote currency).' }),
    close: t.exposeFloat('close', { description: 'Close of the period (quote currency).' }),
  }),
});

KeyLevelsRef.implement({
  description:
    'Support and resistance: confirmed swing clusters, volume nodes, Fibonacci retracements/extensions of the last confirmed leg and the prior UTC day/week high, low and close.',
  fields: (t) => ({
    symbol: t.exposeString('symbol', { description: 'Venue symbol, e.g. BTCUSDT.' }),
    interval: t.field({ description: 'Candle interval the result was computed from.', type: CandleIntervalEnum, resolve: (k) => k.interval }),
    tolerancePct: t.exposeFloat('tolerancePct', { description: 'Swing clustering tolerance in percent.' }),
    warmingUp: t.exposeBoolean('warmingUp', { description: 'No confirmed leg yet: no swing clusters, no Fibonacci levels.' }),
    time: t.field({ type: 'DateTime', description: 'Time of the newest market input ("now" for the prior day/week).', resolve: (k) => k.time }),
    price: t.exposeFloat('price', { description: 'Current price the distances are measured from.' }),
    bars: t.exposeInt('bars', { description: 'Closed candles analysed.' }),
    levels: t.field({
      type: [KeyLevelRef],
      description: 'Levels, highest price first; optionally only some kinds or the ones within maxDistancePct.',
      args: {
        kinds: t.arg({ description: 'Only levels of these kinds; default all.', type: [KeyLevelKindEnum] }),
        maxDistancePct: t.arg.float({ description: 'Only levels within this distance of the price, percent (1 = 1 %); must be > 0; default no limit.', validate: z.number().gt(0, 'maxDistancePct must be > 0').nullish() }),
      },
      resolve: (k, args) =>
        k.levels.filter(
          (l) => (!args.kinds || args.kinds.includes(l.kind)) && (args.maxDistancePct == null || Math.abs(l.distancePct) <= args.maxDistancePct),
        ),
    }),
    nearestSupport: t.field({ type: KeyLevelRef, nullable: true, description: 'The highest level below the price.', resolve: (k) => k.nearestSupport }),
    nearestResistance: t.field({ type: KeyLevelRef, nullable: true, description: 'The lowest level at or above the price.', resolve: (k) => k.nearestResistance }),
    leg: t.field({ description: 'The last confirmed swing-to-swing leg; null while warming up.', type: KeyLevelLegRef, nullable: true, resolve: (k) => k.leg }),
    priorDay: t.field({ type: KeyLevelPeriodRef, nullable: true, description: 'Null unless the candles cover the whole prior UTC day.', resolve: (k) => k.priorDay }),
    priorWeek: t.field({ type: KeyLevelPeriodRef, nullable: true, description: 'Null unless the candles cover the whole prior UTC week.', resolve: (k) => k.priorWeek }),
    meta: t.field({ description: 'Provenance and freshness of this result (source, venue, asOf, age, staleness, methodology version).', type: AnalysisMetaRef, resolve: (k) => k.meta }),
  }),
});

// --- Queries ---

builder.objectField(MarketRef, 'keyLevels', (t) =>
  t.field({
    type: KeyLevelsRef,
    nullable: true,
    description: 'Key support/resistance levels of one candle interval. Non-default arguments are computed on demand by instances that ingest data.',
    args: {
      interval: t.arg({ type: CandleIntervalEnum, required: true, defaultValue: DEFAULT_KEY_LEVELS_PARAMS.interval, description: 'Candle interval analysed (default I1H).' }),
      tolerancePct: t.arg.float({
        required: true,
        defaultValue: DEFAULT_KEY_LEVELS_PARAMS.tolerancePct,
        description: `Swings within this percent form one level, (0, ${MAX_KEY_LEVEL_TOLERANCE_PCT}] (default ${DEFAULT_KEY_LEVELS_PARAMS.tolerancePct}).`,
        validate: z
          .number()
          .gt(0, 'tolerancePct must be greater than 0 (percent, e.g. 0.15)')
          .max(MAX_KEY_LEVEL_TOLERANCE_PCT, `tolerancePct must be at most ${MAX_KEY_LEVEL_TOLERANCE_PCT} (percent)`),
      }),
    },
    resolve: async (m, args, ctx) => {
      const params: KeyLevelsParams = { interval: args.interval, tolerancePct: args.tolerancePct };
      if (params.interval === DEFAULT_KEY_LEVELS_PARAMS.interval && params.tolerancePct === DEFAULT_KEY_LEVELS_PARAMS.tolerancePct) {
        return withMeta<KeyLevels>(ctx, await requireLatest(ctx, 'KEY_LEVELS', m.symbol));
      }
      const record = await requireLatestWith(ctx, 'KEY_LEVELS', m.symbol, { ...params }, `KEY_LEVELS for ${m.symbol} on ${params.interval} candles is not available: no closed ${params.interval} candle received, or this instance does not ingest market data (ROLE=api serves the default arguments only)`);
      return withMeta<KeyLevels>(ctx, record);
    },
  }),
);

// --- Subscriptions ---

builder.subscriptionField('keyLevelsUpdated', (t) =>
  t.field({
    type: KeyLevelsRef,
    description: 'The key levels (default arguments: 1 h candles, 0.15 % tolerance) of one symbol each time they are recomputed.',
    args: { symbol: t.arg.string({ description: 'Symbol of a configured market, e.g. BTCUSDT (case-insensitive).', required: true }) },
    subscribe: (_root, args, ctx) => analysisUpdates(ctx, 'KEY_LEVELS', requireSymbol(ctx, args.symbol)),
    resolve: (record: AnalysisRecord, _args, ctx) => withMeta<KeyLevels>(ctx, record),
  }),
);
