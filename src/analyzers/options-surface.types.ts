import type { OptionQuote } from '../domain/market.js';
import type { SviParams } from '../math/svi.js';

export type { SviParams };

/** One option as the surface needs it (a subset of the domain `OptionQuote`; prices in the base coin). */
export type SurfaceQuote = Pick<
  OptionQuote,
  'kind' | 'strike' | 'expiry' | 'markIv' | 'bidIv' | 'askIv' | 'bidPrice' | 'askPrice' | 'delta' | 'openInterest' | 'volume' | 'underlyingPrice'
>;

export interface OptionsSurfaceThresholds {
  /** Expiries closer than this (hours) are left out entirely (about to settle: no smile left). Default 1. */
  minExpiryHours: number;
  /** Fewest OTM quotes with a mark IV an SVI fit needs (5 parameters). Default 6. */
  minFitQuotes: number;
  /** |ρ| is held at or below this (the constraint is |ρ| < 1). Default 0.999. */
  maxAbsRho: number;
  /** Log-moneyness step of the arbitrage grids. Default 0.01. */
  arbitrageGridStep: number;
  /** Calendar check: w(k, T2) < w(k, T1) − this (total variance) is a violation. Default 1e-6. */
  calendarTolerance: number;
  /** Butterfly check: g(k) < −this is a violation. Default 1e-9. */
  butterflyTolerance: number;
  /** The volatility index horizon, days. Default 30. */
  indexDays: number;
  /** Constant-maturity ATM tenors (days) of the term structure. Default [7, 30, 60, 90, 180]. */
  tenorDays: readonly number[];
}

export interface OptionsSurfaceInput {
  currency: string;
  /** The coin's USD index (spot). */
  indexPrice: number;
  quotes: readonly SurfaceQuote[];
  /** The chain's time (epoch ms): times to expiry are measured from it. */
  now: number;
  /** Continuously compounded annual rate R of the volatility index (e^{RT}); default 0 (see computeVolatilityIndex). */
  rate?: number;
  /** Deribit's own DVOL when the source provides it, else null with `dvolUnavailableReason`. */
  dvol?: { value: number; time: number } | null;
  dvolUnavailableReason?: string;
  thresholds?: Partial<OptionsSurfaceThresholds>;
}

export interface SviFit extends SviParams {
  /** Root mean square of fitted − quoted mark IV over the fitted quotes, vol points. */
  rmseVolPts: number;
  /** Largest |fitted − quoted| mark IV, vol points. */
  maxErrorVolPts: number;
  /** Quotes fitted (OTM options with a mark IV). */
  quotes: number;
  /** Of those, quotes whose fitted IV lies within their bid/ask IV (both present). */
  withinBidAsk: number;
  /** Of those, quotes with both a bid and an ask IV. */
  withBidAsk: number;
  /** Smallest and largest log-moneyness ln(K/F) quoted. */
  kMin: number;
  kMax: number;
  /** Minimum total variance a + bσ sqrt(1 − ρ²) (≥ 0 by constraint). */
  minTotalVariance: number;
}

export interface DeltaPoint {
  /** Signed Black-76 forward delta: 0.25 call, −0.25 put. */
  delta: number;
  strike: number;
  logMoneyness: number;
  /** Fitted IV, percent. */
  iv: number;
  /** The strike lies outside the quoted strikes of the expiry (the fit is extrapolated there). */
  extrapolated: boolean;
}

export interface SurfaceStrike {
  strike: number;
  /** ln(K/F). */
  logMoneyness: number;
  callIv: number | null;
  putIv: number | null;
  /** IV of the out-of-the-money option at this strike (put below the forward, call at or above), percent. */
  otmIv: number | null;
  otmBidIv: number | null;
  otmAskIv: number | null;
  /** SVI IV at this strike, percent; null without a fit. */
  fittedIv: number | null;
  callDelta: number | null;
  putDelta: number | null;
  callOpenInterest: number;
  putOpenInterest: number;
  callVolume: number;
  putVolume: number;
}

export interface SurfaceExpiry {
  expiry: number;
  daysToExpiry: number;
  /** Years (365-day year) from the chain time. */
  timeToExpiry: number;
  /** Mean underlying (Deribit's synthetic or future) price of the expiry's quotes, USD. */
  forward: number;
  svi: SviFit | null;
  fitNote: string;
  /** Fitted IV at the forward (k = 0), percent. */
  atmIv: number | null;
  put10: DeltaPoint | null;
  put25: DeltaPoint | null;
  put50: DeltaPoint | null;
  call50: DeltaPoint | null;
  call25: DeltaPoint | null;
  call10: DeltaPoint | null;
  /** call25.iv − put25.iv, vol points (negative: puts richer). */
  riskReversal25: number | null;
  /** (call25.iv + put25.iv)/2 − atmIv, vol points. */
  butterfly25: number | null;
  riskReversal10: number | null;
  butterfly10: number | null;
  /** Smallest Gatheral g(k) over the quoted range (null without a fit); < 0 is butterfly arbitrage. */
  minDensityG: number | null;
  strikes: SurfaceStrike[];
  callOpenInterest: number;
  putOpenInterest: number;
  callVolume: number;
  putVolume: number;
}

