import {
  CascadeDirections,
  LiquidationPressures,
  LiquidationRiskLevels,
  PositionSides,
  type HeatmapWindow,
  type LeverageTierSummary,
  type LiquidationBucket,
  type LiquidationCascade,
  type LiquidationHeatmap,
  type LiquidationTierAmount,
  type LiquidationTimeline,
  type LiquidationTimelineSlice,
  type LiquidationTotals,
  type LiquidationZone,
  type WhaleTarget,
} from '../analyzers/liquidation-heatmap.types.js';
import { builder } from './builder.js';
import type { WithMeta } from './refs.js';

/**
 * Refs and enums of the liquidation heatmap (implemented in src/resolvers/liquidation-heatmap.ts). Every
 * type name starts with `LiquidationHeatmap` (or `Liquidation…` for enums) so it cannot collide with the
 * other liquidation analyses.
 */
export const LiquidationHeatmapRef = builder.objectRef<WithMeta<LiquidationHeatmap>>('LiquidationHeatmap');
/** A bucket plus the tier leverages, so `tiers` can pair each amount with its leverage. */
export const LiquidationHeatmapBucketRef = builder.objectRef<LiquidationBucket & { leverages: readonly number[] }>('LiquidationHeatmapBucket');
export const LiquidationHeatmapTierAmountRef = builder.objectRef<LiquidationTierAmount>('LiquidationHeatmapTierAmount');
export const LiquidationHeatmapLeverageTierRef = builder.objectRef<LeverageTierSummary>('LiquidationHeatmapLeverageTier');
export const LiquidationHeatmapZoneRef = builder.objectRef<LiquidationZone>('LiquidationHeatmapZone');
export const LiquidationHeatmapWhaleTargetRef = builder.objectRef<WhaleTarget>('LiquidationHeatmapWhaleTarget');
export const LiquidationHeatmapCascadeRef = builder.objectRef<LiquidationCascade>('LiquidationHeatmapCascade');
export const LiquidationHeatmapTotalsRef = builder.objectRef<LiquidationTotals>('LiquidationHeatmapTotals');
/** The timeline plus the bucket mid prices (its y axis). */
export const LiquidationHeatmapTimelineRef = builder.objectRef<LiquidationTimeline & { prices: readonly number[] }>('LiquidationHeatmapTimeline');
export const LiquidationHeatmapSliceRef = builder.objectRef<LiquidationTimelineSlice>('LiquidationHeatmapSlice');
export const LiquidationHeatmapWindowRef = builder.objectRef<HeatmapWindow>('LiquidationHeatmapWindow');

export const LiquidationPositionSideEnum = builder.enumType(PositionSides, {
  name: 'LiquidationPositionSide',
  description: 'Side of the estimated positions: LONG positions are liquidated below the price, SHORT above.',
  values: {
    LONG: { description: 'Long positions: liquidated below the current price.' },
    SHORT: { description: 'Short positions: liquidated above the current price.' },
  },
});

export const LiquidationRiskLevelEnum = builder.enumType(LiquidationRiskLevels, {
  name: 'LiquidationRiskLevel',
  description:
    'Size of a liquidation cluster in minutes of average traded volume: LOW < 0.5, MEDIUM ≥ 0.5, HIGH ≥ 2, EXTREME ≥ 5 (LOW without a volume reference).',
  values: {
    EXTREME: { description: '≥ 5 minutes of average traded volume.' },
    HIGH: { description: '≥ 2 minutes of average traded volume.' },
    LOW: { description: '< 0.5 minutes of average traded volume, or no volume reference.' },
    MEDIUM: { description: '≥ 0.5 minutes of average traded volume.' },
  },
});

export const LiquidationPressureEnum = builder.enumType(LiquidationPressures, {
  name: 'LiquidationPressure',
  description:
    'Which side carries more estimated liquidation notional: LONG_HEAVY (pressure score ≥ 20, downside fuel), SHORT_HEAVY (≤ −20, squeeze fuel), BALANCED.',
  values: {
    BALANCED: { description: 'Pressure score between −20 and 20.' },
    LONG_HEAVY: { description: 'Pressure score ≥ 20: more long liquidation notional below (downside fuel).' },
    SHORT_HEAVY: { description: 'Pressure score ≤ −20: more short liquidation notional above (squeeze fuel).' },
  },
});

export const LiquidationCascadeDirectionEnum = builder.enumType(CascadeDirections, {
  name: 'LiquidationCascadeDirection',
  description: 'Where a liquidation cascade is more likely: UP or DOWN when one probability exceeds the other by ≥ 0.05, else NEUTRAL.',
  values: {
    DOWN: { description: 'downProbability exceeds upProbability by ≥ 0.05.' },
    NEUTRAL: { description: 'Neither probability leads by 0.05, or neither is known.' },
    UP: { description: 'upProbability exceeds downProbability by ≥ 0.05.' },
  },
});
