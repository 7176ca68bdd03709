import type { Logger } from 'pino';
import type { AnalysisKind, AnalysisRecord } from '../domain/analysis.js';
import type { DataOrigin, MarketEventType } from '../domain/market.js';
import type { SnapshotRow } from '../db/snapshot-repository.js';
import { analysisKey, type AppPubSub } from '../pubsub.js';
import type { AnalysisDefinition, AnalysisSettings, DependencyView, DerivedDefinition, MarketWideDefinition } from './definition.js';
import type { MarketStore, SymbolMarket } from './market-store.js';
import { judgeInput, sampleInput, type InputSample, type InputSpec } from './freshness.js';
import type { ResultCache } from './result-cache.js';
import { createOnDemandScheduler, type OnDemandScheduler } from './on-demand.js';
import type { OnDemandPool } from './on-demand-pool.js';

/** Longest stretch of scheduled runs per turn of the event loop (ms); see `enqueue`. */
const RUN_SLICE_MS = 8;

export interface AnalysisEngineOptions {
  store: MarketStore;
  definitions: readonly AnalysisDefinition[];
  /** Analyses computed per market-wide key (correlations, options flow, sentiment). */
  marketDefinitions?: readonly MarketWideDefinition[];
  /**
   * Per-symbol analyses of other analyses' latest results (confirmation): recomputed when a dependency
   * publishes a changed result, on the main thread, from the records this engine published.
   */
  derivedDefinitions?: readonly DerivedDefinition[];
  settings: AnalysisSettings;
  cache: ResultCache;
  pubsub: AppPubSub['pubsub'];
  /** Receives at most one row per (kind, symbol) every `snapshotEveryMs`. */
  snapshots: { enqueue(row: SnapshotRow): void };
  origin: DataOrigin;
  venue: string;
  minIntervalMs: number;
  snapshotEveryMs: number;
  now?: () => number;
  /** Grace after a streamed input's expected arrival before it is overdue (STALE_AFTER_MS; default 30 s). */
  staleAfterMs?: number;
  logger?: Logger;
  /** Runs non-default-argument computations (queued, coalesced, budgeted); default: 64 queued, 2 s budget. */
  onDemand?: OnDemandScheduler;
  /**
   * Worker threads that compute the on-demand jobs (each holds a replica of `store`, which the caller
   * feeds through `pool.apply`); without one, or once it failed, jobs run on the main thread.
   */
  pool?: OnDemandPool;
  /** Called with every changed result, in order, after it is cached and published (alert publishers: cascades, traps, volatility regimes). */
  onResult?: ReadonlyArray<(record: AnalysisRecord) => void>;
}

export interface EngineStats {
  computations: number;
  failures: number;
  published: number;
  /** Results equal to the previous one for their key (same asOf, same payload): not cached, published, reported nor snapshotted. */
  unchanged: number;
}

/** Per analysis kind, since the engine was created (metrics read these at scrape time). */
export interface EngineKindStats {
  computations: number;
  failures: number;
  /** Milliseconds spent computing (in a worker for offloaded runs, as the worker measured it). */
  computeMs: number;
}

export interface AnalysisEngine {
  start(): void;
  stop(): void;
  /** Computes now (bypassing the throttle) when nothing is cached yet; used by resolvers on a cold start. */
  computeNow(kind: AnalysisKind, symbol: string): AnalysisRecord | undefined;
  /**
   * computeNow, with the kinds marked `offload` computed in the worker pool when there is one (on its replica
   * of the store), then produced here like a scheduled offloaded run: the same result, and the main thread
   * spends one message instead of the computation. `measured` receives the worker's compute time. Without a
   * pool, or for a kind not offloaded, it is computeNow.
   */
  computeNowAsync(kind: AnalysisKind, symbol: string, measured?: (ms: number) => void): Promise<AnalysisRecord | undefined>;
  /**
   * Result for non-default parameters: computed on demand, cached per (kind, symbol, params) for
   * `minIntervalMs` (bounded LRU), never published or snapshotted. Cache misses run through the
   * on-demand scheduler (off the caller's stack, coalesced per parameter set, RATE_LIMITED over budget).
   */
  computeWithParams(kind: AnalysisKind, symbol: string, params: Record<string, unknown>): Promise<AnalysisRecord | undefined>;
  stats(): EngineStats;
  /** Computations, failures and compute time per kind (scheduled and on-demand runs). */
  kindStats(): ReadonlyMap<string, Readonly<EngineKindStats>>;
  /** The oldest `asOf` among the latest published results of each kind (one entry per kind with a result). */
  oldestAsOf(): Map<string, number>;
  /** The inputs of (kind, key) as the store holds them now (undefined: unknown kind or key). */
  sampleInputs(kind: AnalysisKind, key: string): InputSample[] | undefined;
}

