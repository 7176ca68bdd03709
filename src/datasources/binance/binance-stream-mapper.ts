import { z } from 'zod';
import { CANDLE_INTERVALS } from '../../domain/market.js';
import type { BookTicker, Candle, CandleInterval, Liquidation, MarkPrice, OrderBook, PriceLevel, SymbolEvent, Trade } from '../../domain/market.js';
import { BadResponseError } from '../errors.js';
import { formatIssues } from '../http.js';
import { decimalString, optionalDecimalString } from './schemas.js';

/**
 * Binance USD-M futures WebSocket market streams (combined-stream form) -> neutral `SymbolEvent`s.
 * Schemas are loose on extra keys and strict on the fields used; decimals go through `decimalString`,
 * so a payload that would yield NaN fails validation instead.
 *
 * @see https://developers.binance.com/docs/derivatives/usds-margined-futures/websocket-market-streams
 * Recorded real messages: ../shared/data/binance-futures/raw-recordings/cryptofeed-2021-07-22/
 * BINANCE_FUTURES.ws.1.0.txt (aggTrade, depth@100ms, kline_1m, bookTicker).
 */

/** Same venue label as `BINANCE_VENUE` in binance-source.ts (not imported: the source imports this module). */
const VENUE = 'binance-usdm';

const epochMs = z.number().int().nonnegative();
const id = z.number().int().nonnegative();
const symbol = z.string().min(1);

// --- Schemas (one per payload) ---

/**
 * `<symbol>@aggTrade` (recorded):
 * {"e":"aggTrade","E":1626992741575,"a":16599292,"s":"CTKUSDT","p":"1.01100","q":"10","f":23961322,
 *  "l":23961322,"T":1626992741421,"m":false}
 * `m` = buyer is the maker, i.e. the taker (aggressor) SOLD.
 */
export const binanceWsAggTradeSchema = z.looseObject({
  e: z.literal('aggTrade'),
  E: epochMs,
  s: symbol,
  a: id,
  p: decimalString,
  q: decimalString,
  T: epochMs,
  m: z.boolean(),
});
export type BinanceWsAggTrade = z.infer<typeof binanceWsAggTradeSchema>;

/**
 * `<symbol>@markPrice@1s` (docs):
 * {"e":"markPriceUpdate","E":1562305380000,"s":"BTCUSDT","p":"11794.15000000","i":"11784.62659091",
 *  "P":"11784.25641265","r":"0.00038167","T":1562306400000}
 * `r` is the running (predicted) rate of the current period; `""` and `T: 0` on delivery contracts.
 */
export const binanceWsMarkPriceSchema = z.looseObject({
  e: z.literal('markPriceUpdate'),
  E: epochMs,
  s: symbol,
  p: decimalString,
  i: decimalString,
  r: optionalDecimalString,
  T: epochMs,
});
export type BinanceWsMarkPrice = z.infer<typeof binanceWsMarkPriceSchema>;

/**
 * `<symbol>@kline_<interval>` (recorded, trimmed):
 * {"e":"kline","E":1626992741424,"s":"CTKUSDT","k":{"t":1626992700000,"T":1626992759999,"s":"CTKUSDT",
 *  "i":"1m","o":"1.01000","c":"1.01100","h":"1.01100","l":"1.01000","v":"3917","n":48,"x":false,
 *  "q":"3957.89900","V":"1729","Q":"1748.01900"}}
 * `x` = this candle is closed; `V` = taker buy base volume. Intervals outside `CANDLE_INTERVALS`
 * (3d, 1M) fail validation: they are never subscribed.
 */
export const binanceWsKlineSchema = z.looseObject({
  e: z.literal('kline'),
  E: epochMs,
  s: symbol,
  k: z.looseObject({
    t: epochMs,
    T: epochMs,
    i: z.enum(CANDLE_INTERVALS),
    o: decimalString,
    h: decimalString,
    l: decimalString,
    c: decimalString,
    v: decimalString,
    q: decimalString,
    V: decimalString,
    n: z.number().int().nonnegative(),
    x: z.boolean(),
  }),
});
export type BinanceWsKline = z.infer<typeof binanceWsKlineSchema>;

/**
 * `<symbol>@forceOrder` (docs):
 * {"e":"forceOrder","E":1568014460893,"o":{"s":"BTCUSDT","S":"SELL","o":"LIMIT","f":"IOC","q":"0.014",
 *  "p":"9910","ap":"9910","X":"FILLED","l":"0.014","z":"0.014","T":1568014460893}}
 * `S` is the liquidation order's side: SELL closes a long. Binance pushes at most one per symbol per
 * second (the latest), so the feed undercounts.
 */
