import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Candle, FundingRate, MarketEvent, MarkPrice, SpotPrice } from '../../src/domain/market.js';
import { scanReplayDirs } from '../../src/datasources/replay/replay-files.js';
import { createReplaySource, type ReplaySource } from '../../src/datasources/replay/replay-source.js';

/** Real recordings described in /work/shared/data/SOURCES.md (read-only). */
const DATA = '/work/shared/data';
const FUTURES = join(DATA, 'binance-futures');
const KLINES = join(FUTURES, 'klines');
const FUNDING = join(FUTURES, 'funding-rate');
const MARK = join(FUTURES, 'mark-price');
const SPOT = join(DATA, 'binance-spot');

const FEATHER_KLINES = join(KLINES, 'multi-5m-15m-1h-2025-12-26_2026-01-29');
const FEATHER_FUNDING = join(FUNDING, 'multi-2025-12-27_2026-01-29');
const FEATHER_MARK = join(MARK, 'multi-1h-2025-12-26_2026-01-29');

const utc = (iso: string): number => Date.parse(`${iso}Z`);

/** The freqtrade JSON files of a folder (not its sub-folders, which hold other spans). */
const jsonFiles = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => join(dir, f));

/** Every number anywhere in the event, with its path. */
function nonFinite(value: unknown, path = ''): string[] {
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [path];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => nonFinite(v, `${path}.${k}`));
}

async function replay(dir: string | string[], symbols: string[]): Promise<{ events: MarketEvent[]; source: ReplaySource }> {
  const events: MarketEvent[] = [];
  const source = createReplaySource({ dir, speed: 0 });
  await source.start(symbols, (e) => events.push(e));
  await source.whenDone();
  return { events, source };
}

const candles = (events: readonly MarketEvent[], symbol: string, interval: string): Candle[] =>
  events.flatMap((e) => (e.type === 'candle' && e.candle.symbol === symbol && e.candle.interval === interval ? [e.candle] : []));
const fundings = (events: readonly MarketEvent[], symbol: string): FundingRate[] =>
  events.flatMap((e) => (e.type === 'funding' && e.funding.symbol === symbol ? [e.funding] : []));

