import { afterEach, describe, expect, it } from 'vitest';
import { createBinanceSource, type BinanceSourceOptions } from '../../src/datasources/binance/binance-source.js';
import { isUsableBook, type MarketEvent, type OrderBook } from '../../src/domain/market.js';
import { startFakeBinance } from '../support/fake-binance.js';
import { startFakeBinanceWs } from '../support/fake-binance-ws.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.shift()!();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function waitFor(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

async function setup(options: Partial<BinanceSourceOptions> = {}) {
  const fake = await startFakeBinance({ symbols: ['BTCUSDT'] });
  const ws = await startFakeBinanceWs();
  const source = createBinanceSource({
    fapiUrl: fake.url,
    streamUrl: ws.url,
    timeoutMs: 1_000,
    candleIntervals: ['1m'],
    candleBackfill: 5,
    fundingBackfill: 5,
    rateLimits: { weight: { limit: 100_000, windowMs: 60_000 } },
    orderBook: { snapshotLimit: 1000, publishEveryMs: 0, resyncDelayMs: 20 },
    streamOptions: { backoff: { initialMs: 100, maxMs: 100 }, random: () => 1 },
    ...options,
  });
  cleanup.push(() => source.stop(), () => ws.close(), () => fake.close());
  const books: OrderBook[] = [];
  const sink = (e: MarketEvent) => {
    if (e.type === 'orderBook') books.push(e.book);
  };
  await source.start(['BTCUSDT'], sink);
  await waitFor(() => ws.connections() === 1, 'the stream');
  const venue = fake.depthBook('BTCUSDT');
  const snapshots = () => fake.requests.filter((r) => r.path === '/fapi/v1/depth').length;
  return { fake, ws, source, books, venue, snapshots };
}

/** The published book equals the venue's book (every level, both sides). */
function expectSameBook(book: OrderBook, venue: { bids: Array<[number, number]>; asks: Array<[number, number]> }, why: string) {
  expect(book.bids.map(([p, q]) => [p, q]), `${why}: bids`).toEqual(venue.bids);
  expect(book.asks.map(([p, q]) => [p, q]), `${why}: asks`).toEqual(venue.asks);
}

describe('binance local order book against the fake venue', () => {
  it('syncs from the snapshot plus buffered diffs and follows the venue book exactly', async () => {
    const { ws, books, venue, snapshots, source } = await setup();
    expect(ws.connectionLog()[0]?.streams, 'diff-depth stream subscribed').toContain('btcusdt@depth@100ms');
    // Diffs flow before (buffered) and after the snapshot.
    for (let i = 0; i < 5; i++) venue.step(ws);
    await waitFor(() => books.some((b) => b.state === 'SYNCED'), 'a synced book');
    for (let i = 0; i < 30; i++) venue.step(ws);
    await waitFor(() => books.at(-1)?.updateId === venue.lastUpdateId(), 'the last diff applied');
    const last = books.at(-1)!;
    expect(last.state).toBe('SYNCED');
    expect(isUsableBook(last)).toBe(true);
    expectSameBook(last, venue.levels(), 'after 35 diffs');
    expect(snapshots(), 'one snapshot').toBe(1);
    expect(source.bookStats().BTCUSDT).toMatchObject({ snapshots: 1, resyncs: 0 });
  });

  it('a dropped diff is a sequence gap: the book is served as GAP (no levels) and re-synced from a new snapshot', async () => {
    const { ws, books, venue, snapshots, source } = await setup();
    for (let i = 0; i < 3; i++) venue.step(ws);
    await waitFor(() => books.some((b) => b.state === 'SYNCED'), 'a synced book');
    venue.dropNext(1);
    venue.step(ws); // dropped
    const afterDrop = venue.step(ws); // pu points at the dropped diff's u
    await waitFor(() => books.some((b) => b.state === 'GAP'), 'the gap reported');
    const gap = books.find((b) => b.state === 'GAP')!;
    expect(gap.bids, 'no levels served from a gapped book').toEqual([]);
    expect(gap.asks).toEqual([]);
    expect(gap.reason).toContain(`pu ${afterDrop.pu}`);
    expect(isUsableBook(gap)).toBe(false);
    // Every SYNCED book published between the drop and the gap report would be stale: there is none.
    const gapIndex = books.indexOf(gap);
    expect(books.slice(0, gapIndex).every((b) => b.updateId === undefined || b.updateId < afterDrop.U), 'nothing newer than the drop served as synced').toBe(true);
    for (let i = 0; i < 10; i++) venue.step(ws);
    await waitFor(() => books.at(-1)?.state === 'SYNCED' && books.at(-1)?.updateId === venue.lastUpdateId(), 're-synced to the latest diff', 5_000);
    expectSameBook(books.at(-1)!, venue.levels(), 'after the re-sync');
    expect(snapshots(), 'a second snapshot').toBe(2);
    expect(source.bookStats().BTCUSDT?.resyncs).toBe(1);
  });

  it('a crossed book is never served: discarded and re-synced', async () => {
    const { ws, books, venue } = await setup();
    for (let i = 0; i < 3; i++) venue.step(ws);
    await waitFor(() => books.some((b) => b.state === 'SYNCED'), 'a synced book');
    const before = books.length;
    venue.sendCrossed(ws);
    await waitFor(() => books.slice(before).some((b) => b.state === 'GAP'), 'the crossed book discarded');
    expect(books.slice(before).find((b) => b.state === 'GAP')?.reason).toMatch(/crossed book/);
    for (const b of books) if (b.state === 'SYNCED') expect(b.bids[0]![0], 'no synced book is crossed').toBeLessThan(b.asks[0]![0]);
  });

  it('a stream reconnect discards the book (diffs were missed) and re-syncs', async () => {
    const { ws, books, venue, snapshots } = await setup();
    for (let i = 0; i < 3; i++) venue.step(ws);
    await waitFor(() => books.some((b) => b.state === 'SYNCED'), 'a synced book');
    ws.dropAll();
    for (let i = 0; i < 3; i++) venue.step(ws); // lost: nobody connected
    await waitFor(() => books.some((b) => b.state === 'GAP' && /reconnected/.test(b.reason ?? '')), 'reset on reconnect');
    await waitFor(() => ws.connections() === 1, 'reconnected');
    const stop = venue.pump(ws, 10);
    cleanup.unshift(async () => stop());
    await waitFor(() => books.at(-1)?.state === 'SYNCED', 're-synced');
    stop();
    await sleep(50);
    await waitFor(() => books.at(-1)?.updateId === venue.lastUpdateId(), 'caught up');
    expectSameBook(books.at(-1)!, venue.levels(), 'after the reconnect');
    expect(snapshots()).toBe(2);
  });
});
