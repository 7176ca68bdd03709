import type { Liquidation } from '../../../domain/market.js';
import { roundTo, roundToStep } from '../numeric.js';
import type { SymbolProfile } from '../profiles.js';
import type { Rng } from '../random.js';
import { expectedDailyVolume } from './trades.js';

/**
 * The leveraged positions behind the simulated liquidations (the book and its grid: `positioning-engine.ts`).
 *
 * The book is a sample of the leveraged crowd. Each minute, Poisson(`openRate` × 60 ×
 * activity) positions open, each at the close of a second of the minute's path: long with probability = the
 * retail (global accounts) long share + `flowSideLean` × the minute bar's taker imbalance, leverage drawn from
 * `leverageMix` (5-100x), USD notional lognormal (median `medianNotionalShare` × the symbol's daily USD volume,
 * σ `notionalSigma`, occasional whales). Liquidation price (maintenance margin rate mmr, margin buffer
 * b ~ U(`minMarginBuffer`, 1): the share of the nominal distance the account really has — cross margin shared
 * with losing positions, averaged entries; without it every liquidation price sits a whole 1/L from an entry
 * and liquidations come only in bursts):
 *   long  = entry · (1 − b·(1/L − mmr)),    short = entry · (1 + b·(1/L − mmr)),    rounded to the tick.
 * Calibration (docs/market-data.md, `npm run calibrate:liquidations`): BTCUSDT liquidates ≈ 1.5–3 positions
 * per minute with at least one in about 40 % of the minutes; notional σ_log 1.5 against 1.46 measured.
 * Positions close by themselves after an exponential holding time (mean `holdMeanS`), at the latest after
 * `maxHoldS` (6 h; e⁻³ ≈ 5 % of the holding times are capped): so the book at any time holds only positions
 * opened in the last 6 h, whatever happened before, and is bounded by the opening rate.
 *
 * Positions whose liquidation price a second's path crosses are liquidated by a market order (SELL for a long,
 * BUY for a short), filled below (above) the liquidation price by the order's own impact (`impact` ×
 * notional / daily USD volume, half of it as slippage). The venue's bars are fixed, so forced orders do not
 * move the price. Because fresh positions enter at recent prices, liquidation prices crowd just below (above)
 * recent prices after a rally (sell-off), and a move through them liquidates many at once.
 */
export interface LiquidationParams {
  openRate: number;
  holdMeanS: number;
  /** Longest holding time: positions older than this have closed. */
  maxHoldS: number;
  /** [leverage, weight] pairs. */
  leverageMix: readonly (readonly [number, number])[];
  medianNotionalShare: number;
  notionalSigma: number;
  whaleProbability: number;
  whaleMin: number;
  whaleMax: number;
  flowSideLean: number;
  /** Price impact per unit of notional / daily USD volume (the fill slips by half of it). */
  impact: number;
  /** Smallest margin buffer (share of the nominal distance to liquidation); buffers are uniform in [this, 1]. */
  minMarginBuffer: number;
}

export const LIQUIDATION_PARAMS: Readonly<LiquidationParams> = {
  openRate: 0.5,
  holdMeanS: 2 * 3_600,
  maxHoldS: 6 * 3_600,
  leverageMix: [
    [5, 0.18],
    [10, 0.27],
    [20, 0.25],
    [25, 0.1],
    [50, 0.12],
    [75, 0.04],
    [100, 0.04],
  ],
  medianNotionalShare: 5e-7,
  notionalSigma: 1.5,
  whaleProbability: 0.005,
  whaleMin: 10,
  whaleMax: 50,
  flowSideLean: 0.3,
  impact: 4,
  minMarginBuffer: 0.01,
};

/** Maintenance margin rate of the first notional tier (Binance: 0.4 % BTC/ETH, 0.5 % or more elsewhere). */
export function maintenanceMarginRate(profile: Pick<SymbolProfile, 'baseAsset'>): number {
  return profile.baseAsset === 'BTC' || profile.baseAsset === 'ETH' ? 0.004 : 0.005;
}

