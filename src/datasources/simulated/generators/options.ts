import type { OptionQuote, OptionsChain } from '../../../domain/market.js';
import { clamp, roundTo } from '../numeric.js';
import { hashString } from '../random.js';
import { YEAR_MS } from '../time.js';
import { black76 } from '../../../math/black76.js';

/**
 * A Deribit-style options chain on BTC or ETH, priced with Black-76 on the expiry's forward (interest rate
 * 0 as Deribit quotes, so put-call parity reads C − P = F − K).
 *
 * Expiries (all 08:00 UTC, at least `MIN_EXPIRY_MS` away): the next three dailies, the next three Fridays
 * (weeklies), the last Friday of this month and the next two (monthlies), and the next two quarterlies
 * (last Friday of Mar/Jun/Sep/Dec) beyond those.
 *
 * Forward F = index · exp(carry · T), carry = the perpetual's funding rate annualised (clamped to
 * −20 %…+40 %), as Deribit futures trade at a basis that tracks funding.
 *
 * Volatility:
 * - ATM variance follows a mean-reverting term structure from the current realised variance v0 (an EWMA
 *   of one-minute returns) to the long-run variance v̄ (half-life `TERM_HALF_LIFE_DAYS`):
 *     σ²_ATM(T) = v̄ + (v0 − v̄)·(1 − e^(−κT))/(κT),
 *   times a volatility risk premium and exp(ivLevel) (a slow random IV level).
 * - Smile in standardised moneyness m = ln(K/F) / (σ_ATM·√T):
 *     IV = σ_ATM · (1 + skew·tanh(m) + curvature·ln cosh m).
 *   Near the money this is the quadratic smile σ_ATM·(1 + skew·m + ½·curvature·m²); far out it grows only
 *   linearly in |m|, which keeps call prices decreasing and put prices increasing in the strike (a purely
 *   quadratic smile creates a call-spread arbitrage in the far wings). Both wings lie above ATM as long
 *   as |skew| < curvature·ln cosh(m)/tanh|m| (true for |skew| ≤ 0.1 beyond |m| ≈ 1.4).
 *
 * Strikes: 21 points F·exp(i·0.3·σ_ATM√T), i = −10…10 (±3 standard deviations), each rounded to a "nice"
 * increment (1/2/2.5/5 × 10^k ≈ F·σ_ATM√T/6: 500-1 000 for BTC dailies, 5 000 for quarterlies) and
 * de-duplicated. Open interest concentrates near an anchor
 * price (a slow average of the index, where the strikes were listed), on round strikes, out of the money
 * and in monthly/quarterly expiries; 24 h volume is a turnover of it, higher for short expiries and in
 * volatile markets. Both use per-instrument noise hashed from (seed, instrument), so they are stable from
 * one snapshot to the next. Prices in coin (`markPrice` = BS price / F) and USD; greeks: delta, gamma
 * (per USD), vega (USD per vol point), theta (USD per day).
 */

export const MIN_EXPIRY_MS = 15 * 60_000;
const EXPIRY_HOUR = 8;
const TERM_HALF_LIFE_DAYS = 3;
const VOL_RISK_PREMIUM = 1.08;
const STRIKES_EACH_SIDE = 10;
const STRIKE_SPACING_SD = 0.3;
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] as const;

/** Black-76 lives in the analyzers; re-exported here for the generator's callers and tests. */
export { black76, normCdf, normPdf, type Black76Greeks as BlackResult } from '../../../math/black76.js';

export type ExpiryKind = 'DAILY' | 'WEEKLY' | 'MONTHLY' | 'QUARTERLY';

export interface Expiry {
  time: number;
  kind: ExpiryKind;
}

function at08(year: number, month: number, day: number): number {
  return Date.UTC(year, month, day, EXPIRY_HOUR);
}

function lastFriday(year: number, month: number): number {
  const last = new Date(Date.UTC(year, month + 1, 0));
  const back = (last.getUTCDay() - 5 + 7) % 7;
  return at08(year, month, last.getUTCDate() - back);
}

function classify(time: number): ExpiryKind {
  const d = new Date(time);
  if (d.getUTCDay() !== 5) return 'DAILY';
  if (lastFriday(d.getUTCFullYear(), d.getUTCMonth()) !== time) return 'WEEKLY';
  return d.getUTCMonth() % 3 === 2 ? 'QUARTERLY' : 'MONTHLY';
}

