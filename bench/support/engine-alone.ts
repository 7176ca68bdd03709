// Baseline for bench/idle.ts: the simulated market, the market store and the analysis engine recomputing
// every analysis (what bench:engine measures), in plain node on the compiled build (the build bundles this
// file to dist/engine-alone.js), with no database, HTTP server or snapshot writer. Symbols from SYMBOLS (comma-separated). Runs until killed.
import { createPubSub } from 'graphql-yoga';
import { createSimulatedSource } from '../../src/datasources/simulated/simulated-source.js';
import { ANALYSES, MARKET_ANALYSES } from '../../src/engine/analyses.js';
import { createAnalysisEngine } from '../../src/engine/analysis-engine.js';
import { createMarketStore } from '../../src/engine/market-store.js';
import { createResultCache } from '../../src/engine/result-cache.js';

const symbols = (process.env.SYMBOLS ?? 'BTCUSDT,ETHUSDT,SOLUSDT').split(',');
const source = createSimulatedSource({ seed: 42, tickMs: 250, symbols });
const store = createMarketStore(symbols);
const engine = createAnalysisEngine({
  store,
  definitions: ANALYSES,
  marketDefinitions: MARKET_ANALYSES,
  settings: { fundingHistoryWindow: 90, fundingIntervalHours: () => 8 },
  cache: createResultCache(),
  pubsub: createPubSub(),
  snapshots: { enqueue: () => {} },
  origin: 'SIMULATED' as const,
  venue: 'simulated',
  minIntervalMs: 1_000,
  snapshotEveryMs: 10_000,
});
engine.start();
await source.start(symbols, (e) => store.apply(e));
console.log('READY');
setInterval(() => {}, 1 << 30);
