import type { VolatilityAnalysis, VolatilityRegime, VolatilityRegimeChange } from '../analyzers/volatility.types.js';
import type { AnalysisRecord } from '../domain/analysis.js';
import type { AppPubSub } from '../pubsub.js';

/**
 * Says whether a fresh default VOLATILITY result changes its symbol's regime. The first classified result
 * of a symbol only sets the mark (the regime found in the backfilled history is not a change); results
 * still warming up (regime null) neither fire nor move the mark. Bounded: one regime per symbol.
 */
export function createRegimeChangeDetector(): (analysis: VolatilityAnalysis) => VolatilityRegimeChange | null {
  const last = new Map<string, VolatilityRegime>();
  return (a) => {
    if (a.regime === null || a.time === null) return null;
    const previous = last.get(a.symbol);
    last.set(a.symbol, a.regime);
    if (previous === undefined || previous === a.regime) return null;
    return {
      symbol: a.symbol,
      interval: a.interval,
      time: a.regimeSince ?? a.time,
      from: previous,
      to: a.regime,
      atrPct: a.atrPct,
      percentile: a.atrPctPercentile,
      riskMultiplier: a.riskMultiplier,
    };
  };
}

/**
 * Engine hook: publishes `volatility:regime-changed` when the default VOLATILITY regime of a symbol
 * changes. `next` is another onResult hook called first with every record (the engine takes one hook).
 */
export function createVolatilityEvents(options: { pubsub: AppPubSub['pubsub']; next?: (record: AnalysisRecord) => void }): { onResult(record: AnalysisRecord): void } {
  const detect = createRegimeChangeDetector();
  return {
    onResult(record) {
      options.next?.(record);
      if (record.kind !== 'VOLATILITY') return;
      const change = detect(record.result as VolatilityAnalysis);
      if (change) options.pubsub.publish('volatility:regime-changed', record.symbol, { ...change, meta: { source: record.source, venue: record.venue, asOf: record.asOf } });
    },
  };
}
