import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';
import type { SqlDriverAdapterFactory } from '@prisma/client/runtime/client';

/**
 * Driver-adapter construction shared by the runtime (`database.ts`) and the Prisma CLI
 * (`prisma.config.ts`). Deliberately free of the generated client so the CLI can load it before
 * `prisma generate` has ever run.
 *
 * Pinned combination (re-check when upgrading any of them):
 * - `prisma` / `@prisma/client` 6.19.3 with `engineType = "client"` (Rust-free query compiler; Prisma 7's
 *   CLI cannot run here because it downloads its schema engine).
 * - `@prisma/adapter-pg` 7.10.1 for real Postgres: the 6.19.x adapter cannot deserialize the `name`
 *   column type (prisma/orm#27403), which breaks `prisma migrate deploy/status`. 7.10.1 speaks the same
 *   argument-type protocol (`{ scalarType, dbType, arity }`) as the 6.19 client, so runtime queries work too
 *   (covered by tests/integration/database.test.ts).
 * - `pglite-prisma-adapter` 0.6.1 + `@electric-sql/pglite` for the embedded database.
 * Runtime migrations do not go through either adapter's `executeScript` (adapter-pg 7 splits scripts on `;`
 * and runs the pieces on any pooled connection; the PGlite adapter does not await its script): see migrate.ts.
 *
 * Both adapters are imported on demand: the server runs no Prisma query (its statements go straight through
 * the driver, `Database.sql`), so neither they nor the Prisma client are loaded unless something asks for
 * the client (`Database.prisma()`, the CLI), which keeps ≈ 20–25 MB of modules and wasm out of the server's RSS.
 */

export interface PostgresTarget {
  /** Connection string without Prisma's `schema` parameter (node-postgres does not know it). */
  connectionString: string;
  /** Postgres schema from `?schema=`, Prisma's URL convention; undefined means the server's search_path. */
  schema: string | undefined;
}

/**
 * Splits Prisma's `?schema=` parameter off a Postgres URL. node-postgres ignores it, so the schema is
 * applied as the session `search_path` (for unqualified SQL such as migrations) and as the adapter's
 * `schema` option (for queries the Prisma client generates).
 */
export function parsePostgresUrl(url: string): PostgresTarget {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') ?? undefined;
  parsed.searchParams.delete('schema');
  if (schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_$]{0,62}$/.test(schema)) {
    throw new Error(`DATABASE_URL schema must be a plain Postgres identifier (got ${JSON.stringify(schema)})`);
  }
  return { connectionString: parsed.toString(), schema };
}

export interface PostgresAdapterOptions {
  /** Give up connecting after this many milliseconds instead of node-postgres' default of never. */
  connectTimeoutMs?: number;
  /** Pool size (node-postgres default 10). */
  maxConnections?: number;
  /** Errors of idle pooled connections (server restart, network loss); without a handler they would be lost. */
  onError?: (err: Error) => void;
  /** Use this pool (the caller ends it) instead of one the adapter creates. */
  pool?: pg.Pool;
}

/** Pool settings for a Postgres URL, shared by the adapter and the migrator's dedicated session. */
export function postgresPoolConfig(target: PostgresTarget, options: PostgresAdapterOptions = {}) {
  return {
    connectionString: target.connectionString,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    max: options.maxConnections ?? 10,
    // A startup parameter rather than `SET`, so every pooled connection gets it, including the ones the
    // Prisma CLI's schema engine opens.
    ...(target.schema === undefined ? {} : { options: `-c search_path=${target.schema}` }),
  };
}

export async function createPostgresAdapter(url: string, options: PostgresAdapterOptions = {}): Promise<PrismaPg> {
  const target = parsePostgresUrl(url);
  const { PrismaPg } = await import('@prisma/adapter-pg');
  return new PrismaPg(options.pool ?? postgresPoolConfig(target, options), {
    ...(target.schema === undefined ? {} : { schema: target.schema }),
    ...(options.onError === undefined ? {} : { onPoolError: options.onError, onConnectionError: options.onError }),
  });
}

/** The embedded database lives in `<dataDir>/pglite`. */
export function pgliteDir(dataDir: string): string {
  return path.resolve(dataDir, 'pglite');
}

/** Opens (creating when missing) the file-backed embedded Postgres under `<dataDir>/pglite`. */
export async function openPGlite(dataDir: string): Promise<PGlite> {
  const dir = pgliteDir(dataDir);
  await mkdir(dir, { recursive: true });
  return PGlite.create(dir, {
    // In PGlite 0.5.16 Postgres's 10-s startup-progress timer (log_startup_progress_interval) keeps
    // re-arming after the database has been used, and a pending timer keeps Node's event loop alive: every
    // Prisma CLI command (which never closes its adapter) hung after printing its result, as would any
    // process that forgets close(). 0 turns that timer off (PGlite writes it to the dir's postgresql.conf).
    //
    // Memory: PGlite keeps Postgres's 128 MB shared_buffers inside the wasm heap, which only grows, so the
    // embedded server sat at ~570 MB RSS against ~280 MB with a real Postgres. The history workload is
    // append-mostly with small indexed reads; 16 MB of buffers (the OS page cache still holds the files)
    // measured 123 MB less RSS after 4 000 × 8 KB jsonb rows. work_mem/maintenance_work_mem bound sorts
    // (history ORDER BY … LIMIT uses the index) and index builds during migrations.
    postgresqlconf: [
      'log_startup_progress_interval = 0',
      'shared_buffers = 16MB',
      'wal_buffers = 1MB',
      'work_mem = 2MB',
      'maintenance_work_mem = 16MB',
    ],
  });
}

/**
 * Driver-adapter factory as Prisma 6.19 types it. pglite-prisma-adapter 0.6.1 was compiled against
 * driver-adapter-utils 6.10, whose `ArgType` was a string (6.19 sends objects); the adapter never reads
 * `argTypes`, so only the declaration differs and the cast below is sound at runtime (the integration tests
 * run every query shape the app uses through it).
 */
export type PGliteAdapterFactory = SqlDriverAdapterFactory & {
  connectToShadowDb(): ReturnType<SqlDriverAdapterFactory['connect']>;
};

export async function createPGliteAdapter(client: PGlite): Promise<PGliteAdapterFactory> {
  const { PrismaPGlite } = await import('pglite-prisma-adapter');
  return new PrismaPGlite(client) as unknown as PGliteAdapterFactory;
}
