import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPubSub } from 'graphql-yoga';
import type { AnalysisRecord } from '../../src/domain/analysis.js';
import type { Candle } from '../../src/domain/market.js';
import type { AnalysisDefinition } from '../../src/engine/analyses.js';
import { createAnalysisEngine } from '../../src/engine/analysis-engine.js';
import { basisDefinition } from '../../src/engine/definitions/basis.js';
import { volumeDefinition } from '../../src/engine/definitions/volume.js';
import { judgeInput, sampleInput, staleAfterMs } from '../../src/engine/freshness.js';
import { createMarketStore } from '../../src/engine/market-store.js';
import { createResultCache } from '../../src/engine/result-cache.js';
import type { Topics } from '../../src/pubsub.js';
import { metaOf } from '../../src/resolvers/shared.js';
import type { GraphQLContext } from '../../src/context.js';

const M5 = 300_000;
const H1 = 3_600_000;
const STREAM = 30_000;
const T0 = 1_750_000_000_000 - (1_750_000_000_000 % H1);

describe('cadence rule', () => {
  it('a closed 1h bar is overdue only once the next bar should have closed, plus the grace', () => {
    const closeTime = T0 - 1;
    const input = sampleInput({ type: 'candle', interval: '1h' }, closeTime, STREAM);
    expect(input).toEqual({ type: 'candle', interval: '1h', lastAt: closeTime, expectedEveryMs: H1, graceMs: STREAM });
    expect(judgeInput(input, closeTime + 59 * 60_000).overdue, '59 min after the close: the next bar is not due').toBe(false);
    expect(judgeInput(input, closeTime + H1 + STREAM).overdue, 'next close + grace exactly').toBe(false);
    expect(judgeInput(input, closeTime + H1 + STREAM + 1).overdue, '1 ms past next close + grace').toBe(true);
    expect(judgeInput(input, closeTime + 1_000).ageMs).toBe(1_000);
  });

  it('streams are held to their heartbeat + STALE_AFTER_MS, polled statistics to 2.5 periods, liquidations never', () => {
    const mark = sampleInput({ type: 'markPrice' }, T0, STREAM);
    expect(judgeInput(mark, T0 + 31_000).overdue).toBe(false);
    expect(judgeInput(mark, T0 + 31_001).overdue).toBe(true);
    const oi = sampleInput({ type: 'openInterest' }, T0, STREAM);
    expect(oi.expectedEveryMs).toBe(60_000);
    expect(judgeInput(oi, T0 + 150_000).overdue, '2.5 × 60 s').toBe(false);
    expect(judgeInput(oi, T0 + 150_001).overdue).toBe(true);
    const liquidation = sampleInput({ type: 'liquidation' }, T0, STREAM);
    expect(judgeInput(liquidation, T0 + 86_400_000).overdue, 'a calm market sends no liquidation').toBe(false);
    expect(judgeInput(sampleInput({ type: 'trade' }, null, STREAM), T0 + 86_400_000), 'never received: missing, not overdue').toMatchObject({
      ageMs: null,
      overdue: false,
    });
    expect(staleAfterMs('openInterest', STREAM)).toBe(150_000);
  });
});

function candle(openTime: number, closed: boolean): Candle {
  return {
    symbol: 'BTCUSDT',
    interval: '5m',
    openTime,
    closeTime: openTime + M5 - 1,
    open: 100,
    high: 101,
    low: 99,
    close: 100,
    volume: 10,
    quoteVolume: 1_000,
    takerBuyVolume: 5,
    trades: 10,
    closed,
  };
}

