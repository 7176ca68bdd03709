/**
 * Soak: the server on MARKET_SOURCE=binance against the fake venues, a feeder streaming trades and mark
 * prices, a query load, and random upstream faults (429 + Retry-After, 5xx bursts, slow answers past the
 * timeout, malformed and truncated bodies, dropped WebSockets). Prints requests served, the share
 * answered (fresh or stale-flagged), upstream weight used vs budget, reconnects, bans and memory.
 *
 *   npm run bench:soak          (env: SOAK_SECONDS=180, SOAK_CONCURRENCY=8)
 *
 * Targets: 100 % of queries answered, zero bans (the fake venue bans like Binance does: a request during
 * a 429 pause earns a 418), flat memory (heap after GC at the end within a few MB of the start).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { startFakeVenues, wire } from '../tests/support/fake-venues.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const seconds = Number(process.env.SOAK_SECONDS ?? 180);
const concurrency = Number(process.env.SOAK_CONCURRENCY ?? 8);
const symbols = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'];

const venues = await startFakeVenues({ symbols, enforceWeightLimit: true, banOnViolation: true });
const dataDir = await mkdtemp(join(tmpdir(), 'perpgraph-soak-'));
const config = loadConfig({
  ...venues.env,
  SYMBOLS: symbols.join(','),
  PORT: '0',
  HOST: '127.0.0.1',
  DATA_DIR: dataDir,
  LOG_LEVEL: 'silent',
  STALE_AFTER_MS: '5000',
});
const app = createApp({ config, logger: createLogger('silent') });
const port = await app.start(0);
const url = `http://127.0.0.1:${port}/graphql`;

function heapMb(): number {
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
}
await new Promise((r) => setTimeout(r, 3_000));
const heapStart = heapMb();
const rssStart = process.memoryUsage().rss / 2 ** 20;

// Feeder: what the real streams would push.
let tradeId = 1;
const feeder = setInterval(() => {
  const t = Date.now();
  for (const [i, symbol] of symbols.entries()) {
    const price = venues.binance.priceAt(symbol, t);
    const s = symbol.toLowerCase();
    venues.ws.send(`${s}@aggTrade`, wire.aggTrade(symbol, tradeId++, price, 0.1 + i, t, tradeId % 2 === 0));
    venues.ws.send(`${s}@markPrice@1s`, wire.markPrice(symbol, price, price * 0.9999, 0.0001, Math.ceil(t / 28_800_000) * 28_800_000, t));
    if (tradeId % 40 === 0) venues.ws.send(`${s}@forceOrder`, wire.forceOrder(symbol, 'SELL', price * 0.99, 0.3, t));
  }
}, 250);

// Faults: one at a time, a few seconds each, at random.
const faults = [
  () => venues.binance.setFault({ kind: '429', retryAfterSec: 3 }),
  () => venues.binance.setFault({ kind: '5xx', times: 6 }),
  () => venues.binance.setFault({ kind: 'slow', delayMs: 8_000, times: 3 }),
  () => venues.binance.setFault({ kind: 'malformed', times: 5 }),
  () => venues.binance.setFault({ kind: 'truncated', times: 5 }),
  () => venues.ws.dropAll(),
  () => venues.deribit.setFault({ kind: '500', times: 3 }),
  () => venues.fng.setFault({ kind: 'malformed', times: 2 }),
  () => venues.coingecko.setFault({ kind: '429', retryAfterSec: 5, times: 1 }),
];
const faultCounts = new Map<number, number>();
let rng = 12345;
const random = () => ((rng = (rng * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const faulter = setInterval(() => {
  venues.binance.setFault(null);
  const i = Math.floor(random() * faults.length);
  faultCounts.set(i, (faultCounts.get(i) ?? 0) + 1);
  faults[i]!();
}, 4_000);

const query = `query($s: String!) { market(symbol: $s) { price funding { rate predictedRate zScore meta { stale source } } data { openInterest(limit: 1) { openInterest } trades(limit: 5) { price } } } }`;
let served = 0;
let answered = 0;
let staleAnswers = 0;
let failed = 0;
const failures = new Map<string, number>();
const deadline = Date.now() + seconds * 1000;
async function client(n: number) {
  while (Date.now() < deadline) {
    const symbol = symbols[(served + n) % symbols.length]!;
    try {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables: { s: symbol } }) });
      const body = (await res.json()) as { data?: { market?: { funding?: { meta: { stale: boolean } } } }; errors?: Array<{ message: string }> };
      served += 1;
      if (body.data?.market?.funding && !body.errors) {
        answered += 1;
        if (body.data.market.funding.meta.stale) staleAnswers += 1;
      } else {
        failed += 1;
        const reason = body.errors?.[0]?.message ?? 'no data';
        failures.set(reason, (failures.get(reason) ?? 0) + 1);
      }
    } catch (error) {
      served += 1;
      failed += 1;
      failures.set(String(error), (failures.get(String(error)) ?? 0) + 1);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

// Peak over the whole run (includes the start-up backfill) and the steady state after the first minute.
let maxWeight = 0;
let steadyMaxWeight = 0;
const startedAt = Date.now();
const weightProbe = setInterval(() => {
  const w = venues.binance.usedWeight('futures');
  maxWeight = Math.max(maxWeight, w);
  if (Date.now() - startedAt > 65_000) steadyMaxWeight = Math.max(steadyMaxWeight, w);
}, 1_000);
// Heap once the bounded buffers have had a third of the run to fill, to tell filling from leaking.
let heapWarm = 0;
setTimeout(() => (heapWarm = heapMb()), (seconds * 1000) / 3).unref();
await Promise.all(Array.from({ length: concurrency }, (_, n) => client(n)));
clearInterval(feeder);
clearInterval(faulter);
clearInterval(weightProbe);
venues.binance.setFault(null);

const health = (await (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ health { venues { venue state reconnects usedWeight weightBudget lastError } } }' }) })).json()) as {
  data: { health: { venues: Array<{ venue: string; state: string; reconnects: number; usedWeight: number | null; weightBudget: number | null; lastError: string | null }> } };
};
const bans = venues.binance.requests.filter((r) => r.status === 418).length;
const heapEnd = heapMb();
const rssEnd = process.memoryUsage().rss / 2 ** 20;

console.log(`soak: ${seconds}s, ${concurrency} GraphQL clients, ${symbols.length} symbols, faults injected: ${[...faultCounts.values()].reduce((a, b) => a + b, 0)}`);
console.log(`queries served: ${served}; answered: ${answered} (${((100 * answered) / Math.max(1, served)).toFixed(2)} %), of which stale-flagged: ${staleAnswers}; unanswered: ${failed}`);
for (const [reason, count] of failures) console.log(`  unanswered x${count}: ${reason}`);
console.log(`upstream weight (futures, per minute): peak ${maxWeight} of limit 2400 = ${((100 * maxWeight) / 2400).toFixed(1)} % incl. start-up backfill; steady state (after the first minute) peak ${steadyMaxWeight} = ${((100 * steadyMaxWeight) / 2400).toFixed(1)} % (budget 25 %)`);
console.log(`upstream requests: ${venues.binance.requests.length} binance, ${venues.deribit.requests.length} deribit, ${venues.fng.requests.length} alternative.me, ${venues.coingecko.requests.length} coingecko; bans (418): ${bans}`);
for (const v of health.data.health.venues) console.log(`  venue ${v.venue}: ${v.state}, reconnects ${v.reconnects}, last error ${v.lastError ?? '-'}`);
console.log(
  `memory: heap after GC ${heapStart.toFixed(1)} MB at start, ${heapWarm.toFixed(1)} MB at 1/3, ${heapEnd.toFixed(1)} MB at end (end/third ratio ${(heapEnd / heapWarm).toFixed(2)}); rss ${rssStart.toFixed(0)} -> ${rssEnd.toFixed(0)} MB`,
);

await app.stop();
await venues.close();
await rm(dataDir, { recursive: true, force: true });
process.exit(0);
