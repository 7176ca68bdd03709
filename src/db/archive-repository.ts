import { INTERVAL_MS, type Candle, type CandleInterval } from '../domain/market.js';
import type { Database, SqlExecutor } from './database.js';

/**
 * The market-data archive's tables (migration `20261207150000_market_archive`): `market_candle` for closed
 * candles (typed columns: the largest series) and `market_record` for every other input (a JSON payload per
 * observation: their shapes differ and each is small). Plain parameterised SQL that PGlite and Postgres both
 * run, like the snapshot repository; times are epoch milliseconds in bigint columns.
 */

/** One archived observation other than a candle. */
export interface ArchiveRecord {
  venue: string;
  /** LIVE, SIMULATED or REPLAY. */
  source: string;
  /** The market event type it came from (funding, markPrice, openInterest, …). */
  type: string;
  /** '' for market-wide data. */
  symbol: string;
  /** Separates several series of one type and symbol ('' when there is one). */
  series: string;
  /** Epoch ms of the observation. */
  time: number;
  /** Separates observations of one series sharing a millisecond ('' when they cannot). */
  key: string;
  payload: unknown;
}

export interface ArchivedCandle {
  venue: string;
  source: string;
  candle: Candle;
}

/** A batch for the writer: candles and records travel together, each to its own table. */
export type ArchiveRow = { table: 'candle'; row: ArchivedCandle } | { table: 'record'; row: ArchiveRecord };

/** Rows and (estimated) bytes of one archived type: `candle:<interval>` or a record type. */
export interface ArchiveTypeStats {
  type: string;
  rows: number;
  /** The table's total size (heap, TOAST, indexes) apportioned to the type by its share of row bytes. */
  bytes: number;
  oldest: number | null;
  newest: number | null;
}

export interface ArchiveStore {
  /** Writes the batch (candles upserted, records inserted once: a retried batch is idempotent). */
  insertMany(rows: readonly ArchiveRow[]): Promise<number>;
  /** The newest `limit` closed candles of one series with time ≤ `until` (default: no bound), oldest first. */
  candles(q: { venue: string; source: string; symbol: string; interval: CandleInterval; limit: number; until?: number }): Promise<Candle[]>;
  /** Per series, the newest `limit` records of one type and symbol with time ≤ `until`, oldest first. */
  records(q: { venue: string; source: string; type: string; symbol: string; limit: number; until?: number }): Promise<ArchiveRecord[]>;
  /** The oldest archived candle of one series (primary-key order: one index probe), undefined when none. */
  firstCandle(q: { venue: string; source: string; symbol: string; interval: CandleInterval }): Promise<Candle | undefined>;
  /** Candle intervals archived for a symbol. */
  intervals(q: { venue: string; source: string; symbol: string }): Promise<CandleInterval[]>;
  /** Deletes candles of `interval` (or every interval with null, except `keep`) older than `before`, in chunks. */
  pruneCandles(interval: string | null, before: number, keep: readonly string[], chunkRows: number): Promise<number>;
  /** Deletes records of `type` (or every type with null, except `keep`) older than `before`, in chunks. */
  pruneRecords(type: string | null, before: number, keep: readonly string[], chunkRows: number): Promise<number>;
  stats(): Promise<ArchiveTypeStats[]>;
}

const CANDLE_COLUMNS = 14;
const RECORD_COLUMNS = 8;
/** Postgres's bind-parameter limit (65 535) over the widest row. */
export const MAX_ARCHIVE_ROWS_PER_INSERT = Math.floor(65_535 / CANDLE_COLUMNS);

function tuples(rows: number, columns: number, cast: (column: number) => string = () => ''): string {
  const out = new Array<string>(rows);
  for (let i = 0; i < rows; i += 1) {
    const b = i * columns;
    const cells = new Array<string>(columns);
    for (let c = 0; c < columns; c += 1) cells[c] = `$${b + c + 1}${cast(c)}`;
    out[i] = `(${cells.join(', ')})`;
  }
  return out.join(', ');
}

