import { clamp } from '../numeric.js';
import { createRng, deriveSeed } from '../random.js';
import { FUNDING_INTERVAL_MS } from '../time.js';
import { FUNDING_MODEL, normalizeFundingRate } from './mark-params.js';

/**
 * Settled funding of the simulated venue as a function of (seed, symbol, settlement time) only, so two
 * runs with the same seed agree on every settlement whenever they were started (a snapshot kept from one
 * run is never contradicted by another).
 *
 * Settlement k (fundingTime = k × 8 h) gets two shocks from its own stream, seeded by
 * (seed, 'settled-funding', symbol, k): a normal one and a Student-t(4) one (capped at ±8 sd). The rate is
 *
 *   rate_k = I + Σ_{i<M} a_i · σ_m · n_{k−i}  +  Σ_{i<D} b_i · σ_d · t_{k−i}
 *
 * with a_i = φ_m^i (φ_m = 0.95, M = 200: a slowly varying mean around the interest rate I = 0.01 %) and
 * b_i = φ_d^i (φ_d = 0.5, D = 40: a short-lived deviation). These are the AR(1) processes of the earlier
 * backfill written as finite moving averages: the truncated weight (0.95^200 ≈ 3.5·10⁻⁵) is negligible,
 * and the rate depends only on the M most recent shocks, never on where a computation started. The rate
 * is clamped to ±0.75 % and rounded to 8 decimals like the venue's.
 */
export const SETTLED_FUNDING_PARAMS = {
  meanPersistence: 0.95,
  meanShockStd: 0.00004,
  meanTerms: 200,
  deviationPersistence: 0.5,
  deviationShockStd: 0.0001,
  deviationTerms: 40,
} as const;

interface Shocks {
  normal: number;
  t: number;
}

function shocksOf(seed: number, symbol: string, k: number): Shocks {
  const rng = createRng(deriveSeed(seed, 'settled-funding', symbol, k));
  return { normal: rng.normal(), t: clamp(rng.standardT(4), -8, 8) };
}

/** Settled rates for the settlements at `times` (multiples of 8 h), in the given order. */
export function settledFundingRates(seed: number, symbol: string, times: readonly number[]): number[] {
  const p = SETTLED_FUNDING_PARAMS;
  const cache = new Map<number, Shocks>();
  const shock = (k: number): Shocks => {
    let s = cache.get(k);
    if (!s) {
      s = shocksOf(seed, symbol, k);
      cache.set(k, s);
    }
    return s;
  };
  return times.map((time) => {
    const k = Math.round(time / FUNDING_INTERVAL_MS);
    if (k * FUNDING_INTERVAL_MS !== time) throw new RangeError(`funding time ${time} is not on the 8 h grid`);
    let mean = 0;
    let weight = 1;
    for (let i = 0; i < p.meanTerms; i++, weight *= p.meanPersistence) mean += weight * p.meanShockStd * shock(k - i).normal;
    let deviation = 0;
    weight = 1;
    for (let i = 0; i < p.deviationTerms; i++, weight *= p.deviationPersistence) deviation += weight * p.deviationShockStd * shock(k - i).t;
    return normalizeFundingRate(FUNDING_MODEL.interestRate + mean + deviation);
  });
}

/** The settled rate of one settlement (see the module comment). */
export function settledFundingRate(seed: number, symbol: string, fundingTime: number): number {
  return settledFundingRates(seed, symbol, [fundingTime])[0]!;
}
