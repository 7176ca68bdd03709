import { randomUUID } from 'node:crypto';
import type { SqlExecutor } from '../db/database.js';
import { generateApiKey, hashSecret, parseApiKey } from './keys.js';
import { isScope, type Scope } from './scopes.js';

/** Where a key came from: the `apikey` CLI, the `createApiKey` mutation, or the ADMIN_API_KEY setting. */
export type ApiKeyOrigin = 'cli' | 'api' | 'bootstrap';

/** A stored key as listings show it: never its secret nor the secret's hash. */
export interface ApiKeyRecord {
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  origin: ApiKeyOrigin;
  /** Epoch ms. */
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

/** A stored key with the hash of its secret, for verification only (never leaves src/auth). */
export interface StoredApiKey extends ApiKeyRecord {
  secretHash: string;
}

export interface NewApiKey {
  name: string;
  scopes: readonly Scope[];
  expiresAt?: number | null;
  origin: ApiKeyOrigin;
}

export interface ApiKeyStore {
  /** Stores a new key; resolves with its record and the plaintext (the only time it exists outside its owner). */
  create(input: NewApiKey, now: number): Promise<{ record: ApiKeyRecord; plaintext: string }>;
  /** Every key, newest first, revoked and expired ones included. */
  list(): Promise<ApiKeyRecord[]>;
  /** Marks the key revoked (idempotent: an earlier revocation time is kept); undefined when there is no such id. */
  revoke(id: string, now: number): Promise<ApiKeyRecord | undefined>;
  findByPrefix(prefix: string): Promise<StoredApiKey | undefined>;
  touch(id: string, now: number): Promise<void>;
  /**
   * Stores ADMIN_API_KEY (hashed) as an admin key, and revokes any earlier bootstrap key with another
   * prefix (the setting was rotated). A bootstrap key revoked through the API stays revoked: rotate the
   * setting to get a working one. Resolves with the stored record.
   */
  ensureBootstrap(plaintext: string, now: number): Promise<ApiKeyRecord>;
}

interface Row {
  id: string;
  name: string;
  prefix: string;
  secret_hash: string;
  scopes: string[] | string | null;
  origin: string;
  created_at: Date | string;
  expires_at: Date | string | null;
  revoked_at: Date | string | null;
  last_used_at: Date | string | null;
}

const COLUMNS = 'id, name, prefix, secret_hash, scopes, origin, created_at, expires_at, revoked_at, last_used_at';

const ms = (value: Date | string | null): number | null => (value === null ? null : new Date(value).getTime());
const iso = (value: number | null | undefined): string | null => (value == null ? null : new Date(value).toISOString());

/** node-postgres returns text[] as an array; PGlite too, but a literal `{a,b}` is accepted as well. */
function scopesOf(value: string[] | string | null): Scope[] {
  if (value === null) return [];
  const list = Array.isArray(value) ? value : value.replace(/^\{|\}$/g, '').split(',').filter(Boolean);
  return list.filter(isScope);
}

function toStored(row: Row): StoredApiKey {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    secretHash: row.secret_hash,
    scopes: scopesOf(row.scopes),
    origin: row.origin as ApiKeyOrigin,
    createdAt: ms(row.created_at)!,
    expiresAt: ms(row.expires_at),
    revokedAt: ms(row.revoked_at),
    lastUsedAt: ms(row.last_used_at),
  };
}

function toRecord(row: Row): ApiKeyRecord {
  const { secretHash: _secretHash, ...record } = toStored(row);
  return record;
}

/** Postgres array literal of scope names (which are plain lowercase words). */
const arrayLiteral = (scopes: readonly Scope[]) => `{${[...new Set(scopes)].sort().join(',')}}`;

/** API keys in table `api_key` (migration 20261204231500_api_keys), through the driver like the snapshot hot path. */
export function createApiKeyStore(sql: SqlExecutor): ApiKeyStore {
  return {
    async create(input, now) {
      const key = generateApiKey();
      const { rows } = await sql.query<Row>(
        `INSERT INTO api_key (id, name, prefix, secret_hash, scopes, origin, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5::text[], $6, $7::timestamptz, $8::timestamptz) RETURNING ${COLUMNS}`,
        [randomUUID(), input.name, key.prefix, key.secretHash, arrayLiteral(input.scopes), input.origin, iso(now), iso(input.expiresAt)],
      );
      return { record: toRecord(rows[0]!), plaintext: key.plaintext };
    },
    async list() {
      const { rows } = await sql.query<Row>(`SELECT ${COLUMNS} FROM api_key ORDER BY created_at DESC, id`);
      return rows.map(toRecord);
    },
    async revoke(id, now) {
      const { rows } = await sql.query<Row>(
        `UPDATE api_key SET revoked_at = COALESCE(revoked_at, $2::timestamptz) WHERE id = $1 RETURNING ${COLUMNS}`,
        [id, iso(now)],
      );
      return rows[0] ? toRecord(rows[0]) : undefined;
    },
    async findByPrefix(prefix) {
      const { rows } = await sql.query<Row>(`SELECT ${COLUMNS} FROM api_key WHERE prefix = $1`, [prefix]);
      return rows[0] ? toStored(rows[0]) : undefined;
    },
    async touch(id, now) {
      await sql.query('UPDATE api_key SET last_used_at = $2::timestamptz WHERE id = $1', [id, iso(now)]);
    },
    async ensureBootstrap(plaintext, now) {
      const parsed = parseApiKey(plaintext);
      if (!parsed) throw new Error('ADMIN_API_KEY is not a perpgraph key (pg_<12 hex>_<43 base64url characters>)');
      const hash = hashSecret(parsed.secret);
      await sql.query(`UPDATE api_key SET revoked_at = $2::timestamptz WHERE origin = 'bootstrap' AND prefix <> $1 AND revoked_at IS NULL`, [parsed.prefix, iso(now)]);
      const { rows } = await sql.query<Row>(
        `INSERT INTO api_key (id, name, prefix, secret_hash, scopes, origin, created_at)
         VALUES ($1, 'ADMIN_API_KEY', $2, $3, '{admin}'::text[], 'bootstrap', $4::timestamptz)
         ON CONFLICT (prefix) DO UPDATE SET secret_hash = EXCLUDED.secret_hash, scopes = EXCLUDED.scopes, origin = 'bootstrap'
         RETURNING ${COLUMNS}`,
        [randomUUID(), parsed.prefix, hash, iso(now)],
      );
      return toRecord(rows[0]!);
    },
  };
}
