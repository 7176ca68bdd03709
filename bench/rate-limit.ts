/**
 * Cost of the request rate limit per request (src/http/rate-limit.ts), against baselines measured in the
 * same run: one in-memory consume vs a Map increment (the least any in-process counter costs), and one
 * Redis consume (atomic Lua increment, REDIS_URL, default redis://127.0.0.1:6379) vs a Redis PING on the
 * same connection (one round trip, the least a shared counter costs). Sequential calls (latency), then 64
 * in flight (throughput). Every call uses a fresh client address, so none is refused.
 *
 *   npm run bench:rate-limit              (BENCH_CALLS=20000 by default)
 */
import { Redis } from 'ioredis';
import { createRateLimiter } from '../src/http/rate-limit.js';
import { createLogger } from '../src/logger.js';

const CALLS = Number(process.env.BENCH_CALLS ?? 20_000);
const settings = { windowS: 60, ip: { query: 1_000_000, mutation: 60, subscription: 60 }, key: { query: 1_000_000, mutation: 600, subscription: 600 } };
const logger = createLogger('warn');

async function perCall(label: string, run: (i: number) => Promise<unknown>, inFlight = 1): Promise<number> {
  for (let i = 0; i < Math.min(1_000, CALLS); i++) await run(-i - 1); // warm-up
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < CALLS) await run(next++);
    }),
  );
  const us = ((performance.now() - started) * 1000) / CALLS;
  console.log(`${label.padEnd(44)} ${us.toFixed(2).padStart(8)} µs/call${inFlight > 1 ? ` (${inFlight} in flight: ${Math.round(1e6 / us)} calls/s)` : ''}`);
  return us;
}

const map = new Map<string, number>();
const mapUs = await perCall('baseline: Map increment', async (i) => void map.set(`ip${i}`, (map.get(`ip${i}`) ?? 0) + 1));
const memory = createRateLimiter({ settings, prefix: 'bench:', logger });
const memoryUs = await perCall('RateLimiterMemory consume', (i) => memory.consume('query', { ip: `10.0.${i >> 8}.${i & 255}`, keyId: null }));

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 2 });
await redis.connect();
try {
  const prefix = `bench-rl-${process.pid}:`;
  const shared = createRateLimiter({ settings, redis, prefix, logger, onFallback: () => console.error('fallback used: Redis did not count') });
  const pingUs = await perCall('baseline: Redis PING', () => redis.ping());
  const redisUs = await perCall('RateLimiterRedis consume', (i) => shared.consume('query', { ip: `10.1.${i >> 8}.${i & 255}`, keyId: null }));
  const pingParallelUs = await perCall('baseline: Redis PING', () => redis.ping(), 64);
  const redisParallelUs = await perCall('RateLimiterRedis consume', (i) => shared.consume('query', { ip: `10.2.${i >> 8}.${i & 255}`, keyId: null }), 64);
  console.log(`\nmemory consume / Map increment: ${(memoryUs / mapUs).toFixed(1)}×`);
  console.log(`Redis consume / PING (sequential): ${(redisUs / pingUs).toFixed(2)}×; 64 in flight: ${(redisParallelUs / pingParallelUs).toFixed(2)}×`);
  // The counters expire with their window; delete this run's now.
  const keys = await redis.keys(`${prefix}*`);
  for (let i = 0; i < keys.length; i += 1_000) await redis.del(...keys.slice(i, i + 1_000));
} finally {
  redis.disconnect();
}
