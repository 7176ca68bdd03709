/**
 * The confirmation composite (docs/confirmation.md "Composite"): twelve layer outcomes → one score, signal,
 * strength, quality, coverage, distribution, factors and a recommendation. Pure.
 *
 * - Weights: {@link DEFAULT_LAYER_WEIGHTS} (sum 1), any of them overridden by the caller. Unavailable layers
 *   get weight 0 and the rest are renormalised to sum 1; `coverage` = available weight / total weight
 *   (before renormalisation).
 * - score = 50 + m / 2 with m = Σ wᵢ·scoreᵢ (renormalised weights, layer scores −100..100): 0..100, 50 neutral.
 * - signal = directionOf(m): NEUTRAL while |m| ≤ 15 (|score − 50| ≤ 7.5).
 * - strength from agreement: A = Σ wᵢ over layers whose direction equals the signal; D = weighted standard
 *   deviation of the layer scores / 100. STRONG when A ≥ 0.7 and D ≤ 0.35; MEDIUM when A ≥ 0.5 and D ≤ 0.6;
 *   else WEAK.
 * - quality from conviction c = |score − 50|, strength and coverage: EXCELLENT when c ≥ 20, STRONG and
 *   coverage ≥ 0.75; GOOD when c ≥ 12, not WEAK and coverage ≥ 0.5; MODERATE when the signal is directional
 *   (c > 7.5) and coverage ≥ 0.3; else POOR. Low coverage caps quality: < 0.75 never EXCELLENT, < 0.5 at best
 *   MODERATE, < 0.3 POOR.
 */
import type { CandleInterval } from '../domain/market.js';
import type { Factor } from './types.js';
import {
  ConfirmationLayerNames,
  ConfirmationQualities,
  ConfirmationStrengths,
  directionOf,
  LAYER_NEUTRAL_BAND,
  type Confirmation,
  type ConfirmationInputs,
  type ConfirmationLayer,
  type ConfirmationLayerName,
  type ConfirmationLayerResult,
  type ConfirmationQuality,
  type ConfirmationStrength,
  type LayerDirection,
  type LayerOutcome,
} from './confirmation.types.js';

export const CONFIRMATION_METHODOLOGY_VERSION = 'confirmation/1.0.0';

/** The twelve layers in their documented order. */
export const CONFIRMATION_LAYER_ORDER: readonly ConfirmationLayerName[] = Object.values(ConfirmationLayerNames);

/**
 * Default layer weights (sum 1). Price, technicals and order flow lead (0.12 each: what the market is doing
 * and who is doing it), volume and the forecast follow (0.10), structure-type layers (Wyckoff, S/R) 0.08,
 * whales 0.07, the cross-asset regime 0.06, and the slowest or least specific (Fibonacci, sentiment, options)
 * 0.05. The forecast's 0.10 is renormalised away whenever it is unavailable, including when it does not beat
 * its random-walk baseline out of sample (coverage ≤ 0.90 then).
 */
export const DEFAULT_LAYER_WEIGHTS: Readonly<Record<ConfirmationLayerName, number>> = {
  PRICE_ACTION: 0.12,
  VOLUME: 0.1,
  TECHNICAL: 0.12,
  WYCKOFF: 0.08,
  SUPPORT_RESISTANCE: 0.08,
  FIBONACCI: 0.05,
  ORDER_FLOW: 0.12,
  WHALES: 0.07,
  SENTIMENT: 0.05,
  CORRELATION: 0.06,
  OPTIONS_FLOW: 0.05,
  FORECAST: 0.1,
};

/** Thresholds of strength and quality (documented in the file comment). */
export const CONFIRMATION_THRESHOLDS = {
  strongAgreement: 0.7,
  strongMaxDispersion: 0.35,
  mediumAgreement: 0.5,
  mediumMaxDispersion: 0.6,
  excellentConviction: 20,
  excellentCoverage: 0.75,
  goodConviction: 12,
  goodCoverage: 0.5,
  moderateCoverage: 0.3,
} as const;

/** A weight override as the API receives it. */
export interface LayerWeightInput {
  layer: string;
  weight: number;
}

/** The caller's weights are unusable (negative, not finite, unknown or repeated layer, all zero). */
export class ConfirmationWeightsError extends Error {
  constructor(
    message: string,
    readonly details: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ConfirmationWeightsError';
  }
}

