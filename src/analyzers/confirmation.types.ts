import type { Candle, CandleInterval } from '../domain/market.js';
import type { CorrelationAnalysis } from './correlation.types.js';
import type { OrderBookAnalysis } from './order-book.types.js';
import type { ForecastAnalysis } from './forecast.types.js';
import type { FundingAnalysis } from './funding.types.js';
import type { KeyLevels } from './key-levels.types.js';
import type { MarketStructure } from './market-structure.types.js';
import type { OpenInterestAnalysis } from './open-interest.types.js';
import type { OptionsFlowAnalysis } from './options-flow.types.js';
import type { RegimeAnalysis } from './regime.types.js';
import type { SentimentAnalysis } from './sentiment.types.js';
import type { Factor } from './types.js';
import type { VolatilityAnalysis } from './volatility.types.js';
import type { VolumeProfile } from './volume-profile.types.js';
import type { VolumeAnalysis } from './volume.types.js';
import type { WhaleActivity } from './whales.types.js';
import type { LongShortAnalysis } from './long-short.types.js';
import type { LiquidationHeatmap } from './liquidation-heatmap.types.js';

/** The twelve layers of the confirmation score, in their documented order. */
export const ConfirmationLayerNames = {
  PRICE_ACTION: 'PRICE_ACTION',
  VOLUME: 'VOLUME',
  TECHNICAL: 'TECHNICAL',
  WYCKOFF: 'WYCKOFF',
  SUPPORT_RESISTANCE: 'SUPPORT_RESISTANCE',
  FIBONACCI: 'FIBONACCI',
  ORDER_FLOW: 'ORDER_FLOW',
  WHALES: 'WHALES',
  SENTIMENT: 'SENTIMENT',
  CORRELATION: 'CORRELATION',
  OPTIONS_FLOW: 'OPTIONS_FLOW',
  FORECAST: 'FORECAST',
} as const;
export type ConfirmationLayerName = (typeof ConfirmationLayerNames)[keyof typeof ConfirmationLayerNames];

export const LayerDirections = { BULLISH: 'BULLISH', BEARISH: 'BEARISH', NEUTRAL: 'NEUTRAL' } as const;
export type LayerDirection = (typeof LayerDirections)[keyof typeof LayerDirections];

/**
 * One existing analysis as a layer sees it: its latest result with its freshness, or why there is none.
 * A layer must treat `stale: true` like absent (unavailable, the input named in `missingInputs`): a
 * stale layer is never read as current.
 */
export type LayerSource<T> = { value: T; asOf: number; stale: boolean } | { value: null; reason: string };

/**
 * Everything the twelve layers read, assembled by the engine definition (engine/definitions/confirmation.ts)
 * from the store and the latest results of the other analyses. Pure data: layers never reach further.
 */
export interface ConfirmationInputs {
  symbol: string;
  /** The timeframe the interval-dependent layers (1–6) read. */
  interval: CandleInterval;
  now: number;
  /** Closed bars of `interval`, oldest first (the forming bar left out: it would repaint). */
  candles: readonly Candle[];
  /** Last traded price (null when none yet). */
  price: number | null;
  // Interval-dependent analyses (computed for `interval`)
  regime: LayerSource<RegimeAnalysis>;
  structure: LayerSource<MarketStructure>;
  levels: LayerSource<KeyLevels>;
  profile: LayerSource<VolumeProfile>;
  volume: LayerSource<VolumeAnalysis>;
  volatility: LayerSource<VolatilityAnalysis>;
  // Interval-independent analyses (their default computation)
  funding: LayerSource<FundingAnalysis>;
  openInterest: LayerSource<OpenInterestAnalysis>;
  longShort: LayerSource<LongShortAnalysis>;
  whales: LayerSource<WhaleActivity>;
  heatmap: LayerSource<LiquidationHeatmap>;
  /** Sentiment of this symbol's key (falls back to `ALL` in the definition when absent). */
  sentiment: LayerSource<SentimentAnalysis>;
  correlation: LayerSource<CorrelationAnalysis>;
  /** Options flow of the symbol's base currency (BTC, ETH); `value: null` for symbols with no options market. */
  optionsFlow: LayerSource<OptionsFlowAnalysis>;
  /** The symbol's FORECAST (1 h GARCH; layer 12 reads its H4 horizon and out-of-sample verdict). */
  forecast: LayerSource<ForecastAnalysis>;
  /** The symbol's ORDER_BOOK (layer 7 reads its ±1 % imbalance z-score; absent where the venue keeps no book). */
  orderBook: LayerSource<OrderBookAnalysis>;
}

