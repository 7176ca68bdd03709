import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnalysisHistoryDocument, type AnalysisHistoryQuery } from '../../generated/graphql/graphql.js';
import { decodeCursor, encodeCursor } from '../../src/resolvers/analysis-history.js';
import { gql, startIsolatedTestApp, waitFor, type IsolatedTestApp } from '../support/harness.js';

const QUERY = print(AnalysisHistoryDocument);
type Page = NonNullable<AnalysisHistoryQuery['analysisHistory']>;

describe('analysisHistory: typed, cursor-paged history (real database)', () => {
  let app: IsolatedTestApp;
  beforeAll(async () => {
    app = await startIsolatedTestApp({ SYMBOLS: 'BTCUSDT' });
  }, 60_000);
  afterAll(async () => {
    await app?.teardown();
  });

  const page = async (variables: Record<string, unknown>) => {
    const res = await gql<AnalysisHistoryQuery>(app.url, QUERY, variables);
    expect(res.errors).toBeUndefined();
    return res.data!.analysisHistory!;
  };

  it('pages FUNDING newest first without gaps or repeats, typed as FundingAnalysis equal to the stored payload', async () => {
    await waitFor(async () => (await page({ kind: 'FUNDING', symbol: 'BTCUSDT', first: 5 })).edges.length >= 5, 30_000, 200);
    // A fixed window, so rows written while paging do not shift the pages.
    const first = await page({ kind: 'FUNDING', symbol: 'BTCUSDT', first: 5 });
    const to = first.edges[0]!.asOf;
    const all = await page({ kind: 'FUNDING', symbol: 'BTCUSDT', first: 100, to });
    const seen: Page['edges'] = [];
    let after: string | null = null;
    for (let i = 0; i < 50; i++) {
      const p: Page = await page({ kind: 'FUNDING', symbol: 'BTCUSDT', first: 2, to, after });
      seen.push(...p.edges);
      if (!p.pageInfo.hasNextPage) {
        expect(p.pageInfo.endCursor).toBe(p.edges.at(-1)?.cursor ?? null);
        break;
      }
      after = p.pageInfo.endCursor;
    }
    expect(seen.map((e) => e.cursor)).toEqual(all.edges.map((e) => e.cursor));
    expect(new Set(seen.map((e) => e.cursor)).size).toBe(seen.length);
    const times = seen.map((e) => Date.parse(e.asOf));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const node = all.edges[0]!.node;
    expect(node.__typename).toBe('FundingAnalysis');
    // The same row through the deprecated JSON field.
    const legacy = await gql<{ snapshots: Array<{ asOf: string; payload: { rate: number; annualizedRate: number } }> }>(app.url, `{ snapshots(kind: FUNDING, symbol: "BTCUSDT", to: "${to}", limit: 1) { asOf payload } }`);
    expect(legacy.data!.snapshots[0]!.asOf).toBe(all.edges[0]!.asOf);
    if (node.__typename === 'FundingAnalysis') {
      expect(node.rate).toBe(legacy.data!.snapshots[0]!.payload.rate);
      expect(node.annualizedRate).toBe(legacy.data!.snapshots[0]!.payload.annualizedRate);
      expect(node.meta.asOf).toBe(all.edges[0]!.asOf);
    }
    expect(all.edges[0]!.source).toBe('SIMULATED');
  });

  it('types each kind by its own object: Emergency, Confirmation', async () => {
    const emergency = await waitFor(async () => (await page({ kind: 'EMERGENCY', symbol: 'BTCUSDT', first: 1 })).edges[0], 30_000, 200);
    expect(emergency.node.__typename).toBe('Emergency');
    if (emergency.node.__typename === 'Emergency') expect(['NORMAL', 'ELEVATED', 'EMERGENCY']).toContain(emergency.node.level);
    const confirmation = await waitFor(async () => (await page({ kind: 'CONFIRMATION', symbol: 'BTCUSDT', first: 1 })).edges[0], 60_000, 500);
    expect(confirmation.node.__typename).toBe('Confirmation');
    if (confirmation.node.__typename === 'Confirmation') expect(confirmation.node.score).toBeGreaterThanOrEqual(0);
  }, 90_000);

  it('refuses bad arguments with BAD_USER_INPUT', async () => {
    for (const variables of [
      { kind: 'FUNDING', symbol: 'BTCUSDT', first: 0 },
      { kind: 'FUNDING', symbol: 'BTCUSDT', first: 101 },
      { kind: 'FUNDING', symbol: 'BTCUSDT', after: 'not-a-cursor' },
      { kind: 'FUNDING', symbol: 'NOPEUSDT' },
      { kind: 'FUNDING', symbol: 'BTCUSDT', from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' },
    ]) {
      const res = await gql(app.url, QUERY, variables);
      expect(res.errors?.[0]?.extensions?.code, JSON.stringify(variables)).toBe('BAD_USER_INPUT');
    }
  });

  it('round-trips cursors', () => {
    expect(decodeCursor(encodeCursor({ asOf: 1_767_225_600_123, id: '9007199254740993' }))).toEqual({ asOf: 1_767_225_600_123, id: '9007199254740993' });
  });
});
