import type { EventLoopHealth } from './event-loop.js';
import type { DataOrigin } from './domain/market.js';
import type { SourceState, VenueHealth } from './datasources/market-data-source.js';
import type { HealthStatus } from './domain/health.js';

export interface ComponentHealth {
  status: HealthStatus;
  /** e.g. `pglite`, `postgres`, `memory`, `redis`. */
  kind: string;
  latencyMs: number | null;
  error: string | null;
  /** Epoch ms since which the component has been in its current `status` (see createStateClock). */
  since: number;
}

/** The pub/sub part: a component plus what Redis publishing has lost. */
export interface PubSubHealth extends ComponentHealth {
  /** Redis PUBLISH calls that failed since start (events other instances missed); 0 in memory. */
  publishFailures: number;
  /** Epoch ms of the last failed publish; null when none failed. */
  lastPublishFailureAt: number | null;
}

/** Readiness in one object: served at `/ready` and as `Query.health`. */
export interface HealthReport {
  status: HealthStatus;
  ready: boolean;
  version: string;
  role: string;
  uptimeMs: number;
  database: ComponentHealth;
  pubsub: PubSubHealth;
  marketSource: {
    status: HealthStatus;
    origin: DataOrigin | null;
    venue: string | null;
    state: SourceState | null;
    lastEventAt: number | null;
    lastError: string | null;
    /** Serving the simulated market because live Binance was unreachable at start (MARKET_SOURCE unset). */
    fallback: boolean;
    /** Epoch ms since which the source has been in its current `state` (null state included). */
    since: number;
  };
  /** One line per upstream venue this instance reads, with since when it is in its current state. */
  venues: Array<VenueHealth & { since: number }>;
  /** Event-loop delay of this process over the last window. */
  eventLoop: EventLoopHealth;
  snapshots: { buffered: number; written: number; dropped: number; failedFlushes: number; lastError: string | null; failing: boolean };
  /** The market-data archive; null when it is off (ARCHIVE_ENABLED, ARCHIVE_ORIGINS, no database). */
  archive: ArchiveHealth | null;
  /** Alert rules against this instance's ALERTS_SECRET_KEY, checked at start; null without a database. */
  alerts: AlertsHealth | null;
}

export interface AlertsHealth {
  rules: number;
  unreadableRules: number;
  /** False when a stored rule's channel secret cannot be opened with this key; null when no rule is stored. */
  secretKeyMatches: boolean | null;
  checkedAt: number;
}

export interface ArchiveHealth {
  buffered: number;
  written: number;
  dropped: number;
  failedFlushes: number;
  lastError: string | null;
  failing: boolean;
  pruned: number;
  /** Per type as of `statsAt` (the last retention pass); null before the first. */
  types: Array<{ type: string; rows: number; bytes: number; oldest: number | null; newest: number | null }> | null;
  statsAt: number | null;
}

/**
 * Since when each component is in its current state: `observe(key, state, now)` returns the time of the
 * first observation of `state` after a different one (or the first observation at all). The app samples
 * every component on each health read and on a background tick, so `since` is exact to that tick; before
 * the first sample of a process the clock starts at that sample (a restart starts a new history).
 */
export function createStateClock(): { observe(key: string, state: string, now: number): number } {
  const seen = new Map<string, { state: string; since: number }>();
  return {
    observe(key, state, now) {
      const last = seen.get(key);
      if (last && last.state === state) return last.since;
      seen.set(key, { state, since: now });
      return now;
    },
  };
}

/**
 * A component failure in project words for the public `/ready` and `Query.health`: what state it is in,
 * never the driver's text (which names hosts, ports, source paths and code excerpts). The full error
 * stays in the logs, with secrets in URLs redacted.
 */
export function describeFailure(error: unknown): string {
  const code = error && typeof error === 'object' ? (error as { code?: unknown }).code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  if (/^timed out after \d+ ms$/.test(message)) return message;
  if (code === 'ECONNREFUSED' || /ECONNREFUSED|Can't reach database server|DatabaseNotReachable/i.test(message)) return 'not reachable (connection refused)';
  if (code === 'ETIMEDOUT' || /timeout|timed out/i.test(message)) return 'not answering (timed out)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || /ENOTFOUND|EAI_AGAIN/.test(message)) return 'not reachable (host name does not resolve)';
  if (/authentication|password/i.test(message)) return 'refusing our credentials';
  if (/does not exist/i.test(message)) return 'database does not exist';
  if (/not currently accepting connections|too many (connections|clients)|starting up|shutting down/i.test(message)) return 'not accepting connections';
  if (/closed|terminated|ECONNRESET|MaxRetriesPerRequest/i.test(message)) return 'connection lost';
  return 'failing (see the server log)';
}
