import { getPercentageChange } from 'trading-signals';
import type { Factor } from './types.js';
import {
  DEFAULT_OPEN_INTEREST_THRESHOLDS,
  OPEN_INTEREST_HORIZON_MS,
  OpenInterestDivergenceKinds,
  OpenInterestHorizons,
  OpenInterestQuadrants,
  type OpenInterestAnalysis,
  type OpenInterestChange,
  type OpenInterestDivergence,
  type OpenInterestHorizon,
  type OpenInterestInput,
  type OpenInterestObservation,
  type OpenInterestQuadrant,
  type OpenInterestThresholds,
  type PricePoint,
} from './open-interest.types.js';

/** Version of the method below; bump it whenever a number this analyzer produces would change. */
export const OPEN_INTEREST_METHODOLOGY_VERSION = 'open-interest/1.0.0';

/** Factor weights of the conviction score; they sum to 1. */
const WEIGHTS = { priceMove: 0.4, oiConfirmation: 0.4, divergence: 0.2 } as const;
const HORIZONS = Object.values(OpenInterestHorizons);
const LABEL: Readonly<Record<OpenInterestHorizon, string>> = { M5: '5m', H1: '1h', H4: '4h', H24: '24h' };
const MAX_EPOCH_MS = 8.64e15;

const fail = (message: string): never => {
  throw new Error(`computeOpenInterestAnalysis: ${message}`);
};
const quote = (value: unknown): string => (typeof value === 'number' ? String(value) : JSON.stringify(value));

/**
 * Price-vs-OI quadrant of one span. Flat bands are inclusive: |priceChangePct| ≤ priceFlatPct or
 * |oiChangePct| ≤ oiFlatPct gives FLAT. Otherwise price up + OI up NEW_LONGS, price up + OI down
 * SHORT_COVERING, price down + OI up NEW_SHORTS, price down + OI down LONG_LIQUIDATION.
 */
export function classifyOpenInterestQuadrant(
  priceChangePct: number,
  oiChangePct: number,
  bands: Pick<OpenInterestThresholds, 'priceFlatPct' | 'oiFlatPct'> = DEFAULT_OPEN_INTEREST_THRESHOLDS,
): OpenInterestQuadrant {
  if (Math.abs(priceChangePct) <= bands.priceFlatPct || Math.abs(oiChangePct) <= bands.oiFlatPct) return OpenInterestQuadrants.FLAT;
  if (priceChangePct > 0) return oiChangePct > 0 ? OpenInterestQuadrants.NEW_LONGS : OpenInterestQuadrants.SHORT_COVERING;
  return oiChangePct > 0 ? OpenInterestQuadrants.NEW_SHORTS : OpenInterestQuadrants.LONG_LIQUIDATION;
}

/**
 * Open-interest analysis of one perpetual: how much leverage is in the market and whether the latest
 * price move is carried by positions opening or closing.
 *
 * What it measures (T = time of the latest OI observation):
 * - `openInterest` (contracts) and `openInterestValue` (USD), each as reported and null when the source has
 *   none (Binance's daily openInterestHist export has the value only: contract changes and the quadrant are
 *   then null, the USD changes are still measured).
 * - For each horizon h of 5m, 1h, 4h, 24h: the change from the observation nearest to T − h (accepted when
 *   at most `alignmentTolerance × h` away, default 10 %, so a "4h" change spans 3.6-4.4 h; ties go to the
 *   earlier one; else null with a note saying how far history reaches or where the gap is), absolute
 *   and percent (`getPercentageChange` of trading-signals: (now − then) / then × 100), in contracts and USD;
 *   the price change over the same span (price path point nearest each end, at most `priceToleranceMs`
 *   away, two distinct points); and the quadrant of that span (see {@link classifyOpenInterestQuadrant}).
 * - `quadrant`: the quadrant of `quadrantHorizon` (default 1h).
 * - `divergences` over `divergenceHorizon` (default 1h): PRICE_HIGH_OI_FALLING when the price at T is
 *   strictly above every price path point in [from, T) while OI fell by more than its flat band;
 *   PRICE_LOW_OI_FALLING likewise for a new low.
 *
 * How to read the score (−100..100, 2 decimals): 100 × Σ weight × clamp(normalised, −1, 1) over
 * `priceMove` (0.4, price % / priceScalePct), `oiConfirmation` (0.4, sign(price move) × OI % / oiScalePct,
 * 0 when price is flat: positive when positions open in the direction of the move) and `divergence`
 * (0.2, −1 for PRICE_HIGH_OI_FALLING, +1 for PRICE_LOW_OI_FALLING). NEW_LONGS scores high, NEW_SHORTS low,
 * SHORT_COVERING and LONG_LIQUIDATION (moves made by closing positions) near zero.
 *
 * Pure: no I/O and no clock. Precondition violations throw an Error quoting the value: no observations,
 * times not strictly ascending or outside the Date range, negative or non-finite OI, non-positive prices,
 * invalid thresholds. Missing history gives nulls with a reason, never an invented number.
 *
 * @see https://developers.binance.com/docs/derivatives/usds-margined-futures/market-data/rest-api/Open-Interest-Statistics — Binance: open interest in contracts (sumOpenInterest) and USD (sumOpenInterestValue).
 * @see https://en.wikipedia.org/wiki/Open_interest — open interest rises when new positions open and falls when they close; read against price it tells opening from closing flow (the four-quadrant rule).
 */
