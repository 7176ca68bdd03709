import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { dateOf, MACRO_SERIES_IDS, type MacroSeriesData, type MacroSeriesId } from '../../domain/macro.js';
import { createFredApi, FRED_RATE_LIMITS, FRED_VENUE, fredEnvelope } from '../fred/fred-api.js';
import { toMacroObservations } from '../fred/fred-mapper.js';
import { createHttpClient, type HttpClient } from '../http.js';
import type { VenueHealth } from '../market-data-source.js';
import { parseMacroCsv } from './macro-csv.js';

/** FRED series behind each name by default. GOLD has none: the LBMA gold fixes FRED carried were withdrawn (README Macro). */
export const DEFAULT_FRED_SERIES: Readonly<Partial<Record<MacroSeriesId, string>>> = { SPX: 'SP500', DXY: 'DTWEXBGS' };

export interface MacroSourceOptions {
  /** FRED API key; null or empty: FRED is not asked (series without a CSV are unavailable). */
  fredApiKey: string | null;
  /** Origin of the FRED API, e.g. `https://api.stlouisfed.org`. */
  fredBaseUrl: string;
  /** Which FRED series each name reads. Default DEFAULT_FRED_SERIES. */
  fredSeries?: Readonly<Partial<Record<MacroSeriesId, string>>>;
  /** Directory with `<NAME>.csv` replay files (macro-csv.ts); a file there wins over FRED. Null: none. */
  csvDir: string | null;
  /** Calendar days of history asked for. Default 1100 (≈ 3 years: the longest correlation window is 720 returns). */
  lookbackDays?: number;
  /** How long a FRED answer is reused. Default 1 h (the series are daily). */
  ttlMs?: number;
  timeoutMs?: number;
  logger?: Logger;
  now?: () => number;
}

export interface MacroSource {
  /** The series, or why it is unavailable (never throws for upstream failures). */
  series(id: MacroSeriesId): Promise<MacroSeriesData>;
  /** FRED as `health.venues` shows it; null when no key is set (nothing is ever sent). */
  health(): VenueHealth | null;
  stop(): Promise<void>;
}

const DAY_MS = 86_400_000;

/** No reason or log line carries the key (errors of the HTTP stack may quote the request URL). */
const redactKey = (text: string) => text.replace(/([?&]api_key=)[^&\s"']+/gi, '$1***');

/**
 * Daily macro series from a CSV replay directory or FRED (in that order per series). Without either, a
 * series is `available: false` with the reason (`FRED_API_KEY not set`, ...): the caller shows it as
 * unavailable, never as zeros.
 */
export function createMacroSource(options: MacroSourceOptions): MacroSource {
  const now = options.now ?? Date.now;
  const key = options.fredApiKey?.trim() || null;
  const mapping = options.fredSeries ?? DEFAULT_FRED_SERIES;
  const lookbackDays = options.lookbackDays ?? 1100;
  const http: HttpClient | null = key
    ? createHttpClient({
        venue: FRED_VENUE,
        baseUrl: options.fredBaseUrl,
        timeoutMs: options.timeoutMs ?? 10_000,
        rateLimits: FRED_RATE_LIMITS,
        envelope: fredEnvelope,
        logger: options.logger,
        now,
      })
    : null;
  const api = http && key ? createFredApi(http, key, { ttlMs: options.ttlMs ?? 3_600_000 }) : null;

  async function fromCsv(id: MacroSeriesId): Promise<MacroSeriesData | null> {
    if (!options.csvDir) return null;
    const file = join(options.csvDir, `${id}.csv`);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      return { available: false, id, reason: `${id}.csv in MACRO_CSV_DIR cannot be read: ${(error as Error).message}` };
    }
    try {
      return { available: true, id, source: 'CSV', upstreamId: `${id}.csv`, observations: parseMacroCsv(text, `${id}.csv`) };
    } catch (error) {
      return { available: false, id, reason: (error as Error).message };
    }
  }

  return {
    async series(id) {
      if (!MACRO_SERIES_IDS.includes(id)) throw new RangeError(`unknown macro series ${JSON.stringify(id)}`);
      const csv = await fromCsv(id);
      if (csv) return csv;
      const upstreamId = mapping[id];
      if (!upstreamId) return { available: false, id, reason: `${id} has no FRED series (the LBMA gold fixes FRED carried were withdrawn; none is configured in FRED_SERIES): put ${id}.csv into MACRO_CSV_DIR` };
      if (!api) return { available: false, id, reason: 'FRED_API_KEY not set' };
      // Whole days, so the start (and the cache key) changes once a day.
      const start = dateOf(Math.floor(now() / DAY_MS) * DAY_MS - lookbackDays * DAY_MS);
      try {
        const observations = toMacroObservations(await api.observations(upstreamId, start));
        return { available: true, id, source: 'FRED', upstreamId, observations };
      } catch (error) {
        return { available: false, id, reason: redactKey(`FRED ${upstreamId}: ${(error as Error).message}`) };
      }
    },
    health: () => http?.health() ?? null,
    stop: async () => {
      await http?.close();
    },
  };
}
