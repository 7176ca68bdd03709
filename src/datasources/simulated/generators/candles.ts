import { candleOpenTime, INTERVAL_MS, type Candle, type CandleInterval, type Trade } from '../../../domain/market.js';
import { decimalsOf, roundTo } from '../numeric.js';

/**
 * Candle building shared by the live model and the backfill, both from the venue's minute bars
 * (`anchored-bars.ts`). Bars are aligned to epoch multiples of the interval (weeks to Monday 00:00 UTC);
 * `closeTime = openTime + interval − 1` as on Binance.
 */

/** Intervals the simulated venue produces, live and in the backfill. */
export const SIMULATED_INTERVALS: readonly CandleInterval[] = ['1m', '5m', '15m', '1h', '4h', '1d', '1w'];

/** Quote volumes are rounded to this many decimals. */
const QUOTE_DECIMALS = 4;

/** A bar being built. Sums are kept unrounded; rounding happens in `toCandle`. */
export interface FormingBar {
  openTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  quoteVolume: number;
  takerBuyVolume: number;
  trades: number;
  /** True until the bar receives its first trade or minute. */
  empty: boolean;
}

export type BarPart = Pick<FormingBar, 'open' | 'high' | 'low' | 'close' | 'volume' | 'quoteVolume' | 'takerBuyVolume' | 'trades'>;

export function emptyBar(openTime: number, referencePrice: number): FormingBar {
  return {
    openTime,
    open: referencePrice,
    high: referencePrice,
    low: referencePrice,
    close: referencePrice,
    volume: 0,
    quoteVolume: 0,
    takerBuyVolume: 0,
    trades: 0,
    empty: true,
  };
}

export function barFromCandle(candle: Candle): FormingBar {
  return {
    openTime: candle.openTime,
    open: candle.open,
    high: candle.high,
    low: candle.low,
    close: candle.close,
    volume: candle.volume,
    // The simulated venue always records quote volume, taker flow and trade counts (its own candles are
    // the only ones resumed here); a candle without them resumes from nothing known.
    quoteVolume: candle.quoteVolume ?? 0,
    takerBuyVolume: candle.takerBuyVolume ?? 0,
    trades: candle.trades ?? 0,
    empty: false,
  };
}

/** Merge a finer bar (or a single trade expressed as a bar) into `bar`. */
export function mergeBar(bar: FormingBar, part: BarPart): void {
  if (bar.empty) {
    bar.open = part.open;
    bar.high = part.high;
    bar.low = part.low;
    bar.empty = false;
  } else {
    if (part.high > bar.high) bar.high = part.high;
    if (part.low < bar.low) bar.low = part.low;
  }
  bar.close = part.close;
  bar.volume += part.volume;
  bar.quoteVolume += part.quoteVolume;
  bar.takerBuyVolume += part.takerBuyVolume;
  bar.trades += part.trades;
}

export function addTradeToBar(bar: FormingBar, trade: Pick<Trade, 'price' | 'qty' | 'side'>): void {
  const { price, qty } = trade;
  if (bar.empty) {
    bar.open = price;
    bar.high = price;
    bar.low = price;
    bar.empty = false;
  } else {
    if (price > bar.high) bar.high = price;
    if (price < bar.low) bar.low = price;
  }
  bar.close = price;
  bar.volume += qty;
  bar.quoteVolume += price * qty;
  if (trade.side === 'BUY') bar.takerBuyVolume += qty;
  bar.trades += 1;
}

/** Freeze a bar into a neutral `Candle`, rounding volumes to the lot-size decimals. */
export function toCandle(symbol: string, interval: CandleInterval, bar: FormingBar, closed: boolean, qtyDecimals: number): Candle {
  const volume = roundTo(bar.volume, qtyDecimals);
  return {
    symbol,
    interval,
    openTime: bar.openTime,
    closeTime: bar.openTime + INTERVAL_MS[interval] - 1,
    open: bar.open,
    high: bar.high,
    low: bar.low,
    close: bar.close,
    volume,
    quoteVolume: roundTo(bar.quoteVolume, QUOTE_DECIMALS),
    takerBuyVolume: Math.min(volume, roundTo(bar.takerBuyVolume, qtyDecimals)),
    trades: bar.trades,
    closed,
  };
}

