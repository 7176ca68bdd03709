import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MarketEvent } from '../../src/domain/market.js';
import { BadSymbolError } from '../../src/datasources/errors.js';
import type { ReplayFile } from '../../src/datasources/replay/replay-files.js';
import { createReplaySource, REPLAY_VENUE, type ReplaySourceOptions } from '../../src/datasources/replay/replay-source.js';
import { chainFiles, type ProbedFile } from '../../src/datasources/replay/replay-stream.js';

const root = mkdtempSync(join(tmpdir(), 'replay-source-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let seq = 0;
function dirWith(files: Record<string, string>): string {
  const dir = join(root, `case-${(seq += 1)}`);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

const MIN = 60_000;
/** 2024-01-01 00:00 UTC */
const T0 = Date.UTC(2024, 0, 1);

/** `count` 1m vision kline rows from `from` (open times), close = 100 + minute index. */
function klines(from: number, count: number): string {
  return Array.from({ length: count }, (_, i) => {
    const open = from + i * MIN;
    const close = 100 + (open - T0) / MIN;
    return `${open},${close - 0.5},${close + 1},${close - 1},${close},2,${open + MIN - 1},${2 * close},4,1,${close},0`;
  }).join('\n');
}

function aggTrades(times: readonly number[], firstId = 1): string {
  return times.map((t, i) => `${firstId + i},100.5,0.1,${firstId + i},${firstId + i},${t},${i % 2 === 0 ? 'true' : 'false'}`).join('\n');
}

/** The data time an event is replayed at. */
function timeOf(e: MarketEvent): number {
  switch (e.type) {
    case 'candle':
      return e.candle.closeTime;
    case 'trade':
      return e.trade.time;
    case 'funding':
      return e.funding.fundingTime;
    case 'markPrice':
      return e.mark.time;
    default:
      throw new Error(`unexpected ${e.type}`);
  }
}

function label(e: MarketEvent): string {
  switch (e.type) {
    case 'candle':
      return `${e.candle.symbol} candle ${e.candle.interval} ${new Date(e.candle.closeTime).toISOString().slice(11, 23)}`;
    case 'trade':
      return `${e.trade.symbol} trade ${new Date(e.trade.time).toISOString().slice(11, 23)}`;
    case 'funding':
      return `${e.funding.symbol} funding ${new Date(e.funding.fundingTime).toISOString().slice(11, 23)}`;
    default:
      return e.type;
  }
}

describe('replay source', () => {
  let clock = Date.UTC(2030, 0, 1);
  const now = () => clock;
  function advance(ms: number, stepMs = 250): void {
    for (let done = 0; done < ms; done += stepMs) {
      clock += stepMs;
      vi.advanceTimersByTime(stepMs);
    }
  }
  const options = (dir: string, extra: Partial<ReplaySourceOptions> = {}): ReplaySourceOptions => ({ dir, speed: 60, tickMs: 250, now, ...extra });

  beforeEach(() => {
    clock = Date.UTC(2030, 0, 1);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('identifies as REPLAY on the replay venue and lists the symbols found', async () => {
    const dir = dirWith({ 'BTCUSDT-1m-2024-01-01.csv': klines(T0, 2), 'binance-spot/SOLUSDT-1h.csv': klines(T0, 1), 'ETH_USDT_USDT-5m-futures.json': '[]' });
    const source = createReplaySource(options(dir));
    expect(source.origin).toBe('REPLAY');
    expect(source.venue).toBe(REPLAY_VENUE);
    expect(REPLAY_VENUE).toBe('replay');
    const listed = await source.listSymbols();
    expect(listed).toEqual([
      { symbol: 'BTCUSDT', baseAsset: 'BTC', quoteAsset: 'USDT', contractType: 'PERPETUAL', status: 'TRADING', tickSize: 0, stepSize: 0, fundingIntervalHours: 8 },
      { symbol: 'ETHUSDT', baseAsset: 'ETH', quoteAsset: 'USDT', contractType: 'PERPETUAL', status: 'TRADING', tickSize: 0, stepSize: 0, fundingIntervalHours: 8 },
      { symbol: 'SOLUSDT', baseAsset: 'SOL', quoteAsset: 'USDT', contractType: 'SPOT', status: 'TRADING', tickSize: 0, stepSize: 0, fundingIntervalHours: 8 },
    ]);
  });

  it('merges files of several symbols and formats into one time-ordered stream', async () => {
    const day2 = Date.UTC(2024, 0, 2);
    const dir = dirWith({
      'BTCUSDT-1m-2024-01-01.csv': klines(day2 - 3 * MIN, 3),
      'BTCUSDT-1m-2024-01-02.csv': klines(day2, 2),
      'BTCUSDT-8h-funding_rate.freqtrade.json': `[[${day2},0.0001,0,0,0,0]]`,
      'ETH_USDT_USDT-5m-futures.json': `[[${day2 - 5 * MIN},2000,2001,1999,2000.5,10],[${day2},2000.5,2002,2000,2001,12]]`,
      'ETHUSDT-aggTrades-2024-01-02.csv': aggTrades([day2 + 30_000, day2 + 90_000]),
    });
    const events: MarketEvent[] = [];
    const source = createReplaySource(options(dir, { speed: 0, startAt: Number.MAX_SAFE_INTEGER }));
    await source.start(['BTCUSDT', 'ETHUSDT'], (e) => events.push(e));
    expect(events.map(label)).toEqual([
      'BTCUSDT candle 1m 23:57:59.999',
      'BTCUSDT candle 1m 23:58:59.999',
      // Same instant: files in path order.
      'BTCUSDT candle 1m 23:59:59.999',
      'ETHUSDT candle 5m 23:59:59.999',
      'BTCUSDT funding 00:00:00.000',
      'ETHUSDT trade 00:00:30.000',
      'BTCUSDT candle 1m 00:00:59.999',
      'ETHUSDT trade 00:01:30.000',
      'BTCUSDT candle 1m 00:01:59.999',
      'ETHUSDT candle 5m 00:04:59.999',
    ]);
  });

  it('drops the repeated rows of overlapping recordings of one series', async () => {
    const dir = dirWith({
      'a/BTCUSDT-1m-2024-01-01.csv': klines(T0, 5),
      'b/BTCUSDT-1m-2024-01-01.csv': klines(T0 + 3 * MIN, 4),
      'BTCUSDT-aggTrades-2024-01-01.csv': aggTrades([T0 + 1_000, T0 + 2_000, T0 + 3_000]),
      'BTCUSDT-aggTrades-2024-01-01-copy/BTCUSDT-aggTrades-2024-01-01.csv': aggTrades([T0 + 2_000, T0 + 3_000, T0 + 4_000], 2),
    });
    const events: MarketEvent[] = [];
    await createReplaySource(options(dir, { speed: 0, startAt: Number.MAX_SAFE_INTEGER })).start(['BTCUSDT'], (e) => events.push(e));
    const opens = events.flatMap((e) => (e.type === 'candle' ? [(e.candle.openTime - T0) / MIN] : []));
    expect(opens, 'minutes 0-4 from a, 5-6 only in b').toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(events.flatMap((e) => (e.type === 'trade' ? [e.trade.id] : []))).toEqual([1, 2, 3, 4]);
  });

  it('chains consecutive files of one series and opens overlapping ones side by side', () => {
    const file = (path: string): ReplayFile => ({ path, symbol: 'BTCUSDT', market: 'futures', content: 'candles', container: 'csv', interval: '1m', stream: 's' });
    const probed = (path: string, first: number, last: number): ProbedFile => ({ file: file(path), first, last });
    const chains = chainFiles([probed('d3', 300, 399), probed('d1', 100, 199), probed('d2', 200, 299), probed('x', 150, 250)]);
    expect(chains.map((c) => c.map((p) => p.file.path))).toEqual([
      ['d1', 'd2', 'd3'],
      ['x'],
    ]);
  });

  it('pushes the first 10 % of the span synchronously as warm-up by default', async () => {
    const dir = dirWith({ 'BTCUSDT-1m-2024-01-01.csv': klines(T0, 100) });
    const events: MarketEvent[] = [];
    const source = createReplaySource(options(dir));
    await source.start(['BTCUSDT'], (e) => events.push(e));
    // Span: first close 00:00:59.999 .. last close 01:39:59.999 = 99 min; 10 % = 9.9 min.
    const startAt = T0 + MIN - 1 + 594_000;
    expect(source.progress()).toEqual({ dataTime: startAt, startTime: T0 + MIN - 1, endTime: T0 + 100 * MIN - 1, done: false, loops: 0 });
    expect(events, 'candles closing before 00:10:53.999').toHaveLength(10);
    expect(source.status().state).toBe('OK');
  });

  it('advances data time by speed × wall time: at 60×, one second emits exactly the next minute of data', async () => {
    const start = T0 + 20 * MIN;
    const dir = dirWith({
      'BTCUSDT-1m-2024-01-01.csv': klines(T0, 30),
      'BTCUSDT-aggTrades-2024-01-01.csv': aggTrades([start - 1, start, start + 30_000, start + MIN - 1, start + MIN, start + MIN + 1]),
    });
    const events: MarketEvent[] = [];
    const source = createReplaySource(options(dir, { startAt: start }));
    await source.start(['BTCUSDT'], (e) => events.push(e));
    expect(events.length, '20 candles and the trade at 00:19:59.999').toBe(21);
    expect(events.every((e) => timeOf(e) < start)).toBe(true);

    advance(750);
    const afterThreeQuarters = events.slice(21).map(label);
    expect(afterThreeQuarters, '45 s of data: trades at 00:20:00 and 00:20:30').toEqual(['BTCUSDT trade 00:20:00.000', 'BTCUSDT trade 00:20:30.000']);

    advance(250);
    expect(events.slice(21).map(label), 'everything in [00:20:00, 00:21:00), nothing at 00:21:00').toEqual([
      'BTCUSDT trade 00:20:00.000',
      'BTCUSDT trade 00:20:30.000',
      'BTCUSDT candle 1m 00:20:59.999',
      'BTCUSDT trade 00:20:59.999',
    ]);
    expect(source.progress().dataTime).toBe(start + MIN);

    advance(1000);
    expect(events.slice(25).map(label)).toEqual(['BTCUSDT trade 00:21:00.000', 'BTCUSDT trade 00:21:00.001', 'BTCUSDT candle 1m 00:21:59.999']);
  });

  it('answers fetchCandles and fetchFundingHistory only from data already replayed', async () => {
    const fundings = Array.from({ length: 6 }, (_, i) => `[${T0 + i * 8 * 60 * MIN},${(i + 1) / 10_000},0,0,0,0]`);
    const dir = dirWith({
      'BTCUSDT-1m-2024-01-01.csv': klines(T0, 60 * 48 - 1),
      'BTCUSDT-8h-funding_rate.freqtrade.json': `[${fundings.join(',')}]`,
    });
    const startAt = T0 + 16 * 60 * MIN + 30 * MIN; // 16:30
    const source = createReplaySource(options(dir, { startAt, speed: 3_600 }));
    await source.start(['BTCUSDT'], () => undefined);
    const asked = { startTime: T0, endTime: T0 + 10 * 24 * 60 * MIN, limit: 1_500 };
    let candles = await source.fetchCandles('BTCUSDT', '1m', asked);
    expect(candles.at(-1)?.openTime, 'the 16:29 candle closed before 16:30').toBe(startAt - MIN);
    expect((await source.fetchCandles('BTCUSDT', '1m')).length, 'default limit 500, latest first').toBe(500);
    expect((await source.fetchFundingHistory('BTCUSDT')).map((f) => f.rate)).toEqual([0.0001, 0.0002, 0.0003]);
    expect(await source.fetchCandles('BTCUSDT', '5m'), 'no such series').toEqual([]);

    advance(1_000); // one hour of data
    candles = await source.fetchCandles('BTCUSDT', '1m', { limit: 2 });
    expect(candles.map((c) => c.openTime)).toEqual([startAt + 58 * MIN, startAt + 59 * MIN]);
    for (const c of candles) expect(c.closeTime, 'never ahead of the replay clock').toBeLessThan(source.progress().dataTime);
    expect((await source.fetchFundingHistory('BTCUSDT', 1)).map((f) => f.fundingTime)).toEqual([T0 + 16 * 60 * MIN]);
    await expect(source.fetchCandles('DOGEUSDT', '1m')).rejects.toBeInstanceOf(BadSymbolError);
    await source.stop();
  });

  it('finishes at the end of the data: done, STOPPED with a "finished" note, whenDone resolves', async () => {
    const dir = dirWith({ 'BTCUSDT-1m-2024-01-01.csv': klines(T0, 50) });
    const events: MarketEvent[] = [];
    const source = createReplaySource(options(dir, { speed: 0, maxEventsPerTick: 7 }));
    await source.start(['BTCUSDT'], (e) => events.push(e));
    const finished = source.whenDone();
    expect(source.progress().done).toBe(false);
    vi.advanceTimersByTime(0);
    expect(events.length, 'speed 0 replays in batches of maxEventsPerTick').toBe(5 + 7);
    vi.runAllTimers();
    await finished;
    expect(events).toHaveLength(50);
    expect(source.progress()).toMatchObject({ done: true, dataTime: T0 + 50 * MIN - 1 });
    expect(source.status()).toMatchObject({ state: 'STOPPED', lastError: 'replay finished: data ended at 2024-01-01T00:49:59.999Z' });
  });

  it('loops with every pass shifted by whole days, so time keeps increasing', async () => {
    const dir = dirWith({ 'BTCUSDT-1m-2024-01-01.csv': klines(T0, 3) });
    const events: MarketEvent[] = [];
    const source = createReplaySource(options(dir, { loop: true, startAt: 0 }));
    await source.start(['BTCUSDT'], (e) => events.push(e));
    expect(events).toHaveLength(0);
    advance(3_000);
    expect(source.progress().loops).toBe(1);
    advance(3_000);
    // Each pass takes ~2.25 s of wall time at 60×; the third one has begun by now.
    expect(source.progress().loops).toBe(2);
    const opens = events.slice(0, 6).map((e) => (e.type === 'candle' ? e.candle.openTime : NaN));
    expect(opens).toEqual([T0, T0 + MIN, T0 + 2 * MIN, T0 + 86_400_000, T0 + 86_400_000 + MIN, T0 + 86_400_000 + 2 * MIN]);
    expect(events[3]?.type === 'candle' && events[3].candle.close, 'same values, shifted time').toBe(100);
    expect(events.slice(6).every((e) => e.type === 'candle' && e.candle.openTime >= T0 + 2 * 86_400_000), 'third pass two days on').toBe(true);
    expect(source.progress().done).toBe(false);
    expect(source.status().state).toBe('OK');
    await source.stop();
    expect(source.status().state).toBe('STOPPED');
  });

  it('records a throwing sink without stopping the replay', async () => {
    const dir = dirWith({ 'BTCUSDT-1m-2024-01-01.csv': klines(T0, 3) });
    let calls = 0;
    const source = createReplaySource(options(dir, { startAt: T0 + 2 * MIN }));
    await source.start(['BTCUSDT'], () => {
      calls += 1;
      throw new Error('boom');
    });
    expect(calls, 'both warm-up candles were offered').toBe(2);
    expect(source.status()).toMatchObject({ state: 'OK', lastError: 'sink failed: boom' });
    advance(2_000);
    expect(calls, 'the replay went on').toBe(3);
    expect(source.progress().done).toBe(true);
  });

  it('rejects bad options and fails start loudly without data', async () => {
    expect(() => createReplaySource({ dir: root, speed: -1 })).toThrow(RangeError);
    expect(() => createReplaySource({ dir: root, speed: Number.NaN })).toThrow('speed must be a finite number >= 0, got NaN');
    expect(() => createReplaySource({ dir: root, speed: 0, loop: true })).toThrow(/loop needs speed > 0/);
    expect(() => createReplaySource({ dir: root, speed: 1, warmupFraction: 1.5 })).toThrow(/warmupFraction/);
    expect(() => createReplaySource({ dir: [], speed: 1 })).toThrow(/no directory/);

    const missing = createReplaySource({ dir: join(root, 'does-not-exist'), speed: 1 });
    await expect(missing.start(['BTCUSDT'], () => undefined)).rejects.toThrow(/ENOENT/);
    expect(missing.status().state).toBe('DOWN');

    const empty = createReplaySource({ dir: dirWith({ 'BTCUSDT-1m-2024-01-01.csv': 'open_time,open\n' }), speed: 1 });
    await expect(empty.start(['BTCUSDT', 'ETHUSDT'], () => undefined)).rejects.toThrow(/no readable recordings for BTCUSDT, ETHUSDT/);
  });
});
