/**
 * Abuse bench: a victim client's latency while anonymous clients send the queries that stalled the
 * server before the cost model (issue 11), against the same victim with no attack in the same run.
 * The server runs in its own process (core 0 with taskset; its on-demand worker threads share that
 * core); victim and attackers share this process.
 *   heavy-alias   1 client: 30 aliases × markets(20) × liquidationHeatmap with varied arguments
 *   random-args   4 clients: markets(20) × 12 analyses with random arguments
 *   on-demand     4 clients: market(1) × liquidationHeatmap with random buckets (under the cost limit,
 *                 so it exercises the worker pool, its queue bound and its budget)
 * Each round measures idle, then every attack; the ratio attack/idle p50 is taken per round (idle of the
 * same round) and its median over the rounds is printed (goal ≤ 3), with what the attackers got back.
 *
 * Then N connections × M subscriptions against the server's RSS: graphql-ws sockets each holding M
 * `fundingUpdated` subscriptions, RSS before and after, and what the per-IP and per-connection
 * limits refused.
 *
 *   npm run bench:abuse      (env: BENCH_SECONDS=5 BENCH_ROUNDS=3 BENCH_CONNECTIONS=300 BENCH_SUBSCRIPTIONS=120,
 *                             server env passes through, e.g. ONDEMAND_WORKERS=0 for the main-thread baseline)
 */
import { readFileSync } from 'node:fs';
import { Pool } from 'undici';
import WebSocket from 'ws';
import { heavyAliasQuery, randomArgumentsQuery } from './queries.js';
import { hasTaskset, percentile, startTarget, SYMBOLS_20 } from './http-support.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 300);
const subscriptionsPer = Number(process.env.BENCH_SUBSCRIPTIONS ?? 120);
const victimBody = JSON.stringify({ query: '{ market(symbol: "ETHUSDT") { symbol funding { rate score meta { asOf ageMs stale } } } }' });

let seed = 7;
const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

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

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;

/** Opens `n` graphql-ws sockets, each subscribing `m` times; resolves with what was accepted and refused. */
async function subscribeMany(origin: string, n: number, m: number): Promise<{ sockets: WebSocket[]; open: number; refusedSockets: number; subscribed: number; refusedSubscriptions: Map<string, number> }> {
  const url = origin.replace('http', 'ws') + '/graphql';
  const refusedSubscriptions = new Map<string, number>();
  let subscribed = 0;
  let acked = 0;
  const sockets: WebSocket[] = [];
  const openOne = (i: number) =>
    new Promise<void>((resolve) => {
      const ws = new WebSocket(url, 'graphql-transport-ws');
      sockets.push(ws);
      const pending = new Set<string>();
      const done = () => resolve();
      const timer = setTimeout(done, 15_000);
      ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init' })));
      ws.on('message', (data) => {
        const msg = JSON.parse(String(data)) as { type: string; id?: string; payload?: Array<{ extensions?: { code?: string } }> };
        if (msg.type === 'connection_ack') {
          acked += 1;
          for (let k = 0; k < m; k += 1) {
            const id = `${i}-${k}`;
            pending.add(id);
            ws.send(JSON.stringify({ id, type: 'subscribe', payload: { query: `subscription { fundingUpdated(symbol: "${SYMBOLS_20[k % SYMBOLS_20.length]}") { rate } }` } }));
          }
        } else if (msg.id && pending.has(msg.id)) {
          pending.delete(msg.id);
          if (msg.type === 'next') subscribed += 1;
          else {
            const code = msg.payload?.[0]?.extensions?.code ?? msg.type;
            refusedSubscriptions.set(code, (refusedSubscriptions.get(code) ?? 0) + 1);
          }
          if (pending.size === 0) {
            clearTimeout(timer);
            done();
          }
        }
      });
      ws.on('close', (code) => {
        if (pending.size > 0) {
          const key = `closed ${code}`;
          if (pending.size > 0) refusedSubscriptions.set(key, (refusedSubscriptions.get(key) ?? 0) + pending.size);
        }
        clearTimeout(timer);
        done();
      });
      ws.on('error', () => undefined);
    });
  for (let i = 0; i < n; i += 25) await Promise.all(Array.from({ length: Math.min(25, n - i) }, (_, j) => openOne(i + j)));
  const open = sockets.filter((s) => s.readyState === WebSocket.OPEN).length;
  return { sockets, open, refusedSockets: n - acked, subscribed, refusedSubscriptions };
}

