import { z } from 'zod';
import { DEFAULT_VALUE_AREA_PCT, type VolumeProfile } from '../analyzers/volume-profile.types.js';
import type { AnalysisRecord } from '../domain/analysis.js';
import type { CandleInterval } from '../domain/market.js';
import { DEFAULT_PROFILE_INTERVAL, type VolumeProfileParams } from '../engine/definitions/volume-profile.js';
import { badInput } from '../errors.js';
import type { GraphQLContext } from '../context.js';
import { builder } from '../schema/builder.js';
import { CandleIntervalEnum } from '../schema/enums.js';
import { AnalysisMetaRef, FactorRef, MarketRef } from '../schema/refs.js';
import { ValueAreaPositionEnum, VolumeNodeRef, VolumeProfileBucketRef, VolumeProfileRef } from '../schema/refs-volume-profile.js';
import { requireLatest, requireSymbol, withMeta, requireLatestWith, analysisUpdates } from './shared.js';

/** At most this many buckets between the lowest low and the highest high of the range. */
export const MAX_PROFILE_BUCKETS = 20_000;

const bucketSizeArg = z.number().gt(0, 'bucketSize must be greater than 0').nullish();
const valueAreaPctArg = z.number().gt(0, 'valueAreaPct must be greater than 0').lt(100, 'valueAreaPct must be less than 100').nullish();

/** Rejects a bucket size that would cut the range held into more than MAX_PROFILE_BUCKETS buckets. */
function checkBucketCount(ctx: GraphQLContext, symbol: string, params: VolumeProfileParams): void {
  if (params.bucketSize === undefined) return;
  const candles = ctx.services.marketData(symbol)?.market.candles.get(params.interval ?? DEFAULT_PROFILE_INTERVAL)?.toArray() ?? [];
  const inRange = candles.filter((c) => (params.from === undefined || c.openTime >= params.from) && (params.to === undefined || c.openTime < params.to));
  if (inRange.length === 0) return;
  const high = Math.max(...inRange.map((c) => c.high));
  const low = Math.min(...inRange.map((c) => c.low));
  const count = Math.ceil((high - low) / params.bucketSize) + 1;
  if (count > MAX_PROFILE_BUCKETS) {
    throw badInput(`bucketSize ${params.bucketSize} cuts the range ${low}–${high} into ${count} buckets, more than ${MAX_PROFILE_BUCKETS}; use a larger bucketSize`, {
      bucketSize: params.bucketSize,
    });
  }
}

// --- Object types ---

VolumeProfileBucketRef.implement({
  description: 'Volume traded in one price bucket [priceLow, priceHigh) (base asset; each candle spread uniformly over its high-low range).',
  fields: (t) => ({
    priceLow: t.exposeFloat('priceLow', { description: 'Lower edge, inclusive (quote currency).' }),
    priceHigh: t.exposeFloat('priceHigh', { description: 'Upper edge, exclusive (quote currency).' }),
    price: t.exposeFloat('price', { description: 'Bucket mid price.' }),
    volume: t.exposeFloat('volume', { description: 'Volume traded in the bucket (base asset).' }),
    buyVolume: t.exposeFloat('buyVolume', { nullable: true, description: 'Taker buy volume, spread like the volume (base asset); null unless every profiled candle has taker-buy volume (see takerCoverage).' }),
    sellVolume: t.exposeFloat('sellVolume', { nullable: true, description: 'Taker sell volume, spread like the volume (base asset); null like buyVolume.' }),
    share: t.exposeFloat('share', { description: 'volume / total volume of the range, fraction 0..1.' }),
    inValueArea: t.exposeBoolean('inValueArea', { description: 'The bucket is inside the value area.' }),
  }),
});

VolumeNodeRef.implement({
  description: 'A high- or low-volume node: a local maximum / minimum of the profile smoothed over 5 buckets.',
  fields: (t) => ({
    price: t.exposeFloat('price', { description: 'Mid price of the node\'s bucket (quote currency).' }),
    priceLow: t.exposeFloat('priceLow', { description: 'Lower edge of the bucket (quote currency).' }),
    priceHigh: t.exposeFloat('priceHigh', { description: 'Upper edge of the bucket (quote currency).' }),
    volume: t.exposeFloat('volume', { description: 'Volume in the bucket (base asset).' }),
    smoothedVolume: t.exposeFloat('smoothedVolume', { description: 'The smoothed volume the node was detected on.' }),
  }),
});

