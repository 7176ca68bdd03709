/**
 * Raw SVI (stochastic volatility inspired) smile of one expiry, its least-squares fit and Gatheral's
 * butterfly-arbitrage density g(k).
 *
 *   w(k) = a + b (ρ (k − m) + sqrt((k − m)² + σ²)),   k = ln(K/F),   w = σ_BS² · T (total implied variance)
 *
 * Constraints held by the fit: b ≥ 0, |ρ| ≤ maxAbsRho (< 1), σ > 0, a + bσ sqrt(1 − ρ²) ≥ 0 (the minimum
 * total variance is not negative), and Lee's moment bound b(1 + |ρ|) ≤ 2 (the wings' slopes in total
 * variance are at most 2, a necessary condition for no arbitrage at extreme strikes).
 *
 * Fit: the quasi-explicit method of Zeliade (2009). For fixed (m, σ), with y = (k − m)/σ, the smile is linear
 * in (a, d, c) = (a, bρσ, bσ): w = a + d·y + c·sqrt(y² + 1), and the constraints become the polygon
 * c ≥ 0, |d| ≤ ρmax·c, c + |d| ≤ 2σ in (d, c) plus a ≥ −sqrt(c² − d²). That inner problem is a convex
 * weighted least-squares problem solved exactly: the unconstrained solution when it is feasible, else the
 * best point on the polygon's four edges (each a two-variable least squares with the edge parameter clamped),
 * then a raised to the minimum-variance bound if below it. The outer problem over (m, ln σ) is two-dimensional
 * and solved with Nelder–Mead from the best points of a coarse grid. Hand-written because no library in
 * package.json fits SVI or solves small constrained least squares (ml-levenberg-marquardt is not a
 * dependency and would handle neither the polygon constraints nor the separable structure).
 *
 * Weights: residuals in total variance are divided by 2·σ_i·T (dw ≈ 2σT dσ), so the fit minimises, to first
 * order, the squared error in implied volatility, the unit its RMSE is reported in.
 *
 * @see J. Gatheral, "A parsimonious arbitrage-free implied volatility parameterization" (Global Derivatives, 2004).
 * @see J. Gatheral, A. Jacquier, "Arbitrage-free SVI volatility surfaces", Quantitative Finance 14 (2014), eq. 2.1 and Lemma 2.2 (g(k)).
 * @see Zeliade Systems, "Quasi-explicit calibration of Gatheral's SVI model" (white paper ZWP-0005, 2009).
 * @see R. Lee, "The moment formula for implied volatility at extreme strikes", Mathematical Finance 14 (2004).
 */

/** Raw SVI parameters (Gatheral 2004) of one expiry: w(k) = a + b(ρ(k − m) + sqrt((k − m)² + σ²)). */
export interface SviParams {
  a: number;
  b: number;
  rho: number;
  m: number;
  sigma: number;
}

export interface SviPoint {
  k: number;
  /** Total implied variance. */
  w: number;
  /** Least-squares weight of this point (in total variance). */
  weight: number;
}

export function sviTotalVariance(p: SviParams, k: number): number {
  const x = k - p.m;
  return p.a + p.b * (p.rho * x + Math.sqrt(x * x + p.sigma * p.sigma));
}

/** First and second derivatives of w in k. */
export function sviDerivatives(p: SviParams, k: number): { w: number; w1: number; w2: number } {
  const x = k - p.m;
  const r = Math.sqrt(x * x + p.sigma * p.sigma);
  return { w: p.a + p.b * (p.rho * x + r), w1: p.b * (p.rho + x / r), w2: (p.b * p.sigma * p.sigma) / (r * r * r) };
}

/**
 * Gatheral's density condition: g(k) = (1 − k w'/(2w))² − (w'²/4)(1/w + 1/4) + w''/2. The risk-neutral density
 * is g(k)/sqrt(2πw) · exp(−d₂²/2), so the slice is free of butterfly arbitrage iff g ≥ 0 (and w > 0).
 */
export function sviDensityG(p: SviParams, k: number): number {
  const { w, w1, w2 } = sviDerivatives(p, k);
  if (!(w > 0)) return -Infinity;
  return (1 - (k * w1) / (2 * w)) ** 2 - ((w1 * w1) / 4) * (1 / w + 0.25) + w2 / 2;
}

interface Inner {
  a: number;
  d: number;
  c: number;
  sse: number;
}

/**
 * The exact constrained (a, d, c) for fixed (m, σ). Every candidate is a least-squares problem in (1, y, z), so
 * one pass over the points collects the weighted moments and each candidate costs O(1).
 */
