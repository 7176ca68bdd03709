import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, startIsolatedTestApp, type IsolatedTestApp } from '../support/harness.js';

interface Health {
  health: {
    database: { status: string; since: string };
    pubsub: { status: string; kind: string; since: string; publishFailures: number; lastPublishFailureAt: string | null };
    marketSource: { state: string; since: string };
    venues: Array<{ venue: string; state: string; since: string }>;
  };
}

const QUERY = `{ health {
  database { status since }
  pubsub { status kind since publishFailures lastPublishFailureAt }
  marketSource { state since }
  venues { venue state since }
} }`;

describe('health says since when each component is in its state, and the pub/sub its failed publishes', () => {
  let app: IsolatedTestApp;
  let before: number;
  let after: number;
  beforeAll(async () => {
    before = Date.now();
    app = await startIsolatedTestApp({ SYMBOLS: 'BTCUSDT' });
    after = Date.now();
  });
  afterAll(() => app?.teardown());

  it('gives database, pub/sub, source and every venue a since within the start, stable across reads', async () => {
    const first = await gql<Health>(app.url, QUERY);
    expect(first.errors, JSON.stringify(first.errors)).toBeUndefined();
    const h = first.data!.health;
    const times = [h.database.since, h.pubsub.since, h.marketSource.since, ...h.venues.map((v) => v.since)].map((s) => Date.parse(s));
    expect(h.venues.length, 'the simulated venue reports itself').toBeGreaterThan(0);
    for (const t of times) {
      expect(t, 'the component reached its state during this start').toBeGreaterThanOrEqual(before);
      expect(t).toBeLessThanOrEqual(after + 1_000);
    }
    await new Promise((r) => setTimeout(r, 50));
    const second = (await gql<Health>(app.url, QUERY)).data!.health;
    expect(second.database.since, 'no change, same since').toBe(h.database.since);
    expect(second.pubsub.since).toBe(h.pubsub.since);
    expect(second.venues.map((v) => v.since)).toEqual(h.venues.map((v) => v.since));
  });

  it('reports 0 failed publishes for the in-memory pub/sub', async () => {
    const h = (await gql<Health>(app.url, QUERY)).data!.health;
    expect(h.pubsub.kind).toBe('memory');
    expect(h.pubsub.publishFailures).toBe(0);
    expect(h.pubsub.lastPublishFailureAt).toBeNull();
  });

  it('serves the same since on /ready (epoch ms)', async () => {
    const ready = (await (await fetch(app.url.replace('/graphql', '/ready'))).json()) as { database: { since: number }; pubsub: { publishFailures: number } };
    expect(typeof ready.database.since).toBe('number');
    expect(ready.pubsub.publishFailures).toBe(0);
  });
});
