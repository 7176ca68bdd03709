import { black76, YEAR_MS } from '../math/black76.js';
import type {
  DealerPositioning,
  GammaExposure,
  GammaSqueeze,
  GexStrike,
  OptionsExpiryFlow,
  OptionsFlowAnalysis,
  OptionsFlowInput,
  OptionsFlowQuote,
  OptionsFlowThresholds,
  PutCallRatios,
  TermStructure,
} from './options-flow.types.js';
import type { Factor } from './types.js';

export const OPTIONS_FLOW_METHODOLOGY_VERSION = 'options-flow/1.0.0';

export const DEFAULT_OPTIONS_FLOW_THRESHOLDS: Readonly<OptionsFlowThresholds> = {
  contractSize: 1,
  flatTermBandVolPts: 1,
  minTermDays: 1,
  gexStrikeRangePct: 25,
  zeroGammaRangePct: 30,
  zeroGammaSteps: 241,
  squeezeWallWindowPct: 5,
  squeezeThreshold: 0.6,
};

export const DEFAULT_DEALER_POSITIONING: DealerPositioning = 'LONG_CALLS_SHORT_PUTS';

const DAY_MS = 86_400_000;
const SQUEEZE_WEIGHTS = { negativeGamma: 0.4, callWallProximity: 0.35, callFlow: 0.25 } as const;

/** Sign of the dealer's position in one option under a positioning assumption (+1 = dealer long). */
export function dealerSign(positioning: DealerPositioning, kind: 'CALL' | 'PUT'): 1 | -1 {
  switch (positioning) {
    case 'LONG_CALLS_SHORT_PUTS':
      return kind === 'CALL' ? 1 : -1;
    case 'SHORT_CALLS_LONG_PUTS':
      return kind === 'CALL' ? -1 : 1;
    case 'SHORT_ALL':
      return -1;
    case 'LONG_ALL':
      return 1;
  }
}

/** An option with its time to expiry and greeks resolved. */
interface Priced extends OptionsFlowQuote {
  T: number;
  /** Fraction, null when no IV. */
  sigma: number | null;
  resolvedDelta: number | null;
  resolvedGamma: number | null;
  computed: boolean;
}

function price(q: OptionsFlowQuote, now: number): Priced {
  const T = (q.expiry - now) / YEAR_MS;
  const sigma = q.markIv !== null && q.markIv > 0 ? q.markIv / 100 : null;
  if (sigma !== null && q.underlyingPrice > 0 && q.strike > 0) {
    const g = black76(q.kind, q.underlyingPrice, q.strike, T, sigma);
    return { ...q, T, sigma, resolvedDelta: g.delta, resolvedGamma: g.gamma, computed: true };
  }
  return { ...q, T, sigma, resolvedDelta: q.delta, resolvedGamma: q.gamma, computed: false };
}

const ratio = (num: number, den: number): number | null => (den > 0 ? num / den : null);

export function putCallRatios(quotes: readonly OptionsFlowQuote[]): PutCallRatios {
  let callOpenInterest = 0;
  let putOpenInterest = 0;
  let callVolume = 0;
  let putVolume = 0;
  let callPremiumVolumeUsd = 0;
  let putPremiumVolumeUsd = 0;
  for (const q of quotes) {
    if (q.kind === 'CALL') {
      callOpenInterest += q.openInterest;
      callVolume += q.volume;
      callPremiumVolumeUsd += q.volume * q.markPriceUsd;
    } else {
      putOpenInterest += q.openInterest;
      putVolume += q.volume;
      putPremiumVolumeUsd += q.volume * q.markPriceUsd;
    }
  }
  return {
    callOpenInterest,
    putOpenInterest,
    callVolume,
    putVolume,
    openInterestRatio: ratio(putOpenInterest, callOpenInterest),
    volumeRatio: ratio(putVolume, callVolume),
    callPremiumVolumeUsd,
    putPremiumVolumeUsd,
  };
}

