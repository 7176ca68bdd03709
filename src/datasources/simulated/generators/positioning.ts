import { LongShortKinds, type LongShortKind, type MarketEvent, type OpenInterest, type LongShortRatio, type TakerVolume } from '../../../domain/market.js';
import { baselineMinuteVariance } from '../core.js';
import { clamp, decimalsOf, roundTo } from '../numeric.js';
import type { SymbolProfile } from '../profiles.js';
import type { Rng } from '../random.js';
import { floorTo, MINUTE_MS, STAT_PERIOD_MS } from '../time.js';
import { expectedDailyVolume } from './trades.js';
import type { SecondContext, SecondFlow, SymbolStreamGenerator } from './types.js';

/**
 * Positioning of a perpetual: open interest and the three long/short ratios, on a one-minute clock, plus
 * the taker buy/sell volume of each 5-minute statistics period. The same `PositioningModel` runs in the
 * backfill (fed by the minute bars) and live (fed by the trades), so the two join seamlessly.
 *
 * Open interest (base units), per minute with taker volume V = buy + sell, imbalance
 * imb = (buy − sell) / V and trend = exponentially weighted sum of one-minute log returns over
 * `trendTauMinutes`, standardised to trendZ:
 *
 *   ΔOI = `alignCoupling` · V · imb · tanh(trendZ)        flow with the trend opens positions, flow
 *                                                          against it (a reversal) closes them
 *       + (target − OI) · (1 − 2^(−1/`oiHalfLifeMinutes`))  slow pull to target = `oiTurnover` × daily volume
 *       + `oiNoise` · V · N(0,1)
 *       − liquidated quantity                              liquidations close positions
 *
 * Long/short shares (fractions of 1), with z4h = the last `leanWindowMinutes` log return standardised by
 * the long-run volatility and n_k slow OU noises (half-life `noiseHalfLifeMinutes`):
 *   GLOBAL_ACCOUNTS (retail) = 0.5 + retailTilt + retailLean·tanh(z4h/2) + flowLean·EWMA(imb) + n1
 *     (retail is long-biased and chases recent returns),
 *   TOP_ACCOUNTS  = 0.5 + topAccountsFollow·(global − 0.5) + n2,
 *   TOP_POSITIONS = 0.5 + topPositionsTilt − topPositionsLean·tanh(z4h/2) + n3 (large traders fade moves),
 * each clamped to [minShare, maxShare].
 */
export interface PositioningParams {
  oiTurnover: number;
  oiHalfLifeMinutes: number;
  alignCoupling: number;
  oiNoise: number;
  trendTauMinutes: number;
  leanWindowMinutes: number;
  retailTilt: number;
  retailLean: number;
  flowLean: number;
  topAccountsFollow: number;
  topPositionsTilt: number;
  topPositionsLean: number;
  noiseHalfLifeMinutes: number;
  noiseStd: number;
  minShare: number;
  maxShare: number;
}

export const POSITIONING_PARAMS: Readonly<PositioningParams> = {
  oiTurnover: 1,
  oiHalfLifeMinutes: 720,
  alignCoupling: 5,
  oiNoise: 0.03,
  trendTauMinutes: 30,
  leanWindowMinutes: 240,
  retailTilt: 0.12,
  retailLean: 0.1,
  flowLean: 0.3,
  topAccountsFollow: 0.6,
  topPositionsTilt: 0.02,
  topPositionsLean: 0.08,
  noiseHalfLifeMinutes: 120,
  noiseStd: 0.025,
  minShare: 0.15,
  maxShare: 0.85,
};

/** State handed from the backfill to the live model. */
export interface PositioningSeed {
  openInterest: number;
  trend: number;
  flowEwma: number;
  noise: readonly number[];
  /** Log closes of the last `leanWindowMinutes` + 1 minutes, oldest first. */
  closes: readonly number[];
}

export interface LongShortShares {
  GLOBAL_ACCOUNTS: number;
  TOP_ACCOUNTS: number;
  TOP_POSITIONS: number;
}

export interface PositioningMinute {
  close: number;
  buyQty: number;
  sellQty: number;
  liquidatedQty: number;
}

const FLOW_EWMA = 0.1;

export class PositioningModel {
  private readonly params: PositioningParams;
  private readonly rng: Rng;
  private readonly target: number;
  private readonly sigma: number;
  private readonly aTrend: number;
  private readonly kOi: number;
  private readonly aNoise: number;
  private oi: number;
  private trend: number;
  private flowEwma: number;
  private readonly noise: number[];
  private closes: number[];
  private leanZ = 0;

