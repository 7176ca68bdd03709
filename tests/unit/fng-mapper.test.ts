import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFngApi, FNG_RATE_LIMITS, FNG_VENUE } from '../../src/datasources/alternative-me/fng-api.js';
import { toFearGreed, toFearGreedSeries } from '../../src/datasources/alternative-me/fng-mapper.js';
import { fngResponseSchema, type FngEntry } from '../../src/datasources/alternative-me/schemas.js';
import { BadResponseError, UpstreamUnavailableError } from '../../src/datasources/errors.js';
import { createHttpClient, formatIssues } from '../../src/datasources/http.js';
import { startFakeFng, type FakeFng } from '../support/fake-fng.js';

const LATEST_FILE = '../shared/data/sentiment/fear-greed/alternative-me-fng-latest-2025-04-23.json';

describe.skipIf(!existsSync(LATEST_FILE))('recorded /fng/?limit=1 (2025-04-23)', () => {
  // Collected even when skipped: read nothing without the recordings.
  if (!existsSync(LATEST_FILE)) return;
  const body = fngResponseSchema.parse(JSON.parse(readFileSync(LATEST_FILE, 'utf8')));

  it('parses the string fields into numbers', () => {
    expect(body.metadata.error).toBeNull();
    expect(body.data).toHaveLength(1);
    expect(body.data[0], '"72", "1745366400", "2661" as sent').toMatchObject({ value: 72, timestamp: 1745366400, time_until_update: 2661 });
  });

  it('maps to value 72, the API label "Greed", at 2025-04-23 00:00 UTC', () => {
    const reading = toFearGreed(body.data[0]!);
    expect(reading).toEqual({ value: 72, classification: 'Greed', time: Date.parse('2025-04-23T00:00:00Z') });
    expect(reading.time, 'timestamp seconds × 1000').toBe(1745366400 * 1000);
  });
});

describe('fng schema', () => {
  const entry = { value: '54', value_classification: 'Neutral', timestamp: '1713628800' };
  const issues = (data: unknown[]) => {
    const parsed = fngResponseSchema.safeParse({ name: 'Fear and Greed Index', data, metadata: { error: null } });
    return parsed.success ? [] : formatIssues(parsed.error.issues);
  };

  it('reports a non-numeric, fractional or out-of-range value by its path', () => {
    expect(issues([entry, { ...entry, value: 'abc' }])).toEqual(['data[1].value: expected an unsigned integer string, got "abc"']);
    expect(issues([{ ...entry, value: '7.5' }])).toEqual(['data[0].value: expected an unsigned integer string, got "7.5"']);
    expect(issues([{ ...entry, value: '101' }]), 'the index is 0..100').toEqual(['data[0].value: Too big: expected number to be <=100']);
    expect(issues([{ ...entry, timestamp: 1713628800 }]), 'the API sends strings').toEqual(['data[0].timestamp: Invalid input: expected string, received number']);
  });

  it('orders a series oldest first and keeps one reading per day', () => {
    const parse = (e: object) => fngResponseSchema.parse({ data: [e], metadata: { error: null } }).data[0] as FngEntry;
    const newest = parse({ value: '20', value_classification: 'Extreme Fear', timestamp: '1713715200' });
    const older = parse(entry);
    expect(toFearGreedSeries([newest, older, older])).toEqual([
      { value: 54, classification: 'Neutral', time: 1713628800_000 },
      { value: 20, classification: 'Extreme Fear', time: 1713715200_000 },
    ]);
  });
});

describe('fng api against the fake', () => {
  let fake: FakeFng;
  beforeAll(async () => {
    fake = await startFakeFng({ days: 30 });
  });
  afterAll(async () => {
    await fake.close();
  });
  const api = () => createFngApi(createHttpClient({ venue: FNG_VENUE, baseUrl: fake.url, timeoutMs: 500, retry: { maxRetries: 0 }, rateLimits: FNG_RATE_LIMITS }));

  it('honours limit (0: everything), newest first, the newest with time_until_update', async () => {
    const [one, ten, all] = [await api().fng(1), await api().fng(10), await api().fng(0)];
    expect([one.length, ten.length, all.length]).toEqual([1, 10, 30]);
    expect(fake.requests.map((r) => r.query.limit)).toEqual(['1', '10', '0']);
    expect(ten[0]!.timestamp - ten[1]!.timestamp, 'one day apart, newest first').toBe(86_400);
    expect(ten[0]!.time_until_update).toBeDefined();
    expect(ten[1]!.time_until_update, 'only the newest reading carries it').toBeUndefined();
  });

  it('rejects metadata.error with UpstreamUnavailableError, and a malformed value with BadResponseError', async () => {
    fake.setFault({ kind: 'apiError', message: 'Limit is not a number', times: 1 });
    await expect(api().fng(1)).rejects.toThrow(new UpstreamUnavailableError('alternative.me fng: Limit is not a number', FNG_VENUE));
    fake.setFault({ kind: 'malformed', times: 1 });
    const error = await api().fng(5).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadResponseError);
    expect((error as BadResponseError).issues).toEqual(['data[0].value: expected an unsigned integer string, got "abc"']);
  });

  it('refuses a negative limit without a request', async () => {
    const before = fake.requests.length;
    await expect(api().fng(-1)).rejects.toThrow(RangeError);
    expect(fake.requests.length).toBe(before);
  });
});