describe.skipIf(!existsSync(KLINES) || !existsSync(FUNDING))('replay of the recorded Binance USD-M futures data', () => {
  // Collected even when skipped: read nothing without the recordings.
  if (!existsSync(KLINES)) return;
  let events: MarketEvent[] = [];
  let source: ReplaySource;

  beforeAll(async () => {
    ({ events, source } = await replay([...jsonFiles(KLINES), join(KLINES, 'multi-15m-2025-08-29_2025-09-25'), ...jsonFiles(FUNDING)], ['BTCUSDT', 'ETHUSDT']));
  });

  it('replays BTCUSDT 5m: 11,123 consecutive closed candles, 2025-09-19 00:00 → 2025-10-27 14:50', () => {
    const btc = candles(events, 'BTCUSDT', '5m');
    expect(btc).toHaveLength(11_123);
    expect(btc[0]?.openTime).toBe(utc('2025-09-19T00:00:00'));
    expect(btc.at(-1)?.openTime).toBe(utc('2025-10-27T14:50:00'));
    const gaps = btc.filter((c, i) => i > 0 && c.openTime - (btc[i - 1]?.openTime ?? 0) !== 300_000);
    expect(gaps, 'in order and without gaps (SOURCES.md: no gaps)').toEqual([]);
    expect(btc.every((c) => c.closed && c.closeTime === c.openTime + 299_999)).toBe(true);
  });

  it('carries the known mainnet extremes (SOURCES.md §1)', () => {
    const btc = candles(events, 'BTCUSDT', '5m');
    expect(btc.find((c) => c.openTime === utc('2025-10-06T18:55:00'))?.high, 'BTC high').toBe(126_208.5);
    expect(btc.find((c) => c.openTime === utc('2025-10-10T21:20:00'))?.low, 'BTC crash low').toBe(101_516.5);
    expect(candles(events, 'ETHUSDT', '5m').find((c) => c.openTime === utc('2025-10-10T21:20:00'))?.low, 'ETH crash low').toBe(3_400);
  });

  it('replays ETHUSDT 5m (8,819 from 2025-09-27) and the funding settlements: 115 BTC, 91 ETH', () => {
    const eth = candles(events, 'ETHUSDT', '5m');
    expect(eth).toHaveLength(8_819);
    expect(eth[0]?.openTime).toBe(utc('2025-09-27T00:00:00'));
    const btcFunding = fundings(events, 'BTCUSDT');
    expect(btcFunding).toHaveLength(115);
    // Settlement times are as recorded, a few ms late at times (1758268800005).
    expect(Math.floor((btcFunding[0]?.fundingTime ?? 0) / 1_000) * 1_000).toBe(utc('2025-09-19T00:00:00'));
    expect(Math.floor((btcFunding.at(-1)?.fundingTime ?? 0) / 1_000) * 1_000).toBe(utc('2025-10-27T00:00:00'));
    expect(fundings(events, 'ETHUSDT')).toHaveLength(91);
  });

  it('merges the overlapping BTC 15m recordings into one series (2025-08-29 → 2025-10-23 22:30)', () => {
    const btc15 = candles(events, 'BTCUSDT', '15m');
    // 2,688 rows from 08-29, 3,355 from 09-19; 7 days × 96 overlap once.
    expect(btc15).toHaveLength(2_688 + 3_355 - 7 * 96);
    expect(btc15[0]?.openTime).toBe(utc('2025-08-29T00:00:00'));
    expect(btc15.at(-1)?.openTime).toBe(utc('2025-10-23T22:30:00'));
    expect(btc15.every((c, i) => i === 0 || c.openTime - (btc15[i - 1]?.openTime ?? 0) === 900_000)).toBe(true);
  });

  it('pushes events in data-time order with no NaN or Infinity anywhere', () => {
    const times = events.map((e) => (e.type === 'candle' ? e.candle.closeTime : e.type === 'funding' ? e.funding.fundingTime : Number.NaN));
    expect(times.filter((t, i) => i > 0 && t < (times[i - 1] ?? 0))).toEqual([]);
    expect(events.flatMap((e) => nonFinite(e)).slice(0, 5)).toEqual([]);
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(['candle', 'funding']));
  });

  it('ends done and serves the replayed history', async () => {
    expect(source.progress()).toMatchObject({ done: true, startTime: utc('2025-08-29T00:14:59.999'), endTime: utc('2025-10-27T14:54:59.999') });
    expect(source.status().state).toBe('STOPPED');
    expect(await source.fetchFundingHistory('BTCUSDT', 1_000)).toHaveLength(115);
    const last = await source.fetchCandles('BTCUSDT', '5m', { limit: 1_500 });
    expect(last).toHaveLength(1_500);
    expect(last.at(-1)?.openTime).toBe(utc('2025-10-27T14:50:00'));
  });

  it('catalogs the freqtrade JSON and feather klines (15 feather files, none skipped)', () => {
    const catalog = scanReplayDirs([KLINES]);
    expect(catalog.skipped).toEqual([]);
    expect(catalog.files.filter((f) => f.container === 'freqtrade-feather')).toHaveLength(15);
    expect(catalog.files.filter((f) => f.container === 'freqtrade-json').map((f) => `${f.symbol}-${f.interval}`).sort()).toEqual(
      ['BCHUSDT-15m', 'BTCUSDT-15m', 'BTCUSDT-15m', 'BTCUSDT-1h', 'BTCUSDT-5m', 'ETHUSDT-15m', 'ETHUSDT-5m', 'LTCUSDT-15m', 'XRPUSDT-15m'],
    );
  });
});

describe.skipIf(!existsSync(join(KLINES, 'multi-15m-2025-08-29_2025-09-25')))('replay of the 5-symbol 15m window', () => {
  // Collected even when skipped: read nothing without the recordings.
  if (!existsSync(join(KLINES, 'multi-15m-2025-08-29_2025-09-25'))) return;
  it('replays 2,688 candles per symbol over the same span', async () => {
    const symbols = ['BTCUSDT', 'ETHUSDT', 'XRPUSDT', 'LTCUSDT', 'BCHUSDT'];
    const { events } = await replay(join(KLINES, 'multi-15m-2025-08-29_2025-09-25'), symbols);
    for (const symbol of symbols) {
      const list = candles(events, symbol, '15m');
      expect(list, symbol).toHaveLength(2_688);
      expect(list[0]?.openTime).toBe(utc('2025-08-29T00:00:00'));
      expect(list.at(-1)?.openTime).toBe(utc('2025-09-25T23:45:00'));
    }
  });
});

