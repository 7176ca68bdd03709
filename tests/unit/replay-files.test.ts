import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Float64, Table, tableToIPC, Timestamp, TimeUnit, vectorFromArray } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { classifyAll, isReplayFile, parseReplayDirs, scanReplayDirs } from '../../src/datasources/replay/replay-files.js';
import { normalizeEpoch, parseTime } from '../../src/datasources/replay/replay-mapper.js';
import { readLastRecords, readRecords, splitCsvLine } from '../../src/datasources/replay/replay-readers.js';

const root = mkdtempSync(join(tmpdir(), 'replay-files-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function classify(path: string): Record<string, unknown> | string | null {
  const all = classifyAll(path);
  const r = Array.isArray(all) ? all[0] : all;
  if (r === null || r === undefined) return null;
  if (!isReplayFile(r)) return `skip: ${r.reason}`;
  return { symbol: r.symbol, market: r.market, content: r.content, container: r.container, interval: r.interval };
}

describe('replay file names', () => {
  it('reads symbol, interval and content from data.binance.vision dump names', () => {
    expect(classify('/d/futures/um/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2024-01-01.csv')).toEqual({
      symbol: 'BTCUSDT', market: 'futures', content: 'candles', container: 'csv', interval: '1m',
    });
    expect(classify('/d/BTCUSDT-1h-2024-01.csv'), 'monthly klines').toMatchObject({ content: 'candles', interval: '1h' });
    expect(classify('/d/ETHUSDT-aggTrades-2024-01-01.csv')).toMatchObject({ symbol: 'ETHUSDT', content: 'aggTrades', interval: null });
    expect(classify('/d/ETHUSDT-trades-2024-01.csv')).toMatchObject({ symbol: 'ETHUSDT', content: 'trades' });
    expect(classify('/d/BTCUSDT-metrics-2024-01-15.csv')).toMatchObject({ content: 'metrics', interval: null });
    expect(classify('/d/BTCUSDT-fundingRate-2024-01.csv')).toMatchObject({ content: 'funding', container: 'csv' });
    expect(classify('/d/futures/um/daily/markPriceKlines/BTCUSDT/1h/BTCUSDT-1h-2024-01-01.csv'), 'klines below markPriceKlines are mark price').toMatchObject({
      content: 'mark',
      interval: '1h',
    });
  });

  it('reads freqtrade names, original and renamed, joining base and quote', () => {
    expect(classify('/d/BTC_USDT_USDT-5m-futures.json')).toEqual({ symbol: 'BTCUSDT', market: 'futures', content: 'candles', container: 'freqtrade-json', interval: '5m' });
    expect(classify('/d/BTC_USDT_USDT-8h-funding_rate.json')).toMatchObject({ symbol: 'BTCUSDT', content: 'funding', interval: null });
    expect(classify('/d/BTC_USDT_USDT-8h-mark.json')).toMatchObject({ symbol: 'BTCUSDT', content: 'mark', interval: '8h' });
    expect(classify('/d/BTC_USDT-1h.json'), 'a freqtrade pair without settle currency is spot').toMatchObject({ symbol: 'BTCUSDT', market: 'spot' });
    expect(classify('/d/BTCUSDT-5m.freqtrade.json')).toMatchObject({ symbol: 'BTCUSDT', content: 'candles', interval: '5m', market: 'futures' });
    expect(classify('/d/BTCUSDT-8h-funding_rate.freqtrade.json')).toMatchObject({ content: 'funding', interval: null });
    expect(classify('/d/BTCUSDT-8h-mark.freqtrade.json')).toMatchObject({ content: 'mark', interval: '8h' });
  });

  it('reads freqtrade feather names as the same contents in an Arrow container', () => {
    expect(classify('/d/BTCUSDT-5m.freqtrade.feather')).toEqual({ symbol: 'BTCUSDT', market: 'futures', content: 'candles', container: 'freqtrade-feather', interval: '5m' });
    expect(classify('/d/BTCUSDT-funding_rate.freqtrade.feather')).toMatchObject({ content: 'funding', container: 'freqtrade-feather' });
    expect(classify('/d/BTCUSDT-1h-mark.freqtrade.feather')).toMatchObject({ content: 'mark', interval: '1h', container: 'freqtrade-feather' });
    expect(classify('/d/BTC_USDT_USDT-5m-futures.feather')).toMatchObject({ symbol: 'BTCUSDT', content: 'candles', container: 'freqtrade-feather' });
  });

  it('marks files below a spot directory as spot', () => {
    expect(classify('/data/binance-spot/klines/2024/BTCUSDT-1h.csv')).toMatchObject({ market: 'spot', content: 'candles' });
    expect(classify('/data/spot/daily/aggTrades/BTCUSDT/BTCUSDT-aggTrades-2025-01-01.csv')).toMatchObject({ market: 'spot', content: 'aggTrades' });
    expect(classify('/data/spotty/BTCUSDT-1h.csv'), '"spot" must be a whole word of a directory name').toMatchObject({ market: 'futures' });
  });

  it('skips recognised files it cannot replay, with the reason, and ignores other names', () => {
    expect(classify('/d/BTCUSDT-1m-2024-01-01.zip')).toMatch(/^skip: .*unzip/);
    expect(classify('/d/BTCUSDT-3d-2024-01.csv')).toMatch(/^skip: interval 3d/);
    expect(classify('/d/indexPriceKlines/BTCUSDT/1h/BTCUSDT-1h-2024-01-01.csv')).toMatch(/^skip: indexPriceKlines/);
    expect(classify('/d/binance-spot/BTCUSDT-fundingRate-2024-01.csv')).toMatch(/^skip: funding data in a spot folder/);
    expect(classify('/d/ohlcv_1h.csv'), 'lower-case names are not symbols').toBeNull();
    expect(classifyAll('/d/openInterestHist-1d-sumOpenInterestValue-BTCUSDT.csv'), 'no date range: not the known export').toBeNull();
    expect(classify('/d/BTCUSDT-1m-2024-01-01.csv.CHECKSUM')).toBeNull();
    expect(classify('/d/BTCUSDT-5m.freqtrade.csv'), 'a freqtrade name with the wrong extension').toBeNull();
  });

  it('names the recordings it knows and does not read, with why', () => {
    expect(classify('/d/liquidations/hyperliquid-2023-02-28_2023-05-01/liquidations.csv')).toMatch(/^skip: Hyperliquid .*no coin, side, price/);
    expect(classify('/d/okx/SOL-USDT-SWAP-1h-2026-06-11_2026-06-26/open_interest.csv')).toMatch(/^skip: OKX recording/);
    expect(classify('/d/bybit/cryptofeed-v3-2026-08-09/BYBIT.jsonl.zst')).toMatch(/^skip: zstd cryptofeed/);
    expect(classify('/d/hftbacktest-2024-08-08/btcusdt_20240808.gz')).toMatch(/^skip: raw WebSocket capture/);
    expect(classify('/d/deribit/cryptofeed-2021-07-22/DERIBIT.ws.1.0.txt')).toMatch(/^skip: raw cryptofeed/);
    expect(classify('/d/BINANCE_FUTURES.http.0.0.txt')).toMatch(/^skip: raw cryptofeed/);
  });

  it('expands the multi-symbol OI export into one file per symbol column and tags market-wide files', () => {
    const oi = classifyAll('/d/openInterestHist-1d-sumOpenInterestValue-BTCUSDT-ETHUSDT-2025-11-07_2025-12-06.csv');
    expect(Array.isArray(oi) ? oi.map((f) => [f.symbol, f.content, f.column, f.market]) : oi).toEqual([
      ['BTCUSDT', 'openInterest', 'btc_oi_value_usd', 'futures'],
      ['ETHUSDT', 'openInterest', 'eth_oi_value_usd', 'futures'],
    ]);
    const fng = classifyAll('/d/alternative-me-fng-daily-2018-02-01_2026-02-24.csv');
    expect(Array.isArray(fng) ? fng.map((f) => [f.symbol, f.content, f.container, f.market]) : fng).toEqual([['', 'fearGreed', 'csv', 'market-wide']]);
    const json = classifyAll('/d/alternative-me-fng-latest-2025-04-23.json');
    expect(Array.isArray(json) ? json[0]?.container : json).toBe('fng-json');
    const chain = classifyAll('/d/deribit/options-chain-2020-05/BTC-options-chain-2020-05-14T0541Z.csv');
    expect(Array.isArray(chain) ? chain.map((f) => [f.symbol, f.content, f.market]) : chain).toEqual([['BTC', 'optionsChain', 'market-wide']]);
  });

  it('splits quoted CSV fields (commas inside Python reprs) and keeps plain lines as they were', () => {
    expect(splitCsvLine(`0,put,"{'volume': 30.5, 'low': 0.0425}",open,"[[0.042, 15.5]]",`)).toEqual(['0', 'put', "{'volume': 30.5, 'low': 0.0425}", 'open', '[[0.042, 15.5]]', '']);
    expect(splitCsvLine('a,"x""y",b'), 'a doubled quote is a quote').toEqual(['a', 'x"y', 'b']);
    expect(splitCsvLine(' 1 ,2')).toEqual(['1', '2']);
  });

  it('scans directories recursively in path order and fails loudly on a missing directory', () => {
    const dir = join(root, 'scan');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    writeFileSync(join(dir, 'BTCUSDT-1m.csv'), '');
    writeFileSync(join(dir, 'sub', 'ETHUSDT-5m.freqtrade.json'), '[]');
    writeFileSync(join(dir, 'sub', 'ETHUSDT-5m.freqtrade.feather'), '');
    writeFileSync(join(dir, 'sub', 'ETHUSDT-1m-2024-01-01.zip'), '');
    writeFileSync(join(dir, 'notes.txt'), '');
    const catalog = scanReplayDirs([dir]);
    expect(catalog.files.map((f) => f.symbol)).toEqual(['BTCUSDT', 'ETHUSDT', 'ETHUSDT']);
    expect(catalog.skipped).toHaveLength(1);
    expect(catalog.ignored).toEqual([join(dir, 'notes.txt')]);
    expect(scanReplayDirs([dir], { recursive: false }).files.map((f) => f.symbol)).toEqual(['BTCUSDT']);
    expect(() => scanReplayDirs([join(root, 'missing')])).toThrow(/ENOENT/);
    expect(parseReplayDirs(' /a , /b,,')).toEqual(['/a', '/b']);
  });
});

describe('replay readers', () => {
  it('reads a freqtrade feather file (timestamp[ns, UTC] date) as freqtrade rows, head and tail', () => {
    const opens = [1_766_788_500_000, 1_766_788_800_000, 1_766_789_100_000];
    // Arrow builders take epoch ms and store ns for a NANOSECOND column, as pyarrow wrote freqtrade's files.
    const date = vectorFromArray(opens, new Timestamp(TimeUnit.NANOSECOND, 'UTC'));
    const table = new Table({
      date,
      open: vectorFromArray([87_435.4, 87_441.3, 87_366.6], new Float64()),
      high: vectorFromArray([87_441.3, 87_447.3, 87_400], new Float64()),
      low: vectorFromArray([87_396.3, 87_266.6, 87_300.1], new Float64()),
      close: vectorFromArray([87_441.3, 87_366.6, 87_380], new Float64()),
      volume: vectorFromArray([57.394, 342.109, 12.5], new Float64()),
    });
    const path = join(root, 'BTCUSDT-5m.freqtrade.feather');
    writeFileSync(path, tableToIPC(table, 'file'));
    const read = [...readRecords(path, 'freqtrade-feather')];
    expect(read.map((r) => r.fields.map(Number))).toEqual([
      [1_766_788_500_000, 87_435.4, 87_441.3, 87_396.3, 87_441.3, 57.394],
      [1_766_788_800_000, 87_441.3, 87_447.3, 87_266.6, 87_366.6, 342.109],
      [1_766_789_100_000, 87_366.6, 87_400, 87_300.1, 87_380, 12.5],
    ]);
    expect(read.map((r) => r.line)).toEqual([1, 2, 3]);
    expect(readLastRecords(path, 'freqtrade-feather', 1).map((r) => Number(r.fields[0])), 'tail').toEqual([1_766_789_100_000]);
    const wrong = join(root, 'ETHUSDT-5m.freqtrade.feather');
    writeFileSync(wrong, tableToIPC(new Table({ date }), 'file'));
    expect(() => [...readRecords(wrong, 'freqtrade-feather')]).toThrow(/no column open, high, low, close, volume/);
  });

  it('streams freqtrade JSON rows across chunk boundaries', () => {
    const rows = Array.from({ length: 5_000 }, (_, i) => [1_704_067_200_000 + i * 60_000, 100 + i / 8, 101.5, 99.25, 100.125, i * 1.5]);
    const path = join(root, 'BTCUSDT-1m.freqtrade.json');
    writeFileSync(path, JSON.stringify(rows));
    const read = [...readRecords(path, 'freqtrade-json')];
    expect(read.length, 'file is several 64 KiB chunks').toBe(5_000);
    expect(read.map((r) => r.fields.map(Number))).toEqual(rows);
    expect(read.at(-1)?.line).toBe(5_000);
    expect(readLastRecords(path, 'freqtrade-json', 2).map((r) => r.fields.map(Number)), 'tail read').toEqual(rows.slice(-2));
  });

  it('streams CSV lines across chunk boundaries, CRLF or LF, skipping blank lines', () => {
    const lines = Array.from({ length: 4_000 }, (_, i) => `${i},${(i * 0.1).toFixed(1)},x${i}`);
    const path = join(root, 'crlf.csv');
    writeFileSync(path, `${lines.join('\r\n')}\r\n\r\n`);
    const read = [...readRecords(path, 'csv')];
    expect(read.length).toBe(4_000);
    expect(read[3_999]?.fields, 'no stray \\r').toEqual(['3999', '399.9', 'x3999']);
    expect(read[1_234]?.line).toBe(1_235);
    expect(readLastRecords(path, 'csv', 1)[0]?.fields).toEqual(['3999', '399.9', 'x3999']);
  });

  it('parses epoch seconds, ms, µs and UTC strings to ms', () => {
    expect(parseTime('1704067200000', 't')).toBe(1_704_067_200_000);
    expect(parseTime('1704067200000000', 't'), 'µs (vision spot from 2025)').toBe(1_704_067_200_000);
    expect(normalizeEpoch(1_735_689_659_999_999), 'µs close time keeps its last ms').toBe(1_735_689_659_999);
    expect(parseTime('1704067200', 't'), 'seconds').toBe(1_704_067_200_000);
    expect(parseTime('2024-02-01 01:02:03', 't')).toBe(Date.UTC(2024, 1, 1, 1, 2, 3));
    expect(parseTime('2024-02-01', 't')).toBe(Date.UTC(2024, 1, 1));
    expect(parseTime('2024-02-01T01:02:03.5Z', 't')).toBe(Date.UTC(2024, 1, 1, 1, 2, 3, 500));
    expect(() => parseTime('yesterday', 'open_time')).toThrow('open_time is not a time: "yesterday"');
  });
});
