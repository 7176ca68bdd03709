import type { EmergencyAnalysis } from '../analyzers/emergency.types.js';
import type { AnalysisRecord } from '../domain/analysis.js';
import { builder } from '../schema/builder.js';
import { AnalysisMetaRef, FactorRef, MarketRef } from '../schema/refs.js';
import {
  EmergencyLevelEnum,
  EmergencyRef,
  EmergencyThresholdsRef,
  EmergencyTriggerRef,
  EmergencyTriggerTypeEnum,
  FlashConfirmationEnum,
  FlashWindowRef,
  StaleInputRef,
  UnavailableCheckRef,
} from '../schema/refs-emergency.js';
import type { GraphQLContext } from '../context.js';
import { analysisUpdates, requireLatest, requireSymbol, withMeta } from './shared.js';

// --- Object types ---

EmergencyTriggerRef.implement({
  description: 'One condition of the emergency protocol that reached a threshold.',
  fields: (t) => ({
    type: t.field({ type: EmergencyTriggerTypeEnum, description: 'Which condition.', resolve: (x) => x.type }),
    level: t.field({ type: EmergencyLevelEnum, description: 'ELEVATED or EMERGENCY: which of its two thresholds it reached.', resolve: (x) => x.level }),
    value: t.exposeFloat('value', { description: 'The measured value: σ for flash moves, a fraction for moves, funding and premium, a ratio for volatility, minutes for stale data.' }),
    threshold: t.exposeFloat('threshold', { description: 'The threshold it reached, in the units of value.' }),
    windowMinutes: t.exposeInt('windowMinutes', { nullable: true, description: 'Window of a move in minutes; null for the other conditions.' }),
    note: t.exposeString('note', { description: 'Plain-language explanation with the numbers.' }),
  }),
});

FlashWindowRef.implement({
  description: 'The move over one window that ends at the latest price.',
  fields: (t) => ({
    windowMinutes: t.exposeInt('windowMinutes', { description: 'Window length in minutes.' }),
    startPrice: t.exposeFloat('startPrice', { description: 'Close of the bar that ended windowMinutes before the latest price (quote currency).' }),
    lastPrice: t.exposeFloat('lastPrice', { description: 'Latest price: close of the newest (possibly forming) bar.' }),
    change: t.exposeFloat('change', { description: 'lastPrice / startPrice − 1, fraction.' }),
    drawdown: t.exposeFloat('drawdown', { description: 'Lowest low in the window / startPrice − 1, fraction.' }),
    runUp: t.exposeFloat('runUp', { description: 'Highest high in the window / startPrice − 1, fraction.' }),
    zScore: t.exposeFloat('zScore', { nullable: true, description: 'Log of the larger excursion / (baseline σ × square root of the window bars), signed (negative: down); null without a baseline σ.' }),
    volumeRatio: t.exposeFloat('volumeRatio', { nullable: true, description: 'Window volume / baseline mean volume of a window that long; null without a baseline.' }),
    liquidatedUsd: t.exposeFloat('liquidatedUsd', { nullable: true, description: 'Notional (USD) liquidated in the window on the side the move hurts (longs for a fall); null when the source delivers no liquidations.' }),
    liquidationRatio: t.exposeFloat('liquidationRatio', { nullable: true, description: 'liquidatedUsd / baseline mean per window; null without liquidations or with none in the baseline.' }),
    confirmedBy: t.field({ type: [FlashConfirmationEnum], description: 'What confirmed the move besides the price (empty: unconfirmed).', resolve: (x) => x.confirmedBy }),
  }),
});

StaleInputRef.implement({
  description: 'A price feed the protocol found overdue.',
  fields: (t) => ({
    type: t.exposeString('type', { description: 'Input type, e.g. trade or candle.' }),
    interval: t.exposeString('interval', { nullable: true, description: 'Candle interval of a candle input, else null.' }),
    lastAt: t.field({ type: 'DateTime', nullable: true, description: 'Time of its newest value; null when none arrived.', resolve: (x) => (x.lastAt === null ? null : new Date(x.lastAt)) }),
  }),
});

