import { print } from 'graphql';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AnalysisUpdatedDocument,
  FundingUpdatedDocument,
  HealthDocument,
  MarketDataDocument,
  MarketFundingDocument,
  MarketWideDocument,
  SnapshotsDocument,
  type FundingUpdatedSubscription,
  type AnalysisUpdatedSubscription,
} from '../../generated/graphql/graphql.js';
import { gql, isolatedDatabase, startTestApp, tempDir, testEnv, uniqueName, waitFor, SHARED_REDIS_URL, type TestApp } from '../support/harness.js';
import { run, collectEvents, wsClient } from '../support/ws.js';

const collect = <T>(client: Client, query: string, variables: Record<string, unknown>, count: number, timeoutMs = 10_000) => collectEvents<T>(client, query, variables, count, timeoutMs);

describe('perpgraph server (simulated market, embedded or CI database)', () => {
  let app: TestApp;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let db: Awaited<ReturnType<typeof isolatedDatabase>>;
  let env: Record<string, string | undefined>;

  beforeAll(async () => {
    dir = await tempDir();
    db = await isolatedDatabase();
    env = testEnv({ DATA_DIR: dir.path, DATABASE_URL: db.url, REDIS_URL: SHARED_REDIS_URL, REDIS_PREFIX: `${uniqueName('t')}:` });
    app = await startTestApp(env);
  });
  afterAll(async () => {
    await app?.stop();
    await db?.drop();
    await dir?.remove();
  });

  it('answers liveness and readiness over plain HTTP', async () => {
    const base = app.url.replace('/graphql', '');
    expect((await fetch(`${base}/health`)).status).toBe(200);
    const ready = await fetch(`${base}/ready`);
    const report = (await ready.json()) as { ready: boolean; database: { kind: string }; pubsub: { kind: string } };
    expect(ready.status, JSON.stringify(report)).toBe(200);
    expect(report.database.kind, 'postgres in CI, pglite on a fresh machine').toBe(db.url ? 'postgres' : 'pglite');
    expect(report.pubsub.kind).toBe(SHARED_REDIS_URL ? 'redis' : 'memory');
  });

  it('reports health and symbols through GraphQL', async () => {
    const res = await run(app, HealthDocument);
    expect(res.errors).toBeUndefined();
    expect(res.data!.health.ready).toBe(true);
    expect(res.data!.health.marketSource.origin, 'simulated source is never LIVE').toBe('SIMULATED');
    const loop = res.data!.health.eventLoop;
    expect(loop.windowMs, 'event-loop delay is measured from start').toBeGreaterThan(0);
    expect(loop.p50Ms <= loop.p99Ms && loop.p99Ms <= loop.maxMs, 'percentiles are ordered').toBe(true);
    expect(res.data!.symbols.map((s) => s.symbol)).toEqual(['BTCUSDT', 'ETHUSDT', 'SOLUSDT']);
    expect(res.data!.symbols[0]!.fundingIntervalHours).toBe(8);
  });

  it('serves the funding analysis with SIMULATED meta and explained factors', async () => {
    const res = await waitFor(async () => {
      const r = await run(app, MarketFundingDocument, { symbol: 'btcusdt' });
      return r.data ? r : undefined;
    });
    const market = res.data!.market;
    expect(market.symbol, 'symbol normalised to upper case').toBe('BTCUSDT');
    expect(market.price).toBeGreaterThan(0);
    const f = market.funding!;
    expect(f.meta.source).toBe('SIMULATED');
    expect(f.meta.venue).toBe('simulated');
    expect(f.meta.stale, 'simulated market ticks every 50 ms').toBe(false);
    expect(f.meta.methodologyVersion).toBe('funding/1.2.0');
    expect(f.annualizedRate, 'rate × 3 × 365 at 8 h').toBeCloseTo(f.rate * 1095, 12);
    expect(f.warmingUp, 'simulated history backfills settlements').toBe(false);
    expect(f.zScore).not.toBeNull();
    expect(f.zScore!).toBeCloseTo((f.rate - f.mean!) / f.stdDev!, 9);
    expect(f.factors.map((x) => x.name)).toEqual(['rateLevel', 'zScore', 'trend', 'predictedShift']);
    expect(f.factors.reduce((s, x) => s + x.weight, 0), 'weights sum to 1').toBeCloseTo(1, 12);
    expect(f.score, 'score = 100 × Σ contributions').toBeCloseTo(100 * f.factors.reduce((s, x) => s + x.contribution, 0), 1);
    expect(Date.parse(f.nextFundingTime!) % (8 * 3_600_000), 'settlements at 00/08/16 UTC').toBe(0);
    expect(f.timeToNextFundingMs!).toBeLessThanOrEqual(8 * 3_600_000);
  });

  it('serves every raw input of the simulated market, flagged SIMULATED', async () => {
    const res = await run(app, MarketDataDocument, { symbol: 'BTCUSDT' });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const d = res.data!.market.data!;
    expect(d.meta.source).toBe('SIMULATED');
    expect(d.openInterest.length, 'backfilled 5m points').toBe(3);
    expect(d.longShortRatios[0]!.longShare + d.longShortRatios[0]!.shortShare, 'shares sum to 1').toBeCloseTo(1, 9);
    expect(d.longShortRatios[0]!.longShortRatio).toBeCloseTo(d.longShortRatios[0]!.longShare / d.longShortRatios[0]!.shortShare, 2);
    expect(d.takerVolume).toHaveLength(3);
    expect(d.basis).toHaveLength(3);
    expect(d.candles.length).toBeGreaterThan(0);
    expect(d.fundingHistory).toHaveLength(3);
    expect(d.bookTicker!.bidPrice, 'bid below ask').toBeLessThan(d.bookTicker!.askPrice);
    expect(d.orderBook!.bids.length).toBeGreaterThan(0);
    expect(d.spotPrice!.price).toBeGreaterThan(0);
    expect(d.ticker24h!.lastPrice).toBeGreaterThan(0);
    expect(d.inputAges.map((a) => a.type)).toEqual(expect.arrayContaining(['candle', 'markPrice', 'openInterest', 'funding', 'liquidation']));

    const wide = await run(app, MarketWideDocument, { currency: 'btc' });
    expect(wide.errors, JSON.stringify(wide.errors)).toBeUndefined();
    expect(wide.data!.optionsChain!.meta.source).toBe('SIMULATED');
    expect(wide.data!.optionsChain!.quotes.length).toBeGreaterThan(10);
    const q = wide.data!.optionsChain!.quotes[0]!;
    expect(q.markPriceUsd, 'USD price = coin price × underlying').toBeCloseTo(q.markPrice * q.underlyingPrice, 3);
    expect(wide.data!.fearGreed!.history).toHaveLength(7);
    expect(wide.data!.fearGreed!.latest.value).toBeGreaterThanOrEqual(0);
    expect(wide.data!.globalMarket!.value.btcDominancePct).toBeGreaterThan(0);
    expect(wide.data!.health.venues.map((v) => v.venue)).toEqual(['simulated']);
  });

  it('rejects bad input with BAD_USER_INPUT errors that say what is wrong', async () => {
    const unknown = await run(app, MarketFundingDocument, { symbol: 'NOPEUSDT' });
    expect(unknown.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(unknown.errors![0]!.message).toContain('Unknown symbol "NOPEUSDT". Known symbols: BTCUSDT, ETHUSDT, SOLUSDT');

    const badDate = await run(app, SnapshotsDocument, { kind: 'FUNDING', symbol: 'BTCUSDT', from: 'yesterday' });
    expect(badDate.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(badDate.errors![0]!.message).toContain('DateTime must be an ISO-8601 string');

    const notADay = await run(app, SnapshotsDocument, { kind: 'FUNDING', symbol: 'BTCUSDT', from: '2026-02-31T00:00:00Z' });
    expect(notADay.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');

    for (const limit of [0, 1001]) {
      const res = await run(app, SnapshotsDocument, { kind: 'FUNDING', symbol: 'BTCUSDT', limit });
      expect(res.errors![0]!.extensions!.code, `limit ${limit}`).toBe('BAD_USER_INPUT');
      expect(res.errors![0]!.message).toMatch(/limit must be at (least 1|most 1000)/);
    }

    const reversed = await run(app, SnapshotsDocument, { kind: 'FUNDING', symbol: 'BTCUSDT', from: '2026-02-02T00:00:00Z', to: '2026-02-01T00:00:00Z' });
    expect(reversed.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(reversed.errors![0]!.message).toContain('must not be after');

    const badKind = await gql(app.url, '{ snapshots(kind: NOPE, symbol: "BTCUSDT") { asOf } }');
    expect(badKind.errors![0]!.message).toContain('NOPE');
  });

  it('streams fundingUpdated and analysisUpdated over graphql-ws', async () => {
    const client = wsClient(app);
    try {
      const [funding, any] = await Promise.all([
        collect<FundingUpdatedSubscription>(client, print(FundingUpdatedDocument), { symbol: 'ETHUSDT' }, 3),
        collect<AnalysisUpdatedSubscription>(client, print(AnalysisUpdatedDocument), { kind: 'FUNDING', symbol: 'SOLUSDT' }, 2),
      ]);
      expect(funding.every((e) => e.fundingUpdated.symbol === 'ETHUSDT' && e.fundingUpdated.meta.source === 'SIMULATED')).toBe(true);
      const times = funding.map((e) => Date.parse(e.fundingUpdated.meta.asOf));
      expect(times[2]! > times[0]!, 'each update is newer').toBe(true);
      expect(any[0]!.analysisUpdated.kind).toBe('FUNDING');
      expect((any[0]!.analysisUpdated.payload as { symbol: string }).symbol).toBe('SOLUSDT');
    } finally {
      await client.dispose();
    }
  });

  it('rejects a subscription to an unknown symbol with BAD_USER_INPUT', async () => {
    const client = wsClient(app);
    try {
      const error = await collect(client, print(FundingUpdatedDocument), { symbol: 'XXXUSDT' }, 1).catch((e: Error) => e);
      expect(String(error)).toContain('BAD_USER_INPUT');
    } finally {
      await client.dispose();
    }
  });

  it('streams subscriptions over SSE too', async () => {
    const controller = new AbortController();
    const res = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription { fundingUpdated(symbol: "BTCUSDT") { symbol meta { source } } }' }),
      signal: controller.signal,
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('"fundingUpdated"')) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    expect(text).toContain('"source":"SIMULATED"');
  });

  it('persists snapshots and serves them after a restart', async () => {
    const written = await waitFor(async () => {
      const r = await run(app, SnapshotsDocument, { kind: 'FUNDING', symbol: 'BTCUSDT', limit: 5 });
      return (r.data?.snapshots?.length ?? 0) >= 2 ? r.data!.snapshots! : undefined;
    });
    expect(Date.parse(written[0]!.asOf) >= Date.parse(written[1]!.asOf), 'newest first').toBe(true);
    expect(written[0]!.source).toBe('SIMULATED');
    expect((written[0]!.payload as { symbol: string }).symbol).toBe('BTCUSDT');

    await app.stop();
    const stoppedAt = Date.now();
    app = await startTestApp(env);
    const after = await run(app, SnapshotsDocument, { kind: 'FUNDING', symbol: 'BTCUSDT', to: new Date(stoppedAt).toISOString(), limit: 1000 });
    expect(after.errors).toBeUndefined();
    const asOfs = after.data!.snapshots!.map((s) => s.asOf);
    expect(asOfs, 'history written before the restart is still there').toEqual(expect.arrayContaining(written.map((s) => s.asOf)));

    const windowed = await run(app, SnapshotsDocument, { kind: 'FUNDING', symbol: 'BTCUSDT', from: written[1]!.asOf, to: written[1]!.asOf });
    expect(windowed.data!.snapshots!.every((s) => s.asOf === written[1]!.asOf), 'from/to are inclusive bounds').toBe(true);
  });
});

describe('query limits', () => {
  let app: TestApp;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    dir = await tempDir();
    app = await startTestApp(testEnv({ DATA_DIR: dir.path, DATABASE_URL: undefined, REDIS_URL: undefined, SYMBOLS: 'BTCUSDT' }));
  });
  afterAll(async () => {
    await app?.stop();
    await dir?.remove();
  });

  it('rejects documents with too many aliases before executing them', async () => {
    const fields = Array.from({ length: 40 }, (_, i) => `a${i}: symbols { symbol }`).join(' ');
    const res = await gql(app.url, `{ ${fields} }`);
    expect(res.data).toBeUndefined();
    expect(res.errors![0]!.message).toMatch(/aliases/i);
  });

  it('still answers the GraphiQL introspection query', async () => {
    const res = await gql<{ __schema: { queryType: { name: string } } }>(app.url, '{ __schema { queryType { name } types { name fields { name type { name ofType { name ofType { name } } } } } } }');
    expect(res.errors).toBeUndefined();
    expect(res.data!.__schema.queryType.name).toBe('Query');
  });
});