/** Default weights with the caller's overrides applied; throws {@link ConfirmationWeightsError} when unusable. */
export function resolveLayerWeights(overrides: readonly LayerWeightInput[] | null | undefined): Record<ConfirmationLayerName, number> {
  const weights: Record<ConfirmationLayerName, number> = { ...DEFAULT_LAYER_WEIGHTS };
  const seen = new Set<string>();
  for (const { layer, weight } of overrides ?? []) {
    if (!(CONFIRMATION_LAYER_ORDER as readonly string[]).includes(layer)) {
      throw new ConfirmationWeightsError(`Unknown confirmation layer "${layer}". Layers: ${CONFIRMATION_LAYER_ORDER.join(', ')}`, { layer });
    }
    if (seen.has(layer)) throw new ConfirmationWeightsError(`Layer ${layer} is weighted twice`, { layer });
    seen.add(layer);
    if (!Number.isFinite(weight) || weight < 0) throw new ConfirmationWeightsError(`Weight of ${layer} must be a finite number ≥ 0, got ${weight}`, { layer, weight });
    weights[layer as ConfirmationLayerName] = weight;
  }
  const total = CONFIRMATION_LAYER_ORDER.reduce((s, n) => s + weights[n], 0);
  if (!(total > 0)) throw new ConfirmationWeightsError('Layer weights sum to 0: at least one layer needs a weight > 0', { total });
  return weights;
}

const round = (x: number, digits = 2) => Number(x.toFixed(digits));

/**
 * The composite of twelve layer outcomes under `weights` (default {@link DEFAULT_LAYER_WEIGHTS}). Null when
 * no layer with a weight > 0 is available: nothing is confirmed either way, and a 50 would be a silent neutral.
 */
export function composeConfirmation(
  symbol: string,
  interval: CandleInterval,
  outcomes: Readonly<Record<ConfirmationLayerName, LayerOutcome>>,
  weights: Readonly<Record<ConfirmationLayerName, number>> = DEFAULT_LAYER_WEIGHTS,
): Confirmation | null {
  const total = CONFIRMATION_LAYER_ORDER.reduce((s, n) => s + weights[n], 0);
  const availableWeight = CONFIRMATION_LAYER_ORDER.reduce((s, n) => s + (outcomes[n].available && outcomes[n].score !== null ? weights[n] : 0), 0);
  if (!(total > 0) || !(availableWeight > 0)) return null;
  const layers: ConfirmationLayerResult[] = CONFIRMATION_LAYER_ORDER.map((name) => {
    const o = outcomes[name];
    const usable = o.available && o.score !== null;
    return { name, ...o, weight: usable ? weights[name] / availableWeight : 0 };
  });
  const used = layers.filter((l) => l.weight > 0);
  const mean = used.reduce((s, l) => s + l.weight * (l.score as number), 0);
  const score = round(50 + mean / 2);
  const signal = directionOf(mean);
  const agreement = used.reduce((s, l) => s + (l.direction === signal ? l.weight : 0), 0);
  const dispersion = Math.sqrt(used.reduce((s, l) => s + l.weight * ((l.score as number) - mean) ** 2, 0)) / 100;
  const strength = strengthOf(agreement, dispersion);
  const coverage = round(availableWeight / total, 4);
  const quality = qualityOf(Math.abs(score - 50), signal, strength, coverage);
  const distribution = { bullish: 0, bearish: 0, neutral: 0, unavailable: 0 };
  for (const l of layers) {
    if (!l.available) distribution.unavailable += 1;
    else if (l.direction === 'BULLISH') distribution.bullish += 1;
    else if (l.direction === 'BEARISH') distribution.bearish += 1;
    else distribution.neutral += 1;
  }
  const factors: Factor[] = used.map((l) => ({
    name: layerFactorName(l.name),
    value: l.score as number,
    weight: round(l.weight, 6),
    contribution: round((l.weight * (l.score as number)) / 100, 6),
    note: l.reading,
  }));
  const rounded = layers.map((l) => ({ ...l, weight: round(l.weight, 6) }));
  const c: Confirmation = { symbol, interval, score, signal, quality, strength, coverage, distribution, recommendation: '', factors, layers: rounded };
  return { ...c, recommendation: confirmationRecommendation(c, 'EN') };
}

