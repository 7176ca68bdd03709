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

/** A connection that keeps sending refused documents is slowed; another connection is not. */
describe('refusals on one connection are delayed after the first three', () => {
  let app: IsolatedTestApp;
  beforeAll(async () => {
    app = await startIsolatedTestApp({ SYMBOLS: 'BTCUSDT,ETHUSDT', ONDEMAND_WORKERS: '0', REFUSAL_DELAY_MAX_MS: '80' });
  });
  afterAll(() => app?.teardown());

  it('answers 3 at once, then after 10, 20, 40, 80, 80 ms (capped), each still the coded refusal; a fresh connection is not delayed', async () => {
    const { Pool } = await import('undici');
    const origin = new URL(app.url).origin;
    const attacker = new Pool(origin, { connections: 1, pipelining: 1 });
    const other = new Pool(origin, { connections: 1, pipelining: 1 });
    const body = JSON.stringify({ query: heavyAliasQuery(['BTCUSDT', 'ETHUSDT'], 1) });
    const send = async (pool: InstanceType<typeof Pool>) => {
      const res = await pool.request({ path: '/graphql', method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const text = await res.body.text();
      return { status: res.statusCode, delay: res.headers['x-refusal-delay-ms'] ?? null, code: JSON.parse(text).errors[0].extensions.code as string };
    };
    try {
      const started = performance.now();
      const answers = [];
      for (let i = 0; i < 8; i += 1) answers.push(await send(attacker));
      const elapsed = performance.now() - started;
      expect(answers.map((a) => a.status)).toEqual(Array(8).fill(400));
      expect(answers.map((a) => a.code)).toEqual(Array(8).fill('COST_LIMIT_EXCEEDED'));
      expect(answers.map((a) => a.delay)).toEqual([null, null, null, '10', '20', '40', '80', '80']);
      expect(elapsed, 'the delays were really waited (a lower bound: a slow machine only adds)').toBeGreaterThanOrEqual(10 + 20 + 40 + 80 + 80);
      expect((await send(other)).delay, 'another connection keeps its own count').toBeNull();
      const ok = await other.request({ path: '/graphql', method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ market(symbol: "BTCUSDT") { symbol } }' }) });
      expect(ok.statusCode).toBe(200);
      expect(await ok.body.json()).toEqual({ data: { market: { symbol: 'BTCUSDT' } } });
    } finally {
      await attacker.close();
      await other.close();
    }
  });
});
