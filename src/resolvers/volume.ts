import { z } from 'zod';
import { DEFAULT_VOLUME_THRESHOLDS, type VolumeAnalysis } from '../analyzers/volume.types.js';
import type { AnalysisRecord } from '../domain/analysis.js';
import type { CandleInterval } from '../domain/market.js';
import { DEFAULT_VOLUME_INTERVAL, type VolumeParams } from '../engine/definitions/volume.js';
import { badInput } from '../errors.js';
import { builder } from '../schema/builder.js';
import { CandleIntervalEnum, TradeSideEnum } from '../schema/enums.js';
import { AnalysisMetaRef, FactorRef, MarketRef } from '../schema/refs.js';
import {
  AnchoredVwapRef,
  VolumeAnalysisRef,
  VolumeBarRef,
  VolumeFlowEnum,
  VolumeSessionVwapRef,
  VolumeSpikeRef,
  VwapAnchorSourceEnum,
} from '../schema/refs-volume.js';
import { requireLatest, requireSymbol, withMeta, requireLatestWith, analysisUpdates } from './shared.js';

/** Limits of the caller-chosen arguments. */
export const VOLUME_ARG_LIMITS = { maxSpikeZ: 10, minLookback: 2, maxLookback: 500 } as const;

const spikeZArg = z.number().gt(0, 'spikeZ must be greater than 0').max(VOLUME_ARG_LIMITS.maxSpikeZ, `spikeZ must be at most ${VOLUME_ARG_LIMITS.maxSpikeZ}`).nullish();
const lookbackArg = z
  .number()
  .int('lookback must be an integer')
  .min(VOLUME_ARG_LIMITS.minLookback, `lookback must be at least ${VOLUME_ARG_LIMITS.minLookback}`)
  .max(VOLUME_ARG_LIMITS.maxLookback, `lookback must be at most ${VOLUME_ARG_LIMITS.maxLookback}`)
  .nullish();

// --- Object types ---

VolumeSessionVwapRef.implement({
  description: 'VWAP of the current UTC day with ±1σ / ±2σ bands (volume-weighted standard deviation of the typical price).',
  fields: (t) => ({
    sessionStart: t.field({ type: 'DateTime', description: '00:00 UTC of the session.', resolve: (s) => s.sessionStart }),
    vwap: t.exposeFloat('vwap', { description: 'Volume-weighted average typical price of the day so far (quote currency).' }),
    stdDev: t.exposeFloat('stdDev', { description: 'Volume-weighted standard deviation of the typical price around the VWAP.' }),
    upper1: t.exposeFloat('upper1', { description: 'vwap + 1 × stdDev (quote currency).' }),
    lower1: t.exposeFloat('lower1', { description: 'vwap − 1 × stdDev (quote currency).' }),
    upper2: t.exposeFloat('upper2', { description: 'vwap + 2 × stdDev (quote currency).' }),
    lower2: t.exposeFloat('lower2', { description: 'vwap − 2 × stdDev (quote currency).' }),
    bars: t.exposeInt('bars', { description: 'Candles of the day included.' }),
    volume: t.exposeFloat('volume', { description: 'Base asset.' }),
    closeZ: t.exposeFloat('closeZ', { nullable: true, description: '(close − vwap) / stdDev; null when stdDev is 0.' }),
  }),
});

