import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../src/db/database.js';
import { compressPayload, createSnapshotRepository } from '../../src/db/snapshot-repository.js';
import { createSnapshotPruner } from '../../src/db/snapshot-retention.js';
import { parseRetentionByKind, parseRetentionPolicy } from '../../src/domain/retention.js';

const DATABASE_URL = process.env.DATABASE_URL || undefined;
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** "Now" of the first pass: an exact hour, so minute and hour buckets are easy to read below. */
const T = Date.UTC(2026, 0, 10, 12, 0, 0);

interface Row {
  kind?: string;
  symbol?: string;
  asOf: number;
  createdAt: number;
  label: string;
}

async function insert(db: Database, rows: Row[]): Promise<void> {
  for (const r of rows) {
    await db.sql.query(
      `INSERT INTO analysis_snapshot (kind, symbol, as_of, methodology_version, source, venue, payload_br, created_at)
       VALUES ($1, $2, $3::timestamptz, 'v1', 'SIMULATED', 'sim', $4::bytea, $5::timestamptz)`,
      [r.kind ?? 'FUNDING', r.symbol ?? 'BTCUSDT', new Date(r.asOf).toISOString(), compressPayload({ label: r.label }), new Date(r.createdAt).toISOString()],
    );
  }
}

async function labels(db: Database): Promise<string[]> {
  const repo = createSnapshotRepository(db);
  const out: string[] = [];
  for (const [kind, symbol] of [['FUNDING', 'BTCUSDT'], ['FUNDING', 'ETHUSDT'], ['LIQUIDATION_HEATMAP', 'BTCUSDT']] as const) {
    for (const row of await repo.query({ kind, symbol, limit: 1000 })) out.push((row.payload as { label: string }).label);
  }
  return out.sort();
}

/**
 * Policy 1h:full,1d:1m,7d:1h for every kind but LIQUIDATION_HEATMAP, which keeps everything forever.
 * Rows by age (created_at) and as_of bucket, with what must survive:
 *   fresh-a, fresh-b   30 min old, same minute           → both (full resolution)
 *   m1-05, m1-20, m1-50 2 h old, one minute of as_of     → m1-50 only (newest of the minute)
 *   m2-10              2 h old, the next minute          → kept
 *   h-10, h-40, h-59   2 d old, one hour of as_of        → h-59 only
 *   eth-h-10           2 d old, same hour, other symbol  → kept (buckets are per symbol)
 *   old                8 d old                           → deleted (past the last tier)
 *   heat-old, heat-new heatmap, 8 d and 2 h, same minute → both (its own policy)
 */
function scenario(): Row[] {
  const M = T - 2 * HOUR; // an exact minute
  const H = T - 2 * DAY; // an exact hour
  return [
    { asOf: T - 30 * MIN, createdAt: T - 30 * MIN, label: 'fresh-a' },
    { asOf: T - 30 * MIN + 20_000, createdAt: T - 30 * MIN + 20_000, label: 'fresh-b' },
    { asOf: M + 5_000, createdAt: M + 5_000, label: 'm1-05' },
    { asOf: M + 20_000, createdAt: M + 20_000, label: 'm1-20' },
    { asOf: M + 50_000, createdAt: M + 50_000, label: 'm1-50' },
    { asOf: M + MIN + 10_000, createdAt: M + MIN + 10_000, label: 'm2-10' },
    { asOf: H + 10 * MIN, createdAt: H + 10 * MIN, label: 'h-10' },
    { asOf: H + 40 * MIN, createdAt: H + 40 * MIN, label: 'h-40' },
    { asOf: H + 59 * MIN, createdAt: H + 59 * MIN, label: 'h-59' },
    { symbol: 'ETHUSDT', asOf: H + 10 * MIN, createdAt: H + 10 * MIN, label: 'eth-h-10' },
    { asOf: T - 8 * DAY, createdAt: T - 8 * DAY, label: 'old' },
    { kind: 'LIQUIDATION_HEATMAP', asOf: M + 5_000, createdAt: T - 8 * DAY, label: 'heat-old' },
    { kind: 'LIQUIDATION_HEATMAP', asOf: M + 20_000, createdAt: M + 20_000, label: 'heat-new' },
  ];
}

