import { Cron } from 'croner';
import type { Confirmation } from '../analyzers/confirmation.types.js';
import type { CorrelationAnalysis } from '../analyzers/correlation.types.js';
import type { EmergencyAnalysis } from '../analyzers/emergency.types.js';
import type { FundingAnalysis } from '../analyzers/funding.types.js';
import type { ScenarioSet } from '../analyzers/scenarios.types.js';
import type { SentimentAnalysis } from '../analyzers/sentiment.types.js';
import type { AnalysisKind, AnalysisRecord } from '../domain/analysis.js';
import type { DataOrigin } from '../domain/market.js';

/**
 * Scheduled digests (pure): a rule with a cron schedule sends, at each slot, a summary card of chosen analyses
 * for chosen symbols, the periodic signal card trading groups post. This file validates schedules, computes
 * slots and builds the card from the latest records; src/alerts/digest-scheduler.ts runs the timers and the
 * channel files render the card (webhook JSON sections, a Discord embed field per symbol and section,
 * Telegram MarkdownV2 lines). An analysis without a result is listed as unavailable with the reason, never as
 * a zero.
 */

export const DigestSections = {
  CONFIRMATION: 'CONFIRMATION',
  SENTIMENT: 'SENTIMENT',
  CROSS_ASSET: 'CROSS_ASSET',
  SCENARIOS: 'SCENARIOS',
  EMERGENCY: 'EMERGENCY',
  FUNDING: 'FUNDING',
} as const;
export type DigestSection = (typeof DigestSections)[keyof typeof DigestSections];

/** Where each section reads from: the analysis kind, and whether it is per symbol or market-wide (key ALL). */
export const DIGEST_SOURCES: Record<DigestSection, { kind: AnalysisKind; marketWide: boolean; label: string }> = {
  CONFIRMATION: { kind: 'CONFIRMATION', marketWide: false, label: 'Confirmation' },
  SENTIMENT: { kind: 'SENTIMENT', marketWide: false, label: 'Sentiment' },
  CROSS_ASSET: { kind: 'CORRELATION', marketWide: true, label: 'Cross-asset regime' },
  SCENARIOS: { kind: 'SCENARIOS', marketWide: false, label: 'Scenario' },
  EMERGENCY: { kind: 'EMERGENCY', marketWide: false, label: 'Emergency' },
  FUNDING: { kind: 'FUNDING', marketWide: false, label: 'Funding' },
};

/** The key of market-wide analyses (CORRELATION_KEY in src/engine/definitions/correlation.ts). */
export const MARKET_WIDE_KEY = 'ALL';

export interface DigestSchedule {
  /** Cron expression (5 fields, or 6 with seconds first), read by croner. */
  cron: string;
  /** IANA time zone the expression is read in; default UTC. */
  timezone: string;
  sections: DigestSection[];
}

/** Symbols a digest may list: one Discord embed holds 25 fields. */
export const MAX_DIGEST_SYMBOLS = 10;

const cronOf = (schedule: Pick<DigestSchedule, 'cron' | 'timezone'>) => new Cron(schedule.cron, { timezone: schedule.timezone, paused: true, mode: 'auto' });

/**
 * Checks a schedule: the cron expression parses (croner's own message otherwise), the time zone is known, it
 * has a next run, and two consecutive slots are at least `minPeriodMs` apart.
 */
