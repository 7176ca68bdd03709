import {
  DataOrigins,
  type Candle,
  type CandleInterval,
  type FundingRate,
  type MarketEvent,
  type SymbolInfo,
} from '../../domain/market.js';
import {
  SourceStates,
  type CandleQuery,
  type MarketDataSource,
  type MarketEventSink,
  type SourceState,
  type SourceStatus,
} from '../market-data-source.js';
import { Worker } from 'node:worker_threads';
import { SIMULATED_INTERVALS } from './generators/candles.js';
import { generateHistory, generateMarketHistory, type HistoryOptions, type MarketHistory, type SymbolHistory } from './history.js';
import type { HistoryWorkerData, HistoryWorkerMessage } from './history-worker.js';
import { createMarketModel, type MarketModel, type SymbolSeedState } from './model.js';
import { DEFAULT_SIMULATED_SYMBOLS, SIMULATED_VENUE, simulatedSymbolInfo } from './profiles.js';

export { SIMULATED_VENUE };

export interface SimulatedSourceOptions {
  /** Seed of every random stream (same seed + same start time → same market). */
  seed: number;
  /** Wall-clock milliseconds between two model steps. */
  tickMs: number;
  /** Wall clock (epoch ms); default `Date.now`. */
  now?: () => number;
  /** Symbols `listSymbols()` reports in addition to the six built-in majors. Any symbol can be started. */
  symbols?: readonly string[];
  /** Candle intervals produced (default 1m, 5m, 15m, 1h, 4h). */
  intervals?: readonly CandleInterval[];
  /** Backfilled funding settlements per symbol (default 90). */
  fundingHistoryCount?: number;
  /** Backfilled closed candles per interval (default 500). */
  candleHistoryCount?: number;
  /** Multiplies the trade rates (default 1). */
  tradeRateScale?: number;
  /**
   * Most simulated time one tick advances (default 10 000 ms). After a stall (a suspended laptop, a
   * blocked event loop) the model catches up over the following ticks instead of in one huge step.
   */
  maxStepMs?: number;
  /** Closed candles kept per symbol and interval, history included (default 2 000). */
  maxCandlesPerInterval?: number;
  /** Funding settlements kept per symbol (default 1 000). */
  maxFundingPerSymbol?: number;
  /**
   * Generate the start-up backfill in a worker thread running this module (the bundled
   * `dist/history-worker.js`; `execArgv` e.g. `['--import', 'tsx']` for the TypeScript source). Unset, or when
   * the worker fails, it is generated in-thread. Same histories either way.
   */
  historyWorker?: { url: URL; execArgv?: string[] };
}

interface SymbolBuffer {
  candles: Map<CandleInterval, Candle[]>;
  forming: Map<CandleInterval, Candle>;
  funding: FundingRate[];
}

const DEFAULT_CANDLE_LIMIT = 500;
const MAX_CANDLE_LIMIT = 1_500;
const DEFAULT_FUNDING_LIMIT = 100;
const MAX_FUNDING_LIMIT = 1_000;

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Drop the oldest entries once a buffer exceeds its bound (in batches, to keep appends cheap). */
function trim<T>(list: T[], max: number): void {
  if (list.length > max + Math.max(16, Math.floor(max / 10))) list.splice(0, list.length - max);
}

/**
 * The simulated market as a `MarketDataSource` (origin SIMULATED, venue `simulated`).
 *
 * `start(symbols, sink)` synchronously pushes the backfill, per symbol: the funding settlements, the
 * closed candles of every interval, the candles still forming at the start time (`closed: false`), the
 * last 30 five-minute points of open interest, long/short ratios (three kinds), taker volume and basis,
 * the liquidations of the last 6 hours (all oldest first), then the current markPrice, ticker24h,
 * spotPrice, bookTicker and orderBook; and market-wide: one `fearGreed` (today's value, with the previous
 * 364 days as `history`), one `globalMarket` and the BTC and ETH `optionsChain`s.
 *
 * It then advances the model every `tickMs` of wall clock by the real elapsed time (`now()`), pushing
 * (simulated-time cadence): trades and liquidations as they happen; bookTicker, spotPrice and markPrice
 * every second; orderBook every 5 s; openInterest and ticker24h every minute; longShortRatio ×3,
 * takerVolume and basis every 5 minutes; funding at 00/08/16 UTC; candle updates; optionsChain (BTC, ETH)
 * every 30 s; globalMarket every 5 minutes; fearGreed at each UTC midnight. `fetchCandles` /
 * `fetchFundingHistory` serve the backfill plus everything produced live since (bounded buffers).
 */
