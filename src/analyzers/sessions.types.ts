import type { Factor } from './types.js';

/** The three major trading sessions, in fixed UTC hours (see {@link TRADING_SESSIONS}). */
export const TradingSessions = { ASIA: 'ASIA', LONDON: 'LONDON', NEW_YORK: 'NEW_YORK' } as const;
export type TradingSession = (typeof TradingSessions)[keyof typeof TradingSessions];

/** Which sessions are open right now; overlaps named after both sessions, OFF_HOURS between New York close and Asia open. */
export const SessionPhases = {
  ASIA: 'ASIA',
  ASIA_LONDON_OVERLAP: 'ASIA_LONDON_OVERLAP',
  LONDON: 'LONDON',
  LONDON_NEW_YORK_OVERLAP: 'LONDON_NEW_YORK_OVERLAP',
  NEW_YORK: 'NEW_YORK',
  OFF_HOURS: 'OFF_HOURS',
} as const;
export type SessionPhase = (typeof SessionPhases)[keyof typeof SessionPhases];

export const SessionStatuses = { UPCOMING: 'UPCOMING', OPEN: 'OPEN', CLOSED: 'CLOSED' } as const;
export type SessionStatus = (typeof SessionStatuses)[keyof typeof SessionStatuses];

export const FundingTimeSources = {
  /** The venue's announced next funding time (mark price stream). */
  MARK_PRICE: 'MARK_PRICE',
  /** The next multiple of the funding interval since 00:00 UTC (Binance: 00:00, 08:00, 16:00 at 8 h). */
  SCHEDULE: 'SCHEDULE',
} as const;
export type FundingTimeSource = (typeof FundingTimeSources)[keyof typeof FundingTimeSources];

export interface SessionHours {
  session: TradingSession;
  /** UTC hour the session opens, 0..23. */
  openHour: number;
  /** UTC hour it closes, openHour+1..24 (sessions do not wrap past midnight). */
  closeHour: number;
}

/**
 * Session hours in UTC, fixed all year: Asia (Tokyo) 00:00–09:00, London 07:00–16:00, New York
 * 13:00–22:00 — the common FX/crypto-desk convention. Local opening times move by an hour with daylight
 * saving; these fixed UTC hours deliberately do not, so a session is always the same UTC span.
 */
export const TRADING_SESSIONS: readonly SessionHours[] = [
  { session: 'ASIA', openHour: 0, closeHour: 9 },
  { session: 'LONDON', openHour: 7, closeHour: 16 },
  { session: 'NEW_YORK', openHour: 13, closeHour: 22 },
];

export interface SessionCandle {
  openTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Base-asset volume. */
  volume: number;
  /** Quote-currency volume; null when the source does not record it (the session's quote volume is then null). */
  quoteVolume: number | null;
}

export interface SessionsInput {
  symbol: string;
  now: number;
  /** Candles of one interval that divides 1 hour, ascending by openTime (the forming one may be last). */
  candles: readonly SessionCandle[];
  intervalMs: number;
  /** The venue's next funding time; null or not after `now`: the schedule is used. */
  nextFundingTime: number | null;
  /** Hours between funding settlements. Default 8. */
  fundingIntervalHours?: number;
  /** Complete past days averaged per session for comparison. Default 7. */
  lookbackDays?: number;
}

export interface SessionStats {
  session: TradingSession;
  opensAt: number;
  closesAt: number;
  status: SessionStatus;
  /** True when candles cover the session from its open to now (or its close); values are null otherwise. */
  covered: boolean;
  open: number | null;
  high: number | null;
  low: number | null;
  /** Last close in the session so far. */
  close: number | null;
  /** (high − low) / open × 100. */
  rangePct: number | null;
  /** (close − open) / open × 100. */
  returnPct: number | null;
  volume: number | null;
  quoteVolume: number | null;
  candles: number;
  /** Bars the elapsed part of the session should have. */
  expectedCandles: number;
  /** Mean rangePct of this session over the complete past days held (null without any). */
  averageRangePct: number | null;
  averageQuoteVolume: number | null;
  /** Past days averaged. */
  sampleDays: number;
  /** rangePct / averageRangePct (so far, for an open session). */
  rangeVsAverage: number | null;
  note: string;
}

export interface NextSessionOpen {
  session: TradingSession;
  opensAt: number;
  inMs: number;
}

export interface NextFunding {
  time: number;
  inMs: number;
  source: FundingTimeSource;
}

export interface SessionsAnalysis {
  symbol: string;
  /** True when a session that has opened today is not covered by the candles (its values are null). */
  warmingUp: boolean;
  now: number;
  intervalMs: number;
  /** 00:00 UTC of the day of `now`. */
  dayStart: number;
  phase: SessionPhase;
  activeSessions: TradingSession[];
  /** When the phase next changes (a session opens or closes). */
  phaseEndsAt: number;
  phaseEndsInMs: number;
  nextSessionOpen: NextSessionOpen;
  nextFunding: NextFunding;
  /** Today's ASIA, LONDON and NEW_YORK, in that order. */
  sessions: SessionStats[];
  factors: Factor[];
}
