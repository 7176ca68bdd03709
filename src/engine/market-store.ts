import {
  eventSymbol,
  type Basis,
  type BookTicker,
  type Candle,
  type CandleInterval,
  type FearGreed,
  type FundingRate,
  type GlobalMarket,
  type Liquidation,
  type LongShortKind,
  type LongShortRatio,
  type MarkPrice,
  type MarketEvent,
  type MarketEventType,
  type OpenInterest,
  type OptionsChain,
  type OrderBook,
  type SpotPrice,
  type TakerVolume,
  type Ticker24h,
  type Trade,
} from '../domain/market.js';
import { RingBuffer } from './ring-buffer.js';
import { toBookSample } from '../analyzers/order-book.js';
import type { BookSample } from '../analyzers/order-book.types.js';

/** Bounds of the history kept in memory. */
export interface MarketStoreLimits {
  trades: number;
  candlesPerInterval: number;
  fundingSettlements: number;
  /** Per-series bound of statistics (open interest, ratios, taker volume, basis). */
  statistics: number;
  liquidations: number;
  /** Usable order books kept for ORDER_BOOK history (one per `orderBookSampleMs`; 720 × 5 s = 1 h). */
  orderBookSamples: number;
  orderBookSampleMs: number;
  fearGreedHistory: number;
  /** Global-market (CoinGecko) observations kept for trends such as the BTC-dominance change (288 = a day at 5 min). */
  globalMarketHistory: number;
}

export const DEFAULT_STORE_LIMITS: Readonly<MarketStoreLimits> = {
  trades: 5_000,
  candlesPerInterval: 1_000,
  fundingSettlements: 1_000,
  statistics: 2_000,
  liquidations: 5_000,
  orderBookSamples: 720,
  orderBookSampleMs: 5_000,
  fearGreedHistory: 400,
  globalMarketHistory: 288,
};

export interface SymbolMarket {
  readonly symbol: string;
  lastPrice: number | null;
  lastTradeAt: number | null;
  mark: MarkPrice | null;
  readonly trades: RingBuffer<Trade>;
  readonly candles: Map<CandleInterval, RingBuffer<Candle>>;
  readonly funding: RingBuffer<FundingRate>;
  readonly openInterest: RingBuffer<OpenInterest>;
  readonly longShort: Map<LongShortKind, RingBuffer<LongShortRatio>>;
  readonly takerVolume: RingBuffer<TakerVolume>;
  readonly basis: RingBuffer<Basis>;
  readonly liquidations: RingBuffer<Liquidation>;
  ticker24h: Ticker24h | null;
  bookTicker: BookTicker | null;
  orderBook: OrderBook | null;
  /** Past usable books trimmed to ±5 % of their mid, oldest first (imbalance history, wall ages, heatmap). */
  readonly orderBookSamples: RingBuffer<BookSample>;
  spot: SpotPrice | null;
  /** Epoch ms of the newest event of any kind. */
  updatedAt: number | null;
  /** Epoch ms of the newest event per type: the input ages behind `meta`. */
  readonly updatedAtByType: Map<MarketEventType, number>;
}

export interface GlobalMarketState {
  options: Map<string, OptionsChain>;
  fearGreed: RingBuffer<FearGreed>;
  /** The latest global-market snapshot. */
  global: GlobalMarket | null;
  /** Recent global-market snapshots, oldest first, bounded by `globalMarketHistory` (the dominance trend needs a span). */
  globalHistory: RingBuffer<GlobalMarket>;
  updatedAtByType: Map<MarketEventType, number>;
}

/** `symbol` is null for market-wide events. */
export type StoreListener = (symbol: string | null, type: MarketEventType) => void;

export interface MarketStore {
  apply(event: MarketEvent): void;
  get(symbol: string): SymbolMarket | undefined;
  global(): GlobalMarketState;
  symbols(): string[];
  onChange(listener: StoreListener): () => void;
}

/** Appends to a time-ordered buffer: same time replaces the newest, older times are late duplicates. */
function appendByTime<T>(buffer: RingBuffer<T>, item: T, time: (x: T) => number): boolean {
  const last = buffer.last();
  if (last && time(item) < time(last)) return false;
  if (last && time(item) === time(last)) buffer.replaceLast(item);
  else buffer.push(item);
  return true;
}

/**
 * Bounded history fed by a MarketDataSource: per symbol, and market-wide. Ignores events for symbols it
 * was not created for, and de-duplicates time series by time (REST backfill overlaps live streams).
 */
