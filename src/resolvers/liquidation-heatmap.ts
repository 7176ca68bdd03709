import { z } from 'zod';
import { DEFAULT_BUCKETS, DEFAULT_RANGE_PCT, type LiquidationHeatmap } from '../analyzers/liquidation-heatmap.types.js';
import type { AnalysisRecord } from '../domain/analysis.js';
import type { LiquidationHeatmapParams } from '../engine/definitions/liquidation-heatmap.js';
import { builder } from '../schema/builder.js';
import { AnalysisMetaRef, FactorRef, MarketRef } from '../schema/refs.js';
import {
  LiquidationCascadeDirectionEnum,
  LiquidationHeatmapBucketRef,
  LiquidationHeatmapCascadeRef,
  LiquidationHeatmapLeverageTierRef,
  LiquidationHeatmapRef,
  LiquidationHeatmapSliceRef,
  LiquidationHeatmapTierAmountRef,
  LiquidationHeatmapTimelineRef,
  LiquidationHeatmapTotalsRef,
  LiquidationHeatmapWhaleTargetRef,
  LiquidationHeatmapWindowRef,
  LiquidationHeatmapZoneRef,
  LiquidationPositionSideEnum,
  LiquidationPressureEnum,
  LiquidationRiskLevelEnum,
} from '../schema/refs-liquidation-heatmap.js';
import { requireLatest, requireSymbol, withMeta, requireLatestWith, analysisUpdates } from './shared.js';

/** Limits of the caller-chosen arguments (Binance's highest leverage is 125x). */
export const HEATMAP_ARG_LIMITS = { maxLeverage: 125, maxLeverages: 20, maxRangePct: 50, minBuckets: 10, maxBuckets: 400 } as const;

const leveragesArg = z
  .array(
    z
      .number()
      .int('each leverage must be an integer')
      .min(1, 'each leverage must be at least 1')
      .max(HEATMAP_ARG_LIMITS.maxLeverage, `each leverage must be at most ${HEATMAP_ARG_LIMITS.maxLeverage}`),
  )
  .min(1, 'leverages must have at least 1 item')
  .max(HEATMAP_ARG_LIMITS.maxLeverages, `leverages must have at most ${HEATMAP_ARG_LIMITS.maxLeverages} items`)
  .refine((list) => new Set(list).size === list.length, 'leverages must be distinct')
  .nullish();
const rangePctArg = z
  .number()
  .gt(0, 'rangePct must be greater than 0')
  .max(HEATMAP_ARG_LIMITS.maxRangePct, `rangePct must be at most ${HEATMAP_ARG_LIMITS.maxRangePct}`)
  .nullish();
const bucketsArg = z
  .number()
  .int('buckets must be an integer')
  .min(HEATMAP_ARG_LIMITS.minBuckets, `buckets must be at least ${HEATMAP_ARG_LIMITS.minBuckets}`)
  .max(HEATMAP_ARG_LIMITS.maxBuckets, `buckets must be at most ${HEATMAP_ARG_LIMITS.maxBuckets}`)
  .nullish();

/** GraphQL shape: the analysis with `meta`, buckets carrying their tier leverages, timeline its prices. */
function present(ctx: Parameters<typeof withMeta>[0], record: AnalysisRecord) {
  return withMeta<LiquidationHeatmap>(ctx, record);
}

// --- Object types ---

LiquidationHeatmapTierAmountRef.implement({
  description: 'Liquidation notional of one leverage tier in one bucket (quote currency, at entry).',
  fields: (t) => ({
    leverage: t.exposeFloat('leverage', { description: 'Leverage of the tier, e.g. 25 (×).' }),
    longNotional: t.exposeFloat('longNotional', { description: 'Long liquidation notional of this tier in the bucket (quote currency).' }),
    shortNotional: t.exposeFloat('shortNotional', { description: 'Short liquidation notional of this tier in the bucket (quote currency).' }),
  }),
});

