import { randomUUID } from 'node:crypto';
import type { BacktestResult } from '../backtest/backtest.types.js';
import type { BacktestSpec } from '../backtest/backtest-job.js';
import type { OptimizationReport } from '../backtest/optimize.js';
import { runBacktestInWorker, runOptimizationInWorker, type BacktestProgress, type WorkerRun } from '../backtest/run-in-worker.js';
import type { Logger } from '../logger.js';
import type { AppPubSub } from '../pubsub.js';
import { checkBacktestData, loadBacktestSpec, type BacktestDataDeps } from './backtest-data.js';
import type { BacktestJobInput, BacktestProgressEvent } from './backtest-input.js';
export type { BacktestProgressEvent } from './backtest-input.js';
import { TERMINAL, type BacktestJobRecord, type BacktestJobStore, type JobStatus } from './backtest-store.js';
import type { JobQueue } from './job-queue.js';

/** More jobs are waiting or running than BACKTEST_MAX_PENDING allows. */
export class BacktestQueueFullError extends Error {
  override name = 'BacktestQueueFullError';
}

/** A backtest's result as stored: the simulation's output and the warm-up it had. */
export type StoredBacktestResult = BacktestResult & { warmUpBars: number };

export interface BacktestJobs {
  readonly queueKind: JobQueue['kind'];
  /** Validates the data (throws BacktestInputError / BacktestDataError), stores the job QUEUED and enqueues it. */
  submit(input: BacktestJobInput, keyId: string | null): Promise<BacktestJobRecord>;
  get(id: string): Promise<BacktestJobRecord | undefined>;
  list(q: { keyId: string | null; first: number; status?: JobStatus }): Promise<BacktestJobRecord[]>;
  /** Cancels a QUEUED or RUNNING job (a run on this instance stops at once, elsewhere at its next progress report). */
  cancel(id: string): Promise<BacktestJobRecord | undefined>;
  /** The current state as an event (the first one a progress subscription sends). */
  snapshot(record: BacktestJobRecord): BacktestProgressEvent;
  start(): Promise<void>;
  /** Fails the jobs the queue abandoned (see `sweep` below); the number failed. Runs on start and every minute. */
  sweep(): Promise<number>;
  stop(): Promise<void>;
}

/** How often the table is compared with the queue for jobs whose last run died with its instance (ms). */
export const ABANDONED_SWEEP_MS = 60_000;

/** The report with the open times of its bar ranges (bar i of the run is candle warmUpBars + i). */
function withTimes(report: OptimizationReport, spec: BacktestSpec) {
  const warm = spec.warmUpBars ?? 0;
  const t = (i: number) => spec.candles[warm + i]?.openTime ?? spec.candles.at(-1)!.closeTime + 1;
  return {
    ...report,
    windows: report.windows.map((w) => ({ ...w, inSampleFrom: t(w.inSample.start), inSampleTo: t(w.inSample.end), outOfSampleFrom: t(w.outOfSample.start), outOfSampleTo: t(w.outOfSample.end) })),
  };
}

class StoppingError extends Error {
  override name = 'StoppingError';
}

