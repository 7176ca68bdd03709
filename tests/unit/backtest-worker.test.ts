import { describe, expect, it } from 'vitest';
import { runBacktestSpec, type BacktestSpec } from '../../src/backtest/backtest-job.js';
import { runBacktestInWorker, type BacktestProgress } from '../../src/backtest/run-in-worker.js';
import type { Candle } from '../../src/domain/market.js';

const H = 3_600_000;
const T0 = Date.UTC(2026, 0, 1);

function walk(n: number): Candle[] {
  let s = 5;
  const rnd = () => ((s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  let price = 100;
  return Array.from({ length: n }, (_, i) => {
    const open = price;
    const close = open * (1 + (rnd() - 0.5) * 0.03 + 0.004 * Math.sin(i / 9));
    price = close;
    const high = Math.max(open, close) * (1 + rnd() * 0.008);
    const low = Math.min(open, close) * (1 - rnd() * 0.008);
    return { symbol: 'BTCUSDT', interval: '1h' as const, openTime: T0 + i * H, closeTime: T0 + (i + 1) * H - 1, open, high, low, close, volume: 10, quoteVolume: null, takerBuyVolume: null, trades: null, closed: true };
  });
}

describe('runBacktestInWorker', () => {
  const spec: BacktestSpec = { strategy: 'STRUCTURE', params: { historyBars: 120 }, costs: { feeBps: 4, slippageBps: 2 }, initialEquity: 10_000, warmUpBars: 50, candles: walk(450) };

  it('answers what the same spec gives on this thread, with progress every 100 bars up to 100 % and no time left at the end', async () => {
    const progress: BacktestProgress[] = [];
    const run = runBacktestInWorker(spec, { onProgress: (p) => progress.push(p) });
    const result = await run.result;
    expect(result).toEqual(runBacktestSpec(spec));
    expect(result.trades.length).toBeGreaterThan(0);
    expect(progress.map((p) => p.done), 'every 100 bars and the last of 400').toEqual([100, 200, 300, 400]);
    expect(progress.at(-1)!.fraction).toBe(1);
    expect(progress.at(-1)!.etaMs).toBe(0);
  });

  it('rejects with the worker error message', async () => {
    await expect(runBacktestInWorker({ ...spec, initialEquity: 0 }).result).rejects.toThrow('initialEquity must be > 0, got 0');
  });

  it('cancels a running backtest', async () => {
    const run = runBacktestInWorker({ ...spec, strategy: 'CONFIRMATION', params: { historyBars: 200 } });
    await run.cancel();
    await expect(run.result).rejects.toThrow('backtest cancelled');
  });
});
