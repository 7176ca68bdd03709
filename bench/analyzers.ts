/**
 * Per-analyzer cost on 30 days of 5-minute inputs for one symbol (8 640 candles, open-interest points,
 * long/short ratios, taker volume and basis periods; 90 funding settlements; 1-minute candles and
 * liquidations of the last day), from the simulated market's deterministic history.
 *
 * For each registered analysis it prints:
 *   full        — the first computation on a freshly filled 30-day store (median of runs);
 *   incremental — the computation the engine runs right after, when one new 5-minute period arrives
 *                 (append one candle, OI point, ratio, taker and basis period and a mark tick, recompute);
 *   ratio       — incremental / full. Analyzers recompute over bounded windows rather than updating
 *                 state, so the ratio says how much of the 30 days each one actually reads.
 *
 *   npm run bench:analyzers      (env: BENCH_RUNS=15)
 */
import { generateHistory } from '../src/datasources/simulated/history.js';
import type { MarketEvent } from '../src/domain/market.js';
import { ANALYSES } from '../src/engine/analyses.js';
import { createMarketStore } from '../src/engine/market-store.js';

const runs = Number(process.env.BENCH_RUNS ?? 15);
const symbol = 'BTCUSDT';
const DAYS = 30;
const FIVE_MIN = 300_000;
const periods = (DAYS * 86_400_000) / FIVE_MIN;
const startTime = Date.UTC(2026, 0, 31);

const history = generateHistory({
  seed: 11,
  symbol,
  startTime,
  fundingCount: 90,
  statPeriods: periods,
  intervals: ['1m', '5m', '15m', '1h'],
  candleCount: { '1m': 1_440, '5m': periods, '15m': periods / 3, '1h': DAYS * 24 },
});
const events: MarketEvent[] = [
  ...history.funding.map((funding) => ({ type: 'funding', funding }) as const),
  ...[...history.candles.values()].flat().map((candle) => ({ type: 'candle', candle }) as const),
  ...history.openInterest.map((openInterest) => ({ type: 'openInterest', openInterest }) as const),
  ...history.longShortRatios.map((ratio) => ({ type: 'longShortRatio', ratio }) as const),
  ...history.takerVolume.map((volume) => ({ type: 'takerVolume', volume }) as const),
  ...history.basis.map((basis) => ({ type: 'basis', basis }) as const),
  ...history.liquidations.map((liquidation) => ({ type: 'liquidation', liquidation }) as const),
  { type: 'markPrice', mark: history.mark },
  { type: 'spotPrice', spot: history.spot },
  ...(history.ticker ? [{ type: 'ticker24h', ticker: history.ticker } as const] : []),
];
/** A fresh store holding the 30 days (fresh objects, so no analyzer-side cache can answer). */
function freshStore() {
  const s = createMarketStore([symbol], { candlesPerInterval: periods + 10, statistics: periods + 10 });
  for (const e of events) s.apply(e);
  return s;
}
let store = freshStore();
let market = store.get(symbol)!;
const settings = { fundingHistoryWindow: 90, fundingIntervalHours: () => 8 };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
function time(fn: () => unknown): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

let now = startTime;
/** One more 5-minute period of every input, continuing the last values. */
function appendPeriod(): void {
  now += FIVE_MIN;
  const last5m = market.candles.get('5m')!.last()!;
  const oi = market.openInterest.last()!;
  const price = last5m.close * (1 + (Math.random() - 0.5) * 0.002);
  store.apply({ type: 'candle', candle: { ...last5m, openTime: last5m.openTime + FIVE_MIN, closeTime: last5m.closeTime + FIVE_MIN, open: last5m.close, close: price, high: Math.max(price, last5m.close), low: Math.min(price, last5m.close) } });
  store.apply({ type: 'openInterest', openInterest: { ...oi, openInterest: (oi.openInterest ?? 0) * 1.001, time: oi.time + FIVE_MIN } });
  for (const [, buffer] of market.longShort) store.apply({ type: 'longShortRatio', ratio: { ...buffer.last()!, time: buffer.last()!.time + FIVE_MIN } });
  store.apply({ type: 'takerVolume', volume: { ...market.takerVolume.last()!, time: market.takerVolume.last()!.time + FIVE_MIN } });
  store.apply({ type: 'basis', basis: { ...market.basis.last()!, time: market.basis.last()!.time + FIVE_MIN } });
  store.apply({ type: 'markPrice', mark: { ...market.mark!, markPrice: price, time: now } });
}

