import type { MacroObservation } from '../domain/macro.js';
import { pearson, spearman } from './correlation.js';
import { DEFAULT_CORRELATION_THRESHOLDS, type CorrelationAnalysis, type CorrelationPair } from './correlation.types.js';

/**
 * Correlation of daily log returns between macro series (S&P 500, dollar index, gold) and crypto or each
 * other, aligned on the macro trading calendar.
 *
 * Method: a pair's aligned days are the calendar days on which BOTH series have a positive value (a macro
 * series has none on weekends and holidays; FRED's `"."` is a day without a value). A return is
 * ln(v[d] / v[d']) between consecutive aligned days d' < d, for both series over the same span, so a
 * crypto return is never set against a stale macro value. A return whose span is longer than one calendar
 * day crosses a closed-market gap (Friday → Monday, a holiday): with `gaps: 'SPAN'` (default) it is kept
 * and counted in `gapReturns` with a note; with `gaps: 'SKIP'` it is dropped and counted in `skippedGapReturns`.
 * The newest `window` returns enter Pearson and Spearman; fewer than `minSamples` gives null.
 *
 * How to read it: values are in [−1, 1]; `samples` is the number of aligned returns behind them, and the
 * note says how many of them span closed-market gaps. Crypto closes are UTC-day closes (00:00 UTC), the S&P
 * 500 closes at 16:00 New York (21:00 or 20:00 UTC): the same day, a few hours apart.
 *
 * Pure: no I/O, no clock. Precondition violations throw quoting the value.
 * @see https://en.wikipedia.org/wiki/Pearson_correlation_coefficient
 * @see https://fred.stlouisfed.org/docs/api/fred/series_observations.html ("." marks a missing value)
 */

export const MacroGapPolicies = {
  /** Returns across closed-market gaps are kept (both series over the same span) and counted. */
  SPAN: 'SPAN',
  /** Only returns between consecutive calendar days are used. */
  SKIP: 'SKIP',
} as const;
export type MacroGapPolicy = (typeof MacroGapPolicies)[keyof typeof MacroGapPolicies];

export const CorrelationCalendars = {
  /** The crypto candle grid (every bar of the interval). */
  CRYPTO: 'CRYPTO',
  /** Days on which both series have a value (the macro trading calendar). */
  MACRO: 'MACRO',
} as const;
export type CorrelationCalendar = (typeof CorrelationCalendars)[keyof typeof CorrelationCalendars];

export const MacroSeriesStatuses = { AVAILABLE: 'AVAILABLE', UNAVAILABLE: 'UNAVAILABLE' } as const;
export type MacroSeriesStatus = (typeof MacroSeriesStatuses)[keyof typeof MacroSeriesStatuses];

export interface DailySeries {
  symbol: string;
  /** Daily values, any order; null or non-positive: no value that day. */
  days: readonly MacroObservation[];
}

/** Every macro name of the request, as the datasource delivered it. */
export interface MacroSeriesState {
  symbol: string;
  status: MacroSeriesStatus;
  /** Why it is unavailable (null when available). */
  reason: string | null;
  /** `FRED` or `CSV`; null when unavailable. */
  source: string | null;
  /** FRED series id or CSV file; null when unavailable. */
  upstreamId: string | null;
  /** Days with a value. */
  observations: number;
  /** Newest day with a value (00:00 UTC); null without any. */
  lastTime: number | null;
}

export interface MacroPairAlignment {
  a: string;
  b: string;
  pearson: number | null;
  spearman: number | null;
  /** Aligned returns in the window (after the gap policy). */
  samples: number;
  /** Of those, returns spanning more than one calendar day (0 with SKIP). */
  gapReturns: number;
  /** Returns across gaps dropped by SKIP within the aligned history. */
  skippedGapReturns: number;
  /** First and last day of the returns used (00:00 UTC); null without returns. */
  firstTime: number | null;
  lastTime: number | null;
  note: string;
}

const DAY_MS = 86_400_000;
const round = (x: number, digits = 6) => Math.round(x * 10 ** digits) / 10 ** digits;

function valuesByDay(s: DailySeries): Map<number, number> {
  const m = new Map<number, number>();
  for (const d of s.days) {
    if (!Number.isFinite(d.time) || d.time % DAY_MS !== 0) throw new Error(`${s.symbol}: day time must be 00:00 UTC, got ${d.time}`);
    if (d.value !== null && Number.isFinite(d.value) && d.value > 0) m.set(d.time, d.value);
  }
  return m;
}

