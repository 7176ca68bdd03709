import type { Factor } from './types.js';
import {
  CASCADE_LEVEL_BY_SEVERITY,
  DEFAULT_CASCADE_OPTIONS,
  LiquidationDominances,
  LiquidationFeeds,
  type CascadeLiquidation,
  type LiquidationCascadeAnalysis,
  type LiquidationCascadeInput,
  type LiquidationCascadeOptions,
  type LiquidationDominance,
  type LiquidationFeed,
  type LiquidationZone,
  type SeverityBoundaries,
} from './liquidation-cascades.types.js';

/** Version of the method below; bump it whenever a number this analyzer produces would change. */
export const LIQUIDATION_CASCADES_METHODOLOGY_VERSION = 'liquidation-cascades/1.0.0';

const HOUR_MS = 3_600_000;
/** Largest |epoch ms| a JavaScript Date can hold; bounds every time input so differences stay finite. */
const MAX_EPOCH_MS = 8.64e15;

const fail = (message: string): never => {
  throw new Error(`computeLiquidationCascades: ${message}`);
};
const quote = (value: unknown): string => (typeof value === 'number' ? String(value) : JSON.stringify(value));

/**
 * Severity 1..5 of `value` against four ascending lower bounds, inclusive: 1 + the number of bounds
 * with `value >= bound`. With [2, 4, 8, 16]: 1.99 → 1, 2 → 2, 4 → 3, 8 → 4, 16 → 5.
 */
export function severityLevel(value: number, boundaries: SeverityBoundaries): number {
  let level = 1;
  for (const bound of boundaries) if (value >= bound) level += 1;
  return level;
}

/**
 * Liquidation cascades of one perpetual: how fast positions are being force-closed right now, how unusual
 * that is for the symbol and for its traded volume, which side is being flushed, and at which prices
 * liquidations clustered.
 *
 * What it measures, with W = `windowMs` (1 h) and S = `shortWindowMs` (5 min); every interval is
 * half-open (start, end], events at or before `observedSince` are ignored and events stamped after `now`
 * (a venue clock slightly ahead) count as at `now`:
 * - `velocityUsdPerHour` = Σ notional in (now − W, now] / (W in hours); `shortVelocityUsdPerHour` the
 *   same over S. Each is null until its window lies inside the observed period.
 * - `baselineVelocityUsdPerHour`: the same over the baseline (max(observedSince, now − W − 24 h), now − W],
 *   i.e. before the window so a cascade cannot dilute its own baseline; null (and `warmingUp`) until at
 *   least `minBaselineMs` (3 h) of it is observed. `baselineRatio` = velocity / baseline velocity (null
 *   when the baseline is 0: there is nothing to be a multiple of).
 * - `volumeShare` = velocity / `typicalHourlyVolumeUsd`: the liquidated share of what the market usually
 *   trades in an hour, which scales an absolute USD threshold to the symbol's size.
 *
 * How to read the severity (1 CALM, 2 ELEVATED, 3 CASCADE, 4 SEVERE, 5 EXTREME): each measure gets a level
 * from its inclusive lower bounds (see {@link severityLevel}) — `baselineRatio` ×2 / ×4 / ×8 / ×16,
 * `volumeShare` 0.25 % / 0.5 % / 1 % / 2 % — and the severity is the LOWER of the two levels: a cascade has to
 * be both unusual for the symbol and material for its market (a quiet baseline makes small bursts look
 * huge in ratio; a structurally liquidation-heavy altcoin always looks big against volume). With one
 * measure unavailable the other decides alone; with neither the severity is null, except that a fully
 * observed window without any liquidation is 1. The factor of the deciding measure carries weight 1
 * (0.5 each on a tie) and contribution weight × (level − 1) / 4, so severity = 1 + 4 × Σ contributions.
 * - `dominance` over the window: LONGS_LIQUIDATED when longs (SELL orders) make ≥ `dominanceShare` (60 %)
 *   of the notional, SHORTS_LIQUIDATED when shorts (BUY orders) do, BALANCED otherwise, NONE without
 *   liquidations.
 * - `zones`: fill prices of the last `zoneLookbackMs` (24 h) sorted ascending and cut into zones where a
 *   price is more than `zoneGap` (0.2 %) above the previous one or more than `zoneMaxWidth` (1 %) above
 *   the zone's low; zones with at least `minZoneCount` (3) liquidations and `minZoneShare` (5 %) of the
 *   notional are reported, largest notional first, at most `maxZones` (5). Zones where longs were flushed
 *   below the price are candidate support, zones where shorts were squeezed above it candidate resistance.
 * - `feed`: SAMPLED when any observed liquidation has `complete: false` (Binance forceOrder keeps at most
 *   one per symbol per second), COMPLETE when all are complete, UNKNOWN before the first one. On a sampled
 *   feed every velocity and notional is a lower bound; the factor notes say so.
 *
 * Pure: no I/O and no clock; time is `input.now`. Precondition violations throw an Error that quotes the
 * offending value: liquidations not ascending by time, a non-finite or non-positive price, a negative
 * notional, an unknown side, observedSince after now, times outside the JavaScript Date range, a
 * non-positive typical volume, invalid options.
 *
 * @see https://developers.binance.com/docs/derivatives/usds-margined-futures/websocket-market-streams/Liquidation-Order-Streams — Binance forceOrder: 1 s snapshot, SELL closes a long.
 * @see https://bybit-exchange.github.io/docs/v5/websocket/public/all-liquidation — Bybit allLiquidation: every liquidation.
 * @see https://en.wikipedia.org/wiki/Single-linkage_clustering — gap-based (single-linkage) clustering of the fill prices.
 */
