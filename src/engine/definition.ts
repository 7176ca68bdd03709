import type { MacroEvent } from '../domain/macro.js';
import type { AnalysisKind, AnalysisRecord } from '../domain/analysis.js';
import type { MarketEventType } from '../domain/market.js';
import type { InputFreshness, InputSpec } from './freshness.js';
import type { MarketStore, SymbolMarket } from './market-store.js';

// The contract between the engine and one analysis definition. It sits below both the registry
// (analyses.ts) and its members (definitions/*), so no member imports the registry back.

export interface AnalysisSettings {
  fundingHistoryWindow: number;
  fundingIntervalHours: (symbol: string) => number;
  /**
   * The spans a bounded source's recordings of the symbol cover (a replay), null for sources that can
   * backfill (see MarketDataSource.recordedHistory): tells "not enough history in the source" from
   * "warming up". Absent: null.
   */
  recordedHistory?: (symbol: string) => readonly { from: number; to: number }[] | null;
  /** Scheduled macro events (README "Macro"), ascending; a plain array so it crosses to workers. Absent: none. */
  macroEvents?: readonly MacroEvent[];
}

/** How the engine feeds one pure analyzer from the market store. */
export interface AnalysisDefinition<R = unknown> {
  kind: AnalysisKind;
  methodologyVersion: string;
  /** Store changes that make the result out of date. */
  triggers: ReadonlySet<MarketEventType>;
  /**
   * The inputs the result is built from, each judged by its own cadence (see engine/freshness.ts): the
   * result is stale exactly when one of them is overdue, and `meta.inputs` says which.
   */
  inputs: readonly InputSpec[];
  /**
   * Lower bound on the time between two recomputations of this analysis for one symbol, for costly
   * analyses whose result moves slower than their triggers fire (the engine uses the larger of this
   * and ANALYSIS_MIN_INTERVAL_MS).
   */
  minIntervalMs?: number;
  /**
   * Scheduled recomputations run in the on-demand worker pool when the app has one (the result is the
   * same: the workers hold a replica of the store and run this definition). For analyses whose runs
   * hold the request loop for tens of milliseconds (README "Event-loop delay"); `computeNow` (cold
   * start of a resolver) still computes on the main thread.
   */
  offload?: boolean;
  /** Null when the store does not hold enough input yet to say anything. */
  compute(market: SymbolMarket, now: number, settings: AnalysisSettings): { result: R; asOf: number } | null;
  /**
   * The same analysis with caller-chosen parameters (GraphQL arguments), for analyses that take them.
   * `params` arrive validated by the resolver. The engine caches results per parameter set for
   * `minIntervalMs`, so identical requests in that window cost one computation.
   */
  computeWith?(market: SymbolMarket, now: number, settings: AnalysisSettings, params: unknown): { result: R; asOf: number } | null;
}

/**
 * An analysis that spans symbols or is about the market as a whole (correlations, options flow,
 * sentiment). Computed per key rather than per symbol: e.g. option currencies (`BTC`, `ETH`) or `ALL`.
 * Keys play the role of the symbol in the cache, topics (`analysisUpdated(kind, symbol: key)`) and
 * snapshots.
 */
export interface MarketWideDefinition<R = unknown> {
  kind: AnalysisKind;
  methodologyVersion: string;
  /** Store changes (symbol-level or market-wide) that make results out of date. */
  triggers: ReadonlySet<MarketEventType>;
  /** As for per-symbol analyses; symbol-level inputs are sampled over {@link MarketWideDefinition.inputSymbols}. */
  inputs: readonly InputSpec[];
  /** Symbols whose symbol-level inputs a key depends on (default: every configured symbol); the oldest decides. */
  inputSymbols?(store: MarketStore, key: string): string[];
  /** As for per-symbol analyses: lower bound between two recomputations of one key. */
  minIntervalMs?: number;
  /** As for per-symbol analyses: scheduled recomputations run in the worker pool when the app has one. */
  offload?: boolean;
  /** The keys to compute now, given what the store holds. */
  keys(store: MarketStore): string[];
  compute(store: MarketStore, key: string, now: number, settings: AnalysisSettings): { result: R; asOf: number } | null;
  computeWith?(store: MarketStore, key: string, now: number, settings: AnalysisSettings, params: unknown): { result: R; asOf: number } | null;
}

