import type { Factor } from './types.js';

/** How alarming the market of one symbol is right now. Advice only: perpgraph never places orders. */
export const EmergencyLevels = {
  /** No emergency condition: ordinary risk management applies. */
  NORMAL: 'NORMAL',
  /** At least one condition at its first threshold: reduce leverage, widen stops, watch closely. */
  ELEVATED: 'ELEVATED',
  /** A flash move, circuit-breaker move, extreme volatility, a dislocation or a halted feed at its second threshold. */
  EMERGENCY: 'EMERGENCY',
} as const;
export type EmergencyLevel = (typeof EmergencyLevels)[keyof typeof EmergencyLevels];

/** Order of the levels, lowest first (the level of a result is the highest of its triggers). */
export const EMERGENCY_LEVEL_ORDER: readonly EmergencyLevel[] = ['NORMAL', 'ELEVATED', 'EMERGENCY'];

/** The conditions the protocol checks. */
export const EmergencyTriggerTypes = {
  /** A fall of k σ (of the base interval's returns, scaled by √bars) within a short window. */
  FLASH_CRASH: 'FLASH_CRASH',
  /** A rise of k σ within a short window. */
  FLASH_PUMP: 'FLASH_PUMP',
  /** A move beyond a fixed percentage within a window, whatever the recent volatility (circuit-breaker style). */
  CIRCUIT_BREAKER_MOVE: 'CIRCUIT_BREAKER_MOVE',
  /** Realised volatility of the last hour a multiple of its baseline. */
  EXTREME_VOLATILITY: 'EXTREME_VOLATILITY',
  /** The venue data behind the result stopped arriving (overdue), or has been silent long enough to read as halted. */
  DATA_STALE: 'DATA_STALE',
  /** Funding, normalised to 8 h, beyond a dislocation threshold. */
  FUNDING_DISLOCATION: 'FUNDING_DISLOCATION',
  /** Mark price away from the index (premium) beyond a dislocation threshold. */
  BASIS_DISLOCATION: 'BASIS_DISLOCATION',
} as const;
export type EmergencyTriggerType = (typeof EmergencyTriggerTypes)[keyof typeof EmergencyTriggerTypes];

/** What confirmed a flash move besides the price. */
export const FlashConfirmations = { VOLUME: 'VOLUME', LIQUIDATIONS: 'LIQUIDATIONS' } as const;
export type FlashConfirmation = (typeof FlashConfirmations)[keyof typeof FlashConfirmations];

export interface EmergencyThresholds {
  /** Window lengths in minutes checked for flash and circuit-breaker moves (those shorter than the base interval are skipped). Default [1, 5, 15, 60]. */
  windowsMinutes: readonly number[];
  /** |z| of the window excursion at or above which a confirmed move is ELEVATED. Default 6. */
  flashElevatedSigma: number;
  /** |z| at or above which a confirmed move is an EMERGENCY (an unconfirmed one is ELEVATED). Default 10. */
  flashEmergencySigma: number;
  /**
   * Smallest |excursion| (fraction) of an ELEVATED / EMERGENCY flash move besides its σ: in a quiet market σ is so
   * small that an ordinary 0.5 % minute would read as 12 σ. Default 0.01 / 0.02 (set for the majors).
   */
  flashMinMoveElevated: number;
  flashMinMoveEmergency: number;
  /** Window volume / the baseline mean volume of a window of that length, at or above which volume confirms. Default 3. */
  volumeConfirmRatio: number;
  /** Liquidated notional on the side the move hurts / the baseline mean per window, at or above which liquidations confirm. Default 3. */
  liquidationConfirmRatio: number;
  /** |move| within 15 min (fraction) that is ELEVATED / EMERGENCY whatever σ says. Default 0.03 / 0.05. */
  breaker15mElevated: number;
  breaker15mEmergency: number;
  /** |move| within 60 min (fraction) that is ELEVATED / EMERGENCY. Default 0.05 / 0.08. */
  breaker60mElevated: number;
  breaker60mEmergency: number;
  /** Realised σ of the last hour / baseline σ at or above which volatility is ELEVATED / EMERGENCY. Default 4 / 6. */
  volatilityElevatedRatio: number;
  volatilityEmergencyRatio: number;
  /** |funding per 8 h| (fraction) that is ELEVATED / EMERGENCY. Default 0.001 (0.1 %) / 0.003 (0.3 %). */
  fundingElevated8h: number;
  fundingEmergency8h: number;
  /** |mark − index| / index (fraction) that is ELEVATED / EMERGENCY. Default 0.005 / 0.02. */
  premiumElevated: number;
  premiumEmergency: number;
  /** Overdue venue data older than this (ms) reads as a halted or unreachable venue: EMERGENCY. Default 300 000 (5 min). */
  haltedAfterMs: number;
  /** Fewest baseline returns for σ (fewer: the σ-based checks are null with a reason). Default 60. */
  minBaselineBars: number;
  /** Longest baseline, in time, before the window. Default 24 h. */
  baselineMs: number;
}

