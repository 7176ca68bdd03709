import type { Logger } from 'pino';
import { BannedError, RateLimitError } from './errors.js';
import type { HttpClient, HttpClientOptions } from './http.js';
import type { VenueHealth, VenueState } from './market-data-source.js';

/**
 * The poll loop shared by the market-wide REST sources (Deribit, alternative.me, CoinGecko): poll once
 * on start, then every `pollMs` while healthy; after a failed poll retry with back-off (`retryMs`
 * doubling per consecutive failure up to `maxRetryMs`, or longer while a 429/418 pause lasts), the venue
 * DEGRADED and then DOWN after `downAfterFailures` consecutive failures; `stop()` aborts the poll in
 * flight so nothing is pushed after it resolves; `health()` merges the HTTP client's view (open circuit,
 * ban, pause) with the loop's (failed polls, errors inside 2xx answers).
 */

/** Options every polled market-wide source takes. Each source documents its own defaults. */
export interface PolledSourceOptions {
  /** Origin of the venue's API. */
  baseUrl: string;
  /** Milliseconds between two polls while healthy. */
  pollMs?: number;
  /** Deadline for one request. Default 10000. */
  timeoutMs?: number;
  /** Wait before the first retry after a failed poll; doubles per consecutive failure. */
  retryMs?: number;
  /** Ceiling of that back-off (a longer rate-limit pause is still honoured). */
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

/** The shared HTTP client's options from a polled source's options (`timeoutMs` default 10000, `now` default `Date.now`). */
export function polledHttpOptions(options: PolledSourceOptions): Pick<HttpClientOptions, 'baseUrl' | 'timeoutMs' | 'logger' | 'now' | 'retry' | 'breaker'> {
  const { baseUrl, logger, retry, breaker } = options;
  return { baseUrl, timeoutMs: options.timeoutMs ?? 10_000, logger, now: options.now ?? Date.now, retry, breaker };
}

/** What the poller needs of the venue's HTTP client. */
export type PollerHttp = Pick<HttpClient, 'blockedUntil' | 'health' | 'close'>;

/** One run of the loop (from `start()` to `stop()`), handed to every poll of that run. */
export interface PollRun<E> {
  /** True once `stop()` was called: a poll should push nothing more (`emit` already ignores it). */
  readonly stopped: boolean;
  /**
   * Pushes an event to the run's sink, unless the run was stopped. A sink that throws is logged, not
   * counted as a failure: a consumer bug is not an upstream failure.
   */
  emit(event: E): void;
  /**
   * Records that data was delivered now (`lastSuccessAt` in health), for polls that deliver part of
   * their data and report problems for the rest. A poll without problems records one anyway.
   */
  recordSuccess(): void;
}

export interface PollerOptions<E extends { readonly type: string }> {
  /** Venue name in `health()`. */
  venue: string;
  /** Name in logs and errors, e.g. `deribit` → "deribit poll failed; backing off", "deribit source already started". */
  name: string;
  /** Milliseconds between two polls while healthy; > 0. */
  pollMs: number;
  /** Back-off after the first failed poll, doubling per consecutive failure; > 0. */
  retryMs: number;
  /** Ceiling of the back-off (a longer 429/418 pause is still waited out). */
  maxRetryMs: number;
  /** Consecutive failed polls after which the venue is DOWN rather than DEGRADED. Default 5. */
  downAfterFailures?: number | undefined;
  /** The venue's client: its gate delays polls, `stop()` closes it (aborting the poll in flight), `health()` merges it. */
  http: PollerHttp;
  logger?: Logger | undefined;
  /** Clock for back-off deadlines and health times. Default `Date.now`. */
  now?: (() => number) | undefined;
  /**
   * One poll. Rejecting is a failed poll (with that error); resolving with a non-empty list is a failed
   * poll with those problems (e.g. some currencies failed while others were delivered); resolving with
   * nothing or `[]` is a success. `RateLimitError`/`BannedError` among the problems pause every poll for
   * the wait they carry, beyond the client's own gate (for rate limits only the source can see, such as
   * an RPC error inside a 2xx answer).
   */
  poll(run: PollRun<E>): Promise<readonly Error[] | void>;
}

/** A market-wide source without its on-demand calls: a source returns `{ ...poller, fetchX }`. */
export interface Poller<E> {
  readonly venue: string;
  /** Polls once (awaited), then keeps polling. Never rejects for upstream failures; rejects when already running. */
  start(sink: (event: E) => void): Promise<void>;
  /** Stops polling and aborts a poll in flight; no event is pushed after this resolves. */
  stop(): Promise<void>;
  health(): VenueHealth;
}

interface Run<E> {
  sink: (event: E) => void;
  timer: NodeJS.Timeout | null;
  current: Promise<void> | null;
  stopped: boolean;
  context: PollRun<E>;
}

/** The poll loop of a market-wide source; see the module comment. Throws RangeError for a `pollMs` or `retryMs` not > 0. */
export function createPoller<E extends { readonly type: string }>(options: PollerOptions<E>): Poller<E> {
  const { name, venue, pollMs, retryMs, maxRetryMs, http, logger } = options;
  const downAfterFailures = options.downAfterFailures ?? 5;
  const now = options.now ?? Date.now;
  if (!(pollMs > 0)) throw new RangeError(`pollMs must be > 0, got ${pollMs}`);
  if (!(retryMs > 0)) throw new RangeError(`retryMs must be > 0, got ${retryMs}`);

  let state: VenueState = 'DOWN';
  let lastError: string | null = null;
  let lastSuccessAt: number | null = null;
  let failures = 0;
  /** Pause after a rate-limit error the client did not gate itself (HTTP 429/418 pauses live in the client). */
  let pausedUntil = 0;
  let run: Run<E> | null = null;

  function newRun(sink: (event: E) => void): Run<E> {
    const r: Run<E> = {
      sink,
      timer: null,
      current: null,
      stopped: false,
      context: {
        get stopped() {
          return r.stopped;
        },
        emit(event) {
          if (r.stopped) return;
          try {
            r.sink(event);
          } catch (error) {
            logger?.error({ err: error, type: event.type }, 'global event sink threw');
          }
        },
        recordSuccess() {
          lastSuccessAt = now();
        },
      },
    };
    return r;
  }

  function blockedUntil(): number | null {
    const until = Math.max(http.blockedUntil() ?? 0, pausedUntil);
    return until > now() ? until : null;
  }

  function schedule(r: Run<E>, delayMs: number): void {
    if (r.stopped) return;
    r.timer = setTimeout(() => {
      r.timer = null;
      r.current = tick(r).finally(() => {
        r.current = null;
      });
    }, Math.max(0, delayMs));
  }

  /** One poll and the decision of when to poll next. Never rejects. */
  async function tick(r: Run<E>): Promise<void> {
    const blocked = blockedUntil();
    if (blocked !== null) return schedule(r, blocked - now());
    let problems: readonly Error[];
    try {
      problems = (await options.poll(r.context)) ?? [];
    } catch (error) {
      problems = [asError(error)];
    }
    if (r.stopped) return;
    if (problems.length === 0) {
      if (failures > 0) logger?.info({ after: failures }, `${name} polling recovered`);
      failures = 0;
      state = 'OK';
      lastSuccessAt = now();
      return schedule(r, pollMs);
    }
    failures += 1;
    const first = problems[0]!;
    lastError = problems.length > 1 ? `${first.message} (+${problems.length - 1} more)` : first.message;
    for (const error of problems) {
      if (error instanceof RateLimitError) pausedUntil = Math.max(pausedUntil, now() + error.retryAfterMs);
      if (error instanceof BannedError) pausedUntil = Math.max(pausedUntil, error.bannedUntil);
    }
    state = failures >= downAfterFailures ? 'DOWN' : 'DEGRADED';
    const delay = Math.max(Math.min(maxRetryMs, retryMs * 2 ** (failures - 1)), (blockedUntil() ?? 0) - now());
    if (failures === 1 || failures % 10 === 0) logger?.warn({ err: first, failures, nextPollInMs: delay }, `${name} poll failed; backing off`);
    schedule(r, delay);
  }

  return {
    venue,

    async start(sink) {
      if (run && !run.stopped) throw new Error(`${name} source already started`);
      const r = newRun(sink);
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
      await http.close(); // aborts a poll in flight
      await r.current?.catch(() => undefined);
    },

    health() {
      // The client knows about open circuits and bans; the poll loop knows about everything else
      // (RPC errors inside 2xx answers, stale instruments, consecutive failed polls).
      const client = http.health();
      const running = run !== null && !run.stopped;
      return {
        ...client,
        venue,
        state: !running ? 'DOWN' : client.state === 'CIRCUIT_OPEN' || client.state === 'BANNED' ? client.state : state,
        blockedUntil: blockedUntil(),
        lastError: lastError ?? client.lastError,
        lastSuccessAt: lastSuccessAt ?? client.lastSuccessAt,
      };
    },
  };
}

export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
