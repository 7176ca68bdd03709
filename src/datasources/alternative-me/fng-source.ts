import type { Logger } from 'pino';
import type { FearGreed, GlobalEvent } from '../../domain/market.js';
import { BadResponseError, BannedError, RateLimitError } from '../errors.js';
import { createHttpClient, type HttpClientOptions } from '../http.js';
import type { VenueHealth, VenueState } from '../market-data-source.js';
import { createFngApi, FNG_RATE_LIMITS, FNG_VENUE } from './fng-api.js';
import { toFearGreed, toFearGreedSeries } from './fng-mapper.js';

export { FNG_VENUE } from './fng-api.js';

export type GlobalEventSink = (event: GlobalEvent) => void;

export interface FearGreedSourceOptions {
  /** Origin of the API, e.g. `https://api.alternative.me`. */
  baseUrl: string;
  /** Milliseconds between two polls of the latest reading while healthy. Default 3600000 (the index is daily). */
  pollMs?: number;
  /** Readings fetched on start (0: the whole history since 2018). Default 400. */
  historyLimit?: number;
  /** Deadline for one request. Default 10000. */
  timeoutMs?: number;
  /** Wait before the first retry after a failed poll; doubles per consecutive failure. Default 60000. */
  retryMs?: number;
  /** Ceiling of that back-off. Default `pollMs`. */
  maxRetryMs?: number;
  /** Consecutive failed polls after which the venue reports DOWN rather than DEGRADED. Default 5. */
  downAfterFailures?: number;
  /** Retries of one request on 5xx/timeouts/network errors (shared HTTP client). Default 2, from 200 ms doubling. */
  retry?: HttpClientOptions['retry'];
  /** Circuit breaker of the shared HTTP client. Default: opens after 5 consecutive failures, probes after 30 s. */
  breaker?: HttpClientOptions['breaker'];
  logger?: Logger;
  /** Clock for back-off deadlines and health times. Default `Date.now`. */
  now?: () => number;
}

export interface FearGreedSource {
  readonly venue: string;
  /**
   * Fetches the history and pushes one `fearGreed` event carrying it (awaited), then polls the latest
   * reading every `pollMs`. Never rejects for upstream failures: a failed history fetch is retried
   * (with back-off) before any latest-only poll.
   */
  start(sink: GlobalEventSink): Promise<void>;
  stop(): Promise<void>;
  health(): VenueHealth;
  /** The newest `limit` readings (0: all), oldest first. */
  fetchHistory(limit?: number): Promise<FearGreed[]>;
}

interface Run {
  sink: GlobalEventSink;
  timer: NodeJS.Timeout | null;
  current: Promise<void> | null;
  stopped: boolean;
  historyDelivered: boolean;
}

/**
 * The Crypto Fear & Greed Index from alternative.me. Events: on start one
 * `{ type: 'fearGreed', fearGreed: <newest>, history: <oldest first, ending with the newest> }`, then
 * `{ type: 'fearGreed', fearGreed: <newest> }` after every poll (the same reading repeats until the
 * daily update; consumers de-duplicate by time). Failures turn the venue DEGRADED and are retried with
 * back-off; a 429 pauses requests for its Retry-After.
 */
