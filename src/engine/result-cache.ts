import type { Redis } from 'ioredis';
import type { AnalysisRecord, TickerRecord } from '../domain/analysis.js';
import { UpstreamUnavailableError } from '../datasources/errors.js';

/**
 * Latest result per (kind, symbol) and latest ticker per symbol. Always in memory; written through to
 * Redis when shared so API-only instances (ROLE=api) can answer queries from what workers computed.
 */
export interface ResultCache {
  get(kind: string, symbol: string): Promise<AnalysisRecord | undefined>;
  set(record: AnalysisRecord): void;
  getTicker(symbol: string): Promise<TickerRecord | undefined>;
  setTicker(ticker: TickerRecord): void;
  /** Forgets every entry this cache holds or wrote to Redis (a fallback turning LIVE starts from nothing). */
  clear(): Promise<void>;
}

/** Shared entries expire so a dead worker's results do not live forever (meta.stale flags them before). */
const SHARED_TTL_SECONDS = 600;

export function createResultCache(options: { redis?: Redis; prefix?: string; onError?: (error: unknown) => void } = {}): ResultCache {
  const records = new Map<string, AnalysisRecord>();
  const tickers = new Map<string, TickerRecord>();
  const { redis, onError = () => {} } = options;
  const PREFIX = `${options.prefix ?? 'perpgraph:'}latest:`;

  /** The last value read from Redis per key: served (and aged into meta.stale by its asOf) while Redis is away. */
  const lastRead = new Map<string, unknown>();
  async function readShared<T>(key: string): Promise<T | undefined> {
    if (!redis) return undefined;
    let raw: string | null;
    try {
      raw = await redis.get(PREFIX + key);
    } catch (error) {
      if (lastRead.has(key)) return lastRead.get(key) as T;
      throw new UpstreamUnavailableError("shared result cache (Redis) unreachable; no earlier result to serve", 'redis', { cause: error });
    }
    const value = raw === null ? undefined : (JSON.parse(raw) as T);
    if (value === undefined) lastRead.delete(key);
    else lastRead.set(key, value);
    return value;
  }
  const written = new Set<string>();
  function writeShared(key: string, value: unknown): void {
    if (!redis) return;
    written.add(key);
    redis.set(PREFIX + key, JSON.stringify(value), 'EX', SHARED_TTL_SECONDS).catch(onError);
  }

  return {
    async get(kind, symbol) {
      const key = `${kind}:${symbol}`;
      return records.get(key) ?? (await readShared<AnalysisRecord>(key));
    },
    set(record) {
      const key = `${record.kind}:${record.symbol}`;
      records.set(key, record);
      writeShared(key, record);
    },
    async getTicker(symbol) {
      return tickers.get(symbol) ?? (await readShared<TickerRecord>(`TICKER:${symbol}`));
    },
    setTicker(ticker) {
      tickers.set(ticker.symbol, ticker);
      writeShared(`TICKER:${ticker.symbol}`, ticker);
    },
    async clear() {
      records.clear();
      lastRead.clear();
      tickers.clear();
      const keys = [...written].map((k) => PREFIX + k);
      written.clear();
      if (redis && keys.length > 0) await redis.del(...keys).catch(onError);
    },
  };
}
