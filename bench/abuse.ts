/**
 * Abuse bench: a victim client's latency while anonymous clients send the queries that stalled the
 * server before the cost model (issue 11), against the same victim with no attack in the same run.
 * The server runs in its own process (core 0 with taskset); victim and attackers share this process.
 *   heavy-alias   1 client: 30 aliases × markets(20) × liquidationHeatmap with varied arguments
 *   random-args   4 clients: markets(20) × 12 analyses with random arguments
 *   on-demand     4 clients: market(1) × liquidationHeatmap with random buckets (under the cost limit,
 *                 so it exercises the on-demand queue and its budget)
 * Prints the victim's p50/p99 and the ratio attack/idle p50 (goal ≤ 3), and what the attackers got back.
 *
 *   npm run bench:abuse      (env: BENCH_SECONDS=5)
 */
import { Pool } from 'undici';
import { heavyAliasQuery, randomArgumentsQuery } from './queries.js';
import { hasTaskset, percentile, startTarget, SYMBOLS_20 } from './http-support.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const victimBody = JSON.stringify({ query: '{ market(symbol: "ETHUSDT") { symbol funding { rate score meta { asOf ageMs stale } } } }' });

let seed = 7;
const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);

async function victim(origin: string, stop: () => boolean): Promise<number[]> {
  const pool = new Pool(origin, { connections: 1 });
  const latencies: number[] = [];
  while (!stop()) {
    const t = performance.now();
    const res = await pool.request({ path: '/graphql', method: 'POST', headers: { 'content-type': 'application/json' }, body: victimBody });
    await res.body.text();
    latencies.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 5));
  }
  await pool.close();
  return latencies.sort((a, b) => a - b);
}

async function attacker(origin: string, stop: () => boolean, body: () => string, codes: Map<string, number>): Promise<void> {
  const pool = new Pool(origin, { connections: 1 });
  while (!stop()) {
    const res = await pool.request({ path: '/graphql', method: 'POST', headers: { 'content-type': 'application/json' }, body: body() });
    const text = await res.body.text();
    const code = /"code":"([A-Z_]+)"/.exec(text)?.[1] ?? (res.statusCode === 200 ? 'OK' : String(res.statusCode));
    codes.set(code, (codes.get(code) ?? 0) + 1);
  }
  await pool.close();
}

const target = await startTarget(['app'], { SYMBOLS: SYMBOLS_20.join(','), ANALYSIS_MIN_INTERVAL_MS: '1000' });
try {
  await new Promise((r) => setTimeout(r, 4_000));
  const phase = async (attackers: number, body: (() => string) | null) => {
    const until = performance.now() + seconds * 1000;
    const stop = () => performance.now() > until;
    const codes = new Map<string, number>();
    const [latencies] = await Promise.all([victim(target.origin, stop), ...Array.from({ length: body ? attackers : 0 }, () => attacker(target.origin, stop, body!, codes))]);
    return { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), count: latencies.length, codes };
  };
  await phase(0, null); // warm-up
  const idle = await phase(0, null);
  let salt = 0;
  const attacks = [
    { name: 'heavy-alias ×1', result: await phase(1, () => JSON.stringify({ query: heavyAliasQuery(SYMBOLS_20, salt++) })) },
    { name: 'random-args ×4', result: await phase(4, () => JSON.stringify({ query: randomArgumentsQuery(SYMBOLS_20, random) })) },
    { name: 'on-demand ×4', result: await phase(4, () => JSON.stringify({ query: `{ market(symbol: "BTCUSDT") { liquidationHeatmap(buckets: ${10 + Math.floor(random() * 390)}) { price } } }` })) },
  ];
  console.log(`victim: market.funding every 5 ms, ${seconds}s per phase, server ${hasTaskset ? 'pinned to core 0' : 'not pinned'}`);
  console.log(`idle                 p50 ${idle.p50.toFixed(1)} ms  p99 ${idle.p99.toFixed(1)} ms  (${idle.count} requests)`);
  for (const { name, result } of attacks) {
    const answers = [...result.codes].map(([code, n]) => `${code} ${n}`).join(', ');
    console.log(`${name.padEnd(20)} p50 ${result.p50.toFixed(1)} ms  p99 ${result.p99.toFixed(1)} ms  ratio p50 attack/idle ${(result.p50 / idle.p50).toFixed(2)}  attackers got: ${answers}`);
  }
} finally {
  await target.stop();
}
