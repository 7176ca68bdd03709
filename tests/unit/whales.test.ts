import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifyWhalePattern, computeWhaleActivity } from '../../src/analyzers/whales.js';
import type { WhaleCandle, WhaleInput, WhaleTradeInput } from '../../src/analyzers/whales.types.js';
import { syncWhaleTape, WHALE_TRADE_FLOOR } from '../../src/engine/definitions/whales.js';
import { createMarketStore } from '../../src/engine/market-store.js';
import { createTradeEvents } from '../../src/engine/trade-events.js';
import { createPubSub } from 'graphql-yoga';
import type { PublishedTrade, Topics } from '../../src/pubsub.js';

const MIN = 60_000;
const T = Date.UTC(2025, 9, 1, 12, 0, 0);

/** 1m candles over the last 2 h before T: close 100 everywhere except the last one, 1 000 000 quote volume each. */
function candles(lastClose: number): WhaleCandle[] {
  const out: WhaleCandle[] = [];
  for (let t = T - 120 * MIN; t < T; t += MIN) out.push({ openTime: t, close: 100, quoteVolume: 1_000_000 });
  out[out.length - 1]!.close = lastClose;
  return out;
}

const trade = (id: number, minutesBefore: number, side: 'BUY' | 'SELL', notional: number): WhaleTradeInput => ({
  id,
  price: 100,
  qty: notional / 100,
  side,
  time: T - minutesBefore * MIN,
});

function input(overrides: Partial<WhaleInput> = {}): WhaleInput {
  return {
    symbol: 'BTCUSDT',
    now: T,
    window: 'H1',
    trades: [
      trade(1, 90, 'SELL', 5_000_000), // before the window
      trade(2, 50, 'BUY', 200_000),
      trade(3, 40, 'SELL', 100_000),
      trade(3, 40, 'SELL', 100_000), // same id: counted once
      trade(4, 30, 'BUY', 50_000), // below minNotional
      trade(5, 10, 'BUY', 150_000),
    ],
    observedSince: T - 120 * MIN,
    candles: candles(99),
    intervalMs: MIN,
    lastPrice: 99,
    ...overrides,
  };
}

