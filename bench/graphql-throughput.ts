/**
 * Throughput of `market { funding { ... } }` over HTTP, against a baseline: a raw node:http server that
 * returns the very same response bytes, measured in the same run with the same client and concurrency.
 * Prints requests/second of both and their ratio (perpgraph / raw). Absolute numbers depend on the
 * machine; the ratio is the figure to track.
 *
 *   npm run bench:throughput            (env: BENCH_SECONDS=5 BENCH_CONCURRENCY=32)
 */
import { createServer } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);

const query = `query { market(symbol: "BTCUSDT") { symbol price funding { rate predictedRate annualizedRate nextFundingTime zScore trend isExtreme signal score factors { name value weight contribution note } meta { source venue asOf ageMs stale methodologyVersion } } } }`;
const body = JSON.stringify({ query });

async function measure(origin: string, path: string, method: 'GET' | 'POST'): Promise<{ rps: number; errors: number }> {
  const pool = new Pool(origin, { connections: concurrency, pipelining: 1 });
  let done = 0;
  let errors = 0;
  const deadline = performance.now() + seconds * 1000;
  async function worker() {
    while (performance.now() < deadline) {
      const res = await pool.request({ path, method, headers: { 'content-type': 'application/json' }, body: method === 'POST' ? body : undefined });
      const text = await res.body.text();
      if (res.statusCode !== 200 || text.includes('"errors"')) errors += 1;
      done += 1;
    }
  }
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  await pool.close();
  return { rps: done / elapsed, errors };
}

const dataDir = await mkdtemp(join(tmpdir(), 'perpgraph-bench-'));
const config = loadConfig({ ...process.env, MARKET_SOURCE: 'simulated', PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: '', REDIS_URL: '', LOG_LEVEL: 'warn' });
const app = createApp({ config, logger: createLogger('warn') });
const port = await app.start(0);
const origin = `http://127.0.0.1:${port}`;

// Warm up and capture the exact bytes the baseline will serve.
await new Promise((r) => setTimeout(r, 1500));
const sample = await fetch(`${origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
const bytes = Buffer.from(await sample.arrayBuffer());
if (!bytes.toString().includes('"funding"')) throw new Error(`unexpected response: ${bytes.toString()}`);

const raw = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json', 'content-length': bytes.length }).end(bytes));
});
await new Promise<void>((r) => raw.listen(0, '127.0.0.1', () => r()));
const rawPort = (raw.address() as { port: number }).port;

await measure(origin, '/graphql', 'POST'); // JIT warm-up, discarded
const baseline = await measure(`http://127.0.0.1:${rawPort}`, '/', 'POST');
const perpgraph = await measure(origin, '/graphql', 'POST');

console.log(`response size: ${bytes.length} bytes, concurrency ${concurrency}, ${seconds}s per run`);
console.log(`raw node:http baseline : ${baseline.rps.toFixed(0)} req/s (${baseline.errors} errors)`);
console.log(`perpgraph market.funding: ${perpgraph.rps.toFixed(0)} req/s (${perpgraph.errors} errors)`);
console.log(`ratio perpgraph/raw: ${(perpgraph.rps / baseline.rps).toFixed(3)}`);

raw.close();
await app.stop();
await rm(dataDir, { recursive: true, force: true });