export function validateSchedule(input: { cron: string; timezone?: string | null; sections: readonly string[] }, options: { now: number; minPeriodMs: number }): { ok: true; schedule: DigestSchedule } | { ok: false; problems: string[] } {
  const cron = input.cron.trim().replace(/\s+/g, ' ');
  const timezone = input.timezone?.trim() || 'UTC';
  const problems: string[] = [];
  const sections = [...new Set(input.sections)] as DigestSection[];
  if (sections.length === 0) problems.push('schedule.sections: choose at least one section');
  for (const s of sections) if (!(s in DIGEST_SOURCES)) problems.push(`schedule.sections: unknown section ${JSON.stringify(s)}`);
  if (cron === '') problems.push('schedule.cron: give a cron expression, e.g. "0 */4 * * *"');
  else {
    try {
      Intl.DateTimeFormat('en-US', { timeZone: timezone });
    } catch {
      problems.push(`schedule.timezone: ${JSON.stringify(timezone)} is not an IANA time zone (e.g. UTC, Europe/Istanbul, America/New_York)`);
    }
    if (problems.length === 0) {
      try {
        const runs = cronOf({ cron, timezone }).nextRuns(2, new Date(options.now));
        if (runs.length === 0) problems.push(`schedule.cron: "${cron}" never runs after ${new Date(options.now).toISOString()}`);
        else if (runs.length === 2 && runs[1]!.getTime() - runs[0]!.getTime() < options.minPeriodMs) {
          problems.push(`schedule.cron: "${cron}" runs every ${(runs[1]!.getTime() - runs[0]!.getTime()) / 1000} s; the shortest period allowed is ${options.minPeriodMs / 1000} s`);
        }
      } catch (error) {
        problems.push(`schedule.cron: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, schedule: { cron, timezone, sections } };
}

/** The first slot strictly after `after` (epoch ms), or null when the schedule has ended. */
export function nextSlot(schedule: Pick<DigestSchedule, 'cron' | 'timezone'>, after: number): number | null {
  return cronOf(schedule).nextRun(new Date(after))?.getTime() ?? null;
}

/** The latest slot at or before `at`, or null when there is none. */
export function latestSlot(schedule: Pick<DigestSchedule, 'cron' | 'timezone'>, at: number): number | null {
  return cronOf(schedule).previousRuns(1, new Date(at + 1))[0]?.getTime() ?? null;
}

/** The idempotency key of a digest: rule + slot, the same on every instance. */
export const digestKey = (ruleId: string, slot: number) => `${ruleId}:DIGEST:${slot}`;

/** One section of the card for one symbol (or the market): a reading, or why there is none. */
export interface DigestItem {
  section: DigestSection;
  label: string;
  available: boolean;
  /** The reading in one line; when unavailable, "unavailable: <reason>". */
  text: string;
  /** Why the reading is missing; null when available. */
  reason: string | null;
  /** Machine-readable values as the GraphQL fields give them (never a zero for a missing input). */
  values: Record<string, string | number | boolean | null | Array<number>>;
  /** Provenance of the record read; null when there was none. */
  source: DataOrigin | null;
  venue: string | null;
  asOf: number | null;
  /** The record is older than the staleness limit. */
  stale: boolean;
}

export interface DigestCard {
  slot: number;
  cron: string;
  timezone: string;
  /** Sent after the slot passed while no instance was running (values are those at sending time). */
  late: boolean;
  /** Market-wide sections (CROSS_ASSET). */
  market: DigestItem[];
  symbols: Array<{ symbol: string; items: DigestItem[] }>;
}

/**
 * A record to read (with the staleness its GraphQL `meta.stale` shows, judged by its inputs' cadence), or why
 * there is none (the NOT_READY reason the query would give).
 */
export type DigestRead = { record: AnalysisRecord; stale?: boolean } | { missing: string };

export interface DigestInput {
  schedule: DigestSchedule;
  symbols: readonly string[];
  slot: number;
  late: boolean;
  now: number;
  /** Age beyond which a record read without a staleness verdict counts as stale. */
  staleAfterMs: number;
  /** The record of (kind, key) as the GraphQL query serves it (prices on the tick grid), or the reason it has none. */
  read(kind: AnalysisKind, key: string): DigestRead;
}

const fixed = (v: number | null | undefined, digits: number) => (v === null || v === undefined || !Number.isFinite(v) ? null : Number(v.toFixed(digits)));
const pctText = (v: number, digits = 1) => `${(v * 100).toFixed(digits)}%`;
const priceText = (v: number) => (Math.abs(v) >= 1000 ? v.toLocaleString('en-US', { maximumFractionDigits: 2 }) : String(Number(v.toPrecision(8))));

type Reading = { text: string; values: DigestItem['values'] } | { unavailable: string };

function reading(section: DigestSection, result: unknown): Reading {
  switch (section) {
    case 'CONFIRMATION': {
      const c = result as Confirmation;
      if (c.coverage <= 0) return { unavailable: 'no confirmation layer has data yet (coverage 0)' };
      return {
        text: `${c.score.toFixed(1)} ${c.signal} · quality ${c.quality} · strength ${c.strength} · coverage ${pctText(c.coverage, 0)}`,
        values: { score: c.score, signal: c.signal, quality: c.quality, strength: c.strength, coverage: c.coverage },
      };
    }
    case 'SENTIMENT': {
      const s = result as SentimentAnalysis;
      if (s.composite === null || s.classification === null) return { unavailable: s.coverageNote ?? 'no sentiment input available yet' };
      return { text: `${s.composite.toFixed(1)} ${s.classification} · coverage ${pctText(s.coverage, 0)}`, values: { composite: s.composite, classification: s.classification, coverage: s.coverage } };
    }
    case 'CROSS_ASSET': {
      const c = result as CorrelationAnalysis;
      const r = c.regime;
      if (!r) return { unavailable: c.notes[0] ?? (c.warmingUp ? 'correlation engine warming up' : 'no cross-asset regime yet') };
      const parts = [`${r.regime} (score ${r.score.toFixed(2)})`];
      if (r.averageCorrelationToBtc !== null) parts.push(`avg corr to ${r.benchmark} ${r.averageCorrelationToBtc.toFixed(2)}`);
      if (r.btcDominance !== null) parts.push(`BTC dominance ${r.btcDominance.toFixed(1)}%`);
      if (r.missingInputs.length > 0) parts.push(`without ${r.missingInputs.join(', ')}`);
      return { text: parts.join(' · '), values: { regime: r.regime, score: r.score, averageCorrelationToBtc: r.averageCorrelationToBtc, btcDominance: r.btcDominance } };
    }
    case 'SCENARIOS': {
      const set = result as ScenarioSet;
      const s = set.scenarios[0];
      if (!s) return { unavailable: set.notes[0] ?? 'no scenario for the current structure' };
      const targets = s.targets.map((t) => t.price);
      return {
        text: `${s.bias} ${s.kind} · entry ${priceText(s.entry.priceMin)}–${priceText(s.entry.priceMax)} · stop ${priceText(s.stopLoss.price)} · targets ${targets.map(priceText).join(' / ') || 'none'} · confidence ${pctText(s.confidence, 0)}`,
        values: { name: s.name, bias: s.bias, kind: s.kind, entryMin: s.entry.priceMin, entryMax: s.entry.priceMax, stop: s.stopLoss.price, targets, confidence: s.confidence },
      };
    }
    case 'EMERGENCY': {
      const e = result as EmergencyAnalysis;
      const first = e.triggers[0];
      return {
        text: first ? `${e.level}: ${first.note}${e.advice[0] ? ` — ${e.advice[0]}` : ''}` : `${e.level} (${e.factors.length} checks ran${e.unavailable.length ? `, ${e.unavailable.length} could not` : ''})`,
        values: { level: e.level, triggers: e.triggers.length },
      };
    }
    case 'FUNDING': {
      const f = result as FundingAnalysis;
      const z = f.zScore === null ? `z n/a (${f.sampleSize} settlements${f.warmingUp ? ', warming up' : ''})` : `z ${f.zScore.toFixed(2)}`;
      return {
        text: `${pctText(f.rate, 4)} per ${f.fundingIntervalHours}h (${pctText(f.annualizedRate, 1)} a year) · ${z} · ${f.signal}`,
        values: { rate: f.rate, annualizedRate: f.annualizedRate, zScore: f.zScore, signal: f.signal },
      };
    }
  }
}

function item(section: DigestSection, read: DigestRead, now: number, staleAfterMs: number): DigestItem {
  const label = DIGEST_SOURCES[section].label;
  if ('missing' in read) return { section, label, available: false, text: `unavailable: ${read.missing}`, reason: read.missing, values: {}, source: null, venue: null, asOf: null, stale: false };
  const r = read.record;
  const base = { section, label, source: r.source, venue: r.venue, asOf: r.asOf, stale: read.stale ?? now - r.asOf > staleAfterMs };
  const got = reading(section, r.result);
  if ('unavailable' in got) return { ...base, available: false, text: `unavailable: ${got.unavailable}`, reason: got.unavailable, values: {} };
  return { ...base, available: true, text: base.stale ? `${got.text} (stale, as of ${new Date(r.asOf).toISOString()})` : got.text, reason: null, values: got.values };
}

/** Builds the card: one item per (symbol, section), the market-wide sections once. */
export function buildDigestCard(input: DigestInput): DigestCard {
  const { schedule, now, staleAfterMs } = input;
  const market = schedule.sections.filter((s) => DIGEST_SOURCES[s].marketWide).map((s) => item(s, input.read(DIGEST_SOURCES[s].kind, MARKET_WIDE_KEY), now, staleAfterMs));
  const perSymbol = schedule.sections.filter((s) => !DIGEST_SOURCES[s].marketWide);
  const symbols = input.symbols.map((symbol) => ({ symbol, items: perSymbol.map((s) => item(s, input.read(DIGEST_SOURCES[s].kind, symbol), now, staleAfterMs)) }));
  return { slot: input.slot, cron: schedule.cron, timezone: schedule.timezone, late: input.late, market, symbols };
}

/** Every item of a card, market-wide first. */
export const digestItems = (card: DigestCard) => [...card.market.map((i) => ({ symbol: null as string | null, item: i })), ...card.symbols.flatMap((s) => s.items.map((i) => ({ symbol: s.symbol as string | null, item: i })))];

/**
 * The card's provenance: SIMULATED when any record read is simulated, else REPLAY when any is a replay, else
 * LIVE when any is live; `fallback` (the instance's source) when no record was read at all.
 */
export function digestSource(card: DigestCard, fallback: DataOrigin): { source: DataOrigin; venue: string; asOf: number } {
  const read = digestItems(card).map((x) => x.item).filter((i) => i.source !== null);
  const source: DataOrigin = read.some((i) => i.source === 'SIMULATED') ? 'SIMULATED' : read.some((i) => i.source === 'REPLAY') ? 'REPLAY' : read.length > 0 ? 'LIVE' : fallback;
  const venues = [...new Set(read.map((i) => i.venue!))];
  return { source, venue: venues.join(', ') || 'none', asOf: read.reduce((m, i) => Math.max(m, i.asOf!), 0) || card.slot };
}

/** The slot as people read it in the schedule's time zone, e.g. "2026-12-07 16:00 UTC". */
export function slotLabel(slot: number, timezone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(slot));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  const seconds = get('second') === '00' ? '' : `:${get('second')}`;
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}${seconds} ${timezone}`;
}

/** Title, summary and factor lines of the card (the channel-neutral message fields; alertEvents shows them). */
export function digestText(card: DigestCard, ruleName: string | null): { title: string; summary: string; factors: Array<{ name: string; value: string; note: string | null }> } {
  const title = `${ruleName ?? 'Digest'}: ${card.symbols.map((s) => s.symbol).join(', ') || 'market'} · ${slotLabel(card.slot, card.timezone)}`;
  const items = digestItems(card);
  const missing = items.filter((x) => !x.item.available).length;
  const summary = [
    `Scheduled digest (cron "${card.cron}", ${card.timezone}).`,
    card.late ? 'Sent late: this slot passed while no instance was running; the values are those at sending time, and earlier missed slots are not replayed.' : null,
    missing > 0 ? `${missing} of ${items.length} readings unavailable (reason given).` : null,
    'Analysis, not advice.',
  ]
    .filter(Boolean)
    .join(' ');
  const factors = items.map(({ symbol, item: i }) => ({ name: `${symbol ?? 'Market'} · ${i.label}`, value: i.available ? i.text : 'unavailable', note: i.reason }));
  return { title, summary, factors };
}
