import { getPercentageChange } from 'trading-signals';
import type { Factor } from './types.js';
import {
  BasisReferences,
  BasisStructures,
  DEFAULT_BASIS_THRESHOLDS,
  PerpPriceSources,
  type BasisAnalysis,
  type BasisInput,
  type BasisStructure,
  type BasisThresholds,
} from './basis.types.js';

/** Version of the method below; bump it whenever a number this analyzer produces would change. */
export const BASIS_METHODOLOGY_VERSION = 'basis/1.1.0';

const MAX_EPOCH_MS = 8.64e15;

const fail = (message: string): never => {
  throw new Error(`computeBasisAnalysis: ${message}`);
};
const quote = (value: unknown): string => (typeof value === 'number' ? String(value) : JSON.stringify(value));

/**
 * Structure of a basis in percent, inclusive on the thresholds: ≥ contangoPct CONTANGO,
 * ≤ backwardationPct BACKWARDATION, strictly between NORMAL.
 */
export function classifyBasis(
  basisPct: number,
  thresholds: Pick<BasisThresholds, 'contangoPct' | 'backwardationPct'> = DEFAULT_BASIS_THRESHOLDS,
): BasisStructure {
  if (basisPct >= thresholds.contangoPct) return BasisStructures.CONTANGO;
  if (basisPct <= thresholds.backwardationPct) return BasisStructures.BACKWARDATION;
  return BasisStructures.NORMAL;
}

/**
 * Basis of a perpetual: how far it trades from its underlying, against spot (perpetual price − spot
 * price) and against the venue's index (mark − index, the premium funding is computed from).
 *
 * What it measures:
 * - `basisPct` = (perp − spot) / spot × 100 with perp = mark price (MARK) or, without one, the last trade
 *   (LAST). Null without a spot price, or when the two prices are more than `maxSkewMs` apart (comparing
 *   a stale spot with a live perpetual would invent a basis).
 * - `premiumPct` = (mark − index) / index × 100.
 * - Annualization (`annualized*Pct` = pct × periodsPerYear, periodsPerYear = 24 / fundingIntervalHours × 365,
 *   simple, not compounded): a perpetual has no expiry, so the dated-futures convention (basis × 365 /
 *   days to expiry) has no days to use, and Binance leaves `annualizedBasisRate` empty on perpetuals. The
 *   funding mechanism is what ties a perpetual to spot: each interval it charges (roughly) the average
 *   premium of that interval. A premium that persisted would therefore cost its size once per funding
 *   interval, so we annualize it per funding interval, the same convention as FundingAnalysis.annualizedRate
 *   (0.01 % per 8 h → 10.95 %), which makes the two directly comparable. It is a carry scale, not a
 *   forecast: Binance's interest component and clamp keep funding at 0.01 % while the premium stays
 *   within about ±0.05 % of it, and premiums rarely persist for a whole interval.
 * - `structure` (see {@link classifyBasis}) from the spot basis (`structureReference` SPOT) or, without a
 *   usable spot basis, from the premium (INDEX). Defaults: contango at ≥ +0.05 %, backwardation at
 *   ≤ −0.05 %, close to the edges of the band [−0.04 %, +0.06 %] (the 0.01 % interest rate ± the 0.05 % clamp)
 *   within which Binance funding stays at its 0.01 % per 8 h baseline: beyond them the premium moves
 *   funding. (0.05 % per 8 h is 54.75 % a year.)
 * - Factors: `spotBasis` and `markPremium`, value in percent, normalised by the threshold on their side
 *   (±1 at the threshold); the one that decided the structure has weight 1, the other weight 0
 *   (shown for context).
 *
 * Pure: no I/O and no clock. Precondition violations throw an Error quoting the value: non-positive or
 * non-finite prices, times outside the Date range, fundingIntervalHours ≤ 0, contangoPct ≤ 0,
 * backwardationPct ≥ 0, maxSkewMs < 0.
 *
 * @see https://developers.binance.com/docs/derivatives/usds-margined-futures/market-data/rest-api/Basis — Binance basis statistics (annualizedBasisRate empty for PERPETUAL).
 * @see https://www.binance.com/en/support/faq/introduction-to-binance-futures-funding-rates-360033525031 — Binance: funding = premium index + clamp(interest − premium), paid every funding interval.
 * @see https://en.wikipedia.org/wiki/Contango — contango and backwardation.
 */
