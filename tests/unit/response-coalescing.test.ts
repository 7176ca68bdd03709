import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppServices } from '../../src/context.js';
import type { TickerRecord } from '../../src/domain/analysis.js';
import { createGraphqlHandler, trackingServices, type GraphqlHandler, type ResponseDeps } from '../../src/http/graphql-handler.js';

/**
 * The response cache's single flight: concurrent identical requests share one execution, a waiter never
 * receives a response built from data older than its arrival, and error responses are never shared.
 * The "execution" is a fake yoga that reads the price through the tracking services and waits on a gate.
 */
describe('response cache: concurrent identical requests (single flight)', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  function setup(options: { errors?: boolean } = {}) {
    let price = 100;
    let asOf = 1;
    const services = {
      ticker: async (symbol: string): Promise<TickerRecord> => ({ symbol, price, markPrice: null, indexPrice: null, asOf, source: 'SIMULATED', venue: 'sim' }),
      latest: async () => undefined,
    } as unknown as AppServices;
    const gates: Array<() => void> = [];
    let executions = 0;
    const handler: GraphqlHandler = createGraphqlHandler({
      services,
      maxBodyBytes: 10_000,
      cacheTtlMs: 60_000,
      cacheMaxEntries: 10,
      cacheMaxBytes: 1_000_000,
      async fetch(_url, _init, serverContext: { deps?: ResponseDeps }) {
        executions += 1;
        const read = await trackingServices(services, serverContext.deps).ticker('BTCUSDT');
        await new Promise<void>((resolve) => gates.push(resolve));
        const body = options.errors ? { data: { price: null }, errors: [{ message: 'not ready', extensions: { code: 'NOT_READY' } }] } : { data: { price: read!.price } };
        return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' } });
      },
    });
    server = createServer(handler);
    const listening = new Promise<string>((resolve) => server!.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server!.address() as { port: number }).port}/graphql`)));
    const post = async () => {
      const res = await fetch(await listening, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ price }"}' });
      return { cache: res.headers.get('x-cache'), body: (await res.json()) as { data: { price: number | null } } };
    };
    const tick = (next: number) => {
      price = next;
      asOf += 1;
    };
    const waitForGates = async (n: number) => {
      while (gates.length < n) await new Promise((r) => setTimeout(r, 5));
    };
    const open = () => gates.splice(0).forEach((g) => g());
    return { handler, post, tick, waitForGates, open, executions: () => executions };
  }

  it('runs one execution for requests that arrive while it runs, and all of them get its bytes', async () => {
    const t = setup();
    const first = t.post();
    await t.waitForGates(1);
    const others = Array.from({ length: 7 }, () => t.post());
    await new Promise((r) => setTimeout(r, 100)); // the 7 requests are waiting on the first execution
    expect(t.handler.stats().inFlight).toBe(1);
    t.open();
    const results = await Promise.all([first, ...others]);
    expect(t.executions()).toBe(1);
    expect(results.map((r) => r.body.data.price)).toEqual(Array(8).fill(100));
    expect(results.map((r) => r.cache)).toEqual(['MISS', ...Array(7).fill('HIT')]);
    const stats = t.handler.stats();
    // Requests that reached the server after the execution completed are ordinary cache hits.
    expect(stats.coalesced).toBeGreaterThan(0);
    expect({ misses: stats.misses, served: stats.coalesced + stats.hits, inFlight: stats.inFlight }).toEqual({ misses: 1, served: 7, inFlight: 0 });
  });

  it('does not give a request the response of an execution that read a price which changed after the request arrived', async () => {
    const t = setup();
    const first = t.post(); // reads price 100
    await t.waitForGates(1);
    t.tick(101); // the price changes while the first execution runs
    const late = t.post(); // arrived after the tick: must not be answered with 100
    await new Promise((r) => setTimeout(r, 50));
    t.open();
    expect((await first).body.data.price).toBe(100);
    await t.waitForGates(1); // the late request executes again, once
    const later = Array.from({ length: 3 }, () => t.post()); // these arrive after that execution started
    await new Promise((r) => setTimeout(r, 50));
    t.open();
    const results = await Promise.all([late, ...later]);
    expect(results.map((r) => r.body.data.price)).toEqual([101, 101, 101, 101]);
    expect(t.executions()).toBe(2);
  });

  it('shares a completed execution with a waiter when nothing it read changed', async () => {
    const t = setup();
    const first = t.post();
    await t.waitForGates(1);
    const waiter = t.post();
    await new Promise((r) => setTimeout(r, 50));
    t.open();
    expect([(await first).body.data.price, (await waiter).body.data.price]).toEqual([100, 100]);
    expect(t.executions()).toBe(1);
    // And afterwards it is an ordinary cache hit until the price changes.
    t.open();
    expect(await t.post()).toMatchObject({ cache: 'HIT', body: { data: { price: 100 } } });
    t.tick(102);
    const next = t.post();
    await t.waitForGates(1);
    t.open();
    expect(await next).toMatchObject({ cache: 'MISS', body: { data: { price: 102 } } });
  });

  it('never shares a response with errors: each waiter executes on its own', async () => {
    const t = setup({ errors: true });
    const first = t.post();
    await t.waitForGates(1);
    const others = Array.from({ length: 3 }, () => t.post());
    await new Promise((r) => setTimeout(r, 50));
    expect(t.executions()).toBe(1);
    t.open();
    await t.waitForGates(3);
    t.open();
    const results = await Promise.all([first, ...others]);
    expect(t.executions()).toBe(4);
    expect(results.every((r) => r.cache === 'MISS' && r.body.data.price === null)).toBe(true);
  });
});
