import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScriptedSource } from '../support/scripted-source.js';
import { gql, startIsolatedTestApp, waitFor, type IsolatedTestApp } from '../support/harness.js';

const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'];

describe('partial results: one analysis that is not ready does not null the rest', () => {
  let app: IsolatedTestApp;

  beforeAll(async () => {
    // Every symbol trades, only BTCUSDT has a mark price and a funding history: ETH and SOL funding is NOT_READY.
    const source = createScriptedSource(SYMBOLS, (symbols, s) => {
      const t0 = Date.now();
      for (const symbol of symbols) s({ type: 'trade', trade: { symbol, id: 1, price: 100, qty: 1, time: t0, side: 'BUY' } });
      s({
        type: 'markPrice',
        mark: { symbol: 'BTCUSDT', markPrice: 100, indexPrice: 100, predictedFundingRate: 0.0001, nextFundingTime: t0 + 3_600_000, time: t0 },
      });
      s({ type: 'funding', funding: { symbol: 'BTCUSDT', rate: 0.0001, fundingTime: t0 - 3_600_000, markPrice: 100 } });
    });
    app = await startIsolatedTestApp({ SYMBOLS: SYMBOLS.join(','), ROLE: 'all' }, source);
  });
  afterAll(() => app?.teardown());

  it('markets(...) returns every price, with a coded NOT_READY error on each missing analysis path', async () => {
    const query = '{ markets(symbols: ["BTCUSDT", "ETHUSDT", "SOLUSDT"]) { symbol price funding { rate } } }';
    const res = await waitFor(async () => {
      const r = await gql<{ markets: Array<{ symbol: string; price: number | null; funding: { rate: number } | null }> }>(app.url, query);
      return r.data?.markets?.every((m) => m.price !== null) && r.data.markets[0]!.funding ? r : undefined;
    });
    expect(res.data!.markets.map((m) => [m.symbol, m.price])).toEqual([
      ['BTCUSDT', 100],
      ['ETHUSDT', 100],
      ['SOLUSDT', 100],
    ]);
    expect(res.data!.markets[0]!.funding!.rate, 'the one settlement pushed').toBe(0.0001);
    const failed = res.data!.markets.filter((m) => m.funding === null).map((m) => m.symbol);
    expect(failed, 'no mark price or funding history for ETH and SOL').toEqual(['ETHUSDT', 'SOLUSDT']);
    const paths = (res.errors ?? []).map((e) => [JSON.stringify((e as { path?: unknown }).path), e.extensions?.code]);
    expect(paths).toEqual([
      ['["markets",1,"funding"]', 'NOT_READY'],
      ['["markets",2,"funding"]', 'NOT_READY'],
    ]);
  });
});
