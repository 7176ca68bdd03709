import type { SqlExecutor } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { ChannelContext } from './channel-context.js';
import { deliver as deliverOnChannel } from './channels.js';
import type { AlertMessage, ChannelType, DeliveryResult, StoredChannel } from './types.js';

/**
 * The durable alert outbox (tables alert_event, alert_delivery, alert_delivery_attempt).
 *
 * Hand-written, not pg-boss / graphile-worker / BullMQ: BullMQ needs Redis (absent in the embedded default),
 * pg-boss and graphile-worker need a real Postgres server (several pooled connections, LISTEN/NOTIFY, their
 * own schema migrations run through `pg`), which the embedded PGlite (one in-process connection, no pg wire)
 * is not; and none of them is installed. The whole queue is four SQL statements that run unchanged on both:
 *
 * - enqueue: ONE statement inserts the event (`ON CONFLICT (idempotency_key) DO NOTHING`) and its delivery
 *   rows (one per channel). Two instances evaluating the same record insert one event; the loser inserts
 *   nothing. The event is in the database before any delivery is tried.
 * - claim: ONE `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED LIMIT n)` moves due rows to DELIVERING
 *   with a lease (`locked_until`). On a shared Postgres two dispatchers never claim the same row; on PGlite
 *   there is one process. A row whose lease expired (its process died mid-delivery) is claimed again.
 * - finish: ONE statement updates the row (DELIVERED, or PENDING with `next_attempt_at` = now + backoff, or
 *   DEAD after ALERTS_MAX_ATTEMPTS or on a permanent failure) and appends the attempt to the log.
 * Backoff: exponential with full jitter (delay = random · min(max, base · 2^(attempt-1)), AWS Architecture
 * Blog "Exponential Backoff And Jitter"), or exactly the receiver's retry_after when it sent one.
 * A database blip: enqueues and finish-writes that fail are kept in memory and retried every tick; a restart
 * resumes every PENDING row and, after its lease, every DELIVERING one. Delivery is at-least-once: a process
 * killed between a receiver's 2xx and the finish-write resends after the lease; webhook receivers dedupe on
 * X-Perpgraph-Idempotency-Key, Discord and Telegram have no such key, so that window is the one place a
 * duplicate can happen there.
 */

export const DeliveryStatuses = { PENDING: 'PENDING', DELIVERING: 'DELIVERING', DELIVERED: 'DELIVERED', DEAD: 'DEAD' } as const;
export type DeliveryStatus = (typeof DeliveryStatuses)[keyof typeof DeliveryStatuses];

export interface OutboxOptions {
  sql: SqlExecutor;
  channels: ChannelContext;
  logger: Logger;
  /** Unique per process (claims are tagged with it). */
  instanceId: string;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  pollMs: number;
  /** A claimed row is someone else's to retry after this long (well above the delivery timeout). */
  leaseMs: number;
  /** Deliveries in flight at once per process. */
  concurrency: number;
  /** Largest retry_after honoured; longer requests wait this long. Default 1 h. */
  maxRetryAfterMs?: number;
  /** Called after each attempt (metrics: perpgraph_alert_deliveries_total{channel,outcome}). */
  onAttempt?(attempt: { channel: ChannelType; outcome: AttemptOutcome; latencyMs: number; firedAt: number; test: boolean }): void;
  /** Deliveries of one channel type go through here instead of the real channel (benches, never the app). */
  send?(channel: StoredChannel, message: AlertMessage, ctx: ChannelContext): Promise<DeliveryResult>;
  random?: () => number;
  /** How many failed writes are kept in memory while the database is away. */
  maxBuffered?: number;
  /**
   * The clock of due times and leases. Absent (the app): the database's `now()`, one clock for every instance
   * sharing it. Tests inject one to run minutes of backoff without waiting for them.
   */
  clock?: () => number;
}

export type AttemptOutcome = 'DELIVERED' | 'RETRY' | 'DEAD';

export interface EnqueueRequest {
  message: AlertMessage;
  channels: readonly StoredChannel[];
}

export interface OutboxStats {
  delivered: number;
  retried: number;
  dead: number;
  bufferedWrites: number;
  lastError: string | null;
}

