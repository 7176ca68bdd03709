import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  toBasis,
  toCandle,
  toFundingRate,
  toLongShortRatio,
  toMarkPrice,
  toOpenInterest,
  toOpenInterestFromHist,
  toSpotPrice,
  toSymbolInfos,
  toTakerVolume,
  toTicker24h,
  toTrade,
} from '../../src/datasources/binance/binance-mapper.js';
import {
  binanceAggTradeSchema,
  binanceBasisSchema,
  binanceExchangeInfoSchema,
  binanceFundingRateSchema,
  binanceKlineSchema,
  binanceLongShortRatioSchema,
  binanceOpenInterestHistSchema,
  binanceOpenInterestSchema,
  binancePremiumIndexSchema,
  binanceSpotPriceSchema,
  binanceTakerVolumeSchema,
  binanceTicker24hSchema,
} from '../../src/datasources/binance/schemas.js';

const EXCHANGE_INFO_FILE = '../shared/data/binance-futures/raw-recordings/cryptofeed-2021-07-22/BINANCE_FUTURES.0.txt';

describe.skipIf(!existsSync(EXCHANGE_INFO_FILE))('toSymbolInfos (recorded exchangeInfo)', () => {
  // Collected even when skipped: read nothing without the recordings.
  if (!existsSync(EXCHANGE_INFO_FILE)) return;
  const line = readFileSync(EXCHANGE_INFO_FILE, 'utf8').split('\n')[0] ?? '';
  const info = binanceExchangeInfoSchema.parse(JSON.parse(line.slice(line.indexOf('{'))));

  it('maps every symbol, with funding every 8 h unless fundingInfo lists another interval', () => {
    const infos = toSymbolInfos(info, [{ symbol: 'ETHUSDT', adjustedFundingRateCap: 0.03, adjustedFundingRateFloor: -0.03, fundingIntervalHours: 4 }]);
    expect(infos).toHaveLength(122);
    expect(infos.find((s) => s.symbol === 'BTCUSDT')).toEqual({
      symbol: 'BTCUSDT',
      baseAsset: 'BTC',
      quoteAsset: 'USDT',
      contractType: 'PERPETUAL',
      status: 'TRADING',
      tickSize: 0.01,
      stepSize: 0.001,
      fundingIntervalHours: 8,
    });
    expect(infos.find((s) => s.symbol === 'ETHUSDT')?.fundingIntervalHours, 'listed in fundingInfo with 4 h').toBe(4);
  });
});

describe('toMarkPrice', () => {
  const wire = {
    symbol: 'BTCUSDT',
    markPrice: '11793.63104562',
    indexPrice: '11781.80495970',
    estimatedSettlePrice: '11781.16138815',
    lastFundingRate: '0.00038246',
    interestRate: '0.00010000',
    nextFundingTime: 1597392000000,
    time: 1597370495002,
  };

  it('takes lastFundingRate as the predicted rate of the running period', () => {
    expect(toMarkPrice(binancePremiumIndexSchema.parse(wire))).toEqual({
      symbol: 'BTCUSDT',
      markPrice: 11793.63104562,
      indexPrice: 11781.8049597,
      predictedFundingRate: 0.00038246,
      nextFundingTime: 1597392000000,
      time: 1597370495002,
    });
  });

  it('has no predicted rate on a delivery contract', () => {
    const mark = toMarkPrice(binancePremiumIndexSchema.parse({ ...wire, symbol: 'BTCUSDT_210924', lastFundingRate: '', interestRate: '', nextFundingTime: 0 }));
    expect(mark.predictedFundingRate).toBeNull();
  });
});

describe('toFundingRate', () => {
  it('keeps the raw per-interval fraction and the settlement mark price', () => {
    const wire = binanceFundingRateSchema.parse({ symbol: 'BTCUSDT', fundingRate: '-0.03750000', fundingTime: 1570608000000, markPrice: '34287.54619963' });
    expect(toFundingRate(wire)).toEqual({ symbol: 'BTCUSDT', rate: -0.0375, fundingTime: 1570608000000, markPrice: 34287.54619963 });
  });
});

describe('toCandle', () => {
  // Documented example: a 1w-long row (openTime 2017-07-03, closeTime + 1 = 2017-07-10).
  const wire = binanceKlineSchema.parse([
    1499040000000, '0.01634790', '0.80000000', '0.01575800', '0.01577100', '148976.11427815', 1499644799999, '2434.19055334', 308, '1756.87402397', '28.46694368', '0',
  ]);

  it('maps prices, volumes and the taker-buy base volume', () => {
    expect(toCandle('BTCUSDT', '1w', wire, 1499644800000)).toEqual({
      symbol: 'BTCUSDT',
      interval: '1w',
      openTime: 1499040000000,
      closeTime: 1499644799999,
      open: 0.0163479,
      high: 0.8,
      low: 0.015758,
      close: 0.015771,
      volume: 148976.11427815,
      quoteVolume: 2434.19055334,
      takerBuyVolume: 1756.87402397,
      trades: 308,
      closed: true,
    });
  });

  it('is closed only once now is past closeTime', () => {
    expect(toCandle('BTCUSDT', '1w', wire, 1499644799999).closed, 'at closeTime the last millisecond is still running').toBe(false);
    expect(toCandle('BTCUSDT', '1w', wire, 1499644800000).closed).toBe(true);
  });
});

