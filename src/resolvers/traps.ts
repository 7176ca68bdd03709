import { z } from 'zod';
import { selectTraps } from '../analyzers/traps.js';
import type { Trap, TrapAnalysis } from '../analyzers/traps.types.js';
import type { AnalysisRecord } from '../domain/analysis.js';
import { DEFAULT_TRAP_PARAMS, type TrapParams } from '../engine/definitions/traps.js';
import { badInput } from '../errors.js';
import { slidingWindow } from '../pubsub.js';
import { builder } from '../schema/builder.js';
import { CandleIntervalEnum } from '../schema/enums.js';
import { AnalysisMetaRef, EventMetaRef, FactorRef, MarketRef } from '../schema/refs.js';
import { TrapAnalysisRef, TrapBarRef, TrapDirectionEnum, TrapLevelSourceEnum, TrapRef, TrapTypeEnum } from '../schema/refs-traps.js';
import { requireLatest, requireSymbol, withMeta, requireLatestWith, analysisUpdates } from './shared.js';

const MAX_SENSITIVITY = 5;
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;

TrapBarRef.implement({
  description: 'OHLCV of one candle kept as evidence (volume in the base asset).',
  fields: (t) => ({
    openTime: t.field({ description: 'Open time of the candle.', type: 'DateTime', resolve: (b) => b.openTime }),
    closeTime: t.field({ description: 'Close time of the candle.', type: 'DateTime', resolve: (b) => b.closeTime }),
    open: t.exposeFloat('open', { description: 'Open price (quote currency).' }),
    high: t.exposeFloat('high', { description: 'High price (quote currency).' }),
    low: t.exposeFloat('low', { description: 'Low price (quote currency).' }),
    close: t.exposeFloat('close', { description: 'Close price (quote currency).' }),
    volume: t.exposeFloat('volume', { description: 'Volume (base asset).' }),
  }),
});

TrapRef.implement({
  description: 'One liquidity grab or fake breakout at a prior swing level, with its evidence and the factors of its confidence.',
  fields: (t) => ({
    meta: t.field({
      type: EventMetaRef,
      nullable: true,
      description: 'Provenance (source, venue, asOf) on the event subscription; null where the item is part of an analysis or a list (see that result\'s meta).',
      resolve: (x) => x.meta ?? null,
    }),
    id: t.exposeID('id', { description: 'Stable id `TYPE:time(ms):level`; the same detection keeps it on every recomputation.' }),
    symbol: t.exposeString('symbol', { description: 'Venue symbol, e.g. BTCUSDT.' }),
    interval: t.exposeString('interval', { description: 'Candle interval analysed, e.g. 15m.' }),
    type: t.field({ description: 'Liquidity grab or fake breakout, high or low.', type: TrapTypeEnum, resolve: (x) => x.type }),
    direction: t.field({ description: 'The move the trap implies: BEARISH after a trap above (longs/breakout buyers caught), BULLISH after one below.', type: TrapDirectionEnum, resolve: (x) => x.direction }),
    level: t.exposeFloat('level', { description: 'Price of the swept level.' }),
    levelSource: t.field({ description: 'Whether the swept level was a swing high or swing low.', type: TrapLevelSourceEnum, resolve: (x) => x.levelSource }),
    levelTime: t.field({ type: 'DateTime', description: 'Open time of the swing bar that made the level.', resolve: (x) => x.levelTime }),
    levelConfirmedAt: t.field({ type: 'DateTime', description: 'Close time of the bar that confirmed the swing (before the piercing bar).', resolve: (x) => x.levelConfirmedAt }),
    touches: t.exposeInt('touches', { description: 'Confirmed swings of the same kind within 0.25 ATR of the level, this one included.' }),
    time: t.field({ type: 'DateTime', description: 'Open time of the bar that completed the pattern (closed back inside).', resolve: (x) => x.time }),
    detectedAt: t.field({ type: 'DateTime', description: 'Close time of that bar: when the detection became known.', resolve: (x) => x.detectedAt }),
    pierceTime: t.field({ type: 'DateTime', description: 'Open time of the bar that pierced the level.', resolve: (x) => x.pierceTime }),
    barsToReclaim: t.exposeInt('barsToReclaim', { description: 'Bars from the piercing bar to the close back inside (0 for a liquidity grab).' }),
    extreme: t.exposeFloat('extreme', { description: 'Furthest price beyond the level during the pattern.' }),
    pierceDepth: t.exposeFloat('pierceDepth', { description: '|extreme − level|.' }),
    atr: t.exposeFloat('atr', { description: 'ATR(14) as of the bar before the pierce.' }),
    threshold: t.exposeFloat('threshold', { description: 'sensitivity × atr: how far beyond the level the wick (grab) or close (breakout) had to reach.' }),
    volumeRatio: t.exposeFloat('volumeRatio', { nullable: true, description: 'Piercing-bar volume / mean volume of the 20 bars before it.' }),
    liquidationNotionalUsd: t.exposeFloat('liquidationNotionalUsd', {
      nullable: true,
      description: 'Liquidated notional at prices beyond the level during the pattern (evidence only); null when the source sent no liquidations.',
    }),
    confidence: t.exposeFloat('confidence', { description: '0..1, the sum of the factor contributions (wickSize 0.3, volume 0.25, levelStrength 0.25, reclaimSpeed 0.2).' }),
    factors: t.field({ description: 'The weighted inputs behind the score, one Factor each.', type: [FactorRef], resolve: (x) => x.factors }),
    bar: t.field({ type: TrapBarRef, description: 'The piercing bar.', resolve: (x) => x.bar }),
    reclaimBar: t.field({ type: TrapBarRef, description: 'The bar that closed back inside (the piercing bar itself for a grab).', resolve: (x) => x.reclaimBar }),
  }),
});

