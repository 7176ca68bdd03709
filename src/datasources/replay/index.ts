/**
 * Replays recorded market data behind `MarketDataSource`: Binance public dumps, freqtrade JSON/feather files,
 * the Binance daily open-interest export, alternative.me Fear & Greed and Deribit option-chain snapshots
 * (docs/market-data.md, "Replay", lists what is read and what is not).
 */
export { createReplaySource, REPLAY_VENUE, type ReplayProgress, type ReplaySource, type ReplaySourceOptions } from './replay-source.js';
export {
  classifyAll,
  classifyFile,
  parseReplayDirs,
  replayPerpetualSymbols,
  scanReplayDirs,
  type ReplayCatalog,
  type ReplayFile,
  type SkippedFile,
} from './replay-files.js';