/** Newest time of one input in one market: the close of the newest closed bar for candle intervals, else the newest event. */
export function inputLastAt(market: SymbolMarket, spec: InputSpec): number | null {
  if (spec.type === 'candle' && spec.interval !== undefined) {
    const buffer = market.candles.get(spec.interval);
    const last = buffer?.last();
    const closed = last?.closed ? last : buffer?.toArray(3).findLast((c) => c.closed);
    return closed?.closeTime ?? null;
  }
  return market.updatedAtByType.get(spec.type) ?? null;
}

/** Global input types live in the store's market-wide state. */
const GLOBAL_TYPES: ReadonlySet<MarketEventType> = new Set(['optionsChain', 'fearGreed', 'globalMarket']);

/** Samples the inputs of a per-symbol analysis. */
export function sampleSymbolInputs(market: SymbolMarket, specs: readonly InputSpec[], staleAfterMs: number): InputSample[] {
  return specs.map((spec) => sampleInput(spec, inputLastAt(market, spec), staleAfterMs));
}

/**
 * Samples the inputs of a market-wide analysis: market-wide types from the global state, symbol-level
 * types over `symbols` (the oldest of those that hold the input decides: one dead symbol makes it overdue).
 */
export function sampleMarketInputs(store: MarketStore, symbols: readonly string[], specs: readonly InputSpec[], staleAfterMs: number): InputSample[] {
  return specs.map((spec) => {
    if (GLOBAL_TYPES.has(spec.type)) return sampleInput(spec, store.global().updatedAtByType.get(spec.type) ?? null, staleAfterMs);
    let oldest: number | null = null;
    for (const symbol of symbols) {
      const market = store.get(symbol);
      const at = market ? inputLastAt(market, spec) : null;
      if (at !== null && (oldest === null || at < oldest)) oldest = at;
    }
    return sampleInput(spec, oldest, staleAfterMs);
  });
}

/**
 * Recomputes each (analysis, symbol) when one of its inputs changes, at most once per `minIntervalMs`
 * (changes in between are coalesced into one trailing run), caches the latest result, publishes it and
 * samples it into snapshots. A result equal to the previous one (same asOf and payload) is dropped: no
 * republish, no snapshot, no onResult call (subscribers get the latest on subscribe, so nothing waits).
 */