AnchoredVwapRef.implement({
  description: 'VWAP from an anchor time: the average price paid by everyone who traded since then.',
  fields: (t) => ({
    source: t.field({ description: 'Where the anchor came from: the caller\'s argument or the latest confirmed swing.', type: VwapAnchorSourceEnum, resolve: (a) => a.source }),
    anchor: t.field({ type: 'DateTime', description: 'The requested anchor, or the open time of the swing bar.', resolve: (a) => a.anchor }),
    anchorPrice: t.exposeFloat('anchorPrice', { nullable: true, description: 'The swing price for SWING_* anchors.' }),
    startTime: t.field({ type: 'DateTime', nullable: true, description: 'Open time of the first candle included.', resolve: (a) => a.startTime }),
    vwap: t.exposeFloat('vwap', { nullable: true, description: 'Null when the candles held do not reach back to the anchor.' }),
    stdDev: t.exposeFloat('stdDev', { description: 'Volume-weighted standard deviation of the typical price around the VWAP (quote currency); null without a VWAP.', nullable: true }),
    bars: t.exposeInt('bars', { description: 'Candles included since the anchor.' }),
    volume: t.exposeFloat('volume', { description: 'Base-asset volume since the anchor.' }),
    distancePct: t.exposeFloat('distancePct', { nullable: true, description: '(close − vwap) / vwap × 100, percent (1 = 1 %).' }),
    note: t.exposeString('note', { description: 'Plain-language reading of the values, or why some are null.' }),
  }),
});

VolumeBarRef.implement({
  description: 'One closed candle of the charting series.',
  fields: (t) => ({
    time: t.field({ type: 'DateTime', description: 'Candle open time.', resolve: (b) => b.time }),
    close: t.exposeFloat('close', { description: 'Close price (quote currency).' }),
    volume: t.exposeFloat('volume', { description: 'Volume (base asset).' }),
    delta: t.exposeFloat('delta', { nullable: true, description: 'Taker buy − taker sell volume (base asset); null when the source does not record taker-buy volume for the bar.' }),
    cvd: t.exposeFloat('cvd', { nullable: true, description: 'Cumulative delta (base asset) since the first bar of the unbroken run of bars with taker-buy volume: read its slope, not its level; null when unknown.' }),
    obv: t.exposeFloat('obv', { description: 'On-balance volume (trading-signals OBV), starting at the second candle held.', nullable: true }),
    volumeZ: t.exposeFloat('volumeZ', { description: 'Volume vs the lookback bars before it, in population σ; null without a full baseline.', nullable: true }),
    spike: t.exposeBoolean('spike', { description: 'volumeZ ≥ spikeZ.' }),
    sessionVwap: t.exposeFloat('sessionVwap', { description: 'VWAP of the bar\'s UTC day up to this bar (quote currency).', nullable: true }),
    sessionUpper1: t.exposeFloat('sessionUpper1', { description: 'Session VWAP + 1σ at this bar (quote currency).', nullable: true }),
    sessionLower1: t.exposeFloat('sessionLower1', { description: 'Session VWAP − 1σ at this bar (quote currency).', nullable: true }),
    sessionUpper2: t.exposeFloat('sessionUpper2', { description: 'Session VWAP + 2σ at this bar (quote currency).', nullable: true }),
    sessionLower2: t.exposeFloat('sessionLower2', { description: 'Session VWAP − 2σ at this bar (quote currency).', nullable: true }),
    anchoredVwap: t.exposeFloat('anchoredVwap', { description: 'Anchored VWAP at this bar (quote currency); null before the anchor.', nullable: true }),
  }),
});

VolumeSpikeRef.implement({
  description: 'A bar whose volume z-score reached spikeZ.',
  fields: (t) => ({
    time: t.field({ description: 'Open time of the bar.', type: 'DateTime', resolve: (s) => s.time }),
    volume: t.exposeFloat('volume', { description: 'Volume of the bar (base asset).' }),
    volumeZ: t.exposeFloat('volumeZ', { description: 'Volume z-score of the bar (population σ).' }),
    delta: t.exposeFloat('delta', { nullable: true, description: 'Taker buy − taker sell volume of the bar (base asset); null when taker-buy volume is unknown.' }),
    side: t.field({ type: TradeSideEnum, nullable: true, description: 'Which takers dominated the spike bar; null when even or unknown.', resolve: (s) => s.side }),
  }),
});

