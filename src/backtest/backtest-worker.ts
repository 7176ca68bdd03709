/**
 * Worker thread of a backtest (backtest/run-in-worker.ts): runs one spec (or one optimisation) off the
 * request loop and posts progress (units done of total) and then the result, or the error message.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runBacktestSpec, type BacktestSpec } from './backtest-job.js';
import { runOptimizationSpec, type OptimizationSpec } from './optimize-job.js';

const { spec, optimization } = workerData as { spec?: BacktestSpec; optimization?: OptimizationSpec };
const progress = (done: number, total: number) => parentPort!.postMessage({ type: 'progress', done, total });
try {
  const result = optimization ? runOptimizationSpec(optimization, progress) : runBacktestSpec(spec!, progress);
  parentPort!.postMessage({ type: 'result', result });
} catch (error) {
  parentPort!.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) });
}