export const DEFAULT_EMERGENCY_THRESHOLDS: Readonly<EmergencyThresholds> = {
  windowsMinutes: [1, 5, 15, 60],
  flashElevatedSigma: 6,
  flashEmergencySigma: 10,
  flashMinMoveElevated: 0.01,
  flashMinMoveEmergency: 0.02,
  volumeConfirmRatio: 3,
  liquidationConfirmRatio: 3,
  breaker15mElevated: 0.03,
  breaker15mEmergency: 0.05,
  breaker60mElevated: 0.05,
  breaker60mEmergency: 0.08,
  volatilityElevatedRatio: 4,
  volatilityEmergencyRatio: 6,
  fundingElevated8h: 0.001,
  fundingEmergency8h: 0.003,
  premiumElevated: 0.005,
  premiumEmergency: 0.02,
  haltedAfterMs: 300_000,
  minBaselineBars: 60,
  baselineMs: 86_400_000,
};

/** One bar of the base interval as the analyzer sees it (the last one may be forming). */
export interface EmergencyBar {
  openTime: number;
  closeTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Base-asset volume. */
  volume: number;
}

export interface EmergencyLiquidation {
  /** Which positions were closed: a crash liquidates LONG positions. */
  liquidatedSide: 'LONG' | 'SHORT';
  /** Quote-currency (USD) notional. */
  notional: number;
  time: number;
}

/** One input that is overdue (see meta.inputs), as the protocol judged it. */
export interface StaleInput {
  /** Input type, e.g. `candle` or `markPrice`. */
  type: string;
  /** Candle interval for candle inputs, else null. */
  interval: string | null;
  /** Epoch ms of its newest value; null when none ever arrived. */
  lastAt: number | null;
}

export interface EmergencyInput {
  symbol: string;
  /** The base interval the bars are of (the finest the store holds enough of: 1m, else 5m). */
  interval: string;
  intervalMs: number;
  /** Bars of the base interval, oldest first; the last may be the forming one (its close is the latest price). */
  bars: readonly EmergencyBar[];
  /** Liquidations the feed delivered, oldest first; undefined when the source delivers none (the check is then unavailable, not zero). */
  liquidations?: readonly EmergencyLiquidation[];
  /** Latest funding rate (predicted if the venue publishes one, else the last settled) per its interval; null when unknown. */
  funding: { rate: number; intervalHours: number; predicted: boolean } | null;
  /** Latest mark and index price; null when unknown (index null: the venue or recording has none). */
  mark: { markPrice: number; indexPrice: number | null; time: number } | null;
  /** Overdue inputs at `now` (empty when all are fresh). */
  staleInputs: readonly StaleInput[];
  /** Evaluation time (epoch ms). */
  now: number;
  thresholds?: Partial<EmergencyThresholds>;
}

/** A move over one window ending at the latest price. */
export interface FlashWindow {
  windowMinutes: number;
  /** Close of the bar that ended `windowMinutes` before the latest price (the window's start). */
  startPrice: number;
  /** Latest price (close of the newest bar). */
  lastPrice: number;
  /** lastPrice / startPrice − 1, fraction. */
  change: number;
  /** Lowest low in the window / startPrice − 1, fraction (≤ 0 unless the whole window traded above the start). */
  drawdown: number;
  /** Highest high / startPrice − 1, fraction. */
  runUp: number;
  /** ln(excursion) / (σ × √(window bars)) of the larger of the two excursions, signed (negative: down); null without a baseline σ. */
  zScore: number | null;
  /** Window volume / baseline mean volume per window of this length; null without a baseline. */
  volumeRatio: number | null;
  /** Notional liquidated on the side the move hurts (longs for a fall) in the window, USD; null when the source delivers no liquidations. */
  liquidatedUsd: number | null;
  /** liquidatedUsd / baseline mean per window; null without liquidations or with a baseline of none. */
  liquidationRatio: number | null;
  /** What confirmed the move besides the price. */
  confirmedBy: FlashConfirmation[];
}

export interface EmergencyTrigger {
  type: EmergencyTriggerType;
  /** ELEVATED or EMERGENCY. */
  level: EmergencyLevel;
  /** The measured value (units in `note`). */
  value: number;
  /** The threshold it reached. */
  threshold: number;
  /** Window of a move, in minutes; null for the other conditions. */
  windowMinutes: number | null;
  note: string;
}

/** A check that could not run, and why (never read as "nothing happened"). */
export interface UnavailableCheck {
  check: string;
  reason: string;
}

export interface EmergencyAnalysis {
  symbol: string;
  /** Base interval of the bars read. */
  interval: string;
  /** Close time of the newest bar read (the latest price's time). */
  time: number;
  level: EmergencyLevel;
  /** Conditions met, most severe first. */
  triggers: EmergencyTrigger[];
  /** Moves per window (those the base interval allows). */
  windows: FlashWindow[];
  /** σ of the base interval's log returns over the baseline; null with fewer than minBaselineBars returns. */
  baselineSigma: number | null;
  baselineBars: number;
  /** σ of the last hour's base-interval log returns / baselineSigma; null when either is unknown. */
  volatilityRatio: number | null;
  /** Funding per 8 h, fraction; null when unknown. */
  funding8h: number | null;
  /** (mark − index) / index, fraction; null when the venue gives no index. */
  premium: number | null;
  staleInputs: StaleInput[];
  /** What to do about it, one line each: advice, never an order. */
  advice: string[];
  /** Checks that could not run, with the reason. */
  unavailable: UnavailableCheck[];
  /** One factor per check that ran: value, weight 1/n, contribution weight × (0 normal, 0.5 elevated, 1 emergency). */
  factors: Factor[];
  thresholds: EmergencyThresholds;
}