export interface ButterflyViolation {
  expiry: number;
  /** Where g(k) is lowest within the violating range. */
  logMoneyness: number;
  g: number;
  /** Grid points with g < 0. */
  points: number;
}

export interface CalendarViolation {
  nearExpiry: number;
  farExpiry: number;
  /** Where w(far) − w(near) is lowest. */
  logMoneyness: number;
  /** w(far) − w(near) there (negative). */
  totalVarianceGap: number;
  points: number;
}

export interface ArbitrageReport {
  /** No violation found on the checked grids. */
  arbitrageFree: boolean;
  butterfly: ButterflyViolation[];
  calendar: CalendarViolation[];
  /** Fitted expiries checked and grid pairs compared. */
  expiriesChecked: number;
  pairsChecked: number;
  note: string;
}

export interface ConstantMaturityAtm {
  days: number;
  /** ATM IV at this tenor, linear in total variance between the fitted expiries around it; percent. */
  iv: number | null;
  note: string;
}

export interface VolIndexContribution {
  strike: number;
  /** PUT below K0, CALL above, ATM at K0 (mean of the call and put). */
  option: 'PUT' | 'CALL' | 'ATM';
  /** Mid quote in USD (coin mid × the quote's underlying). */
  midUsd: number;
  deltaK: number;
  /** ΔK/K² · e^{RT} · Q(K). */
  contribution: number;
}

export interface VarianceTerm {
  expiry: number;
  daysToExpiry: number;
  /** Years. */
  timeToExpiry: number;
  /** Strike of the smallest |call mid − put mid| (USD). */
  parityStrike: number;
  /** Call mid − put mid at parityStrike, USD. */
  callMinusPut: number;
  /** F = parityStrike + e^{RT}(C − P). */
  forward: number;
  /** First strike at or below F. */
  k0: number;
  puts: number;
  calls: number;
  /** Σ contributions. */
  contributionSum: number;
  /** (1/T)(F/K0 − 1)². */
  forwardAdjustment: number;
  /** σ² = (2/T) Σ − (1/T)(F/K0 − 1)². */
  variance: number;
  /** 100·sqrt(σ²): the term's own annualised volatility, percent; null when σ² ≤ 0. */
  volatility: number | null;
  contributions: VolIndexContribution[];
}

export interface VolatilityIndex {
  /** Index value (annualised volatility, percent); null with `note` when the chain cannot give it. */
  value: number | null;
  /** The method followed. */
  method: string;
  targetDays: number;
  rate: number;
  nearTerm: VarianceTerm | null;
  nextTerm: VarianceTerm | null;
  /** Weight of the near term in the 30-day interpolation (next = 1 − near). */
  nearWeight: number | null;
  dvol: number | null;
  dvolTime: number | null;
  /** value − dvol, vol points; null without both. */
  differenceFromDvol: number | null;
  dvolNote: string;
  note: string;
}

export interface StrikeActivity {
  strike: number;
  callOpenInterest: number;
  putOpenInterest: number;
  callVolume: number;
  putVolume: number;
}

export interface OptionsSurfaceAnalysis {
  currency: string;
  time: number;
  /** No unexpired option with a mark IV: every figure is null/empty. */
  warmingUp: boolean;
  spot: number;
  expiries: SurfaceExpiry[];
  termStructure: ConstantMaturityAtm[];
  arbitrage: ArbitrageReport;
  volatilityIndex: VolatilityIndex;
  /** Every expiry summed per strike, ascending. */
  activityByStrike: StrikeActivity[];
}

export const AtmChangeLags = { ONE_DAY: 'ONE_DAY', ONE_WEEK: 'ONE_WEEK', ONE_MONTH: 'ONE_MONTH' } as const;
export type AtmChangeLag = (typeof AtmChangeLags)[keyof typeof AtmChangeLags];

/** Surface values of an earlier result, as stored (only what a change needs). */
export interface PastSurface {
  time: number;
  termStructure: readonly ConstantMaturityAtm[];
  volatilityIndex: { value: number | null };
}

export interface TenorChange {
  days: number;
  current: number | null;
  past: number | null;
  /** current − past, vol points. */
  change: number | null;
}

export interface AtmVolChange {
  lag: AtmChangeLag;
  /** Chain time of the stored result compared with; null when none. */
  pastTime: number | null;
  tenors: TenorChange[];
  volatilityIndexChange: number | null;
  note: string;
}