/** Statement text per (table, batch size): steady batch sizes reuse one string. */
const statements = new Map<string, string>();
function statement(table: 'candle' | 'record', rows: number): string {
  const id = `${table}:${rows}`;
  let text = statements.get(id);
  if (text !== undefined) return text;
  if (table === 'candle') {
    text =
      'INSERT INTO market_candle (venue, source, symbol, interval, open_time, close_time, open, high, low, close, volume, quote_volume, taker_buy_volume, trades) VALUES ' +
      tuples(rows, CANDLE_COLUMNS, (c) => (c === 4 || c === 5 ? '::int8' : c >= 6 && c <= 12 ? '::float8' : c === 13 ? '::int4' : '')) +
      // A bar re-sent by the venue after a correction replaces the archived one.
      ' ON CONFLICT (venue, symbol, interval, open_time) DO UPDATE SET close_time = EXCLUDED.close_time, open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low, close = EXCLUDED.close, volume = EXCLUDED.volume, quote_volume = EXCLUDED.quote_volume, taker_buy_volume = EXCLUDED.taker_buy_volume, trades = EXCLUDED.trades, source = EXCLUDED.source';
  } else {
    text =
      'INSERT INTO market_record (venue, source, type, symbol, series, time, key, payload) VALUES ' +
      tuples(rows, RECORD_COLUMNS, (c) => (c === 5 ? '::int8' : c === 7 ? '::jsonb' : '')) +
      ' ON CONFLICT DO NOTHING';
  }
  if (statements.size >= 64) statements.clear();
  statements.set(id, text);
  return text;
}

const int = (value: unknown): number => (typeof value === 'number' ? value : Number(value));
const nullable = (value: unknown): number | null => (value === null || value === undefined ? null : int(value));

interface CandleRow {
  symbol: string;
  interval: CandleInterval;
  open_time: string | number;
  close_time: string | number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  quote_volume: number | null;
  taker_buy_volume: number | null;
  trades: number | null;
}

interface RecordRow {
  venue: string;
  source: string;
  type: string;
  symbol: string;
  series: string;
  time: string | number;
  key: string;
  payload: unknown;
}

const toCandle = (r: CandleRow): Candle => ({
  symbol: r.symbol,
  interval: r.interval,
  openTime: int(r.open_time),
  closeTime: int(r.close_time),
  open: r.open,
  high: r.high,
  low: r.low,
  close: r.close,
  volume: r.volume,
  quoteVolume: r.quote_volume,
  takerBuyVolume: r.taker_buy_volume,
  trades: nullable(r.trades),
  closed: true,
});

const toRecord = (r: RecordRow): ArchiveRecord => ({
  venue: r.venue,
  source: r.source,
  type: r.type,
  symbol: r.symbol,
  series: r.series,
  time: int(r.time),
  key: r.key,
  // node-postgres parses jsonb; PGlite too. A string here would be a payload stored as a JSON string.
  payload: r.payload,
});

