import { startFakeHttpServer, statusFaultResponse, type FakeFaultTimes, type FakeHttpFault, type FakeHttpRequest } from './fake-http.js';

/**
 * A local stand-in for the FRED API (`GET /fred/series/observations?series_id=&api_key=&file_type=json`),
 * speaking its wire format: a top-level envelope (realtime_start/end, observation_start/end, units,
 * output_type, file_type, order_by, sort_order, count, offset, limit) and `observations` whose `value` is
 * a string, `"."` on market holidays; weekends are absent, as in SP500 and DTWEXBGS. Errors are
 * `{"error_code":N,"error_message":"..."}` with the same HTTP status: an unknown series or key is 400,
 * a 429 fault answers `Too Many Requests.  Exceeded Rate Limit`.
 * @see https://fred.stlouisfed.org/docs/api/fred/series_observations.html
 */

export type FakeFredFault = (
  | FakeHttpFault
  /** The newest observation's value becomes `"abc"`. */
  | { kind: 'malformed' }
) & FakeFaultTimes;

export interface FakeFredObservation {
  date: string;
  /** As FRED sends it: a decimal string or `"."`. */
  value: string;
}

export interface FakeFredOptions {
  /** The key the fake accepts. Default `fakefredkey0000000000000000000000`. */
  apiKey?: string;
  /** Series served, oldest first. Default: SP500 and DTWEXBGS generated on weekdays up to today. */
  series?: Record<string, FakeFredObservation[]>;
  /** Generated weekdays ending today. Default 800. */
  days?: number;
  now?: () => number;
}

export interface FakeFred {
  url: string;
  apiKey: string;
  requests: FakeHttpRequest[];
  setFault(fault: FakeFredFault | null): void;
  series(id: string): FakeFredObservation[];
  close(): Promise<void>;
}

const DAY_MS = 86_400_000;
export const FAKE_FRED_KEY = 'fakefredkey0000000000000000000000';

/** New Year, Independence Day and Christmas (enough to put holidays in the generated calendar). */
const isHoliday = (date: string) => /-(01-01|07-04|12-25)$/.test(date);

/** A deterministic random walk on weekdays; holidays carry `"."`. */
export function generateFredSeries(start: number, days: number, now: number): FakeFredObservation[] {
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const out: FakeFredObservation[] = [];
  let level = start;
  for (let t = today - (days - 1) * DAY_MS; t <= today; t += DAY_MS) {
    const dow = new Date(t).getUTCDay();
    if (dow === 0 || dow === 6) continue;
    const date = new Date(t).toISOString().slice(0, 10);
    const k = t / DAY_MS;
    level *= 1 + 0.008 * Math.sin(k * 1.7) + 0.004 * Math.sin(k / 5.3);
    out.push({ date, value: isHoliday(date) ? '.' : level.toFixed(2) });
  }
  return out;
}

export async function startFakeFred(options: FakeFredOptions = {}): Promise<FakeFred> {
  const now = options.now ?? Date.now;
  const apiKey = options.apiKey ?? FAKE_FRED_KEY;
  const fixed = options.series;
  const series = (id: string): FakeFredObservation[] => {
    if (fixed) return fixed[id] ?? [];
    if (id === 'SP500') return generateFredSeries(5_000, options.days ?? 800, now());
    if (id === 'DTWEXBGS') return generateFredSeries(120, options.days ?? 800, now());
    return [];
  };
  const known = (id: string) => (fixed ? id in fixed : id === 'SP500' || id === 'DTWEXBGS');
  const error = (status: number, message: string) => ({ status, json: { error_code: status, error_message: message } });

  const server = await startFakeHttpServer<FakeFredFault>({
    now,
    affects: (path) => path === '/fred/series/observations',
    respond({ path, query, fault: f }) {
      if (path !== '/fred/series/observations') return error(404, 'Not Found.');
      const failed = statusFaultResponse(f, (status) => ({ error_code: status, error_message: status === 429 ? 'Too Many Requests.  Exceeded Rate Limit' : 'Internal Server Error' }));
      if (failed) return failed;
      if (query.api_key !== apiKey) return error(400, 'Bad Request.  The value for variable api_key is not registered.  Read https://fred.stlouisfed.org/docs/api/api_key.html for more information.');
      if (query.file_type !== 'json') return error(400, 'Bad Request.  This fake only speaks file_type=json.');
      const id = query.series_id ?? '';
      if (!known(id)) return error(400, 'Bad Request.  The series does not exist.');
      const today = new Date(now()).toISOString().slice(0, 10);
      const start = query.observation_start ?? '1776-07-04';
      const end = query.observation_end ?? '9999-12-31';
      let rows = series(id).filter((o) => o.date >= start && o.date <= end);
      if (query.sort_order === 'desc') rows = [...rows].reverse();
      const observations = rows.map((o) => ({ realtime_start: today, realtime_end: today, date: o.date, value: o.value }));
      if (f?.kind === 'malformed' && observations.length > 0) observations[observations.length - 1]!.value = 'abc';
      return {
        status: 200,
        json: {
          realtime_start: today,
          realtime_end: today,
          observation_start: start,
          observation_end: end,
          units: 'lin',
          output_type: 1,
          file_type: 'json',
          order_by: 'observation_date',
          sort_order: query.sort_order ?? 'asc',
          count: observations.length,
          offset: 0,
          limit: 100000,
          observations,
        },
      };
    },
    crashBody: (e) => ({ error_code: 500, error_message: String(e) }),
  });
  return { ...server, apiKey, series };
}
