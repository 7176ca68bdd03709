import { createFakeDepthBook, type FakeDepthBook } from './fake-binance-depth.js';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { INTERVAL_MS } from '../../src/domain/market.js';

/**
 * A local stand-in for the Binance USD-M futures REST API (`/fapi/v1/*`, `/futures/data/*`) and the
 * spot endpoints we use (`/api/v3/ticker/price`, `/api/v3/klines`, on the same server: point both URLs
 * at it), speaking the wire formats (decimals as strings, `{code,msg}` errors, `X-MBX-USED-WEIGHT-1M`
 * counted per minute and per venue, `Retry-After`) with deterministic generated data on the real clock:
 * funding settles at multiples of the funding interval since the epoch (00:00/08:00/16:00 UTC for 8 h),
 * prices, open interest and the statistics follow smooth functions of time, candles and statistics are
 * aligned to their period and the newest candle is still forming, one aggregate trade every 250 ms.
 * Faults can be injected per path prefix.
 */

export type FakeFault = (
  | { kind: '429'; retryAfterSec: number }
  | { kind: '418'; retryAfterSec: number }
  | { kind: '500' }
  /** A 5xx answer (default 503); with `times: N`, a burst of N. */
  | { kind: '5xx'; status?: number }
  | { kind: 'slow'; delayMs: number }
  /** Valid JSON with a corrupted field (e.g. premiumIndex `markPrice: "abc"`). */
  | { kind: 'malformed' }
  /** The first half of the JSON body. */
  | { kind: 'truncated' }
  /** Unexpected extra keys in every object (and an extra trailing field in kline rows): must be accepted. */
  | { kind: 'extraFields' }
  /** A required key dropped from the first item (a kline row loses its last field): must be rejected. */
  | { kind: 'missingFields' }
) & {
  /** Only requests whose path starts with this are affected (default: all). */
  path?: string;
  /** Affect this many requests, then clear (default: until `setFault(null)`). */
  times?: number;
};

export interface FakeSymbol {
  symbol: string;
  /** Price level around which prices move. Default from the symbol (BTC 60000, ETH 3000, else 100). */
  basePrice?: number;
  /** Listed in `/fapi/v1/fundingInfo` when set (Binance lists only adjusted symbols). */
  fundingIntervalHours?: number;
}

export interface FakeBinanceOptions {
  symbols: ReadonlyArray<string | FakeSymbol>;
  /**
   * Serve this recorded exchangeInfo (cryptofeed format: `URL -> ts: {json}`; the first line is used,
   * stripped up to its first `{`). Configured symbols missing from it are appended.
   */
  exchangeInfoFile?: string;
  /** Spacing of generated settlements for every symbol; short values let tests watch live settlements. */
  fundingIntervalMs?: number;
  /** Symbols the spot endpoints do not list (answer -1121, like a perpetual without a spot pair). */
  spotUnlisted?: readonly string[];
  /** Answer 429 (Retry-After: to the next minute) once a venue's weight in the last minute passes 2400 (futures) / 6000 (spot). */
  enforceWeightLimit?: boolean;
  /** Answer 418 (a 2-minute ban) to any request that arrives while a 429's Retry-After is still running, as Binance escalates. */
  banOnViolation?: boolean;
  /** Listen on this port (default: a free one). */
  port?: number;
  now?: () => number;
}

export interface FakeRequest {
  path: string;
  query: Record<string, string>;
  /** Epoch ms when the request arrived. */
  at: number;
  status: number;
  /** Request weight counted for it (0 until answered). */
  weight: number;
}

export type FakeVenue = 'futures' | 'spot';

export interface FakeBinance {
  url: string;
  requests: FakeRequest[];
  setFault(fault: FakeFault | null): void;
  /** Generated settlement rate for `symbol` at `fundingTime` (a multiple of its funding interval). */
  fundingRateAt(symbol: string, fundingTime: number): number;
  /** The symbol's settlement spacing in ms. */
  fundingIntervalMs(symbol: string): number;
  /** Weight counted in the last minute for a venue (what `X-MBX-USED-WEIGHT-1M` says). */
  usedWeight(venue?: FakeVenue): number;
  /** Generated values, for hand-checked expectations. */
  priceAt(symbol: string, t: number): number;
  openInterestAt(symbol: string, t: number): number;
  /** The symbol's venue-side order book: `/fapi/v1/depth` answers from it; its diffs go out over the fake WS. */
  depthBook(symbol: string): FakeDepthBook;
  close(): Promise<void>;
}

