import type { Logger } from 'pino';
import type { Candle, CandleInterval, FundingRate, MarketEvent, StatPeriod, SymbolEvent, SymbolInfo, Trade } from '../../domain/market.js';
import { DataOrigins, INTERVAL_MS, LongShortKinds, eventSymbol, type LongShortKind } from '../../domain/market.js';
import { BadSymbolError, BannedError, RateLimitError } from '../errors.js';
import { createHttpClient, type BreakerOptions, type HttpClient, type HttpClientStats, type RateLimitGroup, type RetryOptions } from '../http.js';
import type { CandleQuery, MarketDataSource, MarketEventSink, ResumePoints, SourceState, SourceStatus, VenueHealth, VenueReporting } from '../market-data-source.js';
import { SourceStates, VenueStates } from '../market-data-source.js';
import { createBinanceApi, createBinanceSpotApi, KLINES_PAGE, type BinanceApi, type BinanceSpotApi } from './binance-api.js';
import {
  BINANCE_BUDGET_SHARE,
  BINANCE_FUTURES_LIMITS,
  BINANCE_SPOT_LIMITS,
  DEFAULT_STATS_POLL_MS,
  binancePollSchedule,
  premiumIndexPerSymbol,
  ticker24hPerSymbol,
  type BinanceGroup,
  type ScheduledRequest,
  type StatsPollMs,
} from './binance-limits.js';
import {
  toBasis,
  toCandle,
  toFundingRate,
  toLongShortRatio,
  toMarkPrice,
  toOpenInterest,
  toOpenInterestFromHist,
  toSpotPrice,
  toSymbolInfos,
  toTakerVolume,
  toTicker24h,
  toTrade,
} from './binance-mapper.js';
import { createBinanceStream, type BinanceStream, type BinanceStreamOptions, type StreamGap } from './binance-stream.js';
import { parseDepthDiffMessage, parseStreamMessage, streamNamesFor } from './binance-stream-mapper.js';
import { createLocalBook, type LocalBook, type LocalBookStats } from './binance-book.js';
import type { DepthLimit } from './binance-api.js';
import type { BinanceLongShortRatio } from './schemas.js';

/** Candles fetched per interval for the gap after an archive restore: the market store's default depth (one 1000-candle page). */
const RESUME_MAX_CANDLES = 1_000;

export const BINANCE_VENUE = 'binance-usdm';
export const BINANCE_SPOT_VENUE = 'binance-spot';
/** Ceiling of the wait between two checks for a settlement that is due but not yet published. */
const MAX_FUNDING_RETRY_MS = 300_000;

/** Factory of the WebSocket stream; tests inject a fake, production uses `createBinanceStream`. */
export type BinanceStreamFactory = (options: BinanceStreamOptions) => BinanceStream;

export interface BinanceSourceOptions {
  /** REST base URL, e.g. `https://fapi.binance.com`. */
  fapiUrl: string;
  /** Spot REST base URL (e.g. `https://api.binance.com`): spot prices are polled when set. */
  spotUrl?: string;
  /**
   * Market-stream base URL (e.g. `wss://fstream.binance.com`): when set, trades, mark price (1 s),
   * 1m candles, liquidations and book tickers arrive over WebSocket, premiumIndex polling only runs while
   * the stream is disconnected, and the gap of every reconnect is backfilled over REST.
   */
  streamUrl?: string;
  /** Milliseconds between two REST `premiumIndex` polls (without a connected stream). Default 3000. */
  pollMs?: number;
  /** Cadence of the statistics polls; defaults in {@link DEFAULT_STATS_POLL_MS}. */
  statsPollMs?: Partial<StatsPollMs>;
  /** Period of the `/futures/data/*` statistics. Default 5m. */
  statPeriod?: StatPeriod;
  /** Statistics rows backfilled per series at start (1..500). Default 30 (one page). */
  statsBackfill?: number;
  /** Deadline for one REST request. Default 5000. */
  timeoutMs?: number;
  logger?: Logger;
  /** Clock for candle `closed` flags, funding due times and back-off deadlines. Default `Date.now`. */
  now?: () => number;
  /** Funding settlements backfilled per symbol on start (1..1000). Default 100. */
  fundingBackfill?: number;
  /** Closed candles backfilled per symbol and interval on start (1..1499). Default 200. */
  candleBackfill?: number;
  /**
   * Candle intervals backfilled on start and streamed (`kline_<interval>`). Default `['1m', '1h', '1d', '1w']`:
   * the multi-timeframe regime classifies 1d and 1w on the venue's own daily and weekly klines (21 closed bars
   * each), which 200 hourly bars could never supply.
   */
  candleIntervals?: readonly CandleInterval[];
  /** Ceiling of the doubling poll back-off (a longer Retry-After or ban is still honoured). Default 60000. */
  maxBackoffMs?: number;
  /** First wait before asking again for a settlement that is due but not yet published (doubles). Default 5000. */
  fundingRetryMs?: number;
  /** How long `listSymbols()` answers from cache. Default 1 h. */
  symbolsTtlMs?: number;
  /** HTTP retries of transient failures (both venues). */
  retry?: Partial<RetryOptions>;
  /** HTTP circuit breaker (both venues). */
  breaker?: Partial<BreakerOptions>;
  /** Published futures limits, overriding {@link BINANCE_FUTURES_LIMITS} (budget = limit × share). */
  rateLimits?: Partial<Record<BinanceGroup, RateLimitGroup>>;
  /** Published spot limits, overriding {@link BINANCE_SPOT_LIMITS}. */
  spotRateLimits?: Partial<Record<'weight', RateLimitGroup>>;
  /** Longest wait for request budget before a call fails with RateLimitError. Default 2000. */
  maxBudgetWaitMs?: number;
  /** Stream factory (tests). Default `createBinanceStream`. */
  createStream?: BinanceStreamFactory;
  /** Extra stream options (back-off, staleness) for tests. */
  streamOptions?: Partial<Pick<BinanceStreamOptions, 'backoff' | 'staleAfterMs' | 'random'>>;
  /** aggTrades pages (1000 trades, weight 20 each) fetched per symbol to fill one stream gap. Default 3. */
  gapTradePages?: number;
  /**
   * Local order books from `<symbol>@depth@100ms` diffs and `/fapi/v1/depth` snapshots (needs `streamUrl`):
   * published as `orderBook` events (SYNCED at most every `publishEveryMs`; SYNCING/GAP without levels at once).
   * false: no book. Default `{ snapshotLimit: 1000, publishEveryMs: 500 }`.
   */
  orderBook?: { snapshotLimit?: DepthLimit; publishEveryMs?: number; resyncDelayMs?: number } | false;
}

