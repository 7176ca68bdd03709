import type { Candle, CandleInterval, FundingRate, MarkPrice, MarketEvent, MarketEventType, Trade } from '../domain/market.js';
import { RingBuffer } from './ring-buffer.js';

/** Bounds of the per-symbol history kept in memory. */
export interface MarketStoreLimits {
  trades: number;
  candlesPerInterval: number;
  fundingSettlements: number;
}

export const DEFAULT_STORE_LIMITS: Readonly<MarketStoreLimits> = {
  trades: 5_000,
  candlesPerInterval: 1_000,
  fundingSettlements: 1_000,
};

export interface SymbolMarket {
  readonly symbol: string;
  lastPrice: number | null;
  lastTradeAt: number | null;
  mark: MarkPrice | null;
  readonly trades: RingBuffer<Trade>;
  readonly candles: Map<CandleInterval, RingBuffer<Candle>>;
  readonly funding: RingBuffer<FundingRate>;
  /** Epoch ms of the newest event of any kind. */
  updatedAt: number | null;
}

export type StoreListener = (symbol: string, type: MarketEventType) => void;

export interface MarketStore {
  apply(event: MarketEvent): void;
  get(symbol: string): SymbolMarket | undefined;
  symbols(): string[];
  onChange(listener: StoreListener): () => void;
}

/**
 * Bounded per-symbol history fed by a MarketDataSource. Ignores events for symbols it was not created
 * for, de-duplicates funding settlements and candles by time (backfill overlaps with the live stream).
 */
export function createMarketStore(symbols: readonly string[], limits: MarketStoreLimits = DEFAULT_STORE_LIMITS): MarketStore {
  const markets = new Map<string, SymbolMarket>();
  for (const symbol of symbols) {
    markets.set(symbol, {
      symbol,
      lastPrice: null,
      lastTradeAt: null,
      mark: null,
      trades: new RingBuffer(limits.trades),
      candles: new Map(),
      funding: new RingBuffer(limits.fundingSettlements),
      updatedAt: null,
    });
  }
  const listeners = new Set<StoreListener>();

  function applyCandle(m: SymbolMarket, candle: Candle): boolean {
    let buffer = m.candles.get(candle.interval);
    if (!buffer) {
      buffer = new RingBuffer(limits.candlesPerInterval);
      m.candles.set(candle.interval, buffer);
    }
    const last = buffer.last();
    if (last && candle.openTime < last.openTime) return false; // late duplicate from a backfill
    if (last && candle.openTime === last.openTime) buffer.replaceLast(candle);
    else buffer.push(candle);
    return true;
  }

  function applyFunding(m: SymbolMarket, funding: FundingRate): boolean {
    const last = m.funding.last();
    if (last && funding.fundingTime < last.fundingTime) return false;
    if (last && funding.fundingTime === last.fundingTime) m.funding.replaceLast(funding);
    else m.funding.push(funding);
    return true;
  }

  return {
    apply(event) {
      const symbol =
        event.type === 'trade' ? event.trade.symbol
        : event.type === 'candle' ? event.candle.symbol
        : event.type === 'markPrice' ? event.mark.symbol
        : event.funding.symbol;
      const m = markets.get(symbol);
      if (!m) return;
      let time: number;
      switch (event.type) {
        case 'trade':
          m.trades.push(event.trade);
          m.lastPrice = event.trade.price;
          m.lastTradeAt = event.trade.time;
          time = event.trade.time;
          break;
        case 'candle':
          if (!applyCandle(m, event.candle)) return;
          // Sources without a trade stream (or before the first trade) still get a price.
          if (m.lastTradeAt === null) m.lastPrice = event.candle.close;
          time = event.candle.closed ? event.candle.closeTime : event.candle.openTime;
          break;
        case 'markPrice':
          if (m.mark && event.mark.time < m.mark.time) return;
          m.mark = event.mark;
          time = event.mark.time;
          break;
        case 'funding':
          if (!applyFunding(m, event.funding)) return;
          time = event.funding.fundingTime;
          break;
      }
      if (m.updatedAt === null || time > m.updatedAt) m.updatedAt = time;
      for (const listener of listeners) listener(symbol, event.type);
    },
    get: (symbol) => markets.get(symbol),
    symbols: () => [...markets.keys()],
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
