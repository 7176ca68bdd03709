/**
 * Liquidation calibration of the simulated market against the real recordings in ../shared/data.
 *
 *   npm run calibrate:liquidations [-- DATA_DIR]     (default ../shared/data)
 *
 * Prints, from the real files: the Hyperliquid 2023 liquidation list (rate per minute, notional quantiles
 * and σ of log notional) and the Bybit 2026-08-09 recording (seconds recorded with allLiquidation
 * subscribed for BTC/ETH/SOL/DOGE, liquidation messages received, 95 % Poisson upper bound on the combined
 * rate); then the simulated BTCUSDT tape over 4 simulated hours for four seeds (rate per minute, share of
 * minutes with at least one liquidation, notional quantiles).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createMarketModel } from '../src/datasources/simulated/index.js';

const dir = process.argv[2] ?? '../shared/data';
const quantile = (xs: readonly number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
};
const sdLog = (xs: readonly number[]): number => {
  const l = xs.map(Math.log);
  const m = l.reduce((a, b) => a + b, 0) / l.length;
  return Math.sqrt(l.reduce((a, b) => a + (b - m) ** 2, 0) / (l.length - 1));
};

// --- Hyperliquid: time,user,liquidated_ntl_pos,liquidated_account_value,leverage_type ---
const csv = readFileSync(join(dir, 'liquidations/hyperliquid-2023-02-28_2023-05-01/liquidations.csv'), 'utf8').trim().split('\n').slice(1);
const rows = csv.map((line) => line.split(',')).map(([time, , ntl]) => ({ time: Date.parse(time!), notional: Number(ntl) }));
const spanMin = (Math.max(...rows.map((r) => r.time)) - Math.min(...rows.map((r) => r.time))) / 60_000;
const notionals = rows.map((r) => r.notional);
console.log(`hyperliquid 2023 (all coins, one small DEX): ${rows.length} liquidations over ${(spanMin / 1440).toFixed(1)} days = ${(rows.length / spanMin).toFixed(5)} per minute`);
console.log(`  notional USD p10 ${quantile(notionals, 0.1).toFixed(0)}  median ${quantile(notionals, 0.5).toFixed(0)}  p90 ${quantile(notionals, 0.9).toFixed(0)}  σ(log) ${sdLog(notionals).toFixed(2)}`);

// --- Bybit v5 recording: allLiquidation subscribed; count liquidation frames and the recorded span ---
const lines = execFileSync('zstd', ['-dc', join(dir, 'bybit/cryptofeed-v3-2026-08-09/BYBIT.jsonl.zst')], { maxBuffer: 64 << 20 }).toString('utf8').trim().split('\n');
let subscribedAt = Infinity;
let lastRecv = -Infinity;
let liquidationFrames = 0;
for (const line of lines) {
  const rec = JSON.parse(line) as { t: string; ts?: number; data?: string };
  if (rec.t === 'send' && rec.data?.includes('allLiquidation')) subscribedAt = Math.min(subscribedAt, rec.ts ?? Infinity);
  if (rec.t === 'recv' && rec.ts !== undefined) {
    lastRecv = Math.max(lastRecv, rec.ts);
    if (rec.data?.includes('"topic":"allLiquidation')) liquidationFrames++;
  }
}
const windowMin = (lastRecv - subscribedAt) / 60;
console.log(`bybit 2026-08-09 (BTC+ETH+SOL+DOGE linear): ${liquidationFrames} liquidation frames in ${(windowMin * 60).toFixed(1)} s subscribed`);
console.log(`  95 % upper bound on the combined rate (0 events: −ln 0.05 / window) = ${(-Math.log(0.05) / windowMin).toFixed(2)} per minute`);

// --- Simulated BTCUSDT tape ---
const MINUTES = 240;
for (const seed of [1, 3, 7, 42]) {
  const model = createMarketModel({ seed, symbols: ['BTCUSDT'], startTime: Date.UTC(2026, 5, 10, 13, 7), marketWide: false, tradeRateScale: 0.02, intervals: [] });
  const perMinute = new Map<number, number>();
  const usd: number[] = [];
  for (let i = 0; i < MINUTES; i++) {
    for (const e of model.step(60_000)) {
      if (e.type !== 'liquidation') continue;
      const k = Math.floor(e.liquidation.time / 60_000);
      perMinute.set(k, (perMinute.get(k) ?? 0) + 1);
      usd.push(e.liquidation.qty * e.liquidation.price);
    }
  }
  console.log(
    `simulated BTCUSDT seed ${seed}: ${(usd.length / MINUTES).toFixed(2)} per minute, ${((100 * perMinute.size) / MINUTES).toFixed(0)} % of minutes with one or more, ` +
      `notional median ${quantile(usd, 0.5).toFixed(0)} p90 ${quantile(usd, 0.9).toFixed(0)} σ(log) ${sdLog(usd).toFixed(2)}`,
  );
}