export interface Outbox {
  /**
   * Writes the event and its deliveries. `inserted` false when an event with this idempotency key exists
   * already (another instance, or a repeat); `buffered` when the database failed and the write is retried.
   */
  enqueue(request: EnqueueRequest): Promise<{ inserted: boolean; buffered: boolean }>;
  start(): void;
  stop(): Promise<void>;
  /** Runs a dispatch pass soon (after an enqueue). */
  wake(): void;
  /** One dispatch pass now (tests, benches); resolves when the claimed rows are finished. */
  tick(): Promise<number>;
  stats(): OutboxStats;
}

const ENQUEUE = `
WITH ev AS (
  INSERT INTO alert_event (id, rule_id, idempotency_key, event, symbol, source, test, message, fired_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::timestamptz)
  ON CONFLICT (idempotency_key) DO NOTHING
  RETURNING id
)
INSERT INTO alert_delivery (id, event_id, channel_index, channel_type, channel)
SELECT ev.id || ':' || (c.ord - 1), ev.id, c.ord - 1, c.value->>'type', c.value
FROM ev, jsonb_array_elements($10::jsonb) WITH ORDINALITY AS c(value, ord)
RETURNING id`;

const CLAIM = `
UPDATE alert_delivery d
SET status = 'DELIVERING', attempts = d.attempts + 1, locked_by = $1, locked_until = COALESCE($4::timestamptz, now()) + ($2::int * interval '1 millisecond')
FROM alert_event e
WHERE d.event_id = e.id AND d.id IN (
  SELECT id FROM alert_delivery
  WHERE (status = 'PENDING' AND next_attempt_at <= COALESCE($4::timestamptz, now())) OR (status = 'DELIVERING' AND locked_until < COALESCE($4::timestamptz, now()))
  ORDER BY next_attempt_at
  LIMIT $3
  FOR UPDATE SKIP LOCKED
)
RETURNING d.id, d.attempts, d.channel, e.message`;

const FINISH = `
WITH u AS (
  UPDATE alert_delivery
  SET status = $2, next_attempt_at = COALESCE($10::timestamptz, now()) + ($3::int * interval '1 millisecond'), locked_until = NULL, locked_by = NULL,
      last_error = $4, last_status_code = $5, delivered_at = CASE WHEN $2 = 'DELIVERED' THEN COALESCE($10::timestamptz, now()) ELSE NULL END
  WHERE id = $1 AND status = 'DELIVERING'
  RETURNING id
)
INSERT INTO alert_delivery_attempt (delivery_id, attempt, outcome, status_code, latency_ms, error, started_at)
SELECT id, $6, $7, $5, $8, $4, $9::timestamptz FROM u`;

interface ClaimedRow {
  id: string;
  attempts: number;
  channel: StoredChannel | string;
  message: AlertMessage | string;
}

const json = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);

/** Full-jitter exponential backoff for the attempt that just failed (1-based). */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(random() * ceiling);
}

