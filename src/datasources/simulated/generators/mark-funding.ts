import type { MarketEvent, MarkPrice } from '../../../domain/market.js';
import { clamp, decimalsOf, roundTo } from '../numeric.js';
import type { SymbolProfile } from '../profiles.js';
import type { Rng } from '../random.js';
import { FUNDING_INTERVAL_MS, nextFundingBoundary } from '../time.js';
import type { SecondContext, SecondFlow, SymbolStreamGenerator } from './types.js';

/**
 * Mark price, index price and funding, once per simulated second.
 *
 * Premium index p = (mark − index) / index is the sum of
 * - a slow Ornstein-Uhlenbeck component (half-life `slowHalfLifeS`, stationary sd `slowStd`) pulled
 *   toward `trendCoupling` × trend, where trend is an exponentially weighted sum of one-second log
 *   returns over ≈ `trendTauS` (≈ the last hour's return): perps trade rich while price rallies, so
 *   funding turns extreme when price trends;
 * - a fast OU component (half-life `fastHalfLifeS`, sd `fastStd`) kicked by the second's taker-flow
 *   imbalance (`flowImpact`).
 *
 * Funding follows the spirit of Binance's F = P̄ + clamp(I − P̄, ±0.05 %) with I = 0.01 % per 8 h, where
 * P̄ is an average premium. Binance's dead zone would pin the estimate at exactly 0.0001 most of the time;
 * here the estimate stays premium-driven so it moves every second:
 *
 *   predicted = clamp(P̂ + I, −0.75 %, +0.75 %),   P̂ = EWMA of p with time constant `estimateTauS`
 *
 * The settlement at each 00/08/16 UTC boundary is the venue's settled rate for that time (`settledRate`, a
 * function of (seed, symbol, time) only, so every run agrees on it); the slow premium is pulled toward it,
 * so the predicted rate leads into the settlement. Without `settledRate` it is the time average of the
 * per-second predicted rates over the period. Mark = core price × (1 + N(0,
 * `markNoise`)); index = mark / (1 + p).
 */
export interface FundingModelParams {
  /** Interest component I per funding interval. */
  interestRate: number;
  /** |rate| cap. */
  cap: number;
  estimateTauS: number;
  slowHalfLifeS: number;
  slowStd: number;
  fastHalfLifeS: number;
  fastStd: number;
  trendTauS: number;
  trendCoupling: number;
  flowImpact: number;
  markNoise: number;
}

export const FUNDING_MODEL: Readonly<FundingModelParams> = {
  interestRate: 0.0001,
  cap: 0.0075,
  estimateTauS: 120,
  slowHalfLifeS: 4 * 3_600,
  slowStd: 0.0003,
  fastHalfLifeS: 30,
  fastStd: 0.00008,
  trendTauS: 3_600,
  trendCoupling: 0.05,
  flowImpact: 0.00002,
  markNoise: 0.00001,
};

const RATE_DECIMALS = 8;

/** Clamp a rate to the cap and round it to the 8 decimals venues publish. */
export function normalizeFundingRate(rate: number, params: FundingModelParams = FUNDING_MODEL): number {
  return roundTo(clamp(rate, -params.cap, params.cap), RATE_DECIMALS);
}

export interface MarkFundingOptions {
  profile: SymbolProfile;
  rng: Rng;
  params?: FundingModelParams;
  /** Last settled rate before the model starts; seeds the premium so the estimate continues from it. */
  lastFundingRate?: number;
  /**
   * The rate settled at a funding time (a function of time only: `settled-funding.ts`). When set, each
   * settlement publishes it and the slow premium is pulled toward the upcoming one, so the predicted rate
   * leads into it; unset, a settlement is the period's average predicted rate.
   */
  settledRate?: (fundingTime: number) => number;
}

/** Persistence over one second of an OU process with the given half-life. */
function decay(halfLifeS: number): number {
  return Math.exp(-Math.LN2 / halfLifeS);
}

