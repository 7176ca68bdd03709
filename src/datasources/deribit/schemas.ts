import { z } from 'zod';

/**
 * Zod schemas for the Deribit JSON-RPC payloads we read (API v2, HTTP GET transport). Loose on extra
 * keys (Deribit adds fields without notice; the recorded 2021 instruments lack `price_index`, newer ones
 * carry `instrument_id`, `rfq`, ...), strict on the fields we use. Deribit sends numbers as JSON numbers;
 * zod 4's `z.number()` already rejects NaN and ±Infinity, so every number here is finite.
 */

/** Epoch milliseconds. */
const epochMs = z.number().int().nonnegative();
/** A price or size Deribit leaves `null` (or omits) when there is none, e.g. `bid_price` with an empty bid. */
const nullableNumber = z.number().nullish().transform((v) => v ?? null);

// --- JSON-RPC envelope ---

/**
 * `{"jsonrpc":"2.0","error":{"code":10028,"message":"too_many_requests"},"usIn":…,"usOut":…,"usDiff":…,"testnet":false}`;
 * `data` (e.g. `{"reason":"wrong format","param":"currency"}`) is optional.
 */
export const deribitRpcErrorSchema = z.looseObject({
  code: z.number().int(),
  message: z.string(),
  data: z.unknown().optional(),
});
export type DeribitRpcError = z.infer<typeof deribitRpcErrorSchema>;

/**
 * The JSON-RPC 2.0 response Deribit wraps every answer in: `result` on success, `error` on failure,
 * plus the non-standard `usIn`/`usOut`/`usDiff` (server µs timestamps) and `testnet`. The result
 * schema validates in place, so a bad field reports as `result[3].strike`.
 */
export function deribitEnvelope<T extends z.ZodType>(result: T) {
  return z
    .looseObject({
      jsonrpc: z.literal('2.0'),
      result: result.optional(),
      error: deribitRpcErrorSchema.optional(),
      usIn: z.number().int().optional(),
      usOut: z.number().int().optional(),
      usDiff: z.number().int().optional(),
      testnet: z.boolean().optional(),
    })
    .refine((e) => e.result !== undefined || e.error !== undefined, { message: 'neither result nor error' });
}

// --- public/get_instruments ---

/**
 * One instrument. `option_type` and `strike` exist only on options: the schema accepts futures too
 * (a request without `kind` returns both), and the mapper keeps options only.
 */
export const deribitInstrumentSchema = z.looseObject({
  instrument_name: z.string().min(1),
  /** option, future, spot, future_combo, option_combo */
  kind: z.string(),
  option_type: z.enum(['call', 'put']).optional(),
  strike: z.number().positive().optional(),
  expiration_timestamp: epochMs,
  base_currency: z.string(),
  quote_currency: z.string(),
  contract_size: z.number().positive(),
  is_active: z.boolean(),
  settlement_period: z.string().optional(),
});
export type DeribitInstrument = z.infer<typeof deribitInstrumentSchema>;
export const deribitInstrumentListSchema = z.array(deribitInstrumentSchema);

// --- public/get_book_summary_by_currency ---

/**
 * One row of the book summary. Options carry `mark_iv` and `underlying_price`; prices (`mark_price`,
 * `bid_price`, …) are in the base coin for inverse options. There are no greeks in this payload.
 */
export const deribitBookSummarySchema = z.looseObject({
  instrument_name: z.string().min(1),
  mark_price: nullableNumber,
  mark_iv: nullableNumber,
  bid_iv: nullableNumber,
  ask_iv: nullableNumber,
  underlying_price: nullableNumber,
  underlying_index: z.string().nullish(),
  bid_price: nullableNumber,
  ask_price: nullableNumber,
  open_interest: z.number().nonnegative(),
  /** 24 h volume in contracts. */
  volume: z.number().nonnegative(),
  volume_usd: nullableNumber,
  base_currency: z.string().optional(),
  quote_currency: z.string().optional(),
  /** When the summary was taken (epoch ms). */
  creation_timestamp: epochMs,
});
export type DeribitBookSummary = z.infer<typeof deribitBookSummarySchema>;
export const deribitBookSummaryListSchema = z.array(deribitBookSummarySchema);

// --- public/get_index_price ---

export const deribitIndexPriceSchema = z.looseObject({
  index_price: z.number().positive(),
  estimated_delivery_price: z.number().positive(),
});
export type DeribitIndexPrice = z.infer<typeof deribitIndexPriceSchema>;

// --- public/get_volatility_index_data (DVOL candles) ---

/**
 * DVOL candles: `data` rows `[timestamp ms, open, high, low, close]` in volatility points (e.g. 54.2 for
 * 54.2 %, as the `deribit_volatility_index` channel's `volatility: 129.36`), `continuation` for paging.
 * @see https://docs.deribit.com/api-reference/market-data/public-get_volatility_index_data
 */
export const deribitVolatilityIndexSchema = z.looseObject({
  data: z.array(z.tuple([z.number().int().nonnegative(), z.number().positive(), z.number().positive(), z.number().positive(), z.number().positive()])),
  continuation: z.number().nullable().optional(),
});
export type DeribitVolatilityIndex = z.infer<typeof deribitVolatilityIndexSchema>;

// --- public/ticker (same shape as the `ticker.{instrument}.{interval}` WebSocket data) ---

export const deribitGreeksSchema = z.looseObject({
  delta: z.number(),
  gamma: z.number(),
  vega: z.number(),
  theta: z.number(),
  rho: z.number().optional(),
});
export type DeribitGreeks = z.infer<typeof deribitGreeksSchema>;

/** Options tickers carry `greeks` and the three IVs; futures tickers have neither. */
export const deribitTickerSchema = z.looseObject({
  instrument_name: z.string().min(1),
  timestamp: epochMs,
  mark_price: z.number(),
  index_price: z.number().positive(),
  underlying_price: nullableNumber,
  underlying_index: z.string().nullish(),
  mark_iv: nullableNumber,
  bid_iv: nullableNumber,
  ask_iv: nullableNumber,
  open_interest: z.number().nonnegative(),
  best_bid_price: nullableNumber,
  best_ask_price: nullableNumber,
  greeks: deribitGreeksSchema.optional(),
  stats: z.looseObject({ volume: nullableNumber }),
});
export type DeribitTicker = z.infer<typeof deribitTickerSchema>;
