import {
  FundingTimeSources,
  SessionPhases,
  SessionStatuses,
  TradingSessions,
  type NextFunding,
  type NextSessionOpen,
  type SessionStats,
  type SessionsAnalysis,
} from '../analyzers/sessions.types.js';
import { builder } from './builder.js';
import type { WithMeta } from './refs.js';

/** Refs and enums of the sessions analysis (implemented in src/resolvers/sessions.ts). */
export const SessionsAnalysisRef = builder.objectRef<WithMeta<SessionsAnalysis>>('SessionsAnalysis');
export const SessionStatsRef = builder.objectRef<SessionStats>('SessionStats');
export const NextSessionOpenRef = builder.objectRef<NextSessionOpen>('NextSessionOpen');
export const NextFundingRef = builder.objectRef<NextFunding>('NextFunding');

export const TradingSessionEnum = builder.enumType(TradingSessions, {
  name: 'TradingSession',
  description: 'Major trading sessions in fixed UTC hours (no daylight-saving shift): ASIA 00:00–09:00, LONDON 07:00–16:00, NEW_YORK 13:00–22:00.',
});

export const SessionPhaseEnum = builder.enumType(SessionPhases, {
  name: 'SessionPhase',
  description:
    'Sessions open now: ASIA (00–07 UTC), ASIA_LONDON_OVERLAP (07–09), LONDON (09–13), LONDON_NEW_YORK_OVERLAP (13–16), NEW_YORK (16–22), OFF_HOURS (22–24).',
});

export const SessionStatusEnum = builder.enumType(SessionStatuses, { name: 'SessionStatus', description: 'Status of a session of today (UTC day).' });

export const FundingTimeSourceEnum = builder.enumType(FundingTimeSources, {
  name: 'FundingTimeSource',
  description: "MARK_PRICE: the venue's announced next funding time. SCHEDULE: the next multiple of the funding interval since 00:00 UTC.",
});
