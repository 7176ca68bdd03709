import { z } from 'zod';
import type { Confirmation } from '../analyzers/confirmation.types.js';
import type { ScenarioSet } from '../analyzers/scenarios.types.js';
import {
  onePerBar,
  summariseConfirmations,
  summariseScenarios,
  type ConfirmationGroup,
  type ConfirmationObservation,
  type ScenarioGroup,
  type ScenarioObservation,
  type ScenarioOutcomeCounts,
  type TrackRecordSample,
} from '../analyzers/track-record-summary.js';
import type { HitRate } from '../analyzers/track-record.js';
import type { SnapshotRow } from '../db/snapshot-repository.js';
import { candleOpenTime, INTERVAL_MS, type CandleInterval } from '../domain/market.js';
import { DEFAULT_CONFIRMATION_INTERVAL } from '../engine/definitions/confirmation.js';
import { closedCandles } from '../engine/definitions/volume.js';
import { AppError, badInput, ErrorCodes } from '../errors.js';
import type { GraphQLContext } from '../context.js';
import { builder } from '../schema/builder.js';
import { CandleIntervalEnum } from '../schema/enums.js';
import { requireSymbol } from './shared.js';

/** Longest window, in bars of the interval: reading a snapshot costs ≈ 0.3 ms (decompressed and parsed), so 500 bars ≈ 150 ms of the loop (README "Track record"). */
export const MAX_TRACK_RECORD_BARS = 500;
/** Longest confirmation horizon, in bars. */
export const MAX_HORIZON_BARS = 168;
/** Under this many graded samples a rate alone misleads; the notes say to read the interval. */
const SMALL_SAMPLE = 30;
const WEEK_OFFSET_MS = 4 * 86_400_000;

interface Window {
  from: number;
  to: number;
}

interface TrackRecordCommon {
  symbol: string;
  interval: CandleInterval;
  window: Window;
  sample: TrackRecordSample & { candlesFrom: number | null; candlesTo: number | null };
  notes: string[];
}
interface ConfirmationTrackRecord extends TrackRecordCommon {
  horizonBars: number;
  horizonMs: number;
  overall: ConfirmationGroup;
  byQuality: ConfirmationGroup[];
  bySignal: ConfirmationGroup[];
}
interface ScenarioTrackRecord extends TrackRecordCommon {
  overall: ScenarioGroup;
  byKind: ScenarioGroup[];
  byBias: ScenarioGroup[];
}

const HitRateRef = builder.objectRef<HitRate>('HitRate');
const TrackRecordSampleRef = builder.objectRef<ConfirmationTrackRecord['sample']>('TrackRecordSample');
const ConfirmationTrackGroupRef = builder.objectRef<ConfirmationGroup>('ConfirmationTrackGroup');
const ConfirmationTrackRecordRef = builder.objectRef<ConfirmationTrackRecord>('ConfirmationTrackRecord');
const ScenarioOutcomeCountsRef = builder.objectRef<ScenarioOutcomeCounts>('ScenarioOutcomeCounts');
const ScenarioTrackGroupRef = builder.objectRef<ScenarioGroup>('ScenarioTrackGroup');
const ScenarioTrackRecordRef = builder.objectRef<ScenarioTrackRecord>('ScenarioTrackRecord');

HitRateRef.implement({
  description: 'A hit rate with its sample size and 95 % Wilson score interval: a small sample shows as a wide interval.',
  fields: (t) => ({
    n: t.exposeInt('n', { description: 'Sample size (trials).' }),
    hits: t.exposeInt('hits', { description: 'Successes among the n trials.' }),
    rate: t.exposeFloat('rate', { nullable: true, description: 'hits / n, 0..1; null when n = 0.' }),
    low: t.exposeFloat('low', { nullable: true, description: 'Lower bound of the 95 % Wilson interval, 0..1; null when n = 0.' }),
    high: t.exposeFloat('high', { nullable: true, description: 'Upper bound of the 95 % Wilson interval, 0..1; null when n = 0.' }),
  }),
});

