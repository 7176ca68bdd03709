import type { FearGreed } from '../../domain/market.js';
import type { FngEntry } from './schemas.js';

/**
 * One reading. The label is the API's own `value_classification`: published band definitions differ
 * between sources, so none is re-derived here.
 *
 * Recorded `GET /fng/?limit=1` (../shared/data/sentiment/fear-greed/alternative-me-fng-latest-2025-04-23.json):
 * {"name": "Fear and Greed Index", "data": [{"value": "72", "value_classification": "Greed",
 *  "timestamp": "1745366400", "time_until_update": "2661"}], "metadata": {"error": null}}
 */
export function toFearGreed(entry: FngEntry): FearGreed {
  return { value: entry.value, classification: entry.value_classification, time: entry.timestamp * 1000 };
}

/** Readings oldest first (the API answers newest first), one per timestamp. */
export function toFearGreedSeries(entries: readonly FngEntry[]): FearGreed[] {
  const byTime = new Map<number, FearGreed>();
  for (const entry of entries) {
    const reading = toFearGreed(entry);
    if (!byTime.has(reading.time)) byTime.set(reading.time, reading);
  }
  return [...byTime.values()].sort((a, b) => a.time - b.time);
}
