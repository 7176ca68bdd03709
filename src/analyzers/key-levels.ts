import { mean as meanOf } from '../math/statistics.js';
import { detectSwings, type Swing } from './swings.js';
import type { Factor } from './types.js';
import {
  DEFAULT_KEY_LEVEL_THRESHOLDS,
  FIB_EXTENSIONS,
  FIB_RETRACEMENTS,
  KeyLevelKinds,
  LegDirections,
  LevelSides,
  type FibLeg,
  type KeyLevel,
  type KeyLevelCandle,
  type KeyLevelKind,
  type KeyLevels,
  type KeyLevelsInput,
  type KeyLevelThresholds,
  type PeriodHlc,
} from './key-levels.types.js';

/** Version of the method below; bump it whenever a number this analyzer produces would change. */
export const KEY_LEVELS_METHODOLOGY_VERSION = 'key-levels/1.0.0';

/** Largest accepted tolerancePct. */
export const MAX_KEY_LEVEL_TOLERANCE_PCT = 10;

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
/** 1970-01-01 was a Thursday; the first Monday 00:00 UTC is 4 days later. */
const MONDAY_OFFSET_MS = 4 * DAY_MS;
/** Strength weights of a swing cluster; they sum to 1. Touches saturate at TOUCH_CAP. */
const CLUSTER_WEIGHTS = { touches: 0.6, recency: 0.4 } as const;
const TOUCH_CAP = 4;

const fail = (message: string): never => {
  throw new Error(`computeKeyLevels: ${message}`);
};

/** Start (epoch ms) of the UTC day containing t. */
export const utcDayStart = (t: number): number => Math.floor(t / DAY_MS) * DAY_MS;
/** Start (epoch ms) of the UTC week (Monday 00:00) containing t. */
export const utcWeekStart = (t: number): number => Math.floor((t - MONDAY_OFFSET_MS) / WEEK_MS) * WEEK_MS + MONDAY_OFFSET_MS;

/** Volume-by-price histogram: `bins` equal bins over [lowest low, highest high]. */
export interface VolumeHistogram {
  low: number;
  high: number;
  binSize: number;
  volumes: number[];
}

/**
 * Volume by price from candles: each candle's volume is spread uniformly over its low..high range and
 * split among the bins in proportion to the overlap (a candle with low = high puts it all in its bin).
 * Null without candles or when every candle has the same single price.
 */
export function volumeByPrice(candles: readonly Pick<KeyLevelCandle, 'high' | 'low' | 'volume'>[], bins: number): VolumeHistogram | null {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`volumeByPrice: bins must be an integer >= 1, got ${String(bins)}`);
  if (candles.length === 0) return null;
  const low = Math.min(...candles.map((c) => c.low));
  const high = Math.max(...candles.map((c) => c.high));
  if (!(high > low)) return null;
  const binSize = (high - low) / bins;
  const volumes = new Array<number>(bins).fill(0);
  const binOf = (p: number) => Math.min(bins - 1, Math.max(0, Math.floor((p - low) / binSize)));
  for (const c of candles) {
    if (c.volume <= 0) continue;
    const range = c.high - c.low;
    if (range <= 0) {
      volumes[binOf(c.low)]! += c.volume;
      continue;
    }
    for (let b = binOf(c.low); b <= binOf(c.high); b += 1) {
      const overlap = Math.min(c.high, low + (b + 1) * binSize) - Math.max(c.low, low + b * binSize);
      if (overlap > 0) volumes[b]! += (c.volume * overlap) / range;
    }
  }
  return { low, high, binSize, volumes };
}

