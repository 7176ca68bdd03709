/**
 * Snapshot storage per day: the simulated market and every analysis for SYMBOLS symbols run for SECONDS of
 * real time with the server's own snapshot cadence (SNAPSHOT_EVERY_MS) and the real writer, whose batches
 * go to two tables of one embedded database (PGlite; DATABASE_URL for Postgres):
 *   - analysis_snapshot: what the server writes now (brotli bytea payloads, src/db/snapshot-repository.ts);
 *   - legacy_snapshot: the same rows as the server wrote them before (jsonb payload, one index) — the baseline.
 * Prints, per kind, rows and payload bytes per day per symbol (JSON vs stored), and for the whole database
 * the table sizes (pg_total_relation_size: heap + TOAST + indexes) extrapolated to a day, per symbol and
 * for the symbol count, and the steady-state size once the default retention (SNAPSHOT_RETENTION) holds.
 *
 *   npm run bench:storage          (env: SYMBOLS=20, SECONDS=120; DATABASE_URL to use Postgres)
 *
 * Goal (issue 11): ≤ 1 GB/day at 20 symbols with the defaults.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPubSub } from 'graphql-yoga';
import { loadConfig } from '../src/config.js';
import { createSimulatedSource } from '../src/datasources/simulated/simulated-source.js';
import { createDatabase } from '../src/db/database.js';
import { compressPayload, createSnapshotRepository, type SnapshotRow } from '../src/db/snapshot-repository.js';
import type { RetentionPolicy } from '../src/domain/retention.js';
import { ANALYSES, MARKET_ANALYSES } from '../src/engine/analyses.js';
import { createAnalysisEngine } from '../src/engine/analysis-engine.js';
import { createMarketStore } from '../src/engine/market-store.js';
import { createResultCache } from '../src/engine/result-cache.js';
import { createSnapshotWriter } from '../src/engine/snapshot-writer.js';
import type { Topics } from '../src/pubsub.js';
import { symbolsOf } from './idle.js';

const symbolCount = Number(process.env.SYMBOLS ?? 20);
const seconds = Number(process.env.SECONDS ?? 120);
const config = loadConfig({ ...process.env, SYMBOLS: undefined });
const symbols = symbolsOf(symbolCount);
const DAY_S = 86_400;
const MB = 2 ** 20;

const dataDir = await mkdtemp(join(tmpdir(), 'perpgraph-bench-storage-'));
const url = process.env.DATABASE_URL ? withSchema(process.env.DATABASE_URL, `bench_storage_${process.pid}`) : undefined;
const db = await createDatabase({ url, dataDir });
function withSchema(base: string, schema: string): string {
  const u = new URL(base);
  u.searchParams.set('schema', schema);
  return u.toString();
}
// The table as the init migration created it (jsonb payload NOT NULL, the one history index).
await db.sql.query(`CREATE TABLE legacy_snapshot (
  id BIGSERIAL PRIMARY KEY, kind TEXT NOT NULL, symbol TEXT NOT NULL, as_of TIMESTAMPTZ(3) NOT NULL,
  methodology_version TEXT NOT NULL, source TEXT NOT NULL, venue TEXT NOT NULL, payload JSONB NOT NULL,
  created_at TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP)`);
await db.sql.query('CREATE INDEX legacy_snapshot_kind_symbol_as_of_idx ON legacy_snapshot (kind, symbol, as_of DESC)');

const repo = createSnapshotRepository(db);
const perKind = new Map<string, { rows: number; jsonBytes: number; storedBytes: number; compressMs: number; keys: Set<string> }>();
async function legacyInsert(rows: readonly SnapshotRow[]): Promise<void> {
  const params: unknown[] = [];
  const tuples = rows.map((r, i) => {
    params.push(r.kind, r.symbol, new Date(r.asOf).toISOString(), r.methodologyVersion, r.source, r.venue, JSON.stringify(r.payload));
    const b = i * 7;
    return `($${b + 1}, $${b + 2}, $${b + 3}::timestamptz, $${b + 4}, $${b + 5}, $${b + 6}, $${b + 7}::jsonb)`;
  });
  await db.sql.query(`INSERT INTO legacy_snapshot (kind, symbol, as_of, methodology_version, source, venue, payload) VALUES ${tuples.join(', ')}`, params);
}
const writer = createSnapshotWriter({
  store: {
    async insertMany(rows) {
      for (const r of rows) {
        const entry = perKind.get(r.kind) ?? { rows: 0, jsonBytes: 0, storedBytes: 0, compressMs: 0, keys: new Set<string>() };
        entry.keys.add(r.symbol);
        entry.rows += 1;
        entry.jsonBytes += Buffer.byteLength(JSON.stringify(r.payload));
        const t0 = performance.now();
        entry.storedBytes += compressPayload(r.payload).length;
        entry.compressMs += performance.now() - t0;
        perKind.set(r.kind, entry);
      }
      await legacyInsert(rows);
      return repo.insertMany(rows);
    },
    query: (q) => repo.query(q),
    firstPerBar: (q) => repo.firstPerBar(q),
    page: (q) => repo.page(q),
  },
  flushEveryMs: config.SNAPSHOT_FLUSH_MS,
  maxBuffered: config.SNAPSHOT_BUFFER_MAX,
});

const source = createSimulatedSource({ seed: 42, tickMs: config.SIM_TICK_MS, symbols });
const store = createMarketStore(symbols);
const engine = createAnalysisEngine({
  store,
  definitions: ANALYSES,
  marketDefinitions: MARKET_ANALYSES,
  settings: { fundingHistoryWindow: config.FUNDING_HISTORY_WINDOW, fundingIntervalHours: () => 8 },
  cache: createResultCache(),
  pubsub: createPubSub<Topics>(),
  snapshots: writer,
  origin: 'SIMULATED',
  venue: 'simulated',
  minIntervalMs: config.ANALYSIS_MIN_INTERVAL_MS,
  snapshotEveryMs: config.SNAPSHOT_EVERY_MS,
});
console.log(`bench:storage — ${symbolCount} simulated symbols, ${seconds} s, SNAPSHOT_EVERY_MS=${config.SNAPSHOT_EVERY_MS}, ${db.kind}; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
engine.start();
await source.start(symbols, (e) => store.apply(e));
await new Promise((r) => setTimeout(r, seconds * 1000));
engine.stop();
await source.stop();
await writer.stop();

const size = async (table: string) => Number((await db.sql.query<{ n: string }>(`SELECT pg_total_relation_size('${table}') AS n`)).rows[0]!.n);
const [newBytes, oldBytes] = [await size('analysis_snapshot'), await size('legacy_snapshot')];
const perDay = (bytes: number) => (bytes * DAY_S) / seconds;

/** Rows of one key each tier of `policy` holds at steady state, given `rowsPerDay` written a day. */
function retainedRowsByTier(rowsPerDay: number, policy: RetentionPolicy): number[] {
  let younger = 0;
  return policy.map((tier) => {
    const days = (Math.min(tier.maxAgeMs, 365 * 86_400_000) - younger) / 86_400_000;
    younger = tier.maxAgeMs;
    return (tier.resolutionMs === null ? rowsPerDay : Math.min(rowsPerDay, 86_400_000 / tier.resolutionMs)) * days;
  });
}
export const policyText = (policy: RetentionPolicy) =>
  policy.map((t) => `${Number.isFinite(t.maxAgeMs) ? `${t.maxAgeMs / 3_600_000}h` : 'forever'}:${t.resolutionMs === null ? 'full' : `${t.resolutionMs / 60_000}m`}`).join(',');

