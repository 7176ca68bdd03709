/**
 * Round a price to the venue's tick size (SymbolInfo.tickSize), half away from zero on the tick grid,
 * and clean the binary noise of the multiplication by printing with the tick's own decimals
 * (0.1 × 971235 is 97123.50000000001 in floating point; served as 97123.5).
 * A non-positive or non-finite tick (unknown: replay without exchangeInfo) leaves the value as it is.
 */
export function roundToTick(value: number, tick: number): number {
  if (!Number.isFinite(value) || !Number.isFinite(tick) || tick <= 0) return value;
  const steps = Math.sign(value) * Math.round(Math.abs(value) / tick);
  return Number((steps * tick).toFixed(tickDecimals(tick)));
}

const decimalsCache = new Map<number, number>();

/** Decimals of a tick size: 0.01 → 2, 0.5 → 1, 1e-7 → 7, 10 → 0. */
export function tickDecimals(tick: number): number {
  const cached = decimalsCache.get(tick);
  if (cached !== undefined) return cached;
  let decimals = 0;
  while (decimals < 15 && Math.abs(tick * 10 ** decimals - Math.round(tick * 10 ** decimals)) > 1e-9 * Math.max(1, tick * 10 ** decimals)) decimals++;
  decimalsCache.set(tick, decimals);
  return decimals;
}
