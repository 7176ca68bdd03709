/**
 * One server for the HTTP benches, run in its own process (pinned to a core by the bench via taskset):
 *   app            perpgraph on the simulated market (env: SYMBOLS, RESPONSE_CACHE_TTL_MS, ...): the compiled
 *                  build dist/main.js, what `npm start` runs (BENCH_APP=src: the sources through tsx instead)
 *   raw <file>     node:http answering every request with the bytes of <file>
 *   yoga <file>    plain graphql-yoga on the same SDL with default resolvers, serving the `data` object of <file>
 *   jit <file>     the same as yoga, executed by graphql-jit (@envelop/graphql-jit: compiled once per document)
 * Prints "PORT <n>" once listening; exits on SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSchema, printSchema } from 'graphql';
import { createYoga, type Plugin } from 'graphql-yoga';
import { useGraphQlJit } from '@envelop/graphql-jit';

const [mode, file] = process.argv.slice(2);

/** Diagnostic (bench/dashboard-probe.ts, BENCH_ELD): event-loop delay at 1 ms resolution, printed every second to stderr. */
async function reportEventLoopDelay(): Promise<void> {
  if (!process.env.BENCH_ELD) return;
  const { monitorEventLoopDelay } = await import('node:perf_hooks');
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  setInterval(() => {
    console.error(`eld p50 ${(h.percentile(50) / 1e6).toFixed(1)} p99 ${(h.percentile(99) / 1e6).toFixed(1)} max ${(h.max / 1e6).toFixed(1)} ms`);
    h.reset();
  }, 1_000).unref();
}

if (mode === 'app') {
  const dataDir = mkdtempSync(join(tmpdir(), 'perpgraph-bench-'));
  // Load generators send every request from one address: the request rate limits would measure themselves.
  const env = { MARKET_SOURCE: 'simulated', HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: '', REDIS_URL: '', LOG_LEVEL: 'warn', RATE_LIMIT_ENABLED: process.env.RATE_LIMIT_ENABLED ?? 'false' };
  if (process.env.BENCH_APP === 'src') {
    const { createApp } = await import('../src/app.js');
    const { loadConfig } = await import('../src/config.js');
    const { createLogger } = await import('../src/logger.js');
    const config = loadConfig({ ...process.env, ...env, PORT: '0' });
    const app = createApp({ config, logger: createLogger('warn') });
    const port = await app.start(0);
    console.log(`PORT ${port}`);
    process.on('SIGTERM', () => void app.stop().finally(() => process.exit(0)));
  } else {
    // The compiled build, as `npm start` runs it (its simulated backfill in a worker thread, its on-demand
    // pool from dist/); it binds a port this process took and closed, and handles SIGTERM itself.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: p } = probe.address() as { port: number };
        probe.close(() => resolve(p));
      });
    });
    Object.assign(process.env, env, { PORT: String(port) });
    await import(new URL('../dist/main.js', import.meta.url).href);
    for (;;) {
      const ready = await fetch(`http://127.0.0.1:${port}/ready`).then((r) => r.ok, () => false);
      if (ready) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    console.log(`PORT ${port}`);
  }
  await reportEventLoopDelay();
} else if (mode === 'raw' || mode === 'yoga' || mode === 'jit') {
  const bytes = readFileSync(file!);
  let handler: Parameters<typeof createServer>[1];
  if (mode === 'raw') {
    handler = (req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': bytes.length }).end(bytes));
    };
  } else {
    const { schema } = await import('../src/schema/index.js');
    const data = (JSON.parse(bytes.toString()) as { data: Record<string, unknown> }).data;
    // Default resolvers read the captured object: the cost of yoga's pipeline alone.
    const plugins: Plugin[] = [{ onExecute: ({ args }) => void (args.rootValue = data) }];
    if (mode === 'jit') plugins.push(useGraphQlJit() as Plugin);
    const yoga = createYoga({ schema: buildSchema(printSchema(schema)), context: () => ({}), logging: false, graphiql: false, landingPage: false, plugins });
    handler = yoga;
  }
  await reportEventLoopDelay();
  const server = createServer(handler);
  server.listen(0, '127.0.0.1', () => console.log(`PORT ${(server.address() as { port: number }).port}`));
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
} else {
  console.error('usage: http-target.ts app | raw <file> | yoga <file> | jit <file>');
  process.exit(2);
}
