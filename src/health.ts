import type { EventLoopHealth } from './event-loop.js';
import type { DataOrigin } from './domain/market.js';
import type { SourceState, VenueHealth } from './datasources/market-data-source.js';
import type { HealthStatus } from './schema/enums.js';

export interface ComponentHealth {
  status: HealthStatus;
  /** e.g. `pglite`, `postgres`, `memory`, `redis`. */
  kind: string;
  latencyMs: number | null;
  error: string | null;
}

/** Readiness in one object: served at `/ready` and as `Query.health`. */
export interface HealthReport {
  status: HealthStatus;
  ready: boolean;
  version: string;
  role: string;
  uptimeMs: number;
  database: ComponentHealth;
  pubsub: ComponentHealth;
  marketSource: {
    status: HealthStatus;
    origin: DataOrigin | null;
    venue: string | null;
    state: SourceState | null;
    lastEventAt: number | null;
    lastError: string | null;
    /** Serving the simulated market because live Binance was unreachable at start (MARKET_SOURCE unset). */
    fallback: boolean;
  };
  /** One line per upstream venue this instance reads. */
  venues: VenueHealth[];
  /** Event-loop delay of this process over the last window. */
  eventLoop: EventLoopHealth;
  snapshots: { buffered: number; written: number; dropped: number; failedFlushes: number; lastError: string | null; failing: boolean };
}