export function computeLiquidationCascades(input: Readonly<LiquidationCascadeInput>): LiquidationCascadeAnalysis {
  validateInput(input);
  const o = resolveOptions(input.options);
  const { now, observedSince, typicalHourlyVolumeUsd: volume } = input;
  const observedMs = now - observedSince;

  const windowStart = now - o.windowMs;
  const shortStart = now - o.shortWindowMs;
  const baselineStart = Math.max(observedSince, windowStart - o.baselineWindowMs);
  const baselineSpan = windowStart - baselineStart;
  const zoneStart = Math.max(observedSince, now - o.zoneLookbackMs);

  let windowSum = 0;
  let shortSum = 0;
  let baselineSum = 0;
  let longSum = 0;
  let shortSideSum = 0;
  let count = 0;
  let observed = 0;
  let sampled = false;
  let lastLiquidationTime: number | null = null;
  const zoneEvents: CascadeLiquidation[] = [];
  for (const l of input.liquidations) {
    if (l.time <= observedSince) continue;
    observed += 1;
    if (!l.complete) sampled = true;
    lastLiquidationTime = l.time;
    const t = Math.min(l.time, now);
    if (t > windowStart) {
      windowSum += l.notional;
      count += 1;
      if (l.side === 'SELL') longSum += l.notional;
      else shortSideSum += l.notional;
    } else if (t > baselineStart) baselineSum += l.notional;
    if (t > shortStart) shortSum += l.notional;
    if (t > zoneStart) zoneEvents.push(l);
  }

  const windowCovered = observedMs >= o.windowMs;
  const baselineAvailable = baselineSpan >= o.minBaselineMs;
  const velocity = windowCovered ? windowSum / (o.windowMs / HOUR_MS) : null;
  const shortVelocity = observedMs >= o.shortWindowMs ? shortSum / (o.shortWindowMs / HOUR_MS) : null;
  const baselineVelocity = baselineAvailable ? baselineSum / (baselineSpan / HOUR_MS) : null;
  const baselineRatio = velocity !== null && baselineVelocity !== null && baselineVelocity > 0 ? velocity / baselineVelocity : null;
  const volumeShare = velocity !== null && volume !== null ? velocity / volume : null;

  const ratioLevel = baselineRatio === null ? null : severityLevel(baselineRatio, o.baselineRatioBoundaries);
  const shareLevel = volumeShare === null ? null : severityLevel(volumeShare, o.volumeShareBoundaries);
  const severity =
    ratioLevel !== null && shareLevel !== null ? Math.min(ratioLevel, shareLevel) : (ratioLevel ?? shareLevel ?? (velocity === 0 ? 1 : null));
  const [ratioWeight, shareWeight] =
    ratioLevel !== null && shareLevel !== null
      ? ratioLevel === shareLevel
        ? [0.5, 0.5]
        : ratioLevel < shareLevel
          ? [1, 0]
          : [0, 1]
      : [ratioLevel === null ? 0 : 1, shareLevel === null ? 0 : 1];

  const total = longSum + shortSideSum;
  const longShare = total > 0 ? longSum / total : null;
  const dominance: LiquidationDominance =
    longShare === null
      ? LiquidationDominances.NONE
      : longShare >= o.dominanceShare
        ? LiquidationDominances.LONGS_LIQUIDATED
        : longShare <= 1 - o.dominanceShare
          ? LiquidationDominances.SHORTS_LIQUIDATED
          : LiquidationDominances.BALANCED;
  const feed: LiquidationFeed = observed === 0 ? LiquidationFeeds.UNKNOWN : sampled ? LiquidationFeeds.SAMPLED : LiquidationFeeds.COMPLETE;

  const lowerBound = feed === LiquidationFeeds.SAMPLED ? '; sampled feed, so a lower bound' : '';
  const factors: Factor[] = [
    {
      name: 'baselineRatio',
      value: baselineRatio ?? 0,
      weight: ratioWeight,
      contribution: ratioWeight * (((ratioLevel ?? 1) - 1) / 4),
      note: ratioNote(),
    },
    {
      name: 'volumeShare',
      value: volumeShare ?? 0,
      weight: shareWeight,
      contribution: shareWeight * (((shareLevel ?? 1) - 1) / 4),
      note: shareNote(),
    },
    {
      name: 'acceleration',
      value: velocity !== null && shortVelocity !== null && velocity > 0 ? shortVelocity / velocity : 0,
      weight: 0,
      contribution: 0,
      note: accelerationNote(),
    },
    { name: 'dominance', value: longShare ?? 0, weight: 0, contribution: 0, note: dominanceNote() },
    { name: 'feed', value: feed === LiquidationFeeds.COMPLETE ? 1 : 0, weight: 0, contribution: 0, note: feedNote(feed) },
  ];

  return {
    symbol: input.symbol,
    warmingUp: !windowCovered || !baselineAvailable,
    windowMs: o.windowMs,
    shortWindowMs: o.shortWindowMs,
    observedSince,
    velocityUsdPerHour: velocity,
    shortVelocityUsdPerHour: shortVelocity,
    baselineVelocityUsdPerHour: baselineVelocity,
    baselineRatio,
    typicalHourlyVolumeUsd: volume,
    volumeShare,
    severity,
    level: severity === null ? null : (CASCADE_LEVEL_BY_SEVERITY[severity - 1] ?? null),
    notionalUsd: windowSum,
    longNotionalUsd: longSum,
    shortNotionalUsd: shortSideSum,
    count,
    longShare,
    dominance,
    feed,
    zones: clusterZones(zoneEvents, o),
    lastLiquidationTime,
    factors,
  };

  function decides(weight: number): string {
    return weight === 1 ? '; sets the severity' : weight > 0 ? '; sets the severity (tie)' : '';
  }

  function ratioNote(): string {
    if (velocity === null) return `window not fully observed yet (${dur(observedMs)} of ${dur(o.windowMs)}): velocity unknown, relative measure not used`;
    if (!baselineAvailable)
      return `warming up: only ${dur(Math.max(0, baselineSpan))} observed before the window (need ${dur(o.minBaselineMs)}): relative measure not used`;
    if (baselineRatio === null) return `no liquidations in the ${dur(baselineSpan)} baseline before the window: nothing to compare with, relative measure not used`;
    return `velocity ${usd(velocity)}/h is ${baselineRatio.toFixed(2)}× the ${usd(baselineVelocity ?? 0)}/h baseline of the previous ${dur(baselineSpan)} → level ${ratioLevel} (levels from ×${o.baselineRatioBoundaries.join(', ×')})${decides(ratioWeight)}`;
  }

  function shareNote(): string {
    if (volume === null) return 'no typical volume from the source (24 h ticker or 1 h candles): absolute measure not used';
    if (velocity === null) return `window not fully observed yet: velocity unknown, absolute measure not used`;
    return `velocity ${usd(velocity)}/h is ${pct(volumeShare ?? 0)} of the typical hourly volume ${usd(volume)} → level ${shareLevel} (levels from ${o.volumeShareBoundaries.map((b) => pct(b)).join(', ')})${decides(shareWeight)}${lowerBound}`;
  }

  function accelerationNote(): string {
    if (velocity === null || shortVelocity === null) return 'window not fully observed yet: pace comparison unknown';
    if (velocity === 0) return `no liquidations in the last ${dur(o.windowMs)}`;
    const x = shortVelocity / velocity;
    const trend = x > 1 ? 'accelerating' : x < 1 ? 'slowing down' : 'steady';
    return `last ${dur(o.shortWindowMs)} at ${usd(shortVelocity)}/h vs ${usd(velocity)}/h over ${dur(o.windowMs)} (${x.toFixed(2)}×): ${trend}${lowerBound}`;
  }

  function dominanceNote(): string {
    if (longShare === null) return `no liquidations in the last ${dur(o.windowMs)}`;
    const who =
      dominance === LiquidationDominances.LONGS_LIQUIDATED
        ? 'longs are being flushed (forced selling)'
        : dominance === LiquidationDominances.SHORTS_LIQUIDATED
          ? 'shorts are being squeezed (forced buying)'
          : 'both sides liquidated';
    return `longs ${usd(longSum)} (${pct(longShare)}) vs shorts ${usd(shortSideSum)} liquidated in the last ${dur(o.windowMs)}: ${who} (dominant from ${pct(o.dominanceShare)})`;
  }
}