export interface BinanceSource extends MarketDataSource, VenueReporting {
  /** The last upstream error itself (`status().lastError` is its message). */
  lastFailure(): Error | null;
  /** Last `X-MBX-USED-WEIGHT-1M` seen on the futures API. */
  usedWeight(): number | null;
  /** Counters of both HTTP clients (soak bench). */
  httpStats(): { futures: HttpClientStats; spot: HttpClientStats | null };
  /** The steady-state request schedule for the symbols being tracked (empty before start). */
  schedule(): ScheduledRequest[];
  /** The stream's health when one is configured and started. */
  streamHealth(): ReturnType<BinanceStream['health']> | null;
  /** Counters of each local order book (empty without books). */
  bookStats(): Record<string, LocalBookStats>;
}

/** Per-symbol live state. */
interface Tracked {
  symbol: string;
  /** Backfill not yet delivered (start-time failure); retried by the poll loop before anything else. */
  needsBackfill: boolean;
  /** Newest settlement pushed to the sink (0: none). */
  lastFundingTime: number;
  /** Earliest known settlement time not yet pushed, or null. */
  dueAt: number | null;
  /** No settlement re-check before this (the venue publishes a few seconds after the settlement time). */
  checkAfter: number;
  /** Consecutive re-checks that found nothing new. */
  emptyChecks: number;
  /** Latest mark price (REST or stream), for open-interest values. */
  markPrice: number | null;
  /** Newest aggregate trade id pushed (dedupes stream vs gap backfill). */
  lastTradeId: number | null;
  /** While a stream gap is being backfilled: live trades/candles held back so the order stays by time. */
  held: SymbolEvent[] | null;
  /** Gap backfills queued or running for this symbol (they run one after the other). */
  gapChain: Promise<void>;
  pendingFills: number;
  /** Newest row time pushed per statistics series (`kind`), so overlapping polls push nothing twice. */
  seriesTime: Map<string, number>;
}

interface Poller {
  name: string;
  everyMs: number;
  http: HttpClient;
  run(r: Run): Promise<void>;
  timer: NodeJS.Timeout | null;
  current: Promise<void> | null;
  failures: number;
}

interface Run {
  sink: MarketEventSink;
  /** What the sink already held at start (archive), so the start-up backfill asks for the gap only. */
  resume: ResumePoints | null;
  tracked: Map<string, Tracked>;
  timer: NodeJS.Timeout | null;
  /** The poll in progress, awaited by stop(). */
  current: Promise<void> | null;
  /** Current poll delay: pollMs when healthy, doubled per consecutive failure up to maxBackoffMs. */
  delayMs: number;
  failures: number;
  stopped: boolean;
  pollers: Poller[];
  stream: BinanceStream | null;
  /** Gap backfills in flight, awaited by stop(). */
  gapFills: Set<Promise<void>>;
  /** Spot symbols dropped after the spot venue refused them (not listed on spot). */
  spotUnlisted: Set<string>;
  /** Local order books per symbol (empty when disabled or without a stream). */
  books: Map<string, LocalBook>;
  /** After a refusal of the batched form, spot prices are asked per symbol. */
  spotPerSymbol: boolean;
}

const LONG_SHORT_ENDPOINTS: ReadonlyArray<readonly [LongShortKind, keyof Pick<BinanceApi, 'globalLongShortAccountRatio' | 'topLongShortAccountRatio' | 'topLongShortPositionRatio'>]> = [
  [LongShortKinds.GLOBAL_ACCOUNTS, 'globalLongShortAccountRatio'],
  [LongShortKinds.TOP_ACCOUNTS, 'topLongShortAccountRatio'],
  [LongShortKinds.TOP_POSITIONS, 'topLongShortPositionRatio'],
];

/** `btcusdt@aggTrade` -> `BTCUSDT`. */
const symbolOfStream = (stream: string): string => (stream.split('@')[0] ?? '').toUpperCase();

/**
 * Live Binance USD-M futures. `start` checks the symbols against exchangeInfo, backfills funding
 * settlements, closed candles and one page of each statistic, then:
 *
 * - over WebSocket when `streamUrl` is set: trades, mark price every second, candles of every backfilled interval, liquidations and
 *   book tickers; on every reconnect the gap is backfilled over REST (1m klines and aggTrades);
 * - over REST: premiumIndex every `pollMs` (only while no stream is connected), each funding settlement
 *   once its time passes, open interest and the 24 h ticker every minute, the `/futures/data` statistics
 *   (long/short ratios of three kinds, taker volume, basis) every 5 minutes, spot prices every minute.
 *
 * Every poll runs on its own timer: a failure is logged, backs that poll off (never below a Retry-After
 * or ban end) and leaves the others and the last good values alone. The steady-state weight is in
 * `schedule()` (see binance-limits.ts; a unit test keeps it within 25 % of every published limit).
 */
