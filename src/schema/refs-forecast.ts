import {
  ForecastHorizons,
  type CoverageCell,
  type ForecastAnalysis,
  type ForecastEvaluation,
  type ForecastInterval,
  type ForecastThresholds,
  type GarchFit,
  type HitRate,
  type HorizonEvaluation,
  type HorizonForecast,
  type LogScoreComparison,
} from '../analyzers/forecast.types.js';
import { builder } from './builder.js';
import type { WithMeta } from './refs.js';

/** Refs and enums of the forecast analysis (implemented in src/resolvers/forecast.ts). */
export const ForecastRef = builder.objectRef<WithMeta<ForecastAnalysis>>('Forecast');
export const GarchModelRef = builder.objectRef<GarchFit>('GarchModel');
export const HorizonForecastRef = builder.objectRef<HorizonForecast>('HorizonForecast');
export const ForecastIntervalRef = builder.objectRef<ForecastInterval>('ForecastInterval');
export const ForecastEvaluationRef = builder.objectRef<ForecastEvaluation>('ForecastEvaluation');
export const ForecastHorizonEvaluationRef = builder.objectRef<HorizonEvaluation>('ForecastHorizonEvaluation');
export const ForecastCoverageRef = builder.objectRef<CoverageCell>('ForecastCoverage');
export const ForecastLogScoreRef = builder.objectRef<LogScoreComparison & { horizon: HorizonEvaluation['horizon']; beatsBaseline: boolean }>('ForecastLogScore');
export const ForecastHitRateRef = builder.objectRef<HitRate & { horizon: HorizonEvaluation['horizon'] }>('ForecastHitRate');
export const ForecastThresholdsRef = builder.objectRef<ForecastThresholds>('ForecastThresholds');

export const ForecastHorizonEnum = builder.enumType(ForecastHorizons, {
  name: 'ForecastHorizon',
  description: 'How far ahead a forecast looks, in hours of the 1 h candle series it is fitted on.',
  values: {
    D1: { description: 'One day ahead (24 bars of 1 h).' },
    H1: { description: 'One hour ahead (the next 1 h bar).' },
    H4: { description: 'Four hours ahead (4 bars of 1 h).' },
  },
});
