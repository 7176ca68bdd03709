import { INTERVAL_MS } from '../domain/market.js';
import type { Confirmation, ConfirmationLayerResult } from './confirmation.types.js';
import type { OrderBookAnalysis } from './order-book.types.js';
import { PositionSides, type LiquidationZone, type WhaleTarget } from './liquidation-heatmap.types.js';
import { liquidationPrice } from './liquidation-heatmap.js';
import { maxSafeLeverage, sideSign } from './position-plan.js';
import {
  EntryTypes,
  ScenarioBiases,
  ScenarioKinds,
  type Scenario,
  type ScenarioBias,
  type ScenarioEntry,
  type ScenarioInputs,
  type ScenarioKind,
  type ScenarioLeverage,
  type ScenarioSet,
  type ScenarioStop,
  type ScenarioTarget,
  type ScenarioThresholds,
} from './scenarios.types.js';

export const SCENARIOS_METHODOLOGY_VERSION = 'scenarios-1';

export const DEFAULT_SCENARIO_THRESHOLDS: Readonly<ScenarioThresholds> = {
  entryZoneAtr: 0.25,
  stopBufferAtr: 0.25,
  minStopAtr: 1,
  clusterReachAtr: 0.5,
  liquidationBufferRatio: 0.5,
  recommendedShare: 0.5,
  referenceNotional: 10_000,
  horizonBars: 24,
};

/** Structural anchors further than this many ATRs from the entry are ignored (an ATR stop stands in). */
const MAX_ANCHOR_ATR = 4;
/** A liquidation cluster moves the stop beyond it only while the stop stays within this many ATRs of the entry mid. */
const MAX_STOP_ATR = 5;
/** Candidates closer than this R:R are not targets (they pay less than half the risk). */
const MIN_TARGET_RR = 0.5;
/** The stop used when no structure lies within reach, in ATRs from the entry mid. */
const ATR_STOP = 1.5;
/** Candidate prices closer than this many ATRs are one target. */
const TARGET_MERGE_ATR = 0.25;
const MAX_TARGETS = 3;
/** A wall of the order book counts as structure once it has stood this long (a fresh one may be gone in a second). */
export const WALL_MIN_AGE_MS = 60_000;
/** Walls are ignored when at least this share of those seen were pulled before the price touched them. */
export const WALL_PULLED_SHARE_MAX = 0.5;
/** Notional of the market exit whose slippage is checked against the book, USD, and the cost that is a risk, bps. */
export const EXIT_SLIPPAGE_NOTIONAL = 100_000;
export const EXIT_SLIPPAGE_RISK_BPS = 10;
const QUALITY_FACTOR = { EXCELLENT: 1, GOOD: 0.8, MODERATE: 0.6, POOR: 0.4 } as const;

/** A price the market may react at, with where it comes from. */
interface Anchor {
  price: number;
  label: string;
}

const round = (x: number): number => Number(x.toPrecision(8));
const fmt = (x: number): string => String(round(x));

/** Support/resistance candidates from the key levels and the value area (POC, VAH, VAL). */
function structureAnchors(inputs: ScenarioInputs): Anchor[] {
  const anchors: Anchor[] = [];
  for (const level of inputs.levels?.levels ?? []) {
    const ratio = level.ratio === null ? '' : ` ${level.ratio}`;
    anchors.push({ price: level.price, label: `${level.kind}${ratio} ${fmt(level.price)}` });
  }
  const p = inputs.profile;
  if (p && !p.warmingUp) {
    if (p.valueAreaHigh !== null) anchors.push({ price: p.valueAreaHigh, label: `value-area high ${fmt(p.valueAreaHigh)}` });
    if (p.valueAreaLow !== null) anchors.push({ price: p.valueAreaLow, label: `value-area low ${fmt(p.valueAreaLow)}` });
    if (p.poc) anchors.push({ price: p.poc.price, label: `point of control ${fmt(p.poc.price)}` });
  }
  return anchors.filter((a) => Number.isFinite(a.price) && a.price > 0);
}