export function createBinanceSource(options: BinanceSourceOptions): BinanceSource {
  const pollMs = options.pollMs ?? 3_000;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const now = options.now ?? Date.now;
  const fundingBackfill = options.fundingBackfill ?? 100;
  const candleBackfill = options.candleBackfill ?? 200;
  const candleIntervals = options.candleIntervals ?? (['1m', '1h', '1d', '1w'] as const);
  const maxBackoffMs = options.maxBackoffMs ?? 60_000;
  const fundingRetryMs = options.fundingRetryMs ?? 5_000;
  const symbolsTtlMs = options.symbolsTtlMs ?? 3_600_000;
  const statsPollMs: StatsPollMs = { ...DEFAULT_STATS_POLL_MS, ...options.statsPollMs };
  const statPeriod = options.statPeriod ?? '5m';
  const statsBackfill = options.statsBackfill ?? 30;
  const gapTradePages = options.gapTradePages ?? 3;
  const bookOptions = options.orderBook === false || !options.streamUrl ? null : (options.orderBook ?? {});
  const { logger } = options;
  if (!(pollMs > 0)) throw new RangeError(`pollMs must be > 0, got ${pollMs}`);
  if (!Number.isInteger(candleBackfill) || candleBackfill < 1 || candleBackfill > 1499)
    throw new RangeError(`candleBackfill must be an integer in 1..1499, got ${candleBackfill}`);
  if (!Number.isInteger(statsBackfill) || statsBackfill < 1 || statsBackfill > 500)
    throw new RangeError(`statsBackfill must be an integer in 1..500, got ${statsBackfill}`);
  for (const [name, ms] of Object.entries(statsPollMs)) if (!(ms > 0)) throw new RangeError(`statsPollMs.${name} must be > 0, got ${ms}`);
  /** Rows per live statistics poll: the periods elapsed since the last poll, plus one of overlap. */
  const statsLiveLimit = Math.min(statsBackfill, Math.max(2, Math.ceil(statsPollMs.statistics / INTERVAL_MS[statPeriod]) + 1));

  const share = (groups: Readonly<Record<string, RateLimitGroup>>) =>
    Object.fromEntries(Object.entries(groups).map(([name, g]) => [name, { share: BINANCE_BUDGET_SHARE, ...g }]));
  const httpCommon = { timeoutMs, now, retry: options.retry, breaker: options.breaker, maxBudgetWaitMs: options.maxBudgetWaitMs };
  const http = createHttpClient({
    ...httpCommon,
    venue: BINANCE_VENUE,
    baseUrl: options.fapiUrl,
    logger: logger?.child({ venue: BINANCE_VENUE }),
    rateLimits: share({ ...BINANCE_FUTURES_LIMITS, ...options.rateLimits }),
  });
  const spotHttp = options.spotUrl
    ? createHttpClient({
        ...httpCommon,
        venue: BINANCE_SPOT_VENUE,
        baseUrl: options.spotUrl,
        logger: logger?.child({ venue: BINANCE_SPOT_VENUE }),
        rateLimits: share({ ...BINANCE_SPOT_LIMITS, ...options.spotRateLimits }),
      })
    : null;
  // A poller never reads a cached answer older than half its period.
  const half = (ms: number) => Math.floor(ms / 2);
  const api = createBinanceApi(http, {
    now,
    ttlMs: {
      premiumIndex: Math.min(500, half(pollMs)),
      openInterest: Math.min(1_000, half(statsPollMs.openInterest)),
      ticker24h: Math.min(2_000, half(statsPollMs.ticker24h)),
      futuresData: Math.min(10_000, half(statsPollMs.statistics)),
    },
  });
  const spotApi: BinanceSpotApi | null = spotHttp ? createBinanceSpotApi(spotHttp, { ttlMs: { spotPrice: Math.min(1_000, half(statsPollMs.spotPrice)) } }) : null;
  const createStream = options.createStream ?? createBinanceStream;

  let state: SourceState = SourceStates.STOPPED;
  let lastFailure: Error | null = null;
  let lastEventAt: number | null = null;
  let symbolsCache: { at: number; value: Promise<SymbolInfo[]> } | null = null;
  let run: Run | null = null;

  function listSymbols(): Promise<SymbolInfo[]> {
    if (symbolsCache && now() - symbolsCache.at < symbolsTtlMs) return symbolsCache.value;
    const value = Promise.all([api.exchangeInfo(), api.fundingInfo()]).then(([info, funding]) => toSymbolInfos(info, funding));
    const entry = { at: now(), value };
    symbolsCache = entry;
    value.catch(() => {
      if (symbolsCache === entry) symbolsCache = null;
    });
    return value;
  }

  function emit(r: Run, event: MarketEvent): void {
    if (r.stopped) return;
    lastEventAt = now();
    try {
      r.sink(event);
    } catch (error) {
      // A consumer bug is not an upstream failure: log it and keep the feed going.
      logger?.error({ err: error, type: event.type }, 'market event sink threw');
    }
  }

  function fail(error: unknown): Error {
    const err = error instanceof Error ? error : new Error(String(error));
    lastFailure = err;
    return err;
  }

  /** Pushes a trade unless it was already pushed (stream and gap backfill overlap). */
  function emitTrade(r: Run, t: Tracked, trade: Trade): void {
    if (t.lastTradeId !== null && trade.id <= t.lastTradeId) return;
    t.lastTradeId = trade.id;
    emit(r, { type: 'trade', trade });
  }

  /** Pushes the rows of one statistics series newer than the newest already pushed. */
  function emitSeries<T>(r: Run, t: Tracked, key: string, rows: readonly T[], timeOf: (row: T) => number, toEvent: (row: T) => SymbolEvent): void {
    const last = t.seriesTime.get(key) ?? Number.NEGATIVE_INFINITY;
    const fresh = rows.filter((row) => timeOf(row) > last).sort((a, b) => timeOf(a) - timeOf(b));
    for (const row of fresh) emit(r, toEvent(row));
    const newest = fresh.at(-1);
    if (newest !== undefined) t.seriesTime.set(key, timeOf(newest));
  }

  // --- Backfill and the core (mark price + funding) loop ---

  /** Everything for one symbol is fetched before anything is pushed, so a retry never follows a partial push. */
  async function backfill(r: Run, t: Tracked): Promise<void> {
    // Resumed (the sink holds archived history): only what came after it, in pages; else the default window.
    const fundingFrom = r.resume?.funding(t.symbol);
    const [fundingRows, ...candleSets] = await Promise.all([
      fundingFrom === undefined ? api.fundingRate(t.symbol, { limit: fundingBackfill }) : api.fundingRate(t.symbol, { startTime: fundingFrom + 1, limit: 1000 }),
      ...candleIntervals.map((interval) => {
        const from = r.resume?.candle(t.symbol, interval);
        // One extra row: the newest is usually still forming and is dropped.
        return from === undefined
          ? api.klines(t.symbol, interval, { limit: candleBackfill + 1 })
          : api.klinesRange(t.symbol, interval, { startTime: from + INTERVAL_MS[interval], maxCandles: RESUME_MAX_CANDLES });
      }),
    ]);
    if (r.stopped) return;
    const at = now();
    const settlements = fundingRows.map(toFundingRate).sort((a, b) => a.fundingTime - b.fundingTime);
    for (const funding of settlements) emit(r, { type: 'funding', funding });
    t.lastFundingTime = settlements.at(-1)?.fundingTime ?? fundingFrom ?? 0;
    if (t.dueAt !== null && t.lastFundingTime >= t.dueAt) t.dueAt = null;
    candleIntervals.forEach((interval, i) => {
      const rows = candleSets[i] ?? [];
      const closed = rows.map((k) => toCandle(t.symbol, interval, k, at)).filter((c) => c.closed);
      const resumed = r.resume?.candle(t.symbol, interval) !== undefined;
      for (const candle of resumed ? closed : closed.slice(-candleBackfill)) emit(r, { type: 'candle', candle });
    });
    t.needsBackfill = false;
  }

  /** Backfills the symbols still waiting, four at a time; the first error stops it and is thrown. */
  async function backfillPending(r: Run): Promise<void> {
    const queue = [...r.tracked.values()].filter((t) => t.needsBackfill);
    let firstError: unknown = null;
    const worker = async () => {
      for (let t = queue.shift(); t && firstError === null && !r.stopped; t = queue.shift()) {
        try {
          await backfill(r, t);
        } catch (error) {
          firstError ??= error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(4, queue.length) }, worker));
    if (firstError !== null) throw firstError;
  }

  function noteNextFunding(t: Tracked, next: number): void {
    if (next <= 0 || t.needsBackfill) return; // delivery contracts report 0
    // Keeps the earliest unsettled time. If a backfill ran in the seconds between a settlement and its
    // publication, that settlement is not lost: the next fetch asks for everything after the last one.
    if (next > t.lastFundingTime && (t.dueAt === null || next < t.dueAt)) t.dueAt = next;
  }

  async function settleDueFunding(r: Run): Promise<void> {
    for (const t of r.tracked.values()) {
      const at = now();
      if (t.needsBackfill || t.dueAt === null || at < t.dueAt || at < t.checkAfter) continue;
      const rows = await api.fundingRate(t.symbol, { startTime: t.lastFundingTime + 1, limit: 100 });
      if (r.stopped) return;
      const fresh = rows
        .map(toFundingRate)
        .filter((f) => f.fundingTime > t.lastFundingTime)
        .sort((a, b) => a.fundingTime - b.fundingTime);
      for (const funding of fresh) {
        emit(r, { type: 'funding', funding });
        t.lastFundingTime = funding.fundingTime;
      }
      if (fresh.length > 0) {
        t.dueAt = null; // the next mark price sets the following one
        t.checkAfter = 0;
        t.emptyChecks = 0;
      } else {
        // Not published yet: ask again later, backing off to spare the shared 500 / 5 min fundingRate budget.
        t.checkAfter = at + Math.min(MAX_FUNDING_RETRY_MS, fundingRetryMs * 2 ** t.emptyChecks);
        t.emptyChecks += 1;
      }
    }
  }

  const streamConnected = (r: Run) => r.stream?.health().connected === true;

  /** REST mark prices, the cheaper form: per symbol below 10 symbols (weight n), else all (weight 10). */
  async function pollMarks(r: Run): Promise<void> {
    const symbols = [...r.tracked.keys()];
    const marks = premiumIndexPerSymbol(symbols.length)
      ? await Promise.all(symbols.map((symbol) => api.premiumIndex(symbol)))
      : await api.premiumIndex();
    if (r.stopped) return;
    for (const wire of marks) {
      const t = r.tracked.get(wire.symbol);
      if (!t) continue;
      const mark = toMarkPrice(wire);
      t.markPrice = mark.markPrice;
      emit(r, { type: 'markPrice', mark });
      noteNextFunding(t, mark.nextFundingTime);
    }
  }

  async function poll(r: Run): Promise<void> {
    await backfillPending(r);
    // With a connected stream, mark prices arrive every second over WebSocket: REST is the fallback.
    if (!streamConnected(r)) await pollMarks(r);
    await settleDueFunding(r);
  }

  function backoffFor(err: Error, delay: number): number {
    if (err instanceof RateLimitError) return Math.max(delay, err.retryAfterMs);
    if (err instanceof BannedError) return Math.max(delay, err.bannedUntil - now());
    return delay;
  }

  function schedule(r: Run, delayMs: number): void {
    if (r.stopped) return;
    r.timer = setTimeout(() => {
      r.timer = null;
      r.current = tick(r).finally(() => {
        r.current = null;
      });
    }, Math.max(0, delayMs));
  }

  /** One poll plus the decision of when to poll next. Never rejects. */
  async function tick(r: Run): Promise<void> {
    const blockedUntil = http.blockedUntil();
    if (blockedUntil !== null) {
      schedule(r, blockedUntil - now());
      return;
    }
    try {
      await poll(r);
      if (r.stopped) return;
      if (r.failures > 0) logger?.info({ after: r.failures }, 'binance polling recovered');
      r.failures = 0;
      r.delayMs = pollMs;
      updateState(r);
      schedule(r, pollMs);
    } catch (error) {
      if (r.stopped) return;
      const err = fail(error);
      r.failures += 1;
      r.delayMs = Math.min(maxBackoffMs, r.delayMs * 2);
      const delay = backoffFor(err, r.delayMs);
      updateState(r);
      if (r.failures === 1 || r.failures % 10 === 0)
        logger?.warn({ err, failures: r.failures, nextPollInMs: delay }, 'binance poll failed; backing off');
      schedule(r, delay);
    }
  }

  function updateState(r: Run): void {
    if (r.stopped) return;
    state = r.failures > 0 || r.pollers.some((p) => p.failures > 0) ? SourceStates.DEGRADED : SourceStates.OK;
  }

  // --- Statistics pollers ---

  /**
   * Runs `fn` for every tracked symbol concurrently; what succeeded is pushed by `fn` itself. Throws the
   * first failure afterwards, so one symbol's error neither hides the others' data nor goes unnoticed.
   */
  async function eachSymbol(r: Run, fn: (t: Tracked) => Promise<void>): Promise<void> {
    const results = await Promise.allSettled([...r.tracked.values()].map(fn));
    const failed = results.find((x): x is PromiseRejectedResult => x.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** One page of every `/futures/data` series per symbol: `limit` rows (the full page at start). */
  async function pollStatistics(r: Run, limit: number, withOpenInterestHist: boolean): Promise<void> {
    await eachSymbol(r, async (t) => {
      // The first (full) page of a resumed series starts after the newest row the sink holds: the gap only, up
      // to the endpoint's 500 rows; seriesTime is seeded from it so nothing it holds is pushed again.
      const rangeOf = (key: string) => {
        const from = withOpenInterestHist ? r.resume?.series(t.symbol, key) : undefined;
        if (from === undefined) return { limit };
        if (!t.seriesTime.has(key)) t.seriesTime.set(key, from);
        return { startTime: from + 1, limit: 500 };
      };
      const tasks: Array<Promise<void>> = LONG_SHORT_ENDPOINTS.map(async ([kind, method]) => {
        const rows: BinanceLongShortRatio[] = await api[method](t.symbol, statPeriod, rangeOf(`ls:${kind}`));
        if (r.stopped) return;
        emitSeries(r, t, `ls:${kind}`, rows, (row) => row.timestamp, (row) => ({ type: 'longShortRatio', ratio: toLongShortRatio(kind, statPeriod, row) }));
      });
      tasks.push(
        api.takerlongshortRatio(t.symbol, statPeriod, rangeOf('taker')).then((rows) => {
          if (r.stopped) return;
          emitSeries(r, t, 'taker', rows, (row) => row.timestamp, (row) => ({ type: 'takerVolume', volume: toTakerVolume(t.symbol, statPeriod, row) }));
        }),
        api.basis(t.symbol, statPeriod, rangeOf('basis')).then((rows) => {
          if (r.stopped) return;
          emitSeries(r, t, 'basis', rows, (row) => row.timestamp, (row) => ({ type: 'basis', basis: toBasis(statPeriod, row) }));
        }),
      );
      if (withOpenInterestHist)
        tasks.push(
          api.openInterestHist(t.symbol, statPeriod, rangeOf('oi')).then((rows) => {
            if (r.stopped) return;
            emitSeries(r, t, 'oi', rows, (row) => row.timestamp, (row) => ({ type: 'openInterest', openInterest: toOpenInterestFromHist(row) }));
          }),
        );
      const results = await Promise.allSettled(tasks);
      const failed = results.find((x): x is PromiseRejectedResult => x.status === 'rejected');
      if (failed) throw failed.reason;
    });
  }

  async function pollOpenInterest(r: Run): Promise<void> {
    await eachSymbol(r, async (t) => {
      const wire = await api.openInterest(t.symbol);
      if (r.stopped) return;
      emitSeries(r, t, 'oi', [wire], (w) => w.time, (w) => ({ type: 'openInterest', openInterest: toOpenInterest(w, t.markPrice) }));
    });
  }

  async function pollTicker24h(r: Run): Promise<void> {
    if (ticker24hPerSymbol(r.tracked.size)) {
      await eachSymbol(r, async (t) => {
        const wire = await api.ticker24hr(t.symbol);
        if (!r.stopped) emit(r, { type: 'ticker24h', ticker: toTicker24h(wire) });
      });
      return;
    }
    const all = await api.ticker24hr();
    if (r.stopped) return;
    for (const wire of all) if (r.tracked.has(wire.symbol)) emit(r, { type: 'ticker24h', ticker: toTicker24h(wire) });
  }

  /**
   * Spot prices of the perpetuals' symbols in one request. A symbol the spot venue does not list makes
   * Binance refuse the whole batch (-1121): then each is asked alone once, and unlisted ones are dropped.
   */
  async function pollSpot(r: Run): Promise<void> {
    if (!spotApi) return;
    const symbols = [...r.tracked.keys()].filter((s) => !r.spotUnlisted.has(s));
    if (symbols.length === 0) return;
    const push = (wire: { symbol: string; price: number }) => {
      if (r.tracked.has(wire.symbol)) emit(r, { type: 'spotPrice', spot: toSpotPrice(wire, now()) });
    };
    if (!r.spotPerSymbol) {
      try {
        const prices = symbols.length === 1 ? [await spotApi.tickerPrice(symbols[0]!)] : await spotApi.tickerPrice(symbols);
        if (!r.stopped) prices.forEach(push);
        return;
      } catch (error) {
        if (!(error instanceof BadSymbolError) || symbols.length === 1) {
          if (error instanceof BadSymbolError) {
            r.spotUnlisted.add(symbols[0]!);
            logger?.warn({ symbol: symbols[0] }, 'symbol not listed on spot: no spot price for it');
            return;
          }
          throw error;
        }
        r.spotPerSymbol = true;
      }
    }
    const results = await Promise.allSettled(symbols.map((s) => spotApi.tickerPrice(s)));
    let firstError: unknown = null;
    results.forEach((result, i) => {
      if (result.status === 'fulfilled') {
        if (!r.stopped) push(result.value);
      } else if (result.reason instanceof BadSymbolError) {
        r.spotUnlisted.add(symbols[i]!);
        logger?.warn({ symbol: symbols[i] }, 'symbol not listed on spot: no spot price for it');
      } else firstError ??= result.reason;
    });
    if (firstError !== null) throw firstError;
  }

  function makePoller(name: string, everyMs: number, client: HttpClient, fn: (r: Run) => Promise<void>): Poller {
    return { name, everyMs, http: client, run: fn, timer: null, current: null, failures: 0 };
  }

  function schedulePoller(r: Run, p: Poller, delayMs: number): void {
    if (r.stopped) return;
    p.timer = setTimeout(() => {
      p.timer = null;
      p.current = pollerTick(r, p).finally(() => {
        p.current = null;
      });
    }, Math.max(0, delayMs));
  }

  /** One run of a statistics poll. Never rejects; a failure retries sooner (doubling) up to the period. */
  async function pollerTick(r: Run, p: Poller): Promise<void> {
    const blockedUntil = p.http.blockedUntil();
    if (blockedUntil !== null) {
      schedulePoller(r, p, blockedUntil - now());
      return;
    }
    try {
      await p.run(r);
      if (r.stopped) return;
      if (p.failures > 0) logger?.info({ poll: p.name, after: p.failures }, 'binance poll recovered');
      p.failures = 0;
      updateState(r);
      schedulePoller(r, p, p.everyMs);
    } catch (error) {
      if (r.stopped) return;
      const err = fail(error);
      p.failures += 1;
      const delay = backoffFor(err, Math.min(p.everyMs, maxBackoffMs, 1_000 * 2 ** (p.failures - 1)));
      updateState(r);
      if (p.failures === 1 || p.failures % 10 === 0)
        logger?.warn({ err, poll: p.name, failures: p.failures, nextPollInMs: delay }, 'binance poll failed; keeping the last good values');
      schedulePoller(r, p, delay);
    }
  }

  // --- Stream ---

  function onStreamMessage(r: Run, msg: unknown): void {
    if (r.stopped) return;
    let events: SymbolEvent[];
    try {
      const diff = parseDepthDiffMessage(msg);
      if (diff) {
        r.books.get(diff.s)?.onDiff(diff);
        return;
      }
      events = parseStreamMessage(msg);
    } catch (error) {
      // One bad message is dropped; the stream and the other messages go on.
      fail(error);
      logger?.warn({ err: error }, 'binance stream message rejected');
      return;
    }
    for (const event of events) {
      const symbol = eventSymbol(event);
      const t = symbol === null ? undefined : r.tracked.get(symbol);
      if (!t) continue;
      if (t.held && (event.type === 'trade' || event.type === 'candle')) {
        t.held.push(event);
        continue;
      }
      if (event.type === 'trade') emitTrade(r, t, event.trade);
      else {
        if (event.type === 'markPrice') {
          t.markPrice = event.mark.markPrice;
          noteNextFunding(t, event.mark.nextFundingTime);
        }
        emit(r, event);
      }
    }
  }

  /**
   * Fills a stream gap for one symbol: closed 1m candles and aggregate trades between `from` and `to`.
   * Live trades and candles are held meanwhile (from the reconnect on) and pushed afterwards, so both
   * stay in time order; trades already pushed are never pushed again (aggregate ids).
   */
  async function fillGap(r: Run, t: Tracked, gap: StreamGap): Promise<void> {
    const fetchCandles = async (): Promise<Candle[]> => {
      const startTime = Math.floor(gap.from / 60_000) * 60_000;
      const minutes = Math.ceil((gap.to - startTime) / 60_000) + 1;
      const rows = await api.klines(t.symbol, '1m', { startTime, endTime: gap.to, limit: Math.min(KLINES_PAGE, Math.max(1, minutes)) });
      const at = now();
      return rows.map((k) => toCandle(t.symbol, '1m', k, at)).filter((c) => c.closed);
    };
    const fetchTrades = async (): Promise<{ trades: Trade[]; truncated: boolean }> => {
      const trades: Trade[] = [];
      for (let page = 0; page < gapTradePages; page++) {
        const after = trades.at(-1)?.id ?? t.lastTradeId;
        // By id after the last trade we have; without one, by time (a window of at most 1 h).
        const rows =
          after !== null
            ? await api.aggTrades(t.symbol, { fromId: after + 1, limit: 1000 })
            : await api.aggTrades(t.symbol, { startTime: gap.from, endTime: Math.min(gap.to, gap.from + 3_600_000), limit: 1000 });
        const mapped = rows.map((row) => toTrade(t.symbol, row));
        trades.push(...mapped.filter((tr) => tr.time <= gap.to));
        if (rows.length < 1000 || mapped.some((tr) => tr.time > gap.to)) return { trades, truncated: false };
      }
      return { trades, truncated: true };
    };
    try {
      const [candles, { trades, truncated }] = await Promise.all([fetchCandles(), fetchTrades()]);
      if (r.stopped) return;
      for (const candle of candles) emit(r, { type: 'candle', candle });
      for (const trade of trades) emitTrade(r, t, trade);
      if (truncated) logger?.warn({ symbol: t.symbol, trades: trades.length, pages: gapTradePages }, 'stream gap only partly backfilled with trades');
      logger?.info({ symbol: t.symbol, from: gap.from, to: gap.to, candles: candles.length, trades: trades.length }, 'stream gap backfilled');
    } catch (error) {
      fail(error);
      logger?.warn({ err: error, symbol: t.symbol, gap: { from: gap.from, to: gap.to } }, 'stream gap backfill failed; the gap stays');
    }
  }

  /** Releases what was held during gap backfills once the last queued one is done. */
  function releaseHeld(r: Run, t: Tracked): void {
    t.pendingFills -= 1;
    if (t.pendingFills > 0) return;
    const held = t.held ?? [];
    t.held = null;
    for (const event of held) {
      if (event.type === 'trade') emitTrade(r, t, event.trade);
      else emit(r, event);
    }
  }

  function onStreamReconnect(r: Run, gap: StreamGap): void {
    if (r.stopped) return;
    const symbols = new Set(gap.streams.map(symbolOfStream));
    // Diffs were missed while disconnected: a book kept across the outage would be silently wrong.
    for (const symbol of symbols) r.books.get(symbol)?.reset(`stream reconnected after ${Math.max(0, gap.to - gap.from)} ms; diffs missed`);
    for (const symbol of symbols) {
      const t = r.tracked.get(symbol);
      if (!t) continue;
      t.held ??= [];
      t.pendingFills += 1;
      const job = t.gapChain.then(() => fillGap(r, t, gap)).finally(() => {
        releaseHeld(r, t);
        r.gapFills.delete(job);
      });
      t.gapChain = job;
      r.gapFills.add(job);
    }
  }

  function startStream(r: Run): void {
    if (!options.streamUrl) return;
    const symbols = [...r.tracked.keys()];
    const stream = createStream({
      url: options.streamUrl,
      // Every backfilled interval is streamed too, so its closed bars keep arriving (freshness judges each by its bar clock).
      streams: streamNamesFor(symbols, { aggTrade: true, markPrice: '1s', klines: [...new Set(['1m' as const, ...candleIntervals])], forceOrder: true, bookTicker: true, diffDepth: bookOptions ? '100ms' : false }),
      logger: logger?.child({ venue: BINANCE_VENUE, part: 'stream' }),
      now,
      onMessage: (msg) => onStreamMessage(r, msg),
      onReconnect: (gap) => onStreamReconnect(r, gap),
      ...options.streamOptions,
    });
    r.stream = stream;
    if (bookOptions) {
      const limit = bookOptions.snapshotLimit ?? 1000;
      for (const symbol of symbols)
        r.books.set(
          symbol,
          createLocalBook({
            symbol,
            fetchSnapshot: () => api.depth(symbol, limit),
            onBook: (book) => emit(r, { type: 'orderBook', book }),
            now,
            publishEveryMs: bookOptions.publishEveryMs,
            resyncDelayMs: bookOptions.resyncDelayMs,
            publishLevels: limit,
            logger: logger?.child({ venue: BINANCE_VENUE, part: 'book', symbol }),
          }),
        );
    }
    // Resolves once connected; until then (and whenever disconnected) REST polling covers mark prices.
    stream.start().catch((error: unknown) => {
      if (!r.stopped) logger?.warn({ err: error }, 'binance stream did not start');
    });
  }

  function currentSchedule(r: Run | null): ScheduledRequest[] {
    if (!r) return [];
    return binancePollSchedule({ symbols: r.tracked.size, pollMs, statsPollMs, streaming: streamConnected(r), spot: spotApi !== null });
  }

  return {
    origin: DataOrigins.LIVE,
    venue: BINANCE_VENUE,
    resumesFromArchive: true,
    listSymbols,

    async start(symbols, sink, startOptions) {
      if (run && !run.stopped) throw new Error('binance source already started');
      state = SourceStates.STARTING;
      let infos: Map<string, SymbolInfo>;
      try {
        infos = new Map((await listSymbols()).map((s) => [s.symbol, s]));
        const unknown = symbols.find((s) => !infos.has(s));
        if (unknown !== undefined) throw new BadSymbolError(BINANCE_VENUE, unknown);
      } catch (error) {
        state = SourceStates.DOWN;
        throw fail(error);
      }
      const tracked = new Map<string, Tracked>();
      for (const symbol of new Set(symbols)) {
        const info = infos.get(symbol);
        if (info && info.status !== 'TRADING') logger?.warn({ symbol, status: info.status }, 'symbol is listed but not trading');
        tracked.set(symbol, {
          symbol,
          needsBackfill: true,
          lastFundingTime: 0,
          dueAt: null,
          checkAfter: 0,
          emptyChecks: 0,
          markPrice: null,
          lastTradeId: null,
          held: null,
          gapChain: Promise.resolve(),
          pendingFills: 0,
          seriesTime: new Map(),
        });
      }
      const r: Run = {
        sink,
        resume: startOptions?.resume ?? null,
        tracked,
        timer: null,
        current: null,
        delayMs: pollMs,
        failures: 0,
        stopped: false,
        pollers: [],
        stream: null,
        gapFills: new Set(),
        spotUnlisted: new Set(),
        spotPerSymbol: false,
        books: new Map(),
      };
      run = r;
      try {
        await backfillPending(r);
      } catch (error) {
        if (r.stopped) return;
        // Not fatal: the poll loop retries the missing backfills (with back-off) before polling.
        const err = fail(error);
        r.failures = 1;
        logger?.warn({ err }, 'binance backfill incomplete; retrying in the poll loop');
      }
      if (r.stopped) return;

      // Statistics first (with the open-interest history page), so the live open interest follows it in time.
      // The first run asks for a full page of every series (and the open-interest history); until one
      // succeeds, so does every retry. Later runs ask for the few rows published since.
      let statsFullPage = true;
      const statistics = makePoller('statistics', statsPollMs.statistics, http, async (rr) => {
        await pollStatistics(rr, statsFullPage ? statsBackfill : statsLiveLimit, statsFullPage);
        statsFullPage = false;
      });
      const others = [
        makePoller('openInterest', statsPollMs.openInterest, http, pollOpenInterest),
        makePoller('ticker24h', statsPollMs.ticker24h, http, pollTicker24h),
        ...(spotHttp ? [makePoller('spotPrice', statsPollMs.spotPrice, spotHttp, pollSpot)] : []),
      ];
      r.pollers = [statistics, ...others];
      const firstRun = (p: Poller) => (p.current = pollerTick(r, p).finally(() => (p.current = null)));
      await firstRun(statistics);
      await Promise.all(others.map(firstRun));
      if (r.stopped) return;
      startStream(r);
      updateState(r);
      schedule(r, pollMs);
    },

    async stop() {
      const r = run;
      if (r) {
        r.stopped = true;
        if (r.timer) clearTimeout(r.timer);
        r.timer = null;
        for (const p of r.pollers) {
          if (p.timer) clearTimeout(p.timer);
          p.timer = null;
        }
        for (const book of r.books.values()) book.stop();
        await r.stream?.stop().catch(() => undefined);
        await Promise.all([http.close(), spotHttp?.close()]); // aborts polls in flight
        await Promise.all([r.current, ...r.pollers.map((p) => p.current), ...r.gapFills].map((p) => p?.catch(() => undefined)));
      }
      state = SourceStates.STOPPED;
    },

    status(): SourceStatus {
      return { state, lastError: lastFailure?.message ?? null, lastEventAt };
    },

    /**
     * Candles over REST, newest possibly still forming. A range longer than one request (limit > 1500, or
     * startTime with endTime and no limit) is fetched in pages of 1000 (weight 5 each).
     */
    async fetchCandles(symbol: string, interval: CandleInterval, query?: CandleQuery): Promise<Candle[]> {
      const at = now();
      const limit = query?.limit;
      const paged = (limit !== undefined && limit > 1500) || (limit === undefined && query?.startTime !== undefined && query.endTime !== undefined);
      let rows;
      if (paged) {
        const endTime = query?.endTime ?? at;
        const startTime = query?.startTime ?? Math.max(0, endTime - (limit ?? 0) * INTERVAL_MS[interval]);
        rows = await api.klinesRange(symbol, interval, { startTime, endTime, maxCandles: limit });
      } else rows = await api.klines(symbol, interval, query);
      return rows.map((k) => toCandle(symbol, interval, k, at));
    },

    async fetchFundingHistory(symbol: string, limit = 100): Promise<FundingRate[]> {
      const rows = await api.fundingRate(symbol, { limit });
      return rows.map(toFundingRate).sort((a, b) => a.fundingTime - b.fundingTime);
    },

    venues(): VenueHealth[] {
      const futures = http.health();
      const stream = run?.stream?.health() ?? null;
      if (stream) {
        futures.reconnects = stream.reconnects;
        if (!stream.connected && !run?.stopped) {
          if (futures.state === VenueStates.OK) futures.state = VenueStates.DEGRADED;
          futures.lastError ??= stream.lastError;
        }
      }
      return spotHttp ? [futures, spotHttp.health()] : [futures];
    },

    lastFailure: () => lastFailure,
    usedWeight: () => http.usedWeight(),
    httpStats: () => ({ futures: http.stats(), spot: spotHttp?.stats() ?? null }),
    schedule: () => currentSchedule(run),
    streamHealth: () => run?.stream?.health() ?? null,
    bookStats: () => Object.fromEntries([...(run?.books ?? new Map<string, LocalBook>())].map(([symbol, book]) => [symbol, book.stats()])),
  };
}

/**
 * True when `GET /fapi/v1/ping` answers within `timeoutMs`. Used to choose between live and simulated
 * data when MARKET_SOURCE is unset.
 */
export async function probeBinance(fapiUrl: string, timeoutMs: number): Promise<boolean> {
  const http = createHttpClient({ venue: BINANCE_VENUE, baseUrl: fapiUrl, timeoutMs, connections: 1, retry: { maxRetries: 0 } });
  try {
    await createBinanceApi(http).ping();
    return true;
  } catch {
    return false;
  } finally {
    await http.close();
  }
}
