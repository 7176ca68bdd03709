import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzz } from '../support/fuzz.js';
import { startIsolatedTestApp, type IsolatedTestApp } from '../support/harness.js';

describe('fuzz: seeded operations over HTTP (syntax errors, unknown fields, wrong variable types, alias bombs, deep queries, bad GET params, bad JSON, huge lists)', () => {
  let app: IsolatedTestApp;
  beforeAll(async () => {
    // The fuzzer sends hundreds of refused documents over a few keep-alive connections; the delay a
    // connection then earns (tested in cost-precheck.test.ts) would only slow the test down.
    app = await startIsolatedTestApp({ REFUSAL_DELAY_MAX_MS: '0' });
  });
  afterAll(() => app?.teardown());

  it('2,000 generated operations: 0 HTTP 5xx and every error coded', async () => {
    const { errors, failures } = await fuzz(app.url, 2_000);
    expect(failures, failures.slice(0, 5).join('\n')).toEqual([]);
    expect(errors, 'the generator produces errors').toBeGreaterThan(1_000);
  });
});
