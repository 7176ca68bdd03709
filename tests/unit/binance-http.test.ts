import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createBinanceApi } from '../../src/datasources/binance/binance-api.js';
import { binanceFundingRateListSchema, binancePremiumIndexListSchema } from '../../src/datasources/binance/schemas.js';
import {
  BadResponseError,
  BadSymbolError,
  BannedError,
  RateLimitError,
  TimeoutError,
  UpstreamUnavailableError,
} from '../../src/datasources/errors.js';
import { createHttpClient, type HttpClient } from '../../src/datasources/http.js';
import { startFakeBinance, type FakeBinance } from '../support/fake-binance.js';
import { closedPort } from '../support/ports.js';

const VENUE = 'binance-usdm';


describe('http client against the fake Binance', () => {
  let fake: FakeBinance;
  let http: HttpClient;

  beforeAll(async () => {
    fake = await startFakeBinance({ symbols: ['BTCUSDT', 'ETHUSDT'] });
  });
  afterAll(async () => {
    await fake.close();
  });
  afterEach(async () => {
    fake.setFault(null);
    await http?.close();
  });
  const client = (timeoutMs = 2_000, maxRetries?: number) =>
    (http = createHttpClient({ venue: VENUE, baseUrl: fake.url, timeoutMs, retry: { maxRetries, initialDelayMs: 20 } }));
  const requestsTo = (path: string) => fake.requests.filter((r) => r.path === path).length;

  it('validates and returns the body, and tracks X-MBX-USED-WEIGHT-1M', async () => {
    const api = createBinanceApi(client());
    expect(http.usedWeight(), 'nothing seen yet').toBeNull();
    const before = fake.requests.length;
    const marks = await api.premiumIndex();
    expect(marks.map((m) => m.symbol)).toEqual(['BTCUSDT', 'ETHUSDT']);
    expect(fake.requests.length - before).toBe(1);
    const weightAfterAll = http.usedWeight()!;
    await api.premiumIndex('BTCUSDT');
    expect(http.usedWeight()! - weightAfterAll, 'premiumIndex with a symbol weighs 1').toBe(1);
    expect(fake.requests.at(-1)?.query).toEqual({ symbol: 'BTCUSDT' });
  });

  it('shares one request among identical concurrent GETs, not among different ones', async () => {
    const api = createBinanceApi(client());
    const before = requestsTo('/fapi/v1/fundingRate');
    const results = await Promise.all([
      ...Array.from({ length: 20 }, () => api.fundingRate('BTCUSDT', { limit: 5 })),
      api.fundingRate('BTCUSDT', { limit: 6 }),
    ]);
    expect(requestsTo('/fapi/v1/fundingRate') - before, '20 identical + 1 different').toBe(2);
    expect(results[0]).toHaveLength(5);
    expect(results[20]).toHaveLength(6);
    expect(results[1], 'each caller gets its own copy').not.toBe(results[0]);
    expect(results[1]).toEqual(results[0]);
    await api.fundingRate('BTCUSDT', { limit: 5 });
    expect(requestsTo('/fapi/v1/fundingRate') - before, 'a later identical call is a new request').toBe(3);
  });

  it('maps 429 to RateLimitError from Retry-After and sends nothing until it has elapsed', async () => {
    const api = createBinanceApi(client());
    fake.setFault({ kind: '429', retryAfterSec: 1, times: 1 });
    const err = await api.ping().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).retryAfterMs).toBe(1_000);
    const before = fake.requests.length;
    const again = await api.exchangeInfo().catch((e: unknown) => e);
    expect(again, 'fails fast inside the window').toBeInstanceOf(RateLimitError);
    expect((again as RateLimitError).retryAfterMs).toBeLessThanOrEqual(1_000);
    expect(fake.requests.length, 'no request reached the venue').toBe(before);
    expect(http.blockedUntil()).not.toBeNull();
    expect(http.health().upstream, 'for /metrics: one request sent, answered 429, no retry through the pause').toMatchObject({ requests: 1, rateLimited: 1, banned: 0, retries: 0 });
    await new Promise((resolve) => setTimeout(resolve, 1_050));
    await expect(api.ping()).resolves.toEqual({});
    expect(http.health().upstream).toMatchObject({ requests: 2, rateLimited: 1, breaker: 'closed' });
  });

  it('maps 418 to BannedError with the ban end from Retry-After', async () => {
    const api = createBinanceApi(client());
    fake.setFault({ kind: '418', retryAfterSec: 120, times: 1 });
    const t0 = Date.now();
    const err = (await api.ping().catch((e: unknown) => e)) as BannedError;
    expect(err).toBeInstanceOf(BannedError);
    expect(err.bannedUntil).toBeGreaterThanOrEqual(t0 + 120_000);
    expect(err.bannedUntil).toBeLessThan(Date.now() + 120_000 + 1);
    const before = fake.requests.length;
    const again = (await api.ping().catch((e: unknown) => e)) as BannedError;
    expect(again).toBeInstanceOf(BannedError);
    expect(again.bannedUntil, 'the same ban end').toBe(err.bannedUntil);
    expect(fake.requests.length).toBe(before);
    expect(http.health().upstream, 'for /metrics: one 418, the breaker held open (isolated) for the ban').toMatchObject({ requests: 1, banned: 1, rateLimited: 0, breaker: 'isolated' });
  });

  it('maps Binance -1121 to BadSymbolError naming the symbol', async () => {
    const err = await createBinanceApi(client()).fundingRate('NOPEUSDT').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadSymbolError);
    expect((err as BadSymbolError).symbol).toBe('NOPEUSDT');
  });

  it('maps other 4xx with a Binance body to UpstreamUnavailableError carrying the msg', async () => {
    const err = await client()
      .getJson('/fapi/v1/fundingRate', { symbol: 'BTCUSDT', limit: 5000 }, binanceFundingRateListSchema)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamUnavailableError);
    expect((err as Error).message).toContain("Data sent for parameter 'limit' is not valid.");
    expect((err as Error).message).toContain('-1130');
  });

  it('maps 5xx to UpstreamUnavailableError once the retries are spent', async () => {
    fake.setFault({ kind: '500' });
    const before = requestsTo('/fapi/v1/ping');
    const err = await createBinanceApi(client(2_000, 2)).ping().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamUnavailableError);
    expect((err as Error).message).toContain('HTTP 500');
    expect(requestsTo('/fapi/v1/ping') - before, 'the first attempt and 2 retries').toBe(3);
  });

  it('maps a slow answer to TimeoutError', async () => {
    fake.setFault({ kind: 'slow', delayMs: 1_000 });
    const started = Date.now();
    const err = await createBinanceApi(client(150, 0)).ping().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(Date.now() - started, 'gave up at the deadline, not at the answer').toBeLessThan(900);
  });

  it('retries a timeout, and answers when a later attempt is in time', async () => {
    fake.setFault({ kind: 'slow', delayMs: 1_000, times: 1 });
    const before = requestsTo('/fapi/v1/ping');
    await expect(createBinanceApi(client(150, 2)).ping()).resolves.toEqual({});
    expect(requestsTo('/fapi/v1/ping') - before, 'the timed-out attempt and one retry').toBe(2);
    expect(http.stats().retries).toBe(1);
  });

  it('maps a refused connection to UpstreamUnavailableError', async () => {
    http = createHttpClient({ venue: VENUE, baseUrl: `http://127.0.0.1:${await closedPort()}`, timeoutMs: 1_000, retry: { initialDelayMs: 10 } });
    const err = await createBinanceApi(http).ping().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamUnavailableError);
    expect((err as Error).message).toContain('network failure');
  });

  it('maps truncated JSON to BadResponseError', async () => {
    fake.setFault({ kind: 'truncated' });
    const err = await createBinanceApi(client()).premiumIndex().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadResponseError);
    expect((err as BadResponseError).issues[0]).toMatch(/^invalid JSON/);
  });

  it('maps a schema failure to BadResponseError with the issue paths, never the body', async () => {
    fake.setFault({ kind: 'malformed' });
    const err = (await client()
      .getJson('/fapi/v1/premiumIndex', undefined, binancePremiumIndexListSchema, { endpoint: 'premiumIndex' })
      .catch((e: unknown) => e)) as BadResponseError;
    expect(err).toBeInstanceOf(BadResponseError);
    expect(err.endpoint).toBe('premiumIndex');
    expect(err.issues).toEqual(['[0].markPrice: expected a decimal string, got "abc"']);
    expect(err.message).not.toContain('indexPrice');
  });

  it('validates per caller, so coalesced callers with different schemas each get their own answer', async () => {
    const h = client();
    const [loose, strict] = await Promise.allSettled([
      h.getJson('/fapi/v1/ping', undefined, z.object({})),
      h.getJson('/fapi/v1/ping', undefined, z.object({ needed: z.string() })),
    ]);
    expect(loose.status).toBe('fulfilled');
    expect(strict.status).toBe('rejected');
  });

  it('works again after close()', async () => {
    const api = createBinanceApi(client());
    await api.ping();
    await http.close();
    await expect(api.ping()).resolves.toEqual({});
  });
});