/** Strength from the agreement A and dispersion D (file comment). */
export function strengthOf(agreement: number, dispersion: number): ConfirmationStrength {
  const t = CONFIRMATION_THRESHOLDS;
  if (agreement >= t.strongAgreement && dispersion <= t.strongMaxDispersion) return ConfirmationStrengths.STRONG;
  if (agreement >= t.mediumAgreement && dispersion <= t.mediumMaxDispersion) return ConfirmationStrengths.MEDIUM;
  return ConfirmationStrengths.WEAK;
}

/** Quality from conviction |score − 50|, signal, strength and coverage (file comment). */
export function qualityOf(conviction: number, signal: LayerDirection, strength: ConfirmationStrength, coverage: number): ConfirmationQuality {
  const t = CONFIRMATION_THRESHOLDS;
  if (conviction >= t.excellentConviction && strength === 'STRONG' && coverage >= t.excellentCoverage) return ConfirmationQualities.EXCELLENT;
  if (conviction >= t.goodConviction && strength !== 'WEAK' && coverage >= t.goodCoverage) return ConfirmationQualities.GOOD;
  if (signal !== 'NEUTRAL' && coverage >= t.moderateCoverage) return ConfirmationQualities.MODERATE;
  return ConfirmationQualities.POOR;
}

/** `ORDER_FLOW` → `orderFlow` (factor names are camelCase). */
function layerFactorName(name: ConfirmationLayerName): string {
  return name.toLowerCase().replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
}

export interface ConfirmationOptions {
  /** The twelve layer functions (the registry in confirmation-layers.ts). */
  layers: Readonly<Record<ConfirmationLayerName, ConfirmationLayer>>;
  /** Weight overrides (validated by {@link resolveLayerWeights}). */
  weights?: readonly LayerWeightInput[] | null;
}

/** Runs every layer on the assembled inputs and composes them; null when no layer is available. */
export function computeConfirmation(inputs: ConfirmationInputs, options: ConfirmationOptions): Confirmation | null {
  const weights = resolveLayerWeights(options.weights);
  const outcomes = {} as Record<ConfirmationLayerName, LayerOutcome>;
  for (const name of CONFIRMATION_LAYER_ORDER) outcomes[name] = options.layers[name](inputs);
  return composeConfirmation(inputs.symbol, inputs.interval, outcomes, weights);
}

/** Re-composes a stored confirmation under other weights (its layer outcomes are kept as computed). */
export function reweighConfirmation(c: Confirmation, weights: Readonly<Record<ConfirmationLayerName, number>>): Confirmation | null {
  const outcomes = {} as Record<ConfirmationLayerName, LayerOutcome>;
  for (const l of c.layers) {
    const { name: _name, weight: _weight, ...outcome } = l;
    outcomes[l.name] = outcome;
  }
  return composeConfirmation(c.symbol, c.interval, outcomes, weights);
}

// --- Recommendation text ----------------------------------------------------------------------------------

export const RecommendationLanguages = { EN: 'EN', TR: 'TR' } as const;
export type RecommendationLanguage = (typeof RecommendationLanguages)[keyof typeof RecommendationLanguages];

const TEXT = {
  EN: {
    layer: {
      PRICE_ACTION: 'price action',
      VOLUME: 'volume',
      TECHNICAL: 'technical indicators',
      WYCKOFF: 'Wyckoff phase',
      SUPPORT_RESISTANCE: 'support/resistance',
      FIBONACCI: 'Fibonacci',
      ORDER_FLOW: 'order flow',
      WHALES: 'whales',
      SENTIMENT: 'sentiment',
      CORRELATION: 'cross-asset regime',
      OPTIONS_FLOW: 'options flow',
      FORECAST: 'forecast',
    } satisfies Record<ConfirmationLayerName, string>,
    signal: { BULLISH: 'bullish', BEARISH: 'bearish', NEUTRAL: 'no directional' },
    quality: { EXCELLENT: 'excellent', GOOD: 'good', MODERATE: 'moderate', POOR: 'poor' },
    strength: { STRONG: 'strong', MEDIUM: 'medium', WEAK: 'weak' },
  },
  TR: {
    layer: {
      PRICE_ACTION: 'fiyat hareketi',
      VOLUME: 'hacim',
      TECHNICAL: 'teknik göstergeler',
      WYCKOFF: 'Wyckoff evresi',
      SUPPORT_RESISTANCE: 'destek/direnç',
      FIBONACCI: 'Fibonacci',
      ORDER_FLOW: 'emir akışı',
      WHALES: 'balinalar',
      SENTIMENT: 'piyasa duyarlılığı',
      CORRELATION: 'çapraz varlık rejimi',
      OPTIONS_FLOW: 'opsiyon akışı',
      FORECAST: 'tahmin',
    } satisfies Record<ConfirmationLayerName, string>,
    signal: { BULLISH: 'yükseliş yönlü', BEARISH: 'düşüş yönlü', NEUTRAL: 'yönsüz' },
    quality: { EXCELLENT: 'mükemmel', GOOD: 'iyi', MODERATE: 'orta', POOR: 'zayıf' },
    strength: { STRONG: 'güçlü', MEDIUM: 'orta', WEAK: 'zayıf' },
  },
} as const;

