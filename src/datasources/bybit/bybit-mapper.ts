import type { Candle, CandleInterval, FundingRate, Liquidation, LongShortRatio, MarkPrice, OpenInterest, StatPeriod, SymbolEvent, SymbolInfo, Ticker24h, Trade } from '../../domain/market.js';
import { INTERVAL_MS, LongShortKinds } from '../../domain/market.js';
import type { z } from 'zod';
import { formatIssues } from '../http.js';
import { BadResponseError } from '../errors.js';
import {
  bybitWsKlineSchema,
  bybitWsLiquidationSchema,
  bybitWsOpSchema,
  bybitWsPushSchema,
  bybitWsTickerSchema,
  bybitWsTradeSchema,
  type BybitAccountRatio,
  type BybitFunding,
  type BybitInstrument,
  type BybitKlineRow,
  type BybitOpenInterest,
  type BybitRecentTrade,
  type BybitTicker,
  type BybitWsKline,
  type BybitWsLiquidation,
  type BybitWsTicker,
  type BybitWsTrade,
} from './schemas.js';

/**
 * Pure Bybit v5 wire -> domain mapping. Bybit linear symbols are already canonical (`BTCUSDT`), sizes
 * are in the base coin, values in USDT. Conventions that differ from Binance:
 * - trade ids are UUIDs: `tradeIdOf` folds them into a stable 53-bit integer (dedupe key only);
 * - `allLiquidation` `S` is the POSITION side (`Buy` = a long liquidated, so the order was a SELL), and
 *   the feed reports every liquidation (`complete: true`, unlike Binance's 1 s forceOrder snapshot);
 * - open interest is the both-sides `openInterest` field (the newer `singleOpenInterest` is not used);
 * - klines come newest first and are reversed here; `account-ratio` is a share of accounts.
 */

export const BYBIT_VENUE = 'bybit-linear';

export const BYBIT_INTERVALS: Readonly<Partial<Record<CandleInterval, string>>> = {
  '1m': '1',
  '3m': '3',
  '5m': '5',
  '15m': '15',
  '30m': '30',
  '1h': '60',
  '2h': '120',
  '4h': '240',
  '6h': '360',
  '12h': '720',
  '1d': 'D',
  '1w': 'W',
};
const INTERVAL_OF_WIRE = new Map(Object.entries(BYBIT_INTERVALS).map(([k, v]) => [v, k as CandleInterval]));

/** `intervalTime` of open-interest and `period` of account-ratio. */
export const BYBIT_STAT_PERIODS: Readonly<Partial<Record<StatPeriod, string>>> = { '5m': '5min', '15m': '15min', '30m': '30min', '1h': '1h', '4h': '4h', '1d': '1d' };

export function bybitInterval(interval: CandleInterval): string {
  const wire = BYBIT_INTERVALS[interval];
  if (wire === undefined) throw new RangeError(`Bybit has no ${interval} klines`);
  return wire;
}

/** FNV-1a over the id, two 32-bit lanes folded into 53 bits: a stable integer for a UUID trade id. */
export function tradeIdOf(id: string): number {
  if (/^\d{1,15}$/.test(id)) return Number(id);
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    a = Math.imul(a ^ c, 16777619) >>> 0;
    b = Math.imul(b ^ c, 2246822519) >>> 0;
  }
  return a * 2 ** 21 + (b & 0x1fffff);
}

/** USDT linear perpetuals only (inverse, USDC and dated futures are dropped). */
export function toSymbolInfos(list: readonly BybitInstrument[]): SymbolInfo[] {
  return list
    .filter((i) => i.contractType === 'LinearPerpetual' && i.quoteCoin === 'USDT' && (i.settleCoin ?? 'USDT') === 'USDT')
    .map((i) => ({
      symbol: i.symbol,
      baseAsset: i.baseCoin,
      quoteAsset: i.quoteCoin,
      contractType: 'PERPETUAL',
      status: i.status === 'Trading' ? 'TRADING' : i.status.toUpperCase(),
      tickSize: i.priceFilter.tickSize,
      stepSize: i.lotSizeFilter.qtyStep,
      fundingIntervalHours: i.fundingInterval / 60,
    }));
}

