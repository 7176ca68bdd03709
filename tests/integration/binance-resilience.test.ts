import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createBinanceApi } from '../../src/datasources/binance/binance-api.js';
import { createBinanceSource, type BinanceSourceOptions } from '../../src/datasources/binance/binance-source.js';
import { BadResponseError, BannedError, RateLimitError, UpstreamUnavailableError } from '../../src/datasources/errors.js';
import { boundedMessage, createHttpClient, MAX_ERROR_CHARS, type HttpClientOptions } from '../../src/datasources/http.js';
import type { MarketEvent } from '../../src/domain/market.js';
import { createMarketStore } from '../../src/engine/market-store.js';
import { startFakeBinance, type FakeBinance, type FakeBinanceOptions, type FakeRequest } from '../support/fake-binance.js';

/**
 * Wire-level resilience: the real HTTP client and source against the fake venue with injected faults.
 * Retry-After values, cool-downs and back-offs are shortened through options so the suite stays fast.
 */

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

async function fakeVenue(options: Partial<FakeBinanceOptions> = {}): Promise<FakeBinance> {
  const fake = await startFakeBinance({ symbols: ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'], ...options });
  cleanup.push(() => fake.close());
  return fake;
}

async function client(fake: FakeBinance, options: Partial<HttpClientOptions> = {}) {
  const http = createHttpClient({ venue: 'binance-usdm', baseUrl: fake.url, timeoutMs: 1_000, retry: { initialDelayMs: 20 }, ...options });
  cleanup.unshift(() => http.close());
  return http;
}

const to = (fake: FakeBinance, path: string): FakeRequest[] => fake.requests.filter((r) => r.path === path);
const futuresOnly = (requests: FakeRequest[]) => requests.filter((r) => !r.path.startsWith('/api/'));

/** A pino logger whose lines land in `lines`. */
function captureLogger(level: 'info' | 'debug' = 'info') {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level }, stream), lines };
}