export function createFearGreedSource(options: FearGreedSourceOptions): FearGreedSource {
  const pollMs = options.pollMs ?? 3_600_000;
  const historyLimit = options.historyLimit ?? 400;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const retryMs = options.retryMs ?? 60_000;
  const maxRetryMs = options.maxRetryMs ?? pollMs;
  const downAfterFailures = options.downAfterFailures ?? 5;
  const now = options.now ?? Date.now;
  const { logger } = options;
  if (!(pollMs > 0)) throw new RangeError(`pollMs must be > 0, got ${pollMs}`);
  if (!(retryMs > 0)) throw new RangeError(`retryMs must be > 0, got ${retryMs}`);
  if (!Number.isInteger(historyLimit) || historyLimit < 0) throw new RangeError(`historyLimit must be an integer >= 0, got ${historyLimit}`);

  const http = createHttpClient({
    venue: FNG_VENUE,
    baseUrl: options.baseUrl,
    timeoutMs,
    logger,
    now,
    retry: options.retry,
    breaker: options.breaker,
    rateLimits: FNG_RATE_LIMITS,
  });
  const api = createFngApi(http);

  let state: VenueState = 'DOWN';
  let lastError: string | null = null;
  let lastSuccessAt: number | null = null;
  let failures = 0;
  let pausedUntil = 0;
  let run: Run | null = null;

  async function fetchHistory(limit = historyLimit): Promise<FearGreed[]> {
    const series = toFearGreedSeries(await api.fng(limit));
    if (series.length === 0) throw new BadResponseError(FNG_VENUE, 'fng', ['data: no readings']);
    return series;
  }

  function emit(r: Run, event: GlobalEvent): void {
    if (r.stopped) return;
    try {
      r.sink(event);
    } catch (error) {
      logger?.error({ err: error, type: event.type }, 'global event sink threw');
    }
  }

  function blockedUntil(): number | null {
    const until = Math.max(http.blockedUntil() ?? 0, pausedUntil);
    return until > now() ? until : null;
  }

  async function poll(r: Run): Promise<void> {
    if (!r.historyDelivered) {
      const history = await fetchHistory();
      if (r.stopped) return;
      emit(r, { type: 'fearGreed', fearGreed: history.at(-1)!, history });
      r.historyDelivered = true;
      return;
    }
    const [latest] = await api.fng(1);
    if (r.stopped) return;
    if (!latest) throw new BadResponseError(FNG_VENUE, 'fng', ['data: no readings']);
    emit(r, { type: 'fearGreed', fearGreed: toFearGreed(latest) });
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

  /** One poll and the decision of when to poll next. Never rejects. */
  async function tick(r: Run): Promise<void> {
    const blocked = blockedUntil();
    if (blocked !== null) return schedule(r, blocked - now());
    try {
      await poll(r);
      if (r.stopped) return;
      if (failures > 0) logger?.info({ after: failures }, 'fear & greed polling recovered');
      failures = 0;
      state = 'OK';
      lastSuccessAt = now();
      schedule(r, pollMs);
    } catch (error) {
      if (r.stopped) return;
      const err = error instanceof Error ? error : new Error(String(error));
      failures += 1;
      lastError = err.message;
      if (err instanceof RateLimitError) pausedUntil = Math.max(pausedUntil, now() + err.retryAfterMs);
      if (err instanceof BannedError) pausedUntil = Math.max(pausedUntil, err.bannedUntil);
      state = failures >= downAfterFailures ? 'DOWN' : 'DEGRADED';
      const delay = Math.max(Math.min(maxRetryMs, retryMs * 2 ** (failures - 1)), (blockedUntil() ?? 0) - now());
      if (failures === 1 || failures % 10 === 0) logger?.warn({ err, failures, nextPollInMs: delay }, 'fear & greed poll failed; backing off');
      schedule(r, delay);
    }
  }

  return {
    venue: FNG_VENUE,

    async start(sink) {
      if (run && !run.stopped) throw new Error('fear & greed source already started');
      const r: Run = { sink, timer: null, current: null, stopped: false, historyDelivered: false };
      run = r;
      r.current = tick(r);
      await r.current;
    },

    async stop() {
      const r = run;
      if (!r) return;
      r.stopped = true;
      if (r.timer) clearTimeout(r.timer);
      r.timer = null;
      await http.close();
      await r.current?.catch(() => undefined);
    },

    health() {
      // The client knows about open circuits and bans; the poll loop knows about everything else
      // (RPC errors inside 2xx answers, stale instruments, consecutive failed polls).
      const client = http.health();
      const running = run !== null && !run.stopped;
      return {
        ...client,
        venue: FNG_VENUE,
        state: !running ? 'DOWN' : client.state === 'CIRCUIT_OPEN' || client.state === 'BANNED' ? client.state : state,
        blockedUntil: blockedUntil(),
        lastError: lastError ?? client.lastError,
        lastSuccessAt: lastSuccessAt ?? client.lastSuccessAt,
      };
    },

    fetchHistory,
  };
}
