import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPubSub } from 'graphql-yoga';
import type { AnalysisRecord } from '../../src/domain/analysis.js';
import type { FundingAnalysis } from '../../src/analyzers/funding.types.js';
import { fundingDefinition, type AnalysisDefinition, type DerivedDefinition } from '../../src/engine/analyses.js';
import { createAnalysisEngine } from '../../src/engine/analysis-engine.js';
import { createMarketStore } from '../../src/engine/market-store.js';
import { createResultCache } from '../../src/engine/result-cache.js';
import type { Topics } from '../../src/pubsub.js';

const H = 3_600_000;
const H8 = 8 * H;

interface Derived {
  rate: number | null;
  stale: boolean | null;
  fundingComputedAt: number | null;
  interval: string;
}

function setup() {
  const store = createMarketStore(['BTCUSDT', 'ETHUSDT']);
  const pubsub = createPubSub<Topics>();
  const cache = createResultCache();
  const calls: string[] = [];
  const derived: DerivedDefinition<Derived> = {
    kind: 'CONFIRMATION',
    methodologyVersion: 'test/1',
    dependsOn: ['FUNDING'],
    triggers: new Set(),
    inputs: [{ type: 'funding' }],
    minIntervalMs: 5_000,
    compute(market, _now, _settings, deps) {
      calls.push(`compute:${market.symbol}`);
      const funding = deps.latest<FundingAnalysis>('FUNDING', market.symbol);
      if (!funding) return null;
      return { result: { rate: funding.record.result.rate, stale: funding.stale, fundingComputedAt: funding.record.computedAt, interval: 'default' }, asOf: funding.record.asOf };
    },
    computeWith(market, _now, _settings, params, deps) {
      calls.push(`computeWith:${market.symbol}`);
      const funding = deps.latest<FundingAnalysis>('FUNDING', market.symbol);
      return { result: { rate: funding?.record.result.rate ?? null, stale: funding?.stale ?? null, fundingComputedAt: null, interval: (params as { interval: string }).interval }, asOf: 1 };
    },
  };
  const engine = createAnalysisEngine({
    store,
    definitions: [fundingDefinition as AnalysisDefinition],
    derivedDefinitions: [derived as DerivedDefinition],
    settings: { fundingHistoryWindow: 90, fundingIntervalHours: () => 8 },
    cache,
    pubsub,
    snapshots: { enqueue: () => {} },
    origin: 'SIMULATED',
    venue: 'simulated',
    minIntervalMs: 1_000,
    snapshotEveryMs: 10_000,
    now: () => Date.now(),
  });
  const published: AnalysisRecord<Derived>[] = [];
  const sub = pubsub.subscribe('analysis:updated', 'CONFIRMATION:BTCUSDT');
  void (async () => {
    for await (const record of sub) published.push(record as AnalysisRecord<Derived>);
  })();
  const settle = (symbol: string, i: number, rate: number) => store.apply({ type: 'funding', funding: { symbol, rate, fundingTime: (i + 1) * H8, markPrice: null } });
  return { store, engine, cache, published, calls, settle };
}

describe('derived analyses (DerivedDefinition)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(10 * H8 + 1_000);
  });
  afterEach(() => vi.useRealTimers());

  it('recomputes from the published record of its dependency, for the symbol whose dependency changed', async () => {
    const { engine, cache, published, calls, settle } = setup();
    engine.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls, 'scheduled at start; not ready without a dependency (no publication)').toEqual(['compute:BTCUSDT', 'compute:ETHUSDT']);
    expect(published).toHaveLength(0);
    for (let i = 0; i < 10; i += 1) settle('BTCUSDT', i, 0.0002);
    // FUNDING runs at once, then CONFIRMATION once its own 5 s throttle (from the not-ready run, which did not consume it) allows.
    await vi.advanceTimersByTimeAsync(10);
    const funding = (await cache.get('FUNDING', 'BTCUSDT'))!;
    expect(published).toHaveLength(1);
    expect(published[0]!.result).toEqual({ rate: 0.0002, stale: false, fundingComputedAt: funding.computedAt, interval: 'default' });
    expect(published[0]!.asOf, 'asOf of the dependency it read').toBe(10 * H8);
    expect(calls.filter((c) => c === 'compute:ETHUSDT'), 'ETH funding did not change: not recomputed').toHaveLength(1);
    expect((await cache.get('CONFIRMATION', 'BTCUSDT'))?.methodologyVersion, 'cached like any analysis').toBe('test/1');
    engine.stop();
  });

  it('is throttled by its own minIntervalMs and judges dependency staleness at read time', async () => {
    const { engine, published, settle } = setup();
    engine.start();
    for (let i = 0; i < 10; i += 1) settle('BTCUSDT', i, 0.0001);
    await vi.advanceTimersByTimeAsync(0);
    expect(published).toHaveLength(1);
    settle('BTCUSDT', 10, 0.0003); // FUNDING republishes after its 1 s throttle
    await vi.advanceTimersByTimeAsync(1_000);
    expect(published, 'within 5 s of the last run: waiting').toHaveLength(1);
    await vi.advanceTimersByTimeAsync(4_000);
    expect(published).toHaveLength(2);
    expect(published[1]!.result.rate).toBe(0.0003);
    expect(published[1]!.result.stale).toBe(false);
    // Funding settles every 8 h, grace 12 h: 20 h after the last settlement (11 × 8 h) its input is overdue.
    vi.setSystemTime(11 * H8 + 20 * H + 1);
    const cold = engine.computeNow('CONFIRMATION', 'BTCUSDT')!;
    expect(cold.result).toMatchObject({ rate: 0.0003, stale: true });
    engine.stop();
  });

  it('parameters run on the main thread through the on-demand scheduler and are cached per parameter set', async () => {
    const { engine, calls, settle } = setup();
    engine.start();
    for (let i = 0; i < 10; i += 1) settle('BTCUSDT', i, 0.0001);
    await vi.advanceTimersByTimeAsync(0);
    const pending = engine.computeWithParams('CONFIRMATION', 'BTCUSDT', { interval: '4h' });
    await vi.advanceTimersByTimeAsync(0);
    const first = (await pending)!;
    expect(first.result).toMatchObject({ rate: 0.0001, interval: '4h' });
    expect(first.inputs?.map((i) => i.type)).toEqual(['funding']);
    const again = engine.computeWithParams('CONFIRMATION', 'BTCUSDT', { interval: '4h' });
    expect(await again, 'same parameters within the window: cached').toBe(first);
    expect(calls.filter((c) => c.startsWith('computeWith'))).toHaveLength(1);
    engine.stop();
  });
});
