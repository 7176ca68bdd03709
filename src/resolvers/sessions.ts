import { z } from 'zod';
import type { SessionsAnalysis } from '../analyzers/sessions.types.js';
import type { AnalysisRecord } from '../domain/analysis.js';
import { INTERVAL_MS, type CandleInterval } from '../domain/market.js';
import { DEFAULT_SESSION_LOOKBACK_DAYS, SESSION_INTERVALS, type SessionsParams } from '../engine/definitions/sessions.js';
import { builder } from '../schema/builder.js';
import { CandleIntervalEnum } from '../schema/enums.js';
import { AnalysisMetaRef, FactorRef, MarketRef } from '../schema/refs.js';
import {
  FundingTimeSourceEnum,
  NextFundingRef,
  NextSessionOpenRef,
  SessionPhaseEnum,
  SessionStatsRef,
  SessionStatusEnum,
  SessionsAnalysisRef,
  TradingSessionEnum,
} from '../schema/refs-sessions.js';
import { requireLatest, requireSymbol, withMeta, requireLatestWith, analysisUpdates } from './shared.js';

const MAX_LOOKBACK_DAYS = 60;

SessionStatsRef.implement({
  description: 'One session of today (UTC day), from the candles that opened in it up to now. Percentages are percent.',
  fields: (t) => ({
    session: t.field({ description: 'Which session.', type: TradingSessionEnum, resolve: (s) => s.session }),
    opensAt: t.field({ description: 'When the session opens today.', type: 'DateTime', resolve: (s) => s.opensAt }),
    closesAt: t.field({ description: 'When the session closes today.', type: 'DateTime', resolve: (s) => s.closesAt }),
    status: t.field({ description: 'UPCOMING, OPEN or CLOSED.', type: SessionStatusEnum, resolve: (s) => s.status }),
    covered: t.exposeBoolean('covered', { description: 'Candles cover the session from its open; the values below are null otherwise.' }),
    open: t.exposeFloat('open', { description: 'Open price of the session (quote currency); null when not covered.', nullable: true }),
    high: t.exposeFloat('high', { description: 'Highest price so far (quote currency); null when not covered.', nullable: true }),
    low: t.exposeFloat('low', { description: 'Lowest price so far (quote currency); null when not covered.', nullable: true }),
    close: t.exposeFloat('close', { nullable: true, description: 'Last close in the session so far.' }),
    rangePct: t.exposeFloat('rangePct', { nullable: true, description: '(high − low) / open × 100, percent.' }),
    returnPct: t.exposeFloat('returnPct', { nullable: true, description: '(close − open) / open × 100, percent.' }),
    volume: t.exposeFloat('volume', { nullable: true, description: 'Base-asset volume.' }),
    quoteVolume: t.exposeFloat('quoteVolume', { description: 'Quote volume so far, USD(T); null when not covered or when the source does not record quote volume (freqtrade replay files; `note` then says so).', nullable: true }),
    candles: t.exposeInt('candles', { description: 'Candles of the session held so far.' }),
    expectedCandles: t.exposeInt('expectedCandles', { description: 'Bars the elapsed part of the session has.' }),
    averageRangePct: t.exposeFloat('averageRangePct', { nullable: true, description: 'Mean rangePct of this session over the complete past days held (up to lookbackDays), percent.' }),
    averageQuoteVolume: t.exposeFloat('averageQuoteVolume', { description: 'Mean quote volume of this session over the complete past days held, USD(T); null without a past day whose quote volume was recorded.', nullable: true }),
    sampleDays: t.exposeInt('sampleDays', { description: 'Past days averaged.' }),
    rangeVsAverage: t.exposeFloat('rangeVsAverage', { nullable: true, description: 'rangePct / averageRangePct (so far for an open session).' }),
    note: t.exposeString('note', { description: 'Plain-language reading of the values, or why some are null.' }),
  }),
});

NextSessionOpenRef.implement({
  description: 'The next session to open.',
  fields: (t) => ({
    session: t.field({ description: 'Which session.', type: TradingSessionEnum, resolve: (n) => n.session }),
    opensAt: t.field({ description: 'When it opens.', type: 'DateTime', resolve: (n) => n.opensAt }),
    inMs: t.exposeFloat('inMs', { description: 'Milliseconds from now to its open.' }),
  }),
});

NextFundingRef.implement({
  description: 'The next funding settlement.',
  fields: (t) => ({
    time: t.field({ description: 'Settlement time.', type: 'DateTime', resolve: (n) => n.time }),
    inMs: t.exposeFloat('inMs', { description: 'Milliseconds from now to it.' }),
    source: t.field({ description: 'Where the time came from: the venue\'s announcement or the schedule.', type: FundingTimeSourceEnum, resolve: (n) => n.source }),
  }),
});

