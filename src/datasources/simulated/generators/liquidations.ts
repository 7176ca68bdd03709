import type { Liquidation, MarketEvent } from '../../../domain/market.js';
import { clamp, roundTo, roundToStep } from '../numeric.js';
import type { SymbolProfile } from '../profiles.js';
import type { Rng } from '../random.js';
import { activityFactor, expectedDailyVolume } from './trades.js';
import type { LongShortShares } from './positioning.js';
import type { ForcedOrder, SecondAdjustment, SecondContext, SecondFlow, SymbolStreamGenerator, TimedEvent } from './types.js';

/**
 * Liquidations from a book of open leveraged positions.
 *
 * The book is a bounded sample (`maxPositions`) of the leveraged crowd. Each second, Poisson(`openRate` ×
 * activity) positions open at the current price: long with probability = the retail (global accounts) long
 * share + `flowSideLean` × the second's taker imbalance, leverage drawn from `leverageMix` (5-100x), USD
 * notional lognormal (median `medianNotionalShare` × the symbol's daily USD volume, σ `notionalSigma`,
 * occasional whales). Liquidation price (maintenance margin rate mmr, margin buffer b ~ U(`minMarginBuffer`, 1):
 * the share of the nominal distance the account really has — cross margin shared with losing positions,
 * averaged entries; without it every liquidation price sits a whole 1/L from an entry and liquidations
 * come only in bursts):
 *   long  = entry · (1 − b·(1/L − mmr)),    short = entry · (1 + b·(1/L − mmr)),    rounded to the tick.
 * Calibration (docs/market-data.md, `npm run calibrate:liquidations`): BTCUSDT liquidates ≈ 1.5–4 positions
 * per minute with at least one in about half the minutes; notional σ_log 1.5 against 1.46 measured.
 * Positions close by themselves after an exponential holding time (mean `holdMeanS`); when the book is
 * full the one due to close first is dropped.
 *
 * Every second, before trades are planned (`adjustSecond`), positions whose liquidation price lies inside
 * the second's price range [min(open, close), max(open, close)] are liquidated by a market order (SELL for
 * a long, BUY for a short), filled as a taker trade below (above) the liquidation price. The forced selling
 * (buying) pushes the close further: Δlog price = ∓`impact` × notional / daily USD volume, capped at
 * `maxImpactPerSecond`; the extended range can cross further liquidation prices — up to `maxRounds`
 * cascade rounds per second. Because fresh positions enter at recent prices, liquidation prices crowd just
 * below (above) recent prices after a rally (sell-off), and a move through them liquidates many at once.
 */
export interface LiquidationParams {
  openRate: number;
  holdMeanS: number;
  maxPositions: number;
  /** [leverage, weight] pairs. */
  leverageMix: readonly (readonly [number, number])[];
  medianNotionalShare: number;
  notionalSigma: number;
  whaleProbability: number;
  whaleMin: number;
  whaleMax: number;
  flowSideLean: number;
  impact: number;
  maxImpactPerSecond: number;
  maxRounds: number;
  /** Smallest margin buffer (share of the nominal distance to liquidation); buffers are uniform in [this, 1]. */
  minMarginBuffer: number;
}

export const LIQUIDATION_PARAMS: Readonly<LiquidationParams> = {
  openRate: 0.45,
  holdMeanS: 2 * 3_600,
  maxPositions: 4_000,
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
  maxImpactPerSecond: 0.01,
  maxRounds: 6,
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
    exitAt: time + Math.ceil(rng.exponential(params.holdMeanS) * 1_000),
  };
}

const EXPIRY_SCAN_MS = 60_000;

/**
 * A bounded set of open positions (O(1) removal by swapping with the last). Scans are skipped while
 * nothing can be due: the book tracks the earliest exit time, the highest long and the lowest short
 * liquidation price (bounds that may be stale after removals, which only costs an extra scan).
 */
export class PositionBook {
  private positions: PositionSeed[] = [];
  private nextExit = Infinity;
  private lastExpiry = -Infinity;
  private maxLongLiquidation = -Infinity;
  private minShortLiquidation = Infinity;

  constructor(readonly capacity: number, seed: readonly PositionSeed[] = []) {
    for (const p of seed.slice(-capacity)) this.add({ ...p });
  }

  get size(): number {
    return this.positions.length;
  }

  add(position: PositionSeed): void {
    if (this.positions.length >= this.capacity) {
      let first = 0;
      for (let i = 1; i < this.positions.length; i++) if ((this.positions[i]?.exitAt ?? Infinity) < (this.positions[first]?.exitAt ?? Infinity)) first = i;
      this.removeAt(first);
    }
    this.positions.push(position);
    this.track(position);
  }

  private track(p: PositionSeed): void {
    if (p.exitAt < this.nextExit) this.nextExit = p.exitAt;
    if (p.side > 0) {
      if (p.liquidationPrice > this.maxLongLiquidation) this.maxLongLiquidation = p.liquidationPrice;
    } else if (p.liquidationPrice < this.minShortLiquidation) this.minShortLiquidation = p.liquidationPrice;
  }

  private retrack(): void {
    this.nextExit = Infinity;
    this.maxLongLiquidation = -Infinity;
    this.minShortLiquidation = Infinity;
    for (const p of this.positions) this.track(p);
  }

  private removeAt(i: number): void {
    const last = this.positions.pop();
    if (last && i < this.positions.length) this.positions[i] = last;
  }

