/**
 * Market-data archive: write throughput and the 30-day window query, against Postgres (DATABASE_URL, a
 * fresh schema `bench_archive_<pid>`, dropped at the end) and the embedded PGlite (a temporary directory,
 * removed at the end). Both get every migration applied by `createDatabase`, as the server does.
 *
 *   npm run bench:archive     (under flock /work/bench.lock)
 *   env: DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/test; "" for PGlite only),
 *        TARGETS=postgres,pglite   WRITE_ROWS=100000 (PGlite: PGLITE_WRITE_ROWS=50000)   BASELINE_ROWS=5000
 *        TABLE_ROWS=10000000 (PGlite: PGLITE_TABLE_ROWS, default the same)   QUERY_RUNS=15   PARTS=write,query
 *
 * 1. Write: closed 1 m candles of 20 symbols through the real path (MarketArchive.record → the batch
 *    writer, 500 rows a flush → ArchiveStore.insertMany's multi-row upsert), against the baseline of the
 *    same rows as one raw single-row INSERT each (node-postgres / PGlite `query`, autocommit: a commit per
 *    row, so it writes only BASELINE_ROWS of them), and one
 *    `INSERT … SELECT FROM unnest(14 arrays)` per 500 rows. Rows/s and the ratio to the baseline.
 * 2. Query: the table filled to TABLE_ROWS with generate_series (indexes dropped during the load and rebuilt
 *    from their own definitions, so the load is fast and the indexes are the migration's), in arrival order
 *    (minute by minute, 20 symbols × 1m/5m/1h: one series' rows spread over the heap as in production), then
 *    ArchiveStore.candles for the last 30 days of BTCUSDT 1m (43 200 rows) and 5m (8 640 rows), first run
 *    and median of QUERY_RUNS, with the plan; and ArchiveStore.stats() (the retention pass, chunked) against the
 *    single GROUP BY it replaced, each with its longest event-loop stall.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createArchiveRepository } from '../src/db/archive-repository.js';
import { createDatabase, type Database } from '../src/db/database.js';
import type { Candle } from '../src/domain/market.js';
import { createMarketArchive } from '../src/engine/market-archive.js';
import { parseArchiveRetention } from '../src/domain/retention.js';

const PG_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const TARGETS = (process.env.TARGETS ?? (PG_URL ? 'postgres,pglite' : 'pglite')).split(',');
const QUERY_RUNS = Number(process.env.QUERY_RUNS ?? 15);
const BASELINE_ROWS = Number(process.env.BASELINE_ROWS ?? 5_000);
const PARTS = (process.env.PARTS ?? 'write,query').split(',');
const MIN = 60_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 1);
const SYMBOLS = Array.from({ length: 20 }, (_, i) => (i === 0 ? 'BTCUSDT' : `S${String(i).padStart(2, '0')}USDT`));

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US').replace(/,/g, ' ');

function candlesFor(rows: number, base: number): Candle[] {
  const out: Candle[] = [];
  for (let i = 0; i < rows; i++) {
    const minute = Math.floor(i / SYMBOLS.length);
    const openTime = base + minute * MIN;
    const p = 50_000 + (i % 997);
    out.push({ symbol: SYMBOLS[i % SYMBOLS.length]!, interval: '1m', openTime, closeTime: openTime + MIN - 1, open: p, high: p + 5, low: p - 5, close: p + 1, volume: 10 + (i % 13), quoteVolume: 500_000, takerBuyVolume: 5, trades: 100 + (i % 50), closed: true });
  }
  return out;
}

async function writeBench(db: Database, rows: number): Promise<void> {
  const repo = createArchiveRepository(db);
  const results: { name: string; rowsPerS: number; cpuUsPerRow: number }[] = [];
  const measure = async (name: string, venue: string, fn: (cs: Candle[], venue: string) => Promise<void>, count = rows): Promise<void> => {
    const cs = candlesFor(count, T0);
    await db.sql.query('TRUNCATE market_candle');
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn(cs, venue);
    const s = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    const { rows: n } = await db.sql.query<{ n: string | number }>('SELECT count(*) AS n FROM market_candle WHERE venue = $1', [venue]);
    if (Number(n[0]!.n) !== count) throw new Error(`${name}: ${n[0]!.n} rows written, expected ${count}`);
    results.push({ name: `${name}, ${fmt(count)} rows`, rowsPerS: count / s, cpuUsPerRow: (c.user + c.system) / count });
  };

  const baseline = async (cs: Candle[], venue: string): Promise<void> => {
    for (const c of cs) {
      await db.sql.query(
        'INSERT INTO market_candle (venue, source, symbol, interval, open_time, close_time, open, high, low, close, volume, quote_volume, taker_buy_volume, trades) VALUES ($1, $2, $3, $4, $5::int8, $6::int8, $7, $8, $9, $10, $11, $12, $13, $14)',
        [venue, 'LIVE', c.symbol, c.interval, String(c.openTime), String(c.closeTime), c.open, c.high, c.low, c.close, c.volume, c.quoteVolume, c.takerBuyVolume, c.trades],
      );
    }
  };
  const unnest = async (cs: Candle[], venue: string): Promise<void> => {
    for (let i = 0; i < cs.length; i += 500) {
      const chunk = cs.slice(i, i + 500);
      const col = <T>(f: (c: Candle) => T): T[] => chunk.map(f);
      await db.sql.query(
        `INSERT INTO market_candle (venue, source, symbol, interval, open_time, close_time, open, high, low, close, volume, quote_volume, taker_buy_volume, trades)
         SELECT $1, $2, * FROM unnest($3::text[], $4::text[], $5::int8[], $6::int8[], $7::float8[], $8::float8[], $9::float8[], $10::float8[], $11::float8[], $12::float8[], $13::float8[], $14::int4[])
         ON CONFLICT (venue, symbol, interval, open_time) DO NOTHING`,
        [venue, 'LIVE', col((c) => c.symbol), col((c) => c.interval), col((c) => String(c.openTime)), col((c) => String(c.closeTime)), col((c) => c.open), col((c) => c.high), col((c) => c.low), col((c) => c.close), col((c) => c.volume), col((c) => c.quoteVolume), col((c) => c.takerBuyVolume), col((c) => c.trades)],
      );
    }
  };
  const archivePath = async (cs: Candle[], venue: string): Promise<void> => {
    const archive = createMarketArchive({
      store: repo,
      venue,
      origin: 'LIVE',
      flushEveryMs: 5_000,
      maxBuffered: 50_000,
      sampleMs: MIN,
      optionsSampleMs: 15 * MIN,
      tradeMinUsd: 100_000,
      fillable: { candleBars: 1_000, statRows: 500, fundingRows: 1_000 },
      retention: parseArchiveRetention('default=forever'),
      pruneEveryMs: 900_000,
      now: () => T0,
    });
    // The buffer holds 50 000 rows (ARCHIVE_BUFFER_MAX): enqueue below it, flush, repeat.
    for (let i = 0; i < cs.length; i += 20_000) {
      for (const candle of cs.slice(i, i + 20_000)) archive.record({ type: 'candle', candle });
      await archive.flush();
    }
    const stats = await archive.stop();
    if (stats.dropped > 0 || stats.failedFlushes > 0) throw new Error(`archive path dropped ${stats.dropped}, failed ${stats.failedFlushes}`);
  };

  // Warm-up (statement caches, PGlite's wasm), then the three methods.
  await archivePath(candlesFor(2_000, T0), 'warm');
  // One commit (and fsync) per row: slow, so fewer rows.
  await measure('raw single-row INSERT, autocommit (baseline)', 'raw', baseline, Math.min(rows, BASELINE_ROWS));
  await measure('unnest, 500 rows a statement', 'unnest', unnest);
  await measure('archive path (record → batch writer → insertMany)', 'archive', archivePath);
  await db.sql.query('TRUNCATE market_candle');

  const base = results[0]!.rowsPerS;
  console.log(`\n[${db.kind}] write closed 1m candles (20 symbols) into the empty table with the migration's indexes`);
  console.log('| method | rows/s | × baseline | CPU µs/row (this process) |');
  console.log('|---|---|---|---|');
  for (const r of results) console.log(`| ${r.name} | ${fmt(r.rowsPerS)} | ${(r.rowsPerS / base).toFixed(2)} | ${r.cpuUsPerRow.toFixed(1)} |`);
}

async function fill(db: Database, tableRows: number): Promise<{ minutes: number; end: number; loadS: number; indexS: number }> {
  // Rows per minute: 20 × (1 + 1/5 + 1/60).
  const minutes = Math.ceil(tableRows / (SYMBOLS.length * (1 + 1 / 5 + 1 / 60)));
  const indexes = (await db.sql.query<{ indexname: string; indexdef: string }>("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'market_candle' AND schemaname = current_schema()")).rows;
  const pk = (await db.sql.query<{ conname: string; def: string }>("SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'market_candle'::regclass AND contype = 'p'")).rows[0]!;
  await db.sql.query(`ALTER TABLE market_candle DROP CONSTRAINT "${pk.conname}"`);
  for (const i of indexes) if (i.indexname !== pk.conname) await db.sql.query(`DROP INDEX "${i.indexname}"`);
  const t0 = performance.now();
  const symbols = `ARRAY[${SYMBOLS.map((s) => `'${s}'`).join(',')}]`;
  // Minute by minute, as the live archive receives them (chunks keep one statement's memory bounded).
  const chunk = 50_000;
  for (let from = 0; from < minutes; from += chunk) {
    const to = Math.min(minutes, from + chunk) - 1;
    // One function scan over (minute, symbol) in that order, the intervals joined laterally: the rows reach
    // the heap minute by minute (a planner-chosen join order could cluster them by symbol instead).
    await db.sql.query(
      `INSERT INTO market_candle (venue, source, symbol, interval, open_time, close_time, open, high, low, close, volume, quote_volume, taker_buy_volume, trades)
       SELECT 'binance', 'LIVE', (${symbols})[ms.s + 1], iv.name, $1::int8 + ms.m * 60000, $1::int8 + ms.m * 60000 + iv.ms - 1,
              ms.p, ms.p + 5, ms.p - 5, ms.p + 1, 10 + (ms.m % 13), 500000, 5, 100
         FROM generate_series(${from * SYMBOLS.length}::int8, ${(to + 1) * SYMBOLS.length - 1}::int8) i
        CROSS JOIN LATERAL (SELECT i / ${SYMBOLS.length} AS m, (i % ${SYMBOLS.length})::int AS s, 50000 + ((i * 7) % 997)::float8 AS p) ms
        CROSS JOIN LATERAL (SELECT * FROM (VALUES ('1m', 60000, 1), ('5m', 300000, 5), ('1h', 3600000, 60)) v(name, ms, every) WHERE ms.m % v.every = 0) iv`,
      [String(T0)],
    );
  }
  const loadS = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  await db.sql.query(`ALTER TABLE market_candle ADD CONSTRAINT "${pk.conname}" ${pk.def}`);
  for (const i of indexes) if (i.indexname !== pk.conname) await db.sql.query(i.indexdef);
  await db.sql.query('ANALYZE market_candle');
  return { minutes, end: T0 + minutes * MIN, loadS, indexS: (performance.now() - t1) / 1000 };
}

async function queryBench(db: Database, tableRows: number): Promise<void> {
  const repo = createArchiveRepository(db);
  await db.sql.query('TRUNCATE market_candle');
  const { minutes, end, loadS, indexS } = await fill(db, tableRows);
  const { rows: countRows } = await db.sql.query<{ n: string | number }>('SELECT count(*) AS n FROM market_candle');
  const total = Number(countRows[0]!.n);
  const { rows: sizeRows } = await db.sql.query<{ b: string | number }>("SELECT pg_total_relation_size('market_candle') AS b");
  console.log(`\n[${db.kind}] query: ${fmt(total)} rows (${(minutes / 1440).toFixed(0)} days × 20 symbols × 1m/5m/1h, ${(Number(sizeRows[0]!.b) / 2 ** 30).toFixed(2)} GiB with indexes); load ${loadS.toFixed(1)} s, index build ${indexS.toFixed(1)} s`);
  console.log('| query | rows | first run | median of ' + QUERY_RUNS + ' | plan |');
  console.log('|---|---|---|---|---|');
  for (const [interval, bars] of [['1m', 30 * 1440], ['5m', 30 * 288]] as const) {
    const q = { venue: 'binance', source: 'LIVE', symbol: 'BTCUSDT', interval, limit: bars, until: end } as const;
    const times: number[] = [];
    let n = 0;
    for (let i = 0; i <= QUERY_RUNS; i++) {
      const t0 = performance.now();
      const got = await repo.candles(q);
      times.push(performance.now() - t0);
      n = got.length;
      if (got.length !== bars || got.at(-1)!.openTime >= end || got[0]!.openTime < end - 30 * DAY - MIN) throw new Error(`30-day ${interval} window: ${got.length} rows, expected ${bars}`);
    }
    const plan = (
      await db.sql.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN (ANALYZE, BUFFERS) SELECT symbol, interval, open_time, close_time, open, high, low, close, volume, quote_volume, taker_buy_volume, trades
           FROM market_candle WHERE venue = $1 AND source = $2 AND symbol = $3 AND interval = $4 AND open_time <= $5::int8 ORDER BY open_time DESC LIMIT $6`,
        [q.venue, q.source, q.symbol, q.interval, String(q.until), q.limit],
      )
    ).rows.map((r) => r['QUERY PLAN']);
    const node = plan.find((l) => /Scan/.test(l))?.trim().replace(/\s+\(cost.*$/, '') ?? '?';
    const buffers = plan.find((l) => /Buffers/.test(l))?.trim() ?? '';
    const execution = plan.find((l) => /Execution Time/.test(l))?.trim() ?? '';
    console.log(`| 30 days of BTCUSDT ${interval} (ArchiveStore.candles) | ${fmt(n)} | ${times[0]!.toFixed(1)} ms | ${median(times.slice(1)).toFixed(1)} ms | ${node}; ${buffers}; server ${execution} |`);
  }
  // The retention pass's per-type figures: the chunked ArchiveStore.stats() against the single GROUP BY it
  // replaced (baseline in the same run), each with the longest event-loop stall while it ran (PGlite runs SQL on
  // this thread, so that stall is what every request waits behind).
  const stalls = async (work: () => Promise<unknown>) => {
    let last = performance.now();
    let longest = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      longest = Math.max(longest, now - last);
      last = now;
    }, 1);
    const t = performance.now();
    await work();
    const ms = performance.now() - t;
    clearInterval(timer);
    longest = Math.max(longest, performance.now() - last);
    return { ms, longest };
  };
  const chunked = await stalls(() => repo.stats());
  const grouped = await stalls(() =>
    Promise.all([
      db.sql.query('SELECT interval, count(*) AS rows, min(open_time) AS oldest, max(open_time) AS newest FROM market_candle GROUP BY interval'),
      db.sql.query('SELECT type, count(*) AS rows, sum(pg_column_size(market_record.*)) AS row_bytes, min(time), max(time) FROM market_record GROUP BY type'),
    ]),
  );
  console.log(`| ArchiveStore.stats() (retention pass), chunked: total / longest event-loop stall | | ${chunked.ms.toFixed(0)} ms | ${chunked.longest.toFixed(0)} ms | |`);
  console.log(`| baseline: one GROUP BY over both tables (before): total / longest stall | | ${grouped.ms.toFixed(0)} ms | ${grouped.longest.toFixed(0)} ms | stall ratio ${(grouped.longest / Math.max(1, chunked.longest)).toFixed(1)}× |`);
  await db.sql.query('TRUNCATE market_candle');
}

function withSchema(base: string, schema: string): string {
  const u = new URL(base);
  u.searchParams.set('schema', schema);
  return u.toString();
}

for (const target of TARGETS) {
  const pg = target === 'postgres';
  const schema = `bench_archive_${process.pid}`;
  const dataDir = pg ? undefined : await mkdtemp(join(tmpdir(), 'perpgraph-bench-archive-'));
  const db = await createDatabase(pg ? { url: withSchema(PG_URL, schema), dataDir: tmpdir() } : { dataDir: dataDir! });
  try {
    const writeRows = Number((pg ? process.env.WRITE_ROWS : process.env.PGLITE_WRITE_ROWS) ?? (pg ? 100_000 : 50_000));
    const tableRows = Number((pg ? undefined : process.env.PGLITE_TABLE_ROWS) ?? process.env.TABLE_ROWS ?? 10_000_000);
    if (PARTS.includes('write')) await writeBench(db, writeRows);
    if (PARTS.includes('query')) await queryBench(db, tableRows);
  } finally {
    if (pg) await db.sql.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
}
