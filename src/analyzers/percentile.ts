/**
 * Percentile rank of `value` within `history` (the reference sample, which does not contain `value`
 * itself), in percent 0..100, with ties counted half: 100 × (below + ½ · equal) / n. Null for an empty
 * history. A value above every reading scores 100, below every reading 0, equal to the only reading 50.
 *
 * Shared by the analyzers that compare a current reading with its own stored history (funding,
 * long/short); no library in use provides a percentile rank (`trading-signals` has quartiles only).
 *
 * @see https://en.wikipedia.org/wiki/Percentile_rank — PR = (CF − ½ F) / N × 100 (the "mean" definition for ties).
 */
export function percentileRank(history: readonly number[], value: number): number | null {
  if (history.length === 0) return null;
  let below = 0;
  let equal = 0;
  for (const x of history) {
    if (x < value) below += 1;
    else if (x === value) equal += 1;
  }
  return (100 * (below + equal / 2)) / history.length;
}
