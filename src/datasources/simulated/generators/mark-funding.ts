import type { FundingRate, MarketEvent, MarkPrice } from '../../../domain/market.js';
import { roundToStep } from '../numeric.js';
import type { SymbolProfile } from '../profiles.js';
import { FUNDING_INTERVAL_MS, nextFundingBoundary } from '../time.js';
import { secondMarks, settlementLogPrice } from './second-marks.js';
import { settledFundingRate } from './settled-funding.js';
import type { SecondContext, SymbolStreamGenerator } from './types.js';

/**
 * Mark price, index price and funding, once per simulated second.
 *
 * Premium index p = (mark − index) / index is the sum of a slow part (the 4 h average of the upcoming
 * settlement's premium, `trendCoupling` × the last hour's return — perps trade rich while price rallies — and
 * a slow Ornstein-Uhlenbeck term of sd `slowStd`) and a fast OU part (half-life `fastHalfLifeS`, sd `fastStd`)
 * kicked by the second's taker-flow proxy (`flowImpact`).
 *
 * Funding follows the spirit of Binance's F = P̄ + clamp(I − P̄, ±0.05 %) with I = 0.01 % per 8 h, where
 * P̄ is an average premium. Binance's dead zone would pin the estimate at exactly 0.0001 most of the time;
 * here the estimate stays premium-driven so it moves every second:
 *
 *   predicted = clamp(P̂ + I, −0.75 %, +0.75 %),   P̂ = EWMA of p with time constant `estimateTauS`
 *
 * The settlement at each 00/08/16 UTC boundary is the venue's settled rate for that time
 * (`settled-funding.ts`); the slow premium is pulled toward it, so the predicted rate leads into the settlement.
 * Mark = core price × (1 + N(0, `markNoise`)); index = mark / (1 + p). Every value is a function of
 * (seed, symbol, time) only: `second-marks.ts` has the construction.
 */
import { FUNDING_MODEL, type FundingModelParams } from './mark-params.js';

export { FUNDING_MODEL, normalizeFundingRate, type FundingModelParams } from './mark-params.js';

export interface MarkFundingOptions {
  profile: SymbolProfile;
  /** The simulation seed: every value is a function of (seed, symbol, time) (`second-marks.ts`). */
  seed: number;
  params?: FundingModelParams;
}

/**
 * Publishes, at the end of every second, the mark price of `second-marks.ts` for that second, and at every
 * 00/08/16 UTC boundary the venue's settlement (`settled-funding.ts`) with the minute path's price then.
 */
export class MarkFundingGenerator implements SymbolStreamGenerator {
  private readonly params: FundingModelParams;
  private readonly seed: number;
  private readonly profile: SymbolProfile;
  private last: MarkPrice | null = null;
  private lastPremium = 0;

  constructor(options: MarkFundingOptions) {
    this.params = options.params ?? FUNDING_MODEL;
    this.seed = options.seed;
    this.profile = options.profile;
  }

  /** The latest mark price published, or null before the first second ends. */
  get latest(): MarkPrice | null {
    return this.last;
  }

  /** Current premium index (mark − index) / index. */
  get premium(): number {
    return this.lastPremium;
  }

  endSecond(ctx: SecondContext): MarketEvent[] {
    const time = ctx.start + 1_000;
    const { marks, k } = secondMarks(this.seed, ctx.symbol, time);
    const markPrice = marks.markPrice[k]!;
    this.lastPremium = marks.premium[k]!;
    const events: MarketEvent[] = [];
    if (time % FUNDING_INTERVAL_MS === 0) events.push({ type: 'funding', funding: settlementRecord(this.seed, this.profile, time) });
    this.last = {
      symbol: ctx.symbol,
      markPrice,
      indexPrice: marks.indexPrice[k]!,
      predictedFundingRate: marks.predicted[k]!,
      nextFundingTime: nextFundingBoundary(time),
      time,
    };
    events.push({ type: 'markPrice', mark: { ...this.last } });
    return events;
  }
}

/** The settlement at `fundingTime`: the settled rate and the minute path's price on the tick. */
export function settlementRecord(seed: number, profile: SymbolProfile, fundingTime: number): FundingRate {
  return {
    symbol: profile.symbol,
    rate: settledFundingRate(seed, profile.symbol, fundingTime),
    fundingTime,
    markPrice: roundToStep(Math.exp(settlementLogPrice(seed, profile.symbol, fundingTime)), profile.tickSize),
  };
}
