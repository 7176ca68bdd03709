import type { Logger } from 'pino';
import type { GlobalEvent, GlobalMarket } from '../../domain/market.js';
import { BannedError, RateLimitError } from '../errors.js';
import { createHttpClient, type HttpClientOptions } from '../http.js';
import type { VenueHealth, VenueState } from '../market-data-source.js';
import { COINGECKO_RATE_LIMITS, COINGECKO_VENUE, createCoinGeckoApi } from './coingecko-api.js';
import { toGlobalMarket } from './coingecko-mapper.js';

export { COINGECKO_VENUE } from './coingecko-api.js';

export type GlobalEventSink = (event: GlobalEvent) => void;

export interface CoinGeckoSourceOptions {
  /** Origin of the API, e.g. `https://api.coingecko.com` (`/api/v3/...` is appended). */
  baseUrl: string;
  /** Milliseconds between two polls while healthy. Default 300000 (CoinGecko refreshes every 10 min). */
  pollMs?: number;
  /** Deadline for one request. Default 10000. */
  timeoutMs?: number;
  /** Wait before the first retry after a failed poll; doubles per consecutive failure. Default 60000. */
  retryMs?: number;
  /** Ceiling of that back-off (a longer 429 Retry-After is still honoured). Default 900000. */
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

export interface CoinGeckoSource {
  readonly venue: string;
  /** Polls once (awaited), then every `pollMs`. Never rejects for upstream failures. */
  start(sink: GlobalEventSink): Promise<void>;
  stop(): Promise<void>;
  health(): VenueHealth;
  fetchGlobal(): Promise<GlobalMarket>;
}

interface Run {
  sink: GlobalEventSink;
  timer: NodeJS.Timeout | null;
  current: Promise<void> | null;
  stopped: boolean;
}

/**
 * CoinGecko market-wide totals: pushes `{ type: 'globalMarket', global }` after every successful poll.
 * Failures turn the venue DEGRADED and are retried with back-off; a 429 (the keyless tier is tightly
 * rate-limited) pauses requests for its Retry-After.
 */
export function createCoinGeckoSource(options: CoinGeckoSourceOptions): CoinGeckoSource {
  const pollMs = options.pollMs ?? 300_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const retryMs = options.retryMs ?? 60_000;
  const maxRetryMs = options.maxRetryMs ?? 900_000;
  const downAfterFailures = options.downAfterFailures ?? 5;
  const now = options.now ?? Date.now;
  const { logger } = options;
  if (!(pollMs > 0)) throw new RangeError(`pollMs must be > 0, got ${pollMs}`);
  if (!(retryMs > 0)) throw new RangeError(`retryMs must be > 0, got ${retryMs}`);

  const http = createHttpClient({
    venue: COINGECKO_VENUE,
    baseUrl: options.baseUrl,
    timeoutMs,
    logger,
    now,
    retry: options.retry,
    breaker: options.breaker,
    rateLimits: COINGECKO_RATE_LIMITS,
  });
  const api = createCoinGeckoApi(http);

  let state: VenueState = 'DOWN';
  let lastError: string | null = null;
  let lastSuccessAt: number | null = null;
  let failures = 0;
  let pausedUntil = 0;
  let run: Run | null = null;

  const fetchGlobal = async (): Promise<GlobalMarket> => toGlobalMarket(await api.global());

  function blockedUntil(): number | null {
    const until = Math.max(http.blockedUntil() ?? 0, pausedUntil);
    return until > now() ? until : null;
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
      const global = await fetchGlobal();
      if (r.stopped) return;
      try {
        r.sink({ type: 'globalMarket', global });
      } catch (error) {
        logger?.error({ err: error, type: 'globalMarket' }, 'global event sink threw');
      }
      if (failures > 0) logger?.info({ after: failures }, 'coingecko polling recovered');
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
      if (failures === 1 || failures % 10 === 0) logger?.warn({ err, failures, nextPollInMs: delay }, 'coingecko poll failed; backing off');
      schedule(r, delay);
    }
  }

  return {
    venue: COINGECKO_VENUE,

    async start(sink) {
      if (run && !run.stopped) throw new Error('coingecko source already started');
      const r: Run = { sink, timer: null, current: null, stopped: false };
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
        venue: COINGECKO_VENUE,
        state: !running ? 'DOWN' : client.state === 'CIRCUIT_OPEN' || client.state === 'BANNED' ? client.state : state,
        blockedUntil: blockedUntil(),
        lastError: lastError ?? client.lastError,
        lastSuccessAt: lastSuccessAt ?? client.lastSuccessAt,
      };
    },

    fetchGlobal,
  };
}
