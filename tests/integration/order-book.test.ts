import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MarketOrderBookDocument, OrderBookUpdatedDocument, type MarketOrderBookQuery, type OrderBookUpdatedSubscription } from '../../generated/graphql/graphql.js';
import { startIsolatedTestApp, waitFor, type IsolatedTestApp } from '../support/harness.js';
import { collectEvents, run, wsClient } from '../support/ws.js';

type Book = NonNullable<MarketOrderBookQuery['market']['orderBook']>;

describe('order book end to end (simulated market)', () => {
  let app: IsolatedTestApp;
  beforeAll(async () => {
    app = await startIsolatedTestApp();
  });
  afterAll(() => app?.teardown());

  const query = async (variables: { symbol: string; depthPct?: number; buckets?: number }) => run(app, MarketOrderBookDocument, variables);
  const orderBook = async (variables: { symbol: string; depthPct?: number; buckets?: number }): Promise<Book> => {
    const res = await waitFor(async () => {
      const r = await query(variables);
      return r.data?.market.orderBook ? r : undefined;
    }, 30_000);
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    return res.data!.market.orderBook!;
  };

  it('serves the simulated book analysed, flagged SIMULATED, with a heatmap cut to depthPct × buckets', async () => {
    const b = await orderBook({ symbol: 'BTCUSDT', depthPct: 1, buckets: 10 });
    expect(b.meta.source).toBe('SIMULATED');
    expect(b.meta.methodologyVersion).toBe('order-book/1.0.0');
    // The simulated book comes every 5 s; a book is overdue only after 1 s + STALE_AFTER_MS (30 s): never stale here.
    expect(b.meta.stale).toBe(false);
    expect(b.meta.ageMs!).toBeLessThan(31_000);
    expect([b.available, b.bookState, b.unavailableReason]).toEqual([true, 'SNAPSHOT', null]);
    expect(b.bestBid!).toBeLessThan(b.bestAsk!);
    expect(b.spreadBps!).toBeCloseTo(((b.bestAsk! - b.bestBid!) / b.mid!) * 10_000, 6);
    expect(b.depth.map((d) => d.bandPct)).toEqual([0.5, 1, 2, 5]);
    for (const d of b.depth) expect(d.bidUsd + d.askUsd).toBeGreaterThan(0);
    expect(b.slippage.map((s) => [s.side, s.notionalUsd])).toEqual([
      ['BUY', 10_000],
      ['SELL', 10_000],
      ['BUY', 100_000],
      ['SELL', 100_000],
      ['BUY', 1_000_000],
      ['SELL', 1_000_000],
    ]);
    for (const s of b.slippage) if (s.filled) expect(s.slippageBps!).toBeGreaterThanOrEqual(0);
    expect(b.heatmap!.prices).toHaveLength(10);
    expect(b.heatmap!.prices[0]!).toBeCloseTo(b.heatmap!.referencePrice * (1 - 0.01 + 0.001), 6);
    expect(b.heatmap!.slices.at(-1)!.notional).toHaveLength(10);
  });

  it('refuses out-of-range arguments with BAD_USER_INPUT', async () => {
    const r = await query({ symbol: 'BTCUSDT', depthPct: 9 });
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const r2 = await query({ symbol: 'BTCUSDT', buckets: 1 });
    expect(r2.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('orderBookUpdated streams the analysis', async () => {
    const client = wsClient(app);
    try {
      const events = await collectEvents<OrderBookUpdatedSubscription>(client, print(OrderBookUpdatedDocument), { symbol: 'BTCUSDT' }, 1, 20_000);
      expect(events[0]?.orderBookUpdated.symbol).toBe('BTCUSDT');
      expect(events[0]?.orderBookUpdated.meta.source).toBe('SIMULATED');
    } finally {
      await client.dispose();
    }
  });
});
