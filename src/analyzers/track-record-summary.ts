import type { ConfirmationQuality, LayerDirection } from './confirmation.types.js';
import type { ScenarioBias, ScenarioKind } from './scenarios.types.js';
import { gradeConfirmation, gradeScenario, hitRate, ScenarioOutcomes, type GradableScenario, type GradeBar, type HitRate, type ScenarioOutcome } from './track-record.js';

/**
 * Aggregation of graded confirmations and scenarios into a track record (issue 12 §4): hit rates per
 * quality bucket, per signal, per scenario kind and bias, each with its sample and Wilson interval. Pure:
 * observations and candles in, counts out. Grading is track-record.ts (no look-ahead by construction).
 */

/** Order the quality buckets are reported in. */
export const QUALITY_ORDER: readonly ConfirmationQuality[] = ['EXCELLENT', 'GOOD', 'MODERATE', 'POOR'];
export const SIGNAL_ORDER: readonly LayerDirection[] = ['BULLISH', 'BEARISH', 'NEUTRAL'];
export const KIND_ORDER: readonly ScenarioKind[] = ['BREAKOUT', 'PULLBACK', 'REJECTION', 'RANGE_FADE'];
export const BIAS_ORDER: readonly ScenarioBias[] = ['LONG', 'SHORT'];

/**
 * One record per bar: of the records whose `asOf` falls in the same bar (bar open times from `barOf`),
 * the earliest (the first computed after the bar opened). A signal republished every few seconds is one
 * sample per bar, not hundreds. Output ascending by asOf.
 */
export function onePerBar<T extends { asOf: number }>(records: readonly T[], barOf: (time: number) => number): T[] {
  const first = new Map<number, T>();
  for (const r of records) {
    const bar = barOf(r.asOf);
    const held = first.get(bar);
    if (!held || r.asOf < held.asOf) first.set(bar, r);
  }
  return [...first.values()].sort((a, b) => a.asOf - b.asOf);
}