/** Liquidation clusters of one position side (longs liquidate below the price, shorts above). */
function clusters(inputs: ScenarioInputs, side: 'LONG' | 'SHORT'): Array<{ low: number; high: number; price: number; label: string }> {
  const h = inputs.heatmap;
  if (!h || h.warmingUp) return [];
  const zones: Array<LiquidationZone | WhaleTarget> = [h.nearestAbove, h.largestAbove, h.nearestBelow, h.largestBelow, ...h.whaleTargets].filter(
    (z): z is LiquidationZone | WhaleTarget => z !== null && z.side === side,
  );
  return zones.map((z) => ({ low: z.priceLow, high: z.priceHigh, price: z.price, label: `${side.toLowerCase()} liquidation cluster ${fmt(z.priceLow)}–${fmt(z.priceHigh)}` }));
}

/**
 * Standing walls of the order book on one side that have stood at least WALL_MIN_AGE_MS: BID walls are resting
 * buyers below the price (support), ASK walls resting sellers above (resistance). None when the book is not
 * valid, or when most walls seen were pulled before touch (then they say little about where price turns).
 */
function bookWalls(inputs: ScenarioInputs, side: 'BID' | 'ASK'): Anchor[] {
  const b = inputs.orderBook;
  if (!b || !b.available || !b.walls) return [];
  if (b.walls.pulledShare !== null && b.walls.pulledShare >= WALL_PULLED_SHARE_MAX) return [];
  return b.walls.standing
    .filter((w) => w.side === side && w.ageMs >= WALL_MIN_AGE_MS)
    .map((w) => ({ price: w.price, label: `${side === 'BID' ? 'bid' : 'ask'} wall ${fmt(w.price)} (${round(w.sizeVsMedian)}x the median level, standing ${Math.round(w.ageMs / 60_000)} min)` }));
}

/**
 * Stop beyond the nearest structure behind the entry: the closest anchor at least `minStopAtr` ATRs from
 * the entry mid (and within MAX_ANCHOR_ATR), plus `stopBufferAtr`; when a liquidation cluster of the
 * same side sits just beyond that (within `clusterReachAtr`), beyond the cluster instead — a sweep of the
 * cluster would otherwise take the stop. No anchor within reach: ATR_STOP ATRs.
 */
function stopFor(bias: ScenarioBias, entry: ScenarioEntry, inputs: ScenarioInputs, t: ScenarioThresholds): ScenarioStop {
  const s = sideSign(bias);
  const atr = inputs.atr;
  const mid = (entry.priceMin + entry.priceMax) / 2;
  // Distance behind the entry mid, positive behind (below for a long).
  const behind = (price: number) => s * (mid - price);
  // Resting walls behind the entry are structure too: the bids a long's stop hides behind, the asks a short's.
  const anchors = [...structureAnchors(inputs), ...bookWalls(inputs, s > 0 ? 'BID' : 'ASK')]
    .filter((a) => behind(a.price) >= t.minStopAtr * atr && behind(a.price) <= MAX_ANCHOR_ATR * atr)
    .sort((a, b) => behind(a.price) - behind(b.price));
  let price: number;
  let reason: string;
  const anchor = anchors[0];
  if (anchor) {
    price = anchor.price - s * t.stopBufferAtr * atr;
    reason = `${t.stopBufferAtr} ATR beyond ${anchor.label}`;
  } else {
    price = mid - s * ATR_STOP * atr;
    reason = `${ATR_STOP} ATR from the entry (no structure level within ${t.minStopAtr}–${MAX_ANCHOR_ATR} ATR)`;
  }
  const liquidationSide = bias === ScenarioBiases.LONG ? PositionSides.LONG : PositionSides.SHORT;
  // Nearest cluster first: moving beyond one can bring the next within reach.
  for (const c of clusters(inputs, liquidationSide).sort((a, b) => behind(a.price) - behind(b.price))) {
    const overlaps = s > 0 ? c.high >= price - t.clusterReachAtr * atr && c.low < price : c.low <= price + t.clusterReachAtr * atr && c.high > price;
    if (!overlaps) continue;
    const beyond = (s > 0 ? c.low : c.high) - s * t.stopBufferAtr * atr;
    if (behind(beyond) > MAX_STOP_ATR * atr) {
      // Beyond the cluster is too far for a stop: keep it, and say what sits next to it.
      reason += `; the ${c.label} lies at the stop (a sweep of it may take the stop)`;
      break;
    }
    price = beyond;
    reason = `${t.stopBufferAtr} ATR beyond the ${c.label} (liquidity a sweep would take)`;
  }
  return { price: round(price), reason };
}