describe('http client: retries and circuit breaker', () => {
  it('retries a burst of two 503s with growing jittered back-off and succeeds on the third attempt', async () => {
    const fake = await fakeVenue();
    const http = await client(fake, { retry: { maxRetries: 2, initialDelayMs: 40 } });
    fake.setFault({ kind: '5xx', status: 503, times: 2, path: '/futures/data/takerlongshortRatio' });
    const rows = await createBinanceApi(http).takerlongshortRatio('BTCUSDT', '5m', { limit: 30 });
    expect(rows, 'the third attempt answered').toHaveLength(30);
    const attempts = to(fake, '/futures/data/takerlongshortRatio');
    expect(attempts.map((r) => r.status)).toEqual([503, 503, 200]);
    // Half jitter: the first back-off is in [20, 40) ms, the second in [40, 80).
    expect(attempts[1]!.at - attempts[0]!.at, 'first back-off ≥ 40/2').toBeGreaterThanOrEqual(19);
    expect(attempts[2]!.at - attempts[1]!.at, 'second back-off ≥ 80/2').toBeGreaterThanOrEqual(39);
    expect(http.stats()).toMatchObject({ requests: 3, retries: 2 });
    expect(http.health().state, 'the call succeeded in the end').toBe('OK');
  });

  it('never retries a 4xx', async () => {
    const fake = await fakeVenue();
    const http = await client(fake, { retry: { maxRetries: 3 } });
    await expect(createBinanceApi(http).openInterest('NOPEUSDT')).rejects.toThrow(/does not list symbol "NOPEUSDT"/);
    expect(to(fake, '/fapi/v1/openInterest'), 'a -1121 is final').toHaveLength(1);
  });

  it('opens the circuit on persistent 5xx, sends nothing while open, probes after the cool-down and closes on success', async () => {
    const fake = await fakeVenue();
    const http = await client(fake, { retry: { maxRetries: 2, initialDelayMs: 10 }, breaker: { threshold: 3, halfOpenAfterMs: 400 } });
    const api = createBinanceApi(http, { ttlMs: { openInterest: 0, ticker24h: 0, klines: 0 } });
    fake.setFault({ kind: '5xx', status: 502 });

    const first = await api.openInterest('BTCUSDT').catch((e: unknown) => e);
    expect(first, 'the last attempt failed with the 502').toBeInstanceOf(UpstreamUnavailableError);
    expect((first as Error).message).toContain('HTTP 502');
    expect(fake.requests, 'three attempts, the third opened the circuit').toHaveLength(3);
    expect(http.health().state).toBe('CIRCUIT_OPEN');

    const sent = fake.requests.length;
    for (const call of [() => api.ticker24hr('ETHUSDT'), () => api.klines('SOLUSDT', '1h', { limit: 5 }), () => api.openInterest('BTCUSDT')]) {
      const err = await call().catch((e: unknown) => e);
      expect(err, 'every endpoint of the venue is refused').toBeInstanceOf(UpstreamUnavailableError);
      expect((err as Error).message).toMatch(/circuit open after repeated failures \(.*HTTP 502.*\); next probe in \d+ ms/);
    }
    expect(fake.requests.length, 'nothing reached the venue while open').toBe(sent);
    expect(http.stats().circuitRejections).toBe(3);

    await sleep(450);
    await expect(api.openInterest('BTCUSDT'), 'the probe fails and the circuit opens again').rejects.toBeInstanceOf(UpstreamUnavailableError);
    expect(fake.requests.length, 'exactly one probe request').toBe(sent + 1);
    expect(http.health().state).toBe('CIRCUIT_OPEN');

    fake.setFault(null);
    await sleep(450);
    const oi = await api.openInterest('BTCUSDT');
    expect(oi.symbol).toBe('BTCUSDT');
    expect(fake.requests.length, 'one successful probe').toBe(sent + 2);
    expect(http.health()).toMatchObject({ state: 'OK', lastError: expect.stringContaining('circuit open') });
    await expect(api.ticker24hr('ETHUSDT'), 'closed again: other endpoints go through').resolves.toMatchObject({ symbol: 'ETHUSDT' });
  });

  it('keeps lastError bounded while the circuit stays open: each rejection quotes the failure, never the previous rejection', async () => {
    const fake = await fakeVenue();
    const http = await client(fake, { retry: { maxRetries: 0, initialDelayMs: 10 }, breaker: { threshold: 2, halfOpenAfterMs: 60_000 } });
    const api = createBinanceApi(http, { ttlMs: { openInterest: 0 } });
    fake.setFault({ kind: '5xx', status: 502 });
    for (let i = 0; i < 2; i += 1) await api.openInterest('BTCUSDT').catch(() => undefined);
    expect(http.health().state).toBe('CIRCUIT_OPEN');
    const first = (await api.openInterest('BTCUSDT').catch((e: unknown) => e)) as Error;
    for (let i = 0; i < 50; i += 1) await api.openInterest('BTCUSDT').catch(() => undefined);
    const last = (await api.openInterest('BTCUSDT').catch((e: unknown) => e)) as Error;
    const lastError = http.health().lastError!;
    expect(lastError.match(/circuit open/g), lastError).toHaveLength(1);
    expect(lastError).toContain('HTTP 502');
    expect(last.message.replace(/next probe in \d+ ms/, ''), 'the 52nd rejection reads like the first').toBe(first.message.replace(/next probe in \d+ ms/, ''));
    expect(lastError.length).toBeLessThanOrEqual(MAX_ERROR_CHARS);
  });

  it('cuts an error text longer than MAX_ERROR_CHARS', () => {
    expect(boundedMessage('x'.repeat(10_000))).toHaveLength(MAX_ERROR_CHARS);
    expect(boundedMessage('short')).toBe('short');
  });
});