const target = await startTarget(['app'], { SYMBOLS: SYMBOLS_20.join(','), ANALYSIS_MIN_INTERVAL_MS: '1000' });
try {
  // Ready: the victim's query answers with data (the engine computed funding for ETHUSDT).
  for (const until = performance.now() + 120_000; performance.now() < until; ) {
    const res = await fetch(`${target.origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: victimBody }).catch(() => undefined);
    if (res && (await res.text()).includes('"rate"')) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const phase = async (attackers: number, body: (() => string) | null) => {
    const until = performance.now() + seconds * 1000;
    const stop = () => performance.now() > until;
    const codes = new Map<string, number>();
    const [latencies] = await Promise.all([victim(target.origin, stop), ...Array.from({ length: body ? attackers : 0 }, () => attacker(target.origin, stop, body!, codes))]);
    return { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), count: latencies.length, codes };
  };
  await phase(0, null); // warm-up
  let salt = 0;
  const attacks: Array<{ name: string; clients: number; body: () => string }> = [
    { name: 'heavy-alias ×1', clients: 1, body: () => JSON.stringify({ query: heavyAliasQuery(SYMBOLS_20, salt++) }) },
    { name: 'random-args ×4', clients: 4, body: () => JSON.stringify({ query: randomArgumentsQuery(SYMBOLS_20, random) }) },
    { name: 'on-demand ×4', clients: 4, body: () => JSON.stringify({ query: `{ market(symbol: "BTCUSDT") { liquidationHeatmap(buckets: ${10 + Math.floor(random() * 390)}) { price } } }` }) },
  ];
  const ratios = new Map<string, number[]>(attacks.map((a) => [a.name, []]));
  const codes = new Map<string, Map<string, number>>(attacks.map((a) => [a.name, new Map()]));
  const idleP50s: number[] = [];
  console.log(`victim: market.funding every 5 ms, ${seconds}s per phase, ${rounds} rounds, server ${hasTaskset ? 'pinned to core 0' : 'not pinned'}, ONDEMAND_WORKERS=${process.env.ONDEMAND_WORKERS ?? '1 (default)'}`);
  for (let round = 1; round <= rounds; round += 1) {
    const idle = await phase(0, null);
    idleP50s.push(idle.p50);
    const parts = [`round ${round}: idle p50 ${idle.p50.toFixed(2)} ms p99 ${idle.p99.toFixed(1)} ms`];
    for (const attack of attacks) {
      const result = await phase(attack.clients, attack.body);
      ratios.get(attack.name)!.push(result.p50 / idle.p50);
      for (const [code, n] of result.codes) codes.get(attack.name)!.set(code, (codes.get(attack.name)!.get(code) ?? 0) + n);
      parts.push(`${attack.name} p50 ${result.p50.toFixed(2)} p99 ${result.p99.toFixed(1)} (×${(result.p50 / idle.p50).toFixed(2)})`);
    }
    console.log(parts.join(' | '));
  }
  console.log(`idle p50 median ${median(idleP50s).toFixed(2)} ms`);
  for (const attack of attacks) {
    const r = ratios.get(attack.name)!;
    const answers = [...codes.get(attack.name)!].map(([code, n]) => `${code} ${n}`).join(', ');
    console.log(`${attack.name.padEnd(16)} ratio p50 attack/idle median ${median(r).toFixed(2)} (rounds ${r.map((x) => x.toFixed(2)).join(', ')}; goal ≤ 3)  attackers got: ${answers}`);
  }

  const before = rssMb(target.pid);
  const held = await subscribeMany(target.origin, connections, subscriptionsPer);
  await new Promise((r) => setTimeout(r, 2_000));
  const after = rssMb(target.pid);
  const refused = [...held.refusedSubscriptions].map(([code, n]) => `${code} ${n}`).join(', ') || 'none';
  console.log(
    `${connections} connections × ${subscriptionsPer} subscriptions: ${held.open} sockets open (${held.refusedSockets} refused), ${held.subscribed} subscriptions live; refused: ${refused}; server RSS ${before.toFixed(0)} → ${after.toFixed(0)} MB (+${(after - before).toFixed(0)} MB)`,
  );
  for (const ws of held.sockets) ws.terminate();
} finally {
  await target.stop();
}