UnavailableCheckRef.implement({
  description: 'A check that could not run, and why (never read as nothing happened).',
  fields: (t) => ({
    check: t.exposeString('check', { description: 'Name of the check, e.g. flash, basis, funding, window60m.' }),
    reason: t.exposeString('reason', { description: 'Why it could not run.' }),
  }),
});

EmergencyThresholdsRef.implement({
  description: 'The thresholds the protocol used (README, Emergency protocols).',
  fields: (t) => ({
    windowsMinutes: t.exposeIntList('windowsMinutes', { description: 'Windows checked for flash and circuit-breaker moves, in minutes (those shorter than the base interval are skipped).' }),
    flashElevatedSigma: t.exposeFloat('flashElevatedSigma', { description: 'Absolute z at or above which a confirmed flash move is ELEVATED.' }),
    flashEmergencySigma: t.exposeFloat('flashEmergencySigma', { description: 'Absolute z at or above which a confirmed flash move is an EMERGENCY (an unconfirmed one ELEVATED).' }),
    volumeConfirmRatio: t.exposeFloat('volumeConfirmRatio', { description: 'Window volume over baseline at or above which volume confirms a move.' }),
    liquidationConfirmRatio: t.exposeFloat('liquidationConfirmRatio', { description: 'Liquidated notional over baseline at or above which liquidations confirm a move.' }),
    breaker15mElevated: t.exposeFloat('breaker15mElevated', { description: 'Move within 15 minutes, fraction, that is ELEVATED whatever the volatility.' }),
    breaker15mEmergency: t.exposeFloat('breaker15mEmergency', { description: 'Move within 15 minutes, fraction, that is an EMERGENCY.' }),
    breaker60mElevated: t.exposeFloat('breaker60mElevated', { description: 'Move within 60 minutes, fraction, that is ELEVATED.' }),
    breaker60mEmergency: t.exposeFloat('breaker60mEmergency', { description: 'Move within 60 minutes, fraction, that is an EMERGENCY.' }),
    volatilityElevatedRatio: t.exposeFloat('volatilityElevatedRatio', { description: 'Last-hour σ over baseline σ that is ELEVATED.' }),
    volatilityEmergencyRatio: t.exposeFloat('volatilityEmergencyRatio', { description: 'Last-hour σ over baseline σ that is an EMERGENCY.' }),
    fundingElevated8h: t.exposeFloat('fundingElevated8h', { description: 'Absolute funding per 8 hours, fraction, that is ELEVATED.' }),
    fundingEmergency8h: t.exposeFloat('fundingEmergency8h', { description: 'Absolute funding per 8 hours, fraction, that is an EMERGENCY.' }),
    premiumElevated: t.exposeFloat('premiumElevated', { description: 'Absolute premium of mark over index, fraction, that is ELEVATED.' }),
    premiumEmergency: t.exposeFloat('premiumEmergency', { description: 'Absolute premium of mark over index, fraction, that is an EMERGENCY.' }),
    haltedAfterMs: t.exposeInt('haltedAfterMs', { description: 'Overdue price data older than this (ms) reads as a halted or unreachable venue: EMERGENCY.' }),
    minBaselineBars: t.exposeInt('minBaselineBars', { description: 'Fewest baseline returns for σ; fewer make the σ-based checks unavailable.' }),
    baselineMs: t.exposeInt('baselineMs', { description: 'Longest baseline before the excluded last hour, ms.' }),
  }),
});

