import type { MarketEvent, TradeSide } from '../../../domain/market.js';
import type { SymbolProfile } from '../profiles.js';

/**
 * Contract between the core price model and the per-stream generators. The model advances one simulated
 * second at a time; for each symbol and second it hands every generator a `SecondContext` describing the
 * core price path. New data kinds plug in as further generators without touching the core.
 *
 * Per symbol and second the model calls, in generator order:
 * 1. `adjustSecond` — may move the second's close (price impact of forced orders such as liquidations)
 *    and schedule forced orders; the adjusted close carries over into the following seconds;
 * 2. `planSecond` — events timed inside the second (trades, which also fill the forced orders);
 * 3. `endSecond` — events stamped at the end of the second, with the second's realised taker flow.
 * Market-wide streams (options, sentiment, global market) implement `MarketWideStreamGenerator` instead.
 */
export interface SecondContext {
  readonly symbol: string;
  readonly profile: SymbolProfile;
  /** Epoch ms at which the second starts; the second covers [start, start + 1000). */
  readonly start: number;
  /** Log price of the core path at the start and end of the second. */
  readonly logOpen: number;
  readonly logClose: number;
  /** Standard deviation of a one-second log return in the current volatility regime. */
  readonly sigma: number;
  /** Current GARCH variance as a multiple of the symbol's long-run variance (1 = normal). */
  readonly varianceRatio: number;
  /** Market orders that must execute in this second (liquidations); the trade stream fills them. */
  readonly forced: readonly ForcedOrder[];
}

/** A market order the venue itself sends (a liquidation), filled as one taker trade. */
export interface ForcedOrder {
  time: number;
  side: TradeSide;
  /** Average fill price. */
  price: number;
  qty: number;
}

/** Taker flow that the trade stream produced in one second (read by flow-sensitive generators). */
export interface SecondFlow {
  buyQty: number;
  sellQty: number;
  trades: number;
  /** Σ price × qty of the second's trades. */
  quoteVolume: number;
  /** First / highest / lowest / last trade price of the second (null / NaN without trades). */
  firstPrice: number | null;
  high: number;
  low: number;
  lastPrice: number | null;
  /** Base quantity of long / short positions liquidated in the second. */
  liquidatedLongQty: number;
  liquidatedShortQty: number;
}

export function emptyFlow(): SecondFlow {
  return {
    buyQty: 0,
    sellQty: 0,
    trades: 0,
    quoteVolume: 0,
    firstPrice: null,
    high: Number.NaN,
    low: Number.NaN,
    lastPrice: null,
    liquidatedLongQty: 0,
    liquidatedShortQty: 0,
  };
}

/** An event scheduled inside a second; the model delivers it once simulated time passes `time`. */
export interface TimedEvent {
  time: number;
  event: MarketEvent;
}

/** What `adjustSecond` returns: the new close of the second, forced orders to fill, events to schedule. */
export interface SecondAdjustment {
  logClose: number;
  forced: ForcedOrder[];
  events: TimedEvent[];
}

export interface SymbolStreamGenerator {
  /** Called first each second: may push the close (price impact) and schedule forced orders. */
  adjustSecond?(ctx: SecondContext): SecondAdjustment | null;
  /** Events timed inside the second (e.g. trades), planned when the second starts. */
  planSecond?(ctx: SecondContext): TimedEvent[];
  /** Events stamped at the end of the second (`start + 1000`), e.g. mark price, funding settlement. */
  endSecond?(ctx: SecondContext, flow: SecondFlow): MarketEvent[];
}

/** What the market-wide generator sees of an underlying (BTC, ETH) at the end of a second. */
export interface UnderlyingView {
  /** Core (perpetual) price at the end of the second. */
  price: number;
  /** Index (spot composite) price. */
  indexPrice: number;
  /** Predicted funding rate per 8 h (drives the options' forward carry). */
  fundingRate: number;
  /** GARCH variance of the current minute as a multiple of the long-run variance. */
  varianceRatio: number;
}

export interface MarketView {
  /** End of the second (epoch ms). */
  time: number;
  /** Keyed by base asset: BTC, ETH. */
  underlyings: ReadonlyMap<string, UnderlyingView>;
}

/** Market-wide streams (options chains, fear & greed, global market), called once per simulated second. */
export interface MarketWideStreamGenerator {
  endSecond(view: MarketView): MarketEvent[];
}
