import type { Logger } from 'pino';
import type { Candle, CandleInterval, FundingRate, MarketEvent, SymbolInfo } from '../../domain/market.js';
import { DataOrigins } from '../../domain/market.js';
import { BadSymbolError, BannedError, RateLimitError } from '../errors.js';
import { createHttpClient } from '../http.js';
import type { CandleQuery, MarketDataSource, MarketEventSink, SourceState, SourceStatus } from '../market-data-source.js';
import { SourceStates } from '../market-data-source.js';
import { createBinanceApi } from './binance-api.js';
import { toCandle, toFundingRate, toMarkPrice, toSymbolInfos } from './binance-mapper.js';

export const BINANCE_VENUE = 'binance-usdm';
/** Ceiling of the wait between two checks for a settlement that is due but not yet published. */
const MAX_FUNDING_RETRY_MS = 300_000;

export interface BinanceSourceOptions {
  /** REST base URL, e.g. `https://fapi.binance.com`. */
  fapiUrl: string;
  /** Milliseconds between two `premiumIndex` polls while healthy. Default 3000. */
  pollMs?: number;
  /** Deadline for one REST request. Default 5000. */
  timeoutMs?: number;
  logger?: Logger;
  /** Clock for candle `closed` flags, funding due times and back-off deadlines. Default `Date.now`. */
  now?: () => number;
  /** Funding settlements backfilled per symbol on start (1..1000). Default 100. */
  fundingBackfill?: number;
  /** Closed candles backfilled per symbol and interval on start (1..1499). Default 200. */
  candleBackfill?: number;
  /** Candle intervals backfilled on start. Default `['1m', '1h']`. */
  candleIntervals?: readonly CandleInterval[];
  /** Ceiling of the doubling poll back-off (a longer Retry-After or ban is still honoured). Default 60000. */
  maxBackoffMs?: number;
  /** First wait before asking again for a settlement that is due but not yet published (doubles). Default 5000. */
  fundingRetryMs?: number;
  /** How long `listSymbols()` answers from cache. Default 1 h. */
  symbolsTtlMs?: number;
}

export interface BinanceSource extends MarketDataSource {
  /** The last upstream error itself (`status().lastError` is its message). */
  lastFailure(): Error | null;
  /** Last `X-MBX-USED-WEIGHT-1M` seen. */
  usedWeight(): number | null;
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
}

interface Run {
  sink: MarketEventSink;
  tracked: Map<string, Tracked>;
  timer: NodeJS.Timeout | null;
  /** The poll in progress, awaited by stop(). */
  current: Promise<void> | null;
  /** Current poll delay: pollMs when healthy, doubled per consecutive failure up to maxBackoffMs. */
  delayMs: number;
  failures: number;
  stopped: boolean;
}

/**
 * Live Binance USD-M futures over REST. `start` checks the symbols against exchangeInfo, backfills
 * funding settlements and closed candles, then polls `premiumIndex` once for all symbols (weight 10)
 * every `pollMs`, pushing `markPrice` events, and fetches each settlement after its `nextFundingTime`
 * passes. Poll failures never escape: the status turns DEGRADED with the error, the delay doubles (up
 * to `maxBackoffMs`), and a Retry-After or ban end is honoured: no request before it (the HTTP client
 * enforces that for every call, not only polls).
 */