export function computeBasisAnalysis(input: Readonly<BasisInput>): BasisAnalysis {
  validateInput(input);
  const t = resolveThresholds(input.thresholds);
  const periodsPerYear = (24 / input.fundingIntervalHours) * 365;
  if (!Number.isFinite(periodsPerYear)) fail(`fundingIntervalHours ${quote(input.fundingIntervalHours)} is too small`);

  const { spot, mark, last } = input;
  const perp = mark ? { price: mark.markPrice, time: mark.time, source: PerpPriceSources.MARK } : last ? { ...last, source: PerpPriceSources.LAST } : null;
  const skewMs = spot && perp ? Math.abs(perp.time - spot.time) : null;
  const spotUsable = spot !== null && perp !== null && skewMs !== null && skewMs <= t.maxSkewMs;
  const basisPct = spotUsable ? getPercentageChange(spot.price, perp.price) : null;
  const index = mark?.indexPrice ?? null;
  const premiumPct = mark && index !== null ? getPercentageChange(index, mark.markPrice) : null;

  const reference = basisPct !== null ? BasisReferences.SPOT : premiumPct !== null ? BasisReferences.INDEX : null;
  const decisive = basisPct ?? premiumPct;
  const structure = decisive === null ? null : classifyBasis(decisive, t);

  const spotNote =
    spot === null
      ? 'no spot price yet: spot basis not measured'
      : perp === null
        ? 'no perpetual price yet: spot basis not measured'
        : !spotUsable
          ? `spot price (${iso(spot.time)}) and perpetual price (${iso(perp.time)}) are ${Math.round(skewMs as number)} ms apart, more than ${t.maxSkewMs} ms: spot basis not measured`
          : `${perp.source === PerpPriceSources.MARK ? 'mark' : 'last'} ${perp.price} vs spot ${spot.price}: ${signed(basisPct as number)} (${signed((basisPct as number) * periodsPerYear, 2)} a year at ${periodsPerYear} funding periods)`;
  const premiumNote =
    mark === null
      ? 'no mark/index price yet: premium not measured'
      : index === null
        ? `mark ${mark.markPrice} but the source gives no index price: premium not measured`
        : `mark ${mark.markPrice} vs index ${mark.indexPrice}: ${signed(premiumPct as number)} (${signed((premiumPct as number) * periodsPerYear, 2)} a year)`;
  const factors: Factor[] = [
    factor('spotBasis', basisPct, reference === BasisReferences.SPOT ? 1 : 0, t, `${spotNote}${reference === BasisReferences.SPOT ? ' — decides the structure' : ''}`),
    factor('markPremium', premiumPct, reference === BasisReferences.INDEX ? 1 : 0, t, `${premiumNote}${reference === BasisReferences.INDEX ? ' — decides the structure (no usable spot basis)' : reference === BasisReferences.SPOT ? ' — context only' : ''}`),
  ];

  return {
    symbol: input.symbol,
    warmingUp: spot === null,
    spotPrice: spot?.price ?? null,
    spotTime: spot?.time ?? null,
    perpPrice: perp?.price ?? null,
    perpPriceSource: perp?.source ?? null,
    perpTime: perp?.time ?? null,
    skewMs,
    basis: spotUsable ? perp.price - spot.price : null,
    basisPct,
    annualizedBasisPct: basisPct === null ? null : basisPct * periodsPerYear,
    markPrice: mark?.markPrice ?? null,
    indexPrice: mark?.indexPrice ?? null,
    premium: mark && index !== null ? mark.markPrice - index : null,
    premiumPct,
    annualizedPremiumPct: premiumPct === null ? null : premiumPct * periodsPerYear,
    periodsPerYear,
    structure,
    structureReference: reference,
    contangoPct: t.contangoPct,
    backwardationPct: t.backwardationPct,
    factors,
  };
}

function resolveThresholds(overrides: Partial<BasisThresholds> | undefined): BasisThresholds {
  const t: BasisThresholds = { ...DEFAULT_BASIS_THRESHOLDS };
  for (const key of Object.keys(t) as (keyof BasisThresholds)[]) {
    const value = overrides?.[key];
    if (value !== undefined) t[key] = value;
  }
  if (!Number.isFinite(t.contangoPct) || t.contangoPct <= 0) fail(`thresholds.contangoPct must be a finite number > 0, got ${quote(t.contangoPct)}`);
  if (!Number.isFinite(t.backwardationPct) || t.backwardationPct >= 0)
    fail(`thresholds.backwardationPct must be a finite number < 0, got ${quote(t.backwardationPct)}`);
  if (!Number.isFinite(t.maxSkewMs) || t.maxSkewMs < 0) fail(`thresholds.maxSkewMs must be a finite number >= 0, got ${quote(t.maxSkewMs)}`);
  return t;
}

function validateInput(input: Readonly<BasisInput>): void {
  if (!Number.isFinite(input.fundingIntervalHours) || input.fundingIntervalHours <= 0)
    fail(`fundingIntervalHours must be a finite number > 0, got ${quote(input.fundingIntervalHours)}`);
  if (input.spot) checkObservation('spot', input.spot);
  if (input.last) checkObservation('last', input.last);
  if (input.mark) {
    checkPrice('mark.markPrice', input.mark.markPrice);
    if (input.mark.indexPrice !== null) checkPrice('mark.indexPrice', input.mark.indexPrice);
    checkTime('mark.time', input.mark.time);
  }
}

function checkObservation(name: string, o: { price: number; time: number }): void {
  checkPrice(`${name}.price`, o.price);
  checkTime(`${name}.time`, o.time);
}

function checkPrice(name: string, price: number): void {
  if (!Number.isFinite(price) || price <= 0) fail(`${name} must be a finite number > 0, got ${quote(price)}`);
}

function checkTime(name: string, time: number): void {
  if (!Number.isFinite(time) || Math.abs(time) > MAX_EPOCH_MS) fail(`${name} must be a finite epoch ms within ±${MAX_EPOCH_MS}, got ${quote(time)}`);
}

/** Value in percent, normalised by the threshold on its side so that ±1 is reached at the threshold. */
function factor(name: string, pct: number | null, weight: number, t: BasisThresholds, note: string): Factor {
  const value = pct ?? 0;
  const normalised = value >= 0 ? value / t.contangoPct : value / -t.backwardationPct;
  const contribution = weight * Math.min(1, Math.max(-1, normalised));
  return { name, value, weight, contribution: contribution === 0 ? 0 : contribution, note };
}

const signed = (pct: number, digits = 4): string => `${pct > 0 ? '+' : ''}${pct.toFixed(digits)} %`;
const iso = (ms: number): string => new Date(ms).toISOString();