/**
 * Plain-text reading of a confirmation in English or Turkish: signal, score, quality and strength, how many
 * available layers agree, the layers that drive it and the ones that disagree, what is missing, and what
 * the quality means for acting on it. Analysis, not advice: it never says buy or sell.
 */
export function confirmationRecommendation(c: Confirmation, language: RecommendationLanguage): string {
  const t = TEXT[language];
  const available = c.layers.filter((l) => l.available && l.weight > 0);
  const side = c.signal;
  const onSide = available.filter((l) => l.direction === side);
  const against = side === 'NEUTRAL' ? [] : available.filter((l) => l.direction !== side && l.direction !== 'NEUTRAL');
  const drivers = [...available]
    .filter((l) => (side === 'NEUTRAL' ? true : l.direction === side))
    .sort((a, b) => Math.abs(b.weight * (b.score ?? 0)) - Math.abs(a.weight * (a.score ?? 0)))
    .slice(0, 3)
    .map((l) => t.layer[l.name]);
  const missing = c.layers.filter((l) => !l.available).map((l) => t.layer[l.name]);
  const cov = Math.round(c.coverage * 100);
  if (language === 'EN') {
    const head =
      side === 'NEUTRAL'
        ? `No directional confirmation (score ${c.score.toFixed(0)}/100, quality ${t.quality[c.quality]}): the available layers do not lean clearly either way.`
        : `${cap(t.signal[side], 'en')} confirmation, score ${c.score.toFixed(0)}/100, quality ${t.quality[c.quality]}, ${t.strength[c.strength]} agreement: ${onSide.length} of ${available.length} available layers lean ${t.signal[side]}${drivers.length > 0 ? `, led by ${drivers.join(', ')}` : ''}.`;
    const contra = against.length > 0 ? ` Against it: ${against.map((l) => t.layer[l.name]).join(', ')}.` : '';
    const gaps = missing.length > 0 ? ` Coverage ${cov} % (not available: ${missing.join(', ')}).` : ` Coverage ${cov} %.`;
    const advice =
      c.quality === 'EXCELLENT' || c.quality === 'GOOD'
        ? ' The layers broadly agree; a plan in this direction still needs its own stop and size.'
        : c.quality === 'MODERATE'
          ? ' The lean is real but thin; wait for more layers to confirm before relying on it.'
          : ' Too weak or too incomplete to rely on; no confirmed direction.';
    return `${head}${contra}${gaps}${advice} Analysis, not advice.`;
  }
  const head =
    side === 'NEUTRAL'
      ? `Yönlü bir teyit yok (skor ${c.score.toFixed(0)}/100, kalite ${t.quality[c.quality]}): mevcut katmanlar belirgin bir yöne eğilim göstermiyor.`
      : `${cap(t.signal[side], 'tr')} teyit, skor ${c.score.toFixed(0)}/100, kalite ${t.quality[c.quality]}, uyum ${t.strength[c.strength]}: mevcut ${available.length} katmanın ${onSide.length} tanesi ${t.signal[side]}${drivers.length > 0 ? `; öne çıkanlar: ${drivers.join(', ')}` : ''}.`;
  const contra = against.length > 0 ? ` Karşı yönde: ${against.map((l) => t.layer[l.name]).join(', ')}.` : '';
  const gaps = missing.length > 0 ? ` Kapsam %${cov} (kullanılamayan: ${missing.join(', ')}).` : ` Kapsam %${cov}.`;
  const advice =
    c.quality === 'EXCELLENT' || c.quality === 'GOOD'
      ? ' Katmanlar büyük ölçüde uyumlu; bu yönde bir plan yine de kendi zarar durdurma seviyesini ve pozisyon büyüklüğünü gerektirir.'
      : c.quality === 'MODERATE'
        ? ' Eğilim var ama zayıf; güvenmeden önce daha fazla katmanın teyit etmesini bekleyin.'
        : ' Güvenilemeyecek kadar zayıf veya eksik; teyit edilmiş bir yön yok.';
  return `${head}${contra}${gaps}${advice} Bu bir analizdir, yatırım tavsiyesi değildir.`;
}

