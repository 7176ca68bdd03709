import { sampleStdDev } from '../math/statistics.js';
import type { Factor } from './types.js';
import {
  DEFAULT_EMERGENCY_THRESHOLDS,
  EMERGENCY_LEVEL_ORDER,
  type EmergencyAnalysis,
  type EmergencyBar,
  type EmergencyInput,
  type EmergencyLevel,
  type EmergencyThresholds,
  type EmergencyTrigger,
  type EmergencyTriggerType,
  type FlashConfirmation,
  type FlashWindow,
  type UnavailableCheck,
} from './emergency.types.js';

export const EMERGENCY_METHODOLOGY_VERSION = 'emergency/1.0.0';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

const rank = (level: EmergencyLevel) => EMERGENCY_LEVEL_ORDER.indexOf(level);
const higher = (a: EmergencyLevel, b: EmergencyLevel) => (rank(a) >= rank(b) ? a : b);
/** NORMAL 0, ELEVATED 0.5, EMERGENCY 1: the normalised value of a factor. */
const levelScore = (level: EmergencyLevel) => rank(level) / (EMERGENCY_LEVEL_ORDER.length - 1);

/** ELEVATED / EMERGENCY when |value| reaches the first / second bound, NORMAL below. */
function byBounds(value: number, elevated: number, emergency: number): EmergencyLevel {
  const v = Math.abs(value);
  if (v >= emergency) return 'EMERGENCY';
  if (v >= elevated) return 'ELEVATED';
  return 'NORMAL';
}

const pct = (x: number, digits = 2) => `${(x * 100).toFixed(digits)} %`;

const TRIGGER_ORDER: readonly EmergencyTriggerType[] = ['FLASH_CRASH', 'FLASH_PUMP', 'CIRCUIT_BREAKER_MOVE', 'EXTREME_VOLATILITY', 'DATA_STALE', 'BASIS_DISLOCATION', 'FUNDING_DISLOCATION'];

const ADVICE_BY_LEVEL: Readonly<Record<EmergencyLevel, string>> = {
  NORMAL: 'No emergency condition: ordinary risk management applies.',
  ELEVATED: 'Elevated risk: reduce leverage, widen stops and avoid adding to positions until the condition clears.',
  EMERGENCY: 'Emergency: reduce exposure, widen stops or move them off the crowded levels, expect slippage and liquidation cascades; do not add leverage.',
};

const ADVICE_BY_TRIGGER: Readonly<Record<EmergencyTriggerType, string>> = {
  FLASH_CRASH: 'Flash crash: long liquidations can chain; market orders fill far from the last price.',
  FLASH_PUMP: 'Flash pump: short squeezes can chain; market orders fill far from the last price.',
  CIRCUIT_BREAKER_MOVE: 'Move beyond circuit-breaker thresholds: expect wide spreads and gaps between prices.',
  EXTREME_VOLATILITY: 'Extreme volatility: size positions down by the volatility ratio and widen stops accordingly.',
  DATA_STALE: 'Venue data is stale or halted: do not act on these analyses until the feed resumes.',
  BASIS_DISLOCATION: 'Mark price dislocated from the index: liquidations follow the mark, so margins can be hit without the spot market moving.',
  FUNDING_DISLOCATION: 'Funding dislocated: holding the crowded side costs heavily at the next settlement.',
};

/**
 * Emergency protocol of one market: flash crash/pump (a move of k σ within a short window, confirmed by volume
 * or liquidations), circuit-breaker moves (fixed percentages within 15 and 60 minutes), extreme volatility
 * (the last hour's realised σ against the baseline σ), venue data gone stale or silent (halted), and funding or
 * basis dislocations. The level is the highest of the triggered conditions; `advice` says what a trader would do
 * about it (analysis, never an order). Pure: the same input gives the same output. Method and thresholds:
 * README "Emergency protocols".
 */
