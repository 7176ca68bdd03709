import { print } from 'graphql';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MarketVolumeDocument,
  MarketVolumeProfileDocument,
  VolumeUpdatedDocument,
  type MarketVolumeProfileQuery,
  type MarketVolumeQuery,
  type VolumeUpdatedSubscription,
} from '../../generated/graphql/graphql.js';
import { waitFor, startIsolatedTestApp, type IsolatedTestApp } from '../support/harness.js';
import { run, collectEvents, wsClient } from '../support/ws.js';

const collect = <T>(client: Client, query: string, variables: Record<string, unknown>, count: number, timeoutMs = 20_000) => collectEvents<T>(client, query, variables, count, timeoutMs);

const HOUR = 3_600_000;

describe('volume and volume profile end to end (simulated market)', () => {
  let app: IsolatedTestApp;

  beforeAll(async () => {
    app = await startIsolatedTestApp();
  });
  afterAll(() => app?.teardown());

  it('serves the default volume analysis with VWAPs, CVD and an explained flow', async () => {
    const res = await waitFor(async () => {
      const r = await run(app, MarketVolumeDocument, { symbol: 'BTCUSDT' });
      return r.data ? r : undefined;
    });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const v = res.data!.market.volume!;
    expect(v.interval).toBe('I5M');
    expect(v.warmingUp, '500 backfilled 5m bars').toBe(false);
    expect(v.meta.source).toBe('SIMULATED');
    expect(v.meta.methodologyVersion).toBe('volume/1.1.1');
    expect([v.lookback, v.spikeZ]).toEqual([20, 2.5]);
    expect(v.series.length).toBe(100);
    const last = v.series.at(-1)!;
    expect(v.takerCoverage, 'the simulated venue records taker flow').toBe(1);
    expect(v.unavailable).toEqual([]);
    expect(last.cvd! - v.series.at(-2)!.cvd!, 'CVD steps by the bar delta').toBeCloseTo(last.delta!, 6);
    expect(Math.abs(last.delta!)).toBeLessThanOrEqual(last.volume + 1e-9);
    expect(v.session, '41 h of bars hold today’s 00:00 UTC').not.toBeNull();
    expect(v.session!.upper2).toBeGreaterThanOrEqual(v.session!.upper1);
    expect(v.session!.lower1).toBeGreaterThanOrEqual(v.session!.lower2);
    expect(v.anchored!.source).toMatch(/^SWING_(HIGH|LOW)$/);
    expect(v.flow).toMatch(/^(BUYERS_IN_CONTROL|SELLERS_IN_CONTROL|BALANCED)$/);
    expect(v.factors.map((f) => f.name)).toEqual(['deltaImbalance', 'cvdSlope', 'priceVsVwap']);
    expect(v.score, 'score = 100 × Σ contributions').toBeCloseTo(100 * v.factors.reduce((s, f) => s + f.contribution, 0), 1);
  });

  it('computes custom arguments on demand', async () => {
    const anchor = new Date(Date.now() - 6 * HOUR).toISOString();
    const res = await run(app, MarketVolumeDocument, { symbol: 'ETHUSDT', interval: 'I15M', anchor, spikeZ: 2, lookback: 30 });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const v = res.data!.market.volume!;
    expect(v.interval).toBe('I15M');
    expect([v.lookback, v.spikeZ], 'the parameters used are echoed').toEqual([30, 2]);
    expect(v.anchored!.source).toBe('ARGUMENT');
    expect(Date.parse(v.anchored!.startTime!), 'the 15m bar containing the anchor').toBeGreaterThan(Date.parse(anchor) - 15 * 60_000);
    expect(v.anchored!.vwap).not.toBeNull();
    for (const b of v.series) if (b.volumeZ !== null) expect(b.spike, 'spike iff z ≥ 2').toBe(b.volumeZ >= 2);
  });

  it('serves the default volume profile with a POC inside the value area', async () => {
    const res = await waitFor(async () => {
      const r = await run(app, MarketVolumeProfileDocument, { symbol: 'BTCUSDT' });
      return r.data ? r : undefined;
    });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const p = res.data!.market.volumeProfile!;
    expect(p.warmingUp).toBe(false);
    expect(p.complete, '41 h of bars cover the last 24 h').toBe(true);
    expect(p.bars).toBe(288);
    expect(Date.parse(p.to) - Date.parse(p.from)).toBe(24 * HOUR);
    expect(p.valueAreaPct).toBe(70);
    expect(p.valueAreaLow!).toBeLessThanOrEqual(p.poc!.priceLow);
    expect(p.valueAreaHigh!).toBeGreaterThanOrEqual(p.poc!.priceHigh);
    expect(p.valueAreaVolume! / p.totalVolume).toBeGreaterThanOrEqual(0.7 - 1e-9);
    expect(p.buckets.reduce((s, b) => s + b.volume, 0), 'buckets conserve the volume').toBeCloseTo(p.totalVolume, 6);
    expect(p.position).toMatch(/^(ABOVE|INSIDE|BELOW)$/);
    expect(p.meta.methodologyVersion).toBe('volume-profile/1.1.0');
  });

  it('computes a custom profile and rejects invalid arguments with BAD_USER_INPUT', async () => {
    const to = new Date(Date.now() - HOUR).toISOString();
    const from = new Date(Date.now() - 7 * HOUR).toISOString();
    const def = (await run(app, MarketVolumeProfileDocument, { symbol: 'ETHUSDT' })).data!.market.volumeProfile!;
    const res = await run(app, MarketVolumeProfileDocument, { symbol: 'ETHUSDT', from, to, bucketSize: def.bucketSize * 2, valueAreaPct: 50 });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const p = res.data!.market.volumeProfile!;
    expect([p.bucketSize, p.valueAreaPct]).toEqual([def.bucketSize * 2, 50]);
    expect(p.bars, '6 h of 5m bars').toBe(72);
    expect(p.valueAreaVolume! / p.totalVolume).toBeGreaterThanOrEqual(0.5 - 1e-9);

    const reversed = await run(app, MarketVolumeProfileDocument, { symbol: 'ETHUSDT', from: to, to: from });
    expect(reversed.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(reversed.errors![0]!.message).toContain('must be before');
    const pct = await run(app, MarketVolumeProfileDocument, { symbol: 'ETHUSDT', valueAreaPct: 100 });
    expect(pct.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    const size = await run(app, MarketVolumeProfileDocument, { symbol: 'ETHUSDT', bucketSize: 0 });
    expect(size.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    const tiny = await run(app, MarketVolumeProfileDocument, { symbol: 'ETHUSDT', bucketSize: 1e-9 });
    expect(tiny.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(tiny.errors![0]!.message).toContain('buckets');
    const spike = await run(app, MarketVolumeDocument, { symbol: 'ETHUSDT', spikeZ: -1 });
    expect(spike.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    const future = await run(app, MarketVolumeDocument, { symbol: 'ETHUSDT', anchor: new Date(Date.now() + HOUR).toISOString() });
    expect(future.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
  });

  it('streams the typed volumeUpdated subscription over graphql-ws', async () => {
    const client = wsClient(app);
    try {
      const [event] = await collect<VolumeUpdatedSubscription>(client, print(VolumeUpdatedDocument), { symbol: 'solusdt' }, 1);
      const v = event!.volumeUpdated;
      expect(v.symbol, 'symbol normalised to upper case').toBe('SOLUSDT');
      expect(v.meta.source).toBe('SIMULATED');
      expect(v.interval).toBe('I5M');
      expect(v.series.length).toBeGreaterThan(0);
    } finally {
      await client.dispose();
    }
  });
});