LiquidationHeatmapBucketRef.implement({
  description: 'One price bucket: estimated notional of positions that would be liquidated if the price traded inside it.',
  fields: (t) => ({
    priceLow: t.exposeFloat('priceLow', { description: 'Lower edge of the bucket (quote currency).' }),
    priceHigh: t.exposeFloat('priceHigh', { description: 'Upper edge of the bucket (quote currency).' }),
    price: t.exposeFloat('price', { description: 'Bucket mid price.' }),
    longNotional: t.exposeFloat('longNotional', { description: 'Long liquidations (forced sells); only in buckets below the price.' }),
    shortNotional: t.exposeFloat('shortNotional', { description: 'Short liquidations (forced buys); only in buckets above the price.' }),
    totalNotional: t.exposeFloat('totalNotional', { description: 'longNotional + shortNotional (quote currency, at entry).' }),
    tiers: t.field({
      type: [LiquidationHeatmapTierAmountRef],
      description: 'Breakdown per leverage tier, in the order of `leverageTiers`.',
      resolve: (b) => b.leverages.map((leverage, k) => ({ leverage, longNotional: b.longByTier[k] ?? 0, shortNotional: b.shortByTier[k] ?? 0 })),
    }),
  }),
});

LiquidationHeatmapLeverageTierRef.implement({
  description: 'One tier of the assumed leverage mix and the maintenance bracket its representative position uses.',
  fields: (t) => ({
    leverage: t.exposeFloat('leverage', { description: 'The tier as requested.' }),
    effectiveLeverage: t.exposeFloat('effectiveLeverage', { description: "Capped at the bracket table's highest leverage." }),
    weight: t.exposeFloat('weight', { description: 'Share of every entry assigned to this tier (weights sum to 1).' }),
    bracket: t.exposeInt('bracket', { description: 'Bracket of the representative position (positionNotional, capped at what this leverage allows).' }),
    positionNotional: t.exposeFloat('positionNotional', { description: 'Representative position notional used to pick the bracket.' }),
    maintenanceMarginRate: t.exposeFloat('maintenanceMarginRate', { description: 'Fraction (0.004 = 0.4 %).' }),
    maintenanceAmount: t.exposeFloat('maintenanceAmount', { description: 'Binance "cum", quote currency.' }),
    longLiquidationOffsetPct: t.exposeFloat('longLiquidationOffsetPct', { description: '(liquidation price / entry − 1) × 100 of a long, percent (negative).' }),
    shortLiquidationOffsetPct: t.exposeFloat('shortLiquidationOffsetPct', { description: '(liquidation price / entry − 1) × 100 of a short, percent (positive).' }),
    longNotional: t.exposeFloat('longNotional', { description: 'Remaining long notional of this tier, all prices.' }),
    shortNotional: t.exposeFloat('shortNotional', { description: 'Remaining short notional of this tier, all prices.' }),
  }),
});

LiquidationHeatmapZoneRef.implement({
  description: 'A liquidation bucket: the nearest significant one (≥ 25 % of the largest on its side) or the largest.',
  fields: (t) => ({
    side: t.field({ description: 'LONG positions (below the price) or SHORT positions (above).', type: LiquidationPositionSideEnum, resolve: (z) => z.side }),
    priceLow: t.exposeFloat('priceLow', { description: 'Lower edge of the bucket (quote currency).' }),
    priceHigh: t.exposeFloat('priceHigh', { description: 'Upper edge of the bucket (quote currency).' }),
    price: t.exposeFloat('price', { description: 'Bucket mid price (quote currency).' }),
    notional: t.exposeFloat('notional', { description: 'Notional of the bucket on its side (quote currency, at entry).' }),
    distancePct: t.exposeFloat('distancePct', { description: '(price − current price) / current price × 100, percent; negative below.' }),
  }),
});

LiquidationHeatmapWhaleTargetRef.implement({
  description: 'A cluster of adjacent heavy buckets: a price a large player could push into to trigger forced flow.',
  fields: (t) => ({
    side: t.field({ description: 'LONG positions (below the price) or SHORT positions (above).', type: LiquidationPositionSideEnum, resolve: (w) => w.side }),
    price: t.exposeFloat('price', { description: 'Notional-weighted mean of the bucket mid prices.' }),
    priceLow: t.exposeFloat('priceLow', { description: 'Lower edge of the cluster (quote currency).' }),
    priceHigh: t.exposeFloat('priceHigh', { description: 'Upper edge of the cluster (quote currency).' }),
    notional: t.exposeFloat('notional', { description: 'Notional of the cluster (quote currency, at entry).' }),
    buckets: t.exposeInt('buckets', { description: 'Cluster size in buckets.' }),
    distancePct: t.exposeFloat('distancePct', { description: '(price − current price) / current price × 100, percent; negative below.' }),
    volumeMinutes: t.exposeFloat('volumeMinutes', { nullable: true, description: 'notional / average traded quote volume per minute.' }),
    risk: t.field({ description: 'Size in minutes of average traded volume.', type: LiquidationRiskLevelEnum, resolve: (w) => w.risk }),
  }),
});

