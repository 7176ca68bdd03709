import type { AnalysisKind, AnalysisRecord, TickerRecord } from '../domain/analysis.js';
import type { DataOrigin } from '../domain/market.js';
import type { AppPubSub } from '../pubsub.js';
import type { Logger } from 'pino';
import { createAnalysisEngine, type AnalysisEngine } from './analysis-engine.js';
import type { AnalysisDefinition, AnalysisSettings, DerivedDefinition, MarketWideDefinition } from './definition.js';
import type { InputSample } from './freshness.js';
import type { MarketArchive } from './market-archive.js';
import { createMarketStore, type MarketStore, type MarketStoreLimits } from './market-store.js';
import { OnDemandBusyError, type OnDemandScheduler } from './on-demand.js';
import type { OnDemandPool } from './on-demand-pool.js';
import type { MarketEvent } from '../domain/market.js';
import { createResultCache } from './result-cache.js';
import { TimeTravelRangeError } from './time-travel-error.js';

/**
 * Time travel (README "Time travel"): every analysis as it was at a past instant `at`, recomputed from the
 * market-data archive. A point-in-time market store is restored with only what was known at `at` (rows with
 * time ≤ at, candles closed by then), and an engine of the same definitions runs over it with its clock set
 * to `at` — the live engine's code path, so a result equals what the live engine produced at `at` from the
 * same inputs. One store and engine per (at, symbol set), built once and kept in a bounded LRU for `ttlMs`;
 * restores run one at a time (at most `maxEntries` waiting), and every computation is a job of the on-demand
 * scheduler the live engine uses (queued, coalesced, RATE_LIMITED over its budget), one per event-loop turn.
 */

export { TimeTravelRangeError };

export interface TimeTravelOptions {
  archive: Pick<MarketArchive, 'restore' | 'reach' | 'flush'>;
  /** Origin and venue of the archived rows (the live source's): results carry them as their meta. */
  origin: DataOrigin;
  venue: string;
  definitions: readonly AnalysisDefinition[];
  marketDefinitions: readonly MarketWideDefinition[];
  derivedDefinitions: readonly DerivedDefinition[];
  settings: AnalysisSettings;
  /** The live engine's scheduler: time travel shares its queue and budget. */
  onDemand: OnDemandScheduler;
  /**
   * The live engine's worker pool: each point-in-time store is replicated into one worker (the restored
   * events, cloned once per view) and the kinds marked `offload` (forecast, heatmap, options, order book)
   * and non-default arguments compute there instead of on the event loop. Without it, on the main thread.
   */
  pool?: OnDemandPool;
  limits: MarketStoreLimits;
  minIntervalMs: number;
  staleAfterMs: number;
  /** Point-in-time stores kept at once (LRU) and for how long (ms). */
  maxEntries: number;
  ttlMs: number;
  /** Market time: `at` after it is in the future. */
  now: () => number;
  /** An `at` this close to now (ms) flushes the archive's buffered rows first (ARCHIVE_FLUSH_MS). */
  flushWindowMs: number;
  logger?: Logger;
}

/** The market as it was at `at`, for `symbols`. */
export interface PointInTime {
  at: number;
  symbols: readonly string[];
  store: MarketStore;
  origin: DataOrigin;
  venue: string;
  latest(kind: AnalysisKind, key: string): Promise<AnalysisRecord | undefined>;
  latestWith(kind: AnalysisKind, key: string, params: Record<string, unknown>): Promise<AnalysisRecord | undefined>;
  ticker(symbol: string): TickerRecord | undefined;
  inputs(kind: AnalysisKind, key: string): InputSample[] | undefined;
  notReadyReason(symbol: string): string | null;
}

export interface TimeTravelStats {
  built: number;
  hits: number;
  evicted: number;
  cached: number;
}

export interface TimeTravel {
  /** The point-in-time view (built, or shared while cached); rejects with TimeTravelRangeError for an `at` out of range. */
  view(at: number, symbols: readonly string[]): Promise<PointInTime>;
  stats(): TimeTravelStats;
}