export interface CandleBookOptions {
  symbol: string;
  intervals: readonly CandleInterval[];
  /** The model's start: the first bars are the ones containing this time. */
  startTime: number;
  /** Price an initially empty bar shows. */
  referencePrice: number;
  stepSize: number;
  /**
   * What each interval's bar containing `startTime` already holds: the merged closed minutes before the start
   * minute (`closed`, by interval) and the start minute's trades before `startTime` (`partial`).
   */
  forming?: { closed: ReadonlyMap<CandleInterval, FormingBar>; partial: FormingBar };
}

interface Slot {
  interval: CandleInterval;
  ms: number;
  /** The bar's closed minutes, merged (the venue's minute bars, not the trades). */
  bar: FormingBar;
  dirty: boolean;
}

function copyBar(bar: FormingBar): FormingBar {
  return { ...bar };
}

/** The bar so far: its closed minutes, then the running minute's trades. */
function combined(bar: FormingBar, partial: FormingBar): FormingBar {
  const out = copyBar(bar);
  if (!partial.empty) mergeBar(out, partial);
  return out;
}

/**
 * The forming bars of one symbol across intervals. Closed minutes come from the venue's minute bars
 * (`closeMinute`), so a bar closed live is exactly the merge of its minute bars — the bar a later backfill
 * aggregates; trades (`addTrade`) only move the running minute shown in the `closed: false` updates.
 */
export class CandleBook {
  private readonly slots: Slot[];
  private readonly symbol: string;
  private readonly qtyDecimals: number;
  private partial: FormingBar;

  constructor(options: CandleBookOptions) {
    this.symbol = options.symbol;
    this.qtyDecimals = decimalsOf(options.stepSize);
    const minute = Math.floor(options.startTime / 60_000) * 60_000;
    this.partial = options.forming ? copyBar(options.forming.partial) : emptyBar(minute, options.referencePrice);
    this.slots = options.intervals.map((interval) => {
      const ms = INTERVAL_MS[interval];
      const openTime = candleOpenTime(interval, options.startTime);
      const seed = options.forming?.closed.get(interval);
      return { interval, ms, bar: seed && seed.openTime === openTime ? copyBar(seed) : emptyBar(openTime, options.referencePrice), dirty: false };
    });
  }

  addTrade(trade: Trade): void {
    addTradeToBar(this.partial, trade);
    for (const slot of this.slots) slot.dirty = true;
  }

  /** The minute opening at `minute.openTime` closed with this bar: merge it into every interval's bar. */
  closeMinute(minute: FormingBar): void {
    for (const slot of this.slots) {
      if (minute.openTime < slot.bar.openTime || minute.openTime >= slot.bar.openTime + slot.ms) continue;
      mergeBar(slot.bar, minute);
      slot.dirty = true;
    }
    this.partial = emptyBar(minute.openTime + 60_000, minute.close);
  }

  /** Close every bar that ends at or before `boundary`; returns the closed candles, in interval order. */
  closeAt(boundary: number): Candle[] {
    const closed: Candle[] = [];
    for (const slot of this.slots) {
      while (slot.bar.openTime + slot.ms <= boundary) {
        closed.push(toCandle(this.symbol, slot.interval, slot.bar, true, this.qtyDecimals));
        slot.bar = emptyBar(slot.bar.openTime + slot.ms, slot.bar.close);
        slot.dirty = true;
      }
    }
    return closed;
  }

  /** Snapshots (`closed: false`) of the bars that changed since the previous call. */
  takeUpdates(): Candle[] {
    const updates: Candle[] = [];
    for (const slot of this.slots) {
      if (!slot.dirty) continue;
      slot.dirty = false;
      updates.push(toCandle(this.symbol, slot.interval, combined(slot.bar, this.partial), false, this.qtyDecimals));
    }
    return updates;
  }

  /** The forming bar of an interval, if this book tracks it. */
  forming(interval: CandleInterval): Candle | undefined {
    const slot = this.slots.find((s) => s.interval === interval);
    return slot ? toCandle(this.symbol, interval, combined(slot.bar, this.partial), false, this.qtyDecimals) : undefined;
  }
}