LiquidationHeatmapCascadeRef.implement({
  description:
    'Cascade likelihood: distance-weighted liquidation mass within reach = 2 × ATR, in minutes of traded volume x, mapped to p = 1 − exp(−x / 5). A heuristic, not a calibrated probability.',
  fields: (t) => ({
    atr: t.exposeFloat('atr', { nullable: true, description: 'Average true range (14, Wilder) of hourly candles; null while warming up.' }),
    atrPeriod: t.exposeInt('atrPeriod', { description: 'ATR period (hourly candles, Wilder). Default 14.' }),
    reach: t.exposeFloat('reach', { nullable: true, description: 'Price distance considered, cascadeAtrMultiple × ATR.' }),
    volumePerMinute: t.exposeFloat('volumePerMinute', { nullable: true, description: 'Average traded quote volume per minute over the last hour of candles.' }),
    upMass: t.exposeFloat('upMass', { nullable: true, description: 'Σ short notional × max(0, 1 − distance / reach).' }),
    downMass: t.exposeFloat('downMass', { nullable: true, description: 'Σ long notional × max(0, 1 − distance / reach).' }),
    upProbability: t.exposeFloat('upProbability', { description: '1 − exp(−(upMass / volumePerMinute) / cascadeScaleMinutes), 0..1 (a heuristic fraction); null while warming up.', nullable: true }),
    downProbability: t.exposeFloat('downProbability', { description: '1 − exp(−(downMass / volumePerMinute) / cascadeScaleMinutes), 0..1 (a heuristic fraction); null while warming up.', nullable: true }),
    direction: t.field({ description: 'UP, DOWN or NEUTRAL.', type: LiquidationCascadeDirectionEnum, resolve: (c) => c.direction }),
  }),
});

LiquidationHeatmapTotalsRef.implement({
  description: 'Bookkeeping of the estimated notional: allocated = reduced + liquidated + remaining; remaining = in range + out of range.',
  fields: (t) => ({
    allocatedNotional: t.exposeFloat('allocatedNotional', { description: 'Notional of every position entry created from open-interest increases.' }),
    reducedNotional: t.exposeFloat('reducedNotional', { description: 'Closed by open-interest decreases.' }),
    liquidatedNotional: t.exposeFloat('liquidatedNotional', { description: 'Dropped because the price path reached their liquidation price.' }),
    remainingNotional: t.exposeFloat('remainingNotional', { description: 'allocated − reduced − liquidated.' }),
    longNotional: t.exposeFloat('longNotional', { description: 'In range.' }),
    shortNotional: t.exposeFloat('shortNotional', { description: 'In range.' }),
    outOfRangeLongNotional: t.exposeFloat('outOfRangeLongNotional', { description: 'Remaining notional outside the range (longs below it, shorts above it).' }),
    outOfRangeShortNotional: t.exposeFloat('outOfRangeShortNotional', { description: 'Remaining short notional whose liquidation price is above the range (quote currency).' }),
    unplacedOpenInterest: t.exposeFloat('unplacedOpenInterest', { description: 'Open-interest increase (contracts) without candles or trades to place it.' }),
    seededOpenInterest: t.exposeFloat('seededOpenInterest', {
      description: 'Open interest (contracts, base units) already open at the first observation, seeded over the 3 days of candles before it (volume-weighted at typical prices); 0 when no candle covers that window.',
    }),
    openInterestNotional: t.exposeFloat('openInterestNotional', { nullable: true, description: 'Latest open interest × price (quote currency): what the model should account for; null without open interest.' }),
    coverage: t.exposeFloat('coverage', {
      nullable: true,
      description: 'remainingNotional / openInterestNotional (fraction, 1 = all open interest modelled): how much of the open interest the heatmap, whale targets and cascade probabilities account for; null without open interest.',
    }),
  }),
});

LiquidationHeatmapSliceRef.implement({
  description: 'One column of the price × time matrix.',
  fields: (t) => ({
    time: t.field({ description: 'Time of this column.', type: 'DateTime', resolve: (s) => s.time }),
    notional: t.floatList({ description: 'Remaining liquidation notional per bucket at `time`, aligned with `buckets`.', resolve: (s) => s.notional }),
  }),
});

