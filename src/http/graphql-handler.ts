import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AnalysisKind, AnalysisRecord, TickerRecord } from '../domain/analysis.js';
import type { AppServices } from '../context.js';
import type { AppError } from '../errors.js';
import type { RequestAuth } from '../auth/authenticator.js';
import type { CostPrecheck } from './cost.js';
import { getOperationAST, parse } from 'graphql';
import { RateClasses, type RateClass } from './rate-limit.js';

/**
 * What one execution read from the services: the cached analysis records and tickers it presented
 * (checked again before a cached response is served), and whether it read anything that has no
 * version to check (raw market data, history, health), which makes the response uncacheable.
 */
export interface ResponseDeps {
  records: Array<{ kind: AnalysisKind; symbol: string; asOf: number; computedAt: number }>;
  tickers: Array<{ symbol: string; asOf: number; price: number }>;
  uncacheable: boolean;
  /**
   * When the oldest part of the response was generated, if earlier than the execution (parts taken from
   * the fragment cache, see fragment-cache.ts): the entry's age and TTL count from then.
   */
  generatedAt?: number;
}

/** Whether every analysis record and ticker in `deps` is still the current one (same computedAt/asOf, same price). */
export async function depsCurrent(services: AppServices, deps: ResponseDeps): Promise<boolean> {
  for (const dep of deps.records) {
    const current: AnalysisRecord | undefined = await services.latest(dep.kind, dep.symbol);
    if (!current || current.computedAt !== dep.computedAt || current.asOf !== dep.asOf) return false;
  }
  for (const dep of deps.tickers) {
    const current: TickerRecord | undefined = await services.ticker(dep.symbol);
    if (!current || current.asOf !== dep.asOf || current.price !== dep.price) return false;
  }
  return true;
}

/** Services for one request that record what the execution reads into `deps`. */
export function trackingServices(services: AppServices, deps: ResponseDeps | undefined): AppServices {
  if (!deps) return services;
  const uncacheable = <T>(value: T): T => {
    deps.uncacheable = true;
    return value;
  };
  return Object.create(services, {
    latest: {
      value: async (kind: AnalysisKind, symbol: string) => {
        const record = await services.latest(kind, symbol);
        if (record) deps.records.push({ kind, symbol, asOf: record.asOf, computedAt: record.computedAt });
        return record;
      },
    },
    // Non-default arguments: their results are cached for the recompute interval, which the entry TTL does not exceed.
    latestWith: { value: (kind: AnalysisKind, symbol: string, params: Record<string, unknown>) => services.latestWith(kind, symbol, params) },
    ticker: {
      value: async (symbol: string) => {
        const ticker = await services.ticker(symbol);
        if (ticker) deps.tickers.push({ symbol, asOf: ticker.asOf, price: ticker.price });
        return ticker;
      },
    },
    marketData: { value: (symbol: string) => uncacheable(services.marketData(symbol)) },
    globalData: { value: () => uncacheable(services.globalData()) },
    venues: { value: () => uncacheable(services.venues()) },
    health: { value: () => uncacheable(services.health()) },
    snapshots: { get: () => uncacheable(services.snapshots) },
    pubsub: { get: () => uncacheable(services.pubsub) },
    apiKeys: { get: () => uncacheable(services.apiKeys) },
    // A job changes state and progress by the moment: always read it fresh.
    backtests: { get: () => uncacheable(services.backtests) },
    // Time travel: the archive behind a recent `at` may still be filling (rows buffered for ARCHIVE_FLUSH_MS).
    pointInTime: { value: services.pointInTime && ((at: number, symbols: readonly string[]) => uncacheable(services.pointInTime!(at, symbols))) },
  }) as AppServices;
}

interface Entry {
  status: number;
  headers: Array<[string, string]>;
  body: Buffer;
  etag: string;
  storedAt: number;
  deps: ResponseDeps;
}

