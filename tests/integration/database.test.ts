import { createHash, randomUUID } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createCuttableProxy } from '../support/cuttable-proxy.js';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openPGlite } from '../../src/db/adapters.js';
import { createDatabase, type Database } from '../../src/db/database.js';
import { DEFAULT_MIGRATIONS_DIR, MigrationError } from '../../src/db/migrate.js';
import { createSnapshotRepository, type SnapshotRow } from '../../src/db/snapshot-repository.js';
import { createSnapshotWriter } from '../../src/engine/snapshot-writer.js';

const DATABASE_URL = process.env.DATABASE_URL || undefined;

interface MigrationRecord {
  id: string;
  checksum: string;
  migration_name: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
  applied_steps_count: number;
}

/** The committed migrations and their checksums, computed here independently of src/db/migrate.ts. */
async function committedMigrations(): Promise<{ name: string; checksum: string }[]> {
  const names = (await readdir(DEFAULT_MIGRATIONS_DIR, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return Promise.all(
    names.map(async (name) => ({
      name,
      checksum: createHash('sha256')
        .update(await readFile(path.join(DEFAULT_MIGRATIONS_DIR, name, 'migration.sql')))
        .digest('hex'),
    })),
  );
}

async function migrationRecords(db: Database): Promise<MigrationRecord[]> {
  return (await db.prisma()).$queryRawUnsafe<MigrationRecord[]>(
    'SELECT id, checksum, migration_name, finished_at, rolled_back_at, logs, applied_steps_count FROM _prisma_migrations ORDER BY started_at, migration_name',
  );
}

const T0 = Date.UTC(2026, 0, 1);
function snapshot(minute: number, over: Partial<SnapshotRow> = {}): SnapshotRow {
  return {
    kind: 'FUNDING',
    symbol: 'BTCUSDT',
    asOf: T0 + minute * 60_000,
    methodologyVersion: 'funding/1',
    source: 'SIMULATED',
    venue: 'sim',
    payload: { minute, score: minute / 10, factors: [{ name: 'z', value: -1.25 }] },
    ...over,
  };
}

/** Shared assertions, run against PGlite and (when DATABASE_URL is set) real Postgres. */
function contract(open: () => Promise<Database>, kind: Database['kind']) {
  it('applies the committed migrations on a fresh database and records them exactly as prisma migrate does', async () => {
    const db = await open();
    try {
      expect(db.kind).toBe(kind);
      const expected = await committedMigrations();
      expect(expected.length, 'at least the init migration is committed').toBeGreaterThanOrEqual(1);
      const records = await migrationRecords(db);
      expect(records.map((r) => [r.migration_name, r.checksum])).toEqual(expected.map((m) => [m.name, m.checksum]));
      for (const r of records) {
        expect(r.id, 'uuid v4 like Prisma').toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(r.finished_at, 'finished').toBeInstanceOf(Date);
        expect(r.rolled_back_at).toBeNull();
        expect(r.logs).toBeNull();
        expect(r.applied_steps_count).toBe(1);
      }
      const tables = await (await db.prisma()).$queryRawUnsafe<{ t: string | null }[]>(`SELECT to_regclass('analysis_snapshot')::text AS t`);
      expect(tables[0]?.t).toBe('analysis_snapshot');
      await db.ping();
    } finally {
      await db.close();
    }
  });

  it('is idempotent: a second start applies nothing and keeps the same records', async () => {
    const first = await open();
    const before = await migrationRecords(first);
    await first.close();
    const second = await open();
    try {
      expect(await migrationRecords(second)).toEqual(before);
    } finally {
      await second.close();
    }
  });

  it('round-trips snapshots; query filters by kind, symbol, from/to (inclusive) and limit, newest first', async () => {
    const db = await open();
    try {
      const repo = createSnapshotRepository(db);
      const rows = [
        ...[0, 1, 2, 3, 4, 5].map((m) => snapshot(m)),
        snapshot(2, { symbol: 'ETHUSDT' }),
        snapshot(3, { kind: 'BASIS' }),
      ];
      // Inserted out of order on purpose: ordering must come from asOf, not insertion.
      expect(await repo.insertMany([rows[3]!, rows[0]!, rows[5]!, rows[1]!, rows[4]!, rows[2]!, rows[6]!, rows[7]!])).toBe(8);
      expect(await repo.insertMany([]), 'an empty batch is a no-op').toBe(0);

      const all = await repo.query({ kind: 'FUNDING', symbol: 'BTCUSDT', limit: 100 });
      expect(all.map((r) => r.asOf), 'newest first, other symbols and kinds excluded').toEqual([5, 4, 3, 2, 1, 0].map((m) => T0 + m * 60_000));
      expect(all[1], 'every field survives the round trip; asOf is epoch ms again').toEqual(snapshot(4));

      const window = await repo.query({ kind: 'FUNDING', symbol: 'BTCUSDT', from: T0 + 60_000, to: T0 + 4 * 60_000, limit: 100 });
      expect(window.map((r) => (r.payload as { minute: number }).minute), 'from and to are inclusive').toEqual([4, 3, 2, 1]);

      const limited = await repo.query({ kind: 'FUNDING', symbol: 'BTCUSDT', to: T0 + 4 * 60_000, limit: 2 });
      expect(limited.map((r) => (r.payload as { minute: number }).minute), 'limit keeps the newest').toEqual([4, 3]);

      const eth = await repo.query({ kind: 'FUNDING', symbol: 'ETHUSDT', limit: 10 });
      expect(eth).toEqual([snapshot(2, { symbol: 'ETHUSDT' })]);

      const ms = await repo.query({ kind: 'FUNDING', symbol: 'BTCUSDT', from: T0 + 5 * 60_000 + 1, limit: 10 });
      expect(ms, 'millisecond precision: nothing after the newest row').toEqual([]);

      await repo.insertMany([snapshot(9, { asOf: T0 + 123, payload: { at: new Date(T0), missing: undefined, nan: Number.NaN } })]);
      const [json] = await repo.query({ kind: 'FUNDING', symbol: 'BTCUSDT', from: T0 + 123, to: T0 + 123, limit: 1 });
      expect(json?.payload, 'payload is stored as JSON would serialise it').toEqual({ at: '2026-01-01T00:00:00.000Z', nan: null });

      // The batch travels as Postgres array literals: quotes, backslashes, braces, commas, NULL-looking text
      // and non-ASCII must come back byte for byte, and 1 200 rows are still one statement.
      const awkward = { note: 'say "hi" \\ {a,b} NULL', text: 'NULL', unicode: 'µ–😀', nested: [{ '"k"': '\\"' }] };
      const many = Array.from({ length: 1_200 }, (_, i) => snapshot(1_000 + i, { kind: 'VOLUME', venue: i === 0 ? 'v"e\\n{' : 'sim', payload: i === 0 ? awkward : { i } }));
      expect(await repo.insertMany(many)).toBe(1_200);
      const back = await repo.query({ kind: 'VOLUME', symbol: 'BTCUSDT', to: T0 + 1_000 * 60_000, limit: 5 });
      expect(back, 'awkward text survives the array encoding').toEqual([many[0]]);
      const newest = await repo.query({ kind: 'VOLUME', symbol: 'BTCUSDT', limit: 1 });
      expect(newest[0]?.payload).toEqual({ i: 1_199 });

      await expect(repo.query({ kind: 'FUNDING', symbol: 'BTCUSDT', limit: 0 })).rejects.toThrow(/limit must be a positive integer/);
      await expect(repo.insertMany([snapshot(0, { asOf: Number.NaN })])).rejects.toThrow(/asOf must be a finite/);
    } finally {
      await db.close();
    }
  });
}

describe('embedded PGlite database', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'perpgraph-db-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  describe('contract', () => {
    let dataDir: string;
    beforeAll(async () => {
      dataDir = path.join(root, 'contract');
    });
    contract(() => createDatabase({ dataDir }), 'pglite');
  });

  it('creates <dataDir>/pglite and keeps data across close and reopen', async () => {
    const dataDir = path.join(root, 'nested', 'data');
    const first = await createDatabase({ dataDir });
    await createSnapshotRepository(first).insertMany([snapshot(1), snapshot(2)]);
    await first.close();
    await first.close(); // idempotent
    await expect(first.ping(), 'a closed database does not answer').rejects.toThrow();

    expect((await readdir(path.join(dataDir, 'pglite'))).includes('PG_VERSION')).toBe(true);
    const second = await createDatabase({ dataDir });
    try {
      const rows = await createSnapshotRepository(second).query({ kind: 'FUNDING', symbol: 'BTCUSDT', limit: 10 });
      expect(rows).toEqual([snapshot(2), snapshot(1)]);
      const { rows: settings } = await second.sql.query<{ shared_buffers: string }>('SHOW shared_buffers');
      expect(settings[0]?.shared_buffers, 'the reopened embedded database keeps the small buffer pool (PGlite default 128MB)').toBe('16MB');
    } finally {
      await second.close();
    }
  });

  it('refuses to open one data dir twice in a process (PGlite would corrupt it)', async () => {
    const dataDir = path.join(root, 'twice');
    const db = await createDatabase({ dataDir });
    try {
      await expect(createDatabase({ dataDir })).rejects.toThrow(/already open/);
    } finally {
      await db.close();
    }
  });

  it('rolls a failing migration back, records it like Prisma (P3009) and refuses to start until resolved', async () => {
    const dataDir = path.join(root, 'broken');
    const migrationsDir = path.join(root, 'broken-migrations');
    await cp(DEFAULT_MIGRATIONS_DIR, migrationsDir, { recursive: true });
    await mkdir(path.join(migrationsDir, '29990101000000_broken'));
    await writeFile(path.join(migrationsDir, '29990101000000_broken', 'migration.sql'), 'CREATE TABLE half_done (id int);\nSELECT 1/0;\n');

    await expect(createDatabase({ dataDir, migrations: { migrationsDir } })).rejects.toThrow(/29990101000000_broken failed: division by zero/);
    await expect(createDatabase({ dataDir, migrations: { migrationsDir } })).rejects.toThrow(MigrationError);
    await expect(createDatabase({ dataDir, migrations: { migrationsDir } })).rejects.toThrow(/P3009.*migrate resolve --rolled-back 29990101000000_broken/s);

    const pg = await openPGlite(dataDir);
    try {
      const half = await pg.query<{ t: string | null }>(`SELECT to_regclass('half_done')::text AS t`);
      expect(half.rows[0]?.t, 'the transaction left nothing behind').toBeNull();
      const records = await pg.query<MigrationRecord>('SELECT migration_name, finished_at, logs, applied_steps_count FROM _prisma_migrations ORDER BY migration_name');
      const committed = await committedMigrations();
      expect(records.rows.map((r) => [r.migration_name, r.finished_at === null, r.applied_steps_count])).toEqual([
        ...committed.map((m) => [m.name, false, 1]),
        ['29990101000000_broken', true, 0],
      ]);
      expect(records.rows[committed.length]?.logs).toMatch(/division by zero/);
      // What `prisma migrate resolve --rolled-back` does; afterwards the fixed migration applies.
      await pg.query(`UPDATE _prisma_migrations SET rolled_back_at = now() WHERE migration_name = '29990101000000_broken'`);
    } finally {
      await pg.close();
    }
    await writeFile(path.join(migrationsDir, '29990101000000_broken', 'migration.sql'), 'CREATE TABLE half_done (id int);\n');
    const db = await createDatabase({ dataDir, migrations: { migrationsDir } });
    try {
      const live = (await migrationRecords(db)).filter((r) => r.rolled_back_at === null);
      expect(live.map((r) => r.migration_name)).toEqual([...(await committedMigrations()).map((m) => m.name), '29990101000000_broken']);
    } finally {
      await db.close();
    }
  });
});