LiquidationHeatmapTimelineRef.implement({
  description: 'Price × time matrix of remaining liquidation notional, for drawing a heatmap chart (x = slices, y = prices).',
  fields: (t) => ({
    prices: t.floatList({ description: 'Bucket mid prices (the y axis).', resolve: (tl) => [...tl.prices] }),
    slices: t.field({ description: 'Columns, oldest first.', type: [LiquidationHeatmapSliceRef], resolve: (tl) => tl.slices }),
    maxNotional: t.exposeFloat('maxNotional', { description: 'Largest cell, for colour scaling.' }),
  }),
});

LiquidationHeatmapWindowRef.implement({
  description: 'The data the estimate is built from.',
  fields: (t) => ({
    from: t.field({ description: 'First open-interest observation used; null without observations.', type: 'DateTime', nullable: true, resolve: (w) => w.from }),
    to: t.field({ description: 'Last open-interest observation used; null without observations.', type: 'DateTime', nullable: true, resolve: (w) => w.to }),
    openInterestPoints: t.exposeInt('openInterestPoints', { description: 'Open-interest observations used.' }),
    increases: t.exposeInt('increases', { description: 'Open-interest increases turned into position entries.' }),
    decreases: t.exposeInt('decreases', { description: 'Open-interest decreases applied (positions reduced).' }),
    candles: t.exposeInt('candles', { description: 'Candles used as entry price levels and the price path.' }),
    candleIntervalMs: t.exposeFloat('candleIntervalMs', { description: 'closeTime − openTime + 1 of the first candle; null without candles.', nullable: true }),
    atrCandles: t.exposeInt('atrCandles', { description: 'Candles of the volatility series (usually 1 h) used for the ATR.' }),
  }),
});

LiquidationHeatmapRef.implement({
  description:
    'Estimated liquidation heatmap: where positions opened recently (open-interest increases, split long/short by taker flow, spread over a leverage mix) would be liquidated under Binance maintenance brackets. Amounts are notional at entry in the quote currency. An estimate, not the venue order book.',
  fields: (t) => ({
    symbol: t.exposeString('symbol', { description: 'Venue symbol, e.g. BTCUSDT.' }),
    warmingUp: t.exposeBoolean('warmingUp', { description: 'Too few open-interest observations or hourly candles; the result is partial.' }),
    price: t.exposeFloat('price', { description: 'Last traded price the buckets are centred on.' }),
    rangePct: t.exposeFloat('rangePct', { description: 'Half-width of the bucket range around the price, percent (10 = ±10 %).' }),
    rangeLow: t.exposeFloat('rangeLow', { description: 'Bottom of the bucket range (quote currency).' }),
    rangeHigh: t.exposeFloat('rangeHigh', { description: 'Top of the bucket range (quote currency).' }),
    bucketSize: t.exposeFloat('bucketSize', { description: 'Width of one price bucket (quote currency).' }),
    buckets: t.field({
      type: [LiquidationHeatmapBucketRef],
      description: 'Equal-width buckets from rangeLow to rangeHigh, lowest first.',
      resolve: (h) => {
        const leverages = h.leverageTiers.map((x) => x.leverage);
        return h.buckets.map((b) => ({ ...b, leverages }));
      },
    }),
    leverageTiers: t.field({ description: 'The assumed leverage mix and the maintenance bracket of each tier.', type: [LiquidationHeatmapLeverageTierRef], resolve: (h) => h.leverageTiers }),
    bracketTable: t.exposeString('bracketTable', { description: 'Maintenance-margin bracket table used.' }),
    totals: t.field({ description: 'Bookkeeping of the estimated notional.', type: LiquidationHeatmapTotalsRef, resolve: (h) => h.totals }),
    nearestAbove: t.field({ type: LiquidationHeatmapZoneRef, nullable: true, description: 'Nearest significant short-liquidation bucket.', resolve: (h) => h.nearestAbove }),
    largestAbove: t.field({ description: 'Largest short-liquidation bucket above the price; null without any.', type: LiquidationHeatmapZoneRef, nullable: true, resolve: (h) => h.largestAbove }),
    nearestBelow: t.field({ type: LiquidationHeatmapZoneRef, nullable: true, description: 'Nearest significant long-liquidation bucket.', resolve: (h) => h.nearestBelow }),
    largestBelow: t.field({ description: 'Largest long-liquidation bucket below the price; null without any.', type: LiquidationHeatmapZoneRef, nullable: true, resolve: (h) => h.largestBelow }),
    whaleTargets: t.field({ type: [LiquidationHeatmapWhaleTargetRef], description: 'Largest clusters first.', resolve: (h) => h.whaleTargets }),
    cascade: t.field({ description: 'Cascade likelihood up and down from the liquidation mass within reach.', type: LiquidationHeatmapCascadeRef, resolve: (h) => h.cascade }),
    pressure: t.field({ description: 'Which side carries more estimated liquidation notional.', type: LiquidationPressureEnum, resolve: (h) => h.pressure }),
    pressureScore: t.exposeFloat('pressureScore', { description: '−100..100 = 100 × Σ factor contributions; positive = long liquidations dominate.' }),
    signal: t.exposeString('signal', { description: 'Plain-language reading of the pressure.' }),
    factors: t.field({ description: 'The weighted inputs behind the score, one Factor each.', type: [FactorRef], resolve: (h) => h.factors }),
    timeline: t.field({
      description: 'Price × time matrix of remaining notional, for charts.',
      type: LiquidationHeatmapTimelineRef,
      resolve: (h) => ({ ...h.timeline, prices: h.buckets.map((b) => b.price) }),
    }),
    window: t.field({ description: 'The data the estimate is built from.', type: LiquidationHeatmapWindowRef, resolve: (h) => h.window }),
    assumptions: t.exposeStringList('assumptions', { description: 'The model behind the numbers, in plain language.' }),
    meta: t.field({ description: 'Provenance and freshness of this result (source, venue, asOf, age, staleness, methodology version).', type: AnalysisMetaRef, resolve: (h) => h.meta }),
  }),
});

