/**
 * Black-76 (undiscounted, rate 0 — how Deribit quotes its options) on the forward `F`: price, delta,
 * gamma, vega and theta of a European option.
 *
 * @see F. Black, "The pricing of commodity contracts", Journal of Financial Economics 3 (1976).
 * @see G. West, "Better approximations to cumulative normal functions" (2005): Hart's double-precision CDF.
 */

export const YEAR_MS = 365 * 24 * 3_600_000;

/** Standard normal CDF, Hart (1968) as given by West (2005), accurate to double precision. */
export function normCdf(x: number): number {
  const z = Math.abs(x);
  let c = 0;
  if (z <= 37) {
    const e = Math.exp((-z * z) / 2);
    if (z < 7.07106781186547) {
      let n = 3.52624965998911e-2 * z + 0.700383064443688;
      n = n * z + 6.37396220353165;
      n = n * z + 33.912866078383;
      n = n * z + 112.079291497871;
      n = n * z + 221.213596169931;
      n = n * z + 220.206867912376;
      let d = 8.83883476483184e-2 * z + 1.75566716318264;
      d = d * z + 16.064177579207;
      d = d * z + 86.7807322029461;
      d = d * z + 296.564248779674;
      d = d * z + 637.333633378831;
      d = d * z + 793.826512519948;
      d = d * z + 440.413735824752;
      c = (e * n) / d;
    } else {
      let f = z + 0.65;
      f = z + 4 / f;
      f = z + 3 / f;
      f = z + 2 / f;
      f = z + 1 / f;
      c = e / f / 2.506628274631;
    }
  }
  return x <= 0 ? c : 1 - c;
}

export function normPdf(x: number): number {
  return Math.exp((-x * x) / 2) / Math.sqrt(2 * Math.PI);
}

export interface Black76Greeks {
  /** In units of the forward (USD). */
  price: number;
  /** ∂price/∂F: N(d1) for a call, N(d1) − 1 for a put. */
  delta: number;
  /** ∂²price/∂F², per 1 unit (USD) of the forward. */
  gamma: number;
  /** ∂price/∂σ, per 1.00 of volatility (divide by 100 for per vol point). */
  vega: number;
  /** ∂price/∂t, per year (divide by 365 for per day). */
  theta: number;
}

/**
 * Black-76 with zero rate. `T` in years, `sigma` as a fraction (0.8 = 80 %). Throws on non-positive
 * inputs, quoting them.
 */
export function black76(kind: 'CALL' | 'PUT', F: number, K: number, T: number, sigma: number): Black76Greeks {
  if (!(F > 0) || !(K > 0) || !(T > 0) || !(sigma > 0)) {
    throw new RangeError(`black76 needs F, K, T, sigma > 0; got F=${F}, K=${K}, T=${T}, sigma=${sigma}`);
  }
  const sd = sigma * Math.sqrt(T);
  const d1 = (Math.log(F / K) + (sd * sd) / 2) / sd;
  const d2 = d1 - sd;
  const pdf = normPdf(d1);
  const gamma = pdf / (F * sd);
  const vega = F * pdf * Math.sqrt(T);
  const theta = (-F * pdf * sigma) / (2 * Math.sqrt(T));
  if (kind === 'CALL') return { price: F * normCdf(d1) - K * normCdf(d2), delta: normCdf(d1), gamma, vega, theta };
  return { price: K * normCdf(-d2) - F * normCdf(-d1), delta: normCdf(d1) - 1, gamma, vega, theta };
}

