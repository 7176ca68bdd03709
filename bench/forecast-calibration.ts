/**
 * Forecast calibration on the real recordings (`npm run calibrate:forecast`): the FORECAST analysis's own rolling
 * out-of-sample evaluation (src/analyzers/forecast.ts: GARCH(1,1) refitted every 24 bars on the returns before each
 * origin, first origin after 300 returns) over every recorded series of 1 h candles in ../shared/data, printing per
 * recording and pooled:
 *
 * - coverage of the 50 / 80 / 95 % intervals at H1, H4 and D1 (calibrated: within ±5 points of the level);
 * - the mean log-score gain over the random walk (zero drift, training variance) ± its Newey–West standard error
 *   (the model beats the baseline when the gain exceeds 1.96 SE);
 * - the directional hit rate with its Wilson 95 % interval on samples / steps effective observations.
 *
 * 1 h series: the Binance 1 h files as recorded, 5 m and 15 m files aggregated to complete UTC hours (last close of
 * the hour); BTC's 15 m window is cut where the 1 h file starts so no hour is counted twice. Pooled rows weight each
 * recording by its forecasts (log-score SE combined as if the recordings were independent — they are not quite:
 * the symbols of one window move together). Spot (2024) is pooled separately: it is not a perpetual.
 * README "Forecast" shows the table.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { contiguousRun, logReturns, rollingForecasts, summariseHorizon, type OriginRecord } from '../src/analyzers/forecast.js';
import { DEFAULT_FORECAST_THRESHOLDS, FORECAST_HORIZON_ORDER, FORECAST_LEVELS, HORIZON_HOURS, type ForecastCandle, type ForecastHorizon } from '../src/analyzers/forecast.types.js';
import { readRecords } from '../src/datasources/replay/replay-readers.js';
import { wilsonInterval } from '../src/math/statistics.js';

const DATA = ['../shared/data', '/work/shared/data'].find((d) => existsSync(d));
if (!DATA) throw new Error('no ../shared/data');
const H1 = 3_600_000;
const KL = path.join(DATA, 'binance-futures/klines');
const MULTI15 = path.join(KL, 'multi-15m-2025-08-29_2025-09-25');
const MULTI1H = path.join(KL, 'multi-5m-15m-1h-2025-12-26_2026-01-29');
const SPOT = path.join(DATA, 'binance-spot/klines/2024-02-01_2024-03-15');
const OKX = path.join(DATA, 'okx/SOL-USDT-SWAP-1h-2026-06-11_2026-06-26/ohlcv_1h.csv');
const BTC_1H_START = Date.UTC(2025, 8, 19);

type Bar = { t: number; close: number };

function freqtrade(file: string): Bar[] {
  const container = file.endsWith('.feather') ? 'freqtrade-feather' : 'freqtrade-json';
  return [...readRecords(file, container)].map(({ fields }) => ({ t: Number(fields[0]), close: Number(fields[4]) }));
}

function csv(file: string, time: (v: string) => number, closeColumn: string): Bar[] {
  const [header, ...lines] = readFileSync(file, 'utf8').trim().split(/\r?\n/);
  const cols = header!.split(',');
  const ti = 0;
  const ci = cols.indexOf(closeColumn);
  return lines.map((l) => l.split(',')).map((f) => ({ t: time(f[ti]!), close: Number(f[ci]) }));
}

/** Complete UTC hours of `barMs` bars (every sub-bar present), closing at the last sub-bar's close. */
function toHours(bars: Bar[], barMs: number): Bar[] {
  const per = H1 / barMs;
  const groups = new Map<number, Bar[]>();
  for (const b of bars) {
    const h = Math.floor(b.t / H1) * H1;
    const g = groups.get(h) ?? [];
    g.push(b);
    groups.set(h, g);
  }
  return [...groups.entries()]
    .filter(([, g]) => g.length === per)
    .sort((a, b) => a[0] - b[0])
    .map(([h, g]) => ({ t: h, close: g.sort((a, b) => a.t - b.t).at(-1)!.close }));
}

interface Series {
  name: string;
  group: 'perp' | 'spot';
  bars: Bar[];
}

const spotTime = (v: string) => Date.parse(`${v.replace(' ', 'T')}Z`);
const SERIES: Series[] = [
  { name: 'Binance BTCUSDT 1h 2025-09-19..10-23', group: 'perp', bars: freqtrade(path.join(KL, 'BTCUSDT-1h.freqtrade.json')) },
  { name: 'Binance ETHUSDT 5m→1h 2025-09-27..10-27', group: 'perp', bars: toHours(freqtrade(path.join(KL, 'ETHUSDT-5m.freqtrade.json')), 300_000) },
  ...['BTC', 'ETH', 'XRP', 'LTC', 'BCH'].map((s) => ({
    name: `Binance ${s}USDT 15m→1h 2025-08-29..${s === 'BTC' ? '09-18' : '09-25'}`,
    group: 'perp' as const,
    bars: toHours(freqtrade(path.join(MULTI15, `${s}USDT-15m.freqtrade.json`)), 900_000).filter((b) => s !== 'BTC' || b.t < BTC_1H_START),
  })),
  ...['BTC', 'ETH', 'SOL', 'XRP', 'DOGE'].map((s) => ({ name: `Binance ${s}USDT 1h 2025-12-26..2026-01-29`, group: 'perp' as const, bars: freqtrade(path.join(MULTI1H, `${s}USDT-1h.freqtrade.feather`)) })),
  { name: 'OKX SOL-USDT-SWAP 1h 2026-06-11..06-26', group: 'perp', bars: csv(OKX, Number, 'close') },
  ...['BTC', 'ETH', 'SOL', 'BNB', 'XRP', 'ADA', 'DOGE'].map((s) => ({ name: `Binance spot ${s}USDT 1h 2024-02-01..03-15`, group: 'spot' as const, bars: csv(path.join(SPOT, `${s}USDT-1h.csv`), spotTime, 'close') })),
];

