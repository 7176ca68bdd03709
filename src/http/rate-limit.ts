import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type IRateLimiterOptions, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppError, ErrorCodes } from '../errors.js';
import type { Logger } from '../logger.js';

/** What a request is counted as: an operation type, subscriptions counted per connection (graphql-ws connection_init, SSE stream). */
export const RateClasses = { QUERY: 'query', MUTATION: 'mutation', SUBSCRIPTION: 'subscription' } as const;
export type RateClass = (typeof RateClasses)[keyof typeof RateClasses];

/** Who a request is counted against: its API key when it presented a valid one, else its client address. */
export type RateSubject = 'key' | 'ip';

export interface RateBudget {
  query: number;
  mutation: number;
  subscription: number;
}

export interface RateLimitSettings {
  /** Length of a (fixed) window in seconds. */
  windowS: number;
  /** Per client address, for requests without a valid API key. */
  ip: RateBudget;
  /** Per API key, wherever its requests come from. */
  key: RateBudget;
}

export interface RateLimiterOptions {
  settings: RateLimitSettings;
  /** The app's Redis client (REDIS_URL): counters shared by every instance. Absent: this instance's memory. */
  redis?: Redis;
  /** REDIS_PREFIX: the counters are `<prefix>rl:<subject>:<class>:<id>`. */
  prefix: string;
  logger: Logger;
  /** Told about every refusal (metrics). */
  onRefused?(kind: RateClass, subject: RateSubject): void;
  /** Told whenever Redis could not count and the in-memory insurance counted instead (metrics). */
  onFallback?(kind: RateClass, subject: RateSubject): void;
  now?: () => number;
}

export interface RequestIdentity {
  /** The client address (TRUST_PROXY applied). */
  ip: string;
  /** The id of the request's valid API key; null without one. */
  keyId: string | null;
}

export interface RateLimiter {
  /**
   * Counts one request of `kind` against its key (with a valid one) or else its address; resolves with
   * the RATE_LIMITED refusal (HTTP 429, `Retry-After`, `extensions.retryAfterMs`) when over budget.
   * Never rejects: a failing Redis is replaced by the in-memory insurance (logged and counted).
   */
  consume(kind: RateClass, who: RequestIdentity): Promise<AppError | undefined>;
  readonly kind: 'memory' | 'redis';
}

/** At most one log line per this interval while Redis cannot count (every fallback is counted in metrics). */
const FALLBACK_LOG_EVERY_MS = 60_000;

const NOUNS: Record<RateClass, string> = { query: 'queries', mutation: 'mutations', subscription: 'subscription connections' };

/** The in-memory insurance of a Redis limiter; each use is reported (it means Redis did not count). */
class InsuranceLimiter extends RateLimiterMemory {
  constructor(
    options: IRateLimiterOptions,
    private readonly onUse: () => void,
  ) {
    super(options);
  }

  override consume(key: string | number, points?: number, options?: { [key: string]: unknown }): Promise<RateLimiterRes> {
    this.onUse();
    return super.consume(key, points, options);
  }
}

/** The refusal of a request over its budget; says which limit it is, so it is not mistaken for the on-demand compute budget (also RATE_LIMITED). */
export function rateLimited(kind: RateClass, subject: RateSubject, points: number, windowS: number, retryAfterMs: number): AppError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  const who = subject === 'key' ? 'per API key' : 'per client address without an API key';
  return new AppError(
    ErrorCodes.RATE_LIMITED,
    `Request rate limit reached: at most ${points} ${NOUNS[kind]} per ${windowS} s ${who}; retry in ${seconds} s. (This is the request rate limit, not the on-demand computation budget.)`,
    { limit: 'requests', kind, subject, points, windowMs: windowS * 1000, retryAfterMs: Math.max(0, Math.round(retryAfterMs)), http: { status: 429, headers: { 'Retry-After': String(seconds) } } },
  );
}

/**
 * Request rate limits with rate-limiter-flexible: one fixed-window counter per (subject, class, id).
 * With Redis the counters are shared by every instance (`RateLimiterRedis`, atomic Lua increment); when
 * Redis is not ready or a command fails, an in-memory insurance limiter of the same budget counts instead
 * (so the limit still holds, per instance, never open), logged at warn once a minute and counted.
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { settings, redis, prefix, logger } = options;
  const now = options.now ?? Date.now;
  let lastFallbackLog = -Infinity;
  const limiters = new Map<string, RateLimiterAbstract>();
  for (const subject of ['ip', 'key'] as const) {
    for (const kind of Object.values(RateClasses)) {
      const base = { points: settings[subject][kind], duration: settings.windowS, keyPrefix: `${prefix}rl:${subject}:${kind}` };
      const limiter = redis
        ? new RateLimiterRedis({
            ...base,
            storeClient: redis,
            // Not ready (reconnecting): the insurance counts at once instead of queueing behind the reconnect.
            rejectIfRedisNotReady: true,
            insuranceLimiter: new InsuranceLimiter(base, () => {
              options.onFallback?.(kind, subject);
              const t = now();
              if (t - lastFallbackLog >= FALLBACK_LOG_EVERY_MS) {
                lastFallbackLog = t;
                logger.warn({ component: 'rate-limit' }, 'Redis cannot count request rates right now: each instance counts in its own memory until it returns (budgets then hold per instance, not per cluster)');
              }
            }),
          })
        : new RateLimiterMemory(base);
      limiters.set(`${subject}:${kind}`, limiter);
    }
  }
  return {
    kind: redis ? 'redis' : 'memory',
    async consume(kind, who) {
      const subject: RateSubject = who.keyId ? 'key' : 'ip';
      const limiter = limiters.get(`${subject}:${kind}`)!;
      try {
        await limiter.consume(who.keyId ?? who.ip);
        return undefined;
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) {
          options.onRefused?.(kind, subject);
          return rateLimited(kind, subject, settings[subject][kind], settings.windowS, rejection.msBeforeNext);
        }
        // Neither Redis nor the insurance could count (should not happen: the insurance is in memory).
        logger.error({ err: rejection, component: 'rate-limit' }, 'rate limiter failed: request let through');
        options.onFallback?.(kind, subject);
        return undefined;
      }
    },
  };
}
