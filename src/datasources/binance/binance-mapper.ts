import type { Candle, CandleInterval, FundingRate, MarkPrice, SymbolInfo } from '../../domain/market.js';
import type {
  BinanceExchangeInfo,
  BinanceFundingInfo,
  BinanceFundingRate,
  BinanceKline,
  BinancePremiumIndex,
  BinanceSymbol,
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