describe('meta.stale on a fake clock (engine + store + resolver meta)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(() => vi.useRealTimers());

  function setup() {
    const store = createMarketStore(['BTCUSDT']);
    const cache = createResultCache();
    const engine = createAnalysisEngine({
      store,
      definitions: [volumeDefinition as AnalysisDefinition, basisDefinition as AnalysisDefinition],
      settings: { fundingHistoryWindow: 90, fundingIntervalHours: () => 8 },
      cache,
      pubsub: createPubSub<Topics>(),
      snapshots: { enqueue: () => undefined },
      origin: 'SIMULATED',
      venue: 'simulated',
      minIntervalMs: 100,
      snapshotEveryMs: 60_000,
      staleAfterMs: STREAM,
      now: () => Date.now(),
    });
    const ctx = (live: boolean) =>
      ({
        services: { now: () => Date.now(), staleAfterMs: STREAM, inputs: live ? (kind: never, key: string) => engine.sampleInputs(kind, key) : undefined },
      }) as unknown as GraphQLContext;
    return { store, cache, engine, ctx };
  }

  /** One 250 ms tick of a healthy feed: mark price, the forming 5 m bar, and the bar that just closed. */
  function tick(store: ReturnType<typeof createMarketStore>, t: number, markAlive = true): void {
    if (markAlive) store.apply({ type: 'markPrice', mark: { symbol: 'BTCUSDT', markPrice: 100 + (t % 7), indexPrice: 100, predictedFundingRate: 0.0001, nextFundingTime: T0 + 8 * H1, time: t } });
    const open = t - (t % M5);
    if (t % M5 < 250) store.apply({ type: 'candle', candle: candle(open - M5, true) });
    store.apply({ type: 'candle', candle: { ...candle(open, false), closeTime: open + M5 - 1 } });
  }

  it('healthy feed: neither the 5 m volume nor the basis is ever stale; stopped mark stream: only basis turns stale, within its grace', async () => {
    const { store, cache, engine, ctx } = setup();
    for (let i = 1; i <= 24; i += 1) store.apply({ type: 'candle', candle: candle(T0 - i * M5, true) });
    engine.start();
    const staleSeen: string[] = [];
    // 20 minutes of a healthy feed, checked every 5 s: before the fix VOLUME (asOf = last bar close) was stale
    // from 30 s after every close until the next one.
    for (let t = T0; t < T0 + 20 * 60_000; t += 250) {
      tick(store, t);
      await vi.advanceTimersByTimeAsync(250);
      if (t % 5_000 === 0) {
        for (const kind of ['VOLUME', 'BASIS'] as const) {
          const record = (await cache.get(kind, 'BTCUSDT')) as AnalysisRecord;
          for (const live of [true, false]) if (metaOf(ctx(live), record).stale) staleSeen.push(`${kind}@${t - T0}${live ? '' : ' (record)'}`);
        }
      }
    }
    expect(staleSeen, 'healthy feed').toEqual([]);

    // The mark-price stream stops; candles keep coming.
    const stoppedAt = Date.now();
    const lastMark = stoppedAt - 250;
    let basisStaleAfter: number | null = null;
    for (let t = stoppedAt; t < stoppedAt + 120_000; t += 250) {
      tick(store, t, false);
      await vi.advanceTimersByTimeAsync(250);
      const volume = metaOf(ctx(true), (await cache.get('VOLUME', 'BTCUSDT'))!);
      expect(volume.stale, `volume at +${t - stoppedAt} ms`).toBe(false);
      const basis = metaOf(ctx(true), (await cache.get('BASIS', 'BTCUSDT'))!);
      if (basis.stale && basisStaleAfter === null) {
        basisStaleAfter = Date.now() - lastMark;
        expect(basis.inputs.find((i) => i.overdue)).toMatchObject({ type: 'markPrice', expectedEveryMs: 1_000, graceMs: STREAM });
      }
    }
    expect(basisStaleAfter, 'basis turns stale once heartbeat + grace (31 s) after the last mark passed').not.toBeNull();
    expect(basisStaleAfter!).toBeGreaterThan(31_000);
    expect(basisStaleAfter!).toBeLessThanOrEqual(31_250);
    engine.stop();
  });

  it('records carry their sampled inputs (ROLE=api judges them without a store)', async () => {
    const { store, cache, engine } = setup();
    store.apply({ type: 'candle', candle: candle(T0 - M5, true) });
    engine.start();
    await vi.advanceTimersByTimeAsync(0);
    const record = (await cache.get('VOLUME', 'BTCUSDT'))!;
    expect(record.inputs).toEqual([{ type: 'candle', interval: '5m', lastAt: T0 - 1, expectedEveryMs: M5, graceMs: STREAM }]);
    engine.stop();
  });
});
