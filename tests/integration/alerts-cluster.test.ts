import { randomBytes } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../src/auth/keys.js';
import type { Liquidation, MarketEvent } from '../../src/domain/market.js';
import { startWebhookReceiver, type FakeReceiver, type ReceivedRequest } from '../support/fake-alert-receivers.js';
import { isolatedDatabase, SHARED_DATABASE_URL, SHARED_REDIS_URL, startIsolatedTestApp, startTestApp, tempDir, testEnv, uniqueName, waitFor, type IsolatedTestApp, type TestApp } from '../support/harness.js';
import { createScriptedSource, type ScriptedSource } from '../support/scripted-source.js';

/**
 * The end-to-end proofs of #14's quality bar that need a market event: a simulated liquidation cascade fires
 * a CASCADE_DETECTED rule and arrives as a signed webhook the fake receiver verifies; and two ROLE=all
 * instances sharing real Postgres and Redis, both seeing the same cascade and the same digest slots,
 * deliver each once (one webhook, one alertEvents row, one alertFired per subscriber on each instance),
 * while each instance's counters show that it did evaluate and fire too.
 */

const H = 3_600_000;
const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'];

function liquidation(symbol: string, side: 'BUY' | 'SELL', qty: number, price: number, time: number): Liquidation {
  return { symbol, side, liquidatedSide: side === 'SELL' ? 'LONG' : 'SHORT', price: side === 'SELL' ? price + 10 : price - 10, averagePrice: price, qty, notional: price * qty, time, complete: true };
}

/**
 * A source that starts with a quiet liquidation baseline (2 000 USD at 5, 4, 3 and 2 hours before `t0`: about
 * 2 000 per hour) and a 24 h volume of 24 000 000 (1 000 000 an hour), then delivers what the test pushes.
 * Two instances given the same `t0` hold the same market, as two instances reading one exchange do.
 */
function cascadeSource(t0: number): ScriptedSource {
  return createScriptedSource(SYMBOLS, (symbols, s) => {
    for (const symbol of symbols) {
      s({ type: 'trade', trade: { symbol, id: 1, price: 100_000, qty: 1, time: t0, side: 'BUY' } });
      s({ type: 'ticker24h', ticker: { symbol, lastPrice: 100_000, priceChangePercent: 0, highPrice: 101_000, lowPrice: 99_000, volume: 240, quoteVolume: 24_000_000, time: t0 } });
      for (const hoursAgo of [5, 4, 3, 2]) s({ type: 'liquidation', liquidation: liquidation(symbol, 'SELL', 0.02, 100_000, t0 - hoursAgo * H) });
    }
  });
}

const markPrice = (symbol: string): MarketEvent => ({ type: 'markPrice', mark: { symbol, markPrice: 100_000, indexPrice: 100_000, predictedFundingRate: 0.0001, nextFundingTime: Date.now() + H, time: Date.now() } });

async function post(url: string, query: string, variables: Record<string, unknown> = {}, key?: string) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) }, body: JSON.stringify({ query, variables }) });
  return (await res.json()) as { data?: Record<string, any>; errors?: Array<{ message: string; extensions?: { code?: string } }> };
}

const CREATE = `mutation($input: AlertRuleInput!) { createAlertRule(input: $input) { signingSecrets rule { id } } }`;

/** Keeps every alertFired event of one subscription until disposed. */
function alertStream(client: Client, ruleId: string) {
  const events: Array<{ id: string; ruleId: string; idempotencyKey: string }> = [];
  const errors: unknown[] = [];
  const dispose = client.subscribe<{ alertFired: { id: string; ruleId: string; idempotencyKey: string } }>(
    { query: 'subscription($r: ID) { alertFired(ruleId: $r) { id ruleId idempotencyKey } }', variables: { r: ruleId } },
    { next: (r) => (r.errors ? errors.push(r.errors) : events.push(r.data!.alertFired)), error: (e) => errors.push(e), complete: () => {} },
  );
  return { events, errors, dispose };
}

