import {
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  circuitBreaker,
  halfJitterGenerator,
  handleWhen,
  isBrokenCircuitError,
  retry,
  wrap,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import type { Logger } from 'pino';
import { Pool } from 'undici';
import type { z } from 'zod';
import {
  BadResponseError,
  BadSymbolError,
  BannedError,
  RateLimitError,
  TimeoutError,
  UpstreamUnavailableError,
} from './errors.js';
import { VenueStates, type UpstreamCounters, type VenueHealth, type VenueState } from './market-data-source.js';

/**
 * A JSON-over-HTTP client per venue that owns the venue's upstream discipline (ARCHITECTURE §4):
 *
 * - one keep-alive pool and a per-request deadline; venue answers mapped onto the datasource errors;
 *   zod validation of every body (per caller, so a caller never gets another caller's objects);
 * - identical in-flight GETs coalesced, and answered from a per-endpoint TTL cache (`ttlMs`);
 * - transient failures (5xx, timeouts, network errors) retried a few times with jittered exponential
 *   back-off, behind a consecutive-failure circuit breaker that half-opens after a cool-down (cockatiel);
 * - 429: the whole venue pauses until Retry-After: no request of any endpoint goes out before it, callers
 *   get RateLimitError at once (answers still fresh in the TTL cache are served: they cost nothing).
 *   418 (ban): the circuit is held open until the ban ends, and calls fail with BannedError without a
 *   request; neither is ever retried. Requests wait for a connection slot in this client, not in
 *   undici's queue, so the gate is checked right before each one is written;
 * - request-weight budgets per limit group (sliding window; `weight`/`group` per call), fed as well by
 *   the venue's own count (`X-MBX-USED-WEIGHT-1M`). A call that would exceed a budget WAITS when the
 *   budget frees up within `maxBudgetWaitMs` (default 2 s: polls absorb that) and otherwise FAILS FAST
 *   with RateLimitError without sending (a GraphQL caller would rather get UPSTREAM_RATE_LIMITED now
 *   than a queue that hides the overload).
 *
 * Status mapping follows Binance conventions (`{code,msg}` bodies, -1121 invalid symbol) by default; a
 * venue that bans with another status (Bybit: 403) sets `banStatus`, and a venue that reports errors
 * inside a 200 envelope (Bybit `retCode`, OKX `code` 50011 with HTTP 200) supplies `envelope`, whose
 * verdict is mapped like a status: `rateLimited` pauses the venue as a 429 does, `banned` bans it.
 */

/** What a venue's envelope check says about a parsed body (HTTP 2xx or not). */
export interface EnvelopeVerdict {
  kind: 'rateLimited' | 'banned' | 'badSymbol' | 'transient' | 'error';
  /** The venue's own code, e.g. Bybit retCode 10006 or OKX 50011. */
  code: string;
  msg: string;
  /** Pause/ban length the venue said (e.g. from X-Bapi-Limit-Reset-Timestamp); else the defaults. */
  waitMs?: number;
}

export type EnvelopeCheck = (json: unknown, response: { status: number; headers: Record<string, string | string[] | undefined>; now: number }) => EnvelopeVerdict | null;

export type QueryValue = string | number | boolean | undefined;
export type Query = Readonly<Record<string, QueryValue>>;

/** One published rate limit of a venue, e.g. Binance REQUEST_WEIGHT 2400 per minute. */
export interface RateLimitGroup {
  /** The venue's published limit per window (weight units or requests). */
  limit: number;
  windowMs: number;
  /** Share of `limit` perpgraph allows itself, in (0, 1]. Default 0.25. */
  share?: number;
}

export interface RetryOptions {
  /** Retries after the first attempt (so `maxRetries + 1` attempts). Default 2. */
  maxRetries: number;
  /** First back-off; each next one doubles, jittered to [d/2, d). Default 200 ms. */
  initialDelayMs: number;
  /** Ceiling of one back-off. Default 2000 ms. */
  maxDelayMs: number;
}

export interface BreakerOptions {
  /** Consecutive transient failures (attempts, retries included) that open the circuit. Default 5. */
  threshold: number;
  /** Cool-down before one probe request is let through (half-open). Default 30 s. */
  halfOpenAfterMs: number;
}

export interface HttpClientOptions {
  /** Venue name carried by every error (e.g. `binance-usdm`). */
  venue: string;
  /** Origin plus optional path prefix, e.g. `https://fapi.binance.com`. */
  baseUrl: string;
  /** Deadline for one request, connect to last body byte. */
  timeoutMs: number;
  logger?: Logger;
  /** Max sockets kept to the venue. Default 8. */
  connections?: number;
  /** Clock for ban/rate-limit deadlines, budgets and the cache. Default `Date.now`. */
  now?: () => number;
  /** Transient-failure retries. `{ maxRetries: 0 }` disables them. */
  retry?: Partial<RetryOptions>;
  breaker?: Partial<BreakerOptions>;
  /**
   * Rate-limit groups by name. The group named `weightGroup` is charged every call's `weight`; other
   * groups are charged one request by the calls that name them in `group`. Default: none (no budgeting).
   */
  rateLimits?: Readonly<Record<string, RateLimitGroup>>;
  /** The general group every call is charged against. Default `weight`. */
  weightGroup?: string;
  /** Response header with the venue's count for `weightGroup`'s window. Default `x-mbx-used-weight-1m`. */
  usedWeightHeader?: string;
  /** Longest wait for budget before failing fast with RateLimitError. Default 2000 ms. */
  maxBudgetWaitMs?: number;
  /** 429 without Retry-After: pause this long. Default 60 s (a full weight window). */
  defaultRateLimitMs?: number;
  /** 418 without Retry-After (or a ban end in the body): ban this long. Default 120 s (Binance's shortest). */
  defaultBanMs?: number;
  /** Bound on cached bodies (oldest evicted first). Default 500. */
  cacheMaxEntries?: number;
  /** HTTP status meaning "IP banned" (Binance 418, Bybit 403). Default 418. */
  banStatus?: number;
  /** Venue errors inside the body (see EnvelopeVerdict); null when the body is a success. */
  envelope?: EnvelopeCheck;
}

export interface GetJsonOptions {
  /** Short endpoint name for errors and logs; defaults to the path. */
  endpoint?: string;
  /** Serve identical calls (same path and query) from cache for this long after a success. Default 0. */
  ttlMs?: number;
  /** Units charged to the weight group per attempt. Default 1 (0 for endpoints that cost nothing). */
  weight?: number;
  /** An extra rate-limit group charged one request per attempt (e.g. Binance `futuresData`); not budgeted when the client has no limit of that name. */
  group?: string;
}

/** Counters for benches and health pages; monotonic since the client was created. */
export interface HttpClientStats {
  /** Requests that reached the network (attempts, retries included). */
  requests: number;
  /** Calls answered from the TTL cache. */
  cacheHits: number;
  /** Calls that joined an identical request already in flight. */
  coalesced: number;
  retries: number;
  /** Answers with HTTP 429. */
  rateLimited: number;
  /** Answers with HTTP 418. */
  banned: number;
  /** Attempts that waited for budget before going out. */
  budgetWaits: number;
  /** Calls refused because the budget would not free up within `maxBudgetWaitMs`. */
  budgetRejections: number;
  /** Calls refused without a request while paused (429) or banned (418). */
  gateRejections: number;
  /** Calls refused without a request because the circuit was open. */
  circuitRejections: number;
}

export interface BudgetUsage {
  group: string;
  limit: number;
  windowMs: number;
  budget: number;
  /** Charged within the trailing window (our own accounting). */
  used: number;
  /** The venue's own count for the current window, when it reports one. */
  reported: number | null;
}

export interface HttpClient {
  readonly venue: string;
  /**
   * GET `path?query`, parse JSON, validate with `schema`. Identical concurrent calls (same path and
   * query) share one upstream request; each caller still gets its own validated copy.
   */
  getJson<T>(path: string, query: Query | undefined, schema: z.ZodType<T>, opts?: GetJsonOptions): Promise<T>;
  /** Last `X-MBX-USED-WEIGHT-1M` seen, or null before the first response carrying it. */
  usedWeight(): number | null;
  /** Epoch ms before which every call fails fast without a request (after a 429/418), or null. */
  blockedUntil(): number | null;
  /** The venue as `Query.health.venues` shows it (reconnects: 0, REST has none). */
  health(): VenueHealth;
  stats(): HttpClientStats;
  budgets(): BudgetUsage[];
  /** Aborts in-flight requests and closes the pool (a later call opens a new one). Keeps gates and cache. */
  close(): Promise<void>;
}

const BREAKER_STATES: Readonly<Record<CircuitState, UpstreamCounters['breaker']>> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

const DEFAULT_RATE_LIMIT_MS = 60_000;
const DEFAULT_BAN_MS = 120_000;
const DEFAULT_SHARE = 0.25;
/** Binance "Invalid symbol." */
const BINANCE_INVALID_SYMBOL = -1121;
const MAX_ISSUES = 5;
/** Longest error text kept for health and logs (a venue's HTML error page must not become a 29 KB /ready). */
export const MAX_ERROR_CHARS = 500;

/** `message` cut to MAX_ERROR_CHARS, marked with an ellipsis when cut. */
export function boundedMessage(message: string): string {
  return message.length <= MAX_ERROR_CHARS ? message : `${message.slice(0, MAX_ERROR_CHARS - 1)}…`;
}

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** `[0].markPrice: expected ...`: the path and message of the first few zod issues, never the body. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], max = MAX_ISSUES): string[] {
  const out = issues.slice(0, max).map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
  if (issues.length > max) out.push(`... and ${issues.length - max} more`);
  return out;
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out === '' ? String(key) : `.${String(key)}`;
  return out;
}