async function chunkedDelete(sql: SqlExecutor, table: string, where: string, params: unknown[], chunkRows: number): Promise<number> {
  let total = 0;
  for (;;) {
    // ctid-chunked deletes keep one statement short (PGlite runs on the event loop's thread).
    const { affectedRows } = await sql.query(`DELETE FROM ${table} WHERE ctid IN (SELECT ctid FROM ${table} WHERE ${where} LIMIT ${chunkRows})`, params);
    total += affectedRows;
    if (affectedRows < chunkRows) return total;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

function exclusion(column: string, keep: readonly string[], params: unknown[]): string {
  if (keep.length === 0) return 'TRUE';
  params.push([...keep]);
  return `NOT (${column} = ANY($${params.length}::text[]))`;
}

/** Bars per series one stats statement covers (a slice of the interval time index; 20 symbols: ≈ 10 000 rows, ≈ 40 ms on PGlite). */
export const STATS_SLICE_ROWS_PER_SERIES = 500;
/** Time one stats statement covers for records (ms). */
export const STATS_RECORD_SLICE_MS = 86_400_000;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Distinct values of an indexed leading column by a loose index scan (one index probe per value: the
 * archive holds a few intervals and types in millions of rows, so DISTINCT over the table would read them all).
 */
async function distinctOf(sql: SqlExecutor, table: string, column: string): Promise<string[]> {
  const { rows } = await sql.query<{ v: string | null }>(
    `WITH RECURSIVE t(v) AS ((SELECT ${column} FROM ${table} ORDER BY ${column} LIMIT 1) UNION ALL SELECT (SELECT ${column} FROM ${table} WHERE ${column} > t.v ORDER BY ${column} LIMIT 1) FROM t WHERE t.v IS NOT NULL) SELECT v FROM t WHERE v IS NOT NULL`,
  );
  return rows.map((r) => r.v!).filter((v) => v !== null);
}

/** Oldest and newest time of one value of the leading column (two probes of its (column, time) index). */
async function spanOf(sql: SqlExecutor, table: string, column: string, time: string, value: string): Promise<[number, number] | null> {
  const { rows } = await sql.query<{ lo: string | number | null; hi: string | number | null }>(
    `SELECT (SELECT ${time} FROM ${table} WHERE ${column} = $1 ORDER BY ${time} LIMIT 1) AS lo, (SELECT ${time} FROM ${table} WHERE ${column} = $1 ORDER BY ${time} DESC LIMIT 1) AS hi`,
    [value],
  );
  const lo = rows[0]?.lo;
  const hi = rows[0]?.hi;
  return lo === null || lo === undefined || hi === null || hi === undefined ? null : [int(lo), int(hi)];
}

/** Half-open [from, to) slices of `width` covering [span[0], span[1]]. */
function slices(span: [number, number] | null, width: number): Array<[number, number]> {
  if (!span) return [];
  const out: Array<[number, number]> = [];
  for (let from = span[0]; from <= span[1]; from += width) out.push([from, Math.min(from + width, span[1] + 1)]);
  return out;
}

export function createArchiveRepository(db: Pick<Database, 'sql'>): ArchiveStore {
  const { sql } = db;
  return {
    async insertMany(rows) {
      if (rows.length > MAX_ARCHIVE_ROWS_PER_INSERT) throw new RangeError(`at most ${MAX_ARCHIVE_ROWS_PER_INSERT} rows per insertMany (got ${rows.length})`);
      const candles: unknown[] = [];
      const records: unknown[] = [];
      // One upsert statement may not touch a row twice: the last version of a bar in the batch wins.
      const lastOfBar = new Map<string, number>();
      rows.forEach((item, i) => {
        if (item.table === 'candle') lastOfBar.set(`${item.row.venue}|${item.row.candle.symbol}|${item.row.candle.interval}|${item.row.candle.openTime}`, i);
      });
      for (let i = 0; i < rows.length; i += 1) {
        const item = rows[i]!;
        if (item.table === 'candle') {
          if (lastOfBar.get(`${item.row.venue}|${item.row.candle.symbol}|${item.row.candle.interval}|${item.row.candle.openTime}`) !== i) continue;
          const { venue, source, candle: c } = item.row;
          candles.push(venue, source, c.symbol, c.interval, String(c.openTime), String(c.closeTime), c.open, c.high, c.low, c.close, c.volume, c.quoteVolume, c.takerBuyVolume, c.trades);
        } else {
          const r = item.row;
          records.push(r.venue, r.source, r.type, r.symbol, r.series, String(Math.trunc(r.time)), r.key, JSON.stringify(r.payload) ?? 'null');
        }
      }
      let written = 0;
      if (candles.length > 0) written += (await sql.query(statement('candle', candles.length / CANDLE_COLUMNS), candles)).affectedRows;
      if (records.length > 0) written += (await sql.query(statement('record', records.length / RECORD_COLUMNS), records)).affectedRows;
      return written;
    },

    async candles(q) {
      const { rows } = await sql.query<CandleRow>(
        `SELECT symbol, interval, open_time, close_time, open, high, low, close, volume, quote_volume, taker_buy_volume, trades
           FROM market_candle
          WHERE venue = $1 AND source = $2 AND symbol = $3 AND interval = $4 AND open_time <= $5::int8
          ORDER BY open_time DESC LIMIT $6`,
        [q.venue, q.source, q.symbol, q.interval, String(q.until ?? Number.MAX_SAFE_INTEGER), q.limit],
      );
      return rows.reverse().map(toCandle);
    },

    async firstCandle(q) {
      const { rows } = await sql.query<CandleRow>(
        `SELECT symbol, interval, open_time, close_time, open, high, low, close, volume, quote_volume, taker_buy_volume, trades
           FROM market_candle
          WHERE venue = $1 AND source = $2 AND symbol = $3 AND interval = $4
          ORDER BY open_time ASC LIMIT 1`,
        [q.venue, q.source, q.symbol, q.interval],
      );
      return rows.map(toCandle)[0];
    },

    async records(q) {
      const { rows } = await sql.query<RecordRow>(
        `SELECT venue, source, type, symbol, series, time, key, payload FROM (
           SELECT *, row_number() OVER (PARTITION BY series ORDER BY time DESC, key DESC) AS n
             FROM market_record
            WHERE venue = $1 AND source = $2 AND type = $3 AND symbol = $4 AND time <= $5::int8
         ) ranked WHERE n <= $6 ORDER BY time, series, key`,
        [q.venue, q.source, q.type, q.symbol, String(q.until ?? Number.MAX_SAFE_INTEGER), q.limit],
      );
      return rows.map(toRecord);
    },

    async intervals(q) {
      const { rows } = await sql.query<{ interval: CandleInterval }>(
        'SELECT DISTINCT interval FROM market_candle WHERE venue = $1 AND source = $2 AND symbol = $3',
        [q.venue, q.source, q.symbol],
      );
      return rows.map((r) => r.interval);
    },

    async pruneCandles(interval, before, keep, chunkRows) {
      const params: unknown[] = [String(before)];
      const which = interval === null ? exclusion('interval', keep, params) : (params.push(interval), `interval = $${params.length}`);
      return chunkedDelete(sql, 'market_candle', `open_time < $1::int8 AND ${which}`, params, chunkRows);
    },

    async pruneRecords(type, before, keep, chunkRows) {
      const params: unknown[] = [String(before)];
      const which = type === null ? exclusion('type', keep, params) : (params.push(type), `type = $${params.length}`);
      return chunkedDelete(sql, 'market_record', `time < $1::int8 AND ${which}`, params, chunkRows);
    },

    async stats() {
      // Chunked (see STATS_SLICE_ROWS_PER_SERIES): a GROUP BY over both tables took 4.4 s on PGlite at 10 M rows,
      // all of it on the event loop's thread. Here each statement covers one slice of one type's time index
      // and a loop turn passes between statements, so the whole pass costs the same but never stalls long.
      const sizes = await sql.query<{ candle_bytes: string | number; record_bytes: string | number }>(
        "SELECT pg_total_relation_size('market_candle') AS candle_bytes, pg_total_relation_size('market_record') AS record_bytes",
      );
      const candleBytes = int(sizes.rows[0]?.candle_bytes ?? 0);
      const recordBytes = int(sizes.rows[0]?.record_bytes ?? 0);
      const candles: Array<{ type: string; rows: number; oldest: number | null; newest: number | null }> = [];
      for (const interval of await distinctOf(sql, 'market_candle', 'interval')) {
        const span = await spanOf(sql, 'market_candle', 'interval', 'open_time', interval);
        const width = (INTERVAL_MS[interval as CandleInterval] ?? 60_000) * STATS_SLICE_ROWS_PER_SERIES;
        let rows = 0;
        for (const [from, to] of slices(span, width)) {
          const r = await sql.query<{ rows: string | number }>('SELECT count(*) AS rows FROM market_candle WHERE interval = $1 AND open_time >= $2 AND open_time < $3', [interval, from, to]);
          rows += int(r.rows[0]?.rows ?? 0);
          await nextTurn();
        }
        candles.push({ type: `candle:${interval}`, rows, oldest: span?.[0] ?? null, newest: span?.[1] ?? null });
      }
      const records: Array<{ type: string; rows: number; rowBytes: number; oldest: number | null; newest: number | null }> = [];
      for (const type of await distinctOf(sql, 'market_record', 'type')) {
        const span = await spanOf(sql, 'market_record', 'type', 'time', type);
        let rows = 0;
        let rowBytes = 0;
        for (const [from, to] of slices(span, STATS_RECORD_SLICE_MS)) {
          const r = await sql.query<{ rows: string | number; row_bytes: string | number | null }>(
            'SELECT count(*) AS rows, sum(pg_column_size(market_record.*)) AS row_bytes FROM market_record WHERE type = $1 AND time >= $2 AND time < $3',
            [type, from, to],
          );
          rows += int(r.rows[0]?.rows ?? 0);
          rowBytes += int(r.rows[0]?.row_bytes ?? 0);
          await nextTurn();
        }
        records.push({ type, rows, rowBytes, oldest: span?.[0] ?? null, newest: span?.[1] ?? null });
      }
      const candleRows = candles.reduce((s, r) => s + r.rows, 0);
      const recordRowBytes = records.reduce((s, r) => s + r.rowBytes, 0);
      return [
        // Candle rows are fixed-width: apportioned by row count.
        ...candles.map((r) => ({ ...r, bytes: candleRows > 0 ? Math.round((candleBytes * r.rows) / candleRows) : 0 })),
        ...records.map(({ rowBytes, ...r }) => ({ ...r, bytes: recordRowBytes > 0 ? Math.round((recordBytes * rowBytes) / recordRowBytes) : 0 })),
      ];
    },
  };
}

/** First and last open time and row count of one candle series within [from, to) (any source). */
export async function candleCoverage(
  sql: SqlExecutor,
  q: { venue: string; symbol: string; interval: CandleInterval; from: number; to: number },
): Promise<{ first: number | null; last: number | null; rows: number; source: string | null }> {
  const { rows } = await sql.query<{ first: string | number | null; last: string | number | null; n: string | number; source: string | null }>(
    `SELECT min(open_time) AS first, max(open_time) AS last, count(*) AS n, min(source) AS source
       FROM market_candle WHERE venue = $1 AND symbol = $2 AND interval = $3 AND open_time >= $4::int8 AND open_time < $5::int8`,
    [q.venue, q.symbol, q.interval, String(q.from), String(q.to)],
  );
  const r = rows[0]!;
  return { first: r.first === null ? null : int(r.first), last: r.last === null ? null : int(r.last), rows: int(r.n), source: r.source };
}

/**
 * The candles of one series with open time in [from, to), oldest first, preceded by up to `before` candles
 * opened before `from` (a backtest's warm-up). A backtest reads its whole range at once (it is bounded by
 * BACKTEST_MAX_BARS).
 */
export async function candleRange(
  sql: SqlExecutor,
  q: { venue: string; symbol: string; interval: CandleInterval; from: number; to: number; before: number },
): Promise<Candle[]> {
  const columns = 'symbol, interval, open_time, close_time, open, high, low, close, volume, quote_volume, taker_buy_volume, trades';
  const warm =
    q.before > 0
      ? (
          await sql.query<CandleRow>(
            `SELECT ${columns} FROM market_candle WHERE venue = $1 AND symbol = $2 AND interval = $3 AND open_time < $4::int8 ORDER BY open_time DESC LIMIT $5`,
            [q.venue, q.symbol, q.interval, String(q.from), q.before],
          )
        ).rows.reverse()
      : [];
  const { rows } = await sql.query<CandleRow>(
    `SELECT ${columns} FROM market_candle WHERE venue = $1 AND symbol = $2 AND interval = $3 AND open_time >= $4::int8 AND open_time < $5::int8 ORDER BY open_time`,
    [q.venue, q.symbol, q.interval, String(q.from), String(q.to)],
  );
  return [...warm, ...rows].map(toCandle);
}

/** Archived records of one type and symbol with time in [from, to), oldest first. */
export async function recordRange(sql: SqlExecutor, q: { venue: string; type: string; symbol: string; from: number; to: number }): Promise<ArchiveRecord[]> {
  const { rows } = await sql.query<RecordRow>(
    `SELECT venue, source, type, symbol, series, time, key, payload FROM market_record
      WHERE venue = $1 AND type = $2 AND symbol = $3 AND time >= $4::int8 AND time < $5::int8 ORDER BY time, series, key`,
    [q.venue, q.type, q.symbol, String(q.from), String(q.to)],
  );
  return rows.map(toRecord);
}