TrackRecordSampleRef.implement({
  description: 'What was graded: one record per bar of the interval (the first snapshot whose asOf falls in the bar), graded against the closed candles this instance holds.',
  fields: (t) => ({
    records: t.exposeInt('records', { description: 'Snapshots read, one per bar of the interval.' }),
    graded: t.exposeInt('graded', { description: 'Records (confirmations) or scenarios graded.' }),
    pending: t.exposeInt('pending', { description: 'Horizon not over at the newest closed candle held: not counted, never a miss.' }),
    ungradable: t.exposeInt('ungradable', { description: 'Records older than the oldest candle held (nothing to grade them against): not counted.' }),
    firstAsOf: t.field({ type: 'DateTime', nullable: true, description: 'asOf of the oldest record read; null when none.', resolve: (s) => s.firstAsOf }),
    lastAsOf: t.field({ type: 'DateTime', nullable: true, description: 'asOf of the newest record read; null when none.', resolve: (s) => s.lastAsOf }),
    candlesFrom: t.field({ type: 'DateTime', nullable: true, description: 'Open time of the oldest closed candle graded against; null when none is held.', resolve: (s) => s.candlesFrom }),
    candlesTo: t.field({ type: 'DateTime', nullable: true, description: 'Close time of the newest closed candle graded against; null when none is held.', resolve: (s) => s.candlesTo }),
  }),
});

ConfirmationTrackGroupRef.implement({
  description: 'Graded confirmations of one group (ALL, a quality bucket or a signal).',
  fields: (t) => ({
    group: t.exposeString('group', { description: 'ALL, a quality (EXCELLENT, GOOD, MODERATE, POOR) or a signal (BULLISH, BEARISH, NEUTRAL).' }),
    graded: t.exposeInt('graded', { description: 'Graded records in the group, every signal included.' }),
    hitRate: t.field({ type: HitRateRef, description: 'BULLISH and BEARISH records: a hit when the forward return has the sign of the signal. NEUTRAL records are not trials. Its rate is a fraction 0..1 with its Wilson interval.', resolve: (g) => g.hitRate }),
    meanForwardReturn: t.exposeFloat('meanForwardReturn', { nullable: true, description: 'Mean forward return over the horizon (fraction, 0.01 = 1 %) of every graded record; null when none.' }),
    meanDirectionalReturn: t.exposeFloat('meanDirectionalReturn', {
      nullable: true,
      description: 'Mean forward return in the direction of the signal (BEARISH negated), directional records only: above 0 means the signals earned before costs; null when none.',
    }),
    neutral: t.exposeInt('neutral', { description: 'Graded NEUTRAL records.' }),
    meanAbsoluteMove: t.exposeFloat('meanAbsoluteMove', { nullable: true, description: 'Mean absolute forward return of the NEUTRAL records (small is what NEUTRAL promises); null when none.' }),
  }),
});

const windowFields = {
  from: { description: 'Start of the window read (inclusive).' },
  to: { description: 'End of the window read (inclusive).' },
};

ConfirmationTrackRecordRef.implement({
  description:
    'How past confirmations of one symbol fared: the forward return over the horizon after each, hit rates with Wilson intervals overall, per quality bucket and per signal. Says whether GOOD beats POOR.',
  fields: (t) => ({
    symbol: t.exposeString('symbol', { description: 'Venue symbol, e.g. BTCUSDT.' }),
    interval: t.field({ type: CandleIntervalEnum, description: 'Candle interval of the confirmations and of the bars they are graded on.', resolve: (r) => r.interval }),
    from: t.field({ type: 'DateTime', description: windowFields.from.description, resolve: (r) => r.window.from }),
    to: t.field({ type: 'DateTime', description: windowFields.to.description, resolve: (r) => r.window.to }),
    horizonBars: t.exposeInt('horizonBars', { description: 'Bars of the interval the forward return is measured over.' }),
    horizonMs: t.exposeFloat('horizonMs', { description: 'The horizon in milliseconds.' }),
    sample: t.field({ type: TrackRecordSampleRef, description: 'Records read, graded, pending and ungradable, and the spans covered.', resolve: (r) => r.sample }),
    overall: t.field({ type: ConfirmationTrackGroupRef, description: 'Every graded record.', resolve: (r) => r.overall }),
    byQuality: t.field({ type: [ConfirmationTrackGroupRef], description: 'Per quality bucket, EXCELLENT, GOOD, MODERATE, POOR (always all four, empty ones with n = 0).', resolve: (r) => r.byQuality }),
    bySignal: t.field({ type: [ConfirmationTrackGroupRef], description: 'Per signal, BULLISH, BEARISH, NEUTRAL.', resolve: (r) => r.bySignal }),
    notes: t.exposeStringList('notes', { description: 'What limits the reading: small samples, pending records, intervals without snapshots, simulated data.' }),
  }),
});

