import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createFearGreedSource, type FearGreedSourceOptions } from '../../src/datasources/alternative-me/fng-source.js';
import type { FearGreed, GlobalEvent } from '../../src/domain/market.js';
import { startFakeFng, type FakeFngOptions } from '../support/fake-fng.js';

const HISTORY_FILE = '../shared/data/sentiment/fear-greed/alternative-me-fng-daily-2018-02-01_2026-02-24.csv';
const DAY_MS = 86_400_000;

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

async function setup(fakeOptions: FakeFngOptions = {}, sourceOptions: Partial<FearGreedSourceOptions> = {}) {
  const fake = await startFakeFng(fakeOptions);
  cleanup.push(() => fake.close());
  const source = createFearGreedSource({ baseUrl: fake.url, pollMs: 30, retryMs: 30, timeoutMs: 1_000, retry: { maxRetries: 0 }, ...sourceOptions });
  cleanup.push(() => source.stop());
  const events: Array<Extract<GlobalEvent, { type: 'fearGreed' }>> = [];
  const sink = (event: GlobalEvent) => {
    if (event.type === 'fearGreed') events.push(event);
  };
  return { fake, source, events, sink };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('fear & greed source', () => {
  it('pushes the history once on start, then the latest reading on each poll', async () => {
    const { fake, source, events, sink } = await setup();
    await source.start(sink);
    expect(events, 'one event before start resolves').toHaveLength(1);
    const first = events[0]!;
    expect(fake.requests[0]?.query, 'historyLimit 400').toEqual({ limit: '400' });
    const history = first.history!;
    expect(history, '400 daily readings').toHaveLength(400);
    history.forEach((h, i) => {
      if (i > 0) expect(h.time - history[i - 1]!.time, 'oldest first, one per day').toBe(DAY_MS);
    });
    const newest = fake.readings()[0]!;
    expect(first.fearGreed, 'the newest reading, with the API label').toEqual({ value: newest.value, classification: newest.classification, time: newest.timestamp * 1000 });
    expect(history.at(-1), 'history ends with the newest').toEqual(first.fearGreed);
    expect(first.fearGreed.time, 'stamped 00:00 UTC today').toBe(Math.floor(Date.now() / DAY_MS) * DAY_MS);

    await waitFor(() => events.length >= 3, 'two polls');
    for (const e of events.slice(1)) {
      expect(e.history, 'latest-only after start').toBeUndefined();
      expect(e.fearGreed).toEqual(first.fearGreed);
    }
    expect(fake.requests.slice(1).every((r) => r.query.limit === '1'), 'polls ask for limit=1').toBe(true);
    expect(source.health()).toMatchObject({ venue: 'alternative.me', state: 'OK', lastError: null });
  });

  it('retries the history (not the latest) after a failed start, and never rejects', async () => {
    const { fake, source, events, sink } = await setup({}, { historyLimit: 30 });
    fake.setFault({ kind: '500', times: 2 });
    await source.start(sink);
    expect(events).toHaveLength(0);
    expect(source.health()).toMatchObject({ state: 'DEGRADED', lastError: 'alternative.me fng: HTTP 500' });
    await waitFor(() => events.length >= 1, 'the history');
    expect(events[0]!.history, 'the first delivered event carries the history').toHaveLength(30);
    expect(fake.requests.slice(0, 3).map((r) => [r.query.limit, r.status])).toEqual([
      ['30', 500],
      ['30', 500],
      ['30', 200],
    ]);
    expect(source.health().state).toBe('OK');
  });

  it('degrades on an API error or a malformed reading, and recovers', async () => {
    const { fake, source, events, sink } = await setup();
    await source.start(sink);
    fake.setFault({ kind: 'apiError', message: 'Service temporarily unavailable', times: 1 });
    await waitFor(() => source.health().state === 'DEGRADED', 'DEGRADED');
    expect(source.health().lastError).toBe('alternative.me fng: Service temporarily unavailable');
    await waitFor(() => source.health().state === 'OK', 'recovery');
    fake.setFault({ kind: 'malformed', times: 1 });
    await waitFor(() => source.health().lastError?.includes('data[0].value') ?? false, 'the bad payload reported');
    const n = events.length;
    await waitFor(() => events.length > n && source.health().state === 'OK', 'events again');
  });

  it('pauses for the Retry-After of a 429', async () => {
    const { fake, source, sink } = await setup();
    await source.start(sink);
    fake.setFault({ kind: '429', retryAfterSec: 1, times: 1 });
    await waitFor(() => source.health().blockedUntil !== null, 'the pause');
    const sent = fake.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(fake.requests.length, 'no request while paused').toBe(sent);
    await waitFor(() => source.health().state === 'OK', 'recovery', 3_000);
  });

  it('stops polling on stop()', async () => {
    const { fake, source, events, sink } = await setup();
    await source.start(sink);
    await waitFor(() => events.length >= 2, 'a poll');
    await source.stop();
    const [sent, pushed] = [fake.requests.length, events.length];
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect([fake.requests.length, events.length], 'nothing after stop').toEqual([sent, pushed]);
    expect(source.health().state).toBe('DOWN');
  });
});

describe.skipIf(!existsSync(HISTORY_FILE))('fear & greed source on the recorded daily history', () => {
  // Collected even when skipped: read nothing without the recordings.
  if (!existsSync(HISTORY_FILE)) return;
  it('delivers all 2,942 recorded days with limit=0', async () => {
    const { source, events, sink } = await setup({ historyFile: HISTORY_FILE }, { historyLimit: 0 });
    await source.start(sink);
    const history = events[0]!.history!;
    const at = (day: string): FearGreed | undefined => history.find((h) => h.time === Date.parse(`${day}T00:00:00Z`));
    expect(history, 'SOURCES.md §7: 2,942 rows').toHaveLength(2_942);
    expect(history[0], 'first row').toEqual({ value: 30, classification: 'Fear', time: Date.parse('2018-02-01T00:00:00Z') });
    expect(at('2025-04-23'), 'matches the recorded raw API answer').toEqual({ value: 72, classification: 'Greed', time: Date.parse('2025-04-23T00:00:00Z') });
    expect(at('2025-10-11')?.value, 'the day after the 2025-10-10 crash').toBe(27);
    expect(at('2024-10-26'), 'a day the API has no value for').toBeUndefined();
    expect(events[0]!.fearGreed, 'newest: 2026-02-24').toEqual({ value: 8, classification: 'Extreme Fear', time: Date.parse('2026-02-24T00:00:00Z') });
    expect(await source.fetchHistory(3), 'limit honoured, oldest first').toEqual(history.slice(-3));
  });
});
