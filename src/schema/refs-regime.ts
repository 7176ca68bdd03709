import {
  MarketPhases,
  MarketRegimes,
  ReturnTendencies,
  TimeframeSources,
  type PhaseEvidence,
  type RegimeAnalysis,
  type RegimeThresholds,
  type TimeframeRegime,
  type VarianceRatioResult,
} from '../analyzers/regime.types.js';
import { builder } from './builder.js';
import type { WithMeta } from './refs.js';

/** Refs and enums of the multi-timeframe regime analysis (implemented in src/resolvers/regime.ts). */
export const RegimeAnalysisRef = builder.objectRef<WithMeta<RegimeAnalysis>>('RegimeAnalysis');
export const TimeframeRegimeRef = builder.objectRef<TimeframeRegime>('TimeframeRegime');
export const VarianceRatioRef = builder.objectRef<VarianceRatioResult>('VarianceRatio');
export const PhaseEvidenceRef = builder.objectRef<PhaseEvidence>('PhaseEvidence');
export const RegimeThresholdsRef = builder.objectRef<RegimeThresholds>('RegimeThresholds');

export const MarketRegimeEnum = builder.enumType(MarketRegimes, {
  name: 'MarketRegime',
  description: 'TREND_UP / TREND_DOWN: |efficiency ratio| ≥ trendEfficiency (default 0.3) with a same-sign slope of ln(close); RANGE otherwise.',
});

export const TimeframeSourceEnum = builder.enumType(TimeframeSources, {
  name: 'TimeframeSource',
  description: 'STORE: candles of that interval held; DERIVED_FROM_*: aggregated from complete groups of shorter candles; NONE: nothing to classify from.',
});

export const ReturnTendencyEnum = builder.enumType(ReturnTendencies, {
  name: 'ReturnTendency',
  description: 'From the Lo–MacKinlay variance ratio z statistic: TREND_CONTINUATION (z ≥ 1.96), MEAN_REVERSION (z ≤ −1.96), RANDOM_WALK otherwise.',
});

export const MarketPhaseEnum = builder.enumType(MarketPhases, {
  name: 'MarketPhase',
  description:
    'Wyckoff-like 4 h phase: MARKUP / MARKDOWN when 4 h trends; in a range ACCUMULATION (after a decline ≥ priorMovePct, OBV or CVD rising), DISTRIBUTION (after an advance, OBV or CVD falling), else UNDETERMINED.',
});
