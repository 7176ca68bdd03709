import { mulberry32 } from '../../src/math/random.js';
/**
 * A venue-side order book for the fake Binance: the REST snapshot (`/fapi/v1/depth`) and the diff stream
 * (`<symbol>@depth@100ms`) come from the same book and the same update-id sequence, in Binance's wire format:
 * snapshot `{lastUpdateId, E, T, bids:[["px","qty"]], asks}`, diff
 * `{e:"depthUpdate", E, T, s, U, u, pu, b, a}` where `U..u` are the update ids the event covers and `pu` the
 * previous event's `u`. Fault injection: `dropNext(n)` advances the book without sending the next n diffs
 * (what a client sees when an event is lost), `sendCrossed()` sends a diff that crosses the book.
 */

export interface FakeDepthSender {
  send(stream: string, data: unknown): number;
}

export interface FakeDepthBook {
  symbol: string;
  stream: string;
  /** Snapshot of the best `limit` levels per side, as `/fapi/v1/depth` answers. */
  snapshot(limit: number, time?: number): unknown;
  /** Mutates the book and returns the diff describing it (not sent). */
  nextDiff(time?: number): WireDepthDiff;
  /** Next `count` diffs are computed (the book moves) but not sent. */
  dropNext(count: number): void;
  /** Sends one diff to `ws` (or drops it, see dropNext); returns it. */
  step(ws: FakeDepthSender, time?: number): WireDepthDiff;
  /** Sends a diff (correctly sequenced) that puts a bid above the best ask. */
  sendCrossed(ws: FakeDepthSender, time?: number): WireDepthDiff;
  /** Sends a diff every `everyMs` until the returned stop is called. */
  pump(ws: FakeDepthSender, everyMs: number): () => void;
  /** Levels now, best first (for assertions). */
  levels(): { bids: Array<[number, number]>; asks: Array<[number, number]> };
  lastUpdateId(): number;
  /** Diffs computed / sent / dropped. */
  counts(): { computed: number; sent: number; dropped: number };
}

export interface WireDepthDiff {
  e: 'depthUpdate';
  E: number;
  T: number;
  s: string;
  U: number;
  u: number;
  pu: number;
  b: Array<[string, string]>;
  a: Array<[string, string]>;
}

const rng = mulberry32;

export function createFakeDepthBook(options: { symbol: string; basePrice: number; tick?: number; levels?: number; seed?: number; firstUpdateId?: number }): FakeDepthBook {
  const { symbol, basePrice } = options;
  const tick = options.tick ?? (basePrice >= 1000 ? 0.1 : basePrice >= 10 ? 0.01 : 0.0001);
  const decimals = Math.max(0, Math.round(-Math.log10(tick)));
  const random = rng(options.seed ?? 7);
  const bids = new Map<number, number>();
  const asks = new Map<number, number>();
  const n = options.levels ?? 200;
  const toTicks = (p: number) => Math.round(p / tick);
  const mid = toTicks(basePrice);
  // Keys are integer ticks so no float drift; the wire carries price strings.
  for (let i = 1; i <= n; i++) {
    bids.set(mid - i, Math.round((1 + random() * 4) * 1000) / 1000);
    asks.set(mid + i, Math.round((1 + random() * 4) * 1000) / 1000);
  }
  let updateId = options.firstUpdateId ?? 1_000_000;
  let lastEventU = updateId;
  let toDrop = 0;
  const counts = { computed: 0, sent: 0, dropped: 0 };
  const px = (t: number) => (t * tick).toFixed(decimals);
  const qty = (q: number) => q.toFixed(3);
  const bestBid = () => Math.max(...bids.keys());
  const bestAsk = () => Math.min(...asks.keys());

  function diff(time: number, b: Array<[number, number]>, a: Array<[number, number]>): WireDepthDiff {
    const U = updateId + 1;
    updateId += 1 + Math.floor(random() * 4);
    const d: WireDepthDiff = { e: 'depthUpdate', E: time + 5, T: time, s: symbol, U, u: updateId, pu: lastEventU, b: b.map(([p, q]) => [px(p), qty(q)]), a: a.map(([p, q]) => [px(p), qty(q)]) };
    lastEventU = updateId;
    counts.computed += 1;
    return d;
  }

  function nextDiff(time = Date.now()): WireDepthDiff {
    const b: Array<[number, number]> = [];
    const a: Array<[number, number]> = [];
    const bb = bestBid();
    const ba = bestAsk();
    for (let k = 0; k < 3; k++) {
      const side = random() < 0.5;
      const depth = Math.floor(random() * 20);
      const book = side ? bids : asks;
      const level = side ? bb - depth : ba + depth;
      // Remove a level now and then (never the last one on a side), else set a new absolute size.
      const remove = random() < 0.2 && book.size > 2 && book.has(level);
      const q = remove ? 0 : Math.round((0.5 + random() * 5) * 1000) / 1000;
      if (q === 0) book.delete(level);
      else book.set(level, q);
      (side ? b : a).push([level, q]);
    }
    return diff(time, b, a);
  }

  function send(ws: FakeDepthSender, d: WireDepthDiff): WireDepthDiff {
    if (toDrop > 0) {
      toDrop -= 1;
      counts.dropped += 1;
      return d;
    }
    ws.send(`${symbol.toLowerCase()}@depth@100ms`, d);
    counts.sent += 1;
    return d;
  }

  const sortedSide = (m: Map<number, number>, desc: boolean) =>
    [...m.entries()].sort((x, y) => (desc ? y[0] - x[0] : x[0] - y[0])).map(([t, q]) => [Number(px(t)), q] as [number, number]);

  return {
    symbol,
    stream: `${symbol.toLowerCase()}@depth@100ms`,
    snapshot(limit, time = Date.now()) {
      const side = (m: Map<number, number>, desc: boolean) => sortedSide(m, desc).slice(0, limit).map(([p, q]) => [p.toFixed(decimals), qty(q)]);
      return { lastUpdateId: updateId, E: time + 3, T: time, bids: side(bids, true), asks: side(asks, false) };
    },
    nextDiff,
    dropNext(count) {
      toDrop += count;
    },
    step: (ws, time) => send(ws, nextDiff(time)),
    sendCrossed(ws, time = Date.now()) {
      const level = bestAsk() + 2;
      bids.set(level, 1);
      return send(ws, diff(time, [[level, 1]], []));
    },
    pump(ws, everyMs) {
      const timer = setInterval(() => send(ws, nextDiff()), everyMs);
      return () => clearInterval(timer);
    },
    levels: () => ({ bids: sortedSide(bids, true), asks: sortedSide(asks, false) }),
    lastUpdateId: () => updateId,
    counts: () => ({ ...counts }),
  };
}
