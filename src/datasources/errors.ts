/**
 * Upstream error hierarchy. Knows nothing of GraphQL; `src/errors.ts` maps these to API error codes.
 */
export class DataSourceError extends Error {
  constructor(
    message: string,
    readonly venue: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The venue could not be reached or answered in a way that says "not now". */
export class NetworkError extends DataSourceError {}

export class RateLimitError extends NetworkError {
  constructor(venue: string, readonly retryAfterMs: number, options?: { cause?: unknown }) {
    super(`${venue} rate limit hit; retry after ${retryAfterMs} ms`, venue, options);
  }
}

export class BannedError extends NetworkError {
  constructor(venue: string, readonly bannedUntil: number, options?: { cause?: unknown }) {
    super(`${venue} banned this IP until ${new Date(bannedUntil).toISOString()}`, venue, options);
  }
}

export class TimeoutError extends NetworkError {}

export class UpstreamUnavailableError extends NetworkError {}

/** The venue answered with a payload that failed validation. Carries the issues, not the body. */
export class BadResponseError extends DataSourceError {
  constructor(
    venue: string,
    readonly endpoint: string,
    readonly issues: readonly string[],
  ) {
    super(`${venue} ${endpoint}: unexpected payload (${issues.slice(0, 3).join('; ')})`, venue);
  }
}

export class BadSymbolError extends DataSourceError {
  constructor(venue: string, readonly symbol: string) {
    super(`${venue} does not list symbol "${symbol}"`, venue);
  }
}
