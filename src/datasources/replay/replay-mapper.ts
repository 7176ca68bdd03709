import {
  INTERVAL_MS,
  LongShortKinds,
  type Candle,
  type CandleInterval,
  type LongShortKind,
  type MarketEvent,
  type OptionQuote,
  type TradeSide,
} from '../../domain/market.js';
import type { ReplayFile } from './replay-files.js';

/**
 * Recorded rows -> domain events. Every row is validated field by field; a bad row throws
 * `ReplayRowError` quoting the value, and the reader skips it (counted and logged per file).
 *
 * Fields a recording does not carry are null in the domain types (unknown), never a neutral number
 * (see each mapper).
 */

/** One event and where it sits on the replay clock. */
export interface TimedEvent {
  /** Data time at which the event is emitted (candles: their close time). */
  time: number;
  /** Series the event belongs to; duplicates across overlapping files are dropped per key. */
  key: string;
  /** Strictly increasing within a key (time, or the trade id for trades). */
  ordinal: number;
  event: MarketEvent;
}

export interface MapContext {
  symbol: string;
  interval: CandleInterval | null;
  /** Added to every time (a looping replay shifts each pass). */
  offset: number;
  /** Hours between funding settlements, for `MarkPrice.nextFundingTime`. */
  fundingIntervalHours: number;
  /** The CSV header, for files read by column name (multi-symbol OI export, option chains); else null. */
  header: readonly string[] | null;
  /** The value column of this symbol in a multi-symbol file. */
  column?: string;
}

export type RecordMapper = (fields: readonly string[], ctx: MapContext) => TimedEvent[];

export class ReplayRowError extends Error {
  override name = 'ReplayRowError';
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?)?(?:Z|[+]00:?00)?$/;

/**
 * Epoch numbers in the dumps come in ms, and since 2025 in µs for data.binance.vision SPOT files. Values
 * below 1e11 are taken as seconds, from 1e14 on as microseconds.
 */
export function normalizeEpoch(value: number): number {
  if (value >= 1e14) return Math.floor(value / 1000);
  if (value < 1e11) return value * 1000;
  return value;
}

/** A time column: epoch (s / ms / µs) or a UTC `YYYY-MM-DD[ HH:MM[:SS[.fff]]]` string. */
export function parseTime(raw: string | undefined, column: string): number {
  if (raw === undefined || raw === '') throw new ReplayRowError(`${column} is missing`);
  const n = Number(raw);
  if (Number.isFinite(n)) return normalizeEpoch(n);
  const m = DATE_TIME.exec(raw);
  if (!m) throw new ReplayRowError(`${column} is not a time: "${raw}"`);
  const [, y, mo, d, h, mi, s, ms] = m;
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0), Number((ms ?? '0').padEnd(3, '0')));
}

function num(raw: string | undefined, column: string): number {
  if (raw === undefined || raw === '') throw new ReplayRowError(`${column} is missing`);
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new ReplayRowError(`${column} is not a number: "${raw}"`);
  return n;
}

/** An optional numeric column: null (unknown) when absent or empty, never a made-up number. */
function optNum(raw: string | undefined, column: string): number | null {
  return raw === undefined || raw === '' ? null : num(raw, column);
}

function bool(raw: string | undefined, column: string): boolean {
  const v = raw?.toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new ReplayRowError(`${column} is not a boolean: "${raw ?? ''}"`);
}

/** A header row: its first field is neither a number nor a date (`open_time`, `timestamp`, `create_time`…). */
export function isHeaderRow(fields: readonly string[]): boolean {
  const first = fields[0] ?? '';
  return !Number.isFinite(Number(first)) && !DATE_TIME.test(first);
}

function needInterval(ctx: MapContext): CandleInterval {
  if (ctx.interval === null) throw new ReplayRowError('file has no candle interval');
  return ctx.interval;
}

/** The first settlement strictly after `time` on the venue's fixed UTC schedule (00/08/16 for 8 h). */
export function nextFundingTime(time: number, intervalHours: number): number {
  const step = intervalHours * 3_600_000;
  return Math.floor(time / step) * step + step;
}

