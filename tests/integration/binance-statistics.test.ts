import { afterEach, describe, expect, it } from 'vitest';
import { createBinanceSource, type BinanceSourceOptions } from '../../src/datasources/binance/binance-source.js';
import type { MarketEvent } from '../../src/domain/market.js';
import { startFakeBinance, type FakeBinance, type FakeBinanceOptions, type FakeRequest } from '../support/fake-binance.js';
import { startFakeBinanceWs } from '../support/fake-binance-ws.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function waitFor(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'];
const FIVE_MIN = 300_000;

async function setup(fakeOptions: Partial<FakeBinanceOptions> = {}, options: Partial<BinanceSourceOptions> = {}) {
  const fake = await startFakeBinance({ symbols: SYMBOLS, ...fakeOptions });
  cleanup.push(() => fake.close());
  const source = createBinanceSource({ fapiUrl: fake.url, spotUrl: fake.url, timeoutMs: 1_000, ...options });
  cleanup.unshift(() => source.stop());
  const events: MarketEvent[] = [];
  return { fake, source, events, sink: (e: MarketEvent) => void events.push(e) };
}

const to = (fake: FakeBinance, path: string): FakeRequest[] => fake.requests.filter((r) => r.path === path);
const ofType = <T extends MarketEvent['type']>(events: MarketEvent[], type: T) => events.filter((e): e is Extract<MarketEvent, { type: T }> => e.type === type);

