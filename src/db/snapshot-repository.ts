import { brotliCompressSync, brotliDecompressSync, constants as zlib } from 'node:zlib';
import type { Database } from './database.js';

/**
 * One persisted analysis result, JSON-safe: `asOf` is epoch milliseconds (the `Date` conversion happens
 * only at this boundary), `payload` is the result as it was served (stored brotli-compressed, see
 * {@link compressPayload}; `query` returns it decompressed, so callers never see the storage form).
 */
export interface SnapshotRow {
  kind: string;
  symbol: string;
  /** Epoch milliseconds; stored as timestamptz(3). */
  asOf: number;
  methodologyVersion: string;
  /** LIVE, SIMULATED or REPLAY. */
  source: string;
  venue: string;
  payload: unknown;
}

export interface SnapshotQuery {
  kind: string;
  symbol: string;
  /** Inclusive lower bound on `asOf`, epoch ms. */
  from?: number;
  /** Inclusive upper bound on `asOf`, epoch ms. */
  to?: number;
  /** Positive integer; the newest `limit` rows are returned. */
  limit: number;
}

export interface FirstPerBarQuery {
  kind: string;
  symbol: string;
  /** Inclusive bounds on `asOf`, epoch ms. */
  from: number;
  to: number;
  /** Bar length (ms): bars are [offsetMs + i·barMs, offsetMs + (i+1)·barMs). */
  barMs: number;
  /** Where bars start relative to the epoch (weekly bars: Monday, 4 days). Default 0. */
  offsetMs?: number;
  /** Positive integer: the newest `limit` bars are returned. */
  limit: number;
}

/** Position of a row in the newest-first order: its asOf and its id (ties on asOf by insertion order). */
export interface SnapshotPosition {
  asOf: number;
  /** The row id (bigint) as a decimal string. */
  id: string;
}

export interface SnapshotPageQuery {
  kind: string;
  symbol: string;
  from?: number;
  to?: number;
  /** Positive integer: rows returned at most. */
  first: number;
  /** Rows strictly after this position in the newest-first order (keyset pagination); absent: from the newest. */
  after?: SnapshotPosition;
}

export interface SnapshotPage {
  rows: Array<SnapshotRow & { position: SnapshotPosition }>;
  /** True when rows beyond the last one returned exist (in the same bounds). */
  hasNextPage: boolean;
}

/** What the snapshot writer and the history resolvers depend on; Prisma stays behind it. */
export interface SnapshotStore {
  /** Writes all rows in one statement (all or nothing); resolves to the number written. */
  insertMany(rows: readonly SnapshotRow[]): Promise<number>;
  /** Newest first (ties on `asOf` by insertion order, newest first). */
  query(query: SnapshotQuery): Promise<SnapshotRow[]>;
  /**
   * The earliest snapshot in each bar of `barMs` within [from, to] (ties by insertion order), oldest first,
   * at most `limit` bars (the newest). What the track record grades: one record per bar, however often it
   * was republished. Payloads of the other rows are never read.
   */
  firstPerBar(query: FirstPerBarQuery): Promise<SnapshotRow[]>;
  /**
   * Newest first, `first` rows after `after` (keyset on (asOf, id), so a page is stable while rows are
   * written and costs the same at any depth). Backs the `analysisHistory` connection.
   */
  page(query: SnapshotPageQuery): Promise<SnapshotPage>;
}

function toDate(ms: number, what: string): Date {
  const date = new Date(ms);
  if (!Number.isFinite(ms) || Number.isNaN(date.getTime())) {
    throw new RangeError(`${what} must be a finite epoch-millisecond timestamp (got ${String(ms)})`);
  }
  return date;
}

/**
 * Payloads go through JSON first so what is stored is exactly what a client would have received (Dates
 * become ISO strings, `undefined` keys vanish, NaN becomes null) and a non-JSON value fails here, loudly,
 * rather than inside the driver. Top-level `undefined` is stored as JSON null.
 */
function toJsonText(payload: unknown): string {
  return JSON.stringify(payload) ?? 'null';
}

/** Longest stretch of payload compression before the event loop gets a turn (ms); see `insertMany`. */
const COMPRESS_SLICE_MS = 4;
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Postgres's bind-parameter limit (65 535) over the 7 columns of a row. */
export const MAX_ROWS_PER_INSERT = Math.floor(65_535 / 7);

