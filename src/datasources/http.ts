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

/**
 * A small JSON-over-HTTP client per venue: one keep-alive connection pool, a per-request deadline,
 * venue answers mapped onto the datasource error hierarchy, zod validation of every body, coalescing
 * of identical in-flight GETs, and a gate that refuses to send anything while the venue has told us to
 * wait (429 Retry-After) or has banned us (418). Errors follow Binance conventions (`{code,msg}` bodies,
 * `X-MBX-USED-WEIGHT-1M`, -1121 invalid symbol); another venue would add its own status mapping here.
 */

export type QueryValue = string | number | boolean | undefined;
export type Query = Readonly<Record<string, QueryValue>>;

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
  /** Clock used for ban/rate-limit deadlines. Default `Date.now`. */
  now?: () => number;
}

export interface GetJsonOptions {
  /** Short endpoint name for errors and logs; defaults to the path. */
  endpoint?: string;
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
  /** Aborts in-flight requests and closes the pool (a later call opens a new one). */
  close(): Promise<void>;
}

/** 429 without Retry-After: wait a full weight window. */
const DEFAULT_RATE_LIMIT_MS = 60_000;
/** 418 without Retry-After: Binance's shortest ban. */
const DEFAULT_BAN_MS = 120_000;
/** Binance "Invalid symbol." */
const BINANCE_INVALID_SYMBOL = -1121;
const MAX_ISSUES = 5;

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** `[0].markPrice: expected ...` — the path and message of the first few zod issues, never the body. */
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

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const { venue, timeoutMs, logger } = options;
  const now = options.now ?? Date.now;
  const base = new URL(options.baseUrl);
  const prefix = base.pathname.replace(/\/+$/, '');
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
  let weight: number | null = null;
  let gate: { until: number; error: () => Error } | null = null;

  function checkGate(): void {
    if (gate && now() < gate.until) throw gate.error();
    gate = null;
  }

  async function send(pathAndQuery: string, endpoint: string): Promise<RawResponse> {
    const timer = new AbortController();
    const timeout = setTimeout(() => timer.abort(), timeoutMs);
    const closed = closing.signal;
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
      if (timer.signal.aborted || (typeof code === 'string' && TIMEOUT_CODES.has(code)))
        throw new TimeoutError(`${venue} ${endpoint}: no answer within ${timeoutMs} ms`, venue, { cause: error });
      if (closed.aborted) throw new UpstreamUnavailableError(`${venue} ${endpoint}: client closed`, venue, { cause: error });
      const reason = error instanceof Error ? error.message : String(error);
      throw new UpstreamUnavailableError(`${venue} ${endpoint}: network failure (${reason})`, venue, { cause: error });
    } finally {
      clearTimeout(timeout);
    }
  }

  /** Maps a non-2xx answer to an error (and closes the gate on 429/418). */
  function failure(res: RawResponse, endpoint: string, query: Query | undefined): Error {
    const body = venueErrorBody(res.text);
    const at = now();
    if (res.status === 429) {
      const waitMs = retryAfterMs(res.headers, at) ?? DEFAULT_RATE_LIMIT_MS;
      const until = at + waitMs;
      gate = { until, error: () => new RateLimitError(venue, Math.max(0, until - now())) };
      logger?.warn({ endpoint, retryAfterMs: waitMs, usedWeight: weight, msg: body?.msg }, 'rate limited (429): pausing all requests');
      return new RateLimitError(venue, waitMs);
    }
    if (res.status === 418) {
      const waitMs = retryAfterMs(res.headers, at) ?? bannedUntilFromMsg(body?.msg, at) ?? DEFAULT_BAN_MS;
      const until = at + waitMs;
      gate = { until, error: () => new BannedError(venue, until) };
      logger?.error({ endpoint, bannedUntil: until, msg: body?.msg }, 'IP banned (418): no requests until the ban ends');
      return new BannedError(venue, until);
    }
    if (res.status >= 400 && res.status < 500 && body) {
      if (body.code === BINANCE_INVALID_SYMBOL) return new BadSymbolError(venue, String(query?.symbol ?? ''));
      return new UpstreamUnavailableError(`${venue} ${endpoint}: HTTP ${res.status} code ${body.code} ${body.msg}`.trim(), venue);
    }
    const detail = body ? ` code ${body.code} ${body.msg}` : '';
    return new UpstreamUnavailableError(`${venue} ${endpoint}: HTTP ${res.status}${detail}`, venue);
  }

  /** One upstream exchange: send, read, map status to errors, parse JSON. Shared by coalesced callers. */
  async function fetchJson(key: string, endpoint: string, query: Query | undefined): Promise<unknown> {
    const started = performance.now();
    const res = await send(key, endpoint);
    const usedHeader = header(res.headers, 'x-mbx-used-weight-1m');
    if (usedHeader !== undefined && Number.isFinite(Number(usedHeader))) weight = Number(usedHeader);
    logger?.debug({ endpoint, path: key, status: res.status, ms: Math.round(performance.now() - started), usedWeight: weight }, 'GET');
    if (res.status < 200 || res.status >= 300) throw failure(res, endpoint, query);
    try {
      return JSON.parse(res.text) as unknown;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new BadResponseError(venue, endpoint, [`invalid JSON (${res.text.length} bytes): ${reason}`]);
    }
  }

  return {
    venue,
    async getJson<T>(path: string, query: Query | undefined, schema: z.ZodType<T>, opts?: GetJsonOptions): Promise<T> {
      const endpoint = opts?.endpoint ?? path;
      checkGate();
      const qs = canonicalQuery(query);
      const key = `${prefix}${path}${qs ? `?${qs}` : ''}`;
      let pending = inFlight.get(key);
      if (!pending) {
        pending = fetchJson(key, endpoint, query).finally(() => inFlight.delete(key));
        inFlight.set(key, pending);
      }
      const json = await pending;
      // Validated per caller: each gets its own objects, and a caller with another schema is not misled.
      const parsed = schema.safeParse(json);
      if (!parsed.success) throw new BadResponseError(venue, endpoint, formatIssues(parsed.error.issues));
      return parsed.data;
    },
    usedWeight: () => weight,
    blockedUntil: () => (gate && now() < gate.until ? gate.until : null),
    async close() {
      closing.abort();
      closing = new AbortController();
      const current = pool;
      pool = null;
      await current?.close().catch(() => current.destroy());
    },
  };
}

/** Binance 418 bodies say `IP banned until 1700000000000.`; used only when Retry-After is missing. */
function bannedUntilFromMsg(msg: string | undefined, now: number): number | null {
  const match = msg?.match(/banned until (\d{13})/);
  return match?.[1] ? Math.max(0, Number(match[1]) - now) : null;
}
