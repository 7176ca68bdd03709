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
   * that need no on-demand work are answered between two jobs. Calls with the same `key` while one is
   * queued or running share its result (coalesced). Rejected with RATE_LIMITED when the queue is full
   * or its estimated work exceeds the budget.
   */
  run<T>(kind: string, key: string, job: () => T): Promise<T>;
  stats(): OnDemandStats;
}

/**
 * Hand-written (about 60 lines) rather than p-queue & co.: the admission test needs the estimated
 * cost per analysis kind (a running average of measured durations), which generic queues do not track.
 * Worker threads were not used: the inputs live in the main thread's market store and copying a 30-day
 * store per job costs more than the computations themselves (1–60 ms, see bench/analyzers.ts).
 */
export function createOnDemandScheduler(options: OnDemandOptions): OnDemandScheduler {
  const clock = options.clock ?? (() => performance.now());
  const estimate = new Map<string, number>();
  const inflight = new Map<string, Promise<unknown>>();
  const queue: Array<() => void> = [];
  const stats: OnDemandStats = { queued: 0, queuedMs: 0, ran: 0, coalesced: 0, rejected: 0 };
  let draining = false;

  const estimateOf = (kind: string) => estimate.get(kind) ?? options.initialEstimateMs ?? 20;

  function drain(): void {
    const next = queue.shift();
    if (!next) {
      draining = false;
      return;
    }
    next();
    setImmediate(drain);
  }

  return {
    run<T>(kind: string, key: string, job: () => T): Promise<T> {
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
          try {
            resolve(job());
          } catch (error) {
            reject(error);
          } finally {
            const took = clock() - started;
            const previous = estimate.get(kind);
            estimate.set(kind, previous === undefined ? took : previous * 0.8 + took * 0.2);
            stats.queued -= 1;
            stats.queuedMs = Math.max(0, stats.queuedMs - cost);
            stats.ran += 1;
            inflight.delete(key);
          }
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
