import { createServer, connect, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { UpstreamUnavailableError } from '../../src/datasources/errors.js';
import type { AnalysisRecord } from '../../src/domain/analysis.js';
import { createResultCache } from '../../src/engine/result-cache.js';
import { createAppPubSub } from '../../src/pubsub.js';
import { SHARED_REDIS_URL, uniqueName } from '../support/harness.js';

/**
 * A Redis outage without touching the shared Redis: the instance under test talks to Redis through a
 * TCP proxy this test owns, and "Redis down" is the proxy refusing and cutting connections.
 */
async function redisProxy(target: URL) {
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  let port = 0;
  const up = async () => {
    server = createServer((client) => {
      const upstream = connect(Number(target.port || 6379), target.hostname);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => sockets.delete(s));
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
    port = (server!.address() as { port: number }).port;
  };
  const down = async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = null;
  };
  await up();
  return { url: () => `redis://127.0.0.1:${port}`, up, down };
}

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!().catch(() => undefined);
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const record = (n: number): AnalysisRecord => ({ kind: 'FUNDING', symbol: 'BTCUSDT', asOf: 1_700_000_000_000 + n, result: { n } }) as unknown as AnalysisRecord;

describe.skipIf(!SHARED_REDIS_URL)('Redis outage', () => {
  it('local subscribers keep receiving, failed publishes are counted, nothing is unhandled, and delivery resumes across instances', async () => {
    const proxy = await redisProxy(new URL(SHARED_REDIS_URL!));
    cleanup.push(() => proxy.down());
    const prefix = `${uniqueName('outage')}:`;
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    cleanup.push(async () => process.off('unhandledRejection', onUnhandled));

    const ingest = await createAppPubSub(proxy.url(), prefix);
    const other = await createAppPubSub(SHARED_REDIS_URL, prefix);
    cleanup.push(() => ingest.close(), () => other.close());
    const local: number[] = [];
    const remote: number[] = [];
    const pump = async (it: AsyncIterable<unknown>, into: number[]) => {
      for await (const r of it) into.push((r as { result: { n: number } }).result.n);
    };
    const localIt = ingest.pubsub.subscribe('analysis:updated', 'FUNDING:BTCUSDT');
    const remoteIt = other.pubsub.subscribe('analysis:updated', 'FUNDING:BTCUSDT');
    void pump(localIt, local);
    void pump(remoteIt, remote);
    cleanup.push(async () => {
      await localIt.return?.();
      await remoteIt.return?.();
    });
    await sleep(300);

    ingest.pubsub.publish('analysis:updated', 'FUNDING:BTCUSDT', record(1));
    await sleep(300);
    expect(local, 'delivered locally exactly once (the Redis echo is ignored)').toEqual([1]);
    expect(remote, 'and to the other instance through Redis').toEqual([1]);

    await proxy.down();
    await sleep(200);
    for (let n = 2; n <= 21; n += 1) ingest.pubsub.publish('analysis:updated', 'FUNDING:BTCUSDT', record(n));
    await sleep(500);
    expect(local, 'local subscribers keep receiving while Redis is away').toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    expect(ingest.stats().publishFailures, 'each failed publish counted').toBe(20);
    expect(unhandled, 'no unhandled rejections').toEqual([]);

    await proxy.up();
    await new Promise<void>((resolve, reject) => {
      const deadline = Date.now() + 15_000;
      const check = () => {
        ingest.pubsub.publish('analysis:updated', 'FUNDING:BTCUSDT', record(100));
        if (remote.includes(100)) return resolve();
        if (Date.now() > deadline) return reject(new Error(`no delivery after Redis came back; remote ${JSON.stringify(remote)}`));
        setTimeout(check, 250);
      };
      check();
    });
    expect(unhandled).toEqual([]);
  }, 60_000);

  it('an API instance serves its last shared results while Redis is away, and a coded UPSTREAM_UNAVAILABLE when it has none', async () => {
    const proxy = await redisProxy(new URL(SHARED_REDIS_URL!));
    cleanup.push(() => proxy.down());
    const prefix = `${uniqueName('outage')}:`;
    const writerRedis = new Redis(SHARED_REDIS_URL!);
    const readerRedis = new Redis(proxy.url(), { maxRetriesPerRequest: 1 });
    readerRedis.on('error', () => undefined);
    cleanup.push(() => writerRedis.quit(), async () => readerRedis.disconnect());
    const writer = createResultCache({ redis: writerRedis, prefix });
    const reader = createResultCache({ redis: readerRedis, prefix });
    writer.set(record(7));
    await sleep(200);
    expect(await reader.get('FUNDING', 'BTCUSDT')).toMatchObject({ result: { n: 7 } });

    await proxy.down();
    expect(await reader.get('FUNDING', 'BTCUSDT'), 'the last result (its asOf ages it into meta.stale)').toMatchObject({ result: { n: 7 }, asOf: 1_700_000_000_007 });
    const missing = await reader.get('FUNDING', 'ETHUSDT').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(UpstreamUnavailableError);
  }, 60_000);
});
