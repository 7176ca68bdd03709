import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The node:http plumbing the fake REST venues share: a local server on an ephemeral port, the log of
 * requests, one injectable fault (optionally for `times` requests), `slow` faults delayed before the
 * answer, 429/500 faults, JSON answers, and a close that drops connections and pending slow answers.
 * Each venue supplies only its routes and wire formats (`respond`).
 */

/** One request the fake received, in arrival order. */
export interface FakeHttpRequest {
  path: string;
  query: Record<string, string>;
  /** `now()` when it arrived. */
  at: number;
  /** Status answered; 0 until the answer is sent (e.g. while a `slow` fault holds it). */
  status: number;
}

/** Faults every fake venue serves; a venue adds its own kinds (malformed payloads, API errors, ...). */
export type FakeHttpFault =
  | { kind: '429'; retryAfterSec?: number }
  | { kind: '500' }
  /** Answer normally, `delayMs` late. */
  | { kind: 'slow'; delayMs: number };

/** Limits a fault to a number of requests. */
export interface FakeFaultTimes {
  /** Affect this many requests, then clear. Default: until `setFault(null)`. */
  times?: number;
}

/** What the shared plumbing reads of a venue's fault union. */
export interface FakeFaultShape extends FakeFaultTimes {
  kind: string;
  retryAfterSec?: number;
  delayMs?: number;
}

export interface FakeHttpResponse {
  status: number;
  /** Serialised with `JSON.stringify`. */
  json: unknown;
  headers?: Record<string, string>;
}

/** A request as the venue's `respond` sees it. */
export interface FakeHttpExchange<F> {
  path: string;
  query: Record<string, string>;
  /** `now()` when the request arrived (before any `slow` delay). */
  at: number;
  /** The fault this request took, if any (a `slow` one has already been waited out). */
  fault: F | null;
}

export interface FakeHttpServerOptions<F extends FakeFaultShape> {
  now: () => number;
  /** Whether a request to `path` takes `fault` (and counts against its `times`). */
  affects(path: string, fault: F): boolean;
  /** The answer to one request. May throw: the fake then answers 500 with `crashBody(error)`. */
  respond(exchange: FakeHttpExchange<F>): FakeHttpResponse;
  crashBody(error: unknown): unknown;
}

export interface FakeHttpServer<F> {
  url: string;
  requests: FakeHttpRequest[];
  /** Replaces the current fault (a copy is kept, so `times` counts down on the copy). */
  setFault(fault: F | null): void;
  close(): Promise<void>;
}

/** The answer of a `429` or `500` fault (429 with `retry-after` when set), else null. */
export function statusFaultResponse(fault: FakeFaultShape | null, body: (status: 429 | 500) => unknown): FakeHttpResponse | null {
  if (fault?.kind === '429') {
    const headers: Record<string, string> = fault.retryAfterSec === undefined ? {} : { 'retry-after': String(fault.retryAfterSec) };
    return { status: 429, json: body(429), headers };
  }
  if (fault?.kind === '500') return { status: 500, json: body(500) };
  return null;
}

export async function startFakeHttpServer<F extends FakeFaultShape>(options: FakeHttpServerOptions<F>): Promise<FakeHttpServer<F>> {
  const { now } = options;
  const requests: FakeHttpRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let fault: F | null = null;

  function takeFault(path: string): F | null {
    const f = fault;
    if (!f || !options.affects(path, f)) return null;
    if (f.times !== undefined) {
      f.times -= 1;
      if (f.times <= 0) fault = null;
    }
    return f;
  }

  function send(res: ServerResponse, status: number, json: unknown, headers: Record<string, string> = {}): void {
    if (res.destroyed) return;
    const body = JSON.stringify(json);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
    res.end(body);
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const entry: FakeHttpRequest = { path: url.pathname, query: Object.fromEntries(url.searchParams), at: now(), status: 0 };
    requests.push(entry);
    const exchange: FakeHttpExchange<F> = { path: entry.path, query: entry.query, at: entry.at, fault: takeFault(entry.path) };

    const respond = () => {
      try {
        const { status, json, headers } = options.respond(exchange);
        entry.status = status;
        send(res, status, json, headers);
      } catch (error) {
        send(res, 500, options.crashBody(error));
      }
    };

    const f = exchange.fault;
    if (f?.kind === 'slow') {
      const timer = setTimeout(() => {
        timers.delete(timer);
        respond();
      }, f.delayMs);
      timers.add(timer);
    } else {
      respond();
    }
  }

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (error) {
      send(res, 500, options.crashBody(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setFault(next) {
      fault = next ? { ...next } : null;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
