import { CONFIRMATION_LAYERS } from '../analyzers/confirmation-layers.js';
import { averageTrueRange } from '../analyzers/confirmation-layers-chart.js';
import { computeConfirmation } from '../analyzers/confirmation.js';
import type { Confirmation, ConfirmationInputs, ConfirmationQuality, LayerSource } from '../analyzers/confirmation.types.js';
import { computeFundingAnalysis } from '../analyzers/funding.js';
import { computeKeyLevels } from '../analyzers/key-levels.js';
import { bracketTableFor } from '../analyzers/liquidation-brackets.js';
import { computeMarketStructure } from '../analyzers/market-structure.js';
import type { StructureEventKind } from '../analyzers/market-structure.types.js';
import { computeRegimeAnalysis } from '../analyzers/regime.js';
import { computeScenarios } from '../analyzers/scenarios.js';
import type { ScenarioSet } from '../analyzers/scenarios.types.js';
import { computeTraps } from '../analyzers/traps.js';
import { computeVolumeProfile, defaultBucketSize } from '../analyzers/volume-profile.js';
import type { Candle } from '../domain/market.js';
import type { BacktestSide, Intent, Strategy, StrategyView } from './backtest.types.js';

/**
 * The strategies a backtest can run, built from the signals the API shows (issue 13 §3). Each is a pure
 * function of a StrategyView (bars ≤ k, settlements ≤ the close of bar k): at every bar it recomputes the
 * analyses it reads from the last `historyBars` of that prefix, like the engine does from its store, and
 * never sees a later bar. Inputs the candles cannot give (order flow, whales, sentiment, options, the
 * liquidation heatmap) are absent, as in bench/track-record-replay.ts, and the layers reading them say so.
 */

export const StrategyKinds = {
  /** Long when the composite is BULLISH with quality ≥ minQuality, short when BEARISH; flat otherwise. */
  CONFIRMATION: 'CONFIRMATION',
  /** The most confident scenario (≥ minConfidence): its entry order, stop and first target, over its horizon. */
  SCENARIO: 'SCENARIO',
  /** Fade an extreme settled funding rate (short when extreme positive), held holdBars bars. */
  FUNDING_EXTREME: 'FUNDING_EXTREME',
  /** Trade a freshly detected trap in its direction, stop beyond its extreme, target rr × risk. */
  TRAP: 'TRAP',
  /** Trade a fresh BOS and/or CHoCH in its direction; a break the other way reverses. */
  STRUCTURE: 'STRUCTURE',
} as const;
export type StrategyKind = (typeof StrategyKinds)[keyof typeof StrategyKinds];

const QUALITY_RANK: Record<ConfirmationQuality, number> = { POOR: 0, MODERATE: 1, GOOD: 2, EXCELLENT: 3 };

export interface StrategyParams {
  /** Bars of the prefix the analyses are computed from. Default 500. */
  historyBars: number;
  /** CONFIRMATION: lowest quality traded. Default GOOD. */
  minQuality: ConfirmationQuality;
  /** SCENARIO and TRAP: lowest confidence (0..1) traded. Default 0.5 (SCENARIO), 0.4 (TRAP). */
  minConfidence: number | null;
  /** Protective stop in ATRs from the signal close (CONFIRMATION, FUNDING_EXTREME, STRUCTURE); null for none. Default 2. */
  stopAtr: number | null;
  /** Target in ATRs (CONFIRMATION, FUNDING_EXTREME, STRUCTURE); null for none. Default null. */
  targetAtr: number | null;
  /** TRAP: target at rr × the entry–stop distance. Default 2. */
  rewardRisk: number;
  /** Bars a FUNDING_EXTREME or TRAP trade is held at most. Default 24. */
  holdBars: number;
  /** STRUCTURE: which breaks are traded. Default both. */
  structureKinds: readonly StructureEventKind[];
  /** FUNDING_EXTREME: settlements in the statistics window. Default 90 (FUNDING_HISTORY_WINDOW). */
  fundingWindow: number;
}

export const DEFAULT_STRATEGY_PARAMS: Readonly<StrategyParams> = {
  historyBars: 500,
  minQuality: 'GOOD',
  minConfidence: null,
  stopAtr: 2,
  targetAtr: null,
  rewardRisk: 2,
  holdBars: 24,
  structureKinds: ['BOS', 'CHOCH'],
  fundingWindow: 90,
};