console.log('\nkind                      rows/day/sym   JSON KB/row  stored KB/row  ratio   stored MB/day/sym  compress ms/row');
/** Stored payload bytes per tier at steady state (a per-kind policy's tiers add to the default's by index). */
const tierBytes: number[] = [];
for (const [kind, e] of [...perKind].sort((a, b) => b[1].storedBytes - a[1].storedBytes)) {
  // Per-symbol kinds have a key per symbol; market-wide ones (correlation, …) their own few keys.
  const keys = e.keys.size;
  const rowsPerDay = perDay(e.rows) / keys;
  const policy = config.SNAPSHOT_RETENTION_BY_KIND.get(kind) ?? config.SNAPSHOT_RETENTION;
  retainedRowsByTier(rowsPerDay, policy).forEach((rows, i) => (tierBytes[i] = (tierBytes[i] ?? 0) + rows * keys * (e.storedBytes / e.rows)));
  console.log(
    `${kind.padEnd(25)} ${rowsPerDay.toFixed(0).padStart(12)} ${(e.jsonBytes / e.rows / 1024).toFixed(2).padStart(13)} ${(e.storedBytes / e.rows / 1024).toFixed(2).padStart(14)} ${(e.jsonBytes / e.storedBytes).toFixed(1).padStart(6)}× ${(perDay(e.storedBytes) / keys / MB).toFixed(2).padStart(19)} ${(e.compressMs / e.rows).toFixed(3).padStart(16)}`,
  );
}
const rows = [...perKind.values()].reduce((a, e) => a + e.rows, 0);
console.log(`\n${rows} rows in ${seconds} s (${(perDay(rows) / symbolCount).toFixed(0)} rows/day/symbol)`);
console.log(`table on disk (heap + TOAST + indexes), extrapolated to a day:`);
console.log(`  before (jsonb, legacy_snapshot): ${(perDay(oldBytes) / MB / symbolCount).toFixed(1)} MB/day/symbol, ${(perDay(oldBytes) / 2 ** 30).toFixed(2)} GB/day at ${symbolCount} symbols`);
console.log(`  now (brotli bytea)             : ${(perDay(newBytes) / MB / symbolCount).toFixed(1)} MB/day/symbol, ${(perDay(newBytes) / 2 ** 30).toFixed(2)} GB/day at ${symbolCount} symbols  (${(oldBytes / newBytes).toFixed(1)}× smaller; goal ≤ 1 GB/day at 20)`);
// Payload bytes kept at steady state, scaled by the table's overhead per payload byte (row headers, indexes).
const overhead = newBytes / [...perKind.values()].reduce((a, e) => a + e.storedBytes, 0);
const total = tierBytes.reduce((a, b) => a + b, 0) * overhead;
console.log(`after retention, SNAPSHOT_RETENTION=${policyText(config.SNAPSHOT_RETENTION)} (steady state, ${symbolCount} symbols, table overhead ×${overhead.toFixed(2)} included):`);
let younger = 0;
config.SNAPSHOT_RETENTION.forEach((tier, i) => {
  const days = (Math.min(tier.maxAgeMs, 365 * 86_400_000) - younger) / 86_400_000;
  const gb = ((tierBytes[i] ?? 0) * overhead) / 2 ** 30;
  console.log(`  tier ${i + 1} (${(younger / 3_600_000).toFixed(0)} h – ${Number.isFinite(tier.maxAgeMs) ? `${(tier.maxAgeMs / 3_600_000).toFixed(0)} h` : 'forever (1 y shown)'} old, ${tier.resolutionMs === null ? 'every row' : `one per ${tier.resolutionMs / 60_000} min`}): ${gb.toFixed(2)} GB, ${(gb / days).toFixed(3)} GB per day of history`);
  younger = tier.maxAgeMs;
});
console.log(`  total ${(total / 2 ** 30).toFixed(2)} GB for ${(younger / 86_400_000).toFixed(0)} days of history (${(total / MB / symbolCount).toFixed(0)} MB/symbol); before: unbounded, +${(perDay(oldBytes) / 2 ** 30).toFixed(2)} GB every day`);
await db.close();
await rm(dataDir, { recursive: true, force: true });
process.exit(0);
