/** Replays recorded market data (Binance public dumps, freqtrade files) behind `MarketDataSource`. */
export { createReplaySource, REPLAY_VENUE, type ReplayProgress, type ReplaySource, type ReplaySourceOptions } from './replay-source.js';
export { classifyFile, parseReplayDirs, replayPerpetualSymbols, scanReplayDirs, type ReplayCatalog, type ReplayFile, type SkippedFile } from './replay-files.js';
