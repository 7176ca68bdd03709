import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkArbitrage, computeOptionsSurface, sviIv, atmVolChanges } from '../../src/analyzers/options-surface.js';
import type { SurfaceQuote, SviFit, SviParams } from '../../src/analyzers/options-surface.types.js';
import { computeVolatilityIndex } from '../../src/analyzers/volatility-index.js';
import { normCdf } from '../../src/math/black76.js';
import { fitSvi, sviDensityG, sviTotalVariance } from '../../src/math/svi.js';
import { readRecordedChain, type RecordedChain } from '../support/deribit-chain-csv.js';

const DATA = ['../shared/data', '/work/shared/data'].find((d) => existsSync(join(d, 'deribit/options-chain-2020-05')));
const FILES = ['BTC-options-chain-2020-05-14T0541Z.csv', 'BTC-options-chain-2020-05-21T2319Z.csv'] as const;
const YEAR_MS = 365 * 86_400_000;
const DAY_MS = 86_400_000;
const chains = new Map<string, RecordedChain>();
const chain = (file: string): RecordedChain => {
  let c = chains.get(file);
  if (!c) chains.set(file, (c = readRecordedChain(join(DATA!, 'deribit/options-chain-2020-05', file))));
  return c;
};
const surfaceOf = (file: string) => {
  const c = chain(file);
  return computeOptionsSurface({ currency: 'BTC', indexPrice: c.indexPrice, quotes: c.quotes, now: c.time });
};
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

describe('raw SVI fit', () => {
  it('recovers the parameters of an exact SVI smile', () => {
    const truth: SviParams = { a: 0.02, b: 0.15, rho: -0.35, m: 0.05, sigma: 0.2 };
    const T = 0.25;
    const points = Array.from({ length: 25 }, (_, i) => {
      const k = -0.8 + (1.6 * i) / 24;
      const w = sviTotalVariance(truth, k);
      return { k, w, weight: 1 / (2 * Math.sqrt(w / T) * T) ** 2 };
    });
    const fit = fitSvi(points);
    for (const key of ['a', 'b', 'rho', 'm', 'sigma'] as const) expect(fit[key], `${key} recovered`).toBeCloseTo(truth[key], 4);
    expect(fit.sse, 'exact data fit exactly').toBeLessThan(1e-12);
  });

  it('holds the constraints when the data pull outside them (a put wing steeper than Lee allows)', () => {
    // Total variance falling with slope −3 on the left: the unconstrained fit would take b(1 + |ρ|) = 3.
    const points = Array.from({ length: 15 }, (_, i) => {
      const k = -1 + i / 10;
      return { k, w: 0.05 + Math.max(0, -3 * k) + 0.1 * Math.max(0, k), weight: 1 };
    });
    const fit = fitSvi(points);
    expect(fit.b, 'b ≥ 0').toBeGreaterThanOrEqual(0);
    expect(Math.abs(fit.rho), '|ρ| < 1').toBeLessThan(1);
    expect(fit.sigma, 'σ > 0').toBeGreaterThan(0);
    expect(fit.b * (1 + Math.abs(fit.rho)), 'Lee: b(1 + |ρ|) ≤ 2').toBeLessThanOrEqual(2 + 1e-9);
    expect(fit.a + fit.b * fit.sigma * Math.sqrt(1 - fit.rho ** 2), 'minimum total variance ≥ 0').toBeGreaterThanOrEqual(-1e-12);
  });
});

