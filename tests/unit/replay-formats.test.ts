import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { MarketEvent } from '../../src/domain/market.js';
import { createReplaySource } from '../../src/datasources/replay/replay-source.js';

const root = mkdtempSync(join(tmpdir(), 'replay-formats-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let seq = 0;
/** A fresh directory holding `files` (relative path -> content). */
function dirWith(files: Record<string, string>): string {
  const dir = join(root, `case-${(seq += 1)}`);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

/** Every event of the recordings, pushed synchronously as warm-up (startAt past the end). */
async function replayAll(dir: string, symbols: string[]): Promise<MarketEvent[]> {
  const events: MarketEvent[] = [];
  const source = createReplaySource({ dir, speed: 0, startAt: Number.MAX_SAFE_INTEGER });
  await source.start(symbols, (e) => events.push(e));
  expect(source.progress().done, 'everything fit in the warm-up').toBe(true);
  return events;
}

const KLINE_HEADER = 'open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore';
const KLINE_ROW = '1704067200000,42283.58,42298.62,42261.02,42298.61,35.92724,1704067259999,1519032.9153444,1327,13.29936,562291.29374530,0';
const KLINE_CANDLE = {
  symbol: 'BTCUSDT',
  interval: '1m',
  openTime: 1_704_067_200_000,
  closeTime: 1_704_067_259_999,
  open: 42283.58,
  high: 42298.62,
  low: 42261.02,
  close: 42298.61,
  volume: 35.92724,
  quoteVolume: 1519032.9153444,
  trades: 1327,
  takerBuyVolume: 13.29936,
  closed: true,
};

describe('replay formats', () => {
  it('maps a vision klines CSV without header to closed candles', async () => {
    const events = await replayAll(dirWith({ 'BTCUSDT-1m-2024-01-01.csv': `${KLINE_ROW}\n` }), ['BTCUSDT']);
    expect(events).toEqual([{ type: 'candle', candle: KLINE_CANDLE }]);
  });

  it('maps a vision klines CSV with a header row identically', async () => {
    const events = await replayAll(dirWith({ 'BTCUSDT-1m-2024-01-01.csv': `${KLINE_HEADER}\n${KLINE_ROW}\n` }), ['BTCUSDT']);
    expect(events).toEqual([{ type: 'candle', candle: KLINE_CANDLE }]);
  });

  it('maps aggTrades: is_buyer_maker true is a taker SELL, false a taker BUY', async () => {
    const csv = [
      'agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker',
      '2,78549.5,0.016,3,7,1704067200016,true',
      '3,78549.6,0.025,8,9,1704067200020,false',
    ].join('\n');
    const events = await replayAll(dirWith({ 'BTCUSDT-aggTrades-2024-01-01.csv': csv }), ['BTCUSDT']);
    expect(events).toEqual([
      { type: 'trade', trade: { symbol: 'BTCUSDT', id: 2, price: 78549.5, qty: 0.016, time: 1_704_067_200_016, side: 'SELL' } },
      { type: 'trade', trade: { symbol: 'BTCUSDT', id: 3, price: 78549.6, qty: 0.025, time: 1_704_067_200_020, side: 'BUY' } },
    ]);
  });

  it('maps headerless vision trades (id,price,qty,quote_qty,time,is_buyer_maker)', async () => {
    const events = await replayAll(dirWith({ 'BTCUSDT-trades-2024-01.csv': '28457,4.000001,12,48.00,1499865549590,True\n' }), ['BTCUSDT']);
    expect(events).toEqual([{ type: 'trade', trade: { symbol: 'BTCUSDT', id: 28457, price: 4.000001, qty: 12, time: 1_499_865_549_590, side: 'SELL' } }]);
  });

  it('maps a metrics row to open interest, three long/short ratios and the taker ratio', async () => {
    const csv = [
      'create_time,symbol,sum_open_interest,sum_open_interest_value,count_toptrader_long_short_ratio,sum_toptrader_long_short_ratio,count_long_short_ratio,sum_taker_long_short_vol_ratio',
      '2024-01-01 00:05:00,BTCUSDT,100243.058,12494186585.40,1.5,3,0.25,1.15',
    ].join('\n');
    const events = await replayAll(dirWith({ 'BTCUSDT-metrics-2024-01-01.csv': csv }), ['BTCUSDT']);
    const time = Date.UTC(2024, 0, 1, 0, 5);
    expect(events.slice(0, 4)).toEqual([
      { type: 'openInterest', openInterest: { symbol: 'BTCUSDT', openInterest: 100243.058, openInterestValue: 12494186585.4, time } },
      // 1.5 long per short: 1.5 / 2.5 = 0.6 long.
      { type: 'longShortRatio', ratio: { symbol: 'BTCUSDT', kind: 'TOP_ACCOUNTS', period: '5m', longShortRatio: 1.5, longShare: 0.6, shortShare: 0.4, time } },
      { type: 'longShortRatio', ratio: { symbol: 'BTCUSDT', kind: 'TOP_POSITIONS', period: '5m', longShortRatio: 3, longShare: 0.75, shortShare: 0.25, time } },
      { type: 'longShortRatio', ratio: { symbol: 'BTCUSDT', kind: 'GLOBAL_ACCOUNTS', period: '5m', longShortRatio: 0.25, longShare: 0.2, shortShare: 0.8, time } },
    ]);
    const taker = events[4];
    expect(taker?.type).toBe('takerVolume');
    if (taker?.type !== 'takerVolume') return;
    expect(taker.volume.buySellRatio).toBe(1.15);
    expect(taker.volume.buyVolume, 'buy share 1.15 / 2.15').toBeCloseTo(0.534884, 6);
    expect(taker.volume.sellVolume, 'sell share 1 / 2.15').toBeCloseTo(0.465116, 6);
    expect(taker.volume.time).toBe(time);
    expect(events).toHaveLength(5);
  });

  it('maps a vision fundingRate CSV and takes the funding interval from it', async () => {
    const dir = dirWith({
      'BTCUSDT-fundingRate-2024-01.csv': 'calc_time,funding_interval_hours,last_funding_rate\n1704067200000,4,0.00037409\n1704081600001,4,-0.00001\n',
    });
    const events = await replayAll(dir, ['BTCUSDT']);
    expect(events).toEqual([
      { type: 'funding', funding: { symbol: 'BTCUSDT', rate: 0.00037409, fundingTime: 1_704_067_200_000, markPrice: null } },
      { type: 'funding', funding: { symbol: 'BTCUSDT', rate: -0.00001, fundingTime: 1_704_081_600_001, markPrice: null } },
    ]);
    const [info] = await createReplaySource({ dir, speed: 0 }).listSymbols();
    expect(info?.fundingIntervalHours, 'from the funding_interval_hours column').toBe(4);
  });

  it('maps freqtrade candle JSON, closing each candle interval − 1 ms after its open', async () => {
    const json = '[[1704067200000,42283.6,42310.0,42261.0,42300.1,120.5],[1704067500000,42300.1,42320.0,42290.0,42311.0,99.25]]';
    const events = await replayAll(dirWith({ 'BTC_USDT_USDT-5m-futures.json': json }), ['BTCUSDT']);
    expect(events[1]).toEqual({
      type: 'candle',
      candle: {
        symbol: 'BTCUSDT',
        interval: '5m',
        openTime: 1_704_067_500_000,
        closeTime: 1_704_067_799_999,
        open: 42300.1,
        high: 42320,
        low: 42290,
        close: 42311,
        volume: 99.25,
        // Not in freqtrade files.
        quoteVolume: 0,
        trades: 0,
        takerBuyVolume: 0,
        closed: true,
      },
    });
  });

  it('maps freqtrade funding JSON (rate in the open slot, times as recorded)', async () => {
    const json = '[[1704067200000,0.0001,0.0,0.0,0.0,0.0],[1704096000005,-0.00000231,0.0,0.0,0.0,0.0]]';
    const events = await replayAll(dirWith({ 'BTCUSDT-8h-funding_rate.freqtrade.json': json }), ['BTCUSDT']);
    expect(events).toEqual([
      { type: 'funding', funding: { symbol: 'BTCUSDT', rate: 0.0001, fundingTime: 1_704_067_200_000, markPrice: null } },
      { type: 'funding', funding: { symbol: 'BTCUSDT', rate: -0.00000231, fundingTime: 1_704_096_000_005, markPrice: null } },
    ]);
  });

  it('maps freqtrade mark JSON to a mark price at the candle close, with no predicted rate', async () => {
    const events = await replayAll(dirWith({ 'BTC_USDT_USDT-8h-mark.json': '[[1704067200000,42280.1,42500.0,42100.0,42400.5,0.0]]' }), ['BTCUSDT']);
    expect(events).toEqual([
      {
        type: 'markPrice',
        mark: {
          symbol: 'BTCUSDT',
          markPrice: 42400.5,
          indexPrice: 42400.5,
          predictedFundingRate: null,
          // 07:59:59.999 -> the 08:00 settlement.
          nextFundingTime: Date.UTC(2024, 0, 1, 8),
          time: Date.UTC(2024, 0, 1, 7, 59, 59, 999),
        },
      },
    ]);
  });

  it('maps the spot klines export (UTC string timestamps) to spot prices at the close, 1h/1d closes deduplicated', async () => {
    const header = 'timestamp,open,high,low,close,volume,close_time,quote_volume,trades,taker_buy_base,taker_buy_quote,ignored';
    const dir = dirWith({
      'binance-spot/BTCUSDT-1h.csv': `${header}\n2024-02-01 00:00:00,42580.0,42687.63,42220.85,42474.95,1507.53813,1706749199999,64024220.6780343,55719,736.23403000,31265364.06206120,0\n2024-02-01 23:00:00,43000.0,43100.0,42900.0,43082.94,10.0,1706831999999,430000.0,100,5.0,215000.0,0\n`,
      'binance-spot/BTCUSDT-1d.csv': `${header}\n2024-02-01,42580.0,43285.13,41884.28,43082.94,35231.04664,1706831999999,1497121440.644002,1392269,18134.84304000,770635549.48421270,0\n`,
    });
    const events = await replayAll(dir, ['BTCUSDT']);
    expect(events).toEqual([
      { type: 'spotPrice', spot: { symbol: 'BTCUSDT', price: 42474.95, time: 1_706_749_199_999 } },
      { type: 'spotPrice', spot: { symbol: 'BTCUSDT', price: 43082.94, time: 1_706_831_999_999 } },
    ]);
  });

  it('maps vision spot files with µs timestamps (2025+) to spot prices in ms', async () => {
    const dir = dirWith({
      'spot/BTCUSDT-1m-2025-01-01.csv': '1735689600000000,93576.00,93610.93,93537.50,93610.93,8.21827,1735689659999999,769091.27,1521,3.87,362305.0,0\n',
      'spot/BTCUSDT-aggTrades-2025-01-01.csv': '1,93576.01,0.0012,1,1,1735689600322740,False,True\n',
    });
    const events = await replayAll(dir, ['BTCUSDT']);
    expect(events).toEqual([
      { type: 'spotPrice', spot: { symbol: 'BTCUSDT', price: 93576.01, time: 1_735_689_600_322 } },
      { type: 'spotPrice', spot: { symbol: 'BTCUSDT', price: 93610.93, time: 1_735_689_659_999 } },
    ]);
  });

  it('skips bad rows and rows that go back in time, keeping the rest', async () => {
    const rows = [
      '1704067200000,1,2,0.5,1.5,10,1704067259999,15,3,5,7.5,0',
      '1704067260000,1,2,0.5,oops,10,1704067319999,15,3,5,7.5,0',
      '1704067320000,1,2,0.5,1.5,10,1704067379999,15,3,5,7.5,0',
      '1704067260000,1,2,0.5,1.5,10,1704067319999,15,3,5,7.5,0',
      '1704067380000,1,2,0.5,1.5,10,1704067439999,15,3,5,7.5,0',
    ];
    const events = await replayAll(dirWith({ 'BTCUSDT-1m-2024-01-01.csv': rows.join('\n') }), ['BTCUSDT']);
    expect(events.map((e) => (e.type === 'candle' ? e.candle.openTime : null))).toEqual([1_704_067_200_000, 1_704_067_320_000, 1_704_067_380_000]);
  });
});
