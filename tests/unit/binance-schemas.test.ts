import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatIssues } from '../../src/datasources/http.js';
import {
  binanceAggTradeSchema,
  binanceBasisSchema,
  binanceLongShortRatioSchema,
  binanceOpenInterestHistSchema,
  binanceOpenInterestSchema,
  binanceSpotPriceSchema,
  binanceTakerVolumeSchema,
  binanceTicker24hSchema,
  binanceExchangeInfoSchema,
  binanceFundingInfoListSchema,
  binanceFundingRateListSchema,
  binanceKlineListSchema,
  binancePingSchema,
  binancePremiumIndexListSchema,
  binancePremiumIndexSchema,
  decimalString,
} from '../../src/datasources/binance/schemas.js';

/** Full `GET /fapi/v1/exchangeInfo` recorded by cryptofeed on 2021-07-21 (see ../shared/data/SOURCES.md §4). */
const EXCHANGE_INFO_FILE = '../shared/data/binance-futures/raw-recordings/cryptofeed-2021-07-22/BINANCE_FUTURES.0.txt';

function recordedExchangeInfo(): unknown {
  const line = readFileSync(EXCHANGE_INFO_FILE, 'utf8').split('\n')[0] ?? '';
  return JSON.parse(line.slice(line.indexOf('{')));
}

/** Sample payloads from the Binance USD-M market-data docs. */
const PREMIUM_INDEX = {
  symbol: 'BTCUSDT',
  markPrice: '11793.63104562',
  indexPrice: '11781.80495970',
  estimatedSettlePrice: '11781.16138815',
  lastFundingRate: '0.00038246',
  interestRate: '0.00010000',
  nextFundingTime: 1597392000000,
  time: 1597370495002,
};
const KLINE = [1499040000000, '0.01634790', '0.80000000', '0.01575800', '0.01577100', '148976.11427815', 1499644799999, '2434.19055334', 308, '1756.87402397', '28.46694368', '0'];

describe('decimalString', () => {
  it('turns Binance decimal strings into numbers', () => {
    expect(decimalString.parse('0.00010000')).toBe(0.0001);
    expect(decimalString.parse('-0.03750000')).toBe(-0.0375);
    expect(decimalString.parse('1000000')).toBe(1_000_000);
    expect(decimalString.parse('1e-8'), 'exponent notation is still a decimal').toBe(1e-8);
  });

  it.each(['abc', '', ' ', 'NaN', 'Infinity', '-Infinity', '1e999', '0x10', '1,5', '12abc'])('rejects %j instead of producing NaN or Infinity', (raw) => {
    const result = decimalString.safeParse(raw);
    expect(result.success, `${JSON.stringify(raw)} is not a finite decimal`).toBe(false);
    expect(result.error?.issues[0]?.message).toBe(`expected a decimal string, got ${JSON.stringify(raw)}`);
  });

  it('rejects JSON numbers, since Binance sends decimals as strings', () => {
    expect(decimalString.safeParse(0.5).success).toBe(false);
  });
});

