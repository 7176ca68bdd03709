import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger, type Logger } from './logger.js';

/**
 * Applies the committed migrations (`prisma/migrations/<name>/migration.sql`) at server start, in-process,
 * to PGlite or a real Postgres.
 *
 * Why not spawn `prisma migrate deploy`: the CLI is a dev dependency (absent from a production install), it
 * only runs here with engine workarounds (PRISMA_*_ENGINE_* pointing at dummy files, `engine: 'js'` in
 * prisma.config.ts), and it cannot reach an embedded PGlite that this process already has open. Applying
 * plain SQL files needs none of that.
 *
 * The bookkeeping is Prisma Migrate's own, so the CLI and this module can take turns on one database:
 * - table `_prisma_migrations` with Prisma's DDL; `checksum` is the SHA-256 hex of the file's bytes, `id` a
 *   UUID v4, `applied_steps_count` 1 once the script ran, `finished_at` set on success;
 * - a migration is pending when no row with its name has `rolled_back_at IS NULL` (Prisma's rule);
 * - a row with `finished_at IS NULL AND rolled_back_at IS NULL` is a failed migration and blocks all further
 *   migrations until someone runs `prisma migrate resolve` (Prisma's P3009);
 * - session advisory lock 72707369, the key Prisma Migrate uses, so two servers starting together (or a
 *   server and the CLI) apply each migration once.
 * Unlike the CLI, each migration runs in one transaction together with its bookkeeping row, so a failed
 * migration leaves no half-applied schema behind. (Consequence: statements that refuse to run inside a
 * transaction, such as `CREATE INDEX CONCURRENTLY`, do not belong in these migrations.)
 *
 * Checked against the CLI (prisma 6.19.3, `engine: 'js'`, prisma.config.ts) after this module had migrated
 * the database, with exactly these commands (`npm run db:deploy` / `db:status` wrap the same):
 *
 *   DATABASE_URL='postgresql://postgres@127.0.0.1:5432/test?schema=smoke_1' \
 *     PRISMA_QUERY_ENGINE_LIBRARY=package.json PRISMA_SCHEMA_ENGINE_BINARY=package.json \
 *     npx prisma migrate deploy     # -> "No pending migrations to apply."   (then `migrate status`:
 *                                   #    "Database schema is up to date!")
 *   DATA_DIR=/tmp/pg-smoke/data \
 *     PRISMA_QUERY_ENGINE_LIBRARY=package.json PRISMA_SCHEMA_ENGINE_BINARY=package.json \
 *     npx prisma migrate deploy     # PGlite (server stopped): same two answers
 *
 * and the reverse: a schema migrated by `prisma migrate deploy` is recognised here (same checksum, nothing
 * re-applied). Both sides create `_prisma_migrations` with identical column types and defaults.
 * Do not use the CLI to *apply* migrations to PGlite: pglite-prisma-adapter 0.6.1's executeScript does not
 * await the script, so the CLI would record a failing migration as applied. This module is the way there.
 */

/**
 * The default migrations folder: `<project>/prisma/migrations`, the nearest one above this module. The module
 * runs at different depths below the project (`src/db/migrate.ts` under tsx and vitest, bundled into
 * `dist/main.js` by the build), so the folder is searched upwards rather than fixed relative to this file.
 */
export const DEFAULT_MIGRATIONS_DIR = findMigrationsDir(path.dirname(fileURLToPath(import.meta.url)));

function findMigrationsDir(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'prisma', 'migrations');
    if (existsSync(candidate)) return `${candidate}${path.sep}`;
    if (path.dirname(dir) === dir) return fileURLToPath(new URL('../../prisma/migrations/', import.meta.url));
  }
}

/** Prisma Migrate's advisory lock key (schema-engine, postgres flavour). */
export const PRISMA_MIGRATE_LOCK_KEY = 72707369;

/** One database session (a single connection) that the migrator owns for its whole run. */
export interface MigrationSession {
  /** One statement with `$1`-style parameters; returns the rows. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** A script of any number of statements, no parameters. */
  exec(sql: string): Promise<void>;
}

export interface MigrateOptions {
  migrationsDir?: string;
  /** Created when missing (Prisma's `?schema=`); the session's search_path must already point at it. */
  schema?: string;
  /** How long to wait for another process holding the migration lock. Default 60 s. */
  lockTimeoutMs?: number;
  logger?: Logger;
}

export interface MigrationFile {
  name: string;
  /** SHA-256 hex of the file's bytes, as Prisma computes it. */
  checksum: string;
  sql: string;
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: number;
}

interface MigrationRow {
  id: string;
  checksum: string;
  migration_name: string;
  finished_at: Date | string | null;
  rolled_back_at: Date | string | null;
  logs: string | null;
}

