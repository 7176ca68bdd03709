import { computeOrderBookAnalysis, ORDER_BOOK_METHODOLOGY_VERSION } from '../../analyzers/order-book.js';
import type { OrderBookAnalysis } from '../../analyzers/order-book.types.js';
import type { AnalysisDefinition } from '../definition.js';
import type { SymbolMarket } from '../market-store.js';

/**
 * ORDER_BOOK per symbol: the store's current book (a Binance local book kept from the diff stream, or the
 * simulated market's snapshots) against the store's sampled history of past books (one per 5 s, 1 h).
 * A SYNCING/GAP book is analysed into an unavailable result carrying the book's reason, never a number.
 */
export const orderBookDefinition: AnalysisDefinition<OrderBookAnalysis> = {
  kind: 'ORDER_BOOK',
  methodologyVersion: ORDER_BOOK_METHODOLOGY_VERSION,
  triggers: new Set(['orderBook']),
  inputs: [{ type: 'orderBook' }],
  // ≈ 50 ms a run with an hour of samples (bench:order-book: the pulled-wall search re-ranks every sample):
  // at most once per sample period (5 s), in the worker pool, so 20 books cost ≈ 20 % of a worker, not the loop.
  minIntervalMs: 5_000,
  offload: true,
  compute: (market: SymbolMarket) => {
    const book = market.orderBook;
    if (!book) return null;
    return { result: computeOrderBookAnalysis({ symbol: market.symbol, book, history: market.orderBookSamples.toArray() }), asOf: book.time };
  },
};
