/**
 * Plain-number versions of the trading-signals 8.3 indicators the confirmation chart layers read at every
 * bar (ATR, EMA, RSI, MACD, slow stochastic), for the hot loop of a backtest.
 *
 * Why not the library here (STYLE.md prefers it): a backtest recomputes the technical layer on a 300-bar
 * window at every bar (8 640 times for 30 days of 5 m), and the classes cost ≈ 0.25 ms a window (per-update
 * bookkeeping, array shifts, a spread per stochastic bar). These functions do the same floating-point
 * operations in the same order as trading-signals 8.3, so their results are bit-identical, not merely
 * close: tests/unit/indicators-exact.test.ts checks every one against the library on every window of a
 * recorded series (Object.is). trading-signals stays the reference; a library upgrade that changes a
 * number fails that test.
 *
 * @see https://github.com/bennycode/trading-signals (ATR/WSMA/TR, EMA, RSI, MACD, StochasticOscillator)
 */

export interface Hlc {
  readonly high: number;
  readonly low: number;
  readonly close: number;
}

/** Mean of values[from..from+n) summed from 0 in order, as trading-signals getAverage. */
function average(values: readonly number[], from: number, n: number): number {
  let sum = 0;
  for (let i = from; i < from + n; i++) sum += values[i]!;
  return sum / n;
}

/**
 * Wilder ATR (trading-signals `ATR(period)` with WSMA smoothing): true range (high − low for the first
 * candle), its SMA over the first `period` ranges, then prev + (tr − prev) × (1 / period). Null with fewer
 * than `period` candles.
 */
export function wilderAtr(candles: readonly Hlc[], period: number): number | null {
  const n = candles.length;
  if (n < period) return null;
  const factor = 1 / period;
  let sum = 0;
  let prevClose = 0;
  let result = 0;
  for (let i = 0; i < n; i++) {
    const c = candles[i]!;
    const highLow = c.high - c.low;
    const tr = i === 0 ? highLow : Math.max(highLow, Math.abs(c.high - prevClose), Math.abs(c.low - prevClose));
    prevClose = c.close;
    if (i < period) {
      sum += tr;
      if (i === period - 1) result = sum / period;
    } else {
      result = (tr - result) * factor + result;
    }
  }
  return result;
}

/** Incremental EMA exactly as trading-signals `EMA(interval)`: the first value is seeded with the first price. */
export interface EmaState {
  readonly interval: number;
  readonly weight: number;
  count: number;
  result: number;
}

export function emaState(interval: number): EmaState {
  return { interval, weight: 2 / (interval + 1), count: 0, result: 0 };
}

/** Adds a price; returns the raw result (defined from the first price on, as the library's `update`). */
export function emaAdd(s: EmaState, price: number): number {
  const previous = s.count === 0 ? price : s.result;
  s.count++;
  s.result = price * s.weight + previous * (1 - s.weight);
  return s.result;
}

/** The library's `isStable`: at least `interval` prices seen. */
export const emaStable = (s: EmaState): boolean => s.count >= s.interval;

export interface TechnicalReadings {
  /** RSI (Wilder, `rsiPeriod`); null before rsiPeriod + 1 closes. */
  rsi: number | null;
  /** MACD histogram (macd − signal); null before `long` closes. */
  macdHistogram: number | null;
  /** Slow stochastic %K and %D; null before kPeriod + kSlowing + d − 2 candles. */
  stoch: { stochK: number; stochD: number } | null;
  /** EMA states after the last candle, one per requested period (check `emaStable`). */
  emas: EmaState[];
}

/**
 * One pass over the candles computing what the technical layer reads, each as the trading-signals class
 * fed the same candles in order would report after the last one: RSI(rsiPeriod) with WSMA smoothing,
 * MACD(EMA short, EMA long, EMA signal), StochasticOscillator({ kPeriod, kSlowingPeriod, dPeriod }) and
 * one EMA per period.
 */
export function technicalReadings(
  candles: readonly Hlc[],
  p: { rsi: number; macd: readonly [number, number, number]; stoch: { kPeriod: number; kSlowingPeriod: number; dPeriod: number }; emas: readonly number[] },
): TechnicalReadings {
  const n = candles.length;
  // RSI: WSMA of gains and losses (both become stable together, after rsi differences).
  const rp = p.rsi;
  const rFactor = 1 / rp;
  let gainSum = 0;
  let lossSum = 0;
  let avgGain = 0;
  let avgLoss = 0;
  let rsi: number | null = null;
  // MACD.
  const short = emaState(p.macd[0]);
  const long = emaState(p.macd[1]);
  const signal = emaState(p.macd[2]);
  let macdHistogram: number | null = null;
  // Stochastic: raw %K, its SMA (kSlowing), and the SMA of that (d).
  const { kPeriod, kSlowingPeriod, dPeriod } = p.stoch;
  const fastKs: number[] = [];
  const stochKs: number[] = [];
  let stoch: { stochK: number; stochD: number } | null = null;
  const emas = p.emas.map((period) => emaState(period));

  for (let i = 0; i < n; i++) {
    const c = candles[i]!;
    const price = c.close;
    if (i > 0) {
      const previous = candles[i - 1]!.close;
      const gain = price > previous ? price - previous : 0;
      const loss = price > previous ? 0 : previous - price;
      const d = i; // differences seen so far
      if (d <= rp) {
        gainSum += gain;
        lossSum += loss;
        if (d === rp) {
          avgGain = gainSum / rp;
          avgLoss = lossSum / rp;
        }
      } else {
        avgGain = (gain - avgGain) * rFactor + avgGain;
        avgLoss = (loss - avgLoss) * rFactor + avgLoss;
      }
      if (d >= rp) rsi = avgLoss === 0 ? 100 : 100 - 100 / (avgGain / avgLoss + 1);
    }
    const s = emaAdd(short, price);
    const l = emaAdd(long, price);
    if (i + 1 >= long.interval) {
      const macd = s - l;
      macdHistogram = macd - emaAdd(signal, macd);
    }
    if (i + 1 >= kPeriod) {
      let highest = -Infinity;
      let lowest = Infinity;
      for (let j = i + 1 - kPeriod; j <= i; j++) {
        const x = candles[j]!;
        if (x.high > highest) highest = x.high;
        if (x.low < lowest) lowest = x.low;
      }
      const divisor = highest - lowest;
      let fastK = (price - lowest) * 100;
      fastK = fastK / (divisor === 0 ? 1 : divisor);
      fastKs.push(fastK);
      if (fastKs.length >= kSlowingPeriod) {
        const stochK = average(fastKs, fastKs.length - kSlowingPeriod, kSlowingPeriod);
        stochKs.push(stochK);
        if (stochKs.length >= dPeriod) stoch = { stochK, stochD: average(stochKs, stochKs.length - dPeriod, dPeriod) };
      }
    }
    for (const e of emas) emaAdd(e, price);
  }
  return { rsi, macdHistogram, stoch, emas };
}