console.log(`30 days of 5-minute inputs for ${symbol}: ${market.candles.get('5m')!.size} candles, ${market.openInterest.size} OI points, ${market.takerVolume.size} taker periods, ${market.funding.size} settlements; median of ${runs} runs`);
console.log('analysis               full (ms)  incremental (ms)  incremental/full');
for (const def of ANALYSES) {
  const fulls: number[] = [];
  const incrementals: number[] = [];
  for (let i = 0; i < runs + 2; i += 1) {
    store = freshStore();
    market = store.get(symbol)!;
    now = startTime;
    const full = time(() => def.compute(market, now, settings));
    appendPeriod();
    const incremental = time(() => def.compute(market, now, settings));
    if (i >= 2) {
      // the first two rounds warm the JIT
      fulls.push(full);
      incrementals.push(incremental);
    }
  }
  const full = median(fulls);
  const incremental = median(incrementals);
  console.log(`${def.kind.padEnd(22)} ${full.toFixed(3).padStart(9)}  ${incremental.toFixed(3).padStart(16)}  ${(incremental / full).toFixed(2).padStart(16)}`);
}

// --- Market-wide analyses (correlations, sentiment, options flow) ---
// Their inputs span symbols and venues, so they run on the simulated market's own start-up backfill
// for three symbols (500 bars per interval, options chains, a year of Fear & Greed).
{
  const { createSimulatedSource } = await import('../src/datasources/simulated/simulated-source.js');
  const { MARKET_ANALYSES } = await import('../src/engine/analyses.js');
  const symbols = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'];
  const captured: MarketEvent[] = [];
  const source = createSimulatedSource({ seed: 5, tickMs: 60_000, symbols, now: () => startTime });
  await source.start(symbols, (e) => captured.push(e));
  await source.stop();
  const fresh = () => {
    const s = createMarketStore(symbols);
    for (const e of captured) s.apply(e);
    return s;
  };
  console.log('\nmarket-wide analysis   key      full (ms)  incremental (ms)  incremental/full');
  for (const def of MARKET_ANALYSES) {
    for (const key of def.keys(fresh()).slice(0, 2)) {
      const fulls: number[] = [];
      const incrementals: number[] = [];
      for (let i = 0; i < runs + 2; i += 1) {
        const s = fresh();
        const full = time(() => def.compute(s, key, startTime, settings));
        // One more input of the kind that triggers it: a closed 1h candle for every symbol and a newer chain.
        for (const symbol of symbols) {
          const last = s.get(symbol)!.candles.get('1h')!.last()!;
          s.apply({ type: 'candle', candle: { ...last, openTime: last.openTime + 3_600_000, closeTime: last.closeTime + 3_600_000, closed: true } });
        }
        for (const chain of s.global().options.values()) s.apply({ type: 'optionsChain', chain: { ...chain, time: chain.time + 30_000 } });
        const incremental = time(() => def.compute(s, key, startTime + 3_600_000, settings));
        if (i >= 2) {
          fulls.push(full);
          incrementals.push(incremental);
        }
      }
      const full = median(fulls);
      const incremental = median(incrementals);
      console.log(`${def.kind.padEnd(22)} ${key.padEnd(8)} ${full.toFixed(3).padStart(9)}  ${incremental.toFixed(3).padStart(16)}  ${(incremental / full).toFixed(2).padStart(16)}`);
    }
  }
}
