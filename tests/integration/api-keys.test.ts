import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { generateApiKey } from '../../src/auth/keys.js';
import { startIsolatedTestApp, type IsolatedTestApp } from '../support/harness.js';

interface Reply {
  status: number;
  headers: Headers;
  body: { data?: Record<string, any> | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
  text: string;
}

async function post(url: string, query: string, variables?: Record<string, unknown>, key?: string, extraHeaders: Record<string, string> = {}): Promise<Reply> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...extraHeaders };
  if (key !== undefined) headers.authorization = `Bearer ${key}`;
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: JSON.parse(text), text };
}

const CREATE = `mutation Create($input: CreateApiKeyInput!) { createApiKey(input: $input) { key apiKey { id name prefix scopes origin active expiresAt } } }`;
const REVOKE = `mutation Revoke($id: ID!) { revokeApiKey(id: $id) { id active revokedAt } }`;
const LIST = `{ apiKeys { id name prefix scopes origin active } }`;
const codeOf = (reply: Reply) => reply.body.errors?.[0]?.extensions?.code;

describe('API keys over real HTTP and graphql-ws (queries open)', () => {
  const admin = generateApiKey().plaintext;
  let app: IsolatedTestApp;
  beforeAll(async () => {
    app = await startIsolatedTestApp({ ADMIN_API_KEY: admin, RESPONSE_CACHE_TTL_MS: '1000' });
  }, 60_000);
  afterAll(async () => app?.teardown());

  it('refuses an unauthenticated mutation with UNAUTHENTICATED (401) before looking at its input, valid or not', async () => {
    for (const variables of [{ input: { name: 'x', scopes: ['READ'] } }, { input: { name: 42, scopes: ['NOT_A_SCOPE'] } }, {}]) {
      const reply = await post(app.url, CREATE, variables);
      expect(reply.status, JSON.stringify(variables)).toBe(401);
      expect(codeOf(reply), 'invalid or missing variables are not reported before the missing key').toBe('UNAUTHENTICATED');
      expect(reply.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    // Through yoga itself (an Origin header skips the handler's precheck): same answer.
    const viaYoga = await post(app.url, CREATE, { input: { name: 42 } }, undefined, { origin: 'http://example.test' });
    expect(viaYoga.status).toBe(401);
    expect(codeOf(viaYoga)).toBe('UNAUTHENTICATED');
    // A malformed or made-up key is no better than none.
    for (const key of ['nonsense', generateApiKey().plaintext]) {
      const reply = await post(app.url, CREATE, { input: { name: 42 } }, key);
      expect(codeOf(reply), key).toBe('UNAUTHENTICATED');
    }
  });

  it('keeps mutations over GET refused as yoga does (405)', async () => {
    const url = `${app.url}?query=${encodeURIComponent('mutation { revokeApiKey(id: "x") { id } }')}`;
    const res = await fetch(url, { headers: { authorization: `Bearer ${admin}` } });
    expect(res.status).toBe(405);
  });

  it('lets the ADMIN_API_KEY create a key that is shown once, hashed in listings, scoped, and revocable', async () => {
    const created = await post(app.url, CREATE, { input: { name: 'alert bot', scopes: ['ALERTS', 'READ'] } }, admin);
    expect(created.status, created.text).toBe(200);
    const { key, apiKey } = created.body.data!.createApiKey;
    expect(key).toMatch(/^pg_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(key.startsWith(`pg_${apiKey.prefix}_`)).toBe(true);
    expect(apiKey).toMatchObject({ name: 'alert bot', scopes: ['ALERTS', 'READ'], origin: 'api', active: true, expiresAt: null });

    const listed = await post(app.url, LIST, undefined, admin);
    expect(listed.text.includes(key.split('_')[2]), 'the secret never comes back').toBe(false);
    const names = listed.body.data!.apiKeys.map((k: { name: string; origin: string }) => `${k.name}/${k.origin}`);
    expect(names).toEqual(expect.arrayContaining(['alert bot/api', 'ADMIN_API_KEY/bootstrap']));

    // The new key lacks admin: FORBIDDEN (403) for admin fields, before its (invalid) input is read.
    const forbidden = await post(app.url, CREATE, { input: { name: '' , scopes: [] } }, key);
    expect(forbidden.status).toBe(403);
    expect(codeOf(forbidden)).toBe('FORBIDDEN');
    const listForbidden = await post(app.url, LIST, undefined, key);
    expect(codeOf(listForbidden)).toBe('FORBIDDEN');
    const listAnonymous = await post(app.url, LIST);
    expect(codeOf(listAnonymous)).toBe('UNAUTHENTICATED');

    // Revoked: refused at once.
    const revoked = await post(app.url, REVOKE, { id: apiKey.id }, admin);
    expect(revoked.body.data!.revokeApiKey.active).toBe(false);
    const after = await post(app.url, REVOKE, { id: apiKey.id }, key);
    expect(codeOf(after)).toBe('UNAUTHENTICATED');
    expect(after.body.errors![0]!.message).toMatch(/revoked/);
  });

  it('rejects bad input from an admin with BAD_USER_INPUT and an unknown id with NOT_FOUND', async () => {
    const empty = await post(app.url, CREATE, { input: { name: ' ', scopes: ['READ'] } }, admin);
    expect(codeOf(empty)).toBe('BAD_USER_INPUT');
    const past = await post(app.url, CREATE, { input: { name: 'old', scopes: ['READ'], expiresAt: '2020-01-01T00:00:00Z' } }, admin);
    expect(codeOf(past)).toBe('BAD_USER_INPUT');
    const missing = await post(app.url, REVOKE, { id: 'no-such-key' }, admin);
    expect(codeOf(missing)).toBe('NOT_FOUND');
  });

  it('refuses an expired key', async () => {
    const soon = new Date(Date.now() + 1_500).toISOString();
    const created = await post(app.url, CREATE, { input: { name: 'short', scopes: ['ADMIN'], expiresAt: soon } }, admin);
    const { key } = created.body.data!.createApiKey;
    expect(codeOf(await post(app.url, LIST, undefined, key))).toBeUndefined();
    await new Promise((r) => setTimeout(r, 1_700));
    const expired = await post(app.url, LIST, undefined, key);
    expect(codeOf(expired)).toBe('UNAUTHENTICATED');
    expect(expired.body.errors![0]!.message).toMatch(/expired/);
  });

  it('leaves queries open without a key', async () => {
    const reply = await post(app.url, '{ symbols { symbol } }');
    expect(reply.status).toBe(200);
    expect(reply.body.errors).toBeUndefined();
  });

  it('authenticates graphql-ws mutations from connectionParams and refuses them without a key', async () => {
    const run = async (connectionParams?: Record<string, unknown>) => {
      const client = createClient({ url: app.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, ...(connectionParams ? { connectionParams } : {}) });
      try {
        return await new Promise<{ data?: any; errors?: any[] }>((resolve, reject) => {
          client.subscribe({ query: LIST.replace('{', 'query {'), variables: {} }, { next: resolve as never, error: reject, complete: () => {} });
        }).catch((errors: unknown) => ({ data: undefined, errors: errors as any[] }));
      } finally {
        await client.dispose();
      }
    };
    const anonymous = await run();
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const authed = await run({ authorization: `Bearer ${admin}` });
    expect(authed.errors).toBeUndefined();
    expect(authed.data?.apiKeys.length).toBeGreaterThanOrEqual(2);

    const mutate = async (connectionParams?: Record<string, unknown>) => {
      const client = createClient({ url: app.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, ...(connectionParams ? { connectionParams } : {}) });
      try {
        return await new Promise<any>((resolve) => {
          client.subscribe({ query: CREATE, variables: { input: { name: 7 } } }, { next: resolve, error: (errors) => resolve({ errors }), complete: () => {} });
        });
      } finally {
        await client.dispose();
      }
    };
    const refused = await mutate();
    expect(refused.errors?.[0]?.extensions?.code, 'invalid input, no key: UNAUTHENTICATED first').toBe('UNAUTHENTICATED');
    const invalid = await mutate({ authorization: `Bearer ${admin}` });
    expect(invalid.errors?.[0]?.extensions?.code, 'with the key the input is read').toBe('BAD_USER_INPUT');
  });
});

describe('QUERIES_REQUIRE_KEY=true', () => {
  const admin = generateApiKey().plaintext;
  let app: IsolatedTestApp;
  beforeAll(async () => {
    app = await startIsolatedTestApp({ ADMIN_API_KEY: admin, QUERIES_REQUIRE_KEY: 'true' });
  }, 60_000);
  afterAll(async () => app?.teardown());

  it('needs a key with read for queries and subscriptions', async () => {
    const anonymous = await post(app.url, '{ symbols { symbol } }');
    expect(anonymous.status).toBe(401);
    expect(codeOf(anonymous)).toBe('UNAUTHENTICATED');
    const created = await post(app.url, CREATE, { input: { name: 'alerts only', scopes: ['ALERTS'] } }, admin);
    const alertsOnly = created.body.data!.createApiKey.key as string;
    const noRead = await post(app.url, '{ symbols { symbol } }', undefined, alertsOnly);
    expect(noRead.status).toBe(403);
    expect(codeOf(noRead)).toBe('FORBIDDEN');
    const reader = (await post(app.url, CREATE, { input: { name: 'reader', scopes: ['READ'] } }, admin)).body.data!.createApiKey.key as string;
    const ok = await post(app.url, '{ symbols { symbol } }', undefined, reader);
    expect(ok.body.errors).toBeUndefined();
    expect(ok.body.data!.symbols.length).toBe(3);
    // The cached response is not served to a caller without the key.
    expect(codeOf(await post(app.url, '{ symbols { symbol } }'))).toBe('UNAUTHENTICATED');

    const client = createClient({ url: app.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
    try {
      const result = await new Promise<any>((resolve) => {
        client.subscribe({ query: 'subscription { correlationsUpdated { __typename } }' }, { next: resolve, error: (errors) => resolve({ errors }), complete: () => {} });
      });
      expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    } finally {
      await client.dispose();
    }
  });
});
