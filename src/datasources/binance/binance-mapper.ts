import type {
  Basis,
  Candle,
  CandleInterval,
  FundingRate,
  LongShortKind,
  LongShortRatio,
  MarkPrice,
  OpenInterest,
  SpotPrice,
  StatPeriod,
  SymbolInfo,
  TakerVolume,
  Ticker24h,
  Trade,
} from '../../domain/market.js';
import type {
  BinanceAggTrade,
  BinanceBasis,
  BinanceExchangeInfo,
  BinanceFundingInfo,
  BinanceFundingRate,
  BinanceKline,
  BinanceLongShortRatio,
  BinanceOpenInterest,
  BinanceOpenInterestHist,
  BinancePremiumIndex,
  BinanceSpotPrice,
  BinanceSymbol,
  BinanceTakerVolume,
  BinanceTicker24h,
} from './schemas.js';

/** Binance settles USD-M perpetual funding every 8 h unless `/fapi/v1/fundingInfo` lists the symbol. */
export const BINANCE_DEFAULT_FUNDING_INTERVAL_HOURS = 8;

/**
 * `/fapi/v1/exchangeInfo` symbol (full recording: ../shared/data/binance-futures/raw-recordings/
 * cryptofeed-2021-07-22/BINANCE_FUTURES.0.txt), trimmed:
 * {"symbol":"BTCUSDT","pair":"BTCUSDT","contractType":"PERPETUAL","status":"TRADING","baseAsset":"BTC",
 *  "quoteAsset":"USDT","filters":[{"minPrice":"556.72","maxPrice":"1000000","filterType":"PRICE_FILTER",
 *  "tickSize":"0.01"},{"stepSize":"0.001","filterType":"LOT_SIZE","maxQty":"1000","minQty":"0.001"}, ...]}
 */
export function toSymbolInfo(s: BinanceSymbol, fundingIntervalHours: ReadonlyMap<string, number> = new Map()): SymbolInfo {
  return {
    symbol: s.symbol,
    baseAsset: s.baseAsset,
    quoteAsset: s.quoteAsset,
    contractType: s.contractType,
    status: s.status,
    tickSize: s.tickSize,
    stepSize: s.stepSize,
    fundingIntervalHours: fundingIntervalHours.get(s.symbol) ?? BINANCE_DEFAULT_FUNDING_INTERVAL_HOURS,
  };
}

/**
 * `/fapi/v1/fundingInfo` (only adjusted symbols are listed):
 * [{"symbol":"BLZUSDT","adjustedFundingRateCap":"0.03000000","adjustedFundingRateFloor":"-0.03000000",
 *   "fundingIntervalHours":4,"disclaimer":false}]
 */
export function toSymbolInfos(info: BinanceExchangeInfo, fundingInfo: readonly BinanceFundingInfo[]): SymbolInfo[] {
  const intervals = new Map(fundingInfo.map((f) => [f.symbol, f.fundingIntervalHours]));
  return info.symbols.map((s) => toSymbolInfo(s, intervals));
}

/**
 * `/fapi/v1/premiumIndex` item:
 * {"symbol":"BTCUSDT","markPrice":"11793.63104562","indexPrice":"11781.80495970",
 *  "estimatedSettlePrice":"11781.16138815","lastFundingRate":"0.00038246","interestRate":"0.00010000",
 *  "nextFundingTime":1597392000000,"time":1597370495002}
 * `lastFundingRate` is the running estimate for the next settlement (despite its name); it is `""` on
 * delivery contracts, which have no funding (nextFundingTime 0).
 */
export function toMarkPrice(p: BinancePremiumIndex): MarkPrice {
  return {
    symbol: p.symbol,
    markPrice: p.markPrice,
    indexPrice: p.indexPrice,
    predictedFundingRate: p.lastFundingRate,
    nextFundingTime: p.nextFundingTime,
    time: p.time,
  };
}

/**
 * `/fapi/v1/fundingRate` item (markPrice is `""` or absent on old records):
 * {"symbol":"BTCUSDT","fundingRate":"-0.03750000","fundingTime":1570608000000,"markPrice":"34287.54619963"}
 */
export function toFundingRate(f: BinanceFundingRate): FundingRate {
  return { symbol: f.symbol, rate: f.fundingRate, fundingTime: f.fundingTime, markPrice: f.markPrice };
}

/**
 * `/fapi/v1/klines` row:
 * [1499040000000,"0.01634790","0.80000000","0.01575800","0.01577100","148976.11427815",1499644799999,
 *  "2434.19055334",308,"1756.87402397","28.46694368","0"]
 * closeTime is openTime + interval - 1; the newest row is still forming until `now` passes it.
 */
export function toCandle(symbol: string, interval: CandleInterval, k: BinanceKline, now: number): Candle {
  return {
    symbol,
    interval,
    openTime: k.openTime,
    closeTime: k.closeTime,
    open: k.open,
    high: k.high,
    low: k.low,
    close: k.close,
    volume: k.volume,
    quoteVolume: k.quoteVolume,
    takerBuyVolume: k.takerBuyBaseVolume,
    trades: k.trades,
    closed: k.closeTime < now,
  };
}