/**
 * Read access a derived analysis gets to the results other analyses published (docs/confirmation.md
 * "Engine: derived analyses"). Staleness is judged as `meta.stale` judges it: the dependency's inputs as
 * the store holds them now, each by its own cadence.
 */
export interface DependencyView {
  /** The latest result of (kind, key) this engine published, and whether one of its inputs is overdue now; undefined when none yet. */
  latest<R = unknown>(kind: AnalysisKind, key: string): { record: AnalysisRecord<R>; stale: boolean } | undefined;
  /** Keys of `kind` with a published result (market-wide kinds: e.g. the option currencies). */
  keys(kind: AnalysisKind): string[];
  /** True when one of these store inputs of `market` is overdue now. */
  overdue(market: SymbolMarket, specs: readonly InputSpec[]): boolean;
  /** The inputs among `specs` that are overdue now, judged as `meta.inputs` judges them (empty: all on time). */
  overdueInputs(market: SymbolMarket, specs: readonly InputSpec[]): InputFreshness[];
}

/**
 * A per-symbol analysis of other analyses' results (confirmation, scenarios), or of the engine's view of its
 * own inputs' freshness (the emergency protocol): recomputed when one of
 * `dependsOn` publishes a changed result for a key the symbol reads (at most once per its minIntervalMs,
 * like every analysis), computed on the main thread from the engine's latest records, never recomputing
 * them. Cached, published, snapshotted and served like any per-symbol analysis.
 */
export interface DerivedDefinition<R = unknown> {
  kind: AnalysisKind;
  methodologyVersion: string;
  /** Analyses (per-symbol or market-wide) whose changed results make this one out of date. */
  dependsOn: readonly AnalysisKind[];
  /**
   * Symbols to recompute when (kind, key) of a dependency changes. Default: the key itself for per-symbol
   * kinds, every symbol for market-wide ones.
   */
  dependents?(store: MarketStore, kind: AnalysisKind, key: string): string[];
  /** Store changes that also make the result out of date (besides dependencies); may be empty. */
  triggers: ReadonlySet<MarketEventType>;
  /** Its own store inputs (for `meta.inputs`); dependencies report their freshness through the result. */
  inputs: readonly InputSpec[];
  /** The inputs of a computation with parameters (default: `inputs`). */
  inputsWith?(params: unknown): readonly InputSpec[];
  minIntervalMs?: number;
  /**
   * Re-run every symbol at least this often even when nothing triggers it: for an analysis of whether data
   * stopped arriving (the emergency protocol's halted-venue check), which no store change can trigger.
   */
  heartbeatMs?: number;
  compute(market: SymbolMarket, now: number, settings: AnalysisSettings, deps: DependencyView): { result: R; asOf: number } | null;
  /** With caller-chosen parameters; runs on the main thread through the on-demand scheduler and the parameter cache. */
  computeWith?(market: SymbolMarket, now: number, settings: AnalysisSettings, params: unknown, deps: DependencyView): { result: R; asOf: number } | null;
}

/**
 * One perpetual venue's store of a symbol, as a cross-venue analysis sees it (src/engine/venue-markets.ts).
 * `down`: why the venue's source cannot deliver now (its state and last error), null while it is up.
 */
export interface VenueSnapshot {
  venue: import('../domain/venue.js').PerpVenue;
  /** The venue's name in `meta.venue` (e.g. `bybit-linear`). */
  name: string;
  primary: boolean;
  market: SymbolMarket | undefined;
  down: string | null;
  fundingIntervalHours: number;
}

/**
 * An analysis across the perpetual venues of one symbol (aggregated open interest, funding, arbitrage,
 * price spread). Each venue is judged on its own inputs (STALE / MISSING venues are left out and listed),
 * then a pure analyzer combines the rest. Null: no venue can contribute.
 */
export interface CrossVenueDefinition<R = unknown> {
  kind: string;
  methodologyVersion: string;
  /** What each venue must deliver for it to contribute (for `meta.inputs` of the contributors). */
  inputs: readonly InputSpec[];
  compute(symbol: string, venues: readonly VenueSnapshot[], now: number, staleAfterMs: number): { result: R; asOf: number; contributors: readonly string[] } | null;
}
