import type { Factor } from './types.js';

/** Term structure of the perpetual against its underlying. */
export const BasisStructures = {
  /** Perpetual above spot/index by at least `contangoPct`: longs pay up for leverage. */
  CONTANGO: 'CONTANGO',
  NORMAL: 'NORMAL',
  /** Perpetual below spot/index by at least |backwardationPct|: shorts pay up. */
  BACKWARDATION: 'BACKWARDATION',
} as const;
export type BasisStructure = (typeof BasisStructures)[keyof typeof BasisStructures];

/** Which perpetual price the spot basis uses. */
export const PerpPriceSources = { MARK: 'MARK', LAST: 'LAST' } as const;
export type PerpPriceSource = (typeof PerpPriceSources)[keyof typeof PerpPriceSources];

/** Which comparison decided `structure`: perpetual vs spot, or (without a usable spot price) mark vs index. */
export const BasisReferences = { SPOT: 'SPOT', INDEX: 'INDEX' } as const;
export type BasisReference = (typeof BasisReferences)[keyof typeof BasisReferences];

export interface BasisThresholds {
  /** Basis in percent at or above which the structure is CONTANGO; must be > 0. Default 0.05 (%). */
  contangoPct: number;
  /** Basis in percent at or below which the structure is BACKWARDATION; must be < 0. Default −0.05 (%). */
  backwardationPct: number;
  /** Largest gap between the spot and perpetual price times for a spot basis. Default 120 000 (2 min). */
  maxSkewMs: number;
}

export const DEFAULT_BASIS_THRESHOLDS: Readonly<BasisThresholds> = {
  contangoPct: 0.05,
  backwardationPct: -0.05,
  maxSkewMs: 120_000,
};

export interface PriceObservation {
  price: number;
  time: number;
}

export interface BasisInput {
  symbol: string;
  /** Spot price of the underlying pair; null until the source delivered one. */
  spot: PriceObservation | null;
  /** Mark and index price of the perpetual; null until the source delivered them. */
  mark: { markPrice: number; indexPrice: number | null; time: number } | null;
  /** Last traded perpetual price, used when there is no mark price. */
  last: PriceObservation | null;
  /** Hours between funding settlements; sets the annualization (24 / h × 365 periods a year). */
  fundingIntervalHours: number;
  thresholds?: Partial<BasisThresholds>;
}

export interface BasisAnalysis {
  symbol: string;
  /** True until a spot price has been received; spot basis fields are then null. */
  warmingUp: boolean;
  spotPrice: number | null;
  spotTime: number | null;
  perpPrice: number | null;
  perpPriceSource: PerpPriceSource | null;
  perpTime: number | null;
  /** |perpTime − spotTime|; null without both prices. */
  skewMs: number | null;
  /** perp − spot (quote currency); null without a spot price or when skewMs > maxSkewMs. */
  basis: number | null;
  /** (perp − spot) / spot × 100. */
  basisPct: number | null;
  /** basisPct × funding periods per year (funding-equivalent, simple). */
  annualizedBasisPct: number | null;
  markPrice: number | null;
  indexPrice: number | null;
  /** mark − index. */
  premium: number | null;
  /** (mark − index) / index × 100. */
  premiumPct: number | null;
  annualizedPremiumPct: number | null;
  /** Funding periods per year used for the annualization: 24 / fundingIntervalHours × 365. */
  periodsPerYear: number;
  structure: BasisStructure | null;
  structureReference: BasisReference | null;
  /** The thresholds the structure was classified with. */
  contangoPct: number;
  backwardationPct: number;
  factors: Factor[];
}
