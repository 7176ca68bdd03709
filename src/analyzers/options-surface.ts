import { normCdf, YEAR_MS } from '../math/black76.js';
import { fitSvi, sviDensityG, sviTotalVariance, type SviPoint } from '../math/svi.js';
import type {
  ArbitrageReport,
  AtmChangeLag,
  AtmVolChange,
  ButterflyViolation,
  CalendarViolation,
  ConstantMaturityAtm,
  DeltaPoint,
  OptionsSurfaceAnalysis,
  OptionsSurfaceInput,
  OptionsSurfaceThresholds,
  PastSurface,
  StrikeActivity,
  SurfaceExpiry,
  SurfaceQuote,
  SurfaceStrike,
  SviFit,
  SviParams,
} from './options-surface.types.js';
import { computeVolatilityIndex } from './volatility-index.js';

export const OPTIONS_SURFACE_METHODOLOGY_VERSION = 'options-surface/1.0.0';

export const DEFAULT_OPTIONS_SURFACE_THRESHOLDS: Readonly<OptionsSurfaceThresholds> = {
  minExpiryHours: 1,
  minFitQuotes: 6,
  maxAbsRho: 0.999,
  arbitrageGridStep: 0.01,
  calendarTolerance: 1e-6,
  butterflyTolerance: 1e-9,
  indexDays: 30,
  tenorDays: [7, 30, 60, 90, 180],
};

const DAY_MS = 86_400_000;

/** Fitted IV (percent) at log-moneyness k of an expiry T years out. */
export function sviIv(p: SviParams, k: number, T: number): number {
  return 100 * Math.sqrt(Math.max(0, sviTotalVariance(p, k)) / T);
}

/** The OTM side at strike K for forward F (put below, call at or above), as SOURCES and the VIX method choose. */
const otmKind = (K: number, F: number): 'CALL' | 'PUT' => (K < F ? 'PUT' : 'CALL');

function strikeRows(quotes: readonly SurfaceQuote[], F: number, fit: SviParams | null, T: number): SurfaceStrike[] {
  const byStrike = new Map<number, { call?: SurfaceQuote; put?: SurfaceQuote }>();
  for (const q of quotes) {
    const row = byStrike.get(q.strike) ?? {};
    if (q.kind === 'CALL') row.call = q;
    else row.put = q;
    byStrike.set(q.strike, row);
  }
  return [...byStrike.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([strike, { call, put }]) => {
      const k = Math.log(strike / F);
      const otm = otmKind(strike, F) === 'CALL' ? call : put;
      return {
        strike,
        logMoneyness: k,
        callIv: call?.markIv ?? null,
        putIv: put?.markIv ?? null,
        otmIv: otm?.markIv ?? null,
        otmBidIv: otm?.bidIv ?? null,
        otmAskIv: otm?.askIv ?? null,
        fittedIv: fit ? sviIv(fit, k, T) : null,
        callDelta: call?.delta ?? null,
        putDelta: put?.delta ?? null,
        callOpenInterest: call?.openInterest ?? 0,
        putOpenInterest: put?.openInterest ?? 0,
        callVolume: call?.volume ?? 0,
        putVolume: put?.volume ?? 0,
      };
    });
}

/**
 * The points an expiry is fitted to: per strike the OTM option's mark IV (the ITM one when the OTM has none),
 * where the market makes a two-sided IV (bid IV and ask IV > 0). Marks without a bid are the venue's own
 * extrapolation (Deribit holds deep wings at a flat capped IV), not prices anyone trades at, so they are shown
 * but not fitted. A source that quotes no bid/ask IVs at all for the expiry (the fake venue, some feeds) is
 * fitted to its mark IVs.
 */
function fitPoints(rows: readonly SurfaceStrike[], T: number): { points: FitPoint[]; twoSidedOnly: boolean } {
  const all: FitPoint[] = [];
  for (const r of rows) {
    const useOtm = r.otmIv !== null && r.otmIv > 0;
    const iv = useOtm ? r.otmIv! : r.logMoneyness < 0 ? r.callIv : r.putIv;
    if (iv === null || !(iv > 0)) continue;
    const s = iv / 100;
    const bidIv = useOtm ? r.otmBidIv : null;
    const askIv = useOtm ? r.otmAskIv : null;
    all.push({ point: { k: r.logMoneyness, w: s * s * T, weight: 1 / (2 * s * T) ** 2 }, iv, bidIv, askIv, twoSided: bidIv !== null && askIv !== null && bidIv > 0 && askIv > 0 });
  }
  const anyBook = rows.some((r) => (r.otmBidIv ?? 0) > 0 || (r.otmAskIv ?? 0) > 0);
  return anyBook ? { points: all.filter((p) => p.twoSided), twoSidedOnly: true } : { points: all, twoSidedOnly: false };
}