describe('http client: coalescing, cache and budgets', () => {
  it('answers 100 concurrent identical requests with one upstream request', async () => {
    const fake = await fakeVenue();
    const http = await client(fake);
    const api = createBinanceApi(http);
    const results = await Promise.all(Array.from({ length: 100 }, () => api.globalLongShortAccountRatio('BTCUSDT', '5m', { limit: 30 })));
    expect(to(fake, '/futures/data/globalLongShortAccountRatio'), 'one upstream request').toHaveLength(1);
    expect(http.stats()).toMatchObject({ requests: 1, coalesced: 99 });
    expect(results[99]).toEqual(results[0]);
    expect(results[99], 'each caller validated its own copy').not.toBe(results[0]);
  });

  it('serves an identical request within its TTL from cache, and asks again after it', async () => {
    const fake = await fakeVenue();
    const http = await client(fake);
    const api = createBinanceApi(http, { ttlMs: { openInterest: 200 } });
    const a = await api.openInterest('BTCUSDT');
    const b = await api.openInterest('BTCUSDT');
    await api.openInterest('ETHUSDT');
    expect(b).toEqual(a);
    expect(to(fake, '/fapi/v1/openInterest').map((r) => r.query.symbol), 'BTC once (then cached), ETH once').toEqual(['BTCUSDT', 'ETHUSDT']);
    expect(http.stats().cacheHits).toBe(1);
    await sleep(220);
    await api.openInterest('BTCUSDT');
    expect(to(fake, '/fapi/v1/openInterest'), 'expired: a new request').toHaveLength(3);
  });

  it('fails fast with RateLimitError, without a request, once the weight budget is spent', async () => {
    const fake = await fakeVenue();
    // 40 / min at 25 % = 10 weight.
    const http = await client(fake, { rateLimits: { weight: { limit: 40, windowMs: 60_000 } }, maxBudgetWaitMs: 0 });
    const api = createBinanceApi(http, { ttlMs: { openInterest: 0 } });
    for (let i = 0; i < 10; i++) await api.openInterest('BTCUSDT');
    const sent = fake.requests.length;
    const err = await api.openInterest('BTCUSDT').catch((e: unknown) => e);
    expect(err, 'the 11th weight unit is over budget').toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).retryAfterMs, 'until the first charge leaves the minute').toBeGreaterThan(55_000);
    expect(fake.requests.length, 'refused without a request').toBe(sent);
    expect(http.health()).toMatchObject({ weightBudget: 10, usedWeight: 10 });
    expect(http.stats().budgetRejections).toBe(1);
  });

  it('waits (bounded) for budget when it frees up soon', async () => {
    const fake = await fakeVenue();
    // A tiny window: 8 per 400 ms at 25 % = 2.
    const { logger, lines } = captureLogger('debug');
    const http = await client(fake, { rateLimits: { weight: { limit: 8, windowMs: 400 } }, maxBudgetWaitMs: 1_000, logger });
    const api = createBinanceApi(http, { ttlMs: { openInterest: 0 } });
    for (let i = 0; i < 3; i++) await api.openInterest('BTCUSDT');
    expect(to(fake, '/fapi/v1/openInterest')).toHaveLength(3);
    const sentAt = lines.filter((l) => l.msg === 'GET').map((l) => l.sentAt as number);
    expect(sentAt[2]! - sentAt[0]!, 'the third waited for the first to leave the 400 ms window').toBeGreaterThanOrEqual(400);
    expect(http.stats().budgetWaits).toBeGreaterThanOrEqual(1);
  });

  it('counts the venue-reported X-MBX-USED-WEIGHT-1M (other users of the IP) against the budget', async () => {
    const fake = await fakeVenue();
    const other = await client(fake);
    for (let i = 0; i < 12; i++) await createBinanceApi(other, { ttlMs: { premiumIndex: 0 } }).premiumIndex(); // 12 × 10
    // 400 / min at 25 % = 100: our own count is 0, but the venue says 120 are used this minute.
    const http = await client(fake, { rateLimits: { weight: { limit: 400, windowMs: 60_000 } }, maxBudgetWaitMs: 0 });
    const api = createBinanceApi(http);
    const minute = Math.floor(Date.now() / 60_000);
    await api.ping();
    expect(http.health().usedWeight, '120 + our ping').toBe(121);
    const sent = fake.requests.length;
    const err = await api.ping().catch((e: unknown) => e);
    // The report holds for the minute it was made in (Binance counts per calendar minute).
    if (Math.floor(Date.now() / 60_000) === minute) {
      expect(err, 'the reported count is over our budget').toBeInstanceOf(RateLimitError);
      expect(fake.requests.length, 'refused without a request').toBe(sent);
    }
  });
});

