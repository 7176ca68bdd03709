/** Shapes of the sentiment analysis (src/analyzers/sentiment.ts). */

/** Bands of the 0-100 composite, the same cut-offs alternative.me publishes for its index. */
export const SentimentClassifications = {
  /** 0..25 */
  EXTREME_FEAR: 'EXTREME_FEAR',
  /** 26..46 */
  FEAR: 'FEAR',
  /** 47..54 */
  NEUTRAL: 'NEUTRAL',
  /** 55..75 */
  GREED: 'GREED',
  /** 76..100 */
  EXTREME_GREED: 'EXTREME_GREED',
} as const;
export type SentimentClassification = (typeof SentimentClassifications)[keyof typeof SentimentClassifications];

/** The composite's inputs, each a 0-100 sub-score. */
export const SentimentFactorNames = { FEAR_GREED: 'fearGreed', PRICE: 'price', CROWD: 'crowd' } as const;
export type SentimentFactorName = (typeof SentimentFactorNames)[keyof typeof SentimentFactorNames];

export interface FearGreedReading {
  /** 0..100 */
  value: number;
  /** The publisher's own label. */
  classification: string;
  /** Epoch ms (00:00 UTC of the day for alternative.me). */
  time: number;
}

export interface PricePoint {
  time: number;
  price: number;
}

/** Crowd positioning of one symbol: both optional because venues (and sources) may not publish them. */
export interface CrowdReading {
  symbol: string;
  /** Funding rate normalised to an 8-hour interval (raw fraction, 0.0001 = 0.01 %); null when unknown. */
  fundingRate8h: number | null;
  /** Share of accounts net long, 0..1 (all accounts, by account); null when unknown. */
  longShare: number | null;
}

export interface SentimentWeights {
  /** Weight of the Fear & Greed index in the composite. Default 0.4. */
  fearGreed: number;
  /** Weight of price-derived sentiment. Default 0.3. */
  price: number;
  /** Weight of crowd positioning (funding, long/short). Default 0.3. */
  crowd: number;
}

export const DEFAULT_SENTIMENT_WEIGHTS: Readonly<SentimentWeights> = { fearGreed: 0.4, price: 0.3, crowd: 0.3 };