describe.skipIf(DATA === undefined)('options surface on the recorded Deribit BTC chains (May 2020)', () => {
  it.each(FILES)('%s: every SVI fit reproduces its quotes within its reported error, inside the constraints, at a least-squares optimum', (file) => {
    const c = chain(file);
    const s = surfaceOf(file);
    expect(s.warmingUp).toBe(false);
    expect(s.expiries.length, '7 expiries in each file').toBe(7);
    const fitted = s.expiries.filter((e) => e.svi !== null);
    expect(fitted.length, 'the expiry settling within hours has < 6 two-sided quotes: 6 fitted').toBe(6);
    for (const e of fitted) {
      const svi = e.svi as SviFit;
      const label = new Date(e.expiry).toISOString().slice(0, 10);
      // The quotes, selected independently from the CSV: OTM option (put below F, call at or above) with bid and ask IV.
      const F = c.quotes.filter((q) => q.expiry === e.expiry).reduce((sum, q, _i, arr) => sum + q.underlyingPrice / arr.length, 0);
      expect(e.forward, `${label} forward = mean underlying`).toBeCloseTo(F, 6);
      const quotes = c.quotes.filter((q) => q.expiry === e.expiry && q.kind === (q.strike < F ? 'PUT' : 'CALL') && (q.bidIv ?? 0) > 0 && (q.askIv ?? 0) > 0 && (q.markIv ?? 0) > 0);
      expect(svi.quotes, `${label} quotes fitted`).toBe(quotes.length);
      const T = (e.expiry - c.time) / YEAR_MS;
      const errors = quotes.map((q) => sviIv(svi, Math.log(q.strike / F), T) - q.markIv!);
      const rmse = Math.sqrt(errors.reduce((sum, x) => sum + x * x, 0) / errors.length);
      expect(svi.rmseVolPts, `${label} reported RMSE = recomputed RMSE`).toBeCloseTo(rmse, 9);
      for (const x of errors) expect(Math.abs(x), `${label} each quote within the reported max error`).toBeLessThanOrEqual(svi.maxErrorVolPts + 1e-9);
      // Measured (README): 0.21-1.70 vol points from 7 days out; 1.04 and 3.39 for the next-day expiries.
      expect(svi.rmseVolPts, `${label} RMSE`).toBeLessThan(e.daysToExpiry >= 7 ? 2 : 3.5);
      expect(svi.b).toBeGreaterThanOrEqual(0);
      expect(Math.abs(svi.rho)).toBeLessThan(1);
      expect(svi.sigma).toBeGreaterThan(0);
      expect(svi.minTotalVariance, 'a + bσ√(1−ρ²) ≥ 0').toBeGreaterThanOrEqual(-1e-12);
      expect(svi.b * (1 + Math.abs(svi.rho))).toBeLessThanOrEqual(2 + 1e-9);
      // Least squares: no small feasible move of any parameter lowers the weighted squared error.
      const sse = (p: SviParams): number =>
        quotes.reduce((sum, q) => {
          const s2 = (q.markIv! / 100) ** 2;
          const r = (sviTotalVariance(p, Math.log(q.strike / F)) - s2 * T) / (2 * Math.sqrt(s2) * T);
          return sum + r * r;
        }, 0);
      const base = sse(svi);
      for (const key of ['a', 'b', 'rho', 'm', 'sigma'] as const) {
        for (const h of [1e-4, -1e-4]) {
          const p = { ...svi, [key]: svi[key] + h * Math.max(Math.abs(svi[key]), 0.01) };
          const feasible = p.b >= 0 && Math.abs(p.rho) < 0.999 && p.sigma > 0 && p.b * (1 + Math.abs(p.rho)) <= 2 && p.a + p.b * p.sigma * Math.sqrt(1 - p.rho ** 2) >= 0;
          if (feasible) expect(sse(p), `${label} ${key} ${h > 0 ? '+' : '−'}: the fit is a minimum`).toBeGreaterThanOrEqual(base * (1 - 1e-7));
        }
      }
    }
    const withBidAsk = fitted.reduce((n, e) => n + e.svi!.withBidAsk, 0);
    const within = fitted.reduce((n, e) => n + e.svi!.withinBidAsk, 0);
    expect(within / withBidAsk, 'most fitted IVs inside the quoted bid/ask IVs (measured 125/129 and 115/128)').toBeGreaterThan(0.85);
  });

  it.each(FILES)('%s: the fitted surface has no butterfly or calendar arbitrage on the quoted ranges', (file) => {
    const s = surfaceOf(file);
    expect(s.arbitrage.expiriesChecked).toBe(6);
    expect(s.arbitrage.pairsChecked).toBe(5);
    expect(s.arbitrage.butterfly).toEqual([]);
    expect(s.arbitrage.calendar).toEqual([]);
    expect(s.arbitrage.arbitrageFree).toBe(true);
    // Independent check: g(k) on a finer grid, and ATM total variance increasing with expiry.
    for (const e of s.expiries) {
      if (!e.svi) continue;
      for (let k = e.svi.kMin; k <= e.svi.kMax; k += 0.0025) expect(sviDensityG(e.svi, k)).toBeGreaterThan(0);
      expect(e.minDensityG!).toBeGreaterThan(0);
    }
    const atmW = s.expiries.filter((e) => e.svi).map((e) => (e.atmIv! / 100) ** 2 * e.timeToExpiry);
    expect(atmW, 'ATM total variance rises with expiry').toEqual([...atmW].sort((a, b) => a - b));
  });

  it('delta points sit where the fitted Black-76 forward delta is ±0.10/0.25/0.50; skew is their arithmetic', () => {
    const s = surfaceOf(FILES[1]);
    for (const e of s.expiries) {
      if (!e.svi) continue;
      for (const p of [e.put10, e.put25, e.put50, e.call50, e.call25, e.call10]) {
        expect(p, 'every fitted expiry has all six deltas').not.toBeNull();
        const k = Math.log(p!.strike / e.forward);
        const w = sviTotalVariance(e.svi, k);
        const callDelta = normCdf((-k + w / 2) / Math.sqrt(w));
        expect(p!.delta > 0 ? callDelta : callDelta - 1, 'delta at the strike').toBeCloseTo(p!.delta, 9);
        expect(p!.iv).toBeCloseTo(sviIv(e.svi, k, e.timeToExpiry), 9);
      }
      expect(e.put50!.strike, '50Δ put and call share the strike').toBeCloseTo(e.call50!.strike, 6);
      expect(e.riskReversal25).toBeCloseTo(e.call25!.iv - e.put25!.iv, 12);
      expect(e.butterfly25).toBeCloseTo((e.call25!.iv + e.put25!.iv) / 2 - e.atmIv!, 12);
      expect(e.riskReversal10).toBeCloseTo(e.call10!.iv - e.put10!.iv, 12);
    }
    // May 2020, after the halving: puts bid over calls on every expiry up to June (25Δ risk reversal < 0).
    for (const e of s.expiries.filter((x) => x.svi && x.daysToExpiry < 40)) expect(e.riskReversal25!).toBeLessThan(0);
  });

  it('open interest by strike sums the chain; the term structure interpolates ATM total variance', () => {
    const c = chain(FILES[1]);
    const s = surfaceOf(FILES[1]);
    const calls = s.activityByStrike.reduce((sum, a) => sum + a.callOpenInterest, 0);
    const puts = s.activityByStrike.reduce((sum, a) => sum + a.putOpenInterest, 0);
    // The 22MAY20 expiry is 8.6 h out (≥ 1 h): every option counts. Σ OI hand-summed from the CSV (tests/integration/replay-options.test.ts).
    expect(calls).toBeCloseTo(55_987.3, 6);
    expect(puts).toBeCloseTo(50_094.7, 6);
    expect(s.activityByStrike.length).toBe(new Set(c.quotes.map((q) => q.strike)).size);
    const t30 = s.termStructure.find((x) => x.days === 30)!;
    const near = s.expiries.find((e) => e.svi && e.daysToExpiry < 30 && !s.expiries.some((o) => o.svi && o.daysToExpiry < 30 && o.daysToExpiry > e.daysToExpiry))!;
    const far = s.expiries.find((e) => e.svi && e.daysToExpiry > 30)!;
    const w1 = (near.atmIv! / 100) ** 2 * near.timeToExpiry;
    const w2 = (far.atmIv! / 100) ** 2 * far.timeToExpiry;
    const T = 30 / 365;
    const w = w1 + ((w2 - w1) * (T - near.timeToExpiry)) / (far.timeToExpiry - near.timeToExpiry);
    expect(t30.iv).toBeCloseTo(100 * Math.sqrt(w / T), 9);
    expect(s.termStructure.find((x) => x.days === 180)!.iv, 'between the September and December expiries').not.toBeNull();
  });
});

