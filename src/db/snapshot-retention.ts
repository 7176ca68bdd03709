import type { SqlExecutor } from './database.js';
import { silentLogger, type Logger } from './logger.js';

/**
 * Bounded snapshot history: each kind of analysis has tiers "up to AGE, keep one row per RESOLUTION".
 *
 *   1d:full,7d:1m,90d:1h   (the default)
 *
 * reads: rows younger than a day are kept as written; between one and seven days old, one row per minute of
 * `as_of`; between seven and ninety days, one per hour; older than ninety days, deleted. `full` keeps every
 * row; the last tier may have the age `forever` (nothing is ever deleted). Age is measured on `created_at`
 * (when the row was written, so a replay of old recordings is not pruned on arrival); buckets are aligned
 * on `as_of` (epoch-aligned minutes, hours, …) and the newest row of each bucket is the one kept, so
 * downsampling is idempotent and a coarser tier keeps a subset of what a finer one kept.
 */
export interface RetentionTier {
  /** Rows up to this age (ms since written) belong to this tier; Infinity for `forever`. */
  maxAgeMs: number;
  /** One row kept per bucket of this many ms of as_of; null keeps every row. */
  resolutionMs: number | null;
}

export type RetentionPolicy = readonly RetentionTier[];

export interface RetentionSettings {
  /** Applies to every kind without an entry in `byKind`. */
  default: RetentionPolicy;
  byKind: ReadonlyMap<string, RetentionPolicy>;
}

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `90s`, `10m`, `1h`, `1d`, `2w`, `500ms` → milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a duration like 30s, 10m, 1h, 1d or 2w`);
  const ms = Number(match[1]) * UNITS[match[2]!]!;
  if (!(ms >= 1)) throw new Error(`"${text}" must be at least one millisecond`);
  return Math.round(ms);
}

/** Parses `1d:full,7d:1m,90d:1h`; throws with the offending part quoted. */
export function parseRetentionPolicy(text: string): RetentionPolicy {
  const tiers = text.split(',').map((part, i, all) => {
    const [age, resolution, extra] = part.trim().split(':');
    if (age === undefined || resolution === undefined || extra !== undefined) throw new Error(`"${part}" is not AGE:RESOLUTION (e.g. 7d:1m)`);
    const forever = age.trim() === 'forever';
    if (forever && i !== all.length - 1) throw new Error(`"${part}": only the last tier may be forever`);
    return { maxAgeMs: forever ? Infinity : parseDuration(age), resolutionMs: resolution.trim() === 'full' ? null : parseDuration(resolution) };
  });
  for (let i = 1; i < tiers.length; i += 1) {
    const [prev, tier] = [tiers[i - 1]!, tiers[i]!];
    if (!(tier.maxAgeMs > prev.maxAgeMs)) throw new Error(`"${text}": tier ages must increase`);
    if (tier.resolutionMs !== null && prev.resolutionMs !== null && tier.resolutionMs < prev.resolutionMs) {
      throw new Error(`"${text}": an older tier cannot be finer than a younger one`);
    }
    if (tier.resolutionMs === null && prev.resolutionMs !== null) throw new Error(`"${text}": "full" after a downsampled tier`);
  }
  return tiers;
}

/** `LIQUIDATION_HEATMAP=6h:full,7d:1h;FUNDING=forever:full` → per-kind policies. */
export function parseRetentionByKind(text: string): Map<string, RetentionPolicy> {
  const byKind = new Map<string, RetentionPolicy>();
  for (const entry of text.split(';').map((e) => e.trim()).filter(Boolean)) {
    const eq = entry.indexOf('=');
    const kind = entry.slice(0, eq).trim();
    if (eq < 1 || !/^[A-Z0-9_]+$/.test(kind)) throw new Error(`"${entry}" is not KIND=POLICY (e.g. LIQUIDATION_HEATMAP=6h:full,7d:1h)`);
    byKind.set(kind, parseRetentionPolicy(entry.slice(eq + 1)));
  }
  return byKind;
}

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
