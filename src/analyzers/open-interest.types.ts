import type { Factor } from './types.js';

/** Look-back horizons of the open-interest changes (GraphQL enum names cannot start with a digit). */
export const OpenInterestHorizons = { M5: 'M5', H1: 'H1', H4: 'H4', H24: 'H24' } as const;
export type OpenInterestHorizon = (typeof OpenInterestHorizons)[keyof typeof OpenInterestHorizons];

export const OPEN_INTEREST_HORIZON_MS: Readonly<Record<OpenInterestHorizon, number>> = {
  M5: 300_000,
  H1: 3_600_000,
  H4: 14_400_000,
  H24: 86_400_000,
};

/**
 * Price-vs-open-interest quadrant: who is behind a move. FLAT when price or open interest stayed within
 * its flat band (no directional reading).
 */
export const OpenInterestQuadrants = {
  /** Price up, OI up: new longs are opening. */
  NEW_LONGS: 'NEW_LONGS',
  /** Price up, OI down: shorts are closing (buying back). */
  SHORT_COVERING: 'SHORT_COVERING',
  /** Price down, OI up: new shorts are opening. */
  NEW_SHORTS: 'NEW_SHORTS',
  /** Price down, OI down: longs are closing or being liquidated. */
  LONG_LIQUIDATION: 'LONG_LIQUIDATION',
  FLAT: 'FLAT',
} as const;
export type OpenInterestQuadrant = (typeof OpenInterestQuadrants)[keyof typeof OpenInterestQuadrants];

export const OpenInterestDivergenceKinds = {
  /** Price makes a new high over the window while OI falls: the rally is short covering, not new buying (bearish). */
  PRICE_HIGH_OI_FALLING: 'PRICE_HIGH_OI_FALLING',
  /** Price makes a new low over the window while OI falls: the drop is longs capitulating, not new selling (bullish). */
  PRICE_LOW_OI_FALLING: 'PRICE_LOW_OI_FALLING',
} as const;
export type OpenInterestDivergenceKind = (typeof OpenInterestDivergenceKinds)[keyof typeof OpenInterestDivergenceKinds];

export interface OpenInterestObservation {
  time: number;
  /** Contracts (base asset); null when the source reports only the value (Binance's daily openInterestHist export). */
  openInterest: number | null;
  /** Quote currency (USD); null when the source does not report it. */
  openInterestValue: number | null;
}

export interface PricePoint {
  time: number;
  price: number;
}

export interface OpenInterestThresholds {
  /** |price change| in percent at or below which price counts as flat. Default 0.1 (%). */
  priceFlatPct: number;
  /** |OI change| in percent at or below which open interest counts as flat. Default 0.25 (%). */
  oiFlatPct: number;
  /** Horizon whose change decides `quadrant` and the score. Default H1. */
  quadrantHorizon: OpenInterestHorizon;
  /** Window of the divergence check (price new high/low while OI falls). Default H1. */
  divergenceHorizon: OpenInterestHorizon;
  /**
   * The start point of a horizon h is the OI observation nearest to T − h, accepted when it is at most
   * `alignmentTolerance × h` away (so a "4h" change always spans 3.6-4.4 h). Default 0.1.
   */
  alignmentTolerance: number;
  /** A price is taken from the price path point nearest the wanted time, at most this far away. Default 150 000 (2.5 min). */
  priceToleranceMs: number;
  /** |price change| in percent that saturates the `priceMove` factor. Default 2. */
  priceScalePct: number;
  /** |OI change| in percent that saturates the `oiConfirmation` factor. Default 5. */
  oiScalePct: number;
}

export const DEFAULT_OPEN_INTEREST_THRESHOLDS: Readonly<OpenInterestThresholds> = {
  priceFlatPct: 0.1,
  oiFlatPct: 0.25,
  quadrantHorizon: 'H1',
  divergenceHorizon: 'H1',
  alignmentTolerance: 0.1,
  priceToleranceMs: 150_000,
  priceScalePct: 2,
  oiScalePct: 5,
};

export interface OpenInterestInput {
  symbol: string;
  /** Open-interest observations, strictly ascending by time; the last one is "now" (T). */
  points: readonly OpenInterestObservation[];
  /** Price path (e.g. candle closes plus the last trade), strictly ascending by time; may be empty. */
  prices: readonly PricePoint[];
  thresholds?: Partial<OpenInterestThresholds>;
}

/** Change of open interest (and price) over one horizon ending at the latest observation. */
export interface OpenInterestChange {
  horizon: OpenInterestHorizon;
  horizonMs: number;
  /** Time of the observation the change is measured from; null when history does not reach back. */
  fromTime: number | null;
  /** Contracts now − contracts then. */
  oiChange: number | null;
  oiChangePct: number | null;
  /** USD now − USD then (null when either value is unreported). */
  valueChange: number | null;
  valueChangePct: number | null;
  /** Price change over the same span, percent; null when the price path does not cover both ends. */
  priceChangePct: number | null;
  quadrant: OpenInterestQuadrant | null;
  /** What was measured, or why a value is null. */
  note: string;
}

export interface OpenInterestDivergence {
  kind: OpenInterestDivergenceKind;
  horizon: OpenInterestHorizon;
  /** The price that made the new high/low (at T). */
  price: number;
  /** The previous extreme in the window that it exceeded. */
  previousExtreme: number;
  oiChangePct: number;
  note: string;
}

export interface OpenInterestAnalysis {
  symbol: string;
  /** True when the quadrant horizon cannot be measured yet; quadrant is then null and the score 0. */
  warmingUp: boolean;
  /** Time of the latest observation (T). */
  time: number;
  /** Contracts at T; null when the source reports only the value (the contract-based changes are then null too). */
  openInterest: number | null;
  openInterestValue: number | null;
  /** Price at T from the price path; null when none is close enough. */
  price: number | null;
  /** One entry per horizon: M5, H1, H4, H24. */
  changes: OpenInterestChange[];
  quadrantHorizon: OpenInterestHorizon;
  quadrant: OpenInterestQuadrant | null;
  divergences: OpenInterestDivergence[];
  /** Directional conviction −100..100: positive = new longs driving price up, negative = new shorts driving it down. */
  score: number;
  factors: Factor[];
}