describe.skipIf(!existsSync(MARK))('replay of the recorded mark prices', () => {
  // Collected even when skipped: read nothing without the recordings.
  if (!existsSync(MARK)) return;
  it('replays 115 BTC 8h mark prices at the candle closes, predicted rate null', async () => {
    const { events } = await replay(jsonFiles(MARK), ['BTCUSDT']);
    const marks: MarkPrice[] = events.flatMap((e) => (e.type === 'markPrice' ? [e.mark] : []));
    expect(marks).toHaveLength(115);
    expect(marks[0]).toEqual({
      symbol: 'BTCUSDT',
      markPrice: 116_850.03902174,
      indexPrice: null,
      predictedFundingRate: null,
      nextFundingTime: utc('2025-09-19T08:00:00'),
      time: utc('2025-09-19T07:59:59.999'),
    });
    expect(events.flatMap((e) => nonFinite(e))).toEqual([]);
  });
});

describe.skipIf(!existsSync(SPOT))('replay of the recorded spot klines', () => {
  // Collected even when skipped: read nothing without the recordings.
  if (!existsSync(SPOT)) return;
  it('turns BTCUSDT 1h/4h/1d spot klines into one spot-price series', async () => {
    const { events } = await replay(SPOT, ['BTCUSDT']);
    const spot: SpotPrice[] = events.flatMap((e) => (e.type === 'spotPrice' ? [e.spot] : []));
    expect(events).toHaveLength(spot.length);
    // 1,033 hourly closes, then the 4h and 1d candles that close after the last hourly one.
    expect(spot).toHaveLength(1_035);
    expect(spot[0]).toEqual({ symbol: 'BTCUSDT', price: 42_474.95, time: utc('2024-02-01T00:59:59.999') });
    expect(spot.every((s, i) => i === 0 || s.time > (spot[i - 1]?.time ?? 0))).toBe(true);
    expect(events.flatMap((e) => nonFinite(e))).toEqual([]);
  });
});

describe.skipIf(!existsSync(FEATHER_KLINES))('replay of the freqtrade feather recordings (SOURCES.md §8)', () => {
  // Collected even when skipped: read nothing without the recordings.
  if (!existsSync(FEATHER_KLINES)) return;
  let events: MarketEvent[] = [];

  beforeAll(async () => {
    ({ events } = await replay([FEATHER_KLINES, FEATHER_FUNDING, FEATHER_MARK], ['BTCUSDT', 'SOLUSDT']));
  });

  it('replays BTCUSDT 5m from the LZ4-compressed Arrow file: 9,727 candles from 2025-12-26 22:35, first row as recorded', () => {
    const btc = candles(events, 'BTCUSDT', '5m');
    expect(btc).toHaveLength(9_727);
    expect(btc[0]).toMatchObject({ openTime: utc('2025-12-26T22:35:00'), open: 87_435.4, high: 87_441.3, low: 87_396.3, close: 87_441.3, volume: 57.394 });
    expect(btc.at(-1)?.openTime).toBe(utc('2026-01-29T17:05:00'));
    expect(btc.every((c, i) => i === 0 || c.openTime - (btc[i - 1]?.openTime ?? 0) === 300_000), 'no gaps').toBe(true);
    expect(candles(events, 'SOLUSDT', '5m'), 'SOL ends 11:40').toHaveLength(9_662);
    expect(candles(events, 'SOLUSDT', '1h')).toHaveLength(804);
  });

  it('replays the feather funding (rate in the open slot) and 1h mark prices', () => {
    const btc = fundings(events, 'BTCUSDT');
    expect(btc).toHaveLength(102);
    expect(btc[0]).toEqual({ symbol: 'BTCUSDT', rate: 0.00001809, fundingTime: utc('2025-12-27T00:00:00'), markPrice: null });
    expect(fundings(events, 'SOLUSDT')).toHaveLength(101);
    const marks: MarkPrice[] = events.flatMap((e) => (e.type === 'markPrice' && e.mark.symbol === 'BTCUSDT' ? [e.mark] : []));
    expect(marks).toHaveLength(810);
    expect(marks[0]).toMatchObject({ markPrice: 87_330.0652084, time: utc('2025-12-26T23:59:59.999') });
    expect(events.flatMap((e) => nonFinite(e)).slice(0, 5)).toEqual([]);
  });
});