/**
 * Liquidations (forceOrder) arrive only over the stream: see `toLiquidation` in binance-stream-mapper.ts.
 *
 * `/fapi/v1/aggTrades` item (the `<symbol>@aggTrade` stream adds e/E/s; recorded in
 * ../shared/data/binance-futures/raw-recordings/cryptofeed-2021-07-22/BINANCE_FUTURES.ws.1.0.txt):
 * {"a":26129,"p":"0.01633102","q":"4.70443515","f":27781,"l":27781,"T":1498793709153,"m":true}
 * `m` = buyer is the maker, so the aggressor SOLD.
 */
export function toTrade(symbol: string, t: BinanceAggTrade): Trade {
  return { symbol, id: t.a, price: t.p, qty: t.q, time: t.T, side: t.m ? 'SELL' : 'BUY' };
}

/**
 * `/fapi/v1/openInterest`: {"openInterest":"10659.509","symbol":"BTCUSDT","time":1589437530011}
 * Contracts only; the value is `openInterest × markPrice` when a mark price is at hand, else null.
 */
export function toOpenInterest(o: BinanceOpenInterest, markPrice: number | null = null): OpenInterest {
  return {
    symbol: o.symbol,
    openInterest: o.openInterest,
    openInterestValue: markPrice === null ? null : o.openInterest * markPrice,
    time: o.time,
  };
}

/**
 * `/futures/data/openInterestHist` item:
 * {"symbol":"BTCUSDT","sumOpenInterest":"34085.00000000","sumOpenInterestValue":"1927265695.27131325","timestamp":1616438700000}
 */
export function toOpenInterestFromHist(o: BinanceOpenInterestHist): OpenInterest {
  return { symbol: o.symbol, openInterest: o.sumOpenInterest, openInterestValue: o.sumOpenInterestValue, time: o.timestamp };
}

/**
 * `/futures/data/{globalLongShortAccountRatio,topLongShortAccountRatio,topLongShortPositionRatio}` item:
 * {"symbol":"BTCUSDT","longShortRatio":"0.1960","longAccount":"0.6622","shortAccount":"0.3378","timestamp":1583139600000}
 * `longAccount`/`shortAccount` are shares (0..1): of accounts, or of position size on the position endpoint.
 */
export function toLongShortRatio(kind: LongShortKind, period: StatPeriod, r: BinanceLongShortRatio): LongShortRatio {
  return {
    symbol: r.symbol,
    kind,
    period,
    longShortRatio: r.longShortRatio,
    longShare: r.longAccount,
    shortShare: r.shortAccount,
    time: r.timestamp,
  };
}

/**
 * `/futures/data/takerlongshortRatio` item (no symbol in the payload):
 * {"buySellRatio":"1.5586","buyVol":"387.3300","sellVol":"248.5030","timestamp":1585614900000}
 */
export function toTakerVolume(symbol: string, period: StatPeriod, t: BinanceTakerVolume): TakerVolume {
  return { symbol, period, buyVolume: t.buyVol, sellVolume: t.sellVol, buySellRatio: t.buySellRatio, time: t.timestamp };
}

/**
 * `/futures/data/basis` item (`annualizedBasisRate` is "" on perpetuals):
 * {"indexPrice":"34400.15945055","contractType":"PERPETUAL","basisRate":"0.0004","futuresPrice":"34414.10",
 *  "annualizedBasisRate":"","basis":"13.94054945","pair":"BTCUSDT","timestamp":1698742800000}
 */
export function toBasis(period: StatPeriod, b: BinanceBasis): Basis {
  return {
    symbol: b.pair,
    period,
    futuresPrice: b.futuresPrice,
    indexPrice: b.indexPrice,
    basis: b.basis,
    basisRate: b.basisRate,
    time: b.timestamp,
  };
}

/**
 * `/fapi/v1/ticker/24hr`, trimmed:
 * {"symbol":"BTCUSDT","priceChange":"-94.99999800","priceChangePercent":"-95.960","lastPrice":"4.00000200",
 *  "highPrice":"100.00000000","lowPrice":"0.10000000","volume":"8913.30000000","quoteVolume":"15.30000000",
 *  "openTime":1499783499040,"closeTime":1499869899040,"count":76}
 * Stamped with closeTime (the end of the rolling window).
 */
export function toTicker24h(t: BinanceTicker24h): Ticker24h {
  return {
    symbol: t.symbol,
    lastPrice: t.lastPrice,
    priceChangePercent: t.priceChangePercent,
    highPrice: t.highPrice,
    lowPrice: t.lowPrice,
    volume: t.volume,
    quoteVolume: t.quoteVolume,
    time: t.closeTime,
  };
}

/**
 * Spot `/api/v3/ticker/price`: {"symbol":"LTCBTC","price":"4.00000200"}. Carries no time: stamped with
 * the time it was received.
 */
export function toSpotPrice(p: BinanceSpotPrice, receivedAt: number): SpotPrice {
  return { symbol: p.symbol, price: p.price, time: receivedAt };
}
