import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { SqlDriverAdapterFactory } from '@prisma/client/runtime/client';
import type { PrismaClient } from '../generated/prisma/client.js';
import { createPGliteAdapter, createPostgresAdapter, openPGlite, parsePostgresUrl, pgliteDir, postgresPoolConfig } from './adapters.js';
import { silentLogger, type Logger } from './logger.js';
import { seedFromTemplate } from './pglite-seed.js';
import { applyMigrations, type MigrateOptions, type MigrationSession } from './migrate.js';

export type DatabaseKind = 'postgres' | 'pglite';

export interface DatabaseOptions {
  /** Postgres URL (`?schema=` honoured). Unset: embedded PGlite under `<dataDir>/pglite`. */
  url?: string;
  /** Root of the embedded database's files; created when missing. Unused when `url` is set. */
  dataDir: string;
  logger?: Logger;
  /** Overrides for the start-up migration run (tests point `migrationsDir` elsewhere). */
  migrations?: Pick<MigrateOptions, 'migrationsDir' | 'lockTimeoutMs'>;
  /**
   * Embedded only: a data dir holding an initialised, migrated `pglite/` (the build's dist/pglite-template),
   * copied when `<dataDir>/pglite` does not exist yet instead of running initdb. See pglite-seed.ts.
   */
  template?: string;
  /** Postgres: give up connecting after this many milliseconds. Default 5000. */
  connectTimeoutMs?: number;
}

/**
 * Parameterised SQL straight through the driver (node-postgres pool or PGlite), bypassing Prisma's query
 * compiler. The hot paths (snapshot batches, retention) use it: Prisma's per-call compilation of `createMany`
 * was half of an idle server's CPU.
 */
export interface SqlExecutor {
  query<T = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<{ rows: T[]; affectedRows: number }>;
}

export interface Database {
  /**
   * The Prisma client over the same connection(s) as `sql`, created on the first call. The server itself
   * runs every statement through `sql`, so the client (its modules and wasm query compiler, with the driver
   * adapter: ≈ 20–25 MB of RSS) is only loaded for callers that ask for it (tests, tools).
   */
  prisma(): Promise<PrismaClient>;
  /** Parameterised statements straight through the driver. */
  sql: SqlExecutor;
  kind: DatabaseKind;
  /** `SELECT 1`; rejects when the database does not answer within `timeoutMs` (default 2000). */
  ping(timeoutMs?: number): Promise<void>;
  /** Disconnects the client and closes the pool or the embedded database. Idempotent. */
  close(): Promise<void>;
}

/**
 * PGlite is a single-process database: a second instance on the same files would corrupt them. Guards the
 * in-process case; across processes, do not point two servers (or the CLI and a server) at one data dir.
 */
const openPGliteDirs = new Set<string>();

/**
 * Opens the database and applies pending migrations before returning, so callers never see an old schema.
 * Postgres when `url` is set (driver adapter `@prisma/adapter-pg`), otherwise file-backed PGlite.
 */
export async function createDatabase(options: DatabaseOptions): Promise<Database> {
  return options.url ? openPostgres(options.url, options) : openEmbedded(options);
}

async function openPostgres(url: string, options: DatabaseOptions): Promise<Database> {
  const logger = options.logger ?? silentLogger;
  const { schema } = parsePostgresUrl(url);
  const onError = (err: Error) => logger.warn({ err }, 'postgres connection error');
  const poolOptions = options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs };
  // One pool shared by Prisma (through the adapter) and the raw statements of `sql`.
  const pool = new pg.Pool(postgresPoolConfig(parsePostgresUrl(url), poolOptions));
  pool.on('error', onError);

  // Migrations need one dedicated connection (session advisory lock, explicit transactions): one client
  // checked out of the pool for the whole run, released before anything else uses the pool.
  try {
    const client = await pool.connect();
    try {
      const session: MigrationSession = {
        async query<T>(sql: string, params: unknown[] = []) {
          return (await client.query(sql, params)).rows as T[];
        },
        async exec(sql: string) {
          await client.query(sql);
        },
      };
      await applyMigrations(session, { ...options.migrations, ...(schema === undefined ? {} : { schema }), logger });
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }

  const prisma = lazyClient(async () => createPostgresAdapter(url, { ...poolOptions, onError, pool }));
  const sql: SqlExecutor = {
    async query<T>(text: string, params: readonly unknown[] = []) {
      const result = await pool.query(text, params as unknown[]);
      return { rows: result.rows as T[], affectedRows: result.rowCount ?? 0 };
    },
  };
  return wrap(prisma.get, sql, 'postgres', async () => {
    try {
      await prisma.disconnect();
    } finally {
      await pool.end();
    }
  });
}

async function openEmbedded(options: DatabaseOptions): Promise<Database> {
  const logger = options.logger ?? silentLogger;
  const dir = pgliteDir(options.dataDir);
  if (openPGliteDirs.has(dir)) throw new Error(`embedded database ${dir} is already open in this process`);
  openPGliteDirs.add(dir);
  let pglite: PGlite | undefined;
  try {
    if (options.template && (await seedFromTemplate(options.dataDir, options.template).catch(() => false))) {
      logger.info({ template: options.template }, 'embedded database created from the build template');
    }
    pglite = await openPGlite(options.dataDir);
    const client = pglite;
    const session: MigrationSession = {
      async query<T>(sql: string, params: unknown[] = []) {
        return (await client.query<T>(sql, params)).rows;
      },
      async exec(sql: string) {
        await client.exec(sql);
      },
    };
    await applyMigrations(session, { ...options.migrations, logger });
    const prisma = lazyClient(() => createPGliteAdapter(client));
    const sql: SqlExecutor = {
      async query<T>(text: string, params: readonly unknown[] = []) {
        const result = await client.query<T>(text, params as unknown[]);
        return { rows: result.rows, affectedRows: result.affectedRows ?? 0 };
      },
    };
    return wrap(prisma.get, sql, 'pglite', async () => {
      try {
        await prisma.disconnect();
        await client.close();
      } finally {
        openPGliteDirs.delete(dir);
      }
    });
  } catch (error) {
    await pglite?.close().catch(() => {});
    openPGliteDirs.delete(dir);
    throw error;
  }
}

/** A Prisma client created (module imported, adapter built) on the first `get()`; `disconnect()` only if it was. */
function lazyClient(adapter: () => Promise<SqlDriverAdapterFactory>) {
  let client: Promise<PrismaClient> | undefined;
  return {
    get: () =>
      (client ??= (async () => {
        const [{ PrismaClient: Client }, factory] = await Promise.all([import('../generated/prisma/client.js'), adapter()]);
        return new Client({ adapter: factory });
      })()),
    async disconnect() {
      if (client) await (await client.catch(() => undefined))?.$disconnect();
    },
  };
}

function wrap(prisma: () => Promise<PrismaClient>, sql: SqlExecutor, kind: DatabaseKind, closeOnce: () => Promise<void>): Database {
  let closing: Promise<void> | undefined;
  return {
    prisma,
    sql,
    kind,
    async ping(timeoutMs = 2_000) {
      let timer: NodeJS.Timeout | undefined;
      const query = sql.query('SELECT 1');
      // The query keeps running after a timeout; it must not surface as an unhandled rejection later.
      query.catch(() => {});
      try {
        await Promise.race([
          query,
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`database did not answer within ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
      } finally {
        clearTimeout(timer);
      }
    },
    close() {
      closing ??= closeOnce();
      return closing;
    },
  };
}