export const binanceWsForceOrderSchema = z.looseObject({
  e: z.literal('forceOrder'),
  E: epochMs,
  o: z.looseObject({
    s: symbol,
    S: z.enum(['BUY', 'SELL']),
    q: decimalString,
    p: decimalString,
    ap: decimalString,
    z: decimalString,
    T: epochMs,
  }),
});
export type BinanceWsForceOrder = z.infer<typeof binanceWsForceOrderSchema>;

/**
 * `<symbol>@bookTicker` (recorded):
 * {"e":"bookTicker","u":600859600576,"s":"SUSHIUSDT","b":"7.6110","B":"2","a":"7.6120","A":"297",
 *  "T":1626992741012,"E":1626992741017}
 * `T` (transaction time) is preferred; `!bookTicker` and older payloads may carry only one of T/E.
 */
export const binanceWsBookTickerSchema = z
  .looseObject({
    e: z.literal('bookTicker'),
    s: symbol,
    b: decimalString,
    B: decimalString,
    a: decimalString,
    A: decimalString,
    T: epochMs.optional(),
    E: epochMs.optional(),
  })
  .refine((t) => t.T !== undefined || t.E !== undefined, { message: 'neither T nor E (time) present', path: ['T'] });
export type BinanceWsBookTicker = z.infer<typeof binanceWsBookTickerSchema>;

const level = z.tuple([decimalString, decimalString], z.unknown());

/**
 * `<symbol>@depth<5|10|20>[@100ms|@500ms]` partial book, and `<symbol>@depth[@100ms|@500ms]` diff
 * (recorded, trimmed; the same shape, told apart by the stream name):
 * {"e":"depthUpdate","E":1626992741037,"T":1626992741024,"s":"SUSHIUSDT","U":600859599090,
 *  "u":600859600917,"pu":600859598061,"b":[["7.5040","813"],["7.6090","0"]],"a":[["7.6150","1563"]]}
 */
export const binanceWsDepthSchema = z.looseObject({
  e: z.literal('depthUpdate'),
  E: epochMs,
  T: epochMs.optional(),
  s: symbol,
  b: z.array(level),
  a: z.array(level),
});
export type BinanceWsDepth = z.infer<typeof binanceWsDepthSchema>;

/**
 * `<symbol>@depth[@100ms|@500ms]` diff (recorded, as above): `U` first and `u` last update id of the
 * event, `pu` the `u` of the previous event on this stream; quantities are absolute, "0" removes a level.
 */
export const binanceWsDepthDiffSchema = binanceWsDepthSchema.extend({
  U: id,
  u: id,
  pu: z.number().int(),
});
export type BinanceWsDepthDiff = z.infer<typeof binanceWsDepthDiffSchema>;

/** `{stream, data}`; `data` is checked by the payload schema its `e` selects. */
export const binanceWsEnvelopeSchema = z.looseObject({ stream: z.string().min(1), data: z.unknown() });
export type BinanceWsEnvelope = z.infer<typeof binanceWsEnvelopeSchema>;

// --- Mappers (wire -> domain) ---

export function toStreamTrade(t: BinanceWsAggTrade): Trade {
  return { symbol: t.s, id: t.a, price: t.p, qty: t.q, time: t.T, side: t.m ? 'SELL' : 'BUY' };
}

export function toStreamMarkPrice(m: BinanceWsMarkPrice): MarkPrice {
  return { symbol: m.s, markPrice: m.p, indexPrice: m.i, predictedFundingRate: m.r, nextFundingTime: m.T, time: m.E };
}

export function toStreamCandle(k: BinanceWsKline): Candle {
  const c = k.k;
  return {
    symbol: k.s,
    interval: c.i,
    openTime: c.t,
    closeTime: c.T,
    open: c.o,
    high: c.h,
    low: c.l,
    close: c.c,
    volume: c.v,
    quoteVolume: c.q,
    takerBuyVolume: c.V,
    trades: c.n,
    closed: c.x,
  };
}

/** qty is the filled quantity `z` (what was actually liquidated), priced at the average fill `ap`. */
export function toLiquidation(f: BinanceWsForceOrder): Liquidation {
  const o = f.o;
  return {
    symbol: o.s,
    side: o.S,
    liquidatedSide: o.S === 'SELL' ? 'LONG' : 'SHORT',
    price: o.p,
    averagePrice: o.ap,
    qty: o.z,
    notional: o.ap * o.z,
    time: o.T,
    complete: false,
  };
}

