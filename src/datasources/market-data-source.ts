import type { Candle, CandleInterval, DataOrigin, FundingRate, MarketEvent, SymbolInfo } from '../domain/market.js';

export type MarketEventSink = (event: MarketEvent) => void;

export const SourceStates = { STARTING: 'STARTING', OK: 'OK', DEGRADED: 'DEGRADED', DOWN: 'DOWN', STOPPED: 'STOPPED' } as const;
export type SourceState = (typeof SourceStates)[keyof typeof SourceStates];

export interface SourceStatus {
  state: SourceState;
  /** Last error seen from upstream, if any. */
  lastError: string | null;
  /** Epoch ms of the last event delivered to the sink. */
  lastEventAt: number | null;
}

export interface CandleQuery {
  startTime?: number;
  endTime?: number;
  limit?: number;
}

/**
 * A source of market data for a set of symbols. Knows nothing of GraphQL; owns all upstream resilience.
 * `start` backfills recent history into the sink (funding settlements, candles) and then streams live
 * events until `stop`.
 */
export interface MarketDataSource {
  readonly origin: DataOrigin;
  /** Venue name shown in `meta.venue` (e.g. `binance-usdm`, `simulated`). */
  readonly venue: string;
  listSymbols(): Promise<SymbolInfo[]>;
  /**
   * True when `start` honours `options.resume` (its backfill fetches from where each series ends). The
   * archive restores the store only for such a source: another one would backfill its default window and
   * leave a silent hole between the archived history and it.
   */
  readonly resumesFromArchive?: boolean;
  /** `options.resume`: what the sink already holds (restored from the archive), so the backfill asks only for the gap. */
  start(symbols: readonly string[], sink: MarketEventSink, options?: StartOptions): Promise<void>;
  /**
   * Optional: begin the start-up work for `symbols` (e.g. generating a backfill) before `start`, which then
   * awaits it, so the caller can overlap it with other start-up work. Never rejects into the void: callers
   * that do not await it attach a catch; `start` reports the failure.
   */
  prepare?(symbols: readonly string[]): Promise<void>;
  stop(): Promise<void>;
  status(): SourceStatus;
  fetchCandles(symbol: string, interval: CandleInterval, query?: CandleQuery): Promise<Candle[]>;
  fetchFundingHistory(symbol: string, limit?: number): Promise<FundingRate[]>;
  /**
   * For a source whose history is bounded by what it recorded (a replay): the spans (epoch ms, ascending,
   * merged) its candle recordings of `symbol` cover, on the current clock. Absent, or null: the source can
   * backfill further (live venues, the simulated market), so too few bars only means warming up.
   */
  recordedHistory?(symbol: string): readonly RecordedSpan[] | null;
}

/**
 * Where the sink's history of each series ends (restored from the market-data archive before `start`):
 * a source that can backfill a range fetches from there instead of its default window. Undefined: nothing
 * held, backfill as usual. Sources that generate or replay their history ignore it.
 */
export interface ResumePoints {
  /** openTime (epoch ms) of the newest closed candle held for (symbol, interval). */
  candle(symbol: string, interval: CandleInterval): number | undefined;
  /** fundingTime of the newest settlement held. */
  funding(symbol: string): number | undefined;
  /** Time of the newest row held of a statistics series: `oi`, `ls:<LongShortKind>`, `taker`, `basis`. */
  series(symbol: string, key: string): number | undefined;
}

export interface StartOptions {
  resume?: ResumePoints;
}

/** A stretch of time a source's recordings cover. */
export interface RecordedSpan {
  from: number;
  to: number;
}

export const VenueStates = { OK: 'OK', DEGRADED: 'DEGRADED', CIRCUIT_OPEN: 'CIRCUIT_OPEN', BANNED: 'BANNED', DOWN: 'DOWN' } as const;
export type VenueState = (typeof VenueStates)[keyof typeof VenueStates];

/** Health of one upstream venue, as `Query.health.venues` shows it. */
export interface VenueHealth {
  venue: string;
  state: VenueState;
  /** Set while the venue is paused after a 429 or banned after a 418 (epoch ms). */
  blockedUntil: number | null;
  /** Weight used in the current window as the venue reports it (Binance X-MBX-USED-WEIGHT-1M). */
  usedWeight: number | null;
  /** The budget perpgraph allows itself for that window. */
  weightBudget: number | null;
  lastError: string | null;
  lastSuccessAt: number | null;
  /** Stream reconnects since start. */
  reconnects: number;
  /** The venue's HTTP client counters (for `/metrics`; not part of the GraphQL type). Absent for venues without one. */
  upstream?: UpstreamCounters;
}

/** Monotonic counters of one venue's HTTP client since it was created, and its circuit breaker's state. */
export interface UpstreamCounters {
  /** Requests that reached the network (retries included). */
  requests: number;
  /** Answers with HTTP 429 (rate limited). */
  rateLimited: number;
  /** Answers with HTTP 418 (IP banned). */
  banned: number;
  retries: number;
  /** `closed` (normal), `open` (failing fast after repeated failures), `half-open` (one trial call), `isolated` (held open during a ban). */
  breaker: 'closed' | 'open' | 'half-open' | 'isolated';
}

/** Sources made of several venues report each one. */
export interface VenueReporting {
  venues(): VenueHealth[];
}
