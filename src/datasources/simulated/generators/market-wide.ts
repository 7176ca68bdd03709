import type { FearGreed, GlobalMarket, MarketEvent } from '../../../domain/market.js';
import { MINUTES_PER_YEAR } from '../core.js';
import { clamp, roundTo } from '../numeric.js';
import { symbolProfile } from '../profiles.js';
import type { Rng } from '../random.js';
import { DAY_MS, HOUR_MS, MINUTE_MS, STAT_PERIOD_MS } from '../time.js';
import { buildOptionsChain } from './options.js';
import type { MarketView, MarketWideStreamGenerator, UnderlyingView } from './types.js';

/**
 * Market-wide streams of the simulated market, driven by the BTC and ETH paths of the model:
 * - `optionsChain` for BTC and ETH every `OPTIONS_EVERY_MS` (see `options.ts` for the pricing);
 * - `globalMarket` every 5 minutes: market caps = price × circulating supply for BTC and ETH plus an
 *   "alts" cap that moves with ALT_BETA × the average BTC/ETH return plus its own slow OU drift (alts are
 *   high-beta, so BTC dominance falls when the market rallies and alts outrun it); total 24 h volume is
 *   a turnover of the total cap that rises with volatility; the 24 h change compares with the total
 *   24 h earlier;
 * - `fearGreed` at every UTC midnight, from BTC's daily closes (`fearGreedValue`).
 */

export const OPTIONS_EVERY_MS = 30_000;
export const OPTION_CURRENCIES = ['BTC', 'ETH'] as const;
export type OptionCurrency = (typeof OPTION_CURRENCIES)[number];

/** Circulating supplies (2025-2026). */
export const CIRCULATING_SUPPLY: Readonly<Record<OptionCurrency, number>> = { BTC: 19_950_000, ETH: 120_700_000 };
/** BTC's share of the total cap at the start prices (the alts make up the rest beside ETH). */
export const START_BTC_DOMINANCE = 0.58;
export const ALT_BETA = 1.2;
const ALT_NOISE_HALF_LIFE_MIN = 3 * 24 * 60;
const ALT_NOISE_STD = 0.05;
const VOLUME_TURNOVER = 0.035;
/** Base open interest per option instrument (contracts). */
const BASE_OPTION_OI: Readonly<Record<OptionCurrency, number>> = { BTC: 800, ETH: 5_000 };
const REALIZED_HALF_LIFE_MIN = 6 * 60;
const TREND_TAU_S = 3 * 86_400;
const ANCHOR_HALF_LIFE_S = 2 * 86_400;
const IV_LEVEL_HALF_LIFE_S = 86_400;
const IV_LEVEL_STD = 0.06;
const SMILE_CURVATURE = 0.15;

// --- Fear & Greed ---

/** alternative.me bands (checked against its full daily history: 25 is still Extreme Fear, 26 Fear). */
export const FEAR_GREED_BANDS: readonly (readonly [max: number, label: string])[] = [
  [25, 'Extreme Fear'],
  [46, 'Fear'],
  [54, 'Neutral'],
  [75, 'Greed'],
  [100, 'Extreme Greed'],
];

export function fearGreedClassification(value: number): string {
  for (const [max, label] of FEAR_GREED_BANDS) if (value <= max) return label;
  return 'Extreme Greed';
}

export const FEAR_GREED_NOISE = { persistence: 0.7, std: 6 } as const;

/**
 * Fear & Greed from BTC's daily log closes (oldest first, the last = today's 00:00 UTC): a momentum
 * score from the 30-day and 7-day returns, minus a volatility score (30-day realised volatility against
 * BTC's long-run 55 %), plus `noise`:
 *   value = 50 + 28·tanh(r30 / 0.15) + 8·tanh(r7 / 0.08) − 12·tanh((vol30 − 0.55) / 0.2) + noise,
 * rounded and clamped to 0..100.
 */
export function fearGreedValue(dailyLogCloses: readonly number[], noise: number): number {
  const n = dailyLogCloses.length - 1;
  const at = (k: number): number => dailyLogCloses[Math.max(0, Math.min(n, k))] ?? 0;
  const r30 = at(n) - at(n - 30);
  const r7 = at(n) - at(n - 7);
  const span = Math.min(30, n);
  let sum = 0;
  let sumSq = 0;
  for (let k = n - span + 1; k <= n; k++) {
    const r = at(k) - at(k - 1);
    sum += r;
    sumSq += r * r;
  }
  const vol30 = span > 1 ? Math.sqrt(Math.max(0, (sumSq - (sum * sum) / span) / (span - 1)) * 365) : 0.55;
  const raw = 50 + 28 * Math.tanh(r30 / 0.15) + 8 * Math.tanh(r7 / 0.08) - 12 * Math.tanh((vol30 - 0.55) / 0.2) + noise;
  return clamp(Math.round(raw), 0, 100);
}

