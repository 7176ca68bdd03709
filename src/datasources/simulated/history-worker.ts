/**
 * Worker thread of the simulated market's start-up backfill (bundled to dist/history-worker.js). It runs
 * `generateHistory` — the same pure, deterministic function the source otherwise calls in-thread — for each
 * symbol it is given and posts every history back as it is done, so the ≈ 0.3 s of CPU per symbol runs on the
 * other core, alongside the embedded database's open, instead of blocking the main thread. What is generated
 * is not changed here: only where it runs. One short-lived thread per start, ended once the symbols are done.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { generateHistory, type HistoryOptions } from './history.js';

export interface HistoryWorkerData {
  /** One entry per symbol, in order. */
  jobs: HistoryOptions[];
}

export type HistoryWorkerMessage =
  | { symbol: string; history: ReturnType<typeof generateHistory> }
  | { symbol: string; error: string };

const { jobs } = workerData as HistoryWorkerData;
for (const job of jobs) {
  try {
    parentPort!.postMessage({ symbol: job.symbol, history: generateHistory(job) } satisfies HistoryWorkerMessage);
  } catch (error) {
    parentPort!.postMessage({ symbol: job.symbol, error: error instanceof Error ? error.message : String(error) } satisfies HistoryWorkerMessage);
  }
}
