import { INTERVAL_MS, type CandleInterval, type StatPeriod } from '../../domain/market.js';
import type { z } from 'zod';
import type { HttpClient } from '../http.js';
import { BINANCE_SPOT_WEIGHTS, BINANCE_WEIGHTS, BinanceGroups, depthWeight, klinesWeight } from './binance-limits.js';
import {
  binanceAggTradeListSchema,
  binanceBasisListSchema,
  binanceDepthSchema,
  binanceExchangeInfoSchema,
  binanceFundingInfoListSchema,
  binanceFundingRateListSchema,
  binanceKlineListSchema,
  binanceLongShortRatioListSchema,
  binanceOpenInterestHistListSchema,
  binanceOpenInterestSchema,
  binancePingSchema,
  binancePremiumIndexListSchema,
  binancePremiumIndexSchema,
  binanceSpotPriceListSchema,
  binanceSpotPriceSchema,
  binanceTakerVolumeListSchema,
  binanceTicker24hListSchema,
  binanceTicker24hSchema,
  type BinanceAggTrade,
  type BinanceBasis,
  type BinanceDepth,
  type BinanceExchangeInfo,
  type BinanceFundingInfo,
  type BinanceFundingRate,
  type BinanceKline,
  type BinanceLongShortRatio,
  type BinanceOpenInterest,
  type BinanceOpenInterestHist,
  type BinancePing,
  type BinancePremiumIndex,
  type BinanceSpotPrice,
  type BinanceTakerVolume,
  type BinanceTicker24h,
} from './schemas.js';

/**
 * Binance USD-M futures (and spot) public REST market data: one method per endpoint, validated wire
 * types out, no mapping and no polling policy. Each call declares its weight and limit group to the HTTP
 * client (which budgets, retries, coalesces and caches); errors are the datasource hierarchy.
 */

export interface TimeRange {
  startTime?: number;
  endTime?: number;
  limit?: number;
}

export interface AggTradeQuery extends TimeRange {
  /** Trades from this aggregate id on (inclusive). */
  fromId?: number;
}

/** How long identical calls are answered from the client's cache (ms). 0 / absent: never. */
export const BINANCE_TTL_MS = {
  exchangeInfo: 60_000,
  fundingInfo: 60_000,
  premiumIndex: 500,
  klines: 1_000,
  openInterest: 1_000,
  futuresData: 10_000,
  ticker24h: 2_000,
  spotPrice: 1_000,
} as const;

/** `/futures/data/*` keeps only the latest 30 days. */
export const FUTURES_DATA_RETENTION_MS = 30 * 86_400_000;
/** Candles per page in `klinesRange`: ≤1000 weighs 5, 1500 weighs 10, so 1000 is the cheapest per candle. */
export const KLINES_PAGE = 1000;
/** aggTrades: startTime..endTime may span at most one hour. */
const AGG_TRADES_MAX_WINDOW_MS = 3_600_000;

/** `/fapi/v1/depth` accepts these limits only. */
export const DEPTH_LIMITS = [5, 10, 20, 50, 100, 500, 1000] as const;
export type DepthLimit = (typeof DEPTH_LIMITS)[number];