const fresh = <T>(value: T, asOf: number): LayerSource<T> => ({ value, asOf, stale: false });
const absent = (reason: string): LayerSource<never> => ({ value: null, reason });
const INTERVAL_MS: Record<string, number> = { '1m': 60_000, '5m': 300_000, '15m': 900_000, '1h': 3_600_000, '4h': 14_400_000, '1d': 86_400_000 };

/** The confirmation inputs the engine would assemble at the close of the last candle (chart layers only). */
export function chartInputs(candles: readonly Candle[]): ConfirmationInputs {
  const last = candles.at(-1)!;
  const now = last.closeTime + 1;
  const { symbol, interval } = last;
  const structure = computeMarketStructure({ symbol, interval, candles });
  const levels = computeKeyLevels({ symbol, interval, candles, price: last.close, time: now });
  const profile = computeVolumeProfile({
    symbol,
    interval,
    candles: candles.map((c) => ({ openTime: c.openTime, high: c.high, low: c.low, close: c.close, volume: c.volume, takerBuyVolume: c.takerBuyVolume })),
    from: now - 86_400_000,
    to: now,
    bucketSize: defaultBucketSize(last.close),
  });
  const regime = computeRegimeAnalysis({ symbol, candles: { [interval]: candles } });
  const none = absent('not in a candle backtest');
  return {
    symbol,
    interval,
    now,
    candles: candles.slice(-300),
    price: last.close,
    regime: fresh(regime, now),
    structure: fresh(structure, now),
    levels: fresh(levels, now),
    profile: fresh(profile, now),
    volume: none,
    volatility: none,
    funding: none,
    openInterest: none,
    longShort: none,
    whales: none,
    heatmap: none,
    sentiment: none,
    correlation: none,
    optionsFlow: none,
    forecast: none,
    orderBook: none,
  };
}

/** Confirmation and scenarios at the close of the last candle (as bench/track-record-replay.ts computes them). */
export function confirmationAndScenarios(candles: readonly Candle[], withScenarios: boolean): { confirmation: Confirmation | null; scenarios: ScenarioSet | null } {
  const inputs = chartInputs(candles);
  const confirmation = computeConfirmation(inputs, { layers: CONFIRMATION_LAYERS });
  if (!withScenarios || !confirmation) return { confirmation, scenarios: null };
  const atr = averageTrueRange(inputs.candles);
  const scenarios =
    atr === null
      ? null
      : computeScenarios({
          symbol: inputs.symbol,
          interval: inputs.interval,
          now: inputs.now,
          price: inputs.price!,
          atr,
          confirmation,
          levels: inputs.levels.value,
          profile: inputs.profile.value,
          heatmap: null,
          brackets: bracketTableFor(inputs.symbol),
        });
  return { confirmation, scenarios };
}

function atrStops(side: BacktestSide, close: number, atr: number | null, p: StrategyParams): { stop: number | null; target: number | null } {
  const sign = side === 'LONG' ? 1 : -1;
  return {
    stop: atr !== null && p.stopAtr !== null ? close - sign * p.stopAtr * atr : null,
    target: atr !== null && p.targetAtr !== null ? close + sign * p.targetAtr * atr : null,
  };
}