/** Binance interval names to milliseconds (the same table the adapters use). */
const INTERVALS: Readonly<Record<string, number>> = INTERVAL_MS;

/** Small stable hash of a symbol, for per-symbol phase offsets. */
function seedOf(symbol: string): number {
  let h = 2166136261;
  for (const c of symbol) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  return (h % 1000) / 100;
}

const defaultBase = (symbol: string) => (symbol.startsWith('BTC') ? 60_000 : symbol.startsWith('ETH') ? 3_000 : 100);

class HttpFail extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    msg: string,
  ) {
    super(msg);
  }
}

const badParam = (name: string) => new HttpFail(400, -1130, `Data sent for parameter '${name}' is not valid.`);

function intParam(query: Record<string, string>, name: string, min: number, max: number): number | undefined {
  const raw = query[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) throw badParam(name);
  return n;
}

/**
 * Indexes k of a series at times k*step (k*step <= newest) selected the Binance way: with startTime the
 * first `limit` at or after it (bounded by endTime/newest); otherwise the newest `limit` up to endTime.
 */
function selectSteps(step: number, newest: number, limit: number, startTime?: number, endTime?: number): number[] {
  const lastK = Math.floor(Math.min(newest, endTime ?? newest) / step);
  if (startTime !== undefined) {
    const firstK = Math.ceil(startTime / step);
    const out: number[] = [];
    for (let k = firstK; k <= lastK && out.length < limit; k++) out.push(k);
    return out;
  }
  const out: number[] = [];
  for (let k = Math.max(0, lastK - limit + 1); k <= lastK; k++) out.push(k);
  return out;
}

const STAT_PERIODS: Record<string, number> = {
  '5m': 300_000,
  '15m': 900_000,
  '30m': 1_800_000,
  '1h': 3_600_000,
  '2h': 7_200_000,
  '4h': 14_400_000,
  '6h': 21_600_000,
  '12h': 43_200_000,
  '1d': 86_400_000,
};

/** One aggregate trade every this many ms; trade k happens at k × TRADE_STEP_MS. */
const TRADE_STEP_MS = 250;
const SPOT_FACTOR = 0.9997;
const WEIGHT_LIMITS: Record<FakeVenue, number> = { futures: 2400, spot: 6000 };

/** The key of the first item each fault corrupts (malformed) or drops (missingFields). */
const REQUIRED_KEY: Record<string, string> = {
  '/fapi/v1/premiumIndex': 'markPrice',
  '/fapi/v1/fundingRate': 'fundingRate',
  '/fapi/v1/fundingInfo': 'fundingIntervalHours',
  '/fapi/v1/openInterest': 'openInterest',
  '/fapi/v1/aggTrades': 'p',
  '/fapi/v1/ticker/24hr': 'lastPrice',
  '/futures/data/openInterestHist': 'sumOpenInterest',
  '/futures/data/globalLongShortAccountRatio': 'longShortRatio',
  '/futures/data/topLongShortAccountRatio': 'longShortRatio',
  '/futures/data/topLongShortPositionRatio': 'longShortRatio',
  '/futures/data/takerlongshortRatio': 'buyVol',
  '/futures/data/basis': 'basis',
  '/api/v3/ticker/price': 'price',
};

const venueOf = (path: string): FakeVenue => (path.startsWith('/api/') ? 'spot' : 'futures');

/** Adds unknown keys to every object and a trailing field to every kline row, as Binance may do without notice. */
function withExtraFields(value: unknown, path: string): unknown {
  if (Array.isArray(value)) {
    if (path.endsWith('/klines') && value.every(Array.isArray)) return value.map((row: unknown[]) => [...row, '0', 'future']);
    return value.map((v) => withExtraFields(v, path));
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = withExtraFields(v, path);
    out.unexpectedField = 'x';
    out.newNestedField = { since: 'v2', values: [1, 2] };
    return out;
  }
  return value;
}

