import type { TradeSide } from '../domain/market.js';
import type { Factor } from './types.js';

/** Look-back windows of the whale analysis (GraphQL enum names cannot start with a digit). */
export const WhaleWindows = { M15: 'M15', H1: 'H1', H4: 'H4', H24: 'H24' } as const;
export type WhaleWindow = (typeof WhaleWindows)[keyof typeof WhaleWindows];

export const WHALE_WINDOW_MS: Readonly<Record<WhaleWindow, number>> = {
  M15: 900_000,
  H1: 3_600_000,
  H4: 14_400_000,
  H24: 86_400_000,
};

/**
 * Whale net flow read against the price change over the same window (Wyckoff's vocabulary):
 * buying into a flat or falling price is ACCUMULATION (absorbing supply), selling into a flat or rising
 * price DISTRIBUTION (supplying demand); buying with a rising price MARKUP, selling with a falling price
 * MARKDOWN (whales driving the move); BALANCED when the net flow is within its flat band.
 */
export const WhalePatterns = {
  ACCUMULATION: 'ACCUMULATION',
  DISTRIBUTION: 'DISTRIBUTION',
  MARKUP: 'MARKUP',
  MARKDOWN: 'MARKDOWN',
  BALANCED: 'BALANCED',
} as const;
export type WhalePattern = (typeof WhalePatterns)[keyof typeof WhalePatterns];

/** What whales are doing on balance: the sign of the score beyond its threshold. */
export const WhaleSignals = { ACCUMULATING: 'ACCUMULATING', DISTRIBUTING: 'DISTRIBUTING', NEUTRAL: 'NEUTRAL' } as const;
export type WhaleSignal = (typeof WhaleSignals)[keyof typeof WhaleSignals];

/** One trade as the analyzer needs it (Binance: one aggregate trade = one taker order at one price). */
export interface WhaleTradeInput {
  /** Venue trade id; duplicates (same id) are counted once. */
  id: number;
  price: number;
  qty: number;
  side: TradeSide;
  time: number;
}

/** A trade at or above the whale threshold. */
export interface WhaleTrade {
  symbol: string;
  id: number;
  price: number;
  qty: number;
  /** price × qty, quote currency (USDT ≈ USD). */
  notional: number;
  side: TradeSide;
  time: number;
}

export interface WhaleCandle {
  openTime: number;
  close: number;
  /** Quote-currency volume of the bar; null when the source does not record it. */
  quoteVolume: number | null;
}

export interface WhaleThresholds {
  /** |netFlowRatio| at or below which whale flow counts as balanced (pattern BALANCED). Default 0.1. */
  flowFlatRatio: number;
  /** |price change| in percent at or below which price counts as flat. Default 0.1 (%). */
  priceFlatPct: number;
  /** |net whale flow| as a percent of the window's market quote volume that saturates `netFlowShare`. Default 5 (%). */
  shareScalePct: number;
  /** |score| at or above which the signal is ACCUMULATING / DISTRIBUTING. Default 25. */
  signalScore: number;
  /** Fewer whale trades than this in the window give NEUTRAL whatever the score. Default 3. */
  minTrades: number;
  /** Length of the `largestTrades` list. Default 10. */
  largestCount: number;
}

export const DEFAULT_WHALE_THRESHOLDS: Readonly<WhaleThresholds> = {
  flowFlatRatio: 0.1,
  priceFlatPct: 0.1,
  shareScalePct: 5,
  signalScore: 25,
  minTrades: 3,
  largestCount: 10,
};

/** Default whale threshold in quote currency (USD). */
export const DEFAULT_WHALE_MIN_NOTIONAL = 100_000;

export interface WhaleInput {
  symbol: string;
  /** End of the window (epoch ms). */
  now: number;
  window: WhaleWindow;
  /** A trade is a whale trade when price × qty ≥ minNotional (quote currency). Default 100 000. */
  minNotional?: number;
  /**
   * Trades, ascending by time, complete from `observedSince` on for every notional ≥ minNotional (smaller
   * trades may be left out). Trades outside the window are ignored.
   */
  trades: readonly WhaleTradeInput[];
  /** Time since which `trades` is complete; null when nothing has been observed yet. */
  observedSince: number | null;
  /** Candles of one interval (may include the forming one), ascending, for price change and market volume. */
  candles: readonly WhaleCandle[];
  intervalMs: number;
  /** Latest traded price (end of the price change); null: the last candle close. */
  lastPrice: number | null;
  thresholds?: Partial<WhaleThresholds>;
}

export interface WhaleActivity {
  symbol: string;
  window: WhaleWindow;
  windowMs: number;
  minNotional: number;
  /** True when trades were not observed over the whole window: totals cover [from, now] only; pattern and signal are null. */
  warmingUp: boolean;
  /** Start of the span the totals cover: max(now − window, observedSince). Null when nothing was observed. */
  from: number | null;
  to: number;
  /** Milliseconds of the window actually observed. */
  coveredMs: number;
  buyCount: number;
  sellCount: number;
  /** Taker-buy whale notional (quote currency). */
  buyNotional: number;
  sellNotional: number;
  /** buyNotional − sellNotional. */
  netFlow: number;
  /** netFlow / (buyNotional + sellNotional), −1..1; null without whale trades. */
  netFlowRatio: number | null;
  /** buyNotional / (buyNotional + sellNotional) × 100; null without whale trades. */
  buyPressurePct: number | null;
  sellPressurePct: number | null;
  /** Market quote volume over the candles that opened in the window; null without candles there or when the source does not record quote volume. */
  marketQuoteVolume: number | null;
  /** (buyNotional + sellNotional) / marketQuoteVolume × 100: whales' share of all traded volume. */
  whaleSharePct: number | null;
  /** Price change over the window in percent; null when the candles do not reach back to its start. */
  priceChangePct: number | null;
  pattern: WhalePattern | null;
  signal: WhaleSignal | null;
  /** −100..100: positive = whales net buying, negative = net selling (0 while warming up). */
  score: number;
  factors: Factor[];
  /** The largest whale trades of the window, by notional, largest first. */
  largestTrades: WhaleTrade[];
  /** Time of the newest whale trade in the window. */
  lastWhaleAt: number | null;
  note: string;
}