interface FitPoint {
  point: SviPoint;
  iv: number;
  bidIv: number | null;
  askIv: number | null;
  twoSided: boolean;
}

/**
 * The log-moneyness where the fitted Black-76 forward call delta N(d1) equals `p` (d1 = (−k + w/2)/sqrt(w)):
 * 0.10/0.25/0.50 for calls, 0.90/0.75/0.50 for the −0.10/−0.25/−0.50 puts. Scans from the low strikes up
 * for the first crossing, then bisects. Null when the scan range holds none.
 */
function kAtCallDelta(p: SviParams, target: number, lo: number, hi: number): number | null {
  const f = (k: number): number => {
    const w = sviTotalVariance(p, k);
    if (!(w > 0)) return Number.NaN;
    return normCdf((-k + w / 2) / Math.sqrt(w)) - target;
  };
  const step = 0.005;
  let a = lo;
  let fa = f(a);
  for (let b = lo + step; b <= hi + 1e-12; b += step) {
    const fb = f(b);
    if (Number.isFinite(fa) && Number.isFinite(fb) && fa >= 0 && fb < 0) {
      let x0 = a;
      let x1 = b;
      for (let i = 0; i < 80; i++) {
        const mid = (x0 + x1) / 2;
        if (f(mid) >= 0) x0 = mid;
        else x1 = mid;
      }
      return (x0 + x1) / 2;
    }
    a = b;
    fa = fb;
  }
  return null;
}

function deltaPoint(p: SviParams, F: number, T: number, delta: number, kMin: number, kMax: number): DeltaPoint | null {
  const callDelta = delta > 0 ? delta : 1 + delta;
  const k = kAtCallDelta(p, callDelta, kMin - 1.5, kMax + 1.5);
  if (k === null) return null;
  return { delta, strike: F * Math.exp(k), logMoneyness: k, iv: sviIv(p, k, T), extrapolated: k < kMin || k > kMax };
}

function grid(lo: number, hi: number, step: number): number[] {
  const out: number[] = [];
  const n = Math.max(1, Math.round((hi - lo) / step));
  for (let i = 0; i <= n; i++) out.push(lo + ((hi - lo) * i) / n);
  return out;
}

