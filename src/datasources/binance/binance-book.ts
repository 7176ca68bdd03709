import { OrderBookStates, type OrderBook, type PriceLevel } from '../../domain/market.js';
import type { Logger } from '../../logger.js';
import type { BinanceDepth } from './schemas.js';
import type { BinanceWsDepthDiff } from './binance-stream-mapper.js';

/**
 * A local Binance USD-M order book kept from the diff-depth stream with the venue's documented procedure
 * ("How to manage a local order book correctly"):
 * 1. buffer the `<symbol>@depth@100ms` events as they arrive;
 * 2. fetch a snapshot from `/fapi/v1/depth` (its `lastUpdateId` = L);
 * 3. drop buffered events with `u < L`;
 * 4. the first event applied must satisfy `U <= L <= u` (otherwise the snapshot does not join the stream:
 *    fetch another one);
 * 5. from then on every event's `pu` must equal the previous event's `u`; otherwise a diff was missed:
 *    the book is discarded and the process restarts at step 2;
 * 6. quantities are absolute; quantity 0 removes the level (removing an absent level is normal).
 * In addition a book whose best bid is not below its best ask is discarded the same way (it cannot be right).
 * While not synced the book is published as SYNCING or GAP without levels, with the reason, so nothing
 * downstream serves it as valid.
 *
 * @see https://developers.binance.com/docs/derivatives/usds-margined-futures/websocket-market-streams/How-to-manage-a-local-order-book-correctly
 */

export interface LocalBookOptions {
  symbol: string;
  /** `/fapi/v1/depth` for this symbol (limit chosen by the caller). */
  fetchSnapshot: () => Promise<BinanceDepth>;
  /** Receives the book: SYNCED books at most every `publishEveryMs`, SYNCING/GAP markers at once. */
  onBook: (book: OrderBook) => void;
  now?: () => number;
  /** Least time between two published SYNCED books. Default 500. */
  publishEveryMs?: number;
  /** Levels per side in a published book (best first). Default 1000 (a 1000-level snapshot in full). */
  publishLevels?: number;
  /** Diffs buffered while waiting for a snapshot; the oldest are dropped beyond. Default 2000. */
  maxBuffered?: number;
  /** Wait before a re-sync snapshot, doubled per consecutive failure up to `maxResyncDelayMs`. Default 1000. */
  resyncDelayMs?: number;
  /** Default 30000. */
  maxResyncDelayMs?: number;
  logger?: Logger;
}

export interface LocalBookStats {
  /** Snapshots requested (the first one included). */
  snapshots: number;
  /** Snapshot requests that failed. */
  snapshotFailures: number;
  /** Times the book was discarded (sequence gap, crossed book, snapshot not joining the stream, reset). */
  resyncs: number;
  /** Diffs applied to a synced book. */
  applied: number;
  /** Books published (all states). */
  published: number;
}

export interface LocalBook {
  onDiff(diff: BinanceWsDepthDiff): void;
  /** Discards the book (e.g. the stream reconnected, so diffs were missed) and re-syncs. */
  reset(reason: string): void;
  state(): OrderBook['state'];
  /** The current book, or null while not synced. */
  book(): OrderBook | null;
  stats(): LocalBookStats;
  stop(): void;
}

type Side = Map<number, number>;

function applyLevels(side: Side, levels: ReadonlyArray<readonly [number, number, ...unknown[]]>): void {
  for (const [price, qty] of levels) {
    if (qty === 0) side.delete(price);
    else side.set(price, qty);
  }
}

function best(side: Side, bids: boolean): number | null {
  let out: number | null = null;
  for (const price of side.keys()) if (out === null || (bids ? price > out : price < out)) out = price;
  return out;
}

function sorted(side: Side, bids: boolean, limit: number): PriceLevel[] {
  const levels = [...side.entries()] as Array<[number, number]>;
  levels.sort(bids ? (x, y) => y[0] - x[0] : (x, y) => x[0] - y[0]);
  return (levels.length > limit ? levels.slice(0, limit) : levels) as PriceLevel[];
}

