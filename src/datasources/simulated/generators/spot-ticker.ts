import type { Basis, MarketEvent, MarkPrice, SpotPrice, Ticker24h } from '../../../domain/market.js';
import { decimalsOf, roundTo, roundToStep } from '../numeric.js';
import type { SymbolProfile } from '../profiles.js';
import { DAY_MS, MINUTE_MS, STAT_PERIOD_MS } from '../time.js';
import { MinuteWindow, type MinuteBar } from './minute-bars.js';
import { secondMarks } from './second-marks.js';
import type { SecondContext, SymbolStreamGenerator } from './types.js';

/**
 * Spot price, basis and the rolling 24-hour ticker of a perpetual.
 *
 * - `spotPrice` every second: the index price of the mark/funding stream (a composite of spot venues)
 *   times (1 + ε), ε an OU deviation (half-life `spotHalfLifeS`, sd `spotStd`) — the venue's own spot pair
 *   is one of the index constituents, so it sits a basis point or so off the index. The perpetual trades
 *   at the mark/funding stream's small mean-reverting premium over the index.
 * - `basis` at every 5-minute boundary: futuresPrice = mark price, indexPrice = index price.
 * - `ticker24h` at every minute boundary, rolled from the venue's last 1 440 one-minute bars
 *   (`anchored-bars.ts`, the bars the trades reproduce): open = the oldest bar's open, high/low/volume over
 *   the window, last = the last bar's close (the minute's last trade).
 * All three are functions of (seed, symbol, time): the index and the spot deviation come from
 * `second-marks.ts`.
 */
export { SPOT_PARAMS, type SpotParams } from './mark-params.js';

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
  /** The simulation seed (spot and basis are functions of (seed, symbol, time): `second-marks.ts`). */
  seed: number;
  /** The backfill's last minute bars (oldest first). */
  bars?: readonly MinuteBar[];
  /** The venue's bar of the minute opening at `openTime` (`anchored-bars.ts`). */
  minuteBar: (openTime: number) => MinuteBar;
}

/** The 24 h ticker at the minute boundary `time`: the window of the venue's minute bars before it, last = the last close. */
export function tickerAt(profile: SymbolProfile, window: MinuteWindow, time: number): Ticker24h | null {
  const last = window.last();
  return last ? tickerRecord(profile, window, roundToStep(last.close, profile.tickSize), time) : null;
}

export class SpotTickerGenerator implements SymbolStreamGenerator {
  private readonly profile: SymbolProfile;
  private readonly seed: number;
  private readonly window: MinuteWindow;
  private readonly minuteBar: (openTime: number) => MinuteBar;

  constructor(options: SpotTickerOptions) {
    this.profile = options.profile;
    this.seed = options.seed;
    this.minuteBar = options.minuteBar;
    this.window = new MinuteWindow(WINDOW_MINUTES, options.bars ?? []);
  }

  endSecond(ctx: SecondContext): MarketEvent[] {
    const { profile } = this;
    const time = ctx.start + 1_000;
    const events: MarketEvent[] = [];
    const { marks, k } = secondMarks(this.seed, profile.symbol, time);
    const indexPrice = marks.indexPrice[k]!;
    events.push({ type: 'spotPrice', spot: spotRecord(profile, indexPrice, marks.spotDeviation[k]!, time) });
    if (time % MINUTE_MS === 0) {
      const openTime = time - MINUTE_MS;
      if ((this.window.last()?.openTime ?? -Infinity) < openTime) this.window.push(this.minuteBar(openTime));
      const ticker = tickerAt(profile, this.window, time);
      if (ticker) events.push({ type: 'ticker24h', ticker });
    }
    if (time % STAT_PERIOD_MS === 0) events.push({ type: 'basis', basis: basisRecord(profile, marks.markPrice[k]!, indexPrice, time) });
    return events;
  }
}