function validate(input: Readonly<KeyLevelsInput>, t: KeyLevelThresholds): void {
  if (!(Number.isFinite(input.price) && input.price > 0)) fail(`price must be a positive number, got ${String(input.price)}`);
  if (!Number.isFinite(input.time)) fail(`time must be epoch milliseconds, got ${String(input.time)}`);
  if (!(Number.isFinite(t.tolerancePct) && t.tolerancePct > 0 && t.tolerancePct <= MAX_KEY_LEVEL_TOLERANCE_PCT)) {
    fail(`tolerancePct must be in (0, ${MAX_KEY_LEVEL_TOLERANCE_PCT}], got ${String(t.tolerancePct)}`);
  }
  if (!Number.isInteger(t.confirmBars) || t.confirmBars < 1) fail(`confirmBars must be an integer >= 1, got ${String(t.confirmBars)}`);
  if (!Number.isInteger(t.volumeBins) || t.volumeBins < 3) fail(`volumeBins must be an integer >= 3, got ${String(t.volumeBins)}`);
  if (!Number.isInteger(t.volumeNodes) || t.volumeNodes < 0) fail(`volumeNodes must be an integer >= 0, got ${String(t.volumeNodes)}`);
  for (const [name, series] of [['candles', input.candles], ['referenceCandles', input.referenceCandles ?? []]] as const) {
    let previous = -Infinity;
    series.forEach((c, i) => {
      if (!Number.isFinite(c.openTime) || c.openTime <= previous) fail(`${name} must be strictly ascending by openTime; ${name}[${i}] has openTime ${String(c.openTime)}`);
      previous = c.openTime;
      if (![c.high, c.low, c.close, c.volume].every(Number.isFinite) || c.low > c.high || c.low <= 0 || c.volume < 0) {
        fail(`${name}[${i}] is not a valid bar: high ${String(c.high)}, low ${String(c.low)}, volume ${String(c.volume)}`);
      }
    });
  }
}

