import type { MarketEvent } from '../../../domain/market.js';
import type { SymbolProfile } from '../profiles.js';

/**
 * Contract between the core price model and the per-stream generators. The model advances one simulated
 * second at a time; for each symbol and second it hands every generator a `SecondContext` describing the
 * core price path. New data kinds (open interest, liquidations, order books, …) plug in as further
 * generators without touching the core.
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
}

/** Taker flow that the trade stream produced in one second (read by flow-sensitive generators). */
export interface SecondFlow {
  buyQty: number;
  sellQty: number;
  trades: number;
}

/** An event scheduled inside a second; the model delivers it once simulated time passes `time`. */
export interface TimedEvent {
  time: number;
  event: MarketEvent;
}

export interface SymbolStreamGenerator {
  /** Events timed inside the second (e.g. trades), planned when the second starts. */
  planSecond?(ctx: SecondContext): TimedEvent[];
  /** Events stamped at the end of the second (`start + 1000`), e.g. mark price, funding settlement. */
  endSecond?(ctx: SecondContext, flow: SecondFlow): MarketEvent[];
}