const wsFor = (app: TestApp, key: string) => createClient({ url: app.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, connectionParams: { authorization: `Bearer ${key}` } });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const bodies = (receiver: { verified: ReceivedRequest[] }, ruleId: string): Array<Record<string, any>> =>
  receiver.verified.map((r): Record<string, any> => ({ ...(JSON.parse(r.body) as Record<string, any>), headers: r.headers })).filter((b) => b.ruleId === ruleId);
const stats = (app: TestApp) => app.app.services.alerts!.stats();

/** Pushes the two-step cascade of tests/integration/liquidations.test.ts: severity 2 (6 000 of longs), then 4 (15 000 of shorts). */
async function pushCascade(sources: ScriptedSource[], t: number): Promise<void> {
  for (const s of sources) s.push({ type: 'liquidation', liquidation: liquidation('BTCUSDT', 'SELL', 0.06, 100_000, t) });
  await sleep(600);
  for (const s of sources) s.push({ type: 'liquidation', liquidation: liquidation('BTCUSDT', 'BUY', 0.15, 100_000, t + 600) });
}

describe('a simulated cascade → CASCADE_DETECTED rule → signed webhook', () => {
  const admin = generateApiKey().plaintext;
  let app: IsolatedTestApp;
  let source: ScriptedSource;
  let receiver: FakeReceiver & { verified: ReceivedRequest[] };
  let secret: string | undefined;

  beforeAll(async () => {
    receiver = await startWebhookReceiver({ secret: () => secret });
    source = cascadeSource(Date.now());
    app = await startIsolatedTestApp({ ADMIN_API_KEY: admin, ALERTS_ALLOW_PRIVATE_TARGETS: 'true', ALERTS_POLL_MS: '50', SYMBOLS: SYMBOLS.join(',') }, source);
  }, 60_000);
  afterAll(async () => {
    await app?.teardown();
    await receiver?.close();
  });

  it('fires once at severity 4, signed and verified, with the cascade factors and SIMULATED first', async () => {
    const created = await post(app.url, CREATE, { input: { name: 'btc cascades', event: 'CASCADE_DETECTED', symbols: ['BTCUSDT'], conditions: { minSeverity: 4 }, channels: [{ type: 'WEBHOOK', url: `${receiver.url}/cascade` }] } }, admin);
    expect(created.errors).toBeUndefined();
    secret = created.data!.createAlertRule.signingSecrets[0];
    const ruleId = created.data!.createAlertRule.rule.id as string;
    // The calm baseline is evaluated (severity 1) before the cascade.
    await waitFor(async () => {
      source.push(markPrice('BTCUSDT'));
      return stats(app).evaluations > 0;
    }, 20_000, 250);
    await pushCascade([source], Date.now());
    const got = await waitFor(async () => bodies(receiver, ruleId)[0], 20_000);
    expect(receiver.requests.filter((r) => r.path === '/cascade').every((r) => r.status === 200), 'every request verified (401 otherwise)').toBe(true);
    expect(got.event).toBe('CASCADE_DETECTED');
    expect(got.symbol).toBe('BTCUSDT');
    expect(got.severity).toBe('CRITICAL');
    expect(got.title).toBe('BTCUSDT liquidation cascade: severity 4 (SEVERE)');
    expect(got.text.split('\n')[0]).toBe('SIMULATED data, not a live market');
    expect(got.meta).toMatchObject({ source: 'SIMULATED', venue: 'test-double' });
    const factor = (name: string) => (got.factors as Array<{ name: string; value: string; note?: string | null }>).find((f) => f.name === name);
    expect(factor('severity')).toMatchObject({ value: '4', note: 'SEVERE' });
    expect(factor('notional in window')?.value, '6 000 + 15 000').toBe('21.0k USD');
    expect(factor('share of hourly volume')?.value, '21 000 / 1 000 000').toBe('2.10%');
    expect(factor('long share')?.value, '6 000 / 21 000').toBe('28.6%');
    expect(got.headers['x-perpgraph-idempotency-key']).toMatch(new RegExp(`^${ruleId}:LIQUIDATION_CASCADES:BTCUSDT:\\d+$`));
    // Recomputations at severity 4: the rising edge does not repeat.
    for (let i = 0; i < 4; i++) {
      source.push(markPrice('BTCUSDT'));
      await sleep(250);
    }
    expect(bodies(receiver, ruleId), 'one alert for one cascade').toHaveLength(1);
  }, 60_000);
});

