import { existsSync, readFileSync } from 'node:fs';
import { CONFIRMATION_LAYERS } from '../../src/analyzers/confirmation-layers.js';
import { computeConfirmation } from '../../src/analyzers/confirmation.js';
import type { Confirmation } from '../../src/analyzers/confirmation.types.js';
import { bracketTableFor } from '../../src/analyzers/liquidation-brackets.js';
import { computeScenarios } from '../../src/analyzers/scenarios.js';
import type { ScenarioSet } from '../../src/analyzers/scenarios.types.js';
import { averageTrueRange, CHART_LAYERS } from '../../src/analyzers/confirmation-layers-chart.js';
import { emptyInputs } from './confirmation-inputs.js';
import type { ConfirmationInputs, LayerOutcome, LayerSource } from '../../src/analyzers/confirmation.types.js';
import { computeKeyLevels } from '../../src/analyzers/key-levels.js';
import { computeMarketStructure } from '../../src/analyzers/market-structure.js';
import { computeRegimeAnalysis } from '../../src/analyzers/regime.js';
import { computeVolumeProfile, defaultBucketSize } from '../../src/analyzers/volume-profile.js';
import type { Candle } from '../../src/domain/market.js';

/**
 * Bar-by-bar replay of the chart layers over a real recording (read from ../shared/data, never copied):
 * at bar k every analysis is computed from candles 0..k only (the last `history` of them, like the
 * store), so nothing looks ahead.
 */

export const SPOT_BTC_1H = new URL('../../../shared/data/binance-spot/klines/2024-02-01_2024-03-15/BTCUSDT-1h.csv', import.meta.url);
export const FUTURES_BTC_1H = new URL('../../../shared/data/binance-futures/klines/BTCUSDT-1h.freqtrade.json', import.meta.url);
export const recordingsPresent = (): boolean => existsSync(SPOT_BTC_1H) && existsSync(FUTURES_BTC_1H);

const HOUR = 3_600_000;

/** Binance spot kline CSV (with taker-buy base volume). */
export function loadSpotCsv(url: URL, symbol: string): Candle[] {
  const [, ...lines] = readFileSync(url, 'utf8').trim().split('\n');
  return lines.map((line) => {
    const f = line.split(',');
    const openTime = Date.parse(`${f[0]!.replace(' ', 'T')}Z`);
    return {
      symbol,
      interval: '1h',
      openTime,
      closeTime: openTime + HOUR - 1,
      open: Number(f[1]),
      high: Number(f[2]),
      low: Number(f[3]),
      close: Number(f[4]),
      volume: Number(f[5]),
      quoteVolume: Number(f[7]),
      takerBuyVolume: Number(f[9]),
      trades: Number(f[8]),
      closed: true,
    };
  });
}

/** freqtrade JSON klines (no taker-buy volume: null, never 0). */
export function loadFreqtradeJson(url: URL, symbol: string): Candle[] {
  const rows = JSON.parse(readFileSync(url, 'utf8')) as [number, number, number, number, number, number][];
  return rows.map(([openTime, open, high, low, close, volume]) => ({
    symbol,
    interval: '1h',
    openTime,
    closeTime: openTime + HOUR - 1,
    open,
    high,
    low,
    close,
    volume,
    quoteVolume: null,
    takerBuyVolume: null,
    trades: null,
    closed: true,
  }));
}

const fresh = <T>(value: T, asOf: number): LayerSource<T> => ({ value, asOf, stale: false });

/** The inputs the engine would assemble at the close of bar `k` (only bars ≤ k). */
export function inputsAt(all: readonly Candle[], k: number, history = 1000): ConfirmationInputs {
  const candles = all.slice(Math.max(0, k + 1 - history), k + 1);
  const last = candles.at(-1)!;
  const now = last.closeTime + 1;
  const symbol = last.symbol;
  const structure = computeMarketStructure({ symbol, interval: '1h', candles });
  const levels = computeKeyLevels({ symbol, interval: '1h', candles, price: last.close, time: now });
  const profile = computeVolumeProfile({
    symbol,
    interval: '1h',
    candles: candles.map((c) => ({ openTime: c.openTime, high: c.high, low: c.low, close: c.close, volume: c.volume, takerBuyVolume: c.takerBuyVolume })),
    from: now - 86_400_000,
    to: now,
    bucketSize: defaultBucketSize(last.close),
  });
  const regime = computeRegimeAnalysis({ symbol, candles: { '1h': candles.map((c) => ({ ...c })) } });
  // Sources the chart layers do not read stay absent.
  return emptyInputs(
    { symbol, now, candles, price: last.close },
    { regime: fresh(regime, now), structure: fresh(structure, now), levels: fresh(levels, now), profile: fresh(profile, now) },
  );
}