/**
 * Klines, in both containers. Vision CSV (12 columns; `open_time` in ms, µs or, in the spot export, a UTC
 * string):
 *   `1758240000000,117017.1,117100.0,117010.8,117043.4,360.735,1758240299999,42218513.2,10452,180.1,21078321.1,0`
 * freqtrade JSON (6 columns, open time in ms): `[1758240000000,117017.1,117100.0,117010.8,117043.4,360.735]`
 * freqtrade has no close time (taken as openTime + interval − 1, as Binance stamps it) and no quote
 * volume, trade count or taker-buy volume: those stay null (unknown, not "nobody traded / bought").
 */
function toCandle(fields: readonly string[], ctx: MapContext): Candle {
  const interval = needInterval(ctx);
  const openTime = parseTime(fields[0], 'open_time');
  const closeTime = fields[6] === undefined || fields[6] === '' ? openTime + INTERVAL_MS[interval] - 1 : parseTime(fields[6], 'close_time');
  if (closeTime <= openTime) throw new ReplayRowError(`close_time ${closeTime} is not after open_time ${openTime}`);
  return {
    symbol: ctx.symbol,
    interval,
    openTime: openTime + ctx.offset,
    closeTime: closeTime + ctx.offset,
    open: num(fields[1], 'open'),
    high: num(fields[2], 'high'),
    low: num(fields[3], 'low'),
    close: num(fields[4], 'close'),
    volume: num(fields[5], 'volume'),
    quoteVolume: optNum(fields[7], 'quote_volume'),
    trades: optNum(fields[8], 'count'),
    takerBuyVolume: optNum(fields[9], 'taker_buy_volume'),
    closed: true,
  };
}

/** Futures klines: a closed candle, emitted at its close time. */
const candleMapper: RecordMapper = (fields, ctx) => {
  const candle = toCandle(fields, ctx);
  return [{ time: candle.closeTime, key: `candle:${ctx.symbol}:${candle.interval}`, ordinal: candle.openTime, event: { type: 'candle', candle } }];
};

/** Spot klines: the close as the spot price at the close time (1h/4h/1d closes coincide and dedupe). */
const spotKlineMapper: RecordMapper = (fields, ctx) => {
  const c = toCandle(fields, ctx);
  return [{ time: c.closeTime, key: `spot:${ctx.symbol}`, ordinal: c.closeTime, event: { type: 'spotPrice', spot: { symbol: ctx.symbol, price: c.close, time: c.closeTime } } }];
};

/**
 * Mark-price klines (freqtrade `*-mark.json` `[ms,o,h,l,c,0]`, vision `markPriceKlines`): the close as the
 * mark price at the close time. The recordings carry no index price and no predicted rate: both are null
 * (unknown; an index equal to the mark would be a fake 0 % premium).
 */
const markMapper: RecordMapper = (fields, ctx) => {
  const c = toCandle(fields, ctx);
  return [
    {
      time: c.closeTime,
      key: `mark:${ctx.symbol}`,
      ordinal: c.closeTime,
      event: {
        type: 'markPrice',
        mark: {
          symbol: ctx.symbol,
          markPrice: c.close,
          indexPrice: null,
          predictedFundingRate: null,
          nextFundingTime: nextFundingTime(c.closeTime, ctx.fundingIntervalHours),
          time: c.closeTime,
        },
      },
    },
  ];
};

function fundingEvent(ctx: MapContext, fundingTime: number, rate: number): TimedEvent {
  const time = fundingTime + ctx.offset;
  return { time, key: `funding:${ctx.symbol}`, ordinal: time, event: { type: 'funding', funding: { symbol: ctx.symbol, rate, fundingTime: time, markPrice: null } } };
}

/** freqtrade funding JSON: `[1758268800005,0.00002109,0.0,0.0,0.0,0.0]` (rate in the "open" slot). */
const freqtradeFundingMapper: RecordMapper = (fields, ctx) => [fundingEvent(ctx, parseTime(fields[0], 'date'), num(fields[1], 'funding_rate'))];

/** Vision `calc_time,funding_interval_hours,last_funding_rate`: `1751328000007,8,0.00008191`. */
const visionFundingMapper: RecordMapper = (fields, ctx) => [fundingEvent(ctx, parseTime(fields[0], 'calc_time'), num(fields[2], 'last_funding_rate'))];

