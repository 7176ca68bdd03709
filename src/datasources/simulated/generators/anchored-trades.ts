import { candleOpenTime, type CandleInterval, type Trade, type TradeSide } from '../../../domain/market.js';
import { bridgePath } from '../core.js';
import { clamp, decimalsOf, roundTo, roundToStep } from '../numeric.js';
import { symbolProfile } from '../profiles.js';
import { createRng, deriveSeed } from '../random.js';
import { DAY_MS, MINUTE_MS, SECOND_MS } from '../time.js';
import { anchoredMinute, dayBlock, dayIndex, type DayBlock } from './anchored-bars.js';
import { addTradeToBar, emptyBar, mergeBar, type FormingBar } from './candles.js';
import { TRADE_PARAMS, type TradeParams } from './trades.js';

/**
 * The inside of one simulated minute, derived from its bar (`anchored-bars.ts`) and a stream seeded by
 * (seed, symbol, minute): a one-second log path (Brownian bridge from the bar's open to its close with the
 * minute's variance, kept inside the bar's high/low) and the minute's aggregate trades, which reproduce the bar
 * exactly: N trades (N = the bar's count), the first at the open, the last at the close, one at the high and one
 * at the low when those lie beyond open/close, the others at the path (interpolated at the trade's instant, plus
 * micro noise and half a spread by side, rounded to the tick, within the range); exactly the bar's number of buy
 * trades, chosen with a lean toward the seconds whose path rises (taker side follows the short-term return);
 * sizes lognormal (σ = 1) with rare whales (×20–100), scaled in whole lots so the buys sum to the bar's taker-buy
 * volume and the sells to the rest. Only the quote volume is not reproduced to the last digit (Σ price·qty of
 * the trades differs from the bar's volume × mean price by the intra-minute path, typically < 0.05 %).
 *
 * Trade ids are 100 per second of the trade's minute (floor(minute / 1 s)·100 + i), increasing in time and
 * the same in every run; they are not consecutive across minutes.
 */

export interface MinuteInside {
  /** Log prices at each second of the minute (61 points). */
  path: Float64Array;
  /** The minute's trades in time order (thinned when `rateScale` < 1). */
  trades: Trade[];
}

function splitUnits(units: number, weights: readonly number[]): number[] {
  const count = weights.length;
  if (count === 0) return [];
  const total = weights.reduce((s, w) => s + w, 0);
  const rest = units - count;
  const out = weights.map((w) => 1 + Math.floor((rest * w) / total));
  const used = out.reduce((s, u) => s + u, 0);
  let largest = 0;
  for (let i = 1; i < count; i++) if ((weights[i] ?? 0) > (weights[largest] ?? 0)) largest = i;
  out[largest] = (out[largest] ?? 0) + (units - used);
  return out;
}

/**
 * The path and trades of minute `j` of `block` (openTime = its start). `rateScale` < 1 thins the published
 * trades (the open, high, low and close prints are always kept); the bar itself does not change.
 */