/** The listed expiries at `time`, soonest first. */
export function optionExpiries(time: number): Expiry[] {
  const after = time + MIN_EXPIRY_MS;
  const now = new Date(time);
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const d = now.getUTCDate();
  const set = new Set<number>();
  for (let k = 0, found = 0; found < 3; k++) {
    const t = at08(y, m, d + k);
    if (t > after) {
      set.add(t);
      found++;
    }
  }
  for (let k = 0, found = 0; found < 3; k++) {
    const t = at08(y, m, d + k);
    if (t > after && new Date(t).getUTCDay() === 5) {
      set.add(t);
      found++;
    }
  }
  let lastMonthly = 0;
  for (let k = 0, found = 0; found < 3; k++) {
    const t = lastFriday(y, m + k);
    if (t > after) {
      set.add(t);
      lastMonthly = t;
      found++;
    }
  }
  for (let k = 0, found = 0; found < 2; k++) {
    const month = m + k;
    if (month % 3 !== 2) continue;
    const t = lastFriday(y, month);
    if (t > lastMonthly) {
      set.add(t);
      found++;
    }
  }
  return [...set].sort((a, b) => a - b).map((t) => ({ time: t, kind: classify(t) }));
}

/** Deribit instrument name, e.g. BTC-27MAR26-100000-C (day without a leading zero). */
export function deribitInstrument(currency: string, expiry: number, strike: number, kind: 'CALL' | 'PUT'): string {
  const d = new Date(expiry);
  const yy = String(d.getUTCFullYear() % 100).padStart(2, '0');
  return `${currency}-${d.getUTCDate()}${MONTHS[d.getUTCMonth()] ?? ''}${yy}-${strike}-${kind === 'CALL' ? 'C' : 'P'}`;
}

