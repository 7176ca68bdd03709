import { z } from 'zod';
import type { Confirmation } from '../analyzers/confirmation.types.js';
import type { CorrelationAnalysis } from '../analyzers/correlation.types.js';
import type { EmergencyAnalysis } from '../analyzers/emergency.types.js';
import type { FundingAnalysis } from '../analyzers/funding.types.js';
import type { LiquidationCascadeAnalysis } from '../analyzers/liquidation-cascades.types.js';
import type { Trap } from '../analyzers/traps.types.js';
import type { VolatilityRegimeChange } from '../analyzers/volatility.types.js';
import type { AnalysisRecord, WithEventMeta } from '../domain/analysis.js';
import type { DataOrigin } from '../domain/market.js';
import type { PublishedTrade } from '../pubsub.js';
import type { AlertEventType, AlertFactor, AlertSeverity } from './types.js';

/**
 * Pure rule evaluation: (rule conditions, what happened, the rule's previous state for that symbol) → a
 * firing or nothing. Threshold events (funding |z|, confirmation composite, regime agreement, emergency
 * level) fire on the rising edge only, so a condition that stays true does not repeat every recompute;
 * cooldowns are applied by the evaluator (src/alerts/evaluator.ts).
 */

export const QUALITY_ORDER = ['POOR', 'MODERATE', 'GOOD', 'EXCELLENT'] as const;
export const EMERGENCY_ORDER = ['NORMAL', 'ELEVATED', 'EMERGENCY'] as const;

export interface AlertConditions {
  minSeverity?: number | null;
  minAbsZ?: number | null;
  minComposite?: number | null;
  minQuality?: (typeof QUALITY_ORDER)[number] | null;
  price?: number | null;
  direction?: 'UP' | 'DOWN' | 'ANY' | null;
  minNotional?: number | null;
  minAgreement?: number | null;
  minLevel?: 'ELEVATED' | 'EMERGENCY' | null;
}

/** Which condition fields each event accepts (the rest must be absent); `required` ones must be given. */
export const EVENT_CONDITIONS: Record<AlertEventType, { allowed: ReadonlyArray<keyof AlertConditions>; required?: ReadonlyArray<keyof AlertConditions>; kinds: readonly string[] }> = {
  CASCADE_DETECTED: { allowed: ['minSeverity'], kinds: ['LIQUIDATION_CASCADES'] },
  FUNDING_ANOMALY: { allowed: ['minAbsZ'], kinds: ['FUNDING'] },
  VOLATILITY_REGIME_CHANGED: { allowed: [], kinds: ['volatility:regime-changed'] },
  MTF_REGIME_CONFIRMED: { allowed: ['minAgreement'], kinds: ['REGIME'] },
  CORRELATION_BREAK: { allowed: [], kinds: ['CORRELATION'] },
  TRAP_DETECTED: { allowed: ['direction'], kinds: ['trap:detected'] },
  WHALE_TRADE: { allowed: ['minNotional', 'direction'], kinds: ['trade:created'] },
  CONFIRMATION_THRESHOLD: { allowed: ['minComposite', 'minQuality', 'direction'], required: ['minComposite'], kinds: ['CONFIRMATION'] },
  PRICE_LEVEL_CROSSED: { allowed: ['price', 'direction'], required: ['price'], kinds: ['trade:created'] },
  EMERGENCY_LEVEL_CHANGED: { allowed: ['minLevel'], kinds: ['EMERGENCY'] },
  DIGEST: { allowed: [], kinds: [] },
};

const conditionsSchema = z.object({
  minSeverity: z.number().int().min(1, 'minSeverity is 1..5').max(5, 'minSeverity is 1..5').nullish(),
  minAbsZ: z.number().positive('minAbsZ must be > 0').max(100).nullish(),
  minComposite: z.number().min(0, 'minComposite is 0..100').max(100, 'minComposite is 0..100').nullish(),
  minQuality: z.enum(QUALITY_ORDER).nullish(),
  price: z.number().positive('price must be > 0').nullish(),
  direction: z.enum(['UP', 'DOWN', 'ANY']).nullish(),
  minNotional: z.number().positive('minNotional must be > 0').nullish(),
  minAgreement: z.number().int().min(1).max(4, 'minAgreement is 1..4 timeframes').nullish(),
  minLevel: z.enum(['ELEVATED', 'EMERGENCY']).nullish(),
});

