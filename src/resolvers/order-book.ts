import { z } from 'zod';
import { rebinHeatmap } from '../analyzers/order-book.js';
import type { OrderBookAnalysis } from '../analyzers/order-book.types.js';
import type { AnalysisRecord } from '../domain/analysis.js';
import { builder } from '../schema/builder.js';
import { AnalysisMetaRef, FactorRef, MarketRef, type WithMeta } from '../schema/refs.js';
import {
  BookHeatmapRef,
  BookHeatmapSliceRef,
  BookImbalanceRef,
  BookSideEnum,
  BookSlippageRef,
  BookWallRef,
  DepthBandRef,
  MarketOrderSideEnum,
  OrderBookAnalysisRef,
  OrderBookStateEnum,
  OrderBookThresholdsRef,
  PastWallRef,
  WallSummaryRef,
} from '../schema/refs-order-book.js';
import { analysisUpdates, requireLatest, requireSymbol, withMeta } from './shared.js';

/** The stored heatmap spans ±5 % in 0.1 % buckets; depthPct and buckets re-bin it. */
export const ORDER_BOOK_ARG_LIMITS = { maxDepthPct: 5, minBuckets: 2, maxBuckets: 100 } as const;
const depthPctArg = z.number().gt(0, 'depthPct must be greater than 0').max(ORDER_BOOK_ARG_LIMITS.maxDepthPct, `depthPct must be at most ${ORDER_BOOK_ARG_LIMITS.maxDepthPct}`).nullish();
const bucketsArg = z.number().int().min(ORDER_BOOK_ARG_LIMITS.minBuckets, `buckets must be at least ${ORDER_BOOK_ARG_LIMITS.minBuckets}`).max(ORDER_BOOK_ARG_LIMITS.maxBuckets, `buckets must be at most ${ORDER_BOOK_ARG_LIMITS.maxBuckets}`).nullish();

/** The result with its heatmap cut to ± depthPct in `buckets` rows (default: one per 0.1 % bucket) and walls inside that band. */
export function presentOrderBook(a: WithMeta<OrderBookAnalysis>, depthPct: number, buckets: number | null | undefined): WithMeta<OrderBookAnalysis> {
  const rows = buckets ?? Math.max(ORDER_BOOK_ARG_LIMITS.minBuckets, Math.round((2 * depthPct) / (a.heatmap?.stepPct ?? 0.1)));
  const heatmap = a.heatmap ? rebinHeatmap(a.heatmap, depthPct, rows) : null;
  return { ...a, heatmap };
}

// --- Object types ---

DepthBandRef.implement({
  description: 'USD resting on each side within ± pct of the mid.',
  fields: (t) => ({
    bandPct: t.exposeFloat('pct', { description: 'Half-width of the band, percent of the mid.' }),
    bidUsd: t.exposeFloat('bidUsd', { description: 'Sum of price × quantity of the bids priced at or above mid × (1 − pct/100), USD.' }),
    askUsd: t.exposeFloat('askUsd', { description: 'Sum of price × quantity of the asks priced at or below mid × (1 + pct/100), USD.' }),
    imbalance: t.exposeFloat('imbalance', { description: '(bidUsd − askUsd) / (bidUsd + askUsd), −1..1; positive: more resting bids.' }),
    complete: t.exposeBoolean('complete', { description: 'False when the book ends inside the band on a side (the depth is then a lower bound).' }),
  }),
});

BookImbalanceRef.implement({
  description: 'Bid/ask imbalance near the price and how unusual it is for this book.',
  fields: (t) => ({
    bandPct: t.exposeFloat('pct', { description: 'Band of the imbalance, ± percent of the mid (default 1).' }),
    value: t.exposeFloat('value', { description: '(bid − ask) / (bid + ask) of the USD resting within the band, −1..1.' }),
    zScore: t.exposeFloat('zScore', { nullable: true, description: '(value − mean) / standard deviation of the same measure over the past books; null with zScoreUnavailableReason.' }),
    mean: t.exposeFloat('mean', { nullable: true, description: 'Mean imbalance of the past books.' }),
    stdDev: t.exposeFloat('stdDev', { nullable: true, description: 'Sample standard deviation of the past books imbalance.' }),
    samples: t.exposeInt('samples', { description: 'Past books the z-score is measured against (one per 5 s, up to 1 h).' }),
    zScoreUnavailableReason: t.exposeString('zScoreUnavailableReason', { nullable: true, description: 'Why there is no z-score (too few past books, constant history).' }),
  }),
});