/** A source with fast cadences against the fake (3 symbols, spot on the same fake). */
async function liveSource(fake: FakeBinance, options: Partial<BinanceSourceOptions> = {}) {
  const source = createBinanceSource({
    fapiUrl: fake.url,
    spotUrl: fake.url,
    pollMs: 50,
    statsPollMs: { openInterest: 100, ticker24h: 100, statistics: 200, spotPrice: 100 },
    timeoutMs: 1_000,
    retry: { maxRetries: 1, initialDelayMs: 20 },
    breaker: { threshold: 50, halfOpenAfterMs: 300 },
    maxBackoffMs: 200,
    // Fast cadences need room: these tests are about faults, the budget has its own.
    rateLimits: { weight: { limit: 1_000_000, windowMs: 60_000 }, futuresData: { limit: 1_000_000, windowMs: 300_000 } },
    ...options,
  });
  cleanup.unshift(() => source.stop());
  const events: MarketEvent[] = [];
  const store = createMarketStore(['BTCUSDT', 'ETHUSDT', 'SOLUSDT']);
  const sink = (event: MarketEvent) => {
    events.push(event);
    store.apply(event);
  };
  return { source, events, store, sink };
}

const ofType = <T extends MarketEvent['type']>(events: MarketEvent[], type: T) => events.filter((e): e is Extract<MarketEvent, { type: T }> => e.type === type);

