import type { z } from 'zod';
import { BadSymbolError, RateLimitError, TimeoutError, UpstreamUnavailableError, type DataSourceError } from '../errors.js';
import { createHttpClient, type GetJsonOptions, type HttpClient, type HttpClientOptions, type Query, type RateLimitGroup } from '../http.js';
import {
  deribitBookSummaryListSchema,
  deribitEnvelope,
  deribitIndexPriceSchema,
  deribitVolatilityIndexSchema,
  deribitInstrumentListSchema,
  deribitTickerSchema,
  type DeribitBookSummary,
  type DeribitIndexPrice,
  type DeribitVolatilityIndex,
  type DeribitInstrument,
  type DeribitRpcError,
  type DeribitTicker,
} from './schemas.js';

/**
 * Deribit API v2 public market data over JSON-RPC-on-HTTP-GET (`/api/v2/public/<method>?<params>`):
 * one method per endpoint, the envelope unwrapped, validated wire types out, no mapping and no policy
 * (caching, polling and back-off live in the source).
 *
 * Errors: transport failures and non-2xx statuses come from the shared HTTP client (429 ->
 * RateLimitError and a venue-wide pause; 5xx -> UpstreamUnavailableError after its retries). A JSON-RPC
 * `error` member in a 2xx answer is mapped here by `deribitRpcFailure` (10028 too_many_requests ->
 * RateLimitError, ...). Caveat: the shared client reads only Binance-style `{code,msg}` bodies, so a
 * JSON-RPC error Deribit sends with HTTP 400 (as it does, e.g. `{"error":{"code":-32602,...}}` for an
 * invalid param) surfaces as `UpstreamUnavailableError("... HTTP 400")` without the RPC code.
 */

export const DERIBIT_VENUE = 'deribit';

/** Deribit terminates the session on 10028; the 50,000-credit pool refills at 10,000/s, so 5 s restores it. */
export const DERIBIT_RATE_LIMIT_WAIT_MS = 5_000;

/** Budget group every call is charged to. */
export const DERIBIT_REQUESTS_GROUP = 'requests';
/** Extra budget group `get_instruments` is charged to as well. */
export const DERIBIT_INSTRUMENTS_GROUP = 'instruments';

/**
 * Budgets for the shared HTTP client. Public calls are limited per IP by a credit pool (about 20
 * requests/s sustained, bursts to 100); perpgraph allows itself half. `get_instruments` has its own
 * limit of 1 request/s sustained, taken whole (a second currency waits a second for its turn).
 * @see https://docs.deribit.com/articles/rate-limits
 */
export const DERIBIT_RATE_LIMITS: Readonly<Record<string, RateLimitGroup>> = {
  [DERIBIT_REQUESTS_GROUP]: { limit: 20, windowMs: 1_000, share: 0.5 },
  [DERIBIT_INSTRUMENTS_GROUP]: { limit: 1, windowMs: 1_000, share: 1 },
};

/** JSON-RPC codes that mean "not now" rather than "wrong request". @see https://docs.deribit.com/articles/errors */
const RATE_LIMIT_CODES = new Set([
  10028, // too_many_requests
  10066, // too_many_concurrent_requests
]);
const UNAVAILABLE_CODES = new Set([
  10040, // retry
  10041, // settlement_in_progress
  10047, // matching_engine_queue_full
  11051, // system_maintenance
  11094, // internal_server_error
  13028, // temporarily_unavailable
]);
const TIMED_OUT = 13888;
/** -32602 invalid params (with `data.param`), 10020 invalid_or_unsupported_instrument, 13020 not_found. */
const BAD_PARAMS = -32602;
const UNKNOWN_INSTRUMENT_CODES = new Set([10020, 13020]);
/** Parameters that name a market: an invalid one is a bad symbol, not an upstream fault. */
const SYMBOL_PARAMS = ['currency', 'index_name', 'instrument_name'] as const;

/** The error a JSON-RPC `error` member stands for, in the datasource hierarchy. */
export function deribitRpcFailure(endpoint: string, error: DeribitRpcError, params: Query = {}): DataSourceError {
  const { code, message } = error;
  const detail = `${DERIBIT_VENUE} ${endpoint}: JSON-RPC error ${code} ${message}`;
  const cause = { code, message, data: error.data };
  if (RATE_LIMIT_CODES.has(code)) return new RateLimitError(DERIBIT_VENUE, DERIBIT_RATE_LIMIT_WAIT_MS, { cause });
  if (code === TIMED_OUT) return new TimeoutError(detail, DERIBIT_VENUE, { cause });
  const param = paramOf(error.data);
  if (code === BAD_PARAMS && param !== null && (SYMBOL_PARAMS as readonly string[]).includes(param))
    return new BadSymbolError(DERIBIT_VENUE, String(params[param] ?? ''));
  if (UNKNOWN_INSTRUMENT_CODES.has(code)) return new BadSymbolError(DERIBIT_VENUE, String(params.instrument_name ?? params.currency ?? ''));
  if (UNAVAILABLE_CODES.has(code)) return new UpstreamUnavailableError(detail, DERIBIT_VENUE, { cause });
  // Anything else (method not found, invalid request, ...) is a bug on our side or an API change; it
  // is still "the venue will not serve this now" to a consumer.
  return new UpstreamUnavailableError(detail, DERIBIT_VENUE, { cause });
}

