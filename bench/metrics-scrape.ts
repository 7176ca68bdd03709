/**
 * `/metrics` scrape cost at 20 symbols, against a baseline measured in the same run: the `/health` round
 * trip (the cheapest answer the same server gives over the same keep-alive connection). The server runs in
 * its own process (bench/http-target.ts `app`, simulated market, 20 symbols, analyses warmed up, a few
 * graphql-ws subscriptions open so the subscription collectors have groups to count); the client sends
 * one request at a time, alternating the two paths, and prints the medians, their ratio and the
 * difference (≈ the server-side cost of a scrape). Target: a scrape under 5 ms.
 *
 *   npm run bench:metrics                 (BENCH_SCRAPES=400 by default)
 */
import { Pool } from 'undici';
import WebSocket from 'ws';
import { percentile, startTarget, SYMBOLS_20 } from './http-support.js';

const SCRAPES = Number(process.env.BENCH_SCRAPES ?? 400);

const target = await startTarget(['app'], { SYMBOLS: SYMBOLS_20.join(','), ANALYSIS_MIN_INTERVAL_MS: '1000', BENCH_APP: process.env.BENCH_APP ?? 'src' });
const pool = new Pool(target.origin, { connections: 1 });
const sockets: WebSocket[] = [];
try {
  const get = async (path: string) => {
    const started = performance.now();
    const res = await pool.request({ path, method: 'GET' });
    const body = await res.body.text();
    const ms = performance.now() - started;
    if (res.statusCode !== 200) throw new Error(`${path}: HTTP ${res.statusCode}`);
    return { ms, body };
  };

  // Warm-up: every per-symbol analysis kind has a result for the 20 symbols' oldest, so every collector has its full series.
  const deadline = Date.now() + 180_000;
  let kinds = 0;
  for (;;) {
    const { body } = await get('/metrics');
    kinds = body.split('\n').filter((l) => l.startsWith('perpgraph_analysis_age_seconds{')).length;
    if (kinds >= 15 || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 1_000));
  }
  for (let i = 0; i < 4; i++) {
    const ws = new WebSocket(`${target.origin.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    sockets.push(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('error', reject);
      ws.once('open', () => ws.send(JSON.stringify({ type: 'connection_init' })));
      ws.on('message', (data: Buffer) => {
        if (JSON.parse(data.toString()).type !== 'connection_ack') return;
        ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: `subscription { fundingUpdated(symbol: "${SYMBOLS_20[i]}") { rate } }` } }));
        resolve();
      });
    });
  }
  for (let i = 0; i < 50; i++) await get(i % 2 ? '/health' : '/metrics');

  const scrape: number[] = [];
  const health: number[] = [];
  let bytes = 0;
  let series = 0;
  for (let i = 0; i < SCRAPES; i++) {
    health.push((await get('/health')).ms);
    const m = await get('/metrics');
    scrape.push(m.ms);
    bytes = m.body.length;
    series = m.body.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
  }
  scrape.sort((a, b) => a - b);
  health.sort((a, b) => a - b);
  const med = (xs: number[]) => percentile(xs, 0.5);
  console.log(`symbols 20, analysis kinds with an age ${kinds}, exposition ${bytes} bytes, ${series} series, ${SCRAPES} scrapes`);
  console.log(`/health  median ${med(health).toFixed(3)} ms  p90 ${percentile(health, 0.9).toFixed(3)} ms   (baseline)`);
  console.log(`/metrics median ${med(scrape).toFixed(3)} ms  p90 ${percentile(scrape, 0.9).toFixed(3)} ms`);
  console.log(`ratio /metrics : /health = ${(med(scrape) / med(health)).toFixed(2)}x; scrape cost above the round trip ≈ ${(med(scrape) - med(health)).toFixed(3)} ms (target < 5 ms: ${med(scrape) < 5 ? 'met' : 'NOT met'})`);
} finally {
  for (const ws of sockets) ws.terminate();
  await pool.close();
  await target.stop();
}
