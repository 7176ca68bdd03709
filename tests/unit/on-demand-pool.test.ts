import { createPubSub } from 'graphql-yoga';
import type { GraphQLError } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateHistory } from '../../src/datasources/simulated/history.js';
import type { MarketEvent, Trade } from '../../src/domain/market.js';
import { ANALYSES, MARKET_ANALYSES } from '../../src/engine/analyses.js';
import { createAnalysisEngine } from '../../src/engine/analysis-engine.js';
import type { AnalysisSettings } from '../../src/engine/definition.js';
import { createMarketStore, type MarketStore } from '../../src/engine/market-store.js';
import { createOnDemandScheduler, OnDemandBusyError } from '../../src/engine/on-demand.js';
import { createOnDemandPool, type OnDemandPool } from '../../src/engine/on-demand-pool.js';
import { createResultCache } from '../../src/engine/result-cache.js';
import { toAppError } from '../../src/errors.js';
import type { Topics } from '../../src/pubsub.js';
import type { AnalysisKind } from '../../src/domain/analysis.js';

const SYMBOLS = ['BTCUSDT', 'ETHUSDT'];
const START = Date.UTC(2026, 0, 31);
const settings: AnalysisSettings = { fundingHistoryWindow: 90, fundingIntervalHours: (symbol) => (symbol === 'ETHUSDT' ? 4 : 8) };

/** An engine with these definitions whose offloaded analyses run in `pool` (1 s recompute interval, no snapshots). */
const pooledEngine = (options: Pick<Parameters<typeof createAnalysisEngine>[0], 'store' | 'definitions' | 'marketDefinitions' | 'cache' | 'pubsub' | 'now' | 'pool'>) =>
  createAnalysisEngine({ ...options, settings, snapshots: { enqueue: () => {} }, origin: 'SIMULATED', venue: 'simulated', minIntervalMs: 1_000, snapshotEveryMs: 60_000 });
const fundingIntervalHours = { BTCUSDT: 8, ETHUSDT: 4 };

/** Two days of deterministic simulated history per symbol, plus trades around the last price. */
function historyEvents(): MarketEvent[] {
  const events: MarketEvent[] = [];
  SYMBOLS.forEach((symbol, i) => {
    const h = generateHistory({ seed: 11 + i, symbol, startTime: START, fundingCount: 30, statPeriods: 576, intervals: ['1m', '5m', '15m', '1h'], candleCount: { '1m': 900, '5m': 576, '15m': 192, '1h': 48 } });
    events.push(
      ...h.funding.map((funding) => ({ type: 'funding', funding }) as const),
      ...[...h.candles.values()].flat().map((candle) => ({ type: 'candle', candle }) as const),
      ...h.openInterest.map((openInterest) => ({ type: 'openInterest', openInterest }) as const),
      ...h.longShortRatios.map((ratio) => ({ type: 'longShortRatio', ratio }) as const),
      ...h.takerVolume.map((volume) => ({ type: 'takerVolume', volume }) as const),
      ...h.basis.map((basis) => ({ type: 'basis', basis }) as const),
      ...h.liquidations.map((liquidation) => ({ type: 'liquidation', liquidation }) as const),
      { type: 'markPrice', mark: h.mark },
      { type: 'spotPrice', spot: h.spot },
    );
    const price = h.mark.markPrice;
    for (let k = 0; k < 400; k += 1) {
      const trade: Trade = { symbol, id: k, price: price * (1 + ((k % 17) - 8) * 1e-4), qty: k % 50 === 0 ? 400 : 0.5 + (k % 7), time: START - 400_000 + k * 1_000, side: k % 3 === 0 ? 'SELL' : 'BUY' };
      events.push({ type: 'trade', trade });
    }
  });
  return events;
}

/** Non-default arguments for the analyses that take them (as the resolvers pass them). */
const CASES: Array<{ kind: AnalysisKind; symbol: string; params: Record<string, unknown> }> = [
  { kind: 'LIQUIDATION_HEATMAP', symbol: 'BTCUSDT', params: { rangePct: 8, buckets: 37, leverages: [5, 20, 50] } },
  { kind: 'VOLUME', symbol: 'ETHUSDT', params: { interval: '15m', spikeZ: 2.5 } },
  { kind: 'TRAPS', symbol: 'BTCUSDT', params: { interval: '5m', sensitivity: 0.8 } },
  { kind: 'MARKET_STRUCTURE', symbol: 'BTCUSDT', params: { interval: '5m', confirmBars: 3 } },
  { kind: 'KEY_LEVELS', symbol: 'ETHUSDT', params: { interval: '5m', tolerancePct: 0.4 } },
  { kind: 'VOLUME_PROFILE', symbol: 'BTCUSDT', params: { interval: '15m', valueAreaPct: 60 } },
  { kind: 'SESSIONS', symbol: 'BTCUSDT', params: { lookbackDays: 1 } },
  { kind: 'CORRELATION', symbol: 'ALL', params: { interval: '5m', window: 50 } },
];