export function toFundingRate(f: BybitFunding): FundingRate {
  return { symbol: f.symbol, rate: f.fundingRate, fundingTime: f.fundingRateTimestamp, markPrice: null };
}

export function toCandle(symbol: string, interval: CandleInterval, row: BybitKlineRow, now: number): Candle {
  const [openTime, open, high, low, close, volume, turnover] = row;
  const closeTime = openTime + INTERVAL_MS[interval] - 1;
  return { symbol, interval, openTime, closeTime, open, high, low, close, volume, quoteVolume: turnover, takerBuyVolume: null, trades: null, closed: closeTime < now };
}

/** `open-interest` rows are in the base coin; the USD value needs a price (the mark when known, else null). */
export function toOpenInterest(symbol: string, row: BybitOpenInterest, markPrice: number | null): OpenInterest {
  return { symbol, openInterest: row.openInterest, openInterestValue: markPrice === null ? null : row.openInterest * markPrice, time: row.timestamp };
}

export function toLongShortRatio(row: BybitAccountRatio, period: StatPeriod): LongShortRatio {
  return {
    symbol: row.symbol,
    kind: LongShortKinds.GLOBAL_ACCOUNTS,
    period,
    longShortRatio: row.sellRatio > 0 ? row.buyRatio / row.sellRatio : Number.POSITIVE_INFINITY,
    longShare: row.buyRatio,
    shortShare: row.sellRatio,
    time: row.timestamp,
  };
}

export function toMarkPrice(t: { symbol: string; markPrice: number; indexPrice: number | null; fundingRate: number | null; nextFundingTime: number }, time: number): MarkPrice {
  return { symbol: t.symbol, markPrice: t.markPrice, indexPrice: t.indexPrice, predictedFundingRate: t.fundingRate, nextFundingTime: t.nextFundingTime, time };
}

export function toTicker24h(t: BybitTicker, time: number): Ticker24h {
  return {
    symbol: t.symbol,
    lastPrice: t.lastPrice,
    priceChangePercent: t.price24hPcnt * 100,
    highPrice: t.highPrice24h,
    lowPrice: t.lowPrice24h,
    volume: t.volume24h,
    quoteVolume: t.turnover24h,
    time,
  };
}

/** A REST ticker as events: mark/index/funding, open interest (base + USD), 24 h statistics. */
export function tickerEvents(t: BybitTicker, time: number): SymbolEvent[] {
  return [
    { type: 'markPrice', mark: toMarkPrice(t, time) },
    { type: 'openInterest', openInterest: { symbol: t.symbol, openInterest: t.openInterest, openInterestValue: t.openInterestValue, time } },
    { type: 'ticker24h', ticker: toTicker24h(t, time) },
  ];
}

export function toTrade(t: BybitWsTrade): Trade {
  return { symbol: t.s, id: tradeIdOf(t.i), price: t.p, qty: t.v, time: t.T, side: t.S === 'Buy' ? 'BUY' : 'SELL' };
}

export function toRestTrade(t: BybitRecentTrade): Trade {
  return { symbol: t.symbol, id: tradeIdOf(t.execId), price: t.price, qty: t.size, time: t.time, side: t.side === 'Buy' ? 'BUY' : 'SELL' };
}

export function toLiquidation(l: BybitWsLiquidation): Liquidation {
  const longLiquidated = l.S === 'Buy';
  return {
    symbol: l.s,
    side: longLiquidated ? 'SELL' : 'BUY',
    liquidatedSide: longLiquidated ? 'LONG' : 'SHORT',
    price: l.p,
    averagePrice: l.p,
    qty: l.v,
    notional: l.p * l.v,
    time: l.T,
    complete: true,
  };
}

export function toWsCandle(symbol: string, k: BybitWsKline): Candle | null {
  const interval = INTERVAL_OF_WIRE.get(k.interval);
  if (!interval) return null;
  return {
    symbol,
    interval,
    openTime: k.start,
    closeTime: k.end,
    open: k.open,
    high: k.high,
    low: k.low,
    close: k.close,
    volume: k.volume,
    quoteVolume: k.turnover,
    takerBuyVolume: null,
    trades: null,
    closed: k.confirm,
  };
}

