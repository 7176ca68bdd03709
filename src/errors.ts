import { GraphQLError } from 'graphql';
import { BadSymbolError, BannedError, NetworkError, RateLimitError } from './datasources/errors.js';

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

/**
 * Maps upstream errors to coded API errors; anything unknown is returned unchanged so yoga masks it
 * (and logs it with context).
 */
export function toAppError(error: unknown): unknown {
  if (error instanceof GraphQLError) return error;
  if (error instanceof BadSymbolError) return badInput(error.message, { symbol: error.symbol });
  if (error instanceof RateLimitError)
    return new AppError(ErrorCodes.UPSTREAM_RATE_LIMITED, error.message, { venue: error.venue, retryAfterMs: error.retryAfterMs });
  if (error instanceof BannedError)
    return new AppError(ErrorCodes.UPSTREAM_RATE_LIMITED, error.message, { venue: error.venue, bannedUntil: error.bannedUntil });
  if (error instanceof NetworkError) return new AppError(ErrorCodes.UPSTREAM_UNAVAILABLE, error.message, { venue: error.venue });
  return error;
}
