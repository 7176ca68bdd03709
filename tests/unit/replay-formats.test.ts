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
        // Not in freqtrade files: unknown (null), never 0.
        quoteVolume: null,
        trades: null,
        takerBuyVolume: null,
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
          indexPrice: null,
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

  it('maps the daily openInterestHist value export to one OI series per symbol column, contracts unknown (null)', async () => {
    const dir = dirWith({
      'openInterestHist-1d-sumOpenInterestValue-BTCUSDT-ETHUSDT-2025-11-07_2025-11-08.csv':
        'date,btc_oi_value_usd,eth_oi_value_usd\n2025-11-07,8336692202.3616,5695331016.800655\n2025-11-08,8969884426.8117,\n',
    });
    const events = await replayAll(dir, ['BTCUSDT', 'ETHUSDT']);
    expect(events).toEqual([
      { type: 'openInterest', openInterest: { symbol: 'BTCUSDT', openInterest: null, openInterestValue: 8_336_692_202.3616, time: Date.UTC(2025, 10, 7) } },
      { type: 'openInterest', openInterest: { symbol: 'ETHUSDT', openInterest: null, openInterestValue: 5_695_331_016.800655, time: Date.UTC(2025, 10, 7) } },
      // An empty cell is no observation, not 0.
      { type: 'openInterest', openInterest: { symbol: 'BTCUSDT', openInterest: null, openInterestValue: 8_969_884_426.8117, time: Date.UTC(2025, 10, 8) } },
    ]);
  });

  it('maps Fear & Greed CSV and API JSON (newest first in the API) to one daily series, duplicates dropped', async () => {
    const dir = dirWith({
      'BTCUSDT-1d.freqtrade.json': `[[${Date.UTC(2025, 3, 22)},1,1,1,1,1],[${Date.UTC(2025, 3, 23)},1,1,1,1,1]]`,
      'alternative-me-fng-daily-x.csv': 'Date,fng_value,fng_class\n2025-04-21,39,Fear\n2025-04-22,47,Neutral\n2025-04-23,72,Greed\n',
      'alternative-me-fng-latest-x.json':
        '{"name": "Fear and Greed Index", "data": [{"value": "72", "value_classification": "Greed", "timestamp": "1745366400"}, {"value": "47", "value_classification": "Neutral", "timestamp": "1745280000"}], "metadata": {"error": null}}',
    });
    const fng = (await replayAll(dir, ['BTCUSDT'])).flatMap((e) => (e.type === 'fearGreed' ? [e.fearGreed] : []));
    expect(fng).toEqual([
      { value: 39, classification: 'Fear', time: Date.UTC(2025, 3, 21) },
      { value: 47, classification: 'Neutral', time: Date.UTC(2025, 3, 22) },
      { value: 72, classification: 'Greed', time: Date.UTC(2025, 3, 23) },
    ]);
  });

  it('reads market-wide recordings only within the span of the symbol data (one clock, nothing shifted)', async () => {
    const day = (d: number) => Date.UTC(2025, 0, d);
    const dir = dirWith({
      'BTCUSDT-1d.freqtrade.json': `[[${day(10)},1,1,1,1,1],[${day(11)},1,1,1,1,1]]`,
      // 2024-12-01 is more than the 30-day lookback before the first close (2025-01-10 23:59:59.999); 01-13 is after the end.
      'alternative-me-fng-daily-x.csv': 'Date,fng_value,fng_class\n2024-12-01,10,Extreme Fear\n2024-12-20,30,Fear\n2025-01-11,50,Neutral\n2025-01-13,80,Extreme Greed\n',
      'BTC-options-chain-2020-05-14.csv': `,expiration_timestamp,option_type,instrument_name,strike,underlying_price,timestamp,open_interest,mark_price,mark_iv,bid_iv,ask_iv,index_price,greeks,stats\n0,1590134400000,put,BTC-22MAY20-9250-P,9250.0,9352.58,1589434896486,139.3,0.04,76.87,80.07,85.17,9350.67,"{}","{}"\n`,
    });
    const events = await replayAll(dir, ['BTCUSDT']);
    expect(events.flatMap((e) => (e.type === 'fearGreed' ? [e.fearGreed.value] : []))).toEqual([30, 50]);
    expect(events.some((e) => e.type === 'optionsChain'), 'a 2020 chain is not part of a 2025 replay').toBe(false);
  });

  it('folds a Deribit option-chain CSV (pandas, Python reprs) into one chain at its newest row', async () => {
    const header = ',expiration_timestamp,option_type,instrument_name,strike,underlying_price,underlying_index,timestamp,stats,state,open_interest,mark_price,mark_iv,index_price,greeks,bid_iv,ask_iv';
    const dir = dirWith({
      'deribit/BTC-options-chain-2020-05-14T0541Z.csv': [
        header,
        `0,1590134400000,put,BTC-22MAY20-9250-P,9250.0,9352.58,SYN.BTC-22MAY20,1589434896486,"{'volume': 30.5, 'price_change': -33.5616, 'low': 0.0425, 'high': 0.073}",open,139.3,0.04010621,76.87,9350.67,"{'vega': 5.49167, 'theta': -26.07217, 'rho': -0.99385, 'gamma': 0.00037, 'delta': -0.43897}",80.07,85.17`,
        `1,1590134400000,call,BTC-22MAY20-12000-C,12000.0,9352.41,SYN.BTC-22MAY20,1589434897493,"{'volume': 30.4, 'price_change': 100.0, 'low': 0.0025, 'high': 0.006}",open,110.6,0.00570308,112.49,9350.12,"{'vega': 2.07333, 'theta': -14.40395, 'rho': 0.1544, 'gamma': 0.0001, 'delta': 0.08013}",,115.97`,
      ].join('\n'),
    });
    const events = await replayAll(dir, ['BTCUSDT']);
    expect(events).toHaveLength(1);
    const chain = events[0]?.type === 'optionsChain' ? events[0].chain : null;
    expect(chain).toMatchObject({ currency: 'BTC', venue: 'deribit', indexPrice: 9350.12, time: 1_589_434_897_493 });
    expect(chain?.quotes.map((q) => q.instrument), 'by expiry, then strike').toEqual(['BTC-22MAY20-9250-P', 'BTC-22MAY20-12000-C']);
    expect(chain?.quotes[0]).toEqual({
      instrument: 'BTC-22MAY20-9250-P',
      currency: 'BTC',
      kind: 'PUT',
      strike: 9250,
      expiry: 1_590_134_400_000,
      markPrice: 0.04010621,
      markPriceUsd: 0.04010621 * 9352.58,
      // No best_bid_price / best_ask_price columns in this export: no book prices.
      bidPrice: null,
      askPrice: null,
      markIv: 76.87,
      bidIv: 80.07,
      askIv: 85.17,
      openInterest: 139.3,
      volume: 30.5,
      underlyingPrice: 9352.58,
      delta: -0.43897,
      gamma: 0.00037,
      vega: 5.49167,
      theta: -26.07217,
    });
    expect(chain?.quotes[1]?.bidIv, 'an empty IV cell is null').toBeNull();
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
