import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchQuery, DASHBOARD_FIELDS } from '../../bench/queries.js';
import type { AppServices } from '../../src/context.js';
import type { AnalysisKind, AnalysisRecord, TickerRecord } from '../../src/domain/analysis.js';
import { createLogger } from '../../src/logger.js';
import { createHttpServer, type HttpServer } from '../../src/server.js';
import { startTestApp, tempDir, testEnv, waitFor, type TestApp } from '../support/harness.js';

/**
 * The per-market fragment cache (src/http/fragment-cache.ts) against a fresh execution of the same state.
 * The records and tickers of a running simulated app are frozen into services the test controls (and the
 * clock stopped), so a server with the cache and one without it (RESPONSE_CACHE_TTL_MS=0) answer the very
 * same state; after one symbol ticks (its price and one analysis), the cached server re-executes only the
 * fragments that read them and still sends the bytes the uncached one computes from scratch.
 */
const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'];
const KINDS: Record<(typeof DASHBOARD_FIELDS)[number], AnalysisKind> = {
  funding: 'FUNDING',
  openInterest: 'OPEN_INTEREST',
  longShort: 'LONG_SHORT',
  basis: 'BASIS',
  volume: 'VOLUME',
  structure: 'MARKET_STRUCTURE',
  keyLevels: 'KEY_LEVELS',
  volatility: 'VOLATILITY',
};

