/**
 * Macro series and scheduled macro events (README "Macro"). Neutral types: the FRED datasource, the CSV
 * replay and the event calendar all map onto them.
 */

/** The macro series perpgraph knows by name; `correlations` accepts them next to crypto symbols. */
export const MacroSeriesIds = {
  /** S&P 500 index, daily close (FRED `SP500`). */
  SPX: 'SPX',
  /** Nominal Broad U.S. Dollar Index, trade-weighted (FRED `DTWEXBGS`) — not ICE's DXY. */
  DXY: 'DXY',
  /** Gold in USD per troy ounce: CSV replay by default (no daily gold series on FRED could be confirmed; FRED_SERIES may name one). */
  GOLD: 'GOLD',
} as const;
export type MacroSeriesId = (typeof MacroSeriesIds)[keyof typeof MacroSeriesIds];
export const MACRO_SERIES_IDS: readonly MacroSeriesId[] = Object.values(MacroSeriesIds);

export const isMacroSeriesId = (s: string): s is MacroSeriesId => (MACRO_SERIES_IDS as readonly string[]).includes(s);

/** One daily observation: `date` is the calendar day (YYYY-MM-DD) the value belongs to, `time` its 00:00 UTC. */
export interface MacroObservation {
  date: string;
  time: number;
  /** null: the market was closed or no value was published that day (FRED `"."`). */
  value: number | null;
}

export const MacroSourceKinds = { FRED: 'FRED', CSV: 'CSV' } as const;
export type MacroSourceKind = (typeof MacroSourceKinds)[keyof typeof MacroSourceKinds];

/** A series as a datasource delivered it, or why it could not. */
export type MacroSeriesData =
  | { available: true; id: MacroSeriesId; source: MacroSourceKind; upstreamId: string; observations: MacroObservation[] }
  | { available: false; id: MacroSeriesId; reason: string };

export const MacroEventImportances = { LOW: 'LOW', MEDIUM: 'MEDIUM', HIGH: 'HIGH' } as const;
export type MacroEventImportance = (typeof MacroEventImportances)[keyof typeof MacroEventImportances];

/** One scheduled release or decision (CPI, FOMC statement, ...). */
export interface MacroEvent {
  /** Short kind, e.g. `CPI`, `FOMC`. */
  kind: string;
  title: string;
  /** Epoch ms (UTC) of the release. */
  time: number;
  importance: MacroEventImportance;
  /** Where the date comes from (a URL or a note). */
  source: string;
  /** False when the date is taken from secondary sources and not yet checked against the publisher. */
  confirmed: boolean;
}

const DAY_MS = 86_400_000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `2026-01-02` → 00:00 UTC of that day; NaN for anything that is not a real calendar date. */
export function dayStartOf(date: string): number {
  const m = DATE_RE.exec(date);
  if (!m) return Number.NaN;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(t).toISOString().slice(0, 10) === date ? t : Number.NaN;
}

/** 00:00 UTC → `YYYY-MM-DD`. */
export const dateOf = (time: number): string => new Date(Math.floor(time / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
