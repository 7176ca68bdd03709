import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createBinanceSource, probeBinance, type BinanceSource, type BinanceSourceOptions } from '../../src/datasources/binance/binance-source.js';
import { BadResponseError, BadSymbolError, BannedError, RateLimitError } from '../../src/datasources/errors.js';
import type { Candle, FundingRate, MarkPrice, MarketEvent } from '../../src/domain/market.js';
import { computeRegimeAnalysis } from '../../src/analyzers/regime.js';
import { startFakeBinance, type FakeBinance, type FakeBinanceOptions, type FakeRequest } from '../support/fake-binance.js';

const EXCHANGE_INFO_FILE = '../shared/data/binance-futures/raw-recordings/cryptofeed-2021-07-22/BINANCE_FUTURES.0.txt';
const H8 = 8 * 3_600_000;

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

async function setup(fakeOptions: Partial<FakeBinanceOptions> = {}, sourceOptions: Partial<BinanceSourceOptions> = {}) {
  const fake = await startFakeBinance({ symbols: ['BTCUSDT', 'ETHUSDT'], ...fakeOptions });
  cleanup.push(() => fake.close());
  const source = createBinanceSource({
    fapiUrl: fake.url,
    pollMs: 50,
    timeoutMs: 1_000,
    fundingRetryMs: 50,
    // These tests are about the poll loop: one attempt per request, no breaker, and room for polls every
    // 50 ms. HTTP retries, the breaker and the budgets have their own tests (binance-resilience).
    retry: { maxRetries: 0 },
    breaker: { threshold: 1_000 },
    rateLimits: { weight: { limit: 1_000_000, windowMs: 60_000 } },
    ...sourceOptions,
  });
  cleanup.unshift(() => source.stop()); // stop the source before closing the fake
  const events: MarketEvent[] = [];
  const sink = (event: MarketEvent) => void events.push(event);
  return { fake, source, events, sink };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const fundingOf = (events: MarketEvent[], symbol: string): FundingRate[] =>
  events.flatMap((e) => (e.type === 'funding' && e.funding.symbol === symbol ? [e.funding] : []));
const candlesOf = (events: MarketEvent[], symbol: string, interval: string): Candle[] =>
  events.flatMap((e) => (e.type === 'candle' && e.candle.symbol === symbol && e.candle.interval === interval ? [e.candle] : []));
const marksOf = (events: MarketEvent[], symbol: string): MarkPrice[] =>
  events.flatMap((e) => (e.type === 'markPrice' && e.mark.symbol === symbol ? [e.mark] : []));
const to = (fake: FakeBinance, path: string): FakeRequest[] => fake.requests.filter((r) => r.path === path);

describe('binance source: backfill', () => {
  it('delivers the last 100 settlements oldest first and the last 200 closed 1m and 1h candles per symbol', async () => {
    const { fake, source, events, sink } = await setup();
    const before = Date.now();
    await source.start(['BTCUSDT', 'ETHUSDT'], sink);
    const after = Date.now();

    for (const symbol of ['BTCUSDT', 'ETHUSDT']) {
      const funding = fundingOf(events, symbol);
      expect(funding, `${symbol}: 100 settlements`).toHaveLength(100);
      const last = funding.at(-1)!.fundingTime;
      expect([Math.floor(before / H8) * H8, Math.floor(after / H8) * H8], 'newest settlement is the latest 8 h boundary').toContain(last);
      funding.forEach((f, i) => {
        expect(f.fundingTime, `${symbol} settlement ${i} every 8 h, oldest first`).toBe(last - (99 - i) * H8);
        expect(f.rate, `${symbol} rate at ${f.fundingTime} as served`).toBe(fake.fundingRateAt(symbol, f.fundingTime));
        expect(f.markPrice).toBeGreaterThan(0);
      });
      for (const [interval, step] of [['1m', 60_000], ['1h', 3_600_000]] as const) {
        const candles = candlesOf(events, symbol, interval);
        expect(candles, `${symbol} ${interval}: 200 closed candles`).toHaveLength(200);
        expect(candles.every((c) => c.closed && c.closeTime < after)).toBe(true);
        candles.forEach((c, i) => {
          if (i > 0) expect(c.openTime - candles[i - 1]!.openTime, `${interval} candles contiguous`).toBe(step);
          expect(c.closeTime).toBe(c.openTime + step - 1);
          expect(c.high).toBeGreaterThanOrEqual(Math.max(c.open, c.close));
          expect(c.takerBuyVolume).toBeLessThan(c.volume);
        });
      }
    }
    expect(to(fake, '/fapi/v1/exchangeInfo')).toHaveLength(1);
    expect(to(fake, '/fapi/v1/fundingRate').map((r) => r.query).sort((a, b) => a.symbol!.localeCompare(b.symbol!))).toEqual([
      { symbol: 'BTCUSDT', limit: '100' },
      { symbol: 'ETHUSDT', limit: '100' },
    ]);
    expect(source.status().state).toBe('OK');
    expect(source.status().lastEventAt).not.toBeNull();
  });

  it('backfills daily and weekly bars from the venue\'s own 1d / 1w klines (Monday weeks), enough for the regime to classify 1w', async () => {
    const { fake, source, events, sink } = await setup({ symbols: ['BTCUSDT'] });
    await source.start(['BTCUSDT'], sink);
    expect(to(fake, '/fapi/v1/klines').map((r) => r.query.interval).sort(), 'one klines call per interval').toEqual(['1d', '1h', '1m', '1w']);
    const weeks = candlesOf(events, 'BTCUSDT', '1w');
    expect(weeks, '200 closed weekly bars').toHaveLength(200);
    weeks.forEach((c, i) => {
      expect(new Date(c.openTime).toISOString().slice(11), 'weeks open at 00:00 UTC').toBe('00:00:00.000Z');
      expect(new Date(c.openTime).getUTCDay(), 'on a Monday').toBe(1);
      expect(c.closeTime).toBe(c.openTime + 7 * 86_400_000 - 1);
      if (i > 0) expect(c.openTime - weeks[i - 1]!.openTime).toBe(7 * 86_400_000);
    });
    expect(candlesOf(events, 'BTCUSDT', '1d'), '200 closed daily bars').toHaveLength(200);
    const toRegime = (interval: '1h' | '1d' | '1w') => candlesOf(events, 'BTCUSDT', interval).map((c) => ({ ...c }));
    const regime = computeRegimeAnalysis({ symbol: 'BTCUSDT', candles: { '1h': toRegime('1h'), '1d': toRegime('1d'), '1w': toRegime('1w') } });
    const week = regime.timeframes.find((t) => t.timeframe === '1w')!;
    expect(week.source, 'classified on the venue\'s weekly bars').toBe('STORE');
    expect(week.hasData, '200 ≥ 21 closed weekly bars').toBe(true);
  });

  it('retries a failed backfill from the poll loop instead of failing start', async () => {
    const { fake, source, events, sink } = await setup();
    fake.setFault({ kind: '500', path: '/fapi/v1/fundingRate', times: 1 });
    await source.start(['BTCUSDT'], sink);
    expect(source.status().state, 'started, but without history').toBe('DEGRADED');
    expect(fundingOf(events, 'BTCUSDT')).toHaveLength(0);
    await waitFor(() => source.status().state === 'OK', 'recovery');
    expect(fundingOf(events, 'BTCUSDT')).toHaveLength(100);
    expect(candlesOf(events, 'BTCUSDT', '1m').length).toBeGreaterThanOrEqual(200);
  });
});

describe('binance source: polling', () => {
  it('polls premiumIndex per symbol (weight 1 each, cheaper than 10 for all) and pushes markPrice events for ours only', async () => {
    const { fake, source, events, sink } = await setup({ symbols: ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'] });
    await source.start(['BTCUSDT', 'ETHUSDT'], sink);
    await waitFor(() => marksOf(events, 'ETHUSDT').length >= 3, '3 mark prices');
    const polls = to(fake, '/fapi/v1/premiumIndex');
    expect(new Set(polls.map((r) => r.query.symbol)), 'the single-symbol form, for our two symbols only').toEqual(new Set(['BTCUSDT', 'ETHUSDT']));
    expect(polls.every((r) => r.weight === 1)).toBe(true);
    expect(marksOf(events, 'BTCUSDT').length).toBeGreaterThanOrEqual(3);
    expect(marksOf(events, 'SOLUSDT'), 'not subscribed').toHaveLength(0);
    const mark = marksOf(events, 'BTCUSDT').at(-1)!;
    expect(mark.markPrice).toBeGreaterThan(50_000);
    expect(mark.indexPrice).toBeCloseTo(mark.markPrice * 0.9998, -1);
    expect(mark.predictedFundingRate).not.toBeNull();
    expect(mark.nextFundingTime % H8, 'next settlement on an 8 h boundary').toBe(0);
    expect(source.status()).toMatchObject({ state: 'OK', lastError: null });
  });

  it('fetches each new settlement once its nextFundingTime has passed', async () => {
    const step = 400;
    const { fake, source, events, sink } = await setup({ fundingIntervalMs: step });
    await source.start(['BTCUSDT'], sink);
    const backfilled = fundingOf(events, 'BTCUSDT').at(-1)!.fundingTime;
    await waitFor(() => fundingOf(events, 'BTCUSDT').at(-1)!.fundingTime >= backfilled + 2 * step, 'two live settlements');
    const funding = fundingOf(events, 'BTCUSDT');
    const live = funding.filter((f) => f.fundingTime > backfilled);
    expect(live.slice(0, 2).map((f) => f.fundingTime)).toEqual([backfilled + step, backfilled + 2 * step]);
    expect(live[0]!.rate).toBe(fake.fundingRateAt('BTCUSDT', backfilled + step));
    const times = funding.map((f) => f.fundingTime);
    expect(new Set(times).size, 'no settlement pushed twice').toBe(times.length);
    expect([...times].sort((a, b) => a - b), 'still oldest first').toEqual(times);
    const liveQueries = to(fake, '/fapi/v1/fundingRate').filter((r) => r.query.startTime !== undefined);
    expect(Number(liveQueries[0]!.query.startTime), 'asks only for what is newer than the last one pushed').toBe(backfilled + 1);
  });

  it('honours Retry-After on 429: no request before it elapses, then recovers', async () => {
    const { fake, source, sink } = await setup();
    await source.start(['BTCUSDT'], sink);
    fake.setFault({ kind: '429', retryAfterSec: 1, path: '/fapi/v1/premiumIndex', times: 1 });
    await waitFor(() => source.lastFailure() instanceof RateLimitError, 'the 429');
    expect(source.status().state).toBe('DEGRADED');
    const limited = fake.requests.findIndex((r) => r.status === 429);
    const limitedAt = fake.requests[limited]!.at;
    const countAtLimit = fake.requests.length;
    await expect(source.fetchFundingHistory('BTCUSDT'), 'one-off calls wait too').rejects.toBeInstanceOf(RateLimitError);
    expect(fake.requests.length, 'refused without a request').toBe(countAtLimit);
    await waitFor(() => source.status().state === 'OK', 'recovery', 4_000);
    const later = fake.requests.slice(limited + 1);
    expect(later.length).toBeGreaterThan(0);
    for (const r of later) expect(r.at - limitedAt, `${r.path} sent ${r.at - limitedAt} ms after the 429`).toBeGreaterThanOrEqual(1_000);
  });

  it('honours a 418 ban: no request before the ban ends', async () => {
    const { fake, source, sink } = await setup();
    await source.start(['BTCUSDT'], sink);
    fake.setFault({ kind: '418', retryAfterSec: 1, path: '/fapi/v1/premiumIndex', times: 1 });
    await waitFor(() => source.lastFailure() instanceof BannedError, 'the 418');
    const banned = fake.requests.findIndex((r) => r.status === 418);
    const bannedUntil = (source.lastFailure() as BannedError).bannedUntil;
    expect(bannedUntil - fake.requests[banned]!.at).toBeGreaterThanOrEqual(1_000);
    expect(source.status().lastError).toContain('banned');
    await waitFor(() => source.status().state === 'OK', 'ban end', 4_000);
    const later = fake.requests.slice(banned + 1);
    expect(later.length).toBeGreaterThan(0);
    for (const r of later) expect(r.at, `${r.path} sent before the ban ended`).toBeGreaterThanOrEqual(bannedUntil);
  });

  it('records a malformed payload as BadResponseError, degrades, keeps polling and recovers', async () => {
    const { fake, source, events, sink } = await setup();
    await source.start(['BTCUSDT'], sink);
    fake.setFault({ kind: 'malformed', path: '/fapi/v1/premiumIndex' });
    await waitFor(() => source.status().state === 'DEGRADED', 'DEGRADED');
    const failure = source.lastFailure() as BadResponseError;
    expect(failure).toBeInstanceOf(BadResponseError);
    expect(failure.issues, 'the single-symbol payload is an object').toEqual(['markPrice: expected a decimal string, got "abc"']);
    expect(source.status().lastError).toContain('markPrice');
    const polledWhileBroken = to(fake, '/fapi/v1/premiumIndex').length;
    await waitFor(() => to(fake, '/fapi/v1/premiumIndex').length >= polledWhileBroken + 2, 'polling continues');
    const marksBefore = marksOf(events, 'BTCUSDT').length;
    fake.setFault(null);
    await waitFor(() => source.status().state === 'OK', 'recovery');
    await waitFor(() => marksOf(events, 'BTCUSDT').length > marksBefore, 'fresh mark prices');
    expect(source.status().lastError, 'the last error stays visible after recovery').toContain('markPrice');
  });

  it('doubles the poll delay while failing and returns to pollMs after recovery', async () => {
    const { fake, source, sink } = await setup();
    await source.start(['BTCUSDT'], sink);
    fake.setFault({ kind: '500', path: '/fapi/v1/premiumIndex' });
    await waitFor(() => to(fake, '/fapi/v1/premiumIndex').filter((r) => r.status === 500).length >= 4, '4 failed polls');
    const failed = to(fake, '/fapi/v1/premiumIndex').filter((r) => r.status === 500);
    const gaps = failed.slice(1, 4).map((r, i) => r.at - failed[i]!.at);
    // pollMs 50 doubled per failure: at least 100, 200, 400 ms apart (lower bounds: timers only run late).
    expect(gaps[0], 'first back-off').toBeGreaterThanOrEqual(99);
    expect(gaps[1], 'second back-off').toBeGreaterThanOrEqual(199);
    expect(gaps[2], 'third back-off').toBeGreaterThanOrEqual(399);
    fake.setFault(null);
    await waitFor(() => source.status().state === 'OK', 'recovery', 4_000);
    const n = to(fake, '/fapi/v1/premiumIndex').length;
    await waitFor(() => to(fake, '/fapi/v1/premiumIndex').length >= n + 3, 'fast polling again', 1_000);
  });

  it('stops polling on stop()', async () => {
    const { fake, source, sink } = await setup();
    await source.start(['BTCUSDT'], sink);
    await waitFor(() => to(fake, '/fapi/v1/premiumIndex').length >= 2, 'polling');
    await source.stop();
    const n = fake.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(fake.requests.length).toBe(n);
    expect(source.status().state).toBe('STOPPED');
  });
});

describe('binance source: one-off calls and validation', () => {
  it('serves 100 concurrent identical fetchFundingHistory calls with one upstream request', async () => {
    const { fake, source } = await setup();
    const results = await Promise.all(Array.from({ length: 100 }, () => source.fetchFundingHistory('BTCUSDT', 30)));
    expect(to(fake, '/fapi/v1/fundingRate')).toHaveLength(1);
    expect(results.every((r) => r.length === 30)).toBe(true);
    expect(results[99]).toEqual(results[0]);
    expect(results[0]!.at(-1)!.fundingTime - results[0]![0]!.fundingTime, 'oldest first, 29 intervals').toBe(29 * H8);
  });

  it('rejects an unknown symbol with BadSymbolError, at start and on fetches', async () => {
    const { fake, source, sink } = await setup();
    const err = await source.start(['BTCUSDT', 'NOPEUSDT'], sink).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadSymbolError);
    expect((err as BadSymbolError).symbol).toBe('NOPEUSDT');
    expect(source.status().state).toBe('DOWN');
    expect(to(fake, '/fapi/v1/fundingRate'), 'validated before any backfill').toHaveLength(0);
    await expect(source.fetchFundingHistory('NOPEUSDT')).rejects.toBeInstanceOf(BadSymbolError);
    await expect(source.fetchCandles('NOPEUSDT', '1m')).rejects.toBeInstanceOf(BadSymbolError);
  });

  it('fetches candles over REST, the newest still forming', async () => {
    const { fake, source } = await setup();
    const candles = await source.fetchCandles('ETHUSDT', '5m', { limit: 10 });
    expect(candles).toHaveLength(10);
    expect(candles.slice(0, 9).every((c) => c.closed)).toBe(true);
    expect(candles[9]!.closed, 'the current 5m candle').toBe(false);
    const startTime = candles[0]!.openTime;
    const ranged = await source.fetchCandles('ETHUSDT', '5m', { startTime, limit: 3 });
    expect(ranged.map((c) => c.openTime)).toEqual([startTime, startTime + 300_000, startTime + 600_000]);
    expect(to(fake, '/fapi/v1/klines').at(-1)?.query).toEqual({ symbol: 'ETHUSDT', interval: '5m', startTime: String(startTime), limit: '3' });
  });

  it('lists symbols once (cached), with intervals from fundingInfo', async () => {
    const { fake, source } = await setup({ symbols: ['BTCUSDT', { symbol: 'ETHUSDT', fundingIntervalHours: 4 }] });
    const [a, b] = await Promise.all([source.listSymbols(), source.listSymbols()]);
    await source.listSymbols();
    expect(a).toBe(b);
    expect(to(fake, '/fapi/v1/exchangeInfo')).toHaveLength(1);
    expect(a.find((s) => s.symbol === 'ETHUSDT')?.fundingIntervalHours).toBe(4);
    expect(a.find((s) => s.symbol === 'BTCUSDT')).toMatchObject({ fundingIntervalHours: 8, tickSize: 0.01, contractType: 'PERPETUAL' });
  });

  it.skipIf(!existsSync(EXCHANGE_INFO_FILE))('lists the recorded real exchangeInfo', async () => {
    const { source } = await setup({ exchangeInfoFile: EXCHANGE_INFO_FILE });
    const symbols = await source.listSymbols();
    expect(symbols).toHaveLength(122);
    expect(symbols.find((s) => s.symbol === 'BTCUSDT')).toMatchObject({ tickSize: 0.01, stepSize: 0.001 });
  });
});

describe('probeBinance', () => {
  it('is true when ping answers and false when nothing listens or the answer is too slow', async () => {
    const { fake } = await setup();
    expect(await probeBinance(fake.url, 1_000)).toBe(true);
    fake.setFault({ kind: 'slow', delayMs: 1_000 });
    expect(await probeBinance(fake.url, 100)).toBe(false);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(await probeBinance(`http://127.0.0.1:${port}`, 1_000)).toBe(false);
  });
});