VolumeAnalysisRef.implement({
  description:
    'Volume and order flow of one candle interval: taker delta and CVD, volume spikes (z-score vs a rolling baseline), OBV, session VWAP with σ bands, anchored VWAP and a flow classification.',
  fields: (t) => ({
    symbol: t.exposeString('symbol', { description: 'Venue symbol, e.g. BTCUSDT.' }),
    interval: t.field({ description: 'Candle interval the result was computed from.', type: CandleIntervalEnum, resolve: (a) => a.interval as CandleInterval }),
    warmingUp: t.exposeBoolean('warmingUp', { description: 'Fewer than max(lookback + 1, 20) closed candles: z-score and flow are null.' }),
    time: t.field({ type: 'DateTime', nullable: true, description: 'Close time of the latest closed candle.', resolve: (a) => a.time }),
    bars: t.exposeInt('bars', { description: 'Closed candles analysed.' }),
    close: t.exposeFloat('close', { description: 'Close of the latest closed candle (quote currency).', nullable: true }),
    volume: t.exposeFloat('volume', { nullable: true, description: 'Latest bar, base asset.' }),
    delta: t.exposeFloat('delta', { nullable: true, description: 'Latest bar: taker buy − taker sell volume (base asset); null when its taker-buy volume is unknown.' }),
    cvd: t.exposeFloat('cvd', { description: 'Cumulative volume delta of the latest bar (base asset) since the first bar of its unbroken run of bars with taker-buy volume: read its slope, not its level; null when unknown.', nullable: true }),
    obv: t.exposeFloat('obv', { description: 'On-balance volume of the latest bar (base asset); null with fewer than two candles.', nullable: true }),
    volumeZ: t.exposeFloat('volumeZ', { nullable: true, description: 'Latest bar volume vs the `lookback` bars before it, in population σ.' }),
    spike: t.exposeBoolean('spike', { description: 'volumeZ ≥ spikeZ on the latest bar.' }),
    baselineMean: t.exposeFloat('baselineMean', { description: 'Mean volume of the rolling baseline before the latest bar (base asset).', nullable: true }),
    baselineStdDev: t.exposeFloat('baselineStdDev', { description: 'Population standard deviation of that baseline (base asset).', nullable: true }),
    session: t.field({ type: VolumeSessionVwapRef, nullable: true, description: 'Null when the day’s first candle is not held.', resolve: (a) => a.session }),
    anchored: t.field({ type: AnchoredVwapRef, nullable: true, description: 'Null without candles.', resolve: (a) => a.anchored }),
    deltaImbalance: t.exposeFloat('deltaImbalance', { nullable: true, description: 'Σ delta / Σ volume over the last 20 bars (−1..1); null unless all 20 have taker-buy volume.' }),
    cvdSlope: t.exposeFloat('cvdSlope', { nullable: true, description: 'OLS slope of CVD over the last 20 bars / their mean volume (per bar); null unless all 20 have taker-buy volume.' }),
    takerCoverage: t.exposeFloat('takerCoverage', {
      nullable: true,
      description: 'Share (0..1, 1 = all) of the last 20 bars (fewer while warming up) whose taker-buy volume the source records; below 1 deltaImbalance, cvdSlope, flow and score are null. Null without candles.',
    }),
    unavailable: t.exposeStringList('unavailable', { description: 'Why outputs are null (missing inputs, in plain words); empty when everything was measured.' }),
    flow: t.field({ description: 'Who controls the order flow; null while warming up or when taker-buy volume is missing (see unavailable).', type: VolumeFlowEnum, nullable: true, resolve: (a) => a.flow }),
    score: t.exposeFloat('score', { nullable: true, description: '−100..100: positive = buyers in control; null while warming up or when taker-buy volume is missing (see unavailable).' }),
    factors: t.field({ description: 'The weighted inputs behind the score, one Factor each.', type: [FactorRef], resolve: (a) => a.factors }),
    spikes: t.field({ type: [VolumeSpikeRef], description: 'Spikes among the bars of `series`, oldest first.', resolve: (a) => a.spikes }),
    series: t.field({ type: [VolumeBarRef], description: 'The last 100 closed bars, oldest first.', resolve: (a) => a.series }),
    lookback: t.exposeInt('lookback', { description: 'Bars of the rolling volume baseline. Default 20.' }),
    spikeZ: t.exposeFloat('spikeZ', { description: 'Volume z-score at or above which a bar is a spike. Default 2.5.' }),
    meta: t.field({ description: 'Provenance and freshness of this result (source, venue, asOf, age, staleness, methodology version).', type: AnalysisMetaRef, resolve: (a) => a.meta }),
  }),
});

