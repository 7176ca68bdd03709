import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../../src/db/logger.js';
import type { SnapshotRow, SnapshotStore } from '../../src/db/snapshot-repository.js';
import { createSnapshotWriter, type SnapshotWriter } from '../../src/engine/snapshot-writer.js';

function row(i: number): SnapshotRow {
  return { kind: 'FUNDING', symbol: 'BTCUSDT', asOf: 1_700_000_000_000 + i, methodologyVersion: 'funding/1', source: 'SIMULATED', venue: 'sim', payload: { i } };
}

const ids = (rows: readonly SnapshotRow[]) => rows.map((r) => (r.payload as { i: number }).i);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);

/** In-memory store that can be switched to fail, or held mid-write to observe what happens meanwhile. */
function fakeStore() {
  const written: SnapshotRow[] = [];
  const batches: number[] = [];
  let attempts = 0;
  let failure: Error | null = null;
  let gate: { promise: Promise<void>; release: () => void } | null = null;
  let active = 0;
  let maxActive = 0;
  const store: SnapshotStore & Record<string, unknown> = {
    async insertMany(rows) {
      attempts += 1;
      active += 1;
      maxActive = Math.max(maxActive, active);
      try {
        const copy = [...rows];
        if (gate) await gate.promise;
        if (failure) throw failure;
        written.push(...copy);
        batches.push(copy.length);
        return copy.length;
      } finally {
        active -= 1;
      }
    },
    async query() {
      return [];
    },
    async firstPerBar() {
      return [];
    },
    async page() {
      return { rows: [], hasNextPage: false };
    },
  };
  return {
    store,
    written,
    batches,
    get attempts() {
      return attempts;
    },
    get maxActive() {
      return maxActive;
    },
    fail(message = 'database unreachable') {
      failure = new Error(message);
    },
    recover() {
      failure = null;
    },
    hold() {
      let release!: () => void;
      const promise = new Promise<void>((resolve) => (release = resolve));
      gate = { promise, release };
    },
    release() {
      const g = gate;
      gate = null;
      g?.release();
    },
  };
}

function recordingLogger() {
  const calls: { level: string; obj: Record<string, unknown>; msg: string | undefined }[] = [];
  const at = (level: string) => (obj: object, msg?: string) => void calls.push({ level, obj: obj as Record<string, unknown>, msg });
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, calls };
}