/**
 * Real Postgres: each run works in its own schema (`?schema=perpgraph_test_<random>`, Prisma's URL
 * convention, applied as search_path and as adapter-pg's `schema` option) and drops it afterwards.
 */
describe.skipIf(!DATABASE_URL)('Postgres database (DATABASE_URL)', () => {
  const schemas: string[] = [];
  function freshUrl(): string {
    const schema = `perpgraph_test_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    schemas.push(schema);
    const url = new URL(DATABASE_URL!);
    url.searchParams.set('schema', schema);
    return url.toString();
  }

  afterAll(async () => {
    if (schemas.length === 0) return;
    // Connect through one of the test schemas (already migrated, so this opens without side effects
    // elsewhere) and drop them all, that one included.
    const url = new URL(DATABASE_URL!);
    url.searchParams.set('schema', schemas[0]!);
    const admin = await createDatabase({ url: url.toString(), dataDir: os.tmpdir() });
    try {
      for (const schema of schemas) await (await admin.prisma()).$executeRawUnsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    } finally {
      await admin.close();
    }
  });

  describe('contract', () => {
    let url: string;
    beforeAll(() => {
      url = freshUrl();
    });
    contract(() => createDatabase({ url, dataDir: os.tmpdir() }), 'postgres');
  });

  it('two servers starting together on a fresh database both succeed and migrate once (advisory lock)', async () => {
    const url = freshUrl();
    const dbs = await Promise.all([0, 1, 2].map(() => createDatabase({ url, dataDir: os.tmpdir() })));
    try {
      const records = await migrationRecords(dbs[0]!);
      expect(records.map((r) => r.migration_name)).toEqual((await committedMigrations()).map((m) => m.name));
      for (const db of dbs) await db.ping();
    } finally {
      await Promise.all(dbs.map((db) => db.close()));
    }
  });

  it('keeps the schema from the URL: nothing lands in public', async () => {
    const url = freshUrl();
    const schema = new URL(url).searchParams.get('schema');
    const db = await createDatabase({ url, dataDir: os.tmpdir() });
    try {
      await createSnapshotRepository(db).insertMany([snapshot(1)]);
      const where = await (await db.prisma()).$queryRawUnsafe<{ schemaname: string; n: number }[]>(
        `SELECT schemaname, n_live_tup::int AS n FROM pg_stat_user_tables WHERE relname = 'analysis_snapshot' AND schemaname = $1`,
        schema,
      );
      expect(where.map((w) => w.schemaname)).toEqual([schema]);
      const counted = await (await db.prisma()).$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM "${schema}".analysis_snapshot`);
      expect(counted[0]?.n).toBe(1);
    } finally {
      await db.close();
    }
  });

  describe('through a proxy that can cut the connection', () => {
    let proxy: ReturnType<typeof createCuttableProxy>;
    let db: Database | undefined;
    afterEach(async () => {
      await db?.close();
      db = undefined;
      await proxy?.close();
    });

    it('ping rejects while the database is unreachable; the writer buffers and then writes everything in order', async () => {
      const target = new URL(DATABASE_URL!);
      proxy = createCuttableProxy(target.hostname, Number(target.port || 5432));
      const port = await proxy.open();
      const url = new URL(freshUrl());
      url.hostname = '127.0.0.1';
      url.port = String(port);
      db = await createDatabase({ url: url.toString(), dataDir: os.tmpdir(), connectTimeoutMs: 1_000 });
      const repo = createSnapshotRepository(db);
      const writer = createSnapshotWriter({ store: repo, flushEveryMs: 60_000, maxBuffered: 100, batchSize: 2 });
      await db.ping();

      await proxy.cut();
      await expect(db.ping(500), 'unreachable').rejects.toThrow();
      for (const m of [0, 1, 2, 3, 4]) writer.enqueue(snapshot(m));
      await writer.flush();
      expect(writer.stats()).toMatchObject({ buffered: 5, written: 0, failedFlushes: 1 });

      await proxy.open(port);
      await db.ping();
      const final = await writer.stop();
      expect(final).toMatchObject({ buffered: 0, written: 5, dropped: 0 });
      const rows = await repo.query({ kind: 'FUNDING', symbol: 'BTCUSDT', limit: 10 });
      expect(rows.map((r) => (r.payload as { minute: number }).minute)).toEqual([4, 3, 2, 1, 0]);
    });
  });
});