describe('premiumIndex schema', () => {
  it('parses the documented single-symbol payload into numbers', () => {
    expect(binancePremiumIndexSchema.parse(PREMIUM_INDEX)).toEqual({
      symbol: 'BTCUSDT',
      markPrice: 11793.63104562,
      indexPrice: 11781.8049597,
      estimatedSettlePrice: 11781.16138815,
      lastFundingRate: 0.00038246,
      interestRate: 0.0001,
      nextFundingTime: 1597392000000,
      time: 1597370495002,
    });
  });

  it('parses the all-symbols array, where delivery contracts carry "" funding fields and nextFundingTime 0', () => {
    const delivery = { ...PREMIUM_INDEX, symbol: 'BTCUSDT_210924', lastFundingRate: '', interestRate: '', nextFundingTime: 0 };
    const [perp, quarterly] = binancePremiumIndexListSchema.parse([PREMIUM_INDEX, delivery]);
    expect(perp?.lastFundingRate).toBe(0.00038246);
    expect(quarterly?.lastFundingRate, 'no funding on delivery contracts').toBeNull();
    expect(quarterly?.interestRate).toBeNull();
  });

  it('keeps unknown extra keys (loose)', () => {
    const parsed = binancePremiumIndexSchema.parse({ ...PREMIUM_INDEX, newField: 'x' });
    expect(parsed).toMatchObject({ newField: 'x' });
  });

  it('reports the path of a non-numeric markPrice, not the body', () => {
    const result = binancePremiumIndexListSchema.safeParse([PREMIUM_INDEX, { ...PREMIUM_INDEX, markPrice: 'abc' }]);
    expect(result.success).toBe(false);
    expect(formatIssues(result.error!.issues)).toEqual(['[1].markPrice: expected a decimal string, got "abc"']);
  });

  it('reports a missing field with its path', () => {
    const { markPrice: _dropped, ...rest } = PREMIUM_INDEX;
    const result = binancePremiumIndexSchema.safeParse(rest);
    expect(formatIssues(result.error!.issues)).toEqual(['markPrice: Invalid input: expected string, received undefined']);
  });
});

describe('fundingRate schema', () => {
  it('parses the documented payload', () => {
    const rows = binanceFundingRateListSchema.parse([
      { symbol: 'BTCUSDT', fundingRate: '-0.03750000', fundingTime: 1570608000000, markPrice: '34287.54619963' },
      { symbol: 'BTCUSDT', fundingRate: '0.00010000', fundingTime: 1570636800000, markPrice: '34287.54619963' },
    ]);
    expect(rows.map((r) => r.fundingRate)).toEqual([-0.0375, 0.0001]);
    expect(rows[1]!.fundingTime - rows[0]!.fundingTime, 'settlements 8 h apart').toBe(8 * 3_600_000);
    expect(rows[0]?.markPrice).toBe(34287.54619963);
  });

  it('maps the empty or missing markPrice of old records to null', () => {
    const rows = binanceFundingRateListSchema.parse([
      { symbol: 'BTCUSDT', fundingRate: '0.00010000', fundingTime: 1570636800000, markPrice: '' },
      { symbol: 'BTCUSDT', fundingRate: '0.00010000', fundingTime: 1570665600000 },
    ]);
    expect(rows.map((r) => r.markPrice)).toEqual([null, null]);
  });

  it('rejects a non-numeric rate with its path', () => {
    const result = binanceFundingRateListSchema.safeParse([{ symbol: 'BTCUSDT', fundingRate: 'abc', fundingTime: 1570608000000, markPrice: '1' }]);
    expect(formatIssues(result.error!.issues)).toEqual(['[0].fundingRate: expected a decimal string, got "abc"']);
  });
});

describe('klines schema', () => {
  it('names the 12 positional fields of the documented row', () => {
    expect(binanceKlineListSchema.parse([KLINE])).toEqual([
      {
        openTime: 1499040000000,
        open: 0.0163479,
        high: 0.8,
        low: 0.015758,
        close: 0.015771,
        volume: 148976.11427815,
        closeTime: 1499644799999,
        quoteVolume: 2434.19055334,
        trades: 308,
        takerBuyBaseVolume: 1756.87402397,
        takerBuyQuoteVolume: 28.46694368,
      },
    ]);
  });

  it('rejects a shortened row and a non-numeric price', () => {
    expect(binanceKlineListSchema.safeParse([KLINE.slice(0, 11)]).success, '11 fields').toBe(false);
    const bad = [...KLINE];
    bad[2] = 'abc';
    expect(formatIssues(binanceKlineListSchema.safeParse([KLINE, bad]).error!.issues)).toEqual(['[1][2]: expected a decimal string, got "abc"']);
  });
});

