import type { GlobalEvent } from '../domain/market.js';
import type { Logger } from '../logger.js';
import type { MarketDataSource, MarketEventSink, VenueHealth, VenueReporting } from './market-data-source.js';

/** A venue that publishes market-wide data (options chains, sentiment, global market), polled on its own. */
export interface MarketWideSource {
  readonly venue: string;
  start(sink: (event: GlobalEvent) => void): Promise<void>;
  stop(): Promise<void>;
  health(): VenueHealth;
}

const reports = (source: MarketDataSource): source is MarketDataSource & VenueReporting =>
  typeof (source as Partial<VenueReporting>).venues === 'function';

/**
 * The LIVE source: the perpetual venue (Binance USD-M, with spot for basis) plus the market-wide venues
 * (Deribit, alternative.me, CoinGecko). The perpetual venue decides readiness; a market-wide venue that
 * is down only shows in `venues()` and leaves its data to age into `stale`, it never blocks the start.
 */
export function createLiveSource(options: {
  primary: MarketDataSource;
  marketWide: readonly MarketWideSource[];
  logger?: Logger;
}): MarketDataSource & VenueReporting {
  const { primary, marketWide, logger } = options;
  return {
    origin: primary.origin,
    resumesFromArchive: primary.resumesFromArchive === true,
    venue: primary.venue,
    listSymbols: () => primary.listSymbols(),
    async start(symbols, sink: MarketEventSink, options) {
      await primary.start(symbols, sink, options);
      for (const source of marketWide) {
        source.start(sink).catch((error: unknown) => logger?.warn({ err: error, venue: source.venue }, 'market-wide venue failed to start'));
      }
    },
    async stop() {
      await Promise.allSettled([primary.stop(), ...marketWide.map((s) => s.stop())]);
    },
    status: () => primary.status(),
    fetchCandles: (symbol, interval, query) => primary.fetchCandles(symbol, interval, query),
    fetchFundingHistory: (symbol, limit) => primary.fetchFundingHistory(symbol, limit),
    recordedHistory: (symbol) => primary.recordedHistory?.(symbol) ?? null,
    venues() {
      const own: VenueHealth[] = reports(primary)
        ? primary.venues()
        : [
            {
              venue: primary.venue,
              state: primary.status().state === 'OK' ? 'OK' : 'DEGRADED',
              blockedUntil: null,
              usedWeight: null,
              weightBudget: null,
              lastError: primary.status().lastError,
              lastSuccessAt: primary.status().lastEventAt,
              reconnects: 0,
            },
          ];
      return [...own, ...marketWide.map((s) => s.health())];
    },
  };
}