BookWallRef.implement({
  description: 'A large resting order level standing now.',
  fields: (t) => ({
    side: t.field({ type: BookSideEnum, description: 'Book side.', resolve: (w) => w.side }),
    price: t.exposeFloat('price', { description: 'Price of the level.' }),
    qty: t.exposeFloat('qty', { description: 'Size resting at that price, base asset.' }),
    notionalUsd: t.exposeFloat('notionalUsd', { description: 'price × qty, USD.' }),
    sizeVsMedian: t.exposeFloat('sizeVsMedian', { description: 'Size over the median level size within the wall band (a wall is at least wallMultiple).' }),
    distancePct: t.exposeFloat('distancePct', { description: 'Distance from the mid, percent.' }),
    ageMs: t.exposeFloat('ageMs', { description: 'How long it has stood (since the oldest consecutive past book holding it), ms; 0 when first seen now.' }),
    firstSeen: t.field({ type: 'DateTime', description: 'When it was first seen in this run of books.', resolve: (w) => w.firstSeen }),
  }),
});

PastWallRef.implement({
  description: 'A wall seen in a past book that is no longer there.',
  fields: (t) => ({
    side: t.field({ type: BookSideEnum, description: 'Book side.', resolve: (w) => w.side }),
    price: t.exposeFloat('price', { description: 'Price of the level.' }),
    notionalUsd: t.exposeFloat('notionalUsd', { description: 'Largest notional it showed, USD.' }),
    sizeVsMedian: t.exposeFloat('sizeVsMedian', { description: 'Largest size over the median level size it showed.' }),
    firstSeen: t.field({ type: 'DateTime', description: 'First past book holding it.', resolve: (w) => w.firstSeen }),
    lastSeen: t.field({ type: 'DateTime', description: 'Last past book holding it.', resolve: (w) => w.lastSeen }),
    stoodMs: t.exposeFloat('stoodMs', { description: 'lastSeen − firstSeen, ms.' }),
    touched: t.exposeBoolean('touched', { description: 'True when the price reached it before it went (eaten); false when pulled before touch.' }),
  }),
});

WallSummaryRef.implement({
  description: 'Walls standing now and walls gone, with the share pulled before the price touched them.',
  fields: (t) => ({
    standing: t.field({ type: [BookWallRef], description: 'Walls now, largest notional first (at most 10).', resolve: (w) => w.standing }),
    gone: t.field({ type: [PastWallRef], description: 'Walls gone, pulled ones first, newest first (at most 10).', resolve: (w) => w.gone }),
    pulledBeforeTouch: t.exposeInt('pulledBeforeTouch', { description: 'Walls gone before the price reached them.' }),
    eaten: t.exposeInt('eaten', { description: 'Walls gone after the price reached them (filled or traded through).' }),
    pulledShare: t.exposeFloat('pulledShare', {
      nullable: true,
      description: 'pulledBeforeTouch / (pulled + eaten + standing), fraction 0..1: a spoofing-suspicion factor, not an accusation (market makers also cancel); null without walls.',
    }),
  }),
});

BookSlippageRef.implement({
  description: 'Cost of an immediate market order filled against the visible book.',
  fields: (t) => ({
    side: t.field({ type: MarketOrderSideEnum, description: 'BUY walks the asks, SELL the bids.', resolve: (s) => s.side }),
    notionalUsd: t.exposeFloat('notionalUsd', { description: 'Order size, USD (10 000, 100 000, 1 000 000).' }),
    filled: t.exposeBoolean('filled', { description: 'False when the visible book on that side holds less than the order.' }),
    averagePrice: t.exposeFloat('averagePrice', { nullable: true, description: 'Volume-weighted fill price; null when not filled.' }),
    slippageBps: t.exposeFloat('slippageBps', { nullable: true, description: 'Average fill price away from the mid, basis points (a cost is positive); null when not filled.' }),
    worstPrice: t.exposeFloat('worstPrice', { nullable: true, description: 'Deepest price reached.' }),
    levels: t.exposeInt('levels', { description: 'Price levels consumed.' }),
    unavailableReason: t.exposeString('unavailableReason', { nullable: true, description: 'Why it could not be filled.' }),
  }),
});

