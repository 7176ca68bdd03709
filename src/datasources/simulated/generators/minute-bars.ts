import { baselineMinuteVariance } from '../core.js';
import type { SymbolProfile } from '../profiles.js';
import type { Rng } from '../random.js';
import { MINUTE_MS } from '../time.js';
import { activityFactor, expectedTradeQty } from './trades.js';

/**
 * One-minute bars of recent history, handed from the backfill to the live generators: they seed the
 * rolling 24-hour ticker, the return windows of the long/short model and the entry prices of the open
 * positions the liquidation engine starts with. Prices unrounded; oldest first, consecutive.
 */
export interface MinuteBar {
  openTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  quoteVolume: number;
  takerBuy: number;
}

/**
 * `minutes` synthetic bars ending at `endTime` (exclusive) at the symbol's start price: a random walk with
 * the long-run volatility, walked backwards from the start price. Used when no backfill was handed over.
 */
export function syntheticMinuteBars(profile: SymbolProfile, endTime: number, minutes: number, rng: Rng): MinuteBar[] {
  const sigma = Math.sqrt(baselineMinuteVariance(profile));
  const meanVolume = profile.tradesPerSecond * 60 * activityFactor(1) * expectedTradeQty(profile);
  const bars: MinuteBar[] = [];
  let close = profile.startPrice;
  for (let k = 0; k < minutes; k++) {
    const open = close * Math.exp(-sigma * rng.normal());
    const high = Math.max(open, close) * Math.exp(rng.exponential(0.3 * sigma));
    const low = Math.min(open, close) * Math.exp(-rng.exponential(0.3 * sigma));
    const volume = meanVolume * rng.logNormal(-0.045, 0.3);
    const buyShare = 0.5 + 0.1 * Math.tanh(Math.log(close / open) / sigma);
    bars.push({
      openTime: endTime - (k + 1) * MINUTE_MS,
      open,
      high,
      low,
      close,
      volume,
      quoteVolume: volume * Math.sqrt(open * close),
      takerBuy: volume * buyShare,
    });
    close = open;
  }
  return bars.reverse();
}

/** A fixed-capacity window of the most recent minute bars (the rolling 24 h of the ticker). */
export class MinuteWindow {
  private readonly items: (MinuteBar | undefined)[];
  private start = 0;
  private size = 0;

  constructor(readonly capacity: number, seed: readonly MinuteBar[] = []) {
    this.items = new Array<MinuteBar | undefined>(capacity);
    for (const bar of seed.slice(-capacity)) this.push(bar);
  }

  get length(): number {
    return this.size;
  }

  push(bar: MinuteBar): void {
    const end = (this.start + this.size) % this.capacity;
    this.items[end] = bar;
    if (this.size < this.capacity) this.size += 1;
    else this.start = (this.start + 1) % this.capacity;
  }

  /** The i-th bar, oldest first. */
  at(i: number): MinuteBar | undefined {
    return i >= 0 && i < this.size ? this.items[(this.start + i) % this.capacity] : undefined;
  }

  last(): MinuteBar | undefined {
    return this.at(this.size - 1);
  }
}