export function toBookTicker(t: BinanceWsBookTicker): BookTicker {
  // The refine guarantees one of the two.
  const time = t.T ?? t.E ?? 0;
  return { symbol: t.s, bidPrice: t.b, bidQty: t.B, askPrice: t.a, askQty: t.A, time };
}

/**
 * Partial book -> `OrderBook`, best level first on each side. Binance's own docs show the levels in
 * either order, so they are sorted here; empty levels (qty 0) are dropped.
 */
export function toOrderBook(d: BinanceWsDepth): OrderBook {
  const side = (levels: ReadonlyArray<readonly [number, number, ...unknown[]]>): PriceLevel[] =>
    levels.filter(([, qty]) => qty > 0).map(([price, qty]) => [price, qty] as const);
  return {
    symbol: d.s,
    bids: side(d.b).sort((x, y) => y[0] - x[0]),
    asks: side(d.a).sort((x, y) => x[0] - y[0]),
    time: d.T ?? d.E,
  };
}

// --- Entry point ---

/** Partial book depth stream: `@depth5`, `@depth10`, `@depth20`, optionally `@100ms|@250ms|@500ms`. */
const PARTIAL_DEPTH = /@depth(?:5|10|20)(?:@\d+ms)?$/;

function endpointOf(raw: unknown): string {
  if (typeof raw === 'object' && raw !== null && 'stream' in raw && typeof raw.stream === 'string') return `ws ${raw.stream}`;
  return 'ws stream';
}

function parseAs<T>(schema: z.ZodType<T>, stream: string, data: unknown): T[] {
  const wrapped = z.object({ data: Array.isArray(data) ? z.array(schema) : schema });
  const parsed = wrapped.safeParse({ data });
  if (!parsed.success) throw new BadResponseError(VENUE, `ws ${stream}`, formatIssues(parsed.error.issues));
  const out = parsed.data.data;
  return Array.isArray(out) ? out : [out as T];
}

/**
 * One combined-stream message (`{stream, data}`, already JSON-parsed, or the raw text) -> its events.
 * `data` may be one payload or an array of them (`!markPrice@arr`).
 *
 * - aggTrade -> `trade`; markPriceUpdate -> `markPrice`; kline -> `candle`; forceOrder -> `liquidation`
 *   (`complete: false`); bookTicker -> `bookTicker`; partial depth (`@depth<N>`) -> `orderBook`.
 * - A diff-depth update (`@depth`, `@depth@100ms`) is validated but yields nothing: applying diffs needs
 *   a local book synced with a REST snapshot, which this mapper does not keep.
 * - A well-formed payload of an event type not listed (e.g. `24hrTicker`) yields nothing.
 *
 * @throws BadResponseError naming the field path (e.g. `data.p: expected a decimal string, got "abc"`)
 *   when the envelope or a payload fails validation, so nothing NaN ever reaches a consumer.
 */
export function parseStreamMessage(raw: unknown): SymbolEvent[] {
  let message = raw;
  if (typeof raw === 'string') {
    try {
      message = JSON.parse(raw) as unknown;
    } catch (err) {
      throw new BadResponseError(VENUE, 'ws stream', [`invalid JSON (${raw.length} chars): ${(err as Error).message}`]);
    }
  }
  const envelope = binanceWsEnvelopeSchema.safeParse(message);
  if (!envelope.success) throw new BadResponseError(VENUE, endpointOf(message), formatIssues(envelope.error.issues));
  const { stream, data } = envelope.data;

  const first: unknown = Array.isArray(data) ? data[0] : data;
  if (first === undefined) return [];
  const type = typeof first === 'object' && first !== null && 'e' in first ? first.e : undefined;
  if (typeof type !== 'string') {
    const path = Array.isArray(data) ? 'data[0].e' : 'data.e';
    throw new BadResponseError(VENUE, `ws ${stream}`, [`${path}: expected an event type string`]);
  }

  switch (type) {
    case 'aggTrade':
      return parseAs(binanceWsAggTradeSchema, stream, data).map((t) => ({ type: 'trade', trade: toStreamTrade(t) }));
    case 'markPriceUpdate':
      return parseAs(binanceWsMarkPriceSchema, stream, data).map((m) => ({ type: 'markPrice', mark: toStreamMarkPrice(m) }));
    case 'kline':
      return parseAs(binanceWsKlineSchema, stream, data).map((k) => ({ type: 'candle', candle: toStreamCandle(k) }));
    case 'forceOrder':
      return parseAs(binanceWsForceOrderSchema, stream, data).map((f) => ({ type: 'liquidation', liquidation: toLiquidation(f) }));
    case 'bookTicker':
      return parseAs(binanceWsBookTickerSchema, stream, data).map((t) => ({ type: 'bookTicker', book: toBookTicker(t) }));
    case 'depthUpdate': {
      const books = parseAs(binanceWsDepthSchema, stream, data);
      return PARTIAL_DEPTH.test(stream) ? books.map((d) => ({ type: 'orderBook', book: toOrderBook(d) })) : [];
    }
    default:
      return [];
  }
}

