import {
  VolatilityRegimes,
  type BollingerBands,
  type TransitionCell,
  type VolatilityAnalysis,
  type VolatilityPersistence,
  type VolatilityRegimeChange,
  type VolatilityThresholds,
  type VolatilityTransition,
} from '../analyzers/volatility.types.js';
import { builder } from './builder.js';
import type { WithMeta, MaybeEventMeta } from './refs.js';

/** Refs and enums of the volatility analysis (implemented in src/resolvers/volatility.ts). */
export const VolatilityAnalysisRef = builder.objectRef<WithMeta<VolatilityAnalysis>>('VolatilityAnalysis');
export const BollingerBandsRef = builder.objectRef<BollingerBands>('BollingerBands');
export const VolatilityTransitionRef = builder.objectRef<VolatilityTransition>('VolatilityTransition');
export const VolatilityTransitionCellRef = builder.objectRef<TransitionCell>('VolatilityTransitionCell');
export const VolatilityPersistenceRef = builder.objectRef<VolatilityPersistence>('VolatilityPersistence');
export const VolatilityThresholdsRef = builder.objectRef<VolatilityThresholds>('VolatilityThresholds');
export const VolatilityRegimeChangeRef = builder.objectRef<MaybeEventMeta<VolatilityRegimeChange>>('VolatilityRegimeChange');

export const VolatilityRegimeEnum = builder.enumType(VolatilityRegimes, {
  name: 'VolatilityRegime',
  description:
    'Volatility state from the percentile rank of ATR% against its own recent history: STABLE (< highVolPercentile, default 60), HIGH_VOL (≥ 60), EXPLOSIVE (≥ 85), EXTREME (≥ 97).',
  values: {
    EXPLOSIVE: { description: 'ATR% at or above `explosivePercentile`: expansion, stops and sizes need adjusting.' },
    EXTREME: { description: 'ATR% at or above `extremePercentile`: the top few percent of its history (crash / squeeze bars).' },
    HIGH_VOL: { description: 'ATR% at or above `highVolPercentile`: wider than usual ranges.' },
    STABLE: { description: 'ATR% below the `highVolPercentile` of its history: ordinary conditions.' },
  },
});
