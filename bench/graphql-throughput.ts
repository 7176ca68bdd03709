/**
 * HTTP throughput of the dashboard query (one symbol, every field of 8 analyses with factors and meta)
 * and of the 20-symbol batch, against baselines measured in the same run with the same client and
 * concurrency, each server in its own process (pinned to core 0 with taskset when present; run the bench
 * itself with `taskset -c 1` to keep the load generator off that core):
 *   raw        node:http returning the very same response bytes;
 *   yoga       plain graphql-yoga on the same SDL with default resolvers, serving the same object;
 *   yoga+jit   the same, executed by graphql-jit (@envelop/graphql-jit);
 *   uncached   perpgraph with RESPONSE_CACHE_TTL_MS=0 (every request executed);
 *   perpgraph  perpgraph with defaults (response cache on).
 * The two perpgraph instances run their engines (20 simulated symbols): each is paused (SIGSTOP) while
 * anything else is measured, so a measurement of one server never pays for the other's background work.
 * The load comes from wrk (one thread, `concurrency` connections) when it is installed (apt-get install wrk),
 * else from undici in this process (BENCH_CLIENT=undici forces it), which saturates before fast servers do.
 * Prints req/s, p50/p99 latency and the ratios to raw and to yoga. BENCH_ROUNDS (default 1) repeats the
 * measurements and prints, per server, the median of the rounds' figures.
 *
 *   npm run bench:throughput      (env: BENCH_SECONDS=5 BENCH_CONCURRENCY=32 BENCH_ROUNDS=1 BENCH_SCENARIO=dashboard|markets)
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { batchQuery, dashboardQuery } from './queries.js';
import { hasTaskset, hasWrk, measure, measureWrk, startTarget, SYMBOLS_20, type Measurement, type Target } from './http-support.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
const roundsWanted = Number(process.env.BENCH_ROUNDS ?? 1);
const dir = await mkdtemp(join(tmpdir(), 'perpgraph-throughput-'));
const targets: Target[] = [];
const start = async (args: string[], env?: Record<string, string>) => {
  const t = await startTarget(args, env);
  targets.push(t);
  return t;
};

try {
  const appEnv = { SYMBOLS: SYMBOLS_20.join(','), ANALYSIS_MIN_INTERVAL_MS: '1000' };
  const [cached, uncached] = await Promise.all([start(['app'], appEnv), start(['app'], { ...appEnv, RESPONSE_CACHE_TTL_MS: '0' })]);
  await new Promise((r) => setTimeout(r, 8_000)); // warm-up: every analysis computed once
  const scenarios = [
    { name: 'dashboard (1 symbol)', body: JSON.stringify({ query: dashboardQuery('BTCUSDT') }) },
    { name: 'markets(20 symbols)', body: JSON.stringify({ query: batchQuery(SYMBOLS_20) }) },
  ].filter((s) => !process.env.BENCH_SCENARIO || s.name.startsWith(process.env.BENCH_SCENARIO));
  console.log(`concurrency ${concurrency}, ${seconds}s per run, client ${hasWrk ? 'wrk -t1' : 'undici (no wrk)'}, servers ${hasTaskset ? 'pinned to core 0 (taskset)' : 'not pinned (no taskset)'}`);
  for (const scenario of scenarios) {
    const sample = await fetch(`${cached.origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: scenario.body });
    const text = await sample.text();
    if (text.includes('"errors"')) throw new Error(`${scenario.name}: ${text.slice(0, 500)}`);
    const file = join(dir, 'response.json');
    await writeFile(file, text);
    const raw = await start(['raw', file]);
    const yoga = await start(['yoga', file]);
    const jit = await start(['jit', file]);
    const apps = [cached, uncached];
    const run = async (t: Target) => {
      // Only the app being measured runs: the other one's engine would otherwise share core 0 with it
      // (and with the baselines). A resumed app first catches up on the ticks it missed.
      for (const app of apps) if (app !== t) app.pause();
      if (apps.includes(t)) {
        t.resume();
        await new Promise((r) => setTimeout(r, 1_500));
      }
      return (hasWrk ? measureWrk : measure)(t.origin, '/graphql', scenario.body, concurrency, seconds);
    };
    await run(cached); // warm-up, discarded
    await run(uncached);
    const servers: Array<[string, Target]> = [
      ['raw node:http', raw],
      ['plain yoga', yoga],
      ['yoga + graphql-jit', jit],
      ['perpgraph uncached', uncached],
      ['perpgraph (cache)', cached],
    ];
    const rounds: Measurement[][] = [];
    for (let round = 0; round < roundsWanted; round += 1) {
      const row: Measurement[] = [];
      for (const [, t] of servers) row.push(await run(t));
      rounds.push(row);
      console.error(`${scenario.name} round ${round + 1}: ${row.map((m, i) => `${servers[i]![0]} ${m.rps.toFixed(1)} req/s p99 ${m.p99.toFixed(0)} ms`).join('; ')}`);
    }
    for (const app of apps) app.resume();
    await raw.stop();
    await yoga.stop();
    await jit.stop();
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
    console.log(`\n${scenario.name}: ${Buffer.byteLength(text)} bytes, median of ${roundsWanted} round(s), load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    console.log('server               req/s    p50 ms   p99 ms  errors  vs raw  vs yoga');
    servers.forEach(([name], i) => {
      const of = (f: (m: Measurement) => number) => median(rounds.map((row) => f(row[i]!)));
      console.log(
        `${name.padEnd(20)} ${of((m) => m.rps).toFixed(0).padStart(6)} ${of((m) => m.p50).toFixed(1).padStart(9)} ${of((m) => m.p99).toFixed(1).padStart(8)} ${String(of((m) => m.errors)).padStart(7)} ${median(rounds.map((row) => row[i]!.rps / row[0]!.rps)).toFixed(3).padStart(7)} ${median(rounds.map((row) => row[i]!.rps / row[1]!.rps)).toFixed(3).padStart(8)}`,
      );
    });
  }
} finally {
  for (const t of targets) await t.stop().catch(() => {});
  await rm(dir, { recursive: true, force: true });
}
