import {
  DataOrigins,
  INTERVAL_MS,
  type Candle,
  type CandleInterval,
  type FundingRate,
  type MarketEvent,
  type SymbolInfo,
} from '../../domain/market.js';
import type { Logger } from '../../logger.js';
import { BadSymbolError } from '../errors.js';
import {
  SourceStates,
  type CandleQuery,
  type MarketDataSource,
  type MarketEventSink,
  type RecordedSpan,
  type SourceState,
  type SourceStatus,
} from '../market-data-source.js';
import { scanReplayDirs, type ReplayCatalog, type ReplayFile } from './replay-files.js';
import { isHeaderRow, type MapContext } from './replay-mapper.js';
import { readCsvHeader, readRecords } from './replay-readers.js';
import { chainFiles, openMergedStream, probeFile, type MergedStream, type ProbedFile, type ReplayIssues, type WindowFor } from './replay-stream.js';

/** `meta.venue` of everything a replay produces. */
export const REPLAY_VENUE = 'replay';

export interface ReplaySourceOptions {
  /** Directories (searched recursively) or single files holding the recordings; see `replay-files.ts`. */
  dir: string | readonly string[];
  /** Data milliseconds per wall millisecond: 1 = real time, 60 = a minute per second, 0 = as fast as possible. */
  speed: number;
  /**
   * Data time (epoch ms) the timed replay starts at. Everything before it is the warm-up, pushed
   * synchronously by `start()`. Default: `warmupFraction` into the span of the started symbols' data.
   */
  startAt?: number;
  /** Warm-up share of the data span when `startAt` is not given (default 0.1). */
  warmupFraction?: number;
  /**
   * At the end, start over instead of finishing (needs speed > 0). Each pass is shifted forward by the
   * span rounded up to whole days, so times keep increasing and stay on the same UTC grid (candle opens,
   * 00/08/16 funding); the whole recording, warm-up included, is replayed on the clock.
   */
  loop?: boolean;
  /** Wall clock (epoch ms); default `Date.now`. */
  now?: () => number;
  logger?: Logger;
  /** Wall-clock ms between two replay steps at speed > 0 (default 250). */
  tickMs?: number;
  /**
   * Most events delivered per step (default 20 000). At speed 0 this is the batch size; at speed > 0 a
   * step that would deliver more lets the replay clock lag behind and catch up on the next steps.
   */
  maxEventsPerTick?: number;
  /** Search sub-directories (default true). */
  recursive?: boolean;
  /** Closed candles kept per symbol and interval for `fetchCandles` (default 5 000). */
  maxCandlesPerInterval?: number;
  /** Funding settlements kept per symbol for `fetchFundingHistory` (default 1 000). */
  maxFundingPerSymbol?: number;
  /**
   * How far before the span of the symbols' data market-wide recordings (Fear & Greed, option chains) are
   * still read, in ms (default 30 days): their history before the span is part of the warm-up.
   */
  marketWideLookbackMs?: number;
}

export interface ReplayProgress {
  /** The replay clock: every event with an earlier data time has been delivered. Equals `endTime` once done. */
  dataTime: number;
  /** Data time of the first and last event of the current pass (0 before `start`). */
  startTime: number;
  endTime: number;
  /** The last event has been delivered and the replay is not looping. */
  done: boolean;
  /** Completed passes (loop mode). */
  loops: number;
}

export interface ReplaySource extends MarketDataSource {
  progress(): ReplayProgress;
  /** Resolves when the replay finishes or is stopped (immediately if it is not running). */
  whenDone(): Promise<void>;
}

interface SymbolBuffer {
  candles: Map<CandleInterval, Candle[]>;
  funding: FundingRate[];
}

const DEFAULT_CANDLE_LIMIT = 500;
const MAX_CANDLE_LIMIT = 1_500;
const DEFAULT_FUNDING_LIMIT = 100;
const MAX_FUNDING_LIMIT = 1_000;
const DEFAULT_FUNDING_HOURS = 8;
const DAY_MS = 86_400_000;
const QUOTES = ['USDT', 'USDC', 'FDUSD', 'BUSD', 'TUSD', 'USD', 'BTC', 'ETH', 'BNB', 'EUR', 'TRY'];

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function trim<T>(list: T[], max: number): void {
  if (list.length > max + Math.max(16, Math.floor(max / 10))) list.splice(0, list.length - max);
}

