import { afterEach, describe, expect, it } from 'vitest';
import { createBinanceStream, type BinanceStream, type BinanceStreamOptions, type StreamGap } from '../../src/datasources/binance/binance-stream.js';
import { parseStreamMessage } from '../../src/datasources/binance/binance-stream-mapper.js';
import { startFakeBinanceWs, type FakeBinanceWs } from '../support/fake-binance-ws.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

const STREAMS = ['btcusdt@aggTrade', 'btcusdt@markPrice@1s', 'ethusdt@aggTrade'];

async function waitFor(condition: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const aggTrade = (symbol: string, id: number) => ({
  e: 'aggTrade', E: 1_700_000_000_000 + id, a: id, s: symbol, p: '100.5', q: '2', f: id, l: id, T: 1_700_000_000_000 + id, m: id % 2 === 0,
});

async function setup(options: Partial<BinanceStreamOptions> = {}, { start = true } = {}) {
  const fake = await startFakeBinanceWs();
  cleanup.push(() => fake.close());
  const messages: unknown[] = [];
  const gaps: StreamGap[] = [];
  const stream = createBinanceStream({
    url: fake.url,
    streams: STREAMS,
    onMessage: (msg) => void messages.push(msg),
    onReconnect: (gap) => void gaps.push(gap),
    backoff: { initialMs: 100, maxMs: 1_000 },
    random: () => 1, // no jitter: delays are exactly initialMs · 2^n
    ...options,
  });
  cleanup.push(() => stream.stop()); // runs before fake.close()
  if (start) await stream.start();
  return { fake, stream, messages, gaps };
}

/** Trade ids received, in order. */
const tradeIds = (messages: unknown[]) =>
  messages.flatMap((m) => parseStreamMessage(m)).flatMap((e) => (e.type === 'trade' ? [e.trade.id] : []));

const accepted = (fake: FakeBinanceWs) => fake.handshakes().filter((h) => h.status === 101);

describe('binance stream: subscription', () => {
  it('connects once to /stream?streams=... and receives {stream, data} for the subscribed streams only', async () => {
    const { fake, stream, messages } = await setup();
    expect(fake.connections()).toBe(1);
    expect(fake.connectionLog()[0]?.streams, 'all streams in the URL').toEqual(STREAMS);
    expect(fake.handshakes()[0]?.path).toBe(`/stream?streams=${STREAMS.join('/')}`);

    expect(fake.send('btcusdt@aggTrade', aggTrade('BTCUSDT', 1))).toBe(1);
    expect(fake.send('solusdt@aggTrade', aggTrade('SOLUSDT', 2)), 'not subscribed').toBe(0);
    expect(fake.send('ethusdt@aggTrade', aggTrade('ETHUSDT', 3))).toBe(1);
    await waitFor(() => messages.length === 2, 'two messages');

    expect(messages[0], 'the combined-stream envelope as sent').toEqual({ stream: 'btcusdt@aggTrade', data: aggTrade('BTCUSDT', 1) });
    expect(tradeIds(messages)).toEqual([1, 3]);
    const health = stream.health();
    expect(health).toMatchObject({ connected: true, reconnects: 0, sockets: 1, lastError: null, handlerErrors: 0 });
    expect(health.lastMessageAt).toBeGreaterThan(0);
  });

  it('spreads streams over several connections when they exceed maxStreamsPerConnection', async () => {
    const streams = ['a@aggTrade', 'b@aggTrade', 'c@aggTrade', 'd@aggTrade', 'e@aggTrade'];
    const { fake, stream, messages } = await setup({ streams, maxStreamsPerConnection: 2 });
    expect(fake.connections()).toBe(3);
    expect(fake.connectionLog().map((c) => c.streams).sort()).toEqual([['a@aggTrade', 'b@aggTrade'], ['c@aggTrade', 'd@aggTrade'], ['e@aggTrade']]);
    streams.forEach((s, i) => expect(fake.send(s, aggTrade('X', i)), s).toBe(1));
    await waitFor(() => messages.length === 5, 'one message per stream');
    expect(tradeIds(messages).sort()).toEqual([0, 1, 2, 3, 4]);
    expect(stream.health()).toMatchObject({ connected: true, sockets: 3 });
  });

  it('start() keeps retrying refused handshakes and resolves once connected (not a reconnect)', async () => {
    const fake = await startFakeBinanceWs();
    cleanup.push(() => fake.close());
    fake.rejectNext(2);
    const gaps: StreamGap[] = [];
    const stream = createBinanceStream({ url: fake.url, streams: STREAMS, onMessage: () => {}, onReconnect: (g) => void gaps.push(g), backoff: { initialMs: 50, maxMs: 500 }, random: () => 1 });
    cleanup.push(() => stream.stop());
    await stream.start();
    expect(fake.handshakes().map((h) => h.status)).toEqual([503, 503, 101]);
    expect(stream.health()).toMatchObject({ connected: true, reconnects: 0 });
    expect(gaps, 'nothing was ever received, so there is no gap to backfill').toEqual([]);
  });
});

describe('binance stream: reconnect', () => {
  it('after dropAll() reconnects after initialMs, re-subscribes the same streams and reports the gap since the last message', async () => {
    let clock = 1_000_000;
    const { fake, stream, messages, gaps } = await setup({ now: () => clock });
    fake.send('btcusdt@aggTrade', aggTrade('BTCUSDT', 1));
    await waitFor(() => messages.length === 1, 'first message');
    expect(stream.health().lastMessageAt).toBe(1_000_000);

    clock = 1_005_000;
    const droppedAt = Date.now();
    fake.dropAll();
    await waitFor(() => gaps.length === 1, 'onReconnect');

    const [first, second] = accepted(fake);
    expect(second!.at - droppedAt, 'waited the first backoff step (100 ms)').toBeGreaterThanOrEqual(95);
    expect(second!.at - droppedAt, 'but not much longer').toBeLessThan(600);
    expect(second!.path, 're-subscribed the same streams').toBe(first!.path);
    expect(fake.connectionLog()[1]?.streams).toEqual(STREAMS);
    expect(gaps[0], 'from = when the last message arrived, to = when the new connection opened').toEqual({ from: 1_000_000, to: 1_005_000, streams: STREAMS });
    expect(stream.health()).toMatchObject({ connected: true, reconnects: 1 });

    fake.send('ethusdt@aggTrade', aggTrade('ETHUSDT', 2));
    await waitFor(() => messages.length === 2, 'a message on the new connection');
    expect(tradeIds(messages)).toEqual([1, 2]);
  });

  it('backs off exponentially while refused (100, 200, 400 ms) and starts over after a healthy connection', async () => {
    const { fake, stream, messages } = await setup();
    fake.send('btcusdt@aggTrade', aggTrade('BTCUSDT', 1));
    await waitFor(() => messages.length === 1, 'first message');

    fake.rejectNext(2);
    const droppedAt = Date.now();
    fake.dropAll();
    await waitFor(() => stream.health().reconnects === 1, 'reconnected', 5_000);
    const attempts = fake.handshakes().slice(1);
    expect(attempts.map((h) => h.status)).toEqual([503, 503, 101]);
    const times = [droppedAt, ...attempts.map((h) => h.at)];
    const waits = times.slice(1).map((t, i) => t - times[i]!);
    waits.forEach((w, i) => {
      const expected = 100 * 2 ** i;
      expect(w, `wait ${i + 1} ≈ ${expected} ms`).toBeGreaterThanOrEqual(expected - 5);
      expect(w, `wait ${i + 1} ≈ ${expected} ms`).toBeLessThan(expected + 250);
    });
    expect(stream.health().lastError, 'the refusal is reported').toContain('503');

    // A message proves the new connection healthy: the next loss waits initialMs again, not 800 ms.
    fake.send('btcusdt@aggTrade', aggTrade('BTCUSDT', 2));
    await waitFor(() => messages.length === 2, 'second message');
    const droppedAgain = Date.now();
    fake.dropAll();
    await waitFor(() => stream.health().reconnects === 2, 'reconnected again');
    expect(fake.handshakes().at(-1)!.at - droppedAgain).toBeLessThan(400);
  });

  it('terminates and replaces a connection that goes silent (no data, no pongs)', async () => {
    const { fake, stream, messages, gaps } = await setup({ staleAfterMs: 200 });
    fake.send('btcusdt@aggTrade', aggTrade('BTCUSDT', 1));
    await waitFor(() => messages.length === 1, 'first message');
    const lastMessageAt = stream.health().lastMessageAt;

    fake.silenceAll();
    const silencedAt = Date.now();
    await waitFor(() => gaps.length === 1, 'reconnect after staleness');
    const old = fake.connectionLog()[0]!;
    // Staleness counts from the last frame the client received, which may precede silenceAll() by a few ms under load.
    expect(old.closedAt! - lastMessageAt!, 'given up after staleAfterMs (+ one watchdog tick)').toBeGreaterThanOrEqual(190);
    expect(old.closedAt! - silencedAt, 'and not long after').toBeLessThan(1_000);
    expect(old.pings, 'a heartbeat ping was tried first').toBeGreaterThanOrEqual(1);
    expect(stream.health().lastError).toMatch(/^stale: no frame for \d+ ms$/);
    expect(gaps[0]?.from).toBe(lastMessageAt);

    fake.send('btcusdt@aggTrade', aggTrade('BTCUSDT', 2));
    await waitFor(() => messages.length === 2, 'a message on the replacement');
    expect(stream.health()).toMatchObject({ connected: true, reconnects: 1 });
  });

  it('keeps a quiet but live connection: heartbeat pings are answered, so no reconnect', async () => {
    const { fake, stream } = await setup({ staleAfterMs: 150 });
    await sleep(700);
    expect(fake.connectionLog(), 'still the first connection').toHaveLength(1);
    expect(fake.connectionLog()[0]!.pings, 'pinged after staleAfterMs / 2 of quiet, repeatedly').toBeGreaterThanOrEqual(3);
    expect(stream.health()).toMatchObject({ connected: true, reconnects: 0, lastError: null });
  });
});

describe('binance stream: keep-alive and rotation', () => {
  it('answers a server ping with a pong carrying the same payload', async () => {
    const { fake } = await setup();
    fake.pingAll('are-you-there');
    await waitFor(() => (fake.connectionLog()[0]?.pongs.length ?? 0) > 0, 'a pong');
    expect(fake.connectionLog()[0]?.pongs).toEqual(['are-you-there']);
  });

  it('rotates before the connection ages out with no gap: every message sent arrives exactly once', async () => {
    const { fake, stream, messages, gaps } = await setup({ rotateAfterMs: 120, rotateOverlapMs: 30 });
    const reach: number[] = [];
    let id = 0;
    const sender = setInterval(() => {
      id += 1;
      reach.push(fake.send('btcusdt@aggTrade', aggTrade('BTCUSDT', id)));
    }, 2);
    await sleep(700);
    clearInterval(sender);
    const sent = id;
    await waitFor(() => new Set(tradeIds(messages)).size === sent, `all ${sent} messages`);

    expect(fake.connectionLog().length, 'rotated several times').toBeGreaterThanOrEqual(4);
    expect(Math.min(...reach), 'some connection was subscribed at every send').toBeGreaterThanOrEqual(1);
    expect(Math.max(...reach), 'sent over two connections during overlaps').toBe(2);
    const ids = tradeIds(messages);
    expect(ids.length, 'duplicates from the overlap were dropped').toBe(sent);
    expect(gaps, 'a rotation is not a reconnect').toEqual([]);
    expect(stream.health()).toMatchObject({ connected: true, reconnects: 0, lastError: null });
    expect(stream.health().rotations).toBe(fake.connectionLog().length - 1);
    for (const c of fake.connectionLog().slice(0, -2)) expect(c.closedAt, `connection ${c.id} was closed`).not.toBeNull();
  });
});

describe('binance stream: handlers and stop', () => {
  it('logs and counts an onMessage exception and keeps delivering', async () => {
    const seen: unknown[] = [];
    const { fake, stream } = await setup({
      onMessage: (msg) => {
        seen.push(msg);
        if (seen.length === 1) throw new Error('consumer bug');
      },
    });
    fake.send('btcusdt@aggTrade', aggTrade('BTCUSDT', 1));
    fake.send('btcusdt@aggTrade', aggTrade('BTCUSDT', 2));
    await waitFor(() => seen.length === 2, 'both messages');
    expect(stream.health()).toMatchObject({ handlerErrors: 1, connected: true, reconnects: 0 });
  });

  it('drops and counts a frame that is not JSON, keeping the connection', async () => {
    const { fake, stream, messages } = await setup();
    expect(fake.sendRaw('{"stream":"btcusdt@aggTrade","data":')).toBe(1);
    fake.send('btcusdt@aggTrade', aggTrade('BTCUSDT', 7));
    await waitFor(() => messages.length === 1, 'the valid message');
    expect(tradeIds(messages)).toEqual([7]);
    expect(stream.health()).toMatchObject({ badMessages: 1, handlerErrors: 0, connected: true, reconnects: 0 });
  });

  it('stop() closes every connection and nothing reconnects afterwards', async () => {
    const { fake, stream } = await setup({ streams: ['a@aggTrade', 'b@aggTrade', 'c@aggTrade'], maxStreamsPerConnection: 1 });
    expect(fake.connections()).toBe(3);
    await stream.stop();
    await waitFor(() => fake.connections() === 0, 'all closed');
    const handshakes = fake.handshakes().length;
    await sleep(400);
    expect(fake.handshakes().length, 'no reconnect after stop').toBe(handshakes);
    expect(stream.health()).toMatchObject({ connected: false, sockets: 0 });
    await stream.stop(); // idempotent
  });

  it('stop() during a pending reconnect cancels it; messages after stop are not delivered', async () => {
    const { fake, stream, messages } = await setup();
    fake.dropAll();
    await waitFor(() => fake.connections() === 0, 'dropped');
    await stream.stop();
    await sleep(400);
    expect(fake.handshakes(), 'only the first connection').toHaveLength(1);
    expect(messages).toEqual([]);
  });

  it('stop() before the first connection rejects start()', async () => {
    const { fake, stream } = await setup({}, { start: false });
    fake.rejectNext(1_000);
    const starting = stream.start();
    await waitFor(() => fake.handshakes().length >= 1, 'a refused attempt');
    await stream.stop();
    await expect(starting).rejects.toThrow('stopped before');
  });
});
