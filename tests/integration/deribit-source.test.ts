import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createDeribitSource, type DeribitSourceOptions } from '../../src/datasources/deribit/deribit-source.js';
import { BadResponseError, TimeoutError, UpstreamUnavailableError } from '../../src/datasources/errors.js';
import type { GlobalEvent, OptionsChain } from '../../src/domain/market.js';
import { startFakeDeribit, type FakeDeribitOptions } from '../support/fake-deribit.js';

const INSTRUMENTS_FILE = '../shared/data/deribit/cryptofeed-2021-07-22/DERIBIT.0.txt';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

async function setup(fakeOptions: FakeDeribitOptions = {}, sourceOptions: Partial<DeribitSourceOptions> = {}) {
  const fake = await startFakeDeribit(fakeOptions);
  cleanup.push(() => fake.close());
  // No client-level retries unless a test asks: each injected fault then fails exactly one request.
  const source = createDeribitSource({
    baseUrl: fake.url,
    pollMs: 30,
    retryMs: 30,
    timeoutMs: 1_000,
    retry: { maxRetries: 0 },
    breaker: { threshold: 100 },
    ...sourceOptions,
  });
  cleanup.push(() => source.stop()); // popped first: stop the source before closing the fake
  const events: GlobalEvent[] = [];
  const sink = (event: GlobalEvent) => void events.push(event);
  return { fake, source, events, sink };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const chainsOf = (events: GlobalEvent[], currency: string): OptionsChain[] =>
  events.flatMap((e) => (e.type === 'optionsChain' && e.chain.currency === currency ? [e.chain] : []));

describe('deribit source: chains', () => {
  it('pushes one chain per currency on start, joined with the instruments', async () => {
    const { fake, source, events, sink } = await setup();
    await source.start(sink);
    for (const currency of ['BTC', 'ETH']) {
      const chains = chainsOf(events, currency);
      expect(chains, `${currency}: first chain delivered before start resolves`).toHaveLength(1);
      const chain = chains[0]!;
      expect(chain.venue).toBe('deribit');
      expect(chain.indexPrice, 'get_index_price of <cur>_usd').toBe(fake.indexPrice(currency));
      expect(chain.quotes, 'every listed option quoted').toHaveLength(fake.instruments(currency).length);
      for (const q of chain.quotes) {
        const [cur, , strike, type] = q.instrument.split('-');
        expect(cur).toBe(currency);
        expect(q.strike, `${q.instrument} strike from the instrument`).toBe(Number(strike));
        expect(q.kind).toBe(type === 'C' ? 'CALL' : 'PUT');
        expect(q.markPriceUsd, `${q.instrument}: coin premium × underlying`).toBe(q.markPrice * q.underlyingPrice);
        expect([q.delta, q.gamma, q.vega, q.theta], 'the book summary carries no greeks').toEqual([null, null, null, null]);
        expect(q.markIv).toBeGreaterThan(0);
      }
      const expiries = chain.quotes.map((q) => q.expiry);
      expect(expiries, 'sorted by expiry').toEqual([...expiries].sort((a, b) => a - b));
    }
    expect(source.health()).toMatchObject({ venue: 'deribit', state: 'OK', lastError: null, blockedUntil: null });
  });

  it('carries DVOL with each chain (the newest 1-minute close), and the reason instead when its fetch fails', async () => {
    const { fake, source, events, sink } = await setup();
    await source.start(sink);
    const btc = chainsOf(events, 'BTC')[0]!;
    const call = fake.calls('get_volatility_index_data').find((r) => r.query.currency === 'BTC')!;
    expect(call.query.resolution).toBe('60');
    expect(Number(call.query.end_timestamp) - Number(call.query.start_timestamp)).toBe(600_000);
    const newest = Math.floor(Number(call.query.end_timestamp) / 60_000) * 60_000;
    expect(btc.dvol).toEqual({ value: fake.dvolAt('BTC', newest), time: newest });
    await source.stop();

    const broken = await setup({}, {});
    broken.fake.setFault({ kind: 'rpcError', code: -32602, message: 'Invalid params', path: '/api/v2/public/get_volatility_index_data' });
    await broken.source.start(broken.sink);
    const eth = chainsOf(broken.events, 'ETH')[0]!;
    expect(eth.quotes.length, 'the chain is delivered without DVOL').toBeGreaterThan(0);
    expect(eth.dvol).toBeNull();
    expect(eth.dvolError).toMatch(/^Deribit DVOL fetch failed: /);
  });

  it('shows the smile the fake marks: deep OTM puts richer than at the money', async () => {
    const { source, events, sink } = await setup();
    await source.start(sink);
    const chain = chainsOf(events, 'BTC')[0]!;
    const nearest = chain.quotes.filter((q) => q.expiry === chain.quotes[0]!.expiry && q.kind === 'PUT');
    const atm = nearest.find((q) => q.strike === 60_000)!;
    const lowest = nearest[0]!;
    expect(lowest.strike, '8 strikes of 1000 below 60000').toBe(52_000);
    expect(lowest.markIv!, 'put skew').toBeGreaterThan(atm.markIv!);
    expect(lowest.markPrice, 'OTM put cheaper than ATM put').toBeLessThan(atm.markPrice);
  });

  it('fetches instruments once for many polls (cached for instrumentsTtlMs)', async () => {
    const { fake, source, events, sink } = await setup();
    await source.start(sink);
    await waitFor(() => chainsOf(events, 'BTC').length >= 4 && chainsOf(events, 'ETH').length >= 4, '4 polls');
    expect(fake.calls('get_instruments').map((r) => r.query.currency).sort(), 'one get_instruments per currency').toEqual(['BTC', 'ETH']);
    expect(fake.calls('get_book_summary_by_currency').length, 'the book summary is fetched every poll').toBeGreaterThanOrEqual(8);
  });

  it('refreshes instruments once their cache expires', async () => {
    // The cache's clock is the test's: polls run on real timers, but the instruments' age only moves when the
    // test says so, so a slow machine cannot make every poll look expired.
    let clock = 1_000_000;
    const { fake, source, events, sink } = await setup({ currencies: ['ETH'] }, { currencies: ['ETH'], instrumentsTtlMs: 100, now: () => clock });
    await source.start(sink);
    await waitFor(() => chainsOf(events, 'ETH').length >= 4, '4 polls within the TTL');
    expect(fake.calls('get_instruments').length, 'instruments fetched once while fresh').toBe(1);
    clock += 60_000; // past the TTL, and past the 1 request/s instruments budget, which runs on the same clock
    const pollsAtExpiry = chainsOf(events, 'ETH').length;
    await waitFor(() => fake.calls('get_instruments').length >= 2, 'a second get_instruments once the TTL passed');
    await waitFor(() => chainsOf(events, 'ETH').length >= pollsAtExpiry + 4, '4 more polls');
    expect(fake.calls('get_instruments').length, 'refetched once, then cached again').toBe(2);
  });
});

describe('deribit source: failures', () => {
  it('degrades on failed polls, keeps going, and recovers', async () => {
    const { fake, source, events, sink } = await setup();
    await source.start(sink);
    const before = events.length;
    fake.setFault({ kind: '500', path: '/api/v2/public/get_book_summary_by_currency', times: 4 });
    await waitFor(() => source.health().state === 'DEGRADED', 'DEGRADED');
    expect(source.health().lastError, 'the upstream error').toMatch(/HTTP 500/);
    await waitFor(() => source.health().state === 'OK', 'recovery');
    const after = events.length;
    await waitFor(() => events.length > after, 'chains after recovery');
    expect(events.length).toBeGreaterThan(before);
  });

  it('reports DOWN after downAfterFailures consecutive failures', async () => {
    const { fake, source, events, sink } = await setup({}, { downAfterFailures: 2, retryMs: 10, maxRetryMs: 20 });
    fake.setFault({ kind: '500' });
    await source.start(sink);
    expect(source.health().state, 'first failure').toBe('DEGRADED');
    await waitFor(() => source.health().state === 'DOWN', 'DOWN');
    expect(events, 'nothing to push').toHaveLength(0);
    fake.setFault(null);
    await waitFor(() => source.health().state === 'OK', 'recovery');
  });

  it('lets the client retries absorb a one-off 500 without degrading', async () => {
    const { fake, source, events, sink } = await setup({}, { retry: { maxRetries: 2, initialDelayMs: 10 } });
    await source.start(sink);
    fake.setFault({ kind: '500', path: '/api/v2/public/get_index_price', times: 1 });
    const failedAt = fake.requests.length;
    await waitFor(() => fake.requests.slice(failedAt).some((r) => r.status === 500), 'the 500');
    const n = events.length;
    await waitFor(() => events.length >= n + 4, 'two more polls');
    expect(source.health()).toMatchObject({ state: 'OK', lastError: null });
  });

  it('reports CIRCUIT_OPEN while the client circuit is open, then recovers', async () => {
    const { fake, source, sink } = await setup({}, { breaker: { threshold: 3, halfOpenAfterMs: 300 } });
    await source.start(sink);
    fake.setFault({ kind: '500' });
    await waitFor(() => source.health().state === 'CIRCUIT_OPEN', 'CIRCUIT_OPEN');
    expect(source.health().lastError).toMatch(/circuit open|HTTP 500/);
    fake.setFault(null);
    await waitFor(() => source.health().state === 'OK', 'recovery after the half-open probe');
  });

  it('keeps pushing chains from the cached instruments when their refresh fails', async () => {
    // One currency: get_instruments may go out once a second, so each failed refresh costs a second.
    const { fake, source, events, sink } = await setup({ currencies: ['BTC'] }, { currencies: ['BTC'], instrumentsTtlMs: 50 });
    await source.start(sink);
    fake.setFault({ kind: '500', path: '/api/v2/public/get_instruments' });
    const failedBefore = fake.calls('get_instruments').filter((r) => r.status === 500).length;
    await waitFor(() => fake.calls('get_instruments').filter((r) => r.status === 500).length > failedBefore, 'a failed refresh');
    const n = chainsOf(events, 'BTC').length;
    await waitFor(() => chainsOf(events, 'BTC').length > n && fake.calls('get_instruments').at(-1)!.status === 500, 'a chain while instruments fail');
    expect(chainsOf(events, 'BTC').at(-1)!.quotes.length, 'full chain from the stale list').toBe(fake.instruments('BTC').length);
    expect(source.health().state).toBe('DEGRADED');
    expect(source.health().lastError).toMatch(/get_instruments: HTTP 500/);
  });

  it('pauses every request for the Retry-After of a 429', async () => {
    const { fake, source, sink } = await setup();
    await source.start(sink);
    fake.setFault({ kind: '429', retryAfterSec: 1, times: 1 });
    await waitFor(() => source.health().blockedUntil !== null, 'the pause');
    const health = source.health();
    expect(health.state).toBe('DEGRADED');
    expect(health.lastError).toMatch(/rate limit/);
    expect(health.blockedUntil! - Date.now(), 'about 1 s left').toBeGreaterThan(700);
    const sent = fake.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(fake.requests.length, 'no request while paused').toBe(sent);
    await waitFor(() => source.health().state === 'OK', 'recovery after the pause', 3_000);
  });

  it('pauses for the credit refill after a JSON-RPC 10028', async () => {
    const { fake, source, sink } = await setup();
    await source.start(sink);
    fake.setFault({ kind: 'rpcError', code: 10028, message: 'too_many_requests', status: 200, path: '/api/v2/public/get_index_price', times: 1 });
    await waitFor(() => source.health().blockedUntil !== null, 'the pause');
    expect(source.health().blockedUntil! - Date.now(), 'about 5 s (DERIBIT_RATE_LIMIT_WAIT_MS)').toBeGreaterThan(4_000);
    const sent = fake.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fake.requests.length, 'no request while paused').toBe(sent);
  });

  it('times out a slow venue', async () => {
    const { fake, source, sink } = await setup({}, { timeoutMs: 100 });
    fake.setFault({ kind: 'slow', delayMs: 400, path: '/api/v2/public/get_index_price', times: 2 });
    await source.start(sink);
    expect(source.health().state).toBe('DEGRADED');
    expect(source.health().lastError).toMatch(/no answer within 100 ms/);
    // The venue is fast again (a request that timed out waiting for credits may have left a fault unused).
    fake.setFault(null);
    await expect(source.fetchChain('BTC')).resolves.toMatchObject({ currency: 'BTC' });
  });

  it('rejects fetchChain with the datasource error', async () => {
    const { fake, source } = await setup();
    fake.setFault({ kind: 'malformed', path: '/api/v2/public/get_book_summary_by_currency', times: 1 });
    const error = await source.fetchChain('ETH').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadResponseError);
    expect((error as BadResponseError).issues[0]).toMatch(/^result\[0\]\.mark_price:/);
    fake.setFault({ kind: 'slow', delayMs: 2_000, times: 1 });
    await expect(source.fetchChain('eth'), 'lower case accepted').rejects.toBeInstanceOf(TimeoutError);
    await expect(source.fetchChain('XRP'), 'unknown currency: HTTP 400 from Deribit').rejects.toBeInstanceOf(UpstreamUnavailableError);
  });

  it('survives a sink that throws', async () => {
    const { source } = await setup();
    let calls = 0;
    await source.start(() => {
      calls += 1;
      throw new Error('consumer bug');
    });
    await waitFor(() => calls >= 6, 'three more polls');
    expect(source.health().state, 'a consumer bug is not an upstream failure').toBe('OK');
  });
});