TrapAnalysisRef.implement({
  description:
    'Market-maker traps on closed candles: liquidity grabs (stop hunts) and fake breakouts at prior confirmed swing levels, each with a confidence and its factors. Causal: a detection never changes once reported.',
  fields: (t) => ({
    symbol: t.exposeString('symbol', { description: 'Venue symbol, e.g. BTCUSDT.' }),
    interval: t.exposeString('interval', { description: 'Candle interval analysed, e.g. 15m.' }),
    warmingUp: t.exposeBoolean('warmingUp', { description: 'Fewer closed bars than ATR(14) needs; no detection is possible yet.' }),
    sensitivity: t.exposeFloat('sensitivity', { description: 'Pierce threshold in ATRs.' }),
    reclaimBars: t.exposeInt('reclaimBars', { description: 'K: bars within which a breakout must close back inside to be fake.' }),
    barsAnalyzed: t.exposeInt('barsAnalyzed', { description: 'Closed candles analysed.' }),
    firstBarTime: t.field({ description: 'Open time of the first bar analysed; null without bars.', type: 'DateTime', nullable: true, resolve: (a) => a.firstBarTime }),
    lastBarTime: t.field({ description: 'Open time of the last bar analysed; null without bars.', type: 'DateTime', nullable: true, resolve: (a) => a.lastBarTime }),
    atr: t.exposeFloat('atr', { nullable: true, description: 'ATR(14) as of the last closed bar.' }),
    threshold: t.exposeFloat('threshold', { nullable: true, description: 'sensitivity × atr as of the last closed bar.' }),
    traps: t.field({
      type: [TrapRef],
      description: 'Detections completed within [from, to] over the candles held in the store, newest first, at most `limit`.',
      resolve: (a) => a.traps,
    }),
    active: t.field({ type: [TrapRef], description: 'Detections of the last 8 bars whose extreme price has not been exceeded since, newest first.', resolve: (a) => a.active }),
    latest: t.field({ type: TrapRef, nullable: true, description: 'The newest detection, whatever the range.', resolve: (a) => a.latest }),
    meta: t.field({ description: 'Provenance and freshness of this result (source, venue, asOf, age, staleness, methodology version).', type: AnalysisMetaRef, resolve: (a) => a.meta }),
  }),
});

// --- Queries ---