/** Index of the first bar closing after `time` (binary search over ascending bars). */
function firstClosingAfter(bars: readonly GradeBar[], time: number): number {
  let lo = 0;
  let hi = bars.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (bars[mid]!.closeTime <= time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** True when the bars held reach `end` (a bar closing at or after it), i.e. a horizon ending at `end` is over. */
function covered(bars: readonly GradeBar[], end: number): boolean {
  const last = bars.at(-1);
  return last !== undefined && last.closeTime + 1 >= end;
}

const mean = (xs: readonly number[]): number | null => (xs.length > 0 ? xs.reduce((s, x) => s + x, 0) / xs.length : null);

// --- Confirmation ---

export interface ConfirmationObservation {
  asOf: number;
  signal: LayerDirection;
  quality: ConfirmationQuality;
}

export interface ConfirmationGroup {
  /** ALL, a quality or a signal. */
  group: string;
  /** Graded records in the group (every signal). */
  graded: number;
  /** BULLISH and BEARISH records: hit when the forward return has the signal's sign. */
  hitRate: HitRate;
  /** Mean forward return (fraction) of every graded record. */
  meanForwardReturn: number | null;
  /** Mean forward return taken in the signal's direction (BEARISH negated), directional records only. */
  meanDirectionalReturn: number | null;
  /** Graded NEUTRAL records. */
  neutral: number;
  /** Mean |forward return| of the NEUTRAL records (a good NEUTRAL reads small moves); null without any. */
  meanAbsoluteMove: number | null;
}

export interface TrackRecordSample {
  /** Records read (one per bar). */
  records: number;
  /** Records (confirmations) or scenarios graded. */
  graded: number;
  /** Horizon not over yet at the newest closed bar held: not counted, never a miss. */
  pending: number;
  /** Records older than the oldest candle held (nothing to grade against). */
  ungradable: number;
  firstAsOf: number | null;
  lastAsOf: number | null;
}

/** The sample block of a track record: what was read, graded, pending and ungradable, and the window it spans. */
function sampleOf(observations: readonly { asOf: number }[], graded: number, pending: number, ungradable: number): TrackRecordSample {
  let firstAsOf: number | null = null;
  let lastAsOf: number | null = null;
  for (const o of observations) {
    if (firstAsOf === null || o.asOf < firstAsOf) firstAsOf = o.asOf;
    if (lastAsOf === null || o.asOf > lastAsOf) lastAsOf = o.asOf;
  }
  return { records: observations.length, graded, pending, ungradable, firstAsOf, lastAsOf };
}

export interface ConfirmationTrackRecordResult {
  sample: TrackRecordSample;
  overall: ConfirmationGroup;
  byQuality: ConfirmationGroup[];
  bySignal: ConfirmationGroup[];
}

interface GradedConfirmation {
  obs: ConfirmationObservation;
  forwardReturn: number;
  hit: boolean | null;
}

function confirmationGroup(group: string, items: readonly GradedConfirmation[]): ConfirmationGroup {
  const directional = items.filter((g) => g.hit !== null);
  const neutral = items.filter((g) => g.hit === null);
  return {
    group,
    graded: items.length,
    hitRate: hitRate(directional.filter((g) => g.hit).length, directional.length),
    meanForwardReturn: mean(items.map((g) => g.forwardReturn)),
    meanDirectionalReturn: mean(directional.map((g) => (g.obs.signal === 'BEARISH' ? -g.forwardReturn : g.forwardReturn))),
    neutral: neutral.length,
    meanAbsoluteMove: mean(neutral.map((g) => Math.abs(g.forwardReturn))),
  };
}

/**
 * Grades each observation (gradeConfirmation: close of the bar it saw to the close `horizonMs` later)
 * against `bars` (closed, ascending) and aggregates overall, per quality and per signal. Observations
 * whose horizon the bars do not reach are pending; those older than the first bar are ungradable.
 */
export function summariseConfirmations(observations: readonly ConfirmationObservation[], bars: readonly GradeBar[], horizonMs: number): ConfirmationTrackRecordResult {
  const graded: GradedConfirmation[] = [];
  let pending = 0;
  let ungradable = 0;
  for (const obs of observations) {
    if (!covered(bars, obs.asOf + horizonMs)) {
      pending += 1;
      continue;
    }
    const start = Math.max(0, firstClosingAfter(bars, obs.asOf) - 1);
    const grade = gradeConfirmation(obs.signal, obs.asOf, horizonMs, bars.slice(start));
    if (!grade) ungradable += 1;
    else graded.push({ obs, ...grade });
  }
  return {
    sample: sampleOf(observations, graded.length, pending, ungradable),
    overall: confirmationGroup('ALL', graded),
    byQuality: QUALITY_ORDER.map((q) => confirmationGroup(q, graded.filter((g) => g.obs.quality === q))),
    bySignal: SIGNAL_ORDER.map((s) => confirmationGroup(s, graded.filter((g) => g.obs.signal === s))),
  };
}

// --- Scenarios ---

export interface TrackedScenario extends GradableScenario {
  kind: ScenarioKind;
  targets: readonly { price: number; rr: number }[];
}

export interface ScenarioObservation {
  asOf: number;
  scenarios: readonly TrackedScenario[];
}

export interface ScenarioOutcomeCounts {
  notFilled: number;
  targetFirst: number;
  stopFirst: number;
  neither: number;
}

export interface ScenarioGroup {
  /** ALL, a kind or a bias. */
  group: string;
  /** Scenarios graded (every outcome but PENDING). */
  graded: number;
  outcomes: ScenarioOutcomeCounts;
  /** targetFirst + stopFirst + neither. */
  filled: number;
  /** TARGET_FIRST among filled scenarios. */
  targetFirstRate: HitRate;
  /** Mean R of filled scenarios: target first = R:R of target 1, stop first = −1, neither = 0 (flat, no mark-to-market). */
  meanR: number | null;
}

export interface ScenarioTrackRecordResult {
  sample: TrackRecordSample;
  overall: ScenarioGroup;
  byKind: ScenarioGroup[];
  byBias: ScenarioGroup[];
}

interface GradedScenario {
  scenario: TrackedScenario;
  outcome: ScenarioOutcome;
}

/** R realised by one graded scenario (null when not filled). */
export function realisedR(scenario: TrackedScenario, outcome: ScenarioOutcome): number | null {
  if (outcome === ScenarioOutcomes.TARGET_FIRST) return scenario.targets[0]?.rr ?? null;
  if (outcome === ScenarioOutcomes.STOP_FIRST) return -1;
  if (outcome === ScenarioOutcomes.NEITHER) return 0;
  return null;
}

function scenarioGroup(group: string, items: readonly GradedScenario[]): ScenarioGroup {
  const count = (o: ScenarioOutcome) => items.filter((g) => g.outcome === o).length;
  const outcomes = { notFilled: count('NOT_FILLED'), targetFirst: count('TARGET_FIRST'), stopFirst: count('STOP_FIRST'), neither: count('NEITHER') };
  const filled = outcomes.targetFirst + outcomes.stopFirst + outcomes.neither;
  const rs = items.map((g) => realisedR(g.scenario, g.outcome)).filter((r): r is number => r !== null);
  return { group, graded: items.length, outcomes, filled, targetFirstRate: hitRate(outcomes.targetFirst, filled), meanR: mean(rs) };
}

/**
 * Grades every scenario of every observation (gradeScenario, same-bar tie = stop first) over `bars` and
 * aggregates overall, per kind and per bias. A scenario whose horizon the bars do not reach is pending;
 * one published before the first bar held is ungradable (counted once per scenario).
 */
export function summariseScenarios(observations: readonly ScenarioObservation[], bars: readonly GradeBar[]): ScenarioTrackRecordResult {
  const graded: GradedScenario[] = [];
  let pending = 0;
  let ungradable = 0;
  // A record from before the first bar held has lost the bars that could have filled it.
  const firstOpen = bars[0]?.openTime ?? Infinity;
  for (const obs of observations) {
    const after = bars.slice(firstClosingAfter(bars, obs.asOf));
    for (const scenario of obs.scenarios) {
      if (firstOpen > obs.asOf + 1 && covered(bars, obs.asOf + scenario.horizonMs)) {
        ungradable += 1;
        continue;
      }
      const outcome = gradeScenario(scenario, obs.asOf, after);
      if (outcome === ScenarioOutcomes.PENDING) pending += 1;
      else graded.push({ scenario, outcome });
    }
  }
  return {
    sample: sampleOf(observations, graded.length, pending, ungradable),
    overall: scenarioGroup('ALL', graded),
    byKind: KIND_ORDER.map((k) => scenarioGroup(k, graded.filter((g) => g.scenario.kind === k))),
    byBias: BIAS_ORDER.map((b) => scenarioGroup(b, graded.filter((g) => g.scenario.bias === b))),
  };
}
