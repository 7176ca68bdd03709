import type { Candle, CandleInterval, DataOrigin, FundingRate, MarketEvent, SymbolInfo } from '../domain/market.js';

export type MarketEventSink = (event: MarketEvent) => void;

export const SourceStates = { STARTING: 'STARTING', OK: 'OK', DEGRADED: 'DEGRADED', DOWN: 'DOWN', STOPPED: 'STOPPED' } as const;
export type SourceState = (typeof SourceStates)[keyof typeof SourceStates];

export interface SourceStatus {
  state: SourceState;
  /** Last error seen from upstream, if any. */
  lastError: string | null;
  /** Epoch ms of the last event delivered to the sink. */
  lastEventAt: number | null;
}

export interface CandleQuery {
  startTime?: number;
  endTime?: number;
  limit?: number;
}

/**
 * A source of market data for a set of symbols. Knows nothing of GraphQL; owns all upstream resilience.
 * `start` backfills recent history into the sink (funding settlements, candles) and then streams live
 * events until `stop`.
 */
export interface MarketDataSource {
  readonly origin: DataOrigin;
  /** Venue name shown in `meta.venue` (e.g. `binance-usdm`, `simulated`). */
  readonly venue: string;
  listSymbols(): Promise<SymbolInfo[]>;
  start(symbols: readonly string[], sink: MarketEventSink): Promise<void>;
  stop(): Promise<void>;
  status(): SourceStatus;
  fetchCandles(symbol: string, interval: CandleInterval, query?: CandleQuery): Promise<Candle[]>;
  fetchFundingHistory(symbol: string, limit?: number): Promise<FundingRate[]>;
}