function solveInner(points: readonly SviPoint[], m: number, sigma: number, rhoMax: number): Inner {
  let S1 = 0, Sy = 0, Sz = 0, Syy = 0, Syz = 0, Szz = 0, Sw = 0, Syw = 0, Szw = 0, Sww = 0;
  for (const pt of points) {
    const y = (pt.k - m) / sigma;
    const z = Math.sqrt(y * y + 1);
    const o = pt.weight;
    S1 += o;
    Sy += o * y;
    Sz += o * z;
    Syy += o * y * y;
    Syz += o * y * z;
    Szz += o * z * z;
    Sw += o * pt.w;
    Syw += o * y * pt.w;
    Szw += o * z * pt.w;
    Sww += o * pt.w * pt.w;
  }
  const sse = (a: number, d: number, c: number): number =>
    Math.max(0, a * a * S1 + d * d * Syy + c * c * Szz + Sww + 2 * (a * d * Sy + a * c * Sz + d * c * Syz - a * Sw - d * Syw - c * Szw));
  const finish = (a: number, d: number, c: number): Inner => {
    const aa = Math.max(a, -Math.sqrt(Math.max(0, c * c - d * d)));
    return { a: aa, d, c, sse: sse(aa, d, c) };
  };
  const feasible = (d: number, c: number): boolean => c >= 0 && Math.abs(d) <= rhoMax * c + 1e-15 && c + Math.abs(d) <= 2 * sigma + 1e-15;
  let best: Inner | null = null;
  const consider = (cand: Inner): void => {
    if (Number.isFinite(cand.sse) && (!best || cand.sse < best.sse)) best = cand;
  };
  // Unconstrained: the 3×3 normal equations by Cramer's rule.
  const det3 = (a11: number, a12: number, a13: number, a21: number, a22: number, a23: number, a31: number, a32: number, a33: number): number =>
    a11 * (a22 * a33 - a23 * a32) - a12 * (a21 * a33 - a23 * a31) + a13 * (a21 * a32 - a22 * a31);
  const D = det3(S1, Sy, Sz, Sy, Syy, Syz, Sz, Syz, Szz);
  if (Math.abs(D) > 1e-300) {
    const a = det3(Sw, Sy, Sz, Syw, Syy, Syz, Szw, Syz, Szz) / D;
    const d = det3(S1, Sw, Sz, Sy, Syw, Syz, Sz, Szw, Szz) / D;
    const c = det3(S1, Sy, Sw, Sy, Syy, Syw, Sz, Syz, Szw) / D;
    if (feasible(d, c)) consider(finish(a, d, c));
  }
  // The polygon's vertices in (d, c): the origin, the two ρ = ±ρmax corners on the Lee bound, the top.
  const c1 = (2 * sigma) / (1 + rhoMax);
  const vertices: readonly (readonly [number, number])[] = [
    [0, 0],
    [rhoMax * c1, c1],
    [0, 2 * sigma],
    [-rhoMax * c1, c1],
  ];
  for (let e = 0; e < 4; e++) {
    const [pd, pc] = vertices[e]!;
    const [qd, qc] = vertices[(e + 1) % 4]!;
    const dd = qd - pd;
    const dc = qc - pc;
    // Along the edge (d, c) = P + t(Q − P): least squares in (a, t) of rest = w − pd·y − pc·z on dir = dd·y + dc·z.
    const Sdir = dd * Sy + dc * Sz;
    const Sdd = dd * dd * Syy + 2 * dd * dc * Syz + dc * dc * Szz;
    const Srest = Sw - pd * Sy - pc * Sz;
    const Sdr = dd * (Syw - pd * Syy - pc * Syz) + dc * (Szw - pd * Syz - pc * Szz);
    const det = S1 * Sdd - Sdir * Sdir;
    let t = Math.abs(det) > 1e-300 ? (S1 * Sdr - Sdir * Srest) / det : 0;
    t = Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0;
    // a for the clamped t: the weighted mean of what is left.
    consider(finish((Srest - t * Sdir) / S1, pd + t * dd, pc + t * dc));
  }
  return best!;
}

/** Σ ω (w_fit − w)², computed point by point (the moment form above can lose digits near a perfect fit). */
function directSse(points: readonly SviPoint[], p: SviParams): number {
  let s = 0;
  for (const pt of points) {
    const e = sviTotalVariance(p, pt.k) - pt.w;
    s += pt.weight * e * e;
  }
  return s;
}

