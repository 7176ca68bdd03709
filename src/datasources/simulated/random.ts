import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

/**
 * Seeded random numbers for the simulated market. Everything is derived from a 32-bit seed through
 * xoroshiro128+ (pure-rand), so a given seed always reproduces the same sequence on the same runtime.
 * Streams are split by label (`deriveSeed`) rather than shared, so adding a symbol or a new data stream
 * never shifts the numbers another stream sees.
 */

/** A deterministic source of random variates. Not thread-safe; each consumer should own its stream. */
export interface Rng {
  /** The 32-bit seed this stream was created from. */
  readonly seed: number;
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Uniform in (0, 1]; safe to pass to `Math.log`. */
  uniformPositive(): number;
  /** Uniform in [min, max). */
  between(min: number, max: number): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** Standard normal N(0, 1) by the Box-Muller transform (the second variate of each pair is cached). */
  normal(): number;
  /** Exponential with the given mean. */
  exponential(mean?: number): number;
  /** Gamma(shape, 1) (Marsaglia-Tsang; sum of exponentials for small integer shapes). */
  gamma(shape: number): number;
  /** Student-t with ν degrees of freedom: Z / sqrt(χ²_ν / ν). Heavier tails as ν falls. */
  studentT(nu: number): number;
  /** Student-t rescaled to unit variance (requires ν > 2): t·sqrt((ν − 2)/ν). */
  standardT(nu: number): number;
  /** Poisson count: Knuth's product method below λ = 30, rounded normal approximation above. */
  poisson(lambda: number): number;
  /** exp(μ + σ·Z). */
  logNormal(mu: number, sigma: number): number;
  /** An independent stream derived from this stream's seed and a label; does not consume from this one. */
  fork(label: string | number): Rng;
}

/** FNV-1a 32-bit hash of a string (unsigned). */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A 32-bit seed derived from a base seed and labels, e.g. `deriveSeed(42, 'trades', 'BTCUSDT')`. */
export function deriveSeed(seed: number, ...labels: readonly (string | number)[]): number {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  return hashString(`${Math.trunc(seed) >>> 0}|${labels.join('|')}`);
}

/** splitmix32: expands one 32-bit seed into well-mixed state words. */
function splitmix32(state: number): { value: number; state: number } {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z ^= z >>> 16;
  return { value: z | 0, state: next };
}

function xoroshiroFromSeed(seed: number): RandomGenerator {
  const words: number[] = [];
  let state = seed | 0;
  for (let i = 0; i < 4; i++) {
    const out = splitmix32(state);
    words.push(out.value);
    state = out.state;
  }
  // xoroshiro's state must not be all zeros.
  if (!words.some((w) => w !== 0)) words[0] = 1;
  return xoroshiro128plusFromState(words);
}

const TWO_PI = 2 * Math.PI;

class SeededRng implements Rng {
  private readonly gen: RandomGenerator;
  private spareNormal: number | null = null;

  constructor(readonly seed: number) {
    this.gen = xoroshiroFromSeed(seed);
  }

  uniform(): number {
    return uniformFloat64(this.gen);
  }

  uniformPositive(): number {
    return 1 - uniformFloat64(this.gen);
  }

  between(min: number, max: number): number {
    return min + (max - min) * this.uniform();
  }

  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  chance(p: number): boolean {
    return this.uniform() < p;
  }

  normal(): number {
    if (this.spareNormal !== null) {
      const spare = this.spareNormal;
      this.spareNormal = null;
      return spare;
    }
    const radius = Math.sqrt(-2 * Math.log(this.uniformPositive()));
    const angle = TWO_PI * this.uniform();
    this.spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  exponential(mean = 1): number {
    return -mean * Math.log(this.uniformPositive());
  }

  gamma(shape: number): number {
    if (!(shape > 0)) throw new RangeError(`gamma shape must be > 0, got ${shape}`);
    if (Number.isInteger(shape) && shape <= 12) {
      let sum = 0;
      for (let i = 0; i < shape; i++) sum -= Math.log(this.uniformPositive());
      return sum;
    }
    if (shape < 1) return this.gamma(shape + 1) * Math.pow(this.uniformPositive(), 1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const x = this.normal();
      const base = 1 + c * x;
      if (base <= 0) continue;
      const v = base * base * base;
      const u = this.uniformPositive();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  studentT(nu: number): number {
    if (!(nu > 0)) throw new RangeError(`degrees of freedom must be > 0, got ${nu}`);
    const z = this.normal();
    const chi2 = 2 * this.gamma(nu / 2);
    return z / Math.sqrt(chi2 / nu);
  }

  standardT(nu: number): number {
    if (!(nu > 2)) throw new RangeError(`unit-variance Student-t needs ν > 2, got ${nu}`);
    return this.studentT(nu) * Math.sqrt((nu - 2) / nu);
  }

  poisson(lambda: number): number {
    if (!(lambda > 0)) return 0;
    if (lambda < 30) {
      const limit = Math.exp(-lambda);
      let k = 0;
      let p = this.uniform();
      while (p > limit) {
        k++;
        p *= this.uniform();
      }
      return k;
    }
    return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * this.normal()));
  }

  logNormal(mu: number, sigma: number): number {
    return Math.exp(mu + sigma * this.normal());
  }

  fork(label: string | number): Rng {
    return new SeededRng(deriveSeed(this.seed, label));
  }
}

/** A new deterministic stream for a 32-bit seed (use `deriveSeed` to make one from labels). */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  return new SeededRng(Math.trunc(seed) >>> 0);
}