SessionsAnalysisRef.implement({
  description: 'Trading sessions and timing: the session trading now, how each of today’s sessions traded so far, and the time to the next session open and funding settlement.',
  fields: (t) => ({
    symbol: t.exposeString('symbol', { description: 'Venue symbol, e.g. BTCUSDT.' }),
    warmingUp: t.exposeBoolean('warmingUp', { description: 'A session that opened today is not covered by the candles (its values are null).' }),
    now: t.field({ description: 'Evaluation time of the analysis.', type: 'DateTime', resolve: (a) => a.now }),
    interval: t.field({ type: CandleIntervalEnum, description: 'Candle interval the session values come from.', resolve: (a) => intervalOf(a.intervalMs) }),
    dayStart: t.field({ type: 'DateTime', description: '00:00 UTC of today.', resolve: (a) => a.dayStart }),
    phase: t.field({ description: 'The session phase now.', type: SessionPhaseEnum, resolve: (a) => a.phase }),
    activeSessions: t.field({ description: 'Sessions open now (two during overlaps, none off hours).', type: [TradingSessionEnum], resolve: (a) => a.activeSessions }),
    phaseEndsAt: t.field({ type: 'DateTime', description: 'When a session next opens or closes.', resolve: (a) => a.phaseEndsAt }),
    phaseEndsInMs: t.exposeFloat('phaseEndsInMs', { description: 'Milliseconds from now to phaseEndsAt.' }),
    nextSessionOpen: t.field({ description: 'The next session to open.', type: NextSessionOpenRef, resolve: (a) => a.nextSessionOpen }),
    nextFunding: t.field({ description: 'The next funding settlement.', type: NextFundingRef, resolve: (a) => a.nextFunding }),
    sessions: t.field({ type: [SessionStatsRef], description: 'Today’s ASIA, LONDON and NEW_YORK, in that order.', resolve: (a) => a.sessions }),
    factors: t.field({ type: [FactorRef], description: 'Which session is open at now and why the phase is what it is.', resolve: (a) => a.factors }),
    meta: t.field({ description: 'Provenance and freshness of this result (source, venue, asOf, age, staleness, methodology version).', type: AnalysisMetaRef, resolve: (a) => a.meta }),
  }),
});

function intervalOf(ms: number): CandleInterval {
  return SESSION_INTERVALS.find((i) => INTERVAL_MS[i] === ms) ?? '1h';
}

builder.objectField(MarketRef, 'sessions', (t) =>
  t.field({
    type: SessionsAnalysisRef,
    nullable: true,
    description: 'Trading sessions and timing. Non-default arguments are computed on demand by instances that ingest data.',
    args: {
      interval: t.arg({
        type: CandleIntervalEnum,
        description: `Candle interval for the session values: I1M, I5M, I15M, I30M or I1H. Default: the finest held interval whose candles reach back to 00:00 UTC today.`,
        validate: z
          .string()
          .refine((v) => (SESSION_INTERVALS as readonly string[]).includes(v), 'interval must divide one hour: I1M, I5M, I15M, I30M or I1H')
          .nullish(),
      }),
      lookbackDays: t.arg.int({
        description: `Complete past days averaged per session, 0..${MAX_LOOKBACK_DAYS}; default ${DEFAULT_SESSION_LOOKBACK_DAYS}.`,
        validate: z.number().int().min(0, 'lookbackDays must be >= 0').max(MAX_LOOKBACK_DAYS, `lookbackDays must be <= ${MAX_LOOKBACK_DAYS}`).nullish(),
      }),
    },
    resolve: async (m, args, ctx) => {
      if (!args.interval && (args.lookbackDays ?? DEFAULT_SESSION_LOOKBACK_DAYS) === DEFAULT_SESSION_LOOKBACK_DAYS) {
        return withMeta<SessionsAnalysis>(ctx, await requireLatest(ctx, 'SESSIONS', m.symbol));
      }
      const params: SessionsParams = { lookbackDays: args.lookbackDays ?? DEFAULT_SESSION_LOOKBACK_DAYS, ...(args.interval ? { interval: args.interval } : {}) };
      const record = await requireLatestWith(ctx, 'SESSIONS', m.symbol, { ...params }, `SESSIONS for ${m.symbol} with these arguments is not available: no ${args.interval ?? ''} candles held, or this instance does not ingest market data (ROLE=api serves the default arguments only)`);
      return withMeta<SessionsAnalysis>(ctx, record);
    },
  }),
);

// --- Subscriptions ---

builder.subscriptionField('sessionsUpdated', (t) =>
  t.field({
    type: SessionsAnalysisRef,
    description: 'The sessions analysis (default arguments) of one symbol: the latest result at once on subscribe, then each time it is recomputed to a different result (on candle updates).',
    args: { symbol: t.arg.string({ description: 'Symbol of a configured market, e.g. BTCUSDT (case-insensitive).', required: true }) },
    subscribe: (_root, args, ctx) => analysisUpdates(ctx, 'SESSIONS', requireSymbol(ctx, args.symbol)),
    resolve: (record: AnalysisRecord, _args, ctx) => withMeta<SessionsAnalysis>(ctx, record),
  }),
);
