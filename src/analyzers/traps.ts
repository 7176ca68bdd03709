import { ATR } from 'trading-signals';
import { detectSwings, type Swing } from './swings.js';
import type { Factor } from './types.js';
import {
  DEFAULT_TRAP_OPTIONS,
  TrapTypes,
  type Trap,
  type TrapAnalysis,
  type TrapBar,
  type TrapInput,
  type TrapOptions,
  type TrapType,
} from './traps.types.js';

export const TRAPS_METHODOLOGY_VERSION = 'traps/1.0.0';

/** Factor weights of a trap's confidence (sum 1). */
const WEIGHTS = { wick: 0.3, volume: 0.25, levelStrength: 0.25, reclaimSpeed: 0.2 } as const;

interface WatchedLevel {
  swing: Swing;
  /** Index of the bar that closed beyond the level by the threshold; set while a breakout awaits its K bars. */
  breakoutIndex: number | null;
  /** Furthest price beyond the level since the breakout. */
  extreme: number;
  /** ATR and threshold at the breakout. */
  atr: number;
  threshold: number;
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

function checkOptions(o: TrapOptions): void {
  if (!Number.isFinite(o.sensitivity) || o.sensitivity <= 0) throw new RangeError(`computeTraps: sensitivity must be a finite number > 0, got ${o.sensitivity}`);
  for (const name of ['atrPeriod', 'swingBars', 'reclaimBars', 'maxLevelAgeBars', 'volumePeriod', 'maxTraps'] as const) {
    if (!Number.isInteger(o[name]) || o[name] < 1) throw new RangeError(`computeTraps: ${name} must be an integer >= 1, got ${o[name]}`);
  }
  if (!Number.isInteger(o.activeBars) || o.activeBars < 0) throw new RangeError(`computeTraps: activeBars must be an integer >= 0, got ${o.activeBars}`);
  if (!Number.isFinite(o.touchTolerance) || o.touchTolerance < 0) throw new RangeError(`computeTraps: touchTolerance must be a finite number >= 0, got ${o.touchTolerance}`);
}

/**
 * Market-maker traps: liquidity grabs (stop hunts) and fake breakouts around prior swing levels.
 *
 * - LIQUIDITY_GRAB_HIGH / LOW: one bar's wick pierces a confirmed swing high (low) by at least
 *   `sensitivity × ATR` and the bar closes back below (above) the level: resting stops beyond the level were
 *   taken and the market rejected the new prices.
 * - FAKE_BREAKOUT_UP / DOWN: a bar closes beyond the level by at least `sensitivity × ATR` and one of the
 *   next `reclaimBars` (K) bars closes back inside: breakout traders are trapped.
 *
 * How to read it: a trap above the market (GRAB_HIGH, FAKE_BREAKOUT_UP) is BEARISH, one below is BULLISH;
 * `confidence` (0..1) grows with the pierce depth in ATRs, the volume of the piercing bar against its
 * recent average, the number of swings stacked at the level (more stops rest there) and how fast price came
 * back. A trap stays `active` while price has not traded beyond its extreme for `activeBars` bars.
 *
 * Causal: a swing only counts once its confirming bar has closed before the piercing bar, the threshold
 * uses the ATR as of the bar before the pierce, and a detection is reported on the bar that completed it,
 * from bars up to that one only, so feeding later bars never changes an earlier detection. A level is
 * watched until it is swept (one trap per level), broken (a close beyond it that holds K bars) or older
 * than `maxLevelAgeBars`.
 *
 * @see "Stop hunting" — https://www.investopedia.com/terms/s/stophunting.asp
 * @see Wilder, J. W. (1978), New Concepts in Technical Trading Systems — Average True Range
 */
export function computeTraps(input: TrapInput): TrapAnalysis {
  const o: TrapOptions = { ...DEFAULT_TRAP_OPTIONS, ...input.options };
  checkOptions(o);
  const candles = input.candles;
  for (let i = 1; i < candles.length; i += 1) {
    if (!(candles[i]!.openTime > candles[i - 1]!.openTime)) {
      throw new RangeError(`computeTraps: candles must be strictly ascending by openTime, got ${candles[i]!.openTime} after ${candles[i - 1]!.openTime} at index ${i}`);
    }
  }
  const n = candles.length;
  const atrIndicator = new ATR(o.atrPeriod);
  /** atrAfter[i]: ATR including bar i (null until stable). */
  const atrAfter = candles.map((c) => atrIndicator.update({ high: c.high, low: c.low, close: c.close }, false));
  const swings = detectSwings(candles, { confirmBars: o.swingBars }).sort((a, b) => a.confirmedIndex - b.confirmedIndex || a.index - b.index);
  const liquidations = input.liquidations;

  const highs: WatchedLevel[] = [];
  const lows: WatchedLevel[] = [];
  const detections: { trap: Trap; index: number }[] = [];
  let next = 0;

  const touches = (swing: Swing, j: number, atr: number): number => {
    let count = 0;
    for (let s = 0; s < next; s += 1) {
      const other = swings[s]!;
      if (other.kind === swing.kind && j - other.index <= o.maxLevelAgeBars && Math.abs(other.price - swing.price) <= o.touchTolerance * atr) count += 1;
    }
    return Math.max(1, count);
  };

  const volumeRatio = (p: number): number | null => {
    if (p < o.volumePeriod) return null;
    let sum = 0;
    for (let k = p - o.volumePeriod; k < p; k += 1) sum += candles[k]!.volume;
    const mean = sum / o.volumePeriod;
    return mean > 0 && Number.isFinite(mean) ? candles[p]!.volume / mean : null;
  };

  const record = (type: TrapType, level: WatchedLevel, pierceIndex: number, j: number, extreme: number, atr: number, threshold: number) => {
    const above = type === TrapTypes.LIQUIDITY_GRAB_HIGH || type === TrapTypes.FAKE_BREAKOUT_UP;
    const bar = toBar(candles[pierceIndex]!);
    const reclaimBar = toBar(candles[j]!);
    const depth = Math.abs(extreme - level.swing.price);
    const vol = volumeRatio(pierceIndex);
    const nTouches = touches(level.swing, j, atr);
    const barsToReclaim = j - pierceIndex;
    let liquidationNotionalUsd: number | null = null;
    if (liquidations) {
      liquidationNotionalUsd = 0;
      for (const l of liquidations) {
        if (l.time >= bar.openTime && l.time <= reclaimBar.closeTime && (above ? l.price >= level.swing.price : l.price <= level.swing.price)) liquidationNotionalUsd += l.notional;
      }
    }
    const depthAtr = depth / atr;
    const parts = [
      {
        name: 'wickSize',
        value: depthAtr,
        weight: WEIGHTS.wick,
        norm: clamp01(depthAtr),
        note: `Pierced ${depthAtr.toFixed(2)} ATR beyond the level (threshold ${o.sensitivity} ATR; 1 ATR or more scores fully).`,
      },
      {
        name: 'volume',
        value: vol ?? 0,
        weight: WEIGHTS.volume,
        norm: vol === null ? 0 : clamp01((vol - 1) / 2),
        note:
          vol === null
            ? `No volume average yet (needs ${o.volumePeriod} earlier bars): scores 0.`
            : `Piercing bar traded ${vol.toFixed(2)}× the mean volume of the ${o.volumePeriod} bars before it (1× scores 0, 3× or more fully).`,
      },
      {
        name: 'levelStrength',
        value: nTouches,
        weight: WEIGHTS.levelStrength,
        norm: clamp01(nTouches / 3),
        note: `${nTouches} confirmed swing ${above ? 'high' : 'low'}${nTouches === 1 ? '' : 's'} within ${o.touchTolerance} ATR of the level (3 or more score fully): more stops rest at equal ${above ? 'highs' : 'lows'}.`,
      },
      {
        name: 'reclaimSpeed',
        value: barsToReclaim,
        weight: WEIGHTS.reclaimSpeed,
        norm: clamp01(1 - barsToReclaim / (o.reclaimBars + 1)),
        note: barsToReclaim === 0 ? 'Closed back inside on the piercing bar itself.' : `Closed back inside ${barsToReclaim} bar${barsToReclaim === 1 ? '' : 's'} after the breakout (limit ${o.reclaimBars}).`,
      },
    ];
    const factors: Factor[] = parts.map((p) => ({ name: p.name, value: p.value, weight: p.weight, contribution: p.weight * p.norm, note: p.note }));
    const confidence = clamp01(factors.reduce((s, f) => s + f.contribution, 0));
    const time = reclaimBar.openTime;
    detections.push({
      index: j,
      trap: {
        id: `${type}:${time}:${level.swing.price}`,
        symbol: input.symbol,
        interval: input.interval,
        type,
        direction: above ? 'BEARISH' : 'BULLISH',
        level: level.swing.price,
        levelSource: above ? 'SWING_HIGH' : 'SWING_LOW',
        levelTime: level.swing.time,
        levelConfirmedAt: level.swing.confirmedAt,
        touches: nTouches,
        time,
        detectedAt: reclaimBar.closeTime,
        pierceTime: bar.openTime,
        barsToReclaim,
        extreme,
        pierceDepth: depth,
        atr,
        threshold,
        volumeRatio: vol,
        liquidationNotionalUsd,
        confidence,
        factors,
        bar,
        reclaimBar,
      },
    });
  };

  /** One side's step for bar j; sign +1 for highs (beyond = above), -1 for lows. */
  const step = (levels: WatchedLevel[], sign: 1 | -1, j: number, atr: number | null) => {
    const c = candles[j]!;
    const wick = sign === 1 ? c.high : c.low;
    const beyond = (price: number, by: number) => sign * (price - by) >= 0;
    const fakeType = sign === 1 ? TrapTypes.FAKE_BREAKOUT_UP : TrapTypes.FAKE_BREAKOUT_DOWN;
    const grabType = sign === 1 ? TrapTypes.LIQUIDITY_GRAB_HIGH : TrapTypes.LIQUIDITY_GRAB_LOW;
    // 1) Pending breakouts: back inside within K bars is a fake breakout, otherwise the level is broken.
    const reclaimed: WatchedLevel[] = [];
    for (let k = levels.length - 1; k >= 0; k -= 1) {
      const level = levels[k]!;
      if (level.breakoutIndex === null) continue;
      level.extreme = sign === 1 ? Math.max(level.extreme, c.high) : Math.min(level.extreme, c.low);
      if (sign * (c.close - level.swing.price) < 0) {
        reclaimed.push(level);
        levels.splice(k, 1);
      } else if (j - level.breakoutIndex >= o.reclaimBars) {
        levels.splice(k, 1);
      }
    }
    // The outermost level reclaimed names the trap; the others went with it.
    const fake = reclaimed.sort((a, b) => sign * (b.swing.price - a.swing.price))[0];
    if (fake) record(fakeType, fake, fake.breakoutIndex!, j, fake.extreme, fake.atr, fake.threshold);
    if (atr === null) return;
    // 2) Watched levels: a wick beyond + close back inside is a grab; a close beyond starts a breakout.
    const threshold = o.sensitivity * atr;
    const grabbed: WatchedLevel[] = [];
    for (let k = levels.length - 1; k >= 0; k -= 1) {
      const level = levels[k]!;
      if (level.breakoutIndex !== null) continue;
      const price = level.swing.price;
      if (beyond(c.close, price + sign * threshold)) {
        Object.assign(level, { breakoutIndex: j, extreme: wick, atr, threshold });
      } else if (beyond(wick, price + sign * threshold) && sign * (c.close - price) < 0) {
        grabbed.push(level);
        levels.splice(k, 1);
      }
    }
    const grab = grabbed.sort((a, b) => sign * (b.swing.price - a.swing.price))[0];
    if (grab) record(grabType, grab, j, j, wick, atr, threshold);
  };

  for (let j = 0; j < n; j += 1) {
    while (next < swings.length && swings[next]!.confirmedIndex < j) {
      const swing = swings[next]!;
      (swing.kind === 'HIGH' ? highs : lows).push({ swing, breakoutIndex: null, extreme: swing.price, atr: 0, threshold: 0 });
      next += 1;
    }
    for (const levels of [highs, lows]) {
      for (let k = levels.length - 1; k >= 0; k -= 1) if (levels[k]!.breakoutIndex === null && j - levels[k]!.swing.index > o.maxLevelAgeBars) levels.splice(k, 1);
    }
    const atr = j > 0 ? (atrAfter[j - 1] ?? null) : null;
    step(highs, 1, j, atr);
    step(lows, -1, j, atr);
  }

  const lastAtr = n > 0 ? (atrAfter[n - 1] ?? null) : null;
  const newestFirst = detections.slice().reverse();
  const active = newestFirst
    .filter(({ trap, index }) => {
      if (n - 1 - index > o.activeBars) return false;
      for (let k = index + 1; k < n; k += 1) {
        if (trap.direction === 'BEARISH' ? candles[k]!.high > trap.extreme : candles[k]!.low < trap.extreme) return false;
      }
      return true;
    })
    .map((d) => d.trap);
  const traps = newestFirst.slice(0, o.maxTraps).map((d) => d.trap);
  return {
    symbol: input.symbol,
    interval: input.interval,
    warmingUp: lastAtr === null,
    sensitivity: o.sensitivity,
    reclaimBars: o.reclaimBars,
    barsAnalyzed: n,
    firstBarTime: candles[0]?.openTime ?? null,
    lastBarTime: candles[n - 1]?.openTime ?? null,
    atr: lastAtr,
    threshold: lastAtr === null ? null : o.sensitivity * lastAtr,
    traps,
    active,
    latest: traps[0] ?? null,
  };
}

function toBar(c: TrapBar): TrapBar {
  return { openTime: c.openTime, closeTime: c.closeTime, open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume };
}

/**
 * Detections of an analysis whose bar completed within [from, to] (detection `time`, inclusive; either
 * bound optional), newest first, at most `limit`.
 */
export function selectTraps(traps: readonly Trap[], range: { from?: number | null; to?: number | null; limit: number }): Trap[] {
  if (!Number.isInteger(range.limit) || range.limit < 1) throw new RangeError(`selectTraps: limit must be an integer >= 1, got ${range.limit}`);
  const from = range.from ?? -Infinity;
  const to = range.to ?? Infinity;
  if (from > to) throw new RangeError(`selectTraps: from (${from}) must not be after to (${to})`);
  return traps.filter((t) => t.time >= from && t.time <= to).slice(0, range.limit);
}