builder.objectField(MarketRef, 'traps', (t) =>
  t.field({
    description: 'Liquidity-grab and fake-breakout (trap) analysis.',
    type: TrapAnalysisRef,
    nullable: true,
    args: {
      interval: t.arg({ type: CandleIntervalEnum, required: true, defaultValue: DEFAULT_TRAP_PARAMS.interval, description: 'Candle interval analysed (default I15M).' }),
      from: t.arg({ type: 'DateTime', description: 'Earliest detection time (bar open time) returned in `traps`; default: the oldest candle held.' }),
      to: t.arg({ type: 'DateTime', description: 'Latest detection time returned in `traps`; default: now.' }),
      sensitivity: t.arg.float({
        required: true,
        defaultValue: DEFAULT_TRAP_PARAMS.sensitivity,
        description: `Pierce threshold in ATRs (default ${DEFAULT_TRAP_PARAMS.sensitivity}): a wick or close must reach level ± sensitivity × ATR(14). Higher = fewer, deeper traps. 0 < sensitivity ≤ ${MAX_SENSITIVITY}.`,
        validate: z.number().gt(0, 'sensitivity must be > 0 (in ATRs, e.g. 0.2)').max(MAX_SENSITIVITY, `sensitivity must be at most ${MAX_SENSITIVITY} (ATRs)`),
      }),
      limit: t.arg.int({
        required: true,
        defaultValue: DEFAULT_LIMIT,
        description: `At most this many detections in \`traps\` (default ${DEFAULT_LIMIT}, max ${MAX_LIMIT}).`,
        validate: z.number().int().min(1, 'limit must be at least 1').max(MAX_LIMIT, `limit must be at most ${MAX_LIMIT}`),
      }),
    },
    resolve: async (m, args, ctx) => {
      const from = args.from ?? null;
      const to = args.to ?? null;
      if (from !== null && to !== null && from > to) {
        throw badInput(`from (${new Date(from).toISOString()}) must not be after to (${new Date(to).toISOString()})`);
      }
      const params: TrapParams = { interval: args.interval, sensitivity: args.sensitivity };
      let record: AnalysisRecord | undefined;
      if (params.interval === DEFAULT_TRAP_PARAMS.interval && params.sensitivity === DEFAULT_TRAP_PARAMS.sensitivity) {
        record = await requireLatest(ctx, 'TRAPS', m.symbol);
      } else {
        record = await requireLatestWith(ctx, 'TRAPS', m.symbol, { ...params }, `TRAPS for ${m.symbol} on ${params.interval} with sensitivity ${params.sensitivity} is not available: no closed ${params.interval} candle held yet, or this instance does not ingest market data (ROLE=api serves the defaults only)`);
      }
      const analysis = withMeta<TrapAnalysis>(ctx, record);
      return { ...analysis, traps: selectTraps(analysis.traps, { from, to, limit: args.limit }) };
    },
  }),
);

// --- Subscriptions ---

builder.subscriptionField('trapsUpdated', (t) =>
  t.field({
    type: TrapAnalysisRef,
    description: 'The default trap analysis (15 m, sensitivity 0.2) of one symbol: the latest result at once on subscribe, then each time it is recomputed to a different result; `traps` holds the newest 50.',
    args: { symbol: t.arg.string({ description: 'Symbol of a configured market, e.g. BTCUSDT (case-insensitive).', required: true }) },
    subscribe: (_root, args, ctx) => analysisUpdates(ctx, 'TRAPS', requireSymbol(ctx, args.symbol)),
    resolve: (record: AnalysisRecord, _args, ctx) => {
      const analysis = withMeta<TrapAnalysis>(ctx, record);
      return { ...analysis, traps: analysis.traps.slice(0, DEFAULT_LIMIT) };
    },
  }),
);

builder.subscriptionField('trapDetected', (t) =>
  t.field({
    type: TrapRef,
    description: 'Each new trap of one symbol (default analysis: 15 m candles, sensitivity 0.2), once, when the bar completing it closes. Traps found in the history at startup are not announced.',
    args: { symbol: t.arg.string({ description: 'Symbol of a configured market, e.g. BTCUSDT (case-insensitive).', required: true }) },
    subscribe: (_root, args, ctx) => slidingWindow(ctx.services.pubsub.subscribe('trap:detected', requireSymbol(ctx, args.symbol))),
    resolve: (trap: Trap) => trap,
  }),
);
