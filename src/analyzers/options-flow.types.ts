import type { Factor } from './types.js';

/**
 * Who is assumed to hold the other side of the open interest, which sets the sign of dealer gamma.
 * LONG_CALLS_SHORT_PUTS is the SqueezeMetrics / SpotGamma convention ("customers sell calls and buy
 * puts"): GEX = Σ Γ·OI (calls) − Σ Γ·OI (puts).
 */
export const DealerPositionings = {
  LONG_CALLS_SHORT_PUTS: 'LONG_CALLS_SHORT_PUTS',
  SHORT_CALLS_LONG_PUTS: 'SHORT_CALLS_LONG_PUTS',
  SHORT_ALL: 'SHORT_ALL',
  LONG_ALL: 'LONG_ALL',
} as const;
export type DealerPositioning = (typeof DealerPositionings)[keyof typeof DealerPositionings];

export const TermStructureShapes = { CONTANGO: 'CONTANGO', BACKWARDATION: 'BACKWARDATION', FLAT: 'FLAT' } as const;
export type TermStructureShape = (typeof TermStructureShapes)[keyof typeof TermStructureShapes];

/** One option as the analyzer needs it (a subset of the domain `OptionQuote`). */
export interface OptionsFlowQuote {
  kind: 'CALL' | 'PUT';
  strike: number;
  /** Epoch ms. */
  expiry: number;
  /** Premium in USD per contract. */
  markPriceUsd: number;
  /** Percent (55.1 = 55.1 %); null when the venue has none. */
  markIv: number | null;
  /** Contracts. */
  openInterest: number;
  /** 24 h volume in contracts. */
  volume: number;
  /** The expiry's forward (Deribit's underlying_price). */
  underlyingPrice: number;
  /** Used only when markIv is null (see computeOptionsFlow). */
  delta: number | null;
  /** Per 1 USD of the underlying; used only when markIv is null. */
  gamma: number | null;
}

export interface OptionsFlowThresholds {
  /** Coins per contract (Deribit BTC/ETH inverse options: 1). */
  contractSize: number;
  /** Slope of the ATM term structure within ± this many vol points is FLAT. Default 1. */
  flatTermBandVolPts: number;
  /** Expiries closer than this many days are left out of the front of the term structure (noisy). Default 1. */
  minTermDays: number;
  /** gex.byStrike lists strikes within ± this % of spot (totals use every strike). Default 25. */
  gexStrikeRangePct: number;
  /** The zero-gamma search scans spots within ± this % of spot. Default 30. */
  zeroGammaRangePct: number;
  /** Spot grid points of the zero-gamma scan. Default 241. */
  zeroGammaSteps: number;
  /** A call wall within this % above spot counts as "approached". Default 5. */
  squeezeWallWindowPct: number;
  /** Squeeze confidence (0..1) from which `detected` is true (with negative dealer gamma). Default 0.6. */
  squeezeThreshold: number;
}

export interface OptionsFlowInput {
  currency: string;
  /** The coin's USD index (spot). */
  indexPrice: number;
  quotes: readonly OptionsFlowQuote[];
  now: number;
  dealerPositioning: DealerPositioning;
  thresholds?: Partial<OptionsFlowThresholds>;
}

export interface PutCallRatios {
  callOpenInterest: number;
  putOpenInterest: number;
  callVolume: number;
  putVolume: number;
  /** put OI / call OI; null when there is no call OI. */
  openInterestRatio: number | null;
  /** put volume / call volume; null when no call traded. */
  volumeRatio: number | null;
  /** Σ 24 h volume × mark premium (USD), an estimate of the premium traded. */
  callPremiumVolumeUsd: number;
  putPremiumVolumeUsd: number;
}

export interface OptionsExpiryFlow {
  expiry: number;
  daysToExpiry: number;
  forward: number;
  putCall: PutCallRatios;
  /** Settlement price (a listed strike, USD) at which option holders receive the least intrinsic value. */
  maxPain: number | null;
  /** USD paid to holders if the expiry settles at maxPain. */
  maxPainPayoutUsd: number | null;
  /** (maxPain / spot − 1) × 100. */
  maxPainDistancePct: number | null;
  /** ATM IV (percent), interpolated in ln(K/F) between the strikes around the forward. */
  atmIv: number | null;
  /** IV (percent) of the 25-delta call / put, interpolated by delta. */
  iv25Call: number | null;
  iv25Put: number | null;
  /** iv25Call − iv25Put (vol points): negative = puts richer. */
  riskReversal25: number | null;
  /** (iv25Call + iv25Put) / 2 − atmIv (vol points). */
  butterfly25: number | null;
  /** Dealer gamma exposure of this expiry, USD per 1 % move. */
  gexUsd: number;
  note: string;
}

export interface TermStructure {
  shape: TermStructureShape | null;
  frontExpiry: number | null;
  frontAtmIv: number | null;
  backExpiry: number | null;
  backAtmIv: number | null;
  /** backAtmIv − frontAtmIv (vol points). */
  slope: number | null;
  note: string;
}

export interface GexStrike {
  strike: number;
  callOpenInterest: number;
  putOpenInterest: number;
  /** Dealer gamma of the calls / puts at this strike, USD per 1 % move, signed by the positioning. */
  callGexUsd: number;
  putGexUsd: number;
  netGexUsd: number;
}

export interface GammaExposure {
  dealerPositioning: DealerPositioning;
  /** Σ dealer GEX over every strike and expiry, USD per 1 % move. */
  totalUsd: number;
  /** Σ |GEX|: the scale totalUsd is read against. */
  grossUsd: number;
  byStrike: GexStrike[];
  /** Spot at which total dealer GEX changes sign (sticky-strike IVs), nearest to spot; null when none in range. */
  zeroGammaLevel: number | null;
  /** Strike with the largest call gamma exposure (|Γ|·OI·S²·1 %), any expiry. */
  callWall: number | null;
  /** Strike with the largest put gamma exposure. */
  putWall: number | null;
  /** Quotes whose delta/gamma came from Black-76 on their mark IV. */
  greeksComputed: number;
  /** Quotes left out of GEX (no IV and no gamma). */
  quotesWithoutGamma: number;
}

export interface GammaSqueeze {
  detected: boolean;
  /** 0..1 = Σ factor contributions. */
  confidence: number;
  note: string;
  factors: Factor[];
}

export interface OptionsFlowAnalysis {
  currency: string;
  time: number;
  /** No unexpired option with open interest: every figure is null/empty. */
  warmingUp: boolean;
  spot: number;
  putCall: PutCallRatios;
  expiries: OptionsExpiryFlow[];
  termStructure: TermStructure;
  gex: GammaExposure;
  gammaSqueeze: GammaSqueeze;
  factors: Factor[];
}