/** Futures trades keep every trade; spot trades become spot prices, one per millisecond (the first). */
function tradeEvents(ctx: MapContext, spot: boolean, id: number, price: number, qty: number, rawTime: number, isBuyerMaker: boolean): TimedEvent[] {
  const time = rawTime + ctx.offset;
  if (spot) return [{ time, key: `spot:${ctx.symbol}`, ordinal: time, event: { type: 'spotPrice', spot: { symbol: ctx.symbol, price, time } } }];
  // The buyer was the maker, so the aggressor sold.
  const side: TradeSide = isBuyerMaker ? 'SELL' : 'BUY';
  return [{ time, key: `trade:${ctx.symbol}`, ordinal: id, event: { type: 'trade', trade: { symbol: ctx.symbol, id, price, qty, time, side } } }];
}

/**
 * Vision aggTrades `agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker`
 * (spot adds `is_best_match`): `26129,0.01633102,4.70443515,27781,27781,1498793709153,true`.
 */
function aggTradeMapper(spot: boolean): RecordMapper {
  return (f, ctx) =>
    tradeEvents(ctx, spot, num(f[0], 'agg_trade_id'), num(f[1], 'price'), num(f[2], 'quantity'), parseTime(f[5], 'transact_time'), bool(f[6], 'is_buyer_maker'));
}

/** Vision trades `id,price,qty,quote_qty,time,is_buyer_maker`: `28457,4.00000100,12.00000000,48.00,1499865549590,true`. */
function tradeMapper(spot: boolean): RecordMapper {
  return (f, ctx) => tradeEvents(ctx, spot, num(f[0], 'id'), num(f[1], 'price'), num(f[2], 'qty'), parseTime(f[4], 'time'), bool(f[5], 'is_buyer_maker'));
}

function longShort(ctx: MapContext, time: number, kind: LongShortKind, raw: string | undefined, column: string): TimedEvent[] {
  if (raw === undefined || raw === '') return [];
  const ratio = num(raw, column);
  if (ratio < 0) throw new ReplayRowError(`${column} is negative: "${raw}"`);
  return [
    {
      time,
      key: `lsr:${ctx.symbol}:${kind}`,
      ordinal: time,
      event: { type: 'longShortRatio', ratio: { symbol: ctx.symbol, kind, period: '5m', longShortRatio: ratio, longShare: ratio / (1 + ratio), shortShare: 1 / (1 + ratio), time } },
    },
  ];
}

/**
 * Vision metrics (5-minute statistics), `create_time,symbol,sum_open_interest,sum_open_interest_value,
 * count_toptrader_long_short_ratio,sum_toptrader_long_short_ratio,count_long_short_ratio,
 * sum_taker_long_short_vol_ratio`:
 *   `2025-07-01 00:05:00,ETHUSDT,1893129.089,4706583953.32646,1.91519612,3.27485900,1.46745437,1.08735800`
 * -> openInterest; longShortRatio TOP_ACCOUNTS (count_toptrader), TOP_POSITIONS (sum_toptrader),
 * GLOBAL_ACCOUNTS (count_long_short); takerVolume. The dump has only the taker buy/sell RATIO, so
 * `buyVolume`/`sellVolume` are the buy and sell SHARES of taker volume (summing to 1), not base-asset
 * volumes. Empty columns (older dumps) produce no event for that series.
 */
const metricsMapper: RecordMapper = (f, ctx) => {
  const time = parseTime(f[0], 'create_time') + ctx.offset;
  const out: TimedEvent[] = [];
  if (f[2] !== undefined && f[2] !== '') {
    const openInterestValue = f[3] === undefined || f[3] === '' ? null : num(f[3], 'sum_open_interest_value');
    out.push({
      time,
      key: `oi:${ctx.symbol}`,
      ordinal: time,
      event: { type: 'openInterest', openInterest: { symbol: ctx.symbol, openInterest: num(f[2], 'sum_open_interest'), openInterestValue, time } },
    });
  }
  out.push(...longShort(ctx, time, LongShortKinds.TOP_ACCOUNTS, f[4], 'count_toptrader_long_short_ratio'));
  out.push(...longShort(ctx, time, LongShortKinds.TOP_POSITIONS, f[5], 'sum_toptrader_long_short_ratio'));
  out.push(...longShort(ctx, time, LongShortKinds.GLOBAL_ACCOUNTS, f[6], 'count_long_short_ratio'));
  if (f[7] !== undefined && f[7] !== '') {
    const ratio = num(f[7], 'sum_taker_long_short_vol_ratio');
    if (ratio < 0) throw new ReplayRowError(`sum_taker_long_short_vol_ratio is negative: "${f[7]}"`);
    out.push({
      time,
      key: `taker:${ctx.symbol}`,
      ordinal: time,
      event: { type: 'takerVolume', volume: { symbol: ctx.symbol, period: '5m', buyVolume: ratio / (1 + ratio), sellVolume: 1 / (1 + ratio), buySellRatio: ratio, time } },
    });
  }
  return out;
};