describe('fragment cache: markets(symbols) assembled from per-market fragments', () => {
  let app: TestApp;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const records = new Map<string, AnalysisRecord>();
  const tickers = new Map<string, TickerRecord>();
  const clock = { t: 0 };
  let cached: HttpServer;
  let uncached: HttpServer;
  let cachedUrl = '';
  let uncachedUrl = '';

  beforeAll(async () => {
    dir = await tempDir();
    app = await startTestApp(testEnv({ DATA_DIR: dir.path, DATABASE_URL: '', REDIS_URL: '' }));
    await waitFor(
      async () => {
        for (const symbol of SYMBOLS) {
          if (!(await app.app.services.ticker(symbol))) return false;
          for (const kind of Object.values(KINDS)) if (!(await app.app.services.latest(kind, symbol))) return false;
        }
        return true;
      },
      30_000,
    );
    for (const symbol of SYMBOLS) {
      tickers.set(symbol, (await app.app.services.ticker(symbol))!);
      for (const kind of Object.values(KINDS)) records.set(`${kind} ${symbol}`, (await app.app.services.latest(kind, symbol))!);
    }
    clock.t = Date.now();
    // The running app's services, with what a response shows taken from the frozen maps and a stopped clock
    // (`inputs` undefined: meta judges the inputs sampled with each record).
    const frozen = Object.create(app.app.services, {
      latest: { value: async (kind: AnalysisKind, symbol: string) => records.get(`${kind} ${symbol}`) },
      ticker: { value: async (symbol: string) => tickers.get(symbol) },
      now: { value: () => clock.t },
      inputs: { value: undefined },
    }) as AppServices;
    const limits = { maxCost: 5_000, maxListItems: 1_000, maxBodyBytes: 100_000, cacheMaxEntries: 1_000, cacheMaxBytes: 32 * 1_048_576, refusalDelayMaxMs: 0 };
    const make = (cacheTtlMs: number) =>
      createHttpServer({ services: frozen, logger: createLogger('silent'), graphiql: false, health: () => app.app.services.health(), limits: { ...limits, cacheTtlMs } });
    cached = make(60_000);
    uncached = make(0);
    const url = async (server: HttpServer) => `http://127.0.0.1:${await server.listen(0, '127.0.0.1')}/graphql`;
    cachedUrl = await url(cached);
    uncachedUrl = await url(uncached);
  }, 60_000);
  afterAll(async () => {
    await cached?.close();
    await uncached?.close();
    await app?.stop();
    await dir?.remove();
  });

  const post = async (url: string, query: string, variables?: Record<string, unknown>) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
    return { text: await res.text(), cache: res.headers.get('x-cache'), age: res.headers.get('age') };
  };
  const delta = (before: { hits: number; misses: number; fallbacks: number }) => {
    const now = cached.fragmentCacheStats();
    return { hits: now.hits - before.hits, misses: now.misses - before.misses, fallbacks: now.fallbacks - before.fallbacks };
  };

  const query = batchQuery(SYMBOLS);
  // symbol, price and the 8 dashboard analyses
  const FIELDS = 2 + DASHBOARD_FIELDS.length;

  it('answers the bytes of one execution, and re-executes only what a tick of one symbol changed', async () => {
    let before = cached.fragmentCacheStats();
    const first = await post(cachedUrl, query);
    expect(first.cache).toBe('MISS');
    expect(first.text).not.toContain('"errors"');
    expect(first.text, 'same bytes as an uncached execution').toBe((await post(uncachedUrl, query)).text);
    expect(delta(before), 'every fragment executed once').toEqual({ hits: 0, misses: SYMBOLS.length * FIELDS, fallbacks: 0 });

    // ETHUSDT ticks: a new price, and its key levels recompute (new asOf and computedAt).
    const eth = tickers.get('ETHUSDT')!;
    tickers.set('ETHUSDT', { ...eth, price: eth.price + 1.5, asOf: eth.asOf + 250 });
    const levels = records.get('KEY_LEVELS ETHUSDT')!;
    records.set('KEY_LEVELS ETHUSDT', { ...levels, asOf: levels.asOf + 250, computedAt: levels.computedAt + 250 });

    before = cached.fragmentCacheStats();
    const second = await post(cachedUrl, query);
    expect(second.cache, 'the whole response shows the old price: not served').toBe('MISS');
    expect(delta(before), 'only ETHUSDT price and keyLevels re-executed').toEqual({ hits: SYMBOLS.length * FIELDS - 2, misses: 2, fallbacks: 0 });
    const fresh = await post(uncachedUrl, query);
    expect(second.text, 'assembled response = fresh execution of the new state').toBe(fresh.text);
    expect(second.text).not.toBe(first.text);
    const markets = (JSON.parse(second.text) as { data: { markets: Array<{ symbol: string; price: number; keyLevels: { meta: { asOf: string } } }> } }).data.markets;
    expect(markets.map((m) => m.symbol)).toEqual(SYMBOLS);
    expect(markets[1]!.price).toBe(eth.price + 1.5);
    expect(markets[1]!.keyLevels.meta.asOf).toBe(new Date(levels.asOf + 250).toISOString());

    const third = await post(cachedUrl, query);
    expect(third.cache).toBe('HIT');
    expect(third.text).toBe(second.text);
  });

  it('shares fragments across documents: another order, an alias, variables and fragments give the bytes of one execution', async () => {
    const other = `query Watch($list: [String!]!) { watch: markets(symbols: $list) { p: price symbol funding { ...F } basis { rate: basisPct meta { ...M } } } }
      fragment F on FundingAnalysis { meta { ...M } } fragment M on AnalysisMeta { asOf ageMs stale source }`;
    const variables = { list: ['solusdt', 'BTCUSDT', 'SOLUSDT'] };
    const before = cached.fragmentCacheStats();
    const a = await post(cachedUrl, other, variables);
    expect(a.text).not.toContain('"errors"');
    expect(a.text).toBe((await post(uncachedUrl, other, variables)).text);
    // 2 distinct symbols × 4 fields, each executed once (the repeated SOLUSDT shares them).
    expect(delta(before)).toEqual({ hits: 0, misses: 8, fallbacks: 0 });
    const reordered = { list: ['BTCUSDT', 'SOLUSDT'] };
    const mid = cached.fragmentCacheStats();
    const b = await post(cachedUrl, other, reordered);
    expect(b.text).toBe((await post(uncachedUrl, other, reordered)).text);
    expect(delta(mid)).toEqual({ hits: 8, misses: 0, fallbacks: 0 });
  });

  it('answers errors exactly as one execution does (unknown symbol, an analysis not ready)', async () => {
    const unknown = batchQuery(['BTCUSDT', 'NOPE']);
    const a = await post(cachedUrl, unknown);
    expect(a.text).toContain('BAD_USER_INPUT');
    expect(a.text).toBe((await post(uncachedUrl, unknown)).text);

    const basis = records.get('BASIS SOLUSDT')!;
    records.delete('BASIS SOLUSDT');
    try {
      const before = cached.fragmentCacheStats();
      const b = await post(cachedUrl, query);
      const fresh = await post(uncachedUrl, query);
      expect(delta(before).fallbacks, 'executed as one document').toBe(1);
      expect(b.text).toContain('"errors"');
      expect(b.text).toContain('"path":["markets",2,"basis"]');
      expect(b.text).toBe(fresh.text);
      expect((await post(cachedUrl, query)).cache, 'never cached').toBe('MISS');
    } finally {
      records.set('BASIS SOLUSDT', basis);
    }
  });

  it('reuses a fragment for at most the TTL, and the response is as old as its oldest fragment', async () => {
    await post(cachedUrl, query);
    clock.t += 30_000;
    const eth = tickers.get('ETHUSDT')!;
    tickers.set('ETHUSDT', { ...eth, price: eth.price + 1, asOf: eth.asOf + 250 });
    const mixed = await post(cachedUrl, query);
    expect(mixed.cache).toBe('MISS');
    expect(mixed.age, 'age of the oldest fragment').toBe('30');
    clock.t += 30_000;
    const before = cached.fragmentCacheStats();
    const expired = await post(cachedUrl, query);
    expect(expired.cache, 'past the TTL counted from the oldest fragment').toBe('MISS');
    expect(delta(before).hits, 'all but the newest fragment expired').toBe(1);
    expect(expired.text).toBe((await post(uncachedUrl, query)).text);
  });
});
