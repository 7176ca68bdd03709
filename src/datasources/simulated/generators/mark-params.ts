import { clamp, roundTo } from '../numeric.js';

/** Parameters of the mark/funding and spot models (`second-marks.ts`), apart so the settlement and mark modules share them without a cycle. */
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

export interface SpotParams {
  spotHalfLifeS: number;
  spotStd: number;
}

export const SPOT_PARAMS: Readonly<SpotParams> = { spotHalfLifeS: 30, spotStd: 0.00012 };

