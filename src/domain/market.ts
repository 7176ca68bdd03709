/**
 * Neutral market-data types. Every datasource maps its venue's wire format to these; analyzers and the
 * engine only ever see these. Times are epoch milliseconds (JSON-safe, Redis-safe).
 */

/** Where a value came from. Nothing SIMULATED or REPLAY is ever presented as LIVE. */
export const DataOrigins = { LIVE: 'LIVE', SIMULATED: 'SIMULATED', REPLAY: 'REPLAY' } as const;
export type DataOrigin = (typeof DataOrigins)[keyof typeof DataOrigins];

export const CANDLE_INTERVALS = ['1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d', '1w'] as const;
export type CandleInterval = (typeof CANDLE_INTERVALS)[number];

export const INTERVAL_MS: Readonly<Record<CandleInterval, number>> = {
  '1m': 60_000,
  '3m': 180_000,
  '5m': 300_000,
  '15m': 900_000,
  '30m': 1_800_000,
  '1h': 3_600_000,
  '2h': 7_200_000,
  '4h': 14_400_000,
  '6h': 21_600_000,
  '8h': 28_800_000,
  '12h': 43_200_000,
  '1d': 86_400_000,
  '1w': 604_800_000,
};

export interface SymbolInfo {
  symbol: string;
  baseAsset: string;
  quoteAsset: string;
  /** e.g. PERPETUAL */
  contractType: string;
  status: string;
  tickSize: number;
  stepSize: number;
  /** Hours between funding settlements (8 on most Binance USD-M perpetuals). */
  fundingIntervalHours: number;
}

/** Taker side of a trade: BUY means the aggressor bought (lifted the ask). */
export type TradeSide = 'BUY' | 'SELL';

export interface Trade {
  symbol: string;
  /** Venue trade id (aggregate trade id on Binance). */
  id: number;
  price: number;
  qty: number;
  time: number;
  side: TradeSide;
}

export interface Candle {
  symbol: string;
  interval: CandleInterval;
  openTime: number;
  closeTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Base-asset volume. */
  volume: number;
  quoteVolume: number;
  takerBuyVolume: number;
  trades: number;
  /** False while the candle is still forming. */
  closed: boolean;
}

/** Mark/index price plus the live (predicted) funding rate for the running period. */
export interface MarkPrice {
  symbol: string;
  markPrice: number;
  indexPrice: number;
  /** Estimated rate for the next settlement, as the venue publishes it. */
  predictedFundingRate: number | null;
  nextFundingTime: number;
  time: number;
}

/** One settled funding payment. */
export interface FundingRate {
  symbol: string;
  /** Raw fraction per funding interval (0.0001 = 0.01 %). */
  rate: number;
  fundingTime: number;
  markPrice: number | null;
}

/**
 * Everything a source can push. A discriminated union so later data kinds (open interest, long/short
 * ratios, liquidations, books, options, sentiment) extend it without touching existing consumers.
 */
export type MarketEvent =
  | { type: 'trade'; trade: Trade }
  | { type: 'candle'; candle: Candle }
  | { type: 'markPrice'; mark: MarkPrice }
  | { type: 'funding'; funding: FundingRate };

export type MarketEventType = MarketEvent['type'];
