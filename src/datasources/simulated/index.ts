/** The simulated market: a deterministic model of a crypto-perpetuals venue behind `MarketDataSource`. */
export { createSimulatedSource, SIMULATED_VENUE, type SimulatedSourceOptions } from './simulated-source.js';
export { createMarketModel, type MarketModel, type MarketModelOptions, type SymbolModelState, type SymbolSeedState } from './model.js';
export {
  generateHistory,
  generateMarketHistory,
  type HistoryOptions,
  type MarketHistory,
  type MarketHistoryOptions,
  type StreamSeed,
  type SymbolHistory,
} from './history.js';
export { DEFAULT_SIMULATED_SYMBOLS, simulatedSymbolInfo, symbolProfile, type SymbolProfile } from './profiles.js';
export { SIMULATED_INTERVALS } from './generators/candles.js';
export { fearGreedClassification, FEAR_GREED_BANDS } from './generators/market-wide.js';
export { createRng, deriveSeed, hashString, type Rng } from './random.js';