const COLUMNS = 'INSERT INTO analysis_snapshot (kind, symbol, as_of, methodology_version, source, venue, payload_br) VALUES ';
/** Statement text per batch size, so a steady batch size reuses one string (and Postgres one plan shape). */
const statements = new Map<number, string>();
function insertStatement(rows: number): string {
  let text = statements.get(rows);
  if (text === undefined) {
    const tuples = new Array<string>(rows);
    for (let i = 0; i < rows; i += 1) {
      const b = i * 7;
      tuples[i] = `($${b + 1}, $${b + 2}, timestamptz 'epoch' + $${b + 3}::int8 * interval '1 millisecond', $${b + 4}, $${b + 5}, $${b + 6}, decode($${b + 7}, 'hex'))`;
    }
    text = COLUMNS + tuples.join(', ');
    if (statements.size >= 64) statements.clear(); // bounded: batch sizes are few in practice
    statements.set(rows, text);
  }
  return text;
}

interface SelectedRow {
  kind: string;
  symbol: string;
  as_of: Date | string;
  methodology_version: string;
  source: string;
  venue: string;
  /** Rows written before the compact-payload migration. */
  payload: unknown;
  payload_br: Uint8Array | null;
}

/**
 * Brotli at quality 5 over UTF-8 JSON: snapshot payloads are repetitive numbers and keys, and shrink about
 * several times (bench/storage.ts prints the ratio per kind), where jsonb in TOAST gets pglz's 1.5–2×.
 *
 * Synchronous on purpose, with a 256 KB window (payloads are at most tens of KB): the async variant ran
 * on libuv's thread pool, where each thread's malloc arena kept brotli's multi-megabyte default window
 * buffers and the idle server's RSS grew by ~300 MB (bench/idle.ts). A row costs well under a millisecond
 * of the loop at this quality (bench/storage.ts prints the time per kind).
 */
