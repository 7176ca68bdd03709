import type { HttpClient, RateLimitGroup } from '../http.js';
import { coinGeckoGlobalSchema, type CoinGeckoGlobal } from './schemas.js';

export const COINGECKO_VENUE = 'coingecko';

/**
 * Budget for the shared HTTP client. The keyless API is limited per IP without a published number
 * (shared by everything on that IP; the Demo key gets 100 calls/min); perpgraph allows itself 5 calls a
 * minute. Polls need one per 5 minutes; the rest is for on-demand calls.
 * @see https://docs.coingecko.com/docs/errors-and-rate-limits
 */
export const COINGECKO_RATE_LIMITS: Readonly<Record<string, RateLimitGroup>> = { weight: { limit: 10, windowMs: 60_000, share: 0.5 } };

export interface CoinGeckoApi {
  /**
   * Market-wide totals: market cap, 24 h volume, dominance by coin. CoinGecko refreshes it every
   * 10 minutes. Beyond the (per-IP, unpublished) keyless limit it answers 429, and the HTTP client then
   * pauses every call for the Retry-After, or 60 s without one.
   * @see https://docs.coingecko.com/v3.0.1/reference/crypto-global
   */
  global(): Promise<CoinGeckoGlobal>;
}

export function createCoinGeckoApi(http: HttpClient): CoinGeckoApi {
  return {
    global: () => http.getJson('/api/v3/global', undefined, coinGeckoGlobalSchema, { endpoint: 'global' }),
  };
}