describe('deribit source: lifecycle', () => {
  it('stops polling on stop()', async () => {
    const { fake, source, events, sink } = await setup();
    await source.start(sink);
    await waitFor(() => events.length >= 4, 'two polls');
    await source.stop();
    const sent = fake.requests.length;
    const pushed = events.length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(fake.requests.length, 'no request after stop').toBe(sent);
    expect(events.length, 'no event after stop').toBe(pushed);
    expect(source.health().state).toBe('DOWN');
  });

  it('refuses a second start while running, and can start again after stop', async () => {
    const { source, events, sink } = await setup();
    await source.start(sink);
    await expect(source.start(sink)).rejects.toThrow(/already started/);
    await source.stop();
    const n = events.length;
    await source.start(sink);
    expect(events.length, 'a new first poll').toBe(n + 2);
  });
});

describe.skipIf(!existsSync(INSTRUMENTS_FILE))('deribit source on the recorded instruments', () => {
  // Collected even when skipped: read nothing without the recordings.
  if (!existsSync(INSTRUMENTS_FILE)) return;
  it('builds the BTC chain of 2021-07-22 from the 390 recorded options', async () => {
    const { fake, source } = await setup({ chainFile: INSTRUMENTS_FILE, indexPrices: { BTC: 32201.67 } });
    const chain = await source.fetchChain('BTC');
    expect(fake.calls('get_instruments')[0]?.query, 'options only').toMatchObject({ kind: 'option' });
    expect(chain.quotes, '398 instruments minus 8 futures').toHaveLength(390);
    expect(chain.indexPrice, 'index_price in DERIBIT.ws.1.0.txt at the recording time').toBe(32201.67);
    const put = chain.quotes.find((q) => q.instrument === 'BTC-24SEP21-8000-P');
    expect(put).toMatchObject({ kind: 'PUT', strike: 8000, expiry: Date.parse('2021-09-24T08:00:00Z'), currency: 'BTC' });
    expect(chain.quotes.filter((q) => q.expiry === Date.parse('2022-06-24T08:00:00Z')).length, 'the June 2022 expiry is listed').toBeGreaterThan(0);
  });
});
