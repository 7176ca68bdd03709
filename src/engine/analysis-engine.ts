import type { Logger } from 'pino';
import type { AnalysisKind, AnalysisRecord } from '../domain/analysis.js';
import type { DataOrigin } from '../domain/market.js';
import type { SnapshotRow } from '../db/snapshot-repository.js';
import { analysisKey, type AppPubSub } from '../pubsub.js';
import type { AnalysisDefinition, AnalysisSettings } from './analyses.js';
import type { MarketStore } from './market-store.js';
import type { ResultCache } from './result-cache.js';

export interface AnalysisEngineOptions {
  store: MarketStore;
  definitions: readonly AnalysisDefinition[];
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
  logger?: Logger;
  /** Called with each freshly computed default result after it is cached and published (e.g. change detectors). */
  onResult?: (record: AnalysisRecord) => void;
}

export interface EngineStats {
  computations: number;
  failures: number;
  published: number;
}

export interface AnalysisEngine {
  start(): void;
  stop(): void;
  /** Computes now (bypassing the throttle) when nothing is cached yet; used by resolvers on a cold start. */
  computeNow(kind: AnalysisKind, symbol: string): AnalysisRecord | undefined;
  /**
   * Result for non-default parameters: computed on demand, cached per (kind, symbol, params) for
   * `minIntervalMs` (bounded LRU), never published or snapshotted.
   */
  computeWithParams(kind: AnalysisKind, symbol: string, params: Record<string, unknown>): AnalysisRecord | undefined;
  stats(): EngineStats;
}

/**
 * Recomputes each (analysis, symbol) when one of its inputs changes, at most once per `minIntervalMs`
 * (changes in between are coalesced into one trailing run), caches the latest result, publishes it and
 * samples it into snapshots.
 */
export function createAnalysisEngine(options: AnalysisEngineOptions): AnalysisEngine {
  const { store, definitions, settings, cache, pubsub, snapshots, origin, venue, minIntervalMs, snapshotEveryMs, logger } = options;
  const now = options.now ?? Date.now;
  const lastRun = new Map<string, number>();
  const lastSnapshot = new Map<string, number>();
  const timers = new Map<string, NodeJS.Timeout>();
  const byTrigger = new Map<string, AnalysisDefinition[]>();
  for (const def of definitions) {
    for (const trigger of def.triggers) byTrigger.set(trigger, [...(byTrigger.get(trigger) ?? []), def]);
  }
  const stats: EngineStats = { computations: 0, failures: 0, published: 0 };
  let unsubscribe: (() => void) | null = null;
  const tickerDue = new Map<string, NodeJS.Timeout>();
  const paramCache = new Map<string, AnalysisRecord>();
  const PARAM_CACHE_MAX = 500;

  function run(def: AnalysisDefinition, symbol: string): AnalysisRecord | undefined {
    const key = analysisKey(def.kind, symbol);
    const market = store.get(symbol);
    if (!market) return undefined;
    const t = now();
    lastRun.set(key, t);
    stats.computations += 1;
    let output: ReturnType<AnalysisDefinition['compute']>;
    try {
      output = def.compute(market, t, settings);
    } catch (error) {
      stats.failures += 1;
      logger?.error({ err: error, kind: def.kind, symbol }, 'analysis failed');
      return undefined;
    }
    if (!output) return undefined;
    const record: AnalysisRecord = {
      kind: def.kind,
      symbol,
      result: output.result,
      asOf: output.asOf,
      computedAt: t,
      methodologyVersion: def.methodologyVersion,
      source: origin,
      venue,
    };
    cache.set(record);
    pubsub.publish('analysis:updated', key, record);
    stats.published += 1;
    options.onResult?.(record);
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

  function schedule(def: AnalysisDefinition, symbol: string): void {
    const key = analysisKey(def.kind, symbol);
    if (timers.has(key)) return;
    const delay = Math.max(0, (lastRun.get(key) ?? -Infinity) + minIntervalMs - now());
    const timer = setTimeout(() => {
      timers.delete(key);
      run(def, symbol);
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
        asOf: m.updatedAt ?? now(),
        source: origin,
        venue,
      });
    }, minIntervalMs);
    timer.unref();
    tickerDue.set(symbol, timer);
  }

  return {
    start() {
      unsubscribe = store.onChange((symbol, type) => {
        if (symbol === null) return; // market-wide inputs: no per-symbol analysis uses them yet
        publishTicker(symbol);
        for (const def of byTrigger.get(type) ?? []) schedule(def, symbol);
      });
      for (const symbol of store.symbols()) for (const def of definitions) schedule(def, symbol);
    },
    stop() {
      unsubscribe?.();
      for (const timer of [...timers.values(), ...tickerDue.values()]) clearTimeout(timer);
      timers.clear();
      tickerDue.clear();
    },
    computeNow(kind, symbol) {
      const def = definitions.find((d) => d.kind === kind);
      return def ? run(def, symbol) : undefined;
    },
    computeWithParams(kind, symbol, params) {
      const def = definitions.find((d) => d.kind === kind);
      const market = store.get(symbol);
      if (!def?.computeWith || !market) return undefined;
      const key = `${kind}:${symbol}:${JSON.stringify(params, Object.keys(params).sort())}`;
      const t = now();
      const cached = paramCache.get(key);
      if (cached && t - cached.computedAt < minIntervalMs) {
        paramCache.delete(key); // LRU: re-insert as newest
        paramCache.set(key, cached);
        return cached;
      }
      stats.computations += 1;
      let output: ReturnType<NonNullable<AnalysisDefinition['computeWith']>>;
      try {
        output = def.computeWith(market, t, settings, params);
      } catch (error) {
        stats.failures += 1;
        throw error;
      }
      if (!output) return undefined;
      const record: AnalysisRecord = {
        kind,
        symbol,
        result: output.result,
        asOf: output.asOf,
        computedAt: t,
        methodologyVersion: def.methodologyVersion,
        source: origin,
        venue,
      };
      paramCache.delete(key);
      paramCache.set(key, record);
      if (paramCache.size > PARAM_CACHE_MAX) paramCache.delete(paramCache.keys().next().value as string);
      return record;
    },
    stats: () => ({ ...stats }),
  };
}
