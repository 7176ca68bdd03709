import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPubSub } from 'graphql-yoga';
import type { AnalysisRecord } from '../../src/domain/analysis.js';
import type { FundingAnalysis } from '../../src/analyzers/funding.types.js';
import { fundingDefinition, type AnalysisDefinition } from '../../src/engine/analyses.js';
import { createAnalysisEngine } from '../../src/engine/analysis-engine.js';
import { createMarketStore } from '../../src/engine/market-store.js';
import { createResultCache } from '../../src/engine/result-cache.js';
import type { Topics } from '../../src/pubsub.js';
import type { SnapshotRow } from '../../src/db/snapshot-repository.js';

const H8 = 8 * 3_600_000;

function setup() {
  const store = createMarketStore(['BTCUSDT']);
  const pubsub = createPubSub<Topics>();
  const cache = createResultCache();
  const rows: SnapshotRow[] = [];
  const engine = createAnalysisEngine({
    store,
    definitions: [fundingDefinition as AnalysisDefinition],
    settings: { fundingHistoryWindow: 90, fundingIntervalHours: () => 8 },
    cache,
    pubsub,
    snapshots: { enqueue: (row) => rows.push(row) },
    origin: 'SIMULATED',
    venue: 'simulated',
    minIntervalMs: 1_000,
    snapshotEveryMs: 10_000,
    now: () => Date.now(),
  });
  const published: AnalysisRecord[] = [];
  const off = pubsub.subscribe('analysis:updated', 'FUNDING:BTCUSDT');
  void (async () => {
    for await (const record of off) published.push(record);
  })();
  return { store, engine, cache, rows, published };
}