export function createAnalysisEngine(options: AnalysisEngineOptions): AnalysisEngine {
  const { store, definitions, settings, cache, pubsub, snapshots, origin, venue, minIntervalMs, snapshotEveryMs, logger } = options;
  const now = options.now ?? Date.now;
  const staleAfterMs = options.staleAfterMs ?? 30_000;
  const lastRun = new Map<string, number>();
  const lastSnapshot = new Map<string, number>();
  const timers = new Map<string, NodeJS.Timeout>();
  const byTrigger = new Map<string, AnalysisDefinition[]>();
  for (const def of definitions) {
    for (const trigger of def.triggers) byTrigger.set(trigger, [...(byTrigger.get(trigger) ?? []), def]);
  }
  const marketDefinitions = options.marketDefinitions ?? [];
  const marketByTrigger = new Map<string, MarketWideDefinition[]>();
  for (const def of marketDefinitions) {
    for (const trigger of def.triggers) marketByTrigger.set(trigger, [...(marketByTrigger.get(trigger) ?? []), def]);
  }
  const derivedDefinitions = options.derivedDefinitions ?? [];
  /** Derived analyses by the kinds they depend on. */
  const derivedByDependency = new Map<string, DerivedDefinition[]>();
  for (const def of derivedDefinitions) {
    for (const kind of def.dependsOn) derivedByDependency.set(kind, [...(derivedByDependency.get(kind) ?? []), def]);
  }
  /** Keys with a published result, per kind (for DependencyView.keys). */
  const publishedKeys = new Map<string, Set<string>>();
  let running = false;
  const stats: EngineStats = { computations: 0, failures: 0, published: 0, unchanged: 0 };
  const byKind = new Map<string, EngineKindStats>();
  /** Counts one computation of `kind` (two additions: the only per-run cost of the metrics). */
  function counted(kind: string, ms: number, failed: boolean): void {
    let entry = byKind.get(kind);
    if (!entry) byKind.set(kind, (entry = { computations: 0, failures: 0, computeMs: 0 }));
    entry.computations += 1;
    entry.computeMs += ms;
    if (failed) entry.failures += 1;
  }
  /** The last published record per key, with its payload serialised lazily (only when an asOf repeats). */
  const lastPublished = new Map<string, { record: AnalysisRecord; json?: string }>();

  /**
   * True when `output` is the result already published for `key`: the same asOf and either the same object
   * (analyzers that reuse their previous result) or the same serialised payload. A new asOf is a change
   * without serialising anything, so the stringify cost is paid only by recomputations that saw no new input.
   */
  function unchanged(key: string, output: { result: unknown; asOf: number }): boolean {
    const previous = lastPublished.get(key);
    if (!previous || previous.record.asOf !== output.asOf) return false;
    if (previous.record.result === output.result) return true;
    previous.json ??= JSON.stringify(previous.record.result);
    return previous.json === JSON.stringify(output.result);
  }
  let unsubscribe: (() => void) | null = null;
  let stopped = false;
  const tickerDue = new Map<string, NodeJS.Timeout>();
  /** Intervals of derived definitions with a heartbeat (see DerivedDefinition.heartbeatMs). */
  const heartbeats: NodeJS.Timeout[] = [];
  const paramCache = new Map<string, AnalysisRecord>();
  const PARAM_CACHE_MAX = 500;
  const onDemand = options.onDemand ?? createOnDemandScheduler({ maxQueued: 64, budgetMs: 2_000 });

  type Output = { result: unknown; asOf: number } | null;

  /** The record of one computation of (kind, symbol). */
  function recordOf(kind: AnalysisKind, methodologyVersion: string, symbol: string, output: NonNullable<Output>, t: number, inputs: InputSample[]): AnalysisRecord {
    return { kind, symbol, result: output.result, asOf: output.asOf, computedAt: t, methodologyVersion, source: origin, venue, inputs };
  }

  /** A parameterised result younger than `maxAgeMs`, re-inserted as the newest of the LRU; undefined otherwise. */
  function cachedParams(key: string, maxAgeMs: number): AnalysisRecord | undefined {
    const cached = paramCache.get(key);
    if (!cached || now() - cached.computedAt >= maxAgeMs) return undefined;
    paramCache.delete(key);
    paramCache.set(key, cached);
    return cached;
  }

  /** Keeps a parameterised result as the newest of the bounded LRU (PARAM_CACHE_MAX). */
  function rememberParams(key: string, record: AnalysisRecord): AnalysisRecord {
    paramCache.delete(key);
    paramCache.set(key, record);
    if (paramCache.size > PARAM_CACHE_MAX) paramCache.delete(paramCache.keys().next().value as string);
    return record;
  }

  /** Computes one (kind, key), then caches, publishes, reports and samples a snapshot of the result. */
  function produce(
    def: Pick<AnalysisDefinition, 'kind' | 'methodologyVersion'>,
    symbol: string,
    compute: (t: number) => Output,
    sample: () => InputSample[],
    measuredMs?: number,
  ): AnalysisRecord | undefined {
    const key = analysisKey(def.kind, symbol);
    const t = now();
    stats.computations += 1;
    let output: Output;
    const started = performance.now();
    try {
      output = compute(t);
      counted(def.kind, measuredMs ?? performance.now() - started, false);
    } catch (error) {
      counted(def.kind, measuredMs ?? performance.now() - started, true);
      // A failing analysis keeps its throttle slot, so a persistent bug cannot spin on every trigger.
      lastRun.set(key, t);
      stats.failures += 1;
      logger?.error({ err: error, kind: def.kind, symbol }, 'analysis failed');
      return undefined;
    }
    // Not ready (null) does not consume the throttle: the input that makes it ready runs it at once
    // instead of one minIntervalMs later (readers meanwhile get NOT_READY).
    if (!output) return undefined;
    lastRun.set(key, t);
    if (unchanged(key, output)) {
      stats.unchanged += 1;
      return lastPublished.get(key)!.record;
    }
    const record = recordOf(def.kind, def.methodologyVersion, symbol, output, t, sample());
    cache.set(record);
    lastPublished.set(key, { record });
    let keys = publishedKeys.get(def.kind);
    if (!keys) publishedKeys.set(def.kind, (keys = new Set()));
    keys.add(symbol);
    pubsub.publish('analysis:updated', key, record);
    stats.published += 1;
    for (const handler of options.onResult ?? []) handler(record);
    scheduleDependents(record);
    if (t - (lastSnapshot.get(key) ?? -Infinity) >= snapshotEveryMs) {
      lastSnapshot.set(key, t);
      snapshots.enqueue({
        kind: record.kind,
        symbol,
        asOf: record.asOf,
        methodologyVersion: record.methodologyVersion,
        source: origin,
        venue,
        payload: record.result,
      });
    }
    return record;
  }

  function run(def: AnalysisDefinition, symbol: string, sync = false): AnalysisRecord | undefined {
    const market = store.get(symbol);
    if (!market) return undefined;
    if (!sync && def.offload && options.pool?.available()) {
      runInPool(def, symbol, () => sampleSymbolInputs(market, def.inputs, staleAfterMs), () => run(def, symbol));
      return undefined;
    }
    return produce(def, symbol, (t) => def.compute(market, t, settings), () => sampleSymbolInputs(market, def.inputs, staleAfterMs));
  }

  /** Kinds computed per symbol (per-symbol and derived definitions); the rest are market-wide. */
  const perSymbolKinds = new Set<string>([...definitions.map((d) => d.kind), ...derivedDefinitions.map((d) => d.kind)]);

  /** The inputs of (kind, key) as the store holds them now (undefined: unknown kind or key). */
  function sampleInputsOf(kind: string, key: string): InputSample[] | undefined {
    const def = definitions.find((d) => d.kind === kind) ?? derivedDefinitions.find((d) => d.kind === kind);
    const market = store.get(key);
    if (def) return market ? sampleSymbolInputs(market, def.inputs, staleAfterMs) : undefined;
    const marketDef = marketDefinitions.find((d) => d.kind === kind);
    return marketDef ? marketInputs(marketDef, key) : undefined;
  }

  const deps: DependencyView = {
    latest<R>(kind: string, key: string) {
      const entry = lastPublished.get(analysisKey(kind, key));
      if (!entry) return undefined;
      const t = now();
      const inputs = sampleInputsOf(kind, key) ?? entry.record.inputs ?? [];
      return { record: entry.record as AnalysisRecord<R>, stale: inputs.some((input) => judgeInput(input, t).overdue) };
    },
    keys: (kind) => [...(publishedKeys.get(kind) ?? [])],
    overdue(market, specs) {
      const t = now();
      return sampleSymbolInputs(market, specs, staleAfterMs).some((input) => judgeInput(input, t).overdue);
    },
    overdueInputs(market, specs) {
      const t = now();
      return sampleSymbolInputs(market, specs, staleAfterMs)
        .map((input) => judgeInput(input, t))
        .filter((input) => input.overdue);
    },
  };

  function runDerived(def: DerivedDefinition, symbol: string): AnalysisRecord | undefined {
    const market = store.get(symbol);
    if (!market) return undefined;
    return produce(def, symbol, (t) => def.compute(market, t, settings, deps), () => sampleSymbolInputs(market, def.inputs, staleAfterMs));
  }

  /** A changed result schedules the derived analyses that read it (throttled like any run). */
  function scheduleDependents(record: AnalysisRecord): void {
    if (!running) return;
    for (const def of derivedByDependency.get(record.kind) ?? []) {
      const symbols = def.dependents?.(store, record.kind, record.symbol) ?? (perSymbolKinds.has(record.kind) ? [record.symbol] : store.symbols());
      for (const symbol of symbols) if (store.get(symbol)) schedule(def.kind, symbol, () => runDerived(def, symbol), def.minIntervalMs);
    }
  }

  /** Keys whose offloaded run is in a worker; a trigger meanwhile runs once more after it. */
  const offloaded = new Map<string, { again: boolean }>();

  function fundingHoursOfAll(): Record<string, number> {
    const hours: Record<string, number> = {};
    for (const s of store.symbols()) hours[s] = settings.fundingIntervalHours(s);
    return hours;
  }

  /**
   * A scheduled run in the worker pool: the same computation on the worker's replica, then produced here as
   * usual (`sample` reads the inputs' freshness from the main store; `again` is the trailing run).
   */
  function runInPool(
    def: Pick<AnalysisDefinition, 'kind' | 'methodologyVersion' | 'minIntervalMs'>,
    symbol: string,
    sample: () => InputSample[],
    again: () => unknown,
  ): void {
    const key = analysisKey(def.kind, symbol);
    const running = offloaded.get(key);
    if (running) {
      running.again = true;
      return;
    }
    const state = { again: false };
    offloaded.set(key, state);
    const t = now();
    options
      .pool!.compute({ kind: def.kind, symbol, now: t, params: null, fundingHistoryWindow: settings.fundingHistoryWindow, fundingIntervalHours: fundingHoursOfAll(), macroEvents: settings.macroEvents })
      .then(
        (answer) => {
          if (stopped) return;
          produce(def, symbol, () => answer.output as Output, sample, answer.computeMs);
        },
        (error: unknown) => {
          if (stopped || !options.pool?.available()) {
            // Stopping, or the pool failed: the next trigger computes on the main thread.
            return;
          }
          lastRun.set(key, t);
          stats.computations += 1;
          stats.failures += 1;
          counted(def.kind, 0, true);
          logger?.error({ err: error, kind: def.kind, symbol }, 'analysis failed');
        },
      )
      .finally(() => {
        offloaded.delete(key);
        if (state.again && !stopped) schedule(def.kind, symbol, again, def.minIntervalMs);
      });
  }

  function marketInputs(def: MarketWideDefinition, key: string): InputSample[] {
    return sampleMarketInputs(store, def.inputSymbols?.(store, key) ?? store.symbols(), def.inputs, staleAfterMs);
  }

  function runMarket(def: MarketWideDefinition, key: string, sync = false): AnalysisRecord | undefined {
    if (!sync && def.offload && options.pool?.available()) {
      runInPool(def, key, () => marketInputs(def, key), () => runMarket(def, key));
      return undefined;
    }
    return produce(def, key, (t) => def.compute(store, key, t, settings), () => marketInputs(def, key));
  }

  /**
   * Runs that are due wait in one FIFO queue and are run from a setImmediate, at most RUN_SLICE_MS of them
   * per turn of the event loop (a run is never split: one longer than that gets a turn of its own). Timers
   * that fall due together — every analysis of every symbol at start, after the backfill — would otherwise
   * run back to back in one timers phase, and requests, socket writes and the database would wait for all
   * of them (event-loop delay of seconds in the first minute). A change arriving while its key is queued is
   * picked up by that run, which reads the store when it runs.
   */
  const runQueue: Array<{ key: string; run: () => unknown }> = [];
  const queued = new Set<string>();
  let draining: NodeJS.Immediate | null = null;
  /** Start of the current slice of back-to-back runs, and when the last run ended (performance.now()). */
  let sliceStart = 0;
  let lastRunEnded = -Infinity;
  /** A due run: inline while the current slice has budget left and nothing waits, else queued. */
  function enqueue(key: string, run: () => unknown): void {
    const t = performance.now();
    // The loop was free since the last run (not the same timers phase): a new slice begins.
    if (t - lastRunEnded > 1) sliceStart = t;
    if (runQueue.length === 0 && t - sliceStart < RUN_SLICE_MS) {
      run();
      lastRunEnded = performance.now();
      return;
    }
    queued.add(key);
    runQueue.push({ key, run });
    draining ??= setImmediate(drain);
  }
  function drain(): void {
    draining = null;
    sliceStart = performance.now();
    while (runQueue.length > 0) {
      const job = runQueue.shift()!;
      queued.delete(job.key);
      job.run();
      lastRunEnded = performance.now();
      if (lastRunEnded - sliceStart >= RUN_SLICE_MS) break;
    }
    if (runQueue.length > 0) draining ??= setImmediate(drain);
  }

  /** At most one run per (kind, key) per minIntervalMs; changes in between coalesce into one trailing run. */
  function schedule(kind: string, symbol: string, runner: () => unknown, ownMinIntervalMs = 0): void {
    const key = analysisKey(kind, symbol);
    if (timers.has(key) || queued.has(key)) return;
    const delay = Math.max(0, (lastRun.get(key) ?? -Infinity) + Math.max(minIntervalMs, ownMinIntervalMs) - now());
    const timer = setTimeout(() => {
      timers.delete(key);
      enqueue(key, runner);
    }, delay);
    timer.unref();
    timers.set(key, timer);
  }

  function publishTicker(symbol: string): void {
    if (tickerDue.has(symbol)) return;
    const timer = setTimeout(() => {
      tickerDue.delete(symbol);
      const m = store.get(symbol);
      if (!m || m.lastPrice === null) return;
      cache.setTicker({
        symbol,
        price: m.lastPrice,
        markPrice: m.mark?.markPrice ?? null,
        indexPrice: m.mark?.indexPrice ?? null,
        asOf: m.lastTradeAt ?? m.updatedAtByType.get('candle') ?? m.updatedAt ?? now(),
        source: origin,
        venue,
      });
    }, minIntervalMs);
    timer.unref();
    tickerDue.set(symbol, timer);
  }

  /**
   * A derived analysis with parameters: computed on the main thread (it reads this engine's records, which
   * the workers do not hold) through the on-demand scheduler, cached per parameter set like the others.
   */
  function computeDerivedWith(def: DerivedDefinition, symbol: string, params: Record<string, unknown>): Promise<AnalysisRecord | undefined> {
    const market = store.get(symbol);
    if (!def.computeWith || !market) return Promise.resolve(undefined);
    const key = `${def.kind}:${symbol}:${JSON.stringify(params, Object.keys(params).sort())}`;
    const cached = cachedParams(key, Math.max(minIntervalMs, def.minIntervalMs ?? 0));
    if (cached) return Promise.resolve(cached);
    return onDemand.run(def.kind, key, () => {
      const t = now();
      stats.computations += 1;
      let output: Output;
      const started = performance.now();
      try {
        output = def.computeWith!(market, t, settings, params, deps);
        counted(def.kind, performance.now() - started, false);
      } catch (error) {
        counted(def.kind, performance.now() - started, true);
        stats.failures += 1;
        throw error;
      }
      if (!output) return undefined;
      return rememberParams(key, recordOf(def.kind, def.methodologyVersion, symbol, output, t, sampleSymbolInputs(market, def.inputsWith?.(params) ?? def.inputs, staleAfterMs)));
    });
  }

  function computeNow(kind: AnalysisKind, symbol: string): AnalysisRecord | undefined {
    const def = definitions.find((d) => d.kind === kind);
    if (def) return run(def, symbol, true);
    const derived = derivedDefinitions.find((d) => d.kind === kind);
    if (derived) return runDerived(derived, symbol);
    const marketDef = marketDefinitions.find((d) => d.kind === kind);
    return marketDef && marketDef.keys(store).includes(symbol) ? runMarket(marketDef, symbol, true) : undefined;
  }

  const derivedByTrigger = new Map<string, DerivedDefinition[]>();
  for (const def of derivedDefinitions) {
    for (const trigger of def.triggers) derivedByTrigger.set(trigger, [...(derivedByTrigger.get(trigger) ?? []), def]);
  }

  return {
    start() {
      stopped = false;
      running = true;
      const scheduleMarket = (def: MarketWideDefinition) => {
        for (const key of def.keys(store)) schedule(def.kind, key, () => runMarket(def, key), def.minIntervalMs);
      };
      unsubscribe = store.onChange((symbol, type) => {
        for (const def of marketByTrigger.get(type) ?? []) scheduleMarket(def);
        if (symbol === null) return;
        publishTicker(symbol);
        for (const def of byTrigger.get(type) ?? []) schedule(def.kind, symbol, () => run(def, symbol), def.minIntervalMs);
        for (const def of derivedByTrigger.get(type) ?? []) schedule(def.kind, symbol, () => runDerived(def, symbol), def.minIntervalMs);
      });
      for (const symbol of store.symbols()) for (const def of definitions) schedule(def.kind, symbol, () => run(def, symbol));
      for (const symbol of store.symbols()) for (const def of derivedDefinitions) schedule(def.kind, symbol, () => runDerived(def, symbol), def.minIntervalMs);
      for (const def of marketDefinitions) scheduleMarket(def);
      for (const def of derivedDefinitions) {
        if (!def.heartbeatMs) continue;
        const heartbeat = setInterval(() => {
          for (const symbol of store.symbols()) schedule(def.kind, symbol, () => runDerived(def, symbol), def.minIntervalMs);
        }, def.heartbeatMs);
        heartbeat.unref();
        heartbeats.push(heartbeat);
      }
    },
    stop() {
      stopped = true;
      running = false;
      unsubscribe?.();
      for (const timer of [...timers.values(), ...tickerDue.values()]) clearTimeout(timer);
      for (const heartbeat of heartbeats) clearInterval(heartbeat);
      heartbeats.length = 0;
      timers.clear();
      if (draining) clearImmediate(draining);
      draining = null;
      runQueue.length = 0;
      queued.clear();
      tickerDue.clear();
    },
    computeNow,
    computeNowAsync(kind, symbol, measured) {
      const def = definitions.find((d) => d.kind === kind);
      const marketDef = def ? undefined : marketDefinitions.find((d) => d.kind === kind);
      const offloaded = def?.offload ? def : marketDef?.offload && marketDef.keys(store).includes(symbol) ? marketDef : undefined;
      const pool = options.pool;
      const market = def ? store.get(symbol) : undefined;
      if (!offloaded || !pool?.available() || (def && !market)) return Promise.resolve(computeNow(kind, symbol));
      const t = now();
      const sample = def ? () => sampleSymbolInputs(market!, def.inputs, staleAfterMs) : () => marketInputs(marketDef!, symbol);
      return pool.compute({ kind, symbol, now: t, params: null, fundingHistoryWindow: settings.fundingHistoryWindow, fundingIntervalHours: fundingHoursOfAll(), macroEvents: settings.macroEvents }).then(
        (answer) => {
          measured?.(answer.computeMs);
          return produce(offloaded, symbol, () => answer.output as Output, sample, answer.computeMs);
        },
        (error: unknown) => {
          stats.computations += 1;
          stats.failures += 1;
          counted(kind, 0, true);
          throw error;
        },
      );
    },
    async computeWithParams(kind, symbol, params) {
      const derived = derivedDefinitions.find((d) => d.kind === kind);
      if (derived) return computeDerivedWith(derived, symbol, params);
      const def = definitions.find((d) => d.kind === kind);
      const market = store.get(symbol);
      const marketDef = marketDefinitions.find((d) => d.kind === kind);
      const computeWith =
        def?.computeWith && market
          ? (t: number) => def.computeWith!(market, t, settings, params)
          : marketDef?.computeWith
            ? (t: number) => marketDef.computeWith!(store, symbol, t, settings, params)
            : undefined;
      const methodologyVersion = def?.methodologyVersion ?? marketDef?.methodologyVersion;
      if (!computeWith || methodologyVersion === undefined) return undefined;
      const key = `${kind}:${symbol}:${JSON.stringify(params, Object.keys(params).sort())}`;
      const cached = cachedParams(key, minIntervalMs);
      if (cached) return cached;
      const toRecord = (output: Output, t: number): AnalysisRecord | undefined => {
        if (!output) return undefined;
        const inputs = market && def ? sampleSymbolInputs(market, def.inputs, staleAfterMs) : marketDef ? marketInputs(marketDef, symbol) : [];
        return rememberParams(key, recordOf(kind, methodologyVersion, symbol, output, t, inputs));
      };
      const pool = options.pool;
      return onDemand.run(kind, key, (measured) => {
        const t = now();
        stats.computations += 1;
        if (pool?.available()) {
          return pool.compute({ kind, symbol, now: t, params, fundingHistoryWindow: settings.fundingHistoryWindow, fundingIntervalHours: fundingHoursOfAll(), macroEvents: settings.macroEvents }).then(
            (answer) => {
              measured(answer.computeMs);
              counted(kind, answer.computeMs, false);
              return toRecord(answer.output, t);
            },
            (error: unknown) => {
              stats.failures += 1;
              counted(kind, 0, true);
              throw error;
            },
          );
        }
        let output: Output;
        const started = performance.now();
        try {
          output = computeWith(t);
          counted(kind, performance.now() - started, false);
        } catch (error) {
          counted(kind, performance.now() - started, true);
          stats.failures += 1;
          throw error;
        }
        return toRecord(output, t);
      });
    },
    stats: () => ({ ...stats }),
    kindStats: () => byKind,
    oldestAsOf() {
      const oldest = new Map<string, number>();
      for (const { record } of lastPublished.values()) {
        const seen = oldest.get(record.kind);
        if (seen === undefined || record.asOf < seen) oldest.set(record.kind, record.asOf);
      }
      return oldest;
    },
    sampleInputs: sampleInputsOf,
  };
}
