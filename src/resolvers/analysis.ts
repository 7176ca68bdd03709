import { AnalysisKindEnum, CandleIntervalEnum, DataOriginEnum } from '../schema/enums.js';
import { AnalysisInputRef, AnalysisMetaRef, AnalysisUpdateRef, EventMetaRef, FactorRef } from '../schema/refs.js';
import { builder } from '../schema/builder.js';
import { metaOf, requireAnalysisKey, analysisUpdates } from './shared.js';
import type { AnalysisRecord } from '../domain/analysis.js';

EventMetaRef.implement({
  description: 'Provenance of one event on a subscription stream: where it came from and the market time it describes.',
  fields: (t) => ({
    source: t.field({ description: 'Where the event came from (LIVE, SIMULATED or REPLAY): a simulated or replayed event is never LIVE.', type: DataOriginEnum, resolve: (m) => m.source }),
    venue: t.exposeString('venue', { description: 'Venue the event came from, e.g. binance, simulated.' }),
    asOf: t.field({ type: 'DateTime', description: 'Market time the event describes: the liquidation or trade time, the detection time of a trap (the close of the bar that confirmed it), or the asOf of the analysis whose regime changed.', resolve: (m) => m.asOf }),
  }),
});

AnalysisMetaRef.implement({
  description: 'Provenance and freshness of an analysis.',
  fields: (t) => ({
    source: t.field({ description: 'Where the inputs came from (LIVE, SIMULATED or REPLAY).', type: DataOriginEnum, resolve: (m) => m.source }),
    venue: t.exposeString('venue', { description: 'Venue the inputs came from, e.g. binance, deribit, simulated.' }),
    asOf: t.field({ type: 'DateTime', description: 'Time of the newest market input used.', resolve: (m) => m.asOf }),
    ageMs: t.exposeFloat('ageMs', { description: 'Milliseconds between asOf and the time this field was resolved.' }),
    stale: t.exposeBoolean('stale', {
      description:
        'True when one of `inputs` is overdue: a value that should have arrived by its cadence (bar close, stream heartbeat, publication period) plus a grace has not. Results without sampled inputs (older records): asOf older than STALE_AFTER_MS.',
    }),
    methodologyVersion: t.exposeString('methodologyVersion', { description: 'Version of the analyzer\'s method that produced the result (bumped when the method or its defaults change).' }),
    inputs: t.field({
      type: [AnalysisInputRef],
      description: 'Each input the result is built from, with its newest time, expected cadence and whether it is overdue (why `stale` is what it is).',
      resolve: (m) => m.inputs,
    }),
  }),
});

AnalysisInputRef.implement({
  description:
    'One input of a result, judged by its own cadence: overdue when now − lastAt > expectedEveryMs + graceMs. Never-received inputs (lastAt null) and irregular events (expectedEveryMs null) are never overdue.',
  fields: (t) => ({
    type: t.exposeString('type', {
      description: 'Market input type as the store names it: candle, trade, markPrice, spotPrice, openInterest, longShortRatio, takerVolume, funding, liquidation, optionsChain, fearGreed, globalMarket, ...',
    }),
    interval: t.field({
      type: CandleIntervalEnum,
      nullable: true,
      description: 'For `candle`: the interval whose closed bars are the input (cadence = one bar); null = the candle stream itself (any update) or not a candle input.',
      resolve: (i) => i.interval,
    }),
    lastAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: "Time of the newest value held, in the input's own time (close of the newest closed bar, event or publication time); null when none was received.",
      resolve: (i) => i.lastAt,
    }),
    ageMs: t.float({ nullable: true, description: 'Milliseconds between lastAt and the time this field was resolved (market time on a replay); null when never received.', resolve: (i) => i.ageMs }),
    expectedEveryMs: t.float({
      nullable: true,
      description: 'Expected milliseconds between two values: the bar interval for closed candles, the heartbeat for streams, the publication period for polled statistics; null for irregular events (liquidations).',
      resolve: (i) => i.expectedEveryMs,
    }),
    graceMs: t.exposeFloat('graceMs', { description: 'Milliseconds tolerated after the expected arrival before the input is overdue (STALE_AFTER_MS; 1.5 periods for polled statistics).' }),
    overdue: t.exposeBoolean('overdue', { description: 'True when now − lastAt > expectedEveryMs + graceMs: the value that should have arrived has not.' }),
  }),
});

FactorRef.implement({
  description: 'One reason behind a score: contribution = weight × normalised value.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Stable machine name, e.g. `rateLevel`.' }),
    value: t.exposeFloat('value', { description: 'The raw measured value (its units are in `note`).' }),
    weight: t.exposeFloat('weight', { description: 'Weight of this factor in the composite, 0..1; weights of one composite sum to 1.' }),
    contribution: t.exposeFloat('contribution', { description: 'weight × normalised value, in the composite\'s units (-1..1 unless stated).' }),
    note: t.exposeString('note', { description: 'Plain-language explanation.' }),
  }),
});

AnalysisUpdateRef.implement({
  description: 'A freshly computed analysis result, any kind, as untyped JSON plus typed meta.',
  fields: (t) => ({
    kind: t.field({ description: 'Which analysis the payload is.', type: AnalysisKindEnum, resolve: (r) => r.kind }),
    symbol: t.exposeString('symbol', { description: 'Symbol (or market-wide key) the result belongs to, e.g. BTCUSDT.' }),
    asOf: t.field({ description: 'Time of the newest market input the result is based on.', type: 'DateTime', resolve: (r) => r.asOf }),
    meta: t.field({ description: 'Provenance and freshness of the result.', type: AnalysisMetaRef, resolve: (r, _args, ctx) => metaOf(ctx, r) }),
    payload: t.field({ description: 'The analysis result as JSON: same field names and units as the typed analysis field, at the analyzer\'s full precision (prices not rounded to the tick size).', type: 'JSON', resolve: (r) => r.result }),
  }),
});

// --- Subscriptions ---

builder.subscriptionField('analysisUpdated', (t) =>
  t.field({
    type: AnalysisUpdateRef,
    description: 'Every recomputation of one analysis for one symbol (at most one per ANALYSIS_MIN_INTERVAL_MS).',
    args: {
      kind: t.arg({ description: 'Which analysis.', type: AnalysisKindEnum, required: true }),
      symbol: t.arg.string({ description: 'Symbol of a configured market, e.g. BTCUSDT (case-insensitive).', required: true }),
    },
    subscribe: (_root, args, ctx) => {
      const symbol = requireAnalysisKey(ctx, args.kind, args.symbol);
      return analysisUpdates(ctx, args.kind, symbol);
    },
    resolve: (record: AnalysisRecord) => record,
  }),
);