describe('fundingInfo and ping schemas', () => {
  it('parses the documented fundingInfo payload', () => {
    const [info] = binanceFundingInfoListSchema.parse([
      { symbol: 'BLZUSDT', adjustedFundingRateCap: '0.02500000', adjustedFundingRateFloor: '-0.02500000', fundingIntervalHours: 4, disclaimer: false },
    ]);
    expect(info).toMatchObject({ symbol: 'BLZUSDT', adjustedFundingRateCap: 0.025, adjustedFundingRateFloor: -0.025, fundingIntervalHours: 4 });
  });

  it('accepts the empty ping object and refuses an array', () => {
    expect(binancePingSchema.parse({})).toEqual({});
    expect(binancePingSchema.safeParse([]).success).toBe(false);
  });
});

describe.skipIf(!existsSync(EXCHANGE_INFO_FILE))('exchangeInfo schema on the recorded payload', () => {
  // Collected even when skipped: read nothing without the recordings.
  if (!existsSync(EXCHANGE_INFO_FILE)) return;
  const info = binanceExchangeInfoSchema.parse(recordedExchangeInfo());
  const bySymbol = new Map(info.symbols.map((s) => [s.symbol, s]));

  it('parses all 122 symbols and the request-weight limit', () => {
    expect(info.symbols).toHaveLength(122);
    expect(info.serverTime).toBe(1626858243909);
    expect(info.rateLimits.find((l) => l.rateLimitType === 'REQUEST_WEIGHT')?.limit).toBe(2400);
  });

  it('lifts tickSize (PRICE_FILTER) and stepSize (LOT_SIZE) as recorded', () => {
    // From the file: BTCUSDT PRICE_FILTER tickSize "0.01", LOT_SIZE stepSize "0.001".
    expect(bySymbol.get('BTCUSDT')).toMatchObject({ contractType: 'PERPETUAL', status: 'TRADING', baseAsset: 'BTC', quoteAsset: 'USDT', tickSize: 0.01, stepSize: 0.001 });
    // DOGEUSDT: tickSize "0.000010", stepSize "1"; 1000SHIBUSDT: tickSize "0.000001".
    expect(bySymbol.get('DOGEUSDT')).toMatchObject({ tickSize: 0.00001, stepSize: 1 });
    expect(bySymbol.get('1000SHIBUSDT')?.tickSize).toBe(0.000001);
    // The quarterly: tickSize "0.1".
    expect(bySymbol.get('BTCUSDT_210924')).toMatchObject({ contractType: 'CURRENT_QUARTER', tickSize: 0.1, stepSize: 0.001 });
  });

  it('accepts the empty contractType of a delisted contract', () => {
    expect(bySymbol.get('BTCSTUSDT')?.contractType).toBe('');
  });

  it('fails with the path when a symbol loses its PRICE_FILTER or gets a bad tickSize', () => {
    const raw = recordedExchangeInfo() as { symbols: Array<{ symbol: string; filters: Array<Record<string, unknown>> }> };
    const btc = raw.symbols.findIndex((s) => s.symbol === 'BTCUSDT');
    raw.symbols[btc]!.filters[0]!.tickSize = 'abc';
    const eth = raw.symbols.findIndex((s) => s.symbol === 'ETHUSDT');
    raw.symbols[eth]!.filters = raw.symbols[eth]!.filters.filter((f) => f.filterType !== 'PRICE_FILTER');
    const issues = formatIssues(binanceExchangeInfoSchema.safeParse(raw).error!.issues);
    expect(issues).toContain(`symbols[${btc}].filters[0].tickSize: expected a decimal string, got "abc"`);
    expect(issues).toContain(`symbols[${eth}].filters: no PRICE_FILTER with a tickSize`);
  });
});