export async function startFakeBinance(options: FakeBinanceOptions): Promise<FakeBinance> {
  const now = options.now ?? Date.now;
  const symbols = options.symbols.map((s) => (typeof s === 'string' ? { symbol: s } : s));
  const bySymbol = new Map(symbols.map((s) => [s.symbol, s]));
  const spotUnlisted = new Set(options.spotUnlisted ?? []);
  const requests: FakeRequest[] = [];
  const weights: Record<FakeVenue, Array<{ at: number; weight: number }>> = { futures: [], spot: [] };
  const timers = new Set<NodeJS.Timeout>();
  let fault: FakeFault | null = null;
  const depthBooks = new Map<string, FakeDepthBook>();
  const depthBook = (symbol: string): FakeDepthBook => {
    let book = depthBooks.get(symbol);
    if (!book) {
      book = createFakeDepthBook({ symbol, basePrice: baseOf(symbol), seed: seedOf(symbol) });
      depthBooks.set(symbol, book);
    }
    return book;
  };

  let recorded: { text: string; symbols: Set<string> } | null = null;
  if (options.exchangeInfoFile) {
    const firstLine = readFileSync(options.exchangeInfoFile, 'utf8').split('\n')[0] ?? '';
    const text = firstLine.slice(firstLine.indexOf('{'));
    const parsed = JSON.parse(text) as { symbols: Array<{ symbol: string }> };
    recorded = { text, symbols: new Set(parsed.symbols.map((s) => s.symbol)) };
  }
  const known = (symbol: string) => bySymbol.has(symbol) || (recorded?.symbols.has(symbol) ?? false);

  const intervalOf = (symbol: string) => options.fundingIntervalMs ?? (bySymbol.get(symbol)?.fundingIntervalHours ?? 8) * 3_600_000;
  const baseOf = (symbol: string) => bySymbol.get(symbol)?.basePrice ?? defaultBase(symbol);
  const decimalsOf = (symbol: string) => (baseOf(symbol) >= 10 ? 2 : 4);

  function fundingRateAt(symbol: string, fundingTime: number): number {
    const k = Math.round(fundingTime / intervalOf(symbol));
    return Number((0.0001 + 0.0002 * Math.sin(k * 0.7 + seedOf(symbol))).toFixed(8));
  }

  function priceAt(symbol: string, t: number): number {
    const s = seedOf(symbol);
    const p = baseOf(symbol) * (1 + 0.02 * Math.sin(t / 3_600_000 + s) + 0.002 * Math.sin(t / 97_000 + 2 * s));
    return Number(p.toFixed(decimalsOf(symbol)));
  }

  /** Contracts open: about 1.4 BTC-equivalent per $100k of price level, slowly breathing. */
  function openInterestAt(symbol: string, t: number): number {
    const base = 8e9 / baseOf(symbol);
    return Number((base * (1 + 0.05 * Math.sin(t / 7_200_000 + seedOf(symbol)))).toFixed(3));
  }

  const px = (symbol: string, p: number) => p.toFixed(decimalsOf(symbol));

  function requireSymbol(query: Record<string, string>, name = 'symbol'): string {
    const symbol = query[name];
    if (symbol === undefined) throw new HttpFail(400, -1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`);
    if (!known(symbol)) throw new HttpFail(400, -1121, 'Invalid symbol.');
    return symbol;
  }

  function requireSpotSymbol(symbol: string): string {
    if (!known(symbol) || spotUnlisted.has(symbol)) throw new HttpFail(400, -1121, 'Invalid symbol.');
    return symbol;
  }

  function exchangeInfo(): unknown {
    const generated = (s: FakeSymbol) => {
      const quoteAsset = s.symbol.match(/(USDT|USDC|BUSD)$/)?.[1] ?? 'USDT';
      const tick = decimalsOf(s.symbol) === 2 ? '0.01' : '0.0001';
      return {
        symbol: s.symbol,
        pair: s.symbol,
        contractType: 'PERPETUAL',
        deliveryDate: 4133404800000,
        onboardDate: 1569398400000,
        status: 'TRADING',
        baseAsset: s.symbol.slice(0, -quoteAsset.length),
        quoteAsset,
        marginAsset: quoteAsset,
        pricePrecision: decimalsOf(s.symbol),
        quantityPrecision: 3,
        filters: [
          { minPrice: tick, maxPrice: '1000000', filterType: 'PRICE_FILTER', tickSize: tick },
          { stepSize: '0.001', filterType: 'LOT_SIZE', maxQty: '1000', minQty: '0.001' },
          { stepSize: '0.001', filterType: 'MARKET_LOT_SIZE', maxQty: '1000', minQty: '0.001' },
          { notional: '5', filterType: 'MIN_NOTIONAL' },
        ],
        orderTypes: ['LIMIT', 'MARKET'],
        timeInForce: ['GTC', 'IOC', 'FOK', 'GTX'],
      };
    };
    if (recorded) {
      const info = JSON.parse(recorded.text) as { symbols: unknown[] };
      for (const s of symbols) if (!recorded.symbols.has(s.symbol)) info.symbols.push(generated(s));
      return info;
    }
    return {
      timezone: 'UTC',
      serverTime: now(),
      futuresType: 'U_MARGINED',
      rateLimits: [
        { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 2400 },
        { rateLimitType: 'ORDERS', interval: 'MINUTE', intervalNum: 1, limit: 1200 },
      ],
      exchangeFilters: [],
      assets: [],
      symbols: symbols.map(generated),
    };
  }

  function premiumIndexOf(symbol: string, t: number) {
    const step = intervalOf(symbol);
    const next = (Math.floor(t / step) + 1) * step;
    const progress = 1 - (next - t) / step;
    const mark = priceAt(symbol, t);
    return {
      symbol,
      markPrice: px(symbol, mark),
      indexPrice: px(symbol, mark * 0.9998),
      estimatedSettlePrice: px(symbol, mark * 0.9999),
      // The running estimate drifts towards the rate that will settle at `next`.
      lastFundingRate: (fundingRateAt(symbol, next) * (0.5 + 0.5 * progress)).toFixed(8),
      interestRate: '0.00010000',
      nextFundingTime: next,
      time: t,
    };
  }

  const timeParams = (query: Record<string, string>) => ({
    startTime: intParam(query, 'startTime', 0, Number.MAX_SAFE_INTEGER),
    endTime: intParam(query, 'endTime', 0, Number.MAX_SAFE_INTEGER),
  });

  function fundingRows(query: Record<string, string>): unknown[] {
    const symbol = requireSymbol(query);
    const limit = intParam(query, 'limit', 1, 1000) ?? 100;
    const step = intervalOf(symbol);
    const { startTime, endTime } = timeParams(query);
    const ks = selectSteps(step, now(), limit, startTime, endTime);
    return ks.map((k) => ({
      symbol,
      fundingTime: k * step,
      fundingRate: fundingRateAt(symbol, k * step).toFixed(8),
      markPrice: priceAt(symbol, k * step).toFixed(8),
    }));
  }

  function klineRows(query: Record<string, string>, spot: boolean): unknown[] {
    const symbol = spot ? requireSpotSymbol(requireSymbol(query)) : requireSymbol(query);
    const factor = spot ? SPOT_FACTOR : 1;
    const interval = query.interval;
    const step = interval === undefined ? undefined : INTERVALS[interval];
    if (step === undefined) throw new HttpFail(400, -1120, 'Invalid interval.');
    const limit = intParam(query, 'limit', 1, spot ? 1000 : 1500) ?? 500;
    const t = now();
    const { startTime, endTime } = timeParams(query);
    // Binance weekly klines open on Monday 00:00 UTC (the epoch was a Thursday): bars are k·step + 4 days.
    const offset = interval === '1w' ? 4 * 86_400_000 : 0;
    const shift = (x: number | undefined) => (x === undefined ? undefined : x - offset);
    const ks = selectSteps(step, t - offset, limit, shift(startTime), shift(endTime));
    return ks.map((k) => {
      const openTime = k * step + offset;
      const closeTime = openTime + step - 1;
      const open = priceAt(symbol, openTime) * factor;
      const close = priceAt(symbol, Math.min(t, closeTime + 1)) * factor;
      const high = Math.max(open, close) * 1.001;
      const low = Math.min(open, close) * 0.999;
      const volume = 100 + (k % 17) * 3.5;
      const takerBuy = volume * (0.4 + (k % 5) * 0.05);
      const avg = (open + close) / 2;
      return [
        openTime,
        px(symbol, open),
        px(symbol, high),
        px(symbol, low),
        px(symbol, close),
        volume.toFixed(3),
        closeTime,
        (volume * avg).toFixed(5),
        1000 + (k % 300),
        takerBuy.toFixed(3),
        (takerBuy * avg).toFixed(5),
        '0',
      ];
    });
  }

  function aggTradeOf(symbol: string, k: number) {
    const T = k * TRADE_STEP_MS;
    return { a: k, p: px(symbol, priceAt(symbol, T)), q: (0.001 * (1 + (k % 50))).toFixed(3), f: 2 * k, l: 2 * k + 1, T, m: k % 3 === 0 };
  }

  /** Binance semantics: fromId first; else startTime/endTime (≤ 1 h); else the newest `limit`. */
  function aggTradeRows(query: Record<string, string>): unknown[] {
    const symbol = requireSymbol(query);
    const limit = intParam(query, 'limit', 1, 1000) ?? 500;
    const newest = Math.floor(now() / TRADE_STEP_MS);
    const fromId = intParam(query, 'fromId', 0, Number.MAX_SAFE_INTEGER);
    const { startTime, endTime } = timeParams(query);
    let first: number;
    let last = newest;
    if (fromId !== undefined) first = fromId;
    else if (startTime !== undefined || endTime !== undefined) {
      if (startTime !== undefined && endTime !== undefined && endTime - startTime > 3_600_000)
        throw new HttpFail(400, -1127, 'More than 1 hours between startTime and endTime.');
      const end = endTime ?? (startTime ?? 0) + 3_600_000;
      const start = startTime ?? end - 3_600_000;
      first = Math.ceil(start / TRADE_STEP_MS);
      last = Math.min(newest, Math.floor(end / TRADE_STEP_MS));
    } else first = newest - limit + 1;
    const out: unknown[] = [];
    for (let k = Math.max(0, first); k <= last && out.length < limit; k++) out.push(aggTradeOf(symbol, k));
    return out;
  }

  /** Rows of a `/futures/data` series at period boundaries, newest `limit` (or from startTime), last 30 days. */
  function statSteps(query: Record<string, string>, maxLimit = 500): { step: number; ks: number[] } {
    const period = query.period;
    if (period === undefined) throw new HttpFail(400, -1102, "Mandatory parameter 'period' was not sent, was empty/null, or malformed.");
    const step = STAT_PERIODS[period];
    if (step === undefined) throw new HttpFail(400, -1130, "Data sent for parameter 'period' is not valid.");
    const limit = intParam(query, 'limit', 1, maxLimit) ?? 30;
    const t = now();
    const { startTime, endTime } = timeParams(query);
    const oldest = t - 30 * 86_400_000;
    const ks = selectSteps(step, t, limit, startTime === undefined ? undefined : Math.max(startTime, oldest), endTime).filter((k) => k * step >= oldest);
    return { step, ks };
  }

  const KIND_PHASE: Record<string, number> = { globalLongShortAccountRatio: 0, topLongShortAccountRatio: 1.3, topLongShortPositionRatio: 2.6 };

  function longShortRows(kind: string, query: Record<string, string>): unknown[] {
    const symbol = requireSymbol(query);
    const { step, ks } = statSteps(query);
    return ks.map((k) => {
      const t = k * step;
      const long = Number((0.5 + 0.15 * Math.sin(t / 5_400_000 + seedOf(symbol) + (KIND_PHASE[kind] ?? 0))).toFixed(4));
      const short = Number((1 - long).toFixed(4));
      return { symbol, longShortRatio: (long / short).toFixed(4), longAccount: long.toFixed(4), shortAccount: short.toFixed(4), timestamp: t };
    });
  }

  function takerRows(query: Record<string, string>): unknown[] {
    const symbol = requireSymbol(query);
    const { step, ks } = statSteps(query);
    return ks.map((k) => {
      const t = k * step;
      const buy = Number((300 + 100 * Math.sin(t / 4_000_000 + seedOf(symbol))).toFixed(3));
      const sell = Number((300 + 100 * Math.cos(t / 4_000_000 + seedOf(symbol))).toFixed(3));
      return { buySellRatio: (buy / sell).toFixed(4), buyVol: buy.toFixed(3), sellVol: sell.toFixed(3), timestamp: t };
    });
  }

  function openInterestHistRows(query: Record<string, string>): unknown[] {
    const symbol = requireSymbol(query);
    const { step, ks } = statSteps(query);
    return ks.map((k) => {
      const t = k * step;
      const oi = openInterestAt(symbol, t);
      return {
        symbol,
        sumOpenInterest: oi.toFixed(8),
        sumOpenInterestValue: (oi * priceAt(symbol, t)).toFixed(8),
        CMCCirculatingSupply: '19800000.00',
        timestamp: t,
      };
    });
  }

  function basisRows(query: Record<string, string>): unknown[] {
    const pair = requireSymbol(query, 'pair');
    const contractType = query.contractType;
    if (contractType === undefined) throw new HttpFail(400, -1102, "Mandatory parameter 'contractType' was not sent, was empty/null, or malformed.");
    if (!['PERPETUAL', 'CURRENT_QUARTER', 'NEXT_QUARTER'].includes(contractType)) throw badParam('contractType');
    if (query.limit === undefined) throw new HttpFail(400, -1102, "Mandatory parameter 'limit' was not sent, was empty/null, or malformed.");
    const { step, ks } = statSteps(query);
    return ks.map((k) => {
      const t = k * step;
      const futures = priceAt(pair, t);
      const index = futures * (1 - 0.0005 * (1 + Math.sin(t / 3_000_000)));
      const basis = futures - index;
      return {
        indexPrice: index.toFixed(8),
        contractType,
        basisRate: (basis / index).toFixed(4),
        futuresPrice: px(pair, futures),
        annualizedBasisRate: '',
        basis: basis.toFixed(8),
        pair,
        timestamp: t,
      };
    });
  }

  function ticker24hOf(symbol: string, t: number) {
    const open = priceAt(symbol, t - 86_400_000);
    const last = priceAt(symbol, t);
    let high = Math.max(open, last);
    let low = Math.min(open, last);
    for (let x = t - 86_400_000; x <= t; x += 600_000) {
      const p = priceAt(symbol, x);
      high = Math.max(high, p);
      low = Math.min(low, p);
    }
    const volume = 150_000 + 20_000 * Math.sin(t / 86_400_000);
    return {
      symbol,
      priceChange: px(symbol, last - open),
      priceChangePercent: (((last - open) / open) * 100).toFixed(3),
      weightedAvgPrice: px(symbol, (open + last) / 2),
      lastPrice: px(symbol, last),
      lastQty: '0.010',
      openPrice: px(symbol, open),
      highPrice: px(symbol, high),
      lowPrice: px(symbol, low),
      volume: volume.toFixed(3),
      quoteVolume: (volume * (open + last) * 0.5).toFixed(2),
      openTime: t - 86_400_000,
      closeTime: t,
      firstId: 1,
      lastId: 1_000_000,
      count: 999_999,
    };
  }

  function spotPrices(query: Record<string, string>): [unknown, number] {
    const t = now();
    const priceOf = (symbol: string) => ({ symbol, price: px(symbol, priceAt(symbol, t) * SPOT_FACTOR) });
    if (query.symbol !== undefined) return [priceOf(requireSpotSymbol(query.symbol)), 2];
    if (query.symbols !== undefined) {
      let list: unknown;
      try {
        list = JSON.parse(query.symbols);
      } catch {
        throw badParam('symbols');
      }
      if (!Array.isArray(list) || !list.every((x): x is string => typeof x === 'string')) throw badParam('symbols');
      return [list.map((symbol) => priceOf(requireSpotSymbol(symbol))), 4];
    }
    return [symbols.filter((s) => !spotUnlisted.has(s.symbol)).map((s) => priceOf(s.symbol)), 4];
  }

  /** Returns [payload, weight]. */
  function route(path: string, query: Record<string, string>): [unknown, number] {
    switch (path) {
      case '/fapi/v1/ping':
        return [{}, 1];
      case '/fapi/v1/exchangeInfo':
        return [exchangeInfo(), 1];
      case '/fapi/v1/premiumIndex': {
        const t = now();
        if (query.symbol === undefined) return [symbols.map((s) => premiumIndexOf(s.symbol, t)), 10];
        return [premiumIndexOf(requireSymbol(query), t), 1];
      }
      case '/fapi/v1/fundingRate':
        return [fundingRows(query), 1];
      case '/fapi/v1/fundingInfo':
        return [
          symbols
            .filter((s) => s.fundingIntervalHours !== undefined)
            .map((s) => ({
              symbol: s.symbol,
              adjustedFundingRateCap: '0.02000000',
              adjustedFundingRateFloor: '-0.02000000',
              fundingIntervalHours: s.fundingIntervalHours,
              disclaimer: false,
            })),
          1,
        ];
      case '/fapi/v1/klines': {
        const rows = klineRows(query, false);
        const limit = Number(query.limit ?? 500);
        return [rows, limit < 100 ? 1 : limit < 500 ? 2 : limit <= 1000 ? 5 : 10];
      }
      case '/fapi/v1/aggTrades':
        return [aggTradeRows(query), 20];
      case '/fapi/v1/depth': {
        const symbol = requireSymbol(query);
        const limit = Number(query.limit ?? 500);
        if (![5, 10, 20, 50, 100, 500, 1000].includes(limit)) throw new HttpFail(400, -1130, `Data sent for parameter 'limit' is not valid.`);
        return [depthBook(symbol).snapshot(limit, now()), limit <= 50 ? 2 : limit <= 100 ? 5 : limit <= 500 ? 10 : 20];
      }
      case '/fapi/v1/openInterest': {
        const symbol = requireSymbol(query);
        const t = now();
        return [{ openInterest: openInterestAt(symbol, t).toFixed(3), symbol, time: t }, 1];
      }
      case '/fapi/v1/ticker/24hr': {
        const t = now();
        if (query.symbol === undefined) return [symbols.map((s) => ticker24hOf(s.symbol, t)), 40];
        return [ticker24hOf(requireSymbol(query), t), 1];
      }
      case '/futures/data/openInterestHist':
        return [openInterestHistRows(query), 1];
      case '/futures/data/globalLongShortAccountRatio':
      case '/futures/data/topLongShortAccountRatio':
      case '/futures/data/topLongShortPositionRatio':
        return [longShortRows(path.slice('/futures/data/'.length), query), 1];
      case '/futures/data/takerlongshortRatio':
        return [takerRows(query), 1];
      case '/futures/data/basis':
        return [basisRows(query), 1];
      case '/api/v3/ping':
        return [{}, 1];
      case '/api/v3/ticker/price':
        return spotPrices(query);
      case '/api/v3/klines':
        return [klineRows(query, true), 2];
      default:
        throw new HttpFail(404, -5000, `Path ${path}, Method GET is invalid`);
    }
  }

  const firstItem = (v: unknown): unknown => (Array.isArray(v) ? v[0] : v);

  /** A field our schemas require, made invalid, per endpoint. */
  function corrupt(path: string, payload: unknown): unknown {
    if (path.endsWith('/klines')) {
      const row = firstItem(payload) as unknown[] | undefined;
      if (row) row[1] = 'abc';
      return payload;
    }
    if (path === '/fapi/v1/exchangeInfo') {
      const info = payload as { symbols: Array<{ filters: Array<Record<string, unknown>> }> };
      const filter = info.symbols[0]?.filters.find((f) => f.filterType === 'PRICE_FILTER');
      if (filter) filter.tickSize = 'abc';
      return payload;
    }
    if (path === '/fapi/v1/fundingInfo')
      return [{ symbol: 'BTCUSDT', adjustedFundingRateCap: '0.02', adjustedFundingRateFloor: '-0.02', fundingIntervalHours: 'eight' }];
    const key = REQUIRED_KEY[path];
    const item = firstItem(payload) as Record<string, unknown> | undefined;
    if (key === undefined || !item) return [];
    item[key] = 'abc';
    return payload;
  }

  /** A required key dropped from the first item (kline rows lose their last field). */
  function dropRequired(path: string, payload: unknown): unknown {
    if (path.endsWith('/klines')) {
      const row = firstItem(payload) as unknown[] | undefined;
      row?.pop();
      return payload;
    }
    if (path === '/fapi/v1/exchangeInfo') {
      delete (payload as { symbols: Array<Record<string, unknown>> }).symbols[0]?.status;
      return payload;
    }
    const key = REQUIRED_KEY[path];
    const item = firstItem(payload) as Record<string, unknown> | undefined;
    if (key !== undefined && item) delete item[key];
    return payload;
  }

  function windowWeight(venue: FakeVenue): number {
    const t = now();
    const log = weights[venue];
    while (log.length > 0 && log[0]!.at <= t - 60_000) log.shift();
    return log.reduce((sum, w) => sum + w.weight, 0);
  }

  function usedWeight(venue: FakeVenue, add: number): number {
    weights[venue].push({ at: now(), weight: add });
    return windowWeight(venue);
  }

  function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
    res.end(body);
  }

  function takeFault(path: string): FakeFault | null {
    const f = fault;
    if (!f || (f.path !== undefined && !path.startsWith(f.path))) return null;
    if (f.times !== undefined) {
      f.times -= 1;
      if (f.times <= 0) fault = null;
    }
    return f;
  }

  /** Like Binance: a client that keeps calling while told to back off (429) earns an IP ban (418). */
  const pausedUntil: Record<FakeVenue, number> = { futures: 0, spot: 0 };
  const bannedUntil: Record<FakeVenue, number> = { futures: 0, spot: 0 };

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const query = Object.fromEntries(url.searchParams);
    const entry: FakeRequest = { path: url.pathname, query, at: now(), status: 0, weight: 0 };
    requests.push(entry);
    const venue = venueOf(url.pathname);
    const f = takeFault(url.pathname);

    const respond = () => {
      let status = 200;
      let weight = 1;
      let body: string;
      const extra: Record<string, string> = {};
      try {
        const t = now();
        if (options.banOnViolation && (t < pausedUntil[venue] || t < bannedUntil[venue])) {
          status = 418;
          bannedUntil[venue] = Math.max(bannedUntil[venue], t + 120_000);
          extra['retry-after'] = String(Math.ceil((bannedUntil[venue] - t) / 1000));
          body = JSON.stringify({ code: -1003, msg: `Way too much request weight used; IP banned until ${bannedUntil[venue]}.` });
        } else if (f?.kind === '429') {
          status = 429;
          extra['retry-after'] = String(f.retryAfterSec);
          pausedUntil[venue] = t + f.retryAfterSec * 1000;
          body = JSON.stringify({ code: -1003, msg: 'Too many requests; current limit of IP(127.0.0.1) is 2400 requests per minute.' });
        } else if (f?.kind === '418') {
          status = 418;
          extra['retry-after'] = String(f.retryAfterSec);
          const until = now() + f.retryAfterSec * 1000;
          body = JSON.stringify({ code: -1003, msg: `Way too much request weight used; IP banned until ${until}. Please use the websocket for live updates to avoid bans.` });
        } else if (f?.kind === '500' || f?.kind === '5xx') {
          status = f.kind === '5xx' ? (f.status ?? 503) : 500;
          body = JSON.stringify({ code: -1000, msg: 'An unknown error occured while processing the request.' });
        } else if (options.enforceWeightLimit && windowWeight(venue) >= WEIGHT_LIMITS[venue]) {
          status = 429;
          extra['retry-after'] = String(Math.ceil((60_000 - (now() % 60_000)) / 1000));
          pausedUntil[venue] = t + Number(extra['retry-after']) * 1000;
          body = JSON.stringify({ code: -1003, msg: `Too many requests; current limit of IP(127.0.0.1) is ${WEIGHT_LIMITS[venue]} requests per minute.` });
        } else {
          const [payload, w] = route(url.pathname, query);
          weight = w;
          const shaped =
            f?.kind === 'malformed'
              ? corrupt(url.pathname, payload)
              : f?.kind === 'missingFields'
                ? dropRequired(url.pathname, payload)
                : f?.kind === 'extraFields'
                  ? withExtraFields(payload, url.pathname)
                  : payload;
          body = JSON.stringify(shaped);
          if (f?.kind === 'truncated') body = body.slice(0, Math.floor(body.length / 2));
        }
      } catch (error) {
        if (!(error instanceof HttpFail)) throw error;
        status = error.status;
        body = JSON.stringify({ code: error.code, msg: error.message });
      }
      entry.status = status;
      entry.weight = weight;
      send(res, status, body, { 'x-mbx-used-weight-1m': String(usedWeight(venue, weight)), ...extra });
    };

    if (f?.kind === 'slow') {
      const timer = setTimeout(() => {
        timers.delete(timer);
        respond();
      }, f.delayMs);
      timers.add(timer);
    } else {
      respond();
    }
  }

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (error) {
      send(res, 500, JSON.stringify({ code: -1000, msg: String(error) }));
    }
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setFault(next) {
      fault = next ? { ...next } : null;
    },
    fundingRateAt,
    fundingIntervalMs: intervalOf,
    usedWeight: (venue = 'futures') => windowWeight(venue),
    priceAt,
    openInterestAt,
    depthBook,
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