function parseAs<T>(schema: z.ZodType<T>, topic: string, data: unknown): T {
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new BadResponseError(BYBIT_VENUE, `ws ${topic}`, formatIssues(parsed.error.issues));
  return parsed.data;
}

/** The merged state of one `tickers` topic (snapshot plus the deltas since). */
type TickerState = Required<Pick<BybitWsTicker, 'symbol'>> & Partial<BybitWsTicker>;

/**
 * Stateful parser of the linear stream: `tickers` deltas carry only the changed fields and are merged
 * into the last snapshot (a missing field has not changed). Mark price and open interest are pushed at
 * most once per `throttleMs` per symbol, and open interest only when it changed.
 */
export function createBybitStreamParser(options: { throttleMs?: number } = {}) {
  const throttleMs = options.throttleMs ?? 1_000;
  const tickers = new Map<string, { state: TickerState; markAt: number; oi: number | null }>();
  return function parse(msg: unknown): SymbolEvent[] {
    const op = bybitWsOpSchema.safeParse(msg);
    if (op.success) {
      if (op.data.success === false) throw new BadResponseError(BYBIT_VENUE, `ws ${op.data.op}`, [op.data.ret_msg ?? 'refused']);
      return [];
    }
    const push = parseAs(bybitWsPushSchema, '(push)', msg);
    const [channel] = push.topic.split('.');
    switch (channel) {
      case 'publicTrade':
        return parseAs(bybitWsTradeSchema.array(), push.topic, push.data).map((t) => ({ type: 'trade', trade: toTrade(t) }));
      case 'allLiquidation':
        return parseAs(bybitWsLiquidationSchema.array(), push.topic, push.data).map((l) => ({ type: 'liquidation', liquidation: toLiquidation(l) }));
      case 'kline': {
        const symbol = push.topic.split('.')[2] ?? '';
        return parseAs(bybitWsKlineSchema.array(), push.topic, push.data)
          .map((k) => toWsCandle(symbol, k))
          .filter((c): c is Candle => c !== null)
          .map((candle) => ({ type: 'candle', candle }));
      }
      case 'tickers': {
        const data = parseAs(bybitWsTickerSchema, push.topic, push.data);
        const entry = tickers.get(data.symbol);
        const defined = Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined)) as TickerState;
        if (push.type === 'snapshot' || !entry) tickers.set(data.symbol, { state: defined, markAt: entry?.markAt ?? -Infinity, oi: entry?.oi ?? null });
        else Object.assign(entry.state, defined);
        const current = tickers.get(data.symbol)!;
        const s = current.state;
        const events: SymbolEvent[] = [];
        if (s.bid1Price !== undefined && s.ask1Price !== undefined && (data.bid1Price !== undefined || data.ask1Price !== undefined))
          events.push({ type: 'bookTicker', book: { symbol: s.symbol, bidPrice: s.bid1Price, bidQty: s.bid1Size ?? 0, askPrice: s.ask1Price, askQty: s.ask1Size ?? 0, time: push.ts } });
        if (push.ts - current.markAt >= throttleMs && s.markPrice !== undefined && s.nextFundingTime !== undefined) {
          current.markAt = push.ts;
          events.push({ type: 'markPrice', mark: toMarkPrice({ symbol: s.symbol, markPrice: s.markPrice, indexPrice: s.indexPrice ?? null, fundingRate: s.fundingRate ?? null, nextFundingTime: s.nextFundingTime }, push.ts) });
          if (s.openInterest !== undefined && s.openInterest !== current.oi) {
            current.oi = s.openInterest;
            events.push({ type: 'openInterest', openInterest: { symbol: s.symbol, openInterest: s.openInterest, openInterestValue: s.openInterestValue ?? s.openInterest * s.markPrice, time: push.ts } });
          }
        }
        return events;
      }
      default:
        return [];
    }
  };
}