export function createSimulatedSource(options: SimulatedSourceOptions): MarketDataSource {
  if (!(options.tickMs > 0) || !Number.isFinite(options.tickMs)) throw new RangeError(`tickMs must be a positive number, got ${options.tickMs}`);
  const now = options.now ?? Date.now;
  const intervals = options.intervals ?? SIMULATED_INTERVALS;
  const maxStepMs = options.maxStepMs ?? 10_000;
  const maxCandles = options.maxCandlesPerInterval ?? 2_000;
  const maxFunding = options.maxFundingPerSymbol ?? 1_000;
  const listed = [...new Set([...DEFAULT_SIMULATED_SYMBOLS, ...(options.symbols ?? [])])];

  let anchor: number | null = null;
  let marketHistory: MarketHistory | null = null;
  const histories = new Map<string, SymbolHistory>();
  const buffers = new Map<string, SymbolBuffer>();
  let model: MarketModel | null = null;
  let timer: NodeJS.Timeout | null = null;
  let sink: MarketEventSink | null = null;
  let lastStepAt = 0;
  let state: SourceState = SourceStates.STOPPED;
  let lastError: string | null = null;
  let lastEventAt: number | null = null;
  /** Counts start and stop calls: a start that awaited its backfill goes on only if nothing came after. */
  let starts = 0;

  function historyOptions(symbol: string, startTime: number): HistoryOptions {
    return {
      seed: options.seed,
      symbol,
      startTime,
      intervals,
      ...(options.fundingHistoryCount === undefined ? {} : { fundingCount: options.fundingHistoryCount }),
      ...(options.candleHistoryCount === undefined ? {} : { candleCount: options.candleHistoryCount }),
    };
  }

  function adopt(symbol: string, history: SymbolHistory): { history: SymbolHistory; buffer: SymbolBuffer } {
    const buffer: SymbolBuffer = {
      candles: new Map(intervals.map((i) => [i, [...(history.candles.get(i) ?? [])]])),
      forming: new Map(history.forming.map((c) => [c.interval, c])),
      funding: [...history.funding],
    };
    histories.set(symbol, history);
    buffers.set(symbol, buffer);
    return { history, buffer };
  }

  /** History and buffers of a symbol at the current anchor (fixed on first use). */
  function ensureSymbol(symbol: string): { history: SymbolHistory; buffer: SymbolBuffer } {
    anchor ??= now();
    const history = histories.get(symbol);
    const buffer = buffers.get(symbol);
    if (history && buffer) return { history, buffer };
    return adopt(symbol, generateHistory(historyOptions(symbol, anchor)));
  }

  // --- Start-up backfill off the critical path (scheduling only: the histories are generateHistory's) ---
  let inflight: Promise<void> | null = null;
  let worker: Worker | null = null;

  /** Runs the missing symbols' histories in one worker thread; resolves when it is done or gone. */
  function generateInWorker(symbols: readonly string[], startTime: number, spec: { url: URL; execArgv?: string[] }): Promise<void> {
    return new Promise<void>((resolve) => {
      let thread: Worker;
      try {
        thread = new Worker(spec.url, {
          workerData: { jobs: symbols.map((s) => historyOptions(s, startTime)) } satisfies HistoryWorkerData,
          ...(spec.execArgv ? { execArgv: spec.execArgv } : {}),
        });
      } catch (error) {
        lastError = `backfill worker failed to start: ${errorMessage(error)}`;
        resolve();
        return;
      }
      worker = thread;
      thread.unref();
      let pending = symbols.length;
      const done = () => {
        if (worker === thread) worker = null;
        void thread.terminate();
        resolve();
      };
      thread.on('message', (message: HistoryWorkerMessage) => {
        // A restart in the meantime moved the anchor: the histories of the old one are dropped.
        if ('history' in message && anchor === startTime && !histories.has(message.symbol)) adopt(message.symbol, message.history);
        if ('error' in message) lastError = `backfill worker: ${message.error}`;
        if ((pending -= 1) === 0) done();
      });
      thread.once('error', (error) => {
        lastError = `backfill worker failed: ${errorMessage(error)}`;
        done();
      });
      thread.once('exit', done);
    });
  }

  async function generateMissing(symbols: readonly string[]): Promise<void> {
    anchor ??= now();
    const startTime = anchor;
    const missing = symbols.filter((s) => !histories.has(s));
    if (missing.length === 0) return;
    if (options.historyWorker) await generateInWorker(missing, startTime, options.historyWorker);
    // In-thread (no worker, or what it did not deliver). No timer-based yield here: tests drive this source
    // under fake timers, and before the server listens nothing waits on the loop.
    for (const symbol of missing) if (anchor === startTime) ensureSymbol(symbol);
  }

  /**
   * Generates the backfill of `symbols` ahead of `start` (which awaits it), so a caller can overlap it with
   * other start-up work such as opening the database. Idempotent; calls queue behind each other.
   */
  function prepare(symbols: readonly string[]): Promise<void> {
    const unique = [...new Set(symbols)];
    const run = (inflight ?? Promise.resolve()).then(() => generateMissing(unique));
    const tracked: Promise<void> = run.finally(() => {
      if (inflight === tracked) inflight = null;
    });
    inflight = tracked;
    return tracked;
  }

  function record(event: MarketEvent): void {
    if (event.type === 'candle') {
      const { candle } = event;
      const buffer = buffers.get(candle.symbol);
      if (!buffer) return;
      if (!candle.closed) {
        buffer.forming.set(candle.interval, candle);
        return;
      }
      const list = buffer.candles.get(candle.interval);
      if (!list) return;
      const last = list.at(-1);
      if (last && last.openTime >= candle.openTime) return;
      list.push(candle);
      trim(list, maxCandles);
      if (buffer.forming.get(candle.interval)?.openTime === candle.openTime) buffer.forming.delete(candle.interval);
    } else if (event.type === 'funding') {
      const buffer = buffers.get(event.funding.symbol);
      if (!buffer) return;
      const last = buffer.funding.at(-1);
      if (last && last.fundingTime >= event.funding.fundingTime) return;
      buffer.funding.push(event.funding);
      trim(buffer.funding, maxFunding);
    }
  }

  /** Hand events to the sink; a throwing sink is recorded, never propagated. */
  function deliver(events: readonly MarketEvent[]): void {
    const target = sink;
    if (!target || events.length === 0) return;
    for (const event of events) {
      try {
        target(event);
      } catch (error) {
        lastError = `sink failed: ${errorMessage(error)}`;
      }
    }
    lastEventAt = now();
  }

  function tick(): void {
    try {
      if (!model) return;
      const elapsed = now() - lastStepAt;
      if (!(elapsed > 0)) return;
      const dt = Math.min(elapsed, maxStepMs);
      lastStepAt += dt;
      const events = model.step(dt);
      for (const event of events) record(event);
      deliver(events);
      if (state === SourceStates.DEGRADED) state = SourceStates.OK;
    } catch (error) {
      lastError = errorMessage(error);
      state = SourceStates.DEGRADED;
    }
  }

  function clearTimer(): void {
    if (timer) clearInterval(timer);
    timer = null;
  }

  /** Generates what is missing in-thread, pushes the backfill to the sink and starts the live model. */
  function begin(unique: string[], eventSink: MarketEventSink): void {
    const initialState: Record<string, SymbolSeedState> = {};
    const backfill: MarketEvent[] = [];
    const marks: MarketEvent[] = [];
    for (const symbol of unique) {
      const { history } = ensureSymbol(symbol);
      initialState[symbol] = {
        bars: history.streamSeed.bars,
        engine: history.streamSeed.engine,
        takerPeriod: history.streamSeed.takerPeriod,
      };
      for (const funding of history.funding) backfill.push({ type: 'funding', funding });
      for (const interval of intervals) for (const candle of history.candles.get(interval) ?? []) backfill.push({ type: 'candle', candle });
      for (const candle of history.forming) backfill.push({ type: 'candle', candle });
      for (const openInterest of history.openInterest) backfill.push({ type: 'openInterest', openInterest });
      for (const ratio of history.longShortRatios) backfill.push({ type: 'longShortRatio', ratio });
      for (const volume of history.takerVolume) backfill.push({ type: 'takerVolume', volume });
      for (const basis of history.basis) backfill.push({ type: 'basis', basis });
      for (const liquidation of history.liquidations) backfill.push({ type: 'liquidation', liquidation });
      marks.push({ type: 'markPrice', mark: history.mark });
      if (history.ticker) marks.push({ type: 'ticker24h', ticker: history.ticker });
      marks.push({ type: 'spotPrice', spot: history.spot }, { type: 'bookTicker', book: history.bookTicker }, { type: 'orderBook', book: history.orderBook });
    }
    const startTime = anchor ?? now();
    anchor = startTime;
    marketHistory ??= generateMarketHistory({ seed: options.seed, startTime });
    const [latestFearGreed, ...olderFearGreed] = [...marketHistory.fearGreed].reverse();
    const marketWide: MarketEvent[] = [];
    if (latestFearGreed) marketWide.push({ type: 'fearGreed', fearGreed: latestFearGreed, history: olderFearGreed.reverse() });
    marketWide.push({ type: 'globalMarket', global: marketHistory.global });
    for (const chain of marketHistory.options) marketWide.push({ type: 'optionsChain', chain });
    model = createMarketModel({
      seed: options.seed,
      symbols: unique,
      startTime,
      intervals,
      initialState,
      ...(options.tradeRateScale === undefined ? {} : { tradeRateScale: options.tradeRateScale }),
    });
    lastStepAt = startTime;
    sink = eventSink;
    state = SourceStates.OK;
    deliver([...backfill, ...marks, ...marketWide]);
    timer = setInterval(tick, options.tickMs);
    timer.unref();
  }

  return {
    origin: DataOrigins.SIMULATED,
    venue: SIMULATED_VENUE,

    listSymbols(): Promise<SymbolInfo[]> {
      return Promise.resolve(listed.map(simulatedSymbolInfo));
    },

    prepare,

    start(symbols: readonly string[], eventSink: MarketEventSink): Promise<void> {
      const fail = (error: unknown): Promise<never> => {
        lastError = errorMessage(error);
        state = SourceStates.DOWN;
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      };
      try {
        clearTimer();
        const generation = (starts += 1);
        const unique = [...new Set(symbols)];
        const restart = () => {
          if (!model) return;
          // A restart begins a fresh market at the current time.
          anchor = null;
          marketHistory = null;
          histories.clear();
          buffers.clear();
          model = null;
        };
        // Without a worker and with nothing in flight, everything happens before start() returns (as the
        // tests and an in-process caller expect); otherwise after the backfill generated elsewhere arrived.
        if (!inflight && !(options.historyWorker && (model || unique.some((s) => !histories.has(s))))) {
          restart();
          begin(unique, eventSink);
          return Promise.resolve();
        }
        return (async () => {
          await inflight?.catch(() => undefined);
          restart();
          await prepare(unique);
          // Stopped (or started again) while the backfill was generated: that call owns the source now.
          if (generation !== starts) return;
          begin(unique, eventSink);
        })().catch(fail);
      } catch (error) {
        return fail(error);
      }
    },

    stop(): Promise<void> {
      starts += 1;
      clearTimer();
      void worker?.terminate();
      worker = null;
      sink = null;
      state = SourceStates.STOPPED;
      return Promise.resolve();
    },

    status(): SourceStatus {
      return { state, lastError, lastEventAt };
    },

    fetchCandles(symbol: string, interval: CandleInterval, query: CandleQuery = {}): Promise<Candle[]> {
      if (!intervals.includes(interval)) return Promise.resolve([]);
      const { buffer } = ensureSymbol(symbol);
      const closed = buffer.candles.get(interval) ?? [];
      const forming = buffer.forming.get(interval);
      const all = forming && (closed.at(-1)?.openTime ?? -Infinity) < forming.openTime ? [...closed, forming] : closed;
      const limit = Math.min(MAX_CANDLE_LIMIT, Math.max(1, Math.floor(query.limit ?? DEFAULT_CANDLE_LIMIT)));
      const inRange = all.filter(
        (c) => (query.startTime === undefined || c.openTime >= query.startTime) && (query.endTime === undefined || c.openTime <= query.endTime),
      );
      // Like Binance: with a start time, the first `limit` from it; otherwise the latest `limit`.
      const page = query.startTime === undefined ? inRange.slice(-limit) : inRange.slice(0, limit);
      return Promise.resolve(page.map((c) => ({ ...c })));
    },

    fetchFundingHistory(symbol: string, limit = DEFAULT_FUNDING_LIMIT): Promise<FundingRate[]> {
      const { buffer } = ensureSymbol(symbol);
      const n = Math.min(MAX_FUNDING_LIMIT, Math.max(1, Math.floor(limit)));
      return Promise.resolve(buffer.funding.slice(-n).map((f) => ({ ...f })));
    },
  };
}