export function createOutbox(options: OutboxOptions): Outbox {
  const { sql, logger } = options;
  const random = options.random ?? Math.random;
  const maxBuffered = options.maxBuffered ?? 10_000;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 3_600_000;
  const send = options.send ?? deliverOnChannel;
  /** The clock as a SQL parameter: null lets the database use its own now(). */
  const clockParam = () => (options.clock ? new Date(options.clock()).toISOString() : null);
  /** Writes that failed (database away), retried in order on every tick. */
  const unsaved: Array<{ text: string; params: unknown[]; what: string }> = [];
  const stats: OutboxStats = { delivered: 0, retried: 0, dead: 0, bufferedWrites: 0, lastError: null };
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<number> | null = null;
  let again = false;
  let stopped = true;
  let closing = false;

  function buffer(text: string, params: unknown[], what: string, error: unknown): void {
    stats.lastError = error instanceof Error ? error.message : String(error);
    if (unsaved.length >= maxBuffered) {
      logger.error({ what }, 'alert outbox: database unreachable and the write buffer is full; dropping the oldest write');
      unsaved.shift();
    }
    unsaved.push({ text, params, what });
    stats.bufferedWrites = unsaved.length;
    logger.warn({ what, buffered: unsaved.length, error: stats.lastError }, 'alert outbox: write failed, kept for retry');
  }

  async function flushUnsaved(): Promise<boolean> {
    while (unsaved.length > 0) {
      const next = unsaved[0]!;
      try {
        await sql.query(next.text, next.params);
      } catch (error) {
        stats.lastError = error instanceof Error ? error.message : String(error);
        return false;
      }
      unsaved.shift();
      stats.bufferedWrites = unsaved.length;
    }
    return true;
  }

  async function attempt(row: ClaimedRow): Promise<void> {
    const channel = json<StoredChannel>(row.channel);
    const message = json<AlertMessage>(row.message);
    const startedAt = options.clock?.() ?? Date.now();
    const t0 = performance.now();
    const result = await send(channel, message, options.channels);
    const latencyMs = performance.now() - t0;
    let outcome: AttemptOutcome;
    let delayMs = 0;
    if (result.ok) outcome = 'DELIVERED';
    else if (result.permanent || row.attempts >= options.maxAttempts) outcome = 'DEAD';
    else {
      outcome = 'RETRY';
      delayMs = result.retryAfterMs !== undefined ? Math.min(maxRetryAfterMs, Math.ceil(result.retryAfterMs)) : backoffMs(row.attempts, options.backoffBaseMs, options.backoffMaxMs, random);
    }
    const status = outcome === 'DELIVERED' ? 'DELIVERED' : outcome === 'DEAD' ? 'DEAD' : 'PENDING';
    const params = [row.id, status, delayMs, result.error ?? null, result.statusCode, row.attempts, outcome, latencyMs, new Date(startedAt).toISOString(), clockParam()];
    if (outcome === 'DELIVERED') stats.delivered += 1;
    else if (outcome === 'DEAD') stats.dead += 1;
    else stats.retried += 1;
    // Never the channel (secrets) nor the message: ids, type and outcome only.
    const log = { delivery: row.id, channel: channel.type, attempt: row.attempts, outcome, statusCode: result.statusCode, latencyMs: Math.round(latencyMs), retryInMs: delayMs, error: result.error };
    if (outcome === 'DEAD') logger.warn(log, 'alert delivery dead-lettered');
    else if (outcome === 'RETRY') logger.info(log, 'alert delivery failed, will retry');
    else logger.debug(log, 'alert delivered');
    options.onAttempt?.({ channel: channel.type, outcome, latencyMs, firedAt: message.firedAt, test: message.test });
    try {
      await sql.query(FINISH, params);
    } catch (error) {
      buffer(FINISH, params, `finish ${row.id}`, error);
    }
  }

  async function pass(): Promise<number> {
    if (!(await flushUnsaved())) return 0;
    let total = 0;
    for (;;) {
      let rows: ClaimedRow[];
      try {
        rows = (await sql.query<ClaimedRow>(CLAIM, [options.instanceId, options.leaseMs, options.concurrency, clockParam()])).rows;
      } catch (error) {
        stats.lastError = error instanceof Error ? error.message : String(error);
        logger.warn({ error: stats.lastError }, 'alert outbox: claim failed (database unreachable?), retrying next tick');
        return total;
      }
      if (rows.length === 0) return total;
      await Promise.all(rows.map(attempt));
      total += rows.length;
      if (rows.length < options.concurrency || closing) return total;
    }
  }

  function tick(): Promise<number> {
    if (running) {
      again = true;
      return running;
    }
    running = pass().finally(() => {
      running = null;
      if (again && !stopped) {
        again = false;
        void tick();
      }
    });
    return running;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      void tick().finally(schedule);
    }, options.pollMs);
    timer.unref();
  }

  return {
    async enqueue({ message, channels }) {
      const params = [
        message.eventId,
        message.ruleId,
        message.idempotencyKey,
        message.event,
        message.symbol,
        message.meta.source,
        message.test,
        JSON.stringify(message),
        new Date(message.firedAt).toISOString(),
        JSON.stringify(channels),
      ];
      try {
        const { rows } = await sql.query(ENQUEUE, params);
        return { inserted: rows.length > 0, buffered: false };
      } catch (error) {
        buffer(ENQUEUE, params, `enqueue ${message.idempotencyKey}`, error);
        return { inserted: false, buffered: true };
      }
    },
    start() {
      if (!stopped) return;
      stopped = false;
      closing = false;
      schedule();
    },
    async stop() {
      stopped = true;
      closing = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await running?.catch(() => undefined);
      if (unsaved.length > 0) await flushUnsaved();
    },
    wake() {
      if (!stopped) void tick();
    },
    tick,
    stats: () => ({ ...stats }),
  };
}