/** Prisma's DDL for the bookkeeping table (schema-engine, postgres flavour), plus IF NOT EXISTS. */
const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
);`;

export class MigrationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

export function migrationChecksum(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The migrations on disk, in Prisma's order (folder name, i.e. timestamp prefix). */
export async function readMigrations(dir: string = DEFAULT_MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const files: MigrationFile[] = [];
  for (const name of names) {
    let bytes: Buffer;
    try {
      bytes = await readFile(path.join(dir, name, 'migration.sql'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // Prisma skips such folders too
      throw error;
    }
    files.push({ name, checksum: migrationChecksum(bytes), sql: bytes.toString('utf8') });
  }
  return files;
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

async function acquireLock(session: MigrationSession, timeoutMs: number, logger: Logger): Promise<void> {
  // pg_try_advisory_lock in a loop rather than pg_advisory_lock: a bounded wait that works the same on
  // PGlite and Postgres, and never leaves a blocked backend behind if this process gives up.
  const deadline = Date.now() + timeoutMs;
  let logged = false;
  for (;;) {
    const [row] = await session.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [PRISMA_MIGRATE_LOCK_KEY]);
    if (row?.locked === true) return;
    if (Date.now() >= deadline) {
      throw new MigrationError(
        `timed out after ${timeoutMs} ms waiting for the migration lock (pg advisory lock ${PRISMA_MIGRATE_LOCK_KEY}); ` +
          'another server or `prisma migrate` is migrating this database, or holds the lock',
      );
    }
    if (!logged) {
      logger.info({ lockKey: PRISMA_MIGRATE_LOCK_KEY }, 'waiting for another process to finish migrating');
      logged = true;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Applies every pending migration, each in its own transaction, under Prisma's advisory lock.
 * Idempotent: a second run applies nothing.
 */
export async function applyMigrations(session: MigrationSession, options: MigrateOptions = {}): Promise<MigrateResult> {
  const logger = options.logger ?? silentLogger;
  const migrations = await readMigrations(options.migrationsDir);
  await acquireLock(session, options.lockTimeoutMs ?? 60_000, logger);
  try {
    if (options.schema !== undefined) await session.exec(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(options.schema)}`);
    await session.exec(CREATE_MIGRATIONS_TABLE);
    const rows = await session.query<MigrationRow>(
      'SELECT id, checksum, migration_name, finished_at, rolled_back_at, logs FROM _prisma_migrations ORDER BY started_at',
    );

    const failed = rows.find((r) => r.finished_at === null && r.rolled_back_at === null);
    if (failed) {
      throw new MigrationError(
        `migration ${failed.migration_name} failed earlier and blocks further migrations (Prisma P3009). ` +
          'Fix the cause, then mark it with `npx prisma migrate resolve --rolled-back ' +
          `${failed.migration_name}\` (this server ran it in a rolled-back transaction) or --applied. ` +
          `Recorded error: ${failed.logs ?? '(none)'}`,
      );
    }

    const live = rows.filter((r) => r.rolled_back_at === null);
    const onDisk = new Set(migrations.map((m) => m.name));
    for (const row of live) {
      if (!onDisk.has(row.migration_name)) {
        logger.warn({ migration: row.migration_name }, 'database has a migration that is not in prisma/migrations');
      }
    }

    const applied: string[] = [];
    for (const migration of migrations) {
      const existing = live.find((r) => r.migration_name === migration.name);
      if (existing) {
        if (existing.checksum !== migration.checksum) {
          // `prisma migrate deploy` ignores this too; `migrate dev` would ask for a reset.
          logger.warn({ migration: migration.name }, 'applied migration was edited afterwards (checksum differs); not re-applied');
        }
        continue;
      }
      await applyOne(session, migration, logger);
      applied.push(migration.name);
    }
    return { applied, alreadyApplied: migrations.length - applied.length };
  } finally {
    await session.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK_KEY]).catch(() => {});
  }
}

async function applyOne(session: MigrationSession, migration: MigrationFile, logger: Logger): Promise<void> {
  const id = randomUUID();
  const started = performance.now();
  try {
    await session.exec('BEGIN');
    await session.query(
      'INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)',
      [id, migration.checksum, migration.name],
    );
    await session.exec(migration.sql);
    await session.query(
      'UPDATE _prisma_migrations SET finished_at = now(), applied_steps_count = applied_steps_count + 1 WHERE id = $1',
      [id],
    );
    await session.exec('COMMIT');
  } catch (error) {
    await session.exec('ROLLBACK').catch(() => {});
    const message = error instanceof Error ? error.message : String(error);
    // Record the failure the way Prisma does (finished_at NULL, logs set) so `prisma migrate status` shows it
    // and nothing starts on a schema it does not expect. Best effort: the connection may be gone.
    await session
      .query(
        'INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, logs, applied_steps_count) VALUES ($1, $2, $3, now(), $4, 0)',
        [id, migration.checksum, migration.name, `${message}\n(applied in a transaction by perpgraph; it was rolled back)`],
      )
      .catch(() => {});
    throw new MigrationError(`migration ${migration.name} failed: ${message}`, { cause: error });
  }
  logger.info({ migration: migration.name, ms: Math.round(performance.now() - started) }, 'applied migration');
}
