import { YEAR_MS } from '../math/black76.js';
import type { SurfaceQuote, VarianceTerm, VolatilityIndex, VolIndexContribution } from './options-surface.types.js';

export const VOLATILITY_INDEX_METHOD = 'Cboe VIX white paper (2019) variance-swap method, 30-day interpolation; USD prices from coin × underlying; R = 0 unless given';

const DAY_MS = 86_400_000;

/** A two-sided quote's mid in USD, or null (no bid, or no ask: "zero bid" for the selection rule). */
function midUsd(q: SurfaceQuote): number | null {
  if (q.bidPrice === null || q.askPrice === null || !(q.bidPrice > 0) || !(q.askPrice > 0)) return null;
  return ((q.bidPrice + q.askPrice) / 2) * q.underlyingPrice;
}

/**
 * σ² of one expiry by the Cboe VIX method, or a reason why the chain cannot give it.
 *
 * Steps (Cboe VIX white paper, "The VIX Index calculation: step-by-step"), with the crypto adaptations:
 * 1. Mid quotes: (bid + ask)/2 in the coin, times that quote's underlying price to get USD (Deribit quotes
 *    inverse options in the coin and values them on the expiry's underlying). A quote without a bid or an
 *    ask has no mid and counts as a zero bid.
 * 2. Forward: at the strike where |call mid − put mid| is smallest among strikes with both mids,
 *    F = K + e^{RT}(C − P). T = (expiry − chain time) / 365-day year, in ms (Cboe counts minutes).
 * 3. K0 = the first strike at or below F.
 * 4. OTM puts below K0, walking down from K0: quotes without a mid are skipped; after two consecutive
 *    strikes without a mid no lower put is used. Calls above K0 the same way upwards. At K0 the mean of the
 *    call and put mids (both needed).
 * 5. ΔK_i = (K_{i+1} − K_{i−1})/2 over the selected strikes, the one-sided difference at both ends.
 * 6. σ² = (2/T) Σ ΔK_i/K_i² · e^{RT} · Q(K_i) − (1/T)(F/K0 − 1)².
 */
export function varianceTerm(quotes: readonly SurfaceQuote[], expiry: number, now: number, rate: number): VarianceTerm | string {
  const T = (expiry - now) / YEAR_MS;
  if (!(T > 0)) return 'expired';
  const growth = Math.exp(rate * T);
  const calls = new Map<number, SurfaceQuote>();
  const puts = new Map<number, SurfaceQuote>();
  for (const q of quotes) if (q.expiry === expiry) (q.kind === 'CALL' ? calls : puts).set(q.strike, q);
  const strikes = [...new Set([...calls.keys(), ...puts.keys()])].sort((a, b) => a - b);
  let parity: { strike: number; diff: number } | null = null;
  for (const K of strikes) {
    const c = calls.get(K);
    const p = puts.get(K);
    const cm = c ? midUsd(c) : null;
    const pm = p ? midUsd(p) : null;
    if (cm === null || pm === null) continue;
    if (!parity || Math.abs(cm - pm) < Math.abs(parity.diff)) parity = { strike: K, diff: cm - pm };
  }
  if (!parity) return 'no strike with both a two-sided call and put quote (forward by put-call parity impossible)';
  const F = parity.strike + growth * parity.diff;
  const below = strikes.filter((K) => K <= F);
  if (below.length === 0) return `no listed strike at or below the forward ${F.toFixed(2)}`;
  const k0 = below[below.length - 1]!;
  const c0 = calls.get(k0);
  const p0 = puts.get(k0);
  const cm0 = c0 ? midUsd(c0) : null;
  const pm0 = p0 ? midUsd(p0) : null;
  if (cm0 === null || pm0 === null) return `the call or put at K0 = ${k0} has no two-sided quote`;

  const selected: { strike: number; option: VolIndexContribution['option']; mid: number }[] = [{ strike: k0, option: 'ATM', mid: (cm0 + pm0) / 2 }];
  const walk = (list: readonly number[], side: Map<number, SurfaceQuote>, option: 'PUT' | 'CALL'): number => {
    let zeros = 0;
    let used = 0;
    for (const K of list) {
      const q = side.get(K);
      const mid = q ? midUsd(q) : null;
      if (mid === null) {
        zeros += 1;
        if (zeros >= 2) break;
        continue;
      }
      zeros = 0;
      used += 1;
      selected.push({ strike: K, option, mid });
    }
    return used;
  };
  const putsUsed = walk(strikes.filter((K) => K < k0).reverse(), puts, 'PUT');
  const callsUsed = walk(strikes.filter((K) => K > k0), calls, 'CALL');
  selected.sort((a, b) => a.strike - b.strike);
  if (selected.length < 3) return `only ${selected.length} strike(s) selected around K0 = ${k0}`;

  const contributions: VolIndexContribution[] = selected.map((s, i) => {
    const lo = selected[i - 1]?.strike;
    const hi = selected[i + 1]?.strike;
    const deltaK = lo === undefined ? hi! - s.strike : hi === undefined ? s.strike - lo : (hi - lo) / 2;
    return { strike: s.strike, option: s.option, midUsd: s.mid, deltaK, contribution: (deltaK / (s.strike * s.strike)) * growth * s.mid };
  });
  const contributionSum = contributions.reduce((sum, c) => sum + c.contribution, 0);
  const forwardAdjustment = (1 / T) * (F / k0 - 1) ** 2;
  const variance = (2 / T) * contributionSum - forwardAdjustment;
  return {
    expiry,
    daysToExpiry: (expiry - now) / DAY_MS,
    timeToExpiry: T,
    parityStrike: parity.strike,
    callMinusPut: parity.diff,
    forward: F,
    k0,
    puts: putsUsed,
    calls: callsUsed,
    contributionSum,
    forwardAdjustment,
    variance,
    volatility: variance > 0 ? 100 * Math.sqrt(variance) : null,
    contributions,
  };
}