/** Daily USD volume the impact and position sizes are scaled by. */
export function dailyVolumeUsd(profile: SymbolProfile): number {
  return expectedDailyVolume(profile) * profile.startPrice;
}

export interface PositionSeed {
  /** 1 long, −1 short. */
  side: 1 | -1;
  leverage: number;
  entry: number;
  liquidationPrice: number;
  qty: number;
  /** Epoch ms at which the position closes by itself. */
  exitAt: number;
}

export function liquidationPrice(side: 1 | -1, entry: number, leverage: number, mmr: number, tickSize: number): number {
  const raw = side > 0 ? entry * (1 - 1 / leverage + mmr) : entry * (1 + 1 / leverage - mmr);
  return Math.max(tickSize, roundToStep(raw, tickSize));
}

/** Draw a position opening at `price` at `time`. */
export function drawPosition(
  profile: SymbolProfile,
  rng: Rng,
  price: number,
  time: number,
  longProbability: number,
  params: LiquidationParams = LIQUIDATION_PARAMS,
): PositionSeed {
  const side: 1 | -1 = rng.uniform() < longProbability ? 1 : -1;
  let u = rng.uniform() * params.leverageMix.reduce((s, [, w]) => s + w, 0);
  let leverage = params.leverageMix.at(-1)?.[0] ?? 10;
  for (const [lev, weight] of params.leverageMix) {
    if (u < weight) {
      leverage = lev;
      break;
    }
    u -= weight;
  }
  let notional = params.medianNotionalShare * dailyVolumeUsd(profile) * Math.exp(params.notionalSigma * rng.normal());
  if (rng.uniform() < params.whaleProbability) notional *= rng.between(params.whaleMin, params.whaleMax);
  const qty = Math.max(profile.stepSize, roundToStep(notional / price, profile.stepSize));
  // Margin buffer: the share of the nominal distance to liquidation the account really has (cross margin
  // shared with losing positions, averaged entries, partial top-ups); 1 = an isolated position at entry.
  const buffer = params.minMarginBuffer >= 1 ? 1 : params.minMarginBuffer + (1 - params.minMarginBuffer) * rng.uniform();
  const effective = 1 / (maintenanceMarginRate(profile) + buffer * (1 / leverage - maintenanceMarginRate(profile)));
  return {
    side,
    leverage,
    entry: price,
    liquidationPrice: liquidationPrice(side, price, effective, maintenanceMarginRate(profile), profile.tickSize),
    qty,
    exitAt: time + Math.ceil(Math.min(rng.exponential(params.holdMeanS), params.maxHoldS) * 1_000),
  };
}

/** The liquidation event (complete: the simulated venue reports every one) and its forced fill price. */
export function liquidationRecord(profile: SymbolProfile, position: PositionSeed, fillPrice: number, time: number): Liquidation {
  const averagePrice = Math.max(profile.tickSize, roundToStep(fillPrice, profile.tickSize));
  return {
    symbol: profile.symbol,
    side: position.side > 0 ? 'SELL' : 'BUY',
    liquidatedSide: position.side > 0 ? 'LONG' : 'SHORT',
    price: position.liquidationPrice,
    averagePrice,
    qty: position.qty,
    notional: roundTo(averagePrice * position.qty, 2),
    time,
    complete: true,
  };
}

/** Fill price of a liquidation at the current `level`: through the liquidation price, by the order's own impact. */
export function liquidationFill(profile: SymbolProfile, position: PositionSeed, level: number, params: LiquidationParams = LIQUIDATION_PARAMS): number {
  const slip = (0.5 * params.impact * position.qty * position.liquidationPrice) / dailyVolumeUsd(profile);
  return position.side > 0
    ? Math.min(position.liquidationPrice, level) * (1 - slip)
    : Math.max(position.liquidationPrice, level) * (1 + slip);
}
