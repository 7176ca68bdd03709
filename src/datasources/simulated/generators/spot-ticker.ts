import type { Basis, MarketEvent, MarkPrice, SpotPrice, Ticker24h } from '../../../domain/market.js';
import { decimalsOf, roundTo, roundToStep } from '../numeric.js';
import type { SymbolProfile } from '../profiles.js';
import type { Rng } from '../random.js';
import { DAY_MS, MINUTE_MS, STAT_PERIOD_MS } from '../time.js';
import { MinuteWindow, type MinuteBar } from './minute-bars.js';
import type { SecondContext, SecondFlow, SymbolStreamGenerator } from './types.js';

/**
 * Spot price, basis and the rolling 24-hour ticker of a perpetual.
 *
 * - `spotPrice` every second: the index price of the mark/funding stream (a composite of spot venues)
 *   times (1 + ε), ε an OU deviation (half-life `spotHalfLifeS`, sd `spotStd`) — the venue's own spot pair
 *   is one of the index constituents, so it sits a basis point or so off the index. The perpetual trades
 *   at the mark/funding stream's small mean-reverting premium over the index.
 * - `basis` at every 5-minute boundary: futuresPrice = mark price, indexPrice = index price.
 * - `ticker24h` at every minute boundary, rolled from the last 1 440 one-minute bars of the model's own
 *   trades (seeded with the backfill's minute bars): open = the oldest bar's open, high/low/volume over
 *   the window, last = the last trade price.
 */
export interface SpotParams {
  spotHalfLifeS: number;
  spotStd: number;
}

export const SPOT_PARAMS: Readonly<SpotParams> = { spotHalfLifeS: 30, spotStd: 0.00012 };

const WINDOW_MINUTES = DAY_MS / MINUTE_MS;

export function spotRecord(profile: SymbolProfile, indexPrice: number, deviation: number, time: number): SpotPrice {
  return { symbol: profile.symbol, price: Math.max(profile.tickSize, roundToStep(indexPrice * (1 + deviation), profile.tickSize)), time };
}

export function basisRecord(profile: SymbolProfile, futuresPrice: number, indexPrice: number, time: number): Basis {
  const decimals = decimalsOf(profile.tickSize) + 2;
  const basis = roundTo(futuresPrice - indexPrice, decimals);
  return { symbol: profile.symbol, period: '5m', futuresPrice, indexPrice, basis, basisRate: roundTo(basis / indexPrice, 8), time };
}

/** The 24 h ticker of a window of minute bars; null when the window is empty. */
export function tickerRecord(profile: SymbolProfile, window: MinuteWindow, lastPrice: number, time: number): Ticker24h | null {
  const first = window.at(0);
  if (!first) return null;
  let high = -Infinity;
  let low = Infinity;
  let volume = 0;
  let quoteVolume = 0;
  for (let i = 0; i < window.length; i++) {
    const bar = window.at(i);
    if (!bar) continue;
    if (bar.high > high) high = bar.high;
    if (bar.low < low) low = bar.low;
    volume += bar.volume;
    quoteVolume += bar.quoteVolume;
  }
  const tick = profile.tickSize;
  const open = roundToStep(first.open, tick);
  return {
    symbol: profile.symbol,
    lastPrice,
    priceChangePercent: roundTo((lastPrice / open - 1) * 100, 3),
    highPrice: Math.max(lastPrice, roundToStep(high, tick)),
    lowPrice: Math.min(lastPrice, Math.max(tick, roundToStep(low, tick))),
    volume: roundTo(volume, decimalsOf(profile.stepSize)),
    quoteVolume: roundTo(quoteVolume, 2),
    time,
  };
}

export interface SpotTickerOptions {
  profile: SymbolProfile;
  rng: Rng;
  /** The latest mark (mark, index) of the symbol. */
  mark: () => MarkPrice | null;
  /** The backfill's last minute bars (oldest first). */
  bars?: readonly MinuteBar[];
  params?: SpotParams;
}

export class SpotTickerGenerator implements SymbolStreamGenerator {
  private readonly profile: SymbolProfile;
  private readonly rng: Rng;
  private readonly mark: () => MarkPrice | null;
  private readonly params: SpotParams;
  private readonly aSpot: number;
  private readonly window: MinuteWindow;
  private deviation: number;
  private bar: MinuteBar | null = null;
  private lastPrice: number | null;

  constructor(options: SpotTickerOptions) {
    this.profile = options.profile;
    this.rng = options.rng;
    this.mark = options.mark;
    this.params = options.params ?? SPOT_PARAMS;
    this.aSpot = Math.pow(0.5, 1 / this.params.spotHalfLifeS);
    this.window = new MinuteWindow(WINDOW_MINUTES, options.bars ?? []);
    this.deviation = this.params.spotStd * this.rng.normal();
    const last = this.window.last();
    this.lastPrice = last ? roundToStep(last.close, this.profile.tickSize) : null;
  }

  endSecond(ctx: SecondContext, flow: SecondFlow): MarketEvent[] {
    const { profile, params } = this;
    const time = ctx.start + 1_000;
    const events: MarketEvent[] = [];
    this.deviation = this.deviation * this.aSpot + params.spotStd * Math.sqrt(1 - this.aSpot * this.aSpot) * this.rng.normal();
    const mark = this.mark();
    const index = mark?.indexPrice ?? Math.exp(ctx.logClose);
    events.push({ type: 'spotPrice', spot: spotRecord(profile, index, this.deviation, time) });

    if (flow.lastPrice !== null && flow.firstPrice !== null) {
      this.lastPrice = flow.lastPrice;
      const bar = (this.bar ??= {
        openTime: Math.floor(ctx.start / MINUTE_MS) * MINUTE_MS,
        open: flow.firstPrice,
        high: flow.high,
        low: flow.low,
        close: flow.lastPrice,
        volume: 0,
        quoteVolume: 0,
        takerBuy: 0,
      });
      if (flow.high > bar.high) bar.high = flow.high;
      if (flow.low < bar.low) bar.low = flow.low;
      bar.close = flow.lastPrice;
      bar.volume += flow.buyQty + flow.sellQty;
      bar.quoteVolume += flow.quoteVolume;
      bar.takerBuy += flow.buyQty;
    }
    if (time % MINUTE_MS === 0) {
      const openTime = time - MINUTE_MS;
      const previous = this.window.last()?.close ?? this.lastPrice ?? Math.exp(ctx.logOpen);
      this.window.push(
        this.bar ?? { openTime, open: previous, high: previous, low: previous, close: previous, volume: 0, quoteVolume: 0, takerBuy: 0 },
      );
      this.bar = null;
      const last = this.lastPrice ?? roundToStep(Math.exp(ctx.logClose), profile.tickSize);
      const ticker = tickerRecord(profile, this.window, last, time);
      if (ticker) events.push({ type: 'ticker24h', ticker });
    }
    if (time % STAT_PERIOD_MS === 0 && mark && mark.indexPrice !== null) events.push({ type: 'basis', basis: basisRecord(profile, mark.markPrice, mark.indexPrice, time) });
    return events;
  }
}
