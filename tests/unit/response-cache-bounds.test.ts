import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppServices } from '../../src/context.js';
import { createGraphqlHandler, type GraphqlHandler } from '../../src/http/graphql-handler.js';

/**
 * The response cache is bounded three ways: entries, bytes (bodies + keys) and age. A fake yoga answers
 * every query with a body of the size the query asks for, so the bounds are checked exactly.
 */
describe('response cache bounds', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  async function start(limits: { cacheMaxEntries: number; cacheMaxBytes: number; cacheTtlMs: number }, clock: { t: number }) {
    let executions = 0;
    const handler: GraphqlHandler = createGraphqlHandler({
      fetch: async (_url, init) => {
        executions += 1;
        const { size } = JSON.parse(String(init.body)) as { size: number };
        const body = JSON.stringify({ data: { pad: 'x'.repeat(size - 20) } });
        return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
      },
      services: {} as AppServices,
      maxBodyBytes: 10_000,
      now: () => clock.t,
      ...limits,
    });
    server = createServer(handler);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
    const ask = async (id: number, size: number) => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id, size }) });
      await res.arrayBuffer();
      return res.headers.get('x-cache');
    };
    return { handler, ask, executions: () => executions };
  }

  it('keeps at most cacheMaxBytes of bodies and keys, dropping the oldest first', async () => {
    const clock = { t: 0 };
    const { handler, ask } = await start({ cacheMaxEntries: 100, cacheMaxBytes: 10_000, cacheTtlMs: 60_000 }, clock);
    for (let id = 0; id < 5; id += 1) expect(await ask(id, 3_000)).toBe('MISS');
    const stats = handler.stats();
    expect(stats.entries).toBe(3);
    expect(stats.bytes).toBeLessThanOrEqual(10_000);
    expect(stats.bytes).toBeGreaterThan(9_000);
    expect(await ask(4, 3_000), 'the newest is kept').toBe('HIT');
    expect(await ask(0, 3_000), 'the oldest was dropped').toBe('MISS');
  });

  it('never caches a body larger than the byte bound', async () => {
    const clock = { t: 0 };
    const { handler, ask } = await start({ cacheMaxEntries: 100, cacheMaxBytes: 5_000, cacheTtlMs: 60_000 }, clock);
    expect(await ask(1, 6_000)).toBe('MISS');
    expect(await ask(1, 6_000)).toBe('MISS');
    expect(handler.stats()).toMatchObject({ entries: 0, bytes: 0 });
  });

  it('keeps at most cacheMaxEntries entries', async () => {
    const clock = { t: 0 };
    const { handler, ask } = await start({ cacheMaxEntries: 2, cacheMaxBytes: 1_000_000, cacheTtlMs: 60_000 }, clock);
    for (let id = 0; id < 4; id += 1) await ask(id, 100);
    expect(handler.stats().entries).toBe(2);
    expect(await ask(3, 100)).toBe('HIT');
    expect(await ask(1, 100)).toBe('MISS');
  });

  it('drops entries past the TTL when a new one is stored, so expired bodies are not held until evicted', async () => {
    const clock = { t: 0 };
    const { handler, ask, executions } = await start({ cacheMaxEntries: 100, cacheMaxBytes: 1_000_000, cacheTtlMs: 1_000 }, clock);
    await ask(1, 2_000);
    await ask(2, 2_000);
    expect(handler.stats().entries).toBe(2);
    clock.t = 1_500;
    await ask(3, 2_000);
    const stats = handler.stats();
    expect(stats.entries).toBe(1);
    expect(stats.bytes).toBeLessThan(3_000);
    expect(executions()).toBe(3);
  });
});
