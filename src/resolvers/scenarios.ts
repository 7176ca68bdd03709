import type { ScenarioSet } from '../analyzers/scenarios.types.js';
import type { AnalysisRecord } from '../domain/analysis.js';
import type { CandleInterval } from '../domain/market.js';
import { DEFAULT_CONFIRMATION_INTERVAL } from '../engine/definitions/confirmation.js';
import type { ScenarioParams } from '../engine/definitions/scenarios.js';
import { builder } from '../schema/builder.js';
import { CandleIntervalEnum } from '../schema/enums.js';
import { AnalysisMetaRef, MarketRef } from '../schema/refs.js';
import { ConfirmationDirectionEnum } from '../schema/refs-confirmation.js';
import {
  EntryTypeEnum,
  ScenarioBiasEnum,
  ScenarioEntryRef,
  ScenarioKindEnum,
  ScenarioLeverageRef,
  ScenarioRef,
  ScenarioSetRef,
  ScenarioStopRef,
  ScenarioTargetRef,
  ScenarioThresholdsRef,
  ScenarioWhyRef,
} from '../schema/refs-scenarios.js';
import { z } from 'zod';
import { analysisUpdates, requireLatest, requireLatestWith, requireSymbol, withMeta } from './shared.js';

// --- Object types ---

ScenarioEntryRef.implement({
  description: 'Where the scenario is entered: a price zone and the order type meant for it.',
  fields: (t) => ({
    priceMin: t.exposeFloat('priceMin', { description: 'Lower edge of the entry zone (quote currency).' }),
    priceMax: t.exposeFloat('priceMax', { description: 'Upper edge of the entry zone (quote currency).' }),
    type: t.field({ type: EntryTypeEnum, description: 'STOP (through the zone) or LIMIT (resting in it).', resolve: (e) => e.type }),
  }),
});

ScenarioStopRef.implement({
  description: 'The stop loss: ATR-based, beyond the nearest structure level or liquidation cluster, never inside the entry zone.',
  fields: (t) => ({
    price: t.exposeFloat('price', { description: 'Stop price (quote currency).' }),
    reason: t.exposeString('reason', { description: 'What the stop is placed beyond (level, liquidation cluster or ATR), in words.' }),
  }),
});

ScenarioTargetRef.implement({
  description: 'A take-profit level taken from the key levels, value-area edges and opposite-side liquidation clusters.',
  fields: (t) => ({
    level: t.exposeInt('level', { description: '1-based order, nearest to the entry first.' }),
    price: t.exposeFloat('price', { description: 'Target price (quote currency).' }),
    rr: t.exposeFloat('rr', { description: 'Reward to risk: |target − entry mid| / |entry mid − stop|.' }),
    reason: t.exposeString('reason', { description: 'The level, value-area edge or cluster the target is, or the risk multiple that stands in.' }),
  }),
});

ScenarioLeverageRef.implement({
  description: 'Leverage the stop allows, by the Binance maintenance brackets and liquidation formula the heatmap uses.',
  fields: (t) => ({
    recommended: t.exposeInt('recommended', { description: 'floor(maxSafe × recommendedShare), at least 1.' }),
    maxSafe: t.exposeInt('maxSafe', {
      description: 'Highest whole leverage whose liquidation price lies beyond the stop by liquidationBufferRatio × the entry–stop distance (bracket of referenceNotional).',
    }),
    liquidationPrice: t.exposeFloat('liquidationPrice', { description: 'Liquidation price at maxSafe for a position entered at the entry mid (quote currency).' }),
  }),
});

ScenarioWhyRef.implement({
  description: 'The reasoning behind a scenario, naming the confirmation layers behind it.',
  fields: (t) => ({
    bullishFactors: t.exposeStringList('bullishFactors', { description: 'Available BULLISH layers as "NAME (score): reading", strongest (score × weight) first.' }),
    bearishFactors: t.exposeStringList('bearishFactors', { description: 'Available BEARISH layers, strongest first.' }),
    risks: t.exposeStringList('risks', { description: 'What argues against the scenario: against the composite, low coverage, POOR quality, first target under 1R, wide stop, projected targets.' }),
  }),
});