/** Target candidates beyond the entry zone: opposite levels, value-area edges, the opposite side's liquidation clusters and order-book walls ahead. */
function targetsFor(bias: ScenarioBias, entry: ScenarioEntry, stop: number, inputs: ScenarioInputs): ScenarioTarget[] {
  const s = sideSign(bias);
  const mid = (entry.priceMin + entry.priceMax) / 2;
  const edge = s > 0 ? entry.priceMax : entry.priceMin;
  const ahead = (price: number) => s * (price - edge);
  const candidates: Anchor[] = [
    ...structureAnchors(inputs),
    ...clusters(inputs, bias === ScenarioBiases.LONG ? PositionSides.SHORT : PositionSides.LONG).map((c) => ({ price: c.price, label: c.label })),
    // Walls ahead: where resting liquidity against the trade may stall it.
    ...bookWalls(inputs, s > 0 ? 'ASK' : 'BID'),
  ]
    .filter((a) => ahead(a.price) > 0 && Math.abs(a.price - mid) >= MIN_TARGET_RR * Math.abs(mid - stop))
    .sort((a, b) => ahead(a.price) - ahead(b.price));
  const picked: Anchor[] = [];
  for (const c of candidates) {
    const last = picked.at(-1);
    if (last && Math.abs(c.price - last.price) < TARGET_MERGE_ATR * inputs.atr) continue;
    picked.push(c);
    if (picked.length === MAX_TARGETS) break;
  }
  const risk = Math.abs(mid - stop);
  if (picked.length === 0) {
    // Nothing mapped beyond the entry: risk multiples stand in, and say so.
    for (const r of [1, 2, 3]) picked.push({ price: mid + s * r * risk, label: `${r}R projection (no level or cluster beyond the entry)` });
  }
  return picked.map((a, i) => ({ level: i + 1, price: round(a.price), rr: round(Math.abs(a.price - mid) / risk), reason: a.label }));
}

/**
 * The position plan's maxSafeLeverage (liquidation beyond the stop by `liquidationBufferRatio` × the
 * entry–stop distance, bracket of the reference notional) with the liquidation price at it and the
 * recommended share; null when not even 1x keeps the liquidation beyond the stop.
 */
export function safeLeverage(
  bias: ScenarioBias,
  entryMid: number,
  stop: number,
  inputs: Pick<ScenarioInputs, 'brackets'>,
  t: Pick<ScenarioThresholds, 'liquidationBufferRatio' | 'recommendedShare' | 'referenceNotional'>,
): ScenarioLeverage | null {
  const side = bias === ScenarioBiases.LONG ? PositionSides.LONG : PositionSides.SHORT;
  const buffer = t.liquidationBufferRatio * Math.abs(entryMid - stop);
  const safe = maxSafeLeverage({ side, entry: entryMid, stop, notional: t.referenceNotional, bracketTable: inputs.brackets, buffer });
  if (safe.maxSafeLeverage === null) return null;
  const lp = liquidationPrice(side, entryMid, safe.maxSafeLeverage, safe.bracket, t.referenceNotional);
  return { maxSafe: safe.maxSafeLeverage, recommended: Math.max(1, Math.floor(safe.maxSafeLeverage * t.recommendedShare)), liquidationPrice: round(lp) };
}

function layerLines(layers: readonly ConfirmationLayerResult[], direction: 'BULLISH' | 'BEARISH'): string[] {
  return layers
    .filter((l) => l.available && l.direction === direction)
    .sort((a, b) => Math.abs((b.score ?? 0) * b.weight) - Math.abs((a.score ?? 0) * a.weight))
    .map((l) => `${l.name} (${Math.round(l.score ?? 0)}): ${l.reading}`);
}