export function computeOpenInterestAnalysis(input: Readonly<OpenInterestInput>): OpenInterestAnalysis {
  validateInput(input);
  const t = resolveThresholds(input.thresholds);
  const { points, prices } = input;
  const current = points[points.length - 1] as OpenInterestObservation;
  const T = current.time;
  const priceNow = priceNear(prices, T, t.priceToleranceMs);

  const changes = HORIZONS.map((horizon) => measureChange(horizon, points, prices, priceNow, t));
  const byHorizon = (h: OpenInterestHorizon) => changes.find((c) => c.horizon === h) as OpenInterestChange;
  const q = byHorizon(t.quadrantHorizon);
  const divergences = findDivergences(byHorizon(t.divergenceHorizon), prices, priceNow, t);

  const direction = q.priceChangePct === null || Math.abs(q.priceChangePct) <= t.priceFlatPct ? 0 : Math.sign(q.priceChangePct);
  const divergenceValue = divergences.reduce((v, d) => v + (d.kind === OpenInterestDivergenceKinds.PRICE_HIGH_OI_FALLING ? -1 : 1), 0);
  const label = LABEL[t.quadrantHorizon];
  const factors: Factor[] = [
    factor(
      'priceMove',
      q.priceChangePct ?? 0,
      WEIGHTS.priceMove,
      (q.priceChangePct ?? 0) / t.priceScalePct,
      q.priceChangePct === null
        ? `price change over ${label} not measured (${q.note}); counted as 0`
        : `price ${signed(q.priceChangePct)} over ${label} (saturates at ±${t.priceScalePct} %)`,
    ),
    factor(
      'oiConfirmation',
      q.oiChangePct ?? 0,
      WEIGHTS.oiConfirmation,
      (direction * (q.oiChangePct ?? 0)) / t.oiScalePct,
      confirmationNote(q, direction, label, t),
    ),
    factor(
      'divergence',
      divergenceValue,
      WEIGHTS.divergence,
      divergenceValue,
      divergences.length === 0 ? `no price/OI divergence over ${LABEL[t.divergenceHorizon]}` : divergences.map((d) => d.note).join('; '),
    ),
  ];

  return {
    symbol: input.symbol,
    warmingUp: q.oiChangePct === null || q.priceChangePct === null,
    time: T,
    openInterest: current.openInterest,
    openInterestValue: current.openInterestValue,
    price: priceNow?.price ?? null,
    changes,
    quadrantHorizon: t.quadrantHorizon,
    quadrant: q.quadrant,
    divergences,
    score: round2(100 * factors.reduce((sum, f) => sum + f.contribution, 0)),
    factors,
  };
}