export interface GraphqlHandlerOptions {
  /** yoga's fetch entry point; `serverContext.deps` reaches the context factory. */
  fetch(url: string, init: RequestInit, serverContext: { req: IncomingMessage; deps?: ResponseDeps; credentials?: RequestAuth }): Promise<Response> | Response;
  services: AppServices;
  maxBodyBytes: number;
  /** 0 disables the cache. */
  cacheTtlMs: number;
  cacheMaxEntries: number;
  /** Bound of the bodies and keys held, in bytes (a `markets(20)` body is ≈ 2 MB); the oldest entries go first. */
  cacheMaxBytes: number;
  now?: () => number;
  /**
   * Refuses over-limit documents before yoga (see `createCostPrecheck`). Applied to GET and to POST
   * application/json requests without an Origin header (browser requests with one go to yoga, whose plugins run the same checks).
   */
  precheck?: CostPrecheck;
  /** Told about every request the precheck refused (logging). */
  onRejected?: (error: AppError) => void;
  /**
   * Longest delay, in ms, of a refusal on a connection that keeps sending refused documents (see
   * `refusalDelay`); 0 answers every refusal at once.
   */
  refusalDelayMaxMs?: number;
  /** The client a request counts against for refusal delays (its address, TRUST_PROXY applied); default the socket peer. */
  clientOf?: (req: IncomingMessage) => string;
  /**
   * Resolves the request's API key (Authorization header) on every request that is executed; the result
   * reaches yoga as `serverContext.credentials`. Cache entries are kept per Authorization header.
   */
  authenticate?: (req: IncomingMessage) => Promise<RequestAuth>;
  /**
   * Refuses an operation its credentials do not allow (UNAUTHENTICATED, FORBIDDEN), judged from the
   * document alone, before the precheck reads its variables. Applied where the precheck is.
   */
  authorize?: (query: string, operationName: string | null, credentials: RequestAuth | undefined, method: string) => AppError | undefined;
  /**
   * Counts every request (cache hits included) against its API key or client address, as a query, a
   * mutation or a subscription stream (SSE) by its document; resolves with the RATE_LIMITED refusal when
   * over budget, answered at once with its 429 and Retry-After. Runs before the cache and every other check.
   */
  rateLimit?: (req: IncomingMessage, credentials: RequestAuth | undefined, kind: RateClass) => Promise<AppError | undefined>;
}

/** Refusals a client gets answered at once within REFUSAL_WINDOW_MS; the later ones are delayed. */
export const FREE_REFUSALS = 3;
export const REFUSAL_WINDOW_MS = 10_000;
const FIRST_REFUSAL_DELAY_MS = 10;
/** Client addresses whose refusals are counted at once (memory bound). */
const MAX_TRACKED_CLIENTS = 10_000;

/**
 * The delay before answering the `n`-th refusal (1-based) to one client address within its window: none
 * for the first FREE_REFUSALS, then 10 ms doubling with each further one, at most `maxMs`. A client that
 * waits for each answer (a keep-alive connection, a retry loop, one connection per request alike) is held
 * to one refused document per delay, and the connection is not read meanwhile, so its refusals stop taking
 * the request loop from other clients; a client that corrects its query after an error never notices, and
 * valid requests are never delayed, whoever sends them.
 */
export function refusalDelay(n: number, maxMs: number): number {
  if (maxMs <= 0 || n <= FREE_REFUSALS) return 0;
  return Math.min(maxMs, FIRST_REFUSAL_DELAY_MS * 2 ** Math.min(30, n - FREE_REFUSALS - 1));
}

export interface GraphqlHandler {
  (req: IncomingMessage, res: ServerResponse): void;
  /** hits: served from the cache; coalesced: served the response of a concurrent identical execution; misses: executed. */
  /** prechecked: refused ahead of yoga; delayed: of those, answered late (a client sending refused documents over and over). */
  stats(): { hits: number; coalesced: number; misses: number; notModified: number; entries: number; bytes: number; inFlight: number; prechecked: number; delayed: number; rateLimited: number };
}

/** The GraphQL request parameters of a GET or POST application/json request; undefined when they cannot be read here. */
function requestParams(method: string, url: string | undefined, contentType: string, body: Buffer | undefined): { query: string; variables: Record<string, unknown> | null; operationName: string | null } | undefined {
  try {
    if (method === 'GET') {
      const search = new URL(url ?? '/', 'http://localhost').searchParams;
      const query = search.get('query');
      if (!query) return undefined;
      const variables = search.get('variables');
      return { query, variables: variables ? (JSON.parse(variables) as Record<string, unknown>) : null, operationName: search.get('operationName') };
    }
    if (method !== 'POST' || !body || !contentType.includes('application/json')) return undefined;
    const parsed = JSON.parse(body.toString('utf8')) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
    const { query, variables, operationName } = parsed as Record<string, unknown>;
    if (typeof query !== 'string') return undefined;
    if (variables != null && (typeof variables !== 'object' || Array.isArray(variables))) return undefined;
    if (operationName != null && typeof operationName !== 'string') return undefined;
    return { query, variables: (variables as Record<string, unknown> | null) ?? null, operationName: (operationName as string | null) ?? null };
  } catch {
    return undefined; // malformed: yoga answers it
  }
}