export interface SentimentThresholds {
  /** |1-day return| (fraction) that maps to 0 or 100. Default 0.05 (5 %). */
  return1dScale: number;
  /** |7-day return| (fraction) that maps to 0 or 100. Default 0.15 (15 %). */
  return7dScale: number;
  /** |distance from the moving average| (fraction) that maps to 0 or 100. Default 0.1 (10 %). */
  maDistanceScale: number;
  /** Span of the moving average in ms. Default 14 days. */
  maWindowMs: number;
  /** Funding per 8 h regarded as neutral (venues' resting interest baseline). Default 0.0001 (0.01 %). */
  fundingNeutral: number;
  /** |funding per 8 h − fundingNeutral| that maps to 0 or 100. Default 0.0005 (0.05 %). */
  fundingScale: number;
  /** |long share − 0.5| that maps to 0 or 100. Default 0.25 (75 % of accounts long → 100). */
  longShareScale: number;
  /** How far (ms) a reading may sit from the exact look-back time and still count. Default 2 h (prices), see fearGreedTolerance. */
  priceTolerance: number;
  /** Same for Fear & Greed readings (daily). Default 12 h. */
  fearGreedTolerance: number;
  /**
   * Minimum coverage (Σ base weight of the inputs present / Σ of all base weights, 0..1) for a composite
   * and a label. Default 0.6: with the default weights 0.4 / 0.3 / 0.3 any two of the three inputs; one
   * input alone (≤ 0.4) is that input's reading, not the market's mood.
   */
  minCoverage: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const DEFAULT_SENTIMENT_THRESHOLDS: Readonly<SentimentThresholds> = {
  return1dScale: 0.05,
  return7dScale: 0.15,
  maDistanceScale: 0.1,
  maWindowMs: 14 * DAY,
  fundingNeutral: 0.0001,
  fundingScale: 0.0005,
  longShareScale: 0.25,
  priceTolerance: 2 * HOUR,
  fearGreedTolerance: 12 * HOUR,
  minCoverage: 0.6,
};

export interface SentimentInput {
  /** `ALL` or a symbol. */
  key: string;
  /** The symbol whose price drives price sentiment (BTCUSDT for `ALL`). */
  priceSymbol: string;
  /** Evaluation time (epoch ms). */
  now: number;
  /** Daily Fear & Greed readings, strictly ascending by time; the last is current. */
  fearGreed: readonly FearGreedReading[];
  /** Price path of priceSymbol (e.g. hourly closes, then the last trade), strictly ascending by time. */
  prices: readonly PricePoint[];
  /** One entry per symbol the crowd measure covers (all configured symbols for `ALL`). */
  crowd: readonly CrowdReading[];
  /** Readings of the Fear & Greed history to return (newest last). Default 30. */
  historyLimit?: number;
  weights?: Partial<SentimentWeights>;
  thresholds?: Partial<SentimentThresholds>;
}

export interface FearGreedSection {
  value: number;
  classification: string;
  time: number;
  /** value − the reading 7 days earlier; null when history does not reach back. */
  change7d: number | null;
  change30d: number | null;
  /** Oldest first, at most historyLimit readings, ending with the current one. */
  history: FearGreedReading[];
}

export interface PriceSentimentSection {
  symbol: string;
  price: number;
  time: number;
  /** Fractions (0.02 = 2 %); null when the price path does not reach back far enough. */
  return1d: number | null;
  return7d: number | null;
  movingAverage: number | null;
  /** price / movingAverage − 1. */
  maDistance: number | null;
  /** Each measure mapped to 0..100 (50 = flat). */
  return1dScore: number | null;
  return7dScore: number | null;
  maDistanceScore: number | null;
  /** Mean of the available measure scores; null when none is available. */
  score: number | null;
}

export interface CrowdSentimentSection {
  /** Symbols whose readings were averaged. */
  symbols: string[];
  /** Mean funding per 8 h over the symbols that report it. */
  fundingRate8h: number | null;
  /** Mean long share over the symbols that report it. */
  longShare: number | null;
  fundingScore: number | null;
  longShortScore: number | null;
  /** Mean of the available scores: high = crowd leaning long / paying to be long. */
  score: number | null;
}

export interface SocialSentimentSection {
  available: boolean;
  /** Connector name when available. */
  source: string | null;
  /** 0..100 when available. */
  score: number | null;
  note: string;
}

/** One input of the composite. */
export interface SentimentFactor {
  name: SentimentFactorName;
  /** The input's 0..100 sub-score; null when unavailable. */
  value: number | null;
  /** Configured weight before re-normalisation. */
  baseWeight: number;
  /** Weight used: baseWeight / sum of baseWeights of available inputs; 0 when unavailable. */
  weight: number;
  /** weight × value: points of the composite (contributions sum to the composite). */
  contribution: number;
  available: boolean;
  note: string;
}

export interface SentimentAnalysis {
  key: string;
  time: number;
  /** True when no input is available: composite and classification are null. */
  warmingUp: boolean;
  /** Σ base weight of the inputs present / Σ of all base weights (0..1; 1 = every input present). */
  coverage: number;
  /** The minimum coverage used (thresholds.minCoverage). */
  minCoverage: number;
  /** Why composite and classification are null (coverage below the minimum, or no input); null when they are set. */
  coverageNote: string | null;
  /** 0 (extreme fear) .. 100 (extreme greed); null below minCoverage. */
  composite: number | null;
  classification: SentimentClassification | null;
  fearGreed: FearGreedSection | null;
  price: PriceSentimentSection | null;
  crowd: CrowdSentimentSection | null;
  social: SocialSentimentSection;
  factors: SentimentFactor[];
}