/**
 * Max pain of one expiry: the listed strike P minimising Σ_calls OI·max(P − K, 0) + Σ_puts OI·max(K − P, 0)
 * (× contract size; USD because strikes are USD and a contract is `contractSize` coins). Ties go to the
 * lower strike. Null without open interest.
 */
export function maxPain(quotes: readonly OptionsFlowQuote[], contractSize = 1): { strike: number; payoutUsd: number } | null {
  const withOi = quotes.filter((q) => q.openInterest > 0);
  if (withOi.length === 0) return null;
  const strikes = [...new Set(quotes.map((q) => q.strike))].sort((a, b) => a - b);
  let best: { strike: number; payoutUsd: number } | null = null;
  for (const P of strikes) {
    let payout = 0;
    for (const q of withOi) payout += q.openInterest * contractSize * (q.kind === 'CALL' ? Math.max(P - q.strike, 0) : Math.max(q.strike - P, 0));
    if (!best || payout < best.payoutUsd) best = { strike: P, payoutUsd: payout };
  }
  return best;
}

/** Linear interpolation of y at x over points sorted by x; null when x is outside them. */
function interpolate(points: readonly { x: number; y: number }[], x: number): number | null {
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    if (p.x === x) return p.y;
    const next = points[i + 1];
    if (next && p.x < x && x < next.x) return p.y + ((next.y - p.y) * (x - p.x)) / (next.x - p.x);
  }
  return null;
}

/** ATM IV (percent): per strike the out-of-the-money side's IV (the other side when it has none), interpolated in ln(K/F) at F. */
function atmIv(quotes: readonly Priced[], forward: number): number | null {
  const byStrike = new Map<number, { call: number | null; put: number | null }>();
  for (const q of quotes) {
    if (q.markIv === null || !(q.markIv > 0)) continue;
    const e = byStrike.get(q.strike) ?? { call: null, put: null };
    if (q.kind === 'CALL') e.call = q.markIv;
    else e.put = q.markIv;
    byStrike.set(q.strike, e);
  }
  const points = [...byStrike.entries()]
    .map(([K, e]) => ({ x: Math.log(K / forward), y: (K >= forward ? (e.call ?? e.put) : (e.put ?? e.call))! }))
    .sort((a, b) => a.x - b.x);
  return interpolate(points, 0);
}

/** IV (percent) at a target delta, interpolated by delta over one side's quotes; null when the target is not bracketed. */
function ivAtDelta(quotes: readonly Priced[], kind: 'CALL' | 'PUT', target: number): number | null {
  const points = quotes
    .filter((q) => q.kind === kind && q.markIv !== null && q.resolvedDelta !== null && Math.abs(q.resolvedDelta) > 0.01 && Math.abs(q.resolvedDelta) < 0.99)
    .map((q) => ({ x: q.resolvedDelta!, y: q.markIv! }))
    .sort((a, b) => a.x - b.x);
  return interpolate(points, target);
}

function expiryFlow(expiry: number, quotes: readonly Priced[], spot: number, now: number, t: OptionsFlowThresholds, positioning: DealerPositioning): OptionsExpiryFlow {
  const forward = quotes.reduce((s, q) => s + q.underlyingPrice, 0) / quotes.length;
  const pain = maxPain(quotes, t.contractSize);
  const atm = atmIv(quotes, forward);
  const iv25Call = ivAtDelta(quotes, 'CALL', 0.25);
  const iv25Put = ivAtDelta(quotes, 'PUT', -0.25);
  const notes: string[] = [];
  if (atm === null) notes.push('ATM IV unavailable: no IV on both sides of the forward');
  const missing = [iv25Call === null ? 'call' : null, iv25Put === null ? 'put' : null].filter((x) => x !== null);
  if (missing.length) notes.push(`25-delta ${missing.join(' and ')} IV unavailable: the listed strikes do not bracket that delta`);
  let gexUsd = 0;
  for (const q of quotes) if (q.resolvedGamma !== null) gexUsd += gexOf(q, q.resolvedGamma, spot, t.contractSize, positioning);
  return {
    expiry,
    daysToExpiry: (expiry - now) / DAY_MS,
    forward,
    putCall: putCallRatios(quotes),
    maxPain: pain?.strike ?? null,
    maxPainPayoutUsd: pain?.payoutUsd ?? null,
    maxPainDistancePct: pain ? (pain.strike / spot - 1) * 100 : null,
    atmIv: atm,
    iv25Call,
    iv25Put,
    riskReversal25: iv25Call !== null && iv25Put !== null ? iv25Call - iv25Put : null,
    butterfly25: iv25Call !== null && iv25Put !== null && atm !== null ? (iv25Call + iv25Put) / 2 - atm : null,
    gexUsd,
    note: notes.length ? notes.join('; ') : 'complete',
  };
}

