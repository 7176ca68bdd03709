/**
 * Layers 7–12 of the confirmation score (docs/confirmation.md "Layers 7–12 (flow)"): each a pure function of
 * the analyses the engine assembled into {@link ConfirmationInputs}. A source that is absent or stale makes
 * its part unavailable (named in `missingInputs` when the whole layer is), never a silent neutral.
 *
 * Shared method of the blended layers (7–11): each factor maps one measurement to a normalised value
 * x ∈ [−1, 1] (positive bullish) with a base weight w (the base weights of a layer sum to 1). Factors
 * whose input is missing are left out and the weights renormalised over the present ones:
 *
 *   score = 100 · Σ w·x / Σ w            (over present factors)
 *   agreement = |Σ w·x| / Σ w·|x|        (1 when every present factor points the same way or all are 0)
 *   confidence = Σ w (present share) · (0.5 + 0.5 · agreement)
 *
 * A layer is available only when its core factors are (each layer says which); a missing side factor
 * lowers the confidence and is named in the reading.
 */
import type { Factor } from './types.js';
import {
  directionOf,
  unavailableLayer,
  type ConfirmationLayer,
  type LayerOutcome,
  type LayerSource,
} from './confirmation.types.js';
import type { OpenInterestQuadrant } from './open-interest.types.js';
import type { OrderBookAnalysis } from './order-book.types.js';
import type { WhalePattern } from './whales.types.js';

const clamp = (x: number, lo = -1, hi = 1) => Math.min(hi, Math.max(lo, x));
const round = (x: number, digits = 2) => Number(x.toFixed(digits));

/** A source's value when it is present and fresh, else the name to report as missing and why. */
function fresh<T>(source: LayerSource<T>, name: string): { value: T } | { missing: string; why: string } {
  if ('reason' in source) return { missing: name, why: `${name} absent (${source.reason})` };
  if (source.stale) return { missing: name, why: `${name} stale` };
  return { value: source.value };
}

/** One measured part of a blended layer. */
interface Part {
  name: string;
  /** The raw measured value (units in the note). */
  value: number;
  /** Normalised −1..1, positive bullish. */
  x: number;
  /** Base weight (a layer's base weights sum to 1). */
  weight: number;
  note: string;
}

/**
 * Blends the present parts (method in the file comment). `absent` names the side factors left out, for the
 * reading. Factor weights are renormalised (they sum to 1) and contributions are weight × x, so Σ
 * contributions = score / 100.
 */
