/**
 * Diagnostic for the dashboard query's tail latency: one perpgraph target (pinned to core 0) under wrk
 * (c connections, s seconds, falls back to undici without wrk), printing the target's event-loop delay every
 * second (BENCH_ELD in http-target.ts) and the request figures. PROBE_ENV adds settings to the target
 * (e.g. '{"SIM_TICK_MS":"60000"}' to see the latency without price ticks); PROBE_CPU_PROF=dir writes a
 * CPU profile of the target.
 *   tsx bench/dashboard-probe.ts   (env: BENCH_SECONDS=5 BENCH_CONCURRENCY=32 PROBE_QUERY=dashboard|batch)
 */
import { batchQuery, dashboardQuery } from './queries.js';
import { hasWrk, measure, measureWrk, startTarget, SYMBOLS_20 } from './http-support.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
const body = JSON.stringify({ query: process.env.PROBE_QUERY === 'batch' ? batchQuery(SYMBOLS_20) : dashboardQuery('BTCUSDT') });
const env: Record<string, string> = { SYMBOLS: SYMBOLS_20.join(','), ANALYSIS_MIN_INTERVAL_MS: '1000', BENCH_ELD: '1', ...(JSON.parse(process.env.PROBE_ENV ?? '{}') as Record<string, string>) };
// PROBE_RAW=1: node:http serving the bytes of one response instead (the scheduler's share of the tail on this machine).
let rawFile: string | undefined;
if (process.env.PROBE_RAW) {
  const { writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  rawFile = `${tmpdir()}/perpgraph-probe-${process.pid}.json`;
  const app = await startTarget(['app'], { SYMBOLS: SYMBOLS_20.join(',') });
  await new Promise((r) => setTimeout(r, 8_000));
  writeFileSync(rawFile, await (await fetch(`${app.origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).text());
  await app.stop();
}
const target = await startTarget(rawFile ? ['raw', rawFile] : ['app'], env, process.env.PROBE_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROBE_CPU_PROF}`] : []);
try {
  await new Promise((r) => setTimeout(r, 8_000));
  for (let i = 0; i < 3; i += 1) await (await fetch(`${target.origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).text();
  const run = () => (hasWrk ? measureWrk : measure)(target.origin, '/graphql', body, concurrency, seconds);
  await run(); // warm-up
  console.error('--- measured run');
  const m = await run();
  console.log(`${m.rps.toFixed(0)} req/s, p50 ${m.p50.toFixed(1)} ms, p99 ${m.p99.toFixed(1)} ms, errors ${m.errors}`);
} finally {
  await target.stop();
}