/**
 * The Cboe VIX method done by hand on the recorded chain, step by step, with nothing from src/ but the quotes.
 * The literal figures were also computed by a separate Python script (csv module) and agree to the last digit.
 */
function referenceTerm(quotes: readonly SurfaceQuote[], expiry: number, now: number) {
  // Step 0: time to expiry in years (ms / 365-day year; Cboe counts minutes of a 365-day year).
  const T = (expiry - now) / YEAR_MS;
  // Step 1: mid quotes in USD: (bid + ask)/2 in BTC × the row's underlying price; no bid or no ask → no mid.
  const mid = (q: SurfaceQuote | undefined): number | null => (q && q.bidPrice && q.askPrice ? ((q.bidPrice + q.askPrice) / 2) * q.underlyingPrice : null);
  const calls = new Map(quotes.filter((q) => q.expiry === expiry && q.kind === 'CALL').map((q) => [q.strike, q]));
  const puts = new Map(quotes.filter((q) => q.expiry === expiry && q.kind === 'PUT').map((q) => [q.strike, q]));
  const strikes = [...new Set([...calls.keys(), ...puts.keys()])].sort((a, b) => a - b);
  // Step 2: the strike with the smallest |C − P|; F = K + e^{0·T}(C − P).
  let parityK = NaN;
  let cp = NaN;
  for (const K of strikes) {
    const c = mid(calls.get(K));
    const p = mid(puts.get(K));
    if (c === null || p === null) continue;
    if (Number.isNaN(cp) || Math.abs(c - p) < Math.abs(cp)) {
      parityK = K;
      cp = c - p;
    }
  }
  const F = parityK + cp;
  // Step 3: K0 = the largest strike ≤ F.
  let K0 = NaN;
  for (const K of strikes) if (K <= F) K0 = K;
  // Step 4: K0 priced at the mean of its call and put; puts below walking down, calls above walking up, skipping
  // strikes without a mid and stopping at the second consecutive one.
  const chosen: [number, number][] = [[K0, (mid(calls.get(K0))! + mid(puts.get(K0))!) / 2]];
  for (const [side, list] of [
    [puts, strikes.filter((K) => K < K0).reverse()],
    [calls, strikes.filter((K) => K > K0)],
  ] as const) {
    let misses = 0;
    for (const K of list) {
      const m = mid(side.get(K));
      if (m === null) {
        if (++misses === 2) break;
      } else {
        misses = 0;
        chosen.push([K, m]);
      }
    }
  }
  chosen.sort((a, b) => a[0] - b[0]);
  // Step 5: ΔK, half the gap between neighbours, one-sided at the ends. Step 6: σ².
  let sum = 0;
  chosen.forEach(([K, Q], i) => {
    const dK = i === 0 ? chosen[1]![0] - K : i === chosen.length - 1 ? K - chosen[i - 1]![0] : (chosen[i + 1]![0] - chosen[i - 1]![0]) / 2;
    sum += (dK / (K * K)) * Q;
  });
  const variance = (2 / T) * sum - (1 / T) * (F / K0 - 1) ** 2;
  return { T, parityK, cp, F, K0, strikes: chosen.map(([K]) => K), sum, variance };
}

