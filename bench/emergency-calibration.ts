/**
 * Emergency protocol on the real recordings (`npm run calibrate:emergency`): the protocol run bar by bar (each
 * bar sees only the 300 bars up to it, as the engine would) over every recorded Binance 5 m candle file, printing
 *
 * - the 2025-10-10 crash: first ELEVATED and first EMERGENCY bar and the triggers at the worst bar;
 * - the false-alarm rate on calm days (daily high/low range under 3 %): share of bars and episodes (runs of
 *   consecutive bars) at ELEVATED and at EMERGENCY, per symbol, and the same over all other days.
 *
 * The recordings carry no liquidations, funding at 8 h settlements and mark candles only, so this calibrates the
 * price-based checks (flash, circuit breaker, volatility); README "Emergency protocols" shows the table.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { computeEmergency } from '../src/analyzers/emergency.js';
import type { EmergencyBar, EmergencyLevel } from '../src/analyzers/emergency.types.js';
import { readRecords } from '../src/datasources/replay/replay-readers.js';

const DATA = ['../shared/data', '/work/shared/data'].find((d) => existsSync(d));
if (!DATA) throw new Error('no ../shared/data');
const KLINES = path.join(DATA, 'binance-futures/klines');
const FILES = [
  path.join(KLINES, 'BTCUSDT-5m.freqtrade.json'),
  path.join(KLINES, 'ETHUSDT-5m.freqtrade.json'),
  ...readdirSync(path.join(KLINES, 'multi-5m-15m-1h-2025-12-26_2026-01-29'))
    .filter((f) => f.endsWith('-5m.freqtrade.feather'))
    .map((f) => path.join(KLINES, 'multi-5m-15m-1h-2025-12-26_2026-01-29', f)),
];
const BAR = 300_000;
const LOOKBACK = 300;
const CALM_RANGE = 0.03;
const CRASH = { from: Date.UTC(2025, 9, 10, 20), to: Date.UTC(2025, 9, 11, 2) };

function load(file: string): EmergencyBar[] {
  const container = file.endsWith('.feather') ? 'freqtrade-feather' : 'freqtrade-json';
  const bars: EmergencyBar[] = [];
  for (const { fields } of readRecords(file, container)) {
    const [t, o, h, l, c, v] = fields.map(Number) as [number, number, number, number, number, number];
    bars.push({ openTime: t, closeTime: t + BAR - 1, open: o, high: h, low: l, close: c, volume: v });
  }
  return bars;
}

const day = (t: number) => new Date(t).toISOString().slice(0, 10);
type Tally = { bars: number; elevated: number; emergency: number; elevatedEpisodes: number; emergencyEpisodes: number };
const tally = (): Tally => ({ bars: 0, elevated: 0, emergency: 0, elevatedEpisodes: 0, emergencyEpisodes: 0 });
const pct = (n: number, d: number) => (d === 0 ? '—' : `${((100 * n) / d).toFixed(2)} %`);

console.log('Emergency protocol on the recorded Binance 5 m candles (each bar sees the 300 bars up to it)\n');
console.log('| recording | calm days | calm bars ELEVATED | EMERGENCY | episodes E/EM per calm day | other days ELEVATED | EMERGENCY |');
console.log('|---|---|---|---|---|---|---|');
const crashLines: string[] = [];
for (const file of FILES) {
  const bars = load(file);
  const symbol = path.basename(file).split('-')[0]!;
  const ranges = new Map<string, { high: number; low: number }>();
  for (const b of bars) {
    const r = ranges.get(day(b.openTime)) ?? { high: -Infinity, low: Infinity };
    r.high = Math.max(r.high, b.high);
    r.low = Math.min(r.low, b.low);
    ranges.set(day(b.openTime), r);
  }
  const calmDays = new Set([...ranges].filter(([, r]) => r.high / r.low - 1 < CALM_RANGE).map(([d]) => d));
  const calm = tally();
  const other = tally();
  let previous: EmergencyLevel = 'NORMAL';
  let firstElevated: number | null = null;
  let firstEmergency: number | null = null;
  let worst: { time: number; z: number; triggers: string } | null = null;
  for (let i = LOOKBACK; i < bars.length; i++) {
    const window = bars.slice(i - LOOKBACK, i + 1);
    const bar = bars[i]!;
    const a = computeEmergency({ symbol, interval: '5m', intervalMs: BAR, bars: window, funding: null, mark: null, staleInputs: [], now: bar.closeTime + 1 })!;
    const t = calmDays.has(day(bar.openTime)) ? calm : other;
    t.bars += 1;
    if (a.level === 'ELEVATED') t.elevated += 1;
    if (a.level === 'EMERGENCY') t.emergency += 1;
    if (a.level !== previous && a.level === 'ELEVATED') t.elevatedEpisodes += 1;
    if (a.level !== previous && a.level === 'EMERGENCY') t.emergencyEpisodes += 1;
    previous = a.level;
    if (bar.openTime >= CRASH.from && bar.openTime < CRASH.to) {
      if (a.level !== 'NORMAL') firstElevated ??= bar.openTime;
      if (a.level === 'EMERGENCY') firstEmergency ??= bar.openTime;
      const z = Math.min(0, ...a.windows.map((w) => w.zScore ?? 0));
      if (!worst || z < worst.z) worst = { time: bar.openTime, z, triggers: a.triggers.map((x) => `${x.type} ${x.level}${x.windowMinutes ? ` ${x.windowMinutes}m` : ''}`).join(', ') };
    }
  }
  const name = path.basename(file).replace(/\.freqtrade\.(json|feather)$/, '');
  const span = `${day(bars[0]!.openTime)}…${day(bars.at(-1)!.openTime)}`;
  console.log(
    `| ${name} ${span} | ${calmDays.size} | ${pct(calm.elevated, calm.bars)} | ${pct(calm.emergency, calm.bars)} | ${(calm.elevatedEpisodes / Math.max(1, calmDays.size)).toFixed(2)} / ${(calm.emergencyEpisodes / Math.max(1, calmDays.size)).toFixed(2)} | ${pct(other.elevated, other.bars)} | ${pct(other.emergency, other.bars)} |`,
  );
  if (worst) {
    const iso = (t: number | null) => (t === null ? 'never' : new Date(t).toISOString().slice(11, 16));
    crashLines.push(`- ${symbol}: first ELEVATED ${iso(firstElevated)}, first EMERGENCY ${iso(firstEmergency)} UTC; worst bar ${iso(worst.time)} (${worst.z.toFixed(1)} σ): ${worst.triggers}`);
  }
}
console.log(`\nCalm day: high/low range under ${CALM_RANGE * 100} %. Episode: a run of consecutive bars at that level.`);
console.log('\n2025-10-10 crash (20:00–02:00 UTC):');
for (const line of crashLines) console.log(line);