export interface BinanceApi {
  /**
   * Order book snapshot (never cached: it anchors a local book). Weight by limit: ≤50 → 2, 100 → 5, 500 → 10, 1000 → 20.
   * @see https://developers.binance.com/docs/derivatives/usds-margined-futures/market-data/rest-api/Order-Book
   */
  depth(symbol: string, limit: DepthLimit): Promise<BinanceDepth>;
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
   * Candles, oldest first; the newest may still be forming. Every interval; limit 1..1500 (default 500);
   * weight by limit: <100 -> 1, <500 -> 2, <=1000 -> 5, else 10.
   * @see https://developers.binance.com/docs/derivatives/usds-margined-futures/market-data/rest-api/Kline-Candlestick-Data
   */
  klines(symbol: string, interval: CandleInterval, range?: TimeRange): Promise<BinanceKline[]>;
  /**
   * Candles over any range, fetched in pages of {@link KLINES_PAGE} from `startTime` (inclusive) to
   * `endTime` (inclusive, default now), oldest first, at most `maxCandles` (default 50 000).
   */
  klinesRange(symbol: string, interval: CandleInterval, range: { startTime: number; endTime?: number; maxCandles?: number }): Promise<BinanceKline[]>;
  /**
   * Aggregate trades, oldest first. Weight 20. limit ≤1000 (default 500); startTime..endTime ≤ 1 h;
   * `m: true` means the buyer was the maker (the taker sold).
   * @see https://developers.binance.com/docs/derivatives/usds-margined-futures/market-data/rest-api/Compressed-Aggregate-Trades-List
   */
  aggTrades(symbol: string, query?: AggTradeQuery): Promise<BinanceAggTrade[]>;
  /**
   * Present open interest in contracts. Weight 1.
   * @see https://developers.binance.com/docs/derivatives/usds-margined-futures/market-data/rest-api/Open-Interest
   */
  openInterest(symbol: string): Promise<BinanceOpenInterest>;
  /**
   * Open interest per period (contracts and USD value), latest 30 days. limit ≤500 (default 30).
   * 1000 requests / 5 min / IP for `/futures/data/*`.
   * @see https://developers.binance.com/docs/derivatives/usds-margined-futures/market-data/rest-api/Open-Interest-Statistics
   */
  openInterestHist(symbol: string, period: StatPeriod, range?: TimeRange): Promise<BinanceOpenInterestHist[]>;
  /**
   * Long/short account ratio of all accounts. Same limits as openInterestHist.
   * @see https://developers.binance.com/docs/derivatives/usds-margined-futures/market-data/rest-api/Long-Short-Ratio
   */
  globalLongShortAccountRatio(symbol: string, period: StatPeriod, range?: TimeRange): Promise<BinanceLongShortRatio[]>;
  /**
   * Long/short ratio of the top 20 % accounts by margin balance, counted by accounts.
   * @see https://developers.binance.com/docs/derivatives/usds-margined-futures/market-data/rest-api/Top-Long-Short-Account-Ratio
   */
  topLongShortAccountRatio(symbol: string, period: StatPeriod, range?: TimeRange): Promise<BinanceLongShortRatio[]>;
  /**
   * Long/short ratio of the top 20 % accounts, weighted by position size.
   * @see https://developers.binance.com/docs/derivatives/usds-margined-futures/market-data/rest-api/Top-Trader-Long-Short-Ratio
   */
  topLongShortPositionRatio(symbol: string, period: StatPeriod, range?: TimeRange): Promise<BinanceLongShortRatio[]>;
  /**
   * Taker buy vs sell volume per period (base asset).
   * @see https://developers.binance.com/docs/derivatives/usds-margined-futures/market-data/rest-api/Taker-BuySell-Volume
   */
  takerlongshortRatio(symbol: string, period: StatPeriod, range?: TimeRange): Promise<BinanceTakerVolume[]>;
  /**
   * Basis of the `pair`'s contract (default PERPETUAL) against its index per period. `limit` is
   * mandatory on this endpoint; default 30.
   * @see https://developers.binance.com/docs/derivatives/usds-margined-futures/market-data/rest-api/Basis
   */
  basis(pair: string, period: StatPeriod, range?: TimeRange & { contractType?: 'PERPETUAL' | 'CURRENT_QUARTER' | 'NEXT_QUARTER' }): Promise<BinanceBasis[]>;
  /**
   * Rolling 24 h statistics. Weight 1 with a symbol, 40 without.
   * @see https://developers.binance.com/docs/derivatives/usds-margined-futures/market-data/rest-api/24hr-Ticker-Price-Change-Statistics
   */
  ticker24hr(): Promise<BinanceTicker24h[]>;
  ticker24hr(symbol: string): Promise<BinanceTicker24h>;
}

function checkRange(endpoint: string, range: TimeRange | undefined, maxLimit: number): void {
  const limit = range?.limit;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > maxLimit))
    throw new RangeError(`${endpoint}: limit must be an integer in 1..${maxLimit}, got ${limit}`);
  for (const key of ['startTime', 'endTime'] as const) {
    const t = range?.[key];
    if (t !== undefined && (!Number.isInteger(t) || t < 0)) throw new RangeError(`${endpoint}: ${key} must be epoch ms, got ${t}`);
  }
  if (range?.startTime !== undefined && range.endTime !== undefined && range.endTime < range.startTime)
    throw new RangeError(`${endpoint}: endTime ${range.endTime} is before startTime ${range.startTime}`);
}

/** Only the fields Binance knows, so the cache key does not depend on how the caller built the object. */
const rangeQuery = (range: TimeRange | undefined) => ({ startTime: range?.startTime, endTime: range?.endTime, limit: range?.limit });

export interface BinanceApiOptions {
  /** Clock for `klinesRange`'s default end. Default `Date.now`. */
  now?: () => number;
  /** Cache lifetimes per endpoint family, overriding {@link BINANCE_TTL_MS} (a poller passes at most half its period). */
  ttlMs?: Partial<Record<keyof typeof BINANCE_TTL_MS, number>>;
}