// --- Endpoints added for live statistics (issue: live venues) ---

const WS_RECORDING = '../shared/data/binance-futures/raw-recordings/cryptofeed-2021-07-22/BINANCE_FUTURES.ws.1.0.txt';

describe('toTrade (aggTrades)', () => {
  it('maps the documented row; m=true (buyer is maker) means the taker sold', () => {
    const wire = binanceAggTradeSchema.parse({ a: 26129, p: '0.01633102', q: '4.70443515', f: 27781, l: 27781, T: 1498793709153, m: true });
    expect(toTrade('BTCUSDT', wire)).toEqual({ symbol: 'BTCUSDT', id: 26129, price: 0.01633102, qty: 4.70443515, time: 1498793709153, side: 'SELL' });
    expect(toTrade('BTCUSDT', { ...wire, m: false }).side, 'the seller was the maker: the taker bought').toBe('BUY');
  });
});

describe.skipIf(!existsSync(WS_RECORDING))('toTrade on the recorded aggTrade stream payloads (REST rows are the same object without e/E/s)', () => {
  // Collected even when skipped: read nothing without the recordings.
  if (!existsSync(WS_RECORDING)) return;
  const payloads = readFileSync(WS_RECORDING, 'utf8')
    .split('\n')
    .filter((line) => line.includes('"e":"aggTrade"'))
    .map((line) => (JSON.parse(line.slice(line.indexOf('{'))) as { data: { s: string } }).data);

  it('accepts all 91 recorded trades and keeps their values', () => {
    const trades = payloads.map((p) => toTrade(p.s, binanceAggTradeSchema.parse(p)));
    expect(trades, 'aggTrade lines in the file').toHaveLength(91);
    // First line: {"a":16599292,"s":"CTKUSDT","p":"1.01100","q":"10","T":1626992741421,"m":false}
    expect(trades[0]).toEqual({ symbol: 'CTKUSDT', id: 16599292, price: 1.011, qty: 10, time: 1626992741421, side: 'BUY' });
    // Second: AKROUSDT 312 @ 0.01731, m=true.
    expect(trades[1]).toEqual({ symbol: 'AKROUSDT', id: 14888302, price: 0.01731, qty: 312, time: 1626992742134, side: 'SELL' });
    expect(trades.filter((t) => t.side === 'SELL'), '44 lines carry "m":true').toHaveLength(44);
    expect(trades.every((t) => Number.isFinite(t.price) && Number.isFinite(t.qty))).toBe(true);
  });
});

describe('toOpenInterest', () => {
  const wire = binanceOpenInterestSchema.parse({ openInterest: '10659.509', symbol: 'BTCUSDT', time: 1589437530011 });

  it('keeps contracts, and values them at the mark price when one is known', () => {
    expect(toOpenInterest(wire)).toEqual({ symbol: 'BTCUSDT', openInterest: 10659.509, openInterestValue: null, time: 1589437530011 });
    // 10659.509 × 9000 = 95 935 581
    expect(toOpenInterest(wire, 9_000).openInterestValue).toBeCloseTo(95_935_581, 6);
  });

  it('maps a history row with its USD value', () => {
    const row = binanceOpenInterestHistSchema.parse({
      symbol: 'BTCUSDT',
      sumOpenInterest: '34085.00000000',
      sumOpenInterestValue: '1927265695.27131325',
      timestamp: 1616438700000,
    });
    expect(toOpenInterestFromHist(row)).toEqual({ symbol: 'BTCUSDT', openInterest: 34085, openInterestValue: 1927265695.2713132, time: 1616438700000 });
  });
});

describe('toLongShortRatio', () => {
  const wire = binanceLongShortRatioSchema.parse({ symbol: 'BTCUSDT', longShortRatio: '0.1960', longAccount: '0.6622', shortAccount: '0.3378', timestamp: 1583139600000 });

  it('maps the shares and the ratio, tagged with kind and period', () => {
    for (const kind of ['GLOBAL_ACCOUNTS', 'TOP_ACCOUNTS', 'TOP_POSITIONS'] as const)
      expect(toLongShortRatio(kind, '5m', wire)).toEqual({
        symbol: 'BTCUSDT',
        kind,
        period: '5m',
        longShortRatio: 0.196,
        longShare: 0.6622,
        shortShare: 0.3378,
        time: 1583139600000,
      });
  });

  it('accepts the timestamp as a numeric string, as some documented examples show', () => {
    const row = binanceLongShortRatioSchema.parse({ symbol: 'BTCUSDT', longShortRatio: '1.4342', longAccount: '0.5891', shortAccount: '0.4108', timestamp: '1583139600000' });
    expect(toLongShortRatio('TOP_POSITIONS', '1h', row).time).toBe(1583139600000);
  });
});