/** The smallest of 1, 2, 2.5, 5 × 10^k that is ≥ x. */
export function niceStep(x: number): number {
  const power = 10 ** Math.floor(Math.log10(Math.max(x, 1e-12)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * power >= x - 1e-12) return m * power;
  return 10 * power;
}

export function smileIv(atm: number, m: number, skew: number, curvature: number): number {
  return atm * (1 + skew * Math.tanh(m) + curvature * Math.log(Math.cosh(m)));
}

/** ATM volatility of an expiry `T` years out (see the module comment). */
export function atmVolatility(T: number, realizedVar: number, longRunVar: number, ivLevel: number): number {
  const kappa = Math.LN2 / (TERM_HALF_LIFE_DAYS / 365);
  const x = kappa * T;
  const weight = x < 1e-9 ? 1 : (1 - Math.exp(-x)) / x;
  return Math.sqrt(Math.max(1e-6, longRunVar + (realizedVar - longRunVar) * weight)) * VOL_RISK_PREMIUM * Math.exp(ivLevel);
}

/** A deterministic pseudo-normal draw from a label (sum of three hashed uniforms, rescaled). */
function hashedNormal(seed: number, label: string): number {
  let sum = 0;
  for (let i = 0; i < 3; i++) sum += hashString(`${seed}|${label}|${i}`) / 4_294_967_296;
  return (sum - 1.5) * 2;
}

function roundness(strike: number): number {
  const mantissa = strike / 10 ** Math.floor(Math.log10(strike));
  if (Math.abs(mantissa - Math.round(mantissa)) < 1e-9) return 3;
  if (Math.abs(mantissa * 2 - Math.round(mantissa * 2)) < 1e-9) return 1.8;
  if (Math.abs(mantissa * 4 - Math.round(mantissa * 4)) < 1e-9) return 1.3;
  return 1;
}

const EXPIRY_OI_WEIGHT: Readonly<Record<ExpiryKind, number>> = { DAILY: 0.25, WEEKLY: 1, MONTHLY: 2.5, QUARTERLY: 4 };
const EXPIRY_TURNOVER: Readonly<Record<ExpiryKind, number>> = { DAILY: 1.5, WEEKLY: 0.4, MONTHLY: 0.12, QUARTERLY: 0.06 };

export interface ChainInputs {
  currency: string;
  venue: string;
  time: number;
  indexPrice: number;
  /** Annualised carry of the forward. */
  carry: number;
  /** Annualised variances: current realised and long-run. */
  realizedVar: number;
  longRunVar: number;
  /** Log multiplier of every implied volatility. */
  ivLevel: number;
  skew: number;
  curvature: number;
  /** Price the open interest is centred on. */
  anchor: number;
  /** Trading-activity multiplier of the volumes (1 = normal). */
  activity: number;
  /** Base open interest per instrument, in contracts. */
  baseOpenInterest: number;
  seed: number;
}

/** Static per-instrument data (name, hashed noise), cached: a chain is rebuilt every 30 s. */
interface InstrumentInfo {
  name: string;
  oiNoise: number;
  volumeNoise: number;
  roundness: number;
}

/** Per (seed, currency, expiry): strike → [call, put]. Bounded: cleared when it holds too many expiries. */
const instrumentCache = new Map<string, Map<number, readonly [InstrumentInfo, InstrumentInfo]>>();
const INSTRUMENT_CACHE_EXPIRIES = 200;

function expiryInstruments(seed: number, currency: string, expiry: number): Map<number, readonly [InstrumentInfo, InstrumentInfo]> {
  const key = `${seed}|${currency}|${expiry}`;
  let strikes = instrumentCache.get(key);
  if (!strikes) {
    if (instrumentCache.size >= INSTRUMENT_CACHE_EXPIRIES) instrumentCache.clear();
    strikes = new Map();
    instrumentCache.set(key, strikes);
  }
  return strikes;
}

function instrumentPair(seed: number, currency: string, expiry: number, strike: number, cache: Map<number, readonly [InstrumentInfo, InstrumentInfo]>): readonly [InstrumentInfo, InstrumentInfo] {
  let pair = cache.get(strike);
  if (!pair) {
    const info = (kind: 'CALL' | 'PUT'): InstrumentInfo => {
      const name = deribitInstrument(currency, expiry, strike, kind);
      return { name, oiNoise: hashedNormal(seed, name), volumeNoise: hashedNormal(seed, `${name}|volume`), roundness: roundness(strike) };
    };
    pair = [info('CALL'), info('PUT')];
    cache.set(strike, pair);
  }
  return pair;
}

export function buildOptionsChain(input: ChainInputs): OptionsChain {
  const quotes: OptionQuote[] = [];
  const indexPrice = roundTo(input.indexPrice, 2);
  const longRunVol = Math.sqrt(input.longRunVar);
  for (const expiry of optionExpiries(input.time)) {
    const T = (expiry.time - input.time) / YEAR_MS;
    const F = roundTo(input.indexPrice * Math.exp(input.carry * T), 2);
    const atm = atmVolatility(T, input.realizedVar, input.longRunVar, input.ivLevel);
    const sdT = atm * Math.sqrt(T);
    const step = niceStep((F * sdT) / 6);
    const strikes = new Set<number>();
    for (let i = -STRIKES_EACH_SIDE; i <= STRIKES_EACH_SIDE; i++) {
      const strike = roundTo(Math.round((F * Math.exp(i * STRIKE_SPACING_SD * sdT)) / step) * step, 8);
      if (strike > 0) strikes.add(strike);
    }
    const width = Math.max(0.02, longRunVol * Math.sqrt(Math.max(T, 2 / 365)));
    const weight = EXPIRY_OI_WEIGHT[expiry.kind];
    const cache = expiryInstruments(input.seed, input.currency, expiry.time);
    const turnover = EXPIRY_TURNOVER[expiry.kind];
    for (const strike of [...strikes].sort((a, b) => a - b)) {
      const m = Math.log(strike / F) / sdT;
      const iv = smileIv(atm, m, input.skew, input.curvature);
      const ivHalfSpread = clamp(0.4 + 0.015 / Math.sqrt(T), 0.4, 6) + 0.4 * Math.abs(m);
      const near = Math.exp(-0.5 * (Math.log(strike / input.anchor) / width) ** 2);
      const pair = instrumentPair(input.seed, input.currency, expiry.time, strike, cache);
      for (const kind of ['CALL', 'PUT'] as const) {
        const info = kind === 'CALL' ? pair[0] : pair[1];
        const bs = black76(kind, F, strike, T, iv);
        const markPrice = roundTo(Math.max(0, bs.price) / F, 8);
        const outOfTheMoney = kind === 'CALL' ? strike >= F : strike <= F;
        const openInterest = roundTo(
          input.baseOpenInterest * weight * (0.12 + near) * info.roundness * (outOfTheMoney ? 1.3 : 0.7) * Math.exp(0.5 * info.oiNoise),
          1,
        );
        const volume = roundTo(openInterest * turnover * input.activity * Math.exp(0.6 * info.volumeNoise), 1);
        const markIv = roundTo(iv * 100, 2);
        const bidIv = roundTo(Math.max(0.5, markIv - ivHalfSpread), 2);
        const askIv = roundTo(markIv + ivHalfSpread, 2);
        // Book prices at the quoted IVs; a bid under Deribit's 0.0001-coin minimum tick is no bid.
        const bidPrice = roundTo(black76(kind, F, strike, T, bidIv / 100).price / F, 4);
        const askPrice = Math.max(0.0001, roundTo(black76(kind, F, strike, T, askIv / 100).price / F, 4));
        quotes.push({
          instrument: info.name,
          currency: input.currency,
          kind,
          strike,
          expiry: expiry.time,
          markPrice,
          markPriceUsd: roundTo(markPrice * F, 4),
          markIv,
          bidPrice: bidPrice > 0 ? bidPrice : null,
          askPrice,
          bidIv,
          askIv,
          openInterest,
          volume,
          underlyingPrice: F,
          delta: roundTo(bs.delta, 5),
          gamma: roundTo(bs.gamma, 10),
          vega: roundTo(bs.vega / 100, 5),
          theta: roundTo(bs.theta / 365, 5),
        });
      }
    }
  }
  return { currency: input.currency, venue: input.venue, indexPrice, quotes, time: input.time };
}