/** Builds the strategy of `kind` with `params` over the defaults. Throws on an out-of-range parameter. */
export function createStrategy(kind: StrategyKind, params: Partial<StrategyParams> = {}): Strategy {
  const p: StrategyParams = { ...DEFAULT_STRATEGY_PARAMS, ...params };
  if (!Number.isInteger(p.historyBars) || p.historyBars < 50) throw new Error(`historyBars must be an integer ≥ 50, got ${p.historyBars}`);
  if (!Number.isInteger(p.holdBars) || p.holdBars < 1) throw new Error(`holdBars must be an integer ≥ 1, got ${p.holdBars}`);
  if (p.stopAtr !== null && !(p.stopAtr > 0)) throw new Error(`stopAtr must be > 0, got ${p.stopAtr}`);
  if (p.targetAtr !== null && !(p.targetAtr > 0)) throw new Error(`targetAtr must be > 0, got ${p.targetAtr}`);
  if (!(p.rewardRisk > 0)) throw new Error(`rewardRisk must be > 0, got ${p.rewardRisk}`);
  const window = (view: StrategyView): readonly Candle[] => view.candles.slice(-p.historyBars);
  const HOLD: Intent = { action: 'HOLD' };

  switch (kind) {
    case 'CONFIRMATION':
      return (view) => {
        const candles = window(view);
        const { confirmation: c } = confirmationAndScenarios(candles, false);
        const want: BacktestSide | null =
          c && c.signal !== 'NEUTRAL' && QUALITY_RANK[c.quality] >= QUALITY_RANK[p.minQuality] ? (c.signal === 'BULLISH' ? 'LONG' : 'SHORT') : null;
        if (want === null) return view.position ? { action: 'EXIT' } : HOLD;
        if (want === view.position) return HOLD;
        const close = candles.at(-1)!.close;
        return { action: 'ENTER', side: want, type: 'MARKET', ...atrStops(want, close, averageTrueRange(candles.slice(-300)), p) };
      };
    case 'SCENARIO': {
      const min = p.minConfidence ?? 0.5;
      return (view) => {
        if (view.position) return HOLD;
        const candles = window(view);
        const { scenarios } = confirmationAndScenarios(candles, true);
        const best = scenarios?.scenarios.filter((s) => s.confidence >= min && s.targets.length > 0).sort((a, b) => b.confidence - a.confidence)[0];
        if (!best) return HOLD;
        const long = best.bias === 'LONG';
        const { priceMin, priceMax, type } = best.entry;
        // The fill rule of the track record: a long LIMIT fills at the top of its zone, a long STOP at its bottom.
        const price = type === 'LIMIT' ? (long ? priceMax : priceMin) : long ? priceMin : priceMax;
        const bars = Math.max(1, Math.round(best.horizonMs / (INTERVAL_MS[candles.at(-1)!.interval] ?? 3_600_000)));
        return { action: 'ENTER', side: long ? 'LONG' : 'SHORT', type, price, stop: best.stopLoss.price, target: best.targets[0]!.price, expiryBars: bars, maxHoldBars: bars };
      };
    }
    case 'FUNDING_EXTREME':
      return (view) => {
        if (view.position || view.funding.length === 0) return HOLD;
        const last = view.funding.at(-1)!;
        const candles = window(view);
        const now = candles.at(-1)!.closeTime + 1;
        // Act once per settlement: only on the bar that closed right after it.
        if (last.fundingTime <= candles.at(-1)!.openTime - 1) return HOLD;
        const f = computeFundingAnalysis({
          symbol: candles.at(-1)!.symbol,
          settlements: view.funding.slice(-(p.fundingWindow + 1)),
          predictedRate: null,
          nextFundingTime: null,
          fundingIntervalHours: 8,
          historyWindow: p.fundingWindow,
          now,
        });
        if (f.warmingUp || !f.isExtreme || f.rate === 0) return HOLD;
        const side: BacktestSide = f.rate > 0 ? 'SHORT' : 'LONG';
        const close = candles.at(-1)!.close;
        return { action: 'ENTER', side, type: 'MARKET', ...atrStops(side, close, averageTrueRange(candles.slice(-300)), p), maxHoldBars: p.holdBars };
      };
    case 'TRAP': {
      const min = p.minConfidence ?? 0.4;
      return (view) => {
        if (view.position) return HOLD;
        const candles = window(view);
        const last = candles.at(-1)!;
        const { traps } = computeTraps({ symbol: last.symbol, interval: last.interval, candles });
        const trap = traps.find((t) => t.detectedAt === last.closeTime && t.confidence >= min);
        if (!trap) return HOLD;
        const side: BacktestSide = trap.direction === 'BULLISH' ? 'LONG' : 'SHORT';
        const risk = Math.abs(last.close - trap.extreme);
        if (!(risk > 0)) return HOLD;
        const sign = side === 'LONG' ? 1 : -1;
        return { action: 'ENTER', side, type: 'MARKET', stop: trap.extreme, target: last.close + sign * p.rewardRisk * risk, maxHoldBars: p.holdBars };
      };
    }
    case 'STRUCTURE':
      return (view) => {
        const candles = window(view);
        const last = candles.at(-1)!;
        const s = computeMarketStructure({ symbol: last.symbol, interval: last.interval, candles });
        const e = s.lastEvent;
        if (!e || e.confirmedAt !== last.closeTime || !p.structureKinds.includes(e.kind)) return HOLD;
        const side: BacktestSide = e.direction === 'BULLISH' ? 'LONG' : 'SHORT';
        if (side === view.position) return HOLD;
        return { action: 'ENTER', side, type: 'MARKET', ...atrStops(side, last.close, averageTrueRange(candles.slice(-300)), p) };
      };
    default:
      throw new Error(`unknown strategy kind ${String(kind)}`);
  }
}
