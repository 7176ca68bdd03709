import { GraphQLError } from 'graphql';
import { BadSymbolError, BannedError, NetworkError, RateLimitError } from './datasources/errors.js';
import { OnDemandBusyError } from './engine/on-demand.js';
import { TimeTravelRangeError } from './engine/time-travel-error.js';
import { PlanRefusedError } from './analyzers/position-plan.types.js';

/** The closed set of error codes clients can rely on (`extensions.code`). */
export const ErrorCodes = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  UPSTREAM_UNAVAILABLE: 'UPSTREAM_UNAVAILABLE',
  UPSTREAM_RATE_LIMITED: 'UPSTREAM_RATE_LIMITED',
  NOT_READY: 'NOT_READY',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  /** A configured per-client limit (subscriptions per connection, connections per IP) is reached. */
  LIMIT_EXCEEDED: 'LIMIT_EXCEEDED',
  /** A document over one of the public limits (aliases, directives, depth, cost, tokens); `extensions.limit` names it. */
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  /** The estimated cost of a query is over QUERY_COST_LIMIT; rejected before any resolver runs. */
  COST_LIMIT_EXCEEDED: 'COST_LIMIT_EXCEEDED',
  /**
   * Retry later (`extensions.limit` says which): `requests`, the request rate limit per API key or client
   * address (HTTP 429, `retryAfterMs`); `on-demand`, the on-demand (non-default argument) queue is full or
   * over its time budget.
   */
  RATE_LIMITED: 'RATE_LIMITED',
  /** Introspection (`__schema`, `__type`) is off (INTROSPECTION_ENABLED, off by default with NODE_ENV=production). */
  INTROSPECTION_DISABLED: 'INTROSPECTION_DISABLED',
  /** The request body is over MAX_BODY_BYTES (HTTP 413). */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
} as const;
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** An expected failure, shown to the client as is (yoga does not mask GraphQLErrors). */
export class AppError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extensions, code } });
    this.name = 'AppError';
  }
}

export const badInput = (message: string, extensions?: Record<string, unknown>) =>
  new AppError(ErrorCodes.BAD_USER_INPUT, message, extensions);

/** Every code a response may carry: ours plus the ones graphql-yoga sets on protocol failures. */
export const ALL_ERROR_CODES = [
  ...Object.values(ErrorCodes),
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'INTERNAL_SERVER_ERROR',
] as const;

/** Codes that mean "the client asked for something wrong": logged at info, without a stack. */
export const CLIENT_ERROR_CODES: ReadonlySet<string> = new Set([
  ErrorCodes.BAD_USER_INPUT,
  ErrorCodes.NOT_FOUND,
  ErrorCodes.NOT_READY,
  ErrorCodes.UNAUTHENTICATED,
  ErrorCodes.FORBIDDEN,
  ErrorCodes.QUERY_TOO_COMPLEX,
  ErrorCodes.LIMIT_EXCEEDED,
  // Over a public limit the client controls: a cheaper query, a smaller body, or a retry after a pause
  // (RATE_LIMITED is the on-demand budget, like HTTP 429; not a fault of this server or of a venue).
  ErrorCodes.COST_LIMIT_EXCEEDED,
  ErrorCodes.RATE_LIMITED,
  ErrorCodes.PAYLOAD_TOO_LARGE,
  ErrorCodes.INTROSPECTION_DISABLED,
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
]);

/** Codes of a fault outside the server (a venue, the database, Redis): logged at warn, without a stack. */
export const UPSTREAM_ERROR_CODES: ReadonlySet<string> = new Set([ErrorCodes.UPSTREAM_UNAVAILABLE, ErrorCodes.UPSTREAM_RATE_LIMITED]);

const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@:]*)(:[^\s/@]*)?@/gi;