describe('computeWhaleActivity', () => {
  it('totals whale trades of the window by taker side, deduplicated by id', () => {
    const w = computeWhaleActivity(input());
    expect(w.warmingUp, 'observed for 2 h, window 1 h').toBe(false);
    expect([w.buyCount, w.sellCount], 'trades 2 and 5 buy, trade 3 sells once; 1 is outside, 4 too small').toEqual([2, 1]);
    expect([w.buyNotional, w.sellNotional]).toEqual([350_000, 100_000]);
    expect(w.netFlow).toBe(250_000);
    expect(w.netFlowRatio!, '250k / 450k').toBeCloseTo(250 / 450, 12);
    expect(w.buyPressurePct!).toBeCloseTo((350 / 450) * 100, 12);
    expect(w.sellPressurePct!).toBeCloseTo((100 / 450) * 100, 12);
    expect(w.marketQuoteVolume, '60 one-minute bars opened in the window × 1M').toBe(60_000_000);
    expect(w.whaleSharePct!).toBeCloseTo((450_000 / 60_000_000) * 100, 12);
    expect(w.priceChangePct!, 'close 100 at the window start → last price 99').toBeCloseTo(-1, 12);
    expect(w.largestTrades.map((t) => t.id), 'largest first').toEqual([2, 5, 3]);
    expect(w.lastWhaleAt).toBe(T - 10 * MIN);
  });

  it('reads net buying into a falling price as accumulation and scores it from three factors', () => {
    const w = computeWhaleActivity(input());
    expect(w.pattern, 'whales net buy while price falls 1 %').toBe('ACCUMULATION');
    const ratio = 250 / 450;
    const count = 1 / 3;
    const share = (250_000 / 60_000_000) * 100; // 0.4167 % of market volume
    const expected = 100 * (0.5 * ratio + 0.2 * count + 0.3 * (share / 5));
    expect(w.score, 'score = 100 × Σ weight × normalised').toBeCloseTo(Math.round(expected * 100) / 100, 10);
    expect(w.signal, `score ${expected.toFixed(2)} ≥ 25`).toBe('ACCUMULATING');
    expect(w.factors.map((f) => f.name)).toEqual(['netFlowRatio', 'countImbalance', 'netFlowShare']);
    expect(w.factors.reduce((s, f) => s + f.weight, 0), 'weights sum to 1').toBeCloseTo(1, 12);
  });

  it('classifies the four flow/price quadrants and the balanced band', () => {
    expect(classifyWhalePattern(0.5, -1), 'buying into weakness').toBe('ACCUMULATION');
    expect(classifyWhalePattern(0.5, 0.05), 'buying into a flat price (within ±0.1 %)').toBe('ACCUMULATION');
    expect(classifyWhalePattern(0.5, 1), 'buying with the rise').toBe('MARKUP');
    expect(classifyWhalePattern(-0.5, 1), 'selling into strength').toBe('DISTRIBUTION');
    expect(classifyWhalePattern(-0.5, 0), 'selling into a flat price').toBe('DISTRIBUTION');
    expect(classifyWhalePattern(-0.5, -1), 'selling with the fall').toBe('MARKDOWN');
    expect(classifyWhalePattern(0.1, 5), 'the ±0.1 flat band is inclusive').toBe('BALANCED');
  });

  it('signals distribution when whales sell into a rising price', () => {
    const trades = [trade(1, 50, 'SELL', 400_000), trade(2, 40, 'SELL', 300_000), trade(3, 30, 'BUY', 100_000), trade(4, 20, 'SELL', 200_000)];
    const w = computeWhaleActivity(input({ trades, candles: candles(101), lastPrice: 101 }));
    expect(w.pattern).toBe('DISTRIBUTION');
    expect(w.score).toBeLessThan(-25);
    expect(w.signal).toBe('DISTRIBUTING');
  });

  it('stays NEUTRAL with fewer than 3 whale trades whatever the flow', () => {
    const w = computeWhaleActivity(input({ trades: [trade(1, 50, 'BUY', 5_000_000)] }));
    expect(w.score, 'one huge buy scores high').toBeGreaterThan(25);
    expect(w.signal, 'but one trade is not a pattern').toBe('NEUTRAL');
  });

  it('flags warming up and withholds pattern and signal when the window is only partly observed', () => {
    const w = computeWhaleActivity(input({ observedSince: T - 30 * MIN }));
    expect(w.warmingUp).toBe(true);
    expect(w.from).toBe(T - 30 * MIN);
    expect(w.coveredMs).toBe(30 * MIN);
    expect([w.buyCount, w.sellCount], 'only trade 5 lies in the observed half hour').toEqual([1, 0]);
    expect([w.pattern, w.signal, w.score]).toEqual([null, null, 0]);
    expect(w.note).toContain('observed for 30 min');

    const empty = computeWhaleActivity(input({ observedSince: null, trades: [] }));
    expect([empty.from, empty.netFlowRatio, empty.buyPressurePct], 'nothing observed: nulls, not zeros').toEqual([null, null, null]);
  });

  it('leaves the price change null when the candles do not reach the window start', () => {
    const w = computeWhaleActivity(input({ candles: candles(99).slice(-30) }));
    expect(w.priceChangePct).toBeNull();
    expect(w.pattern, 'no price change, no pattern').toBeNull();
    expect(w.signal, 'the signal needs only the flow').toBe('ACCUMULATING');
  });

  it('throws on precondition violations, quoting the value', () => {
    expect(() => computeWhaleActivity(input({ minNotional: 0 }))).toThrow('minNotional must be a finite number > 0, got 0');
    expect(() => computeWhaleActivity(input({ window: 'H2' as never }))).toThrow('got "H2"');
    expect(() => computeWhaleActivity(input({ trades: [trade(1, 10, 'BUY', 1e6), trade(2, 20, 'BUY', 1e6)] }))).toThrow('trades must be ascending by time');
    expect(() => computeWhaleActivity(input({ trades: [{ ...trade(1, 10, 'BUY', 1e6), price: -1 }] }))).toThrow('trades[0].price must be a finite number > 0, got -1');
  });
});

describe('syncWhaleTape', () => {
  const at = Date.UTC(2025, 9, 1);
  const push = (store: ReturnType<typeof createMarketStore>, id: number, notional: number) =>
    store.apply({ type: 'trade', trade: { symbol: 'BTCUSDT', id, price: 100, qty: notional / 100, side: 'BUY', time: at + id * 1000 } });

  it('keeps trades at or above the floor beyond the store buffer, from the first trade seen', () => {
    const store = createMarketStore(['BTCUSDT'], { trades: 4 });
    const market = store.get('BTCUSDT')!;
    push(store, 1, 500);
    push(store, 2, WHALE_TRADE_FLOOR);
    push(store, 3, 50_000);
    expect(syncWhaleTape(market).trades.map((t) => t.id), 'below-floor trade 1 dropped').toEqual([2, 3]);
    for (let id = 4; id <= 7; id += 1) push(store, id, id === 6 ? 20_000 : 10);
    const tape = syncWhaleTape(market);
    expect(tape.trades.map((t) => t.id), 'trades 2 and 3 left the 4-trade buffer but stay on the tape').toEqual([2, 3, 6]);
    expect(tape.observedSince, 'complete since the first trade seen').toBe(at + 1000);
  });

  it('restarts coverage when the buffer rolled past the last trade seen', () => {
    const store = createMarketStore(['BTCUSDT'], { trades: 2 });
    const market = store.get('BTCUSDT')!;
    push(store, 1, 50_000);
    syncWhaleTape(market);
    for (let id = 2; id <= 6; id += 1) push(store, id, 50_000);
    const tape = syncWhaleTape(market);
    expect(tape.trades.map((t) => t.id), 'trades 2-4 were missed: the tape restarts').toEqual([5, 6]);
    expect(tape.observedSince).toBe(at + 5000);
  });
});