/** Dealer GEX of one option: sign · Γ · OI · contract size · S² · 1 % (USD of underlying traded per 1 % move). */
function gexOf(q: OptionsFlowQuote, gamma: number, spot: number, contractSize: number, positioning: DealerPositioning): number {
  return dealerSign(positioning, q.kind) * gamma * q.openInterest * contractSize * spot * spot * 0.01;
}

function termStructure(expiries: readonly OptionsExpiryFlow[], t: OptionsFlowThresholds): TermStructure {
  const usable = expiries.filter((e) => e.atmIv !== null && e.daysToExpiry >= t.minTermDays);
  const front = usable[0];
  const back = usable.at(-1);
  if (!front || !back || front === back) {
    return {
      shape: null,
      frontExpiry: front?.expiry ?? null,
      frontAtmIv: front?.atmIv ?? null,
      backExpiry: null,
      backAtmIv: null,
      slope: null,
      note: `needs ATM IV on two expiries at least ${t.minTermDays} day(s) out; have ${usable.length}`,
    };
  }
  const slope = back.atmIv! - front.atmIv!;
  const shape = slope > t.flatTermBandVolPts ? 'CONTANGO' : slope < -t.flatTermBandVolPts ? 'BACKWARDATION' : 'FLAT';
  return {
    shape,
    frontExpiry: front.expiry,
    frontAtmIv: front.atmIv,
    backExpiry: back.expiry,
    backAtmIv: back.atmIv,
    slope,
    note: `back − front ATM IV = ${slope.toFixed(2)} vol points (FLAT within ±${t.flatTermBandVolPts})`,
  };
}

/**
 * Spot at which total dealer GEX changes sign: GEX recomputed on a grid of hypothetical spots s, each
 * option keeping its IV (sticky strike) and its forward moving with spot (F·s/S). The crossing nearest
 * spot, linearly interpolated; null when GEX keeps one sign over the range.
 */
function zeroGamma(quotes: readonly Priced[], spot: number, t: OptionsFlowThresholds, positioning: DealerPositioning): number | null {
  // Per option: Γ(s) = φ(d1)/(F·s/S · sd), d1 = (ln(F/K) + ln(s/S) + sd²/2)/sd; precompute what does not depend on s.
  const terms = quotes
    .filter((q) => q.sigma !== null && q.openInterest > 0)
    .map((q) => {
      const sd = q.sigma! * Math.sqrt(q.T);
      return { sd, base: Math.log(q.underlyingPrice / q.strike) + (sd * sd) / 2, forwardRatio: q.underlyingPrice / spot, weight: dealerSign(positioning, q.kind) * q.openInterest * t.contractSize };
    });
  const lo = spot * (1 - t.zeroGammaRangePct / 100);
  const hi = spot * (1 + t.zeroGammaRangePct / 100);
  const n = Math.max(2, Math.floor(t.zeroGammaSteps));
  let prev: { s: number; g: number } | null = null;
  let best: number | null = null;
  for (let i = 0; i < n; i++) {
    const s = lo + ((hi - lo) * i) / (n - 1);
    const shift = Math.log(s / spot);
    let g = 0;
    for (const x of terms) {
      const d1 = (x.base + shift) / x.sd;
      g += (x.weight * Math.exp((-d1 * d1) / 2)) / (2.5066282746310002 * x.forwardRatio * s * x.sd);
    }
    g *= s * s * 0.01;
    if (prev && prev.g !== 0 && Math.sign(prev.g) !== Math.sign(g)) {
      const cross = prev.s + ((s - prev.s) * prev.g) / (prev.g - g);
      if (best === null || Math.abs(cross - spot) < Math.abs(best - spot)) best = cross;
    }
    prev = { s, g };
  }
  return best;
}

