import type { Factor } from './types.js';

/** Who the positioning data says is crowded (positive score = longs). */
export const CrowdingSignals = {
  CROWDED_LONGS: 'CROWDED_LONGS',
  LONG_LEAN: 'LONG_LEAN',
  BALANCED: 'BALANCED',
  SHORT_LEAN: 'SHORT_LEAN',
  CROWDED_SHORTS: 'CROWDED_SHORTS',
} as const;
export type CrowdingSignal = (typeof CrowdingSignals)[keyof typeof CrowdingSignals];

/** The contrarian reading of crowding: crowded longs are fuel for a drop, crowded shorts for a squeeze. */
export const ContrarianBiases = { BEARISH: 'BEARISH', NEUTRAL: 'NEUTRAL', BULLISH: 'BULLISH' } as const;
export type ContrarianBias = (typeof ContrarianBiases)[keyof typeof ContrarianBiases];

/** Retail (all accounts) against whales (top traders by position size). */
export const RetailWhaleStances = {
  /** Retail's long share exceeds the top traders' position long share by at least the threshold. */
  RETAIL_MORE_LONG: 'RETAIL_MORE_LONG',
  ALIGNED: 'ALIGNED',
  /** Top traders' position long share exceeds retail's by at least the threshold. */
  WHALES_MORE_LONG: 'WHALES_MORE_LONG',
} as const;
export type RetailWhaleStance = (typeof RetailWhaleStances)[keyof typeof RetailWhaleStances];

/** One long/short ratio observation (longs per short). */
export interface RatioObservation {
  time: number;
  ratio: number;
}

/** One taker volume observation over a statistics period. */
export interface TakerObservation {
  time: number;
  buyVolume: number;
  sellVolume: number;
  /** Taker buy volume / taker sell volume, as the venue reports it. */
  ratio: number;
}

export interface LongShortThresholds {
  /** Fewest earlier readings for a percentile. Default 10. */
  minHistory: number;
  /** Global long/short ratio at which the retail level factor saturates (and 1 / it for shorts). Default 2. */
  crowdedRatio: number;
  /** |retail long share − whale long share| at or above which they diverge. Default 0.1 (10 share points). */
  divergenceShare: number;
  /** |retail − whale long share| that saturates the divergence factor. Default 0.2. */
  divergenceScale: number;
  /** |score| at or above which the signal is CROWDED_*. Default 50. */
  crowdedScore: number;
  /** |score| at or above which the signal is *_LEAN. Default 20. */
  leanScore: number;
}

export const DEFAULT_LONG_SHORT_THRESHOLDS: Readonly<LongShortThresholds> = {
  minHistory: 10,
  crowdedRatio: 2,
  divergenceShare: 0.1,
  divergenceScale: 0.2,
  crowdedScore: 50,
  leanScore: 20,
};

export interface LongShortInput {
  symbol: string;
  /** All accounts, by account (retail). Each series strictly ascending by time; the last is current. */
  globalAccounts: readonly RatioObservation[];
  /** Top traders by margin, by account. */
  topAccounts: readonly RatioObservation[];
  /** Top traders by margin, weighted by position size (whales). */
  topPositions: readonly RatioObservation[];
  takerVolume: readonly TakerObservation[];
  /** Earlier readings per series the percentile compares with (288 = one day of 5-minute periods). */
  historyWindow: number;
  thresholds?: Partial<LongShortThresholds>;
}

/** The current reading of one ratio against its own history. */
export interface RatioReading {
  ratio: number;
  /** ratio / (1 + ratio): the long fraction 0..1. */
  longShare: number;
  time: number;
  /** Percentile rank (0..100, ties half) of the ratio among the `sampleSize` earlier readings; null while warming up. */
  percentile: number | null;
  sampleSize: number;
}

export interface TakerReading {
  ratio: number;
  buyVolume: number;
  sellVolume: number;
  time: number;
  percentile: number | null;
  sampleSize: number;
}

export interface LongShortAnalysis {
  symbol: string;
  /** True when a series is missing or has fewer than `minHistory` earlier readings; its percentile is then null. */
  warmingUp: boolean;
  globalAccounts: RatioReading | null;
  topAccounts: RatioReading | null;
  topPositions: RatioReading | null;
  takerBuySell: TakerReading | null;
  /** Retail long share − top-trader position long share (−1..1); null when either is missing. */
  retailWhaleDivergence: number | null;
  retailWhale: RetailWhaleStance | null;
  signal: CrowdingSignal;
  contrarianBias: ContrarianBias;
  /** Composite −100..100: positive = longs crowded, negative = shorts crowded. */
  score: number;
  factors: Factor[];
}