/** Index of a named column in the header; throws (a structural problem, not a bad row) when absent. */
function columnIndex(ctx: MapContext, name: string): number {
  const i = ctx.header?.indexOf(name) ?? -1;
  if (i < 0) throw new Error(`no column "${name}" in the header (${(ctx.header ?? []).join(',')})`);
  return i;
}

/**
 * Binance daily open-interest value export (SOURCES.md §9), `date,btc_oi_value_usd,eth_oi_value_usd`:
 *   `2025-11-07,8336692202.3616,5695331016.800655`
 * -> openInterest of `ctx.symbol` from its column, at the date's 00:00 UTC as recorded. The export kept
 * only `sumOpenInterestValue` (USDT), so `openInterest` (contracts) is null, not derived from a price.
 */
const openInterestValueMapper: RecordMapper = (f, ctx) => {
  const time = parseTime(f[0], 'date') + ctx.offset;
  const raw = f[columnIndex(ctx, ctx.column ?? '')];
  if (raw === undefined || raw === '') return [];
  const value = num(raw, ctx.column ?? 'value');
  if (value < 0) throw new ReplayRowError(`${ctx.column ?? 'value'} is negative: "${raw}"`);
  return [
    {
      time,
      key: `oi:${ctx.symbol}`,
      ordinal: time,
      event: { type: 'openInterest', openInterest: { symbol: ctx.symbol, openInterest: null, openInterestValue: value, time } },
    },
  ];
};

/**
 * alternative.me Fear & Greed (SOURCES.md §6-7): CSV `Date,fng_value,fng_class` (`2025-04-23,72,Greed`) and
 * the API's JSON, read as `[timestamp_s, value, value_classification]`. Each value is stamped at 00:00 UTC
 * of its day, as alternative.me publishes it.
 */
const fearGreedMapper: RecordMapper = (f, ctx) => {
  const time = parseTime(f[0], 'date') + ctx.offset;
  const value = num(f[1], 'fng_value');
  if (!Number.isInteger(value) || value < 0 || value > 100) throw new ReplayRowError(`fng_value is not an integer within 0..100: "${f[1] ?? ''}"`);
  const classification = f[2] ?? '';
  if (classification === '') throw new ReplayRowError('fng_class is missing');
  return [{ time, key: 'fearGreed', ordinal: time, event: { type: 'fearGreed', fearGreed: { value, classification, time } } }];
};