/** Checks that `conditions` fit `event`; returns the cleaned conditions or the problems (BAD_USER_INPUT). */
export function validateConditions(event: AlertEventType, conditions: Record<string, unknown> | null | undefined): { ok: true; conditions: AlertConditions } | { ok: false; problems: string[] } {
  const spec = EVENT_CONDITIONS[event];
  if (!spec || event === 'DIGEST') return { ok: false, problems: [`event ${event} is not an event rules can listen to`] };
  const parsed = conditionsSchema.safeParse(conditions ?? {});
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((i) => `conditions.${i.path.join('.')}: ${i.message}`) };
  const given = Object.entries(parsed.data).filter(([, v]) => v !== null && v !== undefined).map(([k]) => k as keyof AlertConditions);
  const problems: string[] = [];
  for (const k of given) if (!spec.allowed.includes(k)) problems.push(`conditions.${k} does not apply to ${event} (it takes ${spec.allowed.length ? spec.allowed.join(', ') : 'no conditions'})`);
  for (const k of spec.required ?? []) if (!given.includes(k)) problems.push(`conditions.${k} is required for ${event}`);
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, conditions: Object.fromEntries(given.map((k) => [k, parsed.data[k]])) as AlertConditions };
}

/** What the evaluator hands a rule: an analysis record or a published market event. */
export type AlertInput =
  | { type: 'record'; record: AnalysisRecord }
  | { type: 'trap'; symbol: string; trap: WithEventMeta<Trap> }
  | { type: 'volatility'; symbol: string; change: WithEventMeta<VolatilityRegimeChange> }
  | { type: 'trade'; symbol: string; trade: PublishedTrade };

export interface Firing {
  /** Part of the idempotency key: the same triggering input gives the same key on every instance. */
  triggerKey: string;
  symbol: string;
  severity: AlertSeverity;
  title: string;
  summary: string;
  factors: AlertFactor[];
  meta: { source: DataOrigin; venue: string; asOf: number };
}

/** Per (rule, symbol) memory: the previous truth of a threshold, the previous price or level. */
export interface RuleState {
  wasTrue?: boolean;
  lastPrice?: number;
  lastLevel?: number;
}

const fmt = (v: number | null | undefined, digits = 2) => (v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(digits));
const pct = (v: number | null | undefined, digits = 4) => (v === null || v === undefined ? 'n/a' : `${(v * 100).toFixed(digits)}%`);
const usd = (v: number) => (v >= 1e6 ? `${(v / 1e6).toFixed(2)}M USD` : v >= 1e3 ? `${(v / 1e3).toFixed(1)}k USD` : `${v.toFixed(0)} USD`);
const factorsOf = (factors: ReadonlyArray<{ name: string; value: unknown; note?: string | null; contribution?: number | null }> | undefined, max = 8): AlertFactor[] =>
  (factors ?? []).slice(0, max).map((f) => ({ name: f.name, value: typeof f.value === 'number' ? fmt(f.value, 4) : String(f.value ?? 'n/a'), note: f.note ?? null }));
const recordMeta = (r: AnalysisRecord) => ({ source: r.source, venue: r.venue, asOf: r.asOf });
const recordKey = (r: AnalysisRecord) => `${r.kind}:${r.symbol}:${r.asOf}`;

/** Rising edge of `now`, remembering it in `state`. */
function edge(state: RuleState, now: boolean): boolean {
  const was = state.wasTrue ?? false;
  state.wasTrue = now;
  return now && !was;
}