export function createBinanceApi(http: HttpClient, options: BinanceApiOptions = {}): BinanceApi {
  const now = options.now ?? Date.now;
  const ttl = { ...BINANCE_TTL_MS, ...options.ttlMs };

  function premiumIndex(): Promise<BinancePremiumIndex[]>;
  function premiumIndex(symbol: string): Promise<BinancePremiumIndex>;
  function premiumIndex(symbol?: string): Promise<BinancePremiumIndex | BinancePremiumIndex[]> {
    const common = { endpoint: 'premiumIndex', ttlMs: ttl.premiumIndex };
    return symbol === undefined
      ? http.getJson('/fapi/v1/premiumIndex', undefined, binancePremiumIndexListSchema, { ...common, weight: BINANCE_WEIGHTS.premiumIndexAll })
      : http.getJson('/fapi/v1/premiumIndex', { symbol }, binancePremiumIndexSchema, { ...common, weight: BINANCE_WEIGHTS.premiumIndexOne });
  }

  function ticker24hr(): Promise<BinanceTicker24h[]>;
  function ticker24hr(symbol: string): Promise<BinanceTicker24h>;
  function ticker24hr(symbol?: string): Promise<BinanceTicker24h | BinanceTicker24h[]> {
    const common = { endpoint: 'ticker24hr', ttlMs: ttl.ticker24h };
    return symbol === undefined
      ? http.getJson('/fapi/v1/ticker/24hr', undefined, binanceTicker24hListSchema, { ...common, weight: BINANCE_WEIGHTS.ticker24hAll })
      : http.getJson('/fapi/v1/ticker/24hr', { symbol }, binanceTicker24hSchema, { ...common, weight: BINANCE_WEIGHTS.ticker24hOne });
  }

  function klines(symbol: string, interval: CandleInterval, range?: TimeRange): Promise<BinanceKline[]> {
    checkRange('klines', range, 1500);
    return http.getJson('/fapi/v1/klines', { symbol, interval, ...rangeQuery(range) }, binanceKlineListSchema, {
      endpoint: 'klines',
      weight: klinesWeight(range?.limit),
      ttlMs: ttl.klines,
    });
  }

  /** One `/futures/data/*` statistics endpoint (symbol + period + range). */
  function futuresData<T>(path: string, schema: z.ZodType<T>) {
    return (symbol: string, period: StatPeriod, range?: TimeRange): Promise<T> => {
      const endpoint = path.slice(path.lastIndexOf('/') + 1);
      checkRange(endpoint, range, 500);
      return http.getJson(path, { symbol, period, ...rangeQuery(range) }, schema, {
        endpoint,
        weight: BINANCE_WEIGHTS.futuresData,
        group: BinanceGroups.FUTURES_DATA,
        ttlMs: ttl.futuresData,
      });
    };
  }

  return {
    depth: (symbol, limit) => http.getJson('/fapi/v1/depth', { symbol, limit }, binanceDepthSchema, { endpoint: 'depth', weight: depthWeight(limit) }),
    ping: () => http.getJson('/fapi/v1/ping', undefined, binancePingSchema, { endpoint: 'ping', weight: BINANCE_WEIGHTS.ping }),
    exchangeInfo: () =>
      http.getJson('/fapi/v1/exchangeInfo', undefined, binanceExchangeInfoSchema, {
        endpoint: 'exchangeInfo',
        weight: BINANCE_WEIGHTS.exchangeInfo,
        ttlMs: ttl.exchangeInfo,
      }),
    premiumIndex,
    async fundingRate(symbol, range) {
      checkRange('fundingRate', range, 1000);
      return http.getJson('/fapi/v1/fundingRate', { symbol, ...rangeQuery(range) }, binanceFundingRateListSchema, {
        endpoint: 'fundingRate',
        weight: BINANCE_WEIGHTS.fundingRate,
        group: BinanceGroups.FUNDING,
      });
    },
    fundingInfo: () =>
      http.getJson('/fapi/v1/fundingInfo', undefined, binanceFundingInfoListSchema, {
        endpoint: 'fundingInfo',
        weight: BINANCE_WEIGHTS.fundingInfo,
        group: BinanceGroups.FUNDING,
        ttlMs: ttl.fundingInfo,
      }),
    async klines(symbol, interval, range) {
      return klines(symbol, interval, range);
    },
    async klinesRange(symbol, interval, range) {
      const step = INTERVAL_MS[interval];
      const endTime = range.endTime ?? now();
      const maxCandles = range.maxCandles ?? 50_000;
      checkRange('klinesRange', { startTime: range.startTime, endTime }, 1);
      const out: BinanceKline[] = [];
      for (let cursor = range.startTime; cursor <= endTime && out.length < maxCandles; ) {
        const limit = Math.min(KLINES_PAGE, maxCandles - out.length);
        const page = await klines(symbol, interval, { startTime: cursor, endTime, limit });
        out.push(...page);
        const last = page.at(-1);
        if (!last || page.length < limit) break;
        cursor = last.openTime + step;
      }
      return out;
    },
    async aggTrades(symbol, query) {
      checkRange('aggTrades', query, 1000);
      const { startTime, endTime, fromId } = query ?? {};
      if (startTime !== undefined && endTime !== undefined && endTime - startTime > AGG_TRADES_MAX_WINDOW_MS)
        throw new RangeError(`aggTrades: startTime..endTime may span at most 1 h, got ${endTime - startTime} ms`);
      if (fromId !== undefined && (!Number.isInteger(fromId) || fromId < 0)) throw new RangeError(`aggTrades: fromId must be a trade id, got ${fromId}`);
      return http.getJson('/fapi/v1/aggTrades', { symbol, fromId, ...rangeQuery(query) }, binanceAggTradeListSchema, {
        endpoint: 'aggTrades',
        weight: BINANCE_WEIGHTS.aggTrades,
      });
    },
    openInterest: (symbol) =>
      http.getJson('/fapi/v1/openInterest', { symbol }, binanceOpenInterestSchema, {
        endpoint: 'openInterest',
        weight: BINANCE_WEIGHTS.openInterest,
        ttlMs: ttl.openInterest,
      }),
    openInterestHist: futuresData('/futures/data/openInterestHist', binanceOpenInterestHistListSchema),
    globalLongShortAccountRatio: futuresData('/futures/data/globalLongShortAccountRatio', binanceLongShortRatioListSchema),
    topLongShortAccountRatio: futuresData('/futures/data/topLongShortAccountRatio', binanceLongShortRatioListSchema),
    topLongShortPositionRatio: futuresData('/futures/data/topLongShortPositionRatio', binanceLongShortRatioListSchema),
    takerlongshortRatio: futuresData('/futures/data/takerlongshortRatio', binanceTakerVolumeListSchema),
    async basis(pair, period, range) {
      checkRange('basis', range, 500);
      const query = { pair, contractType: range?.contractType ?? 'PERPETUAL', period, ...rangeQuery(range), limit: range?.limit ?? 30 };
      return http.getJson('/futures/data/basis', query, binanceBasisListSchema, {
        endpoint: 'basis',
        weight: BINANCE_WEIGHTS.futuresData,
        group: BinanceGroups.FUTURES_DATA,
        ttlMs: ttl.futuresData,
      });
    },
    ticker24hr,
  };
}

