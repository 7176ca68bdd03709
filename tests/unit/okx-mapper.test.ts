import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createOkxStreamParser, fromInstId, okxInstrumentsSchema, okxRatiosSchema, okxTakerSchema, toInstId, toLiquidation, toLongShortRatio, toSymbolInfos, toTakerVolume } from '../../src/datasources/okx/okx-mapper.js';
import { okxEnvelope } from '../../src/datasources/okx/okx-source.js';

/** Real OKX SOL hourly statistics (../shared/data/SOURCES.md §10) and the cryptofeed v3 OKX recording (§14). */
const SOL = '../shared/data/okx/SOL-USDT-SWAP-1h-2026-06-11_2026-06-26';
const RECORDING = '../shared/data/okx/cryptofeed-v3-2022-05-13/OKX.jsonl.zst';
const csv = (file: string) => readFileSync(`${SOL}/${file}`, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
const zstd = (() => {
  try {
    execFileSync('zstd', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('OKX symbols', () => {
  it('BTCUSDT <-> BTC-USDT-SWAP; inverse and dated contracts are not USDT swaps', () => {
    expect(toInstId('BTCUSDT')).toBe('BTC-USDT-SWAP');
    expect(fromInstId('BTC-USDT-SWAP')).toBe('BTCUSDT');
    expect(fromInstId('1INCH-USDT-SWAP')).toBe('1INCHUSDT');
    expect(fromInstId('BTC-USD-SWAP')).toBeNull();
    expect(fromInstId('BTC-USD-220527')).toBeNull();
  });
});

describe.skipIf(!existsSync(SOL))('OKX rubik rows on the recorded SOL hourly statistics', () => {
  if (!existsSync(SOL)) return;
  it('long/short account ratio: 360 rows, ratio 2.17 -> long share 2.17/3.17', () => {
    const rows = csv('long_short_ratio.csv');
    const body = okxRatiosSchema.parse({ code: '0', msg: '', data: rows.map(([ts, ratio]) => [ts, ratio]) });
    const mapped = body.data.map((row) => toLongShortRatio('SOLUSDT', row, '1h'));
    expect(mapped).toHaveLength(360);
    expect(mapped[0]).toEqual({ symbol: 'SOLUSDT', kind: 'GLOBAL_ACCOUNTS', period: '1h', longShortRatio: 2.17, longShare: 2.17 / 3.17, shortShare: 1 / 3.17, time: 1781193600000 });
    expect(mapped.every((r) => Math.abs(r.longShare + r.shortShare - 1) < 1e-12)).toBe(true);
  });
  it('taker volume [ts, sellVol, buyVol]: first row buy 18964812.9593 / sell 19933216.2427', () => {
    const rows = csv('taker_volume.csv');
    const body = okxTakerSchema.parse({ code: '0', msg: '', data: rows.map(([ts, sell, buy]) => [ts, sell, buy]) });
    const first = toTakerVolume('SOLUSDT', body.data[0]!, '1h');
    expect(first).toEqual({ symbol: 'SOLUSDT', period: '1h', buyVolume: 18964812.9593, sellVolume: 19933216.2427, buySellRatio: 18964812.9593 / 19933216.2427, time: 1781193600000 });
    expect(body.data).toHaveLength(360);
  });
});

describe.skipIf(!existsSync(RECORDING) || !zstd)('OKX instruments on the recorded public/instruments (2022-05-13)', () => {
  if (!existsSync(RECORDING) || !zstd) return;
  const lines = execFileSync('zstd', ['-dc', RECORDING], { maxBuffer: 64 * 1024 * 1024 }).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { t: string; url?: string; data?: string });
  it('126 of 166 swaps are linear USDT swaps; BTC ctVal 0.01, ETH 0.1, DOGE 1000 (step sizes in base units)', () => {
    const http = lines.find((l) => l.t === 'http' && l.url!.includes('instType=SWAP'))!;
    const body = okxInstrumentsSchema.parse(JSON.parse(http.data!));
    expect(body.data).toHaveLength(166);
    const infos = toSymbolInfos(body.data);
    expect(infos).toHaveLength(126);
    expect(infos.find((i) => i.symbol === 'BTCUSDT')).toEqual({ symbol: 'BTCUSDT', baseAsset: 'BTC', quoteAsset: 'USDT', contractType: 'PERPETUAL', status: 'TRADING', tickSize: 0.1, stepSize: 0.01, fundingIntervalHours: 8 });
    expect(infos.find((i) => i.symbol === 'ETHUSDT')?.stepSize).toBe(0.1);
    expect(infos.find((i) => i.symbol === 'DOGEUSDT')?.stepSize).toBe(1000);
  });
});

describe('OKX documented shapes', () => {
  it('liquidation side is the closing order: sell = long liquidated; contracts × ctVal; partial feed', () => {
    expect(toLiquidation('BTCUSDT', { side: 'sell', sz: 50, bkPx: 60_000, ts: 1 }, 0.01)).toEqual({ symbol: 'BTCUSDT', side: 'SELL', liquidatedSide: 'LONG', price: 60_000, averagePrice: 60_000, qty: 0.5, notional: 30_000, time: 1, complete: false });
    expect(toLiquidation('BTCUSDT', { side: 'buy', sz: 1, bkPx: 1, ts: 1 }, 0.01).liquidatedSide).toBe('SHORT');
  });
  it('stream: mark joined with funding and index; malformed trades and error events rejected', () => {
    const parse = createOkxStreamParser((s) => (s === 'BTCUSDT' ? 0.01 : undefined));
    expect(parse({ arg: { channel: 'funding-rate', instId: 'BTC-USDT-SWAP' }, data: [{ instId: 'BTC-USDT-SWAP', fundingRate: '0.0001', fundingTime: '1700006400000', nextFundingTime: '1700035200000' }] })).toEqual([]);
    parse({ arg: { channel: 'index-tickers', instId: 'BTC-USDT' }, data: [{ instId: 'BTC-USDT', idxPx: '59990', ts: '1' }] });
    expect(parse({ arg: { channel: 'mark-price', instId: 'BTC-USDT-SWAP' }, data: [{ instId: 'BTC-USDT-SWAP', markPx: '60000.5', ts: '1700000000000' }] })).toEqual([
      { type: 'markPrice', mark: { symbol: 'BTCUSDT', markPrice: 60000.5, indexPrice: 59990, predictedFundingRate: 0.0001, nextFundingTime: 1700006400000, time: 1700000000000 } },
    ]);
    expect(parse({ arg: { channel: 'trades', instId: 'BTC-USDT-SWAP' }, data: [{ instId: 'BTC-USDT-SWAP', tradeId: '7', px: '60000', sz: '3', side: 'buy', ts: '5' }] })).toEqual([{ type: 'trade', trade: { symbol: 'BTCUSDT', id: 7, price: 60000, qty: 0.03, time: 5, side: 'BUY' } }]);
    expect(() => parse({ arg: { channel: 'trades', instId: 'BTC-USDT-SWAP' }, data: [{ instId: 'BTC-USDT-SWAP', tradeId: '7', px: 'abc', sz: '3', side: 'buy', ts: '5' }] })).toThrow(/trades/);
    expect(() => parse({ event: 'error', code: '60012', msg: 'Invalid request' })).toThrow(/60012/);
  });
  it('envelope: 50011 and 50061 throttle, 51001 unknown instrument, 50013 transient', () => {
    const v = (code: string) => okxEnvelope({ code, msg: 'm', data: [] }, { status: 200, headers: {}, now: 0 });
    expect(v('0')).toBeNull();
    expect(v('50011')?.kind).toBe('rateLimited');
    expect(v('50061')?.kind).toBe('rateLimited');
    expect(v('51001')?.kind).toBe('badSymbol');
    expect(v('50013')?.kind).toBe('transient');
  });
});
