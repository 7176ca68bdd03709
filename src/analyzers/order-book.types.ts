import type { OrderBookState, PriceLevel } from '../domain/market.js';
import type { Factor } from './types.js';

/** Depth bands reported (± % of the mid). */
export const DEPTH_BANDS_PCT = [0.5, 1, 2, 5] as const;
/** Market-order sizes the slippage is walked for (USD notional). */
export const SLIPPAGE_SIZES_USD = [10_000, 100_000, 1_000_000] as const;

export interface OrderBookThresholds {
  /** A level is a wall when its size is at least this many times the median level size within ±`wallBandPct`. Default 8. */
  wallMultiple: number;
  /** Band (± % of the mid) over which the median level size is taken and walls are looked for. Default 5. */
  wallBandPct: number;
  /** A wall still standing keeps at least this share of the size it had (else it was reduced/removed). Default 0.5. */
  wallKeepShare: number;
  /** Band (± % of the mid) of the imbalance and its z-score. Default 1. */
  imbalanceBandPct: number;
  /** Fewest past samples for an imbalance z-score. Default 20. */
  minZSamples: number;
  /** Heatmap half-range (± % of the current mid) and bucket width (%) of the stored fine grid. Default 5 / 0.1. */
  heatmapRangePct: number;
  heatmapStepPct: number;
  /** Most time slices in the heatmap (samples are thinned evenly to this). Default 60. */
  heatmapSlices: number;
  /** Most walls listed (largest first). Default 10. */
  maxWalls: number;
}

export const DEFAULT_ORDER_BOOK_THRESHOLDS: OrderBookThresholds = {
  wallMultiple: 8,
  wallBandPct: 5,
  wallKeepShare: 0.5,
  imbalanceBandPct: 1,
  minZSamples: 20,
  heatmapRangePct: 5,
  heatmapStepPct: 0.1,
  heatmapSlices: 60,
  maxWalls: 10,
};

/** A past book, trimmed to the levels within ± a band of its mid (what the history keeps). */
export interface BookSample {
  time: number;
  bestBid: number;
  bestAsk: number;
  bids: PriceLevel[];
  asks: PriceLevel[];
}

export interface OrderBookInput {
  symbol: string;
  /** The current book (any state; a SYNCING/GAP or crossed book makes the result unavailable). */
  book: {
    bids: readonly PriceLevel[];
    asks: readonly PriceLevel[];
    time: number;
    state?: OrderBookState;
    reason?: string;
    updateId?: number;
  } | null;
  /** Past usable books, oldest first, before `book` (walls' age, pulled walls, imbalance history, heatmap). */
  history: readonly BookSample[];
  thresholds?: Partial<OrderBookThresholds>;
}

export type BookSide = 'BID' | 'ASK';

export interface DepthBand {
  /** Half-width of the band, % of the mid. */
  pct: number;
  /** Σ price × qty of the bids priced at or above mid × (1 − pct/100), USD. */
  bidUsd: number;
  askUsd: number;
  /** (bid − ask) / (bid + ask), −1..1. */
  imbalance: number;
  /** False when the book's deepest level on a side lies inside the band (the depth is then a lower bound). */
  complete: boolean;
}

export interface BookImbalance {
  pct: number;
  value: number;
  /** (value − mean of past samples) / their sample standard deviation; null with a reason when too few or flat. */
  zScore: number | null;
  mean: number | null;
  stdDev: number | null;
  samples: number;
  zScoreUnavailableReason: string | null;
}

export interface BookWall {
  side: BookSide;
  price: number;
  qty: number;
  notionalUsd: number;
  /** Size ÷ the median level size within ± wallBandPct. */
  sizeVsMedian: number;
  /** Distance from the mid, % (positive). */
  distancePct: number;
  /** How long it has stood: since the oldest consecutive sample holding it (0 when first seen now), ms. */
  ageMs: number;
  firstSeen: number;
}

export interface PastWall {
  side: BookSide;
  price: number;
  /** Largest notional it showed, USD. */
  notionalUsd: number;
  sizeVsMedian: number;
  firstSeen: number;
  lastSeen: number;
  /** How long it was seen standing, ms. */
  stoodMs: number;
  /** True when the price reached it before it went (eaten); false when it was pulled before touch. */
  touched: boolean;
}

export interface WallSummary {
  standing: BookWall[];
  /** Walls that went away since they were seen (pulled first: untouched). */
  gone: PastWall[];
  pulledBeforeTouch: number;
  eaten: number;
  /** pulled ÷ (pulled + eaten + standing) over the history, 0..1: a spoofing-suspicion factor, not an accusation. */
  pulledShare: number | null;
}

export interface BookSlippage {
  /** BUY walks the asks, SELL the bids. */
  side: 'BUY' | 'SELL';
  notionalUsd: number;
  filled: boolean;
  averagePrice: number | null;
  /** (average price − mid) / mid in bps, signed so that a cost is positive; null when not fillable. */
  slippageBps: number | null;
  /** Worst price reached. */
  worstPrice: number | null;
  levels: number;
  unavailableReason: string | null;
}

export interface BookHeatmapSlice {
  time: number;
  /** Resting notional (bids + asks) per price bucket, USD, aligned with `prices`. */
  notional: number[];
}

export interface BookHeatmap {
  /** Bucket centres, ascending. */
  prices: number[];
  /** Bucket width, % of the reference mid. */
  stepPct: number;
  /** Mid the grid is centred on (the current book's). */
  referencePrice: number;
  slices: BookHeatmapSlice[];
  maxNotional: number;
}

export interface OrderBookAnalysis {
  symbol: string;
  available: boolean;
  unavailableReason: string | null;
  bookState: OrderBookState;
  updateId: number | null;
  bookTime: number | null;
  bestBid: number | null;
  bestAsk: number | null;
  mid: number | null;
  spreadBps: number | null;
  bidLevels: number;
  askLevels: number;
  depth: DepthBand[];
  imbalance: BookImbalance | null;
  walls: WallSummary | null;
  slippage: BookSlippage[];
  heatmap: BookHeatmap | null;
  historySamples: number;
  factors: Factor[];
  thresholds: OrderBookThresholds;
}
