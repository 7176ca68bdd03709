import { readFileSync } from 'node:fs';
import { startFakeHttpServer, statusFaultResponse, type FakeFaultTimes, type FakeHttpFault, type FakeHttpRequest } from './fake-http.js';

/**
 * A local stand-in for the alternative.me Fear & Greed API (`GET /fng/?limit=N`), speaking its wire
 * format: every number a string, newest reading first, `time_until_update` on the newest only,
 * `metadata.error` null. `limit` is honoured (0 = everything, missing = 1). Readings are one per UTC
 * day at 00:00, generated up to today or read from the recorded daily CSV (`Date,fng_value,fng_class`).
 */

export type FakeFngFault = (
  | FakeHttpFault
  /** The newest reading's `value` becomes `"abc"`. */
  | { kind: 'malformed' }
  /** HTTP 200 with `data: []` and `metadata.error` set. */
  | { kind: 'apiError'; message: string }
) & FakeFaultTimes;

export interface FakeFngOptions {
  /** Serve this recorded daily history (alternative-me-fng-daily-*.csv) instead of generated readings. */
  historyFile?: string;
  /** Generated readings, one per day ending today. Default 1000. */
  days?: number;
  now?: () => number;
}

export interface FakeFngReading {
  value: number;
  classification: string;
  /** Unix seconds, 00:00 UTC. */
  timestamp: number;
}

export type FakeFngRequest = FakeHttpRequest;

export interface FakeFng {
  url: string;
  requests: FakeFngRequest[];
  setFault(fault: FakeFngFault | null): void;
  /** Everything served with `limit=0`, newest first. */
  readings(): FakeFngReading[];
  close(): Promise<void>;
}

const DAY_S = 86_400;

/** alternative.me's bands (used only to label generated values; the API's label is authoritative). */
export function fngClassification(value: number): string {
  if (value <= 25) return 'Extreme Fear';
  if (value <= 46) return 'Fear';
  if (value <= 54) return 'Neutral';
  if (value <= 75) return 'Greed';
  return 'Extreme Greed';
}

function readCsv(file: string): FakeFngReading[] {
  const rows: FakeFngReading[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
    const [date, value, classification] = line.trim().split(',');
    if (!date || value === undefined || !classification) continue;
    rows.push({ value: Number(value), classification, timestamp: Date.parse(`${date}T00:00:00Z`) / 1000 });
  }
  return rows.sort((a, b) => b.timestamp - a.timestamp);
}

function generate(days: number, now: number): FakeFngReading[] {
  const today = Math.floor(now / 1000 / DAY_S) * DAY_S;
  const rows: FakeFngReading[] = [];
  for (let i = 0; i < days; i++) {
    const timestamp = today - i * DAY_S;
    const k = timestamp / DAY_S;
    const value = Math.max(0, Math.min(100, Math.round(50 + 30 * Math.sin(k / 20) + 12 * Math.sin(k / 3.7))));
    rows.push({ value, classification: fngClassification(value), timestamp });
  }
  return rows;
}

export async function startFakeFng(options: FakeFngOptions = {}): Promise<FakeFng> {
  const now = options.now ?? Date.now;
  const recorded = options.historyFile ? readCsv(options.historyFile) : null;
  const readings = () => recorded ?? generate(options.days ?? 1000, now());

  function fngBody(query: Record<string, string>, malformed: boolean): unknown {
    const all = readings();
    const raw = query.limit ?? '1';
    const limit = /^\d+$/.test(raw) ? Number(raw) : 1;
    const rows = limit === 0 ? all : all.slice(0, limit);
    const data = rows.map((r, i) => ({
      value: String(r.value),
      value_classification: r.classification,
      timestamp: String(r.timestamp),
      ...(i === 0 ? { time_until_update: String(Math.max(0, r.timestamp + DAY_S - Math.floor(now() / 1000))) } : {}),
    }));
    if (malformed && data[0]) data[0].value = 'abc';
    return { name: 'Fear and Greed Index', data, metadata: { error: null } };
  }

  const server = await startFakeHttpServer<FakeFngFault>({
    now,
    affects: (path) => path === '/fng/',
    respond({ path, query, fault: f }) {
      if (path !== '/fng/') return { status: 404, json: { error: 'not found' } };
      const failed = statusFaultResponse(f, (status) => ({ error: status === 429 ? 'Too Many Requests' : 'Internal Server Error' }));
      if (failed) return failed;
      if (f?.kind === 'apiError') return { status: 200, json: { name: 'Fear and Greed Index', data: [], metadata: { error: f.message } } };
      return { status: 200, json: fngBody(query, f?.kind === 'malformed') };
    },
    crashBody: (error) => ({ error: String(error) }),
  });

  return { ...server, readings };
}