function mainThread(store: MarketStore, kind: AnalysisKind, symbol: string, now: number, params: Record<string, unknown>) {
  const def = ANALYSES.find((d) => d.kind === kind);
  if (def?.computeWith) return def.computeWith(store.get(symbol)!, now, settings, params);
  return MARKET_ANALYSES.find((d) => d.kind === kind)!.computeWith!(store, symbol, now, settings, params);
}

describe('on-demand worker pool', () => {
  const events = historyEvents();
  let store: MarketStore;
  let pool: OnDemandPool;

  beforeAll(() => {
    store = createMarketStore(SYMBOLS);
    pool = createOnDemandPool({ workers: 2, symbols: SYMBOLS, nice: 5 });
    for (const event of events) {
      store.apply(event);
      pool.apply(event);
    }
  });
  afterAll(() => pool.stop());

  it('computes in its workers exactly what the main thread computes from the same store', async () => {
    const now = START + 1_000;
    for (const { kind, symbol, params } of CASES) {
      const expected = mainThread(store, kind, symbol, now, params);
      expect(expected, `${kind} has a result on this history`).not.toBeNull();
      const answer = await pool.compute({ kind, symbol, now, params, fundingHistoryWindow: 90, fundingIntervalHours });
      expect(answer.output, `${kind} ${JSON.stringify(params)}`).toEqual(expected);
      expect(answer.computeMs).toBeGreaterThan(0);
    }
    const heatmap = (await pool.compute({ kind: 'LIQUIDATION_HEATMAP', symbol: 'BTCUSDT', now, params: CASES[0]!.params, fundingHistoryWindow: 90, fundingIntervalHours })).output!.result as {
      buckets: unknown[];
      rangePct: number;
      totals: { allocatedNotional: number };
    };
    expect(heatmap.buckets, 'the requested bucket count').toHaveLength(37);
    expect(heatmap.rangePct).toBe(8);
    expect(heatmap.totals.allocatedNotional, 'positions were modelled from the history').toBeGreaterThan(0);
    expect(pool.stats()).toMatchObject({ workers: 2, running: 0 });
    expect(pool.stats().computed).toBe(CASES.length + 1);
  });

  it('follows the store: events applied after a computation reach the replicas before the next job', async () => {
    const last = store.get('BTCUSDT')!.candles.get('1m')!.last()!;
    const next = { ...last, openTime: last.openTime + 60_000, closeTime: last.closeTime + 60_000, open: last.close, close: last.close * 1.03, high: last.close * 1.035, low: last.close, closed: true };
    const moved: MarketEvent[] = [
      { type: 'candle', candle: next },
      { type: 'trade', trade: { symbol: 'BTCUSDT', id: 9_999, price: next.close, qty: 3, time: next.closeTime, side: 'BUY' } },
    ];
    const now = next.closeTime + 1;
    const params = CASES[0]!.params;
    const before = mainThread(store, 'LIQUIDATION_HEATMAP', 'BTCUSDT', now, params);
    for (const event of moved) {
      store.apply(event);
      pool.apply(event);
    }
    const expected = mainThread(store, 'LIQUIDATION_HEATMAP', 'BTCUSDT', now, params);
    expect((expected!.result as { price: number }).price, 'the new trade moved the price').toBe(next.close);
    expect(expected).not.toEqual(before);
    const answer = await pool.compute({ kind: 'LIQUIDATION_HEATMAP', symbol: 'BTCUSDT', now, params, fundingHistoryWindow: 90, fundingIntervalHours });
    expect(answer.output).toEqual(expected);
  });

  it('rejects past the queue bound and the time budget with the coded RATE_LIMITED error, and coalesces identical requests', async () => {
    const engineStore = createMarketStore(SYMBOLS);
    const enginePool = createOnDemandPool({ workers: 1, symbols: SYMBOLS });
    for (const event of events) {
      engineStore.apply(event);
      enginePool.apply(event);
    }
    const engine = (onDemand: ReturnType<typeof createOnDemandScheduler>) =>
      createAnalysisEngine({
        store: engineStore,
        definitions: ANALYSES,
        marketDefinitions: MARKET_ANALYSES,
        settings,
        cache: createResultCache(),
        pubsub: createPubSub<Topics>(),
        snapshots: { enqueue: () => {} },
        origin: 'SIMULATED',
        venue: 'simulated',
        minIntervalMs: 60_000,
        snapshotEveryMs: 60_000,
        onDemand,
        pool: enginePool,
      });
    try {
      const queued = engine(createOnDemandScheduler({ maxQueued: 2, budgetMs: 10_000, concurrency: 1 }));
      const a = queued.computeWithParams('LIQUIDATION_HEATMAP', 'BTCUSDT', { buckets: 41 });
      const same = queued.computeWithParams('LIQUIDATION_HEATMAP', 'BTCUSDT', { buckets: 41 });
      const b = queued.computeWithParams('LIQUIDATION_HEATMAP', 'BTCUSDT', { buckets: 42 });
      const c = queued.computeWithParams('LIQUIDATION_HEATMAP', 'BTCUSDT', { buckets: 43 });
      const error = await c.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OnDemandBusyError);
      expect((toAppError(error) as GraphQLError).extensions).toMatchObject({ code: 'RATE_LIMITED', queued: 2, budgetMs: 10_000 });
      const [ra, rsame, rb] = await Promise.all([a, same, b]);
      expect(rsame, 'coalesced: the same record').toBe(ra);
      expect((ra!.result as { buckets: unknown[] }).buckets).toHaveLength(41);
      expect((rb!.result as { buckets: unknown[] }).buckets).toHaveLength(42);
      expect(ra!.inputs!.map((i) => i.type), 'inputs sampled from the main store').toEqual(['openInterest', 'candle']);
      expect(enginePool.stats().computed, 'two computations in the worker').toBe(2);
      const cached = await queued.computeWithParams('LIQUIDATION_HEATMAP', 'BTCUSDT', { buckets: 41 });
      expect(cached, 'cached per parameter set').toBe(ra);
      expect(enginePool.stats().computed).toBe(2);

      // 30 ms per job (first estimate) against a 50 ms budget: the second distinct job is over budget.
      const budgeted = engine(createOnDemandScheduler({ maxQueued: 100, budgetMs: 50, initialEstimateMs: 30, concurrency: 1 }));
      const ok = budgeted.computeWithParams('VOLUME', 'BTCUSDT', { interval: '15m', spikeZ: 2.1 });
      const over = await budgeted.computeWithParams('VOLUME', 'BTCUSDT', { interval: '15m', spikeZ: 2.2 }).catch((e: unknown) => e);
      expect((toAppError(over) as GraphQLError).extensions).toMatchObject({ code: 'RATE_LIMITED', queued: 1, queuedMs: 30, budgetMs: 50 });
      expect(((await ok)!.result as { interval: string }).interval).toBe('15m');
    } finally {
      await enginePool.stop();
    }
  });

  it('runs the scheduled computations of offloaded analyses (the heatmap) in a worker, with the result of the main thread', async () => {
    const { liquidationHeatmapDefinition } = await import('../../src/engine/definitions/liquidation-heatmap.js');
    const { analysisKey } = await import('../../src/pubsub.js');
    const own = createMarketStore(SYMBOLS);
    const ownPool = createOnDemandPool({ workers: 1, symbols: SYMBOLS });
    for (const event of events) {
      own.apply(event);
      ownPool.apply(event);
    }
    const cache = createResultCache();
    const pubsub = createPubSub<Topics>();
    const published = pubsub.subscribe('analysis:updated', analysisKey('LIQUIDATION_HEATMAP', 'ETHUSDT'));
    const fixed = START + 5_000;
    const engine = pooledEngine({ store: own, definitions: [liquidationHeatmapDefinition as (typeof ANALYSES)[number]], cache, pubsub, now: () => fixed, pool: ownPool });
    try {
      engine.start();
      const first = await published[Symbol.asyncIterator]().next();
      const record = first.value as { result: unknown; asOf: number; inputs: Array<{ type: string }> };
      expect(ownPool.stats().computed, 'computed in the worker').toBeGreaterThanOrEqual(1);
      const expected = liquidationHeatmapDefinition.compute(own.get('ETHUSDT')!, fixed, settings)!;
      expect(record.result).toEqual(expected.result);
      expect(record.asOf).toBe(expected.asOf);
      expect(record.inputs.map((i) => i.type)).toEqual(['openInterest', 'candle']);
      expect((await cache.get('LIQUIDATION_HEATMAP', 'ETHUSDT'))?.result, 'cached as usual').toEqual(expected.result);
      const cold = engine.computeNow('LIQUIDATION_HEATMAP', 'BTCUSDT');
      expect(cold?.result, 'computeNow stays synchronous on the main thread').toEqual(liquidationHeatmapDefinition.compute(own.get('BTCUSDT')!, fixed, settings)!.result);
    } finally {
      engine.stop();
      await ownPool.stop();
    }
  });

  it('runs offloaded market-wide analyses (options flow) in a worker too, with the result of the main thread', async () => {
    const { optionsFlowDefinition } = await import('../../src/engine/definitions/options-flow.js');
    const { chainFor, longRunVariance } = await import('../../src/datasources/simulated/generators/market-wide.js');
    const { analysisKey } = await import('../../src/pubsub.js');
    expect(optionsFlowDefinition.offload, 'options flow is offloaded').toBe(true);
    const own = createMarketStore(SYMBOLS);
    const ownPool = createOnDemandPool({ workers: 1, symbols: SYMBOLS });
    const chain = chainFor('BTC', { realizedVar: longRunVariance('BTC'), trend: 0.01, ivLevel: 0, anchor: 100_000 }, START, 101_000, 0.0001, 1, 7, 'simulated');
    for (const event of [...events, chain]) {
      own.apply(event);
      ownPool.apply(event);
    }
    const cache = createResultCache();
    const pubsub = createPubSub<Topics>();
    const published = pubsub.subscribe('analysis:updated', analysisKey('OPTIONS_FLOW', 'BTC'));
    const fixed = START + 5_000;
    const engine = pooledEngine({ store: own, definitions: [], marketDefinitions: [optionsFlowDefinition as (typeof MARKET_ANALYSES)[number]], cache, pubsub, now: () => fixed, pool: ownPool });
    try {
      engine.start();
      const record = (await published[Symbol.asyncIterator]().next()).value as { result: unknown; asOf: number; inputs: Array<{ type: string }> };
      expect(ownPool.stats().computed, 'computed in the worker').toBe(1);
      const expected = optionsFlowDefinition.compute(own, 'BTC', fixed, settings)!;
      expect(record.result).toEqual(expected.result);
      expect(record.asOf).toBe(START);
      expect(record.inputs.map((i) => i.type)).toEqual(['optionsChain']);
      expect((await cache.get('OPTIONS_FLOW', 'BTC'))?.result, 'cached as usual').toEqual(expected.result);
      const cold = engine.computeNow('OPTIONS_FLOW', 'BTC');
      expect(cold?.result, 'computeNow stays synchronous on the main thread').toEqual(expected.result);
      expect(ownPool.stats().computed).toBe(1);
    } finally {
      engine.stop();
      await ownPool.stop();
    }
  });

  it('terminates its workers on stop and rejects what was still pending', async () => {
    const small = createOnDemandPool({ workers: 1, symbols: SYMBOLS });
    for (const event of events) small.apply(event);
    const done = await small.compute({ kind: 'VOLUME', symbol: 'BTCUSDT', now: START, params: { interval: '5m', spikeZ: 3 }, fundingHistoryWindow: 90, fundingIntervalHours });
    expect(done.output).not.toBeNull();
    const [tid] = small.stats().threadIds;
    expect(tid, 'the worker reported its thread id').toBeGreaterThan(0);
    const { existsSync } = await import('node:fs');
    expect(existsSync(`/proc/self/task/${tid}`), 'worker thread alive').toBe(true);
    const pending = small.compute({ kind: 'LIQUIDATION_HEATMAP', symbol: 'BTCUSDT', now: START, params: { buckets: 300 }, fundingHistoryWindow: 90, fundingIntervalHours });
    const outcome = pending.catch((e: unknown) => e);
    await small.stop();
    expect(await outcome).toMatchObject({ message: 'on-demand worker pool stopped' });
    expect(existsSync(`/proc/self/task/${tid}`), 'worker thread gone').toBe(false);
    expect(small.available()).toBe(false);
  });
});