function measureChange(
  horizon: OpenInterestHorizon,
  points: readonly OpenInterestObservation[],
  prices: readonly PricePoint[],
  priceNow: PricePoint | null,
  t: OpenInterestThresholds,
): OpenInterestChange {
  const h = OPEN_INTEREST_HORIZON_MS[horizon];
  const current = points[points.length - 1] as OpenInterestObservation;
  const target = current.time - h;
  const tolerance = t.alignmentTolerance * h;
  const empty: OpenInterestChange = {
    horizon,
    horizonMs: h,
    fromTime: null,
    oiChange: null,
    oiChangePct: null,
    valueChange: null,
    valueChangePct: null,
    priceChangePct: null,
    quadrant: null,
    note: '',
  };
  // The start point must lie strictly before the latest observation.
  const index = nearestIndex(points.length - 1, (i) => (points[i] as OpenInterestObservation).time, target, tolerance);
  if (index === null) {
    const first = points[0] as OpenInterestObservation;
    const reach = current.time - first.time;
    const note =
      points.length === 1
        ? `only one observation: no ${LABEL[horizon]} change yet`
        : first.time > target + tolerance
          ? `history reaches back ${duration(reach)} only; a ${LABEL[horizon]} change needs an observation within ±${duration(tolerance)} of ${iso(target)}`
          : `no observation within ±${duration(tolerance)} of ${iso(target)} (gap in the history)`;
    return { ...empty, note };
  }
  const from = points[index] as OpenInterestObservation;
  // Contracts unknown at either end (a value-only source): the contract change stays unknown, never 0.
  const oiChange = current.openInterest === null || from.openInterest === null ? null : current.openInterest - from.openInterest;
  const oiChangePct =
    oiChange !== null && from.openInterest !== null && current.openInterest !== null && from.openInterest > 0
      ? getPercentageChange(from.openInterest, current.openInterest)
      : null;
  const hasValues = from.openInterestValue !== null && current.openInterestValue !== null;
  const valueChange = hasValues ? (current.openInterestValue as number) - (from.openInterestValue as number) : null;
  const valueChangePct = hasValues && (from.openInterestValue as number) > 0 ? getPercentageChange(from.openInterestValue as number, current.openInterestValue as number) : null;

  const priceFrom = priceNear(prices, from.time, t.priceToleranceMs);
  let priceChangePct: number | null = null;
  let priceNote: string;
  if (priceNow === null || priceFrom === null) {
    priceNote = `no price within ${duration(t.priceToleranceMs)} of ${priceNow === null ? iso(current.time) : iso(from.time)}`;
  } else if (priceFrom.time >= priceNow.time) {
    priceNote = 'price path too sparse for this span';
  } else {
    priceChangePct = getPercentageChange(priceFrom.price, priceNow.price);
    priceNote = `price ${signed(priceChangePct)}`;
  }
  const quadrant = priceChangePct === null || oiChangePct === null ? null : classifyOpenInterestQuadrant(priceChangePct, oiChangePct, t);
  const oiNote =
    oiChange === null
      ? `OI in contracts not reported by the source${valueChangePct === null ? '' : ` (value ${signed(valueChangePct)})`}`
      : oiChangePct === null
        ? `OI ${oiChange >= 0 ? '+' : ''}${oiChange} contracts from 0`
        : `OI ${signed(oiChangePct)}`;
  return {
    ...empty,
    fromTime: from.time,
    oiChange,
    oiChangePct,
    valueChange,
    valueChangePct,
    priceChangePct,
    quadrant,
    note: `since ${iso(from.time)}: ${oiNote}, ${priceNote}${quadrant === null ? '' : ` → ${quadrant}`}`,
  };
}

function findDivergences(
  change: OpenInterestChange,
  prices: readonly PricePoint[],
  priceNow: PricePoint | null,
  t: OpenInterestThresholds,
): OpenInterestDivergence[] {
  if (change.fromTime === null || change.oiChangePct === null || priceNow === null) return [];
  if (change.oiChangePct >= -t.oiFlatPct) return [];
  const fromTime = change.fromTime;
  const window = prices.filter((p) => p.time >= fromTime && p.time < priceNow.time).map((p) => p.price);
  if (window.length === 0) return [];
  const high = Math.max(...window);
  const low = Math.min(...window);
  const label = LABEL[change.horizon];
  const base = { horizon: change.horizon, price: priceNow.price, oiChangePct: change.oiChangePct };
  if (priceNow.price > high) {
    return [
      {
        ...base,
        kind: OpenInterestDivergenceKinds.PRICE_HIGH_OI_FALLING,
        previousExtreme: high,
        note: `price ${priceNow.price} is a new ${label} high (previous ${high}) while OI fell ${signed(change.oiChangePct)}: the rally is short covering, not new longs`,
      },
    ];
  }
  if (priceNow.price < low) {
    return [
      {
        ...base,
        kind: OpenInterestDivergenceKinds.PRICE_LOW_OI_FALLING,
        previousExtreme: low,
        note: `price ${priceNow.price} is a new ${label} low (previous ${low}) while OI fell ${signed(change.oiChangePct)}: longs are capitulating rather than new shorts selling`,
      },
    ];
  }
  return [];
}

function confirmationNote(q: OpenInterestChange, direction: number, label: string, t: OpenInterestThresholds): string {
  if (q.oiChangePct === null) return `OI change over ${label} not measured (${q.note}); counted as 0`;
  if (direction === 0) return `OI ${signed(q.oiChangePct)} over ${label} while price is flat or unknown: no direction to confirm, counted as 0`;
  const confirms = direction * q.oiChangePct > 0;
  return `OI ${signed(q.oiChangePct)} over ${label} ${confirms ? 'confirms' : 'does not confirm'} the ${direction > 0 ? 'rise' : 'fall'} (positions ${q.oiChangePct > 0 ? 'opening' : 'closing'}; saturates at ±${t.oiScalePct} %)`;
}

/** Index in [0, count) of the time nearest `target` (ties: the earlier), when within `tolerance`. Times ascend. */
function nearestIndex(count: number, timeAt: (i: number) => number, target: number, tolerance: number): number | null {
  if (count <= 0) return null;
  let lo = 0;
  let hi = count; // first index with time > target
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (timeAt(mid) <= target) lo = mid + 1;
    else hi = mid;
  }
  const candidates = [lo - 1, lo].filter((i) => i >= 0 && i < count);
  let best: number | null = null;
  for (const i of candidates) {
    const d = Math.abs(timeAt(i) - target);
    if (d <= tolerance && (best === null || d < Math.abs(timeAt(best) - target))) best = i;
  }
  return best;
}