/** A Python dict repr as pandas stringified it (`{'delta': -0.43897, 'gamma': 0.00037}`), parsed as JSON. */
function pythonDict(raw: string | undefined, column: string): Record<string, unknown> {
  if (raw === undefined || raw === '') return {};
  try {
    const json = raw.replace(/'/g, '"').replace(/\bNone\b/g, 'null').replace(/\bTrue\b/g, 'true').replace(/\bFalse\b/g, 'false');
    const parsed: unknown = JSON.parse(json);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new ReplayRowError(`${column} is not a dict: "${raw.slice(0, 60)}"`);
}

const positiveOrNull = (v: number | null): number | null => (v !== null && v > 0 ? v : null);
const finiteOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** One option of a chain row and the row's capture time and index price. */
export interface ChainRow {
  quote: OptionQuote;
  time: number;
  indexPrice: number;
}

/**
 * One row of a Deribit option-chain CSV (SOURCES.md §15: `get_order_book` per instrument plus its
 * instrument's strike/type/expiry, nested fields as Python reprs), trimmed:
 *   `0,1590134400000,put,BTC-22MAY20-9250-P,9250.0,9352.58,SYN.BTC-22MAY20,1589434896486,"{'volume': 30.5, …}",open,
 *    0.07,139.3,…,0.04010621,76.87,…,9350.67,"{'vega': 5.49167, 'theta': -26.07217, 'rho': -0.99385, 'gamma': 0.00037,
 *    'delta': -0.43897}",…,80.07,…,85.17`
 * Prices are in BTC (markPriceUsd = mark_price × underlying_price), IVs in percent, OI in contracts (1 BTC).
 * An empty IV cell is null.
 */
export function chainRow(f: readonly string[], ctx: MapContext): ChainRow {
  const at = (name: string): string | undefined => f[columnIndex(ctx, name)];
  const optNull = (name: string): number | null => {
    const raw = at(name);
    return raw === undefined || raw === '' ? null : num(raw, name);
  };
  // Book prices are optional columns (older exports of the same collector kept IVs only).
  const optionalColumn = (name: string): number | null => (ctx.header?.includes(name) ? optNull(name) : null);
  const type = at('option_type');
  if (type !== 'call' && type !== 'put') throw new ReplayRowError(`option_type is not call/put: "${type ?? ''}"`);
  const markPrice = num(at('mark_price'), 'mark_price');
  const underlyingPrice = num(at('underlying_price'), 'underlying_price');
  const greeks = pythonDict(at('greeks'), 'greeks');
  const stats = pythonDict(at('stats'), 'stats');
  const instrument = at('instrument_name') ?? '';
  return {
    quote: {
      instrument,
      currency: ctx.symbol,
      kind: type === 'call' ? 'CALL' : 'PUT',
      strike: num(at('strike'), 'strike'),
      expiry: parseTime(at('expiration_timestamp'), 'expiration_timestamp') + ctx.offset,
      markPrice,
      markPriceUsd: markPrice * underlyingPrice,
      // An empty book side is an empty cell here (the `bids`/`asks` list is `[]`); a zero bid is no bid.
      bidPrice: positiveOrNull(optionalColumn('best_bid_price')),
      askPrice: positiveOrNull(optionalColumn('best_ask_price')),
      markIv: optNull('mark_iv'),
      bidIv: optNull('bid_iv'),
      askIv: optNull('ask_iv'),
      openInterest: num(at('open_interest'), 'open_interest'),
      volume: finiteOrNull(stats.volume) ?? 0,
      underlyingPrice,
      delta: finiteOrNull(greeks.delta),
      gamma: finiteOrNull(greeks.gamma),
      vega: finiteOrNull(greeks.vega),
      theta: finiteOrNull(greeks.theta),
    },
    time: parseTime(at('timestamp'), 'timestamp') + ctx.offset,
    indexPrice: num(at('index_price'), 'index_price'),
  };
}

/**
 * The chain of one snapshot file: its rows, sorted by expiry, strike, calls first (as the live Deribit
 * mapper sorts), at the newest row's capture time and with that row's index price (the capture took
 * about 2.5 minutes, one request per option).
 */
export function chainEvent(rows: readonly ChainRow[], ctx: MapContext): TimedEvent | null {
  let newest: ChainRow | undefined;
  for (const r of rows) if (!newest || r.time > newest.time) newest = r;
  if (!newest) return null;
  const quotes = rows.map((r) => r.quote).sort((a, b) => a.expiry - b.expiry || a.strike - b.strike || (a.kind === b.kind ? 0 : a.kind === 'CALL' ? -1 : 1));
  const chain = { currency: ctx.symbol, venue: 'deribit', indexPrice: newest.indexPrice, quotes, time: newest.time };
  return { time: newest.time, key: `options:${ctx.symbol}`, ordinal: newest.time, event: { type: 'optionsChain', chain } };
}

/** Row mapper of an option chain: single rows map to nothing; `replay-stream` folds a file into one chain. */
const chainRowMapper: RecordMapper = () => [];

export function mapperFor(file: Pick<ReplayFile, 'content' | 'container' | 'market'>): RecordMapper {
  const spot = file.market === 'spot';
  switch (file.content) {
    case 'candles':
      return spot ? spotKlineMapper : candleMapper;
    case 'mark':
      return markMapper;
    case 'funding':
      return file.container === 'csv' ? visionFundingMapper : freqtradeFundingMapper;
    case 'aggTrades':
      return aggTradeMapper(spot);
    case 'trades':
      return tradeMapper(spot);
    case 'metrics':
      return metricsMapper;
    case 'openInterest':
      return openInterestValueMapper;
    case 'fearGreed':
      return fearGreedMapper;
    case 'optionsChain':
      return chainRowMapper;
  }
}
