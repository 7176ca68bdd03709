/**
 * A real-time healthy run of the simulated market: starts the server (MARKET_SOURCE=simulated, embedded
 * database in a temp dir, default settings otherwise), queries all 18 analyses of BTCUSDT every
 * SAMPLE_S seconds for MINUTES minutes and prints how many are stale at each sample, with the overdue inputs.
 *
 *   npm run bench:healthy-run [-- MINUTES [SAMPLE_S]]     (default 10 minutes, every 10 s)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';

const MINUTES = Number(process.argv[2] ?? 10);
const SAMPLE_S = Number(process.argv[3] ?? 10);
const FIELDS = ['funding', 'openInterest', 'longShort', 'basis', 'liquidationHeatmap', 'liquidationCascades', 'whales', 'volume', 'volumeProfile', 'structure', 'keyLevels', 'traps', 'sessions', 'volatility', 'regime'];
const WIDE = ['correlations', 'sentiment', 'optionsFlow'];
const META = 'meta { stale inputs { type interval overdue } }';
const QUERY = `{ market(symbol: "BTCUSDT") { ${FIELDS.map((f) => `${f} { ${META} }`).join(' ')} } ${WIDE.map((f) => `${f} { ${META} }`).join(' ')} }`;
type Meta = { stale: boolean; inputs: { type: string; interval: string | null; overdue: boolean }[] };

const dir = await mkdtemp(join(tmpdir(), 'perpgraph-healthy-'));
const config = loadConfig({ ...process.env, MARKET_SOURCE: 'simulated', HOST: '127.0.0.1', PORT: '0', DATA_DIR: dir, DATABASE_URL: undefined, REDIS_URL: undefined, LOG_LEVEL: 'warn' });
const app = createApp({ config, logger: createLogger(config.LOG_LEVEL) });
const url = `http://127.0.0.1:${await app.start(0)}/graphql`;
const started = Date.now();
let samples = 0;
let staleSamples = 0;
let maxStale = 0;
try {
  while (Date.now() - started < MINUTES * 60_000) {
    const res = (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: QUERY }) }).then((r) => r.json())) as {
      data?: { market?: Record<string, { meta: Meta } | null> } & Record<string, unknown>;
    };
    const metas: [string, Meta | undefined][] = [
      ...FIELDS.map((f) => [f, res.data?.market?.[f]?.meta] as [string, Meta | undefined]),
      ...WIDE.map((f) => [f, (res.data?.[f] as { meta: Meta } | null | undefined)?.meta] as [string, Meta | undefined]),
    ];
    const answered = metas.filter(([, m]) => m).length;
    const stale = metas.filter(([, m]) => m?.stale).map(([f, m]) => `${f}(${m!.inputs.filter((i) => i.overdue).map((i) => i.type + (i.interval ? `:${i.interval}` : '')).join(',')})`);
    samples += 1;
    if (stale.length > 0) staleSamples += 1;
    maxStale = Math.max(maxStale, stale.length);
    console.log(`t+${String(Math.round((Date.now() - started) / 1000)).padStart(4)} s  answered ${answered}/18  stale ${stale.length}${stale.length ? '  ' + stale.join(' ') : ''}`);
    await new Promise((r) => setTimeout(r, SAMPLE_S * 1_000));
  }
  console.log(`${samples} samples over ${MINUTES} min: ${staleSamples} with a stale analysis, at most ${maxStale} stale at once`);
} finally {
  await app.stop();
  await rm(dir, { recursive: true, force: true });
}