describe.skipIf(!SHARED_DATABASE_URL || !SHARED_REDIS_URL)('two ROLE=all instances sharing Postgres and Redis', () => {
  const admin = generateApiKey().plaintext;
  const apps: TestApp[] = [];
  const sources: ScriptedSource[] = [];
  const dirs: Array<Awaited<ReturnType<typeof tempDir>>> = [];
  let db: Awaited<ReturnType<typeof isolatedDatabase>>;
  let receiver: FakeReceiver & { verified: ReceivedRequest[] };
  const secrets = new Map<string, string>();

  beforeAll(async () => {
    receiver = await startWebhookReceiver({ secret: () => [...secrets.values()].at(-1) });
    db = await isolatedDatabase();
    const prefix = `${uniqueName('cluster')}:`;
    // Instances sharing a database must share the key that seals channel secrets (README, ALERTS_SECRET_KEY):
    // whichever dispatcher claims a delivery opens the channel.
    const secretKey = randomBytes(32).toString('hex');
    const t0 = Date.now();
    for (let i = 0; i < 2; i++) {
      const dir = await tempDir();
      dirs.push(dir);
      const source = cascadeSource(t0);
      sources.push(source);
      const env = testEnv({
        DATA_DIR: dir.path,
        DATABASE_URL: db.url,
        REDIS_URL: SHARED_REDIS_URL,
        REDIS_PREFIX: prefix,
        SYMBOLS: SYMBOLS.join(','),
        ADMIN_API_KEY: admin,
        ALERTS_SECRET_KEY: secretKey,
        ALERTS_ALLOW_PRIVATE_TARGETS: 'true',
        ALERTS_POLL_MS: '50',
        ALERTS_RULES_RELOAD_MS: '200',
        ALERTS_DIGEST_MIN_PERIOD_MS: '1000',
      });
      apps.push(await startTestApp(env, source));
    }
  }, 90_000);
  afterAll(async () => {
    for (const app of apps) await app.stop();
    await db?.drop();
    for (const dir of dirs) await dir.remove();
    await receiver?.close();
  });

  it('one cascade seen by both: each instance fires, one event is stored and delivered once, one alertFired per subscriber', async () => {
    const [a, b] = apps as [TestApp, TestApp];
    const created = await post(a.url, CREATE, { input: { event: 'CASCADE_DETECTED', symbols: ['BTCUSDT'], conditions: { minSeverity: 4 }, channels: [{ type: 'WEBHOOK', url: `${receiver.url}/cluster` }] } }, admin);
    expect(created.errors).toBeUndefined();
    const ruleId = created.data!.createAlertRule.rule.id as string;
    secrets.set(ruleId, created.data!.createAlertRule.signingSecrets[0]);
    // Both instances hold the rule (B re-reads every 200 ms) and have evaluated it on the calm baseline.
    await waitFor(async () => {
      for (const s of sources) s.push(markPrice('BTCUSDT'));
      return stats(a).evaluations > 0 && stats(b).evaluations > 0;
    }, 20_000, 250);
    const clients = [wsFor(a, admin), wsFor(b, admin)];
    const streams = clients.map((c) => alertStream(c, ruleId));
    try {
      await sleep(500); // both subscriptions are live
      const before = { a: stats(a), b: stats(b) };
      await pushCascade(sources, Date.now());
      await waitFor(async () => bodies(receiver, ruleId).length > 0 && stats(a).firings > before.a.firings && stats(b).firings > before.b.firings, 20_000);
      await sleep(1_500); // anything duplicated would arrive by now
      expect(stats(a).firings - before.a.firings, 'instance A fired').toBe(1);
      expect(stats(b).firings - before.b.firings, 'instance B fired').toBe(1);
      expect(stats(a).fired - before.a.fired + (stats(b).fired - before.b.fired), 'one enqueue won').toBe(1);
      const delivered = bodies(receiver, ruleId);
      expect(delivered, 'one webhook').toHaveLength(1);
      const events = await post(b.url, `query($r: ID) { alertEvents(ruleId: $r) { edges { node { id idempotencyKey deliveries { status attempts } } } } }`, { r: ruleId }, admin);
      const edges = events.data!.alertEvents.edges as Array<{ node: { id: string; idempotencyKey: string; deliveries: unknown[] } }>;
      expect(edges, 'one event in the shared outbox').toHaveLength(1);
      expect(edges[0]!.node.deliveries).toEqual([{ status: 'DELIVERED', attempts: 1 }]);
      expect(edges[0]!.node.idempotencyKey).toBe(delivered[0]!.idempotencyKey);
      for (const [i, s] of streams.entries()) {
        expect(s.errors, `stream ${i}`).toEqual([]);
        expect(s.events.map((e) => e.id), `alertFired on instance ${i === 0 ? 'A' : 'B'}: once`).toEqual([edges[0]!.node.id]);
      }
    } finally {
      for (const s of streams) s.dispose();
      for (const c of clients) await c.dispose();
    }
  }, 90_000);

  it('a digest every second, armed on both instances: each builds every slot, one card per slot is stored and delivered', async () => {
    const [a, b] = apps as [TestApp, TestApp];
    const created = await post(b.url, CREATE, { input: { event: 'DIGEST', symbols: ['BTCUSDT'], schedule: { cron: '* * * * * *', sections: ['CONFIRMATION', 'FUNDING'] }, channels: [{ type: 'WEBHOOK', url: `${receiver.url}/cluster-digest` }] } }, admin);
    expect(created.errors).toBeUndefined();
    const ruleId = created.data!.createAlertRule.rule.id as string;
    secrets.set(ruleId, created.data!.createAlertRule.signingSecrets[0]);
    await waitFor(async () => stats(a).digests.rules === 1 && stats(b).digests.rules === 1, 10_000);
    const start = { a: stats(a).digests, b: stats(b).digests };
    await sleep(4_200);
    await post(a.url, 'mutation($id: ID!) { deleteAlertRule(id: $id) }', { id: ruleId }, admin);
    await waitFor(async () => stats(a).digests.rules === 0 && stats(b).digests.rules === 0, 10_000);
    await sleep(1_000); // the last deliveries
    const builtA = stats(a).digests.built - start.a.built;
    const builtB = stats(b).digests.built - start.b.built;
    expect(builtA, 'A built a card for each slot of those 4 s').toBeGreaterThanOrEqual(4);
    expect(builtB, 'B too').toBeGreaterThanOrEqual(4);
    const cards = bodies(receiver, ruleId);
    const slots = cards.map((c) => c.digest.slot as string);
    expect(new Set(slots).size, 'one webhook per slot').toBe(slots.length);
    expect(slots.length).toBeGreaterThanOrEqual(4);
    const events = await post(a.url, `query($r: ID) { alertEvents(ruleId: $r, first: 100) { edges { node { idempotencyKey deliveries { status } } } } }`, { r: ruleId }, admin);
    const edges = events.data!.alertEvents.edges as Array<{ node: { idempotencyKey: string; deliveries: Array<{ status: string }> } }>;
    expect(edges.length, 'one stored event per slot').toBe(slots.length);
    expect(edges.every((e) => e.node.deliveries.length === 1 && e.node.deliveries[0]!.status === 'DELIVERED')).toBe(true);
    expect(stats(a).digests.sent - start.a.sent + (stats(b).digests.sent - start.b.sent), 'each slot enqueued by one instance').toBe(slots.length);
  }, 60_000);
});
