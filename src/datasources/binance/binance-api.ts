import type { CandleInterval } from '../../domain/market.js';
import type { HttpClient } from '../http.js';
import {
  binanceExchangeInfoSchema,
  binanceFundingInfoListSchema,
  binanceFundingRateListSchema,
  binanceKlineListSchema,
  binancePingSchema,
  binancePremiumIndexListSchema,
  binancePremiumIndexSchema,
  type BinanceExchangeInfo,
  type BinanceFundingInfo,
  type BinanceFundingRate,
  type BinanceKline,
  type BinancePing,
  type BinancePremiumIndex,
} from './schemas.js';

/**
 * Binance USD-M futures public REST market data: one method per endpoint, validated wire types out,
 * no mapping and no policy (retries, polling, budgets live in the source). Errors are the datasource
 * hierarchy produced by the HTTP client.
 */

export interface TimeRange {
  startTime?: number;
  endTime?: number;
  limit?: number;
}

export interface BinanceApi {
  /** @see https://developers.binance.com/docs/derivatives/usds-margined-futures/market-data/rest-api/Test-Connectivity */
  ping(): Promise<BinancePing>;
  /** Weight 1. @see https://developers.binance.com/docs/derivatives/usds-margined-futures/market-data/rest-api/Exchange-Information */
  exchangeInfo(): Promise<BinanceExchangeInfo>;
  /**
   * Mark/index price and the running funding estimate. Weight 1 with a symbol, 10 without (all symbols).
   * @see https://developers.binance.com/docs/derivatives/usds-margined-futures/market-data/rest-api/Mark-Price
   */
  premiumIndex(): Promise<BinancePremiumIndex[]>;
  premiumIndex(symbol: string): Promise<BinancePremiumIndex>;
  /**
   * Settled funding, oldest first. limit 1..1000 (default 100); with no time window the newest `limit`;
   * with startTime, the first `limit` from startTime. Shares 500 requests / 5 min / IP with fundingInfo.
   * @see https://developers.binance.com/docs/derivatives/usds-margined-futures/market-data/rest-api/Get-Funding-Rate-History
   */
  fundingRate(symbol: string, range?: TimeRange): Promise<BinanceFundingRate[]>;
  /**
   * Symbols with adjusted funding cap/floor/interval (others: 8 h). Shares the fundingRate limit.
   * @see https://developers.binance.com/docs/derivatives/usds-margined-futures/market-data/rest-api/Get-Funding-Rate-Info
   */
  fundingInfo(): Promise<BinanceFundingInfo[]>;
  /**
   * Candles, oldest first; the newest may still be forming. limit 1..1500 (default 500); weight by
   * limit: <100 -> 1, <500 -> 2, <=1000 -> 5, else 10.
   * @see https://developers.binance.com/docs/derivatives/usds-margined-futures/market-data/rest-api/Kline-Candlestick-Data
   */
  klines(symbol: string, interval: CandleInterval, range?: TimeRange): Promise<BinanceKline[]>;
}

function checkRange(endpoint: string, range: TimeRange | undefined, maxLimit: number): void {
  const limit = range?.limit;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > maxLimit))
    throw new RangeError(`${endpoint}: limit must be an integer in 1..${maxLimit}, got ${limit}`);
  for (const key of ['startTime', 'endTime'] as const) {
    const t = range?.[key];
    if (t !== undefined && (!Number.isInteger(t) || t < 0)) throw new RangeError(`${endpoint}: ${key} must be epoch ms, got ${t}`);
  }
}

export function createBinanceApi(http: HttpClient): BinanceApi {
  function premiumIndex(): Promise<BinancePremiumIndex[]>;
  function premiumIndex(symbol: string): Promise<BinancePremiumIndex>;
  function premiumIndex(symbol?: string): Promise<BinancePremiumIndex | BinancePremiumIndex[]> {
    return symbol === undefined
      ? http.getJson('/fapi/v1/premiumIndex', undefined, binancePremiumIndexListSchema, { endpoint: 'premiumIndex' })
      : http.getJson('/fapi/v1/premiumIndex', { symbol }, binancePremiumIndexSchema, { endpoint: 'premiumIndex' });
  }

  return {
    ping: () => http.getJson('/fapi/v1/ping', undefined, binancePingSchema, { endpoint: 'ping' }),
    exchangeInfo: () => http.getJson('/fapi/v1/exchangeInfo', undefined, binanceExchangeInfoSchema, { endpoint: 'exchangeInfo' }),
    premiumIndex,
    async fundingRate(symbol, range) {
      checkRange('fundingRate', range, 1000);
      return http.getJson('/fapi/v1/fundingRate', { symbol, ...range }, binanceFundingRateListSchema, { endpoint: 'fundingRate' });
    },
    fundingInfo: () => http.getJson('/fapi/v1/fundingInfo', undefined, binanceFundingInfoListSchema, { endpoint: 'fundingInfo' }),
    async klines(symbol, interval, range) {
      checkRange('klines', range, 1500);
      return http.getJson('/fapi/v1/klines', { symbol, interval, ...range }, binanceKlineListSchema, { endpoint: 'klines' });
    },
  };
}
