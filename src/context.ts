import type { AnalysisKind, AnalysisRecord, TickerRecord } from './domain/analysis.js';
import type { DataOrigin, MarketEventType, SymbolInfo } from './domain/market.js';
import type { VenueHealth } from './datasources/market-data-source.js';
import type { GlobalMarketState, SymbolMarket } from './engine/market-store.js';
import type { SnapshotStore } from './db/snapshot-repository.js';
import type { HealthReport } from './health.js';
import type { AppPubSub } from './pubsub.js';
import type { InputSample } from './engine/freshness.js';
import type { AuthContext, Scope } from './auth/scopes.js';
import type { ApiKeyRecord } from './auth/key-store.js';
import type { MacroEvent, MacroSeriesData, MacroSeriesId } from './domain/macro.js';

/** What resolvers may use. Built once in app.ts; resolvers never reach past it to exchanges or databases. */
export interface AppServices {
  symbols(): readonly SymbolInfo[];
  hasSymbol(symbol: string): boolean;
  /** Latest cached result; on a cold start computed on demand where this instance runs the engine. */
  latest(kind: AnalysisKind, symbol: string): Promise<AnalysisRecord | undefined>;
  /** Result for caller-chosen parameters (ROLE=all only; cached per parameter set for the recompute interval). */
  latestWith(kind: AnalysisKind, symbol: string, params: Record<string, unknown>): Promise<AnalysisRecord | undefined>;
  ticker(symbol: string): Promise<TickerRecord | undefined>;
  /**
   * Raw inputs held by this instance's market store, with the origin and venue of the source that fed
   * them; undefined on instances that ingest nothing (ROLE=api).
   */
  marketData(symbol: string): { market: SymbolMarket; origin: DataOrigin; venue: string } | undefined;
  globalData(): { global: GlobalMarketState; origin: DataOrigin; venueFor(type: MarketEventType): string } | undefined;
  venues(): VenueHealth[];
  snapshots: SnapshotStore;
  health(): Promise<HealthReport>;
  pubsub: AppPubSub['pubsub'];
  staleAfterMs: number;
  /**
   * The inputs of an analysis (kind, key) as this instance's market store holds them now; undefined on
   * instances that ingest nothing (ROLE=api: meta then judges the inputs sampled with the record).
   */
  inputs?(kind: AnalysisKind, key: string): InputSample[] | undefined;
  /**
   * Why the source has no data for the symbol yet when it can say more than "not enough data" (a replay
   * whose clock is before the symbol's first recording); null otherwise.
   */
  notReadyReason?(symbol: string): string | null;
  now(): number;
  /**
   * The same services as they were at `at` for `symbols` (time travel: analyses recomputed from the market-data
   * archive, README "Time travel"); rejects with TimeTravelRangeError when the archive cannot answer, resolves
   * undefined where no archive is kept for the source (ROLE=api, ARCHIVE_ENABLED=false, origin not archived).
   */
  pointInTime?(at: number, symbols: readonly string[]): Promise<AppServices | undefined>;
  /** API keys (admin mutations and listing); absent where no database is open. */
  apiKeys?: ApiKeyAdmin;
  /** Alert rules, history and test sends; absent where no database is open. */
  alerts?: AlertServices;
  /** Macro series and the macro event calendar (README "Macro"); absent where not configured (tests). */
  macro?: MacroServices;
  /**
   * The perpetual venues this instance ingests (the primary one and MARKET_VENUES) and the analyses across
   * them; absent where nothing is ingested (ROLE=api), for a replay, and in a point-in-time view (live only).
   */
  venueMarkets?: import('./engine/venue-markets.js').VenueMarkets;
  /** Backtest and optimisation jobs; absent before the database is open. */
  backtests?: BacktestServices;
}

/** What the macro fields may use (src/datasources/macro and src/engine/macro-events.ts behind it). */
export interface MacroServices {
  /** A daily macro series, or why it is unavailable (never throws for upstream failures). */
  series(id: MacroSeriesId): Promise<MacroSeriesData>;
  /** Scheduled macro events, ascending by time (default calendar merged with MACRO_EVENTS_URL). */
  events(): readonly MacroEvent[];
  /** Why the MACRO_EVENTS_URL source could not be read; null when it was or none is set. */
  eventsError(): string | null;
}

/** What the backtest resolvers may use (src/jobs behind it). */
export interface BacktestServices {
  jobs: import('./jobs/backtest-jobs.js').BacktestJobs;
  /** BACKTEST_MAX_BARS and BACKTEST_MAX_EVALUATIONS. */
  maxBars: number;
  maxEvaluations: number;
  /** The venue an ARCHIVE backtest reads by default: the market source's; undefined where none runs (ROLE=api). */
  defaultVenue(): string | undefined;
  /** Wall-clock time (a backtest range must end by now). */
  now(): number;
}

/** A stored key with whether it is accepted now (neither revoked nor expired, by the wall clock). */
export type ApiKeyView = ApiKeyRecord & { active: boolean };

/** What the admin API-key fields may do (src/auth/key-store.ts behind it). */
export interface ApiKeyAdmin {
  /** Creates a key; the plaintext is returned this once and never stored. */
  /** Rejects with BAD_USER_INPUT when `expiresAt` is not in the future. */
  create(input: { name: string; scopes: readonly Scope[]; expiresAt: number | null }): Promise<{ record: ApiKeyView; plaintext: string }>;
  list(): Promise<ApiKeyView[]>;
  /** Undefined when there is no key with that id. */
  revoke(id: string): Promise<ApiKeyView | undefined>;
}

export interface GraphQLContext {
  services: AppServices;
  /** The caller's API key when it presented a valid one; null otherwise (see src/auth, `requireScope`). */
  auth: AuthContext | null;
}

/** What the alert resolvers may use (src/alerts behind it). */
export interface AlertServices {
  store: import('./alerts/rule-store.js').RuleStore;
  /** Seals a channel's secrets (the signing secret of a WEBHOOK channel is returned once). */
  sealChannel(input: import('./alerts/channels.js').ChannelInput, index: number): ReturnType<typeof import('./alerts/channels.js').sealChannel>;
  /** Re-reads the rules on this instance after a change (others re-read within seconds). */
  changed(): Promise<void>;
  /** Sends a test message of the rule through its real channels (a DIGEST: its card now); undefined where the evaluator does not run. */
  test(rule: import('./alerts/rule-store.js').AlertRule): Promise<import('./alerts/types.js').AlertMessage>;
  /** This instance's evaluation counters (tests and diagnostics; not in the schema). */
  stats(): ReturnType<import('./alerts/evaluator.js').AlertEvaluator['stats']>;
  /** Shortest period between two digest slots (ALERTS_DIGEST_MIN_PERIOD_MS). */
  digestMinPeriodMs: number;
  /** Wall-clock time (digest slots are wall-clock instants, whatever clock the market runs on). */
  now(): number;
}