/** Aligns two daily series on the days both have a value and correlates their log returns (see the module doc). */
export function alignDailyPair(
  a: DailySeries,
  b: DailySeries,
  options: { window: number; minSamples: number; gaps?: MacroGapPolicy },
): MacroPairAlignment {
  const { window, minSamples } = options;
  const gaps = options.gaps ?? 'SPAN';
  if (!Number.isInteger(window) || window < 2) throw new Error(`window must be an integer ≥ 2, got ${window}`);
  if (!Number.isInteger(minSamples) || minSamples < 3) throw new Error(`minSamples must be an integer ≥ 3, got ${minSamples}`);
  const va = valuesByDay(a);
  const vb = valuesByDay(b);
  const days = [...va.keys()].filter((t) => vb.has(t)).sort((x, y) => x - y);
  const ra: number[] = [];
  const rb: number[] = [];
  const spans: number[] = [];
  const ends: number[] = [];
  let skipped = 0;
  for (let k = 1; k < days.length; k++) {
    const span = (days[k]! - days[k - 1]!) / DAY_MS;
    if (span > 1 && gaps === 'SKIP') {
      skipped++;
      continue;
    }
    ra.push(Math.log(va.get(days[k]!)! / va.get(days[k - 1]!)!));
    rb.push(Math.log(vb.get(days[k]!)! / vb.get(days[k - 1]!)!));
    spans.push(span);
    ends.push(days[k]!);
  }
  const from = Math.max(0, ra.length - window);
  const xa = ra.slice(from);
  const xb = rb.slice(from);
  const used = spans.slice(from);
  const samples = xa.length;
  const gapReturns = used.filter((s) => s > 1).length;
  const enough = samples >= minSamples;
  const p = enough ? pearson(xa, xb) : null;
  const s = enough ? spearman(xa, xb) : null;
  const firstTime = samples ? ends[from]! - used[0]! * DAY_MS : null;
  const lastTime = samples ? ends.at(-1)! : null;
  const parts: string[] = [`${samples} aligned daily returns on days both ${a.symbol} and ${b.symbol} have a value`];
  if (gaps === 'SPAN' && gapReturns > 0) parts.push(`${gapReturns} of them span closed-market gaps (weekends, holidays): both series are measured over the same span, from the last common trading day`);
  if (gaps === 'SKIP') parts.push(`${skipped} returns across closed-market gaps skipped`);
  if (!enough) parts.push(`fewer than minSamples ${minSamples}: no correlation`);
  return {
    a: a.symbol,
    b: b.symbol,
    pearson: p === null ? null : round(p),
    spearman: s === null ? null : round(s),
    samples,
    gapReturns: gaps === 'SPAN' ? gapReturns : 0,
    skippedGapReturns: skipped,
    firstTime,
    lastTime,
    note: parts.join('; '),
  };
}

export interface MacroCorrelationInput {
  /** Requested symbols, crypto and macro, in matrix order. */
  symbols: readonly string[];
  /** Which of `symbols` are macro series. */
  macro: readonly MacroSeriesState[];
  /** Daily values per symbol that has them (crypto: closed 1d candles; macro: the series). */
  daily: ReadonlyMap<string, DailySeries>;
  /** Why a crypto symbol has no daily closes (e.g. this instance ingests nothing); absent: it has them. */
  cryptoMissing?: ReadonlyMap<string, string>;
  /** The crypto-only matrix (interval 1d), when there are two or more crypto symbols and it could be computed. */
  base: CorrelationAnalysis | null;
  window: number;
  minSamples: number;
  gaps?: MacroGapPolicy;
}

export interface MacroCorrelationAnalysis extends CorrelationAnalysis {
  macro: MacroSeriesState[];
  gapPolicy: MacroGapPolicy;
}

/**
 * The correlation matrix over crypto symbols and macro series: crypto pairs from `base` (the crypto
 * calendar), every pair with a macro series from `alignDailyPair` (the macro calendar). A pair whose macro
 * series is unavailable has null values and the reason in its note; it never becomes a zero.
 */