/** What one layer function returns; the composite adds `name` and `weight`. */
export interface LayerOutcome {
  /** False when its data is absent or stale: then score, direction and confidence are null. */
  available: boolean;
  /** Inputs that are absent or stale (e.g. `takerBuyVolume`, `OPTIONS_FLOW`), empty when available. */
  missingInputs: string[];
  /** -100 (bearish) .. 100 (bullish); null when unavailable. */
  score: number | null;
  direction: LayerDirection | null;
  /** 0..1: how much the layer trusts its own reading (sample size, agreement of its factors). */
  confidence: number | null;
  /** The measurements behind the score (weights of one layer sum to 1; contribution in -1..1). */
  factors: Factor[];
  /** One line a trader can read, e.g. "Higher highs and higher lows; closes above EMA 50". */
  reading: string;
}

/** A layer: a pure function of the assembled inputs. */
export type ConfirmationLayer = (inputs: ConfirmationInputs) => LayerOutcome;

/** Score band inside which a layer (or the composite) reads NEUTRAL. */
export const LAYER_NEUTRAL_BAND = 15;

/** Direction of a -100..100 score: NEUTRAL inside ±LAYER_NEUTRAL_BAND. */
export function directionOf(score: number): LayerDirection {
  if (score > LAYER_NEUTRAL_BAND) return LayerDirections.BULLISH;
  if (score < -LAYER_NEUTRAL_BAND) return LayerDirections.BEARISH;
  return LayerDirections.NEUTRAL;
}

/** The outcome of a layer whose data is absent or stale. */
export function unavailableLayer(missingInputs: string[], reading: string): LayerOutcome {
  return { available: false, missingInputs, score: null, direction: null, confidence: null, factors: [], reading };
}

/** A layer as the composite reports it. */
export interface ConfirmationLayerResult extends LayerOutcome {
  name: ConfirmationLayerName;
  /** Weight after renormalisation over the available layers (0 when unavailable); available weights sum to 1. */
  weight: number;
}

export const ConfirmationQualities = { EXCELLENT: 'EXCELLENT', GOOD: 'GOOD', MODERATE: 'MODERATE', POOR: 'POOR' } as const;
export type ConfirmationQuality = (typeof ConfirmationQualities)[keyof typeof ConfirmationQualities];
export const ConfirmationStrengths = { STRONG: 'STRONG', MEDIUM: 'MEDIUM', WEAK: 'WEAK' } as const;
export type ConfirmationStrength = (typeof ConfirmationStrengths)[keyof typeof ConfirmationStrengths];

/** The composite of the twelve layers for one symbol and interval (GraphQL `Confirmation`). */
export interface Confirmation {
  symbol: string;
  interval: CandleInterval;
  /** 0..100, 50 neutral: 50 + (weighted mean of available layer scores) / 2. */
  score: number;
  signal: LayerDirection;
  quality: ConfirmationQuality;
  strength: ConfirmationStrength;
  /** Available weight / total weight (before renormalisation), 0..1. */
  coverage: number;
  distribution: { bullish: number; bearish: number; neutral: number; unavailable: number };
  recommendation: string;
  factors: Factor[];
  layers: ConfirmationLayerResult[];
}
