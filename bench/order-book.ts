/**
 * Cost of maintaining local order books (npm run bench:order-book): 20 Binance books, each synced from a
 * 1000-level snapshot and fed `@depth@100ms` diffs in the wire format (JSON text, parsed and validated as the
 * source does), published every 500 ms, with the ORDER_BOOK analysis once per 5 s per book (the engine's
 * cadence, a new sample each time) on a store holding an hour of 5 s samples. Reports CPU per simulated
 * second of 20 books at 10 diffs/s as a share of one core (target < 10 %), the ratio to the bare JSON.parse of
 * the same messages and the analysis on unmeasured samples (baselines in the same run), and the retained heap
 * per book.
 */
import { createLocalBook } from '../src/datasources/binance/binance-book.js';
import { parseDepthDiffMessage } from '../src/datasources/binance/binance-stream-mapper.js';
import { binanceDepthSchema } from '../src/datasources/binance/schemas.js';
import { computeOrderBookAnalysis, toBookSample } from '../src/analyzers/order-book.js';
import type { BookSample } from '../src/analyzers/order-book.types.js';
import type { OrderBook } from '../src/domain/market.js';
import { createFakeDepthBook } from '../tests/support/fake-binance-depth.js';

const BOOKS = 20;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const DIFFS_PER_SECOND = 10;
const T0 = 1_700_000_000_000;

let clock = T0;
const venues = Array.from({ length: BOOKS }, (_, i) => createFakeDepthBook({ symbol: `SYM${i}USDT`, basePrice: 60_000, levels: 1000, seed: i + 1 }));
const latest = new Map<string, OrderBook>();
const samples = new Map<string, BookSample[]>();
const books = venues.map((v) =>
  createLocalBook({
    symbol: v.symbol,
    fetchSnapshot: async () => binanceDepthSchema.parse(JSON.parse(JSON.stringify(v.snapshot(1000, clock)))),
    onBook: (b) => void latest.set(v.symbol, b),
    now: () => clock,
    publishEveryMs: 500,
    publishLevels: 1000,
  }),
);

// Hour of history per book for the analysis (720 samples of the current book shape).
function seedHistory(symbol: string, b: OrderBook): void {
  const s = toBookSample(b)!;
  samples.set(symbol, Array.from({ length: 720 }, (_, i) => ({ ...s, time: b.time - (720 - i) * 5_000 })));
}
const secondOf = (s: number) => {
  const out: string[] = [];
  for (let k = 0; k < DIFFS_PER_SECOND; k++) for (const v of venues) out.push(JSON.stringify({ stream: v.stream, data: v.nextDiff(T0 + s * 1000 + k * 100) }));
  return out;
};
const apply = (m: string) => {
  const d = parseDepthDiffMessage(JSON.parse(m))!;
  books[Number(d.s.slice(3, -4))]!.onDiff(d);
};

const heapBefore = (globalThis.gc?.(), process.memoryUsage().heapUsed);
// Sync: one diff per book is buffered, the snapshot (taken after it) joins it.
for (const v of venues) apply(JSON.stringify({ stream: v.stream, data: v.nextDiff(T0) }));
await new Promise((r) => setTimeout(r, 100));
for (const m of secondOf(0)) apply(m);
const synced = books.filter((b) => b.book() !== null).length;
for (const v of venues) {
  const b = latest.get(v.symbol);
  if (b && b.state === 'SYNCED') seedHistory(v.symbol, b);
}
const heapAfter = (globalThis.gc?.(), process.memoryUsage().heapUsed);

let cpu = 0;
let base = 0;
let sink = 0;
let analyses = 0;
let bookCpu = 0;
let analysisCpu = 0;
for (let s = 1; s < SECONDS; s++) {
  const second = secondOf(s); // the venue model, not measured
  let t = process.cpuUsage();
  for (const m of second) sink += (JSON.parse(m) as { data: { u: number } }).data.u;
  let u = process.cpuUsage(t);
  base += u.user + u.system;
  t = process.cpuUsage();
  for (const [k, m] of second.entries()) {
    clock = T0 + s * 1000 + Math.floor(k / BOOKS) * 100;
    apply(m);
  }
  const tBook = process.cpuUsage(t);
  bookCpu += tBook.user + tBook.system;
  // The engine's cadence: a new 5 s sample (the store's ring of 720 keeps the same objects, the oldest leaves),
  // then one ORDER_BOOK analysis per book (minIntervalMs 5 s).
  if (s % 5 === 0) {
    const ta = process.cpuUsage();
    for (const v of venues) {
      const b = latest.get(v.symbol);
      const history = samples.get(v.symbol);
      if (!b || !history) continue;
      const previous = toBookSample(b);
      if (previous) {
        history.shift();
        history.push({ ...previous, time: b.time - 1 });
      }
      computeOrderBookAnalysis({ symbol: v.symbol, book: b, history });
      analyses += 1;
    }
    const ua = process.cpuUsage(ta);
    analysisCpu += ua.user + ua.system;
  }
  u = process.cpuUsage(t);
  cpu += u.user + u.system;
}
// Baseline in the same run: the same analyses on histories of fresh sample objects (nothing measured before),
// which is what every run cost before the per-sample memo.
let coldCpu = 0;
for (const v of venues) {
  const b = latest.get(v.symbol);
  const history = samples.get(v.symbol);
  if (!b || !history) continue;
  const fresh = history.map((x) => ({ ...x }));
  const tc = process.cpuUsage();
  computeOrderBookAnalysis({ symbol: v.symbol, book: b, history: fresh });
  const uc = process.cpuUsage(tc);
  coldCpu += uc.user + uc.system;
}
const resyncs = books.reduce((n, b) => n + b.stats().resyncs, 0);
const cpuMs = cpu / 1000;
const baseMs = base / 1000;
const seconds = SECONDS - 1;
console.log(JSON.stringify({ books: BOOKS, synced, resyncs, diffsPerSecondPerBook: DIFFS_PER_SECOND, simulatedSeconds: seconds, analyses, sink: sink > 0 }));
console.log(`CPU: ${(cpuMs / seconds).toFixed(2)} ms per simulated second for ${BOOKS} books = ${((cpuMs / seconds / 1000) * 100).toFixed(2)} % of one core (target < 10 %)`);
console.log(`of which book maintenance (parse, validate, apply, publish): ${(bookCpu / 1000 / seconds).toFixed(2)} ms per second = ${((bookCpu / 1000 / seconds / 1000) * 100).toFixed(2)} % of one core`);
console.log(`and the ORDER_BOOK analysis every 5 s per book: ${(analysisCpu / 1000 / seconds).toFixed(2)} ms per second = ${((analysisCpu / 1000 / seconds / 1000) * 100).toFixed(2)} % of one core; ${(analysisCpu / 1000 / Math.max(1, analyses)).toFixed(2)} ms a run with the memo vs ${(coldCpu / 1000 / BOOKS).toFixed(2)} ms on unmeasured samples (${(coldCpu / BOOKS / (analysisCpu / Math.max(1, analyses))).toFixed(1)}×)`);
console.log(`ratio to JSON.parse of the same messages: ${(cpuMs / baseMs).toFixed(1)}×`);
console.log(`retained heap per book (1000-level book + 720 samples): ${((heapAfter - heapBefore) / BOOKS / 1024 / 1024).toFixed(2)} MiB; RSS ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MiB`);
for (const b of books) b.stop();
