import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchQuery, dashboardQuery, heavyAliasQuery } from '../../bench/queries.js';
import { startTestApp, tempDir, testEnv, waitFor, type TestApp } from '../support/harness.js';

type Body = { data?: Record<string, any>; errors?: Array<{ message: string; extensions?: { code?: string } & Record<string, unknown> }> };

const post = async (app: TestApp, body: string, headers: Record<string, string> = {}) => {
  const res = await fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { res, text: await res.text() };
};
const json = (text: string) => JSON.parse(text) as Body;

describe('HTTP limits and the response cache', () => {
  let app: TestApp;
  let dir: Awaited<ReturnType<typeof tempDir>>;

  beforeAll(async () => {
    dir = await tempDir();
    // A long TTL, so only a recompute can end a cache entry; analyses recompute at most every 1.5 s.
    app = await startTestApp(testEnv({ DATA_DIR: dir.path, DATABASE_URL: '', REDIS_URL: '', RESPONSE_CACHE_TTL_MS: '60000', ANALYSIS_MIN_INTERVAL_MS: '1500', MAX_BODY_BYTES: '20000' }));
    await waitFor(async () => {
      const r = json((await post(app, JSON.stringify({ query: dashboardQuery() }))).text);
      return r.data && !r.errors ? r : undefined;
    });
  });
  afterAll(async () => {
    await app?.stop();
    await dir?.remove();
  });

  const fundingQuery = JSON.stringify({ query: '{ market(symbol: "BTCUSDT") { funding { rate meta { asOf ageMs } } } }' });

  it('serves a repeated query from the cache, and a fresh response once the analysis recomputed', async () => {
    const latest = () => app.app.services.latest('FUNDING', 'BTCUSDT');
    // Start right after a recompute so the next one is ≥ 1.5 s away.
    const before = (await latest())!;
    await waitFor(async () => ((await latest())!.computedAt !== before.computedAt ? true : undefined));
    const record = (await latest())!;
    const first = await post(app, fundingQuery);
    const second = await post(app, fundingQuery);
    const current = (await latest())!;
    if (current.computedAt === record.computedAt) {
      expect(second.res.headers.get('x-cache')).toBe('HIT');
      expect(second.text, 'same bytes').toBe(first.text);
      expect(second.res.headers.get('etag')).toBe(first.res.headers.get('etag'));
    }
    expect(json(first.text).data!.market.funding.meta.asOf).toBe(new Date(record.asOf).toISOString());
    // After the next recompute the cached bytes must not be served as fresh.
    await waitFor(async () => ((await latest())!.computedAt !== current.computedAt ? true : undefined));
    const recomputed = (await latest())!;
    const third = await post(app, fundingQuery);
    expect(third.res.headers.get('x-cache'), 'a recompute invalidates the entry').toBe('MISS');
    const meta = json(third.text).data!.market.funding.meta;
    expect(meta.asOf).toBe(new Date(recomputed.asOf).toISOString());
    expect(meta.ageMs).toBeLessThan(60_000);
  });

  it('answers GET with an ETag and If-None-Match with 304', async () => {
    const url = `${app.url}?query=${encodeURIComponent('{ symbols { symbol } }')}`;
    const first = await fetch(url);
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const body = (await first.json()) as Body;
    expect(body.data!.symbols.map((s: { symbol: string }) => s.symbol)).toEqual(['BTCUSDT', 'ETHUSDT', 'SOLUSDT']);
    const again = await fetch(url, { headers: { 'if-none-match': etag! } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const other = await fetch(url, { headers: { 'if-none-match': '"something-else"' } });
    expect(other.status).toBe(200);
  });

  it('never caches responses with errors (NOT_READY or bad input is asked again)', async () => {
    const bad = JSON.stringify({ query: '{ market(symbol: "NOPE") { symbol } }' });
    const a = await post(app, bad);
    const b = await post(app, bad);
    expect(json(a.text).errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(b.res.headers.get('x-cache')).toBe('MISS');
  });

  it('accepts the dashboard query and the 20-symbol batch of default analyses', async () => {
    const dash = json((await post(app, JSON.stringify({ query: dashboardQuery() }))).text);
    expect(dash.errors).toBeUndefined();
    expect(dash.data!.market.volatility.meta.source).toBe('SIMULATED');
    const batch = json((await post(app, JSON.stringify({ query: batchQuery(Array(20).fill('BTCUSDT')) }))).text);
    expect(batch.errors).toBeUndefined();
    expect(batch.data!.markets).toHaveLength(20);
  });

  it('rejects the heavy-alias query with COST_LIMIT_EXCEEDED before computing anything', async () => {
    const started = performance.now();
    const { res, text } = await post(app, JSON.stringify({ query: heavyAliasQuery(['BTCUSDT', 'ETHUSDT', 'SOLUSDT']) }));
    const elapsed = performance.now() - started;
    const body = json(text);
    expect(res.status).toBe(400);
    expect(body.data ?? null).toBeNull();
    const error = body.errors![0]!;
    expect(error.extensions!.code).toBe('COST_LIMIT_EXCEEDED');
    // 30 aliases × 3 markets × (60 served + 710 on demand) = 69 300 units.
    expect(error.extensions!.cost).toBe(69_300);
    expect(error.extensions!.maxCost).toBe(5_000);
    expect(error.extensions!.onDemandFields).toBe(90);
    expect(error.message).toContain('exceeds the limit of 5000');
    expect(elapsed).toBeLessThan(2_000);
  });

  it('refuses a costly document before validating it (its unknown field is never reported)', async () => {
    const query = heavyAliasQuery(['BTCUSDT', 'ETHUSDT', 'SOLUSDT']).replace('pressureScore', 'noSuchField');
    const { res, text } = await post(app, JSON.stringify({ query }));
    const body = json(text);
    expect(res.status).toBe(400);
    expect(body.errors!.map((e) => e.extensions!.code), 'one cost error, no validation error').toEqual(['COST_LIMIT_EXCEEDED']);
  });

  it('counts list arguments: one market with custom heatmap arguments passes, 20 do not', async () => {
    const one = json((await post(app, JSON.stringify({ query: '{ market(symbol: "BTCUSDT") { liquidationHeatmap(buckets: 55) { bucketSize } } }' }))).text);
    expect(one.errors).toBeUndefined();
    expect(one.data!.market.liquidationHeatmap.bucketSize).toBeGreaterThan(0);
    const twenty = json(
      (await post(app, JSON.stringify({ query: 'query ($s: [String!]!) { markets(symbols: $s) { liquidationHeatmap(buckets: 55) { bucketSize } } }', variables: { s: Array(20).fill('BTCUSDT') } }))).text,
    );
    expect(twenty.errors![0]!.extensions!.code).toBe('COST_LIMIT_EXCEEDED');
    expect(twenty.errors![0]!.extensions!.cost).toBe(20 * 770);
  });

  it('rejects an oversize list variable with BAD_USER_INPUT (400) and an oversize body with 413 PAYLOAD_TOO_LARGE', async () => {
    const list = await post(
      app,
      JSON.stringify({ query: 'query ($l: [Int!]) { market(symbol: "BTCUSDT") { liquidationHeatmap(leverages: $l) { price } } }', variables: { l: Array.from({ length: 1_500 }, (_, i) => i) } }),
    );
    expect(list.res.status).toBe(400);
    const listError = json(list.text).errors![0]!;
    expect(listError.extensions!.code).toBe('BAD_USER_INPUT');
    expect(listError.message).toBe('Variable $l holds a list of 1500 items; lists may hold at most 1000.');

    const big = await post(app, JSON.stringify({ query: '{ symbols { symbol } }', variables: { pad: 'x'.repeat(30_000) } }));
    expect(big.res.status).toBe(413);
    const bigError = json(big.text).errors![0]!;
    expect(bigError.extensions!.code).toBe('PAYLOAD_TOO_LARGE');
    expect(bigError.extensions!.maxBytes).toBe(20_000);
  });
});
