import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../src/auth/keys.js';
import { startIsolatedTestApp, waitFor, type IsolatedTestApp } from '../support/harness.js';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { startWebhookReceiver, type FakeReceiver } from '../support/fake-alert-receivers.js';

/**
 * Alert rules end to end: the real server on the simulated market, rules made through GraphQL with an API
 * key, evaluated in the engine on fresh results, delivered through the outbox as signed webhooks that the
 * fake receiver verifies, the history in alertEvents and the stream on alertFired (real graphql-ws).
 */

async function post(url: string, query: string, variables: Record<string, unknown> = {}, key?: string) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: Record<string, any>; errors?: Array<{ message: string; extensions?: { code?: string } }> };
}

const CREATE = `mutation($input: AlertRuleInput!) { createAlertRule(input: $input) { signingSecrets rule { id event symbols cooldownMs conditions { minSeverity minComposite } channels { type target } } } }`;

describe('alert rules over GraphQL (simulated market)', () => {
  const admin = generateApiKey().plaintext;
  let app: IsolatedTestApp;
  let receiver: FakeReceiver & { verified: Array<{ body: string; headers: Record<string, unknown> }> };
  const secrets: string[] = [];

  beforeAll(async () => {
    receiver = await startWebhookReceiver({ secret: () => secrets.at(-1) });
    app = await startIsolatedTestApp({ ADMIN_API_KEY: admin, ALERTS_ALLOW_PRIVATE_TARGETS: 'true', ALERTS_POLL_MS: '50', ALERTS_BACKOFF_BASE_MS: '50', ALERTS_BACKOFF_MAX_MS: '200' });
  }, 60_000);
  afterAll(async () => {
    await app?.teardown();
    await receiver?.close();
  });

  it('refuses an unauthenticated createAlertRule with UNAUTHENTICATED before its input is looked at', async () => {
    const reply = await post(app.url, CREATE, { input: { event: 'NOPE', channels: 7 } });
    expect(reply.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('refuses conditions that do not fit the event, unknown symbols and private-less URLs with BAD_USER_INPUT', async () => {
    const channels = [{ type: 'WEBHOOK', url: `${receiver.url}/hook` }];
    const wrong = await post(app.url, CREATE, { input: { event: 'FUNDING_ANOMALY', conditions: { minSeverity: 3 }, channels } }, admin);
    expect(wrong.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(wrong.errors?.[0]?.message).toContain('conditions.minSeverity does not apply to FUNDING_ANOMALY (it takes minAbsZ)');
    const missing = await post(app.url, CREATE, { input: { event: 'PRICE_LEVEL_CROSSED', channels } }, admin);
    expect(missing.errors?.[0]?.message).toContain('conditions.price is required for PRICE_LEVEL_CROSSED');
    const symbol = await post(app.url, CREATE, { input: { event: 'CASCADE_DETECTED', symbols: ['DOGEUSDT'], channels } }, admin);
    expect(symbol.errors?.[0]?.message).toMatch(/DOGEUSDT not configured/);
    const scheme = await post(app.url, CREATE, { input: { event: 'CASCADE_DETECTED', channels: [{ type: 'WEBHOOK', url: 'ftp://x.example/' }] } }, admin);
    expect(scheme.errors?.[0]?.message).toMatch(/channels\.0\.url: scheme ftp: is not allowed/);
  });

  // The rule fires as soon as it is created (a rule that has seen no result is evaluated against the latest
  // one), so the alertFired stream must be live before the rule exists: a probe rule's test messages are sent
  // until one arrives on the stream. The firing can also reach the receiver before this test has read the
  // rule's signing secret from the mutation's reply; the receiver then answers 401 and the outbox retries, as
  // it would for a real receiver configured a moment late.
  it('a fresh result fires the rule: signed webhook verified by the receiver, alertFired over graphql-ws, alertEvents with the delivery', async () => {
    const client = createClient({ url: app.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, connectionParams: { authorization: `Bearer ${admin}` } });
    const streamed: Array<{ ruleId: string; symbol: string; source: string; title: string; test: boolean }> = [];
    const streamErrors: unknown[] = [];
    const disposeStream = client.subscribe<{ alertFired: (typeof streamed)[number] }>(
      { query: 'subscription { alertFired { ruleId symbol source title test } }' },
      { next: (r) => (r.errors ? streamErrors.push(r.errors) : streamed.push(r.data!.alertFired)), error: (e) => streamErrors.push(e), complete: () => {} },
    );
    try {
      const probe = await post(app.url, CREATE, { input: { name: 'probe', event: 'CASCADE_DETECTED', symbols: ['BTCUSDT'], conditions: { minSeverity: 5 }, channels: [{ type: 'WEBHOOK', url: `${receiver.url}/probe` }] } }, admin);
      const probeId = probe.data!.createAlertRule.rule.id as string;
      secrets.push(probe.data!.createAlertRule.signingSecrets[0]);
      await waitFor(async () => {
        if (streamed.some((e) => e.ruleId === probeId && e.test)) return true;
        await post(app.url, 'mutation($id: ID!) { testAlertRule(id: $id) { test } }', { id: probeId }, admin);
        return false;
      }, 30_000, 500);
      await post(app.url, 'mutation($id: ID!) { deleteAlertRule(id: $id) }', { id: probeId }, admin);

      const created = await post(
        app.url,
        CREATE,
        { input: { name: 'btc confirmation', event: 'CONFIRMATION_THRESHOLD', symbols: ['BTCUSDT'], conditions: { minComposite: 0 }, cooldownMs: 600000, channels: [{ type: 'WEBHOOK', url: `${receiver.url}/hook` }] } },
        admin,
      );
      expect(created.errors).toBeUndefined();
      const payload = created.data!.createAlertRule;
      expect(payload.signingSecrets).toHaveLength(1);
      expect(payload.signingSecrets[0]).toMatch(/^whsec_/);
      secrets.push(payload.signingSecrets[0]);
      const ruleId = payload.rule.id as string;
      expect(payload.rule.channels).toEqual([{ type: 'WEBHOOK', target: `${receiver.url}/…` }]);
      const got = await waitFor(async () => receiver.verified.find((r) => JSON.parse(r.body).ruleId === ruleId), 60_000, 100);
      const body = JSON.parse(got.body) as { text: string; symbol: string; meta: { source: string }; factors: Array<{ name: string }>; event: string };
      expect(body.event).toBe('CONFIRMATION_THRESHOLD');
      expect(body.symbol).toBe('BTCUSDT');
      expect(body.meta.source).toBe('SIMULATED');
      expect(body.text.split('\n')[0], 'simulated said in the first line').toBe('SIMULATED data, not a live market');
      expect(body.factors.map((f) => f.name).slice(0, 3)).toEqual(['composite', 'quality', 'coverage']);
      const fired = await waitFor(async () => streamed.find((e) => e.ruleId === ruleId), 10_000);
      expect(fired).toMatchObject({ ruleId, symbol: 'BTCUSDT', source: 'SIMULATED', test: false });
      expect(streamErrors).toEqual([]);
      const history = await waitFor(async () => {
        const r = await post(app.url, `query($r: ID) { alertEvents(ruleId: $r, first: 5) { edges { cursor node { ruleId test deliveries { channelType status attempts lastStatusCode } } } pageInfo { hasNextPage endCursor } } }`, { r: ruleId }, admin);
        const edges = r.data?.alertEvents.edges as Array<{ node: { deliveries: Array<{ status: string }> } }> | undefined;
        return edges?.[0]?.node.deliveries[0]?.status === 'DELIVERED' && r.data!.alertEvents;
      }, 20_000);
      expect(history.edges).toHaveLength(1);
      const tries = receiver.requests.filter((r) => JSON.parse(r.body).ruleId === ruleId);
      expect(tries.map((r) => r.status)).toEqual([...tries.slice(1).map(() => 401), 200]);
      expect(history.edges[0].node.deliveries).toEqual([{ channelType: 'WEBHOOK', status: 'DELIVERED', attempts: tries.length, lastStatusCode: 200 }]);
      // Cooldown and the rising edge: no second event for the rule while the condition stays true.
      await new Promise((r) => setTimeout(r, 1_500));
      expect(receiver.verified.filter((r) => JSON.parse(r.body).ruleId === ruleId)).toHaveLength(1);

      // testAlertRule: through the same channel path, marked as a test in the first line.
      const tested = await post(app.url, 'mutation($id: ID!) { testAlertRule(id: $id) { test ruleId } }', { id: ruleId }, admin);
      expect(tested.data?.testAlertRule).toEqual({ test: true, ruleId });
      const test = await waitFor(async () => receiver.verified.find((r) => JSON.parse(r.body).ruleId === ruleId && JSON.parse(r.body).test === true), 10_000);
      expect((JSON.parse(test.body) as { text: string }).text.split('\n')[0]).toBe('TEST MESSAGE (not a market event)');

      const rules = await post(app.url, '{ alertRules { id event conditions { minComposite } } }', {}, admin);
      expect(rules.data?.alertRules).toContainEqual({ id: ruleId, event: 'CONFIRMATION_THRESHOLD', conditions: { minComposite: 0 } });
      const deleted = await post(app.url, 'mutation($id: ID!) { deleteAlertRule(id: $id) }', { id: ruleId }, admin);
      expect(deleted.data?.deleteAlertRule).toBe(true);
      const again = await post(app.url, 'mutation($id: ID!) { testAlertRule(id: $id) { test } }', { id: ruleId }, admin);
      expect(again.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    } finally {
      disposeStream();
      await client.dispose();
    }
  }, 120_000);
});
