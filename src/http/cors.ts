import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Which origins a browser may call the API from (CORS_ORIGINS): `any` answers `*` (never with
 * credentials), `none` sends no CORS header at all (same origin only), `list` echoes a listed origin.
 */
export type CorsOrigins = { kind: 'any' } | { kind: 'none' } | { kind: 'list'; origins: ReadonlySet<string> };

/** `*`, `none`, or a comma-separated list of origins (`scheme://host[:port]`, no path); throws naming a bad entry. */
export function parseCorsOrigins(text: string): CorsOrigins {
  const trimmed = text.trim();
  if (trimmed === '*') return { kind: 'any' };
  if (trimmed.toLowerCase() === 'none') return { kind: 'none' };
  const origins = new Set<string>();
  for (const entry of trimmed.split(',').map((s) => s.trim()).filter(Boolean)) {
    let origin: string;
    try {
      origin = new URL(entry).origin;
    } catch {
      throw new Error(`"${entry}" is not an origin like https://app.example.com (or use * or none)`);
    }
    if (origin === 'null' || origin !== entry.replace(/\/$/, '').toLowerCase()) {
      throw new Error(`"${entry}" is not an origin: scheme://host[:port] without path, query or credentials (e.g. ${origin === 'null' ? 'https://app.example.com' : origin})`);
    }
    origins.add(origin);
  }
  if (origins.size === 0) throw new Error('no origin given; use *, none or a comma-separated list of origins');
  return { kind: 'list', origins };
}

export interface CorsOptions {
  origins: CorsOrigins;
  /** Allow-Credentials: true for a listed origin (config refuses it with `any`). */
  credentials: boolean;
}

/** Response headers a browser script may read: the retry hint, the auth challenge and the cache's. */
const EXPOSED = 'Retry-After, WWW-Authenticate, ETag, Age, X-Cache';
/** How long a browser may reuse a preflight answer (seconds). */
const PREFLIGHT_MAX_AGE_S = 600;
/** Request headers a preflight may ask for: header names only (echoed back when they are). */
const HEADER_LIST = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+(?:\s*,\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*$/;

export interface Cors {
  /** Sets the CORS headers of an actual request's response (before the handler writes its head). */
  apply(req: IncomingMessage, res: ServerResponse): void;
  /** Answers an OPTIONS request (preflight): 204, with the allow headers only for an allowed origin. */
  preflight(req: IncomingMessage, res: ServerResponse): void;
  /**
   * Whether a WebSocket upgrade may proceed: browsers send their page's Origin on every upgrade and CORS does
   * not apply to WebSockets, so the same origins are enforced here. No Origin (not a browser), the server's
   * own origin (the dashboard, GraphiQL) and, with `*`, any origin are allowed.
   */
  allowsSocket(req: IncomingMessage): boolean;
}

/**
 * CORS for `/graphql`, set on every response of the path (cache hits and refusals included, so a browser
 * script can read a 429's Retry-After). Hand-written instead of yoga's `cors` option: yoga's default echoes
 * any Origin with `Access-Control-Allow-Credentials: true`, answers a non-listed origin with
 * `Access-Control-Allow-Origin: null` (which sandboxed documents match) plus credentials, and sends no
 * `Vary: Origin` when one origin is configured; its headers would also miss the responses this server
 * answers ahead of yoga.
 */
export function createCors(options: CorsOptions): Cors {
  const { origins } = options;
  /** The Allow-Origin value for this request's Origin; undefined when it gets none. */
  const allowOrigin = (origin: string | undefined): string | undefined => {
    if (!origin || origins.kind === 'none') return undefined;
    if (origins.kind === 'any') return '*';
    return origins.origins.has(origin) ? origin : undefined;
  };
  const common = (res: ServerResponse, allowed: string) => {
    res.setHeader('Access-Control-Allow-Origin', allowed);
    if (allowed !== '*' && options.credentials) res.setHeader('Access-Control-Allow-Credentials', 'true');
  };
  return {
    apply(req, res) {
      // A listed origin is echoed: caches must key on Origin (a `*` answer is the same for everyone).
      if (origins.kind === 'list') res.setHeader('Vary', 'Origin');
      const allowed = allowOrigin(req.headers.origin);
      if (!allowed) return;
      common(res, allowed);
      res.setHeader('Access-Control-Expose-Headers', EXPOSED);
    },
    preflight(req, res) {
      const headers: Record<string, string> = { 'content-length': '0', allow: 'GET, POST, OPTIONS' };
      if (origins.kind === 'list') headers.vary = 'Origin, Access-Control-Request-Headers';
      const allowed = allowOrigin(req.headers.origin);
      if (allowed && req.headers['access-control-request-method']) {
        common(res, allowed);
        headers['access-control-allow-methods'] = 'GET, POST';
        const asked = req.headers['access-control-request-headers'];
        headers['access-control-allow-headers'] = asked && HEADER_LIST.test(asked) ? asked : 'Content-Type, Authorization, Accept';
        headers['access-control-max-age'] = String(PREFLIGHT_MAX_AGE_S);
        if (origins.kind !== 'list') headers.vary = 'Access-Control-Request-Headers';
      }
      res.writeHead(204, headers).end();
    },
    allowsSocket(req) {
      const origin = req.headers.origin;
      if (!origin || origins.kind === 'any') return true;
      if (origins.kind === 'list' && origins.origins.has(origin)) return true;
      // Same origin: the Origin's host is the one the request was sent to.
      try {
        return new URL(origin).host === (req.headers.host ?? '').toLowerCase();
      } catch {
        return false;
      }
    },
  };
}
