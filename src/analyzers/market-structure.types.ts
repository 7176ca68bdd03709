import type { CandleInterval } from '../domain/market.js';
import type { Factor } from './types.js';

/** Label of a confirmed swing against the previous confirmed swing of the same kind. */
export const SwingLabels = {
  /** Higher high: a swing high above the previous swing high. */
  HH: 'HH',
  /** Lower high: a swing high at or below the previous swing high (an equal high failed to extend). */
  LH: 'LH',
  /** Higher low: a swing low at or above the previous swing low (an equal low held). */
  HL: 'HL',
  /** Lower low: a swing low below the previous swing low. */
  LL: 'LL',
} as const;
export type SwingLabel = (typeof SwingLabels)[keyof typeof SwingLabels];

export const StructureTrends = { UPTREND: 'UPTREND', DOWNTREND: 'DOWNTREND', RANGE: 'RANGE' } as const;
export type StructureTrend = (typeof StructureTrends)[keyof typeof StructureTrends];

export const StructureEventKinds = {
  /** Break of structure: a close beyond the last confirmed swing in the direction of the trend (continuation). */
  BOS: 'BOS',
  /** Change of character: a close beyond the last confirmed swing against the trend (first sign of reversal). */
  CHOCH: 'CHOCH',
} as const;
export type StructureEventKind = (typeof StructureEventKinds)[keyof typeof StructureEventKinds];

export const StructureDirections = { BULLISH: 'BULLISH', BEARISH: 'BEARISH' } as const;
export type StructureDirection = (typeof StructureDirections)[keyof typeof StructureDirections];

/** One candle as the analyzer needs it (closed candles only, strictly ascending openTime). */
export interface StructureCandle {
  openTime: number;
  closeTime: number;
  high: number;
  low: number;
  close: number;
}

export interface MarketStructureInput {
  symbol: string;
  interval: CandleInterval;
  /** Closed candles, strictly ascending by openTime. The forming candle must not be included (it would repaint). */
  candles: readonly StructureCandle[];
  /** Later bars that must close before a swing is confirmed (and earlier bars that must be lower/higher). Default 2. */
  confirmBars?: number;
}

export const DEFAULT_STRUCTURE_CONFIRM_BARS = 2;

export interface StructureSwing {
  kind: 'HIGH' | 'LOW';
  price: number;
  /** Open time of the swing bar. */
  time: number;
  /** Close time of the bar that confirmed the swing (confirmBars bars later); the swing is unknown before. */
  confirmedAt: number;
  /** Against the previous confirmed swing of the same kind; null for the first of its kind. */
  label: SwingLabel | null;
}

export interface StructureEvent {
  kind: StructureEventKind;
  direction: StructureDirection;
  /** The swing price that was closed beyond. */
  level: number;
  /** The swing that was broken. */
  swing: StructureSwing;
  /** Open time of the bar that broke the level. */
  time: number;
  /** Close time of that bar (when the break became known). */
  confirmedAt: number;
  /** Close of the breaking bar. */
  close: number;
  trendBefore: StructureTrend;
  trendAfter: StructureTrend;
}

export interface MarketStructure {
  symbol: string;
  interval: CandleInterval;
  confirmBars: number;
  /** Closed bars analysed. */
  bars: number;
  /** True until at least one swing high and one swing low are confirmed; trend is then null. */
  warmingUp: boolean;
  /** Close time of the last closed bar; null without bars. */
  time: number | null;
  /** Close of the last closed bar; null without bars. */
  close: number | null;
  /** Direction of the last BOS/CHoCH; RANGE before any break. Null while warming up. */
  trend: StructureTrend | null;
  /** When the current trend was set (close time of the breaking bar); null in RANGE. */
  trendSince: number | null;
  /** All confirmed swings, oldest first. */
  swings: StructureSwing[];
  lastSwingHigh: StructureSwing | null;
  lastSwingLow: StructureSwing | null;
  /** All BOS/CHoCH events, oldest first. */
  events: StructureEvent[];
  lastEvent: StructureEvent | null;
  /** Structure bias −100..100: 100 × Σ factor contributions (last break, high sequence, low sequence). */
  score: number;
  factors: Factor[];
}