function gammaExposure(quotes: readonly Priced[], spot: number, t: OptionsFlowThresholds, positioning: DealerPositioning): GammaExposure {
  const strikes = new Map<number, GexStrike & { callAbs: number; putAbs: number }>();
  let totalUsd = 0;
  let grossUsd = 0;
  let quotesWithoutGamma = 0;
  for (const q of quotes) {
    if (q.resolvedGamma === null) {
      quotesWithoutGamma++;
      continue;
    }
    const gex = gexOf(q, q.resolvedGamma, spot, t.contractSize, positioning);
    totalUsd += gex;
    grossUsd += Math.abs(gex);
    const row = strikes.get(q.strike) ?? { strike: q.strike, callOpenInterest: 0, putOpenInterest: 0, callGexUsd: 0, putGexUsd: 0, netGexUsd: 0, callAbs: 0, putAbs: 0 };
    if (q.kind === 'CALL') {
      row.callOpenInterest += q.openInterest;
      row.callGexUsd += gex;
      row.callAbs += Math.abs(gex);
    } else {
      row.putOpenInterest += q.openInterest;
      row.putGexUsd += gex;
      row.putAbs += Math.abs(gex);
    }
    row.netGexUsd += gex;
    strikes.set(q.strike, row);
  }
  const rows = [...strikes.values()].sort((a, b) => a.strike - b.strike);
  const wall = (key: 'callAbs' | 'putAbs') => rows.reduce<(typeof rows)[number] | null>((best, r) => (r[key] > 0 && (!best || r[key] > best[key]) ? r : best), null)?.strike ?? null;
  const range = t.gexStrikeRangePct / 100;
  return {
    dealerPositioning: positioning,
    totalUsd,
    grossUsd,
    byStrike: rows
      .filter((r) => Math.abs(r.strike / spot - 1) <= range)
      .map(({ callAbs: _c, putAbs: _p, ...r }) => r),
    zeroGammaLevel: zeroGamma(quotes, spot, t, positioning),
    callWall: wall('callAbs'),
    putWall: wall('putAbs'),
    greeksComputed: quotes.filter((q) => q.computed).length,
    quotesWithoutGamma,
  };
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

function gammaSqueeze(gex: GammaExposure, pc: PutCallRatios, spot: number, t: OptionsFlowThresholds): GammaSqueeze {
  const negative = gex.totalUsd < 0 && gex.grossUsd > 0 ? clamp01(-gex.totalUsd / gex.grossUsd) : 0;
  const wallDistPct = gex.callWall !== null ? (gex.callWall / spot - 1) * 100 : null;
  // Approaching from below (or just through, up to 1 %): 1 at the wall, 0 at the window's edge.
  const proximity = wallDistPct !== null && wallDistPct >= -1 && wallDistPct <= t.squeezeWallWindowPct ? clamp01(1 - Math.max(wallDistPct, 0) / t.squeezeWallWindowPct) : 0;
  const callTurnover = ratio(pc.callVolume, pc.callOpenInterest);
  const putTurnover = ratio(pc.putVolume, pc.putOpenInterest);
  const turnoverRatio = callTurnover !== null && putTurnover !== null && putTurnover > 0 ? callTurnover / putTurnover : null;
  // Calls turning over twice as fast as puts (relative to their open interest) scores 1.
  const flow = turnoverRatio !== null ? clamp01(turnoverRatio - 1) : 0;
  const factors: Factor[] = [
    {
      name: 'negativeDealerGamma',
      value: gex.totalUsd,
      weight: SQUEEZE_WEIGHTS.negativeGamma,
      contribution: SQUEEZE_WEIGHTS.negativeGamma * negative,
      note: `Total dealer GEX ${fmtUsd(gex.totalUsd)} per 1 % (${gex.dealerPositioning}); normalised −GEX/gross = ${negative.toFixed(2)} (0 when dealers are long gamma).`,
    },
    {
      name: 'callWallProximity',
      value: wallDistPct ?? 0,
      weight: SQUEEZE_WEIGHTS.callWallProximity,
      contribution: SQUEEZE_WEIGHTS.callWallProximity * proximity,
      note:
        wallDistPct === null
          ? 'No call wall (no call gamma).'
          : `Call wall ${gex.callWall} is ${wallDistPct.toFixed(2)} % from spot; 1 at the wall, 0 beyond ${t.squeezeWallWindowPct} % above or 1 % through it.`,
    },
    {
      name: 'callFlow',
      value: turnoverRatio ?? 0,
      weight: SQUEEZE_WEIGHTS.callFlow,
      contribution: SQUEEZE_WEIGHTS.callFlow * flow,
      note:
        turnoverRatio === null
          ? 'Call vs put turnover unavailable (no open interest or no put volume).'
          : `24 h call volume/OI is ${turnoverRatio.toFixed(2)}× the put volume/OI (1 = same pace; ≥ 2 scores 1). One snapshot cannot show OI rising; turnover stands in for it.`,
    },
  ];
  const confidence = factors.reduce((s, f) => s + f.contribution, 0);
  const detected = gex.totalUsd < 0 && confidence >= t.squeezeThreshold;
  return {
    detected,
    confidence,
    note: detected
      ? `Upside gamma-squeeze setup: dealers short gamma, spot near the ${gex.callWall} call wall, call flow heavy (confidence ${confidence.toFixed(2)}).`
      : `No squeeze setup (confidence ${confidence.toFixed(2)} < ${t.squeezeThreshold} or dealers long gamma).`,
    factors,
  };
}

function fmtUsd(x: number): string {
  const a = Math.abs(x);
  const s = a >= 1e9 ? `${(a / 1e9).toFixed(2)}B` : a >= 1e6 ? `${(a / 1e6).toFixed(2)}M` : a >= 1e3 ? `${(a / 1e3).toFixed(1)}k` : a.toFixed(0);
  return `${x < 0 ? '−' : ''}$${s}`;
}

function checkThresholds(t: OptionsFlowThresholds): void {
  for (const [k, v] of Object.entries(t)) if (!Number.isFinite(v) || v < 0) throw new RangeError(`options-flow threshold ${k} must be a finite number ≥ 0; got ${v}`);
  if (!(t.contractSize > 0)) throw new RangeError(`contractSize must be > 0; got ${t.contractSize}`);
  if (!(t.squeezeWallWindowPct > 0)) throw new RangeError(`squeezeWallWindowPct must be > 0; got ${t.squeezeWallWindowPct}`);
  if (!(t.zeroGammaRangePct > 0 && t.zeroGammaRangePct < 100)) throw new RangeError(`zeroGammaRangePct must be in (0, 100); got ${t.zeroGammaRangePct}`);
}

/**
 * Options flow of one currency's chain: put/call ratios (OI and 24 h volume, total and per expiry), max
 * pain per expiry, the ATM IV term structure, 25-delta risk reversal and butterfly per expiry, dealer
 * gamma exposure (GEX) by strike with the zero-gamma level and call/put walls, and an upside
 * gamma-squeeze check with its factors.
 *
 * How to read it: put/call OI > 1 = more puts open than calls (hedging demand); max pain is where option
 * holders collectively lose most at expiry; an upward-sloping term structure (CONTANGO) is the calm
 * norm, BACKWARDATION signals near-term stress; a negative risk reversal means puts are bid over calls.
 * Positive dealer GEX = dealers hedge against moves (pinning, lower realised vol); negative = they hedge
 * with moves (amplifying). GEX is in USD of the underlying dealers trade per 1 % move of spot:
 * sign · Γ · OI · contractSize · S² · 0.01.
 *
 * Greeks: delta and gamma are recomputed with Black-76 (zero rate, on each expiry's forward) from the mark
 * IV whenever it is present, so live (no greeks), recorded tickers (greeks rounded to 5 decimals, which
 * for BTC gamma ≈ 5e-5/USD loses ~10 %) and simulated chains are treated alike; a quote's own greeks are
 * used only when it has no IV. Expired options (expiry ≤ now) are left out.
 *
 * @see SqueezeMetrics, "Gamma Exposure (GEX)" white paper (2017): GEX = Σ call Γ·OI − Σ put Γ·OI (dealers
 *   long calls, short puts), $ per 1 % move — the default `LONG_CALLS_SHORT_PUTS`.
 * @see https://docs.deribit.com/#public-get_book_summary_by_currency (mark IV in percent, OI in contracts)
 */
export function computeOptionsFlow(input: Readonly<OptionsFlowInput>): OptionsFlowAnalysis {
  if (!Number.isFinite(input.now)) throw new RangeError(`now must be a finite epoch ms; got ${input.now}`);
  if (!Number.isFinite(input.indexPrice) || input.indexPrice < 0) throw new RangeError(`indexPrice must be ≥ 0; got ${input.indexPrice}`);
  const t: OptionsFlowThresholds = { ...DEFAULT_OPTIONS_FLOW_THRESHOLDS, ...input.thresholds };
  checkThresholds(t);
  const positioning = input.dealerPositioning;
  const live = input.quotes.filter((q) => q.expiry > input.now && q.strike > 0 && q.underlyingPrice > 0);
  // Deribit's index; when absent, the nearest expiry's forward stands in.
  const spot = input.indexPrice > 0 ? input.indexPrice : ([...live].sort((a, b) => a.expiry - b.expiry)[0]?.underlyingPrice ?? 0);
  const pcAll = putCallRatios(live);
  if (live.length === 0 || spot <= 0 || pcAll.callOpenInterest + pcAll.putOpenInterest <= 0) {
    const gex: GammaExposure = {
      dealerPositioning: positioning,
      totalUsd: 0,
      grossUsd: 0,
      byStrike: [],
      zeroGammaLevel: null,
      callWall: null,
      putWall: null,
      greeksComputed: 0,
      quotesWithoutGamma: 0,
    };
    return {
      currency: input.currency,
      time: input.now,
      warmingUp: true,
      spot,
      putCall: pcAll,
      expiries: [],
      termStructure: { shape: null, frontExpiry: null, frontAtmIv: null, backExpiry: null, backAtmIv: null, slope: null, note: 'no unexpired option with open interest' },
      gex,
      gammaSqueeze: { detected: false, confidence: 0, note: 'no unexpired option with open interest', factors: [] },
      factors: [],
    };
  }
  const priced = live.map((q) => price(q, input.now));
  const byExpiry = new Map<number, Priced[]>();
  for (const q of priced) {
    const list = byExpiry.get(q.expiry);
    if (list) list.push(q);
    else byExpiry.set(q.expiry, [q]);
  }
  const expiries = [...byExpiry.entries()].sort((a, b) => a[0] - b[0]).map(([expiry, qs]) => expiryFlow(expiry, qs, spot, input.now, t, positioning));
  const gex = gammaExposure(priced, spot, t, positioning);
  const squeeze = gammaSqueeze(gex, pcAll, spot, t);
  return {
    currency: input.currency,
    time: input.now,
    warmingUp: false,
    spot,
    putCall: pcAll,
    expiries,
    termStructure: termStructure(expiries, t),
    gex,
    gammaSqueeze: squeeze,
    factors: squeeze.factors,
  };
}
