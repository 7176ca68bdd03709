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

/** 1970-01-01 was a Thursday: Binance's (and every venue's) weekly bars open on Monday 00:00 UTC, 4 days after the epoch. */
const WEEK_OFFSET_MS = 4 * 86_400_000;

/**
 * Open time of the bar of `interval` containing `time`: epoch multiples of the interval, except weeks, which
 * start on Monday 00:00 UTC (Binance `interval=1w` klines).
 */
export function candleOpenTime(interval: CandleInterval, time: number): number {
  const ms = INTERVAL_MS[interval];
  const offset = interval === '1w' ? WEEK_OFFSET_MS : 0;
  return Math.floor((time - offset) / ms) * ms + offset;
}

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
  /**
   * Quote-currency volume (USD(T)); null when the source does not record it (freqtrade JSON and feather
   * files have no quote-volume column). Never 0 for "unknown": 0 would read as a bar nobody traded.
   */
  quoteVolume: number | null;
  /**
   * Base-asset volume bought by takers; null when the source does not record it (freqtrade files have no
   * taker-buy column). Never 0 for "unknown": 0 would read as a bar of sellers only.
   */
  takerBuyVolume: number | null;
  /** Number of trades in the bar; null when the source does not record it (freqtrade files have no count). */
  trades: number | null;
  /** False while the candle is still forming. */
  closed: boolean;
}

