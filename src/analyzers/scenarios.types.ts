import type { OrderBookAnalysis } from './order-book.types.js';
import type { CandleInterval } from '../domain/market.js';
import type { Confirmation } from './confirmation.types.js';
import type { KeyLevels } from './key-levels.types.js';
import type { BracketTable, LiquidationHeatmap } from './liquidation-heatmap.types.js';
import type { VolumeProfile } from './volume-profile.types.js';

export const ScenarioBiases = { LONG: 'LONG', SHORT: 'SHORT' } as const;
export type ScenarioBias = (typeof ScenarioBiases)[keyof typeof ScenarioBiases];

/** How the scenario is set up; decides the entry zone. */
export const ScenarioKinds = {
  /** With the composite: a close through the nearest level against it (resistance for a long). */
  BREAKOUT: 'BREAKOUT',
  /** With the composite: a pull-back into the nearest level behind the price (support for a long). */
  PULLBACK: 'PULLBACK',
  /** Against the composite: a rejection at the nearest level in its way (resistance for a short). */
  REJECTION: 'REJECTION',
  /** No side: fading the edges of the range (value area when known, else the nearest levels). */
  RANGE_FADE: 'RANGE_FADE',
} as const;
export type ScenarioKind = (typeof ScenarioKinds)[keyof typeof ScenarioKinds];

/** STOP: a stop order through the zone (breakouts); LIMIT: a resting order inside it. */
export const EntryTypes = { STOP: 'STOP', LIMIT: 'LIMIT' } as const;
export type EntryType = (typeof EntryTypes)[keyof typeof EntryTypes];

export interface ScenarioEntry {
  priceMin: number;
  priceMax: number;
  type: EntryType;
}

export interface ScenarioStop {
  price: number;
  /** What the stop is placed beyond, in words (level, liquidation cluster, ATR). */
  reason: string;
}

export interface ScenarioTarget {
  /** 1-based, nearest first. */
  level: number;
  price: number;
  /** |price − entry mid| / |entry mid − stop|. */
  rr: number;
  reason: string;
}

export interface ScenarioLeverage {
  /** floor(maxSafe × recommendedShare), at least 1. */
  recommended: number;
  /**
   * Highest whole leverage (≤ the bracket table's maximum) whose liquidation price, for a position of
   * `referenceNotional` entered at the entry mid, lies beyond the stop by at least
   * `liquidationBufferRatio` × the entry–stop distance.
   */
  maxSafe: number;
  /** Liquidation price at `maxSafe` (Binance formula, maintenance bracket of the reference notional). */
  liquidationPrice: number;
}

export interface ScenarioWhy {
  bullishFactors: string[];
  bearishFactors: string[];
  risks: string[];
}

export interface Scenario {
  name: string;
  kind: ScenarioKind;
  bias: ScenarioBias;
  /** 0..1, from the composite (see the method in docs/confirmation.md). */
  confidence: number;
  entry: ScenarioEntry;
  stopLoss: ScenarioStop;
  targets: ScenarioTarget[];
  leverage: ScenarioLeverage;
  /** The condition that voids the scenario before entry, in words. */
  invalidation: string;
  /** How long the scenario is expected to play out, in words. */
  horizon: string;
  /** The same horizon in milliseconds (what the track record grades against). */
  horizonMs: number;
  why: ScenarioWhy;
}

export interface ScenarioThresholds {
  /** Entry zone width in ATRs. */
  entryZoneAtr: number;
  /** Stops sit this many ATRs beyond the level or cluster they protect. */
  stopBufferAtr: number;
  /** Minimum entry-mid to stop distance in ATRs (a level right at the zone would make a noise stop). */
  minStopAtr: number;
  /** Liquidation clusters within this many ATRs beyond a structural stop push the stop beyond them. */
  clusterReachAtr: number;
  /** Liquidation must lie beyond the stop by this multiple of the entry–stop distance. */
  liquidationBufferRatio: number;
  /** recommended leverage = floor(maxSafe × this). */
  recommendedShare: number;
  /** Position notional (quote) the maintenance bracket is looked up for. */
  referenceNotional: number;
  /** Bars of `interval` a scenario is given to play out. */
  horizonBars: number;
}

export interface ScenarioInputs {
  symbol: string;
  interval: CandleInterval;
  now: number;
  price: number;
  /** Average true range of `interval` (quote currency). */
  atr: number;
  confirmation: Confirmation;
  /** Key levels of the same interval; null when unavailable (then ATR multiples stand in, and say so). */
  levels: KeyLevels | null;
  /** Volume profile (value area); null when unavailable. */
  profile: VolumeProfile | null;
  /** Liquidation heatmap; null when unavailable. */
  heatmap: LiquidationHeatmap | null;
  /** Order book (walls as stop anchors and targets, exit slippage); null or absent when the venue keeps none. */
  orderBook?: OrderBookAnalysis | null;
  brackets: BracketTable;
  maxScenarios?: number;
  thresholds?: Partial<ScenarioThresholds>;
}

export interface ScenarioSet {
  symbol: string;
  interval: CandleInterval;
  price: number;
  atr: number;
  /** The composite the scenarios were built from (0..100) and its signal. */
  confirmationScore: number;
  confirmationSignal: Confirmation['signal'];
  scenarios: Scenario[];
  /** Inputs that were missing and what stood in for them. */
  notes: string[];
  thresholds: ScenarioThresholds;
}
