import {
  MarketPhases,
  MarketRegimes,
  RegimeShortfalls,
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
  values: {
    RANGE: { description: '|efficiency ratio| below trendEfficiency, or its slope disagrees: no trend.' },
    TREND_DOWN: { description: '|efficiency ratio| ≥ trendEfficiency with a negative slope of ln(close).' },
    TREND_UP: { description: '|efficiency ratio| ≥ trendEfficiency with a positive slope of ln(close).' },
  },
});

export const RegimeShortfallEnum = builder.enumType(RegimeShortfalls, {
  name: 'RegimeShortfall',
  description: 'Why a timeframe has too few bars to classify: the source will still supply them, or it cannot.',
  values: {
    SOURCE_HISTORY: { description: 'The source is a recording (a replay) that does not reach back far enough: more bars of this timeframe will never come from it.' },
    WARMING_UP: { description: 'The source can supply more (live venues backfill, the simulated market keeps adding bars): the timeframe is classified once enough bars have closed.' },
  },
});

export const TimeframeSourceEnum = builder.enumType(TimeframeSources, {
  name: 'TimeframeSource',
  description: 'STORE: candles of that interval held; DERIVED_FROM_*: aggregated from complete groups of shorter candles; NONE: nothing to classify from.',
  values: {
    DERIVED_FROM_1D: { description: 'Aggregated from complete groups of 7 daily candles (Monday 00:00 UTC weeks).' },
    DERIVED_FROM_1H: { description: 'Aggregated from complete groups of 1 h candles (4 per 4 h bar, 24 per UTC day).' },
    DERIVED_FROM_4H: { description: 'Aggregated from complete groups of 4 h candles (6 per UTC day).' },
    NONE: { description: 'Nothing to classify from.' },
    STORE: { description: 'Candles of that interval held by the store.' },
  },
});

export const ReturnTendencyEnum = builder.enumType(ReturnTendencies, {
  name: 'ReturnTendency',
  description: 'From the Lo–MacKinlay variance ratio z statistic: TREND_CONTINUATION (z ≥ 1.96), MEAN_REVERSION (z ≤ −1.96), RANDOM_WALK otherwise.',
  values: {
    MEAN_REVERSION: { description: 'VR < 1 significantly (z ≤ −zCritical): returns are negatively autocorrelated.' },
    RANDOM_WALK: { description: 'The random-walk hypothesis is not rejected.' },
    TREND_CONTINUATION: { description: 'VR > 1 significantly (z ≥ zCritical): returns are positively autocorrelated.' },
  },
});

export const MarketPhaseEnum = builder.enumType(MarketPhases, {
  name: 'MarketPhase',
  description:
    'Wyckoff-like 4 h phase: MARKUP / MARKDOWN when 4 h trends; in a range ACCUMULATION (after a decline ≥ priorMovePct, OBV or CVD rising), DISTRIBUTION (after an advance, OBV or CVD falling), else UNDETERMINED.',
  values: {
    ACCUMULATION: { description: 'Range after a decline, with rising OBV or CVD (absorption of supply).' },
    DISTRIBUTION: { description: 'Range after an advance, with falling OBV or CVD (supply entering).' },
    MARKDOWN: { description: '4 h trending down.' },
    MARKUP: { description: '4 h trending up.' },
    UNDETERMINED: { description: 'A range whose prior move or flow does not support either reading.' },
  },
});
