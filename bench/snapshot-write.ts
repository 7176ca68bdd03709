/**
 * Snapshot batch writes: the repository's one parameterised multi-row `INSERT … VALUES` (7 parameters per
 * row) vs Prisma's `createMany` (what the writer used before) and `INSERT … SELECT FROM unnest(7 arrays)`, writing the same rows to the same embedded database (PGlite) in the same run. Prints CPU time of
 * this process (the server's event loop) and wall time per row, as ratios against createMany.
 *
 *   npx tsx bench/snapshot-write.ts      (env: ROWS=500 per batch, ROUNDS=8, PAYLOAD_KB=8)
 *
 * With DATABASE_URL set it runs against that Postgres instead (a fresh schema, dropped at the end).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase } from '../src/db/database.js';
import { createSnapshotRepository, type SnapshotRow } from '../src/db/snapshot-repository.js';

const ROWS = Number(process.env.ROWS ?? 500);
const ROUNDS = Number(process.env.ROUNDS ?? 8);
const PAYLOAD_KB = Number(process.env.PAYLOAD_KB ?? 8);

const dataDir = await mkdtemp(join(tmpdir(), 'perpgraph-bench-write-'));
const url = process.env.DATABASE_URL ? withSchema(process.env.DATABASE_URL, `bench_write_${process.pid}`) : undefined;
const db = await createDatabase({ url, dataDir });
const repo = createSnapshotRepository(db);

function withSchema(base: string, schema: string): string {
  const u = new URL(base);
  u.searchParams.set('schema', schema);
  return u.toString();
}

/** A payload shaped like an analysis result: nested factors and a numeric series. */
function payload(i: number): unknown {
  const series = Array.from({ length: Math.round((PAYLOAD_KB * 1024) / 40) }, (_, k) => ({ t: 1_700_000_000_000 + k * 60_000, v: Math.sin(i + k) * 1000 }));
  return { score: i / 7, label: 'NEUTRAL', factors: [{ name: 'z', value: -1.25, weight: 0.4, contribution: -0.5, note: 'funding z-score' }], series };
}

let seq = 0;
function batch(): SnapshotRow[] {
  return Array.from({ length: ROWS }, () => {
    seq += 1;
    return { kind: 'FUNDING', symbol: 'BTCUSDT', asOf: 1_700_000_000_000 + seq, methodologyVersion: 'funding/1', source: 'SIMULATED', venue: 'sim', payload: payload(seq) };
  });
}

async function viaCreateMany(rows: SnapshotRow[]): Promise<void> {
  await (await db.prisma()).analysisSnapshot.createMany({
    data: rows.map((r) => ({
      kind: r.kind,
      symbol: r.symbol,
      asOf: new Date(r.asOf),
      methodologyVersion: r.methodologyVersion,
      source: r.source,
      venue: r.venue,
      payload: JSON.parse(JSON.stringify(r.payload)) as object,
    })),
  });
}

async function viaUnnest(rows: SnapshotRow[]): Promise<void> {
  const cols: string[][] = [[], [], [], [], [], [], []];
  for (const r of rows) {
    [r.kind, r.symbol, String(r.asOf), r.methodologyVersion, r.source, r.venue, JSON.stringify(r.payload)].forEach((v, i) => cols[i]!.push(v));
  }
  await db.sql.query(
    `INSERT INTO analysis_snapshot (kind, symbol, as_of, methodology_version, source, venue, payload)
     SELECT k, s, timestamptz 'epoch' + a * interval '1 millisecond', m, o, v, p::jsonb
     FROM unnest($1::text[], $2::text[], $3::int8[], $4::text[], $5::text[], $6::text[], $7::text[]) AS t(k, s, a, m, o, v, p)`,
    cols,
  );
}

const methods = {
  'prisma createMany': viaCreateMany,
  'unnest arrays': viaUnnest,
  'multi-row VALUES (used)': (rows: SnapshotRow[]) => repo.insertMany(rows).then(() => undefined),
} as const;

type Name = keyof typeof methods;
const cpu = Object.fromEntries(Object.keys(methods).map((k) => [k, [] as number[]])) as Record<Name, number[]>;
const wall = Object.fromEntries(Object.keys(methods).map((k) => [k, [] as number[]])) as Record<Name, number[]>;

// Warm-up (Prisma compiles its wasm module, PGlite warms its caches), then interleaved rounds.
for (const fn of Object.values(methods)) await fn(batch());
for (let round = 0; round < ROUNDS; round += 1) {
  for (const [name, fn] of Object.entries(methods) as [Name, (rows: SnapshotRow[]) => Promise<void>][]) {
    const rows = batch();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn(rows);
    wall[name].push((performance.now() - t0) / ROWS);
    const c = process.cpuUsage(c0);
    cpu[name].push((c.user + c.system) / ROWS);
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const baseCpu = median(cpu['prisma createMany']);
const baseWall = median(wall['prisma createMany']);
console.log(`snapshot batch write, ${db.kind}, ${ROWS} rows × ~${PAYLOAD_KB} KB per batch, median of ${ROUNDS} rounds`);
console.log('method                   CPU µs/row (this process)  × createMany   wall µs/row  × createMany');
for (const name of Object.keys(methods) as Name[]) {
  const c = median(cpu[name]);
  const w = median(wall[name]) * 1000;
  console.log(`${name.padEnd(26)} ${c.toFixed(1).padStart(12)} ${(c / baseCpu).toFixed(3).padStart(20)} ${w.toFixed(1).padStart(14)} ${(w / (baseWall * 1000)).toFixed(3).padStart(12)}`);
}
console.log('(PGlite runs inside this process, so its CPU counts too; against Postgres only the client side does.)');

if (url) await db.sql.query(`DROP SCHEMA IF EXISTS "bench_write_${process.pid}" CASCADE`);
await db.close();
await rm(dataDir, { recursive: true, force: true });