export { CHART_LAYERS };

export interface LayerDistribution {
  bars: number;
  available: number;
  bullish: number;
  bearish: number;
  neutral: number;
  mean: number;
  stdDev: number;
  min: number;
  max: number;
  meanConfidence: number;
  /** Share of available bars whose direction equals the previous bar's. */
  persistence: number;
}

/** Every chart layer at every `step`-th bar from `start`, with the distribution of its scores. */
export function replayLayers(all: readonly Candle[], start: number, step = 1): { outcomes: Record<string, LayerOutcome[]>; distribution: Record<string, LayerDistribution> } {
  const outcomes: Record<string, LayerOutcome[]> = Object.fromEntries(Object.keys(CHART_LAYERS).map((n) => [n, []]));
  for (let k = start; k < all.length; k += step) {
    const inputs = inputsAt(all, k);
    for (const [name, layer] of Object.entries(CHART_LAYERS)) outcomes[name]!.push(layer(inputs));
  }
  const distribution: Record<string, LayerDistribution> = {};
  for (const [name, list] of Object.entries(outcomes)) {
    const avail = list.filter((o) => o.available);
    const scores = avail.map((o) => o.score!);
    const m = scores.length ? scores.reduce((s, x) => s + x, 0) / scores.length : 0;
    const sd = scores.length ? Math.sqrt(scores.reduce((s, x) => s + (x - m) ** 2, 0) / scores.length) : 0;
    let same = 0;
    for (let i = 1; i < avail.length; i++) if (avail[i]!.direction === avail[i - 1]!.direction) same += 1;
    distribution[name] = {
      bars: list.length,
      available: avail.length,
      bullish: avail.filter((o) => o.direction === 'BULLISH').length,
      bearish: avail.filter((o) => o.direction === 'BEARISH').length,
      neutral: avail.filter((o) => o.direction === 'NEUTRAL').length,
      mean: Number(m.toFixed(2)),
      stdDev: Number(sd.toFixed(2)),
      min: scores.length ? Math.min(...scores) : 0,
      max: scores.length ? Math.max(...scores) : 0,
      meanConfidence: avail.length ? Number((avail.reduce((s, o) => s + o.confidence!, 0) / avail.length).toFixed(3)) : 0,
      persistence: avail.length > 1 ? Number((same / (avail.length - 1)).toFixed(3)) : 0,
    };
  }
  return { outcomes, distribution };
}

// --- Bar-by-bar confirmation and scenarios (the track-record backtest, bench/track-record-replay.ts) ---

export interface ReplayedBar {
  /** Index of the bar in the recording. */
  k: number;
  /** Close time of bar k: what the record saw. */
  asOf: number;
  confirmation: Confirmation | null;
  scenarios: ScenarioSet | null;
}

/** Closed bars the engine hands the layers (CONFIRMATION_CANDLES). */
const LAYER_CANDLES = 300;

/**
 * The confirmation (twelve-layer registry: the six chart layers available, the flow, sentiment, options and
 * forecast layers unavailable for want of recorded inputs) and the scenarios at the close of bar `k`, from
 * bars ≤ k only: the analyses are computed from the same prefix (inputsAt), the layers get the last 300
 * bars as in the engine, the ATR is the Wilder ATR of those bars (the engine's fallback), no heatmap.
 */
export function replayAt(all: readonly Candle[], k: number): ReplayedBar {
  const base = inputsAt(all, k);
  const inputs: ConfirmationInputs = { ...base, candles: base.candles.slice(-LAYER_CANDLES) };
  const asOf = inputs.candles.at(-1)!.closeTime;
  const confirmation = computeConfirmation(inputs, { layers: CONFIRMATION_LAYERS });
  const atr = averageTrueRange(inputs.candles);
  const scenarios =
    confirmation && atr !== null
      ? computeScenarios({
          symbol: inputs.symbol,
          interval: '1h',
          now: inputs.now,
          price: inputs.price!,
          atr,
          confirmation,
          levels: inputs.levels.value,
          profile: inputs.profile.value,
          heatmap: null,
          brackets: bracketTableFor(inputs.symbol),
        })
      : null;
  return { k, asOf, confirmation, scenarios };
}

/** replayAt for every `step`-th bar from `start` to the end of `all`. */
export function replayBars(all: readonly Candle[], start: number, step = 1): ReplayedBar[] {
  const out: ReplayedBar[] = [];
  for (let k = start; k < all.length; k += step) out.push(replayAt(all, k));
  return out;
}
