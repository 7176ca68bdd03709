import type { Candle } from '../domain/market.js';

/**
 * Causal, non-repainting swing points (fractals).
 *
 * A bar is a swing high when its high is strictly above the highs of the `left` bars before it and of
 * the `confirmBars` bars after it (a swing low likewise with lows). The swing is only known once those
 * `confirmBars` later bars have closed, so it is reported with `confirmedAt` = the close time of the
 * confirming bar and `confirmedIndex`; nothing here looks past `confirmedIndex`, so adding newer bars
 * never changes an already reported swing (the property market-structure tests replay bar by bar).
 *
 * @see Bill Williams' fractals (2 bars each side) — https://www.investopedia.com/terms/f/fractal.asp
 */
export interface Swing {
  kind: 'HIGH' | 'LOW';
  price: number;
  /** Index of the swing bar in the input. */
  index: number;
  /** Open time of the swing bar. */
  time: number;
  /** Index of the bar whose close confirmed it (index + confirmBars). */
  confirmedIndex: number;
  /** Close time of the confirming bar. */
  confirmedAt: number;
}

export interface SwingOptions {
  /** Later bars that must stay below a high (above a low) before it is confirmed. Default 2. */
  confirmBars: number;
  /** Earlier bars that must stay below a high (above a low). Default: same as confirmBars. */
  left?: number;
}

export function detectSwings(candles: readonly Pick<Candle, 'high' | 'low' | 'openTime' | 'closeTime'>[], options: Partial<SwingOptions> = {}): Swing[] {
  const confirmBars = options.confirmBars ?? 2;
  const left = options.left ?? confirmBars;
  if (!Number.isInteger(confirmBars) || confirmBars < 1) throw new RangeError(`detectSwings: confirmBars must be an integer >= 1, got ${confirmBars}`);
  if (!Number.isInteger(left) || left < 1) throw new RangeError(`detectSwings: left must be an integer >= 1, got ${left}`);
  const swings: Swing[] = [];
  for (let i = left; i + confirmBars < candles.length; i += 1) {
    const bar = candles[i]!;
    let isHigh = true;
    let isLow = true;
    for (let j = i - left; j <= i + confirmBars && (isHigh || isLow); j += 1) {
      if (j === i) continue;
      const other = candles[j]!;
      if (other.high >= bar.high) isHigh = false;
      if (other.low <= bar.low) isLow = false;
    }
    const confirmedIndex = i + confirmBars;
    const confirmedAt = candles[confirmedIndex]!.closeTime;
    if (isHigh) swings.push({ kind: 'HIGH', price: bar.high, index: i, time: bar.openTime, confirmedIndex, confirmedAt });
    if (isLow) swings.push({ kind: 'LOW', price: bar.low, index: i, time: bar.openTime, confirmedIndex, confirmedAt });
  }
  return swings;
}
