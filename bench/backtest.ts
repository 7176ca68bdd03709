/**
 * 30-day 5-minute backtest of one symbol on the real recording (BTCUSDT 5m, binance-futures
 * 2025-12-26..2026-01-29, read in place): wall time per strategy, printed next to the cost of one
 * engine pass (confirmation + scenarios on the last bar, the work a CONFIRMATION/SCENARIO strategy does per bar).
 *
 *   npx tsx bench/backtest.ts
 *
 * Not yet measured here: API p99 while a backtest runs vs idle (the job API is not built yet).
 */
import { fileURLToPath } from 'node:url';
import type { Candle } from '../src/domain/market.js';
import { readRecords } from '../src/datasources/replay/replay-readers.js';
import { simulateBacktest } from '../src/backtest/simulate.js';
import { confirmationAndScenarios, createStrategy, type StrategyKind } from '../src/backtest/strategies.js';

const M5 = 300_000;
const url = new URL('../../shared/data/binance-futures/klines/multi-5m-15m-1h-2025-12-26_2026-01-29/BTCUSDT-5m.freqtrade.feather', import.meta.url);
const all: Candle[] = [];
for (const { fields } of readRecords(fileURLToPath(url), 'freqtrade-feather')) {
  const [t, o, h, l, c, v] = fields.map(Number) as [number, number, number, number, number, number];
  all.push({ symbol: 'BTCUSDT', interval: '5m', openTime: t, closeTime: t + M5 - 1, open: o, high: h, low: l, close: c, volume: v, quoteVolume: null, takerBuyVolume: null, trades: null, closed: true });
}
const candles = all.slice(-(30 * 288 + 300));
const kinds = (process.argv[2] ?? 'STRUCTURE,TRAP').split(',') as StrategyKind[];

let t0 = performance.now();
const passes = 20;
for (let i = 0; i < passes; i++) confirmationAndScenarios(candles.slice(-500 - i, candles.length - i), true);
const passMs = (performance.now() - t0) / passes;
console.log(`${candles.length} bars of 5 m (${((candles.at(-1)!.closeTime - candles[0]!.openTime) / 86_400_000).toFixed(1)} days); one engine pass (confirmation + scenarios, 500 bars): ${passMs.toFixed(1)} ms`);
for (const kind of kinds) {
  t0 = performance.now();
  const r = simulateBacktest({ candles, strategy: createStrategy(kind), costs: { feeBps: 4, slippageBps: 2 }, initialEquity: 10_000, warmUpBars: 300 });
  const ms = performance.now() - t0;
  console.log(`| ${kind} | ${r.bars} bars | ${(ms / 1000).toFixed(2)} s | ${(ms / r.bars).toFixed(2)} ms/bar | ${r.metrics.trades} trades | return ${(r.metrics.totalReturn * 100).toFixed(2)} % | max DD ${(r.metrics.maxDrawdown * 100).toFixed(2)} % |`);
}