function cap(s: string, locale: string): string {
  return s.charAt(0).toLocaleUpperCase(locale) + s.slice(1);
}

/** Score band inside which the composite is NEUTRAL, in composite units (|score − 50| ≤ this). */
export const COMPOSITE_NEUTRAL_HALF_BAND = LAYER_NEUTRAL_BAND / 2;

// --- Multi-timeframe agreement ----------------------------------------------------------------------------

/** How the composites of several intervals agree (GraphQL `ConfirmationAgreement`). */
export interface ConfirmationAgreementSummary {
  /** The signal most available intervals share; NEUTRAL on a tie or when none is available. */
  signal: LayerDirection;
  /** Share of the available intervals with that signal, 0..1 (0 when none is available). */
  alignment: number;
  /** True when at least two intervals are available and all share one directional signal. */
  aligned: boolean;
  bullish: number;
  bearish: number;
  neutral: number;
  unavailable: number;
  /** Mean composite score of the available intervals; null when none is. */
  meanScore: number | null;
  summary: string;
}

/**
 * Agreement across intervals: counts per signal, the majority signal (each interval one vote; a tie between
 * the top two is NEUTRAL), its share, and a plain-text summary in `language`.
 */
export function confirmationAgreement(rows: readonly { interval: CandleInterval; confirmation: Pick<Confirmation, 'signal' | 'score'> | null }[], language: RecommendationLanguage): ConfirmationAgreementSummary {
  const available = rows.filter((r) => r.confirmation !== null).map((r) => ({ interval: r.interval, c: r.confirmation! }));
  const count = (s: LayerDirection) => available.filter((r) => r.c.signal === s).length;
  const counts = { BULLISH: count('BULLISH'), BEARISH: count('BEARISH'), NEUTRAL: count('NEUTRAL') };
  const ranked = (Object.entries(counts) as [LayerDirection, number][]).sort((a, b) => b[1] - a[1]);
  const [top, second] = ranked as [[LayerDirection, number], [LayerDirection, number]];
  const signal: LayerDirection = available.length === 0 || top[1] === second[1] ? 'NEUTRAL' : top[0];
  const alignment = available.length === 0 ? 0 : round(counts[signal] / available.length, 4);
  const aligned = available.length >= 2 && signal !== 'NEUTRAL' && counts[signal] === available.length;
  const meanScore = available.length === 0 ? null : round(available.reduce((s, r) => s + r.c.score, 0) / available.length);
  const unavailable = rows.length - available.length;
  const list = (s: LayerDirection) => available.filter((r) => r.c.signal === s).map((r) => r.interval).join(', ');
  const t = TEXT[language];
  let summary: string;
  if (language === 'EN') {
    summary =
      available.length === 0
        ? 'No interval has a confirmation yet.'
        : `${aligned ? 'Aligned' : signal === 'NEUTRAL' ? 'No common direction' : 'Mostly ' + t.signal[signal]} across ${available.length} interval${available.length === 1 ? '' : 's'}: bullish ${counts.BULLISH} (${list('BULLISH') || '-'}), bearish ${counts.BEARISH} (${list('BEARISH') || '-'}), neutral ${counts.NEUTRAL} (${list('NEUTRAL') || '-'})${unavailable > 0 ? `, ${unavailable} unavailable` : ''}.`;
  } else {
    summary =
      available.length === 0
        ? 'Henüz hiçbir zaman diliminde teyit yok.'
        : `${available.length} zaman diliminde ${aligned ? 'tam uyum' : signal === 'NEUTRAL' ? 'ortak yön yok' : 'çoğunlukla ' + t.signal[signal]}: yükseliş ${counts.BULLISH} (${list('BULLISH') || '-'}), düşüş ${counts.BEARISH} (${list('BEARISH') || '-'}), nötr ${counts.NEUTRAL} (${list('NEUTRAL') || '-'})${unavailable > 0 ? `, ${unavailable} kullanılamıyor` : ''}.`;
  }
  return { signal, alignment, aligned, bullish: counts.BULLISH, bearish: counts.BEARISH, neutral: counts.NEUTRAL, unavailable, meanScore, summary };
}