ScenarioRef.implement({
  description: 'One trade scenario: side, entry zone, stop, targets, leverage, invalidation and horizon. Analysis, not advice: perpgraph never places orders.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Plain name, e.g. "Long breakout".' }),
    kind: t.field({ type: ScenarioKindEnum, description: 'How the scenario is set up.', resolve: (s) => s.kind }),
    bias: t.field({ type: ScenarioBiasEnum, description: 'LONG or SHORT.', resolve: (s) => s.bias }),
    confidence: t.exposeFloat('confidence', {
      description: 'clamp((0.5 + 0.45 × lean × quality factor × coverage) × min(1, 0.5 + 0.5 × first-target R:R), 0.05, 0.95); lean = (score − 50) / 50 towards the side.',
    }),
    entry: t.field({ type: ScenarioEntryRef, description: 'Entry zone and order type.', resolve: (s) => s.entry }),
    stopLoss: t.field({ type: ScenarioStopRef, description: 'Stop loss and why it sits there.', resolve: (s) => s.stopLoss }),
    targets: t.field({ type: [ScenarioTargetRef], description: 'Up to three targets beyond the entry zone, nearest first.', resolve: (s) => s.targets }),
    leverage: t.field({ type: ScenarioLeverageRef, description: 'Recommended and maximum safe leverage for this stop.', resolve: (s) => s.leverage }),
    invalidation: t.exposeString('invalidation', { description: 'What voids the scenario, in words.' }),
    horizon: t.exposeString('horizon', { description: 'How long the scenario is given to play out, in words.' }),
    horizonMs: t.exposeFloat('horizonMs', { description: 'The horizon in milliseconds (what the track record grades against).' }),
    why: t.field({ type: ScenarioWhyRef, description: 'Bullish and bearish layers and the risks.', resolve: (s) => s.why }),
  }),
});

ScenarioThresholdsRef.implement({
  description: 'The parameters the scenarios were built with (documented defaults).',
  fields: (t) => ({
    entryZoneAtr: t.exposeFloat('entryZoneAtr', { description: 'Entry zone width in ATRs. Default 0.25.' }),
    stopBufferAtr: t.exposeFloat('stopBufferAtr', { description: 'ATRs a stop sits beyond the level or cluster it protects. Default 0.25.' }),
    minStopAtr: t.exposeFloat('minStopAtr', { description: 'Minimum entry-mid to structure distance in ATRs for a level to anchor the stop. Default 1.' }),
    clusterReachAtr: t.exposeFloat('clusterReachAtr', { description: 'A same-side liquidation cluster within this many ATRs beyond the stop moves it beyond the cluster. Default 0.5.' }),
    liquidationBufferRatio: t.exposeFloat('liquidationBufferRatio', { description: 'Liquidation must lie beyond the stop by this multiple of the entry–stop distance. Default 0.5.' }),
    recommendedShare: t.exposeFloat('recommendedShare', { description: 'Fraction 0..1 of maxSafe that is recommended: recommended = floor(maxSafe × this). Default 0.5.' }),
    referenceNotional: t.exposeFloat('referenceNotional', { description: 'Position notional (quote) the maintenance bracket is looked up for. Default 10000.' }),
    horizonBars: t.exposeInt('horizonBars', { description: 'Bars of the interval a scenario is given to play out. Default 24.' }),
  }),
});