const round = (x: number, digits = 6) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * Key price levels around the current price: where the market turned before (swing clusters), where it
 * traded most (volume nodes), Fibonacci ratios of the last confirmed swing-to-swing leg, and the prior
 * UTC day's and week's high, low and close.
 *
 * How it works:
 * - Swing clusters: confirmed swings ({@link detectSwings}, `confirmBars` each side; highs and lows
 *   together, since broken resistance becomes support) sorted by price; a swing joins the current
 *   cluster when it is within `tolerancePct` of the cluster's lowest member, else starts a new one. The
 *   level is the mean member price; `touches` = members; strength = 100 × (0.6 × min(touches, 4) / 4 +
 *   0.4 × recency), recency = 1 − (bars after the newest member's swing bar) / bars.
 * - Volume nodes: {@link volumeByPrice} with `volumeBins` bins; local peaks (above the left neighbour and
 *   not below the right one; an edge bin must be above its only neighbour), the `volumeNodes` largest; price = bin middle; strength = 100 × volume /
 *   largest bin (100 = point of control).
 * - Fibonacci: the leg runs from the latest swing of the opposite kind before the last confirmed swing
 *   (A) to that swing (B). Retracement r at B − r × (B − A) (r = 0.236, 0.382, 0.5, 0.618, 0.786);
 *   extension e at A + e × (B − A) (e = 1.272, 1.618), i.e. beyond B in the leg's direction.
 * - Prior day / week: high, low, close of the UTC day (week from Monday 00:00 UTC) before the one
 *   containing `time`, from `referenceCandles`; null unless those candles span the whole period.
 * Every level gets `distancePct` = (level − price) / price × 100 and a side: SUPPORT below the price,
 * RESISTANCE at or above it.
 *
 * How to read it: levels where several kinds agree (a swing cluster near a volume node and a 0.618
 * retracement) matter most; strength ranks clusters and nodes. Analysis, not advice.
 *
 * Pure: no I/O and no clock. Throws (quoting the value) on a bad price, time, tolerance or bars. Without a
 * confirmed swing high and low: `warmingUp: true`, no swing levels and no leg (never invented ones).
 *
 * @see https://www.investopedia.com/trading/support-and-resistance-basics/ — support and resistance.
 * @see https://www.investopedia.com/terms/f/fibonacciretracement.asp — Fibonacci retracement ratios.
 * @see https://www.investopedia.com/terms/v/volume-analysis.asp — volume at price (volume profile).
 */
export function computeKeyLevels(input: Readonly<KeyLevelsInput>): KeyLevels {
  const t: KeyLevelThresholds = { ...DEFAULT_KEY_LEVEL_THRESHOLDS, ...input.thresholds };
  validate(input, t);
  const { candles, price } = input;
  const swings = detectSwings(candles, { confirmBars: t.confirmBars });

  const make = (kind: KeyLevelKind, level: number, rest: Partial<KeyLevel> & { note: string }): KeyLevel => ({
    kind,
    price: level,
    distancePct: round(((level - price) / price) * 100),
    side: level < price ? LevelSides.SUPPORT : LevelSides.RESISTANCE,
    strength: null,
    touches: null,
    lastTouchTime: null,
    ratio: null,
    factors: [],
    ...rest,
  });

  const levels: KeyLevel[] = [
    ...swingClusters(swings, candles.length, t.tolerancePct).map((c) => make(KeyLevelKinds.SWING_CLUSTER, c.price, c)),
    ...volumeNodes(candles, t).map((n) => make(KeyLevelKinds.VOLUME_NODE, n.price, n)),
  ];

  const leg = lastLeg(swings);
  if (leg) {
    const a = leg.fromPrice;
    const b = leg.toPrice;
    for (const r of FIB_RETRACEMENTS) {
      levels.push(make(KeyLevelKinds.FIB_RETRACEMENT, b - r * (b - a), { ratio: r, note: `${r} retracement of the ${leg.direction.toLowerCase()} leg ${a} → ${b}.` }));
    }
    for (const e of FIB_EXTENSIONS) {
      levels.push(make(KeyLevelKinds.FIB_EXTENSION, a + e * (b - a), { ratio: e, note: `${e} extension of the ${leg.direction.toLowerCase()} leg ${a} → ${b}.` }));
    }
  }

  const reference = input.referenceCandles ?? candles;
  const dayStart = utcDayStart(input.time) - DAY_MS;
  const weekStart = utcWeekStart(input.time) - WEEK_MS;
  const priorDay = periodHlc(reference, dayStart, dayStart + DAY_MS);
  const priorWeek = periodHlc(reference, weekStart, weekStart + WEEK_MS);
  for (const [period, label, kinds] of [
    [priorDay, 'day', [KeyLevelKinds.PRIOR_DAY_HIGH, KeyLevelKinds.PRIOR_DAY_LOW, KeyLevelKinds.PRIOR_DAY_CLOSE]],
    [priorWeek, 'week', [KeyLevelKinds.PRIOR_WEEK_HIGH, KeyLevelKinds.PRIOR_WEEK_LOW, KeyLevelKinds.PRIOR_WEEK_CLOSE]],
  ] as const) {
    if (!period) continue;
    const iso = new Date(period.start).toISOString().slice(0, 10);
    levels.push(make(kinds[0], period.high, { lastTouchTime: period.start, note: `High of the UTC ${label} starting ${iso}.` }));
    levels.push(make(kinds[1], period.low, { lastTouchTime: period.start, note: `Low of the UTC ${label} starting ${iso}.` }));
    levels.push(make(kinds[2], period.close, { lastTouchTime: period.start, note: `Close of the UTC ${label} starting ${iso}.` }));
  }

  levels.sort((x, y) => y.price - x.price);
  const below = levels.filter((l) => l.side === LevelSides.SUPPORT);
  const above = levels.filter((l) => l.side === LevelSides.RESISTANCE);
  return {
    symbol: input.symbol,
    interval: input.interval,
    tolerancePct: t.tolerancePct,
    warmingUp: leg === null,
    time: input.time,
    price,
    bars: candles.length,
    levels,
    nearestSupport: below[0] ?? null,
    nearestResistance: above.at(-1) ?? null,
    leg,
    priorDay,
    priorWeek,
  };
}

interface ClusterDraft {
  price: number;
  touches: number;
  lastTouchTime: number;
  strength: number;
  note: string;
  factors: Factor[];
}

/** Greedy clustering of swing prices (ascending), each cluster at most tolerancePct wide. */
export function swingClusters(swings: readonly Swing[], bars: number, tolerancePct: number): ClusterDraft[] {
  const sorted = [...swings].sort((a, b) => a.price - b.price || a.index - b.index);
  const groups: Swing[][] = [];
  for (const s of sorted) {
    const group = groups.at(-1);
    if (group && ((s.price - group[0]!.price) / group[0]!.price) * 100 <= tolerancePct) group.push(s);
    else groups.push([s]);
  }
  return groups.map((g) => {
    const touches = g.length;
    const newest = g.reduce((m, s) => (s.index > m.index ? s : m));
    const ageBars = bars - 1 - newest.index;
    const recency = 1 - ageBars / bars;
    const touchValue = Math.min(touches, TOUCH_CAP) / TOUCH_CAP;
    const highs = g.filter((s) => s.kind === 'HIGH').length;
    const mean = meanOf(g.map((x) => x.price));
    return {
      price: mean,
      touches,
      lastTouchTime: newest.time,
      strength: round(100 * (CLUSTER_WEIGHTS.touches * touchValue + CLUSTER_WEIGHTS.recency * recency), 4),
      note: `${highs} swing high(s) and ${touches - highs} swing low(s) within ${tolerancePct} % (${Math.min(...g.map((s) => s.price))}..${Math.max(...g.map((s) => s.price))}).`,
      factors: [
        {
          name: 'touches',
          value: touches,
          weight: CLUSTER_WEIGHTS.touches,
          contribution: CLUSTER_WEIGHTS.touches * touchValue,
          note: `Swings in the cluster; min(touches, ${TOUCH_CAP}) / ${TOUCH_CAP} = ${round(touchValue, 4)}.`,
        },
        {
          name: 'recency',
          value: ageBars,
          weight: CLUSTER_WEIGHTS.recency,
          contribution: CLUSTER_WEIGHTS.recency * recency,
          note: `Bars since the newest swing of the cluster; 1 − ${ageBars} / ${bars} = ${round(recency, 4)}.`,
        },
      ],
    };
  });
}

function volumeNodes(candles: readonly KeyLevelCandle[], t: KeyLevelThresholds): { price: number; strength: number; note: string; factors: Factor[] }[] {
  if (t.volumeNodes === 0) return [];
  const h = volumeByPrice(candles, t.volumeBins);
  if (!h) return [];
  const max = Math.max(...h.volumes);
  if (!(max > 0)) return [];
  const v = h.volumes;
  const peaks = v
    .map((volume, b) => ({ volume, b }))
    .filter(({ volume, b }) => volume > 0 && (b === 0 ? volume > (v[1] ?? 0) : volume > v[b - 1]! && (b === v.length - 1 || volume >= v[b + 1]!)))
    .sort((x, y) => y.volume - x.volume || x.b - y.b)
    .slice(0, t.volumeNodes);
  return peaks.map(({ volume, b }) => {
    const share = volume / max;
    return {
      price: h.low + (b + 0.5) * h.binSize,
      strength: round(100 * share, 4),
      note: `${share === 1 ? 'Point of control: ' : ''}volume peak of bin ${h.low + b * h.binSize}..${h.low + (b + 1) * h.binSize} (${round(volume, 4)} base units).`,
      factors: [{ name: 'volumeShare', value: volume, weight: 1, contribution: share, note: 'Bin volume (base asset) / largest bin volume.' }],
    };
  });
}

/** The last confirmed swing and the latest swing of the opposite kind on an earlier bar. */
function lastLeg(swings: readonly Swing[]): FibLeg | null {
  const end = swings.at(-1);
  if (!end) return null;
  let start: Swing | undefined;
  for (let k = swings.length - 2; k >= 0; k -= 1) {
    const s = swings[k]!;
    if (s.kind !== end.kind && s.index < end.index) {
      start = s;
      break;
    }
  }
  if (!start) return null;
  return {
    direction: end.kind === 'HIGH' ? LegDirections.UP : LegDirections.DOWN,
    fromPrice: start.price,
    fromTime: start.time,
    toPrice: end.price,
    toTime: end.time,
    confirmedAt: end.confirmedAt,
  };
}

/** High/low/close of the candles opening in [start, end); null unless they span the whole period. */
function periodHlc(candles: readonly KeyLevelCandle[], start: number, end: number): PeriodHlc | null {
  const inside = candles.filter((c) => c.openTime >= start && c.openTime < end);
  const first = inside[0];
  const last = inside.at(-1);
  if (!first || !last || first.openTime !== start || last.closeTime < end - 1) return null;
  return { start, high: Math.max(...inside.map((c) => c.high)), low: Math.min(...inside.map((c) => c.low)), close: last.close };
}