  /**
   * Remove the positions due to close at or before `time`. Scans at most once per `EXPIRY_SCAN_MS` of
   * simulated time: a position may close up to that much after its exit time.
   */
  expire(time: number): void {
    if (time < this.nextExit || time < this.lastExpiry + EXPIRY_SCAN_MS) return;
    this.lastExpiry = time;
    for (let i = this.positions.length - 1; i >= 0; i--) if ((this.positions[i]?.exitAt ?? Infinity) <= time) this.removeAt(i);
    this.retrack();
  }

  /**
   * Remove and return (in book order) the positions whose liquidation price lies in the range: longs with
   * liquidation price ≥ `low`, shorts with liquidation price ≤ `high`.
   */
  takeCrossed(low: number, high: number): PositionSeed[] {
    if (low > this.maxLongLiquidation && high < this.minShortLiquidation) return [];
    const hit: number[] = [];
    this.positions.forEach((p, i) => {
      if (p.side > 0 ? p.liquidationPrice >= low : p.liquidationPrice <= high) hit.push(i);
    });
    const taken = hit.map((i) => this.positions[i]).filter((p): p is PositionSeed => p !== undefined);
    for (let k = hit.length - 1; k >= 0; k--) this.removeAt(hit[k] ?? 0);
    this.retrack();
    return taken;
  }

  snapshot(): PositionSeed[] {
    return this.positions.map((p) => ({ ...p }));
  }
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

export interface LiquidationGeneratorOptions {
  profile: SymbolProfile;
  rng: Rng;
  /** Long/short shares of the crowd (read when positions open). */
  shares: () => LongShortShares;
  /** Positions open at the start (from the backfill). */
  positions?: readonly PositionSeed[];
  /** Nothing is liquidated before this time (the model's start). */
  minTime: number;
  params?: LiquidationParams;
  /**
   * Whether forced orders push the second's close (cascades within the second; default true). The market
   * model turns it off: its minute bars are fixed, so liquidations follow the path and never move it.
   */
  feedback?: boolean;
}

export class LiquidationGenerator implements SymbolStreamGenerator {
  private readonly profile: SymbolProfile;
  private readonly rng: Rng;
  private readonly params: LiquidationParams;
  private readonly shares: () => LongShortShares;
  private readonly book: PositionBook;
  private readonly minTime: number;
  private readonly impactPerUsd: number;
  private readonly feedback: boolean;

  constructor(options: LiquidationGeneratorOptions) {
    this.profile = options.profile;
    this.rng = options.rng;
    this.params = options.params ?? LIQUIDATION_PARAMS;
    this.shares = options.shares;
    this.book = new PositionBook(this.params.maxPositions, options.positions ?? []);
    this.minTime = options.minTime;
    this.impactPerUsd = this.params.impact / dailyVolumeUsd(this.profile);
    this.feedback = options.feedback ?? true;
  }

  /** Open positions (for inspection). */
  get openPositions(): number {
    return this.book.size;
  }

  adjustSecond(ctx: SecondContext): SecondAdjustment | null {
    if (this.book.size === 0) return null;
    const { params, rng, profile } = this;
    const base = ctx.logClose;
    let close = base;
    let lo = Math.min(ctx.logOpen, close);
    let hi = Math.max(ctx.logOpen, close);
    const events: TimedEvent[] = [];
    const forced: ForcedOrder[] = [];
    for (let round = 0; round < params.maxRounds; round++) {
      const hit = this.book.takeCrossed(Math.exp(lo), Math.exp(hi));
      if (hit.length === 0) break;
      const level = Math.exp(close);
      let push = 0;
      for (const position of hit) {
        const time = Math.max(this.minTime, ctx.start + Math.floor(((round + rng.uniform()) / params.maxRounds) * 1_000));
        const liquidation = liquidationRecord(profile, position, liquidationFill(profile, position, level, params), time);
        events.push({ time, event: { type: 'liquidation', liquidation } });
        forced.push({ time, side: liquidation.side, price: liquidation.averagePrice, qty: liquidation.qty });
        push -= position.side * position.qty * position.liquidationPrice * this.impactPerUsd;
      }
      if (!this.feedback) break;
      close = clamp(close + push, base - params.maxImpactPerSecond, base + params.maxImpactPerSecond);
      lo = Math.min(lo, close);
      hi = Math.max(hi, close);
    }
    if (events.length === 0) return null;
    events.sort((a, b) => a.time - b.time);
    forced.sort((a, b) => a.time - b.time);
    return { logClose: close, forced, events };
  }

  endSecond(ctx: SecondContext, flow: SecondFlow): MarketEvent[] {
    const { params, rng, profile } = this;
    const time = ctx.start + 1_000;
    this.book.expire(time);
    const count = rng.poisson(params.openRate * activityFactor(ctx.varianceRatio));
    if (count > 0) {
      const volume = flow.buyQty + flow.sellQty;
      const imbalance = volume > 0 ? (flow.buyQty - flow.sellQty) / volume : 0;
      const pLong = clamp(this.shares().GLOBAL_ACCOUNTS + params.flowSideLean * imbalance, 0.05, 0.95);
      const price = Math.exp(ctx.logClose);
      for (let i = 0; i < count; i++) this.book.add(drawPosition(profile, rng, price, time, pLong, params));
    }
    return [];
  }
}