describe('snapshot writer', () => {
  let writer: SnapshotWriter | undefined;

  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(async () => {
    await writer?.stop();
    writer = undefined;
    vi.useRealTimers();
  });

  it('writes buffered rows in batches of batchSize, in enqueue order', async () => {
    const db = fakeStore();
    writer = createSnapshotWriter({ store: db.store, flushEveryMs: 1_000, maxBuffered: 100, batchSize: 3 });
    for (const i of range(0, 7)) writer.enqueue(row(i));
    expect(writer.stats().buffered).toBe(7);

    await writer.flush();

    expect(db.batches, '7 rows at 3 per batch').toEqual([3, 3, 1]);
    expect(ids(db.written)).toEqual(range(0, 7));
    expect(writer.stats()).toEqual({ buffered: 0, written: 7, dropped: 0, failedFlushes: 0, lastError: null, failing: false });
  });

  it('flushes on the timer every flushEveryMs, not before', async () => {
    const db = fakeStore();
    writer = createSnapshotWriter({ store: db.store, flushEveryMs: 1_000, maxBuffered: 100 });
    writer.enqueue(row(0));
    writer.enqueue(row(1));

    await vi.advanceTimersByTimeAsync(999);
    expect(db.attempts, 'nothing before the first tick').toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(db.batches, 'both rows in one batch at t=1000').toEqual([2]);

    writer.enqueue(row(2));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(ids(db.written)).toEqual([0, 1, 2]);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(db.attempts, 'an empty buffer costs no store call').toBe(2);
  });

  it('keeps rows through an outage and writes all of them, in order, once the store is back', async () => {
    const db = fakeStore();
    const { logger, calls } = recordingLogger();
    writer = createSnapshotWriter({ store: db.store, flushEveryMs: 1_000, maxBuffered: 100, batchSize: 4, logger });
    db.fail('connect ECONNREFUSED 127.0.0.1:5432');
    for (const i of range(0, 5)) writer.enqueue(row(i));

    await writer.flush();
    expect(writer.stats()).toEqual({ buffered: 5, written: 0, dropped: 0, failedFlushes: 1, lastError: 'connect ECONNREFUSED 127.0.0.1:5432', failing: true });
    expect(calls.filter((c) => c.level === 'warn').map((c) => c.obj.buffered), 'the failure is logged with what is kept').toEqual([5]);

    for (const i of range(5, 8)) writer.enqueue(row(i));
    await writer.flush();
    expect(writer.stats().failedFlushes).toBe(2);
    expect(writer.stats().buffered).toBe(8);

    db.recover();
    await writer.flush();
    expect(ids(db.written), 'nothing lost, nothing reordered').toEqual(range(0, 8));
    expect(db.batches).toEqual([4, 4]);
    expect(writer.stats()).toEqual({ buffered: 0, written: 8, dropped: 0, failedFlushes: 2, lastError: 'connect ECONNREFUSED 127.0.0.1:5432', failing: false });
    expect(calls.some((c) => c.level === 'info' && c.msg === 'snapshot store recovered')).toBe(true);
  });

  it('backs off exponentially while the store fails, capped, and returns to the normal pace after a success', async () => {
    const db = fakeStore();
    writer = createSnapshotWriter({ store: db.store, flushEveryMs: 1_000, maxBuffered: 100, maxBackoffMs: 4_000 });
    db.fail();
    writer.enqueue(row(0));

    const attemptTimes: number[] = [];
    let seen = 0;
    for (let t = 1; t <= 20_000; t += 1) {
      await vi.advanceTimersByTimeAsync(1);
      if (db.attempts > seen) {
        seen = db.attempts;
        attemptTimes.push(t);
      }
      if (t === 14_000) {
        db.recover();
        writer.enqueue(row(1));
      }
    }
    // Ticks: 1000 (fail), +2000 = 3000 (fail), +4000 = 7000 (fail), +4000 capped = 11000 (fail), +4000 = 15000
    // (recovers), then every 1000 again, but only when there is something to write.
    expect(attemptTimes.slice(0, 5)).toEqual([1_000, 3_000, 7_000, 11_000, 15_000]);
    expect(attemptTimes.length, 'nothing buffered after the recovery').toBe(5);
    expect(writer.stats().written).toBe(2);

    writer.enqueue(row(2));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(writer.stats().written, 'back to flushEveryMs after a success').toBe(3);
  });

  it('drops exactly the oldest rows beyond maxBuffered, counts them and logs the count', async () => {
    const db = fakeStore();
    const { logger, calls } = recordingLogger();
    writer = createSnapshotWriter({ store: db.store, flushEveryMs: 1_000, maxBuffered: 5, logger });
    db.fail();
    for (const i of range(0, 8)) writer.enqueue(row(i));
    expect(writer.stats().buffered).toBe(5);
    expect(writer.stats().dropped, '8 enqueued into 5 slots').toBe(3);

    await writer.flush();
    const drops = calls.filter((c) => c.level === 'warn' && typeof c.obj.dropped === 'number');
    expect(drops.map((c) => c.obj.dropped), 'one warning carrying the count').toEqual([3]);

    db.recover();
    await writer.flush();
    expect(ids(db.written), 'the newest five survive').toEqual([3, 4, 5, 6, 7]);
    expect(writer.stats()).toMatchObject({ buffered: 0, written: 5, dropped: 3 });
  });

  it('when a failed batch comes back to a full buffer, it is the oldest and is dropped first', async () => {
    const db = fakeStore();
    writer = createSnapshotWriter({ store: db.store, flushEveryMs: 60_000, maxBuffered: 4, batchSize: 2 });
    for (const i of range(0, 4)) writer.enqueue(row(i));
    db.hold();
    db.fail();
    const pending = writer.flush(); // rows 0,1 in flight; 2,3 waiting
    await vi.advanceTimersByTimeAsync(0);
    for (const i of range(4, 7)) writer.enqueue(row(i)); // 2..6 waiting: 2 dropped
    expect(writer.stats()).toMatchObject({ buffered: 6, dropped: 1 });

    db.release();
    await pending; // 0,1 failed and return to the front: [0,1,3,4,5,6] trimmed to 4
    expect(writer.stats()).toMatchObject({ buffered: 4, dropped: 3, failedFlushes: 1 });

    db.recover();
    await writer.flush();
    expect(ids(db.written)).toEqual([3, 4, 5, 6]);
  });

  it('never runs two store writes at once, however often flush is asked for', async () => {
    const db = fakeStore();
    writer = createSnapshotWriter({ store: db.store, flushEveryMs: 100, maxBuffered: 100, batchSize: 2 });
    for (const i of range(0, 3)) writer.enqueue(row(i));
    db.hold();
    const first = writer.flush();
    await vi.advanceTimersByTimeAsync(0);
    writer.enqueue(row(3));
    const second = writer.flush();
    const third = writer.flush();
    await vi.advanceTimersByTimeAsync(1_000); // ten timer ticks while the write hangs
    expect(db.attempts, 'still the first write only').toBe(1);

    db.release();
    await Promise.all([first, second, third]);
    expect(db.maxActive).toBe(1);
    expect(ids(db.written)).toEqual([0, 1, 2, 3]);
    expect(db.batches).toEqual([2, 2]);
  });

  it('stop() makes a final flush, stops the timer and refuses later rows', async () => {
    const db = fakeStore();
    const w = createSnapshotWriter({ store: db.store, flushEveryMs: 60_000, maxBuffered: 100 });
    for (const i of range(0, 3)) w.enqueue(row(i));

    const final = await w.stop();
    expect(ids(db.written)).toEqual([0, 1, 2]);
    expect(final).toEqual({ buffered: 0, written: 3, dropped: 0, failedFlushes: 0, lastError: null, failing: false });

    w.enqueue(row(3));
    await vi.advanceTimersByTimeAsync(120_000);
    expect(db.attempts, 'no timer after stop').toBe(1);
    expect(w.stats().dropped, 'a row after stop is counted, not silently ignored').toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stop() reports what could not be written when the store is down', async () => {
    const db = fakeStore();
    const { logger, calls } = recordingLogger();
    const w = createSnapshotWriter({ store: db.store, flushEveryMs: 60_000, maxBuffered: 100, logger });
    db.fail('terminating connection due to administrator command');
    for (const i of range(0, 3)) w.enqueue(row(i));

    const final = await w.stop();
    expect(final).toEqual({ buffered: 3, written: 0, dropped: 0, failedFlushes: 1, lastError: 'terminating connection due to administrator command', failing: true });
    const error = calls.find((c) => c.level === 'error');
    expect(error?.obj.unwritten, 'the shutdown log names the count').toBe(3);
  });

  it('rejects nonsensical settings up front', () => {
    const db = fakeStore();
    expect(() => createSnapshotWriter({ store: db.store, flushEveryMs: 0, maxBuffered: 10 })).toThrow(/flushEveryMs must be a positive integer \(got 0\)/);
    expect(() => createSnapshotWriter({ store: db.store, flushEveryMs: 10, maxBuffered: 10, batchSize: 1.5 })).toThrow(/batchSize/);
  });
});