describe('createAnalysisEngine', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(10 * H8 + 1_000);
  });
  afterEach(() => vi.useRealTimers());

  it('computes funding from the store, caches, publishes and samples snapshots', async () => {
    const { store, engine, cache, rows, published } = setup();
    engine.start();
    for (let i = 0; i < 10; i += 1) store.apply({ type: 'funding', funding: { symbol: 'BTCUSDT', rate: 0.0001, fundingTime: (i + 1) * H8, markPrice: null } });
    await vi.advanceTimersByTimeAsync(0);
    const record = (await cache.get('FUNDING', 'BTCUSDT')) as AnalysisRecord<FundingAnalysis>;
    expect(record.result.rate, 'last settlement').toBe(0.0001);
    expect(record.result.sampleSize, '9 settlements before the current one').toBe(9);
    expect(record.asOf, 'newest input is the last settlement').toBe(10 * H8);
    expect(record.source).toBe('SIMULATED');
    expect(published, 'one coalesced publication for ten changes').toHaveLength(1);
    expect(rows, 'first result is snapshotted').toHaveLength(1);
    expect(rows[0]!.methodologyVersion).toBe('funding/1.2.0');
    engine.stop();
  });

  it('recomputes at most once per minimum interval and coalesces changes into a trailing run', async () => {
    const { store, engine, published, rows } = setup();
    engine.start();
    store.apply({ type: 'funding', funding: { symbol: 'BTCUSDT', rate: 0.0001, fundingTime: H8, markPrice: null } });
    await vi.advanceTimersByTimeAsync(0);
    expect(published).toHaveLength(1);
    for (let i = 0; i < 20; i += 1) {
      store.apply({
        type: 'markPrice',
        mark: { symbol: 'BTCUSDT', markPrice: 1, indexPrice: 1, predictedFundingRate: 0.0001 + i * 1e-6, nextFundingTime: 11 * H8, time: Date.now() },
      });
      await vi.advanceTimersByTimeAsync(100);
    }
    // 2 000 ms of changes after the first run at t0: runs at t0+1000 and t0+2000 only.
    expect(published.length, 'throttled to one run per second').toBe(3);
    expect((published.at(-1)!.result as FundingAnalysis).predictedRate, 'trailing run sees the newest input').toBeCloseTo(0.0001 + 19e-6, 12);
    expect(rows, 'snapshots sampled every 10 s, not every run').toHaveLength(1);
    engine.stop();
  });

  it('publishes nothing while there is no settlement to analyse', async () => {
    const { engine, published } = setup();
    engine.start();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(published).toHaveLength(0);
    expect(engine.computeNow('FUNDING', 'BTCUSDT')).toBeUndefined();
    engine.stop();
  });

  it('a not-ready computation does not consume the throttle: the input that makes it ready runs it at once', async () => {
    const { store, engine, cache, published } = setup();
    engine.start();
    const mark = { symbol: 'BTCUSDT', markPrice: 1, indexPrice: 1, predictedFundingRate: 0.0001, nextFundingTime: 11 * H8, time: Date.now() };
    store.apply({ type: 'markPrice', mark });
    await vi.advanceTimersByTimeAsync(0);
    expect(published, 'no settlement yet: funding is not ready').toHaveLength(0);
    await vi.advanceTimersByTimeAsync(100);
    store.apply({ type: 'funding', funding: { symbol: 'BTCUSDT', rate: 0.0002, fundingTime: 10 * H8, markPrice: null } });
    await vi.advanceTimersByTimeAsync(0);
    // With the throttle taken by the null run at t0, this run would wait until t0 + 1 000 ms (900 ms more).
    expect(published, 'computed 100 ms after the null run, not one minimum interval later').toHaveLength(1);
    expect(((await cache.get('FUNDING', 'BTCUSDT')) as AnalysisRecord<FundingAnalysis>).result.rate).toBe(0.0002);
    engine.stop();
  });

  it('drops a recomputation equal to the previous result: no republish, no snapshot, no onResult call', async () => {
    const store = createMarketStore(['BTCUSDT']);
    const pubsub = createPubSub<Topics>();
    const cache = createResultCache();
    const rows: SnapshotRow[] = [];
    const reported: AnalysisRecord[] = [];
    // A stand-in analysis whose payload is a fresh (but equal) object on each run, or a new one when its asOf moves.
    let asOf = 5_000;
    let reuse: { value: number } | null = null;
    const definition: AnalysisDefinition = {
      kind: 'VOLATILITY',
      methodologyVersion: 'test/1',
      triggers: new Set(['markPrice']),
      inputs: [{ type: 'markPrice' }],
      compute: () => ({ result: reuse ?? { value: asOf / 1000 }, asOf }),
    };
    const engine = createAnalysisEngine({
      store,
      definitions: [definition],
      settings: { fundingHistoryWindow: 90, fundingIntervalHours: () => 8 },
      cache,
      pubsub,
      snapshots: { enqueue: (row) => rows.push(row) },
      origin: 'SIMULATED',
      venue: 'simulated',
      minIntervalMs: 100,
      snapshotEveryMs: 0,
      onResult: [(record) => reported.push(record)],
    });
    const published: AnalysisRecord[] = [];
    const events = pubsub.subscribe('analysis:updated', 'VOLATILITY:BTCUSDT');
    void (async () => {
      for await (const record of events) published.push(record);
    })();
    engine.start();
    const tick = async () => {
      store.apply({ type: 'markPrice', mark: { symbol: 'BTCUSDT', markPrice: 1, indexPrice: 1, predictedFundingRate: 0, nextFundingTime: H8, time: Date.now() } });
      await vi.advanceTimersByTimeAsync(200);
    };
    await vi.advanceTimersByTimeAsync(0);
    for (let i = 0; i < 5; i += 1) await tick();
    expect(published, 'five equal recomputations after the first publish nothing').toHaveLength(1);
    expect(rows, 'and snapshot nothing').toHaveLength(1);
    expect(reported, 'and call no onResult handler').toHaveLength(1);
    reuse = published[0]!.result as { value: number };
    await tick();
    expect(published, 'the same object again is unchanged too').toHaveLength(1);
    reuse = null;
    asOf = 6_000;
    await tick();
    expect(published.map((r) => r.result), 'a new asOf is published').toEqual([{ value: 5 }, { value: 6 }]);
    expect(rows.map((r) => r.asOf)).toEqual([5_000, 6_000]);
    expect(reported).toHaveLength(2);
    expect(engine.stats().unchanged).toBe(6);
    expect(engine.computeNow('VOLATILITY', 'BTCUSDT'), 'computeNow still answers with the latest result').toBe(published[1]);
    engine.stop();
  });
});