/** Evaluates one rule on one input; mutates `state`. */
export function evaluateRule(event: AlertEventType, c: AlertConditions, input: AlertInput, state: RuleState): Firing | null {
  switch (event) {
    case 'CASCADE_DETECTED': {
      if (input.type !== 'record' || input.record.kind !== 'LIQUIDATION_CASCADES') return null;
      const a = input.record.result as LiquidationCascadeAnalysis;
      const min = c.minSeverity ?? 3;
      if (!edge(state, a.severity !== null && a.severity >= min)) return null;
      return {
        triggerKey: recordKey(input.record),
        symbol: a.symbol,
        severity: (a.severity ?? 0) >= 4 ? 'CRITICAL' : 'WARNING',
        title: `${a.symbol} liquidation cascade: severity ${a.severity} (${a.level})`,
        summary: `Liquidations ${usd(a.notionalUsd)} in the window (${a.count} orders), ${fmt(a.baselineRatio)}x the baseline velocity; ${a.dominance} dominated.`,
        factors: [
          { name: 'severity', value: String(a.severity), note: a.level },
          { name: 'notional in window', value: usd(a.notionalUsd) },
          { name: 'velocity / baseline', value: fmt(a.baselineRatio) },
          { name: 'share of hourly volume', value: pct(a.volumeShare, 2) },
          { name: 'long share', value: pct(a.longShare, 1) },
        ],
        meta: recordMeta(input.record),
      };
    }
    case 'FUNDING_ANOMALY': {
      if (input.type !== 'record' || input.record.kind !== 'FUNDING') return null;
      const a = input.record.result as FundingAnalysis;
      const min = c.minAbsZ ?? 3;
      if (!edge(state, a.zScore !== null && Math.abs(a.zScore) >= min)) return null;
      return {
        triggerKey: recordKey(input.record),
        symbol: a.symbol,
        severity: Math.abs(a.zScore!) >= min * 1.5 ? 'CRITICAL' : 'WARNING',
        title: `${a.symbol} funding anomaly: z = ${fmt(a.zScore)} (rate ${pct(a.rate)})`,
        summary: `Funding ${fmt(Math.abs(a.zScore!))} σ ${a.zScore! > 0 ? 'above' : 'below'} its mean over ${a.sampleSize} settlements; signal ${a.signal}.`,
        factors: [{ name: 'zScore', value: fmt(a.zScore) }, { name: 'rate', value: pct(a.rate), note: `${a.fundingIntervalHours}h` }, { name: 'annualized', value: pct(a.annualizedRate, 2) }, ...factorsOf(a.factors, 5)],
        meta: recordMeta(input.record),
      };
    }
    case 'CONFIRMATION_THRESHOLD': {
      if (input.type !== 'record' || input.record.kind !== 'CONFIRMATION') return null;
      const a = input.record.result as Confirmation;
      const minQ = QUALITY_ORDER.indexOf(c.minQuality ?? 'POOR');
      const dirOk = !c.direction || c.direction === 'ANY' || (c.direction === 'UP' ? a.signal === 'BULLISH' : a.signal === 'BEARISH');
      if (!edge(state, a.score >= (c.minComposite ?? 75) && QUALITY_ORDER.indexOf(a.quality) >= minQ && dirOk)) return null;
      return {
        triggerKey: recordKey(input.record),
        symbol: a.symbol,
        severity: a.quality === 'EXCELLENT' || a.quality === 'GOOD' ? 'WARNING' : 'INFO',
        title: `${a.symbol} confirmation ${fmt(a.score, 1)} (${a.quality}, ${a.signal})`,
        summary: a.recommendation,
        factors: [{ name: 'composite', value: fmt(a.score, 1) }, { name: 'quality', value: a.quality }, { name: 'coverage', value: pct(a.coverage, 0) }, ...factorsOf(a.factors, 6)],
        meta: recordMeta(input.record),
      };
    }
    case 'MTF_REGIME_CONFIRMED': {
      if (input.type !== 'record' || input.record.kind !== 'REGIME') return null;
      const a = input.record.result as { symbol: string; primaryRegime: string | null; agreement: number; factors?: AlertFactor[] };
      if (!edge(state, a.primaryRegime !== null && a.agreement >= (c.minAgreement ?? 3))) return null;
      return {
        triggerKey: recordKey(input.record),
        symbol: a.symbol,
        severity: 'INFO',
        title: `${a.symbol} regime ${a.primaryRegime} confirmed on ${a.agreement} timeframes`,
        summary: `The primary regime ${a.primaryRegime} agrees across ${a.agreement} timeframes.`,
        factors: [{ name: 'primary regime', value: String(a.primaryRegime) }, { name: 'agreeing timeframes', value: String(a.agreement) }, ...factorsOf(a.factors, 5)],
        meta: recordMeta(input.record),
      };
    }
    case 'CORRELATION_BREAK': {
      if (input.type !== 'record' || input.record.kind !== 'CORRELATION') return null;
      const a = input.record.result as CorrelationAnalysis;
      if (!edge(state, a.breaks.length > 0)) return null;
      const b = a.breaks[0]!;
      return {
        triggerKey: recordKey(input.record),
        symbol: input.record.symbol,
        severity: b.severity !== 'LOW' ? 'WARNING' : 'INFO',
        title: `Correlation break ${b.a}/${b.b}: ${fmt(b.baselinePearson)} → ${fmt(b.pearson)}`,
        summary: b.note,
        factors: a.breaks.slice(0, 10).map((x) => ({ name: `${x.a}/${x.b}`, value: `${fmt(x.baselinePearson)} → ${fmt(x.pearson)}`, note: `${x.direction}, ${x.severity}` })),
        meta: recordMeta(input.record),
      };
    }
    case 'EMERGENCY_LEVEL_CHANGED': {
      if (input.type !== 'record' || input.record.kind !== ('EMERGENCY' as string)) return null;
      const a = input.record.result as EmergencyAnalysis;
      const level = EMERGENCY_ORDER.indexOf(a.level);
      const previous = state.lastLevel;
      state.lastLevel = level;
      // Fires when the level rises to at least minLevel (the first result only sets the mark).
      if (previous === undefined || level <= previous || level < EMERGENCY_ORDER.indexOf(c.minLevel ?? 'ELEVATED')) return null;
      return {
        triggerKey: recordKey(input.record),
        symbol: a.symbol,
        severity: a.level === 'EMERGENCY' ? 'CRITICAL' : 'WARNING',
        title: `${a.symbol} emergency level ${EMERGENCY_ORDER[previous]} → ${a.level}`,
        summary: ((a as unknown as { advice?: string[] }).advice ?? []).join(' ') || 'Advice only, never orders.',
        factors: [
          ...a.triggers.slice(0, 8).map((t) => ({ name: String((t as { type?: unknown }).type ?? 'trigger'), value: String(t.level), note: String((t as { note?: unknown }).note ?? '') || null })),
          ...factorsOf((a as unknown as { factors?: AlertFactor[] }).factors, 6),
        ],
        meta: recordMeta(input.record),
      };
    }
    case 'TRAP_DETECTED': {
      if (input.type !== 'trap') return null;
      const t = input.trap;
      if (c.direction === 'UP' && t.direction !== 'BULLISH') return null;
      if (c.direction === 'DOWN' && t.direction !== 'BEARISH') return null;
      return {
        triggerKey: `TRAP:${input.symbol}:${t.id}`,
        symbol: input.symbol,
        severity: 'WARNING',
        title: `${input.symbol} ${t.type} at ${t.level} (${t.direction})`,
        summary: `A ${t.type} swept the ${t.levelSource} level ${t.level} on ${t.interval}.`,
        factors: [{ name: 'type', value: t.type }, { name: 'level', value: String(t.level), note: t.levelSource }, { name: 'direction', value: t.direction }],
        meta: t.meta,
      };
    }
    case 'VOLATILITY_REGIME_CHANGED': {
      if (input.type !== 'volatility') return null;
      const v = input.change;
      return {
        triggerKey: `VOLATILITY:${input.symbol}:${v.time}:${v.to}`,
        symbol: input.symbol,
        severity: v.to === 'EXPLOSIVE' || v.to === 'HIGH_VOL' ? 'WARNING' : 'INFO',
        title: `${input.symbol} volatility regime ${v.from} → ${v.to}`,
        summary: `ATR ${pct(v.atrPct === null ? null : v.atrPct / 100, 2)} of price, percentile ${fmt(v.percentile, 0)} (${v.interval}); risk multiplier ${fmt(v.riskMultiplier)}.`,
        factors: [{ name: 'from', value: v.from }, { name: 'to', value: v.to }, { name: 'ATR %', value: fmt(v.atrPct) }, { name: 'percentile', value: fmt(v.percentile, 0) }],
        meta: v.meta,
      };
    }
    case 'WHALE_TRADE': {
      if (input.type !== 'trade') return null;
      const t = input.trade;
      if (t.notional < (c.minNotional ?? 1_000_000)) return null;
      const side = (t as unknown as { isBuyerMaker?: boolean }).isBuyerMaker ? 'SELL' : 'BUY';
      if (c.direction === 'UP' && side !== 'BUY') return null;
      if (c.direction === 'DOWN' && side !== 'SELL') return null;
      return {
        triggerKey: `TRADE:${input.symbol}:${t.id}`,
        symbol: input.symbol,
        severity: 'INFO',
        title: `${input.symbol} whale ${side} ${usd(t.notional)} at ${t.price}`,
        summary: `One taker ${side.toLowerCase()} of ${t.qty} at ${t.price}.`,
        factors: [{ name: 'notional', value: usd(t.notional) }, { name: 'price', value: String(t.price) }, { name: 'side', value: side }],
        meta: t.meta,
      };
    }
    case 'PRICE_LEVEL_CROSSED': {
      if (input.type !== 'trade') return null;
      const level = c.price!;
      const price = input.trade.price;
      const previous = state.lastPrice;
      state.lastPrice = price;
      if (previous === undefined) return null;
      const up = previous < level && price >= level;
      const down = previous > level && price <= level;
      if (!(up || down) || (c.direction === 'UP' && !up) || (c.direction === 'DOWN' && !down)) return null;
      return {
        triggerKey: `PRICE:${input.symbol}:${level}:${input.trade.id}`,
        symbol: input.symbol,
        severity: 'INFO',
        title: `${input.symbol} crossed ${level} ${up ? 'upwards' : 'downwards'} (${price})`,
        summary: `Price went from ${previous} to ${price}, through ${level}.`,
        factors: [{ name: 'level', value: String(level) }, { name: 'previous', value: String(previous) }, { name: 'price', value: String(price) }],
        meta: input.trade.meta,
      };
    }
    default:
      return null;
  }
}
