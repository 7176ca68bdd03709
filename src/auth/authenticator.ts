import { AppError, ErrorCodes } from '../errors.js';
import type { ApiKeyStore } from './key-store.js';
import { bearerToken, parseApiKey, secretMatches } from './keys.js';
import type { AuthContext } from './scopes.js';

/**
 * What a request's credentials came to: `auth` for a valid key; `failure` (UNAUTHENTICATED) when a key
 * was presented but is malformed, unknown, wrong, revoked or expired; neither when none was presented.
 */
export interface RequestAuth {
  auth: AuthContext | null;
  failure: AppError | null;
}

export const ANONYMOUS: RequestAuth = Object.freeze({ auth: null, failure: null });

/** How long `last_used_at` may lag: it is written at most once per key in this interval. */
const TOUCH_EVERY_MS = 60_000;

export interface Authenticator {
  /** Resolves an `Authorization` header value (or a bare key). Never throws for bad credentials; a store failure rejects. */
  authenticate(header: string | undefined | null): Promise<RequestAuth>;
}

export const unauthenticated = (message: string) =>
  new AppError(ErrorCodes.UNAUTHENTICATED, message, { http: { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="perpgraph"' } } });

const failed = (message: string): RequestAuth => ({ auth: null, failure: unauthenticated(message) });

/**
 * Looks a key up by its prefix and compares the hash of its secret in constant time. The failure
 * messages say what is wrong (revoked, expired) only once the secret matched, so they tell nothing to
 * someone who does not hold the key.
 */
export function createAuthenticator(options: { store: ApiKeyStore; now: () => number; onTouchError?: (error: unknown) => void }): Authenticator {
  const touched = new Map<string, number>();
  return {
    async authenticate(header) {
      const token = header?.startsWith('pg_') ? header : bearerToken(header);
      if (token === undefined) return ANONYMOUS;
      const parsed = parseApiKey(token);
      if (!parsed) return failed('The Authorization header must be "Bearer pg_<prefix>_<secret>" with a perpgraph API key.');
      const stored = await options.store.findByPrefix(parsed.prefix);
      if (!stored || !secretMatches(parsed.secret, stored.secretHash)) return failed('API key not recognised.');
      const now = options.now();
      if (stored.revokedAt !== null) return failed(`API key ${stored.prefix} was revoked.`);
      if (stored.expiresAt !== null && stored.expiresAt <= now) return failed(`API key ${stored.prefix} expired at ${new Date(stored.expiresAt).toISOString()}.`);
      if (now - (touched.get(stored.id) ?? -Infinity) >= TOUCH_EVERY_MS) {
        touched.set(stored.id, now);
        if (touched.size > 10_000) touched.delete(touched.keys().next().value as string);
        options.store.touch(stored.id, now).catch((error: unknown) => options.onTouchError?.(error));
      }
      return { auth: { keyId: stored.id, name: stored.name, scopes: new Set(stored.scopes) }, failure: null };
    },
  };
}
