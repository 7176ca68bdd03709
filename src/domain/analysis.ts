import type { CandleInterval, DataOrigin, MarketEventType } from './market.js';

/** One value per analysis; later analyses add theirs. */
export const AnalysisKinds = {
  FUNDING: 'FUNDING',
  LIQUIDATION_HEATMAP: 'LIQUIDATION_HEATMAP',
  OPEN_INTEREST: 'OPEN_INTEREST',
  LONG_SHORT: 'LONG_SHORT',
  BASIS: 'BASIS',
  LIQUIDATION_CASCADES: 'LIQUIDATION_CASCADES',
  WHALES: 'WHALES',
  VOLUME: 'VOLUME',
  VOLUME_PROFILE: 'VOLUME_PROFILE',
  MARKET_STRUCTURE: 'MARKET_STRUCTURE',
  KEY_LEVELS: 'KEY_LEVELS',
  TRAPS: 'TRAPS',
  SESSIONS: 'SESSIONS',
  VOLATILITY: 'VOLATILITY',
  REGIME: 'REGIME',
  FORECAST: 'FORECAST',
  ORDER_BOOK: 'ORDER_BOOK',
  CORRELATION: 'CORRELATION',
  SENTIMENT: 'SENTIMENT',
  OPTIONS_FLOW: 'OPTIONS_FLOW',
  OPTIONS_SURFACE: 'OPTIONS_SURFACE',
  CONFIRMATION: 'CONFIRMATION',
  SCENARIOS: 'SCENARIOS',
  EMERGENCY: 'EMERGENCY',
} as const;
export type AnalysisKind = (typeof AnalysisKinds)[keyof typeof AnalysisKinds];

/**
 * The latest result of one analysis for one symbol, as cached, published and snapshotted.
 * JSON-safe (epoch ms, plain objects) because Redis serialises it.
 */
export interface AnalysisRecord<R = unknown> {
  kind: AnalysisKind;
  symbol: string;
  result: R;
  /** Time of the newest market input the result is based on. */
  asOf: number;
  /** When the engine computed it. */
  computedAt: number;
  methodologyVersion: string;
  source: DataOrigin;
  venue: string;
  /**
   * The inputs the result was built from, sampled when it was computed (newest time, cadence, grace):
   * `meta.inputs` judges them at read time. Absent on records from before inputs were sampled.
   */
  inputs?: InputSample[];
}

/** Last traded price and mark/index for a symbol, cached alongside the analyses. */
export interface TickerRecord {
  symbol: string;
  price: number;
  markPrice: number | null;
  indexPrice: number | null;
  asOf: number;
  source: DataOrigin;
  venue: string;
}

/** An input as sampled when a result is computed (JSON-safe: it travels with the record through Redis). */
export interface InputSample {
  /** Store event type (`candle`, `markPrice`, `openInterest`, ...). */
  type: MarketEventType;
  /** Candle interval when the input is the closed bars of one interval, else null. */
  interval: CandleInterval | null;
  /** Epoch ms of the newest value held (its own time: bar close, event time, publication time); null if none yet. */
  lastAt: number | null;
  /** Time between two values (ms); null for irregular events. */
  expectedEveryMs: number | null;
  /** Extra delay tolerated after the expected arrival (ms). */
  graceMs: number;
}

/**
 * Provenance of one event on a subscription stream (liquidation, whale trade, trap, volatility regime
 * change), JSON-safe like the records: where it came from and the market time it describes, so a client
 * can tell simulated, replayed and live events apart.
 */
export interface EventMeta {
  source: DataOrigin;
  venue: string;
  /** Epoch ms of the market input the event describes (liquidation/trade time, a trap's detectedAt, or the analysis asOf). */
  asOf: number;
}

/** An event payload with its provenance. */
export type WithEventMeta<T> = T & { meta: EventMeta };