function nelderMead2(f: (x: number, y: number) => number, start: [number, number], step: [number, number], maxIter = 400, tol = 1e-14): { x: [number, number]; f: number } {
  let simplex: { x: [number, number]; f: number }[] = [
    { x: start, f: f(start[0], start[1]) },
    { x: [start[0] + step[0], start[1]], f: f(start[0] + step[0], start[1]) },
    { x: [start[0], start[1] + step[1]], f: f(start[0], start[1] + step[1]) },
  ];
  for (let iter = 0; iter < maxIter; iter++) {
    simplex.sort((p, q) => p.f - q.f);
    const [b, g, w] = simplex as [(typeof simplex)[0], (typeof simplex)[0], (typeof simplex)[0]];
    if (Math.abs(w.f - b.f) <= tol * (Math.abs(b.f) + tol)) break;
    const cx = (b.x[0] + g.x[0]) / 2;
    const cy = (b.x[1] + g.x[1]) / 2;
    const at = (t: number): { x: [number, number]; f: number } => {
      const x: [number, number] = [cx + t * (w.x[0] - cx), cy + t * (w.x[1] - cy)];
      return { x, f: f(x[0], x[1]) };
    };
    const r = at(-1);
    if (r.f < b.f) {
      const e = at(-2);
      simplex = [b, g, e.f < r.f ? e : r];
    } else if (r.f < g.f) {
      simplex = [b, g, r];
    } else {
      const c = r.f < w.f ? at(-0.5) : at(0.5);
      if (c.f < Math.min(r.f, w.f)) simplex = [b, g, c];
      else {
        const shrink = (p: { x: [number, number] }): { x: [number, number]; f: number } => {
          const x: [number, number] = [b.x[0] + 0.5 * (p.x[0] - b.x[0]), b.x[1] + 0.5 * (p.x[1] - b.x[1])];
          return { x, f: f(x[0], x[1]) };
        };
        simplex = [b, shrink(g), shrink(w)];
      }
    }
  }
  simplex.sort((p, q) => p.f - q.f);
  return simplex[0]!;
}

const SIGMA_MIN = 1e-4;
const SIGMA_MAX = 5;

/**
 * Least-squares raw SVI of one expiry's points (at least 5). Throws on fewer points or a non-positive w.
 */
export function fitSvi(points: readonly SviPoint[], options: { maxAbsRho?: number } = {}): SviParams & { sse: number } {
  if (points.length < 5) throw new RangeError(`fitSvi needs at least 5 points, got ${points.length}`);
  for (const p of points) if (!(p.w > 0) || !(p.weight > 0)) throw new RangeError(`fitSvi needs w > 0 and weight > 0, got w=${p.w}, weight=${p.weight} at k=${p.k}`);
  const rhoMax = options.maxAbsRho ?? 0.999;
  const ks = points.map((p) => p.k);
  const kMin = Math.min(...ks);
  const kMax = Math.max(...ks);
  const span = Math.max(kMax - kMin, 0.05);
  const mLo = kMin - span;
  const mHi = kMax + span;
  const objective = (m: number, s: number): number => {
    const sigma = Math.exp(s);
    if (m < mLo || m > mHi || sigma < SIGMA_MIN || sigma > SIGMA_MAX) return Number.POSITIVE_INFINITY;
    return solveInner(points, m, sigma, rhoMax).sse;
  };
  const grid: { m: number; s: number; f: number }[] = [];
  for (let i = 0; i <= 14; i++) {
    const m = kMin + ((kMax - kMin) * i) / 14;
    for (const sigma of [0.005, 0.02, 0.05, 0.1, 0.2, 0.4, 0.8]) {
      const s = Math.log(sigma * span);
      grid.push({ m, s, f: objective(m, s) });
    }
  }
  grid.sort((p, q) => p.f - q.f);
  let best = { x: [grid[0]!.m, grid[0]!.s] as [number, number], f: grid[0]!.f };
  for (const g of grid.slice(0, 3)) {
    const r = nelderMead2(objective, [g.m, g.s], [span / 10, 0.5]);
    // A restart from the optimum polishes it (Nelder–Mead can stall on a degenerate simplex).
    const polished = nelderMead2(objective, r.x, [span / 50, 0.1]);
    if (polished.f < best.f) best = polished;
  }
  const sigma = Math.exp(best.x[1]);
  const inner = solveInner(points, best.x[0], sigma, rhoMax);
  const params: SviParams = { a: inner.a, b: inner.c / sigma, rho: inner.c > 0 ? inner.d / inner.c : 0, m: best.x[0], sigma };
  return { ...params, sse: directSse(points, params) };
}
