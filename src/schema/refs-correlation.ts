import {
  CorrelationBreakDirections,
  CorrelationBreakSeverities,
  CrossAssetRegimes,
  type CorrelationAnalysis,
  type CorrelationBreak,
  type CorrelationPair,
  type CrossAssetRegimeResult,
  type LeadLag,
  type PairDivergence,
} from '../analyzers/correlation.types.js';
import { CorrelationCalendars, MacroGapPolicies, MacroSeriesStatuses, type MacroSeriesState } from '../analyzers/macro-correlation.js';
import { builder } from './builder.js';
import type { WithMeta } from './refs.js';

/** One row of a correlation matrix: the row symbol and its values in `symbols` order. */
export interface CorrelationRow {
  symbol: string;
  values: (number | null)[];
}
export interface SampleRow {
  symbol: string;
  values: number[];
}

/**
 * Refs and enums of the correlation engine (implemented in src/resolvers/correlation.ts). The enums live
 * here rather than in enums.ts so this analysis stays one self-contained slice.
 */
export const CorrelationMatrixRef = builder.objectRef<WithMeta<CorrelationAnalysis>>('CorrelationMatrix');
export const CorrelationRowRef = builder.objectRef<CorrelationRow>('CorrelationRow');
export const CorrelationSampleRowRef = builder.objectRef<SampleRow>('CorrelationSampleRow');
export const CorrelationPairRef = builder.objectRef<CorrelationPair>('CorrelationPair');
export const LeadLagRef = builder.objectRef<LeadLag>('LeadLag');
export const CorrelationBreakRef = builder.objectRef<CorrelationBreak>('CorrelationBreak');
export const PairDivergenceRef = builder.objectRef<PairDivergence>('PairDivergence');
export const CrossAssetRegimeRef = builder.objectRef<CrossAssetRegimeResult>('CrossAssetRegimeAnalysis');

export const CorrelationBreakSeverityEnum = builder.enumType(CorrelationBreakSeverities, {
  name: 'CorrelationBreakSeverity',
  description: 'Size of |window − baseline| Pearson: LOW ≥ 0.15, MEDIUM ≥ 0.30, HIGH ≥ 0.50 (defaults).',
  values: {
    HIGH: { description: '|window − baseline| ≥ `breakHigh` (default 0.50).' },
    LOW: { description: '|window − baseline| ≥ `breakLow` (default 0.15).' },
    MEDIUM: { description: '|window − baseline| ≥ `breakMedium` (default 0.30).' },
  },
});

export const CorrelationBreakDirectionEnum = builder.enumType(CorrelationBreakDirections, {
  name: 'CorrelationBreakDirection',
  description: 'WEAKENING: the pair moves together less than over its baseline (decoupling). STRENGTHENING: more (recoupling).',
  values: {
    STRENGTHENING: { description: 'The pair moves together more than it used to (recoupling, often in stress).' },
    WEAKENING: { description: 'The pair moves together less than it used to (decoupling).' },
  },
});

export const CrossAssetRegimeEnum = builder.enumType(CrossAssetRegimes, {
  name: 'CrossAssetRegime',
  description:
    'ALTSEASON: alts beat BTC by ≥ 5 % (log) over the window while BTC dominance is not rising. Otherwise RISK_ON when the weighted risk score ≥ 0, RISK_OFF below.',
  values: {
    ALTSEASON: { description: 'Alts clearly outperform BTC over the window while BTC dominance is not rising.' },
    RISK_OFF: { description: 'Risk aversion: BTC falling, alts underperforming, fear, dominance rising.' },
    RISK_ON: { description: 'Risk appetite: BTC rising and/or alts outperforming, greed, dominance falling.' },
  },
});

// --- Macro series in correlations (README "Macro") ---

export const MacroSeriesStateRef = builder.objectRef<MacroSeriesState>('MacroSeriesState');

export const CorrelationCalendarEnum = builder.enumType(CorrelationCalendars, {
  name: 'CorrelationCalendar',
  description: 'How the returns of a pair were aligned.',
  values: {
    CRYPTO: { description: 'The crypto candle grid: every bar of the interval.' },
    MACRO: { description: 'The macro trading calendar: only days on which both series have a value (no weekends, no holidays).' },
  },
});

export const MacroGapPolicyEnum = builder.enumType(MacroGapPolicies, {
  name: 'MacroGapPolicy',
  description: 'What a pair on the macro calendar does with returns that span closed-market gaps (Friday to Monday, holidays).',
  values: {
    SPAN: { description: 'Keep them: both series are measured over the same span from the last common trading day; counted in gapReturns and noted.' },
    SKIP: { description: 'Drop them: only returns between consecutive calendar days are used.' },
  },
});

export const MacroSeriesStatusEnum = builder.enumType(MacroSeriesStatuses, {
  name: 'MacroSeriesStatus',
  description: 'Whether a macro series could be read.',
  values: {
    AVAILABLE: { description: 'Read from FRED or the CSV replay.' },
    UNAVAILABLE: { description: 'Not available (no FRED_API_KEY, no CSV, upstream failure): its correlations are null, never zero; reason says why.' },
  },
});