describe('source: 429 and 418 stop the whole venue', () => {
  /**
   * Requests the client wrote before it read the 429/418 answer (concurrent polls) still reach the fake,
   * possibly some ms later (same event loop). The client's debug log records when it dispatched each
   * request (`sentAt`) and when it learned of the answer (the warn/error line). Checked twice:
   * - client side, exactly: nothing dispatched after learning goes out before `until`;
   * - fake side: every request that arrived after the 429/418 and before `until` was dispatched in the
   *   200 ms before the client learned (matched one for one by path and query).
   */
  function expectNothingSentBefore(fake: FakeBinance, lines: Array<Record<string, unknown>>, since: number, learned: RegExp, until: number): FakeRequest[] {
    const learnedAt = lines.find((l) => typeof l.msg === 'string' && learned.test(l.msg))!.time as number;
    const gets = lines.filter((l) => l.msg === 'GET' && l.venue === 'binance-usdm');
    for (const l of gets.filter((g) => (g.sentAt as number) > learnedAt))
      expect(l.sentAt as number, `${String(l.path)} dispatched ${(l.sentAt as number) - learnedAt} ms after learning`).toBeGreaterThanOrEqual(until);
    const inFlight = gets.filter((g) => (g.sentAt as number) <= learnedAt && (g.sentAt as number) >= learnedAt - 200).map((g) => g.path as string);
    const keyOf = (r: FakeRequest) => {
      const qs = new URLSearchParams(Object.entries(r.query).sort(([x], [y]) => x.localeCompare(y))).toString();
      return `${r.path}${qs ? `?${qs}` : ''}`;
    };
    const after = futuresOnly(fake.requests.slice(since));
    for (const r of after.filter((x) => x.at < until)) {
      const i = inFlight.indexOf(keyOf(r));
      expect(i, `${keyOf(r)} reached the fake ${until - r.at} ms before the end, and was not in flight`).toBeGreaterThanOrEqual(0);
      inFlight.splice(i, 1);
    }
    return after.filter((x) => x.at >= until);
  }

  it('after a 429 on one endpoint, no futures endpoint is called before Retry-After; spot goes on', async () => {
    const fake = await fakeVenue();
    const { logger, lines } = captureLogger('debug');
    const { source, sink } = await liveSource(fake, { logger });
    await source.start(['BTCUSDT', 'ETHUSDT', 'SOLUSDT'], sink);
    fake.setFault({ kind: '429', retryAfterSec: 1, path: '/fapi/v1/ticker/24hr', times: 1 });
    await waitFor(() => source.venues()[0]!.blockedUntil !== null, 'the pause');
    const limited = fake.requests.findIndex((r) => r.status === 429);
    const limitedAt = fake.requests[limited]!.at;
    expect(source.venues()[0]).toMatchObject({ venue: 'binance-usdm', state: 'DEGRADED' });
    expect(source.venues()[0]!.blockedUntil! - limitedAt, 'paused for Retry-After').toBeGreaterThanOrEqual(990);

    const until = source.venues()[0]!.blockedUntil!;
    await sleep(1_400);
    const after = fake.requests.slice(limited + 1);
    const futures = expectNothingSentBefore(fake, lines, limited + 1, /rate limited \(429\)/, until);
    expect(new Set(futures.map((r) => r.path)).size, 'every poll resumed afterwards').toBeGreaterThanOrEqual(4);
    const spotDuring = after.filter((r) => r.path.startsWith('/api/') && r.at - limitedAt < 1_000);
    expect(spotDuring.length, 'the spot venue has its own limits and kept polling').toBeGreaterThan(0);
    await waitFor(() => source.venues()[0]!.state === 'OK', 'recovery');
  });

  it('after a 418, the venue is BANNED until the ban ends and nothing is sent before', async () => {
    const fake = await fakeVenue();
    const { logger, lines } = captureLogger('debug');
    const { source, sink } = await liveSource(fake, { logger });
    await source.start(['BTCUSDT', 'ETHUSDT', 'SOLUSDT'], sink);
    fake.setFault({ kind: '418', retryAfterSec: 1, path: '/fapi/v1/openInterest', times: 1 });
    await waitFor(() => source.venues()[0]!.state === 'BANNED', 'BANNED');
    const banned = fake.requests.findIndex((r) => r.status === 418);
    const venue = source.venues()[0]!;
    expect(venue.blockedUntil! - fake.requests[banned]!.at, 'Retry-After 1 s').toBeGreaterThanOrEqual(990);
    expect(venue.blockedUntil! - fake.requests[banned]!.at).toBeLessThan(1_100);
    const sent = futuresOnly(fake.requests).length;
    const err = await source.fetchCandles('BTCUSDT', '1h', { limit: 10 }).catch((e: unknown) => e);
    expect(err, 'one-off calls are refused too').toBeInstanceOf(BannedError);
    expect(futuresOnly(fake.requests).length, 'without a request').toBe(sent);

    await waitFor(() => source.venues()[0]!.state === 'OK', 'the ban end', 3_000);
    // The state turns OK when the ban ends; the next poll may still be on its way.
    await waitFor(() => futuresOnly(fake.requests).some((r) => r.at >= venue.blockedUntil!), 'a poll after the ban', 5_000);
    const later = expectNothingSentBefore(fake, lines, banned + 1, /IP banned \(418\)/, venue.blockedUntil!);
    expect(later.length, 'polling resumed after the ban').toBeGreaterThan(0);
  });
});

