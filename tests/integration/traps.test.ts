import { print, type DocumentNode } from 'graphql';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Candle } from '../../src/domain/market.js';
import type { MarketDataSource } from '../../src/datasources/market-data-source.js';
import {
  MarketTrapsDocument,
  TrapDetectedDocument,
  TrapsUpdatedDocument,
  type MarketTrapsQuery,
  type TrapDetectedSubscription,
  type TrapsUpdatedSubscription,
} from '../../generated/graphql/graphql.js';
import { uniqueName, waitFor, SHARED_REDIS_URL, startIsolatedTestApp, type IsolatedTestApp } from '../support/harness.js';
import { run, wsClient } from '../support/ws.js';
import { createScriptedSource } from '../support/scripted-source.js';

/** Keeps every event of one subscription until disposed. */
function stream<T>(client: Client, document: DocumentNode, variables: Record<string, unknown>) {
  const events: T[] = [];
  const errors: unknown[] = [];
  const dispose = client.subscribe<T>(
    { query: print(document), variables },
    {
      next: (result) => (result.errors ? errors.push(result.errors) : events.push(result.data as T)),
      error: (error) => errors.push(error),
      complete: () => {},
    },
  );
  return { events, errors, dispose };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const M15 = 900_000;

describe('traps end to end (simulated market)', () => {
  let app: IsolatedTestApp;

  beforeAll(async () => {
    app = await startIsolatedTestApp({ REDIS_URL: SHARED_REDIS_URL, REDIS_PREFIX: `${uniqueName('t')}:` });
  });
  afterAll(() => app?.teardown());

  it('serves the default 15m analysis over the backfilled candles', async () => {
    const res = await waitFor(async () => {
      const r = await run(app, MarketTrapsDocument, { symbol: 'BTCUSDT' });
      return r.data ? r : undefined;
    });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const a = res.data!.market.traps!;
    expect(a.interval).toBe('15m');
    expect(a.sensitivity).toBe(0.2);
    expect(a.reclaimBars).toBe(3);
    expect(a.warmingUp, '500 backfilled bars').toBe(false);
    expect(a.barsAnalyzed).toBeGreaterThanOrEqual(499);
    expect(a.atr!).toBeGreaterThan(0);
    expect(a.meta.source).toBe('SIMULATED');
    expect(a.meta.methodologyVersion).toBe('traps/1.0.0');
    expect(a.traps.length, 'the simulated walk produces some traps over 500 bars').toBeGreaterThan(0);
    expect(a.traps.length, 'default limit').toBeLessThanOrEqual(50);
    const times = a.traps.map((t) => Date.parse(t.time));
    expect(times, 'newest first').toEqual([...times].sort((x, y) => y - x));
    expect(a.latest!.id).toBe(a.traps[0]!.id);
    for (const t of a.traps) {
      expect(t.confidence).toBeGreaterThanOrEqual(0);
      expect(t.confidence).toBeLessThanOrEqual(1);
      expect(t.factors.map((f) => f.name)).toEqual(['wickSize', 'volume', 'levelStrength', 'reclaimSpeed']);
      expect(t.id).toBe(`${t.type}:${Date.parse(t.time)}:${t.level}`);
    }
  });

  it('computes custom args on demand and filters by range', async () => {
    const base = (await run(app, MarketTrapsDocument, { symbol: 'BTCUSDT', limit: 500 })).data!.market.traps!;
    const newest = base.traps[0]!;
    const ranged = await run(app, MarketTrapsDocument, { symbol: 'BTCUSDT', from: newest.time, to: newest.time, limit: 500 });
    expect(ranged.errors, JSON.stringify(ranged.errors)).toBeUndefined();
    expect(ranged.data!.market.traps!.traps.map((t) => t.id), 'from = to = the newest detection time').toContain(newest.id);
    expect(ranged.data!.market.traps!.traps.every((t) => t.time === newest.time)).toBe(true);

    const strict = await run(app, MarketTrapsDocument, { symbol: 'BTCUSDT', sensitivity: 1.5, limit: 500 });
    expect(strict.errors, JSON.stringify(strict.errors)).toBeUndefined();
    expect(strict.data!.market.traps!.sensitivity).toBe(1.5);
    expect(strict.data!.market.traps!.traps.length, 'a deeper threshold finds fewer').toBeLessThanOrEqual(base.traps.length);

    const hourly = await run(app, MarketTrapsDocument, { symbol: 'ETHUSDT', interval: 'I1H' });
    expect(hourly.errors, JSON.stringify(hourly.errors)).toBeUndefined();
    expect(hourly.data!.market.traps!.interval).toBe('1h');
  });

  it('rejects bad arguments with BAD_USER_INPUT', async () => {
    for (const variables of [
      { symbol: 'BTCUSDT', sensitivity: 0 },
      { symbol: 'BTCUSDT', limit: 501 },
      { symbol: 'BTCUSDT', from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' },
    ]) {
      const res = await run(app, MarketTrapsDocument, variables);
      expect(res.errors?.[0]?.extensions?.code, JSON.stringify(variables)).toBe('BAD_USER_INPUT');
    }
    const res = await run(app, MarketTrapsDocument, { symbol: 'BTCUSDT', sensitivity: -1 });
    expect(res.errors![0]!.message).toContain('sensitivity must be > 0');
  });
});

/**
 * A MarketDataSource test double: on start it delivers 24 closed 15 m candles per symbol (quiet bars
 * around 100 with one swing high of 103 at bar 20), afterwards exactly the candles the test pushes.
 */
function createFakeSource(symbols: readonly string[], start: number) {
  return createScriptedSource(symbols, (subscribed, s) => {
    for (const symbol of subscribed) {
      for (let i = 0; i < 24; i += 1) s({ type: 'candle', candle: candle(symbol, start, i, i === 20 ? [100, 103, 99, 100] : [100, 101, 99, 100]) });
    }
  });
}

function candle(symbol: string, start: number, index: number, [open, high, low, close]: [number, number, number, number], closed = true, volume = 10): Candle {
  const openTime = start + index * M15;
  return { symbol, interval: '15m', openTime, closeTime: openTime + M15 - 1, open, high, low, close, volume, quoteVolume: volume * close, takerBuyVolume: volume / 2, trades: 10, closed };
}

describe('trapDetected fires once per new detection (test-double source)', () => {
  const SYMBOLS = ['BTCUSDT', 'ETHUSDT'];
  const start = Math.floor(Date.now() / M15) * M15 - 24 * M15;
  let app: IsolatedTestApp;
  let source: ReturnType<typeof createFakeSource>;

  beforeAll(async () => {
    source = createFakeSource(SYMBOLS, start);
    app = await startIsolatedTestApp({ REDIS_URL: SHARED_REDIS_URL, REDIS_PREFIX: `${uniqueName('t')}:`, SYMBOLS: SYMBOLS.join(',') }, source);
  });
  afterAll(() => app?.teardown());

  it('announces the stop hunt pushed, exactly once, and nothing for quiet bars', async () => {
    const client = wsClient(app);
    const detected = stream<TrapDetectedSubscription>(client, TrapDetectedDocument, { symbol: 'btcusdt' });
    const updates = stream<TrapsUpdatedSubscription>(client, TrapsUpdatedDocument, { symbol: 'BTCUSDT' });
    try {
      // A forming candle makes the engine recompute until the update subscription delivers: both are live.
      await waitFor(async () => {
        source.push({ type: 'candle', candle: candle('BTCUSDT', start, 24, [100, 100.5, 99.5, 100], false) });
        return updates.events.length > 0;
      });
      await sleep(300);
      expect(updates.events[0]!.trapsUpdated.latest, 'no trap in the quiet history').toBeNull();

      // Bar 24 closes after a wick to 104 through the 103 swing high: a bearish liquidity grab.
      source.push({ type: 'candle', candle: candle('BTCUSDT', start, 24, [100, 104, 99.5, 100.5], true, 30) });
      source.push({ type: 'candle', candle: candle('ETHUSDT', start, 24, [100, 104, 99.5, 100.5], true, 30) });
      await waitFor(async () => detected.events.length >= 1);
      const trap = detected.events[0]!.trapDetected;
      expect(trap.symbol, 'keyed by symbol: the ETHUSDT trap is not delivered here').toBe('BTCUSDT');
      expect(trap.type).toBe('LIQUIDITY_GRAB_HIGH');
      expect(trap.direction).toBe('BEARISH');
      expect(trap.level).toBe(103);
      expect(trap.time).toBe(new Date(start + 24 * M15).toISOString());
      expect(trap.id).toBe(`LIQUIDITY_GRAB_HIGH:${start + 24 * M15}:103`);
      expect(trap.volumeRatio).toBe(3);
      expect(trap.bar).toMatchObject({ high: 104, close: 100.5, volume: 30 });
      expect(trap.meta, 'provenance of the TRAPS result that detected it (15 m bar 24 closed)').toEqual({ source: 'SIMULATED', venue: 'test-double', asOf: new Date(start + 25 * M15 - 1).toISOString() });

      // More bars and recomputations: the same trap stays in the result but is not announced again.
      for (let i = 25; i < 28; i += 1) {
        source.push({ type: 'candle', candle: candle('BTCUSDT', start, i, [100, 101, 99, 100]) });
        await sleep(250);
      }
      const latest = await run(app, MarketTrapsDocument, { symbol: 'BTCUSDT' });
      expect(latest.data!.market.traps!.traps.map((t) => t.id)).toEqual([trap.id]);
      expect(latest.data!.market.traps!.active.map((t) => t.id), 'no later high above 104').toEqual([trap.id]);
      expect(detected.events, 'exactly one event per new detection').toHaveLength(1);
      expect(detected.errors.concat(updates.errors)).toEqual([]);
    } finally {
      detected.dispose();
      updates.dispose();
      await client.dispose();
    }
  });
});