function surfaceExpiry(expiry: number, quotes: readonly SurfaceQuote[], now: number, t: OptionsSurfaceThresholds): SurfaceExpiry {
  const T = (expiry - now) / YEAR_MS;
  const F = quotes.reduce((s, q) => s + q.underlyingPrice, 0) / quotes.length;
  const rows0 = strikeRows(quotes, F, null, T);
  const { points, twoSidedOnly } = fitPoints(rows0, T);
  let svi: SviFit | null = null;
  let params: SviParams | null = null;
  let fitNote: string;
  if (points.length < t.minFitQuotes) {
    fitNote = `${points.length} OTM quote(s) with ${twoSidedOnly ? 'a two-sided IV market' : 'a mark IV'}; an SVI fit needs ${t.minFitQuotes}`;
  } else {
    const fit = fitSvi(
      points.map((p) => p.point),
      { maxAbsRho: t.maxAbsRho },
    );
    params = { a: fit.a, b: fit.b, rho: fit.rho, m: fit.m, sigma: fit.sigma };
    let sq = 0;
    let maxErr = 0;
    let withBidAsk = 0;
    let withinBidAsk = 0;
    for (const p of points) {
      const fitted = sviIv(params, p.point.k, T);
      const e = fitted - p.iv;
      sq += e * e;
      maxErr = Math.max(maxErr, Math.abs(e));
      if (p.bidIv !== null && p.askIv !== null && p.bidIv > 0 && p.askIv > 0) {
        withBidAsk += 1;
        if (fitted >= p.bidIv && fitted <= p.askIv) withinBidAsk += 1;
      }
    }
    const ks = points.map((p) => p.point.k);
    svi = {
      ...params,
      rmseVolPts: Math.sqrt(sq / points.length),
      maxErrorVolPts: maxErr,
      quotes: points.length,
      withinBidAsk,
      withBidAsk,
      kMin: Math.min(...ks),
      kMax: Math.max(...ks),
      minTotalVariance: params.a + params.b * params.sigma * Math.sqrt(1 - params.rho * params.rho),
    };
    fitNote = `raw SVI on the mark IVs of ${points.length} OTM options${twoSidedOnly ? ' with a two-sided IV market' : ' (the source quotes no bid/ask IV)'}`;
  }
  const rows = params ? strikeRows(quotes, F, params, T) : rows0;
  const dp = (d: number): DeltaPoint | null => (params && svi ? deltaPoint(params, F, T, d, svi.kMin, svi.kMax) : null);
  const put10 = dp(-0.1);
  const put25 = dp(-0.25);
  const put50 = dp(-0.5);
  const call50 = dp(0.5);
  const call25 = dp(0.25);
  const call10 = dp(0.1);
  const atmIv = params ? sviIv(params, 0, T) : null;
  const rr = (c: DeltaPoint | null, p: DeltaPoint | null): number | null => (c && p ? c.iv - p.iv : null);
  const bf = (c: DeltaPoint | null, p: DeltaPoint | null): number | null => (c && p && atmIv !== null ? (c.iv + p.iv) / 2 - atmIv : null);
  let minDensityG: number | null = null;
  if (params && svi) for (const k of grid(svi.kMin, svi.kMax, t.arbitrageGridStep)) minDensityG = Math.min(minDensityG ?? Infinity, sviDensityG(params, k));
  let callOpenInterest = 0;
  let putOpenInterest = 0;
  let callVolume = 0;
  let putVolume = 0;
  for (const q of quotes) {
    if (q.kind === 'CALL') {
      callOpenInterest += q.openInterest;
      callVolume += q.volume;
    } else {
      putOpenInterest += q.openInterest;
      putVolume += q.volume;
    }
  }
  return {
    expiry,
    daysToExpiry: (expiry - now) / DAY_MS,
    timeToExpiry: T,
    forward: F,
    svi,
    fitNote,
    atmIv,
    put10,
    put25,
    put50,
    call50,
    call25,
    call10,
    riskReversal25: rr(call25, put25),
    butterfly25: bf(call25, put25),
    riskReversal10: rr(call10, put10),
    butterfly10: bf(call10, put10),
    minDensityG,
    strikes: rows,
    callOpenInterest,
    putOpenInterest,
    callVolume,
    putVolume,
  };
}

/**
 * Butterfly (Gatheral's g(k) ≥ 0 on each fitted expiry's quoted log-moneyness range) and calendar (total
 * variance non-decreasing in expiry at every k of the range two consecutive fitted expiries both quote)
 * checks of a fitted surface. Only where quotes back the fit: the extrapolated wings are not judged.
 *
 * @see J. Gatheral, A. Jacquier, "Arbitrage-free SVI volatility surfaces" (2014), Lemma 2.2 and §2.2 (calendar spread arbitrage: ∂_T w ≥ 0).
 */
export function checkArbitrage(expiries: readonly Pick<SurfaceExpiry, 'expiry' | 'svi'>[], t: Pick<OptionsSurfaceThresholds, 'arbitrageGridStep' | 'calendarTolerance' | 'butterflyTolerance'>): ArbitrageReport {
  const fitted = expiries.filter((e): e is typeof e & { svi: SviFit } => e.svi !== null).sort((a, b) => a.expiry - b.expiry);
  const butterfly: ButterflyViolation[] = [];
  for (const e of fitted) {
    let worst: { k: number; g: number } | null = null;
    let points = 0;
    for (const k of grid(e.svi.kMin, e.svi.kMax, t.arbitrageGridStep)) {
      const g = sviDensityG(e.svi, k);
      if (g < -t.butterflyTolerance) {
        points += 1;
        if (!worst || g < worst.g) worst = { k, g };
      }
    }
    if (worst) butterfly.push({ expiry: e.expiry, logMoneyness: worst.k, g: worst.g, points });
  }
  const calendar: CalendarViolation[] = [];
  let pairsChecked = 0;
  for (let i = 1; i < fitted.length; i++) {
    const near = fitted[i - 1]!;
    const far = fitted[i]!;
    const lo = Math.max(near.svi.kMin, far.svi.kMin);
    const hi = Math.min(near.svi.kMax, far.svi.kMax);
    if (!(hi > lo)) continue;
    pairsChecked += 1;
    let worst: { k: number; gap: number } | null = null;
    let points = 0;
    for (const k of grid(lo, hi, t.arbitrageGridStep)) {
      const gap = sviTotalVariance(far.svi, k) - sviTotalVariance(near.svi, k);
      if (gap < -t.calendarTolerance) {
        points += 1;
        if (!worst || gap < worst.gap) worst = { k, gap };
      }
    }
    if (worst) calendar.push({ nearExpiry: near.expiry, farExpiry: far.expiry, logMoneyness: worst.k, totalVarianceGap: worst.gap, points });
  }
  const arbitrageFree = butterfly.length === 0 && calendar.length === 0;
  const note =
    fitted.length === 0
      ? 'no fitted expiry to check'
      : arbitrageFree
        ? `no butterfly arbitrage on ${fitted.length} fitted expiries and no calendar arbitrage on ${pairsChecked} consecutive pairs (quoted ranges)`
        : `${butterfly.length} expiry(ies) with butterfly arbitrage (g(k) < 0), ${calendar.length} pair(s) with calendar arbitrage (total variance falling with expiry)`;
  return { arbitrageFree, butterfly, calendar, expiriesChecked: fitted.length, pairsChecked, note };
}