ScenarioSetRef.implement({
  description: 'Two or three trade scenarios for one symbol and interval, built from the confirmation and the map of key levels, value area and liquidation clusters.',
  fields: (t) => ({
    symbol: t.exposeString('symbol', { description: 'Venue symbol, e.g. BTCUSDT.' }),
    interval: t.field({ type: CandleIntervalEnum, description: 'Candle interval of the confirmation, levels and ATR used.', resolve: (s) => s.interval }),
    price: t.exposeFloat('price', { description: 'Price the scenarios were built at (last trade, else last close).' }),
    atr: t.exposeFloat('atr', { description: 'Average true range of the interval (quote currency) the zones, stops and buffers are measured in.' }),
    confirmationScore: t.exposeFloat('confirmationScore', { description: 'Composite score 0..100 (50 neutral) the scenarios were built from.' }),
    confirmationSignal: t.field({ type: ConfirmationDirectionEnum, description: 'Composite signal that picked the set of scenarios.', resolve: (s) => s.confirmationSignal }),
    scenarios: t.field({ type: [ScenarioRef], description: 'The scenarios, most confident first (at most maxScenarios).', resolve: (s) => s.scenarios }),
    notes: t.exposeStringList('notes', { description: 'Missing inputs and what stood in for them, and scenarios left out.' }),
    thresholds: t.field({ type: ScenarioThresholdsRef, description: 'The parameters used.', resolve: (s) => s.thresholds }),
    meta: t.field({ type: AnalysisMetaRef, description: 'Provenance and freshness of this result (source, venue, asOf, age, staleness, methodology version).', resolve: (s) => s.meta }),
  }),
});

// --- Queries ---

/** At most `max` scenarios of a result (the engine keeps all three). */
function limited(set: ReturnType<typeof withMeta<ScenarioSet>>, max: number): ReturnType<typeof withMeta<ScenarioSet>> {
  return set.scenarios.length <= max ? set : { ...set, scenarios: set.scenarios.slice(0, max) };
}

builder.objectField(MarketRef, 'scenarios', (t) =>
  t.field({
    type: ScenarioSetRef,
    nullable: true,
    description:
      'Two or three trade scenarios (entry zone, liquidity-aware stop, targets with R:R, safe leverage, invalidation, reasons) built from the confirmation of the interval. Analysis, not advice. Non-default intervals are computed on demand.',
    args: {
      interval: t.arg({ type: CandleIntervalEnum, required: true, defaultValue: DEFAULT_CONFIRMATION_INTERVAL, description: 'Candle interval of the confirmation and levels (default I1H).' }),
      maxScenarios: t.arg.int({
        required: true,
        defaultValue: 3,
        validate: z.number().int('maxScenarios must be an integer').min(1, 'maxScenarios must be at least 1').max(3, 'maxScenarios must be at most 3'),
        description: 'How many scenarios to return, 1..3, most confident first (default 3).',
      }),
    },
    resolve: async (m, args, ctx) => {
      const interval = args.interval as CandleInterval;
      if (interval === DEFAULT_CONFIRMATION_INTERVAL) return limited(withMeta<ScenarioSet>(ctx, await requireLatest(ctx, 'SCENARIOS', m.symbol)), args.maxScenarios);
      const params: ScenarioParams = { interval };
      const record = await requireLatestWith(
        ctx,
        'SCENARIOS',
        m.symbol,
        { ...params },
        `SCENARIOS for ${m.symbol} on ${interval} is not available: no confirmation or ATR for that interval yet (too few closed candles), or this instance does not ingest market data (ROLE=api serves the default interval only)`,
      );
      return limited(withMeta<ScenarioSet>(ctx, record), args.maxScenarios);
    },
  }),
);

// --- Subscriptions ---

builder.subscriptionField('scenariosUpdated', (t) =>
  t.field({
    type: ScenarioSetRef,
    description: 'The trade scenarios (1 h) of one symbol: the latest at once on subscribe, then each time they are recomputed to a different result.',
    args: { symbol: t.arg.string({ description: 'Symbol of a configured market, e.g. BTCUSDT (case-insensitive).', required: true }) },
    subscribe: (_root, args, ctx) => analysisUpdates(ctx, 'SCENARIOS', requireSymbol(ctx, args.symbol)),
    resolve: (record: AnalysisRecord, _args, ctx) => withMeta<ScenarioSet>(ctx, record),
  }),
);