/** Mark/index price plus the live (predicted) funding rate for the running period. */
export interface MarkPrice {
  symbol: string;
  markPrice: number;
  /**
   * Index price (spot basket) the venue computes the premium from; null when the source does not give
   * one (replayed mark-price klines have none). Never filled with the mark price: that fakes a 0 premium.
   */
  indexPrice: number | null;
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
 * Everything a source can push. A discriminated union so new data kinds extend it without touching
 * existing consumers. (Declared after the data types it carries; see SymbolEvent / GlobalEvent below.)
 */
export type MarketEvent = SymbolEvent | GlobalEvent;

export type MarketEventType = MarketEvent['type'];

// --- Derivatives statistics, liquidations, books, spot (issue: live venues) ---

/**
 * Open interest of a perpetual. `openInterest` in base-asset contracts, `openInterestValue` in quote (USD).
 * Either may be unknown (null): Binance's daily `openInterestHist` export keeps the value only.
 */
export interface OpenInterest {
  symbol: string;
  openInterest: number | null;
  openInterestValue: number | null;
  time: number;
}

/** Statistics periods the venues publish (Binance `/futures/data/*`). */
export const STAT_PERIODS = ['5m', '15m', '30m', '1h', '2h', '4h', '6h', '12h', '1d'] as const;
export type StatPeriod = (typeof STAT_PERIODS)[number];

export const LongShortKinds = {
  /** All accounts, counted by account. */
  GLOBAL_ACCOUNTS: 'GLOBAL_ACCOUNTS',
  /** Top 20 % of accounts by margin balance, counted by account. */
  TOP_ACCOUNTS: 'TOP_ACCOUNTS',
  /** Top 20 % of accounts by margin balance, weighted by position size. */
  TOP_POSITIONS: 'TOP_POSITIONS',
} as const;
export type LongShortKind = (typeof LongShortKinds)[keyof typeof LongShortKinds];

export interface LongShortRatio {
  symbol: string;
  kind: LongShortKind;
  period: StatPeriod;
  /** longShare / shortShare. */
  longShortRatio: number;
  /** Fractions 0..1 that sum to 1. */
  longShare: number;
  shortShare: number;
  time: number;
}

/** Taker buy vs sell volume over one statistics period (base asset). */
export interface TakerVolume {
  symbol: string;
  period: StatPeriod;
  buyVolume: number;
  sellVolume: number;
  buySellRatio: number;
  time: number;
}

/** Basis of a perpetual against its index, as the venue publishes it. */
export interface Basis {
  symbol: string;
  period: StatPeriod;
  futuresPrice: number;
  indexPrice: number;
  /** futuresPrice − indexPrice. */
  basis: number;
  /** basis / indexPrice. */
  basisRate: number;
  time: number;
}

/** Rolling 24-hour statistics. */
export interface Ticker24h {
  symbol: string;
  lastPrice: number;
  priceChangePercent: number;
  highPrice: number;
  lowPrice: number;
  volume: number;
  quoteVolume: number;
  time: number;
}

/**
 * A forced liquidation. `side` is the liquidation ORDER side: SELL closes a long, BUY closes a short.
 * `complete` is false for feeds that only sample (Binance forceOrder pushes at most one per symbol per second).
 */
export interface Liquidation {
  symbol: string;
  side: TradeSide;
  liquidatedSide: 'LONG' | 'SHORT';
  price: number;
  averagePrice: number;
  qty: number;
  /** averagePrice × qty in quote currency. */
  notional: number;
  time: number;
  complete: boolean;
}

export interface BookTicker {
  symbol: string;
  bidPrice: number;
  bidQty: number;
  askPrice: number;
  askQty: number;
  time: number;
}

export type PriceLevel = readonly [price: number, qty: number];

/**
 * How far an order book can be trusted. SYNCED: a local book kept from a snapshot plus every diff since
 * (sequence checked); SNAPSHOT: a self-contained snapshot (partial-depth stream, simulated market);
 * SYNCING: waiting for a snapshot or its first diff; GAP: a diff was missed (or the book crossed) and the
 * book is being rebuilt. Only SYNCED and SNAPSHOT books carry levels and may be analysed.
 */
export const OrderBookStates = { SYNCED: 'SYNCED', SNAPSHOT: 'SNAPSHOT', SYNCING: 'SYNCING', GAP: 'GAP' } as const;
export type OrderBookState = (typeof OrderBookStates)[keyof typeof OrderBookStates];

/** Order book, best levels first on each side. */
export interface OrderBook {
  symbol: string;
  bids: PriceLevel[];
  asks: PriceLevel[];
  time: number;
  /** Absent: SNAPSHOT. A SYNCING or GAP book has no levels and says why in `reason`. */
  state?: OrderBookState;
  /** Why the book is not usable (SYNCING, GAP). */
  reason?: string;
  /** Venue sequence number of the last update applied (Binance `u`, or the snapshot's `lastUpdateId`). */
  updateId?: number;
}

/** True when the book may be analysed: a synced local book or a self-contained snapshot, not crossed. */
export function isUsableBook(book: OrderBook): boolean {
  const state = book.state ?? OrderBookStates.SNAPSHOT;
  if (state !== OrderBookStates.SYNCED && state !== OrderBookStates.SNAPSHOT) return false;
  const bid = book.bids[0];
  const ask = book.asks[0];
  return bid !== undefined && ask !== undefined && bid[0] < ask[0];
}

/** Spot price of the perpetual's underlying pair (e.g. BTCUSDT on Binance spot), for basis. */
export interface SpotPrice {
  symbol: string;
  price: number;
  time: number;
}

// --- Market-wide data: options, sentiment, global market ---

export interface OptionQuote {
  instrument: string;
  currency: string;
  kind: 'CALL' | 'PUT';
  strike: number;
  expiry: number;
  /** In the base coin, as Deribit quotes options. */
  markPrice: number;
  /** markPrice × underlyingPrice. */
  markPriceUsd: number;
  /** Best bid, in the base coin like markPrice; null without a bid. */
  bidPrice: number | null;
  /** Best ask, in the base coin; null without an ask. */
  askPrice: number | null;
  /** Percent, e.g. 55.1. */
  markIv: number | null;
  bidIv: number | null;
  askIv: number | null;
  /** Contracts (1 contract = 1 coin on Deribit BTC/ETH options). */
  openInterest: number;
  /** 24 h volume in contracts. */
  volume: number;
  underlyingPrice: number;
  delta: number | null;
  gamma: number | null;
  vega: number | null;
  theta: number | null;
}

export interface OptionsChain {
  currency: string;
  venue: string;
  indexPrice: number;
  quotes: OptionQuote[];
  time: number;
  /**
   * The venue's own volatility index (Deribit DVOL, volatility points) at about the chain's time: the close
   * of its newest 1-minute candle. Absent: the source does not publish one (simulated, recordings); null
   * with `dvolError` when the venue publishes it but the fetch failed.
   */
  dvol?: { value: number; time: number } | null;
  dvolError?: string;
}

export interface FearGreed {
  /** 0..100 */
  value: number;
  /** The publisher's own label (Extreme Fear … Extreme Greed). */
  classification: string;
  time: number;
}

export interface GlobalMarket {
  totalMarketCapUsd: number;
  totalVolumeUsd: number;
  /** Percent, e.g. 56.3. */
  btcDominance: number;
  ethDominance: number;
  marketCapChange24hPct: number;
  time: number;
}

/** Events about one symbol, routed to that symbol's store. */
export type SymbolEvent =
  | { type: 'trade'; trade: Trade }
  | { type: 'candle'; candle: Candle }
  | { type: 'markPrice'; mark: MarkPrice }
  | { type: 'funding'; funding: FundingRate }
  | { type: 'openInterest'; openInterest: OpenInterest }
  | { type: 'longShortRatio'; ratio: LongShortRatio }
  | { type: 'takerVolume'; volume: TakerVolume }
  | { type: 'basis'; basis: Basis }
  | { type: 'ticker24h'; ticker: Ticker24h }
  | { type: 'liquidation'; liquidation: Liquidation }
  | { type: 'bookTicker'; book: BookTicker }
  | { type: 'orderBook'; book: OrderBook }
  | { type: 'spotPrice'; spot: SpotPrice };

/** Market-wide events (not tied to one perpetual). */
export type GlobalEvent =
  | { type: 'optionsChain'; chain: OptionsChain }
  | { type: 'fearGreed'; fearGreed: FearGreed; history?: FearGreed[] }
  | { type: 'globalMarket'; global: GlobalMarket };

/** The symbol a symbol event is about; null for market-wide events. */
export function eventSymbol(event: MarketEvent): string | null {
  switch (event.type) {
    case 'trade':
      return event.trade.symbol;
    case 'candle':
      return event.candle.symbol;
    case 'markPrice':
      return event.mark.symbol;
    case 'funding':
      return event.funding.symbol;
    case 'openInterest':
      return event.openInterest.symbol;
    case 'longShortRatio':
      return event.ratio.symbol;
    case 'takerVolume':
      return event.volume.symbol;
    case 'basis':
      return event.basis.symbol;
    case 'ticker24h':
      return event.ticker.symbol;
    case 'liquidation':
      return event.liquidation.symbol;
    case 'bookTicker':
    case 'orderBook':
      return event.book.symbol;
    case 'spotPrice':
      return event.spot.symbol;
    case 'optionsChain':
    case 'fearGreed':
    case 'globalMarket':
      return null;
  }
}
