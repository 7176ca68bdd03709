/** Small numeric helpers shared by the simulated market (rounding to venue increments, clamping). */

export function clamp(value: number, min: number, max: number): number {
  return value < min ? min : value > max ? max : value;
}

/** Number of decimals needed to print multiples of `step` exactly (0.01 → 2, 0.5 → 1, 10 → 0). */
export function decimalsOf(step: number): number {
  const cached = decimalsCache.get(step);
  if (cached !== undefined) return cached;
  let decimals = 12;
  for (let d = 0; d < 12; d++) {
    const scaled = step * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-9 * Math.max(1, scaled)) {
      decimals = d;
      break;
    }
  }
  if (decimalsCache.size < 1_000) decimalsCache.set(step, decimals);
  return decimals;
}

const decimalsCache = new Map<number, number>();

const POWERS_OF_TEN = Array.from({ length: 16 }, (_, i) => 10 ** i);

/** Round to a fixed number of decimals without leaving binary noise such as 0.30000000000000004. */
export function roundTo(value: number, decimals: number): number {
  const factor = POWERS_OF_TEN[decimals] ?? 10 ** decimals;
  return Math.round(value * factor) / factor;
}

/** Round to the nearest multiple of `step` (a tick or lot size). */
export function roundToStep(value: number, step: number): number {
  return roundTo(Math.round(value / step) * step, decimalsOf(step));
}
