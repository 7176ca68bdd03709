import type { FundingSettlement } from '../analyzers/funding.types.js';
import type { BacktestSpec } from '../backtest/backtest-job.js';
import type { SqlExecutor } from '../db/database.js';
import { candleCoverage, candleRange, recordRange } from '../db/archive-repository.js';
import { INTERVAL_MS, type Candle } from '../domain/market.js';

export { BacktestDataError, BacktestInputError };
import { readReplayInWorker } from '../backtest/run-in-worker.js';
import { BacktestDataError, BacktestInputError, type ReplaySeries } from '../backtest/replay-bars.js';
import type { BacktestJobInput } from './backtest-input.js';

/**
 * The bars and settlements of a backtest, from the market-data archive or from a recording. Knows nothing
 * of GraphQL: a request the data cannot serve throws BacktestDataError (the resolver makes it NOT_READY), a
 * request that cannot be right throws BacktestInputError (BAD_USER_INPUT).
 */

export interface BacktestDataDeps {
  sql: SqlExecutor;
  /** Directory recordings are named relative to (BACKTEST_REPLAY_ROOT). */
  replayRoot: string;
  /** Linux nice of the worker thread that parses a recording (BACKTEST_WORKER_NICE). */
  nice?: number;
}

const day = (t: number) => new Date(t).toISOString();

/** A recording read in a worker thread (parsing a month of 5 m bars takes ≈ 50-130 ms: not on the request loop). */
function replay(deps: BacktestDataDeps, recording: string, input: Pick<BacktestJobInput, 'symbol' | 'interval'>): Promise<ReplaySeries> {
  return readReplayInWorker({ root: deps.replayRoot, recording, symbol: input.symbol, interval: input.interval }, deps.nice);
}

/**
 * Throws unless the data covers [from, to): its first bar opens within one interval of `from` and its last
 * within two of `to` (the newest bar may still be open). Gaps inside are allowed (the simulation walks the
 * bars it has).
 */
function requireCoverage(input: BacktestJobInput, where: string, first: number | null, last: number | null): void {
  const iv = INTERVAL_MS[input.interval];
  if (first === null || last === null) throw new BacktestDataError(`${where} holds no ${input.interval} candles of ${input.symbol} between ${day(input.from)} and ${day(input.to)}`);
  if (first > input.from + iv || last < input.to - 2 * iv)
    throw new BacktestDataError(`${where} covers ${input.symbol} ${input.interval} only from ${day(first)} to ${day(last + iv)} within the requested ${day(input.from)} .. ${day(input.to)}`);
}

/** Checks the data can serve `input` (cheap for the archive: one aggregate); throws as the module says. */
export async function checkBacktestData(input: BacktestJobInput, deps: BacktestDataDeps): Promise<void> {
  if (input.data.source === 'ARCHIVE') {
    const c = await candleCoverage(deps.sql, { venue: input.data.venue, symbol: input.symbol, interval: input.interval, from: input.from, to: input.to });
    requireCoverage(input, `the archive (venue ${input.data.venue})`, c.first, c.last);
    return;
  }
  const inRange = (await replay(deps, input.data.recording, input)).candles.filter((c) => c.openTime >= input.from && c.openTime < input.to);
  requireCoverage(input, `recording ${input.data.recording}`, inRange[0]?.openTime ?? null, inRange.at(-1)?.openTime ?? null);
}

/** The spec the worker runs: up to warmUpBars bars before `from`, the bars in [from, to), the settlements over both. */
export async function loadBacktestSpec(input: BacktestJobInput, deps: BacktestDataDeps): Promise<BacktestSpec> {
  let candles: Candle[];
  let funding: FundingSettlement[] = [];
  if (input.data.source === 'ARCHIVE') {
    candles = await candleRange(deps.sql, { venue: input.data.venue, symbol: input.symbol, interval: input.interval, from: input.from, to: input.to, before: input.warmUpBars });
    if (input.funding && candles.length > 0) {
      const records = await recordRange(deps.sql, { venue: input.data.venue, type: 'funding', symbol: input.symbol, from: candles[0]!.openTime, to: input.to });
      funding = records.map((r) => {
        const p = r.payload as { rate: number; fundingTime: number };
        return { rate: p.rate, fundingTime: p.fundingTime };
      });
    }
  } else {
    const series = await replay(deps, input.data.recording, input);
    const start = series.candles.findIndex((c) => c.openTime >= input.from);
    const inRange = series.candles.filter((c) => c.openTime >= input.from && c.openTime < input.to);
    candles = [...series.candles.slice(Math.max(0, start - input.warmUpBars), Math.max(0, start)), ...inRange];
    if (input.funding && candles.length > 0) funding = series.funding.filter((f) => f.fundingTime >= candles[0]!.openTime && f.fundingTime < input.to);
  }
  const warm = candles.filter((c) => c.openTime < input.from).length;
  if (candles.length - warm < 2) throw new BacktestDataError(`fewer than 2 ${input.interval} bars of ${input.symbol} in ${day(input.from)} .. ${day(input.to)}`);
  return {
    strategy: input.strategy,
    params: input.params,
    costs: { feeBps: input.feeBps, slippageBps: input.slippageBps },
    initialEquity: input.initialEquity,
    positionFraction: input.positionFraction,
    warmUpBars: warm,
    candles,
    funding,
  };
}