function feedNote(feed: LiquidationFeed): string {
  switch (feed) {
    case LiquidationFeeds.COMPLETE:
      return 'complete feed: the venue reports every liquidation';
    case LiquidationFeeds.SAMPLED:
      return 'sampled feed (e.g. Binance forceOrder pushes at most one liquidation per symbol per second): velocities and notionals are lower bounds';
    default:
      return 'no liquidation observed yet: whether the feed is complete is unknown';
  }
}

/**
 * Gap-based clustering of fill prices, then the significant zones, largest notional first. Membership
 * depends on the price alone (equal prices always share a zone), so the zone ranges come from the sorted
 * prices (a native numeric sort) and each event is then placed by binary search.
 */
function clusterZones(events: readonly CascadeLiquidation[], o: LiquidationCascadeOptions): LiquidationZone[] {
  if (events.length === 0 || o.maxZones === 0) return [];
  const prices = Float64Array.from(events, (e) => e.price).sort();
  const zones: LiquidationZone[] = [];
  let low = prices[0] as number;
  let previous = low;
  const close = (high: number) =>
    zones.push({ low, high, vwap: 0, notionalUsd: 0, count: 0, longNotionalUsd: 0, shortNotionalUsd: 0, firstTime: Infinity, lastTime: -Infinity });
  for (const price of prices) {
    if (price > previous * (1 + o.zoneGap) || price > low * (1 + o.zoneMaxWidth)) {
      close(previous);
      low = price;
    }
    previous = price;
  }
  close(previous);

  const weighted = new Float64Array(zones.length);
  const priceSum = new Float64Array(zones.length);
  let total = 0;
  for (const e of events) {
    // The last zone whose low is at or below the price.
    let lo = 0;
    let hi = zones.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((zones[mid] as LiquidationZone).low <= e.price) lo = mid;
      else hi = mid - 1;
    }
    const z = zones[lo] as LiquidationZone;
    z.notionalUsd += e.notional;
    z.count += 1;
    if (e.side === 'SELL') z.longNotionalUsd += e.notional;
    else z.shortNotionalUsd += e.notional;
    if (e.time < z.firstTime) z.firstTime = e.time;
    if (e.time > z.lastTime) z.lastTime = e.time;
    weighted[lo] = (weighted[lo] as number) + e.price * e.notional;
    priceSum[lo] = (priceSum[lo] as number) + e.price;
    total += e.notional;
  }
  zones.forEach((z, i) => {
    z.vwap = z.notionalUsd > 0 ? (weighted[i] as number) / z.notionalUsd : (priceSum[i] as number) / z.count;
  });
  return zones
    .filter((z) => z.count >= o.minZoneCount && z.notionalUsd >= o.minZoneShare * total)
    .sort((a, b) => b.notionalUsd - a.notionalUsd || b.lastTime - a.lastTime || a.low - b.low)
    .slice(0, o.maxZones);
}