export function compressPayload(payload: unknown): Buffer {
  const text = Buffer.from(toJsonText(payload), 'utf8');
  return brotliCompressSync(text, {
    params: {
      [zlib.BROTLI_PARAM_QUALITY]: 5,
      [zlib.BROTLI_PARAM_LGWIN]: 18,
      [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT,
      [zlib.BROTLI_PARAM_SIZE_HINT]: text.length,
    },
  });
}

export function decompressPayload(bytes: Uint8Array): unknown {
  return JSON.parse(brotliDecompressSync(bytes).toString('utf8')) as unknown;
}

export function createSnapshotRepository(db: Pick<Database, 'sql'>): SnapshotStore {
  const { sql } = db;
  return {
    async insertMany(rows) {
      if (rows.length === 0) return 0;
      if (rows.length > MAX_ROWS_PER_INSERT) {
        throw new RangeError(`at most ${MAX_ROWS_PER_INSERT} rows per insertMany (got ${rows.length}); the writer batches below that`);
      }
      // One multi-row INSERT … VALUES with 7 bind parameters per row, straight through the driver: no ORM
      // compiles anything per call (Prisma's createMany spent more CPU compiling than Postgres inserting).
      // bench/snapshot-write.ts measured it against createMany and against unnest(array parameters), which
      // pays for escaping every JSON payload into an array literal: VALUES was the cheapest on both drivers.
      // as_of travels as whole epoch milliseconds and is converted exactly by interval arithmetic.
      const params = new Array<unknown>(rows.length * 7);
      // A turn of the loop first: the writer issues its batches back to back, and the previous statement
      // (PGlite: synchronous) just ended.
      await yieldToLoop();
      let sliceStart = performance.now();
      for (let i = 0; i < rows.length; i += 1) {
        // Serialising and compressing a batch is synchronous work of a few ms per large payload: the loop gets
        // a turn every COMPRESS_SLICE_MS so requests and timers are not held behind a whole batch (a 25-row
        // flush of the 3-symbol server was 15-85 ms in one piece).
        if (performance.now() - sliceStart >= COMPRESS_SLICE_MS) {
          await yieldToLoop();
          sliceStart = performance.now();
        }
        const row = rows[i]!;
        // Validates, and truncates a fractional millisecond the way `new Date(ms)` (and timestamptz(3)) would.
        toDate(row.asOf, 'asOf');
        const b = i * 7;
        params[b] = row.kind;
        params[b + 1] = row.symbol;
        params[b + 2] = String(Math.trunc(row.asOf));
        params[b + 3] = row.methodologyVersion;
        params[b + 4] = row.source;
        params[b + 5] = row.venue;
        // Hex text decoded by the server, not a Uint8Array: PGlite's bytea serializer builds one string per
        // byte (Array.from(bytes).map(toString(16))), ≈ a quarter of a flush in a CPU profile of the idle server; Buffer's hex
        // encoding is native, and decode(…, 'hex') is the same bytes on both drivers.
        params[b + 6] = compressPayload(row.payload).toString('hex');
      }
      // The statement itself is synchronous work too on PGlite (its wasm runs on this thread): it starts on a
      // turn of its own rather than at the end of a compression slice.
      if (performance.now() - sliceStart >= COMPRESS_SLICE_MS / 2) await yieldToLoop();
      const result = await sql.query(insertStatement(rows.length), params);
      return result.affectedRows;
    },

    async query({ kind, symbol, from, to, limit }) {
      if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer (got ${String(limit)})`);
      const params: unknown[] = [kind, symbol];
      let where = 'kind = $1 AND symbol = $2';
      if (from !== undefined) {
        params.push(toDate(from, 'from').toISOString());
        where += ` AND as_of >= $${params.length}::timestamptz`;
      }
      if (to !== undefined) {
        params.push(toDate(to, 'to').toISOString());
        where += ` AND as_of <= $${params.length}::timestamptz`;
      }
      params.push(limit);
      // Served by the (kind, symbol, as_of DESC) index; id breaks ties deterministically.
      const { rows } = await sql.query<SelectedRow>(
        `SELECT kind, symbol, as_of, methodology_version, source, venue, payload, payload_br FROM analysis_snapshot
         WHERE ${where} ORDER BY as_of DESC, id DESC LIMIT $${params.length}`,
        params,
      );
      return rows.map(fromSelected);
    },

    async page({ kind, symbol, from, to, first, after }) {
      if (!Number.isInteger(first) || first < 1) throw new RangeError(`first must be a positive integer (got ${String(first)})`);
      const params: unknown[] = [kind, symbol];
      let where = 'kind = $1 AND symbol = $2';
      if (from !== undefined) {
        params.push(toDate(from, 'from').toISOString());
        where += ` AND as_of >= $${params.length}::timestamptz`;
      }
      if (to !== undefined) {
        params.push(toDate(to, 'to').toISOString());
        where += ` AND as_of <= $${params.length}::timestamptz`;
      }
      if (after) {
        if (!/^\d{1,19}$/.test(after.id)) throw new RangeError(`after.id must be a row id (got ${after.id})`);
        params.push(toDate(after.asOf, 'after.asOf').toISOString(), after.id);
        where += ` AND (as_of, id) < ($${params.length - 1}::timestamptz, $${params.length}::int8)`;
      }
      // One row more than asked tells whether a next page exists.
      params.push(first + 1);
      const { rows } = await sql.query<SelectedRow & { id: string | number | bigint }>(
        `SELECT id::text AS id, kind, symbol, as_of, methodology_version, source, venue, payload, payload_br FROM analysis_snapshot
         WHERE ${where} ORDER BY as_of DESC, id DESC LIMIT $${params.length}`,
        params,
      );
      const page = rows.slice(0, first).map((r) => {
        const row = fromSelected(r);
        return { ...row, position: { asOf: row.asOf, id: String(r.id) } };
      });
      return { rows: page, hasNextPage: rows.length > first };
    },

    async firstPerBar({ kind, symbol, from, to, barMs, offsetMs = 0, limit }) {
      if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer (got ${String(limit)})`);
      if (!Number.isInteger(barMs) || barMs < 1) throw new RangeError(`barMs must be a positive integer (got ${String(barMs)})`);
      // DISTINCT ON the bar number over the (kind, symbol, as_of) index picks ids without touching payloads;
      // only the chosen rows are then read and decompressed.
      const { rows } = await sql.query<SelectedRow>(
        `SELECT kind, symbol, as_of, methodology_version, source, venue, payload, payload_br FROM analysis_snapshot WHERE id IN (
           SELECT id FROM (
             SELECT DISTINCT ON (bar) id, bar FROM (
               SELECT id, as_of, floor((extract(epoch FROM as_of)::float8 * 1000 - $5::float8) / $6::float8) AS bar FROM analysis_snapshot
               WHERE kind = $1 AND symbol = $2 AND as_of >= $3::timestamptz AND as_of <= $4::timestamptz
             ) t ORDER BY bar, as_of ASC, id ASC
           ) b ORDER BY bar DESC LIMIT $7
         ) ORDER BY as_of ASC, id ASC`,
        [kind, symbol, toDate(from, 'from').toISOString(), toDate(to, 'to').toISOString(), offsetMs, barMs, limit],
      );
      return rows.map(fromSelected);
    },
  };
}

/** Older rows hold jsonb, newer ones the compressed bytes; either way the same JSON comes back. */
function fromSelected(r: SelectedRow): SnapshotRow {
  return {
    kind: r.kind,
    symbol: r.symbol,
    asOf: new Date(r.as_of).getTime(),
    methodologyVersion: r.methodology_version,
    source: r.source,
    venue: r.venue,
    payload: r.payload_br === null ? r.payload : decompressPayload(r.payload_br),
  };
}
