/**
 * Worker thread of a backtest (backtest/run-in-worker.ts): runs one spec (or one optimisation) off the
 * request loop and posts progress (units done of total) and then the result, or the error (name and
 * message); or reads the bars of a recording (replay-bars.ts) and posts them.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { runBacktestSpec, type BacktestSpec } from './backtest-job.js';
import { runOptimizationSpec, type OptimizationSpec } from './optimize-job.js';
import { readRecording, recordingPath } from './replay-bars.js';
import type { CandleInterval } from '../domain/market.js';

const { spec, optimization, replay, nice } = workerData as {
  nice?: number;
  spec?: BacktestSpec;
  optimization?: OptimizationSpec;
  replay?: { root: string; recording: string; symbol: string; interval: CandleInterval };
};
if (nice) {
  // Linux: setpriority on this thread's id lowers this thread only, so it yields its core to the request loop.
  // Best effort: elsewhere, or when refused, the default priority stays.
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, nice);
  } catch {
    // keep the default priority
  }
}
const progress = (done: number, total: number) => parentPort!.postMessage({ type: 'progress', done, total });
try {
  const result = replay
    ? readRecording(recordingPath(replay.root, replay.recording), replay)
    : optimization
      ? runOptimizationSpec(optimization, progress)
      : runBacktestSpec(spec!, progress);
  parentPort!.postMessage({ type: 'result', result });
} catch (error) {
  parentPort!.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error), name: error instanceof Error ? error.name : 'Error' });
}
