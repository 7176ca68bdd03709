import { silentLogger, type Logger } from '../db/logger.js';

/** Where a batch writer's rows go: one statement per call (all or nothing), resolving to the rows written. */
export interface BatchStore<Row> {
  insertMany(rows: readonly Row[]): Promise<number>;
}

export interface BatchWriterOptions<Row> {
  store: BatchStore<Row>;
  /** What the rows are, in log messages (`snapshot`, `archive row`). */
  what: string;
  /** Largest batch the store accepts (its statement's bind-parameter bound). */
  maxBatchSize: number;
  /** Milliseconds between two timed flushes while the store is healthy. */
  flushEveryMs: number;
  /**
   * Rows kept in memory while the store fails. Beyond it the oldest are dropped and counted in `dropped`.
   * (One batch being written at that moment is held in addition.)
   */
  maxBuffered: number;
  /** Rows per `insertMany` call (one INSERT statement each; at most maxBatchSize). Default 500. */
  batchSize?: number;
  /** Ceiling of the retry delay after consecutive failures (doubling from `flushEveryMs`). Default 30 000. */
  maxBackoffMs?: number;
  logger?: Logger;
}

export interface BatchWriterStats {
  /** Rows waiting to be written, including a batch in flight. */
  buffered: number;
  written: number;
  /** Rows given up: the oldest when the buffer overflowed, and rows enqueued after stop(). */
  dropped: number;
  /** insertMany calls that failed (each is retried later, not lost). */
  failedFlushes: number;
  /** Message of the most recent failure; null once never failed. */
  lastError: string | null;
  /** True while the latest write attempt failed (the store is unreachable or refusing rows). */
  failing: boolean;
}

export interface BatchWriter<Row> {
  /** Never blocks and never throws; the row is written by a later flush. */
  enqueue(row: Row): void;
  /** Writes everything buffered now (after any flush in progress). Resolves either way; see stats(). */
  flush(): Promise<void>;
  /** Stops the timer, makes a final flush attempt and resolves with the final stats. */
  stop(): Promise<BatchWriterStats>;
  stats(): BatchWriterStats;
}

/**
 * Batches rows (analysis snapshots, archived market data) into `insertMany` calls on a timer.
 *
 * Invariants:
 * - rows reach the store in enqueue order; a failed batch goes back to the front and is retried;
 * - at most one `insertMany` is in flight (flushes are serialised);
 * - during an outage memory stays bounded: at most `maxBuffered` rows wait (plus the batch in flight), the
 *   oldest beyond that are dropped, counted and logged — never lost silently;
 * - after a failure the timer backs off exponentially (flushEveryMs · 2^n, capped at maxBackoffMs) and
 *   returns to `flushEveryMs` after the next success. An explicit flush() tries immediately.
 */
export function createBatchWriter<Row>(options: BatchWriterOptions<Row>): BatchWriter<Row> {
  const { store, flushEveryMs, maxBuffered, what } = options;
  const batchSize = options.batchSize ?? 500;
  const maxBackoffMs = options.maxBackoffMs ?? 30_000;
  const logger = options.logger ?? silentLogger;
  for (const [name, value] of Object.entries({ flushEveryMs, maxBuffered, batchSize, maxBackoffMs })) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer (got ${String(value)})`);
  }
  if (batchSize > options.maxBatchSize) throw new RangeError(`batchSize must be at most ${options.maxBatchSize} (got ${batchSize})`);

  let buffer: Row[] = [];
  let inFlight: Row[] = [];
  let written = 0;
  let dropped = 0;
  let droppedUnreported = 0;
  let failedFlushes = 0;
  let consecutiveFailures = 0;
  let lastError: string | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  /** Tail of the serialised flush chain; every flush runs after the previous one settled. */
  let chain: Promise<void> = Promise.resolve();
  let flushing = false;

  function trim(): void {
    const excess = buffer.length - maxBuffered;
    if (excess > 0) {
      buffer.splice(0, excess);
      dropped += excess;
      droppedUnreported += excess;
    }
  }

  function reportDrops(): void {
    if (droppedUnreported === 0) return;
    logger.warn(
      { dropped: droppedUnreported, totalDropped: dropped, maxBuffered, lastError },
      `${what} buffer full: dropped the ${droppedUnreported} oldest unwritten ${what}s`,
    );
    droppedUnreported = 0;
  }

  async function drain(): Promise<void> {
    flushing = true;
    try {
      while (buffer.length > 0) {
        inFlight = buffer.splice(0, batchSize);
        try {
          await store.insertMany(inFlight);
          written += inFlight.length;
          inFlight = [];
          if (consecutiveFailures > 0) {
            logger.info({ failedAttempts: consecutiveFailures, buffered: buffer.length }, `${what} store recovered`);
          }
          consecutiveFailures = 0;
        } catch (error) {
          failedFlushes += 1;
          consecutiveFailures += 1;
          lastError = error instanceof Error ? error.message : String(error);
          // Back to the front, in order; the batch is now the oldest and the first to go if the buffer is full.
          buffer = inFlight.concat(buffer);
          inFlight = [];
          trim();
          logger.warn(
            { err: error, buffered: buffer.length, consecutiveFailures, retryInMs: nextDelay() },
            `${what} write failed; keeping the rows buffered for a retry`,
          );
          break;
        }
      }
    } finally {
      flushing = false;
      reportDrops();
    }
  }

  function flush(): Promise<void> {
    chain = chain.then(drain);
    return chain;
  }

  function nextDelay(): number {
    if (consecutiveFailures === 0) return flushEveryMs;
    return Math.min(maxBackoffMs, flushEveryMs * 2 ** Math.min(consecutiveFailures, 30));
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = undefined;
      // A slow store must not pile up timed flushes behind the one in flight.
      const run = flushing || buffer.length === 0 ? Promise.resolve() : flush();
      void run.then(schedule);
    }, nextDelay());
    timer.unref();
  }

  function stats(): BatchWriterStats {
    return { buffered: buffer.length + inFlight.length, written, dropped, failedFlushes, lastError, failing: consecutiveFailures > 0 };
  }

  schedule();

  return {
    enqueue(row) {
      if (stopped) {
        dropped += 1;
        logger.warn({ what }, `${what} enqueued after stop(); dropped`);
        return;
      }
      buffer.push(row);
      trim();
    },
    flush,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
      await flush();
      const final = stats();
      if (final.buffered > 0) {
        logger.error(
          { unwritten: final.buffered, dropped: final.dropped, lastError: final.lastError },
          `stopping with ${final.buffered} ${what}s that could not be written`,
        );
      }
      return final;
    },
    stats,
  };
}