/** Diff-depth stream name: `<s>@depth`, `<s>@depth@100ms`, `<s>@depth@500ms` (not the partial `@depth<N>`). */
const DIFF_DEPTH = /@depth(?:@\d+ms)?$/;

/**
 * A diff-depth message (`{stream, data}` with a diff-depth stream name) -> its validated diff; null for any
 * other stream (those go to `parseStreamMessage`).
 * @throws BadResponseError when a diff-depth payload fails validation.
 */
export function parseDepthDiffMessage(message: unknown): BinanceWsDepthDiff | null {
  if (typeof message !== 'object' || message === null || !('stream' in message) || typeof message.stream !== 'string') return null;
  if (!DIFF_DEPTH.test(message.stream)) return null;
  const data = 'data' in message ? message.data : undefined;
  const parsed = binanceWsDepthDiffSchema.safeParse(data);
  if (!parsed.success) throw new BadResponseError(VENUE, `ws ${message.stream}`, formatIssues(parsed.error.issues).map((m) => `data.${m}`));
  return parsed.data;
}

// --- Stream names ---

export interface StreamNameOptions {
  /** `<s>@aggTrade`. Default true. */
  aggTrade?: boolean;
  /** `<s>@markPrice@1s` ('1s') or `<s>@markPrice` ('3s'); false for none. Default '1s'. */
  markPrice?: '1s' | '3s' | false;
  /** `<s>@kline_<i>` per interval. Default ['1m']. */
  klines?: readonly CandleInterval[];
  /** `<s>@forceOrder`. Default true. */
  forceOrder?: boolean;
  /** `<s>@bookTicker` (busy: one message per top-of-book change). Default false. */
  bookTicker?: boolean;
  /** `<s>@depth<levels>[@<speed>]` partial book; speed '250ms' is Binance's default (no suffix). Default none. */
  depth?: { levels: 5 | 10 | 20; speed?: '100ms' | '250ms' | '500ms' } | false;
  /** `<s>@depth@<speed>` diff stream for a local book. Default none. */
  diffDepth?: '100ms' | '250ms' | '500ms' | false;
}

const SYMBOL = /^[A-Za-z0-9_]+$/;

/**
 * Combined-stream names for `symbols` (lowercased, as Binance requires), in symbol order, without
 * duplicates, e.g. `btcusdt@aggTrade`, `btcusdt@markPrice@1s`, `btcusdt@kline_1m`, `btcusdt@forceOrder`,
 * `btcusdt@bookTicker`, `btcusdt@depth20@500ms`.
 * @throws RangeError on a symbol that cannot be a Binance symbol (quoted).
 */
export function streamNamesFor(symbols: readonly string[], options: StreamNameOptions = {}): string[] {
  const { aggTrade = true, markPrice = '1s', klines = ['1m'], forceOrder = true, bookTicker = false, depth = false, diffDepth = false } = options;
  const names = new Set<string>();
  for (const raw of symbols) {
    if (!SYMBOL.test(raw)) throw new RangeError(`not a Binance symbol: ${JSON.stringify(raw)}`);
    const s = raw.toLowerCase();
    if (aggTrade) names.add(`${s}@aggTrade`);
    if (markPrice) names.add(markPrice === '1s' ? `${s}@markPrice@1s` : `${s}@markPrice`);
    for (const interval of klines) names.add(`${s}@kline_${interval}`);
    if (forceOrder) names.add(`${s}@forceOrder`);
    if (bookTicker) names.add(`${s}@bookTicker`);
    if (depth) names.add(`${s}@depth${depth.levels}${depth.speed && depth.speed !== '250ms' ? `@${depth.speed}` : ''}`);
    if (diffDepth) names.add(`${s}@depth${diffDepth !== '250ms' ? `@${diffDepth}` : ''}`);
  }
  return [...names];
}