function splitSymbol(symbol: string): { baseAsset: string; quoteAsset: string } {
  const quote = QUOTES.find((q) => symbol.endsWith(q) && symbol.length > q.length);
  return quote ? { baseAsset: symbol.slice(0, -quote.length), quoteAsset: quote } : { baseAsset: symbol, quoteAsset: '' };
}

const iso = (t: number): string => new Date(t).toISOString();

/**
 * Merged spans of the perpetual candle recordings per symbol: from a file's first candle's open to its last
 * candle's close; spans whose gap is under a day are joined (files of several intervals over one stretch).
 */
function candleSpansOf(files: readonly ProbedFile[]): Map<string, RecordedSpan[]> {
  const raw = new Map<string, RecordedSpan[]>();
  for (const p of files) {
    if (p.file.market !== 'futures' || p.file.content !== 'candles' || p.file.interval === null) continue;
    // `first`/`last` are emission times (candle closes): the first candle opened one interval earlier.
    const span = { from: p.first + 1 - INTERVAL_MS[p.file.interval], to: p.last };
    raw.set(p.file.symbol, [...(raw.get(p.file.symbol) ?? []), span]);
  }
  const out = new Map<string, RecordedSpan[]>();
  for (const [symbol, spans] of raw) {
    const merged: RecordedSpan[] = [];
    for (const s of [...spans].sort((a, b) => a.from - b.from)) {
      const last = merged.at(-1);
      if (last && s.from <= last.to + DAY_MS) last.to = Math.max(last.to, s.to);
      else merged.push({ ...s });
    }
    out.set(symbol, merged);
  }
  return out;
}

/**
 * Replays recorded market data as a `MarketDataSource` (origin REPLAY, venue `replay`).
 *
 * `start(symbols, sink)` merges every recording of those symbols into one time-ordered stream (lazily,
 * see `replay-stream.ts`), synchronously pushes the warm-up (all events before `startAt`), then advances a
 * replay clock by `speed` × elapsed wall time every `tickMs`, pushing the events whose data time the clock
 * passed. Candles are pushed at their close time (closed), funding at its settlement time, mark price at
 * its candle's close.
 *
 * At the end of the data (not looping) the replay is DONE: `progress().done` is true, `status().state`
 * becomes STOPPED and `status().lastError` reads `replay finished: …` (so health shows that no data flows
 * any more; use `loop` for a replay that never ends). `fetchCandles` / `fetchFundingHistory` answer only
 * from what has been pushed so far, never from data ahead of the replay clock.
 */
