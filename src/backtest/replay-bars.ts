import { existsSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import type { FundingSettlement } from '../analyzers/funding.types.js';
import type { Candle, CandleInterval } from '../domain/market.js';
import { readCsvHeader } from '../datasources/replay/replay-readers.js';
import { isReplayFile, scanReplayDirs, type ReplayFile } from '../datasources/replay/replay-files.js';
import { fileEvents } from '../datasources/replay/replay-stream.js';

/**
 * The bars and funding settlements of one symbol in a recording, read with the replay datasource's catalog,
 * readers and mappers (what a REPLAY backtest runs on). Runs in the backtest worker (run-in-worker.ts,
 * readReplayInWorker). A request that cannot be right throws BacktestInputError, one the data cannot serve
 * BacktestDataError (the worker carries the name across).
 */

export class BacktestInputError extends Error {
  override name = 'BacktestInputError';
}
export class BacktestDataError extends Error {
  override name = 'BacktestDataError';
}

export interface ReplaySeries {
  candles: Candle[];
  funding: FundingSettlement[];
}

/** The recording's absolute path, refused when it leaves the root or does not exist. */
export function recordingPath(root: string, recording: string): string {
  const base = resolve(root);
  const path = resolve(base, recording);
  const rel = relative(base, path);
  if (rel.startsWith('..') || isAbsolute(rel)) throw new BacktestInputError(`data.recording must name a path inside BACKTEST_REPLAY_ROOT, got "${recording}"`);
  if (!existsSync(base)) throw new BacktestDataError(`recordings are not available on this instance: BACKTEST_REPLAY_ROOT (${base}) does not exist`);
  if (!existsSync(path)) throw new BacktestInputError(`data.recording: no file or directory "${recording}" under BACKTEST_REPLAY_ROOT`);
  return path;
}

/** Candles (deduplicated by open time, closed only) and settlements of `symbol` in a recording. */
export function readRecording(path: string, input: { symbol: string; interval: CandleInterval }): ReplaySeries {
  const catalog = scanReplayDirs([path]);
  const files = catalog.files.filter((f) => f.symbol === input.symbol && f.market === 'futures');
  if (files.length === 0) {
    const symbols = [...new Set(catalog.files.filter(isReplayFile).map((f) => f.symbol))].sort();
    throw new BacktestInputError(`symbol ${input.symbol} is not in this recording (it holds ${symbols.join(', ') || 'no replayable file'})`);
  }
  const ctx = (f: ReplayFile) => ({ symbol: f.symbol, interval: f.interval, offset: 0, fundingIntervalHours: 8, header: f.container === 'csv' ? readCsvHeader(f.path) : null, ...(f.column ? { column: f.column } : {}) });
  const bars = new Map<number, Candle>();
  const settlements = new Map<number, FundingSettlement>();
  for (const f of files) {
    if (f.content === 'candles' && f.interval === input.interval) {
      for (const { event } of fileEvents(f, ctx(f))) if (event.type === 'candle') bars.set(event.candle.openTime, { ...event.candle, closed: true });
    } else if (f.content === 'funding') {
      for (const { event } of fileEvents(f, ctx(f))) if (event.type === 'funding') settlements.set(event.funding.fundingTime, { rate: event.funding.rate, fundingTime: event.funding.fundingTime });
    }
  }
  if (bars.size === 0) {
    const intervals = [...new Set(files.filter((f) => f.content === 'candles').map((f) => f.interval))].join(', ');
    throw new BacktestInputError(`this recording has no ${input.interval} candles of ${input.symbol} (it has ${intervals || 'none'})`);
  }
  const candles = [...bars.values()].sort((a, b) => a.openTime - b.openTime);
  return { candles, funding: [...settlements.values()].sort((a, b) => a.fundingTime - b.fundingTime) };
}