/** Constant-maturity ATM IV: fitted ATM total variance, linear in T between the fitted expiries around each tenor. */
function termStructure(expiries: readonly SurfaceExpiry[], tenorDays: readonly number[]): ConstantMaturityAtm[] {
  const nodes = expiries.filter((e) => e.atmIv !== null).map((e) => ({ T: e.timeToExpiry, w: (e.atmIv! / 100) ** 2 * e.timeToExpiry }));
  return tenorDays.map((days) => {
    const T = days / 365;
    if (nodes.length === 0) return { days, iv: null, note: 'no fitted expiry' };
    const exact = nodes.find((n) => Math.abs(n.T - T) < 1e-12);
    if (exact) return { days, iv: 100 * Math.sqrt(exact.w / T), note: 'an expiry at this tenor' };
    const before = nodes.filter((n) => n.T < T).at(-1);
    const after = nodes.find((n) => n.T > T);
    if (!before || !after) return { days, iv: null, note: `no fitted expiry on both sides of ${days} days (${nodes[0]!.T * 365 > days ? 'before the first' : 'after the last'}); not extrapolated` };
    const w = before.w + ((after.w - before.w) * (T - before.T)) / (after.T - before.T);
    if (!(w > 0)) return { days, iv: null, note: 'interpolated total variance not positive' };
    return { days, iv: 100 * Math.sqrt(w / T), note: `interpolated between ${(before.T * 365).toFixed(1)} and ${(after.T * 365).toFixed(1)} days` };
  });
}

function activityByStrike(quotes: readonly SurfaceQuote[]): StrikeActivity[] {
  const by = new Map<number, StrikeActivity>();
  for (const q of quotes) {
    const a = by.get(q.strike) ?? { strike: q.strike, callOpenInterest: 0, putOpenInterest: 0, callVolume: 0, putVolume: 0 };
    if (q.kind === 'CALL') {
      a.callOpenInterest += q.openInterest;
      a.callVolume += q.volume;
    } else {
      a.putOpenInterest += q.openInterest;
      a.putVolume += q.volume;
    }
    by.set(q.strike, a);
  }
  return [...by.values()].sort((a, b) => a.strike - b.strike);
}

/**
 * The implied-volatility surface of one currency's option chain and its 30-day volatility index.
 *
 * - Per expiry: IV by strike (mark, bid/ask of the OTM option, fitted), a raw SVI fit (src/math/svi.ts) to the
 *   OTM mark IVs with its RMSE in vol points, fitted IV at ±10/25/50Δ (Black-76 forward delta on the fitted
 *   smile), 25Δ/10Δ risk reversal (call − put) and butterfly ((call + put)/2 − ATM), open interest and volume.
 * - ATM term structure at constant maturities (fitted ATM total variance, linear in time; no extrapolation).
 * - Arbitrage checks of the fitted surface ({@link checkArbitrage}), reported, never repaired.
 * - The volatility index ({@link computeVolatilityIndex}), with Deribit's DVOL beside it when provided.
 *
 * Read: a negative risk reversal means puts are bid over calls (downside fear); a positive butterfly, fat wings;
 * a term structure rising with tenor (contango) is the calm state, falling (backwardation) a stressed one.
 *
 * @see J. Gatheral, "The Volatility Surface: A Practitioner's Guide" (Wiley, 2006), ch. 3 (SVI) and ch. 11 (variance swaps).
 */
