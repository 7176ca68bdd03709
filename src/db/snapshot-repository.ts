import { Prisma, type PrismaClient } from '../generated/prisma/client.js';

/**
 * One persisted analysis result, JSON-safe: `asOf` is epoch milliseconds (the `Date` conversion happens
 * only at this boundary), `payload` is the result as it was served.
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

/** What the snapshot writer and the history resolvers depend on; Prisma stays behind it. */
export interface SnapshotStore {
  /** Writes all rows in one statement (all or nothing); resolves to the number written. */
  insertMany(rows: readonly SnapshotRow[]): Promise<number>;
  /** Newest first (ties on `asOf` by insertion order, newest first). */
  query(query: SnapshotQuery): Promise<SnapshotRow[]>;
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
 * rather than inside the driver.
 */
function toJson(payload: unknown): Prisma.InputJsonValue | typeof Prisma.JsonNull {
  const text = JSON.stringify(payload);
  if (text === undefined) return Prisma.JsonNull;
  const value = JSON.parse(text) as Prisma.InputJsonValue | null;
  return value === null ? Prisma.JsonNull : value;
}

export function createSnapshotRepository(prisma: PrismaClient): SnapshotStore {
  return {
    async insertMany(rows) {
      if (rows.length === 0) return 0;
      const data = rows.map((row) => ({
        kind: row.kind,
        symbol: row.symbol,
        asOf: toDate(row.asOf, 'asOf'),
        methodologyVersion: row.methodologyVersion,
        source: row.source,
        venue: row.venue,
        payload: toJson(row.payload),
      }));
      const result = await prisma.analysisSnapshot.createMany({ data });
      return result.count;
    },

    async query({ kind, symbol, from, to, limit }) {
      if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer (got ${String(limit)})`);
      const asOf: Prisma.DateTimeFilter = {};
      if (from !== undefined) asOf.gte = toDate(from, 'from');
      if (to !== undefined) asOf.lte = toDate(to, 'to');
      const found = await prisma.analysisSnapshot.findMany({
        where: { kind, symbol, ...(from !== undefined || to !== undefined ? { asOf } : {}) },
        // Served by the (kind, symbol, as_of DESC) index; id breaks ties deterministically.
        orderBy: [{ asOf: 'desc' }, { id: 'desc' }],
        take: limit,
        select: { kind: true, symbol: true, asOf: true, methodologyVersion: true, source: true, venue: true, payload: true },
      });
      return found.map((r) => ({
        kind: r.kind,
        symbol: r.symbol,
        asOf: r.asOf.getTime(),
        methodologyVersion: r.methodologyVersion,
        source: r.source,
        venue: r.venue,
        payload: r.payload,
      }));
    },
  };
}