describe('binance source: statistics', () => {
  it('pushes one page (30 rows) of every 5m statistic per symbol at start, with the values served', async () => {
    const { fake, source, events, sink } = await setup();
    const before = Date.now();
    await source.start(SYMBOLS, sink);
    const newest = Math.floor(before / FIVE_MIN) * FIVE_MIN;

    for (const symbol of SYMBOLS) {
      const ratios = ofType(events, 'longShortRatio').filter((e) => e.ratio.symbol === symbol);
      for (const kind of ['GLOBAL_ACCOUNTS', 'TOP_ACCOUNTS', 'TOP_POSITIONS'] as const) {
        const rows = ratios.filter((e) => e.ratio.kind === kind).map((e) => e.ratio);
        expect(rows, `${symbol} ${kind}`).toHaveLength(30);
        expect(rows.map((r) => r.time), 'oldest first, every 5 minutes').toEqual(rows.map((_, i) => rows[0]!.time + i * FIVE_MIN));
        for (const r of rows) {
          expect(r.period).toBe('5m');
          expect(r.longShare + r.shortShare, 'shares sum to 1 (4 decimals)').toBeCloseTo(1, 4);
          expect(r.longShortRatio, 'ratio = long / short (4 decimals)').toBeCloseTo(r.longShare / r.shortShare, 3);
        }
      }
      expect(ofType(events, 'takerVolume').filter((e) => e.volume.symbol === symbol)).toHaveLength(30);
      const basis = ofType(events, 'basis').filter((e) => e.basis.symbol === symbol).map((e) => e.basis);
      expect(basis).toHaveLength(30);
      for (const b of basis) expect(b.futuresPrice - b.indexPrice, 'basis = futures − index').toBeCloseTo(b.basis, 6);

      const oi = ofType(events, 'openInterest').filter((e) => e.openInterest.symbol === symbol).map((e) => e.openInterest);
      expect(oi, '30 history rows, then the live value').toHaveLength(31);
      const hist = oi.slice(0, 30);
      expect([newest, newest + FIVE_MIN], 'the newest row is the current 5m boundary').toContain(hist.at(-1)!.time);
      const last = hist.at(-1)!;
      expect(last.openInterest, 'sumOpenInterest as served').toBe(fake.openInterestAt(symbol, last.time));
      expect(last.openInterestValue!, 'sumOpenInterestValue = OI × price at that time').toBeCloseTo(last.openInterest! * fake.priceAt(symbol, last.time), 2);
      const live = oi[30]!;
      expect(live.time, 'live open interest after the history').toBeGreaterThan(last.time);
      expect(live.openInterest).toBe(fake.openInterestAt(symbol, live.time));
    }
    expect(ofType(events, 'ticker24h').map((e) => e.ticker.symbol).sort()).toEqual(SYMBOLS);
    const spot = ofType(events, 'spotPrice').map((e) => e.spot);
    expect(spot.map((s) => s.symbol).sort()).toEqual(SYMBOLS);
    expect(to(fake, '/api/v3/ticker/price'), 'one batched spot request').toHaveLength(1);
    expect(JSON.parse(to(fake, '/api/v3/ticker/price')[0]!.query.symbols!)).toEqual(SYMBOLS);
    expect(to(fake, '/futures/data/basis')[0]!.query, 'pair + PERPETUAL + period + the mandatory limit').toEqual({
      pair: 'BTCUSDT',
      contractType: 'PERPETUAL',
      period: '5m',
      limit: '30',
    });
    expect(source.status().state).toBe('OK');
  });

  it('sends what schedule() says it sends, run for run, and asks for only the newest rows after the first page', async () => {
    const statsPollMs = { openInterest: 500, ticker24h: 500, statistics: 1_000, spotPrice: 500 };
    const { fake, source, sink } = await setup({}, { pollMs: 250, statsPollMs, rateLimits: { weight: { limit: 100_000, windowMs: 60_000 } } });
    await source.start(SYMBOLS, sink);
    const t0 = Date.now();
    const sentBefore = fake.requests.length;
    await sleep(2_100);
    const sent = fake.requests.slice(sentBefore).filter((r) => r.at - t0 < 2_000);
    const schedule = source.schedule();
    const count = (pred: (r: FakeRequest) => boolean) => sent.filter(pred).length;
    const expected = (task: string) => {
      const s = schedule.find((x) => x.task === task)!;
      return (2_000 / s.everyMs) * s.requests;
    };
    const within = (actual: number, task: string) => {
      const s = schedule.find((x) => x.task === task)!;
      // Timers only run late, and a run can straddle the window's edge: one run of slack either way.
      expect(actual, `${task}: ${actual} requests in 2 s, schedule says ${expected(task)}`).toBeGreaterThanOrEqual(expected(task) - s.requests);
      expect(actual, `${task}: ${actual} requests in 2 s`).toBeLessThanOrEqual(expected(task) + s.requests);
    };
    within(count((r) => r.path === '/fapi/v1/premiumIndex'), 'markPrice');
    within(count((r) => r.path === '/fapi/v1/openInterest'), 'openInterest');
    within(count((r) => r.path === '/fapi/v1/ticker/24hr'), 'ticker24h');
    within(count((r) => r.path.startsWith('/futures/data/')), 'statistics');
    within(count((r) => r.path === '/api/v3/ticker/price'), 'spotPrice');
    expect(count((r) => r.path === '/futures/data/openInterestHist'), 'the history page is fetched at start only').toBe(0);
    const live = sent.filter((r) => r.path.startsWith('/futures/data/'));
    expect(new Set(live.map((r) => r.query.limit)), '1 s between polls of 5m data: the newest 2 rows').toEqual(new Set(['2']));
    expect(schedule.find((x) => x.task === 'markPrice')!.weight, 'premiumIndex per symbol').toBe(1);
  });

  it('drops a symbol that spot does not list and keeps the others', async () => {
    const { fake, source, events, sink } = await setup({ spotUnlisted: ['SOLUSDT'] }, { statsPollMs: { spotPrice: 100 } });
    await source.start(SYMBOLS, sink);
    await waitFor(() => ofType(events, 'spotPrice').length >= 6, 'spot prices');
    const symbols = new Set(ofType(events, 'spotPrice').map((e) => e.spot.symbol));
    expect(symbols).toEqual(new Set(['BTCUSDT', 'ETHUSDT']));
    const btc = ofType(events, 'spotPrice').find((e) => e.spot.symbol === 'BTCUSDT')!.spot;
    expect(btc.price / fake.priceAt('BTCUSDT', btc.time), 'the fake quotes spot at 0.9997 × futures').toBeCloseTo(0.9997, 3);
    const after = to(fake, '/api/v3/ticker/price').slice(-2);
    expect(after.every((r) => r.query.symbol !== 'SOLUSDT'), 'the unlisted symbol is no longer asked for').toBe(true);
  });

  it('reports both venues', async () => {
    const { source, sink } = await setup();
    await source.start(['BTCUSDT'], sink);
    const [futures, spot] = source.venues();
    expect(futures).toMatchObject({ venue: 'binance-usdm', state: 'OK', blockedUntil: null, weightBudget: 600, lastError: null, reconnects: 0 });
    expect(futures!.usedWeight, 'as the fake counted it').toBeGreaterThan(0);
    expect(futures!.lastSuccessAt).not.toBeNull();
    expect(spot).toMatchObject({ venue: 'binance-spot', state: 'OK', weightBudget: 1500, usedWeight: 2 });
    expect(source.httpStats().spot!.requests).toBe(1);
  });

  it('fetches a long candle range in pages of 1000 (weight 5 each)', async () => {
    const { fake, source } = await setup();
    const end = Math.floor(Date.now() / 60_000) * 60_000 - 1;
    const start = end + 1 - 2_500 * 60_000;
    const candles = await source.fetchCandles('BTCUSDT', '1m', { startTime: start, endTime: end });
    expect(candles, '2500 minutes').toHaveLength(2_500);
    expect(candles.every((c, i) => i === 0 || c.openTime - candles[i - 1]!.openTime === 60_000), 'contiguous').toBe(true);
    expect(candles[0]!.openTime).toBe(start);
    const pages = to(fake, '/fapi/v1/klines');
    expect(pages.map((r) => r.query.limit)).toEqual(['1000', '1000', '1000']);
    expect(pages.map((r) => Number(r.query.startTime))).toEqual([start, start + 1_000 * 60_000, start + 2_000 * 60_000]);
    expect(pages.map((r) => r.weight)).toEqual([5, 5, 5]);
  });
});