export function fearGreedRecord(value: number, time: number): FearGreed {
  return { value, classification: fearGreedClassification(value), time };
}

// --- Global market ---

export function startMarketCaps(): { btc: number; eth: number; alts: number } {
  const btc = CIRCULATING_SUPPLY.BTC * symbolProfile('BTCUSDT').startPrice;
  const eth = CIRCULATING_SUPPLY.ETH * symbolProfile('ETHUSDT').startPrice;
  return { btc, eth, alts: btc / START_BTC_DOMINANCE - btc - eth };
}

export function totalMarketCap(btcPrice: number, ethPrice: number, altCap: number): number {
  return btcPrice * CIRCULATING_SUPPLY.BTC + ethPrice * CIRCULATING_SUPPLY.ETH + altCap;
}

export function globalRecord(time: number, btcPrice: number, ethPrice: number, altCap: number, activity: number, total24hAgo: number | null): GlobalMarket {
  const btc = btcPrice * CIRCULATING_SUPPLY.BTC;
  const eth = ethPrice * CIRCULATING_SUPPLY.ETH;
  const total = btc + eth + altCap;
  return {
    totalMarketCapUsd: Math.round(total),
    totalVolumeUsd: Math.round(total * VOLUME_TURNOVER * clamp(Math.sqrt(activity), 0.5, 3)),
    btcDominance: roundTo((btc / total) * 100, 3),
    ethDominance: roundTo((eth / total) * 100, 3),
    marketCapChange24hPct: total24hAgo && total24hAgo > 0 ? roundTo((total / total24hAgo - 1) * 100, 3) : 0,
    time,
  };
}

// --- Options inputs shared by the backfill and the live generator ---

export function longRunVariance(currency: OptionCurrency): number {
  const vol = symbolProfile(`${currency}USDT`).annualVol;
  return vol * vol;
}

export interface CurrencyState {
  /** Annualised variance of recent one-minute returns (EWMA). */
  realizedVar: number;
  /** Exponentially weighted sum of log returns over ≈ 3 days. */
  trend: number;
  /** Log multiplier of all implied volatilities (slow OU). */
  ivLevel: number;
  /** Price the options' open interest is centred on. */
  anchor: number;
}

export function chainFor(
  currency: OptionCurrency,
  state: CurrencyState,
  time: number,
  indexPrice: number,
  fundingRate: number,
  activity: number,
  seed: number,
  venue: string,
): MarketEvent {
  return {
    type: 'optionsChain',
    chain: buildOptionsChain({
      currency,
      venue,
      time,
      indexPrice,
      carry: clamp(fundingRate * 3 * 365, -0.2, 0.4),
      realizedVar: state.realizedVar,
      longRunVar: longRunVariance(currency),
      ivLevel: state.ivLevel,
      skew: clamp(-0.04 + 1.2 * state.trend, -0.1, 0.1),
      curvature: SMILE_CURVATURE,
      anchor: state.anchor,
      activity: clamp(Math.sqrt(activity), 0.5, 3),
      baseOpenInterest: BASE_OPTION_OI[currency],
      seed,
    }),
  };
}

/** State handed from the market-wide backfill to the live generator. */
export interface MarketWideSeed {
  /** BTC log closes at the last UTC midnights (oldest first; the last at the start day's 00:00). */
  dailyCloses: readonly number[];
  fearGreedNoise: number;
  /** Log market cap of the alts at the start, and its OU drift component. */
  altLog: number;
  altNoise: number;
  /** Total market cap at 5-minute points over the 24 h before the start (oldest first). */
  totals: readonly { time: number; total: number }[];
  currencies: Readonly<Record<OptionCurrency, CurrencyState>>;
}

export interface MarketWideOptions {
  rng: Rng;
  seed: MarketWideSeed;
  /** Seed of the per-instrument noise of the options (open interest, volume). */
  instrumentSeed: number;
  venue: string;
}

interface LiveCurrency extends CurrencyState {
  lastPrice: number | null;
  minutePrice: number | null;
}

export class MarketWideGenerator implements MarketWideStreamGenerator {
  private readonly rng: Rng;
  private readonly instrumentSeed: number;
  private readonly venue: string;
  private readonly currencies: Record<OptionCurrency, LiveCurrency>;
  private readonly dailyCloses: number[];
  private fearGreedNoise: number;
  private altLog: number;
  private altNoise: number;
  private readonly totals: { time: number; total: number }[];
  private activity = 1;

