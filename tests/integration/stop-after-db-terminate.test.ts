import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { gql, SHARED_DATABASE_URL, startIsolatedTestApp, type IsolatedTestApp } from '../support/harness.js';

/**
 * `app.stop()` after Postgres terminated the app's connections (a failover, an admin's
 * pg_terminate_backend, a restart): it must return, in bounded time, not wait on dead connections.
 */
describe.skipIf(!SHARED_DATABASE_URL)('stop after the database terminated its connections (real Postgres)', () => {
  let t: IsolatedTestApp | undefined;
  afterAll(async () => {
    await t?.teardown().catch(() => {});
  });

  it('app.stop() returns within 5 s', async () => {
    t = await startIsolatedTestApp();
    const ok = await gql(t.url, '{ snapshots(kind: FUNDING, symbol: "BTCUSDT", limit: 1) { asOf } }');
    expect(ok.errors, JSON.stringify(ok.errors)).toBeUndefined();
    // Let the snapshot writer use its pooled connections too.
    await new Promise((r) => setTimeout(r, 500));
    const name = new URL(t.config.DATABASE_URL!).pathname.slice(1);
    const admin = new pg.Client({ connectionString: SHARED_DATABASE_URL });
    await admin.connect();
    try {
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      const inflight = Array.from({ length: 20 }, () => gql(t!.url, '{ snapshots(kind: FUNDING, symbol: "BTCUSDT", limit: 50) { asOf } }').catch(() => null));
      const killed = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
      expect(killed.rowCount, 'the app held at least one connection').toBeGreaterThan(0);
      await Promise.all(inflight);
      await gql(t.url, '{ snapshots(kind: FUNDING, symbol: "BTCUSDT", limit: 1) { asOf } }');
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
    } finally {
      await admin.end();
    }
    // A query on the terminated connections (as a client would send during the outage).
    await gql(t.url, '{ snapshots(kind: FUNDING, symbol: "BTCUSDT", limit: 1) { asOf } }');
    await new Promise((r) => setTimeout(r, 500));
    const started = Date.now();
    const outcome = await Promise.race([
      t.app.stop().then(() => 'stopped' as const),
      new Promise<'hung'>((r) => setTimeout(() => r('hung'), 5_000).unref()),
    ]);
    expect(outcome, `stop() after ${Date.now() - started} ms`).toBe('stopped');
  }, 30_000);
});