// --- Queries ---

builder.objectField(MarketRef, 'liquidationHeatmap', (t) =>
  t.field({
    type: LiquidationHeatmapRef,
    nullable: true,
    description: 'Estimated liquidation heatmap around the current price. Non-default arguments are computed on demand by instances that ingest data.',
    args: {
      leverages: t.arg.intList({
        validate: leveragesArg,
        description: `Leverage tiers 1..${HEATMAP_ARG_LIMITS.maxLeverage} (at most ${HEATMAP_ARG_LIMITS.maxLeverages}, distinct), weighted equally; default: 2–125x with documented weights.`,
      }),
      rangePct: t.arg.float({ validate: rangePctArg, description: `Half-width of the price range in percent, (0, ${HEATMAP_ARG_LIMITS.maxRangePct}]; default ${DEFAULT_RANGE_PCT}.` }),
      buckets: t.arg.int({
        validate: bucketsArg,
        description: `Number of price buckets, ${HEATMAP_ARG_LIMITS.minBuckets}..${HEATMAP_ARG_LIMITS.maxBuckets}; default ${DEFAULT_BUCKETS}.`,
      }),
    },
    resolve: async (m, args, ctx) => {
      const rangePct = args.rangePct ?? DEFAULT_RANGE_PCT;
      const buckets = args.buckets ?? DEFAULT_BUCKETS;
      if (!args.leverages && rangePct === DEFAULT_RANGE_PCT && buckets === DEFAULT_BUCKETS) {
        return present(ctx, await requireLatest(ctx, 'LIQUIDATION_HEATMAP', m.symbol));
      }
      const params: LiquidationHeatmapParams = { rangePct, buckets, ...(args.leverages ? { leverages: [...args.leverages].sort((a, b) => a - b) } : {}) };
      const record = await requireLatestWith(ctx, 'LIQUIDATION_HEATMAP', m.symbol, { ...params }, `LIQUIDATION_HEATMAP for ${m.symbol} with these arguments is not available: no price or candles received yet, or this instance does not ingest market data (ROLE=api serves the default arguments only)`);
      return present(ctx, record);
    },
  }),
);

// --- Subscriptions ---

builder.subscriptionField('liquidationHeatmapUpdated', (t) =>
  t.field({
    type: LiquidationHeatmapRef,
    description: 'The liquidation heatmap (default arguments) of one symbol: the latest result at once on subscribe, then each time it is recomputed to a different result.',
    args: { symbol: t.arg.string({ description: 'Symbol of a configured market, e.g. BTCUSDT (case-insensitive).', required: true }) },
    subscribe: (_root, args, ctx) =>
      analysisUpdates(ctx, 'LIQUIDATION_HEATMAP', requireSymbol(ctx, args.symbol)),
    resolve: (record: AnalysisRecord, _args, ctx) => present(ctx, record),
  }),
);