export function computeOptionsSurface(input: OptionsSurfaceInput): OptionsSurfaceAnalysis {
  const t: OptionsSurfaceThresholds = { ...DEFAULT_OPTIONS_SURFACE_THRESHOLDS, ...input.thresholds };
  if (!(input.indexPrice > 0)) throw new RangeError(`indexPrice must be positive, got ${input.indexPrice}`);
  const live = input.quotes.filter((q) => q.expiry - input.now >= t.minExpiryHours * 3_600_000 && q.strike > 0 && q.underlyingPrice > 0);
  const byExpiry = new Map<number, SurfaceQuote[]>();
  for (const q of live) {
    const list = byExpiry.get(q.expiry) ?? [];
    list.push(q);
    byExpiry.set(q.expiry, list);
  }
  const expiries = [...byExpiry.entries()].sort((a, b) => a[0] - b[0]).map(([expiry, quotes]) => surfaceExpiry(expiry, quotes, input.now, t));
  const warmingUp = !live.some((q) => q.markIv !== null && q.markIv > 0);
  return {
    currency: input.currency,
    time: input.now,
    warmingUp,
    spot: input.indexPrice,
    expiries,
    termStructure: termStructure(expiries, t.tenorDays),
    arbitrage: checkArbitrage(expiries, t),
    volatilityIndex: computeVolatilityIndex({
      quotes: live,
      now: input.now,
      rate: input.rate ?? 0,
      targetDays: t.indexDays,
      minExpiryMs: t.minExpiryHours * 3_600_000,
      dvol: input.dvol ?? null,
      ...(input.dvolUnavailableReason !== undefined ? { dvolUnavailableReason: input.dvolUnavailableReason } : {}),
    }),
    activityByStrike: activityByStrike(live),
  };
}

/** How far back each change looks and how far from that time a stored result may be. */
export const ATM_CHANGE_LAGS: Readonly<Record<AtmChangeLag, { lagMs: number; toleranceMs: number }>> = {
  ONE_DAY: { lagMs: DAY_MS, toleranceMs: 3 * 3_600_000 },
  ONE_WEEK: { lagMs: 7 * DAY_MS, toleranceMs: DAY_MS },
  ONE_MONTH: { lagMs: 30 * DAY_MS, toleranceMs: 3 * DAY_MS },
};

/**
 * Change of the constant-maturity ATM IVs and of the volatility index against an earlier stored result per lag
 * (the stored result nearest to now − lag within the lag's tolerance, chosen by the caller). A lag without one
 * is null with the reason, never a zero.
 */
export function atmVolChanges(
  current: Pick<OptionsSurfaceAnalysis, 'time' | 'termStructure' | 'volatilityIndex'>,
  past: Readonly<Record<AtmChangeLag, PastSurface | null>>,
  unavailable: Readonly<Partial<Record<AtmChangeLag, string>>> = {},
): AtmVolChange[] {
  return (Object.keys(ATM_CHANGE_LAGS) as AtmChangeLag[]).map((lag) => {
    const then = past[lag];
    const { lagMs, toleranceMs } = ATM_CHANGE_LAGS[lag];
    const target = current.time - lagMs;
    if (!then) {
      return {
        lag,
        pastTime: null,
        tenors: current.termStructure.map((c) => ({ days: c.days, current: c.iv, past: null, change: null })),
        volatilityIndexChange: null,
        note:
          unavailable[lag] ??
          `no stored OPTIONS_SURFACE result within ±${toleranceMs / 3_600_000} h of ${new Date(target).toISOString()} (the history starts when this server first computed the surface)`,
      };
    }
    const tenors = current.termStructure.map((c) => {
      const p = then.termStructure.find((x) => x.days === c.days)?.iv ?? null;
      return { days: c.days, current: c.iv, past: p, change: c.iv !== null && p !== null ? c.iv - p : null };
    });
    const vi = current.volatilityIndex.value;
    const pvi = then.volatilityIndex.value;
    return {
      lag,
      pastTime: then.time,
      tenors,
      volatilityIndexChange: vi !== null && pvi !== null ? vi - pvi : null,
      note: `against the result of ${new Date(then.time).toISOString()} (${((current.time - then.time) / DAY_MS).toFixed(2)} days earlier)`,
    };
  });
}