ScenarioOutcomeCountsRef.implement({
  description: 'Scenarios per outcome (pending ones excluded).',
  fields: (t) => ({
    notFilled: t.exposeInt('notFilled', { description: 'The entry zone was not reached within the horizon.' }),
    targetFirst: t.exposeInt('targetFirst', { description: 'Filled, then target 1 traded before the stop.' }),
    stopFirst: t.exposeInt('stopFirst', { description: 'Filled, then the stop traded first, or in the same bar as target 1 (the tie rule).' }),
    neither: t.exposeInt('neither', { description: 'Filled, neither stop nor target 1 traded within the horizon.' }),
  }),
});

ScenarioTrackGroupRef.implement({
  description: 'Graded scenarios of one group (ALL, a kind or a bias).',
  fields: (t) => ({
    group: t.exposeString('group', { description: 'ALL, a kind (BREAKOUT, PULLBACK, REJECTION, RANGE_FADE) or a bias (LONG, SHORT).' }),
    graded: t.exposeInt('graded', { description: 'Scenarios graded (every outcome but pending).' }),
    outcomes: t.field({ type: ScenarioOutcomeCountsRef, description: 'Counts per outcome.', resolve: (g) => g.outcomes }),
    filled: t.exposeInt('filled', { description: 'Scenarios whose entry filled: targetFirst + stopFirst + neither.' }),
    targetFirstRate: t.field({ type: HitRateRef, description: 'Target 1 before the stop, among the filled scenarios: a fraction 0..1 with its Wilson interval.', resolve: (g) => g.targetFirstRate }),
    meanR: t.exposeFloat('meanR', {
      nullable: true,
      description: 'Mean R realised by the filled scenarios: target first = R:R of target 1, stop first = -1, neither = 0 (flat at the horizon, not marked to market); before fees and slippage. Null when none filled.',
    }),
  }),
});

ScenarioTrackRecordRef.implement({
  description: 'How past trade scenarios of one symbol fared over their own horizon: outcomes, target-first rate among filled scenarios with Wilson intervals, and mean R, overall, per kind and per bias.',
  fields: (t) => ({
    symbol: t.exposeString('symbol', { description: 'Venue symbol, e.g. BTCUSDT.' }),
    interval: t.field({ type: CandleIntervalEnum, description: 'Candle interval of the scenarios and of the bars they are graded on.', resolve: (r) => r.interval }),
    from: t.field({ type: 'DateTime', description: windowFields.from.description, resolve: (r) => r.window.from }),
    to: t.field({ type: 'DateTime', description: windowFields.to.description, resolve: (r) => r.window.to }),
    sample: t.field({ type: TrackRecordSampleRef, description: 'Snapshots read (one per bar), scenarios graded, pending and ungradable.', resolve: (r) => r.sample }),
    overall: t.field({ type: ScenarioTrackGroupRef, description: 'Every graded scenario.', resolve: (r) => r.overall }),
    byKind: t.field({ type: [ScenarioTrackGroupRef], description: 'Per kind: BREAKOUT, PULLBACK, REJECTION, RANGE_FADE.', resolve: (r) => r.byKind }),
    byBias: t.field({ type: [ScenarioTrackGroupRef], description: 'Per bias: LONG, SHORT.', resolve: (r) => r.byBias }),
    notes: t.exposeStringList('notes', { description: 'What limits the reading: small samples, pending scenarios, intervals without snapshots, simulated data.' }),
  }),
});

// --- Shared reading ---

const iso = (ms: number) => new Date(ms).toISOString();
const intervalName = (interval: CandleInterval) => `I${interval.toUpperCase()}`;

