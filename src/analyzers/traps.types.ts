import type { Factor } from './types.js';

export const TrapTypes = {
  /** A wick above a prior swing high (or liquidation level) that closed back below it: buy stops taken, sellers in control. */
  LIQUIDITY_GRAB_HIGH: 'LIQUIDITY_GRAB_HIGH',
  /** A wick below a prior swing low that closed back above it: sell stops taken, buyers in control. */
  LIQUIDITY_GRAB_LOW: 'LIQUIDITY_GRAB_LOW',
  /** A close above a swing high followed within `reclaimBars` bars by a close back below it. */
  FAKE_BREAKOUT_UP: 'FAKE_BREAKOUT_UP',
  /** A close below a swing low followed within `reclaimBars` bars by a close back above it. */
  FAKE_BREAKOUT_DOWN: 'FAKE_BREAKOUT_DOWN',
} as const;
export type TrapType = (typeof TrapTypes)[keyof typeof TrapTypes];

export const TrapDirections = { BULLISH: 'BULLISH', BEARISH: 'BEARISH' } as const;
export type TrapDirection = (typeof TrapDirections)[keyof typeof TrapDirections];

export const TrapLevelSources = { SWING_HIGH: 'SWING_HIGH', SWING_LOW: 'SWING_LOW' } as const;
export type TrapLevelSource = (typeof TrapLevelSources)[keyof typeof TrapLevelSources];

/** The OHLCV of one bar, kept as evidence. Times are epoch ms. */
export interface TrapBar {
  openTime: number;
  closeTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** One detected trap. JSON-safe (published on `trap:detected`). */
export interface Trap {
  /** Stable id `${type}:${time}:${level}`: the same detection keeps the same id on every recomputation. */
  id: string;
  symbol: string;
  interval: string;
  type: TrapType;
  /** The move the trap implies: BEARISH after a trap above (longs/breakout buyers caught), BULLISH after one below. */
  direction: TrapDirection;
  /** Price of the level that was swept. */
  level: number;
  levelSource: TrapLevelSource;
  /** Open time of the swing bar that made the level. */
  levelTime: number;
  /** Close time of the bar that confirmed the swing (always before the piercing bar opened). */
  levelConfirmedAt: number;
  /** Confirmed swings of the same kind within the touch tolerance of the level, this one included (≥ 1). */
  touches: number;
  /** Open time of the bar that completed the pattern (closed back inside). */
  time: number;
  /** Close time of that bar: the detection is known from then on. */
  detectedAt: number;
  /** Open time of the bar that pierced the level (= time for a liquidity grab). */
  pierceTime: number;
  /** Bars between the piercing bar and the bar that closed back inside (0 for a liquidity grab). */
  barsToReclaim: number;
  /** Furthest price beyond the level during the pattern (wick high above / low below). */
  extreme: number;
  /** |extreme − level|, in price. */
  pierceDepth: number;
  /** ATR(atrPeriod) as of the bar before the pierce; the threshold's volatility unit. */
  atr: number;
  /** sensitivity × atr: the pierce (grab) or close (breakout) beyond the level had to reach this. */
  threshold: number;
  /** Volume of the piercing bar / mean volume of the `volumePeriod` bars before it (null without volume). */
  volumeRatio: number | null;
  /** Liquidated notional (quote) at prices beyond the level during the pattern; null when no liquidation feed was given. */
  liquidationNotionalUsd: number | null;
  /** 0..1: sum of the factor contributions. */
  confidence: number;
  factors: Factor[];
  /** The piercing bar. */
  bar: TrapBar;
  /** The bar that closed back inside (= bar for a liquidity grab). */
  reclaimBar: TrapBar;
}

export interface TrapOptions {
  /** Pierce threshold in ATRs: a wick (grab) or close (breakout) must reach level ± sensitivity × ATR. Default 0.2. */
  sensitivity: number;
  /** ATR period (Wilder smoothing, trading-signals ATR). Default 14. */
  atrPeriod: number;
  /** Bars each side that confirm a swing (detectSwings confirmBars). Default 2. */
  swingBars: number;
  /** K: bars after a close beyond a level within which a close back inside makes it a fake breakout. Default 3. */
  reclaimBars: number;
  /** Levels older than this many bars (from the swing bar) are no longer watched. Default 200. */
  maxLevelAgeBars: number;
  /** Bars averaged for the volume ratio. Default 20. */
  volumePeriod: number;
  /** Swings within touchTolerance × ATR of a level count as touches of it. Default 0.25. */
  touchTolerance: number;
  /** A detection counts as active for this many bars after it while price has not traded beyond its extreme. Default 8. */
  activeBars: number;
  /** At most this many detections are kept in `traps` (newest first). Default 500. */
  maxTraps: number;
}

export const DEFAULT_TRAP_OPTIONS: Readonly<TrapOptions> = {
  sensitivity: 0.2,
  atrPeriod: 14,
  swingBars: 2,
  reclaimBars: 3,
  maxLevelAgeBars: 200,
  volumePeriod: 20,
  touchTolerance: 0.25,
  activeBars: 8,
  maxTraps: 500,
};

export interface TrapLiquidation {
  price: number;
  notional: number;
  time: number;
}

export interface TrapInput {
  symbol: string;
  interval: string;
  /** Closed candles, ascending by open time, one interval. A forming candle must not be passed. */
  candles: readonly TrapBar[];
  /** Optional liquidation feed (evidence only); omit when the source sends none. */
  liquidations?: readonly TrapLiquidation[];
  options?: Partial<TrapOptions>;
}

export interface TrapAnalysis {
  symbol: string;
  interval: string;
  /** Fewer closed bars than ATR + a confirmed swing need; traps is then empty and atr null. */
  warmingUp: boolean;
  sensitivity: number;
  reclaimBars: number;
  barsAnalyzed: number;
  /** Open time of the first and last bar analysed (null without bars). */
  firstBarTime: number | null;
  lastBarTime: number | null;
  /** ATR as of the last bar (null while warming up). */
  atr: number | null;
  /** sensitivity × atr as of the last bar. */
  threshold: number | null;
  /** Detections, newest first (bounded by maxTraps). */
  traps: Trap[];
  /** Detections of the last activeBars bars whose extreme has not been exceeded since, newest first. */
  active: Trap[];
  /** The newest detection (null when none). */
  latest: Trap | null;
}