/** A key in a query string (FRED takes its key as `api_key=`): `?api_key=abc&x` → `?api_key=***&x`. */
const API_KEY_PARAM = /([?&](?:api_key|apikey)=)[^&\s"']+/gi;

/** `scheme://user:password@host` → `scheme://user:***@host` (and `scheme://token@host` → `scheme://***@host`). */
export function redactSecrets(text: string): string {
  return text.replace(API_KEY_PARAM, '$1***').replace(URL_CREDENTIALS, (_m, scheme: string, user: string, password: string | undefined) =>
    password === undefined ? `${scheme}***@` : `${scheme}${user}:***@`,
  );
}

/** Which shared store an error comes from, when it is a driver or connection failure; null otherwise. */
export type StoreComponent = 'database' | 'redis';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/** Prisma codes for "cannot reach / lost / timed out talking to the database" (P1xxx) and pool timeout (P2024). */
const PRISMA_UNAVAILABLE = /^P10\d\d$|^P2024$/;
/** Postgres SQLSTATE classes: 08 connection exception, 57P0x operator intervention/shutdown, 53300 too many connections, 3D000 no such database. */
const PG_UNAVAILABLE = /^08...$|^57P0[1-4]$|^53300$|^3D000$/;

function field(error: object, key: string): unknown {
  return (error as Record<string, unknown>)[key];
}

/**
 * Classifies driver/connection failures of Prisma, pg, PGlite and ioredis (walking `cause` chains, as
 * Prisma's driver adapters wrap the driver's error). Query bugs (syntax, constraint) are not outages.
 */
export function storeFailureOf(error: unknown, depth = 0): StoreComponent | null {
  if (!error || typeof error !== 'object' || depth > 5) return null;
  const name = String(field(error, 'name') ?? error.constructor?.name ?? '');
  const code = field(error, 'code');
  const message = String(field(error, 'message') ?? '');
  if (name === 'MaxRetriesPerRequestError' || /^Connection is closed\.?$/.test(message) || /Stream isn't writeable and enableOfflineQueue options is false/.test(message)) return 'redis';
  if (name === 'PrismaClientInitializationError' || name === 'PrismaClientRustPanicError') return 'database';
  if (name === 'PrismaClientKnownRequestError' && typeof code === 'string' && PRISMA_UNAVAILABLE.test(code)) return 'database';
  if (typeof code === 'string' && PG_UNAVAILABLE.test(code)) return 'database';
  if (/PGlite is closed|not currently accepting connections|the database system is (starting up|shutting down|in recovery mode)|Connection terminated|Client has encountered a connection error|terminating connection due to administrator command|timeout exceeded when trying to connect/i.test(message)) return 'database';
  if (typeof code === 'string' && NETWORK_CODES.has(code)) {
    const port = Number(field(error, 'port'));
    return port === 6379 || /redis/i.test(String(field(error, 'stack') ?? '')) ? 'redis' : 'database';
  }
  // DriverAdapterError (Prisma driver adapters) carries the driver's failure as a plain `cause` object with a `kind`.
  const cause = field(error, 'cause');
  if (name === 'DriverAdapterError' && cause && typeof cause === 'object') {
    const kind = field(cause, 'kind');
    const pgCode = field(cause, 'originalCode') ?? field(cause, 'code');
    if (typeof kind === 'string' && ADAPTER_UNAVAILABLE.has(kind)) return 'database';
    if (typeof pgCode === 'string' && PG_UNAVAILABLE.test(pgCode)) return 'database';
  }
  for (const key of ['cause', 'originalError']) {
    const inner = field(error, key);
    if (inner && inner !== error) {
      const found = storeFailureOf(inner, depth + 1);
      if (found) return found;
    }
  }
  return null;
}

const ADAPTER_UNAVAILABLE = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'DatabaseDoesNotExist', 'TooManyConnections', 'TlsConnectionError']);

const STORE_MESSAGES: Record<StoreComponent, string> = {
  database: 'The database is unavailable right now; history and snapshots cannot be read. Try again shortly.',
  redis: 'Redis (shared latest results and pub/sub) is unavailable right now. Try again shortly.',
};

/**
 * Maps upstream errors to coded API errors; anything unknown is returned unchanged so yoga masks it
 * (and logs it with context).
 */
export function toAppError(error: unknown): unknown {
  if (error instanceof GraphQLError) return error;
  if (error instanceof BadSymbolError) return badInput(error.message, { symbol: error.symbol });
  // A plan the position-plan analyzers refuse (stop on the wrong side, leverage liquidated before the stop, ...).
  if (error instanceof PlanRefusedError) return badInput(error.message, { ...error.details, reason: error.reason });
  if (error instanceof RateLimitError)
    return new AppError(ErrorCodes.UPSTREAM_RATE_LIMITED, error.message, { venue: error.venue, retryAfterMs: error.retryAfterMs });
  if (error instanceof BannedError)
    return new AppError(ErrorCodes.UPSTREAM_RATE_LIMITED, error.message, { venue: error.venue, bannedUntil: error.bannedUntil });
  if (error instanceof NetworkError) return new AppError(ErrorCodes.UPSTREAM_UNAVAILABLE, error.message, { venue: error.venue });
  if (error instanceof TimeTravelRangeError)
    return badInput(error.message, { at: new Date(error.at).toISOString(), reachesBackTo: error.reachesBackTo === null ? null : new Date(error.reachesBackTo).toISOString() });
  if (error instanceof OnDemandBusyError)
    return new AppError(ErrorCodes.RATE_LIMITED, error.message, { limit: 'on-demand', queued: error.queued, queuedMs: error.queuedMs, budgetMs: error.budgetMs });
  const store = storeFailureOf(error);
  if (store) return new AppError(ErrorCodes.UPSTREAM_UNAVAILABLE, STORE_MESSAGES[store], { component: store });
  return error;
}
