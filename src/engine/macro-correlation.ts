import { mergeMacroCorrelations, type DailySeries, type MacroCorrelationAnalysis, type MacroGapPolicy, type MacroSeriesState } from '../analyzers/macro-correlation.js';
import { DEFAULT_CORRELATION_THRESHOLDS, type CorrelationAnalysis } from '../analyzers/correlation.types.js';
import { CORRELATION_METHODOLOGY_VERSION } from '../analyzers/correlation.js';
import type { AppServices } from '../context.js';
import type { AnalysisRecord } from '../domain/analysis.js';
import { dateOf, isMacroSeriesId, type MacroSeriesData } from '../domain/macro.js';
import { CORRELATION_KEY, type CorrelationParams } from './definitions/correlation.js';

const DAY_MS = 86_400_000;
export const MACRO_CORRELATION_METHODOLOGY_VERSION = `${CORRELATION_METHODOLOGY_VERSION}+macro-1.0.0`;

export interface MacroCorrelationParams {
  /** Crypto symbols (configured, validated) and macro names, in matrix order. */
  symbols: readonly string[];
  window: number;
  gaps: MacroGapPolicy;
}

function stateOf(symbol: string, data: MacroSeriesData | undefined): MacroSeriesState {
  if (!data) return { symbol, status: 'UNAVAILABLE', reason: 'macro series are not configured on this instance', source: null, upstreamId: null, observations: 0, lastTime: null };
  if (!data.available) return { symbol, status: 'UNAVAILABLE', reason: data.reason, source: null, upstreamId: null, observations: 0, lastTime: null };
  const valued = data.observations.filter((o) => o.value !== null);
  if (valued.length === 0) return { symbol, status: 'UNAVAILABLE', reason: `${data.source} ${data.upstreamId} has no values`, source: data.source, upstreamId: data.upstreamId, observations: 0, lastTime: null };
  return { symbol, status: 'AVAILABLE', reason: null, source: data.source, upstreamId: data.upstreamId, observations: valued.length, lastTime: valued.at(-1)!.time };
}

/**
 * `correlations` with macro series among the symbols (README "Macro"): the crypto-only part through the
 * engine (interval 1d, on demand), each macro series from the macro datasource, crypto daily closes from
 * this instance's store, merged by the pure `mergeMacroCorrelations`. Never throws for missing data: a
 * missing piece leaves its cells null with the reason in the pair's note and in `macroSeries`.
 */
export async function macroCorrelationRecord(services: AppServices, params: MacroCorrelationParams): Promise<AnalysisRecord<MacroCorrelationAnalysis>> {
  const macroNames = params.symbols.filter(isMacroSeriesId);
  const crypto = params.symbols.filter((s) => !isMacroSeriesId(s));
  const fetched = await Promise.all(macroNames.map(async (id) => [id, await services.macro?.series(id)] as const));
  const macro = fetched.map(([id, data]) => stateOf(id, data));
  const daily = new Map<string, DailySeries>();
  for (const [id, data] of fetched) if (data?.available) daily.set(id, { symbol: id, days: data.observations });

  const cryptoMissing = new Map<string, string>();
  let origin: AnalysisRecord['source'] | null = null;
  let venue: string | null = null;
  let asOf = 0;
  for (const symbol of crypto) {
    const md = services.marketData(symbol);
    if (!md) {
      cryptoMissing.set(symbol, 'this instance does not ingest market data (ROLE=api serves default correlations only)');
      continue;
    }
    origin = md.origin;
    venue = md.venue;
    const candles = (md.market.candles.get('1d')?.toArray() ?? []).filter((c) => c.closed);
    if (candles.length === 0) {
      cryptoMissing.set(symbol, 'no closed 1d candle received yet');
      continue;
    }
    asOf = Math.max(asOf, candles.at(-1)!.closeTime);
    daily.set(symbol, { symbol, days: candles.map((c) => ({ date: dateOf(c.openTime), time: Math.floor(c.openTime / DAY_MS) * DAY_MS, value: c.close })) });
  }

  let base: CorrelationAnalysis | null = null;
  let baseRecord: AnalysisRecord | undefined;
  if (crypto.length >= 2) {
    const p: CorrelationParams = { symbols: crypto, interval: '1d', window: params.window };
    baseRecord = await services.latestWith('CORRELATION', CORRELATION_KEY, { ...p });
    base = (baseRecord?.result as CorrelationAnalysis | undefined) ?? null;
  }

  const result = mergeMacroCorrelations({
    symbols: params.symbols,
    macro,
    daily,
    cryptoMissing,
    base,
    window: params.window,
    minSamples: DEFAULT_CORRELATION_THRESHOLDS.minSamples,
    gaps: params.gaps,
  });
  const macroTimes = macro.map((m) => m.lastTime).filter((t): t is number => t !== null);
  // A macro day's value is known at the end of that day at the latest.
  const newest = Math.max(asOf, baseRecord?.asOf ?? 0, ...macroTimes.map((t) => t + DAY_MS));
  const sources = [...new Set(macro.filter((m) => m.source).map((m) => m.source!.toLowerCase()))];
  return {
    kind: 'CORRELATION',
    symbol: CORRELATION_KEY,
    result,
    asOf: newest > 0 ? newest : services.now(),
    computedAt: services.now(),
    methodologyVersion: MACRO_CORRELATION_METHODOLOGY_VERSION,
    // Crypto decides when present (a simulated market flags the whole matrix); macro alone: a CSV is a replay.
    source: baseRecord?.source ?? origin ?? (macro.some((m) => m.source === 'CSV') ? 'REPLAY' : 'LIVE'),
    venue: [baseRecord?.venue ?? venue, ...sources].filter(Boolean).join('+') || 'macro',
  };
}
