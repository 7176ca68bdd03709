/**
 * Cost of one correlation-engine computation (Pearson + Spearman matrices, 4× baseline, cross-correlation
 * at lags −12..12 for every pair, divergences, regime) as the symbol count grows from 5 to 50.
 *
 * Inputs are synthetic 1-hour log returns from a one-factor model (r_i = β·market + idiosyncratic noise,
 * seeded, so runs are comparable), 700 bars per symbol: enough for window 168, baseline 672 and 12 lags.
 * Pairs grow as n(n−1)/2, so the expected curve is roughly quadratic: 50 symbols have 1 225 pairs vs 10
 * for 5 symbols (ratio 122.5). Each row prints the median time and its ratio to the 5-symbol cost, both
 * measured in this run.
 *
 *   npm run bench:correlation      (env: BENCH_RUNS=9)
 */
import { computeCorrelationAnalysis } from '../src/analyzers/correlation.js';
import type { CorrelationSeries } from '../src/analyzers/correlation.types.js';
import { normalDraws } from '../src/math/random.js';

const runs = Number(process.env.BENCH_RUNS ?? 9);
const H = 3_600_000;
const BARS = 700;
const T0 = Date.UTC(2026, 0, 1);
const COUNTS = [5, 10, 20, 30, 50];

/** mulberry32 + Box–Muller: a deterministic standard normal. */
const normal = normalDraws;

const market = normal(1);
const factor = Array.from({ length: BARS }, () => market() * 0.01);
const universe: CorrelationSeries[] = Array.from({ length: Math.max(...COUNTS) }, (_, i) => {
  const noise = normal(100 + i);
  const beta = 0.5 + (i % 7) * 0.15;
  let close = 100;
  const bars = [{ openTime: T0, close }];
  for (let t = 1; t < BARS; t++) {
    close *= Math.exp(beta * factor[t]! + noise() * 0.006);
    bars.push({ openTime: T0 + t * H, close });
  }
  return { symbol: i === 0 ? 'BTCUSDT' : `ALT${i}USDT`, bars };
});

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
function measure(n: number): number {
  const series = universe.slice(0, n);
  const input = { key: 'ALL', series, intervalMs: H, window: 168, thresholds: { maxLag: 12 }, now: T0 + BARS * H };
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    computeCorrelationAnalysis(input);
    times.push(performance.now() - t);
  }
  return median(times);
}

// Warm the JIT on every size first, so the 5-symbol baseline is not measured on cold code.
for (let w = 0; w < 3; w++) for (const n of COUNTS) computeCorrelationAnalysis({ key: 'ALL', series: universe.slice(0, n), intervalMs: H, window: 168, now: T0 + BARS * H });
const results = COUNTS.map((n) => ({ n, pairs: (n * (n - 1)) / 2, ms: measure(n) }));
const base = results[0]!;
console.log(`correlation matrix cost, window 168, baseline 672, lags ±12, ${runs} runs (median)`);
console.log('symbols  pairs   time ms   ratio vs 5   pair ratio vs 5');
for (const r of results) {
  console.log(
    `${String(r.n).padStart(7)}  ${String(r.pairs).padStart(5)}  ${r.ms.toFixed(2).padStart(8)}  ${(r.ms / base.ms).toFixed(1).padStart(11)}x  ${(r.pairs / base.pairs).toFixed(1).padStart(15)}x`,
  );
}