  constructor(options: MarketWideOptions) {
    this.rng = options.rng;
    this.instrumentSeed = options.instrumentSeed;
    this.venue = options.venue;
    const s = options.seed;
    this.dailyCloses = [...s.dailyCloses];
    this.fearGreedNoise = s.fearGreedNoise;
    this.altLog = s.altLog;
    this.altNoise = s.altNoise;
    this.totals = [...s.totals];
    this.currencies = {
      BTC: { ...s.currencies.BTC, lastPrice: null, minutePrice: null },
      ETH: { ...s.currencies.ETH, lastPrice: null, minutePrice: null },
    };
  }

  endSecond(view: MarketView): MarketEvent[] {
    const { time } = view;
    const minute = time % MINUTE_MS === 0;
    const aTrend = Math.exp(-1 / TREND_TAU_S);
    const kAnchor = 1 - Math.pow(0.5, 1 / ANCHOR_HALF_LIFE_S);
    const kVar = 1 - Math.pow(0.5, 1 / REALIZED_HALF_LIFE_MIN);
    let returnSum = 0;
    let returnCount = 0;
    for (const currency of OPTION_CURRENCIES) {
      const u = view.underlyings.get(currency);
      const st = this.currencies[currency];
      if (!u) continue;
      const r = st.lastPrice === null ? 0 : Math.log(u.price / st.lastPrice);
      st.lastPrice = u.price;
      returnSum += r;
      returnCount++;
      st.trend = st.trend * aTrend + r;
      st.anchor += (u.indexPrice - st.anchor) * kAnchor;
      if (minute) {
        if (st.minutePrice !== null) {
          const rm = Math.log(u.price / st.minutePrice);
          st.realizedVar += (rm * rm * MINUTES_PER_YEAR - st.realizedVar) * kVar;
        }
        st.minutePrice = u.price;
      }
    }
    if (returnCount > 0) this.altLog += (ALT_BETA * returnSum) / returnCount;
    const btc = view.underlyings.get('BTC');
    const eth = view.underlyings.get('ETH');
    if (minute) {
      const a = Math.pow(0.5, 1 / ALT_NOISE_HALF_LIFE_MIN);
      this.altNoise = this.altNoise * a + ALT_NOISE_STD * Math.sqrt(1 - a * a) * this.rng.normal();
      if (btc) this.activity += (btc.varianceRatio - this.activity) * (1 - Math.pow(0.5, MINUTE_MS / HOUR_MS));
    }

    const events: MarketEvent[] = [];
    if (time % OPTIONS_EVERY_MS === 0) {
      const a = Math.pow(0.5, OPTIONS_EVERY_MS / 1_000 / IV_LEVEL_HALF_LIFE_S);
      for (const currency of OPTION_CURRENCIES) {
        const st = this.currencies[currency];
        st.ivLevel = st.ivLevel * a + IV_LEVEL_STD * Math.sqrt(1 - a * a) * this.rng.normal();
        const u = view.underlyings.get(currency);
        if (u) events.push(this.chain(currency, u, time));
      }
    }
    if (time % STAT_PERIOD_MS === 0 && btc && eth) {
      const altCap = Math.exp(this.altLog + this.altNoise);
      const total = totalMarketCap(btc.price, eth.price, altCap);
      const dayAgo = this.totalAt(time - DAY_MS);
      this.totals.push({ time, total });
      while ((this.totals[0]?.time ?? time) < time - DAY_MS - STAT_PERIOD_MS) this.totals.shift();
      events.push({ type: 'globalMarket', global: globalRecord(time, btc.price, eth.price, altCap, this.activity, dayAgo) });
    }
    if (time % DAY_MS === 0 && btc) {
      this.dailyCloses.push(Math.log(btc.price));
      if (this.dailyCloses.length > 64) this.dailyCloses.splice(0, this.dailyCloses.length - 64);
      this.fearGreedNoise = FEAR_GREED_NOISE.persistence * this.fearGreedNoise + FEAR_GREED_NOISE.std * this.rng.normal();
      events.push({ type: 'fearGreed', fearGreed: fearGreedRecord(fearGreedValue(this.dailyCloses, this.fearGreedNoise), time) });
    }
    return events;
  }

  private chain(currency: OptionCurrency, u: UnderlyingView, time: number): MarketEvent {
    return chainFor(currency, this.currencies[currency], time, u.indexPrice, u.fundingRate, this.activity, this.instrumentSeed, this.venue);
  }

  /** Total cap at the newest recorded point at or before `time` (null when none). */
  private totalAt(time: number): number | null {
    let found: number | null = null;
    for (const point of this.totals) {
      if (point.time > time) break;
      found = point.total;
    }
    return found ?? this.totals[0]?.total ?? null;
  }
}
