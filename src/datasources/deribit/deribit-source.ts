import type { Logger } from 'pino';
import type { GlobalEvent, OptionsChain } from '../../domain/market.js';
import { BannedError, RateLimitError } from '../errors.js';
import type { HttpClientOptions } from '../http.js';
import type { VenueHealth, VenueState } from '../market-data-source.js';
import { createDeribitApi, createDeribitHttpClient, DERIBIT_VENUE } from './deribit-api.js';
import { buildOptionsChain, indexNameFor, optionInstruments } from './deribit-mapper.js';
import type { DeribitInstrument } from './schemas.js';

export { DERIBIT_VENUE } from './deribit-api.js';

export type GlobalEventSink = (event: GlobalEvent) => void;

export interface DeribitSourceOptions {
  /** Origin of the API, e.g. `https://www.deribit.com` (paths `/api/v2/public/...` are appended). */
  baseUrl: string;
  /** Option currencies with a `<currency>_usd` index (inverse options). Default `['BTC', 'ETH']`. */
  currencies?: readonly string[];
  /** Milliseconds between two polls while healthy. Default 30000. */
  pollMs?: number;
  /**
   * How long `get_instruments` answers are reused. Deribit limits that method to 1 request/s sustained
   * and lists new expiries a few times a day. Default 600000 (10 min).
   */
  instrumentsTtlMs?: number;
  /** Deadline for one request. Default 10000 (a BTC book summary is several hundred KB). */
  timeoutMs?: number;
  /** Wait before the first retry after a failed poll; doubles per consecutive failure. Default `pollMs`. */
  retryMs?: number;
  /** Ceiling of that back-off (a longer rate-limit pause is still honoured). Default 300000. */
  maxRetryMs?: number;
  /** Consecutive failed polls after which the venue reports DOWN rather than DEGRADED. Default 5. */
  downAfterFailures?: number;
  /** Retries of one request on 5xx/timeouts/network errors (shared HTTP client). Default 2, from 200 ms doubling. */
  retry?: HttpClientOptions['retry'];
  /** Circuit breaker of the shared HTTP client. Default: opens after 5 consecutive failures, probes after 30 s. */
  breaker?: HttpClientOptions['breaker'];
  logger?: Logger;
  /** Clock for cache ages, back-off deadlines and health times. Default `Date.now`. */
  now?: () => number;
}

export interface DeribitSource {
  readonly venue: string;
  /**
   * Polls once (awaited: the first chains are in the sink when this resolves), then every `pollMs`.
   * Never rejects for upstream failures: those show in `health()` and are retried with back-off.
   */
  start(sink: GlobalEventSink): Promise<void>;
  /** Stops polling and aborts a poll in flight; no event is pushed after this resolves. */
  stop(): Promise<void>;
  health(): VenueHealth;
  /** One chain on demand (shares the instruments cache). Rejects with the datasource error. */
  fetchChain(currency: string): Promise<OptionsChain>;
}

interface Run {
  sink: GlobalEventSink;
  timer: NodeJS.Timeout | null;
  current: Promise<void> | null;
  stopped: boolean;
}

/**
 * Deribit options chains over REST. Each poll fetches, per currency and in parallel, the option book
 * summary and the USD index, joins the summary with the (cached) instruments and pushes one
 * `optionsChain` event per currency. A currency that fails does not hold back the others; the venue
 * turns DEGRADED with the error and the poll is retried with back-off, while consumers keep the last
 * good chain. JSON-RPC 10028 (and HTTP 429) pause all requests for the wait the error carries.
 *
 * The chain has no greeks: `get_book_summary_by_currency` does not publish them, and fetching a ticker
 * per option would cost hundreds of requests per poll.
 */