// --- Queries ---

builder.objectField(MarketRef, 'volume', (t) =>
  t.field({
    type: VolumeAnalysisRef,
    nullable: true,
    description: 'Volume and order flow. Non-default arguments are computed on demand by instances that ingest data.',
    args: {
      interval: t.arg({ type: CandleIntervalEnum, required: true, defaultValue: DEFAULT_VOLUME_INTERVAL, description: 'Candle interval (default I5M).' }),
      anchor: t.arg({
        type: 'DateTime',
        description: 'Start of the anchored VWAP (not in the future). Default: the bar of the latest confirmed swing high or low (5 bars each side).',
      }),
      spikeZ: t.arg.float({
        validate: spikeZArg,
        description: `Volume z-score at or above which a bar is a spike, (0, ${VOLUME_ARG_LIMITS.maxSpikeZ}]; default ${DEFAULT_VOLUME_THRESHOLDS.spikeZ}.`,
      }),
      lookback: t.arg.int({
        validate: lookbackArg,
        description: `Bars of the rolling volume baseline, ${VOLUME_ARG_LIMITS.minLookback}..${VOLUME_ARG_LIMITS.maxLookback}; default ${DEFAULT_VOLUME_THRESHOLDS.lookback}.`,
      }),
    },
    resolve: async (m, args, ctx) => {
      if (args.anchor != null && args.anchor > ctx.services.now()) {
        throw badInput(`anchor ${new Date(args.anchor).toISOString()} is in the future`, { anchor: args.anchor });
      }
      const params: VolumeParams = { interval: args.interval };
      if (args.anchor != null) params.anchor = args.anchor;
      if (args.spikeZ != null && args.spikeZ !== DEFAULT_VOLUME_THRESHOLDS.spikeZ) params.spikeZ = args.spikeZ;
      if (args.lookback != null && args.lookback !== DEFAULT_VOLUME_THRESHOLDS.lookback) params.lookback = args.lookback;
      if (params.interval === DEFAULT_VOLUME_INTERVAL && Object.keys(params).length === 1) {
        return withMeta<VolumeAnalysis>(ctx, await requireLatest(ctx, 'VOLUME', m.symbol));
      }
      const record = await requireLatestWith(ctx, 'VOLUME', m.symbol, { ...params }, `VOLUME for ${m.symbol} with these arguments is not available: no closed ${args.interval} candle received yet, or this instance does not ingest market data (ROLE=api serves the default arguments only)`);
      return withMeta<VolumeAnalysis>(ctx, record);
    },
  }),
);

// --- Subscriptions ---

builder.subscriptionField('volumeUpdated', (t) =>
  t.field({
    type: VolumeAnalysisRef,
    description: 'The volume analysis (5 m, default arguments) of one symbol: the latest result at once on subscribe, then each time it is recomputed to a different result (on candle updates; the values move when a 5 m candle closes).',
    args: { symbol: t.arg.string({ description: 'Symbol of a configured market, e.g. BTCUSDT (case-insensitive).', required: true }) },
    subscribe: (_root, args, ctx) => analysisUpdates(ctx, 'VOLUME', requireSymbol(ctx, args.symbol)),
    resolve: (record: AnalysisRecord, _args, ctx) => withMeta<VolumeAnalysis>(ctx, record),
  }),
);
