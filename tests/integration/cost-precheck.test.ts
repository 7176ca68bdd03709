import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { heavyAliasQuery, randomArgumentsQuery } from '../../bench/queries.js';
import { startIsolatedTestApp, type IsolatedTestApp } from '../support/harness.js';

/** Rejections answered ahead of yoga must be the very ones yoga answers (same status, same bytes). */
describe('cost precheck ahead of yoga', () => {
  let app: IsolatedTestApp;
  beforeAll(async () => {
    app = await startIsolatedTestApp({ SYMBOLS: 'BTCUSDT,ETHUSDT,SOLUSDT', ONDEMAND_WORKERS: '0' });
  });
  afterAll(() => app?.teardown());

  const post = async (body: string, headers: Record<string, string> = {}) => {
    const res = await fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    return { status: res.status, type: res.headers.get('content-type'), xCache: res.headers.get('x-cache'), text: await res.text() };
  };
  let seed = 3;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const symbols = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'];
  const cases: Array<[string, string]> = [
    ['heavy alias', JSON.stringify({ query: heavyAliasQuery(symbols, 5) })],
    ['random arguments', JSON.stringify({ query: randomArgumentsQuery(Array.from({ length: 20 }, (_, i) => symbols[i % 3]!), random) })],
    ['variables sizing markets', JSON.stringify({ query: 'query ($s: [String!]!) { markets(symbols: $s) { liquidationHeatmap(buckets: 55) { bucketSize } } }', variables: { s: Array(20).fill('BTCUSDT') } })],
    ['oversize list variable', JSON.stringify({ query: 'query ($l: [Int!]) { market(symbol: "BTCUSDT") { liquidationHeatmap(leverages: $l) { price } } }', variables: { l: Array.from({ length: 1_500 }, (_, i) => i) } })],
    ['fragment bomb', JSON.stringify({ query: `query { ...F0 } ${Array.from({ length: 14 }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join(' ')} fragment F14 on Query { health { ready } }` })],
  ];

  it.each(cases)('%s: the same status and body as through yoga, without yoga', async (_name, body) => {
    const early = await post(body);
    const viaYoga = await post(body, { origin: 'http://example.test' });
    expect(viaYoga.xCache, 'the Origin request went through yoga').toBe('MISS');
    expect(early.xCache, 'answered ahead of yoga').toBeNull();
    expect(early.status).toBe(400);
    expect(early.status).toBe(viaYoga.status);
    expect(early.type).toBe(viaYoga.type);
    expect(JSON.parse(early.text)).toEqual(JSON.parse(viaYoga.text));
    expect(early.text).toBe(viaYoga.text);
    expect(['COST_LIMIT_EXCEEDED', 'QUERY_TOO_COMPLEX', 'BAD_USER_INPUT']).toContain(JSON.parse(early.text).errors[0].extensions.code);
  });

  it('lets documents within the limits and malformed ones through to yoga', async () => {
    const ok = await post(JSON.stringify({ query: '{ market(symbol: "BTCUSDT") { symbol } }' }));
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.text)).toEqual({ data: { market: { symbol: 'BTCUSDT' } } });
    const broken = await post(JSON.stringify({ query: '{ market(symbol: "BTCUSDT") { symbol ' }));
    expect(broken.xCache, 'yoga answered the syntax error').toBe('MISS');
    expect(JSON.parse(broken.text).errors[0].message).toContain('Syntax Error');
  });
});

/** A client that keeps sending refused documents is slowed, on any connection; other clients and valid requests are not. */
describe('refusals to one client are delayed after the first three', () => {
  let app: IsolatedTestApp;
  beforeAll(async () => {
    // Loopback is a trusted proxy here, so X-Forwarded-For names the client: two clients from one test.
    app = await startIsolatedTestApp({ SYMBOLS: 'BTCUSDT,ETHUSDT', ONDEMAND_WORKERS: '0', REFUSAL_DELAY_MAX_MS: '80', TRUST_PROXY: 'loopback' });
  });
  afterAll(() => app?.teardown());

  it('answers 3 at once, then after 10, 20, 40, 80, 80 ms (capped), each still the coded refusal, on a new connection too', async () => {
    const { Pool } = await import('undici');
    const origin = new URL(app.url).origin;
    const pools = [new Pool(origin, { connections: 1 }), new Pool(origin, { connections: 1 }), new Pool(origin, { connections: 1 })];
    const [first, second, third] = pools as [InstanceType<typeof Pool>, InstanceType<typeof Pool>, InstanceType<typeof Pool>];
    const refused = JSON.stringify({ query: heavyAliasQuery(['BTCUSDT', 'ETHUSDT'], 1) });
    const valid = JSON.stringify({ query: '{ market(symbol: "BTCUSDT") { symbol } }' });
    const send = async (pool: InstanceType<typeof Pool>, client: string, body = refused) => {
      const res = await pool.request({ path: '/graphql', method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': client }, body });
      const json = (await res.body.json()) as { data?: unknown; errors?: Array<{ extensions: { code: string } }> };
      return { status: res.statusCode, delay: res.headers['x-refusal-delay-ms'] ?? null, code: json.errors?.[0]?.extensions.code ?? null, json };
    };
    try {
      const started = performance.now();
      const answers = [];
      for (let i = 0; i < 6; i += 1) answers.push(await send(first, '203.0.113.7'));
      answers.push(await send(second, '203.0.113.7'), await send(second, '203.0.113.7'));
      const elapsed = performance.now() - started;
      expect(answers.map((a) => a.status)).toEqual(Array(8).fill(400));
      expect(answers.map((a) => a.code)).toEqual(Array(8).fill('COST_LIMIT_EXCEEDED'));
      expect(answers.map((a) => a.delay), 'the count follows the client onto its second connection').toEqual([null, null, null, '10', '20', '40', '80', '80']);
      expect(elapsed, 'the delays were really waited (a lower bound: a slow machine only adds)').toBeGreaterThanOrEqual(10 + 20 + 40 + 80 + 80);

      const mine = await send(first, '203.0.113.7', valid);
      expect(mine.delay, 'a valid request is never delayed').toBeNull();
      expect(mine.json).toEqual({ data: { market: { symbol: 'BTCUSDT' } } });
      const other = await send(third, '198.51.100.9');
      expect([other.code, other.delay], 'another client has its own count').toEqual(['COST_LIMIT_EXCEEDED', null]);
    } finally {
      await Promise.all(pools.map((p) => p.close()));
    }
  });
});
