import type { AnalysisKind } from '../domain/analysis.js';
import { roundToTick } from '../domain/price.js';

/**
 * Where the prices are in a result: `true` rounds the number at that key, a nested spec walks into the
 * object (or into every element of an array) at that key. Keys not named are served as computed.
 */
export interface PriceSpec {
  readonly [key: string]: true | PriceSpec;
}

/** How a result is put on the tick grid: which fields are prices, and what to re-derive from them. */
interface PriceRounding {
  spec: PriceSpec;
  /** Re-derive values computed from the prices (distances) so the served numbers agree with each other. */
  after?: (rounded: Record<string, unknown>) => void;
}

const VWAP_BANDS: PriceSpec = { vwap: true, upper1: true, upper2: true, lower1: true, lower2: true };

interface Priced {
  price: number;
  distancePct: number;
}

/** distancePct = (level − reference) / reference × 100, the analyzers' definition, on the served prices. */
function redistance(reference: unknown, ...groups: unknown[]): void {
  if (typeof reference !== 'number' || reference === 0) return;
  for (const group of groups) {
    for (const item of Array.isArray(group) ? group : [group]) {
      const p = item as Priced | null | undefined;
      if (p && typeof p.price === 'number' && typeof p.distancePct === 'number') p.distancePct = ((p.price - reference) / reference) * 100;
    }
  }
}

/**
 * Price-valued fields of each analysis, rounded to the market's tick size at the GraphQL boundary
 * (analyzers keep full precision; snapshots and `analysisUpdated.payload` hold their raw output).
 * Rounded: prices the analyzers compute as levels a trader would act on — key levels (swing-cluster means,
 * Fibonacci levels), whale targets (notional-weighted cluster prices), liquidation-zone VWAPs, VWAP lines,
 * Bollinger bands and the forecast's expected price and interval bounds; their distancePct is re-derived from
 * the served prices.
 * Not rounded: prices copied from the tape (candle OHLC, swings, fills, trades: on the grid already),
 * bucket grids (volume profile and heatmap buckets, zones and value area edges follow bucketSize and stay
 * consistent with each other), options strikes (max pain, walls: listed strikes, no perpetual tick),
 * and what is not a price: distances (ATR, σ, bucket widths), percentages, notionals.
 */
export const PRICE_ROUNDING: Partial<Record<AnalysisKind, PriceRounding>> = {
  KEY_LEVELS: {
    spec: { levels: { price: true }, nearestSupport: { price: true }, nearestResistance: { price: true } },
    after: (r) => redistance(r.price, r.levels, r.nearestSupport, r.nearestResistance),
  },
  LIQUIDATION_HEATMAP: {
    spec: { whaleTargets: { price: true } },
    after: (r) => redistance(r.price, r.whaleTargets),
  },
  LIQUIDATION_CASCADES: { spec: { zones: { vwap: true } } },
  VOLUME: {
    spec: {
      session: VWAP_BANDS,
      anchored: { vwap: true },
      series: { sessionVwap: true, sessionUpper1: true, sessionUpper2: true, sessionLower1: true, sessionLower2: true, anchoredVwap: true },
    },
  },
  VOLATILITY: { spec: { bollinger: { upper: true, middle: true, lower: true } } },
  FORECAST: { spec: { horizons: { expectedPrice: true, intervals: { low: true, high: true } } } },
};

/** A copy of `value` with the numbers `spec` names rounded to `tick`; everything else is shared, not copied. */
export function roundBySpec<T>(value: T, spec: PriceSpec, tick: number): T {
  return walk(value, spec, tick) as T;
}

function walk(value: unknown, spec: PriceSpec, tick: number): unknown {
  if (Array.isArray(value)) return value.map((v) => walk(v, spec, tick));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [key, rule] of Object.entries(spec)) {
    const v = out[key];
    if (rule === true) {
      if (typeof v === 'number') out[key] = roundToTick(v, tick);
    } else if (typeof v === 'object' && v !== null) {
      out[key] = walk(v, rule, tick);
    }
  }
  return out;
}

/** The result with its price fields on the tick grid, or unchanged for kinds without prices or an unknown tick. */
export function roundAnalysisPrices<R>(kind: AnalysisKind, result: R, tickSize: number | undefined): R {
  const rounding = PRICE_ROUNDING[kind];
  if (!rounding || tickSize === undefined || !(tickSize > 0)) return result;
  const rounded = roundBySpec(result, rounding.spec, tickSize);
  rounding.after?.(rounded as Record<string, unknown>);
  return rounded;
}