describe.skipIf(DATA === undefined)('30-day volatility index (Cboe VIX method) on the recorded chains', () => {
  const PYTHON = {
    'BTC-options-chain-2020-05-14T0541Z.csv': { near: { F: 9325.0252625, K0: 9000, n: 21, variance: 1.0956704209139811 }, next: { F: 9355.5222975, K0: 9000, n: 24, variance: 1.095407421976406 }, w: 0.46765602802579365, index: 104.66466955882419 },
    'BTC-options-chain-2020-05-21T2319Z.csv': { near: { F: 9081.67889, K0: 9000, n: 25, variance: 0.8088566941541715 }, next: { F: 9095.48807, K0: 9000, n: 29, variance: 1.0868060098175822 }, w: 0.25520542493386245, index: 102.60866473067543 },
  } as const;

  it.each(FILES)('%s: forward, K0, selected strikes, σ² of both terms and the interpolated index match the hand computation', (file) => {
    const c = chain(file);
    const vi = computeVolatilityIndex({ quotes: c.quotes, now: c.time });
    const py = PYTHON[file];
    // The bracketing expiries: the last at or before 30 days and the first after it.
    const expiries = [...new Set(c.quotes.map((q) => q.expiry))].sort((a, b) => a - b);
    const nearExpiry = expiries.filter((e) => e - c.time <= 30 * DAY_MS).at(-1)!;
    const nextExpiry = expiries.find((e) => e - c.time > 30 * DAY_MS)!;
    expect(vi.nearTerm!.expiry).toBe(nearExpiry);
    expect(vi.nextTerm!.expiry).toBe(nextExpiry);
    for (const [name, term, ref] of [
      ['near', vi.nearTerm!, referenceTerm(c.quotes, nearExpiry, c.time)],
      ['next', vi.nextTerm!, referenceTerm(c.quotes, nextExpiry, c.time)],
    ] as const) {
      expect(rel(term.timeToExpiry, ref.T), `${name} T`).toBeLessThan(1e-12);
      expect(term.parityStrike, `${name} parity strike`).toBe(ref.parityK);
      expect(rel(term.callMinusPut, ref.cp), `${name} C − P`).toBeLessThan(1e-9);
      expect(rel(term.forward, ref.F), `${name} F`).toBeLessThan(1e-9);
      expect(term.k0, `${name} K0`).toBe(ref.K0);
      expect(term.contributions.map((x) => x.strike), `${name} selected strikes`).toEqual(ref.strikes);
      expect(rel(term.contributionSum, ref.sum), `${name} Σ ΔK/K² Q`).toBeLessThan(1e-9);
      expect(rel(term.variance, ref.variance), `${name} σ²`).toBeLessThan(1e-6);
      const lit = py[name];
      expect(rel(term.forward, lit.F), `${name} F (Python)`).toBeLessThan(1e-9);
      expect(term.k0).toBe(lit.K0);
      expect(term.contributions.length, `${name} strikes (Python)`).toBe(lit.n);
      expect(rel(term.variance, lit.variance), `${name} σ² (Python)`).toBeLessThan(1e-6);
      expect(term.contributions.filter((x) => x.option === 'ATM').map((x) => x.strike)).toEqual([term.k0]);
    }
    // Step 7: the 30-day interpolation, N in ms: weight (N2 − N30)/(N2 − N1), annualised by N365/N30.
    const n1 = nearExpiry - c.time;
    const n2 = nextExpiry - c.time;
    const w = (n2 - 30 * DAY_MS) / (n2 - n1);
    const near = referenceTerm(c.quotes, nearExpiry, c.time);
    const next = referenceTerm(c.quotes, nextExpiry, c.time);
    const index = 100 * Math.sqrt((near.T * near.variance * w + next.T * next.variance * (1 - w)) * (365 / 30));
    expect(rel(vi.nearWeight!, w)).toBeLessThan(1e-12);
    expect(rel(vi.value!, index), 'index').toBeLessThan(1e-6);
    expect(rel(vi.value!, py.index), 'index (Python)').toBeLessThan(1e-6);
    expect(rel(vi.nearWeight!, py.w)).toBeLessThan(1e-9);
    expect(vi.rate).toBe(0);
    expect(vi.dvol, 'no DVOL in a May 2020 recording').toBeNull();
    expect(vi.differenceFromDvol).toBeNull();
  });

  it('reports the DVOL difference when one is given, and says why when none is', () => {
    const c = chain(FILES[1]);
    const vi = computeVolatilityIndex({ quotes: c.quotes, now: c.time, dvol: { value: 95, time: c.time } });
    expect(vi.dvol).toBe(95);
    expect(vi.differenceFromDvol).toBeCloseTo(vi.value! - 95, 12);
    const none = computeVolatilityIndex({ quotes: c.quotes, now: c.time, dvolUnavailableReason: 'no DVOL here' });
    expect(none.dvolNote).toBe('no DVOL here');
    expect(none.value, 'the index never becomes the DVOL').toBe(vi.value);
  });

  it('is null with the reason when no expiry lies beyond 30 days', () => {
    const c = chain(FILES[1]);
    const short = c.quotes.filter((q) => q.expiry - c.time <= 30 * DAY_MS);
    const vi = computeVolatilityIndex({ quotes: short, now: c.time });
    expect(vi.value).toBeNull();
    expect(vi.note).toMatch(/no expiry beyond 30 days/);
  });
});