/**
 * confidence = clamp((0.5 + 0.45 · a · q · c) · min(1, 0.5 + 0.5 · rr₁), 0.05, 0.95), where a is the
 * composite's lean towards the scenario's side ((score − 50) / 50, negated for shorts), q the quality factor
 * (EXCELLENT 1, GOOD 0.8, MODERATE 0.6, POOR 0.4), c the coverage and rr₁ the first target's R:R (a first
 * target under 1R costs confidence).
 */
export function scenarioConfidence(confirmation: Pick<Confirmation, 'score' | 'quality' | 'coverage'>, bias: ScenarioBias, firstRr: number): number {
  const lean = ((confirmation.score - 50) / 50) * sideSign(bias);
  const base = 0.5 + 0.45 * lean * QUALITY_FACTOR[confirmation.quality] * confirmation.coverage;
  return round(Math.min(0.95, Math.max(0.05, base * Math.min(1, 0.5 + 0.5 * firstRr))));
}

function horizonText(inputs: ScenarioInputs, t: ScenarioThresholds): { text: string; ms: number } {
  const ms = t.horizonBars * INTERVAL_MS[inputs.interval];
  const hours = ms / 3_600_000;
  const span = hours >= 48 ? `about ${Math.round(hours / 24)} days` : `about ${Math.round(hours)} h`;
  return { text: `${t.horizonBars} × ${inputs.interval} bars (${span})`, ms };
}

interface Setup {
  kind: ScenarioKind;
  bias: ScenarioBias;
  /** The level the entry zone is built on. */
  anchor: Anchor;
}

/** Nearest anchor strictly above (dir +1) or below (dir −1) the price, else one ATR away (labelled). */
function nearest(inputs: ScenarioInputs, dir: 1 | -1, notes: string[]): Anchor {
  const beyond = structureAnchors(inputs)
    .filter((a) => dir * (a.price - inputs.price) > 0)
    .sort((a, b) => dir * (a.price - b.price));
  const found = beyond[0];
  if (found) return found;
  const price = inputs.price + dir * inputs.atr;
  const side = dir > 0 ? 'resistance' : 'support';
  notes.push(`No ${side} level known ${dir > 0 ? 'above' : 'below'} the price: one ATR (${fmt(price)}) stands in.`);
  return { price, label: `1 ATR ${dir > 0 ? 'above' : 'below'} the price` };
}

function entryFor(setup: Setup, inputs: ScenarioInputs, t: ScenarioThresholds): ScenarioEntry {
  const w = t.entryZoneAtr * inputs.atr;
  const p = setup.anchor.price;
  const s = sideSign(setup.bias);
  if (setup.kind === ScenarioKinds.BREAKOUT) {
    // Through the level in the scenario's direction.
    return s > 0 ? { priceMin: round(p), priceMax: round(p + w), type: EntryTypes.STOP } : { priceMin: round(p - w), priceMax: round(p), type: EntryTypes.STOP };
  }
  // PULLBACK, REJECTION, RANGE_FADE: resting on the level's near side, never beyond the current price.
  if (s > 0) return { priceMin: round(p), priceMax: round(Math.max(p, Math.min(p + w, inputs.price))), type: EntryTypes.LIMIT };
  return { priceMin: round(Math.min(p, Math.max(p - w, inputs.price))), priceMax: round(p), type: EntryTypes.LIMIT };
}

function invalidationFor(setup: Setup, entry: ScenarioEntry, stop: ScenarioStop, horizon: string): string {
  const long = setup.bias === ScenarioBiases.LONG;
  const through = long ? `a close below ${fmt(stop.price)}` : `a close above ${fmt(stop.price)}`;
  switch (setup.kind) {
    case ScenarioKinds.BREAKOUT:
      return `No close ${long ? 'above' : 'below'} ${fmt(long ? entry.priceMin : entry.priceMax)} within ${horizon}, or ${through} after entry.`;
    default:
      return `${through[0]!.toUpperCase()}${through.slice(1)} (before or after the entry fills); void if the price leaves without filling within ${horizon}.`;
  }
}

const SETUP_NAMES: Record<ScenarioKind, Record<ScenarioBias, string>> = {
  BREAKOUT: { LONG: 'Long breakout', SHORT: 'Short breakdown' },
  PULLBACK: { LONG: 'Long pull-back', SHORT: 'Short rally into resistance' },
  REJECTION: { LONG: 'Long bounce at support', SHORT: 'Short rejection at resistance' },
  RANGE_FADE: { LONG: 'Range fade long', SHORT: 'Range fade short' },
};