const T = DEFAULT_FORECAST_THRESHOLDS;
const steps = FORECAST_HORIZON_ORDER.map((h) => HORIZON_HOURS[h]);
const f3 = (x: number) => x.toFixed(3);
const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(4)}`;

interface Pool {
  records: OriginRecord[];
  /** Per recording: forecasts, mean log-score gain, its SE. */
  scores: { n: number; d: number; se: number }[];
}
const pools = new Map<string, Pool>();
const pool = (group: string, h: ForecastHorizon) => {
  const key = `${group}:${h}`;
  let p = pools.get(key);
  if (!p) pools.set(key, (p = { records: [], scores: [] }));
  return p;
};

console.log(`Forecast out-of-sample evaluation on the recorded 1 h candles (first origin after ${T.evaluationStart} returns, refit every ${T.refitEvery} bars)\n`);
console.log('| recording | returns | horizon | forecasts | coverage 50 % | 80 % | 95 % | log-score gain ± SE | beats RW | hit rate [95 % CI] |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
const started = performance.now();
for (const s of SERIES) {
  const candles: ForecastCandle[] = s.bars.map((b) => ({ openTime: b.t, closeTime: b.t + H1 - 1, close: b.close }));
  const run = contiguousRun(candles, H1);
  const returns = logReturns(run.map((c) => c.close));
  if (returns.length < T.evaluationStart + T.minEvaluationSamples) {
    console.log(`| ${s.name} | ${returns.length} | — | — | not evaluated: ${returns.length} contiguous returns, the evaluation needs ${T.evaluationStart + T.minEvaluationSamples} | | | | | |`);
    continue;
  }
  const records = rollingForecasts(returns, steps, T);
  for (const h of FORECAST_HORIZON_ORDER) {
    const mine = records.filter((r) => r.steps === HORIZON_HOURS[h]);
    const e = summariseHorizon(h, HORIZON_HOURS[h], mine, T);
    if (e.reason) {
      console.log(`| ${s.name} | ${returns.length} | ${h} | ${e.samples} | ${e.reason} | | | | | |`);
      continue;
    }
    const p = pool(s.group, h);
    p.records.push(...mine);
    p.scores.push({ n: e.samples, d: e.logScore!.difference, se: e.logScore!.standardError });
    const cov = e.coverage.map((c) => `${f3(c.observed)}${c.calibrated ? '' : ' ✗'}`);
    const hit = e.hitRate ? `${f3(e.hitRate.rate)} [${f3(e.hitRate.low)}, ${f3(e.hitRate.high)}]` : '—';
    console.log(`| ${s.name} | ${returns.length} | ${h} | ${e.samples} | ${cov.join(' | ')} | ${signed(e.logScore!.difference)} ± ${e.logScore!.standardError.toFixed(4)} | ${e.beatsBaseline ? 'yes' : 'no'} | ${hit} |`);
  }
}

console.log('\nPooled (each recording weighted by its forecasts; ✗ = outside ±0.05 of the level)\n');
console.log('| pool | horizon | forecasts | coverage 50 % | 80 % | 95 % | log-score gain ± SE | beats RW | recordings beating RW | hit rate [95 % CI] |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const group of ['perp', 'spot']) {
  for (const h of FORECAST_HORIZON_ORDER) {
    const p = pools.get(`${group}:${h}`);
    if (!p) continue;
    const n = p.records.length;
    const cov = FORECAST_LEVELS.map((level, li) => {
      const obs = p.records.filter((r) => r.realised >= r.bounds[li]![0] && r.realised <= r.bounds[li]![1]).length / n;
      return `${f3(obs)}${Math.abs(obs - level) <= T.calibrationTolerance ? '' : ' ✗'}`;
    });
    const total = p.scores.reduce((a, s) => a + s.n, 0);
    const d = p.scores.reduce((a, s) => a + s.n * s.d, 0) / total;
    const se = Math.sqrt(p.scores.reduce((a, s) => a + (s.n * s.se) ** 2, 0)) / total;
    const beating = p.scores.filter((s) => s.d > T.beatZ * s.se).length;
    let calls = 0;
    let hits = 0;
    for (const r of p.records) {
      if (r.upProbability === 0.5 || r.realised === 0) continue;
      calls += 1;
      if (r.upProbability > 0.5 === r.realised > 0) hits += 1;
    }
    const w = wilsonInterval(hits / calls, calls / HORIZON_HOURS[h])!;
    console.log(
      `| ${group === 'perp' ? 'perpetuals 2025–26' : 'spot 2024'} | ${h} | ${n} | ${cov.join(' | ')} | ${signed(d)} ± ${se.toFixed(4)} | ${d > T.beatZ * se ? 'yes' : 'no'} | ${beating} of ${p.scores.length} | ${f3(hits / calls)} [${f3(w.low)}, ${f3(w.high)}] |`,
    );
  }
}
console.log(`\n${SERIES.length} recordings evaluated in ${((performance.now() - started) / 1000).toFixed(1)} s`);