  constructor(profile: SymbolProfile, rng: Rng, seed?: PositioningSeed, params: PositioningParams = POSITIONING_PARAMS) {
    this.params = params;
    this.rng = rng;
    this.target = params.oiTurnover * expectedDailyVolume(profile);
    this.sigma = Math.sqrt(baselineMinuteVariance(profile));
    this.aTrend = Math.exp(-1 / params.trendTauMinutes);
    this.kOi = 1 - Math.pow(0.5, 1 / params.oiHalfLifeMinutes);
    this.aNoise = Math.pow(0.5, 1 / params.noiseHalfLifeMinutes);
    this.oi = seed?.openInterest ?? this.target * Math.exp(0.1 * rng.normal());
    this.trend = seed?.trend ?? 0;
    this.flowEwma = seed?.flowEwma ?? 0;
    this.noise = [0, 1, 2].map((i) => seed?.noise[i] ?? params.noiseStd * rng.normal());
    this.closes = seed ? [...seed.closes] : [];
    this.updateLean();
  }

  get openInterest(): number {
    return this.oi;
  }

  /** Advance one minute. */
  minute(input: PositioningMinute): void {
    const { params, rng } = this;
    const logClose = Math.log(input.close);
    const prev = this.closes.at(-1) ?? logClose;
    this.trend = this.trend * this.aTrend + (logClose - prev);
    const trendZ = this.trend / (this.sigma * Math.sqrt(params.trendTauMinutes / 2));
    const volume = input.buyQty + input.sellQty;
    const imbalance = volume > 0 ? (input.buyQty - input.sellQty) / volume : 0;
    const delta =
      params.alignCoupling * volume * imbalance * Math.tanh(trendZ) +
      (this.target - this.oi) * this.kOi +
      params.oiNoise * volume * rng.normal() -
      input.liquidatedQty;
    this.oi = Math.max(0.25 * this.target, this.oi + delta);
    this.flowEwma += (imbalance - this.flowEwma) * FLOW_EWMA;
    this.closes.push(logClose);
    if (this.closes.length > params.leanWindowMinutes + 1) this.closes.splice(0, this.closes.length - params.leanWindowMinutes - 1);
    const innovation = params.noiseStd * Math.sqrt(1 - this.aNoise * this.aNoise);
    for (let i = 0; i < this.noise.length; i++) this.noise[i] = (this.noise[i] ?? 0) * this.aNoise + innovation * rng.normal();
    this.updateLean();
  }

  private updateLean(): void {
    const first = this.closes[0];
    const last = this.closes.at(-1);
    const n = this.closes.length - 1;
    this.leanZ = first === undefined || last === undefined || n < 1 ? 0 : (last - first) / (this.sigma * Math.sqrt(n));
  }

  shares(): LongShortShares {
    const p = this.params;
    const lean = Math.tanh(this.leanZ / 2);
    const n = this.noise;
    const global = clamp(0.5 + p.retailTilt + p.retailLean * lean + p.flowLean * this.flowEwma + (n[0] ?? 0), p.minShare, p.maxShare);
    return {
      GLOBAL_ACCOUNTS: global,
      TOP_ACCOUNTS: clamp(0.5 + p.topAccountsFollow * (global - 0.5) + (n[1] ?? 0), p.minShare, p.maxShare),
      TOP_POSITIONS: clamp(0.5 + p.topPositionsTilt - p.topPositionsLean * lean + (n[2] ?? 0), p.minShare, p.maxShare),
    };
  }

  seed(): PositioningSeed {
    return { openInterest: this.oi, trend: this.trend, flowEwma: this.flowEwma, noise: [...this.noise], closes: [...this.closes] };
  }
}

const LONG_SHORT_KINDS: readonly LongShortKind[] = [LongShortKinds.GLOBAL_ACCOUNTS, LongShortKinds.TOP_ACCOUNTS, LongShortKinds.TOP_POSITIONS];

export function openInterestRecord(symbol: string, oi: number, price: number, time: number, qtyDecimals: number): OpenInterest {
  const openInterest = roundTo(oi, qtyDecimals);
  return { symbol, openInterest, openInterestValue: roundTo(openInterest * price, 2), time };
}

/** Long/short records of the three kinds; shares rounded to 4 decimals and summing to exactly 1. */
export function longShortRecords(symbol: string, shares: LongShortShares, time: number): LongShortRatio[] {
  return LONG_SHORT_KINDS.map((kind) => {
    const longShare = roundTo(shares[kind], 4);
    const shortShare = roundTo(1 - longShare, 4);
    return { symbol, kind, period: '5m', longShare, shortShare, longShortRatio: roundTo(longShare / shortShare, 4), time };
  });
}

/** Taker volume of a period, buy and sell rounded to the lot decimals. */
export function takerVolumeRecord(symbol: string, buyQty: number, sellQty: number, time: number, qtyDecimals: number, stepSize: number): TakerVolume {
  const buyVolume = roundTo(buyQty, qtyDecimals);
  const sellVolume = roundTo(sellQty, qtyDecimals);
  const buySellRatio = buyVolume === 0 && sellVolume === 0 ? 1 : roundTo(buyVolume / Math.max(sellVolume, stepSize), 4);
  return { symbol, period: '5m', buyVolume, sellVolume, buySellRatio, time };
}