export function createBacktestJobs(options: {
  store: BacktestJobStore;
  data: BacktestDataDeps;
  queue: JobQueue;
  pubsub: AppPubSub['pubsub'];
  /** Jobs QUEUED or RUNNING at most (BACKTEST_MAX_PENDING). */
  maxPending: number;
  /** Least milliseconds between two progress writes and events of one job. */
  progressEveryMs: number;
  now: () => number;
  logger: Logger;
}): BacktestJobs {
  const { store, queue, pubsub, logger, now } = options;
  const running = new Map<string, WorkerRun<unknown>>();
  let stopping = false;

  const event = (r: BacktestJobRecord, done: number | null = null, total: number | null = null): BacktestProgressEvent => ({
    id: r.id,
    status: r.status,
    progress: r.progress,
    done,
    total,
    etaMs: r.etaMs,
    error: r.error,
    at: now(),
  });
  const publish = (e: BacktestProgressEvent) => pubsub.publish('backtest:progress', e.id, e);
  const publishRecord = async (id: string) => {
    const r = await store.get(id);
    if (r) publish(event(r));
  };

  async function execute(id: string, lastRun: boolean): Promise<void> {
    if (stopping) throw new StoppingError('instance stopping');
    const record = await store.begin(id, now());
    if (!record) return; // finished or cancelled meanwhile
    publish(event(record));
    let spec: BacktestSpec;
    try {
      spec = await loadBacktestSpec(record.input, options.data);
    } catch (error) {
      await store.fail(id, error instanceof Error ? error.message : String(error), now());
      await publishRecord(id);
      return;
    }
    let last = 0;
    let gone = false;
    let run: WorkerRun<unknown>;
    const onProgress = (p: BacktestProgress) => {
      const t = now();
      if (t - last < options.progressEveryMs) return;
      last = t;
      publish({ id, status: 'RUNNING', progress: p.fraction, done: p.done, total: p.total, etaMs: p.etaMs, error: null, at: t });
      void store
        .progress(id, p.fraction, p.etaMs, t)
        .then((stillRunning) => {
          if (!stillRunning && !gone) {
            gone = true;
            void run.cancel();
          }
        })
        .catch((err: unknown) => logger.warn({ err, jobId: id }, 'backtest progress write failed'));
    };
    run =
      record.kind === 'OPTIMIZATION'
        ? (runOptimizationInWorker({ backtest: spec, settings: record.input.optimize! }, { onProgress, nice: options.data.nice }) as WorkerRun<unknown>)
        : (runBacktestInWorker(spec, { onProgress, nice: options.data.nice }) as WorkerRun<unknown>);
    running.set(id, run);
    try {
      const result = await run.result;
      const stored = record.kind === 'OPTIMIZATION' ? withTimes(result as OptimizationReport, spec) : ({ ...(result as BacktestResult), warmUpBars: spec.warmUpBars ?? 0 } satisfies StoredBacktestResult);
      await store.succeed(id, stored, now());
    } catch (error) {
      if (stopping) {
        if (lastRun) {
          await store.fail(id, `interrupted by instance stops on each of its ${record.attempts} runs (BACKTEST_MAX_ATTEMPTS)`, now());
          return;
        }
        await store.requeue(id, now());
        throw new StoppingError('instance stopping: the job runs again later');
      }
      // Cancelled (by cancelBacktest here or elsewhere) leaves the CANCELLED record as it is; anything else fails the job.
      if (!gone) await store.fail(id, error instanceof Error ? error.message : String(error), now());
    } finally {
      running.delete(id);
    }
    await publishRecord(id);
  }

  let sweeper: NodeJS.Timeout | null = null;
  /**
   * A job whose last allowed run died with its instance (killed, not stopped: no requeue, no failure written)
   * stays RUNNING in the table while pg-boss has failed it after BACKTEST_JOB_EXPIRE_S. The sweep writes that
   * end (FAILED with the reason), on start and every ABANDONED_SWEEP_MS, so no job waits forever.
   */
  async function sweep(): Promise<number> {
    if (!queue.abandoned) return 0;
    try {
      const ids = (await store.unfinished()).filter((id) => !running.has(id));
      let failed = 0;
      for (const id of await queue.abandoned(ids)) {
        if (await store.fail(id, 'its last allowed run ended without a result (the instance running it stopped without a word); the queue will not run it again', now())) {
          failed += 1;
          const record = await store.get(id);
          if (record) publish(event(record));
        }
      }
      return failed;
    } catch (err) {
      logger.warn({ err }, 'backtest sweep failed; retried at the next one');
      return 0;
    }
  }

  return {
    queueKind: queue.kind,
    async submit(input, keyId) {
      await checkBacktestData(input, options.data);
      const pending = await store.countUnfinished();
      if (pending >= options.maxPending) throw new BacktestQueueFullError(`${pending} backtest jobs are queued or running (BACKTEST_MAX_PENDING ${options.maxPending}): try again when one has finished`);
      const record = await store.create({ id: randomUUID(), kind: input.optimize ? 'OPTIMIZATION' : 'BACKTEST', keyId, input }, now());
      await queue.enqueue(record.id);
      logger.info({ jobId: record.id, kind: record.kind, strategy: input.strategy, symbol: input.symbol, queue: queue.kind }, 'backtest job queued');
      return record;
    },
    get: (id) => store.get(id),
    list: (q) => store.list(q),
    async cancel(id) {
      const record = await store.cancel(id, now());
      const local = running.get(id);
      if (record?.status === 'CANCELLED' && local) await local.cancel();
      if (record && TERMINAL.has(record.status)) publish(event(record));
      return record;
    },
    snapshot: (r) => event(r),
    async start() {
      await queue.start(execute);
      // The in-process queue forgets on restart: hand out again what the table says is unfinished. (pg-boss keeps
      // its own jobs; sending a job id it holds is a no-op, so this only recovers a job whose send never happened.)
      for (const id of await store.unfinished()) await queue.enqueue(id);
      await sweep();
      if (queue.abandoned) {
        sweeper = setInterval(() => void sweep(), ABANDONED_SWEEP_MS);
        sweeper.unref();
      }
    },
    sweep,
    async stop() {
      stopping = true;
      if (sweeper) clearInterval(sweeper);
      await Promise.allSettled([...running.values()].map((r) => r.cancel()));
      await queue.stop();
    },
  };
}