function retentionContract(open: () => Promise<Database>) {
  it('downsamples each tier to the newest row per (kind, symbol, bucket), expires past the last tier, honours per-kind policies', async () => {
    const db = await open();
    try {
      await insert(db, scenario());
      let t = T;
      const pruner = createSnapshotPruner({
        sql: db.sql,
        settings: { default: parseRetentionPolicy('1h:full,1d:1m,7d:1h'), byKind: parseRetentionByKind('LIQUIDATION_HEATMAP=forever:full') },
        everyMs: 10 * MIN,
        chunkRows: 2, // several chunks per statement: the loop must not stop after the first
        now: () => t,
      });
      const first = await pruner.runOnce();
      expect(first, 'm1-05, m1-20 (minute tier), h-10, h-40 (hour tier) downsampled; old expired').toMatchObject({ downsampled: 4, expired: 1 });
      expect(await labels(db)).toEqual(['eth-h-10', 'fresh-a', 'fresh-b', 'h-59', 'heat-new', 'heat-old', 'm1-50', 'm2-10']);

      expect(await pruner.runOnce(), 'a second pass at the same time deletes nothing (idempotent)').toMatchObject({ downsampled: 0, expired: 0 });

      // An hour later the fresh pair has aged into the minute tier (they share a minute): the incremental
      // window of the second pass must reach them.
      t = T + HOUR;
      expect(await pruner.runOnce(), 'fresh-a goes: fresh-b is the newest of their minute').toMatchObject({ downsampled: 1, expired: 0 });
      expect(await labels(db)).toEqual(['eth-h-10', 'fresh-b', 'h-59', 'heat-new', 'heat-old', 'm1-50', 'm2-10']);
    } finally {
      await db.close();
    }
  });

  it('reads rows written before the compact-payload migration (jsonb payload, no payload_br)', async () => {
    const db = await open();
    try {
      await db.sql.query(
        `INSERT INTO analysis_snapshot (kind, symbol, as_of, methodology_version, source, venue, payload)
         VALUES ('BASIS', 'BTCUSDT', $1::timestamptz, 'v1', 'SIMULATED', 'sim', $2::jsonb)`,
        [new Date(T).toISOString(), JSON.stringify({ legacy: true, n: 1.5 })],
      );
      const repo = createSnapshotRepository(db);
      await repo.insertMany([{ kind: 'BASIS', symbol: 'BTCUSDT', asOf: T + 1, methodologyVersion: 'v1', source: 'SIMULATED', venue: 'sim', payload: { compact: true } }]);
      const rows = await repo.query({ kind: 'BASIS', symbol: 'BTCUSDT', limit: 10 });
      expect(rows.map((r) => r.payload), 'newest (compressed) first, then the legacy jsonb row').toEqual([{ compact: true }, { legacy: true, n: 1.5 }]);
      const stored = await db.sql.query<{ payload: unknown; br: number }>('SELECT payload, octet_length(payload_br) AS br FROM analysis_snapshot WHERE as_of = $1::timestamptz', [new Date(T + 1).toISOString()]);
      expect(stored.rows[0]?.payload, 'new rows leave the jsonb column empty').toBeNull();
      expect(Number(stored.rows[0]?.br), 'and hold the brotli bytes').toBeGreaterThan(0);
    } finally {
      await db.close();
    }
  });
}

describe('snapshot retention on embedded PGlite', async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'perpgraph-retention-'));
  afterAll(() => rm(root, { recursive: true, force: true }));
  let n = 0;
  retentionContract(() => createDatabase({ dataDir: path.join(root, `db${(n += 1)}`) }));
});

describe.skipIf(!DATABASE_URL)('snapshot retention on Postgres (DATABASE_URL)', () => {
  const schemas: string[] = [];
  afterAll(async () => {
    if (schemas.length === 0) return;
    const url = new URL(DATABASE_URL!);
    url.searchParams.set('schema', schemas[0]!);
    const admin = await createDatabase({ url: url.toString(), dataDir: os.tmpdir() });
    try {
      for (const schema of schemas) await admin.sql.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    } finally {
      await admin.close();
    }
  });
  retentionContract(() => {
    const schema = `perpgraph_retention_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    schemas.push(schema);
    const url = new URL(DATABASE_URL!);
    url.searchParams.set('schema', schema);
    return createDatabase({ url: url.toString(), dataDir: os.tmpdir() });
  });
});