BookHeatmapSliceRef.implement({
  description: 'One column of the book heatmap: resting liquidity per price bucket at one time.',
  fields: (t) => ({
    time: t.field({ type: 'DateTime', description: 'Time of the book.', resolve: (s) => s.time }),
    notional: t.exposeFloatList('notional', { description: 'Resting notional (bids + asks) per bucket, USD, aligned with BookHeatmap.prices.' }),
  }),
});

BookHeatmapRef.implement({
  description: 'Price × time matrix of resting liquidity, for drawing (like the liquidation heatmap timeline).',
  fields: (t) => ({
    prices: t.exposeFloatList('prices', { description: 'Bucket centres, ascending.' }),
    stepPct: t.exposeFloat('stepPct', { description: 'Bucket width, percent of referencePrice.' }),
    referencePrice: t.exposeFloat('referencePrice', { description: 'Mid of the current book, the grid centre.' }),
    slices: t.field({ type: [BookHeatmapSliceRef], description: 'Columns oldest first (past books thinned evenly to at most 60, the current book last).', resolve: (h) => h.slices }),
    maxNotional: t.exposeFloat('maxNotional', { description: 'Largest cell, USD (for colour scaling).' }),
  }),
});

OrderBookThresholdsRef.implement({
  description: 'Settings of the order-book analysis.',
  fields: (t) => ({
    wallMultiple: t.exposeFloat('wallMultiple', { description: 'A wall is a level at least this many times the median level size.' }),
    wallBandPct: t.exposeFloat('wallBandPct', { description: 'Band, ± percent of the mid, of the median level size and of wall detection.' }),
    wallKeepShare: t.exposeFloat('wallKeepShare', { description: 'A wall still stands while it keeps at least this share (fraction) of its size.' }),
    imbalanceBandPct: t.exposeFloat('imbalanceBandPct', { description: 'Band of the imbalance, ± percent of the mid.' }),
    minZSamples: t.exposeFloat('minZSamples', { description: 'Fewest past books for an imbalance z-score.' }),
    heatmapRangePct: t.exposeFloat('heatmapRangePct', { description: 'Half-range of the stored heatmap, ± percent of the mid.' }),
    heatmapStepPct: t.exposeFloat('heatmapStepPct', { description: 'Bucket width of the stored heatmap, percent.' }),
    heatmapSlices: t.exposeFloat('heatmapSlices', { description: 'Most heatmap columns.' }),
    maxWalls: t.exposeFloat('maxWalls', { description: 'Most walls listed per list.' }),
  }),
});

