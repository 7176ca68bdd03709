import type { MarketEvent, SymbolInfo } from '../../src/domain/market.js';
import type { MarketDataSource, MarketEventSink } from '../../src/datasources/market-data-source.js';

export type ScriptedSource = MarketDataSource & { push(event: MarketEvent): void };

/**
 * A MarketDataSource test double: on start it lets `initial` deliver a fixed history per subscribed
 * symbol, afterwards it delivers exactly the events the test pushes. Flagged SIMULATED.
 */
export function createScriptedSource(symbols: readonly string[], initial: (symbols: readonly string[], sink: MarketEventSink) => void): ScriptedSource {
  let sink: MarketEventSink | null = null;
  const info = (symbol: string): SymbolInfo => ({
    symbol,
    baseAsset: symbol.replace(/USDT$/, ''),
    quoteAsset: 'USDT',
    contractType: 'PERPETUAL',
    status: 'TRADING',
    tickSize: 0.1,
    stepSize: 0.001,
    fundingIntervalHours: 8,
  });
  return {
    origin: 'SIMULATED',
    venue: 'test-double',
    listSymbols: async () => symbols.map(info),
    async start(subscribed, s) {
      sink = s;
      initial(subscribed, s);
    },
    async stop() {
      sink = null;
    },
    status: () => ({ state: 'OK', lastError: null, lastEventAt: null }),
    fetchCandles: async () => [],
    fetchFundingHistory: async () => [],
    push(event) {
      sink?.(event);
    },
  };
}
