import { print } from 'graphql';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SentimentDocument, SentimentUpdatedDocument, SnapshotsDocument, type SentimentQuery, type SentimentUpdatedSubscription } from '../../generated/graphql/graphql.js';
import { uniqueName, waitFor, SHARED_REDIS_URL, startIsolatedTestApp, type IsolatedTestApp } from '../support/harness.js';
import { run, collectEvents, wsClient } from '../support/ws.js';

const collect = <T>(client: Client, query: string, variables: Record<string, unknown>, count: number, timeoutMs = 15_000) => collectEvents<T>(client, query, variables, count, timeoutMs);

const DAY = 86_400_000;

describe('sentiment end to end (simulated market)', () => {
  let app: IsolatedTestApp;
  let all: NonNullable<SentimentQuery['sentiment']>;

  beforeAll(async () => {
    app = await startIsolatedTestApp({ REDIS_URL: SHARED_REDIS_URL, REDIS_PREFIX: `${uniqueName('t')}:` });
    const res = await waitFor(async () => {
      const r = await run(app, SentimentDocument, {});
      return r.data ? r : undefined;
    });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    all = res.data!.sentiment!;
  });
  afterAll(() => app?.teardown());

  it('serves the market-wide sentiment without a symbol: Fear & Greed with history, BTC price, crowd over all symbols', () => {
    expect(all.key).toBe('ALL');
    expect(all.warmingUp).toBe(false);
    expect(all.meta.source, 'simulated data is flagged').toBe('SIMULATED');
    expect(all.meta.methodologyVersion).toBe('sentiment/1.1.0');
    const fg = all.fearGreed!;
    expect(fg.value).toBeGreaterThanOrEqual(0);
    expect(fg.value).toBeLessThanOrEqual(100);
    expect(fg.classification).toMatch(/Fear|Neutral|Greed/);
    expect(fg.history, 'default 30 daily readings, ending with the current one').toHaveLength(30);
    expect(fg.history.at(-1)!.value).toBe(fg.value);
    const times = fg.history.map((h) => Date.parse(h.time));
    expect(times.every((t, i) => i === 0 || t - times[i - 1]! === DAY), 'one reading per day, oldest first').toBe(true);
    const weekAgo = fg.history.at(-8)!;
    expect(fg.change7d, 'value − the reading 7 days earlier').toBe(fg.value - weekAgo.value);
    expect(fg.change30d, 'the simulated market backfills a year of readings').not.toBeNull();
    expect(all.price!.symbol, 'ALL is priced on BTC').toBe('BTCUSDT');
    expect(all.price!.return1d, '500 hourly bars reach back a day').not.toBeNull();
    expect(all.price!.return7d).not.toBeNull();
    expect(all.price!.movingAverage, '500 hourly bars cover the 14-day mean').not.toBeNull();
    expect(all.crowd!.symbols).toEqual(['BTCUSDT', 'ETHUSDT', 'SOLUSDT']);
    expect(all.social).toEqual({ available: false, source: null, score: null, note: 'no social/news connector configured' });
    expect(all.factors.map((f) => f.name)).toEqual(['FEAR_GREED', 'PRICE', 'CROWD']);
    const used = all.factors.filter((f) => f.available);
    expect(used.reduce((s, f) => s + f.weight, 0), 'weights of available inputs sum to 1').toBeCloseTo(1, 9);
    expect(all.composite!, 'contributions sum to the composite').toBeCloseTo(used.reduce((s, f) => s + f.contribution, 0), 1);
    expect(all.factors.find((f) => f.name === 'FEAR_GREED')!.value).toBe(fg.value);
  });

  it('serves one symbol with ETHUSDT, custom weights and history, and ALL spelled out', async () => {
    const eth = await run(app, SentimentDocument, { symbol: 'ethusdt' });
    expect(eth.errors, JSON.stringify(eth.errors)).toBeUndefined();
    const e = eth.data!.sentiment!;
    expect(e.key, 'symbol normalised').toBe('ETHUSDT');
    expect(e.price!.symbol).toBe('ETHUSDT');
    expect(e.crowd!.symbols, 'a symbol uses its own positioning').toEqual(['ETHUSDT']);
    expect(e.fearGreed!.value, 'the index is market-wide').toBe(all.fearGreed!.value);

    const custom = await run(app, SentimentDocument, { symbol: 'ETHUSDT', fearGreedWeight: 0, priceWeight: 1, crowdWeight: 0, historyLimit: 7 });
    expect(custom.errors, JSON.stringify(custom.errors)).toBeUndefined();
    const c = custom.data!.sentiment!;
    expect(c.fearGreed!.history).toHaveLength(7);
    expect(c.factors.map((f) => f.baseWeight)).toEqual([0, 1, 0]);
    expect(c.composite!, 'only price weighs: composite = price score').toBeCloseTo(c.price!.score!, 1);

    const explicit = await run(app, SentimentDocument, { symbol: 'ALL' });
    expect(explicit.data!.sentiment!.key).toBe('ALL');
  });

  it('rejects an unknown symbol and invalid arguments with BAD_USER_INPUT', async () => {
    const unknown = await run(app, SentimentDocument, { symbol: 'DOGEUSDT' });
    expect(unknown.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(unknown.errors![0]!.message).toContain('Unknown symbol "DOGEUSDT"');
    const negative = await run(app, SentimentDocument, { priceWeight: -1 });
    expect(negative.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    const zero = await run(app, SentimentDocument, { fearGreedWeight: 0, priceWeight: 0, crowdWeight: 0 });
    expect(zero.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    const history = await run(app, SentimentDocument, { historyLimit: 0 });
    expect(history.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
  });

  it('streams the typed sentimentUpdated subscription over graphql-ws', async () => {
    const client = wsClient(app);
    try {
      const [event] = await collect<SentimentUpdatedSubscription>(client, print(SentimentUpdatedDocument), {}, 1);
      const s = event!.sentimentUpdated;
      expect(s.key).toBe('ALL');
      expect(s.meta.source).toBe('SIMULATED');
      expect(s.composite!).toBeGreaterThanOrEqual(0);
      expect(s.composite!).toBeLessThanOrEqual(100);
      expect(s.social.available).toBe(false);
    } finally {
      await client.dispose();
    }
  });

  it('snapshots market-wide keys without further wiring', async () => {
    const rows = await waitFor(async () => {
      const r = await run(app, SnapshotsDocument, { kind: 'SENTIMENT', symbol: 'ALL', limit: 1 });
      return (r.data?.snapshots?.length ?? 0) > 0 ? r.data!.snapshots! : undefined;
    });
    expect((rows[0]!.payload as { key: string }).key).toBe('ALL');
  });
});