EmergencyRef.implement({
  description:
    'Emergency protocol of one market: flash crash or pump, circuit-breaker moves, extreme volatility, stale or halted venue data, funding and basis dislocations, with a level and advice. Analysis and advice only: perpgraph never places orders.',
  fields: (t) => ({
    symbol: t.exposeString('symbol', { description: 'Symbol, e.g. BTCUSDT.' }),
    interval: t.exposeString('interval', { description: 'Base interval of the bars read: 1m where enough are held, else 5m (recordings).' }),
    time: t.field({ type: 'DateTime', description: 'Time of the latest price read.', resolve: (x) => new Date(x.time) }),
    level: t.field({ type: EmergencyLevelEnum, description: 'The highest level of the triggered conditions; NORMAL when none is.', resolve: (x) => x.level }),
    triggers: t.field({ type: [EmergencyTriggerRef], description: 'Conditions that reached a threshold, most severe first.', resolve: (x) => x.triggers }),
    windows: t.field({ type: [FlashWindowRef], description: 'Moves per window ending at the latest price.', resolve: (x) => x.windows }),
    baselineSigma: t.exposeFloat('baselineSigma', { nullable: true, description: 'σ of the base interval log returns over the baseline (the hour before the newest bar excluded); null with too few bars.' }),
    baselineBars: t.exposeInt('baselineBars', { description: 'Returns in the baseline.' }),
    volatilityRatio: t.exposeFloat('volatilityRatio', { nullable: true, description: 'σ of the last hour returns / baselineSigma; null when either is unknown.' }),
    funding8h: t.exposeFloat('funding8h', { nullable: true, description: 'Funding per 8 hours (predicted when the venue publishes it, else last settled), fraction; null when unknown.' }),
    premium: t.exposeFloat('premium', { nullable: true, description: '(mark − index) / index, fraction; null when the source gives no index price.' }),
    staleInputs: t.field({ type: [StaleInputRef], description: 'Price feeds found overdue (empty: all on time).', resolve: (x) => x.staleInputs }),
    advice: t.exposeStringList('advice', { description: 'What a trader would do about it, one line each: the level first, then each triggered condition. Advice, never an order.' }),
    unavailable: t.field({ type: [UnavailableCheckRef], description: 'Checks that could not run, with the reason.', resolve: (x) => x.unavailable }),
    factors: t.field({ type: [FactorRef], description: 'One factor per check that ran: value, weight 1/n, contribution weight × (0 normal, 0.5 elevated, 1 emergency).', resolve: (x) => x.factors }),
    thresholds: t.field({ type: EmergencyThresholdsRef, description: 'The thresholds used.', resolve: (x) => x.thresholds }),
    meta: t.field({ type: AnalysisMetaRef, description: 'Provenance and freshness of this result (source, venue, asOf, age, staleness, methodology version).', resolve: (x) => x.meta }),
  }),
});

// --- Queries ---

const emergencyOf = async (ctx: GraphQLContext, symbol: string) => withMeta<EmergencyAnalysis>(ctx, await requireLatest(ctx, 'EMERGENCY', symbol));

builder.queryField('emergency', (t) =>
  t.field({
    type: EmergencyRef,
    description: 'Emergency protocol of one symbol: level NORMAL, ELEVATED or EMERGENCY with its triggers, factors and advice. NOT_READY until enough bars arrived.',
    args: { symbol: t.arg.string({ required: true, description: 'Symbol of a configured market, e.g. BTCUSDT (case-insensitive).' }) },
    resolve: (_root, args, ctx) => emergencyOf(ctx, requireSymbol(ctx, args.symbol)),
  }),
);

builder.objectField(MarketRef, 'emergency', (t) =>
  t.field({
    type: EmergencyRef,
    nullable: true,
    description: 'Emergency protocol of this market (as Query.emergency); null with a NOT_READY error until enough bars arrived.',
    resolve: (m, _args, ctx) => emergencyOf(ctx, m.symbol),
  }),
);

// --- Subscriptions ---

builder.subscriptionField('emergencyUpdated', (t) =>
  t.field({
    type: EmergencyRef,
    description: 'The emergency protocol of one symbol: the latest at once on subscribe, then each time it is recomputed to a different result (at most once a second).',
    args: { symbol: t.arg.string({ description: 'Symbol of a configured market, e.g. BTCUSDT (case-insensitive).', required: true }) },
    subscribe: (_root, args, ctx) => analysisUpdates(ctx, 'EMERGENCY', requireSymbol(ctx, args.symbol)),
    resolve: (record: AnalysisRecord, _args, ctx) => withMeta<EmergencyAnalysis>(ctx, record),
  }),
);