function paramOf(data: unknown): string | null {
  if (data && typeof data === 'object' && 'param' in data && typeof data.param === 'string') return data.param;
  return null;
}

export type DeribitInstrumentKind = 'option' | 'future' | 'spot' | 'future_combo' | 'option_combo';

export interface DeribitApi {
  /**
   * Instruments of one currency. Special rate limit: 1 request/second sustained (cache it).
   * @see https://docs.deribit.com/api-reference/market-data/public-get_instruments
   */
  getInstruments(currency: string, opts?: { kind?: DeribitInstrumentKind; expired?: boolean }): Promise<DeribitInstrument[]>;
  /**
   * Mark price, mark IV, open interest and 24 h volume of every instrument of a kind. No greeks.
   * @see https://docs.deribit.com/api-reference/market-data/public-get_book_summary_by_currency
   */
  getBookSummaryByCurrency(currency: string, kind?: DeribitInstrumentKind): Promise<DeribitBookSummary[]>;
  /**
   * Current index level, e.g. `btc_usd`.
   * @see https://docs.deribit.com/api-reference/market-data/public-get_index_price
   */
  getIndexPrice(indexName: string): Promise<DeribitIndexPrice>;
  /**
   * DVOL (Deribit's 30-day implied volatility index, BTC and ETH) as candles of `resolution` seconds
   * (`1`, `60`, `3600`, `43200`, `1D`) between two times (epoch ms).
   * @see https://docs.deribit.com/api-reference/market-data/public-get_volatility_index_data
   */
  getVolatilityIndexData(currency: string, range: { start: number; end: number; resolution: string }): Promise<DeribitVolatilityIndex>;
  /**
   * One instrument's ticker, with greeks and bid/ask/mark IV for options.
   * @see https://docs.deribit.com/api-reference/market-data/public-ticker
   */
  ticker(instrumentName: string): Promise<DeribitTicker>;
}

/**
 * The shared HTTP client set up for Deribit: venue name, the budgets above (which the API relies on),
 * and a 429 without Retry-After read as "credits exhausted" (pause for the refill, not a minute).
 */
export function createDeribitHttpClient(options: Omit<HttpClientOptions, 'venue' | 'rateLimits' | 'weightGroup'>): HttpClient {
  return createHttpClient({
    defaultRateLimitMs: DERIBIT_RATE_LIMIT_WAIT_MS,
    ...options,
    venue: DERIBIT_VENUE,
    rateLimits: DERIBIT_RATE_LIMITS,
    weightGroup: DERIBIT_REQUESTS_GROUP,
  });
}

/** Needs a client from `createDeribitHttpClient` (it charges `get_instruments` to its own group). */
export function createDeribitApi(http: HttpClient): DeribitApi {
  const envelopes = {
    instruments: deribitEnvelope(deribitInstrumentListSchema),
    bookSummary: deribitEnvelope(deribitBookSummaryListSchema),
    indexPrice: deribitEnvelope(deribitIndexPriceSchema),
    volatilityIndex: deribitEnvelope(deribitVolatilityIndexSchema),
    ticker: deribitEnvelope(deribitTickerSchema),
  };

  async function call<T>(
    method: string,
    params: Query,
    envelope: z.ZodType<{ result?: T | undefined; error?: DeribitRpcError | undefined }>,
    opts: GetJsonOptions = {},
  ): Promise<T> {
    const endpoint = `public/${method}`;
    const body = await http.getJson(`/api/v2/public/${method}`, params, envelope, { endpoint, ...opts });
    if (body.error) throw deribitRpcFailure(endpoint, body.error, params);
    // The envelope schema guarantees one of the two.
    return body.result as T;
  }

  return {
    getInstruments: (currency, opts = {}) =>
      call('get_instruments', { currency, kind: opts.kind ?? 'option', expired: opts.expired ?? false }, envelopes.instruments, {
        group: DERIBIT_INSTRUMENTS_GROUP,
      }),
    getBookSummaryByCurrency: (currency, kind = 'option') => call('get_book_summary_by_currency', { currency, kind }, envelopes.bookSummary),
    getIndexPrice: (indexName) => call('get_index_price', { index_name: indexName }, envelopes.indexPrice),
    ticker: (instrumentName) => call('ticker', { instrument_name: instrumentName }, envelopes.ticker),
    getVolatilityIndexData: (currency, range) =>
      call('get_volatility_index_data', { currency, start_timestamp: range.start, end_timestamp: range.end, resolution: range.resolution }, envelopes.volatilityIndex),
  };
}
