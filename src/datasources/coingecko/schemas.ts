import { z } from 'zod';

/**
 * Zod schemas for the CoinGecko public API v3 payloads we read. Loose on extra keys (the per-currency
 * maps list dozens of fiat and coin keys); only the keys we use are required. `z.number()` rejects NaN
 * and ±Infinity, so every number here is finite.
 */

/** `{"usd": 2.9e12, "eur": …, "btc": …}`: a value per currency, only `usd` required. */
const perCurrency = z.looseObject({ usd: z.number().nonnegative() });

/** `GET /api/v3/global` */
export const coinGeckoGlobalSchema = z.looseObject({
  data: z.looseObject({
    active_cryptocurrencies: z.number().int().optional(),
    markets: z.number().int().optional(),
    total_market_cap: perCurrency,
    total_volume: perCurrency,
    /** Percent of the total market cap by coin (`btc`, `eth`, `usdt`, …). */
    market_cap_percentage: z.looseObject({ btc: z.number().min(0).max(100), eth: z.number().min(0).max(100) }),
    /** Percent. */
    market_cap_change_percentage_24h_usd: z.number(),
    /** Unix seconds. */
    updated_at: z.number().int().nonnegative(),
  }),
});
export type CoinGeckoGlobal = z.infer<typeof coinGeckoGlobalSchema>;
