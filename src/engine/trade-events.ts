import type { DataOrigin, Trade } from '../domain/market.js';
import type { AppPubSub } from '../pubsub.js';
import { WHALE_TRADE_FLOOR } from './definitions/whales.js';
import type { MarketStore } from './market-store.js';

export interface TradeEvents {
  /** Starts publishing `trade:created` for every trade ≥ the floor that the store receives. */
  start(): void;
  stop(): void;
}

/**
 * Publishes large trades on `trade:created` (keyed by symbol) where the data is ingested (ROLE=all), so
 * each is published once however many API instances relay it. Only trades with price × qty ≥ `floor`
 * (default {@link WHALE_TRADE_FLOOR}, 10 000 USD) are published: a busy perpetual prints dozens of trades a
 * second, and subscribers (`whaleTrade`) ask for far larger ones. Per trade this costs one multiplication;
 * ids already published (stream/backfill overlap) are skipped.
 */
export function createTradeEvents(options: { store: MarketStore; pubsub: AppPubSub['pubsub']; source: DataOrigin; venue: string; floor?: number }): TradeEvents {
  const { store, pubsub, source, venue } = options;
  const floor = options.floor ?? WHALE_TRADE_FLOOR;
  const lastId = new Map<string, number>();
  let unsubscribe: (() => void) | null = null;
  return {
    start() {
      unsubscribe?.();
      // Listeners run synchronously right after the store appended the event, so it is the newest one.
      unsubscribe = store.onChange((symbol, type) => {
        if (type !== 'trade' || symbol === null) return;
        const trade: Trade | undefined = store.get(symbol)?.trades.last();
        if (!trade) return;
        const notional = trade.price * trade.qty;
        if (notional < floor) return;
        const previous = lastId.get(symbol);
        if (previous !== undefined && trade.id <= previous) return;
        lastId.set(symbol, trade.id);
        pubsub.publish('trade:created', symbol, { ...trade, notional, meta: { source, venue, asOf: trade.time } });
      });
    },
    stop() {
      unsubscribe?.();
      unsubscribe = null;
    },
  };
}
