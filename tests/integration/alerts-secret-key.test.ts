import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../src/auth/keys.js';
import { isolatedDatabase, startTestApp, tempDir, testEnv, type TestApp } from '../support/harness.js';

/**
 * Instances sharing a database must share ALERTS_SECRET_KEY (it seals the channel secrets). An instance
 * started with another key cannot open the stored rules' secrets: it says so at start in health.alerts
 * (DEGRADED) instead of dead-lettering their deliveries one by one. Real Postgres when DATABASE_URL is set,
 * else the embedded database in one data dir, started three times in a row.
 */

type Health = { health: { status: string; alerts: { rules: number; unreadableRules: number; secretKeyMatches: boolean | null } | null } };
const HEALTH = '{ health { status alerts { rules unreadableRules secretKeyMatches } } }';

async function post<T>(url: string, query: string, variables: Record<string, unknown> = {}, key?: string) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) }, body: JSON.stringify({ query, variables }) });
  return (await res.json()) as { data?: T; errors?: Array<{ message: string }> };
}

describe('ALERTS_SECRET_KEY checked against the stored rules at start', () => {
  const admin = generateApiKey().plaintext;
  const keyA = randomBytes(32).toString('base64');
  const keyB = randomBytes(32).toString('base64');
  let db: Awaited<ReturnType<typeof isolatedDatabase>>;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const apps: TestApp[] = [];
  const start = async (key: string) => {
    const app = await startTestApp(testEnv({ DATA_DIR: dir.path, DATABASE_URL: db.url, ADMIN_API_KEY: admin, ALERTS_SECRET_KEY: key, ALERTS_ALLOW_PRIVATE_TARGETS: 'true' }));
    apps.push(app);
    return app;
  };
  const stop = async (app: TestApp) => {
    await app.stop();
    apps.splice(apps.indexOf(app), 1);
  };

  beforeAll(async () => {
    db = await isolatedDatabase();
    dir = await tempDir();
  });
  afterAll(async () => {
    for (const app of apps) await app.stop().catch(() => undefined);
    await db?.drop();
    await dir?.remove();
  });

  it('no rule: nothing to check (null); a rule sealed with key A is unreadable with key B (DEGRADED), readable again with A', async () => {
    const first = await start(keyA);
    const empty = await post<Health>(first.url, HEALTH);
    expect(empty.data!.health.alerts).toEqual({ rules: 0, unreadableRules: 0, secretKeyMatches: null });
    const created = await post<{ createAlertRule: { rule: { id: string } } }>(
      first.url,
      'mutation($input: AlertRuleInput!) { createAlertRule(input: $input) { rule { id } } }',
      { input: { event: 'CASCADE_DETECTED', conditions: { minSeverity: 5 }, channels: [{ type: 'WEBHOOK', url: 'http://127.0.0.1:9/hook' }] } },
      admin,
    );
    expect(created.errors).toBeUndefined();
    await stop(first);

    const other = await start(keyB);
    const mismatch = await post<Health>(other.url, HEALTH);
    expect(mismatch.data!.health.alerts).toEqual({ rules: 1, unreadableRules: 1, secretKeyMatches: false });
    expect(mismatch.data!.health.status).toBe('DEGRADED');
    await stop(other);

    const same = await start(keyA);
    const ok = await post<Health>(same.url, HEALTH);
    expect(ok.data!.health.alerts).toEqual({ rules: 1, unreadableRules: 0, secretKeyMatches: true });
    await stop(same);
  }, 120_000);
});
