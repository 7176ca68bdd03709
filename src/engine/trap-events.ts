import type { Trap, TrapAnalysis } from '../analyzers/traps.types.js';
import type { AnalysisRecord } from '../domain/analysis.js';
import type { AppPubSub } from '../pubsub.js';

/**
 * Says which detections of a fresh TRAPS result are new for its symbol: those completed after the newest
 * one seen before (or at that same bar time with an unseen id). The first result of a symbol only sets
 * the mark: detections found in the backfilled history are not announced as new. Bounded: one time and
 * the ids at that time per symbol.
 */
export function createNewTrapDetector(): (symbol: string, traps: readonly Trap[]) => Trap[] {
  const seen = new Map<string, { time: number; ids: Set<string> }>();
  return (symbol, traps) => {
    const newest = traps.reduce((max, t) => Math.max(max, t.time), -Infinity);
    const mark = seen.get(symbol);
    const fresh = mark === undefined ? [] : traps.filter((t) => t.time > mark.time || (t.time === mark.time && !mark.ids.has(t.id)));
    if (mark === undefined || newest > mark.time) {
      seen.set(symbol, { time: newest, ids: new Set(traps.filter((t) => t.time === newest).map((t) => t.id)) });
    } else if (newest === mark.time) {
      for (const t of traps) if (t.time === newest) mark.ids.add(t.id);
    }
    // Oldest first, so subscribers receive them in the order they happened.
    return fresh.sort((a, b) => a.time - b.time);
  };
}

/**
 * Engine hook: publishes `trap:detected` once per new detection of the default TRAPS result. `next` is
 * another onResult hook called first with every record (the engine takes one hook).
 */
export function createTrapEvents(options: { pubsub: AppPubSub['pubsub']; next?: (record: AnalysisRecord) => void }): { onResult(record: AnalysisRecord): void } {
  const detectNew = createNewTrapDetector();
  return {
    onResult(record) {
      options.next?.(record);
      if (record.kind !== 'TRAPS') return;
      // asOf is the trap's own time (the close of the bar that confirmed it), not the record's: a run that
      // catches up several bars at once (a loaded loop, a fast replay) finds a trap older than its asOf.
      for (const trap of detectNew(record.symbol, (record.result as TrapAnalysis).traps)) options.pubsub.publish('trap:detected', record.symbol, { ...trap, meta: { source: record.source, venue: record.venue, asOf: trap.detectedAt } });
    },
  };
}