function windowOf(ctx: GraphQLContext, interval: CandleInterval, fromArg: number | null | undefined, toArg: number | null | undefined): Window {
  const span = MAX_TRACK_RECORD_BARS * INTERVAL_MS[interval];
  const to = toArg ?? ctx.services.now();
  const from = fromArg ?? to - span;
  if (from > to) throw badInput(`from (${iso(from)}) must not be after to (${iso(to)})`);
  if (to - from > span) throw badInput(`the window may span at most ${MAX_TRACK_RECORD_BARS} bars of ${intervalName(interval)} (${span / 3_600_000} h); it spans ${Math.ceil((to - from) / INTERVAL_MS[interval])}`);
  return { from, to };
}

interface Read {
  symbol: string;
  interval: CandleInterval;
  window: Window;
  rows: SnapshotRow[];
  bars: ReturnType<typeof closedCandles>;
  notes: string[];
}

/** The per-bar snapshots of `kind` in the window whose payload is of `interval`, and the candles to grade them on. */
async function readTrackRecord(ctx: GraphQLContext, kind: 'CONFIRMATION' | 'SCENARIOS', rawSymbol: string, interval: CandleInterval, window: Window): Promise<Read> {
  const symbol = requireSymbol(ctx, rawSymbol);
  const data = ctx.services.marketData(symbol);
  if (!data) {
    throw new AppError(ErrorCodes.NOT_READY, `the ${kind === 'CONFIRMATION' ? 'confirmation' : 'scenario'} track record of ${symbol} needs the candles of an instance that ingests market data (ROLE=api holds none)`, { symbol });
  }
  const barMs = INTERVAL_MS[interval];
  // Only the default interval is snapshotted (other intervals are computed on demand and never stored).
  const all =
    interval === DEFAULT_CONFIRMATION_INTERVAL
      ? await ctx.services.snapshots.firstPerBar({ kind, symbol, from: window.from, to: window.to, barMs, offsetMs: interval === '1w' ? WEEK_OFFSET_MS : 0, limit: MAX_TRACK_RECORD_BARS })
      : [];
  const rows = onePerBar(
    all.filter((r) => (r.payload as { interval?: unknown } | null)?.interval === interval),
    (time) => candleOpenTime(interval, time),
  );
  const bars = closedCandles(data.market, interval);
  const notes: string[] = [];
  if (rows.length === 0) {
    notes.push(
      interval === DEFAULT_CONFIRMATION_INTERVAL
        ? `no ${kind} snapshots of ${symbol} between ${iso(window.from)} and ${iso(window.to)}`
        : `no snapshots for ${intervalName(interval)}: only the default interval (${intervalName(DEFAULT_CONFIRMATION_INTERVAL)}) is snapshotted`,
    );
  }
  if (bars.length === 0) notes.push(`this instance holds no closed ${intervalName(interval)} candles of ${symbol}: nothing can be graded yet`);
  const origins = [...new Set(rows.map((r) => r.source))];
  for (const origin of origins) if (origin !== 'LIVE') notes.push(`records from ${origin} data: they say how the method behaves on that data, not on the live market`);
  const versions = [...new Set(rows.map((r) => r.methodologyVersion))];
  if (versions.length > 1) notes.push(`records span methodology versions ${versions.join(', ')}`);
  return { symbol, interval, window, rows, bars, notes };
}

function sampleNotes(read: Read, sample: TrackRecordSample, what: string, horizon: string): string[] {
  const notes = [...read.notes];
  if (sample.pending > 0) notes.push(`${sample.pending} ${what} wait for their horizon (${horizon}) to pass: not counted, never graded as misses`);
  if (sample.ungradable > 0) notes.push(`${sample.ungradable} ${what} are older than the oldest ${intervalName(read.interval)} candle held (${iso(read.bars[0]!.openTime)}): not graded`);
  if (sample.graded > 0 && sample.graded < SMALL_SAMPLE) notes.push(`only ${sample.graded} ${what} graded: read the Wilson interval, not the rate`);
  return notes;
}

const candleSpan = (bars: Read['bars']) => ({ candlesFrom: bars[0]?.openTime ?? null, candlesTo: bars.at(-1)?.closeTime ?? null });

// --- Queries ---

