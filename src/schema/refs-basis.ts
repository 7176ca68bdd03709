import { BasisReferences, BasisStructures, PerpPriceSources, type BasisAnalysis } from '../analyzers/basis.types.js';
import { builder } from './builder.js';
import type { WithMeta } from './refs.js';

/**
 * Refs and enums of the basis analysis (implemented in src/resolvers/basis.ts). The enums live here
 * rather than in enums.ts so this analysis stays one self-contained slice.
 */
export const BasisAnalysisRef = builder.objectRef<WithMeta<BasisAnalysis>>('BasisAnalysis');

export const BasisStructureEnum = builder.enumType(BasisStructures, {
  name: 'BasisStructure',
  description: 'CONTANGO: basis ≥ contangoPct (perpetual rich); BACKWARDATION: basis ≤ backwardationPct (perpetual cheap); NORMAL in between.',
  values: {
    BACKWARDATION: { description: 'Perpetual below spot/index by at least |backwardationPct|: shorts pay up.' },
    CONTANGO: { description: 'Perpetual above spot/index by at least `contangoPct`: longs pay up for leverage.' },
    NORMAL: { description: 'Basis between backwardationPct and contangoPct.' },
  },
});

export const PerpPriceSourceEnum = builder.enumType(PerpPriceSources, {
  name: 'PerpPriceSource',
  description: 'Perpetual price used for the spot basis: MARK (mark price, preferred) or LAST (last trade, when no mark price is known).',
  values: {
    LAST: { description: 'Last trade price (no mark price known).' },
    MARK: { description: 'Mark price (preferred).' },
  },
});

export const BasisReferenceEnum = builder.enumType(BasisReferences, {
  name: 'BasisReference',
  description: 'What the structure was classified from: SPOT (perpetual vs spot) or INDEX (mark vs index, when no usable spot price).',
  values: {
    INDEX: { description: 'Mark vs index (no usable spot price).' },
    SPOT: { description: 'Perpetual vs spot.' },
  },
});