export function blendParts(parts: readonly Part[], reading: (score: number) => string, absent: readonly string[] = []): LayerOutcome {
  const present = parts.reduce((s, p) => s + p.weight, 0);
  if (!(present > 0)) throw new Error('blendParts needs at least one part with weight > 0');
  const sum = parts.reduce((s, p) => s + p.weight * p.x, 0);
  const gross = parts.reduce((s, p) => s + p.weight * Math.abs(p.x), 0);
  const score = round((100 * sum) / present);
  const agreement = gross === 0 ? 1 : Math.abs(sum) / gross;
  const confidence = round(Math.min(1, present) * (0.5 + 0.5 * agreement), 3);
  const factors: Factor[] = parts.map((p) => ({
    name: p.name,
    value: round(p.value, 6),
    weight: round(p.weight / present, 6),
    contribution: round((p.weight / present) * p.x, 6),
    note: p.note,
  }));
  const suffix = absent.length > 0 ? ` (without ${absent.join(', ')})` : '';
  return { available: true, missingInputs: [], score, direction: directionOf(score), confidence, factors, reading: reading(score) + suffix };
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const pct = (x: number, digits = 1) => `${x >= 0 ? '+' : ''}${x.toFixed(digits)} %`;

// --- 7 ORDER_FLOW -----------------------------------------------------------------------------------------

/**
 * Base weights of the order-flow factors. The first three keep their 2:2:1 ratio of before the book joined,
 * so a layer without a book scores as it did (only its confidence says a factor is missing).
 */
export const ORDER_FLOW_WEIGHTS = { takerImbalance: 0.32, oiQuadrant: 0.32, fundingPressure: 0.16, bookImbalance: 0.2 } as const;
/** |z| of the book imbalance that saturates the book factor (the order-book analysis clips its own factor there too). */
export const BOOK_Z_SCALE = 3;
/** Share of walls pulled before the price touched them from which the book factor counts half (spoofing suspicion). */
export const BOOK_PULLED_SHARE_DISCOUNT = 0.5;
/** |Σ delta / Σ volume| over the flow window that saturates the taker factor (20 % of all volume). */
export const TAKER_IMBALANCE_SCALE = 0.2;

/**
 * Who opens and closes positions, read from the quadrant of price against open interest (the OI
 * analysis's quadrant horizon, default 1 h): new positions in the direction of the move count fully,
 * closing ones (short covering, long liquidation) half: they end rather than start a move.
 */
export const OI_QUADRANT_VALUE: Readonly<Record<OpenInterestQuadrant, number>> = {
  NEW_LONGS: 1,
  SHORT_COVERING: 0.5,
  FLAT: 0,
  LONG_LIQUIDATION: -0.5,
  NEW_SHORTS: -1,
};

/**
 * Layer 7: taker imbalance (Σ delta / Σ volume of the volume analysis's flow window, at the confirmation
 * interval, / 0.2, clamped), the open-interest quadrant ({@link OI_QUADRANT_VALUE}), funding pressure,
 * read contrarian: −funding score / 100 (longs crowded and paying → pressure to unwind them), and the resting
 * book: the ORDER_BOOK imbalance z-score within ±1 % of the mid / 3, clamped (more bids than usual lean
 * bullish), halved when at least half the walls seen were pulled before the price touched them. Core: taker
 * imbalance or the OI quadrant (funding and the book alone are positioning and intention, not flow).
 */
export const orderFlowLayer: ConfirmationLayer = (inputs) => {
  const parts: Part[] = [];
  const missing: string[] = [];
  const why: string[] = [];

  const volume = fresh(inputs.volume, 'VOLUME');
  if ('missing' in volume) {
    missing.push(volume.missing);
    why.push(volume.why);
  } else if (volume.value.deltaImbalance === null) {
    missing.push('takerBuyVolume');
    why.push(volume.value.unavailable[0] ?? 'taker-buy volume unknown over the flow window');
  } else {
    const imbalance = volume.value.deltaImbalance;
    parts.push({
      name: 'takerImbalance',
      value: imbalance,
      x: clamp(imbalance / TAKER_IMBALANCE_SCALE),
      weight: ORDER_FLOW_WEIGHTS.takerImbalance,
      note: `Σ delta / Σ volume over the flow window of ${volume.value.interval} bars: ${pct(imbalance * 100)} of volume (saturates at ±20 %)`,
    });
  }

  const oi = fresh(inputs.openInterest, 'OPEN_INTEREST');
  if ('missing' in oi) {
    missing.push(oi.missing);
    why.push(oi.why);
  } else if (oi.value.quadrant === null) {
    missing.push('OPEN_INTEREST');
    why.push(`OPEN_INTEREST warming up (no ${oi.value.quadrantHorizon} change yet)`);
  } else {
    const q = oi.value.quadrant;
    const change = oi.value.changes.find((c) => c.horizon === oi.value.quadrantHorizon);
    parts.push({
      name: 'oiQuadrant',
      value: OI_QUADRANT_VALUE[q],
      x: OI_QUADRANT_VALUE[q],
      weight: ORDER_FLOW_WEIGHTS.oiQuadrant,
      note: `${q} over ${oi.value.quadrantHorizon} (price ${change?.priceChangePct == null ? 'n/a' : pct(change.priceChangePct, 2)}, OI ${change?.oiChangePct == null ? 'n/a' : pct(change.oiChangePct, 2)}): new longs +1, short covering +0.5, flat 0, long liquidation -0.5, new shorts -1`,
    });
  }

  if (parts.length === 0) return unavailableLayer(missing, `Order flow unavailable: ${why.join('; ')}`);

  const funding = fresh(inputs.funding, 'FUNDING');
  const absent = [...why];
  if ('missing' in funding) absent.push(funding.why);
  else {
    const s = funding.value.score;
    parts.push({
      name: 'fundingPressure',
      value: s,
      x: clamp(-s / 100),
      weight: ORDER_FLOW_WEIGHTS.fundingPressure,
      note: `funding score ${s.toFixed(0)} (${funding.value.signal}), read contrarian: a crowded side that pays is pressure to unwind it`,
    });
  }
  const book = bookPart(inputs.orderBook);
  if ('why' in book) absent.push(book.why);
  else parts.push(book);
  const byName = new Map(parts.map((p) => [p.name, p]));
  return blendParts(
    parts,
    (score) => {
      const bits: string[] = [];
      const t = byName.get('takerImbalance');
      if (t) bits.push(`takers ${t.value >= 0 ? 'buying' : 'selling'} ${pct(Math.abs(t.value) * 100)} net`);
      const o = byName.get('oiQuadrant');
      if (o && !('missing' in oi)) bits.push(`open interest ${oi.value.quadrant?.toLowerCase().replace('_', ' ')}`);
      const f = byName.get('fundingPressure');
      if (f && !('missing' in funding)) bits.push(`funding ${funding.value.signal.toLowerCase().replace('_', ' ')}`);
      const b = byName.get('bookImbalance');
      if (b) bits.push(`book ${b.value >= 0 ? 'bid' : 'ask'}-heavy (z ${b.value >= 0 ? '+' : ''}${b.value.toFixed(1)})`);
      return `Order flow ${directionOf(score).toLowerCase()}: ${bits.join(', ')}`;
    },
    absent,
  );
};

/** The book factor of layer 7, or why it is left out (a side factor: the layer stays available without it). */
function bookPart(source: LayerSource<OrderBookAnalysis>): Part | { why: string } {
  const book = fresh(source, 'ORDER_BOOK');
  if ('missing' in book) return { why: book.why };
  const a = book.value;
  if (!a.available) return { why: `ORDER_BOOK unavailable (${a.unavailableReason ?? a.bookState})` };
  const z = a.imbalance?.zScore ?? null;
  if (a.imbalance === null || z === null) return { why: `ORDER_BOOK imbalance z-score unavailable (${a.imbalance?.zScoreUnavailableReason ?? 'no imbalance'})` };
  const pulled = a.walls?.pulledShare ?? null;
  const discounted = pulled !== null && pulled >= BOOK_PULLED_SHARE_DISCOUNT;
  const x = clamp(z / BOOK_Z_SCALE) * (discounted ? 0.5 : 1);
  return {
    name: 'bookImbalance',
    value: z,
    x,
    weight: ORDER_FLOW_WEIGHTS.bookImbalance,
    note:
      `resting-book imbalance within ±${a.imbalance.pct} % of the mid ${pct(a.imbalance.value * 100)} (bids − asks over both), z ${z.toFixed(2)} vs its last ${a.imbalance.samples} books, / ${BOOK_Z_SCALE} clamped` +
      (discounted ? `; halved: ${Math.round(pulled * 100)} % of walls were pulled before touch (spoofing suspicion, not an accusation)` : ''),
  };
}

// --- 8 WHALES ---------------------------------------------------------------------------------------------

export const WHALE_LAYER_WEIGHTS = { netFlow: 0.7, pattern: 0.3 } as const;
/** Whale trades in the window at which the layer's trust in its reading stops growing. */
export const WHALE_FULL_CONFIDENCE_TRADES = 10;

/** Whale net flow read against price (the whale analysis's pattern): buying is bullish, selling bearish. */
export const WHALE_PATTERN_VALUE: Readonly<Record<WhalePattern, number>> = {
  ACCUMULATION: 1,
  MARKUP: 1,
  BALANCED: 0,
  DISTRIBUTION: -1,
  MARKDOWN: -1,
};

/**
 * Layer 8: the whale analysis (default window 1 h, trades ≥ 100 000 USD): its net-flow score / 100 (0.7) and
 * its pattern ({@link WHALE_PATTERN_VALUE}, 0.3). Unavailable while the tape has not covered the window
 * (warming up). Confidence is scaled by min(1, whale trades / 10): two whale trades are an anecdote.
 */
export const whalesLayer: ConfirmationLayer = (inputs) => {
  const whales = fresh(inputs.whales, 'WHALES');
  if ('missing' in whales) return unavailableLayer([whales.missing], `Whale activity unavailable: ${whales.why}`);
  const w = whales.value;
  if (w.warmingUp) return unavailableLayer(['WHALES'], `Whale activity unavailable: trades observed over ${(w.coveredMs / 60_000).toFixed(0)} of the ${(w.windowMs / 60_000).toFixed(0)} minutes of the window`);
  const trades = w.buyCount + w.sellCount;
  const parts: Part[] = [
    {
      name: 'whaleNetFlow',
      value: w.score,
      x: clamp(w.score / 100),
      weight: WHALE_LAYER_WEIGHTS.netFlow,
      note: `whale score ${w.score.toFixed(0)}: net ${w.netFlow >= 0 ? 'buying' : 'selling'} ${Math.abs(w.netFlow).toFixed(0)} USD over ${w.window} in ${trades} trades ≥ ${w.minNotional} USD`,
    },
  ];
  const absent: string[] = [];
  if (w.pattern === null) absent.push('the whale pattern (price change unknown)');
  else
    parts.push({
      name: 'whalePattern',
      value: WHALE_PATTERN_VALUE[w.pattern],
      x: WHALE_PATTERN_VALUE[w.pattern],
      weight: WHALE_LAYER_WEIGHTS.pattern,
      note: `${w.pattern}: accumulation and markup +1, balanced 0, distribution and markdown -1`,
    });
  const outcome = blendParts(
    parts,
    (score) =>
      trades === 0
        ? `No whale trade over ${w.window}: whales are not moving this market`
        : `Whales ${directionOf(score) === 'NEUTRAL' ? 'balanced' : w.netFlow >= 0 ? 'net buying' : 'net selling'} over ${w.window} (${trades} trades${w.pattern ? `, ${w.pattern.toLowerCase()}` : ''})`,
    absent,
  );
  const scale = Math.min(1, trades / WHALE_FULL_CONFIDENCE_TRADES);
  return { ...outcome, confidence: round((outcome.confidence ?? 0) * scale, 3) };
};

// --- 9 SENTIMENT ------------------------------------------------------------------------------------------

/**
 * Layer 9: the sentiment composite (0 extreme fear .. 100 extreme greed) as a direction, 2 × (composite − 50),
 * with the composite's own factors (Fear & Greed, price, crowd). Confidence = the composite's coverage,
 * halved in the EXTREME_FEAR / EXTREME_GREED bands, where mood is as often a reversal warning as a
 * confirmation. Unavailable when the composite is null (its coverage below its minimum: its label is refused).
 */
export const sentimentLayer: ConfirmationLayer = (inputs) => {
  const sentiment = fresh(inputs.sentiment, 'SENTIMENT');
  if ('missing' in sentiment) return unavailableLayer([sentiment.missing], `Sentiment unavailable: ${sentiment.why}`);
  const s = sentiment.value;
  if (s.composite === null || s.classification === null) {
    return unavailableLayer(['SENTIMENT'], `Sentiment unavailable: ${s.coverageNote ?? 'no composite'}`);
  }
  const score = round(2 * (s.composite - 50));
  const extreme = s.classification === 'EXTREME_FEAR' || s.classification === 'EXTREME_GREED';
  const factors: Factor[] = s.factors
    .filter((f) => f.available && f.value !== null)
    .map((f) => ({
      name: f.name,
      value: f.value as number,
      weight: f.weight,
      contribution: round((f.weight * ((f.value as number) - 50)) / 50, 6),
      note: `${f.note} (0..100, 50 neutral)`,
    }));
  const confidence = round(s.coverage * (extreme ? 0.5 : 1), 3);
  const label = s.classification.toLowerCase().replace('_', ' ');
  return {
    available: true,
    missingInputs: [],
    score,
    direction: directionOf(score),
    confidence,
    factors,
    reading: `Sentiment ${s.composite.toFixed(0)}/100 (${label}, key ${s.key})${extreme ? ': extreme mood, often a reversal warning, trusted half' : ''}`,
  };
};

// --- 10 CORRELATION ---------------------------------------------------------------------------------------

export const CORRELATION_LAYER_WEIGHTS = { regime: 0.6, dominance: 0.4 } as const;
/** BTC dominance change (percentage points over the correlation's history) that saturates the dominance factor. */
export const DOMINANCE_SCALE_PP = 1;

/**
 * Layer 10: the cross-asset regime of the correlation analysis. Factors: its risk-appetite score (−1..1,
 * positive risk on) and, for symbols other than the benchmark (BTC), the BTC dominance trend read against
 * the alt: −clamp(dominance change / 1 pp) (dominance rising drains alts). For the benchmark the regime
 * is the whole layer (weight 1). Confidence for an alt is further scaled by |Pearson(alt, benchmark)| over the window: the
 * market's regime says little about an asset that does not move with it.
 */
export const correlationLayer: ConfirmationLayer = (inputs) => {
  const corr = fresh(inputs.correlation, 'CORRELATION');
  if ('missing' in corr) return unavailableLayer([corr.missing], `Cross-asset regime unavailable: ${corr.why}`);
  const c = corr.value;
  if (c.regime === null) return unavailableLayer(['CORRELATION'], `Cross-asset regime unavailable: ${c.notes[0] ?? 'not enough overlapping bars yet'}`);
  if (!c.symbols.includes(inputs.symbol)) return unavailableLayer(['CORRELATION'], `Cross-asset regime unavailable: the correlation analysis does not cover ${inputs.symbol}`);
  const r = c.regime;
  const isBenchmark = r.benchmark === inputs.symbol;
  const parts: Part[] = [
    {
      name: 'crossAssetRegime',
      value: r.score,
      x: clamp(r.score),
      // The benchmark has no dominance factor: the regime is its whole layer.
      weight: isBenchmark ? 1 : CORRELATION_LAYER_WEIGHTS.regime,
      note: `${r.regime}: risk-appetite score ${r.score.toFixed(2)} (-1 risk off .. 1 risk on)`,
    },
  ];
  const absent: string[] = [];
  if (!isBenchmark) {
    if (r.dominanceChange === null) absent.push('the BTC dominance trend');
    else
      parts.push({
        name: 'btcDominanceTrend',
        value: r.dominanceChange,
        x: clamp(-r.dominanceChange / DOMINANCE_SCALE_PP),
        weight: CORRELATION_LAYER_WEIGHTS.dominance,
        note: `BTC dominance ${r.dominanceChange >= 0 ? '+' : ''}${r.dominanceChange.toFixed(2)} pp: rising dominance drains alts (saturates at 1 pp)`,
      });
  }
  const outcome = blendParts(
    parts,
    () => `${cap(r.regime.replace('_', ' ').toLowerCase())} across assets${!isBenchmark && r.dominanceChange !== null ? `, BTC dominance ${r.dominanceChange >= 0 ? 'rising' : 'falling'}` : ''}`,
    absent,
  );
  if (isBenchmark) return outcome;
  const pair = c.pairs.find((p) => (p.a === inputs.symbol && p.b === r.benchmark) || (p.b === inputs.symbol && p.a === r.benchmark));
  const link = pair?.pearson ?? pair?.baselinePearson ?? null;
  const scale = link === null ? 0.5 : Math.abs(link);
  return {
    ...outcome,
    confidence: round((outcome.confidence ?? 0) * scale, 3),
    reading: `${outcome.reading}; correlation to ${r.benchmark} ${link === null ? 'unknown (trust halved)' : link.toFixed(2)}`,
  };
};

// --- 11 OPTIONS_FLOW --------------------------------------------------------------------------------------

export const OPTIONS_LAYER_WEIGHTS = { putCallOpenInterest: 0.25, putCallVolume: 0.15, skew: 0.35, maxPain: 0.25 } as const;
/** 25-delta risk reversal (vol points) that saturates the skew factor. */
export const SKEW_SCALE_VOL_PTS = 5;
/** Max-pain distance (% of spot) that saturates the max-pain factor. */
export const MAX_PAIN_SCALE_PCT = 5;
/** Max pain pulls only into a near expiry: the nearest one within this many days counts. */
export const MAX_PAIN_MAX_DAYS = 7;
/** Expiries closer than this are too noisy for the skew (as the options analysis's term structure). */
export const SKEW_MIN_DAYS = 1;

/**
 * Layer 11, for symbols whose base currency has an options market (Deribit BTC, ETH): put/call ratios
 * (open interest 0.25, 24 h volume 0.15) as −log₂(ratio) clamped (ratio 0.5 → +1, 1 → 0, 2 → −1), the
 * 25-delta risk reversal of the nearest expiry at least one day out (calls richer → bullish, / 5 vol points,
 * 0.35) and max pain of the nearest expiry within 7 days relative to spot (price is pulled toward it, / 5 %,
 * 0.25). Core: any one of them.
 */
export const optionsFlowLayer: ConfirmationLayer = (inputs) => {
  const options = fresh(inputs.optionsFlow, 'OPTIONS_FLOW');
  if ('missing' in options) return unavailableLayer([options.missing], `Options flow unavailable: ${options.why}`);
  const o = options.value;
  if (o.warmingUp) return unavailableLayer(['OPTIONS_FLOW'], `Options flow unavailable: no unexpired ${o.currency} option with open interest`);
  const parts: Part[] = [];
  const absent: string[] = [];
  const ratioPart = (name: string, ratio: number | null, weight: number, what: string) => {
    if (ratio === null || !(ratio > 0)) {
      absent.push(`the ${what} put/call ratio`);
      return;
    }
    parts.push({ name, value: ratio, x: clamp(-Math.log2(ratio)), weight, note: `${what} put/call ${ratio.toFixed(2)}: -log2(ratio), 0.5 → +1, 1 → 0, 2 → -1` });
  };
  ratioPart('putCallOpenInterest', o.putCall.openInterestRatio, OPTIONS_LAYER_WEIGHTS.putCallOpenInterest, 'open-interest');
  ratioPart('putCallVolume', o.putCall.volumeRatio, OPTIONS_LAYER_WEIGHTS.putCallVolume, '24 h volume');
  const byDays = [...o.expiries].sort((a, b) => a.daysToExpiry - b.daysToExpiry);
  const skewExpiry = byDays.find((e) => e.daysToExpiry >= SKEW_MIN_DAYS && e.riskReversal25 !== null);
  if (skewExpiry?.riskReversal25 == null) absent.push('the 25-delta skew');
  else
    parts.push({
      name: 'skew25',
      value: skewExpiry.riskReversal25,
      x: clamp(skewExpiry.riskReversal25 / SKEW_SCALE_VOL_PTS),
      weight: OPTIONS_LAYER_WEIGHTS.skew,
      note: `25-delta risk reversal ${skewExpiry.riskReversal25.toFixed(2)} vol points (${skewExpiry.daysToExpiry.toFixed(1)} d expiry): calls richer is bullish, saturates at ±5`,
    });
  const painExpiry = byDays.find((e) => e.daysToExpiry <= MAX_PAIN_MAX_DAYS && e.maxPainDistancePct !== null);
  if (painExpiry?.maxPainDistancePct == null) absent.push(`max pain (no expiry within ${MAX_PAIN_MAX_DAYS} d)`);
  else
    parts.push({
      name: 'maxPainPull',
      value: painExpiry.maxPainDistancePct,
      x: clamp(painExpiry.maxPainDistancePct / MAX_PAIN_SCALE_PCT),
      weight: OPTIONS_LAYER_WEIGHTS.maxPain,
      note: `max pain ${painExpiry.maxPain} is ${pct(painExpiry.maxPainDistancePct, 2)} from spot (${painExpiry.daysToExpiry.toFixed(1)} d expiry): price tends toward it into expiry, saturates at ±5 %`,
    });
  if (parts.length === 0) return unavailableLayer(['OPTIONS_FLOW'], `Options flow unavailable: ${absent.join(', ')} missing`);
  return blendParts(parts, (score) => `${o.currency} options ${directionOf(score).toLowerCase()}: put/call OI ${o.putCall.openInterestRatio?.toFixed(2) ?? 'n/a'}${skewExpiry?.riskReversal25 != null ? `, 25d skew ${skewExpiry.riskReversal25.toFixed(1)}` : ''}${painExpiry?.maxPain != null ? `, max pain ${painExpiry.maxPain}` : ''}`, absent);
};

// --- 12 FORECAST ------------------------------------------------------------------------------------------

/** Horizon layer 12 reads: 4 h ahead, a few bars of the 1 h confirmation. */
export const FORECAST_LAYER_HORIZON = 'H4' as const;
export const FORECAST_LAYER_WEIGHTS = { upProbability: 0.6, expectedReturn: 0.4 } as const;
/** |upProbability − 0.5| that saturates the probability factor. */
export const UP_PROBABILITY_SCALE = 0.1;
/** Expected return in standard deviations of the horizon that saturates the drift factor. */
export const EXPECTED_RETURN_SCALE_SD = 0.25;

/**
 * Layer 12, the FORECAST analysis at H4: probability up as (p − 0.5) / 0.1 (0.6), expected return over the
 * horizon volatility / 0.25 (0.4), each clamped to ±1. Unavailable — weight renormalised away — when the forecast
 * is absent, stale or warming up, when its H4 horizon has no out-of-sample verdict yet, and when it does not beat
 * its random-walk baseline out of sample (`beatsBaseline` false at H4): a model without an edge does not vote.
 * A miscalibrated 80 % interval (observed coverage off by more than 5 points) halves the confidence.
 */
export const forecastLayer: ConfirmationLayer = (inputs) => {
  const source = fresh(inputs.forecast, 'FORECAST');
  if ('missing' in source) return unavailableLayer([source.missing], `Forecast unavailable: ${source.why}`);
  const f = source.value;
  if (f.warmingUp) return unavailableLayer(['FORECAST'], `Forecast unavailable: warming up (${f.reason ?? 'too few 1 h returns'})`);
  const h = f.horizons.find((x) => x.horizon === FORECAST_LAYER_HORIZON);
  if (!h) return unavailableLayer(['FORECAST'], `Forecast unavailable: no ${FORECAST_LAYER_HORIZON} horizon in the result`);
  const ev = f.evaluation?.horizons.find((x) => x.horizon === FORECAST_LAYER_HORIZON);
  if (!ev || ev.beatsBaseline === null) {
    return unavailableLayer(['FORECAST'], `Forecast unavailable: no out-of-sample verdict at ${FORECAST_LAYER_HORIZON} yet (${ev?.reason ?? f.evaluationReason ?? 'not evaluated'}); its weight is renormalised away`);
  }
  if (!ev.beatsBaseline) {
    const s = ev.logScore;
    return unavailableLayer(
      ['FORECAST'],
      `Forecast unavailable: it does not beat its random-walk baseline out of sample at ${FORECAST_LAYER_HORIZON}${s ? ` (log-score gain ${s.difference.toFixed(4)} ± ${s.standardError.toFixed(4)} over ${s.samples} forecasts)` : ''}, so it carries no edge; its weight is renormalised away`,
    );
  }
  const z = h.volatility > 0 ? h.expectedReturn / h.volatility : 0;
  const parts: Part[] = [
    {
      name: 'upProbability',
      value: h.upProbability,
      x: clamp((h.upProbability - 0.5) / UP_PROBABILITY_SCALE),
      weight: FORECAST_LAYER_WEIGHTS.upProbability,
      note: `${FORECAST_LAYER_HORIZON} probability up ${(h.upProbability * 100).toFixed(1)} %: (p − 0.5) / 0.1, saturates at 60 % / 40 %`,
    },
    {
      name: 'expectedReturn',
      value: h.expectedReturn,
      x: clamp(z / EXPECTED_RETURN_SCALE_SD),
      weight: FORECAST_LAYER_WEIGHTS.expectedReturn,
      note: `${FORECAST_LAYER_HORIZON} expected log return ${pct(h.expectedReturn * 100, 3)} = ${z.toFixed(2)} σ of the horizon: saturates at ±0.25 σ`,
    },
  ];
  const outcome = blendParts(parts, (score) => `${FORECAST_LAYER_HORIZON} forecast ${directionOf(score).toLowerCase()}: ${(h.upProbability * 100).toFixed(0)} % up, beats the random walk out of sample`);
  if (h.calibrated !== false) return outcome;
  return { ...outcome, confidence: round((outcome.confidence ?? 0) * 0.5, 3), reading: `${outcome.reading}; its 80 % interval is miscalibrated out of sample (trust halved)` };
};

/** Layers 7–12 by name. */
export const FLOW_LAYERS = {
  ORDER_FLOW: orderFlowLayer,
  WHALES: whalesLayer,
  SENTIMENT: sentimentLayer,
  CORRELATION: correlationLayer,
  OPTIONS_FLOW: optionsFlowLayer,
  FORECAST: forecastLayer,
} as const satisfies Record<string, ConfirmationLayer>;