export function mergeMacroCorrelations(input: Readonly<MacroCorrelationInput>): MacroCorrelationAnalysis {
  const { symbols, window, minSamples } = input;
  const gaps = input.gaps ?? 'SPAN';
  if (symbols.length < 2) throw new Error(`correlation needs at least 2 series, got ${symbols.length}`);
  const macroBy = new Map(input.macro.map((m) => [m.symbol, m]));
  const isMacro = (s: string) => macroBy.has(s);
  const base = input.base;
  const idx = (s: string) => base?.symbols.indexOf(s) ?? -1;
  const n = symbols.length;
  const pearsonM: (number | null)[][] = symbols.map(() => symbols.map(() => null));
  const spearmanM: (number | null)[][] = symbols.map(() => symbols.map(() => null));
  const samplesM = symbols.map(() => symbols.map(() => 0));
  const pairs: CorrelationPair[] = [];
  const notes: string[] = [...(base?.notes ?? [])];

  const unavailable = (s: string): string | null => {
    const m = macroBy.get(s);
    if (m && m.status === 'UNAVAILABLE') return `${s} is unavailable: ${m.reason ?? 'no data'}`;
    const missing = input.cryptoMissing?.get(s);
    if (missing) return `${s} has no daily closes: ${missing}`;
    return null;
  };
  for (const m of input.macro) if (m.status === 'UNAVAILABLE') notes.push(`${m.symbol} is unavailable: ${m.reason ?? 'no data'}`);

  for (let i = 0; i < n; i++) {
    const s = symbols[i]!;
    const bi = idx(s);
    if (bi >= 0 && base) {
      samplesM[i]![i] = base.samples[bi]![bi]!;
      pearsonM[i]![i] = base.pearson[bi]![bi]!;
      spearmanM[i]![i] = base.spearman[bi]![bi]!;
      continue;
    }
    const d = input.daily.get(s);
    if (!d || unavailable(s)) continue;
    const own = alignDailyPair(d, d, { window, minSamples, gaps });
    samplesM[i]![i] = own.samples;
    pearsonM[i]![i] = own.samples >= minSamples ? 1 : null;
    spearmanM[i]![i] = own.samples >= minSamples ? 1 : null;
  }

  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const a = symbols[i]!;
      const b = symbols[j]!;
      if (!isMacro(a) && !isMacro(b)) {
        const found = base?.pairs.find((p) => (p.a === a && p.b === b) || (p.a === b && p.b === a));
        if (found && base) {
          const bi = idx(a);
          const bj = idx(b);
          pearsonM[i]![j] = pearsonM[j]![i] = base.pearson[bi]![bj]!;
          spearmanM[i]![j] = spearmanM[j]![i] = base.spearman[bi]![bj]!;
          samplesM[i]![j] = samplesM[j]![i] = base.samples[bi]![bj]!;
          pairs.push({ ...found, a, b, calendar: 'CRYPTO', gapReturns: 0, note: null });
        } else {
          pairs.push(emptyPair(a, b, 'CRYPTO', `${a}/${b}: the crypto matrix is not available yet`));
        }
        continue;
      }
      const why = unavailable(a) ?? unavailable(b);
      const da = input.daily.get(a);
      const db = input.daily.get(b);
      if (why || !da || !db) {
        pairs.push(emptyPair(a, b, 'MACRO', why ?? `${a}/${b}: no daily values`));
        continue;
      }
      const al = alignDailyPair(da, db, { window, minSamples, gaps });
      pearsonM[i]![j] = pearsonM[j]![i] = al.pearson;
      spearmanM[i]![j] = spearmanM[j]![i] = al.spearman;
      samplesM[i]![j] = samplesM[j]![i] = al.samples;
      pairs.push({
        a,
        b,
        pearson: al.pearson,
        spearman: al.spearman,
        samples: al.samples,
        baselinePearson: null,
        baselineSamples: 0,
        change: null,
        leadLag: null,
        calendar: 'MACRO',
        gapReturns: al.gapReturns,
        note: al.note,
      });
    }
  }

  const off = pairs.map((p) => p.pearson).filter((v): v is number => v !== null);
  const times = [base?.time ?? null, ...input.macro.map((m) => m.lastTime)].filter((t): t is number => t !== null);
  return {
    key: base?.key ?? 'ALL',
    warmingUp: off.length === 0,
    symbols: [...symbols],
    intervalMs: DAY_MS,
    window,
    baselineWindow: base?.baselineWindow ?? window,
    maxLag: base?.maxLag ?? 0,
    time: times.length ? Math.max(...times) : null,
    pearson: pearsonM,
    spearman: spearmanM,
    samples: samplesM,
    pairs,
    averageCorrelation: off.length ? round(off.reduce((x, y) => x + y, 0) / off.length) : null,
    breaks: base?.breaks ?? [],
    divergences: base?.divergences ?? [],
    regime: base?.regime ?? null,
    notes,
    thresholds: base?.thresholds ?? { ...DEFAULT_CORRELATION_THRESHOLDS, minSamples },
    macro: [...input.macro],
    gapPolicy: gaps,
  };
}

function emptyPair(a: string, b: string, calendar: CorrelationCalendar, note: string): CorrelationPair {
  return { a, b, pearson: null, spearman: null, samples: 0, baselinePearson: null, baselineSamples: 0, change: null, leadLag: null, calendar, gapReturns: 0, note };
}