describe('source: bad payloads and isolation of polls', () => {
  it('rejects a payload missing a required field as BadResponseError, logs it, and keeps the last good value', async () => {
    const fake = await fakeVenue();
    const { logger, lines } = captureLogger();
    const { source, events, store, sink } = await liveSource(fake, { logger });
    await source.start(['BTCUSDT', 'ETHUSDT', 'SOLUSDT'], sink);
    await waitFor(() => ofType(events, 'openInterest').filter((e) => e.openInterest.symbol === 'BTCUSDT').length >= 33, 'live open interest');
    fake.setFault({ kind: 'missingFields', path: '/fapi/v1/openInterest' });
    await waitFor(() => source.lastFailure() instanceof BadResponseError, 'the rejection');
    const failure = source.lastFailure() as BadResponseError;
    expect(failure.endpoint).toBe('openInterest');
    expect(failure.issues).toEqual(['openInterest: Invalid input: expected string, received undefined']);
    const logged = lines.find((l) => l.msg === 'unexpected payload rejected');
    expect(logged, 'logged with its issues').toMatchObject({ endpoint: 'openInterest', issues: failure.issues, venue: 'binance-usdm' });

    const lastGood = store.get('BTCUSDT')!.openInterest.last()!;
    const oiCount = ofType(events, 'openInterest').length;
    const tickers = ofType(events, 'ticker24h').length;
    await sleep(400);
    expect(ofType(events, 'openInterest').length, 'nothing pushed from the bad payloads').toBe(oiCount);
    expect(store.get('BTCUSDT')!.openInterest.last(), 'the last good value stays in the store').toEqual(lastGood);
    expect(Number.isFinite(lastGood.openInterest)).toBe(true);
    expect(ofType(events, 'ticker24h').length, 'the other polls went on').toBeGreaterThan(tickers + 3);
    expect(source.status().state).toBe('DEGRADED');

    fake.setFault(null);
    await waitFor(() => ofType(events, 'openInterest').length > oiCount, 'open interest again');
    await waitFor(() => source.status().state === 'OK', 'OK again');
  });

  it('a failing statistics endpoint leaves the others polling, and its page arrives once it recovers', async () => {
    const fake = await fakeVenue();
    fake.setFault({ kind: 'malformed', path: '/futures/data/basis' });
    const { source, events, sink } = await liveSource(fake);
    await source.start(['BTCUSDT'], sink);
    expect(ofType(events, 'basis'), 'basis rejected').toHaveLength(0);
    expect(ofType(events, 'longShortRatio'), 'the three long/short kinds × 30 rows still arrived').toHaveLength(90);
    expect(ofType(events, 'takerVolume')).toHaveLength(30);
    expect((source.lastFailure() as BadResponseError).issues).toEqual(['[0].basis: expected a decimal string, got "abc"']);
    const spot = ofType(events, 'spotPrice').length;
    await sleep(300);
    expect(ofType(events, 'spotPrice').length, 'spot kept polling').toBeGreaterThan(spot);
    fake.setFault(null);
    await waitFor(() => ofType(events, 'basis').length === 30, 'the full basis page after recovery');
    const times = ofType(events, 'longShortRatio')
      .filter((e) => e.ratio.kind === 'GLOBAL_ACCOUNTS')
      .map((e) => e.ratio.time);
    expect(new Set(times).size, 'the retried page pushed no long/short row twice').toBe(times.length);
  });

  it('accepts unexpected extra fields on every endpoint', async () => {
    const fake = await fakeVenue();
    fake.setFault({ kind: 'extraFields' });
    const { source, events, sink } = await liveSource(fake);
    await source.start(['BTCUSDT', 'ETHUSDT'], sink);
    await waitFor(() => ofType(events, 'markPrice').length >= 4, 'mark prices');
    expect(source.lastFailure(), 'nothing rejected').toBeNull();
    const kinds = new Set(events.map((e) => e.type));
    for (const kind of ['funding', 'candle', 'markPrice', 'openInterest', 'longShortRatio', 'takerVolume', 'basis', 'ticker24h', 'spotPrice'])
      expect(kinds.has(kind as MarketEvent['type']), kind).toBe(true);
    expect(fake.requests.every((r) => r.status === 200)).toBe(true);
  });
});