export interface VolatilityIndexInput {
  quotes: readonly SurfaceQuote[];
  now: number;
  /** Default 0. */
  rate?: number;
  /** Default 30. */
  targetDays?: number;
  /** Expiries closer than this are not candidates (ms). Default 1 h. */
  minExpiryMs?: number;
  dvol?: { value: number; time: number } | null;
  dvolUnavailableReason?: string;
}

/**
 * A 30-day volatility index of a coin's option chain by the variance-swap method of the Cboe VIX white
 * paper, the method Deribit's DVOL also follows: σ² of the two expiries bracketing 30 days (the last expiry
 * at or before 30 days, the first after; see {@link varianceTerm}), interpolated in total variance to 30 days
 * and annualised:
 *
 *   index = 100 · sqrt( [T1σ1² (N2 − N30)/(N2 − N1) + T2σ2² (N30 − N1)/(N2 − N1)] · N365/N30 )
 *
 * with N the times to expiry (ms here, minutes at Cboe). An expiry at exactly 30 days is used alone.
 * Deviations from Cboe, all forced by the venue: no 23–37-day window or weekly/standard rule (crypto lists
 * dailies, weeklies, monthlies and quarterlies; the bracketing pair is what DVOL uses), prices converted from
 * the coin to USD with each quote's underlying, R = 0 by default (Deribit values options undiscounted on the
 * forward; a given rate enters e^{RT}), settlement at the venue's expiry time (08:00 UTC on Deribit).
 *
 * Deribit's DVOL, when the source provides it, is reported next to the value with the difference, never in
 * its place.
 *
 * @see Cboe Global Markets, "Cboe Volatility Index (VIX) white paper" (2019), https://cdn.cboe.com/api/global/us_indices/governance/Volatility_Index_Methodology_Cboe_Volatility_Index.pdf
 * @see Deribit, "DVOL — Deribit Implied Volatility Index" (2021), https://insights.deribit.com/exchange-updates/dvol-deribit-implied-volatility-index/
 */
export function computeVolatilityIndex(input: VolatilityIndexInput): VolatilityIndex {
  const rate = input.rate ?? 0;
  const targetDays = input.targetDays ?? 30;
  const minExpiryMs = input.minExpiryMs ?? 3_600_000;
  const target = targetDays * DAY_MS;
  const dvol = input.dvol ?? null;
  const base = {
    method: VOLATILITY_INDEX_METHOD,
    targetDays,
    rate,
    dvol: dvol?.value ?? null,
    dvolTime: dvol?.time ?? null,
    dvolNote: dvol ? `Deribit DVOL at ${new Date(dvol.time).toISOString()}` : (input.dvolUnavailableReason ?? 'Deribit DVOL not provided by the market source'),
  };
  const empty = (note: string, nearTerm: VarianceTerm | null = null, nextTerm: VarianceTerm | null = null): VolatilityIndex => ({
    ...base,
    value: null,
    nearTerm,
    nextTerm,
    nearWeight: null,
    differenceFromDvol: null,
    note,
  });
  const expiries = [...new Set(input.quotes.map((q) => q.expiry))].filter((e) => e - input.now >= minExpiryMs).sort((a, b) => a - b);
  const nearExpiry = expiries.filter((e) => e - input.now <= target).at(-1);
  const nextExpiry = expiries.find((e) => e - input.now > target);
  if (nextExpiry === undefined) return empty(`no expiry beyond ${targetDays} days: the index needs one on each side (no extrapolation)`);
  const next = varianceTerm(input.quotes, nextExpiry, input.now, rate);
  if (typeof next === 'string') return empty(`next term ${new Date(nextExpiry).toISOString()}: ${next}`);
  let value: number;
  let near: VarianceTerm | null = null;
  let nearWeight: number;
  if (nearExpiry === undefined) return empty(`no expiry within ${targetDays} days: the index needs one on each side (no extrapolation)`, null, next);
  const nearResult = varianceTerm(input.quotes, nearExpiry, input.now, rate);
  if (typeof nearResult === 'string') return empty(`near term ${new Date(nearExpiry).toISOString()}: ${nearResult}`, null, next);
  near = nearResult;
  const n1 = nearExpiry - input.now;
  const n2 = nextExpiry - input.now;
  if (n1 === target) {
    nearWeight = 1;
    if (!(near.variance > 0)) return empty(`near term variance ${near.variance} is not positive`, near, next);
    value = 100 * Math.sqrt(near.variance);
  } else {
    nearWeight = (n2 - target) / (n2 - n1);
    const blended = near.timeToExpiry * near.variance * nearWeight + next.timeToExpiry * next.variance * (1 - nearWeight);
    if (!(blended > 0)) return empty(`interpolated total variance ${blended} is not positive`, near, next);
    value = 100 * Math.sqrt(blended * ((365 * DAY_MS) / target));
  }
  return {
    ...base,
    value,
    nearTerm: near,
    nextTerm: next,
    nearWeight,
    differenceFromDvol: dvol ? value - dvol.value : null,
    note: `${targetDays}-day index from ${new Date(nearExpiry).toISOString().slice(0, 10)} (${near.puts} puts, ${near.calls} calls) and ${new Date(nextExpiry).toISOString().slice(0, 10)} (${next.puts} puts, ${next.calls} calls)`,
  };
}
