import type { Trade, TradeSide } from '../../../domain/market.js';
import { clamp, roundToStep } from '../numeric.js';
import type { SymbolProfile } from '../profiles.js';
import type { Rng } from '../random.js';
import type { SecondContext, SymbolStreamGenerator, TimedEvent } from './types.js';

/**
 * Aggregate-trade stream. Per simulated second:
 * - count ~ Poisson(tradesPerSecond · rateScale · activity), activity = clamp(sqrt(h/h̄), 0.3, 4), so
 *   busy (volatile) regimes trade more;
 * - times uniform within the second; price = core path interpolated at that instant, plus micro noise
 *   (`microNoise` × one-second σ), plus/minus half a spread by side, rounded to the tick;
 * - size lognormal around the profile's median (σ = `sizeSigma`); with probability `whaleProbability`
 *   a "whale" multiplies it by U(`whaleMin`, `whaleMax`); rounded to the lot step;
 * - taker side BUY with probability 0.5 + `sideBias`·tanh(`sideSensitivity`·z), z = the second's
 *   standardized return (buyers lift the offer while price rises);
 * - forced orders of the second (`ctx.forced`, liquidations) are filled as one taker trade each at their
 *   average price, merged into the second's trades in time order (ids stay consecutive in time order).
 */
export interface TradeParams {
  sizeSigma: number;
  whaleProbability: number;
  whaleMin: number;
  whaleMax: number;
  sideBias: number;
  sideSensitivity: number;
  microNoise: number;
  /** Relative half-spread (at least half a tick is used). */
  halfSpread: number;
}

export const TRADE_PARAMS: Readonly<TradeParams> = {
  sizeSigma: 1,
  whaleProbability: 0.005,
  whaleMin: 20,
  whaleMax: 100,
  sideBias: 0.4,
  sideSensitivity: 0.7,
  microNoise: 0.25,
  halfSpread: 0.00001,
};

/** Trading-activity multiplier for a volatility regime (variance ratio h/h̄). */
export function activityFactor(varianceRatio: number): number {
  return clamp(Math.sqrt(varianceRatio), 0.3, 4);
}

/** Expected size of one trade in base units, whales included. */
export function expectedTradeQty(profile: Pick<SymbolProfile, 'medianTradeQty'>, params: TradeParams = TRADE_PARAMS): number {
  const whaleMean = (params.whaleMin + params.whaleMax) / 2;
  return profile.medianTradeQty * Math.exp((params.sizeSigma * params.sizeSigma) / 2) * (1 + params.whaleProbability * (whaleMean - 1));
}

export interface TradeGeneratorOptions {
  profile: SymbolProfile;
  rng: Rng;
  /** Id of the first trade; ids then increase by one per trade. */
  firstId: number;
  /** Trades before this time (the model's start) are not produced. */
  minTime: number;
  /** Multiplies the trade rate (1 = realistic). */
  rateScale?: number;
  params?: TradeParams;
}

export class TradeGenerator implements SymbolStreamGenerator {
  private nextId: number;
  private readonly profile: SymbolProfile;
  private readonly rng: Rng;
  private readonly minTime: number;
  private readonly rateScale: number;
  private readonly params: TradeParams;

  constructor(options: TradeGeneratorOptions) {
    this.profile = options.profile;
    this.rng = options.rng;
    this.nextId = options.firstId;
    this.minTime = options.minTime;
    this.rateScale = options.rateScale ?? 1;
    this.params = options.params ?? TRADE_PARAMS;
  }

  planSecond(ctx: SecondContext): TimedEvent[] {
    const { rng, params, profile } = this;
    const lambda = profile.tradesPerSecond * this.rateScale * activityFactor(ctx.varianceRatio);
    const count = rng.poisson(lambda);
    if (count === 0 && ctx.forced.length === 0) return [];
    const offsets: number[] = [];
    for (let i = 0; i < count; i++) offsets.push(rng.int(1_000));
    offsets.sort((a, b) => a - b);

    const move = ctx.logClose - ctx.logOpen;
    const z = ctx.sigma > 0 ? move / ctx.sigma : 0;
    const pBuy = clamp(0.5 + params.sideBias * Math.tanh(params.sideSensitivity * z), 0.05, 0.95);
    const fills: Omit<Trade, 'id'>[] = [];
    for (const offset of offsets) {
      const logMid = ctx.logOpen + move * (offset / 1_000) + params.microNoise * ctx.sigma * rng.normal();
      const side: TradeSide = rng.uniform() < pBuy ? 'BUY' : 'SELL';
      let qty = profile.medianTradeQty * Math.exp(params.sizeSigma * rng.normal());
      if (rng.uniform() < params.whaleProbability) qty *= rng.between(params.whaleMin, params.whaleMax);
      const time = ctx.start + offset;
      if (time < this.minTime) continue;
      const mid = Math.exp(logMid);
      const half = Math.max(profile.tickSize / 2, mid * params.halfSpread);
      fills.push({
        symbol: ctx.symbol,
        price: Math.max(profile.tickSize, roundToStep(side === 'BUY' ? mid + half : mid - half, profile.tickSize)),
        qty: Math.max(profile.stepSize, roundToStep(qty, profile.stepSize)),
        time,
        side,
      });
    }
    // Forced orders (liquidations) execute as taker trades at their average fill price, merged in time order.
    if (ctx.forced.length > 0) {
      for (const order of ctx.forced) {
        if (order.time < this.minTime) continue;
        fills.push({ symbol: ctx.symbol, price: order.price, qty: order.qty, time: order.time, side: order.side });
      }
      fills.sort((a, b) => a.time - b.time);
    }
    return fills.map((fill) => ({ time: fill.time, event: { type: 'trade', trade: { ...fill, id: this.nextId++ } } }));
  }
}

/** Expected traded base volume per day at the normal-volatility trade rate (scales positions and liquidity). */
export function expectedDailyVolume(profile: Pick<SymbolProfile, 'medianTradeQty' | 'tradesPerSecond'>, params: TradeParams = TRADE_PARAMS): number {
  return profile.tradesPerSecond * 86_400 * expectedTradeQty(profile, params);
}
