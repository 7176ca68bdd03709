import type { SqlExecutor } from './database.js';
import { silentLogger, type Logger } from './logger.js';
import type { RetentionPolicy, RetentionSettings } from '../domain/retention.js';

export type { RetentionPolicy, RetentionSettings, RetentionTier } from '../domain/retention.js';

export interface PruneStats {
  /** Rows deleted by downsampling (not the newest of their bucket). */
  downsampled: number;
  /** Rows deleted for being older than the last tier. */
  expired: number;
  /** Wall milliseconds the run took. */
  ms: number;
}

export interface SnapshotPruner {
  /** One pass over every kind; resolves with what it deleted. Passes never overlap. */
  runOnce(): Promise<PruneStats>;
  /** Runs a pass every `everyMs` (first after `everyMs`). */
  start(): void;
  /** Stops the timer and waits for a pass in flight. */
  stop(): Promise<void>;
  stats(): { runs: number; downsampled: number; expired: number; lastError: string | null };
}

export interface SnapshotPrunerOptions {
  sql: SqlExecutor;
  settings: RetentionSettings;
  everyMs: number;
  /** Rows deleted per statement: keeps an embedded database (PGlite runs on this thread) from stalling the loop. */
  chunkRows?: number;
  now?: () => number;
  logger?: Logger;
}

const ts = (ms: number) => new Date(ms).toISOString();
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The periodic prune/downsample job, plain SQL that PGlite and Postgres both run: per policy, for each
 * downsampled tier one `DELETE … WHERE id IN (SELECT … row_number() OVER (PARTITION BY kind, symbol,
 * bucket) …)` and one range `DELETE` past the last tier, in chunks of `chunkRows` with the event loop given
 * back between chunks. Each tier's scan starts where the previous pass left off (less two buckets and one
 * period of margin), so a pass reads only the rows that aged into a tier since the last one; the first pass
 * after start reads each tier whole.
 */
export function createSnapshotPruner(options: SnapshotPrunerOptions): SnapshotPruner {
  const { sql, settings, everyMs } = options;
  const chunkRows = options.chunkRows ?? 2_000;
  const now = options.now ?? Date.now;
  const logger = options.logger ?? silentLogger;
  /** Per (policy, tier): the created_at upper bound the last pass covered. */
  const covered = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<PruneStats> | undefined;
  const totals = { runs: 0, downsampled: 0, expired: 0, lastError: null as string | null };

  /** `kind = $n` for a per-kind policy, `kind NOT IN (…)` for the default. */
  function kindFilter(kind: string | null, params: unknown[]): string {
    if (kind !== null) {
      params.push(kind);
      return `kind = $${params.length}`;
    }
    const others = [...settings.byKind.keys()];
    if (others.length === 0) return 'TRUE';
    return `kind NOT IN (${others.map((k) => (params.push(k), `$${params.length}`)).join(', ')})`;
  }

  async function chunked(statement: (params: unknown[]) => string, base: () => unknown[]): Promise<number> {
    let total = 0;
    for (;;) {
      const params = base();
      const text = statement(params);
      const { affectedRows } = await sql.query(text, params);
      total += affectedRows;
      if (affectedRows < chunkRows) return total;
      await yieldToLoop();
    }
  }

  async function prunePolicy(kind: string | null, policy: RetentionPolicy, t: number): Promise<Omit<PruneStats, 'ms'>> {
    let downsampled = 0;
    let expired = 0;
    let younger = 0;
    for (const [i, tier] of policy.entries()) {
      const olderThan = t - younger; // created_at below this is in this tier or older
      younger = tier.maxAgeMs;
      if (tier.resolutionMs === null) continue;
      const key = `${kind ?? '*'}#${i}`;
      const previous = covered.get(key);
      const from = previous === undefined ? null : previous - 2 * tier.resolutionMs - everyMs;
      const resolution = tier.resolutionMs;
      downsampled += await chunked(
        (params) => {
          const where = [kindFilter(kind, params)];
          params.push(ts(olderThan));
          where.push(`created_at < $${params.length}::timestamptz`);
          if (from !== null) {
            params.push(ts(from));
            where.push(`created_at >= $${params.length}::timestamptz`);
          }
          params.push(resolution, chunkRows);
          const [r, limit] = [params.length - 1, params.length];
          return `DELETE FROM analysis_snapshot WHERE id IN (
            SELECT id FROM (
              SELECT id, row_number() OVER (
                PARTITION BY kind, symbol, floor(extract(epoch FROM as_of) * 1000 / $${r}::float8)
                ORDER BY as_of DESC, id DESC) AS rn
              FROM analysis_snapshot WHERE ${where.join(' AND ')}
            ) ranked WHERE rn > 1 LIMIT $${limit})`;
        },
        () => [],
      );
      covered.set(key, olderThan);
    }
    const last = policy.at(-1);
    if (last && Number.isFinite(last.maxAgeMs)) {
      expired += await chunked(
        (params) => {
          const filter = kindFilter(kind, params);
          params.push(ts(t - last.maxAgeMs), chunkRows);
          return `DELETE FROM analysis_snapshot WHERE id IN (
            SELECT id FROM analysis_snapshot WHERE ${filter} AND created_at < $${params.length - 1}::timestamptz LIMIT $${params.length})`;
        },
        () => [],
      );
    }
    return { downsampled, expired };
  }

  async function pass(): Promise<PruneStats> {
    const started = performance.now();
    const t = now();
    let downsampled = 0;
    let expired = 0;
    for (const [kind, policy] of [[null, settings.default] as const, ...settings.byKind]) {
      const done = await prunePolicy(kind, policy, t);
      downsampled += done.downsampled;
      expired += done.expired;
    }
    totals.runs += 1;
    totals.downsampled += downsampled;
    totals.expired += expired;
    totals.lastError = null;
    const ms = Math.round(performance.now() - started);
    if (downsampled + expired > 0) logger.info({ downsampled, expired, ms }, 'snapshot retention pass');
    return { downsampled, expired, ms };
  }

  function runOnce(): Promise<PruneStats> {
    running ??= pass().finally(() => (running = undefined));
    return running;
  }

  function schedule(): void {
    timer = setTimeout(() => {
      runOnce()
        .catch((error: unknown) => {
          totals.lastError = error instanceof Error ? error.message : String(error);
          logger.warn({ err: error }, 'snapshot retention pass failed; retrying next period');
        })
        .finally(() => {
          if (timer !== undefined) schedule();
        });
    }, everyMs);
    timer.unref();
  }

  return {
    runOnce,
    start() {
      if (timer === undefined) schedule();
    },
    async stop() {
      clearTimeout(timer);
      timer = undefined;
      await running?.catch(() => undefined);
    },
    stats: () => ({ ...totals }),
  };
}
