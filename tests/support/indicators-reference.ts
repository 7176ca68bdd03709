import { ATR, EMA, MACD, RSI, StochasticOscillator } from 'trading-signals';
import type * as Fast from '../../src/math/indicators.js';
import type { Hlc, TechnicalReadings } from '../../src/math/indicators.js';

/**
 * The trading-signals 8.3 classes behind the same signatures as src/math/indicators.ts: the reference the
 * plain-number versions must match bit for bit, and the slow path of the backtest fast-path test (the
 * technical layer and ATR as they were computed before the plain versions existed).
 */

export function wilderAtr(candles: readonly Hlc[], period: number): number | null {
  const atr = new ATR(period);
  for (const c of candles) atr.add({ high: c.high, low: c.low, close: c.close });
  return atr.isStable ? atr.getResult() : null;
}

export function technicalReadings(candles: readonly Hlc[], p: Parameters<typeof Fast.technicalReadings>[1]): TechnicalReadings {
  const rsi = new RSI(p.rsi);
  const macd = new MACD(new EMA(p.macd[0]), new EMA(p.macd[1]), new EMA(p.macd[2]));
  const stoch = new StochasticOscillator(p.stoch);
  const emas = p.emas.map((period) => new EMA(period));
  for (const c of candles) {
    rsi.add(c.close);
    macd.add(c.close);
    stoch.add({ high: c.high, low: c.low, close: c.close });
    for (const e of emas) e.add(c.close);
  }
  const s = stoch.getResult();
  return {
    rsi: rsi.getResult(),
    macdHistogram: macd.getResult()?.histogram ?? null,
    stoch: s === null ? null : { stochK: s.stochK, stochD: s.stochD },
    // EmaState-shaped: count only tells stability here (the library hides its counter).
    emas: emas.map((e, i) => ({ interval: p.emas[i]!, weight: 2 / (p.emas[i]! + 1), count: e.isStable ? p.emas[i]! : 0, result: e.isStable ? e.getResultOrThrow() : Number.NaN })),
  };
}
