import PgBoss from 'pg-boss';
import type { Logger } from '../logger.js';
import type { SqlExecutor } from '../db/database.js';

/**
 * What runs backtest jobs: a handler per job id, at most `concurrency` at once on this instance. The job's
 * record (status, progress, result) lives in `backtest_job`; a queue only hands ids to handlers.
 *
 * - pg-boss (Postgres, DATABASE_URL set): a durable queue shared by every instance on the database; a job
 *   whose instance stops is failed by pg-boss's shutdown and retried (retryDelay 0), by another instance or
 *   after the restart; one whose instance dies without stopping is retried once its expiry
 *   (BACKTEST_JOB_EXPIRE_S) passes.
 * - memory (the embedded PGlite): PGlite is one database inside one process, so no other instance can share
 *   the queue anyway; jobs left QUEUED or RUNNING in `backtest_job` are handed out again on the next start.
 */
export interface JobQueue {
  kind: 'memory' | 'pg-boss';
  /** `lastRun`: the queue will not hand this job out again (pg-boss: its retries are used up). */
  start(handler: (id: string, lastRun: boolean) => Promise<void>): Promise<void>;
  enqueue(id: string): Promise<void>;
  /** Stops handing out jobs and waits for the handlers in flight (the caller cancels their work first). */
  stop(): Promise<void>;
  /**
   * Of `ids`, those the queue will never hand out again although they never reported an end: pg-boss failed
   * them after their last allowed run expired (an instance that died during it). The memory queue has none.
   */
  abandoned?(ids: readonly string[]): Promise<string[]>;
}

/** Bounded FIFO in this process: ids wait in memory, `concurrency` handlers run at once. */
export function createMemoryQueue(options: { concurrency: number; logger: Logger }): JobQueue {
  const waiting: string[] = [];
  const active = new Set<Promise<void>>();
  let handler: ((id: string, lastRun: boolean) => Promise<void>) | null = null;
  let stopped = false;
  const pump = () => {
    while (handler && !stopped && active.size < options.concurrency && waiting.length > 0) {
      const id = waiting.shift()!;
      // Jobs left unfinished are handed out again on the next start, however often.
      const run: Promise<void> = handler(id, false)
        .catch((err: unknown) => options.logger.warn({ err, jobId: id }, 'backtest job handler failed'))
        .finally(() => {
          active.delete(run);
          pump();
        });
      active.add(run);
    }
  };
  return {
    kind: 'memory',
    async start(h) {
      handler = h;
      pump();
    },
    async enqueue(id) {
      if (!waiting.includes(id)) waiting.push(id);
      pump();
    },
    async stop() {
      stopped = true;
      waiting.length = 0;
      await Promise.allSettled([...active]);
    },
  };
}

export const PG_BOSS_QUEUE = 'backtest';

/**
 * pg-boss 10 over the app's own Postgres pool (its `db.executeSql` adapter: no second pool), in its own
 * schema. `concurrency` workers with batch size 1 each take one job at a time.
 */
export function createPgBossQueue(options: {
  sql: SqlExecutor;
  schema: string;
  concurrency: number;
  expireInSeconds: number;
  retryLimit: number;
  pollingIntervalSeconds: number;
  logger: Logger;
}): JobQueue {
  const boss = new PgBoss({
    db: { executeSql: async (text: string, values: unknown[]) => ({ rows: (await options.sql.query(text, values ?? [])).rows }) },
    schema: options.schema,
    // Cron scheduling is not used; maintenance (expiry, archiving) is.
    schedule: false,
  });
  boss.on('error', (err) => options.logger.warn({ err }, 'pg-boss error'));
  return {
    kind: 'pg-boss',
    async start(handler) {
      await boss.start();
      await boss.createQueue(PG_BOSS_QUEUE, { name: PG_BOSS_QUEUE, retryLimit: options.retryLimit, retryDelay: 0, expireInSeconds: options.expireInSeconds });
      for (let i = 0; i < options.concurrency; i += 1) {
        await boss.work<{ id: string }>(PG_BOSS_QUEUE, { batchSize: 1, pollingIntervalSeconds: options.pollingIntervalSeconds, includeMetadata: true }, async (jobs) => {
          for (const job of jobs) await handler(job.data.id, job.retryCount >= job.retryLimit);
        });
      }
    },
    async enqueue(id) {
      // The job id is ours (a UUID): sending an id pg-boss already holds is a no-op (ON CONFLICT DO NOTHING).
      await boss.send(PG_BOSS_QUEUE, { id }, { id, retryLimit: options.retryLimit, retryDelay: 0, expireInSeconds: options.expireInSeconds });
    },
    async abandoned(ids) {
      const out: string[] = [];
      for (const id of ids) {
        const job = await boss.getJobById(PG_BOSS_QUEUE, id, { includeArchive: true });
        if (job && (job.state === 'failed' || job.state === 'cancelled' || job.state === 'completed')) out.push(id);
      }
      return out;
    },
    async stop() {
      // graceful + wait: pg-boss waits for the handlers (already told to give up), then fails what is still active.
      await boss.stop({ graceful: true, wait: true, timeout: 10_000, close: false });
    },
  };
}
