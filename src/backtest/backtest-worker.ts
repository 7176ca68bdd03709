/**
 * Worker thread of a backtest (backtest/run-in-worker.ts): runs one spec off the request loop and posts
 * progress (bars done of total) and then the result, or the error message.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runBacktestSpec, type BacktestSpec } from './backtest-job.js';

const { spec } = workerData as { spec: BacktestSpec };
try {
  const result = runBacktestSpec(spec, (done, total) => parentPort!.postMessage({ type: 'progress', done, total }));
  parentPort!.postMessage({ type: 'result', result });
} catch (error) {
  parentPort!.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) });
}
