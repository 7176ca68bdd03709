import { z } from 'zod';
import { decimalString, optionalDecimalString } from '../binance/schemas.js';

/**
 * Zod schemas for the Bybit v5 public payloads we read (linear USDT perpetuals). Loose on extra keys,
 * strict on the fields we use; decimals arrive as strings and become finite numbers here (a string that
 * is not a decimal fails validation). The REST envelope `{retCode, retMsg, result}` is checked by the
 * HTTP client (`bybitEnvelope`) before these run, so `retCode` is 0 here.
 *
 * @see /work/shared/docs/EXCHANGE-APIS.md §2 and §6 (bybit-exchange/docs v5)
 */

/** Epoch ms sent as a string (`"1786320000000"`). */
const msString = z.string().regex(/^\d{1,16}$/, 'expected epoch milliseconds as a string').transform(Number);

const envelope = <T extends z.ZodType>(result: T) => z.looseObject({ retCode: z.literal(0), retMsg: z.string(), result, time: z.number().optional() });

// --- GET /v5/market/instruments-info?category=linear ---

export const bybitInstrumentSchema = z.looseObject({
  symbol: z.string().min(1),
  contractType: z.string(),
  status: z.string(),
  baseCoin: z.string(),
  quoteCoin: z.string(),
  settleCoin: z.string().optional(),
  priceFilter: z.looseObject({ tickSize: decimalString }),
  lotSizeFilter: z.looseObject({ qtyStep: decimalString }),
  /** Minutes between settlements. */
  fundingInterval: z.number().int().nonnegative(),
});
export type BybitInstrument = z.infer<typeof bybitInstrumentSchema>;
export const bybitInstrumentsSchema = envelope(z.looseObject({ category: z.string(), list: z.array(bybitInstrumentSchema), nextPageCursor: z.string().optional() }));

// --- GET /v5/market/tickers?category=linear ---

export const bybitTickerSchema = z.looseObject({
  symbol: z.string().min(1),
  lastPrice: decimalString,
  markPrice: decimalString,
  indexPrice: decimalString,
  prevPrice24h: decimalString,
  price24hPcnt: decimalString,
  highPrice24h: decimalString,
  lowPrice24h: decimalString,
  openInterest: decimalString,
  openInterestValue: decimalString,
  volume24h: decimalString,
  turnover24h: decimalString,
  fundingRate: optionalDecimalString,
  nextFundingTime: msString,
});
export type BybitTicker = z.infer<typeof bybitTickerSchema>;
export const bybitTickersSchema = envelope(z.looseObject({ category: z.string(), list: z.array(bybitTickerSchema) }));

// --- GET /v5/market/funding/history ---

export const bybitFundingSchema = z.looseObject({ symbol: z.string(), fundingRate: decimalString, fundingRateTimestamp: msString });
export type BybitFunding = z.infer<typeof bybitFundingSchema>;
export const bybitFundingHistorySchema = envelope(z.looseObject({ list: z.array(bybitFundingSchema) }));

// --- GET /v5/market/open-interest ---

export const bybitOpenInterestSchema = z.looseObject({ openInterest: decimalString, timestamp: msString });
export type BybitOpenInterest = z.infer<typeof bybitOpenInterestSchema>;
export const bybitOpenInterestHistorySchema = envelope(z.looseObject({ symbol: z.string(), list: z.array(bybitOpenInterestSchema), nextPageCursor: z.string().optional() }));

// --- GET /v5/market/account-ratio ---

export const bybitAccountRatioSchema = z.looseObject({ symbol: z.string(), buyRatio: decimalString, sellRatio: decimalString, timestamp: msString });
export type BybitAccountRatio = z.infer<typeof bybitAccountRatioSchema>;
export const bybitAccountRatioHistorySchema = envelope(z.looseObject({ list: z.array(bybitAccountRatioSchema), nextPageCursor: z.string().optional() }));

// --- GET /v5/market/kline: [startMs, open, high, low, close, volume (base), turnover (quote)], newest first ---

export const bybitKlineRowSchema = z.tuple([msString, decimalString, decimalString, decimalString, decimalString, decimalString, decimalString], z.unknown());
export type BybitKlineRow = z.infer<typeof bybitKlineRowSchema>;
export const bybitKlinesSchema = envelope(z.looseObject({ symbol: z.string(), list: z.array(bybitKlineRowSchema) }));

// --- GET /v5/market/recent-trade ---

export const bybitRecentTradeSchema = z.looseObject({
  execId: z.string().min(1),
  symbol: z.string(),
  price: decimalString,
  size: decimalString,
  side: z.enum(['Buy', 'Sell']),
  time: msString,
});
export type BybitRecentTrade = z.infer<typeof bybitRecentTradeSchema>;
export const bybitRecentTradesSchema = envelope(z.looseObject({ list: z.array(bybitRecentTradeSchema) }));

// --- WebSocket wss://stream.bybit.com/v5/public/linear ---

export const bybitWsTradeSchema = z.looseObject({
  T: z.number().int().nonnegative(),
  s: z.string().min(1),
  S: z.enum(['Buy', 'Sell']),
  v: decimalString,
  p: decimalString,
  i: z.string().min(1),
});
export type BybitWsTrade = z.infer<typeof bybitWsTradeSchema>;

export const bybitWsLiquidationSchema = z.looseObject({
  T: z.number().int().nonnegative(),
  s: z.string().min(1),
  /** Position side: Buy = a long was liquidated. */
  S: z.enum(['Buy', 'Sell']),
  v: decimalString,
  p: decimalString,
});
export type BybitWsLiquidation = z.infer<typeof bybitWsLiquidationSchema>;

/** A `tickers` push: the snapshot carries every field, a delta only the changed ones (all optional here). */
export const bybitWsTickerSchema = z.looseObject({
  symbol: z.string().min(1),
  lastPrice: decimalString.optional(),
  markPrice: decimalString.optional(),
  indexPrice: decimalString.optional(),
  highPrice24h: decimalString.optional(),
  lowPrice24h: decimalString.optional(),
  price24hPcnt: decimalString.optional(),
  volume24h: decimalString.optional(),
  turnover24h: decimalString.optional(),
  openInterest: decimalString.optional(),
  openInterestValue: decimalString.optional(),
  fundingRate: decimalString.optional(),
  nextFundingTime: msString.optional(),
  bid1Price: decimalString.optional(),
  bid1Size: decimalString.optional(),
  ask1Price: decimalString.optional(),
  ask1Size: decimalString.optional(),
});
export type BybitWsTicker = z.infer<typeof bybitWsTickerSchema>;

export const bybitWsKlineSchema = z.looseObject({
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
  interval: z.string(),
  open: decimalString,
  close: decimalString,
  high: decimalString,
  low: decimalString,
  volume: decimalString,
  turnover: decimalString,
  confirm: z.boolean(),
  timestamp: z.number().int().nonnegative(),
});
export type BybitWsKline = z.infer<typeof bybitWsKlineSchema>;

export const bybitWsPushSchema = z.looseObject({ topic: z.string().min(1), type: z.string().optional(), ts: z.number().int().nonnegative(), data: z.unknown() });
/** Acks and pongs: `{"success":true,"ret_msg":"pong","op":"ping"}`, `{"success":false,"ret_msg":"…","op":"subscribe"}`. */
export const bybitWsOpSchema = z.looseObject({ op: z.string(), success: z.boolean().optional(), ret_msg: z.string().optional() });
