import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toCandle, toFundingRate, toMarkPrice, toSymbolInfos } from '../../src/datasources/binance/binance-mapper.js';
import {
  binanceExchangeInfoSchema,
  binanceFundingRateSchema,
  binanceKlineSchema,
  binancePremiumIndexSchema,
} from '../../src/datasources/binance/schemas.js';

const EXCHANGE_INFO_FILE = '../shared/data/binance-futures/raw-recordings/cryptofeed-2021-07-22/BINANCE_FUTURES.0.txt';

describe.skipIf(!existsSync(EXCHANGE_INFO_FILE))('toSymbolInfos (recorded exchangeInfo)', () => {
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