export function createLocalBook(options: LocalBookOptions): LocalBook {
  const { symbol, fetchSnapshot, onBook, logger } = options;
  const now = options.now ?? Date.now;
  const publishEveryMs = options.publishEveryMs ?? 500;
  const publishLevels = options.publishLevels ?? 1000;
  const maxBuffered = options.maxBuffered ?? 2000;
  const baseDelay = options.resyncDelayMs ?? 1000;
  const maxDelay = options.maxResyncDelayMs ?? 30_000;

  const bids: Side = new Map();
  const asks: Side = new Map();
  let synced = false;
  /** Snapshot applied, but no diff joined it yet (step 4 pending). */
  let awaitingFirst = false;
  let snapshotId = 0;
  let lastU = 0;
  let buffer: BinanceWsDepthDiff[] = [];
  let fetching = false;
  let timer: NodeJS.Timeout | null = null;
  let failures = 0;
  let lastPublished = 0;
  let lastTime = 0;
  let stopped = false;
  let state: NonNullable<OrderBook['state']> = OrderBookStates.SYNCING;
  let reason = 'waiting for the first depth diff and the snapshot';
  /** Bumped on every discard so a snapshot requested before it is not applied after it. */
  let epoch = 0;
  const stats: LocalBookStats = { snapshots: 0, snapshotFailures: 0, resyncs: 0, applied: 0, published: 0 };

  function publish(force: boolean): void {
    const t = now();
    if (!force && t - lastPublished < publishEveryMs) return;
    lastPublished = t;
    stats.published += 1;
    if (synced) onBook({ symbol, bids: sorted(bids, true, publishLevels), asks: sorted(asks, false, publishLevels), time: lastTime, state, updateId: lastU });
    else onBook({ symbol, bids: [], asks: [], time: lastTime || t, state, reason });
  }

  function discard(newState: typeof OrderBookStates.GAP | typeof OrderBookStates.SYNCING, why: string): void {
    epoch += 1;
    synced = false;
    awaitingFirst = false;
    bids.clear();
    asks.clear();
    state = newState;
    reason = why;
    stats.resyncs += 1;
    logger?.warn({ symbol, reason: why }, 'order book discarded; re-syncing');
    publish(true);
  }

  function scheduleSnapshot(delayMs: number): void {
    if (stopped || fetching || timer) return;
    timer = setTimeout(() => {
      timer = null;
      void takeSnapshot();
    }, delayMs);
    timer.unref?.();
  }

  async function takeSnapshot(): Promise<void> {
    if (stopped) return;
    fetching = true;
    stats.snapshots += 1;
    const myEpoch = epoch;
    let snap: BinanceDepth;
    try {
      snap = await fetchSnapshot();
    } catch (error) {
      fetching = false;
      stats.snapshotFailures += 1;
      failures += 1;
      logger?.warn({ err: error, symbol, failures }, 'order book snapshot failed');
      scheduleSnapshot(Math.min(maxDelay, baseDelay * 2 ** failures));
      return;
    }
    fetching = false;
    if (stopped) return;
    if (myEpoch !== epoch) {
      scheduleSnapshot(baseDelay);
      return;
    }
    failures = 0;
    const L = snap.lastUpdateId;
    bids.clear();
    asks.clear();
    applyLevels(bids, snap.bids);
    applyLevels(asks, snap.asks);
    snapshotId = L;
    lastU = L;
    lastTime = snap.T ?? snap.E ?? now();
    // Step 3: drop what the snapshot already contains.
    const pending = buffer.filter((d) => d.u >= L);
    buffer = [];
    const first = pending[0];
    if (first !== undefined && first.U > L) {
      // Step 4 failed: diffs between the snapshot and the buffer are missing (snapshot older than the buffer).
      buffer = pending;
      bids.clear();
      asks.clear();
      state = OrderBookStates.SYNCING;
      reason = `snapshot lastUpdateId ${L} is older than the first buffered diff (U ${first.U}); fetching another`;
      stats.resyncs += 1;
      publish(true);
      scheduleSnapshot(baseDelay);
      return;
    }
    synced = true;
    awaitingFirst = true;
    state = OrderBookStates.SYNCED;
    for (const d of pending) {
      apply(d);
      if (!synced) return;
    }
    // A SYNCED book is published only once a diff has joined the snapshot (awaitingFirst cleared in apply).
  }

  function apply(d: BinanceWsDepthDiff): void {
    if (d.u < lastU || (!awaitingFirst && d.u === lastU)) return; // already contained
    const joining = awaitingFirst;
    if (awaitingFirst) {
      if (!(d.U <= snapshotId && d.u >= snapshotId)) {
        buffer = [d];
        discard(OrderBookStates.GAP, `first diff after the snapshot (U ${d.U}, u ${d.u}) does not cover its lastUpdateId ${snapshotId}`);
        scheduleSnapshot(baseDelay);
        return;
      }
      awaitingFirst = false;
    } else if (d.pu !== lastU) {
      buffer = [d];
      discard(OrderBookStates.GAP, `sequence gap: diff pu ${d.pu} does not follow the last applied u ${lastU}`);
      scheduleSnapshot(baseDelay);
      return;
    }
    applyLevels(bids, d.b);
    applyLevels(asks, d.a);
    lastU = d.u;
    lastTime = d.T ?? d.E;
    stats.applied += 1;
    const bid = best(bids, true);
    const ask = best(asks, false);
    if (bid !== null && ask !== null && bid >= ask) {
      buffer = [];
      discard(OrderBookStates.GAP, `crossed book after update ${d.u}: best bid ${bid} >= best ask ${ask}`);
      scheduleSnapshot(baseDelay);
      return;
    }
    publish(joining);
  }

  return {
    onDiff(d) {
      if (stopped) return;
      if (synced) {
        apply(d);
        return;
      }
      buffer.push(d);
      if (buffer.length > maxBuffered) buffer.splice(0, buffer.length - maxBuffered);
      scheduleSnapshot(0);
    },
    reset(why) {
      if (stopped) return;
      buffer = [];
      discard(OrderBookStates.GAP, why);
      // The next diff schedules the snapshot (buffer first, as the procedure says).
    },
    state: () => (awaitingFirst ? OrderBookStates.SYNCING : state),
    book: () => (synced && !awaitingFirst ? { symbol, bids: sorted(bids, true, publishLevels), asks: sorted(asks, false, publishLevels), time: lastTime, state, updateId: lastU } : null),
    stats: () => ({ ...stats }),
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
