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
  values: {
    ASIA: { description: '00:00–09:00 UTC.' },
    LONDON: { description: '07:00–16:00 UTC.' },
    NEW_YORK: { description: '13:00–22:00 UTC.' },
  },
});

export const SessionPhaseEnum = builder.enumType(SessionPhases, {
  name: 'SessionPhase',
  description:
    'Sessions open now: ASIA (00–07 UTC), ASIA_LONDON_OVERLAP (07–09), LONDON (09–13), LONDON_NEW_YORK_OVERLAP (13–16), NEW_YORK (16–22), OFF_HOURS (22–24).',
  values: {
    ASIA: { description: '00:00–07:00 UTC: Asia only.' },
    ASIA_LONDON_OVERLAP: { description: '07:00–09:00 UTC: Asia and London.' },
    LONDON: { description: '09:00–13:00 UTC: London only.' },
    LONDON_NEW_YORK_OVERLAP: { description: '13:00–16:00 UTC: London and New York.' },
    NEW_YORK: { description: '16:00–22:00 UTC: New York only.' },
    OFF_HOURS: { description: '22:00–24:00 UTC: no major session.' },
  },
});

export const SessionStatusEnum = builder.enumType(SessionStatuses, {
  name: 'SessionStatus',
  description: 'Status of a session of today (UTC day).',
  values: {
    CLOSED: { description: 'Already closed today.' },
    OPEN: { description: 'Open now.' },
    UPCOMING: { description: 'Opens later today.' },
  },
});

export const FundingTimeSourceEnum = builder.enumType(FundingTimeSources, {
  name: 'FundingTimeSource',
  description: "MARK_PRICE: the venue's announced next funding time. SCHEDULE: the next multiple of the funding interval since 00:00 UTC.",
  values: {
    MARK_PRICE: { description: 'The venue\'s announced next funding time (mark price stream).' },
    SCHEDULE: { description: 'The next multiple of the funding interval since 00:00 UTC (Binance: 00:00, 08:00, 16:00 at 8 h).' },
  },
});