export function createReplaySource(options: ReplaySourceOptions): ReplaySource {
  const { speed, logger } = options;
  if (!Number.isFinite(speed) || speed < 0) throw new RangeError(`speed must be a finite number >= 0, got ${speed}`);
  const tickMs = options.tickMs ?? 250;
  if (!(tickMs > 0) || !Number.isFinite(tickMs)) throw new RangeError(`tickMs must be a positive number, got ${tickMs}`);
  const warmupFraction = options.warmupFraction ?? 0.1;
  if (!(warmupFraction >= 0 && warmupFraction <= 1)) throw new RangeError(`warmupFraction must be within 0..1, got ${warmupFraction}`);
  const maxEventsPerTick = options.maxEventsPerTick ?? 20_000;
  if (!(maxEventsPerTick >= 1)) throw new RangeError(`maxEventsPerTick must be >= 1, got ${maxEventsPerTick}`);
  if (options.loop === true && speed === 0) throw new RangeError('loop needs speed > 0 (at speed 0 it would never yield)');
  if (options.startAt !== undefined && !Number.isFinite(options.startAt)) throw new RangeError(`startAt must be an epoch ms, got ${options.startAt}`);
  const dirs = typeof options.dir === 'string' ? [options.dir] : [...options.dir];
  if (dirs.length === 0) throw new RangeError('dir names no directory');
  const now = options.now ?? Date.now;
  const maxCandles = options.maxCandlesPerInterval ?? 5_000;
  const maxFunding = options.maxFundingPerSymbol ?? 1_000;

  let catalog: ReplayCatalog | null = null;
  const fundingHours = new Map<string, number>();
  const buffers = new Map<string, SymbolBuffer>();

  let chains: ProbedFile[][] = [];
  let stream: MergedStream | null = null;
  let sink: MarketEventSink | null = null;
  let timer: NodeJS.Timeout | null = null;
  let state: SourceState = SourceStates.STOPPED;
  let lastError: string | null = null;
  let lastEventAt: number | null = null;
  let sinkFailures = 0;
  /** A recording that failed mid-way leaves a hole for the rest of the run; a failed step heals. */
  let filesFailed = 0;

  let spanStart = 0;
  let spanEnd = 0;
  /** Per symbol: the merged spans of its perpetual candle recordings (set by `start`, unshifted). */
  let candleSpans = new Map<string, RecordedSpan[]>();
  let loopShift = 0;
  let offset = 0;
  let loops = 0;
  let dataTime = 0;
  let dataAnchor = 0;
  let wallAnchor = 0;
  let done = false;
  let waiters: (() => void)[] = [];

  function ensureCatalog(): ReplayCatalog {
    if (catalog) return catalog;
    const found = scanReplayDirs(dirs, { recursive: options.recursive ?? true });
    const reasons = new Map<string, number>();
    for (const s of found.skipped) reasons.set(s.reason, (reasons.get(s.reason) ?? 0) + 1);
    for (const [reason, count] of reasons) logger?.info({ files: count, reason }, 'replay: skipping files');
    logger?.info({ dirs, files: found.files.length, skipped: found.skipped.length, ignored: found.ignored.length }, 'replay: recordings found');
    catalog = found;
    return found;
  }

  /** Hours between settlements: a vision fundingRate CSV says so in its rows; otherwise 8. */
  function fundingHoursOf(symbol: string): number {
    const known = fundingHours.get(symbol);
    if (known !== undefined) return known;
    let hours = DEFAULT_FUNDING_HOURS;
    const file = catalog?.files.find((f) => f.symbol === symbol && f.content === 'funding' && f.container === 'csv');
    if (file) {
      const records = readRecords(file.path, 'csv');
      try {
        for (const record of records) {
          if (isHeaderRow(record.fields)) continue;
          const h = Number(record.fields[1]);
          if (Number.isFinite(h) && h > 0) hours = h;
          break;
        }
      } catch (error) {
        logger?.warn({ err: error, file: file.path }, 'replay: cannot read the funding interval');
      } finally {
        void records.return(undefined);
      }
    }
    fundingHours.set(symbol, hours);
    return hours;
  }

  const headers = new Map<string, string[] | null>();
  /** Files read by column name keep their header (read once per path). */
  function headerOf(file: ReplayFile): string[] | null {
    if (file.container !== 'csv' || (file.column === undefined && file.content !== 'optionsChain')) return null;
    if (!headers.has(file.path)) headers.set(file.path, readCsvHeader(file.path));
    return headers.get(file.path) ?? null;
  }

  const contextFor = (file: ReplayFile, shift: number): MapContext => ({
    symbol: file.symbol,
    interval: file.interval,
    offset: shift,
    fundingIntervalHours: file.market === 'market-wide' ? DEFAULT_FUNDING_HOURS : fundingHoursOf(file.symbol),
    header: headerOf(file),
    ...(file.column === undefined ? {} : { column: file.column }),
  });

  /** The span market-wide recordings are kept within (set by `start`); symbol files are not bounded. */
  let marketWideWindow: { from: number; to: number } | null = null;
  const windowFor: WindowFor = (file) => (file.market === 'market-wide' ? marketWideWindow : null);
  const marketWideLookbackMs = options.marketWideLookbackMs ?? 30 * DAY_MS;

  const issues: ReplayIssues = {
    fileDone(file, report) {
      if (loops === 0) logger?.warn({ file: file.path, ...report }, 'replay: rows skipped in a recording');
    },
    fileFailed(file, error) {
      filesFailed += 1;
      lastError = `${file.path}: ${errorMessage(error)}`;
      state = SourceStates.DEGRADED;
      logger?.error({ err: error, file: file.path }, 'replay: recording unreadable; the rest of it is skipped');
    },
  };

  function record(event: MarketEvent): void {
    if (event.type === 'candle') {
      const { candle } = event;
      const buffer = buffers.get(candle.symbol);
      if (!buffer) return;
      let list = buffer.candles.get(candle.interval);
      if (!list) {
        list = [];
        buffer.candles.set(candle.interval, list);
      }
      const last = list.at(-1);
      if (last && last.openTime >= candle.openTime) return;
      list.push(candle);
      trim(list, maxCandles);
    } else if (event.type === 'funding') {
      const buffer = buffers.get(event.funding.symbol);
      if (!buffer) return;
      const last = buffer.funding.at(-1);
      if (last && last.fundingTime >= event.funding.fundingTime) return;
      buffer.funding.push(event.funding);
      trim(buffer.funding, maxFunding);
    }
  }

  function deliver(event: MarketEvent): void {
    const target = sink;
    if (!target) return;
    try {
      target(event);
    } catch (error) {
      lastError = `sink failed: ${errorMessage(error)}`;
      if (sinkFailures === 0) logger?.error({ err: error, type: event.type }, 'market event sink threw');
      sinkFailures += 1;
    }
  }

  /** Pushes the events before `target`, at most `budget`; true when the budget stopped it. */
  function emitBefore(target: number, budget: number): boolean {
    if (!stream) return false;
    let emitted = 0;
    let limited = false;
    for (let t = stream.peekTime(); t !== undefined && t < target; t = stream.peekTime()) {
      if (emitted >= budget) {
        limited = true;
        break;
      }
      const next = stream.next();
      if (!next) break;
      record(next.event);
      deliver(next.event);
      emitted += 1;
    }
    if (emitted > 0) lastEventAt = now();
    return limited;
  }

  function clearTimer(): void {
    if (timer) clearTimeout(timer);
    timer = null;
  }

  function schedule(): void {
    clearTimer();
    if (!stream || done) return;
    timer = setTimeout(tick, speed === 0 ? 0 : tickMs);
    timer.unref();
  }

  function settle(): void {
    const waiting = waiters;
    waiters = [];
    for (const resolve of waiting) resolve();
  }

  function finish(): void {
    if (options.loop === true) {
      loops += 1;
      offset = loops * loopShift;
      stream?.close();
      stream = openMergedStream(chains, offset, contextFor, issues, windowFor);
      dataAnchor = spanStart + offset;
      dataTime = dataAnchor;
      wallAnchor = now();
      logger?.info({ loops, from: iso(dataAnchor) }, 'replay: end of data, starting the next pass');
      return;
    }
    done = true;
    dataTime = spanEnd + offset;
    stream?.close();
    stream = null;
    clearTimer();
    state = SourceStates.STOPPED;
    lastError = `replay finished: data ended at ${iso(spanEnd + offset)}`;
    logger?.info({ endTime: iso(spanEnd + offset) }, 'replay finished');
    settle();
  }

  function tick(): void {
    timer = null;
    if (!stream || done) return;
    try {
      if (speed === 0) {
        emitBefore(Infinity, maxEventsPerTick);
        dataTime = stream.peekTime() ?? spanEnd + offset;
      } else {
        const target = dataAnchor + (now() - wallAnchor) * speed;
        const limited = emitBefore(target, maxEventsPerTick);
        const pending = stream.peekTime();
        dataTime = Math.max(dataTime, limited && pending !== undefined ? pending : target);
      }
      if (state === SourceStates.DEGRADED && filesFailed === 0) state = SourceStates.OK;
      if (stream.peekTime() === undefined) finish();
    } catch (error) {
      lastError = errorMessage(error);
      state = SourceStates.DEGRADED;
      logger?.error({ err: error }, 'replay step failed');
    }
    schedule();
  }

  function plan(symbols: readonly string[]): ProbedFile[] {
    const cat = ensureCatalog();
    const wanted = new Set(symbols);
    // Market-wide recordings (Fear & Greed, option chains) go with any symbols.
    const files = cat.files.filter((f) => f.market === 'market-wide' || wanted.has(f.symbol));
    const covered = new Set(files.filter((f) => f.market !== 'market-wide').map((f) => f.symbol));
    const missing = [...wanted].filter((s) => !covered.has(s));
    if (missing.length > 0) logger?.warn({ symbols: missing }, 'replay: no recordings for these symbols');
    const probed: ProbedFile[] = [];
    for (const file of files) {
      try {
        const p = probeFile(file, contextFor(file, 0));
        if (p) probed.push(p);
        else logger?.info({ file: file.path }, 'replay: recording has no data rows');
      } catch (error) {
        logger?.error({ err: error, file: file.path }, 'replay: recording unreadable; skipped');
      }
    }
    if (probed.length === 0) throw new Error(`replay: no readable recordings for ${[...wanted].join(', ')} in ${dirs.join(', ')}`);
    return probed;
  }

  return {
    origin: DataOrigins.REPLAY,
    venue: REPLAY_VENUE,

    listSymbols(): Promise<SymbolInfo[]> {
      try {
        const cat = ensureCatalog();
        const markets = new Map<string, Set<string>>();
        for (const f of cat.files) if (f.market !== 'market-wide') markets.set(f.symbol, (markets.get(f.symbol) ?? new Set()).add(f.market));
        const infos = [...markets.keys()].sort().map(
          (symbol): SymbolInfo => ({
            symbol,
            ...splitSymbol(symbol),
            contractType: markets.get(symbol)?.has('futures') === true ? 'PERPETUAL' : 'SPOT',
            status: 'TRADING',
            // Not in the recordings.
            tickSize: 0,
            stepSize: 0,
            fundingIntervalHours: fundingHoursOf(symbol),
          }),
        );
        return Promise.resolve(infos);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },

    start(symbols: readonly string[], eventSink: MarketEventSink): Promise<void> {
      clearTimer();
      stream?.close();
      stream = null;
      state = SourceStates.STARTING;
      try {
        const unique = [...new Set(symbols)];
        const planned = plan(unique);
        // One replay clock: the span of the symbols' own data (of the market-wide files when there is no
        // symbol data). Market-wide recordings are read within [span start − lookback, span end]; a file
        // wholly outside (a 2020 option chain in a 2025 replay) is left out, never shifted in time.
        const anchors = planned.filter((p) => p.file.market !== 'market-wide');
        const base = anchors.length > 0 ? anchors : planned;
        spanStart = Math.min(...base.map((p) => p.first));
        spanEnd = Math.max(...base.map((p) => p.last));
        // A start before the symbols' data (e.g. inside the 2020 option chains) moves the clock back to it:
        // the market-wide recordings of that time are replayed on their own clock, and the perpetual data
        // comes when the clock reaches it (until then the per-symbol analyses are NOT_READY). Not with a
        // loop: each pass would replay the empty years in between.
        const startBefore = options.startAt !== undefined && options.loop !== true && options.startAt < spanStart && anchors.length > 0 ? options.startAt : null;
        if (startBefore !== null) spanStart = startBefore;
        marketWideWindow = anchors.length > 0 ? { from: spanStart - marketWideLookbackMs, to: spanEnd } : null;
        const window = marketWideWindow;
        const outside = window === null ? [] : planned.filter((p) => p.file.market === 'market-wide' && (p.last < window.from || p.first > window.to));
        if (outside.length > 0)
          logger?.info({ files: outside.map((p) => p.file.path), from: iso(window?.from ?? 0), to: iso(spanEnd) }, 'replay: market-wide recordings outside the replay span, not read');
        const probed = planned.filter((p) => !outside.includes(p));
        candleSpans = candleSpansOf(probed);
        chains = chainFiles(probed).sort((a, b) => (a[0]?.file.path ?? '').localeCompare(b[0]?.file.path ?? ''));
        loopShift = Math.ceil((spanEnd - spanStart + 1) / DAY_MS) * DAY_MS;
        const startAt = Math.min(Math.max(options.startAt ?? spanStart + Math.floor(warmupFraction * (spanEnd - spanStart)), spanStart), spanEnd + 1);
        buffers.clear();
        for (const symbol of unique) buffers.set(symbol, { candles: new Map(), funding: [] });
        loops = 0;
        offset = 0;
        done = false;
        sinkFailures = 0;
        filesFailed = 0;
        lastError = null;
        sink = eventSink;
        stream = openMergedStream(chains, 0, contextFor, issues, windowFor);
        emitBefore(startAt, Infinity);
        dataTime = startAt;
        dataAnchor = startAt;
        wallAnchor = now();
        if (state === SourceStates.STARTING) state = SourceStates.OK;
        logger?.info(
          { symbols: unique, files: probed.length, chains: chains.length, from: iso(spanStart), startAt: iso(startAt), to: iso(spanEnd), speed },
          'replay started (warm-up pushed)',
        );
        if (stream.peekTime() === undefined) finish();
        else schedule();
        return Promise.resolve();
      } catch (error) {
        lastError = errorMessage(error);
        state = SourceStates.DOWN;
        stream?.close();
        stream = null;
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },

    stop(): Promise<void> {
      clearTimer();
      stream?.close();
      stream = null;
      sink = null;
      state = SourceStates.STOPPED;
      settle();
      return Promise.resolve();
    },

    status(): SourceStatus {
      return { state, lastError, lastEventAt };
    },

    /**
     * The spans the symbol's perpetual candle recordings cover (files of any interval; spans closer than a
     * day merged), shifted to the current pass. A looping replay keeps adding passes, so its history is not
     * bounded: null.
     */
    recordedHistory(symbol: string): readonly RecordedSpan[] | null {
      if (options.loop === true) return null;
      return (candleSpans.get(symbol) ?? []).map((s) => ({ from: s.from + offset, to: s.to + offset }));
    },

    progress(): ReplayProgress {
      return { dataTime, startTime: spanStart + offset, endTime: spanEnd + offset, done, loops };
    },

    whenDone(): Promise<void> {
      if (done || !stream) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },

    async fetchCandles(symbol: string, interval: CandleInterval, query: CandleQuery = {}): Promise<Candle[]> {
      if (!ensureCatalog().files.some((f) => f.market !== 'market-wide' && f.symbol === symbol)) throw new BadSymbolError(REPLAY_VENUE, symbol);
      const all = buffers.get(symbol)?.candles.get(interval) ?? [];
      const limit = Math.min(MAX_CANDLE_LIMIT, Math.max(1, Math.floor(query.limit ?? DEFAULT_CANDLE_LIMIT)));
      const inRange = all.filter(
        (c) => (query.startTime === undefined || c.openTime >= query.startTime) && (query.endTime === undefined || c.openTime <= query.endTime),
      );
      // Like Binance: with a start time, the first `limit` from it; otherwise the latest `limit`.
      const page = query.startTime === undefined ? inRange.slice(-limit) : inRange.slice(0, limit);
      return page.map((c) => ({ ...c }));
    },

    async fetchFundingHistory(symbol: string, limit = DEFAULT_FUNDING_LIMIT): Promise<FundingRate[]> {
      if (!ensureCatalog().files.some((f) => f.market !== 'market-wide' && f.symbol === symbol)) throw new BadSymbolError(REPLAY_VENUE, symbol);
      const n = Math.min(MAX_FUNDING_LIMIT, Math.max(1, Math.floor(limit)));
      return (buffers.get(symbol)?.funding.slice(-n) ?? []).map((f) => ({ ...f }));
    },
  };
}
