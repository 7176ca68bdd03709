/**
 * The on-demand queue is full or over its time budget. A domain error (the engine knows nothing of
 * GraphQL): src/errors.ts maps it to RATE_LIMITED at the API.
 */
export class OnDemandBusyError extends Error {
  constructor(
    message: string,
    readonly queued: number,
    readonly queuedMs: number,
    readonly budgetMs: number,
  ) {
    super(message);
    this.name = 'OnDemandBusyError';
  }
}

export interface OnDemandOptions {
  /** Jobs that may wait at once (running ones included); one more is rejected with RATE_LIMITED. */
  maxQueued: number;
  /** Estimated milliseconds of queued work beyond which new jobs are rejected with RATE_LIMITED. */
  budgetMs: number;
  /** First estimate of a job kind's cost before it has been measured once. */
  initialEstimateMs?: number;
  /**
   * Asynchronous jobs (worker-pool computations) that may run at once; more wait in the queue. Default 1.
   * Synchronous jobs run one per event-loop turn whatever this says.
   */
  concurrency?: number;
  clock?: () => number;
}

export interface OnDemandStats {
  queued: number;
  queuedMs: number;
  ran: number;
  coalesced: number;
  rejected: number;
}

export interface OnDemandScheduler {
  /**
   * Runs `job` off the current call stack, one job per event-loop turn (setImmediate), so requests
   * that need no on-demand work are answered between two jobs. A job that returns a promise (a worker
   * thread computes it) holds one of `concurrency` slots until it settles; its measured cost is what it
   * reports through `measured` (the worker's compute time) or else its wall time. Calls with the same
   * `key` while one is queued or running share its result (coalesced). Rejected with RATE_LIMITED when
   * the queue is full or its estimated work exceeds the budget.
   */
  run<T>(kind: string, key: string, job: (measured: (ms: number) => void) => T | Promise<T>): Promise<T>;
  stats(): OnDemandStats;
}

/**
 * Hand-written (about 80 lines) rather than p-queue & co.: the admission test needs the estimated
 * cost per analysis kind (a running average of measured durations), which generic queues do not track.
 * Where the jobs run is the caller's choice: synchronously on the main thread (engine without a pool),
 * or in the worker pool of engine/on-demand-pool.ts (the app), which keeps a replica of the market
 * store in each worker because copying a store per job costs more than most computations.
 */
export function createOnDemandScheduler(options: OnDemandOptions): OnDemandScheduler {
  const clock = options.clock ?? (() => performance.now());
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const estimate = new Map<string, number>();
  const inflight = new Map<string, Promise<unknown>>();
  const queue: Array<() => void | Promise<void>> = [];
  const stats: OnDemandStats = { queued: 0, queuedMs: 0, ran: 0, coalesced: 0, rejected: 0 };
  let draining = false;
  let running = 0;

  const estimateOf = (kind: string) => estimate.get(kind) ?? options.initialEstimateMs ?? 20;

  function drain(): void {
    if (running >= concurrency) {
      draining = false; // a settling job drains again
      return;
    }
    const next = queue.shift();
    if (!next) {
      draining = false;
      return;
    }
    const pending = next();
    if (pending) {
      running += 1;
      void pending.finally(() => {
        running -= 1;
        if (!draining) {
          draining = true;
          setImmediate(drain);
        }
      });
    }
    setImmediate(drain);
  }

  return {
    run<T>(kind: string, key: string, job: (measured: (ms: number) => void) => T | Promise<T>): Promise<T> {
      const existing = inflight.get(key);
      if (existing) {
        stats.coalesced += 1;
        return existing as Promise<T>;
      }
      const cost = estimateOf(kind);
      if (stats.queued >= options.maxQueued || stats.queuedMs + cost > options.budgetMs) {
        stats.rejected += 1;
        return Promise.reject(
          new OnDemandBusyError(
            `The server is busy with on-demand computations (${stats.queued} queued, about ${Math.round(stats.queuedMs)} ms of work; budget ${options.budgetMs} ms). Retry shortly, or use the default arguments, which are served from the cache.`,
            stats.queued,
            Math.round(stats.queuedMs),
            options.budgetMs,
          ),
        );
      }
      stats.queued += 1;
      stats.queuedMs += cost;
      const promise = new Promise<T>((resolve, reject) => {
        queue.push(() => {
          const started = clock();
          let reported: number | undefined;
          const finish = () => {
            const took = reported ?? clock() - started;
            const previous = estimate.get(kind);
            estimate.set(kind, previous === undefined ? took : previous * 0.8 + took * 0.2);
            stats.queued -= 1;
            stats.queuedMs = Math.max(0, stats.queuedMs - cost);
            stats.ran += 1;
            inflight.delete(key);
          };
          let value: T | Promise<T>;
          try {
            value = job((ms) => {
              reported = ms;
            });
          } catch (error) {
            finish();
            reject(error);
            return;
          }
          if (!(value instanceof Promise)) {
            finish();
            resolve(value);
            return;
          }
          return value.then(
            (v) => {
              finish();
              resolve(v);
            },
            (error: unknown) => {
              finish();
              reject(error);
            },
          );
        });
      });
      inflight.set(key, promise);
      if (!draining) {
        draining = true;
        setImmediate(drain);
      }
      return promise;
    },
    stats: () => ({ ...stats }),
  };
}