function priceNear(prices: readonly PricePoint[], time: number, tolerance: number): PricePoint | null {
  const i = nearestIndex(prices.length, (k) => (prices[k] as PricePoint).time, time, tolerance);
  return i === null ? null : (prices[i] as PricePoint);
}

function resolveThresholds(overrides: Partial<OpenInterestThresholds> | undefined): OpenInterestThresholds {
  const t: OpenInterestThresholds = { ...DEFAULT_OPEN_INTEREST_THRESHOLDS };
  for (const key of Object.keys(t) as (keyof OpenInterestThresholds)[]) {
    const value = overrides?.[key];
    if (value !== undefined) (t as unknown as Record<string, unknown>)[key] = value;
  }
  for (const key of ['priceFlatPct', 'oiFlatPct', 'priceToleranceMs'] as const) {
    if (!Number.isFinite(t[key]) || t[key] < 0) fail(`thresholds.${key} must be a finite number >= 0, got ${quote(t[key])}`);
  }
  for (const key of ['priceScalePct', 'oiScalePct'] as const) {
    if (!Number.isFinite(t[key]) || t[key] <= 0) fail(`thresholds.${key} must be a finite number > 0, got ${quote(t[key])}`);
  }
  if (!Number.isFinite(t.alignmentTolerance) || t.alignmentTolerance <= 0 || t.alignmentTolerance > 1)
    fail(`thresholds.alignmentTolerance must be in (0, 1], got ${quote(t.alignmentTolerance)}`);
  for (const key of ['quadrantHorizon', 'divergenceHorizon'] as const) {
    if (!HORIZONS.includes(t[key])) fail(`thresholds.${key} must be one of ${HORIZONS.join(', ')}, got ${quote(t[key])}`);
  }
  return t;
}

function validateInput(input: Readonly<OpenInterestInput>): void {
  const { points, prices } = input;
  if (!Array.isArray(points) || points.length === 0) fail('points must not be empty');
  if (!Array.isArray(prices)) fail(`prices must be an array, got ${quote(prices)}`);
  let previous = -Infinity;
  points.forEach((p, i) => {
    checkTime(`points[${i}].time`, p.time);
    if (p.time <= previous) fail(`points must be strictly ascending by time, but points[${i}].time ${quote(p.time)} <= ${quote(previous)}`);
    previous = p.time;
    if (p.openInterest !== null && (!Number.isFinite(p.openInterest) || p.openInterest < 0))
      fail(`points[${i}].openInterest must be null or a finite number >= 0, got ${quote(p.openInterest)}`);
    if (p.openInterest === null && p.openInterestValue === null) fail(`points[${i}] has neither openInterest nor openInterestValue`);
    if (p.openInterestValue !== null && (!Number.isFinite(p.openInterestValue) || p.openInterestValue < 0))
      fail(`points[${i}].openInterestValue must be null or a finite number >= 0, got ${quote(p.openInterestValue)}`);
  });
  previous = -Infinity;
  prices.forEach((p, i) => {
    checkTime(`prices[${i}].time`, p.time);
    if (p.time <= previous) fail(`prices must be strictly ascending by time, but prices[${i}].time ${quote(p.time)} <= ${quote(previous)}`);
    previous = p.time;
    if (!Number.isFinite(p.price) || p.price <= 0) fail(`prices[${i}].price must be a finite number > 0, got ${quote(p.price)}`);
  });
}

function checkTime(name: string, value: number): void {
  if (!Number.isFinite(value) || Math.abs(value) > MAX_EPOCH_MS) fail(`${name} must be a finite epoch ms within ±${MAX_EPOCH_MS}, got ${quote(value)}`);
}

function factor(name: string, value: number, weight: number, normalised: number, note: string): Factor {
  const contribution = weight * Math.min(1, Math.max(-1, normalised));
  return { name, value, weight, contribution: contribution === 0 ? 0 : contribution, note };
}

const signed = (pct: number): string => `${pct > 0 ? '+' : ''}${pct.toFixed(2)} %`;
const iso = (ms: number): string => (Math.abs(ms) <= MAX_EPOCH_MS ? new Date(ms).toISOString() : `${ms} ms`);

function duration(ms: number): string {
  if (ms < 3_600_000) return `${Number((ms / 60_000).toFixed(1))} min`;
  const minutes = Math.round(ms / 60_000);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** Rounds half away from zero to 2 decimals, never returning −0. */
function round2(x: number): number {
  const r = (Math.sign(x) * Math.round(Math.abs(x) * 100)) / 100;
  return r === 0 ? 0 : r;
}
