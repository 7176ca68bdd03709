import { mean } from '../math/statistics.js';
import type { Factor } from './types.js';
import {
  FundingTimeSources,
  SessionPhases,
  SessionStatuses,
  TRADING_SESSIONS,
  type NextFunding,
  type NextSessionOpen,
  type SessionCandle,
  type SessionHours,
  type SessionPhase,
  type SessionStats,
  type SessionsAnalysis,
  type SessionsInput,
  type TradingSession,
} from './sessions.types.js';

/** Version of the method below; bump it whenever a number this analyzer produces would change. */
export const SESSIONS_METHODOLOGY_VERSION = 'sessions/1.1.0';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const MAX_EPOCH_MS = 8.64e15;
/** Newest bars of today's sessions that may be missing (not delivered yet) without voiding the values. */
const LAG_BARS = 2;

const fail = (message: string): never => {
  throw new Error(`computeSessionsAnalysis: ${message}`);
};
const quote = (value: unknown): string => (typeof value === 'number' ? String(value) : JSON.stringify(value));

/** Sessions open at `time` (half-open hours: a session is open from its open up to, not including, its close). */
export function activeSessionsAt(time: number, sessions: readonly SessionHours[] = TRADING_SESSIONS): TradingSession[] {
  const hour = (((time % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS;
  return sessions.filter((s) => hour >= s.openHour && hour < s.closeHour).map((s) => s.session);
}

/** The phase for a set of open sessions: one session, the named overlap of two, or OFF_HOURS. */
export function sessionPhaseOf(active: readonly TradingSession[]): SessionPhase {
  const has = (s: TradingSession) => active.includes(s);
  if (has('ASIA') && has('LONDON')) return SessionPhases.ASIA_LONDON_OVERLAP;
  if (has('LONDON') && has('NEW_YORK')) return SessionPhases.LONDON_NEW_YORK_OVERLAP;
  const [only] = active;
  return only ?? SessionPhases.OFF_HOURS;
}

/**
 * Trading sessions and timing of one perpetual: which session is trading now, how each of today's
 * sessions (UTC day) has traded so far, and how long until the next session opens and funding settles.
 *
 * What it measures: sessions are fixed UTC spans (see TRADING_SESSIONS: Asia 00–09, London 07–16,
 * New York 13–22); the phase names the overlaps (ASIA_LONDON_OVERLAP 07–09, LONDON_NEW_YORK_OVERLAP
 * 13–16) and OFF_HOURS (22–24). Per session of today, from the candles that opened within it up to now
 * (the forming candle included): open (first bar's open), high, low, last close, range % ((high − low) /
 * open), return % ((close − open) / open), base and quote volume; and the same session's mean range and
 * quote volume over up to `lookbackDays` complete past days, with today's range relative to it. Quote
 * volume is null (with the reason in `note`) when a bar of the session lacks it: the source does not
 * record it (freqtrade replay files), and a sum over the bars that have it would be no session total.
 * Next funding: the venue's nextFundingTime when it lies after now, else the next multiple of the funding
 * interval since 00:00 UTC.
 *
 * How to read it: crypto trades around the clock, but liquidity and volatility follow the traditional
 * sessions; the London/New York overlap is usually the most active stretch, OFF_HOURS the quietest. A
 * session range well above its average (rangeVsAverage > 1.5) marks an unusually active session.
 *
 * Not enough data: a session that has opened but whose opening bar is not among the candles (or whose
 * elapsed part has gaps, or lacks more than the 2 newest bars) is `covered: false` with null values, and
 * `warmingUp` is true.
 *
 * Pure: no I/O, no clock (`now` is an input). Precondition violations throw quoting the value.
 *
 * @see https://en.wikipedia.org/wiki/Foreign_exchange_market#Trading_characteristics — the Tokyo, London and New York sessions and their overlaps.
 * @see https://www.binance.com/en/support/faq/introduction-to-binance-futures-funding-rates-360033525031 — funding every 8 hours at 00:00, 08:00 and 16:00 UTC.
 */
export function computeSessionsAnalysis(input: Readonly<SessionsInput>): SessionsAnalysis {
  const fundingIntervalHours = input.fundingIntervalHours ?? 8;
  const lookbackDays = input.lookbackDays ?? 7;
  validateInput(input, fundingIntervalHours, lookbackDays);
  const { now, candles, intervalMs } = input;
  const dayStart = Math.floor(now / DAY_MS) * DAY_MS;

  const active = activeSessionsAt(now);
  const phase = sessionPhaseOf(active);
  const boundaries = TRADING_SESSIONS.flatMap((s) => [s.openHour, s.closeHour])
    .flatMap((h) => [dayStart + h * HOUR_MS, dayStart + DAY_MS + h * HOUR_MS])
    .filter((t) => t > now)
    .sort((a, b) => a - b);
  const phaseEndsAt = boundaries[0] as number;

  const opens = TRADING_SESSIONS.flatMap((s) => [0, 1].map((d) => ({ session: s.session, opensAt: dayStart + d * DAY_MS + s.openHour * HOUR_MS })))
    .filter((o) => o.opensAt > now)
    .sort((a, b) => a.opensAt - b.opensAt);
  const first = opens[0] as { session: TradingSession; opensAt: number };
  const nextSessionOpen: NextSessionOpen = { session: first.session, opensAt: first.opensAt, inMs: first.opensAt - now };
  const nextFunding = nextFundingOf(now, input.nextFundingTime, fundingIntervalHours);

  const sessions = TRADING_SESSIONS.map((hours) => sessionStats(hours, dayStart, now, candles, intervalMs, lookbackDays));
  const warmingUp = sessions.some((s) => s.status !== SessionStatuses.UPCOMING && !s.covered);

  const factors: Factor[] = TRADING_SESSIONS.map((s) => {
    const open = active.includes(s.session);
    const stats = sessions.find((x) => x.session === s.session) as SessionStats;
    return {
      name: `${s.session.toLowerCase().replace('_y', 'Y')}Open`,
      value: open ? 1 : 0,
      weight: 1 / TRADING_SESSIONS.length,
      contribution: open ? 1 / TRADING_SESSIONS.length : 0,
      note: `${s.session} ${pad(s.openHour)}:00–${pad(s.closeHour)}:00 UTC is ${stats.status.toLowerCase()} at ${hhmm(now)} UTC`,
    };
  });

  return {
    symbol: input.symbol,
    warmingUp,
    now,
    intervalMs,
    dayStart,
    phase,
    activeSessions: active,
    phaseEndsAt,
    phaseEndsInMs: phaseEndsAt - now,
    nextSessionOpen,
    nextFunding,
    sessions,
    factors,
  };
}

function nextFundingOf(now: number, announced: number | null, hours: number): NextFunding {
  if (announced !== null && announced > now) return { time: announced, inMs: announced - now, source: FundingTimeSources.MARK_PRICE };
  const step = hours * HOUR_MS;
  const time = (Math.floor(now / step) + 1) * step;
  return { time, inMs: time - now, source: FundingTimeSources.SCHEDULE };
}

interface Aggregate {
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  /** Null as soon as one bar lacks it (the source does not record quote volume): a partial sum is no total. */
  quoteVolume: number | null;
  candles: number;
}

/**
 * Aggregates the bars with openTime in [from, to); null unless the bar at `from` and every bar after it are
 * present, except that up to `lagBars` of the newest bars may not have arrived yet (a feed slightly behind).
 */
function aggregate(
  candles: readonly SessionCandle[],
  from: number,
  to: number,
  intervalMs: number,
  lagBars = 0,
): { agg: Aggregate | null; count: number; expected: number } {
  const expected = Math.max(0, Math.ceil((to - from) / intervalMs));
  const lo = lowerBound(candles, from);
  let agg: Aggregate | null = null;
  let count = 0;
  for (let i = lo; i < candles.length; i += 1) {
    const c = candles[i] as SessionCandle;
    if (c.openTime >= to) break;
    count += 1;
    if (agg === null) agg = { open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume, quoteVolume: c.quoteVolume, candles: 1 };
    else {
      agg.high = Math.max(agg.high, c.high);
      agg.low = Math.min(agg.low, c.low);
      agg.close = c.close;
      agg.volume += c.volume;
      agg.quoteVolume = agg.quoteVolume === null || c.quoteVolume === null ? null : agg.quoteVolume + c.quoteVolume;
      agg.candles += 1;
    }
  }
  const firstBar = candles[lo];
  const lastBar = candles[lo + count - 1];
  const contiguous = lastBar !== undefined && count === (lastBar.openTime - from) / intervalMs + 1;
  const complete = agg !== null && firstBar !== undefined && firstBar.openTime === from && contiguous && count >= expected - lagBars;
  return { agg: complete ? agg : null, count, expected };
}

function sessionStats(hours: SessionHours, dayStart: number, now: number, candles: readonly SessionCandle[], intervalMs: number, lookbackDays: number): SessionStats {
  const opensAt = dayStart + hours.openHour * HOUR_MS;
  const closesAt = dayStart + hours.closeHour * HOUR_MS;
  const status = now < opensAt ? SessionStatuses.UPCOMING : now < closesAt ? SessionStatuses.OPEN : SessionStatuses.CLOSED;

  // Past days: complete sessions only.
  const pastRanges: number[] = [];
  const pastVolumes: number[] = [];
  for (let d = 1; d <= lookbackDays; d += 1) {
    const from = opensAt - d * DAY_MS;
    const { agg } = aggregate(candles, from, closesAt - d * DAY_MS, intervalMs);
    if (agg) {
      pastRanges.push(((agg.high - agg.low) / agg.open) * 100);
      if (agg.quoteVolume !== null) pastVolumes.push(agg.quoteVolume);
    }
  }
  const averageRangePct = pastRanges.length > 0 ? mean(pastRanges) : null;
  const averageQuoteVolume = pastVolumes.length > 0 ? mean(pastVolumes) : null;
  const base: SessionStats = {
    session: hours.session,
    opensAt,
    closesAt,
    status,
    covered: false,
    open: null,
    high: null,
    low: null,
    close: null,
    rangePct: null,
    returnPct: null,
    volume: null,
    quoteVolume: null,
    candles: 0,
    expectedCandles: 0,
    averageRangePct,
    averageQuoteVolume,
    sampleDays: pastRanges.length,
    rangeVsAverage: null,
    note: '',
  };
  const avgNote = averageRangePct === null ? 'no complete past session to compare' : `average range ${averageRangePct.toFixed(2)} % over ${pastRanges.length} past day(s)`;
  if (status === SessionStatuses.UPCOMING) return { ...base, note: `opens at ${hhmm(opensAt)} UTC; ${avgNote}` };

  // The bar containing `now` is the forming one and counts as elapsed.
  const to = Math.min(closesAt, Math.floor(now / intervalMs) * intervalMs + intervalMs);
  const { agg, count, expected } = aggregate(candles, opensAt, to, intervalMs, LAG_BARS);
  if (!agg) {
    const firstTime = candles[0]?.openTime;
    const why =
      count === 0
        ? firstTime === undefined || firstTime > opensAt
          ? 'no candles since the session opened'
          : 'no candles since the session opened (feed behind)'
        : `${count} of ${expected} bars since the open held (candles start ${firstTime !== undefined && firstTime > opensAt ? `at ${new Date(firstTime).toISOString()}, after the open` : 'with gaps'})`;
    return { ...base, candles: count, expectedCandles: expected, note: `${why}: no values` };
  }
  const rangePct = ((agg.high - agg.low) / agg.open) * 100;
  const quoteNote = agg.quoteVolume === null ? '; quote volume not recorded by the source: null' : '';
  return {
    ...base,
    covered: true,
    open: agg.open,
    high: agg.high,
    low: agg.low,
    close: agg.close,
    rangePct,
    returnPct: ((agg.close - agg.open) / agg.open) * 100,
    volume: agg.volume,
    quoteVolume: agg.quoteVolume,
    candles: count,
    expectedCandles: expected,
    rangeVsAverage: averageRangePct !== null && averageRangePct > 0 ? rangePct / averageRangePct : null,
    note: `${status === SessionStatuses.OPEN ? 'so far' : 'closed'}: range ${rangePct.toFixed(2)} %; ${avgNote}${quoteNote}`,
  };
}

function lowerBound(candles: readonly SessionCandle[], time: number): number {
  let lo = 0;
  let hi = candles.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((candles[mid] as SessionCandle).openTime < time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function validateInput(input: Readonly<SessionsInput>, fundingIntervalHours: number, lookbackDays: number): void {
  checkTime('now', input.now);
  if (input.nextFundingTime !== null) checkTime('nextFundingTime', input.nextFundingTime);
  if (!Number.isInteger(input.intervalMs) || input.intervalMs <= 0 || HOUR_MS % input.intervalMs !== 0)
    fail(`intervalMs must be a positive divisor of 1 hour (3600000), got ${quote(input.intervalMs)}`);
  if (!Number.isFinite(fundingIntervalHours) || fundingIntervalHours <= 0 || fundingIntervalHours > 24)
    fail(`fundingIntervalHours must be in (0, 24], got ${quote(fundingIntervalHours)}`);
  if (!Number.isInteger(lookbackDays) || lookbackDays < 0 || lookbackDays > 60) fail(`lookbackDays must be an integer in 0..60, got ${quote(lookbackDays)}`);
  let previous = -Infinity;
  input.candles.forEach((c, i) => {
    checkTime(`candles[${i}].openTime`, c.openTime);
    if (c.openTime <= previous) fail(`candles must be strictly ascending by openTime, but candles[${i}].openTime ${quote(c.openTime)} <= ${quote(previous)}`);
    previous = c.openTime;
    for (const key of ['open', 'high', 'low', 'close'] as const) {
      if (!Number.isFinite(c[key]) || c[key] <= 0) fail(`candles[${i}].${key} must be a finite number > 0, got ${quote(c[key])}`);
    }
    if (c.high < c.low) fail(`candles[${i}].high ${quote(c.high)} < low ${quote(c.low)}`);
    if (!Number.isFinite(c.volume) || c.volume < 0) fail(`candles[${i}].volume must be a finite number >= 0, got ${quote(c.volume)}`);
    if (c.quoteVolume !== null && (!Number.isFinite(c.quoteVolume) || c.quoteVolume < 0))
      fail(`candles[${i}].quoteVolume must be null or a finite number >= 0, got ${quote(c.quoteVolume)}`);
  });
}

function checkTime(name: string, value: number): void {
  if (!Number.isFinite(value) || Math.abs(value) > MAX_EPOCH_MS) fail(`${name} must be a finite epoch ms, got ${quote(value)}`);
}

const pad = (n: number): string => String(n).padStart(2, '0');
const hhmm = (ms: number): string => new Date(ms).toISOString().slice(11, 16);
