import {
  OpenInterestDivergenceKinds,
  OpenInterestHorizons,
  OpenInterestQuadrants,
  type OpenInterestAnalysis,
  type OpenInterestChange,
  type OpenInterestDivergence,
} from '../analyzers/open-interest.types.js';
import { builder } from './builder.js';
import type { WithMeta } from './refs.js';

/**
 * Refs and enums of the open-interest analysis (implemented in src/resolvers/open-interest.ts). The enums
 * live here rather than in enums.ts so this analysis stays one self-contained slice.
 */
export const OpenInterestAnalysisRef = builder.objectRef<WithMeta<OpenInterestAnalysis>>('OpenInterestAnalysis');
export const OpenInterestChangeRef = builder.objectRef<OpenInterestChange>('OpenInterestChange');
export const OpenInterestDivergenceRef = builder.objectRef<OpenInterestDivergence>('OpenInterestDivergence');

export const OpenInterestHorizonEnum = builder.enumType(OpenInterestHorizons, {
  name: 'OpenInterestHorizon',
  description: 'Look-back of an open-interest change: M5 = 5 minutes, H1 = 1 hour, H4 = 4 hours, H24 = 24 hours.',
  values: {
    H1: { description: '1 hour.' },
    H4: { description: '4 hours.' },
    H24: { description: '24 hours.' },
    M5: { description: '5 minutes.' },
  },
});

export const OpenInterestQuadrantEnum = builder.enumType(OpenInterestQuadrants, {
  name: 'OpenInterestQuadrant',
  description:
    'Price vs open interest: NEW_LONGS (price up, OI up), SHORT_COVERING (price up, OI down), NEW_SHORTS (price down, OI up), LONG_LIQUIDATION (price down, OI down); FLAT when either stayed within its flat band.',
  values: {
    LONG_LIQUIDATION: { description: 'Price down, OI down: longs are closing or being liquidated.' },
    NEW_LONGS: { description: 'Price up, OI up: new longs are opening.' },
    NEW_SHORTS: { description: 'Price down, OI up: new shorts are opening.' },
    SHORT_COVERING: { description: 'Price up, OI down: shorts are closing (buying back).' },
    FLAT: { description: 'Price or open interest stayed within its flat band (priceFlatPct / oiFlatPct).' },
  },
});

export const OpenInterestDivergenceKindEnum = builder.enumType(OpenInterestDivergenceKinds, {
  name: 'OpenInterestDivergenceKind',
  description:
    'PRICE_HIGH_OI_FALLING: a new price high on falling OI (short covering, bearish divergence). PRICE_LOW_OI_FALLING: a new price low on falling OI (long capitulation, bullish divergence).',
  values: {
    PRICE_HIGH_OI_FALLING: { description: 'Price makes a new high over the window while OI falls: the rally is short covering, not new buying (bearish).' },
    PRICE_LOW_OI_FALLING: { description: 'Price makes a new low over the window while OI falls: the drop is longs capitulating, not new selling (bullish).' },
  },
});