function resolveOptions(overrides: Partial<LiquidationCascadeOptions> | undefined): LiquidationCascadeOptions {
  const o: LiquidationCascadeOptions = { ...DEFAULT_CASCADE_OPTIONS };
  // Merge only defined keys so an explicit `undefined` cannot erase a default.
  for (const key of Object.keys(o) as (keyof LiquidationCascadeOptions)[]) {
    const value = overrides?.[key];
    if (value !== undefined) (o as unknown as Record<string, unknown>)[key] = value;
  }
  for (const key of ['windowMs', 'shortWindowMs', 'baselineWindowMs', 'minBaselineMs', 'zoneLookbackMs'] as const) {
    if (!Number.isFinite(o[key]) || o[key] <= 0 || o[key] > MAX_EPOCH_MS) fail(`options.${key} must be a finite number of ms > 0, got ${quote(o[key])}`);
  }
  if (o.shortWindowMs > o.windowMs) fail(`options.shortWindowMs must be <= windowMs ${quote(o.windowMs)}, got ${quote(o.shortWindowMs)}`);
  if (o.minBaselineMs > o.baselineWindowMs)
    fail(`options.minBaselineMs must be <= baselineWindowMs ${quote(o.baselineWindowMs)}, got ${quote(o.minBaselineMs)}`);
  for (const key of ['baselineRatioBoundaries', 'volumeShareBoundaries'] as const) {
    const b = o[key];
    const ok = Array.isArray(b) && b.length === 4 && b.every((x, i) => Number.isFinite(x) && x > 0 && (i === 0 || x > (b[i - 1] as number)));
    if (!ok) fail(`options.${key} must be four finite numbers > 0 in strictly ascending order, got ${quote(b)}`);
  }
  if (!Number.isFinite(o.dominanceShare) || o.dominanceShare <= 0.5 || o.dominanceShare > 1)
    fail(`options.dominanceShare must be in (0.5, 1], got ${quote(o.dominanceShare)}`);
  for (const key of ['zoneGap', 'zoneMaxWidth'] as const) {
    if (!Number.isFinite(o[key]) || o[key] < 0) fail(`options.${key} must be a finite number >= 0, got ${quote(o[key])}`);
  }
  if (!Number.isSafeInteger(o.minZoneCount) || o.minZoneCount < 1) fail(`options.minZoneCount must be an integer >= 1, got ${quote(o.minZoneCount)}`);
  if (!Number.isSafeInteger(o.maxZones) || o.maxZones < 0) fail(`options.maxZones must be an integer >= 0, got ${quote(o.maxZones)}`);
  if (!Number.isFinite(o.minZoneShare) || o.minZoneShare < 0 || o.minZoneShare > 1)
    fail(`options.minZoneShare must be in [0, 1], got ${quote(o.minZoneShare)}`);
  return o;
}