/** Taker flow of the 5-minute period that was forming at the start time (handed over by the backfill). */
export interface TakerPeriodSeed {
  periodStart: number;
  buyQty: number;
  sellQty: number;
  /** Total taker volume of that part (buy + sell, summed minute by minute like the candle's). */
  volumeQty?: number;
}

export interface PositioningGeneratorOptions {
  profile: SymbolProfile;
  model: PositioningModel;
  startTime: number;
  takerSeed?: TakerPeriodSeed;
  /** The venue's bar of the minute opening at `openTime` (taker flow by minute bars instead of the trade tape). */
  minuteBar?: (openTime: number) => { takerBuy: number; volume: number } | null;
}

/**
 * Publishes `openInterest` at every minute boundary and, at every 5-minute boundary, the three
 * `longShortRatio` kinds and the period's `takerVolume` (stamped at the end of the period). With
 * `minuteBar` the taker flow is the venue's minute bars' (the period's taker volume then equals its 5m
 * candle's, summed in the same order, and the backfill's for that period); without, the trade stream's
 * quantities in [time − 5 min, time). The period running at the start adds the backfill's part of it.
 */
export class PositioningGenerator implements SymbolStreamGenerator {
  readonly model: PositioningModel;
  private readonly profile: SymbolProfile;
  private readonly qtyDecimals: number;
  private minuteBuy = 0;
  private minuteSell = 0;
  private minuteLiquidated = 0;
  private periodBuy = 0;
  private periodSell = 0;
  private periodVolume = 0;
  private readonly minuteBar: PositioningGeneratorOptions['minuteBar'];

  constructor(options: PositioningGeneratorOptions) {
    this.profile = options.profile;
    this.model = options.model;
    this.qtyDecimals = decimalsOf(options.profile.stepSize);
    const seed = options.takerSeed;
    if (seed && seed.periodStart === floorTo(options.startTime, STAT_PERIOD_MS)) {
      this.periodBuy = seed.buyQty;
      this.periodSell = seed.sellQty;
      this.periodVolume = seed.volumeQty ?? seed.buyQty + seed.sellQty;
    }
    this.minuteBar = options.minuteBar;
  }

  endSecond(ctx: SecondContext, flow: SecondFlow): MarketEvent[] {
    this.minuteLiquidated += flow.liquidatedLongQty + flow.liquidatedShortQty;
    const time = ctx.start + 1_000;
    const bar = this.minuteBar && time % MINUTE_MS === 0 ? this.minuteBar(time - MINUTE_MS) : null;
    if (!this.minuteBar) {
      this.minuteBuy += flow.buyQty;
      this.minuteSell += flow.sellQty;
      this.periodBuy += flow.buyQty;
      this.periodSell += flow.sellQty;
      this.periodVolume += flow.buyQty + flow.sellQty;
    } else if (bar) {
      this.minuteBuy = bar.takerBuy;
      this.minuteSell = bar.volume - bar.takerBuy;
      this.periodBuy += bar.takerBuy;
      this.periodVolume += bar.volume;
    }
    if (time % MINUTE_MS !== 0) return [];
    const close = Math.exp(ctx.logClose);
    this.model.minute({ close, buyQty: this.minuteBuy, sellQty: this.minuteSell, liquidatedQty: this.minuteLiquidated });
    this.minuteBuy = 0;
    this.minuteSell = 0;
    this.minuteLiquidated = 0;
    const events: MarketEvent[] = [
      { type: 'openInterest', openInterest: openInterestRecord(ctx.symbol, this.model.openInterest, close, time, this.qtyDecimals) },
    ];
    if (time % STAT_PERIOD_MS === 0) {
      for (const ratio of longShortRecords(ctx.symbol, this.model.shares(), time)) events.push({ type: 'longShortRatio', ratio });
      events.push({
        type: 'takerVolume',
        volume: this.minuteBar
          ? takerVolumeRecord(
              ctx.symbol,
              roundTo(this.periodBuy, this.qtyDecimals),
              roundTo(roundTo(this.periodVolume, this.qtyDecimals) - roundTo(this.periodBuy, this.qtyDecimals), this.qtyDecimals),
              time,
              this.qtyDecimals,
              this.profile.stepSize,
            )
          : takerVolumeRecord(ctx.symbol, this.periodBuy, this.periodSell, time, this.qtyDecimals, this.profile.stepSize),
      });
      this.periodBuy = 0;
      this.periodSell = 0;
      this.periodVolume = 0;
    }
    return events;
  }
}