// --- Spot ---

export interface BinanceSpotApi {
  /**
   * Latest spot price: weight 2 for one symbol, 4 for several (`symbols=[...]`) or all.
   * @see https://developers.binance.com/docs/binance-spot-api-docs/rest-api/market-data-endpoints#symbol-price-ticker
   */
  tickerPrice(symbol: string): Promise<BinanceSpotPrice>;
  tickerPrice(symbols?: readonly string[]): Promise<BinanceSpotPrice[]>;
  /**
   * Spot candles (same 12-field rows as futures). Weight 2; limit ≤1000 (default 500).
   * @see https://developers.binance.com/docs/binance-spot-api-docs/rest-api/market-data-endpoints#klinecandlestick-data
   */
  klines(symbol: string, interval: CandleInterval, range?: TimeRange): Promise<BinanceKline[]>;
}

export function createBinanceSpotApi(http: HttpClient, options: Pick<BinanceApiOptions, 'ttlMs'> = {}): BinanceSpotApi {
  const ttl = { ...BINANCE_TTL_MS, ...options.ttlMs };
  function tickerPrice(symbol: string): Promise<BinanceSpotPrice>;
  function tickerPrice(symbols?: readonly string[]): Promise<BinanceSpotPrice[]>;
  function tickerPrice(arg?: string | readonly string[]): Promise<BinanceSpotPrice | BinanceSpotPrice[]> {
    const common = { endpoint: 'spotTickerPrice', ttlMs: ttl.spotPrice };
    if (typeof arg === 'string')
      return http.getJson('/api/v3/ticker/price', { symbol: arg }, binanceSpotPriceSchema, { ...common, weight: BINANCE_SPOT_WEIGHTS.tickerPriceOne });
    const query = arg === undefined ? undefined : { symbols: JSON.stringify([...arg]) };
    return http.getJson('/api/v3/ticker/price', query, binanceSpotPriceListSchema, { ...common, weight: BINANCE_SPOT_WEIGHTS.tickerPriceMany });
  }
  return {
    tickerPrice,
    async klines(symbol, interval, range) {
      checkRange('spotKlines', range, 1000);
      return http.getJson('/api/v3/klines', { symbol, interval, ...rangeQuery(range) }, binanceKlineListSchema, {
        endpoint: 'spotKlines',
        weight: BINANCE_SPOT_WEIGHTS.klines,
        ttlMs: ttl.klines,
      });
    },
  };
}