function validateInput(input: Readonly<LiquidationCascadeInput>): void {
  if (!Array.isArray(input.liquidations)) fail(`liquidations must be an array, got ${quote(input.liquidations)}`);
  checkTime('now', input.now);
  checkTime('observedSince', input.observedSince);
  if (input.observedSince > input.now) fail(`observedSince ${quote(input.observedSince)} must not be after now ${quote(input.now)}`);
  const volume = input.typicalHourlyVolumeUsd;
  if (volume !== null && (!Number.isFinite(volume) || volume <= 0))
    fail(`typicalHourlyVolumeUsd must be null or a finite number > 0, got ${quote(volume)}`);
  let previousTime = -Infinity;
  input.liquidations.forEach((l, i) => {
    if (l.side !== 'BUY' && l.side !== 'SELL') fail(`liquidations[${i}].side must be "BUY" or "SELL", got ${quote(l.side)}`);
    if (!Number.isFinite(l.price) || l.price <= 0) fail(`liquidations[${i}].price must be a finite number > 0, got ${quote(l.price)}`);
    if (!Number.isFinite(l.notional) || l.notional < 0) fail(`liquidations[${i}].notional must be a finite number >= 0, got ${quote(l.notional)}`);
    checkTime(`liquidations[${i}].time`, l.time);
    if (l.time < previousTime)
      fail(`liquidations must be sorted ascending by time, but liquidations[${i}].time ${quote(l.time)} < liquidations[${i - 1}].time ${quote(previousTime)}`);
    previousTime = l.time;
  });
}

function checkTime(name: string, value: number): void {
  if (!Number.isFinite(value) || Math.abs(value) > MAX_EPOCH_MS)
    fail(`${name} must be a finite epoch ms within ±${MAX_EPOCH_MS}, got ${quote(value)}`);
}

/** Quote-currency amount, e.g. 1234567 → "$1.23M". */
function usd(x: number): string {
  const abs = Math.abs(x);
  if (abs >= 1e9) return `$${(x / 1e9).toFixed(2)}B`;
  if (abs >= 1e6) return `$${(x / 1e6).toFixed(2)}M`;
  if (abs >= 1e3) return `$${(x / 1e3).toFixed(1)}k`;
  return `$${x.toFixed(0)}`;
}

/** Fraction as a percentage string, e.g. 0.015 → "1.50 %". */
function pct(fraction: number): string {
  return `${(fraction * 100).toFixed(2)} %`;
}

/** Duration in the largest whole unit, e.g. 3 600 000 → "1 h", 300 000 → "5 min". */
function dur(ms: number): string {
  if (ms >= HOUR_MS && ms % HOUR_MS === 0) return `${ms / HOUR_MS} h`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms >= HOUR_MS) return `${(ms / HOUR_MS).toFixed(1)} h`;
  if (ms >= 60_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 1000).toFixed(0)} s`;
}