OrderBookAnalysisRef.implement({
  description:
    'Order-book analytics from the venue book (Binance: a local book kept from depth diffs with sequence checks). A book with a sequence gap, waiting for its snapshot or crossed is never analysed: available is false with the reason.',
  fields: (t) => ({
    symbol: t.exposeString('symbol', { description: 'Perpetual symbol.' }),
    available: t.exposeBoolean('available', { description: 'False when the book cannot be trusted now (see unavailableReason); every measure is then null or empty.' }),
    unavailableReason: t.exposeString('unavailableReason', { nullable: true, description: 'Why the book is not analysed (sequence gap, syncing, crossed, empty side).' }),
    bookState: t.field({ type: OrderBookStateEnum, description: 'State of the book analysed.', resolve: (a) => a.bookState }),
    updateId: t.exposeFloat('updateId', { nullable: true, description: 'Venue sequence number of the last update in the book (Binance u).' }),
    bookTime: t.field({ type: 'DateTime', nullable: true, description: 'Venue time of the book.', resolve: (a) => a.bookTime }),
    bestBid: t.exposeFloat('bestBid', { nullable: true, description: 'Best bid price.' }),
    bestAsk: t.exposeFloat('bestAsk', { nullable: true, description: 'Best ask price.' }),
    mid: t.exposeFloat('mid', { nullable: true, description: '(bestBid + bestAsk) / 2.' }),
    spreadBps: t.exposeFloat('spreadBps', { nullable: true, description: '(bestAsk − bestBid) / mid, basis points.' }),
    bidLevels: t.exposeInt('bidLevels', { description: 'Bid levels in the book.' }),
    askLevels: t.exposeInt('askLevels', { description: 'Ask levels in the book.' }),
    depth: t.field({ type: [DepthBandRef], description: 'USD depth per side within ±0.5, 1, 2 and 5 % of the mid.', resolve: (a) => a.depth }),
    imbalance: t.field({ type: BookImbalanceRef, nullable: true, description: 'Imbalance within ±1 % and its z-score vs the past hour of books.', resolve: (a) => a.imbalance }),
    walls: t.field({ type: WallSummaryRef, nullable: true, description: 'Large resting orders: standing, gone, and pulled before touch.', resolve: (a) => a.walls }),
    slippage: t.field({ type: [BookSlippageRef], description: 'Market orders of 10 000, 100 000 and 1 000 000 USD per side walked through the visible book.', resolve: (a) => a.slippage }),
    heatmap: t.field({ type: BookHeatmapRef, nullable: true, description: 'Price × time matrix of resting liquidity, cut to ± depthPct in buckets rows.', resolve: (a) => a.heatmap }),
    historySamples: t.exposeInt('historySamples', { description: 'Past books behind the z-score, wall ages and heatmap (one per 5 s, up to 720).' }),
    factors: t.field({ type: [FactorRef], description: 'Imbalance, its z-score and the pulled-wall share, with weights and notes.', resolve: (a) => a.factors }),
    thresholds: t.field({ type: OrderBookThresholdsRef, description: 'The settings used.', resolve: (a) => a.thresholds }),
    meta: t.field({ description: 'Provenance and freshness of this result (source, venue, asOf, age, staleness, methodology version).', type: AnalysisMetaRef, resolve: (a) => a.meta }),
  }),
});

// --- Queries ---

builder.objectField(MarketRef, 'orderBook', (t) =>
  t.field({
    type: OrderBookAnalysisRef,
    nullable: true,
    description: 'Order-book analytics (spread, depth bands, imbalance and its z-score, walls, slippage, liquidity heatmap), recomputed on every book update.',
    args: {
      depthPct: t.arg.float({ required: true, defaultValue: 2, validate: depthPctArg, description: `Half-range of the heatmap, ± percent of the mid, (0, ${ORDER_BOOK_ARG_LIMITS.maxDepthPct}]; default 2.` }),
      buckets: t.arg.int({ validate: bucketsArg, description: `Heatmap price rows, ${ORDER_BOOK_ARG_LIMITS.minBuckets}..${ORDER_BOOK_ARG_LIMITS.maxBuckets}; default one per 0.1 % of price.` }),
    },
    resolve: async (m, args, ctx) => presentOrderBook(withMeta<OrderBookAnalysis>(ctx, await requireLatest(ctx, 'ORDER_BOOK', m.symbol)), args.depthPct, args.buckets),
  }),
);

// --- Subscriptions ---

builder.subscriptionField('orderBookUpdated', (t) =>
  t.field({
    type: OrderBookAnalysisRef,
    description: 'The order-book analysis of one symbol: the latest result at once on subscribe, then each time it is recomputed to a different result (heatmap at the default ±2 %).',
    args: { symbol: t.arg.string({ description: 'Symbol of a configured market, e.g. BTCUSDT (case-insensitive).', required: true }) },
    subscribe: (_root, args, ctx) => analysisUpdates(ctx, 'ORDER_BOOK', requireSymbol(ctx, args.symbol)),
    resolve: (record: AnalysisRecord, _args, ctx) => presentOrderBook(withMeta<OrderBookAnalysis>(ctx, record), 2, null),
  }),
);
