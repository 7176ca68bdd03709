import { describe, expect, it } from 'vitest';
import { runBacktestSpec, type BacktestSpec } from '../../src/backtest/backtest-job.js';
import { runBacktestInWorker, type BacktestProgress } from '../../src/backtest/run-in-worker.js';
import type { Candle } from '../../src/domain/market.js';
import { walk as fixtureWalk } from '../support/backtest-fixtures.js';

/** The swinging 1 h walk of the backtest fixtures, seed 5. */
const walk = (n: number): Candle[] => fixtureWalk(n, 5);

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