describe('arbitrage checks flag arbitrageable surfaces', () => {
  it('flags butterfly arbitrage on the Vogt SVI slice (Gatheral & Jacquier 2014, §5.1)', () => {
    // a = −0.0410, b = 0.1331, ρ = 0.3060, m = 0.3586, σ = 0.4153, T = 1: g(k) < 0 near k ≈ 0.6 (their Figure 2).
    const svi = { a: -0.041, b: 0.1331, rho: 0.306, m: 0.3586, sigma: 0.4153 } as SviFit;
    const report = checkArbitrage([{ expiry: 1, svi: { ...svi, kMin: -1.5, kMax: 1.5 } }], { arbitrageGridStep: 0.01, calendarTolerance: 1e-6, butterflyTolerance: 1e-9 });
    expect(report.arbitrageFree).toBe(false);
    expect(report.butterfly).toHaveLength(1);
    expect(report.butterfly[0]!.g).toBeLessThan(0);
    expect(report.butterfly[0]!.logMoneyness).toBeGreaterThan(0.3);
    expect(report.butterfly[0]!.logMoneyness).toBeLessThan(1);
  });

  it('flags calendar arbitrage on a crafted chain whose near expiry carries more total variance than the far one', () => {
    const now = Date.parse('2026-01-01T08:00:00Z');
    const F = 100_000;
    const quotes: SurfaceQuote[] = [];
    // 10 days at 150 % (w ≈ 0.0616) before 40 days at 60 % (w ≈ 0.0395): total variance falls with expiry.
    for (const [days, atm] of [
      [10, 150],
      [40, 60],
    ] as const) {
      for (let i = -6; i <= 6; i++) {
        const strike = F * Math.exp(i * 0.05);
        const iv = atm * (1 + 0.5 * (i * 0.05) ** 2);
        quotes.push({ kind: strike < F ? 'PUT' : 'CALL', strike, expiry: now + days * DAY_MS, markIv: iv, bidIv: iv - 1, askIv: iv + 1, bidPrice: null, askPrice: null, delta: null, openInterest: 1, volume: 1, underlyingPrice: F });
      }
    }
    const s = computeOptionsSurface({ currency: 'BTC', indexPrice: F, quotes, now });
    expect(s.expiries.every((e) => e.svi !== null)).toBe(true);
    expect(s.arbitrage.arbitrageFree).toBe(false);
    expect(s.arbitrage.calendar).toHaveLength(1);
    expect(s.arbitrage.calendar[0]!.totalVarianceGap).toBeLessThan(-0.02);
    expect(s.arbitrage.calendar[0]!.points, 'every k of the overlap').toBe(61);
    expect(s.volatilityIndex.value, 'no book prices: no index').toBeNull();
  });
});

describe('ATM changes against stored results', () => {
  it('differences per tenor and of the index; null with the reason when nothing was stored', () => {
    const current = { time: 10 * DAY_MS, termStructure: [{ days: 30, iv: 80, note: '' }, { days: 90, iv: null, note: 'none' }], volatilityIndex: { value: 90 } } as never;
    const [day, week, month] = atmVolChanges(current, { ONE_DAY: { time: 9 * DAY_MS, termStructure: [{ days: 30, iv: 75, note: '' }, { days: 90, iv: 70, note: '' }], volatilityIndex: { value: 88 } }, ONE_WEEK: null, ONE_MONTH: null }, { ONE_MONTH: 'history unreadable' });
    expect(day!.tenors).toEqual([{ days: 30, current: 80, past: 75, change: 5 }, { days: 90, current: null, past: 70, change: null }]);
    expect(day!.volatilityIndexChange).toBe(2);
    expect(week!.pastTime).toBeNull();
    expect(week!.tenors[0]!.change).toBeNull();
    expect(week!.note).toMatch(/no stored OPTIONS_SURFACE result within ±24 h/);
    expect(month!.note).toBe('history unreadable');
  });
});
