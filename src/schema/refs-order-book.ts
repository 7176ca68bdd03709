import type {
  BookHeatmap,
  BookHeatmapSlice,
  BookImbalance,
  BookSlippage,
  BookWall,
  DepthBand,
  OrderBookAnalysis,
  OrderBookThresholds,
  PastWall,
  WallSummary,
} from '../analyzers/order-book.types.js';
import { builder } from './builder.js';
import type { WithMeta } from './refs.js';

/** Refs of the order-book analysis (implemented in src/resolvers/order-book.ts). */
export const OrderBookAnalysisRef = builder.objectRef<WithMeta<OrderBookAnalysis>>('OrderBookAnalysis');
export const DepthBandRef = builder.objectRef<DepthBand>('DepthBand');
export const BookImbalanceRef = builder.objectRef<BookImbalance>('BookImbalance');
export const BookWallRef = builder.objectRef<BookWall>('BookWall');
export const PastWallRef = builder.objectRef<PastWall>('PastWall');
export const WallSummaryRef = builder.objectRef<WallSummary>('WallSummary');
export const BookSlippageRef = builder.objectRef<BookSlippage>('BookSlippage');
export const BookHeatmapRef = builder.objectRef<BookHeatmap>('BookHeatmap');
export const BookHeatmapSliceRef = builder.objectRef<BookHeatmapSlice>('BookHeatmapSlice');
export const OrderBookThresholdsRef = builder.objectRef<OrderBookThresholds>('OrderBookThresholds');

export const OrderBookStateEnum = builder.enumType('OrderBookState', {
  description: 'How far an order book can be trusted.',
  values: {
    SYNCED: { description: 'A local book kept from a venue snapshot plus every diff since, sequence checked.' },
    SNAPSHOT: { description: 'A self-contained snapshot (partial depth stream or the simulated market).' },
    SYNCING: { description: 'Waiting for a snapshot or for the first diff joining it: no levels.' },
    GAP: { description: 'A diff was missed, the book crossed or the stream reconnected: discarded and being rebuilt, no levels.' },
  } as const,
});

export const BookSideEnum = builder.enumType('BookSide', {
  description: 'Side of the book a resting order sits on.',
  values: { BID: { description: 'Buy orders, below the price.' }, ASK: { description: 'Sell orders, above the price.' } } as const,
});

export const MarketOrderSideEnum = builder.enumType('MarketOrderSide', {
  description: 'Side of a hypothetical market order.',
  values: { BUY: { description: 'A buy, filled against the asks.' }, SELL: { description: 'A sell, filled against the bids.' } } as const,
});
