/**
 * Track record of the confirmation and the scenarios on the real recordings in ../shared/data (read in
 * place, never copied): every 1 h recording is walked bar by bar; at the close of bar k the confirmation
 * and the scenarios are computed from bars 0..k only (tests/support/confirmation-replay.ts replayAt: each
 * analysis the layers read is computed from the same prefix), then graded with the pure functions of
 * src/analyzers/track-record.ts against the bars that followed, and aggregated like the API does
 * (src/analyzers/track-record-summary.ts). Prints markdown tables: per quality bucket, per signal, per
 * scenario kind and bias, with 95 % Wilson intervals.
 *
 *   npm run backtest:replay             every bar after a 200-bar warm-up (≈ 15 ms per bar: a few minutes)
 *   npm run backtest:replay -- --step 4 every 4th bar (faster, a quarter of the sample)
 *
 * What the replay lacks: the recordings hold candles only, so the order-flow, whale, sentiment,
 * correlation, options and forecast layers are unavailable (coverage at most 0.55 with taker volume, 0.45
 * without), the liquidation heatmap is absent and the ATR is the Wilder ATR of the closed bars.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Candle } from '../src/domain/market.js';
import { readRecords } from '../src/datasources/replay/replay-readers.js';
import {
  summariseConfirmations,
  summariseScenarios,
  type ConfirmationGroup,
  type ConfirmationObservation,
  type ScenarioGroup,
  type ScenarioObservation,
} from '../src/analyzers/track-record-summary.js';
import { hitRate as pooledHitRate, type GradeBar, type HitRate } from '../src/analyzers/track-record.js';
import { loadFreqtradeJson, loadSpotCsv, replayAt } from '../tests/support/confirmation-replay.js';

const H = 3_600_000;
const HORIZON_BARS = 24;
const WARM_UP = 200;
const DATA = new URL('../../shared/data/', import.meta.url);

const stepArg = process.argv.indexOf('--step');
const STEP = stepArg >= 0 ? Math.max(1, Number(process.argv[stepArg + 1]) || 1) : 1;

function loadFeather(url: URL, symbol: string): Candle[] {
  const out: Candle[] = [];
  for (const { fields } of readRecords(fileURLToPath(url), 'freqtrade-feather')) {
    const [t, o, h, l, c, v] = fields.map(Number) as [number, number, number, number, number, number];
    out.push({ symbol, interval: '1h', openTime: t, closeTime: t + H - 1, open: o, high: h, low: l, close: c, volume: v, quoteVolume: null, takerBuyVolume: null, trades: null, closed: true });
  }
  return out;
}

interface Recording {
  name: string;
  symbol: string;
  url: URL;
  load: (url: URL, symbol: string) => Candle[];
}

const recordings: Recording[] = [
  ...['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT', 'XRPUSDT', 'ADAUSDT', 'DOGEUSDT'].map((symbol) => ({
    name: 'binance-spot 2024-02-01..03-15',
    symbol,
    url: new URL(`binance-spot/klines/2024-02-01_2024-03-15/${symbol}-1h.csv`, DATA),
    load: loadSpotCsv,
  })),
  { name: 'binance-futures 2025-09-19..10-23', symbol: 'BTCUSDT', url: new URL('binance-futures/klines/BTCUSDT-1h.freqtrade.json', DATA), load: loadFreqtradeJson },
  ...['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'XRPUSDT', 'DOGEUSDT'].map((symbol) => ({
    name: 'binance-futures 2025-12-26..2026-01-29',
    symbol,
    url: new URL(`binance-futures/klines/multi-5m-15m-1h-2025-12-26_2026-01-29/${symbol}-1h.freqtrade.feather`, DATA),
    load: loadFeather,
  })),
];

interface RecordingResult {
  recording: string;
  symbol: string;
  bars: number;
  from: number;
  to: number;
  confirmations: ConfirmationObservation[];
  scenarios: ScenarioObservation[];
  candles: GradeBar[];
}

function walk(rec: Recording): RecordingResult | null {
  if (!existsSync(rec.url)) return null;
  const all = rec.load(rec.url, rec.symbol);
  const confirmations: ConfirmationObservation[] = [];
  const scenarios: ScenarioObservation[] = [];
  for (let k = WARM_UP; k < all.length; k += STEP) {
    const bar = replayAt(all, k);
    if (bar.confirmation) confirmations.push({ asOf: bar.asOf, signal: bar.confirmation.signal, quality: bar.confirmation.quality });
    if (bar.scenarios) scenarios.push({ asOf: bar.asOf, scenarios: bar.scenarios.scenarios });
  }
  return { recording: rec.name, symbol: rec.symbol, bars: all.length, from: all[0]!.openTime, to: all.at(-1)!.closeTime, confirmations, scenarios, candles: all };
}

const pct = (x: number | null, digits = 1) => (x === null ? '–' : `${(x * 100).toFixed(digits)} %`);
const rate = (h: HitRate) => (h.n === 0 ? '–' : `${pct(h.rate)} [${pct(h.low)}, ${pct(h.high)}]`);
const bp = (x: number | null) => (x === null ? '–' : `${(x * 10_000).toFixed(1)} bp`);

function confirmationRow(groups: ConfirmationGroup[]): string {
  // Pool the same group over recordings: hits and n add; means are weighted by their counts.
  const n = groups.reduce((s, g) => s + g.hitRate.n, 0);
  const hits = groups.reduce((s, g) => s + g.hitRate.hits, 0);
  const graded = groups.reduce((s, g) => s + g.graded, 0);
  const neutral = groups.reduce((s, g) => s + g.neutral, 0);
  const wmean = (pick: (g: ConfirmationGroup) => number | null, weight: (g: ConfirmationGroup) => number) => {
    const w = groups.reduce((s, g) => s + (pick(g) === null ? 0 : weight(g)), 0);
    return w === 0 ? null : groups.reduce((s, g) => s + (pick(g) ?? 0) * weight(g), 0) / w;
  };
  const h = pooledHitRate(hits, n);
  return `| ${groups[0]!.group} | ${graded} | ${n} | ${rate(h)} | ${bp(wmean((g) => g.meanDirectionalReturn, (g) => g.hitRate.n))} | ${neutral} | ${bp(wmean((g) => g.meanAbsoluteMove, (g) => g.neutral))} |`;
}

function scenarioRow(groups: ScenarioGroup[]): string {
  const sum = (pick: (g: ScenarioGroup) => number) => groups.reduce((s, g) => s + pick(g), 0);
  const filled = sum((g) => g.filled);
  const tf = sum((g) => g.outcomes.targetFirst);
  const rSum = groups.reduce((s, g) => s + (g.meanR ?? 0) * g.filled, 0);
  return `| ${groups[0]!.group} | ${sum((g) => g.graded)} | ${sum((g) => g.outcomes.notFilled)} | ${filled} | ${tf} | ${sum((g) => g.outcomes.stopFirst)} | ${sum((g) => g.outcomes.neither)} | ${rate(pooledHitRate(tf, filled))} | ${filled ? (rSum / filled).toFixed(2) : '–'} |`;
}

function main(): void {
  const started = performance.now();
  const results: RecordingResult[] = [];
  for (const rec of recordings) {
    const t0 = performance.now();
    const r = walk(rec);
    if (!r) {
      console.error(`skipped ${rec.name} ${rec.symbol}: ${fileURLToPath(rec.url)} not found`);
      continue;
    }
    results.push(r);
    console.error(`${rec.name} ${rec.symbol}: ${r.bars} bars, ${r.confirmations.length} confirmations in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const per = results.map((r) => summariseConfirmations(r.confirmations, r.candles, HORIZON_BARS * H));
  const scen = results.map((r) => summariseScenarios(r.scenarios, r.candles));

  const lines: string[] = [];
  lines.push(`Track record on the recordings: ${results.length} recordings, every ${STEP === 1 ? '' : `${STEP}th `}bar after a ${WARM_UP}-bar warm-up, confirmation horizon ${HORIZON_BARS} bars (1 h), scenarios over their own horizon (24 h).`);
  lines.push('');
  lines.push('| recording | symbol | bars | confirmations graded | pending | scenarios graded |');
  lines.push('|---|---|---|---|---|---|');
  results.forEach((r, i) => lines.push(`| ${r.recording} | ${r.symbol} | ${r.bars} | ${per[i]!.sample.graded} | ${per[i]!.sample.pending} | ${scen[i]!.sample.graded} |`));
  lines.push('');
  lines.push('Confirmations (hit: the 24 h forward return has the sign of the signal; 95 % Wilson interval):');
  lines.push('');
  lines.push('| group | graded | directional n | hit rate [95 % CI] | mean return in signal direction | neutral n | neutral mean abs move |');
  lines.push('|---|---|---|---|---|---|---|');
  lines.push(confirmationRow(per.map((p) => p.overall)));
  for (let q = 0; q < 4; q++) lines.push(confirmationRow(per.map((p) => p.byQuality[q]!)));
  for (let s = 0; s < 3; s++) lines.push(confirmationRow(per.map((p) => p.bySignal[s]!)));
  // Baseline: how often the market simply rose over the horizon on the same graded bars (what "always BULLISH" would score).
  let up = 0;
  let upN = 0;
  for (const r of results) {
    const byClose = new Map(r.candles.map((c, i) => [c.closeTime, i]));
    for (const o of r.confirmations) {
      const i = byClose.get(o.asOf)!;
      const later = r.candles[i + HORIZON_BARS];
      if (!later) continue;
      upN += 1;
      if (later.close > r.candles[i]!.close) up += 1;
    }
  }
  lines.push('');
  lines.push(`Baseline: the ${HORIZON_BARS} h forward return was positive on ${rate(pooledHitRate(up, upN))} of the ${upN} graded bars (what always-BULLISH would score).`);
  lines.push('');
  lines.push('Scenarios (same-bar tie = stop first; target-first rate among filled; mean R: target 1 R:R, −1, 0 for neither):');
  lines.push('');
  lines.push('| group | graded | not filled | filled | target first | stop first | neither | target-first rate [95 % CI] | mean R |');
  lines.push('|---|---|---|---|---|---|---|---|---|');
  lines.push(scenarioRow(scen.map((s) => s.overall)));
  for (let k = 0; k < 4; k++) lines.push(scenarioRow(scen.map((s) => s.byKind[k]!)));
  for (let b = 0; b < 2; b++) lines.push(scenarioRow(scen.map((s) => s.byBias[b]!)));
  console.log(lines.join('\n'));
  console.error(`total ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

main();