/**
 * A market stop-out of EXIT_SLIPPAGE_NOTIONAL walks the book against the position (a long sells into the
 * bids): its slippage is a risk when it costs EXIT_SLIPPAGE_RISK_BPS or more, or when the visible book does
 * not fill it. Null when the book is unavailable (said in the notes) or the exit is cheap.
 */
function exitSlippage(bias: ScenarioBias, book: OrderBookAnalysis | null): string | null {
  if (!book || !book.available) return null;
  const side = bias === ScenarioBiases.LONG ? 'SELL' : 'BUY';
  const walk = book.slippage.find((x) => x.side === side && x.notionalUsd === EXIT_SLIPPAGE_NOTIONAL);
  if (!walk) return null;
  const usd = `${EXIT_SLIPPAGE_NOTIONAL.toLocaleString('en-US')} USD`;
  if (!walk.filled || walk.slippageBps === null) return `Thin book: the visible ${side === 'SELL' ? 'bids' : 'asks'} do not fill a ${usd} market exit.`;
  if (walk.slippageBps >= EXIT_SLIPPAGE_RISK_BPS) return `Thin book: a ${usd} market exit would slip ${round(walk.slippageBps)} bps (order book).`;
  return null;
}

/**
 * Two or three trade scenarios from the composite and the map of levels, value area and liquidation
 * clusters (see docs/confirmation.md "Scenarios"). With a BULLISH composite: long breakout, long
 * pull-back, short rejection; BEARISH mirrored; NEUTRAL: the two range fades and the breakout the score
 * leans to. Invariants (property-tested): long targets above the entry above the stop (short mirrored),
 * every R:R > 0, and the liquidation price at `maxSafe` beyond the stop.
 */
