import {
  CascadeLevels,
  LiquidationDominances,
  LiquidationFeeds,
  type LiquidationCascadeAnalysis,
  type LiquidationZone,
} from '../analyzers/liquidation-cascades.types.js';
import { builder } from './builder.js';
import type { WithMeta } from './refs.js';

/**
 * Refs and enums of the liquidation-cascade analysis (implemented in src/resolvers/liquidation-cascades.ts).
 * The enums live here rather than in enums.ts so this analysis stays one self-contained slice.
 */
export const LiquidationCascadeAnalysisRef = builder.objectRef<WithMeta<LiquidationCascadeAnalysis>>('LiquidationCascadeAnalysis');
export const LiquidationZoneRef = builder.objectRef<LiquidationZone>('LiquidationZone');

export const CascadeLevelEnum = builder.enumType(CascadeLevels, {
  name: 'CascadeLevel',
  description: 'Name of a cascade severity: CALM 1, ELEVATED 2, CASCADE 3, SEVERE 4, EXTREME 5.',
  values: {
    CALM: { description: 'Severity 1.' },
    ELEVATED: { description: 'Severity 2.' },
    CASCADE: { description: 'Severity 3.' },
    SEVERE: { description: 'Severity 4.' },
    EXTREME: { description: 'Severity 5.' },
  },
});

export const LiquidationDominanceEnum = builder.enumType(LiquidationDominances, {
  name: 'LiquidationDominance',
  description:
    'Which positions were liquidated: LONGS_LIQUIDATED (SELL liquidation orders, forced selling), SHORTS_LIQUIDATED (BUY orders, forced buying), BALANCED, or NONE without liquidations.',
  values: {
    NONE: { description: 'No liquidation in the window.' },
    BALANCED: { description: 'Neither side reaches the dominance share (default 0.6 of the window\'s notional).' },
    LONGS_LIQUIDATED: { description: 'Long positions (SELL liquidation orders) carry at least the dominance share of the notional: forced selling.' },
    SHORTS_LIQUIDATED: { description: 'Short positions (BUY liquidation orders) carry at least the dominance share: forced buying.' },
  },
});

export const LiquidationFeedEnum = builder.enumType(LiquidationFeeds, {
  name: 'LiquidationFeed',
  description:
    'COMPLETE: the venue reports every liquidation. SAMPLED: it reports some (Binance forceOrder: at most one per symbol per second), so totals are lower bounds. UNKNOWN: none seen yet.',
  values: {
    COMPLETE: { description: 'The venue reports every liquidation.' },
    SAMPLED: { description: 'The venue reports a sample (Binance: at most one per symbol per second): totals are lower bounds.' },
    UNKNOWN: { description: 'No liquidation seen yet.' },
  },
});

/** Window lengths in ms; a closed set keeps the per-parameter result cache small. */
export const LIQUIDATION_WINDOWS_MS = {
  M5: 300_000,
  M15: 900_000,
  M30: 1_800_000,
  H1: 3_600_000,
  H4: 14_400_000,
  H12: 43_200_000,
  H24: 86_400_000,
} as const;

export const LiquidationWindowEnum = builder.enumType('LiquidationWindow', {
  description: 'Velocity window of the cascade analysis: M5 = 5 minutes … H24 = 24 hours.',
  values: {
    M5: { description: '5 minutes.', value: LIQUIDATION_WINDOWS_MS.M5 },
    M15: { description: '15 minutes.', value: LIQUIDATION_WINDOWS_MS.M15 },
    M30: { description: '30 minutes.', value: LIQUIDATION_WINDOWS_MS.M30 },
    H1: { description: '1 hour.', value: LIQUIDATION_WINDOWS_MS.H1 },
    H4: { description: '4 hours.', value: LIQUIDATION_WINDOWS_MS.H4 },
    H12: { description: '12 hours.', value: LIQUIDATION_WINDOWS_MS.H12 },
    H24: { description: '24 hours.', value: LIQUIDATION_WINDOWS_MS.H24 },
  } as const,
});
