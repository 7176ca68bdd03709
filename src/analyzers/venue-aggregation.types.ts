import type { PerpVenue, VenueExclusion } from '../domain/venue.js';

// Types of the cross-venue analyses (aggregated open interest, aggregated funding, funding arbitrage,
// cross-venue price spread). Every input lists each configured perpetual venue once; a venue the
// engine judged unusable for this value carries `excluded` (STALE or MISSING with the reason) and is
// listed in the result's `excluded`, never counted as a zero.

export type { VenueExclusion };

/** One venue's input: `excluded` set when it must not contribute (the values are then ignored). */
export interface VenueInputBase {
  venue: PerpVenue;
  excluded: Omit<VenueExclusion, 'venue'> | null;
}

// --- Aggregated open interest ---

export interface OiVenueInput extends VenueInputBase {
  /** Open interest in USD, ascending by time (newest last). */
  points: readonly { time: number; oiUsd: number }[];
}

export interface AggregatedOpenInterestInput {
  symbol: string;
  venues: readonly OiVenueInput[];
  /** Look-back windows of the changes (ms); default 1 h, 4 h, 24 h. */
  windowsMs?: readonly number[];
}

export interface OiChange {
  windowMs: number;
  /** USD open interest at or before (newest point − windowMs); null when the history is shorter. */
  fromUsd: number | null;
  changeUsd: number | null;
  changePct: number | null;
}

export interface OiVenueShare {
  venue: PerpVenue;
  oiUsd: number;
  /** oiUsd / totalUsd, fraction 0..1. */
  share: number;
  /** Time of the venue's newest point. */
  asOf: number;
  changes: OiChange[];
}

export interface AggregatedOiChange extends OiChange {
  /** Venues whose change is summed (a point at both ends). */
  contributors: PerpVenue[];
  /** Contributing venues without a point that far back: the change leaves them out (their OI is in totalUsd). */
  incomplete: PerpVenue[];
}

export interface AggregatedOpenInterest {
  symbol: string;
  /** Σ venue oiUsd over the contributing venues. */
  totalUsd: number;
  venues: OiVenueShare[];
  changes: AggregatedOiChange[];
  contributors: PerpVenue[];
  excluded: VenueExclusion[];
}

// --- Aggregated funding ---

export const FundingRateKinds = { PREDICTED: 'PREDICTED', SETTLED: 'SETTLED' } as const;
export type FundingRateKind = (typeof FundingRateKinds)[keyof typeof FundingRateKinds];

export interface FundingVenueInput extends VenueInputBase {
  /** Fraction per funding interval: the venue's predicted rate for the running period, else its last settled one. */
  rate: number | null;
  rateKind: FundingRateKind;
  fundingIntervalHours: number;
  nextFundingTime: number | null;
  /** Current open interest in USD (the OI weight); null when unknown. */
  oiUsd: number | null;
  /** 24 h quote volume in USD (the volume weight); null when unknown. */
  volume24hUsd: number | null;
}

export interface AggregatedFundingInput {
  symbol: string;
  venues: readonly FundingVenueInput[];
}

export interface VenueFundingRate {
  venue: PerpVenue;
  rate: number;
  rateKind: FundingRateKind;
  fundingIntervalHours: number;
  /** rate × 8 / fundingIntervalHours: the same carry over 8 hours, comparable across intervals. */
  rate8h: number;
  /** rate × (8 760 / fundingIntervalHours), fraction per year. */
  annualizedRate: number;
  nextFundingTime: number | null;
  oiUsd: number | null;
  volume24hUsd: number | null;
  /** Its weight in the OI-weighted rate (fraction); null when it is not in it. */
  oiWeight: number | null;
  /** Its weight in the volume-weighted rate (fraction); null when it is not in it. */
  volumeWeight: number | null;
}

export interface WeightedFunding {
  /** Σ wᵢ rate8hᵢ; null when no venue has both a rate and a weight. */
  rate8h: number | null;
  /** rate8h × 1 095 (settlements of 8 h per year), fraction per year. */
  annualizedRate: number | null;
  contributors: PerpVenue[];
  excluded: VenueExclusion[];
}

export interface AggregatedFunding {
  symbol: string;
  venues: VenueFundingRate[];
  oiWeighted: WeightedFunding;
  volumeWeighted: WeightedFunding;
  /** Unweighted mean of the venues' rate8h. */
  mean: WeightedFunding;
  contributors: PerpVenue[];
  excluded: VenueExclusion[];
}

// --- Funding arbitrage ---

export interface FundingArbitrageInput {
  symbol: string;
  venues: readonly Omit<FundingVenueInput, 'oiUsd' | 'volume24hUsd'>[];
}

export interface FundingArbitrageLeg {
  venue: PerpVenue;
  rate: number;
  rateKind: FundingRateKind;
  fundingIntervalHours: number;
  annualizedRate: number;
  nextFundingTime: number | null;
}

export interface FundingArbitragePair {
  /** Venue to be short on (the higher annualised rate: shorts receive it when positive). */
  short: FundingArbitrageLeg;
  /** Venue to be long on (the lower annualised rate). */
  long: FundingArbitrageLeg;
  /** short.annualizedRate − long.annualizedRate, fraction per year (≥ 0). */
  spreadAnnualized: number;
  /** The same spread over 8 hours (spreadAnnualized / 1 095). */
  spread8h: number;
  /** The two venues settle at different intervals: the carry accrues unevenly between settlements. */
  intervalsDiffer: boolean;
}

export interface FundingArbitrage {
  symbol: string;
  /** Venues by annualised rate, highest first. */
  venues: FundingArbitrageLeg[];
  /** Every pair of contributing venues, widest spread first. */
  pairs: FundingArbitragePair[];
  /** The widest pair; null with fewer than two contributing venues. */
  best: FundingArbitragePair | null;
  contributors: PerpVenue[];
  excluded: VenueExclusion[];
}

// --- Cross-venue price spread ---

export interface PriceVenueInput extends VenueInputBase {
  /** Last traded price (else the mark). */
  price: number | null;
  markPrice: number | null;
  indexPrice: number | null;
  time: number | null;
}

export interface PriceSpreadInput {
  symbol: string;
  venues: readonly PriceVenueInput[];
}

export interface VenuePrice {
  venue: PerpVenue;
  price: number;
  /** (price − median) / median × 100. */
  deviationFromMedianPct: number;
  /** (mark − index) / index × 100, the venue's own basis; null without both. */
  basisPct: number | null;
  time: number;
}

export interface PriceSpread {
  symbol: string;
  venues: VenuePrice[];
  /** Median of the contributing prices. */
  medianPrice: number;
  highest: PerpVenue;
  lowest: PerpVenue;
  /** Highest − lowest price; null with fewer than two venues. */
  spread: number | null;
  /** spread / median × 100; null with fewer than two venues. */
  spreadPct: number | null;
  contributors: PerpVenue[];
  excluded: VenueExclusion[];
}