describe('createTradeEvents', () => {
  it('publishes each trade at or above the floor once, with its notional, and nothing smaller', async () => {
    const store = createMarketStore(['BTCUSDT']);
    const pubsub = createPubSub<Topics>();
    const events = createTradeEvents({ store, pubsub, source: 'SIMULATED', venue: 'simulated' });
    events.start();
    const received: PublishedTrade[] = [];
    const iterator = pubsub.subscribe('trade:created', 'BTCUSDT')[Symbol.asyncIterator]();
    const reading = (async () => {
      for (let i = 0; i < 2; i += 1) received.push((await iterator.next()).value as PublishedTrade);
    })();
    await new Promise((r) => setTimeout(r, 0));
    const at = Date.UTC(2025, 9, 1);
    const trade = (id: number, qty: number) => ({ type: 'trade' as const, trade: { symbol: 'BTCUSDT', id, price: 100, qty, side: 'SELL' as const, time: at + id } });
    store.apply(trade(1, 99)); // 9 900 USD: below the floor
    store.apply(trade(2, 100)); // exactly 10 000
    store.apply(trade(2, 100)); // same id again
    store.apply(trade(3, 5_000));
    await reading;
    await iterator.return?.();
    events.stop();
    expect(received.map((t) => [t.id, t.notional]), 'floor inclusive, duplicate id skipped').toEqual([
      [2, WHALE_TRADE_FLOOR],
      [3, 500_000],
    ]);
    expect(received[0]?.meta, 'provenance: the source, the venue and the trade time').toEqual({ source: 'SIMULATED', venue: 'simulated', asOf: at + 2 });
  });
});

// --- Real recorded data (read from ../shared/data when present; never copied into the repository) ---

const WS_RECORDING = new URL('../../../shared/data/binance-futures/raw-recordings/cryptofeed-2021-07-22/BINANCE_FUTURES.ws.1.0.txt', import.meta.url);

describe.skipIf(!existsSync(WS_RECORDING))('real Binance aggTrade stream (cryptofeed recording, 2021-07-22)', () => {
  it('totals the recorded aggregate trades per symbol without error', () => {
    const bySymbol = new Map<string, WhaleTradeInput[]>();
    for (const line of readFileSync(WS_RECORDING, 'utf8').split('\n')) {
      const brace = line.indexOf('{');
      if (brace < 0) continue;
      const msg = JSON.parse(line.slice(brace)) as { data?: { e?: string; s: string; a: number; p: string; q: string; T: number; m: boolean } };
      const d = msg.data;
      if (d?.e !== 'aggTrade') continue;
      const list = bySymbol.get(d.s) ?? [];
      // `m`: the buyer is the maker, so the taker sold.
      list.push({ id: d.a, price: Number(d.p), qty: Number(d.q), time: d.T, side: d.m ? 'SELL' : 'BUY' });
      bySymbol.set(d.s, list);
    }
    expect(bySymbol.size, 'SUSHI, AKRO, KEEP, CTK').toBeGreaterThan(0);
    let total = 0;
    for (const [symbol, trades] of bySymbol) {
      trades.sort((a, b) => a.time - b.time);
      const now = trades.at(-1)!.time;
      const w = computeWhaleActivity({ symbol, now, window: 'M15', minNotional: 100, trades, observedSince: trades[0]!.time, candles: [], intervalMs: MIN, lastPrice: null });
      const big = trades.filter((t) => t.price * t.qty >= 100);
      expect(w.buyCount + w.sellCount, `${symbol}: every recorded trade ≥ 100 USD counted`).toBe(new Set(big.map((t) => t.id)).size);
      expect(w.warmingUp, '30 s of recording cannot cover 15 min').toBe(true);
      expect(w.signal).toBeNull();
      total += w.buyCount + w.sellCount;
    }
    expect(total).toBeGreaterThan(0);
  });
});