export function createMarketStore(symbols: readonly string[], limits: Partial<MarketStoreLimits> = {}): MarketStore {
  const lim = { ...DEFAULT_STORE_LIMITS, ...limits };
  const markets = new Map<string, SymbolMarket>();
  for (const symbol of symbols) {
    markets.set(symbol, {
      symbol,
      lastPrice: null,
      lastTradeAt: null,
      mark: null,
      trades: new RingBuffer(lim.trades),
      candles: new Map(),
      funding: new RingBuffer(lim.fundingSettlements),
      openInterest: new RingBuffer(lim.statistics),
      longShort: new Map(),
      takerVolume: new RingBuffer(lim.statistics),
      basis: new RingBuffer(lim.statistics),
      liquidations: new RingBuffer(lim.liquidations),
      ticker24h: null,
      bookTicker: null,
      orderBook: null,
      orderBookSamples: new RingBuffer(lim.orderBookSamples),
      spot: null,
      updatedAt: null,
      updatedAtByType: new Map(),
    });
  }
  const globalState: GlobalMarketState = {
    options: new Map(),
    fearGreed: new RingBuffer(lim.fearGreedHistory),
    global: null,
    globalHistory: new RingBuffer(lim.globalMarketHistory),
    updatedAtByType: new Map(),
  };
  const listeners = new Set<StoreListener>();

  /** Returns the event's time when it changed the store, null when it was a stale duplicate. */
  function applySymbolEvent(m: SymbolMarket, event: MarketEvent): number | null {
    switch (event.type) {
      case 'trade':
        m.trades.push(event.trade);
        m.lastPrice = event.trade.price;
        m.lastTradeAt = event.trade.time;
        return event.trade.time;
      case 'candle': {
        const c = event.candle;
        let buffer = m.candles.get(c.interval);
        if (!buffer) {
          buffer = new RingBuffer(lim.candlesPerInterval);
          m.candles.set(c.interval, buffer);
        }
        if (!appendByTime(buffer, c, (x) => x.openTime)) return null;
        // Sources without a trade stream (or before the first trade) still get a price.
        if (m.lastTradeAt === null) m.lastPrice = c.close;
        return c.closed ? c.closeTime : c.openTime;
      }
      case 'markPrice':
        if (m.mark && event.mark.time < m.mark.time) return null;
        m.mark = event.mark;
        return event.mark.time;
      case 'funding':
        return appendByTime(m.funding, event.funding, (x) => x.fundingTime) ? event.funding.fundingTime : null;
      case 'openInterest':
        return appendByTime(m.openInterest, event.openInterest, (x) => x.time) ? event.openInterest.time : null;
      case 'longShortRatio': {
        let buffer = m.longShort.get(event.ratio.kind);
        if (!buffer) {
          buffer = new RingBuffer(lim.statistics);
          m.longShort.set(event.ratio.kind, buffer);
        }
        return appendByTime(buffer, event.ratio, (x) => x.time) ? event.ratio.time : null;
      }
      case 'takerVolume':
        return appendByTime(m.takerVolume, event.volume, (x) => x.time) ? event.volume.time : null;
      case 'basis':
        return appendByTime(m.basis, event.basis, (x) => x.time) ? event.basis.time : null;
      case 'liquidation':
        m.liquidations.push(event.liquidation);
        return event.liquidation.time;
      case 'ticker24h':
        m.ticker24h = event.ticker;
        return event.ticker.time;
      case 'bookTicker':
        m.bookTicker = event.book;
        return event.book.time;
      case 'orderBook': {
        const previous = m.orderBook;
        // The book being replaced joins the history when it was usable and the last sample is old enough.
        if (previous && previous.time >= (m.orderBookSamples.last()?.time ?? 0) + lim.orderBookSampleMs && event.book.time > previous.time) {
          const sample = (previous.state ?? 'SNAPSHOT') === 'SYNCED' || (previous.state ?? 'SNAPSHOT') === 'SNAPSHOT' ? toBookSample(previous) : null;
          if (sample) m.orderBookSamples.push(sample);
        }
        m.orderBook = event.book;
        return event.book.time;
      }
      case 'spotPrice':
        m.spot = event.spot;
        return event.spot.time;
      default:
        return null;
    }
  }

  function applyGlobalEvent(event: MarketEvent): number | null {
    switch (event.type) {
      case 'optionsChain':
        globalState.options.set(event.chain.currency, event.chain);
        return event.chain.time;
      case 'fearGreed':
        for (const item of event.history ?? []) appendByTime(globalState.fearGreed, item, (x) => x.time);
        appendByTime(globalState.fearGreed, event.fearGreed, (x) => x.time);
        return event.fearGreed.time;
      case 'globalMarket':
        if (!appendByTime(globalState.globalHistory, event.global, (x) => x.time)) return null;
        globalState.global = event.global;
        return event.global.time;
      default:
        return null;
    }
  }

  return {
    apply(event) {
      const symbol = eventSymbol(event);
      let time: number | null;
      if (symbol === null) {
        time = applyGlobalEvent(event);
        if (time === null) return;
        globalState.updatedAtByType.set(event.type, Math.max(time, globalState.updatedAtByType.get(event.type) ?? 0));
      } else {
        const m = markets.get(symbol);
        if (!m) return;
        time = applySymbolEvent(m, event);
        if (time === null) return;
        if (m.updatedAt === null || time > m.updatedAt) m.updatedAt = time;
        m.updatedAtByType.set(event.type, Math.max(time, m.updatedAtByType.get(event.type) ?? 0));
      }
      for (const listener of listeners) listener(symbol, event.type);
    },
    get: (symbol) => markets.get(symbol),
    global: () => globalState,
    symbols: () => [...markets.keys()],
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