export function computeEmergency(input: EmergencyInput): EmergencyAnalysis | null {
  const t: EmergencyThresholds = { ...DEFAULT_EMERGENCY_THRESHOLDS, ...input.thresholds };
  const bars = input.bars;
  const last = bars.at(-1);
  if (!last) return null;
  const unavailable: UnavailableCheck[] = [];
  const triggers: EmergencyTrigger[] = [];
  const factors: Array<Omit<Factor, 'weight' | 'contribution'> & { level: EmergencyLevel }> = [];

  // Baseline: bars that closed at least an hour before the newest bar opened, within baselineMs.
  const baselineEnd = last.openTime - HOUR_MS;
  const baseline = bars.filter((b) => b.closeTime <= baselineEnd && b.openTime >= baselineEnd - t.baselineMs);
  const baselineReturns = logReturns(baseline);
  const sigma = baselineReturns.length >= t.minBaselineBars ? sampleStdDev(baselineReturns) : null;
  if (sigma === null) unavailable.push({ check: 'flash', reason: `baseline of ${baselineReturns.length} ${input.interval} returns, fewer than ${t.minBaselineBars}: σ unknown` });
  const baselineMeanVolume = baseline.length > 0 ? baseline.reduce((s, b) => s + b.volume, 0) / baseline.length : null;
  const baselineSpanMs = baseline.length > 0 ? baseline.at(-1)!.closeTime - baseline[0]!.openTime : 0;
  const liquidations = input.liquidations;
  if (liquidations === undefined) unavailable.push({ check: 'liquidationConfirmation', reason: 'the source delivers no liquidations' });

  // --- Windows: flash moves and circuit-breaker moves ---
  const windows: FlashWindow[] = [];
  for (const minutes of t.windowsMinutes) {
    const n = (minutes * MINUTE_MS) / input.intervalMs;
    if (!Number.isInteger(n) || n < 1) continue;
    if (bars.length < n + 1) {
      unavailable.push({ check: `window${minutes}m`, reason: `${bars.length} ${input.interval} bars, the ${minutes} min window needs ${n + 1}` });
      continue;
    }
    const inWindow = bars.slice(-n);
    const startPrice = bars[bars.length - 1 - n]!.close;
    const low = Math.min(...inWindow.map((b) => b.low));
    const high = Math.max(...inWindow.map((b) => b.high));
    const drawdown = low / startPrice - 1;
    const runUp = high / startPrice - 1;
    const down = Math.log(low / startPrice);
    const up = Math.log(high / startPrice);
    const excursion = -down > up ? down : up;
    const zScore = sigma !== null && sigma > 0 ? excursion / (sigma * Math.sqrt(n)) : null;
    const volume = inWindow.reduce((s, b) => s + b.volume, 0);
    const volumeRatio = baselineMeanVolume !== null && baselineMeanVolume > 0 ? volume / (baselineMeanVolume * n) : null;
    const hurt = excursion < 0 ? 'LONG' : 'SHORT';
    const windowStart = inWindow[0]!.openTime;
    let liquidatedUsd: number | null = null;
    let liquidationRatio: number | null = null;
    if (liquidations !== undefined) {
      liquidatedUsd = sum(liquidations.filter((l) => l.liquidatedSide === hurt && l.time >= windowStart).map((l) => l.notional));
      const baselineUsd = sum(liquidations.filter((l) => l.liquidatedSide === hurt && l.time >= (baseline[0]?.openTime ?? Infinity) && l.time <= baselineEnd).map((l) => l.notional));
      if (baselineUsd > 0 && baselineSpanMs > 0) liquidationRatio = liquidatedUsd / (baselineUsd * ((minutes * MINUTE_MS) / baselineSpanMs));
    }
    const confirmedBy: FlashConfirmation[] = [];
    if (volumeRatio !== null && volumeRatio >= t.volumeConfirmRatio) confirmedBy.push('VOLUME');
    // No liquidation in the baseline at all: any liquidation of the hurt side in the window confirms.
    if (liquidatedUsd !== null && liquidatedUsd > 0 && (liquidationRatio === null ? baselineSpanMs > 0 : liquidationRatio >= t.liquidationConfirmRatio)) confirmedBy.push('LIQUIDATIONS');
    windows.push({ windowMinutes: minutes, startPrice, lastPrice: last.close, change: last.close / startPrice - 1, drawdown, runUp, zScore, volumeRatio, liquidatedUsd, liquidationRatio, confirmedBy });
  }

  // Flash: the window of the largest |z| per direction.
  for (const direction of ['FLASH_CRASH', 'FLASH_PUMP'] as const) {
    const candidates = windows.filter((w) => w.zScore !== null && (direction === 'FLASH_CRASH' ? w.zScore < 0 : w.zScore > 0));
    if (candidates.length === 0) continue;
    const worst = candidates.reduce((a, b) => (Math.abs(b.zScore!) > Math.abs(a.zScore!) ? b : a));
    const z = Math.abs(worst.zScore!);
    const confirmed = worst.confirmedBy.length > 0;
    // Confirmed: ELEVATED from the first bound, EMERGENCY from the second. Unconfirmed: one level lower.
    const move = direction === 'FLASH_CRASH' ? worst.drawdown : worst.runUp;
    // Both the σ and the absolute move must reach a level's bound; unconfirmed moves are one level lower.
    const bySigma = byBounds(z, t.flashElevatedSigma, t.flashEmergencySigma);
    const byMove = byBounds(move, t.flashMinMoveElevated, t.flashMinMoveEmergency);
    let level = rank(bySigma) < rank(byMove) ? bySigma : byMove;
    if (!confirmed) level = level === 'EMERGENCY' ? 'ELEVATED' : 'NORMAL';
    const note = `${direction === 'FLASH_CRASH' ? 'fall' : 'rise'} of ${pct(move)} within ${worst.windowMinutes} min = ${z.toFixed(1)} σ (σ of ${input.interval} returns × √bars; ELEVATED from ${t.flashElevatedSigma} σ and ${pct(t.flashMinMoveElevated, 1)}, EMERGENCY from ${t.flashEmergencySigma} σ and ${pct(t.flashMinMoveEmergency, 1)})${confirmed ? `, confirmed by ${worst.confirmedBy.join(' and ').toLowerCase()}` : ', confirmed by neither volume nor liquidations'}`;
    factors.push({ name: direction === 'FLASH_CRASH' ? 'flashCrashSigma' : 'flashPumpSigma', value: worst.zScore!, note, level });
    if (level !== 'NORMAL') triggers.push({ type: direction, level, value: worst.zScore!, threshold: level === 'EMERGENCY' || !confirmed ? t.flashEmergencySigma : t.flashElevatedSigma, windowMinutes: worst.windowMinutes, note });
  }

  // Circuit breaker: the largest excursion within 15 and 60 minutes.
  for (const [minutes, elevated, emergency] of [
    [15, t.breaker15mElevated, t.breaker15mEmergency],
    [60, t.breaker60mElevated, t.breaker60mEmergency],
  ] as const) {
    const within = windows.filter((w) => w.windowMinutes <= minutes);
    if (within.length === 0 || !windows.some((w) => w.windowMinutes === minutes)) {
      unavailable.push({ check: `breaker${minutes}m`, reason: `no ${minutes} min window (${bars.length} ${input.interval} bars)` });
      continue;
    }
    const moves = within.map((w) => (-w.drawdown > w.runUp ? w.drawdown : w.runUp));
    const move = moves.reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a));
    const level = byBounds(move, elevated, emergency);
    const note = `largest move within ${minutes} min ${pct(move)} (ELEVATED from ${pct(elevated, 1)}, EMERGENCY from ${pct(emergency, 1)})`;
    factors.push({ name: `breaker${minutes}m`, value: move, note, level });
    if (level !== 'NORMAL') triggers.push({ type: 'CIRCUIT_BREAKER_MOVE', level, value: move, threshold: level === 'EMERGENCY' ? emergency : elevated, windowMinutes: minutes, note });
  }

  // Extreme volatility: σ of the last hour's returns against the baseline σ.
  const lastHour = bars.filter((b) => b.openTime >= last.openTime - HOUR_MS);
  const recentReturns = logReturns(lastHour);
  let volatilityRatio: number | null = null;
  if (sigma === null || sigma === 0) unavailable.push({ check: 'volatility', reason: 'baseline σ unknown' });
  else if (recentReturns.length < 3) unavailable.push({ check: 'volatility', reason: `${recentReturns.length} ${input.interval} returns in the last hour, fewer than 3` });
  else {
    volatilityRatio = sampleStdDev(recentReturns) / sigma;
    const level = byBounds(volatilityRatio, t.volatilityElevatedRatio, t.volatilityEmergencyRatio);
    const note = `σ of the last hour ${volatilityRatio.toFixed(2)}× the baseline σ (ELEVATED from ${t.volatilityElevatedRatio}×, EMERGENCY from ${t.volatilityEmergencyRatio}×)`;
    factors.push({ name: 'volatilityRatio', value: volatilityRatio, note, level });
    if (level !== 'NORMAL') triggers.push({ type: 'EXTREME_VOLATILITY', level, value: volatilityRatio, threshold: level === 'EMERGENCY' ? t.volatilityEmergencyRatio : t.volatilityElevatedRatio, windowMinutes: 60, note });
  }

  // Data gone stale: overdue inputs; silent for haltedAfterMs reads as a halted or unreachable venue.
  const staleInputs = input.staleInputs.map((s) => ({ ...s }));
  {
    const newestStale = staleInputs.reduce<number | null>((m, s) => (s.lastAt === null ? m : m === null ? s.lastAt : Math.min(m, s.lastAt)), null);
    const silentMs = newestStale === null ? 0 : Math.max(0, input.now - newestStale);
    // Whole minutes, so a stale result changes (and is republished) once a minute, not on every evaluation.
    const silentMinutes = Math.floor(silentMs / MINUTE_MS);
    const level: EmergencyLevel = staleInputs.length === 0 ? 'NORMAL' : silentMs >= t.haltedAfterMs ? 'EMERGENCY' : 'ELEVATED';
    const names = staleInputs.map((s) => (s.interval ? `${s.type} ${s.interval}` : s.type)).join(', ');
    const note = staleInputs.length === 0 ? 'every input arrived on time' : `${names} overdue, silent for ${silentMinutes} min${level === 'EMERGENCY' ? ` (≥ ${t.haltedAfterMs / MINUTE_MS} min: venue halted or unreachable)` : ''}`;
    factors.push({ name: 'staleMinutes', value: silentMinutes, note, level });
    if (level !== 'NORMAL') triggers.push({ type: 'DATA_STALE', level, value: silentMinutes, threshold: level === 'EMERGENCY' ? t.haltedAfterMs / MINUTE_MS : 0, windowMinutes: null, note });
  }

  // Dislocations: mark vs index, and funding normalised to 8 h.
  let premium: number | null = null;
  if (!input.mark) unavailable.push({ check: 'basis', reason: 'no mark price received' });
  else if (input.mark.indexPrice === null || input.mark.indexPrice <= 0) unavailable.push({ check: 'basis', reason: 'the source gives no index price' });
  else {
    premium = input.mark.markPrice / input.mark.indexPrice - 1;
    const level = byBounds(premium, t.premiumElevated, t.premiumEmergency);
    const note = `mark ${pct(premium, 3)} from the index (ELEVATED from ${pct(t.premiumElevated, 1)}, EMERGENCY from ${pct(t.premiumEmergency, 1)})`;
    factors.push({ name: 'premium', value: premium, note, level });
    if (level !== 'NORMAL') triggers.push({ type: 'BASIS_DISLOCATION', level, value: premium, threshold: level === 'EMERGENCY' ? t.premiumEmergency : t.premiumElevated, windowMinutes: null, note });
  }
  let funding8h: number | null = null;
  if (!input.funding) unavailable.push({ check: 'funding', reason: 'no funding rate received' });
  else {
    funding8h = (input.funding.rate * 8) / input.funding.intervalHours;
    const level = byBounds(funding8h, t.fundingElevated8h, t.fundingEmergency8h);
    const note = `${input.funding.predicted ? 'predicted' : 'last settled'} funding ${pct(funding8h, 4)} per 8 h (ELEVATED from ${pct(t.fundingElevated8h, 2)}, EMERGENCY from ${pct(t.fundingEmergency8h, 2)})`;
    factors.push({ name: 'funding8h', value: funding8h, note, level });
    if (level !== 'NORMAL') triggers.push({ type: 'FUNDING_DISLOCATION', level, value: funding8h, threshold: level === 'EMERGENCY' ? t.fundingEmergency8h : t.fundingElevated8h, windowMinutes: null, note });
  }

  triggers.sort((a, b) => rank(b.level) - rank(a.level) || TRIGGER_ORDER.indexOf(a.type) - TRIGGER_ORDER.indexOf(b.type));
  const level = triggers.reduce<EmergencyLevel>((m, tr) => higher(m, tr.level), 'NORMAL');
  const advice = [ADVICE_BY_LEVEL[level], ...[...new Set(triggers.map((tr) => tr.type))].map((type) => ADVICE_BY_TRIGGER[type])];
  const weight = factors.length > 0 ? 1 / factors.length : 0;
  return {
    symbol: input.symbol,
    interval: input.interval,
    time: Math.min(last.closeTime, input.now),
    level,
    triggers,
    windows,
    baselineSigma: sigma,
    baselineBars: baselineReturns.length,
    volatilityRatio,
    funding8h,
    premium,
    staleInputs,
    advice,
    unavailable,
    factors: factors.map(({ level: l, ...f }) => ({ ...f, weight, contribution: weight * levelScore(l) })),
    thresholds: t,
  };
}

function logReturns(bars: readonly EmergencyBar[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < bars.length; i++) out.push(Math.log(bars[i]!.close / bars[i - 1]!.close));
  return out;
}

function sum(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}