export function createDeribitSource(options: DeribitSourceOptions): DeribitSource {
  const currencies = [...new Set((options.currencies ?? ['BTC', 'ETH']).map((c) => c.toUpperCase()))];
  const pollMs = options.pollMs ?? 30_000;
  const instrumentsTtlMs = options.instrumentsTtlMs ?? 600_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const retryMs = options.retryMs ?? pollMs;
  const maxRetryMs = options.maxRetryMs ?? 300_000;
  const downAfterFailures = options.downAfterFailures ?? 5;
  const now = options.now ?? Date.now;
  const { logger } = options;
  if (currencies.length === 0) throw new RangeError('currencies must not be empty');
  if (!(pollMs > 0)) throw new RangeError(`pollMs must be > 0, got ${pollMs}`);
  if (!(retryMs > 0)) throw new RangeError(`retryMs must be > 0, got ${retryMs}`);
  if (!(instrumentsTtlMs >= 0)) throw new RangeError(`instrumentsTtlMs must be >= 0, got ${instrumentsTtlMs}`);

  const http = createDeribitHttpClient({ baseUrl: options.baseUrl, timeoutMs, logger, now, retry: options.retry, breaker: options.breaker });
  const api = createDeribitApi(http);

  const instruments = new Map<string, { at: number; value: Map<string, DeribitInstrument> }>();
  const instrumentsInFlight = new Map<string, Promise<Map<string, DeribitInstrument>>>();
  let state: VenueState = 'DOWN';
  let lastError: string | null = null;
  let lastSuccessAt: number | null = null;
  let failures = 0;
  /** Pause after a JSON-RPC rate-limit error (HTTP 429/418 pauses live in the HTTP client). */
  let pausedUntil = 0;
  let run: Run | null = null;

  /**
   * Cached options of a currency. A failed refresh falls back to the stale list (recording the error
   * in `problems`): instruments change rarely, and a chain with yesterday's listings beats none.
   */
  async function instrumentsOf(currency: string, problems: Error[]): Promise<Map<string, DeribitInstrument>> {
    const cached = instruments.get(currency);
    if (cached && now() - cached.at < instrumentsTtlMs) return cached.value;
    let pending = instrumentsInFlight.get(currency);
    if (!pending) {
      pending = api
        .getInstruments(currency, { kind: 'option', expired: false })
        .then((list) => {
          const value = optionInstruments(list);
          instruments.set(currency, { at: now(), value });
          return value;
        })
        .finally(() => instrumentsInFlight.delete(currency));
      instrumentsInFlight.set(currency, pending);
    }
    try {
      return await pending;
    } catch (error) {
      if (!cached) throw error;
      problems.push(asError(error));
      logger?.warn({ err: error, currency, ageMs: now() - cached.at }, 'deribit instruments refresh failed; using the cached list');
      return cached.value;
    }
  }

  async function buildChain(currency: string, problems: Error[]): Promise<OptionsChain> {
    const [byName, summaries, index] = await Promise.all([
      instrumentsOf(currency, problems),
      api.getBookSummaryByCurrency(currency, 'option'),
      api.getIndexPrice(indexNameFor(currency)),
    ]);
    const { chain, unmatched } = buildOptionsChain({
      venue: DERIBIT_VENUE,
      currency,
      indexPrice: index.index_price,
      summaries,
      instruments: byName,
      fallbackTime: now(),
    });
    if (unmatched.length > 0) {
      // Listed since the cache was filled: refresh on the next poll, at most once a minute.
      const entry = instruments.get(currency);
      if (entry && now() - entry.at >= Math.min(60_000, instrumentsTtlMs)) entry.at = Number.NEGATIVE_INFINITY;
      logger?.debug({ currency, unmatched: unmatched.length, example: unmatched[0] }, 'book summary lists options missing from the instruments cache');
    }
    return chain;
  }

  function emit(r: Run, event: GlobalEvent): void {
    if (r.stopped) return;
    try {
      r.sink(event);
    } catch (error) {
      // A consumer bug is not an upstream failure: log it and keep the feed going.
      logger?.error({ err: error, type: event.type }, 'global event sink threw');
    }
  }

  function blockedUntil(): number | null {
    const until = Math.max(http.blockedUntil() ?? 0, pausedUntil);
    return until > now() ? until : null;
  }

  /** Every currency's chain; the errors of those that failed (and of stale-cache fallbacks). */
  async function poll(r: Run): Promise<Error[]> {
    const problems: Error[] = [];
    await Promise.all(
      currencies.map(async (currency) => {
        try {
          const chain = await buildChain(currency, problems);
          emit(r, { type: 'optionsChain', chain });
          lastSuccessAt = now();
        } catch (error) {
          problems.push(asError(error));
        }
      }),
    );
    return problems;
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
    const problems = await poll(r);
    if (r.stopped) return;
    if (problems.length === 0) {
      if (failures > 0) logger?.info({ after: failures }, 'deribit polling recovered');
      failures = 0;
      state = 'OK';
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
    if (failures === 1 || failures % 10 === 0) logger?.warn({ err: first, failures, nextPollInMs: delay }, 'deribit poll failed; backing off');
    schedule(r, delay);
  }

  return {
    venue: DERIBIT_VENUE,

    async start(sink) {
      if (run && !run.stopped) throw new Error('deribit source already started');
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
        venue: DERIBIT_VENUE,
        state: !running ? 'DOWN' : client.state === 'CIRCUIT_OPEN' || client.state === 'BANNED' ? client.state : state,
        blockedUntil: blockedUntil(),
        lastError: lastError ?? client.lastError,
        lastSuccessAt: lastSuccessAt ?? client.lastSuccessAt,
      };
    },

    fetchChain: (currency) => buildChain(currency.toUpperCase(), []),
  };
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
