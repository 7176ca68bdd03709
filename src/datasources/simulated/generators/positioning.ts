import { LongShortKinds, type LongShortKind, type OpenInterest, type LongShortRatio, type TakerVolume } from '../../../domain/market.js';
import { roundTo } from '../numeric.js';

/**
 * Positioning of a perpetual: open interest and the three long/short ratios, on a one-minute clock, plus
 * the taker buy/sell volume of each 5-minute statistics period. The crowd recursion below runs inside
 * `positioning-engine.ts` (restarted on a fixed 5-day grid, fed by the venue's minute bars and per-day
 * seeded shocks), in the backfill and live alike, so every value is a function of (seed, symbol, time).
 *
 * Open interest (base units), per minute with taker volume V = buy + sell, imbalance
 * imb = (buy − sell) / V and trend = exponentially weighted sum of one-minute log returns over
 * `trendTauMinutes`, standardised to trendZ:
 *
 *   ΔOI = `alignCoupling` · V · imb · tanh(trendZ)        flow with the trend opens positions, flow
 *                                                          against it (a reversal) closes them
 *       + (target − OI) · (1 − 2^(−1/`oiHalfLifeMinutes`))  slow pull to target = `oiTurnover` × daily volume
 *       + `oiNoise` · V · N(0,1)
 *
 * and the published OI is that level minus the dent liquidations leave (the liquidated quantity, recovering
 * with a 2 h half-life; `positioning-engine.ts`), floored at a quarter of the target.
 *
 * Long/short shares (fractions of 1), with z4h = the last `leanWindowMinutes` log return standardised by
 * the long-run volatility and n_k slow OU noises (half-life `noiseHalfLifeMinutes`):
 *   GLOBAL_ACCOUNTS (retail) = 0.5 + retailTilt + retailLean·tanh(z4h/2) + flowLean·EWMA(imb) + n1
 *     (retail is long-biased and chases recent returns),
 *   TOP_ACCOUNTS  = 0.5 + topAccountsFollow·(global − 0.5) + n2,
 *   TOP_POSITIONS = 0.5 + topPositionsTilt − topPositionsLean·tanh(z4h/2) + n3 (large traders fade moves),
 * each clamped to [minShare, maxShare].
 */
export interface PositioningParams {
  oiTurnover: number;
  oiHalfLifeMinutes: number;
  alignCoupling: number;
  oiNoise: number;
  trendTauMinutes: number;
  leanWindowMinutes: number;
  retailTilt: number;
  retailLean: number;
  flowLean: number;
  topAccountsFollow: number;
  topPositionsTilt: number;
  topPositionsLean: number;
  noiseHalfLifeMinutes: number;
  noiseStd: number;
  minShare: number;
  maxShare: number;
}

export const POSITIONING_PARAMS: Readonly<PositioningParams> = {
  oiTurnover: 1,
  oiHalfLifeMinutes: 720,
  alignCoupling: 5,
  oiNoise: 0.03,
  trendTauMinutes: 30,
  leanWindowMinutes: 240,
  retailTilt: 0.12,
  retailLean: 0.1,
  flowLean: 0.3,
  topAccountsFollow: 0.6,
  topPositionsTilt: 0.02,
  topPositionsLean: 0.08,
  noiseHalfLifeMinutes: 120,
  noiseStd: 0.025,
  minShare: 0.15,
  maxShare: 0.85,
};

export interface LongShortShares {
  GLOBAL_ACCOUNTS: number;
  TOP_ACCOUNTS: number;
  TOP_POSITIONS: number;
}

const LONG_SHORT_KINDS: readonly LongShortKind[] = [LongShortKinds.GLOBAL_ACCOUNTS, LongShortKinds.TOP_ACCOUNTS, LongShortKinds.TOP_POSITIONS];

export function openInterestRecord(symbol: string, oi: number, price: number, time: number, qtyDecimals: number): OpenInterest {
  const openInterest = roundTo(oi, qtyDecimals);
  return { symbol, openInterest, openInterestValue: roundTo(openInterest * price, 2), time };
}

/** Long/short records of the three kinds; shares rounded to 4 decimals and summing to exactly 1. */
export function longShortRecords(symbol: string, shares: LongShortShares, time: number): LongShortRatio[] {
  return LONG_SHORT_KINDS.map((kind) => {
    const longShare = roundTo(shares[kind], 4);
    const shortShare = roundTo(1 - longShare, 4);
    return { symbol, kind, period: '5m', longShare, shortShare, longShortRatio: roundTo(longShare / shortShare, 4), time };
  });
}

/** Taker volume of a period, buy and sell rounded to the lot decimals. */
export function takerVolumeRecord(symbol: string, buyQty: number, sellQty: number, time: number, qtyDecimals: number, stepSize: number): TakerVolume {
  const buyVolume = roundTo(buyQty, qtyDecimals);
  const sellVolume = roundTo(sellQty, qtyDecimals);
  const buySellRatio = buyVolume === 0 && sellVolume === 0 ? 1 : roundTo(buyVolume / Math.max(sellVolume, stepSize), 4);
  return { symbol, period: '5m', buyVolume, sellVolume, buySellRatio, time };
}

/** Taker flow of the 5-minute period that was forming at the start time (handed over by the backfill). */
export interface TakerPeriodSeed {
  periodStart: number;
  buyQty: number;
  sellQty: number;
  /** Total taker volume of that part (buy + sell, summed minute by minute like the candle's). */
  volumeQty?: number;
}
