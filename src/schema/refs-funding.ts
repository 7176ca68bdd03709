import {
  FundingBands,
  FundingReversionSignals,
  FundingSigns,
  type FundingMeanReversion,
  type FundingPersistence,
  type FundingReversal,
} from '../analyzers/funding.types.js';
import { builder } from './builder.js';

/**
 * Refs and enums added by funding methodology 1.1 (persistence, mean reversion, reversal statistics),
 * implemented in src/resolvers/funding.ts. FundingAnalysisRef itself stays in refs.ts.
 */
export const FundingPersistenceRef = builder.objectRef<FundingPersistence>('FundingPersistence');
export const FundingMeanReversionRef = builder.objectRef<FundingMeanReversion>('FundingMeanReversion');
export const FundingReversalRef = builder.objectRef<FundingReversal>('FundingReversal');

export const FundingSignEnum = builder.enumType(FundingSigns, {
  name: 'FundingSign',
  description: 'POSITIVE: longs pay shorts; NEGATIVE: shorts pay longs; ZERO: nobody pays.',
  values: {
    NEGATIVE: { description: 'Rate < 0: shorts pay longs.' },
    POSITIVE: { description: 'Rate > 0: longs pay shorts.' },
    ZERO: { description: 'Rate = 0: nobody pays.' },
  },
});

export const FundingBandEnum = builder.enumType(FundingBands, {
  name: 'FundingBand',
  description:
    'Level band per interval (defaults for 8 h): STRONGLY_NEGATIVE ≤ −0.03 %, NEGATIVE < 0, BASELINE 0..0.01 % (the usual interest baseline), ELEVATED < 0.03 %, STRONGLY_POSITIVE ≥ 0.03 %.',
  values: {
    BASELINE: { description: '0 ≤ rate ≤ baselineRate (default 0.0001 = 0.01 % per 8 h).' },
    ELEVATED: { description: 'baselineRate < rate < elevatedRate (default 0.0003 = 0.03 %).' },
    NEGATIVE: { description: '−elevatedRate < rate < 0.' },
    STRONGLY_NEGATIVE: { description: 'rate ≤ −elevatedRate.' },
    STRONGLY_POSITIVE: { description: 'rate ≥ elevatedRate.' },
  },
});

export const FundingReversionSignalEnum = builder.enumType(FundingReversionSignals, {
  name: 'FundingReversionSignal',
  description: 'REVERT_DOWN when the rate is ≥ 2 standard deviations above its mean, REVERT_UP when ≤ −2, else NONE.',
  values: {
    NONE: { description: '|z| below the reversion threshold, or warming up.' },
    REVERT_DOWN: { description: 'z ≥ reversionZ (default 2): the rate is stretched above its mean.' },
    REVERT_UP: { description: 'z ≤ −reversionZ: the rate is stretched below its mean.' },
  },
});
