import { clamp } from './numeric.js';
import type { SymbolProfile } from './profiles.js';
import type { Rng } from './random.js';

/**
 * The core return process of the simulated market, on a one-minute clock.
 *
 * Each minute k, symbol i gets a log return
 *
 *   r_i,k = −h_i,k / 2 + sqrt(h_i,k) · z_i,k
 *   z_i,k = β_i · m_k + sqrt(1 − β_i²) · e_i,k
 *
 * where m_k (market factor) and e_i,k (idiosyncratic) are independent unit-variance Student-t(ν = 4)
 * draws (fat tails), capped at ±`tailCap`. The −h/2 drift makes the price a martingale (GBM-like).
 * Because every symbol loads on the same m_k, corr(r_a, r_b) ≈ β_a·β_b (BTC/ETH ≈ 0.77).
 *
 * The per-minute variance follows GARCH(1,1) (volatility clustering):
 *
 *   h_i,k+1 = ω_i + α · (sqrt(h_i,k)·z_i,k)² + β_g · h_i,k,     ω_i = h̄_i · (1 − α − β_g)
 *
 * with h̄_i = annualVol_i² / 525 600 (minutes per year), α = 0.08, β_g = 0.90 (persistence 0.98,
 * half-life of a volatility shock ≈ 34 minutes). h is kept within [0.05, 30]·h̄ so a run of extreme
 * draws can never explode or freeze the price.
 *
 * The live model turns each minute into a one-second path with a Brownian bridge (`bridgePath`); the
 * backfill uses the minute draws directly. Both therefore share one return distribution.
 */

export const MINUTES_PER_YEAR = 525_600;

export interface GarchParams {
  /** Weight of the last squared shock. */
  alpha: number;
  /** Weight of the last variance. */
  beta: number;
  /** Student-t degrees of freedom of the innovations. */
  nu: number;
  /** Innovations are capped at ± this many standard deviations. */
  tailCap: number;
  /** Variance floor and ceiling as multiples of the long-run variance. */
  minRatio: number;
  maxRatio: number;
}

export const GARCH_PARAMS: Readonly<GarchParams> = {
  alpha: 0.08,
  beta: 0.9,
  nu: 4,
  tailCap: 12,
  minRatio: 0.05,
  maxRatio: 30,
};

/** Long-run per-minute variance of a symbol's log returns. */
export function baselineMinuteVariance(profile: Pick<SymbolProfile, 'annualVol'>): number {
  return (profile.annualVol * profile.annualVol) / MINUTES_PER_YEAR;
}

/** One symbol's draw for one minute. */
export interface MinuteDraw {
  /** Log return over the minute. */
  logReturn: number;
  /** GARCH variance that was in force for the minute. */
  variance: number;
  /** The minute's variance as a multiple of the long-run variance (an activity/regime gauge). */
  varianceRatio: number;
  /** The unit-variance combined innovation z. */
  shock: number;
}

export interface ReturnProcessMember {
  profile: Pick<SymbolProfile, 'annualVol' | 'beta'>;
  /** Idiosyncratic stream of this member (its own, so members never disturb each other). */
  rng: Rng;
  /** Variance to start from; default the long-run variance. */
  initialVariance?: number;
}

/** The multi-symbol minute return process (market factor + per-symbol GARCH). */
export interface MinuteReturnProcess {
  /** Draws the next minute for every member (index-aligned with the members) and updates the variances. */
  next(): MinuteDraw[];
  /** Variance that will be in force for member `index`'s next minute. */
  variance(index: number): number;
}

function cappedT(rng: Rng, params: GarchParams): number {
  return clamp(rng.standardT(params.nu), -params.tailCap, params.tailCap);
}

/**
 * Create the minute return process. `marketRng` drives the common factor and must be shared (same seed)
 * by every process whose symbols should be correlated.
 */
export function createMinuteReturnProcess(
  marketRng: Rng,
  members: readonly ReturnProcessMember[],
  params: GarchParams = GARCH_PARAMS,
): MinuteReturnProcess {
  const persistence = params.alpha + params.beta;
  if (!(persistence < 1)) throw new RangeError('GARCH alpha + beta must be < 1');
  const states = members.map((m) => {
    const baseline = baselineMinuteVariance(m.profile);
    const beta = clamp(m.profile.beta, 0, 1);
    return {
      rng: m.rng,
      beta,
      idio: Math.sqrt(1 - beta * beta),
      baseline,
      omega: baseline * (1 - persistence),
      h: clamp(m.initialVariance ?? baseline, baseline * params.minRatio, baseline * params.maxRatio),
    };
  });

  return {
    next(): MinuteDraw[] {
      const market = cappedT(marketRng, params);
      return states.map((s) => {
        const z = s.beta * market + s.idio * cappedT(s.rng, params);
        const h = s.h;
        const shock = Math.sqrt(h) * z;
        s.h = clamp(s.omega + params.alpha * shock * shock + params.beta * h, s.baseline * params.minRatio, s.baseline * params.maxRatio);
        return { logReturn: -h / 2 + shock, variance: h, varianceRatio: h / s.baseline, shock: z };
      });
    },
    variance(index: number): number {
      const s = states[index];
      if (!s) throw new RangeError(`no member ${index}`);
      return s.h;
    },
  };
}

/**
 * A Brownian bridge of `steps` increments from `logStart` to `logStart + logReturn`, with the per-step
 * standard deviation of a minute of variance `variance` split evenly: returns `steps + 1` log prices.
 */
export function bridgePath(rng: Rng, logStart: number, logReturn: number, variance: number, steps: number): Float64Array {
  const sd = Math.sqrt(variance / steps);
  const walk = new Float64Array(steps + 1);
  for (let j = 1; j <= steps; j++) walk[j] = (walk[j - 1] ?? 0) + sd * rng.normal();
  const end = walk[steps] ?? 0;
  const path = new Float64Array(steps + 1);
  for (let j = 0; j <= steps; j++) {
    const f = j / steps;
    path[j] = logStart + logReturn * f + ((walk[j] ?? 0) - f * end);
  }
  return path;
}