const windowArgs = (t: Parameters<Parameters<typeof builder.queryField>[1]>[0]) => ({
  symbol: t.arg.string({ required: true, description: 'Symbol of a configured market, e.g. BTCUSDT (case-insensitive).' }),
  interval: t.arg({ type: CandleIntervalEnum, required: true, defaultValue: DEFAULT_CONFIRMATION_INTERVAL, description: 'Candle interval of the records and of the bars they are graded on (default I1H, the snapshotted one).' }),
  from: t.arg({ type: 'DateTime', description: `Earliest asOf read (inclusive); default: ${MAX_TRACK_RECORD_BARS} bars of the interval before to.` }),
  to: t.arg({ type: 'DateTime', description: 'Latest asOf read (inclusive); default: now.' }),
});

builder.queryField('confirmationTrackRecord', (t) =>
  t.field({
    type: ConfirmationTrackRecordRef,
    nullable: true,
    description: `How the snapshotted confirmations of a symbol fared: one record per bar (the first snapshot of each bar), forward return over horizonBars, hit rates with 95 % Wilson intervals overall, per quality bucket and per signal. Window at most ${MAX_TRACK_RECORD_BARS} bars. Null with a coded error when the history cannot be read (UPSTREAM_UNAVAILABLE while the database is down).`,
    args: {
      ...windowArgs(t),
      horizonBars: t.arg.int({
        required: true,
        defaultValue: 24,
        validate: z.number().int('horizonBars must be an integer').min(1, 'horizonBars must be at least 1').max(MAX_HORIZON_BARS, `horizonBars must be at most ${MAX_HORIZON_BARS}`),
        description: `Bars of the interval the forward return is measured over, 1..${MAX_HORIZON_BARS} (default 24).`,
      }),
    },
    resolve: async (_root, args, ctx) => {
      const interval = args.interval as CandleInterval;
      const read = await readTrackRecord(ctx, 'CONFIRMATION', args.symbol, interval, windowOf(ctx, interval, args.from, args.to));
      const observations: ConfirmationObservation[] = read.rows.flatMap((r) => {
        const c = r.payload as Partial<Confirmation> | null;
        return c && typeof c.signal === 'string' && typeof c.quality === 'string' ? [{ asOf: r.asOf, signal: c.signal, quality: c.quality }] : [];
      });
      const horizonMs = args.horizonBars * INTERVAL_MS[interval];
      const summary = summariseConfirmations(observations, read.bars, horizonMs);
      return {
        symbol: read.symbol,
        interval,
        window: read.window,
        horizonBars: args.horizonBars,
        horizonMs,
        ...summary,
        sample: { ...summary.sample, ...candleSpan(read.bars) },
        notes: sampleNotes(read, summary.sample, 'records', `${args.horizonBars} bars`),
      };
    },
  }),
);

builder.queryField('scenarioTrackRecord', (t) =>
  t.field({
    type: ScenarioTrackRecordRef,
    nullable: true,
    description: `How the snapshotted trade scenarios of a symbol fared over their own horizon (horizonMs): one snapshot per bar, each scenario graded target first, stop first (same-bar tie), neither or not filled; target-first rate among filled with Wilson intervals and mean R, overall, per kind and per bias. Window at most ${MAX_TRACK_RECORD_BARS} bars. Null with a coded error when the history cannot be read.`,
    args: windowArgs(t),
    resolve: async (_root, args, ctx) => {
      const interval = args.interval as CandleInterval;
      const read = await readTrackRecord(ctx, 'SCENARIOS', args.symbol, interval, windowOf(ctx, interval, args.from, args.to));
      const observations: ScenarioObservation[] = read.rows.flatMap((r) => {
        const set = r.payload as Partial<ScenarioSet> | null;
        return set && Array.isArray(set.scenarios) ? [{ asOf: r.asOf, scenarios: set.scenarios }] : [];
      });
      const summary = summariseScenarios(observations, read.bars);
      return {
        symbol: read.symbol,
        interval,
        window: read.window,
        ...summary,
        sample: { ...summary.sample, ...candleSpan(read.bars) },
        notes: sampleNotes(read, summary.sample, 'scenarios', 'their horizonMs'),
      };
    },
  }),
);