describe('toTakerVolume', () => {
  it('maps the documented row (no symbol in the payload)', () => {
    const row = binanceTakerVolumeSchema.parse({ buySellRatio: '1.5586', buyVol: '387.3300', sellVol: '248.5030', timestamp: '1585614900000' });
    expect(toTakerVolume('BTCUSDT', '5m', row)).toEqual({
      symbol: 'BTCUSDT',
      period: '5m',
      buyVolume: 387.33,
      sellVolume: 248.503,
      buySellRatio: 1.5586,
      time: 1585614900000,
    });
  });
});

describe('toBasis', () => {
  it('maps the documented perpetual row; the empty annualised rate is null', () => {
    const row = binanceBasisSchema.parse({
      indexPrice: '34400.15945055',
      contractType: 'PERPETUAL',
      basisRate: '0.0004',
      futuresPrice: '34414.10',
      annualizedBasisRate: '',
      basis: '13.94054945',
      pair: 'BTCUSDT',
      timestamp: 1698742800000,
    });
    expect(row.annualizedBasisRate).toBeNull();
    const basis = toBasis('5m', row);
    expect(basis).toEqual({ symbol: 'BTCUSDT', period: '5m', futuresPrice: 34414.1, indexPrice: 34400.15945055, basis: 13.94054945, basisRate: 0.0004, time: 1698742800000 });
    expect(basis.futuresPrice - basis.indexPrice, 'basis = futures − index').toBeCloseTo(basis.basis, 8);
  });
});

describe('toTicker24h', () => {
  it('maps the documented fields and stamps the end of the window', () => {
    const wire = binanceTicker24hSchema.parse({
      symbol: 'BTCUSDT',
      priceChange: '-94.99999800',
      priceChangePercent: '-95.960',
      weightedAvgPrice: '0.29628482',
      lastPrice: '4.00000200',
      lastQty: '200.00000000',
      openPrice: '99.00000000',
      highPrice: '100.00000000',
      lowPrice: '0.10000000',
      volume: '8913.30000000',
      quoteVolume: '15.30000000',
      openTime: 1499783499040,
      closeTime: 1499869899040,
      firstId: 28385,
      lastId: 28460,
      count: 76,
    });
    expect(toTicker24h(wire)).toEqual({
      symbol: 'BTCUSDT',
      lastPrice: 4.000002,
      priceChangePercent: -95.96,
      highPrice: 100,
      lowPrice: 0.1,
      volume: 8913.3,
      quoteVolume: 15.3,
      time: 1499869899040,
    });
  });
});

describe('toSpotPrice', () => {
  it('stamps the price with the time it was received (the payload has none)', () => {
    expect(toSpotPrice(binanceSpotPriceSchema.parse({ symbol: 'LTCBTC', price: '4.00000200' }), 1_700_000_000_000)).toEqual({
      symbol: 'LTCBTC',
      price: 4.000002,
      time: 1_700_000_000_000,
    });
  });
});

const SPOT_KLINES = '../shared/data/binance-spot/klines/2024-02-01_2024-03-15/BTCUSDT-1h.csv';

describe.skipIf(!existsSync(SPOT_KLINES))('spot klines rows (recorded /api/v3/klines CSV, 12 fields)', () => {
  // Collected even when skipped: read nothing without the recordings.
  if (!existsSync(SPOT_KLINES)) return;
  it('parses a recorded row rebuilt as the wire row, with the 1h close time', () => {
    const [, first] = readFileSync(SPOT_KLINES, 'utf8').split('\n');
    const cells = first!.split(',');
    // timestamp is a UTC date string in the CSV; the wire row has epoch ms.
    const openTime = Date.parse(`${cells[0]!.replace(' ', 'T')}Z`);
    const row = [openTime, cells[1], cells[2], cells[3], cells[4], cells[5], Number(cells[6]), cells[7], Number(cells[8]), cells[9], cells[10], cells[11]];
    const candle = toCandle('BTCUSDT', '1h', binanceKlineSchema.parse(row), openTime + 3_600_000);
    expect(candle.openTime, '2024-02-01 00:00 UTC').toBe(1706745600000);
    expect(candle.closeTime, 'openTime + 1 h - 1 ms').toBe(1706749199999);
    expect(candle.open, 'BTC spot opened February at 42,580.00').toBe(42580);
    expect(candle.closed).toBe(true);
    expect(candle.high).toBeGreaterThanOrEqual(Math.max(candle.open, candle.close));
  });
});