VolumeProfileRef.implement({
  description: 'Volume profile of a time range: volume per price bucket, point of control, value area and high/low-volume nodes.',
  fields: (t) => ({
    symbol: t.exposeString('symbol', { description: 'Venue symbol, e.g. BTCUSDT.' }),
    interval: t.field({ description: 'Candle interval the result was computed from.', type: CandleIntervalEnum, resolve: (p) => p.interval as CandleInterval }),
    warmingUp: t.exposeBoolean('warmingUp', { description: 'No volume in the range held: POC, value area and position are null.' }),
    from: t.field({ description: 'Start of the requested range.', type: 'DateTime', resolve: (p) => p.from }),
    to: t.field({ description: 'End of the requested range.', type: 'DateTime', resolve: (p) => p.to }),
    coveredFrom: t.field({ type: 'DateTime', nullable: true, description: 'Open time of the first profiled candle.', resolve: (p) => p.coveredFrom }),
    complete: t.exposeBoolean('complete', { description: 'False when the candles held start after `from`: only part of the range is profiled.' }),
    bars: t.exposeInt('bars', { description: 'Candles profiled.' }),
    takerCoverage: t.exposeFloat('takerCoverage', {
      nullable: true,
      description: 'Share (0..1, 1 = all) of the profiled candles whose taker-buy volume the source records; below 1 every bucket buyVolume/sellVolume is null. Null without candles.',
    }),
    bucketSize: t.exposeFloat('bucketSize', { description: 'Width of one price bucket (quote currency).' }),
    valueAreaPct: t.exposeFloat('valueAreaPct', { description: 'Share of the volume the value area holds, percent (70 = 70 %). Default 70.' }),
    totalVolume: t.exposeFloat('totalVolume', { description: 'Volume of the range (base asset).' }),
    poc: t.field({ type: VolumeProfileBucketRef, nullable: true, description: 'Point of control: the bucket with the most volume.', resolve: (p) => p.poc }),
    valueAreaHigh: t.exposeFloat('valueAreaHigh', { description: 'Top of the value area, VAH (quote currency); null while warming up.', nullable: true }),
    valueAreaLow: t.exposeFloat('valueAreaLow', { description: 'Bottom of the value area, VAL (quote currency); null while warming up.', nullable: true }),
    valueAreaVolume: t.exposeFloat('valueAreaVolume', { description: 'Volume inside the value area (base asset); null while warming up.', nullable: true }),
    lastPrice: t.exposeFloat('lastPrice', { nullable: true, description: 'Close of the latest profiled candle.' }),
    position: t.field({ description: 'Where the last price sits against the value area; null while warming up.', type: ValueAreaPositionEnum, nullable: true, resolve: (p) => p.position }),
    buckets: t.field({ type: [VolumeProfileBucketRef], description: 'From the lowest low to the highest high, ascending.', resolve: (p) => p.buckets }),
    highVolumeNodes: t.field({ type: [VolumeNodeRef], description: 'Up to 5, heaviest first.', resolve: (p) => p.highVolumeNodes }),
    lowVolumeNodes: t.field({ type: [VolumeNodeRef], description: 'Up to 5, thinnest first.', resolve: (p) => p.lowVolumeNodes }),
    factors: t.field({ description: 'The weighted inputs behind the score, one Factor each.', type: [FactorRef], resolve: (p) => p.factors }),
    note: t.exposeString('note', { description: 'Plain-language reading of the values, or why some are null.' }),
    meta: t.field({ description: 'Provenance and freshness of this result (source, venue, asOf, age, staleness, methodology version).', type: AnalysisMetaRef, resolve: (p) => p.meta }),
  }),
});

// --- Queries ---

builder.objectField(MarketRef, 'volumeProfile', (t) =>
  t.field({
    type: VolumeProfileRef,
    nullable: true,
    description: 'Volume profile. Non-default arguments are computed on demand by instances that ingest data.',
    args: {
      interval: t.arg({ type: CandleIntervalEnum, required: true, defaultValue: DEFAULT_PROFILE_INTERVAL, description: 'Candle interval (default I5M).' }),
      from: t.arg({ type: 'DateTime', description: 'Start of the range (candles opening at or after it). Default: `to` − 24 h.' }),
      to: t.arg({ type: 'DateTime', description: 'End of the range (candles opening before it). Default: the close of the latest closed candle.' }),
      bucketSize: t.arg.float({
        validate: bucketSizeArg,
        description: `Price width of a bucket (> 0, at most ${MAX_PROFILE_BUCKETS} buckets over the range). Default: 0.1 % of the latest close rounded to a 1-2-5 step.`,
      }),
      valueAreaPct: t.arg.float({
        required: true,
        defaultValue: DEFAULT_VALUE_AREA_PCT,
        validate: valueAreaPctArg,
        description: 'Percent of the volume the value area covers, in (0, 100); default 70.',
      }),
    },
    resolve: async (m, args, ctx) => {
      if (args.from != null && args.to != null && args.from >= args.to) {
        throw badInput(`from ${new Date(args.from).toISOString()} must be before to ${new Date(args.to).toISOString()}`, { from: args.from, to: args.to });
      }
      const params: VolumeProfileParams = { interval: args.interval };
      if (args.from != null) params.from = args.from;
      if (args.to != null) params.to = args.to;
      if (args.bucketSize != null) params.bucketSize = args.bucketSize;
      if (args.valueAreaPct !== DEFAULT_VALUE_AREA_PCT) params.valueAreaPct = args.valueAreaPct;
      if (params.interval === DEFAULT_PROFILE_INTERVAL && Object.keys(params).length === 1) {
        return withMeta<VolumeProfile>(ctx, await requireLatest(ctx, 'VOLUME_PROFILE', m.symbol));
      }
      checkBucketCount(ctx, m.symbol, params);
      const record = await requireLatestWith(ctx, 'VOLUME_PROFILE', m.symbol, { ...params }, `VOLUME_PROFILE for ${m.symbol} with these arguments is not available: no closed ${args.interval} candle received yet, or this instance does not ingest market data (ROLE=api serves the default arguments only)`);
      return withMeta<VolumeProfile>(ctx, record);
    },
  }),
);

// --- Subscriptions ---

builder.subscriptionField('volumeProfileUpdated', (t) =>
  t.field({
    type: VolumeProfileRef,
    description: 'The volume profile (5 m candles, last 24 h, default buckets) of one symbol: the latest result at once on subscribe, then each time it is recomputed to a different result (on candle updates; the values move when a 5 m candle closes).',
    args: { symbol: t.arg.string({ description: 'Symbol of a configured market, e.g. BTCUSDT (case-insensitive).', required: true }) },
    subscribe: (_root, args, ctx) =>
      analysisUpdates(ctx, 'VOLUME_PROFILE', requireSymbol(ctx, args.symbol)),
    resolve: (record: AnalysisRecord, _args, ctx) => withMeta<VolumeProfile>(ctx, record),
  }),
);