/** The bytes yoga sends for a request error (its `http` extension is for the status, never serialised). */
function rejectionBody(error: AppError): string {
  const { http: _http, ...extensions } = error.extensions as Record<string, unknown>;
  return JSON.stringify({ errors: [{ message: error.message, extensions }] });
}

function sendError(res: ServerResponse, status: number, code: string, message: string, extensions: Record<string, unknown> = {}): void {
  const body = JSON.stringify({ errors: [{ message, extensions: { ...extensions, code } }] });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), connection: 'close' }).end(body);
}

/** The HTTP status and headers a refusal asks for in its `http` extension (400 when it names none). */
function rejectionInit(error: AppError): { status: number; headers: Record<string, string> } {
  const http = (error.extensions as { http?: { status?: number; headers?: Record<string, string> } }).http;
  return { status: http?.status ?? 400, headers: http?.headers ?? {} };
}

/**
 * What a request counts as for the rate limits: its operation's type (a subscription over SSE is one
 * stream); a request whose document cannot be read here (malformed, another content type) counts as a query.
 */
function requestClass(method: string, url: string | undefined, contentType: string, body: Buffer | undefined, precheck: CostPrecheck | undefined): RateClass {
  const params = requestParams(method, url, contentType, body);
  if (!params) return RateClasses.QUERY;
  let document;
  try {
    document = precheck ? precheck.document(params.query) : parse(params.query, { maxTokens: 2_000 });
  } catch {
    return RateClasses.QUERY;
  }
  const operation = document ? getOperationAST(document, params.operationName ?? undefined)?.operation : undefined;
  return operation ?? RateClasses.QUERY;
}

const etagOf = (body: Buffer) => `"${createHash('sha1').update(body).digest('base64url')}"`;

/**
 * GraphQL over HTTP in front of yoga: bounds request bodies (413 PAYLOAD_TOO_LARGE), and caches whole
 * query responses as bytes, keyed by the request (method, URL or body, Accept, Origin). An entry is
 * served only while every analysis record and ticker it presented is still the current one (same
 * `computedAt`/`asOf`/price) and for at most `cacheTtlMs`, so a recompute is never hidden; `meta.ageMs`
 * in a cached body is the age at the time it was generated (stated in the `age` header, whole seconds,
 * and bounded by the TTL). GET responses carry an ETag and answer If-None-Match with 304.
 *
 * Concurrent identical requests are coalesced (single flight per cache key): while one execution for a
 * key runs, requests for the same key wait for it instead of executing too, so a recompute or a price tick
 * does not start one execution per waiting client (each of them slower, since they share the core). A
 * waiter takes the shared response when that execution started after the waiter arrived (as if it had
 * executed itself), or when every version it presented is still current once it completes (as a cache hit
 * would be); otherwise it waits for, or starts, the next execution. A response that may not be cached
 * (errors, uncacheable reads) is not shared either: its waiters then execute on their own.
 *
 * Hand-written instead of @graphql-yoga/plugin-response-cache: that plugin invalidates by entity ids
 * (our analysis types have none) or TTL only, and its hit path still goes through yoga's Fetch-API
 * request handling; here a hit costs one Map lookup and the re-check of a few cached versions.
 */
