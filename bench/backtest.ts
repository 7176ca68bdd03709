/**
 * 30-day 5-minute backtest of one symbol on the real recording (BTCUSDT 5m, binance-futures
 * 2025-12-26..2026-01-29, read in place): wall and CPU time of a real run per strategy (nothing
 * estimated), printed next to the cost of one engine pass (confirmation + scenarios on a 500-bar window,
 * the work a CONFIRMATION/SCENARIO strategy does at a bar; warmed up, then averaged).
 *
 *   npm run bench:backtest [-- KINDS]     (KINDS: comma-separated, default all below; run under flock /work/bench.lock)
 *
 * CONFIRMATION runs twice: with the default minQuality GOOD (chart-only inputs never reach GOOD, so it
 * never trades; the analyses still run at every bar) and with MODERATE (it trades). Target: CONFIRMATION
 * and SCENARIO under 10 s for the 30 days. API p99 while a backtest job runs vs idle: bench/backtest-api.ts.
 */
import { fileURLToPath } from 'node:url';
import type { Candle } from '../src/domain/market.js';
import { readRecords } from '../src/datasources/replay/replay-readers.js';
import { simulateBacktest } from '../src/backtest/simulate.js';
import { confirmationAndScenarios, createStrategy, type StrategyKind, type StrategyParams } from '../src/backtest/strategies.js';

const M5 = 300_000;
const url = new URL('../../shared/data/binance-futures/klines/multi-5m-15m-1h-2025-12-26_2026-01-29/BTCUSDT-5m.freqtrade.feather', import.meta.url);
const all: Candle[] = [];
for (const { fields } of readRecords(fileURLToPath(url), 'freqtrade-feather')) {
  const [t, o, h, l, c, v] = fields.map(Number) as [number, number, number, number, number, number];
  all.push({ symbol: 'BTCUSDT', interval: '5m', openTime: t, closeTime: t + M5 - 1, open: o, high: h, low: l, close: c, volume: v, quoteVolume: null, takerBuyVolume: null, trades: null, closed: true });
}
const candles = all.slice(-(30 * 288 + 300));
const RUNS: Record<string, [StrategyKind, Partial<StrategyParams>]> = {
  CONFIRMATION: ['CONFIRMATION', {}],
  'CONFIRMATION(MODERATE)': ['CONFIRMATION', { minQuality: 'MODERATE' }],
  SCENARIO: ['SCENARIO', {}],
  STRUCTURE: ['STRUCTURE', {}],
  TRAP: ['TRAP', {}],
};
const names = process.argv[2] ? process.argv[2].split(',') : Object.keys(RUNS);

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

// One engine pass: warm up, then average (the first passes run unoptimised code).
for (let i = 0; i < 50; i++) confirmationAndScenarios(candles.slice(-500 - i, candles.length - i), true);
let t0 = performance.now();
const passes = 300;
for (let i = 0; i < passes; i++) confirmationAndScenarios(candles.slice(-500 - i, candles.length - i), true);
const passMs = (performance.now() - t0) / passes;
console.log(`${candles.length} bars of 5 m (${((candles.at(-1)!.closeTime - candles[0]!.openTime) / 86_400_000).toFixed(1)} days); one engine pass (confirmation + scenarios, 500 bars, warm): ${passMs.toFixed(2)} ms`);
console.log('| strategy | wall time | CPU time | per bar | per bar / engine pass | trades | return | max DD |');
console.log('|---|---|---|---|---|---|---|---|');
for (const name of names) {
  const run = RUNS[name];
  if (!run) throw new Error(`unknown run ${name}; one of ${Object.keys(RUNS).join(', ')}`);
  const [kind, params] = run;
  t0 = performance.now();
  const c0 = cpuMs();
  const r = simulateBacktest({ candles, strategy: createStrategy(kind, params), costs: { feeBps: 4, slippageBps: 2 }, initialEquity: 10_000, warmUpBars: 300 });
  const ms = performance.now() - t0;
  const cpu = cpuMs() - c0;
  console.log(
    `| ${name} | ${(ms / 1000).toFixed(2)} s | ${(cpu / 1000).toFixed(2)} s | ${(ms / r.bars).toFixed(3)} ms | ${(ms / r.bars / passMs).toFixed(2)} | ${r.metrics.trades} | ${(r.metrics.totalReturn * 100).toFixed(2)} % | ${(r.metrics.maxDrawdown * 100).toFixed(2)} % |`,
  );
}
