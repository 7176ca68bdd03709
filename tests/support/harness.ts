import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createApp, type App } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import type { MarketDataSource } from '../../src/datasources/market-data-source.js';

/** Real services when CI provides them (DATABASE_URL / REDIS_URL), embedded otherwise. */
export const SHARED_DATABASE_URL = process.env.DATABASE_URL || undefined;
export const SHARED_REDIS_URL = process.env.REDIS_URL || undefined;

export const uniqueName = (prefix: string) => `${prefix}_${randomBytes(4).toString('hex')}`;

/**
 * An isolated database for one suite: a fresh Postgres database on the shared server when DATABASE_URL is
 * set (dropped afterwards), else nothing (the app then uses PGlite in its temp DATA_DIR).
 */
export async function isolatedDatabase(): Promise<{ url: string | undefined; drop(): Promise<void> }> {
  if (!SHARED_DATABASE_URL) return { url: undefined, drop: async () => {} };
  const name = uniqueName('perpgraph_test');
  const admin = new pg.Client({ connectionString: SHARED_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(SHARED_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: SHARED_DATABASE_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export interface TestApp {
  app: App;
  config: Config;
  url: string;
  wsUrl: string;
  stop(): Promise<void>;
}

/** Fast defaults for tests: simulated market ticking quickly, short throttles, quiet logs. */
export function testEnv(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    MARKET_SOURCE: 'simulated',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    SIM_TICK_MS: '50',
    ANALYSIS_MIN_INTERVAL_MS: '200',
    SNAPSHOT_EVERY_MS: '200',
    SNAPSHOT_FLUSH_MS: '100',
    SYMBOLS: 'BTCUSDT,ETHUSDT,SOLUSDT',
    // Every suite's requests come from 127.0.0.1 and, in CI, count in the one shared Redis: the request
    // rate limits are tested on their own (tests/integration/rate-limits.test.ts) with their own prefix.
    RATE_LIMIT_ENABLED: 'false',
    // The default macro calendar would add the volatility factor macroEventProximity within 24 h of each
    // real CPI/FOMC release: suites get a clock-independent (empty) calendar; tests/integration/macro.test.ts sets its own.
    MACRO_EVENTS_DEFAULT: 'false',
    // A full run on two cores keeps Postgres and the test processes busy: connecting may take seconds.
    DATABASE_CONNECT_TIMEOUT_MS: '20000',
    ...overrides,
  };
}

export async function startTestApp(env: Record<string, string | undefined>, source?: MarketDataSource): Promise<TestApp> {
  const config = loadConfig(env);
  const logger = createLogger(config.LOG_LEVEL);
  const app = createApp({ config, logger, source });
  const port = await app.start(0);
  return {
    app,
    config,
    url: `http://127.0.0.1:${port}/graphql`,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    stop: () => app.stop(),
  };
}

export async function tempDir(): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'perpgraph-test-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export interface GraphQLResponse<T> {
  data?: T;
  errors?: Array<{ message: string; extensions?: { code?: string } & Record<string, unknown> }>;
}

export async function gql<T = Record<string, unknown>>(url: string, query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  return (await res.json()) as GraphQLResponse<T>;
}

export async function waitFor<T>(probe: () => Promise<T | undefined | null | false>, timeoutMs = 10_000, stepMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, stepMs));
  }
  throw new Error(`waitFor timed out after ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
}

export interface IsolatedTestApp extends TestApp {
  /** Stops the app, then drops its database and removes its DATA_DIR. */
  teardown(): Promise<void>;
}

/**
 * Starts a test app on its own temp DATA_DIR and isolated database, with `testEnv(overrides)` on top of
 * those; `teardown()` undoes all three (and they are undone here if the app fails to start).
 */
export async function startIsolatedTestApp(overrides: Record<string, string | undefined> = {}, source?: MarketDataSource): Promise<IsolatedTestApp> {
  const dir = await tempDir();
  const db = await isolatedDatabase();
  let app: TestApp;
  try {
    app = await startTestApp(testEnv({ DATA_DIR: dir.path, DATABASE_URL: db.url, ...overrides }), source);
  } catch (error) {
    await db.drop();
    await dir.remove();
    throw error;
  }
  return {
    ...app,
    async teardown() {
      await app.stop();
      await db.drop();
      await dir.remove();
    },
  };
}