const OI = join(FUTURES, 'open-interest');
const FNG = join(DATA, 'sentiment', 'fear-greed');
const CHAINS = join(DATA, 'deribit', 'options-chain-2020-05');

describe.skipIf(!existsSync(OI) || !existsSync(FNG))('replay of the open-interest export and the Fear & Greed history (SOURCES.md §6, 7, 9)', () => {
  // Collected even when skipped: read nothing without the recordings.
  if (!existsSync(OI)) return;
  let events: MarketEvent[] = [];

  beforeAll(async () => {
    ({ events } = await replay([OI, FNG], ['BTCUSDT', 'ETHUSDT']));
  });

  it('replays 30 daily OI values per symbol, USD only: BTC 2025-11-07 = 8,336,692,202.3616', () => {
    const oi = events.flatMap((e) => (e.type === 'openInterest' ? [e.openInterest] : []));
    expect(oi.filter((o) => o.symbol === 'BTCUSDT')).toHaveLength(30);
    expect(oi.filter((o) => o.symbol === 'ETHUSDT')).toHaveLength(30);
    expect(oi[0]).toEqual({ symbol: 'BTCUSDT', openInterest: null, openInterestValue: 8_336_692_202.3616, time: utc('2025-11-07T00:00:00') });
    expect(oi.at(-1)?.time).toBe(utc('2025-12-06T00:00:00'));
  });

  it('replays Fear & Greed from 30 days before the OI span to its end, on the same clock', () => {
    const fng = events.flatMap((e) => (e.type === 'fearGreed' ? [e.fearGreed] : []));
    // 2025-10-08 … 2025-12-06 (the 30-day lookback before the first OI day, then the span itself).
    expect(fng[0]?.time).toBe(utc('2025-10-08T00:00:00'));
    expect(fng.at(-1)?.time).toBe(utc('2025-12-06T00:00:00'));
    expect(fng.find((f) => f.time === utc('2025-10-11T00:00:00')), 'the day after the 10-10 crash (SOURCES.md §7)').toEqual({
      value: 27,
      classification: 'Fear',
      time: utc('2025-10-11T00:00:00'),
    });
  });
});

describe.skipIf(!existsSync(CHAINS))('replay of the Deribit BTC option chains (SOURCES.md §15)', () => {
  // Collected even when skipped: read nothing without the recordings.
  if (!existsSync(CHAINS)) return;
  it('folds each snapshot into one chain: 310 then 326 options, total OI 96,275.9 then 106,082.0 BTC', async () => {
    const { events } = await replay(CHAINS, ['BTCUSDT']);
    const chains = events.flatMap((e) => (e.type === 'optionsChain' ? [e.chain] : []));
    expect(chains.map((c) => c.quotes.length)).toEqual([310, 326]);
    expect(chains.map((c) => Math.round(c.quotes.reduce((sum, q) => sum + q.openInterest, 0) * 10) / 10)).toEqual([96_275.9, 106_082]);
    expect(chains[0]?.time, 'the newest row of the 2.5-minute capture').toBeLessThanOrEqual(utc('2020-05-14T05:44:07'));
    expect(chains[0]?.time).toBeGreaterThanOrEqual(utc('2020-05-14T05:44:06'));
    expect(chains[0]?.indexPrice).toBeGreaterThan(9_344);
    expect(chains[0]?.indexPrice).toBeLessThan(9_355);
    const mark = chains[0]?.quotes.map((q) => q.markIv ?? 0) ?? [];
    expect([Math.min(...mark), Math.max(...mark)], 'mark_iv range (SOURCES.md)').toEqual([75.97, 209.26]);
    expect(events.flatMap((e) => nonFinite(e)).slice(0, 5)).toEqual([]);
  });
});