export function createBinanceSource(options: BinanceSourceOptions): BinanceSource {
  const pollMs = options.pollMs ?? 3_000;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const now = options.now ?? Date.now;
  const fundingBackfill = options.fundingBackfill ?? 100;
  const candleBackfill = options.candleBackfill ?? 200;
  const candleIntervals = options.candleIntervals ?? (['1m', '1h'] as const);
  const maxBackoffMs = options.maxBackoffMs ?? 60_000;
  const fundingRetryMs = options.fundingRetryMs ?? 5_000;
  const symbolsTtlMs = options.symbolsTtlMs ?? 3_600_000;
  const { logger } = options;
  if (!(pollMs > 0)) throw new RangeError(`pollMs must be > 0, got ${pollMs}`);
  if (!Number.isInteger(candleBackfill) || candleBackfill < 1 || candleBackfill > 1499)
    throw new RangeError(`candleBackfill must be an integer in 1..1499, got ${candleBackfill}`);

  const http = createHttpClient({ venue: BINANCE_VENUE, baseUrl: options.fapiUrl, timeoutMs, logger, now });
  const api = createBinanceApi(http);

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

  /** Everything for one symbol is fetched before anything is pushed, so a retry never follows a partial push. */
  async function backfill(r: Run, t: Tracked): Promise<void> {
    const [fundingRows, ...candleSets] = await Promise.all([
      api.fundingRate(t.symbol, { limit: fundingBackfill }),
      // One extra row: the newest is usually still forming and is dropped.
      ...candleIntervals.map((interval) => api.klines(t.symbol, interval, { limit: candleBackfill + 1 })),
    ]);
    if (r.stopped) return;
    const at = now();
    const settlements = fundingRows.map(toFundingRate).sort((a, b) => a.fundingTime - b.fundingTime);
    for (const funding of settlements) emit(r, { type: 'funding', funding });
    t.lastFundingTime = settlements.at(-1)?.fundingTime ?? 0;
    if (t.dueAt !== null && t.lastFundingTime >= t.dueAt) t.dueAt = null;
    candleIntervals.forEach((interval, i) => {
      const rows = candleSets[i] ?? [];
      const closed = rows.map((k) => toCandle(t.symbol, interval, k, at)).filter((c) => c.closed);
      for (const candle of closed.slice(-candleBackfill)) emit(r, { type: 'candle', candle });
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
        t.dueAt = null; // the next premiumIndex sets the following one
        t.checkAfter = 0;
        t.emptyChecks = 0;
      } else {
        // Not published yet: ask again later, backing off to spare the shared 500 / 5 min fundingRate budget.
        t.checkAfter = at + Math.min(MAX_FUNDING_RETRY_MS, fundingRetryMs * 2 ** t.emptyChecks);
        t.emptyChecks += 1;
      }
    }
  }

  async function poll(r: Run): Promise<void> {
    await backfillPending(r);
    const marks = await api.premiumIndex();
    if (r.stopped) return;
    for (const wire of marks) {
      const t = r.tracked.get(wire.symbol);
      if (!t) continue;
      const mark = toMarkPrice(wire);
      emit(r, { type: 'markPrice', mark });
      noteNextFunding(t, mark.nextFundingTime);
    }
    await settleDueFunding(r);
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
      state = SourceStates.OK;
      schedule(r, pollMs);
    } catch (error) {
      if (r.stopped) return;
      const err = fail(error);
      r.failures += 1;
      r.delayMs = Math.min(maxBackoffMs, r.delayMs * 2);
      let delay = r.delayMs;
      if (err instanceof RateLimitError) delay = Math.max(delay, err.retryAfterMs);
      if (err instanceof BannedError) delay = Math.max(delay, err.bannedUntil - now());
      state = SourceStates.DEGRADED;
      if (r.failures === 1 || r.failures % 10 === 0)
        logger?.warn({ err, failures: r.failures, nextPollInMs: delay }, 'binance poll failed; backing off');
      schedule(r, delay);
    }
  }

  return {
    origin: DataOrigins.LIVE,
    venue: BINANCE_VENUE,
    listSymbols,

    async start(symbols, sink) {
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
        });
      }
      const r: Run = { sink, tracked, timer: null, current: null, delayMs: pollMs, failures: 0, stopped: false };
      run = r;
      try {
        await backfillPending(r);
        if (!r.stopped) state = SourceStates.OK;
      } catch (error) {
        if (r.stopped) return;
        // Not fatal: the poll loop retries the missing backfills (with back-off) before polling.
        const err = fail(error);
        state = SourceStates.DEGRADED;
        logger?.warn({ err }, 'binance backfill incomplete; retrying in the poll loop');
      }
      schedule(r, pollMs);
    },

    async stop() {
      const r = run;
      if (r) {
        r.stopped = true;
        if (r.timer) clearTimeout(r.timer);
        r.timer = null;
        await http.close(); // aborts a poll in flight
        await r.current?.catch(() => undefined);
      }
      state = SourceStates.STOPPED;
    },

    status(): SourceStatus {
      return { state, lastError: lastFailure?.message ?? null, lastEventAt };
    },

    async fetchCandles(symbol: string, interval: CandleInterval, query?: CandleQuery): Promise<Candle[]> {
      const rows = await api.klines(symbol, interval, query);
      const at = now();
      return rows.map((k) => toCandle(symbol, interval, k, at));
    },

    async fetchFundingHistory(symbol: string, limit = 100): Promise<FundingRate[]> {
      const rows = await api.fundingRate(symbol, { limit });
      return rows.map(toFundingRate).sort((a, b) => a.fundingTime - b.fundingTime);
    },

    lastFailure: () => lastFailure,
    usedWeight: () => http.usedWeight(),
  };
}

/**
 * True when `GET /fapi/v1/ping` answers within `timeoutMs`. Used to choose between live and simulated
 * data when MARKET_SOURCE is unset.
 */
export async function probeBinance(fapiUrl: string, timeoutMs: number): Promise<boolean> {
  const http = createHttpClient({ venue: BINANCE_VENUE, baseUrl: fapiUrl, timeoutMs, connections: 1 });
  try {
    await createBinanceApi(http).ping();
    return true;
  } catch {
    return false;
  } finally {
    await http.close();
  }
}