describe('binance source: WebSocket stream', () => {
  it('takes mark prices from the stream, falls back to REST while disconnected, and backfills the gap over REST', async () => {
    const ws = await startFakeBinanceWs();
    cleanup.push(() => ws.close());
    const { fake, source, events, sink } = await setup(
      {},
      {
        streamUrl: ws.url,
        pollMs: 50,
        rateLimits: { weight: { limit: 100_000, windowMs: 60_000 } },
        streamOptions: { backoff: { initialMs: 400, maxMs: 400 }, random: () => 1 },
      },
    );
    await source.start(['BTCUSDT'], sink);
    await waitFor(() => source.streamHealth()?.connected === true, 'the stream');
    expect(ws.connectionLog()[0]!.streams.sort()).toEqual(
      ['btcusdt@aggTrade', 'btcusdt@bookTicker', 'btcusdt@depth@100ms', 'btcusdt@forceOrder', 'btcusdt@kline_1m', 'btcusdt@kline_1h', 'btcusdt@kline_1d', 'btcusdt@kline_1w', 'btcusdt@markPrice@1s'].sort(),
    );

    // Trades numbered like the fake's REST trades (one every 250 ms), so the gap fill continues them.
    const sendTrade = () => {
      const k = Math.floor(Date.now() / 250);
      ws.send('btcusdt@aggTrade', { e: 'aggTrade', E: k * 250, a: k, s: 'BTCUSDT', p: '60000.00', q: '0.010', f: 2 * k, l: 2 * k + 1, T: k * 250, m: false });
      return k;
    };
    const mark = { e: 'markPriceUpdate', E: Date.now(), s: 'BTCUSDT', p: '60001.00', i: '60000.00', P: '60000.50', r: '0.00010000', T: Date.now() + 3_600_000 };
    ws.send('btcusdt@markPrice@1s', mark);
    await sleep(20);
    const polledWhileConnected = to(fake, '/fapi/v1/premiumIndex').length;
    const streamIds = new Set<number>();
    for (let i = 0; i < 3; i++) {
      streamIds.add(sendTrade());
      await sleep(100);
    }
    const lastSent = Math.max(...streamIds);
    expect(to(fake, '/fapi/v1/premiumIndex').length, 'no REST mark prices while the stream is up').toBe(polledWhileConnected);
    expect(ofType(events, 'markPrice').some((e) => e.mark.markPrice === 60_001), 'the stream mark price').toBe(true);
    await waitFor(() => ofType(events, 'trade').length >= 1, 'stream trades');

    ws.dropAll();
    await waitFor(() => source.streamHealth()?.connected === false, 'the loss');
    await waitFor(() => to(fake, '/fapi/v1/premiumIndex').length >= polledWhileConnected + 3, 'REST fallback');
    expect(source.venues()[0]!.state, 'REST-only is degraded').toBe('DEGRADED');

    await waitFor(() => source.streamHealth()?.connected === true, 'the reconnect', 3_000);
    await waitFor(() => to(fake, '/fapi/v1/aggTrades').length > 0 && ofType(events, 'trade').length >= streamIds.size + 2, `the gap fill (${String(source.lastFailure())} ${JSON.stringify(to(fake, '/fapi/v1/aggTrades'))} ${JSON.stringify(ofType(events, 'trade').map((e) => e.trade.id))} ${lastSent})`);
    const fill = to(fake, '/fapi/v1/aggTrades')[0]!;
    expect(fill.query, 'continues after the last trade seen').toMatchObject({ symbol: 'BTCUSDT', fromId: String(lastSent + 1), limit: '1000' });
    const klines = to(fake, '/fapi/v1/klines').filter((r) => r.query.interval === '1m' && r.query.startTime !== undefined);
    expect(klines.length, '1m candles of the gap').toBe(1);
    expect(Number(klines[0]!.query.startTime) % 60_000, 'from the minute the gap began').toBe(0);

    await sleep(300);
    const after = sendTrade();
    await waitFor(() => ofType(events, 'trade').some((e) => e.trade.id === after), 'live trades again');
    const ids = ofType(events, 'trade').map((e) => e.trade.id);
    expect(ids.slice(0, streamIds.size), 'the stream trades first (a repeated id is pushed once)').toEqual([...streamIds]);
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!), 'strictly increasing ids: in order, none twice').toBe(true);
    const gap = ids.slice(streamIds.size, -1);
    expect(gap.length, 'the ~0.5 s gap holds a trade every 250 ms').toBeGreaterThanOrEqual(2);
    expect(gap, 'the gap is contiguous from the last trade seen').toEqual(gap.map((_, i) => lastSent + 1 + i));
    const polledAfter = to(fake, '/fapi/v1/premiumIndex').length;
    await sleep(200);
    expect(to(fake, '/fapi/v1/premiumIndex').length, 'REST mark prices stop again').toBe(polledAfter);
    expect(source.venues()[0]).toMatchObject({ state: 'OK', reconnects: 1 });
  });
});