export function computeScenarios(inputs: ScenarioInputs): ScenarioSet {
  const t: ScenarioThresholds = { ...DEFAULT_SCENARIO_THRESHOLDS, ...inputs.thresholds };
  const notes: string[] = [];
  if (!inputs.levels) notes.push('Key levels unavailable: entries and stops fall back to ATR multiples where no value-area edge helps.');
  if (!inputs.profile || inputs.profile.warmingUp) notes.push('Volume profile unavailable: no value-area edges among the levels.');
  if (!inputs.heatmap || inputs.heatmap.warmingUp) notes.push('Liquidation heatmap unavailable: stops are not adjusted for liquidation clusters and no cluster is a target.');
  const book = inputs.orderBook ?? null;
  if (!book || !book.available) notes.push(`Order book unavailable${book?.unavailableReason ? ` (${book.unavailableReason})` : ''}: no resting wall is a stop anchor or a target, and exits are not checked for slippage.`);
  else if (book.walls?.pulledShare != null && book.walls.pulledShare >= WALL_PULLED_SHARE_MAX)
    notes.push(`Order-book walls ignored: ${Math.round(book.walls.pulledShare * 100)} % of those seen were pulled before the price touched them.`);
  const c = inputs.confirmation;
  if (!(inputs.atr > 0) || !(inputs.price > 0)) {
    notes.push('No positive price and ATR: no scenario can be sized.');
    return { symbol: inputs.symbol, interval: inputs.interval, price: inputs.price, atr: inputs.atr, confirmationScore: c.score, confirmationSignal: c.signal, scenarios: [], notes, thresholds: t };
  }
  const above = nearest(inputs, 1, notes);
  const below = nearest(inputs, -1, notes);
  const vah = inputs.profile?.valueAreaHigh ?? null;
  const val = inputs.profile?.valueAreaLow ?? null;
  const fadeHigh = vah !== null && vah > inputs.price ? { price: vah, label: `value-area high ${fmt(vah)}` } : above;
  const fadeLow = val !== null && val < inputs.price ? { price: val, label: `value-area low ${fmt(val)}` } : below;
  const setups: Setup[] =
    c.signal === 'BULLISH'
      ? [
          { kind: ScenarioKinds.BREAKOUT, bias: ScenarioBiases.LONG, anchor: above },
          { kind: ScenarioKinds.PULLBACK, bias: ScenarioBiases.LONG, anchor: below },
          { kind: ScenarioKinds.REJECTION, bias: ScenarioBiases.SHORT, anchor: above },
        ]
      : c.signal === 'BEARISH'
        ? [
            { kind: ScenarioKinds.BREAKOUT, bias: ScenarioBiases.SHORT, anchor: below },
            { kind: ScenarioKinds.PULLBACK, bias: ScenarioBiases.SHORT, anchor: above },
            { kind: ScenarioKinds.REJECTION, bias: ScenarioBiases.LONG, anchor: below },
          ]
        : [
            { kind: ScenarioKinds.RANGE_FADE, bias: ScenarioBiases.LONG, anchor: fadeLow },
            { kind: ScenarioKinds.RANGE_FADE, bias: ScenarioBiases.SHORT, anchor: fadeHigh },
            c.score >= 50
              ? { kind: ScenarioKinds.BREAKOUT, bias: ScenarioBiases.LONG, anchor: fadeHigh }
              : { kind: ScenarioKinds.BREAKOUT, bias: ScenarioBiases.SHORT, anchor: fadeLow },
          ];
  const horizon = horizonText(inputs, t);
  const bullish = layerLines(c.layers, 'BULLISH');
  const bearish = layerLines(c.layers, 'BEARISH');
  const scenarios: Scenario[] = [];
  for (const setup of setups) {
    const entry = entryFor(setup, inputs, t);
    const stopLoss = stopFor(setup.bias, entry, inputs, t);
    const mid = (entry.priceMin + entry.priceMax) / 2;
    const leverage = safeLeverage(setup.bias, mid, stopLoss.price, inputs, t);
    const name = SETUP_NAMES[setup.kind][setup.bias];
    if (!leverage || stopLoss.price <= 0) {
      notes.push(`${name} left out: its stop (${fmt(stopLoss.price)}) is further than even 1x collateral reaches.`);
      continue;
    }
    const targets = targetsFor(setup.bias, entry, stopLoss.price, inputs);
    const firstRr = targets[0]!.rr;
    const risks: string[] = [];
    const against = (setup.bias === 'LONG' && c.signal === 'BEARISH') || (setup.bias === 'SHORT' && c.signal === 'BULLISH');
    if (against) risks.push(`Against the composite signal (${c.signal}, score ${round(c.score)}).`);
    if (c.coverage < 0.6) risks.push(`Only ${Math.round(c.coverage * 100)} % of the layer weight is available.`);
    if (c.quality === 'POOR') risks.push('Composite quality POOR: the layers disagree or read weakly.');
    if (firstRr < 1) risks.push(`First target under 1R (${round(firstRr)}).`);
    const stopAtr = Math.abs(mid - stopLoss.price) / inputs.atr;
    if (stopAtr > 3) risks.push(`Wide stop: ${round(stopAtr)} ATR from the entry.`);
    if (targets.some((x) => x.reason.includes('projection'))) risks.push('Targets are risk multiples, not mapped levels.');
    const exit = exitSlippage(setup.bias, book);
    if (exit) risks.push(exit);
    scenarios.push({
      name,
      kind: setup.kind,
      bias: setup.bias,
      confidence: scenarioConfidence(c, setup.bias, firstRr),
      entry,
      stopLoss,
      targets,
      leverage,
      invalidation: invalidationFor(setup, entry, stopLoss, horizon.text),
      horizon: horizon.text,
      horizonMs: horizon.ms,
      why: { bullishFactors: bullish, bearishFactors: bearish, risks },
    });
  }
  const maxScenarios = Math.max(1, Math.min(3, inputs.maxScenarios ?? 3));
  scenarios.sort((a, b) => b.confidence - a.confidence);
  return {
    symbol: inputs.symbol,
    interval: inputs.interval,
    price: inputs.price,
    atr: inputs.atr,
    confirmationScore: c.score,
    confirmationSignal: c.signal,
    scenarios: scenarios.slice(0, maxScenarios),
    notes,
    thresholds: t,
  };
}