export function createGraphqlHandler(options: GraphqlHandlerOptions): GraphqlHandler {
  const now = options.now ?? Date.now;
  const cache = new Map<string, Entry>();
  const counters = { hits: 0, coalesced: 0, misses: 0, notModified: 0, prechecked: 0, delayed: 0, rateLimited: 0 };
  // Refusals per client address in the current window; bounded (expired windows go first, then the oldest).
  const refusals = new Map<string, { count: number; since: number }>();
  const clientOf = options.clientOf ?? ((req: IncomingMessage) => req.socket.remoteAddress ?? '');

  /** Counts a refusal against the request's client and says how long to hold its answer. */
  function delayFor(req: IncomingMessage): number {
    const maxMs = options.refusalDelayMaxMs ?? 0;
    if (maxMs <= 0) return 0;
    const t = now();
    const client = clientOf(req);
    let seen = refusals.get(client);
    if (!seen || t - seen.since > REFUSAL_WINDOW_MS) {
      refusals.delete(client);
      if (refusals.size >= MAX_TRACKED_CLIENTS) {
        for (const [key, value] of refusals) if (t - value.since > REFUSAL_WINDOW_MS) refusals.delete(key);
        if (refusals.size >= MAX_TRACKED_CLIENTS) refusals.delete(refusals.keys().next().value as string);
      }
      refusals.set(client, (seen = { count: 0, since: t }));
    }
    seen.count += 1;
    return refusalDelay(seen.count, maxMs);
  }
  /** The execution under way per cache key; `done` resolves with its response when that may be shared, else undefined. */
  const flights = new Map<string, { startedAt: number; done: Promise<Entry | undefined> }>();
  /** Orders request arrivals and execution starts (a counter, so equal clock readings cannot tie). */
  let sequence = 0;
  /** Σ (body + key) bytes of the cached entries, kept ≤ cacheMaxBytes. */
  let cachedBytes = 0;
  const sizeOf = (key: string, entry: Entry) => entry.body.length + key.length;
  function forget(key: string): void {
    const entry = cache.get(key);
    if (!entry) return;
    cache.delete(key);
    cachedBytes -= sizeOf(key, entry);
  }
  /**
   * Inserts as newest, then evicts from the oldest end: entries past the TTL (they can only miss), then
   * whatever exceeds the entry and byte bounds. Map order is insertion order, so this is O(evicted).
   */
  function remember(key: string, entry: Entry): void {
    forget(key);
    const size = sizeOf(key, entry);
    if (size > options.cacheMaxBytes) return;
    cache.set(key, entry);
    cachedBytes += size;
    const t = now();
    for (const [oldKey, old] of cache) {
      if (cache.size <= options.cacheMaxEntries && cachedBytes <= options.cacheMaxBytes && t - old.storedAt < options.cacheTtlMs) break;
      forget(oldKey);
    }
  }

  async function stillCurrent(entry: Entry): Promise<boolean> {
    if (now() - entry.storedAt >= options.cacheTtlMs) return false;
    return depsCurrent(options.services, entry.deps);
  }

  function write(req: IncomingMessage, res: ServerResponse, entry: Entry, hit: boolean): void {
    if (req.method === 'GET' && req.headers['if-none-match'] === entry.etag) {
      counters.notModified += 1;
      res.writeHead(304, { etag: entry.etag, 'cache-control': 'no-cache' }).end();
      return;
    }
    const headers: Record<string, string | number> = Object.fromEntries(entry.headers);
    headers['content-length'] = entry.body.length;
    headers.etag = entry.etag;
    headers['cache-control'] = 'no-cache';
    headers.age = Math.floor((now() - entry.storedAt) / 1000);
    headers['x-cache'] = hit ? 'HIT' : 'MISS';
    res.writeHead(entry.status, headers).end(entry.body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    let body: Buffer | undefined;
    if (method !== 'GET' && method !== 'HEAD') {
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > options.maxBodyBytes) {
        req.resume();
        sendError(res, 413, 'PAYLOAD_TOO_LARGE', `Request body of ${declared} bytes exceeds the limit of ${options.maxBodyBytes} bytes.`, { maxBytes: options.maxBodyBytes });
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > options.maxBodyBytes) {
          sendError(res, 413, 'PAYLOAD_TOO_LARGE', `Request body exceeds the limit of ${options.maxBodyBytes} bytes.`, { maxBytes: options.maxBodyBytes });
          req.destroy();
          return;
        }
        chunks.push(chunk);
      }
      body = Buffer.concat(chunks);
    }
    const accept = req.headers.accept ?? '';
    const streaming = accept.includes('text/event-stream') || accept.includes('multipart/mixed');
    const credentials = options.authenticate ? await options.authenticate(req) : undefined;
    if (options.rateLimit) {
      const refusal = await options.rateLimit(req, credentials, requestClass(method, req.url, req.headers['content-type'] ?? '', body, options.precheck));
      if (refusal) {
        counters.rateLimited += 1;
        options.onRejected?.(refusal);
        const text = rejectionBody(refusal);
        const init = rejectionInit(refusal);
        const type = accept.includes('application/graphql-response+json') ? 'application/graphql-response+json; charset=utf-8' : 'application/json; charset=utf-8';
        res.writeHead(init.status, { ...init.headers, 'content-type': type, 'content-length': Buffer.byteLength(text) }).end(text);
        return;
      }
    }
    const cacheable = options.cacheTtlMs > 0 && !streaming && (method === 'GET' || method === 'POST');
    // Per API key (its hash, not the key): a response made for one caller is only ever served to the same credentials.
    const authorization = req.headers.authorization ? createHash('sha256').update(req.headers.authorization).digest('base64url') : '';
    const key = cacheable ? `${method}\n${req.url}\n${accept}\n${req.headers.origin ?? ''}\n${req.headers['content-type'] ?? ''}\n${authorization}\n${body?.toString('utf8') ?? ''}` : '';
    let leads = false;
    if (cacheable) {
      const arrivedAt = ++sequence;
      for (;;) {
        const entry = cache.get(key);
        if (entry) {
          if (await stillCurrent(entry)) {
            counters.hits += 1;
            write(req, res, entry, true);
            return;
          }
          if (cache.get(key) === entry) forget(key);
        }
        const flight = flights.get(key);
        if (!flight) {
          leads = true;
          break;
        }
        const shared = await flight.done;
        if (!shared) break; // not shareable (errors, uncacheable reads): execute on our own
        if (flight.startedAt > arrivedAt || (await stillCurrent(shared))) {
          counters.coalesced += 1;
          write(req, res, shared, true);
          return;
        }
        // Completed, but something it presented changed meanwhile: look again (cache, next execution).
      }
    }
    if ((options.precheck || options.authorize) && !req.headers.origin && !streaming) {
      const params = requestParams(method, req.url, req.headers['content-type'] ?? '', body);
      const rejection =
        params && (options.authorize?.(params.query, params.operationName, credentials, method) ?? options.precheck?.(params.query, params.variables, params.operationName, req));
      if (rejection) {
        counters.prechecked += 1;
        options.onRejected?.(rejection);
        const text = rejectionBody(rejection);
        const type = accept.includes('application/graphql-response+json') ? 'application/graphql-response+json; charset=utf-8' : 'application/json; charset=utf-8';
        const delay = delayFor(req);
        const init = rejectionInit(rejection);
        const headers: Record<string, string | number> = { ...init.headers, 'content-type': type, 'content-length': Buffer.byteLength(text) };
        if (delay === 0) {
          res.writeHead(init.status, headers).end(text);
          return;
        }
        // Held, and the connection not read meanwhile: its next request waits in the socket, costing nothing.
        counters.delayed += 1;
        const socket = req.socket;
        socket.pause();
        const timer = setTimeout(() => {
          socket.resume();
          res.writeHead(init.status, { ...headers, 'x-refusal-delay-ms': delay }).end(text);
        }, delay);
        res.once('close', () => clearTimeout(timer));
        return;
      }
    }
    let settle: (entry: Entry | undefined) => void = () => {};
    if (leads) {
      const done = new Promise<Entry | undefined>((resolve) => (settle = resolve));
      flights.set(key, { startedAt: ++sequence, done });
    }
    try {
      settle(await execute(req, res, method, body, cacheable ? key : undefined, credentials));
    } finally {
      settle(undefined);
      if (leads) flights.delete(key);
    }
  }

  /** Runs the request through yoga and answers it; resolves with its entry when that may be cached and shared. */
  async function execute(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    body: Buffer | undefined,
    key: string | undefined,
    credentials: RequestAuth | undefined,
  ): Promise<Entry | undefined> {
    counters.misses += 1;
    const deps: ResponseDeps | undefined = key !== undefined ? { records: [], tickers: [], uncacheable: false } : undefined;
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined) continue;
      headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const storedAt = now();
    const response = await options.fetch(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, { method, headers, body: body as unknown as BodyInit }, { req, deps, ...(credentials ? { credentials } : {}) });
    const type = response.headers.get('content-type') ?? '';
    if (!deps || type.includes('event-stream') || type.includes('multipart') || !response.body) {
      res.writeHead(response.status, Object.fromEntries(response.headers));
      if (response.body) {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) res.write(chunk);
      }
      res.end();
      return undefined;
    }
    const bytes = Buffer.from(await response.arrayBuffer());
    const responseHeaders = [...response.headers].filter(([name]) => name !== 'content-length');
    // Parts served from the fragment cache were generated earlier: the entry is as old as its oldest part.
    const generatedAt = Math.min(storedAt, deps.generatedAt ?? storedAt);
    const entry: Entry = { status: response.status, headers: responseHeaders, body: bytes, etag: etagOf(bytes), storedAt: generatedAt, deps };
    // Only complete, error-free query results are kept (errors such as NOT_READY must be retried).
    const keep = response.status === 200 && !deps.uncacheable && type.includes('json') && !bytes.includes('"errors":');
    if (keep) remember(key!, entry);
    write(req, res, entry, false);
    return keep ? entry : undefined;
  }

  const handler = ((req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, 500, 'INTERNAL_SERVER_ERROR', 'Unexpected error while handling the request.');
      else res.destroy(error as Error);
    });
  }) as GraphqlHandler;
  handler.stats = () => ({ ...counters, entries: cache.size, bytes: cachedBytes, inFlight: flights.size });
  return handler;
}
