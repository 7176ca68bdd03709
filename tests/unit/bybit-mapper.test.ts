import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SymbolEvent } from '../../src/domain/market.js';
import { createBybitStreamParser, toCandle, toLiquidation, toLongShortRatio, toSymbolInfos, tradeIdOf } from '../../src/datasources/bybit/bybit-mapper.js';
import { bybitEnvelope } from '../../src/datasources/bybit/bybit-source.js';
import { bybitAccountRatioHistorySchema, bybitInstrumentsSchema, bybitKlinesSchema, bybitTickersSchema } from '../../src/datasources/bybit/schemas.js';

/** cryptofeed v3 recording of Bybit v5 mainnet, 2026-08-09 21:26:57–21:27:42 (../shared/data/SOURCES.md §13). */
const RECORDING = '../shared/data/bybit/cryptofeed-v3-2026-08-09/BYBIT.jsonl.zst';

function zstdAvailable(): boolean {
  try {
    execFileSync('zstd', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const haveRecording = existsSync(RECORDING) && zstdAvailable();

interface Line {
  t: string;
  conn?: string;
  url?: string;
  data?: string;
}

describe.skipIf(!haveRecording)('Bybit mappers on the recorded v5 payloads', () => {
  if (!haveRecording) return;
  const lines = execFileSync('zstd', ['-dc', RECORDING], { maxBuffer: 64 * 1024 * 1024 })
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Line);
  const linearFrames = lines.filter((l) => l.t === 'recv' && l.conn === 'BYBIT.ws.2').map((l) => JSON.parse(l.data!) as unknown);

  it('instruments-info: 692 of 800 linear instruments are USDT perpetuals; BTCUSDT sizes and 8 h funding', () => {
    const http = lines.find((l) => l.t === 'http' && l.url!.includes('category=linear'))!;
    const body = bybitInstrumentsSchema.parse(JSON.parse(http.data!));
    expect(body.result.list).toHaveLength(800);
    const infos = toSymbolInfos(body.result.list);
    expect(infos).toHaveLength(692);
    expect(infos.find((s) => s.symbol === 'BTCUSDT')).toEqual({
      symbol: 'BTCUSDT',
      baseAsset: 'BTC',
      quoteAsset: 'USDT',
      contractType: 'PERPETUAL',
      status: 'TRADING',
      tickSize: 0.1,
      stepSize: 0.001,
      fundingIntervalHours: 8,
    });
    // 0GUSDT settles every 240 minutes.
    expect(infos.find((s) => s.symbol === '0GUSDT')?.fundingIntervalHours).toBe(4);
  });

  it('tickers snapshot + deltas merge into mark, index, funding, next funding and open interest (BTCUSDT, last push)', () => {
    const parse = createBybitStreamParser({ throttleMs: 0 });
    const events: SymbolEvent[] = linearFrames.flatMap((f) => parse(f));
    const marks = events.filter((e): e is Extract<SymbolEvent, { type: 'markPrice' }> => e.type === 'markPrice' && e.mark.symbol === 'BTCUSDT');
    expect(marks.length).toBe(185); // one per tickers message with throttling off
    expect(marks[0]!.mark).toEqual({ symbol: 'BTCUSDT', markPrice: 65117.44, indexPrice: 65137.76, predictedFundingRate: 0.0001, nextFundingTime: 1786320000000, time: 1786310817583 });
    // The values Python merging every delta into the snapshot gives for the last push.
    expect(marks.at(-1)!.mark).toEqual({ symbol: 'BTCUSDT', markPrice: 65117.19, indexPrice: 65138.68, predictedFundingRate: 0.0001, nextFundingTime: 1786320000000, time: 1786310861383 });
    const ois = events.filter((e): e is Extract<SymbolEvent, { type: 'openInterest' }> => e.type === 'openInterest' && e.openInterest.symbol === 'BTCUSDT');
    expect(ois[0]!.openInterest).toEqual({ symbol: 'BTCUSDT', openInterest: 59891.732, openInterestValue: 3899996265.01, time: 1786310817583 });
    expect(ois.at(-1)!.openInterest.openInterest).toBe(59895.988);
    // ETHUSDT funding 0.00004617 (SOURCES.md §13).
    expect(events.find((e) => e.type === 'markPrice' && e.mark.symbol === 'ETHUSDT')).toMatchObject({ mark: { predictedFundingRate: 0.00004617 } });
  });

  it('publicTrade: 56 BTCUSDT trades, taker buy 0.321 / sell 6.718 BTC, UUID ids folded to distinct integers', () => {
    const parse = createBybitStreamParser();
    const trades = linearFrames.flatMap((f) => parse(f)).flatMap((e) => (e.type === 'trade' && e.trade.symbol === 'BTCUSDT' ? [e.trade] : []));
    expect(trades).toHaveLength(56);
    expect(trades[0]).toEqual({ symbol: 'BTCUSDT', id: tradeIdOf('a9188a0a-82bc-50de-be60-03eedbe3cdd7'), price: 65114.2, qty: 0.004, time: 1786310819680, side: 'SELL' });
    const sum = (side: string) => trades.filter((t) => t.side === side).reduce((a, t) => a + t.qty, 0);
    expect(sum('BUY')).toBeCloseTo(0.321, 9);
    expect(sum('SELL')).toBeCloseTo(6.718, 9);
    expect(new Set(trades.map((t) => t.id)).size).toBe(56);
    expect(Number.isSafeInteger(trades[0]!.id)).toBe(true);
  });

  it('kline.1: the bar confirmed at 21:27 is a closed 1m candle', () => {
    const parse = createBybitStreamParser();
    const closed = linearFrames.flatMap((f) => parse(f)).flatMap((e) => (e.type === 'candle' && e.candle.symbol === 'BTCUSDT' && e.candle.closed ? [e.candle] : []));
    expect(closed[0]).toEqual({
      symbol: 'BTCUSDT',
      interval: '1m',
      openTime: 1786310760000,
      closeTime: 1786310819999,
      open: 65119.9,
      high: 65119.9,
      low: 65114.2,
      close: 65114.2,
      volume: 3.712,
      quoteVolume: 241712.1394,
      takerBuyVolume: null,
      trades: null,
      closed: true,
    });
  });
});

describe('Bybit mappers on documented shapes', () => {
  it('allLiquidation S is the position side: Buy = a long liquidated by a SELL order, complete feed', () => {
    // The docs sample (EXCHANGE-APIS.md §2).
    expect(toLiquidation({ T: 1739502302929, s: 'BTCUSDT', S: 'Buy', v: 0.003, p: 43511.7 })).toEqual({
      symbol: 'BTCUSDT',
      side: 'SELL',
      liquidatedSide: 'LONG',
      price: 43511.7,
      averagePrice: 43511.7,
      qty: 0.003,
      notional: 43511.7 * 0.003,
      time: 1739502302929,
      complete: true,
    });
    expect(toLiquidation({ T: 1, s: 'BTCUSDT', S: 'Sell', v: 1, p: 2 }).liquidatedSide).toBe('SHORT');
  });

  it('account-ratio: buyRatio 0.49 / sellRatio 0.51 -> long/short 0.960784…', () => {
    const body = bybitAccountRatioHistorySchema.parse({ retCode: 0, retMsg: 'OK', result: { list: [{ symbol: 'BTCUSDT', buyRatio: '0.49', sellRatio: '0.51', timestamp: '1696262400000' }], nextPageCursor: 'x' } });
    expect(toLongShortRatio(body.result.list[0]!, '1h')).toEqual({ symbol: 'BTCUSDT', kind: 'GLOBAL_ACCOUNTS', period: '1h', longShortRatio: 0.49 / 0.51, longShare: 0.49, shortShare: 0.51, time: 1696262400000 });
  });

  it('kline rows: open/close time, base volume and turnover, closed only after the bar ends', () => {
    const body = bybitKlinesSchema.parse({ retCode: 0, retMsg: 'OK', result: { symbol: 'BTCUSDT', category: 'linear', list: [['1670608800000', '17071', '17073', '17027', '17055.5', '268611', '15.74462667']] } });
    const row = body.result.list[0]!;
    expect(toCandle('BTCUSDT', '1h', row, 1670612400000)).toMatchObject({ openTime: 1670608800000, closeTime: 1670612399999, open: 17071, close: 17055.5, volume: 268611, quoteVolume: 15.74462667, closed: true });
    expect(toCandle('BTCUSDT', '1h', row, 1670612399999).closed).toBe(false);
  });

  it('zod rejects malformed payloads: a non-decimal mark, a missing field, a non-zero retCode', () => {
    const ticker = { symbol: 'BTCUSDT', lastPrice: '1', markPrice: '1', indexPrice: '1', prevPrice24h: '1', price24hPcnt: '0', highPrice24h: '1', lowPrice24h: '1', openInterest: '1', openInterestValue: '1', volume24h: '1', turnover24h: '1', fundingRate: '0.0001', nextFundingTime: '1' };
    const wrap = (t: unknown) => ({ retCode: 0, retMsg: 'OK', result: { category: 'linear', list: [t] } });
    expect(bybitTickersSchema.safeParse(wrap(ticker)).success).toBe(true);
    expect(bybitTickersSchema.safeParse(wrap({ ...ticker, extra: 1 })).success).toBe(true);
    expect(bybitTickersSchema.safeParse(wrap({ ...ticker, markPrice: 'abc' })).success).toBe(false);
    const { openInterest: _dropped, ...missing } = ticker;
    expect(bybitTickersSchema.safeParse(wrap(missing)).success).toBe(false);
    expect(bybitTickersSchema.safeParse({ ...wrap(ticker), retCode: 10001 }).success).toBe(false);
    const parse = createBybitStreamParser();
    expect(() => parse({ topic: 'publicTrade.BTCUSDT', type: 'snapshot', ts: 1, data: [{ T: 1, s: 'BTCUSDT', S: 'Buy', v: 'x', p: '1', i: 'a' }] })).toThrow(/publicTrade/);
    expect(() => parse({ success: false, ret_msg: 'error:handler not found', op: 'subscribe' })).toThrow(/handler not found/);
  });

  it('envelope: 10006 pauses until X-Bapi-Limit-Reset-Timestamp; symbol errors; 10016 transient', () => {
    expect(bybitEnvelope({ retCode: 0, retMsg: 'OK' }, { status: 200, headers: {}, now: 0 })).toBeNull();
    expect(bybitEnvelope({ retCode: 10006, retMsg: 'Too many visits!' }, { status: 200, headers: { 'x-bapi-limit-reset-timestamp': '1700000002500' }, now: 1700000000000 })).toEqual({
      kind: 'rateLimited',
      code: '10006',
      msg: 'Too many visits!',
      waitMs: 2500,
    });
    expect(bybitEnvelope({ retCode: 10001, retMsg: 'params error: symbol invalid' }, { status: 200, headers: {}, now: 0 })?.kind).toBe('badSymbol');
    expect(bybitEnvelope({ retCode: 10016, retMsg: 'server error' }, { status: 200, headers: {}, now: 0 })?.kind).toBe('transient');
  });
});