export class MarkFundingGenerator implements SymbolStreamGenerator {
  private readonly params: FundingModelParams;
  private readonly rng: Rng;
  private readonly priceDecimals: number;
  private readonly aSlow: number;
  private readonly aFast: number;
  private readonly aTrend: number;
  private readonly kEstimate: number;
  private trend = 0;
  private slow: number;
  private fast = 0;
  private estimate: number;
  private periodSum = 0;
  private periodCount = 0;
  private last: MarkPrice | null = null;
  private lastPremium: number;
  private readonly settledRate: ((fundingTime: number) => number) | undefined;
  /** The upcoming settlement and its premium (settled rate − interest), when `settledRate` is set. */
  private upcoming: { time: number; premium: number } | null = null;

  constructor(options: MarkFundingOptions) {
    this.settledRate = options.settledRate;
    this.params = options.params ?? FUNDING_MODEL;
    this.rng = options.rng;
    this.priceDecimals = decimalsOf(options.profile.tickSize) + 2;
    this.aSlow = decay(this.params.slowHalfLifeS);
    this.aFast = decay(this.params.fastHalfLifeS);
    this.aTrend = Math.exp(-1 / this.params.trendTauS);
    this.kEstimate = 1 - Math.exp(-1 / this.params.estimateTauS);
    const premium =
      options.lastFundingRate === undefined ? 0 : clamp(options.lastFundingRate - this.params.interestRate, -this.params.cap, this.params.cap);
    this.slow = premium;
    this.estimate = premium;
    this.lastPremium = premium;
  }

  /** The latest mark price published, or null before the first second ends. */
  get latest(): MarkPrice | null {
    return this.last;
  }

  /** Current premium index (mark − index) / index. */
  get premium(): number {
    return this.lastPremium;
  }

  endSecond(ctx: SecondContext, flow: SecondFlow): MarketEvent[] {
    const { params, rng } = this;
    const time = ctx.start + 1_000;

    this.trend = this.trend * this.aTrend + (ctx.logClose - ctx.logOpen);
    const next = nextFundingBoundary(ctx.start);
    if (this.settledRate && this.upcoming?.time !== next) this.upcoming = { time: next, premium: this.settledRate(next) - params.interestRate };
    const target = params.trendCoupling * this.trend + (this.upcoming?.premium ?? 0);
    this.slow = target + (this.slow - target) * this.aSlow + params.slowStd * Math.sqrt(1 - this.aSlow * this.aSlow) * rng.normal();
    const flowTotal = flow.buyQty + flow.sellQty;
    const imbalance = flowTotal > 0 ? (flow.buyQty - flow.sellQty) / flowTotal : 0;
    this.fast = this.fast * this.aFast + params.fastStd * Math.sqrt(1 - this.aFast * this.aFast) * rng.normal() + params.flowImpact * imbalance;
    const premium = clamp(this.slow + this.fast, -0.05, 0.05);
    this.lastPremium = premium;
    this.estimate += (premium - this.estimate) * this.kEstimate;
    const predicted = normalizeFundingRate(this.estimate + params.interestRate, params);
    this.periodSum += predicted;
    this.periodCount += 1;

    const markPrice = roundTo(Math.exp(ctx.logClose) * (1 + params.markNoise * rng.normal()), this.priceDecimals);
    const indexPrice = roundTo(markPrice / (1 + premium), this.priceDecimals);
    const events: MarketEvent[] = [];
    if (time % FUNDING_INTERVAL_MS === 0) {
      events.push({
        type: 'funding',
        funding: {
          symbol: ctx.symbol,
          rate: this.settledRate ? this.settledRate(time) : normalizeFundingRate(this.periodSum / this.periodCount, params),
          fundingTime: time,
          markPrice,
        },
      });
      this.periodSum = 0;
      this.periodCount = 0;
    }
    this.last = { symbol: ctx.symbol, markPrice, indexPrice, predictedFundingRate: predicted, nextFundingTime: nextFundingBoundary(time), time };
    events.push({ type: 'markPrice', mark: { ...this.last } });
    return events;
  }
}
