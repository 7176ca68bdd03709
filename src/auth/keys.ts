import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys look like `pg_<prefix>_<secret>`: `prefix` is 12 hex characters (6 random bytes) that name the
 * key in listings and logs and find its row; `secret` is 32 random bytes, base64url (43 characters).
 *
 * Only SHA-256 of the secret is stored. A slow password hash (bcrypt, scrypt, argon2) exists to make
 * guessing a low-entropy password expensive; a 256-bit random secret cannot be guessed at any speed, so a
 * slow hash would add nothing but 50–100 ms of CPU to every authenticated request (and hand anyone holding
 * a made-up key a cheap way to burn the server's cores). GitHub and Stripe store their tokens the same way.
 */
export const KEY_PATTERN = /^pg_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export interface GeneratedKey {
  /** The whole key, shown to its owner once and never stored. */
  plaintext: string;
  prefix: string;
  /** SHA-256 hex of the secret part: what the database keeps. */
  secretHash: string;
}

export const hashSecret = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');

export function generateApiKey(): GeneratedKey {
  const prefix = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { plaintext: `pg_${prefix}_${secret}`, prefix, secretHash: hashSecret(secret) };
}

/** The prefix and secret of a well-formed key; undefined for anything else. */
export function parseApiKey(text: string): { prefix: string; secret: string } | undefined {
  const match = KEY_PATTERN.exec(text);
  return match ? { prefix: match[1]!, secret: match[2]! } : undefined;
}

/** The key of an `Authorization: Bearer <key>` header value (scheme case-insensitive); undefined when there is none. */
export function bearerToken(header: string | undefined | null): string | undefined {
  if (!header) return undefined;
  const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : header.trim() === '' ? undefined : '';
}

/** Compares the presented secret's hash with the stored one in constant time (both are 64 hex characters). */
export function secretMatches(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return stored.length === presented.length && timingSafeEqual(presented, stored);
}