function header(headers: RawResponse['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Retry-After is delta-seconds or an HTTP date. */
function retryAfterMs(headers: RawResponse['headers'], now: number): number | null {
  const raw = header(headers, 'retry-after')?.trim();
  if (!raw) return null;
  if (/^\d+(\.\d+)?$/.test(raw)) return Math.round(Number(raw) * 1000);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

function venueErrorBody(text: string): { code: number; msg: string } | null {
  try {
    const body: unknown = JSON.parse(text);
    if (body && typeof body === 'object' && 'code' in body && typeof body.code === 'number') {
      const msg = 'msg' in body && typeof body.msg === 'string' ? body.msg : '';
      return { code: body.code, msg };
    }
  } catch {
    // not JSON: fall through
  }
  return null;
}

function canonicalQuery(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const key of Object.keys(query).sort()) {
    const value = query[key];
    if (value !== undefined) params.append(key, String(value));
  }
  return params.toString();
}

/** Binance 418 bodies say `IP banned until 1700000000000.`; used only when Retry-After is missing. */
function bannedUntilFromMsg(msg: string | undefined, now: number): number | null {
  const match = msg?.match(/banned until (\d{13})/);
  return match?.[1] ? Math.max(0, Number(match[1]) - now) : null;
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

// --- Budgets ---

export interface RateBudget {
  /** 0 when `costs` fit every group now; otherwise ms until they may (Infinity: never, cost > budget). */
  delayFor(costs: ReadonlyArray<readonly [group: string, cost: number]>): number;
  charge(costs: ReadonlyArray<readonly [group: string, cost: number]>): void;
  /** The venue's own count for `group`'s current fixed window (e.g. `X-MBX-USED-WEIGHT-1M`). */
  report(group: string, used: number): void;
  has(group: string): boolean;
  budgetOf(group: string): number | null;
  usage(): BudgetUsage[];
}

/**
 * Sliding-window accounting per group: in ANY window of `windowMs`, the charged total stays within
 * `floor(limit × share)`, so it also holds for the venue's fixed windows. A reported count (the venue's
 * fixed window, which includes other processes on the same IP) is honoured too: when it says the window
 * is spent, calls wait for the next window.
 */
export function createRateBudget(groups: Readonly<Record<string, RateLimitGroup>>, now: () => number = Date.now): RateBudget {
  interface State {
    name: string;
    limit: number;
    windowMs: number;
    budget: number;
    log: Array<{ at: number; cost: number }>;
    reported: { value: number; window: number } | null;
  }
  const states = new Map<string, State>();
  for (const [name, g] of Object.entries(groups)) {
    const share = g.share ?? DEFAULT_SHARE;
    if (!(g.limit > 0) || !(g.windowMs > 0)) throw new RangeError(`rate limit ${name}: limit and windowMs must be > 0`);
    if (!(share > 0 && share <= 1)) throw new RangeError(`rate limit ${name}: share must be in (0, 1], got ${share}`);
    states.set(name, { name, limit: g.limit, windowMs: g.windowMs, budget: Math.floor(g.limit * share), log: [], reported: null });
  }

  const prune = (s: State, t: number) => {
    let drop = 0;
    while (drop < s.log.length && s.log[drop]!.at <= t - s.windowMs) drop++;
    if (drop > 0) s.log.splice(0, drop);
  };
  const sum = (s: State) => s.log.reduce((acc, e) => acc + e.cost, 0);
  const reportedNow = (s: State, t: number) => (s.reported && s.reported.window === Math.floor(t / s.windowMs) ? s.reported.value : null);

  function delayOne(s: State, cost: number, t: number): number {
    if (cost <= 0) return 0;
    if (cost > s.budget) return Number.POSITIVE_INFINITY;
    prune(s, t);
    let delay = 0;
    let used = sum(s);
    if (used + cost > s.budget) {
      // Wait until enough of the oldest charges leave the window.
      for (const e of s.log) {
        used -= e.cost;
        if (used + cost <= s.budget) {
          delay = e.at + s.windowMs - t + 1;
          break;
        }
      }
    }
    const reported = reportedNow(s, t);
    if (reported !== null && reported + cost > s.budget) delay = Math.max(delay, (Math.floor(t / s.windowMs) + 1) * s.windowMs - t);
    return delay;
  }

  return {
    delayFor(costs) {
      const t = now();
      let delay = 0;
      for (const [group, cost] of costs) {
        const s = states.get(group);
        if (s) delay = Math.max(delay, delayOne(s, cost, t));
      }
      return delay;
    },
    charge(costs) {
      const t = now();
      for (const [group, cost] of costs) {
        const s = states.get(group);
        if (s && cost > 0) s.log.push({ at: t, cost });
      }
    },
    report(group, used) {
      const s = states.get(group);
      if (s) s.reported = { value: used, window: Math.floor(now() / s.windowMs) };
    },
    has: (group) => states.has(group),
    budgetOf: (group) => states.get(group)?.budget ?? null,
    usage() {
      const t = now();
      return [...states.values()].map((s) => {
        prune(s, t);
        return { group: s.name, limit: s.limit, windowMs: s.windowMs, budget: s.budget, used: sum(s), reported: reportedNow(s, t) };
      });
    },
  };
}

// --- Client ---

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const { venue, timeoutMs, logger } = options;
  const now = options.now ?? Date.now;
  const base = new URL(options.baseUrl);
  const prefix = base.pathname.replace(/\/+$/, '');
  const retryOptions: RetryOptions = { maxRetries: 2, initialDelayMs: 200, maxDelayMs: 2_000, ...options.retry };
  const breakerOptions: BreakerOptions = { threshold: 5, halfOpenAfterMs: 30_000, ...options.breaker };
  const weightGroup = options.weightGroup ?? 'weight';
  const usedWeightHeader = (options.usedWeightHeader ?? 'x-mbx-used-weight-1m').toLowerCase();
  const maxBudgetWaitMs = options.maxBudgetWaitMs ?? 2_000;
  const defaultRateLimitMs = options.defaultRateLimitMs ?? DEFAULT_RATE_LIMIT_MS;
  const defaultBanMs = options.defaultBanMs ?? DEFAULT_BAN_MS;
  const cacheMaxEntries = options.cacheMaxEntries ?? 500;
  const banStatus = options.banStatus ?? 418;
  const envelope = options.envelope;
  const budget = createRateBudget(options.rateLimits ?? {}, now);

  // Created on first use and again after close(), so a stopped source can still answer one-off calls.
  let pool: Pool | null = null;
  let closing = new AbortController();
  const getPool = (): Pool =>
    (pool ??= new Pool(base.origin, {
      connections: options.connections ?? 8,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 120_000,
      // Backstops; the per-request AbortController below is the real deadline.
      connectTimeout: timeoutMs,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    }));
  const inFlight = new Map<string, Promise<unknown>>();
  const cache = new Map<string, { at: number; json: unknown }>();
  // Our own connection slots (as many as the pool has sockets): a request waits HERE rather than in
  // undici's queue, so the gate is checked right before it is written and nothing queued goes out after
  // a 429/418 has closed it.
  const maxConcurrent = options.connections ?? 8;
  let active = 0;
  const slotWaiters: Array<() => void> = [];
  const takeSlot = async (closed: AbortSignal): Promise<void> => {
    while (active >= maxConcurrent) {
      if (closed.aborted) throw closed.reason as Error;
      await new Promise<void>((resolve) => slotWaiters.push(resolve));
    }
    active += 1;
  };
  const releaseSlot = () => {
    active -= 1;
    slotWaiters.shift()?.();
  };
  const counters: HttpClientStats = {
    requests: 0,
    cacheHits: 0,
    coalesced: 0,
    retries: 0,
    rateLimited: 0,
    banned: 0,
    budgetWaits: 0,
    budgetRejections: 0,
    gateRejections: 0,
    circuitRejections: 0,
  };
  let weight: number | null = null;
  let gate: { until: number; kind: 'paused' | 'banned'; error: () => Error } | null = null;
  let lastError: string | null = null;
  /** The last failure that was not a circuit rejection: what the circuit-open message quotes. */
  let lastCause: string | null = null;
  let lastErrorAt: number | null = null;
  let lastSuccessAt: number | null = null;
  let circuitOpenedAt: number | null = null;
  let banHold: { dispose(): void } | null = null;
  let banTimer: NodeJS.Timeout | null = null;

  /** Errors worth another attempt and counted by the breaker: 5xx, timeouts, network failures. */
  const transient = new WeakSet<Error>();
  const markTransient = <E extends Error>(error: E): E => {
    transient.add(error);
    return error;
  };

  const breaker: CircuitBreakerPolicy = circuitBreaker(
    handleWhen((e) => transient.has(e)),
    { halfOpenAfter: breakerOptions.halfOpenAfterMs, breaker: new ConsecutiveBreaker(breakerOptions.threshold) },
  );
  breaker.onBreak((reason) => {
    if ('isolated' in reason) return; // a ban: logged where it is set
    circuitOpenedAt = Date.now(); // cockatiel times the cool-down with Date.now
    const cause = 'error' in reason ? reason.error.message : 'failure';
    logger?.warn({ venue, halfOpenAfterMs: breakerOptions.halfOpenAfterMs, cause }, 'circuit opened after repeated failures');
  });
  breaker.onReset(() => {
    if (circuitOpenedAt !== null) logger?.info({ venue }, 'circuit closed: venue answers again');
    circuitOpenedAt = null;
  });
  const retryPolicy = retry(
    handleWhen((e) => transient.has(e)),
    {
      maxAttempts: retryOptions.maxRetries,
      backoff: new ExponentialBackoff({
        generator: halfJitterGenerator,
        initialDelay: retryOptions.initialDelayMs,
        maxDelay: retryOptions.maxDelayMs,
      }),
    },
  );
  retryPolicy.onRetry((event) => {
    counters.retries += 1;
    const cause = 'error' in event ? event.error.message : 'failure';
    logger?.debug({ venue, attempt: event.attempt, delayMs: event.delay, cause }, 'retrying');
  });
  const policy = wrap(retryPolicy, breaker);

  function noteFailure(error: Error, circuitRejection = false): void {
    // A circuit rejection quotes the failure that opened the circuit, never an earlier rejection (which
    // nested every previous message into the next: 13 KB after five minutes down).
    if (!circuitRejection) lastCause = boundedMessage(error.message);
    lastError = boundedMessage(error.message);
    lastErrorAt = now();
  }

  function checkGate(): void {
    if (gate && now() < gate.until) {
      counters.gateRejections += 1;
      throw gate.error();
    }
    gate = null;
  }

  function holdBan(untilMs: number): void {
    // The breaker's circuit is held open (isolated) until the ban ends; the gate turns calls away first.
    if (banTimer) clearTimeout(banTimer);
    banHold?.dispose();
    banHold = breaker.isolate();
    banTimer = setTimeout(() => {
      banHold?.dispose();
      banHold = null;
      banTimer = null;
    }, Math.max(0, untilMs - now()));
    banTimer.unref();
  }

  async function send(pathAndQuery: string, endpoint: string, closed: AbortSignal): Promise<RawResponse> {
    const timer = new AbortController();
    const timeout = setTimeout(() => timer.abort(), timeoutMs);
    const signal = AbortSignal.any([timer.signal, closed]);
    try {
      const res = await getPool().request({
        path: pathAndQuery,
        method: 'GET',
        headers: { accept: 'application/json' },
        signal,
      });
      const text = await res.body.text();
      return { status: res.statusCode, headers: res.headers, text };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (closed.aborted) throw new UpstreamUnavailableError(`${venue} ${endpoint}: client closed`, venue, { cause: error });
      if (timer.signal.aborted || (typeof code === 'string' && TIMEOUT_CODES.has(code)))
        throw markTransient(new TimeoutError(`${venue} ${endpoint}: no answer within ${timeoutMs} ms`, venue, { cause: error }));
      const reason = error instanceof Error ? error.message : String(error);
      throw markTransient(new UpstreamUnavailableError(`${venue} ${endpoint}: network failure (${reason})`, venue, { cause: error }));
    } finally {
      clearTimeout(timeout);
    }
  }

  function pause(waitMs: number, endpoint: string, msg: string | undefined, cause = '429'): Error {
    counters.rateLimited += 1;
    const at = now();
    const until = Math.max(at + waitMs, gate?.until ?? 0);
    if (gate?.kind !== 'banned') gate = { until, kind: 'paused', error: () => new RateLimitError(venue, Math.max(0, until - now())) };
    logger?.warn({ endpoint, retryAfterMs: waitMs, usedWeight: weight, msg }, `rate limited (${cause}): pausing all requests to the venue`);
    return new RateLimitError(venue, waitMs);
  }

  function ban(waitMs: number, endpoint: string, msg: string | undefined, cause = String(banStatus)): Error {
    counters.banned += 1;
    const until = now() + waitMs;
    gate = { until, kind: 'banned', error: () => new BannedError(venue, until) };
    holdBan(until);
    logger?.error({ endpoint, bannedUntil: until, msg }, `IP banned (${cause}): circuit open, no requests until the ban ends`);
    return new BannedError(venue, until);
  }

  /** Maps a venue's envelope verdict to an error (pausing or banning like a 429/ban status). */
  function verdictError(verdict: EnvelopeVerdict, endpoint: string, query: Query | undefined, headers: RawResponse['headers']): Error {
    const at = now();
    switch (verdict.kind) {
      case 'rateLimited':
        return pause(verdict.waitMs ?? retryAfterMs(headers, at) ?? defaultRateLimitMs, endpoint, verdict.msg, `code ${verdict.code}`);
      case 'banned':
        return ban(verdict.waitMs ?? retryAfterMs(headers, at) ?? defaultBanMs, endpoint, verdict.msg, `code ${verdict.code}`);
      case 'badSymbol':
        return new BadSymbolError(venue, String(query?.symbol ?? query?.instId ?? query?.pair ?? ''));
      case 'transient':
        return markTransient(new UpstreamUnavailableError(`${venue} ${endpoint}: code ${verdict.code} ${verdict.msg}`.trim(), venue));
      default:
        return new UpstreamUnavailableError(`${venue} ${endpoint}: code ${verdict.code} ${verdict.msg}`.trim(), venue);
    }
  }

  /** Maps a non-2xx answer to an error (and closes the gate on 429 / the ban status). */
  function failure(res: RawResponse, endpoint: string, query: Query | undefined): Error {
    const at = now();
    // 429 and the ban status decide by themselves; otherwise a venue envelope in the body (OKX 50011 with
    // HTTP 429 or 200, Bybit retCode) says what the answer means.
    if (envelope && res.status !== 429 && res.status !== banStatus) {
      let json: unknown = undefined;
      try {
        json = JSON.parse(res.text);
      } catch {
        // not JSON: the status decides
      }
      const verdict = json === undefined ? null : envelope(json, { status: res.status, headers: res.headers, now: at });
      if (verdict && (verdict.kind === 'rateLimited' || verdict.kind === 'banned' || res.status < 500)) return verdictError(verdict, endpoint, query, res.headers);
    }
    const body = venueErrorBody(res.text);
    if (res.status === 429) return pause(retryAfterMs(res.headers, at) ?? defaultRateLimitMs, endpoint, body?.msg);
    if (res.status === banStatus) {
      const text = body?.msg ?? res.text.slice(0, 200);
      return ban(retryAfterMs(res.headers, at) ?? bannedUntilFromMsg(body?.msg, at) ?? defaultBanMs, endpoint, text);
    }
    if (res.status >= 400 && res.status < 500 && body) {
      if (body.code === BINANCE_INVALID_SYMBOL) return new BadSymbolError(venue, String(query?.symbol ?? query?.pair ?? ''));
      return new UpstreamUnavailableError(`${venue} ${endpoint}: HTTP ${res.status} code ${body.code} ${body.msg}`.trim(), venue);
    }
    const detail = body ? ` code ${body.code} ${body.msg}` : '';
    const error = new UpstreamUnavailableError(`${venue} ${endpoint}: HTTP ${res.status}${detail}`, venue);
    return res.status >= 500 ? markTransient(error) : error;
  }

  function costsOf(opts: GetJsonOptions | undefined): Array<readonly [string, number]> {
    const costs: Array<readonly [string, number]> = [[weightGroup, opts?.weight ?? 1]];
    if (opts?.group !== undefined) costs.push([opts.group, 1]);
    return costs;
  }

  /** Waits for budget (bounded) and charges it, or throws RateLimitError without sending. */
  async function acquire(costs: ReadonlyArray<readonly [string, number]>, endpoint: string, closed: AbortSignal): Promise<void> {
    for (let waited = 0; ; ) {
      const delay = budget.delayFor(costs);
      if (delay === 0) {
        budget.charge(costs);
        return;
      }
      if (waited + delay > maxBudgetWaitMs) {
        counters.budgetRejections += 1;
        logger?.warn({ endpoint, waitMs: delay, budgets: budget.usage() }, 'request budget exhausted: refusing without a request');
        throw new RateLimitError(venue, Number.isFinite(delay) ? delay : defaultRateLimitMs);
      }
      counters.budgetWaits += 1;
      await sleep(delay, closed);
      waited += delay;
      checkGate();
    }
  }

  /** One attempt: gate, budget, send, read, map status to errors, parse JSON. */
  async function attempt(key: string, endpoint: string, query: Query | undefined, costs: ReadonlyArray<readonly [string, number]>, closed: AbortSignal): Promise<unknown> {
    if (closed.aborted) throw new UpstreamUnavailableError(`${venue} ${endpoint}: client closed`, venue);
    checkGate();
    await acquire(costs, endpoint, closed);
    await takeSlot(closed);
    let res: RawResponse;
    const started = performance.now();
    let sentAt: number;
    try {
      checkGate();
      counters.requests += 1;
      sentAt = now();
      res = await send(key, endpoint, closed);
    } finally {
      releaseSlot();
    }
    const usedHeader = header(res.headers, usedWeightHeader);
    if (usedHeader !== undefined && usedHeader.trim() !== '' && Number.isFinite(Number(usedHeader))) {
      weight = Number(usedHeader);
      budget.report(weightGroup, weight);
    }
    logger?.debug({ endpoint, path: key, status: res.status, sentAt, ms: Math.round(performance.now() - started), usedWeight: weight }, 'GET');
    if (res.status < 200 || res.status >= 300) throw failure(res, endpoint, query);
    let json: unknown;
    try {
      json = JSON.parse(res.text) as unknown;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new BadResponseError(venue, endpoint, [`invalid JSON (${res.text.length} bytes): ${reason}`]);
    }
    const verdict = envelope?.(json, { status: res.status, headers: res.headers, now: now() }) ?? null;
    if (verdict) throw verdictError(verdict, endpoint, query, res.headers);
    return json;
  }

  /** The upstream exchange shared by coalesced callers: retries and breaker around the attempts. */
  async function fetchJson(key: string, endpoint: string, query: Query | undefined, costs: ReadonlyArray<readonly [string, number]>): Promise<unknown> {
    const closed = closing.signal;
    try {
      const json = await policy.execute(() => attempt(key, endpoint, query, costs, closed), closed);
      lastSuccessAt = now();
      return json;
    } catch (error) {
      let err = error instanceof Error ? error : new Error(String(error));
      const rejected = isBrokenCircuitError(err);
      if (rejected) {
        counters.circuitRejections += 1;
        if (gate && now() < gate.until) err = gate.error();
        else {
          const probeIn = circuitOpenedAt === null ? breakerOptions.halfOpenAfterMs : Math.max(0, circuitOpenedAt + breakerOptions.halfOpenAfterMs - Date.now());
          err = new UpstreamUnavailableError(`${venue} ${endpoint}: circuit open after repeated failures (${lastCause ?? 'unknown'}); next probe in ${probeIn} ms`, venue, { cause: error });
        }
      }
      noteFailure(err, rejected);
      throw err;
    }
  }

  function cacheGet(key: string, ttlMs: number): { json: unknown } | null {
    const entry = cache.get(key);
    if (!entry) return null;
    if (now() - entry.at < ttlMs) return entry;
    return null;
  }

  function cachePut(key: string, json: unknown): void {
    cache.delete(key); // re-insert at the end (eviction is oldest-first)
    cache.set(key, { at: now(), json });
    if (cache.size > cacheMaxEntries) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) cache.delete(oldest);
    }
  }

  function validate<T>(json: unknown, schema: z.ZodType<T>, endpoint: string, key: string): T {
    // Validated per caller: each gets its own objects, and a caller with another schema is not misled.
    const parsed = schema.safeParse(json);
    if (parsed.success) return parsed.data;
    cache.delete(key); // never serve a body that failed validation again
    const error = new BadResponseError(venue, endpoint, formatIssues(parsed.error.issues));
    noteFailure(error);
    logger?.warn({ endpoint, issues: error.issues }, 'unexpected payload rejected');
    throw error;
  }

  function state(): VenueState {
    const t = now();
    if (gate && t < gate.until && gate.kind === 'banned') return VenueStates.BANNED;
    if (breaker.state === CircuitState.Open && circuitOpenedAt !== null && Date.now() - circuitOpenedAt < breakerOptions.halfOpenAfterMs)
      return VenueStates.CIRCUIT_OPEN;
    if (gate && t < gate.until) return VenueStates.DEGRADED;
    if (breaker.state !== CircuitState.Closed) return VenueStates.DEGRADED;
    if (lastErrorAt !== null && (lastSuccessAt === null || lastErrorAt > lastSuccessAt)) return VenueStates.DEGRADED;
    return VenueStates.OK;
  }

  return {
    venue,
    async getJson<T>(path: string, query: Query | undefined, schema: z.ZodType<T>, opts?: GetJsonOptions): Promise<T> {
      const endpoint = opts?.endpoint ?? path;
      const qs = canonicalQuery(query);
      const key = `${prefix}${path}${qs ? `?${qs}` : ''}`;
      const ttlMs = opts?.ttlMs ?? 0;
      if (ttlMs > 0) {
        const hit = cacheGet(key, ttlMs);
        if (hit) {
          counters.cacheHits += 1;
          return validate(hit.json, schema, endpoint, key);
        }
      }
      let pending = inFlight.get(key);
      if (pending) counters.coalesced += 1;
      else {
        try {
          checkGate();
        } catch (error) {
          noteFailure(error as Error);
          throw error;
        }
        pending = fetchJson(key, endpoint, query, costsOf(opts))
          .then((json) => {
            if (ttlMs > 0) cachePut(key, json);
            return json;
          })
          .finally(() => inFlight.delete(key));
        inFlight.set(key, pending);
      }
      const json = await pending;
      return validate(json, schema, endpoint, key);
    },
    usedWeight: () => weight,
    blockedUntil: () => (gate && now() < gate.until ? gate.until : null),
    health(): VenueHealth {
      const usage = budget.usage().find((u) => u.group === weightGroup);
      return {
        venue,
        state: state(),
        blockedUntil: gate && now() < gate.until ? gate.until : null,
        // The venue's count for this window when it sent one; else ours (a header from an earlier window is stale).
        usedWeight: usage ? (usage.reported ?? usage.used) : weight,
        weightBudget: usage?.budget ?? null,
        lastError,
        lastSuccessAt,
        reconnects: 0,
        upstream: { requests: counters.requests, rateLimited: counters.rateLimited, banned: counters.banned, retries: counters.retries, breaker: BREAKER_STATES[breaker.state] },
      };
    },
    stats: () => ({ ...counters }),
    budgets: () => budget.usage(),
    async close() {
      closing.abort(new UpstreamUnavailableError(`${venue}: client closed`, venue));
      closing = new AbortController();
      for (const wake of slotWaiters.splice(0)) wake(); // they see the abort and give up
      const current = pool;
      pool = null;
      await current?.close().catch(() => current.destroy());
    },
  };
}