export function minuteInside(
  seed: number,
  block: DayBlock,
  j: number,
  openTime: number,
  rateScale = 1,
  params: TradeParams = TRADE_PARAMS,
  pathOnly = false,
): MinuteInside {
  const symbol = block.symbol;
  const profile = symbolProfile(symbol);
  const rng = createRng(deriveSeed(seed, 'anchored-inside', symbol, openTime));
  const logOpen = block.logPrice[j] ?? 0;
  const logClose = block.logPrice[j + 1] ?? 0;
  const variance = block.variance[j] ?? 0;
  const high = block.high[j] ?? 0;
  const low = block.low[j] ?? 0;
  const logHigh = Math.log(high);
  const logLow = Math.log(low);
  const path = bridgePath(rng, logOpen, logClose - logOpen, variance, 60).map((v) => clamp(v, logLow, logHigh));
  const n = block.trades[j] ?? 0;
  if (n === 0 || pathOnly) return { path, trades: [] };

  const open = block.open[j] ?? 0;
  const close = block.close[j] ?? 0;
  const offsets: number[] = [];
  for (let i = 0; i < n; i++) offsets.push(rng.int(MINUTE_MS));
  offsets.sort((a, b) => a - b);
  // Which trades print the extremes.
  const fixed = new Map<number, number>([[0, open]]);
  fixed.set(n - 1, close);
  const interior = n - 2;
  if (high > Math.max(open, close) && interior >= 1) fixed.set(1 + rng.int(interior), high);
  if (low < Math.min(open, close) && interior >= 1) {
    const free: number[] = [];
    for (let i = 1; i <= interior; i++) if (!fixed.has(i)) free.push(i);
    if (free.length > 0) fixed.set(free[rng.int(free.length)]!, low);
  }
  const secondSigma = Math.sqrt(variance / 60);
  // Side: the bar's buy count goes to the trades with the lowest score u − lean(second's move).
  const scores: { i: number; s: number }[] = [];
  for (let i = 0; i < n; i++) {
    const sec = Math.min(59, Math.floor((offsets[i] ?? 0) / SECOND_MS));
    const z = secondSigma > 0 ? ((path[sec + 1] ?? 0) - (path[sec] ?? 0)) / secondSigma : 0;
    scores.push({ i, s: rng.uniform() - params.sideBias * Math.tanh(params.sideSensitivity * z) });
  }
  scores.sort((a, b) => a.s - b.s || a.i - b.i);
  const buyTrades = block.buyTrades[j] ?? 0;
  const sides: TradeSide[] = new Array<TradeSide>(n).fill('SELL');
  for (let r = 0; r < buyTrades; r++) sides[scores[r]!.i] = 'BUY';
  const weights: number[] = [];
  for (let i = 0; i < n; i++) {
    let w = Math.exp(params.sizeSigma * rng.normal());
    if (rng.uniform() < params.whaleProbability) w *= rng.between(params.whaleMin, params.whaleMax);
    weights.push(w);
  }
  const step = profile.stepSize;
  const qtyDecimals = decimalsOf(step);
  const volumeUnits = Math.round((block.volume[j] ?? 0) / step);
  const buyUnits = Math.round((block.takerBuy[j] ?? 0) / step);
  const buyIdx: number[] = [];
  const sellIdx: number[] = [];
  for (let i = 0; i < n; i++) (sides[i] === 'BUY' ? buyIdx : sellIdx).push(i);
  const units = new Array<number>(n).fill(0);
  splitUnits(buyUnits, buyIdx.map((i) => weights[i] ?? 1)).forEach((u, r) => (units[buyIdx[r]!] = u));
  splitUnits(volumeUnits - buyUnits, sellIdx.map((i) => weights[i] ?? 1)).forEach((u, r) => (units[sellIdx[r]!] = u));

  const tick = profile.tickSize;
  const firstId = Math.floor(openTime / SECOND_MS) * 100;
  const trades: Trade[] = [];
  for (let i = 0; i < n; i++) {
    const offset = offsets[i] ?? 0;
    const noise = rng.normal();
    const keep = rateScale >= 1 || rng.uniform() < rateScale;
    const side = sides[i] ?? 'SELL';
    let price = fixed.get(i);
    if (price === undefined) {
      const x = offset / SECOND_MS;
      const sec = Math.min(59, Math.floor(x));
      const a = path[sec] ?? logOpen;
      const b = path[sec + 1] ?? a;
      const mid = Math.exp(a + (b - a) * (x - sec) + params.microNoise * secondSigma * noise);
      const half = Math.max(tick / 2, mid * params.halfSpread);
      price = clamp(roundToStep(side === 'BUY' ? mid + half : mid - half, tick), low, high);
    }
    // The open, high, low and close prints are always published.
    if (!keep && !fixed.has(i)) continue;
    trades.push({ id: firstId + i, symbol, price, qty: roundTo((units[i] ?? 1) * step, qtyDecimals), time: openTime + offset, side });
  }
  return { path, trades };
}

/**
 * What the bars containing `startTime` hold at that instant, per interval: their closed minutes merged
 * (`closed`) and the start minute's trades before `startTime` (`partial`). The backfill's forming candles
 * and the live model's candle book both start from this, so they agree.
 */
export function formingAt(
  seed: number,
  symbol: string,
  intervals: readonly CandleInterval[],
  startTime: number,
): { closed: Map<CandleInterval, FormingBar>; partial: FormingBar } {
  const minute = Math.floor(startTime / MINUTE_MS) * MINUTE_MS;
  const here = anchoredMinute(seed, symbol, minute);
  const partial = emptyBar(minute, here.bar.open);
  for (const trade of minuteInside(seed, here.block, here.j, minute).trades) if (trade.time < startTime) addTradeToBar(partial, trade);
  const closed = new Map<CandleInterval, FormingBar>();
  const bars = intervals.map((interval) => {
    const bar = emptyBar(candleOpenTime(interval, startTime), here.bar.open);
    closed.set(interval, bar);
    return bar;
  });
  const earliest = Math.min(minute, ...bars.map((b) => b.openTime));
  const part: FormingBar = { ...here.bar };
  for (let t = earliest; t < minute; ) {
    const day = dayIndex(t);
    const block = dayBlock(seed, symbol, day);
    const dayEnd = Math.min(minute, (day + 1) * DAY_MS);
    for (let j = Math.round((t - day * DAY_MS) / MINUTE_MS); t < dayEnd; j++, t += MINUTE_MS) {
      part.openTime = t;
      part.open = block.open[j]!;
      part.high = block.high[j]!;
      part.low = block.low[j]!;
      part.close = block.close[j]!;
      part.volume = block.volume[j]!;
      part.quoteVolume = block.quoteVolume[j]!;
      part.takerBuyVolume = block.takerBuy[j]!;
      part.trades = block.trades[j]!;
      for (const bar of bars) if (t >= bar.openTime) mergeBar(bar, part);
    }
  }
  return { closed, partial };
}