const iso = (t: number) => new Date(t).toISOString();
const noPubSub = { publish() {} } as unknown as AppPubSub['pubsub'];

export function createTimeTravel(options: TimeTravelOptions): TimeTravel {
  const { archive, origin, venue, onDemand, now } = options;
  const views = new Map<string, { createdAt: number; view: Promise<PointInTime> }>();
  const reaches = new Map<string, { at: number; firstCloseTime: number | null }>();
  const stats: TimeTravelStats = { built: 0, hits: 0, evicted: 0, cached: 0 };
  const clock = () => performance.now();
  let builds: Promise<unknown> = Promise.resolve();
  let pendingBuilds = 0;
  const { pool } = options;
  let nextReplica = 0;
  /** Worker replica of each cached view (dropped with the view). */
  const replicaOf = new Map<string, string>();

  /** Forgets a cached view and frees its worker replica. */
  function forget(key: string): void {
    views.delete(key);
    const replica = replicaOf.get(key);
    if (replica !== undefined) {
      replicaOf.delete(key);
      pool?.dropReplica(replica);
    }
  }

  /** Oldest archived bar close of the symbol (any interval), re-read after ttlMs (retention moves it). */
  async function reachOf(symbol: string): Promise<number | null> {
    const cached = reaches.get(symbol);
    if (cached && clock() - cached.at < options.ttlMs) return cached.firstCloseTime;
    const firsts = await archive.reach(symbol);
    const firstCloseTime = firsts.length === 0 ? null : Math.min(...firsts.map((f) => f.firstCloseTime));
    reaches.set(symbol, { at: clock(), firstCloseTime });
    return firstCloseTime;
  }

  async function checkRange(at: number, symbols: readonly string[]): Promise<void> {
    const t = now();
    if (at > t) throw new TimeTravelRangeError(`at (${iso(at)}) is in the future (now ${iso(t)})`, at, null);
    for (const symbol of symbols) {
      const first = await reachOf(symbol);
      if (first === null) throw new TimeTravelRangeError(`The archive holds no ${origin} candles of ${symbol} (venue ${venue}): time travel has nothing to restore`, at, null);
      if (at < first) throw new TimeTravelRangeError(`at (${iso(at)}) is before the archive of ${symbol}, which reaches back to ${iso(first)}`, at, first);
    }
  }

  async function build(at: number, symbols: readonly string[]): Promise<PointInTime> {
    if (at >= now() - options.flushWindowMs) await archive.flush();
    const store = createMarketStore(symbols, options.limits);
    const offload = pool?.available() === true;
    const events: MarketEvent[] = [];
    await archive.restore(symbols, offload ? (event) => (store.apply(event), events.push(event)) : (event) => store.apply(event), options.limits, { until: at });
    stats.built += 1;
    const viewKey = `${at}|${symbols.join(',')}`;
    let replica: string | undefined;
    // The view may have been evicted while it restored: then no replica (its jobs run here).
    if (offload && pool!.available() && views.has(viewKey)) {
      replica = `tt${++nextReplica}`;
      pool!.createReplica(replica, { symbols, limits: options.limits }, events);
      replicaOf.set(viewKey, replica);
    }
    // The engine's pool for this view: the shared workers, every job on this view's replica.
    const replicaPool: OnDemandPool | undefined =
      replica === undefined
        ? undefined
        : {
            apply() {},
            compute: (job) => pool!.compute({ ...job, replica }),
            available: () => pool!.available() && replicaOf.get(viewKey) === replica,
            createReplica: () => {},
            dropReplica: () => {},
            stop: async () => {},
            stats: () => pool!.stats(),
          };
    const engine: AnalysisEngine = createAnalysisEngine({
      store,
      definitions: options.definitions,
      marketDefinitions: options.marketDefinitions,
      derivedDefinitions: options.derivedDefinitions,
      settings: { ...options.settings, recordedHistory: () => null },
      cache: createResultCache(),
      pubsub: noPubSub,
      snapshots: { enqueue() {} },
      origin,
      venue,
      minIntervalMs: options.minIntervalMs,
      snapshotEveryMs: Number.POSITIVE_INFINITY,
      staleAfterMs: options.staleAfterMs,
      onDemand,
      ...(replicaPool ? { pool: replicaPool } : {}),
      now: () => at,
      ...(options.logger ? { logger: options.logger } : {}),
    });
    const id = `${at}|${symbols.join(',')}`;
    const results = new Map<string, Promise<AnalysisRecord | undefined>>();
    const derived = new Map(options.derivedDefinitions.map((d) => [d.kind, d]));
    const marketWide = new Map(options.marketDefinitions.map((d) => [d.kind, d]));

    /** Computes the dependencies of a derived kind for `symbol` first (the live engine has them published). */
    // One after the other: the queue then holds one of them at a time, so a confirmation's fifteen
    // dependencies never exceed the shared budget together.
    async function dependencies(def: DerivedDefinition, symbol: string): Promise<void> {
      for (const kind of def.dependsOn) {
        const wide = marketWide.get(kind);
        for (const key of wide ? wide.keys(store) : [symbol]) await latest(kind, key);
      }
    }

    function latest(kind: AnalysisKind, key: string): Promise<AnalysisRecord | undefined> {
      const memo = `${kind}:${key}`;
      let result = results.get(memo);
      if (!result) {
        const def = derived.get(kind);
        result = (def ? dependencies(def, key) : Promise.resolve()).then(() => onDemand.run(kind, `at:${id}:${memo}`, (measured) => engine.computeNowAsync(kind, key, measured)));
        // A refused (RATE_LIMITED) run is not remembered: the next request may find room.
        result.catch(() => results.delete(memo));
        results.set(memo, result);
      }
      return result;
    }

    return {
      at,
      symbols,
      store,
      origin,
      venue,
      latest,
      async latestWith(kind, key, params) {
        const def = derived.get(kind);
        if (def) await dependencies(def, key);
        return engine.computeWithParams(kind, key, params);
      },
      ticker(symbol) {
        const m = store.get(symbol);
        if (!m || m.lastPrice === null) return undefined;
        return {
          symbol,
          price: m.lastPrice,
          markPrice: m.mark?.markPrice ?? null,
          indexPrice: m.mark?.indexPrice ?? null,
          asOf: m.lastTradeAt ?? m.updatedAtByType.get('candle') ?? m.updatedAt ?? at,
          source: origin,
          venue,
        };
      },
      inputs: (kind, key) => engine.sampleInputs(kind, key),
      notReadyReason(symbol) {
        const first = reaches.get(symbol)?.firstCloseTime;
        return `the archive does not hold enough ${origin} data of ${symbol} before ${iso(at)} for it${first == null ? '' : ` (its oldest bar closed at ${iso(first)})`}`;
      },
    };
  }

  return {
    async view(at, symbols) {
      const set = [...new Set(symbols)].sort();
      await checkRange(at, set);
      const key = `${at}|${set.join(',')}`;
      const t = clock();
      for (const [k, entry] of views) if (t - entry.createdAt >= options.ttlMs) forget(k);
      const cached = views.get(key);
      if (cached) {
        stats.hits += 1;
        views.delete(key);
        views.set(key, cached);
        return cached.view;
      }
      // Builds run one at a time (each restore is a few hundred archive reads per symbol, PGlite's on this
      // thread); a bounded number wait, more are refused like an over-budget on-demand computation.
      if (pendingBuilds >= options.maxEntries) {
        throw new OnDemandBusyError(`The server is busy restoring point-in-time markets (${pendingBuilds} waiting). Retry shortly, or ask for an instant already asked for.`, pendingBuilds, 0, 0);
      }
      pendingBuilds += 1;
      const view: Promise<PointInTime> = builds.then(() => build(at, set)).finally(() => (pendingBuilds -= 1));
      builds = view.catch(() => undefined);
      view.catch(() => forget(key));
      views.set(key, { createdAt: t, view });
      while (views.size > options.maxEntries) {
        forget(views.keys().next().value as string);
        stats.evicted += 1;
      }
      return view;
    },
    stats: () => ({ ...stats, cached: views.size }),
  };
}