describe('schemas of the statistics, ticker, trade and spot payloads', () => {
  const cases = [
    {
      name: 'openInterest',
      schema: binanceOpenInterestSchema,
      sample: { openInterest: '10659.509', symbol: 'BTCUSDT', time: 1589437530011 },
      decimal: 'openInterest',
    },
    {
      name: 'openInterestHist',
      schema: binanceOpenInterestHistSchema,
      sample: { symbol: 'BTCUSDT', sumOpenInterest: '34085.00000000', sumOpenInterestValue: '1927265695.27131325', timestamp: 1616438700000 },
      decimal: 'sumOpenInterestValue',
    },
    {
      name: 'long/short ratio',
      schema: binanceLongShortRatioSchema,
      sample: { symbol: 'BTCUSDT', longShortRatio: '0.1960', longAccount: '0.6622', shortAccount: '0.3378', timestamp: 1583139600000 },
      decimal: 'longAccount',
    },
    {
      name: 'takerlongshortRatio',
      schema: binanceTakerVolumeSchema,
      sample: { buySellRatio: '1.5586', buyVol: '387.3300', sellVol: '248.5030', timestamp: 1585614900000 },
      decimal: 'sellVol',
    },
    {
      name: 'basis',
      schema: binanceBasisSchema,
      sample: {
        indexPrice: '34400.15945055',
        contractType: 'PERPETUAL',
        basisRate: '0.0004',
        futuresPrice: '34414.10',
        annualizedBasisRate: '',
        basis: '13.94054945',
        pair: 'BTCUSDT',
        timestamp: 1698742800000,
      },
      decimal: 'basis',
    },
    {
      name: 'ticker/24hr',
      schema: binanceTicker24hSchema,
      sample: {
        symbol: 'BTCUSDT',
        priceChangePercent: '-95.960',
        lastPrice: '4.00000200',
        highPrice: '100.00000000',
        lowPrice: '0.10000000',
        volume: '8913.30000000',
        quoteVolume: '15.30000000',
        openTime: 1499783499040,
        closeTime: 1499869899040,
      },
      decimal: 'lastPrice',
    },
    {
      name: 'aggTrades',
      schema: binanceAggTradeSchema,
      sample: { a: 26129, p: '0.01633102', q: '4.70443515', f: 27781, l: 27781, T: 1498793709153, m: true },
      decimal: 'p',
    },
    { name: 'spot ticker/price', schema: binanceSpotPriceSchema, sample: { symbol: 'LTCBTC', price: '4.00000200' }, decimal: 'price' },
  ] as const;

  it.each(cases)('$name: keeps unknown extra keys', ({ schema, sample }) => {
    expect(schema.parse({ ...sample, brandNewField: 'x' })).toMatchObject({ brandNewField: 'x' });
  });

  it.each(cases)('$name: a non-decimal string fails with its path instead of becoming NaN', ({ schema, sample, decimal }) => {
    const result = schema.safeParse({ ...sample, [decimal]: 'NaN' });
    expect(result.success).toBe(false);
    expect(formatIssues(result.error!.issues)).toEqual([`${decimal}: expected a decimal string, got "NaN"`]);
  });

  it.each(cases)('$name: a missing decimal field is rejected', ({ schema, sample, decimal }) => {
    const copy: Record<string, unknown> = { ...sample };
    delete copy[decimal];
    expect(formatIssues(schema.safeParse(copy).error!.issues)).toEqual([`${decimal}: Invalid input: expected string, received undefined`]);
  });

  it('epoch timestamps: numbers or digit strings, nothing else', () => {
    const row = { buySellRatio: '1', buyVol: '1', sellVol: '1' };
    expect(binanceTakerVolumeSchema.parse({ ...row, timestamp: '1585614900000' }).timestamp).toBe(1585614900000);
    expect(binanceTakerVolumeSchema.safeParse({ ...row, timestamp: '2020-03-31' }).success, 'a date string is not epoch ms').toBe(false);
    expect(binanceTakerVolumeSchema.safeParse({ ...row, timestamp: -1 }).success).toBe(false);
  });
});
