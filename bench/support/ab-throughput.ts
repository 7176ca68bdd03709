/**
 * Exploration, not a bench of record: the markets(20) (or dashboard) query against two builds of the app
 * side by side in one run, with raw node:http serving the same bytes as the baseline: every target pinned
 * to core 0 and the others paused (SIGSTOP) while one is measured, rounds interleaved (raw, A, B, raw, ...),
 * medians of the rounds. A is the checkout in AB_BASE (its dist/main.js), B this checkout.
 *
 *   AB_BASE=/path/to/other/checkout BENCH_ROUNDS=3 BENCH_SECONDS=10 taskset -c 1 npx tsx bench/support/ab-throughput.ts
 */
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { batchQuery, dashboardQuery } from '../queries.js';
import { hasWrk, measure, measureWrk, startTarget, SYMBOLS_20, type Measurement, type Target } from '../http-support.js';

const base = process.env.AB_BASE;
if (!base) throw new Error('AB_BASE=<other checkout with a built dist/> is required');
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
const body = JSON.stringify({ query: process.env.BENCH_SCENARIO === 'dashboard' ? dashboardQuery('BTCUSDT') : batchQuery(SYMBOLS_20) });
const env = { SYMBOLS: SYMBOLS_20.join(','), ANALYSIS_MIN_INTERVAL_MS: '1000' };
const here = process.cwd();
const dir = mkdtempSync(join(tmpdir(), 'perpgraph-ab-'));
const targets: Target[] = [];
try {
  process.chdir(base);
  const a = await startTarget(['app'], env);
  process.chdir(here);
  const b = await startTarget(['app'], env);
  targets.push(a, b);
  await new Promise((r) => setTimeout(r, 8_000));
  const sample = await (await fetch(`${b.origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).text();
  if (sample.includes('"errors"')) throw new Error(sample.slice(0, 300));
  const file = join(dir, 'response.json');
  writeFileSync(file, sample);
  const raw = await startTarget(['raw', file]);
  targets.push(raw);
  const named: Array<[string, Target]> = [['raw node:http', raw], ['A (AB_BASE)', a], ['B (this checkout)', b]];
  /** CPU ms (user + system, all threads) the process used so far, from /proc (Linux). */
  const cpuMs = (pid: number) => {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  };
  // Per response: the server's CPU during the run, less what it spends without clients (the engine's
  // background work, measured for 3 s just before), so a background cost common to A and B does not hide
  // the cost of answering.
  const run = async (t: Target): Promise<Measurement & { cpuPerResponse: number }> => {
    for (const other of targets) if (other !== t) other.pause();
    t.resume();
    let idleRate = 0;
    if (t !== raw) {
      await new Promise((r) => setTimeout(r, 1_500));
      const idleFrom = cpuMs(t.pid);
      const idleStart = performance.now();
      await new Promise((r) => setTimeout(r, 3_000));
      idleRate = (cpuMs(t.pid) - idleFrom) / (performance.now() - idleStart);
    }
    const before = cpuMs(t.pid);
    const started = performance.now();
    const m = await (hasWrk ? measureWrk : measure)(t.origin, '/graphql', body, concurrency, seconds);
    const busy = cpuMs(t.pid) - before - idleRate * (performance.now() - started);
    return { ...m, cpuPerResponse: busy / Math.max(1, m.count) };
  };
  await run(a);
  await run(b);
  const results: Array<Array<Measurement & { cpuPerResponse: number }>> = [];
  for (let round = 0; round < rounds; round += 1) {
    const row: Array<Measurement & { cpuPerResponse: number }> = [];
    for (const [, t] of named) row.push(await run(t));
    results.push(row);
    console.error(`round ${round + 1}: ${row.map((m, i) => `${named[i]![0]} ${m.rps.toFixed(1)} req/s (p50 ${m.p50.toFixed(0)} p99 ${m.p99.toFixed(0)} ms, CPU ${m.cpuPerResponse.toFixed(2)} ms/response)`).join('; ')}`);
  }
  for (const t of targets) t.resume();
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  console.log(`${Buffer.byteLength(sample)} bytes, c=${concurrency}, ${seconds}s × ${rounds} rounds, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log('target                req/s    p50 ms   p99 ms  vs raw  server CPU ms/response (less its idle rate)');
  named.forEach(([name], i) => {
    const of = (f: (m: Measurement & { cpuPerResponse: number }) => number) => median(results.map((row) => f(row[i]!)));
    console.log(`${name.padEnd(20)} ${of((m) => m.rps).toFixed(1).padStart(7)} ${of((m) => m.p50).toFixed(1).padStart(9)} ${of((m) => m.p99).toFixed(1).padStart(8)} ${median(results.map((row) => row[i]!.rps / row[0]!.rps)).toFixed(3).padStart(7)} ${of((m) => m.cpuPerResponse).toFixed(2).padStart(8)}`);
  });
} finally {
  for (const t of targets) await t.stop().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
}
