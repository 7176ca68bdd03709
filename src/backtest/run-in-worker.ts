import { Worker } from 'node:worker_threads';
import type { BacktestSpec } from './backtest-job.js';
import type { BacktestResult } from './backtest.types.js';
import type { OptimizationSpec } from './optimize-job.js';
import type { OptimizationReport } from './optimize.js';
import { BacktestDataError, BacktestInputError, type ReplaySeries } from './replay-bars.js';
import type { CandleInterval } from '../domain/market.js';

/** Progress of a running backtest. */
export interface BacktestProgress {
  done: number;
  total: number;
  /** done / total (0..1). */
  fraction: number;
  /** Estimated milliseconds left at the rate so far (elapsed × (total − done) / done); null before the first bar. */
  etaMs: number | null;
}

export interface WorkerRun<R = BacktestResult> {
  result: Promise<R>;
  /** Stops the worker; the result promise rejects with 'backtest cancelled'. */
  cancel(): Promise<void>;
}

/** The worker entry: compiled JavaScript in dist/, the TypeScript source under tsx or vitest (through the engine's tsx bootstrap). */
function workerEntry(): { url: URL; entry: Record<string, unknown> } {
  const self = import.meta.url;
  if (self.endsWith('.ts')) return { url: new URL('../engine/worker-boot.mjs', self), entry: { entry: new URL('./backtest-worker.ts', self).href } };
  return { url: new URL('./backtest-worker.js', self), entry: {} };
}

/**
 * Runs `spec` in its own worker thread, so a long backtest never blocks the request loop. `now` is the
 * clock for the ETA (injectable for tests).
 */
export function runBacktestInWorker(spec: BacktestSpec, options: { onProgress?: (p: BacktestProgress) => void; now?: () => number; nice?: number } = {}): WorkerRun {
  return runInWorker<BacktestResult>({ spec }, options);
}

/** Runs a walk-forward optimisation in its own worker thread (progress counts backtests run). */
export function runOptimizationInWorker(
  optimization: OptimizationSpec,
  options: { onProgress?: (p: BacktestProgress) => void; now?: () => number; nice?: number } = {},
): WorkerRun<OptimizationReport> {
  return runInWorker<OptimizationReport>({ optimization }, options);
}

/**
 * Reads the bars of a recording in a worker thread (parsing is synchronous and takes tens of ms a month of
 * 5 m bars); rejects with BacktestInputError / BacktestDataError as readRecording throws them.
 */
export async function readReplayInWorker(replay: { root: string; recording: string; symbol: string; interval: CandleInterval }, nice?: number): Promise<ReplaySeries> {
  try {
    return await runInWorker<ReplaySeries>({ replay }, { nice }).result;
  } catch (error) {
    const e = error as Error;
    if (e.name === 'BacktestInputError') throw new BacktestInputError(e.message);
    if (e.name === 'BacktestDataError') throw new BacktestDataError(e.message);
    throw error;
  }
}

function runInWorker<R>(data: { spec: BacktestSpec } | { optimization: OptimizationSpec } | { replay: { root: string; recording: string; symbol: string; interval: CandleInterval } }, options: { onProgress?: (p: BacktestProgress) => void; now?: () => number; nice?: number }): WorkerRun<R> {
  const now = options.now ?? (() => performance.now());
  const { url, entry } = workerEntry();
  const worker = new Worker(url, { workerData: { ...entry, ...data, nice: options.nice } });
  const started = now();
  let settled = false;
  let cancelled = false;
  const result = new Promise<R>((resolve, reject) => {
    worker.on('message', (m: { type: 'progress'; done: number; total: number } | { type: 'result'; result: R } | { type: 'error'; message: string; name?: string }) => {
      if (m.type === 'progress') {
        const elapsed = now() - started;
        options.onProgress?.({ done: m.done, total: m.total, fraction: m.done / m.total, etaMs: m.done > 0 ? (elapsed * (m.total - m.done)) / m.done : null });
      } else if (m.type === 'result') {
        settled = true;
        resolve(m.result);
        void worker.terminate();
      } else {
        settled = true;
        const error = new Error(m.message);
        if (m.name) error.name = m.name;
        reject(error);
        void worker.terminate();
      }
    });
    worker.on('error', (e) => {
      settled = true;
      reject(e);
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(cancelled ? 'backtest cancelled' : `backtest worker exited with code ${code}`));
    });
  });
  return {
    result,
    async cancel() {
      cancelled = true;
      await worker.terminate();
    },
  };
}
